package scenario

import (
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
)

func TestTargets(t *testing.T) {
	h := inventory.Hours
	scenarios := []struct {
		Name             string
		System           *inventory.System
		Kind             string
		Inherited        objectives.Strictest
		RTO, RPO         *inventory.Minutes
		RTOFrom, RPOFrom string
	}{
		{"disaster: own targets", grade1(), FacilityLoss, objectives.Strictest{},
			mins(h(2)), mins(h(1)), TargetOwn, TargetOwn},
		{"disaster: a stricter service wins", grade1(), Regional, objectives.Strictest{RTO: mins(60), RPO: mins(h(4))},
			mins(60), mins(h(1)), TargetService, TargetOwn},
		{"disaster: none of its own, a service's", with(func(s *inventory.System) { s.RTODisaster, s.RPODisaster = nil, nil }), Ransomware,
			objectives.Strictest{RPO: mins(30)}, mins(h(2)), mins(30), TargetMinimum, TargetService},
		{"disaster: none, grade 3 minimum", with(func(s *inventory.System) { s.Grade, s.RTODisaster, s.RPODisaster = 3, nil, nil }), FacilityLoss,
			objectives.Strictest{}, mins(h(5)), mins(h(8)), TargetMinimum, TargetMinimum},
		{"disaster: none and no grade", with(func(s *inventory.System) { s.Grade, s.RTODisaster, s.RPODisaster = 0, nil, nil }), FacilityLoss,
			objectives.Strictest{}, nil, nil, "", ""},
		{"component: SLA targets only", with(func(s *inventory.System) { s.RTOFailure = mins(30) }), Component,
			objectives.Strictest{RTO: mins(10)}, mins(30), nil, TargetOwn, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			rto, rpo := Targets(sc.System, sc.Kind, sc.Inherited)
			for _, c := range []struct {
				name       string
				got        Target
				want       *inventory.Minutes
				wantSource string
			}{{"rto", rto, sc.RTO, sc.RTOFrom}, {"rpo", rpo, sc.RPO, sc.RPOFrom}} {
				if (c.got.Minutes == nil) != (c.want == nil) || c.want != nil && *c.got.Minutes != *c.want || c.got.Source != c.wantSource {
					t.Errorf("%s = %v from %q, want %v from %q", c.name, c.got.Minutes, c.got.Source, c.want, c.wantSource)
				}
			}
		})
	}
}

// A portfolio of four systems in two agencies: under facility loss one
// meets its targets, one misses both, one misses its RPO only and one
// cannot be judged (no grade, no targets).
func TestGapsAndSummary(t *testing.T) {
	met := with(func(s *inventory.System) {
		s.ID, s.AgencyID, s.DRFacilityID, s.DRPerformance, s.OffsiteMethod = 1, 10, id(3), inventory.DRSimilar, "replication"
	})
	noCopy := with(func(s *inventory.System) { s.ID, s.AgencyID = 2, 10 }) // no DR, no copy outside: unbounded
	rpoOnly := with(func(s *inventory.System) {
		s.ID, s.AgencyID, s.DRFacilityID, s.DRPerformance = 3, 20, id(3), inventory.DRSimilar
		s.OffsiteMethod, s.OffsiteEvery = "cloud", mins(inventory.Hours(24))
	})
	undecided := with(func(s *inventory.System) {
		s.ID, s.AgencyID, s.Grade, s.RTODisaster, s.RPODisaster = 4, 20, 0, nil, nil
	})
	inv := &inventory.Inventory{Systems: []*inventory.System{met, noCopy, rpoOnly, undecided}}
	for _, f := range facilities {
		inv.Facilities = append(inv.Facilities, f)
	}

	gaps := Gaps(inv, FacilityLoss)
	if len(gaps) != 4 {
		t.Fatalf("%d gaps, want 4", len(gaps))
	}
	want := []struct {
		misses, undecided, rto, rpo bool
		rpoGap                      inventory.Minutes
	}{
		{false, false, false, false, 0},
		{true, false, true, true, 0},
		{true, false, false, true, inventory.Hours(23)},
		{false, true, false, false, 0},
	}
	for i, w := range want {
		g := gaps[i]
		if g.Misses() != w.misses || g.Undecided() != w.undecided || g.RTO.Misses != w.rto || g.RPO.Misses != w.rpo || g.RPO.Gap != w.rpoGap {
			t.Errorf("system %d: misses %v undecided %v rto %v rpo %v (gap %d), want %+v", g.SystemID,
				g.Misses(), g.Undecided(), g.RTO.Misses, g.RPO.Misses, g.RPO.Gap, w)
		}
	}

	sum := Summarize(gaps)
	total := sum.Total[FacilityLoss]
	if *total != (GapCount{Systems: 4, Misses: 2, MissesRTO: 1, MissesRPO: 2, Undecided: 1, Met: 1}) {
		t.Errorf("total %+v", *total)
	}
	if a := sum.ByAgency[10][FacilityLoss]; *a != (GapCount{Systems: 2, Misses: 1, MissesRTO: 1, MissesRPO: 1, Met: 1}) {
		t.Errorf("agency 10 %+v", *a)
	}
	if a := sum.ByAgency[20][FacilityLoss]; *a != (GapCount{Systems: 2, Misses: 1, MissesRPO: 1, Undecided: 1}) {
		t.Errorf("agency 20 %+v", *a)
	}
	if g := sum.ByGrade[1][FacilityLoss]; g.Systems != 3 || g.Misses != 2 {
		t.Errorf("grade 1 %+v", *g)
	}
	if len(Gaps(inv)) != 4*len(Kinds) {
		t.Errorf("Gaps with no kinds should judge every scenario")
	}
}
