package quality

import (
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

func ptr[T any](v T) *T { return &v }

func codes(found []Finding) map[string]int {
	m := map[string]int{}
	for _, f := range found {
		m[f.Code]++
	}
	return m
}

func TestCheckRecords(t *testing.T) {
	ministry := &inventory.Agency{ID: 1, Name: "고용노동부"}
	idc := &inventory.Facility{ID: 10, Name: "고용정보원 데이터센터"}
	empty := &inventory.Facility{ID: 11, Name: "본부 전산실"}
	scenarios := []struct {
		name   string
		system *inventory.System
		want   map[string]int
	}{
		{"complete grade-1 system", &inventory.System{ID: 100, AgencyID: 1, Name: "고용24", Grade: 1, PrimaryFacilityID: &idc.ID,
			RTODisaster: ptr(inventory.Minutes(120)), RPODisaster: ptr(inventory.Minutes(60)), OwnerPrimary: "홍길동",
			Endpoints: []inventory.Endpoint{{Kind: "http", Target: "https://www.work24.go.kr"}}},
			map[string]int{EmptyFacility: 1}},
		{"grade-2 system missing everything", &inventory.System{ID: 101, AgencyID: 1, Name: "노사누리", Grade: 2, PrimaryFacilityID: &idc.ID},
			map[string]int{MissingTargets: 1, NoEndpoints: 1, NoOwner: 1, EmptyFacility: 1}},
		{"ungraded system without RPO", &inventory.System{ID: 102, AgencyID: 1, Name: "판로플랫폼", RTODisaster: ptr(inventory.Minutes(480)), PrimaryFacilityID: &empty.ID},
			map[string]int{MissingTargets: 1, MissingGrade: 1, EmptyFacility: 1}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			inv := &inventory.Inventory{Agencies: []*inventory.Agency{ministry}, Facilities: []*inventory.Facility{idc, empty}, Systems: []*inventory.System{s.system}}
			got := codes(Check(inv))
			if len(got) != len(s.want) {
				t.Fatalf("codes %v, want %v", got, s.want)
			}
			for code, n := range s.want {
				if got[code] != n {
					t.Errorf("%s: %d findings, want %d (all: %v)", code, got[code], n, got)
				}
			}
		})
	}
}

func TestMissingTargetsSeverityFollowsGrade(t *testing.T) {
	inv := &inventory.Inventory{Systems: []*inventory.System{
		{ID: 1, Name: "a", Grade: 1, OwnerPrimary: "x", Endpoints: []inventory.Endpoint{{Target: "https://a"}}},
		{ID: 2, Name: "b", Grade: 4},
	}}
	found := Check(inv)
	if len(found) != 2 || found[0].Severity != High || found[0].Subject.ID != 1 || found[1].Severity != Medium {
		t.Fatalf("findings %+v, want grade 1 high first and grade 4 medium", found)
	}
	if msg := found[0].Message(locale.Korean); msg != "복구목표가 설정되지 않았습니다: RTO, RPO" {
		t.Errorf("message %q", msg)
	}
}

