package risk

import (
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/locale"
)

func TestBand(t *testing.T) {
	scenarios := []struct {
		rating int
		want   string
	}{
		{0, ""}, {-3, ""},
		{1, BandLow}, {2, BandLow}, {4, BandLow},
		{5, BandMedium}, {6, BandMedium}, {8, BandMedium}, {9, BandMedium},
		{10, BandHigh}, {12, BandHigh}, {15, BandHigh}, {16, BandHigh},
		{17, ""}, {19, ""}, // no product of two numbers 1–5
		{20, BandCritical}, {25, BandCritical},
		{26, ""},
	}
	for _, sc := range scenarios {
		if got := Band(sc.rating); got != sc.want {
			t.Errorf("Band(%d) = %q, want %q", sc.rating, got, sc.want)
		}
	}
	// Every cell of the heat map has a band.
	for l := 1; l <= Scale; l++ {
		for i := 1; i <= Scale; i++ {
			if Band(l*i) == "" {
				t.Errorf("likelihood %d × impact %d = %d has no band", l, i, l*i)
			}
		}
	}
}

func entry(l, i, rl, ri int, status string) *Entry {
	e := &Entry{Likelihood: l, Impact: i, ResidualLikelihood: rl, ResidualImpact: ri, Status: status}
	e.rate()
	return e
}

func TestHeatMapOf(t *testing.T) {
	entries := []*Entry{
		entry(4, 5, 2, 5, StatusOpen),       // inherent (4,5), residual (2,5)
		entry(4, 5, 4, 5, StatusMitigating), // both (4,5)
		entry(1, 1, 1, 1, StatusAccepted),   // both (1,1)
		entry(5, 5, 5, 5, StatusClosed),     // closed: not counted
		entry(6, 1, 1, 1, StatusOpen),       // off the scale: not counted
	}
	h := HeatMapOf(entries)
	if h.Counted != 3 {
		t.Errorf("counted %d, want 3", h.Counted)
	}
	var inherent, residual Matrix
	inherent[3][4], inherent[0][0] = 2, 1
	residual[1][4], residual[3][4], residual[0][0] = 1, 1, 1
	if h.Inherent != inherent {
		t.Errorf("inherent %v, want %v", h.Inherent, inherent)
	}
	if h.Residual != residual {
		t.Errorf("residual %v, want %v", h.Residual, residual)
	}
	if empty := HeatMapOf(nil); empty.Counted != 0 || empty.Inherent != (Matrix{}) {
		t.Errorf("heat map of nothing: %+v", empty)
	}
}

