package placement

import (
	"fmt"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
)

func ptr[T any](v T) *T { return &v }

// sys makes a system of agency in facility (0: not placed).
func sys(id, agency int64, name string, grade int, facility int64) *inventory.System {
	s := &inventory.System{ID: id, AgencyID: agency, Name: name, Grade: grade, Redundancy: map[string]string{}}
	if facility != 0 {
		s.PrimaryFacilityID = &facility
	}
	return s
}

func facilities(names ...string) []*inventory.Facility {
	var list []*inventory.Facility
	for i, n := range names {
		list = append(list, &inventory.Facility{ID: int64(i + 1), Name: n, Operator: inventory.OperatorSelf})
	}
	return list
}

func TestConcentrations(t *testing.T) {
	with := func(s *inventory.System, dr int64) *inventory.System {
		s.DRFacilityID = &dr
		return s
	}
	inv := &inventory.Inventory{
		Facilities: facilities("가 센터", "나 센터", "다 센터", "라 센터", "마 센터"),
		Systems: []*inventory.System{
			// 가: one agency, three grade-1/2 systems.
			sys(1, 1, "a", 1, 1), sys(2, 1, "b", 2, 1), sys(3, 1, "c", 2, 1), sys(4, 1, "d", 4, 1),
			// 나: three agencies, grade 3 and none only, and a DR copy of a 가 system.
			sys(5, 1, "e", 3, 2), sys(6, 2, "f", 0, 2), sys(7, 3, "g", 3, 2),
			// 다: one agency, grade 3 only — left out.
			with(sys(8, 2, "h", 3, 3), 2),
			// 라: two agencies, one grade 2: ahead of 나 by its grade-2 system.
			sys(9, 2, "i", 2, 4), sys(10, 3, "j", 4, 4),
			// Not placed; DR in 마, which has no primary system — left out.
			with(sys(11, 3, "k", 1, 0), 5),
		},
	}
	var got []string
	for _, c := range Concentrations(inv) {
		got = append(got, fmt.Sprintf("%s systems=%d g1=%d g2=%d g3=%d g4=%d none=%d g12=%d agencies=%v dr=%d shared=%v",
			c.Name, c.Systems, c.ByGrade["1"], c.ByGrade["2"], c.ByGrade["3"], c.ByGrade["4"], c.ByGrade["none"], c.Grade12, c.Agencies,
			c.DRHosted, c.Shared()))
	}
	want := []string{
		"가 센터 systems=4 g1=1 g2=2 g3=0 g4=1 none=0 g12=3 agencies=[1] dr=0 shared=false",
		"라 센터 systems=2 g1=0 g2=1 g3=0 g4=1 none=0 g12=1 agencies=[2 3] dr=0 shared=true",
		"나 센터 systems=3 g1=0 g2=0 g3=2 g4=0 none=1 g12=0 agencies=[1 2 3] dr=1 shared=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("concentrations:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSameFacilityCopies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(s *inventory.System)
		// want: the reasons and whether nothing survives; "" when not listed.
		want string
		// reportedHome: the system's reported runs left no copy outside.
		reportedHome map[int64]bool
	}{
		{"no offsite copy and no DR: the only copy", func(s *inventory.System) {
			s.OffsiteMethod, s.DRPerformance = inventory.No, inventory.DRNone
		}, "offsite_none only", nil},
		{"an offsite method whose interval is 0", func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery, s.DRPerformance = "tape_staff", ptr(inventory.Minutes(0)), inventory.DRNone
		}, "offsite_not_done only", nil},
		{"a DR site in the primary facility", func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery, s.DRFacilityID, s.DRPerformance = "replication", ptr(inventory.Minutes(15)), ptr(int64(1)), inventory.DRSimilar
		}, "dr_same_facility", nil},
		{"a DR site in the primary facility and no offsite copy", func(s *inventory.System) {
			s.OffsiteMethod, s.DRFacilityID, s.DRPerformance = inventory.No, ptr(int64(1)), inventory.DRPartial
		}, "offsite_none,dr_same_facility only", nil},
		{"no offsite copy, but a DR site elsewhere may hold one", func(s *inventory.System) {
			s.OffsiteMethod, s.DRFacilityID, s.DRPerformance = inventory.No, ptr(int64(2)), inventory.DRSimilar
		}, "offsite_none", nil},
		{"no offsite copy, DR declared at an unrecorded site", func(s *inventory.System) {
			s.OffsiteMethod, s.DRPerformance = inventory.No, inventory.DRPartial
		}, "offsite_none", nil},
		{"no offsite copy, DR unrecorded: not taken as none", func(s *inventory.System) {
			s.OffsiteMethod = inventory.No
		}, "offsite_none", nil},
		{"copied offsite by tape", func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery, s.DRPerformance = "tape_courier", ptr(inventory.Minutes(10080)), inventory.DRNone
		}, "", nil},
		{"offsite unknown: not listed (the data-quality report asks)", func(s *inventory.System) {
			s.DRPerformance = inventory.DRNone
		}, "", nil},
		{"a tape recorded, but the reported runs never left: the only copy", func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery, s.DRPerformance = "tape_courier", ptr(inventory.Minutes(10080)), inventory.DRNone
		}, "no_copy_outside_reported only", map[int64]bool{1: true}},
		{"no offsite copy recorded, and none reported either", func(s *inventory.System) {
			s.OffsiteMethod, s.DRPerformance = inventory.No, inventory.DRNone
		}, "offsite_none,no_copy_outside_reported only", map[int64]bool{1: true}},
		{"replication recorded, runs at home: the DR site elsewhere may hold the data", func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery, s.DRFacilityID, s.DRPerformance = "replication", ptr(inventory.Minutes(15)), ptr(int64(2)), inventory.DRSimilar
		}, "no_copy_outside_reported", map[int64]bool{1: true}},
		{"another system's runs stayed home", func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery, s.DRPerformance = "tape_courier", ptr(inventory.Minutes(10080)), inventory.DRNone
		}, "", map[int64]bool{2: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sys(1, 1, "가", 1, 1)
			tc.setup(s)
			list := SameFacilityCopies(&inventory.Inventory{Facilities: facilities("주", "DR"), Systems: []*inventory.System{s}}, tc.reportedHome)
			got := ""
			if len(list) == 1 {
				got = strings.Join(list[0].Reasons, ",")
				if list[0].OnlyCopy {
					got += " only"
				}
				if list[0].FacilityID != 1 {
					t.Errorf("facility %d", list[0].FacilityID)
				}
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSameFacilityCopiesOrder(t *testing.T) {
	none := func(s *inventory.System, dr string) *inventory.System {
		s.OffsiteMethod, s.DRPerformance = inventory.No, dr
		return s
	}
	inv := &inventory.Inventory{Systems: []*inventory.System{
		none(sys(1, 1, "무등급", 0, 1), inventory.DRNone), none(sys(2, 1, "일등급 DR", 1, 1), inventory.DRPartial),
		none(sys(3, 1, "삼등급", 3, 1), inventory.DRNone), none(sys(4, 1, "일등급", 1, 1), inventory.DRNone),
		none(sys(5, 1, "미배치", 1, 0), inventory.DRNone),
	}}
	var got []string
	for _, c := range SameFacilityCopies(inv, nil) {
		got = append(got, c.Name)
	}
	if want := "일등급 삼등급 무등급 일등급 DR"; strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q (nothing outside first, then grade; unplaced left out)", strings.Join(got, " "), want)
	}
}

func TestUnredundantLayers(t *testing.T) {
	layered := func(s *inventory.System, layers map[string]string) *inventory.System {
		s.Redundancy = layers
		return s
	}
	inv := &inventory.Inventory{Systems: []*inventory.System{
		layered(sys(1, 1, "모두 이중화", 1, 1), map[string]string{"power": "yes", "network": "yes", "web": "yes", "was": "yes", "db": "yes", "storage": "yes"}),
		layered(sys(2, 1, "모름", 1, 1), map[string]string{"db": "unknown"}),
		layered(sys(3, 1, "사등급 DB", 4, 1), map[string]string{"db": "none"}),
		layered(sys(4, 1, "일등급 DB", 1, 1), map[string]string{"db": "none", "web": "yes"}),
		layered(sys(5, 1, "일등급 셋", 1, 0), map[string]string{"storage": "none", "power": "none", "was": "none"}),
		layered(sys(6, 1, "무등급", 0, 1), map[string]string{"network": "none"}),
	}}
	var got []string
	for _, u := range UnredundantLayers(inv) {
		got = append(got, fmt.Sprintf("%s@%d:%s", u.Name, u.FacilityID, strings.Join(u.Layers, ",")))
	}
	want := "일등급 셋@0:power,was,storage 일등급 DB@1:db 사등급 DB@1:db 무등급@1:network"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %q\nwant %q", strings.Join(got, " "), want)
	}
}