// Declared figures against the records and against each other. The base is
// the plan's situation: an agency table (per agency) and a facility table
// (per agency and facility) that disagree on one agency, and a per-agency
// list of ungraded systems that adds up to more than the headline.
func TestDeclaredFiguresAgainstRecordsAndEachOther(t *testing.T) {
	koreatech, welfare := int64(1), int64(2)
	dasan, south := int64(10), int64(11)
	inv := func(extra ...*inventory.DeclaredFigure) *inventory.Inventory {
		inv := &inventory.Inventory{
			Agencies:   []*inventory.Agency{{ID: koreatech, Name: "한국기술교육대학교"}, {ID: welfare, Name: "근로복지공단"}},
			Facilities: []*inventory.Facility{{ID: dasan, Name: "다산정보관", Operator: "self"}, {ID: south, Name: "서울남부지사", Operator: "self"}},
		}
		for i := 0; i < 3; i++ {
			inv.Systems = append(inv.Systems, &inventory.System{ID: int64(100 + i), AgencyID: koreatech, Grade: 3, PrimaryFacilityID: &dasan,
				RTODisaster: ptr(inventory.Minutes(300)), RPODisaster: ptr(inventory.Minutes(480))})
		}
		inv.Systems = append(inv.Systems, &inventory.System{ID: 200, AgencyID: welfare, PrimaryFacilityID: &south,
			RTODisaster: ptr(inventory.Minutes(300)), RPODisaster: ptr(inventory.Minutes(480))})
		inv.Declared = []*inventory.DeclaredFigure{
			{Source: "agency table", AgencyID: &koreatech, Metric: "systems", Value: 4}, // records 3
			{Source: "facility table", AgencyID: &koreatech, FacilityID: &dasan, Metric: "systems", Value: 3},
			{Source: "agency table", AgencyID: &welfare, Metric: "systems", Value: 1},
			{Source: "headline", Metric: "systems", Value: 4},                          // records 4; agency table sums to 5
			{Source: "grade list", AgencyID: &welfare, Metric: "grade_none", Value: 2}, // records 1
			{Source: "headline", Metric: "grade_none", Value: 1},                       // the list adds up to 2
			{Source: "headline", Metric: "grade4_share_pct", Value: 45},                // records 0
		}
		inv.Declared = append(inv.Declared, extra...)
		return inv
	}
	planMismatches := []string{
		"한국기술교육대학교: agency table gives number of systems as 4, the records give 3",
		"근로복지공단: grade list gives systems without grade as 2, the records give 1",
		": headline gives share of grade-4 systems (%) as 45, the records give 0",
	}
	planDisagreements := []string{
		": headline gives systems without grade as 1, but grade list adds up to 2",
		": headline gives number of systems as 4, but agency table adds up to 5",
		"한국기술교육대학교: agency table gives number of systems as 4, but facility table adds up to 3",
	}
	scenarios := []struct {
		name          string
		inv           *inventory.Inventory
		mismatches    []string
		disagreements []string
	}{
		{"the plan's tables", inv(), planMismatches, planDisagreements},
		{
			// A system table states both agencies' systems again, agreeing
			// with the records and the headline: each table is held against
			// the headline on its own, never summed with the other.
			"a second table states the same agency figures",
			inv(
				&inventory.DeclaredFigure{Source: "system table", AgencyID: &koreatech, Metric: "systems", Value: 3},
				&inventory.DeclaredFigure{Source: "system table", AgencyID: &welfare, Metric: "systems", Value: 1},
			),
			planMismatches, planDisagreements,
		},
		{
			// Both tables add up wrong, each in its own way.
			"two tables both disagree with the headline",
			inv(
				&inventory.DeclaredFigure{Source: "system table", AgencyID: &koreatech, Metric: "systems", Value: 3},
				&inventory.DeclaredFigure{Source: "system table", AgencyID: &welfare, Metric: "systems", Value: 2},
			),
			append(slices.Clone(planMismatches), "근로복지공단: system table gives number of systems as 2, the records give 1"),
			[]string{
				planDisagreements[0], planDisagreements[1],
				": headline gives number of systems as 4, but system table adds up to 5",
				planDisagreements[2],
			},
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			var mismatches, disagreements []string
			for _, f := range Check(s.inv) {
				switch f.Code {
				case DeclaredMismatch:
					mismatches = append(mismatches, f.Subject.Name+": "+f.Message(locale.English))
				case DeclaredDisagrees:
					disagreements = append(disagreements, f.Subject.Name+": "+f.Message(locale.English))
				}
			}
			if strings.Join(mismatches, "\n") != strings.Join(s.mismatches, "\n") {
				t.Errorf("mismatches:\n%s\nwant:\n%s", strings.Join(mismatches, "\n"), strings.Join(s.mismatches, "\n"))
			}
			if strings.Join(disagreements, "\n") != strings.Join(s.disagreements, "\n") {
				t.Errorf("disagreements:\n%s\nwant:\n%s", strings.Join(disagreements, "\n"), strings.Join(s.disagreements, "\n"))
			}
		})
	}
}

