package inventory_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
)

// problem finds the problem on field, or nil.
func problem(p inventory.Problems, field string) (key string, args []any) {
	for _, e := range p {
		if e.Field == field {
			return e.Key, e.Args
		}
	}
	return "", nil
}

func TestValidateRefusesWhatTheStoreCannotKeep(t *testing.T) {
	nan, inf, negInf := math.NaN(), math.Inf(1), math.Inf(-1)
	users := func(n int64) *int64 { return &n }
	system := func(edit func(s *inventory.System)) inventory.Problems {
		s := &inventory.System{AgencyID: 1, Name: "고용24"}
		edit(s)
		s.Normalize()
		return s.Validate()
	}
	endpoints := make([]inventory.Endpoint, inventory.MaxEndpoints+1)
	for i := range endpoints {
		endpoints[i].Target = "https://host/" + strings.Repeat("a", i)
	}
	scenarios := []struct {
		name     string
		problems inventory.Problems
		field    string // "" when the record is fine
		key      string
	}{
		{"NaN score", system(func(s *inventory.System) { s.ScoreImpact = &nan }), "score_impact", "invalid.score_range"},
		{"infinite score", system(func(s *inventory.System) { s.ScoreUsers = &inf }), "score_users", "invalid.score_range"},
		{"minus infinite score", system(func(s *inventory.System) { s.ScoreSpread = &negInf }), "score_spread", "invalid.score_range"},
		{"NaN declared figure", (&inventory.DeclaredFigure{Metric: "systems", Value: nan}).Validate(), "value", "invalid.not_a_number"},
		{"infinite declared figure", (&inventory.DeclaredFigure{Metric: "systems", Value: inf}).Validate(), "value", "invalid.not_a_number"},
		{"three billion users", system(func(s *inventory.System) { s.Users = users(3_000_000_000) }), "", ""},
		{"absurd users", system(func(s *inventory.System) { s.Users = users(inventory.MaxUsers + 1) }), "users", "invalid.users_too_large"},
		{"ten-year RTO", system(func(s *inventory.System) { s.RTODisaster = minutes(inventory.MaxMinutes) }), "", ""},
		{"absurd RTO", system(func(s *inventory.System) { s.RTODisaster = minutes(inventory.MaxMinutes + 1) }), "rto_disaster", "invalid.duration_too_long"},
		{"absurd MTPD", (&inventory.Service{AgencyID: 1, Name: "x", Audience: "public", MTPD: minutes(math.MaxInt64)}).Validate(), "mtpd", "invalid.duration_too_long"},
		{"name at the limit", system(func(s *inventory.System) { s.Name = strings.Repeat("가", inventory.MaxName) }), "", ""},
		{"name over the limit", system(func(s *inventory.System) { s.Name = strings.Repeat("가", inventory.MaxName+1) }), "name", "invalid.too_long"},
		// A spreadsheet counts an emoji as two characters.
		{"emoji count twice", system(func(s *inventory.System) { s.Name = strings.Repeat("🔥", inventory.MaxName/2+1) }), "name", "invalid.too_long"},
		{"too many endpoints", system(func(s *inventory.System) { s.Endpoints = endpoints }), "endpoints", "invalid.too_many"},
		{"overlong endpoint", system(func(s *inventory.System) {
			s.Endpoints = []inventory.Endpoint{{Target: "https://host/" + strings.Repeat("a", inventory.MaxShortText)}}
		}), "endpoints", "invalid.too_long"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if s.field == "" {
				if len(s.problems) != 0 {
					t.Fatalf("refused: %v", s.problems)
				}
				return
			}
			if key, _ := problem(s.problems, s.field); key != s.key {
				t.Fatalf("problems %v, want %s on %s", s.problems, s.key, s.field)
			}
		})
	}
}

// Every free-text field of every record has a limit, so that no record the
// store accepts is too long for a spreadsheet cell.
func TestEveryTextFieldHasALimit(t *testing.T) {
	codes := map[string]bool{"operator": true, "dr_performance": true, "offsite_method": true, "manual": true, "audience": true, "kind": true}
	records := []interface{ Validate() inventory.Problems }{
		&inventory.Agency{}, &inventory.Facility{}, &inventory.System{}, &inventory.Service{}, &inventory.Dependency{}, &inventory.DeclaredFigure{},
	}
	for _, r := range records {
		v := reflect.ValueOf(r).Elem()
		for i := range v.NumField() {
			field := v.Type().Field(i)
			name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
			if field.Type.Kind() != reflect.String || codes[name] {
				continue
			}
			t.Run(v.Type().Name()+"."+name, func(t *testing.T) {
				v.Field(i).SetString(strings.Repeat("x", inventory.MaxLongText+1))
				defer v.Field(i).SetString("")
				key, args := problem(r.Validate(), name)
				if key != "invalid.too_long" || len(args) != 1 {
					t.Fatalf("%s of %d characters: problem %q %v, want invalid.too_long naming the limit", name, inventory.MaxLongText+1, key, args)
				}
			})
		}
	}
}

func TestNormalizeTrims(t *testing.T) {
	a := &inventory.Agency{Name: " 고용노동부 ", ShortName: "노동부\t", Contact: " 044 "}
	a.Normalize()
	f := &inventory.Facility{Name: "NHN\n", OperatorName: " NHN ", Region: " 판교", Address: "성남 "}
	f.Normalize()
	s := &inventory.Service{Name: " 실업급여 신청 "}
	s.Normalize()
	d := &inventory.Dependency{Note: " 인증 "}
	d.Normalize()
	sys := &inventory.System{Name: " 고용24 ", OwnerPrimary: " 홍길동", OwnerSecondary: "김철수 ", Vendor: " 예시(주) "}
	sys.Normalize()
	got := []string{a.Name, a.ShortName, a.Contact, f.Name, f.OperatorName, f.Region, f.Address, s.Name, s.Audience, d.Note, d.Kind,
		sys.Name, sys.OwnerPrimary, sys.OwnerSecondary, sys.Vendor}
	want := []string{"고용노동부", "노동부", "044", "NHN", "NHN", "판교", "성남", "실업급여 신청", "public", "인증", "interface",
		"고용24", "홍길동", "김철수", "예시(주)"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("normalized %q, want %q", got, want)
	}
}