func TestMutualDR(t *testing.T) {
	// Facilities: 1 and 2 self-operated, run by agencies 1 and 2; 3 run by
	// agency 3 in the same region as 1; 4 and 5 both run by agency 4; 6 a
	// private facility.
	fac := func(id int64, operator, region string, conditions map[string]string) *inventory.Facility {
		return &inventory.Facility{ID: id, Name: fmt.Sprint("시설 ", id), Operator: operator, Region: region, Conditions: conditions}
	}
	inv := &inventory.Inventory{
		Facilities: []*inventory.Facility{
			fac(1, inventory.OperatorSelf, "대전", map[string]string{"ups": "yes", "generator": "yes", "hvac": "yes", "cctv": "none"}),
			fac(2, inventory.OperatorSelf, "", map[string]string{"ups": "yes", "ups_in_server_room": "yes", "fire_suppression": "yes"}),
			fac(3, inventory.OperatorSelf, "대전", map[string]string{"ups": "yes", "dual_power": "yes", "hvac": "yes", "cctv": "yes"}),
			fac(4, inventory.OperatorSelf, "서울", nil),
			fac(5, inventory.OperatorSelf, "부산", nil),
			fac(6, inventory.OperatorPrivate, "서울", nil),
		},
		Systems: []*inventory.System{
			sys(1, 1, "1-a", 1, 1), sys(2, 1, "1-b", 2, 1), sys(3, 1, "1-c", 4, 1),
			// A grade-2 system of agency 1 with a similar DR elsewhere: no need.
			sys(4, 1, "1-d", 2, 1),
			// Agency 1 also uses the private facility: elsewhere.
			sys(5, 1, "1-e", 3, 6),
			// Facility 2 holds two systems of agency 2 and one of agency 3:
			// agency 2 runs it.
			sys(6, 2, "2-a", 1, 2), sys(7, 2, "2-b", 3, 2), sys(8, 3, "3-x", 2, 2),
			sys(9, 3, "3-a", 3, 3),
			sys(10, 4, "4-a", 1, 4), sys(11, 4, "4-b", 1, 5),
		},
	}
	inv.Systems[3].DRFacilityID, inv.Systems[3].DRPerformance = ptr(int64(3)), inventory.DRSimilar
	var got []string
	for _, p := range MutualDR(inv) {
		got = append(got, fmt.Sprintf("%d(%d:%d/%d/%d/%d+%d)-%d(%d:%d/%d/%d/%d+%d) %s %d+%d+%d=%d",
			p.A.AgencyID, p.A.FacilityID, p.A.Conditions, p.A.Systems, p.A.Grade12, p.A.Need, p.A.Elsewhere,
			p.B.AgencyID, p.B.FacilityID, p.B.Conditions, p.B.Systems, p.B.Grade12, p.B.Need, p.B.Elsewhere,
			p.Region, p.RegionPoints, p.ConditionPoints, p.NeedPoints, p.Score))
	}
	// Agency 1: facility 1, conditions 3, systems 4, grade-1/2 3, need 2,
	// one system elsewhere. Agency 2: facility 2 (host by 2 systems to 1),
	// conditions 2-3 = -1, need 1. Agency 3: facility 3 (the one at 2 is
	// elsewhere), conditions 4, need 0. Agency 4 runs two: no candidate.
	want := []string{
		"1(1:3/4/3/2+1)-2(2:-1/2/1/1+0) unknown 10+-2+15=23",
		"1(1:3/4/3/2+1)-3(3:4/1/0/0+1) same 0+6+10=16",
		"2(2:-1/2/1/1+0)-3(3:4/1/0/0+1) unknown 10+-2+5=13",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pairs:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