// Agencies share facilities, so per-agency facility counts do not add up
// to the ministry's: no disagreement may be reported for them.
func TestFacilityCountsAreNotSummed(t *testing.T) {
	a, b := int64(1), int64(2)
	inv := &inventory.Inventory{
		Agencies: []*inventory.Agency{{ID: a, Name: "A"}, {ID: b, Name: "B"}},
		Declared: []*inventory.DeclaredFigure{
			{Source: "agency table", AgencyID: &a, Metric: "facilities", Value: 1},
			{Source: "agency table", AgencyID: &b, Metric: "facilities", Value: 1},
			{Source: "headline", Metric: "facilities", Value: 1},
		},
	}
	for _, f := range Check(inv) {
		if f.Code == DeclaredDisagrees {
			t.Fatalf("facility counts summed: %s", f.Message(locale.English))
		}
	}
}

// Targets looser than the grade's minimum, or than a supported service
// needs, are findings that name both figures.
func TestLooseTargets(t *testing.T) {
	eight, day, two := inventory.Minutes(480), inventory.Minutes(1440), inventory.Minutes(120)
	edi := &inventory.System{ID: 1, AgencyID: 1, Name: "산재보험 진료비 약제비 EDI", Grade: 1, RTODisaster: &eight, RPODisaster: &day,
		OwnerPrimary: "담당", Endpoints: []inventory.Endpoint{{Target: "https://edi.example"}}}
	portal := &inventory.System{ID: 2, AgencyID: 1, Name: "포털", Grade: 4, RTODisaster: &eight, RPODisaster: &day}
	inv := &inventory.Inventory{
		Agencies: []*inventory.Agency{{ID: 1, Name: "근로복지공단"}},
		Systems:  []*inventory.System{edi, portal},
		Services: []*inventory.Service{{ID: 5, AgencyID: 1, Name: "산재보험 급여 신청", RTO: &two, SystemIDs: []int64{2}}},
	}
	var messages []string
	for _, f := range Check(inv) {
		if f.Code == LooserThanMinimum || f.Code == LooserThanService {
			messages = append(messages, f.Severity+" "+f.Subject.Name+": "+f.Message(locale.English))
		}
	}
	want := []string{
		"high 근로복지공단 · 산재보험 진료비 약제비 EDI: the RTO target (8 h) is looser than the grade-1 minimum (2 h)",
		"high 근로복지공단 · 산재보험 진료비 약제비 EDI: the RPO target (24 h) is looser than the grade-1 minimum (1 h)",
		"medium 근로복지공단 · 포털: the RTO target (8 h) is looser than the service '산재보험 급여 신청' needs (2 h)",
	}
	if strings.Join(messages, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(messages, "\n"), strings.Join(want, "\n"))
	}
}

// The plan proposes 노사누리 2 → 1: scores that earn another grade than the
// recorded one are a finding.
func TestGradeDiffersFromScores(t *testing.T) {
	impact, users, spread := 38.0, 45.0, 8.0
	inv := &inventory.Inventory{Systems: []*inventory.System{{ID: 1, Name: "노사누리", Grade: 2,
		ScoreImpact: &impact, ScoreUsers: &users, ScoreSpread: &spread}}}
	var got []string
	for _, f := range Check(inv) {
		if f.Code == GradeDiffers {
			got = append(got, f.Message(locale.English))
		}
	}
	if len(got) != 1 || got[0] != "the grade scores add up to 91, which is grade 1, but the recorded grade is Grade 2" {
		t.Errorf("findings %q", got)
	}
}