func TestHigh(t *testing.T) {
	scenarios := []struct {
		name string
		e    *Entry
		high bool
	}{
		{"critical and open", entry(5, 5, 5, 5, StatusOpen), true},
		{"high after controls, being treated", entry(4, 4, 3, 4, StatusMitigating), true},
		{"accepted stays a high risk", entry(2, 5, 2, 5, StatusAccepted), true},
		{"high before, medium after controls", entry(4, 5, 2, 4, StatusOpen), false},
		{"critical but closed", entry(5, 5, 5, 5, StatusClosed), false},
		{"medium", entry(3, 3, 3, 3, StatusOpen), false},
		{"lowest high rating", entry(2, 5, 2, 5, StatusOpen), true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := High([]*Entry{sc.e})
			if (len(got) == 1) != sc.high {
				t.Errorf("High = %v, want high %v", got, sc.high)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	e := &Entry{SubKind: " hacking ", Title: "  비밀번호 유출 ", Likelihood: 4, Impact: 3}
	e.Normalize()
	if e.Kind != Technical || e.SubKind != "hacking" || e.Title != "비밀번호 유출" {
		t.Errorf("kind %q sub-kind %q title %q", e.Kind, e.SubKind, e.Title)
	}
	if e.ResidualLikelihood != 4 || e.ResidualImpact != 3 || e.Status != StatusOpen {
		t.Errorf("residual %d×%d status %q: want the values before controls and open", e.ResidualLikelihood, e.ResidualImpact, e.Status)
	}
	if e.Rating != 12 || e.Band != BandHigh || e.ResidualRating != 12 || e.ResidualBand != BandHigh {
		t.Errorf("rating %d %s, residual %d %s", e.Rating, e.Band, e.ResidualRating, e.ResidualBand)
	}
	// A kind that was given is kept, so that Validate can refuse a mismatch.
	e = &Entry{Kind: Physical, SubKind: "hacking"}
	e.Normalize()
	if e.Kind != Physical {
		t.Errorf("kind %q, want the one given", e.Kind)
	}
}

func TestValidate(t *testing.T) {
	valid := func() *Entry {
		return &Entry{AgencyID: 1, SubKind: "disaster", Title: "UPS 배터리가 서버와 같은 공간에 있음", Likelihood: 4, Impact: 5,
			ResidualLikelihood: 2, ResidualImpact: 5, ReviewDate: "2026-06-30"}
	}
	scenarios := []struct {
		name   string
		change func(e *Entry)
		field  string // "" when valid
		key    string
	}{
		{"valid", func(e *Entry) {}, "", ""},
		{"agency-wide, no residual given", func(e *Entry) { e.ResidualLikelihood, e.ResidualImpact = 0, 0 }, "", ""},
		{"no agency", func(e *Entry) { e.AgencyID = 0 }, "agency_id", "invalid.required"},
		{"no sub-kind", func(e *Entry) { e.SubKind = "" }, "sub_kind", "invalid.required"},
		{"unknown sub-kind", func(e *Entry) { e.SubKind = "meteor" }, "sub_kind", "invalid.one_of"},
		{"sub-kind of another kind", func(e *Entry) { e.Kind, e.SubKind = Operational, "hacking" }, "sub_kind", "invalid.risk.sub_kind"},
		{"unknown kind", func(e *Entry) { e.Kind = "cosmic" }, "kind", "invalid.one_of"},
		{"no title", func(e *Entry) { e.Title = "  " }, "title", "invalid.required"},
		{"title too long", func(e *Entry) { e.Title = strings.Repeat("위", 201) }, "title", "invalid.too_long"},
		{"no likelihood", func(e *Entry) { e.Likelihood = 0 }, "likelihood", "invalid.required"},
		{"likelihood 6", func(e *Entry) { e.Likelihood = 6 }, "likelihood", "invalid.risk.scale"},
		{"impact -1", func(e *Entry) { e.Impact = -1 }, "impact", "invalid.risk.scale"},
		{"residual off the scale", func(e *Entry) { e.ResidualImpact = 9 }, "residual_impact", "invalid.risk.scale"},
		{"residual above inherent", func(e *Entry) { e.ResidualLikelihood = 5 }, "residual_likelihood", "invalid.risk.residual_above"},
		{"unknown status", func(e *Entry) { e.Status = "forgotten" }, "status", "invalid.one_of"},
		{"review date not a date", func(e *Entry) { e.ReviewDate = "2026. 6. 30." }, "review_date", "invalid.risk.date"},
		{"review date that does not exist", func(e *Entry) { e.ReviewDate = "2026-02-30" }, "review_date", "invalid.risk.date"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := valid()
			sc.change(e)
			e.Normalize()
			problems := e.Validate()
			if sc.field == "" {
				if len(problems) > 0 {
					t.Fatalf("problems %v, want none", problems)
				}
				return
			}
			if len(problems) == 0 || problems[0].Field != sc.field || problems[0].Key != sc.key {
				t.Fatalf("problems %v, want first %s on %s", problems, sc.key, sc.field)
			}
		})
	}
}

// The catalogue is the plan's: three kinds, nine sub-kinds, each with its
// name and the plan's examples in the message catalogue, and every value a
// page shows has its words too.
func TestCatalogue(t *testing.T) {
	var subs []string
	for _, k := range Catalogue {
		if !locale.Has("risk.kind." + k.Key) {
			t.Errorf("no words for kind %s", k.Key)
		}
		for _, s := range k.SubKinds {
			if slices.Contains(subs, s) {
				t.Errorf("sub-kind %s appears twice", s)
			}
			subs = append(subs, s)
			if KindOf(s) != k.Key {
				t.Errorf("KindOf(%s) = %q, want %s", s, KindOf(s), k.Key)
			}
			for _, key := range []string{"risk.subkind." + s, "risk.subkind." + s + ".examples"} {
				if !locale.Has(key) {
					t.Errorf("no words for %s", key)
				}
			}
		}
	}
	if len(Catalogue) != 3 || len(subs) != 9 || !slices.Equal(Kinds, []string{Physical, Technical, Operational}) {
		t.Errorf("catalogue has %d kinds and %d sub-kinds, want the plan's 3 and 9", len(Catalogue), len(subs))
	}
	if KindOf("meteor") != "" {
		t.Errorf("an unknown sub-kind has a kind")
	}
	keys := []string{}
	for _, s := range Statuses {
		keys = append(keys, "risk.status."+s)
	}
	for _, b := range Bands {
		keys = append(keys, "risk.band."+b.Key)
	}
	for n := 1; n <= Scale; n++ {
		keys = append(keys, "risk.likelihood."+string(rune('0'+n)), "risk.impact."+string(rune('0'+n)))
	}
	for _, key := range keys {
		if !locale.Has(key) {
			t.Errorf("no words for %s", key)
		}
	}
}
