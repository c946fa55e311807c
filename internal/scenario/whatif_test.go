package scenario

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
)

// whatIfPortfolio is two agencies over the four test facilities (1 and 2 in
// daejeon, 3 in gwangju, 4 of no recorded region):
//
//	A  agency 10, grade 1, at 1, similar DR at 3, replication
//	B  agency 10, grade 1, at 1, similar DR at 2, replication
//	C  agency 20, grade 2, at 1, no DR, weekly tape by staff
//	D  agency 20, no grade and no targets, at 2, nothing recorded
//	E  agency 20, grade 3, at 3, depends on A
//	F  agency 10, grade 4, at 4, depends on E and G
//	G  agency 10, grade 2, at 3, depends on F (a cycle)
//	H  agency 10, grade 1, placed nowhere, depends on C
//
// Services: S1 (agency 10) rests on A and B with a 2 h RTO; S2 (agency 20)
// on C and E; S3 (agency 20) on D.
func whatIfPortfolio() *inventory.Inventory {
	sys := func(id, agency int64, name string, change func(*inventory.System)) *inventory.System {
		s := grade1()
		s.ID, s.AgencyID, s.Name = id, agency, name
		change(s)
		return s
	}
	inv := &inventory.Inventory{Systems: []*inventory.System{
		sys(1, 10, "A", func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(3), "replication"
		}),
		sys(2, 10, "B", func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(2), "replication"
		}),
		sys(3, 20, "C", func(s *inventory.System) {
			s.Grade, s.OffsiteMethod, s.OffsiteEvery = 2, "tape_staff", mins(inventory.Hours(24*7))
			s.RTODisaster, s.RPODisaster = mins(inventory.Hours(3)), mins(inventory.Hours(4))
		}),
		{ID: 4, AgencyID: 20, Name: "D", PrimaryFacilityID: id(2)},
		sys(5, 20, "E", func(s *inventory.System) { s.Grade, s.PrimaryFacilityID = 3, id(3) }),
		sys(6, 10, "F", func(s *inventory.System) { s.Grade, s.PrimaryFacilityID = 4, id(4) }),
		sys(7, 10, "G", func(s *inventory.System) { s.Grade, s.PrimaryFacilityID = 2, id(3) }),
		sys(8, 10, "H", func(s *inventory.System) { s.PrimaryFacilityID = nil }),
	}}
	for _, id := range []int64{1, 2, 3, 4} {
		inv.Facilities = append(inv.Facilities, facilities[id])
	}
	for i, d := range [][2]int64{{5, 1}, {6, 5}, {6, 7}, {7, 6}, {8, 3}} {
		inv.Dependencies = append(inv.Dependencies, &inventory.Dependency{ID: int64(i + 1), FromSystemID: d[0], ToSystemID: d[1]})
	}
	inv.Services = []*inventory.Service{
		{ID: 1, AgencyID: 10, Name: "S1", RTO: mins(120), SystemIDs: []int64{1, 2}},
		{ID: 2, AgencyID: 20, Name: "S2", SystemIDs: []int64{3, 5}},
		{ID: 3, AgencyID: 20, Name: "S3", SystemIDs: []int64{4}},
	}
	return inv
}

// bound writes a bound shortly for comparing: "2h", "72h+" (at least),
// "never", "?".
func bound(b Bound) string {
	more := ""
	if b.AtLeast {
		more = "+"
	}
	switch {
	case b.Unbounded:
		return "never"
	case b.Unknown:
		return "?"
	case b.Minutes%60 == 0:
		return fmt.Sprintf("%dh%s", b.Minutes/60, more)
	}
	return fmt.Sprintf("%dm%s", b.Minutes, more)
}

func TestAnalyze(t *testing.T) {
	scenarios := []struct {
		Name string
		Loss Loss
		Kind string
		Lost []int64
		// Stopped: name dr rto rpo, and "miss" or "undecided" when so.
		Stopped  []string
		Indirect []string // name@depth<via ids>
		Services []string // name status rto
		Agencies []string // agency: stopped/misses/carried/indirect
		Counts   WhatIfCounts
	}{
		{
			Name: "the main Daejeon facility alone",
			Loss: Loss{Facilities: []int64{1}}, Kind: FacilityLoss, Lost: []int64{1},
			Stopped:  []string{"A carries 2h 15m", "B carries 2h 15m", "C none 72h 192h miss"},
			Indirect: []string{"H@1[3]", "G@3[6]", "E@1[1]", "F@2[5]"},
			Services: []string{"S1 stopped 2h", "S2 degraded 72h"},
			Agencies: []string{"10: 2/0/2/3", "20: 1/1/0/1"},
			Counts: WhatIfCounts{Facilities: 1, GapCount: GapCount{Systems: 3, Misses: 1, MissesRTO: 1, MissesRPO: 1, Met: 2},
				Carried: 2, Indirect: 4, ServicesStopped: 1, ServicesDegraded: 1, Agencies: 2},
		},
		{
			Name: "duplicates name one facility",
			Loss: Loss{Facilities: []int64{1, 1}}, Kind: FacilityLoss, Lost: []int64{1},
			Stopped:  []string{"A carries 2h 15m", "B carries 2h 15m", "C none 72h 192h miss"},
			Indirect: []string{"H@1[3]", "G@3[6]", "E@1[1]", "F@2[5]"},
			Services: []string{"S1 stopped 2h", "S2 degraded 72h"},
			Agencies: []string{"10: 2/0/2/3", "20: 1/1/0/1"},
			Counts: WhatIfCounts{Facilities: 1, GapCount: GapCount{Systems: 3, Misses: 1, MissesRTO: 1, MissesRPO: 1, Met: 2},
				Carried: 2, Indirect: 4, ServicesStopped: 1, ServicesDegraded: 1, Agencies: 2},
		},
		{
			// B's DR site is lost too, and its replica with it; C's tape may
			// sit in the other lost facility: at least as bad as losing one.
			Name: "both Daejeon facilities",
			Loss: Loss{Facilities: []int64{2, 1}}, Kind: FacilityLoss, Lost: []int64{1, 2},
			Stopped:  []string{"A carries 2h 15m", "B lost never never miss", "C none 72h+ 192h+ miss", "D unknown ? ? undecided"},
			Indirect: []string{"H@1[3]", "G@3[6]", "E@1[1]", "F@2[5]"},
			Services: []string{"S1 stopped never miss", "S3 stopped ?", "S2 degraded 72h+"},
			Agencies: []string{"10: 2/1/1/3", "20: 2/1/0/1"},
			Counts: WhatIfCounts{Facilities: 2, GapCount: GapCount{Systems: 4, Misses: 2, MissesRTO: 2, MissesRPO: 2, Undecided: 1, Met: 1},
				Carried: 1, Indirect: 4, ServicesStopped: 2, ServicesDegraded: 1, Agencies: 2},
		},
		{
			// The same facilities by region apply the regional rules.
			Name: "the daejeon region",
			Loss: Loss{Region: "daejeon"}, Kind: Regional, Lost: []int64{1, 2},
			Stopped:  []string{"A carries 2h 15m", "B lost never never miss", "C none 72h+ 192h+ miss", "D unknown ? ? undecided"},
			Indirect: []string{"H@1[3]", "G@3[6]", "E@1[1]", "F@2[5]"},
			Services: []string{"S1 stopped never miss", "S3 stopped ?", "S2 degraded 72h+"},
			Agencies: []string{"10: 2/1/1/3", "20: 2/1/0/1"},
			Counts: WhatIfCounts{Facilities: 2, GapCount: GapCount{Systems: 4, Misses: 2, MissesRTO: 2, MissesRPO: 2, Undecided: 1, Met: 1},
				Carried: 1, Indirect: 4, ServicesStopped: 2, ServicesDegraded: 1, Agencies: 2},
		},
		{
			// A loses its DR site but runs on; F depends on two that are down.
			Name: "Gwangju: a cycle meets stopped systems",
			Loss: Loss{Facilities: []int64{3}}, Kind: FacilityLoss, Lost: []int64{3},
			Stopped:  []string{"G none never never miss", "E none never never miss"},
			Indirect: []string{"F@1[5 7]"},
			Services: []string{"S2 degraded never"},
			Agencies: []string{"10: 1/1/0/1", "20: 1/1/0/0"},
			Counts: WhatIfCounts{Facilities: 1, GapCount: GapCount{Systems: 2, Misses: 2, MissesRTO: 2, MissesRPO: 2},
				Indirect: 1, ServicesDegraded: 1, Agencies: 2},
		},
		{
			Name: "a facility nothing runs in",
			Loss: Loss{Facilities: []int64{99}}, Kind: FacilityLoss, Lost: []int64{99},
			Counts: WhatIfCounts{Facilities: 1},
		},
		{
			Name: "a region without facilities",
			Loss: Loss{Region: "jeju"}, Kind: Regional,
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			inv := whatIfPortfolio()
			w := Analyze(inv, sc.Loss, nil)
			if w.Kind != sc.Kind || !reflect.DeepEqual(w.Lost, sc.Lost) {
				t.Errorf("kind %s, lost %v; want %s, %v", w.Kind, w.Lost, sc.Kind, sc.Lost)
			}
			var stopped, indirect, services, agencies []string
			name := func(id int64) string {
				for _, s := range inv.Systems {
					if s.ID == id {
						return s.Name
					}
				}
				return "?"
			}
			for _, s := range w.Stopped {
				line := fmt.Sprintf("%s %s %s %s", s.System.Name, s.DR, bound(s.Capability.RTO), bound(s.Capability.RPO))
				switch {
				case s.Misses():
					line += " miss"
				case s.Undecided():
					line += " undecided"
				}
				stopped = append(stopped, line)
				if s.Kind != sc.Kind || name(s.SystemID) != s.System.Name {
					t.Errorf("%s judged as %s", s.System.Name, s.Kind)
				}
			}
			for _, s := range w.Indirect {
				indirect = append(indirect, fmt.Sprintf("%s@%d%v", s.System.Name, s.Depth, s.Via))
			}
			for _, s := range w.Services {
				if (s.Service.RTO != nil) != (s.RTO.Target.Source == TargetService) {
					t.Errorf("%s: RTO target %+v, want the service's own", s.Service.Name, s.RTO.Target)
				}
				line := fmt.Sprintf("%s %s %s", s.Service.Name, s.Status, bound(s.RTO.Bound))
				if s.RTO.Misses {
					line += " miss"
				}
				services = append(services, line)
			}
			for _, a := range w.Agencies {
				agencies = append(agencies, fmt.Sprintf("%d: %d/%d/%d/%d", a.AgencyID, a.Systems, a.Misses, a.Carried, a.Indirect))
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"stopped", stopped, sc.Stopped}, {"indirect", indirect, sc.Indirect}, {"services", services, sc.Services}, {"agencies", agencies, sc.Agencies}} {
				if strings.Join(c.got, " | ") != strings.Join(c.want, " | ") {
					t.Errorf("%s:\n got  %q\n want %q", c.what, c.got, c.want)
				}
			}
			if w.Counts != sc.Counts {
				t.Errorf("counts\n got  %+v\n want %+v", w.Counts, sc.Counts)
			}
		})
	}
}

// Losing one facility judges each system exactly as Estimate's facility
// loss does, and losing a region exactly as its regional scenario.
func TestAnalyzeAgreesWithEstimate(t *testing.T) {
	inv := whatIfPortfolio()
	for _, s := range inv.Systems {
		if s.PrimaryFacilityID == nil {
			continue
		}
		for _, c := range []struct {
			loss Loss
			kind string
		}{{Loss{Facilities: []int64{*s.PrimaryFacilityID}}, FacilityLoss}, {Loss{Region: facilities[*s.PrimaryFacilityID].Region}, Regional}} {
			if c.loss.Region == "" && c.kind == Regional {
				continue // no region recorded: nothing to lose by region
			}
			w := Analyze(inv, c.loss, nil)
			want := Estimate(s, facilities, c.kind)
			found := false
			for _, got := range w.Stopped {
				if got.SystemID == s.ID {
					found = true
					if !reflect.DeepEqual(got.Capability, want) {
						t.Errorf("%s, %s: what-if %+v, Estimate %+v", s.Name, c.kind, got.Capability, want)
					}
				}
			}
			if !found {
				t.Errorf("%s is not stopped by losing %+v", s.Name, c.loss)
			}
		}
	}
}

// What a what-if says in words reads in both languages.
func TestAnalyzeReasonsReadable(t *testing.T) {
	w := Analyze(whatIfPortfolio(), Loss{Facilities: []int64{1, 2}}, nil)
	keys := map[string]bool{}
	for _, s := range w.Stopped {
		for _, r := range s.Capability.Reasons {
			keys[r.Key] = true
		}
	}
	for _, key := range []string{"scenario.lost_set.facilities", "scenario.dr.lost_too", "scenario.lost_set.copy_location", "scenario.regional.replica_lost"} {
		if !keys[key] {
			t.Errorf("no stopped system says %s", key)
		}
	}
}

// Losing more never looks better than losing less: for every combination
// of DR and offsite records, a target the loss of the primary facility
// alone misses is still missed when more is lost with it — other
// facilities, or the whole region — unless the wider estimate is unknown
// for a record missing (a region, an offsite method or interval, the DR
// site): a copy kept in an unrecorded place gives a lower bound, which
// still misses, not an unknown.
func TestWiderLossNeverLooksBetter(t *testing.T) {
	facilities := FacilityMap(whatIfPortfolio().Facilities)
	var drSites = []*int64{nil, id(1), id(2), id(3), id(4)}
	var everies = []*inventory.Minutes{nil, mins(0), mins(30), mins(inventory.Hours(24))}
	targets := []inventory.Minutes{30, inventory.Hours(2), inventory.Hours(50), inventory.Hours(100)}
	checked := 0
	for _, perf := range inventory.DRPerformances {
		for _, site := range drSites {
			for _, method := range inventory.OffsiteMethods {
				for _, every := range everies {
					s := with(func(s *inventory.System) {
						s.DRPerformance, s.DRFacilityID, s.OffsiteMethod, s.OffsiteEvery = perf, site, method, every
					})
					var narrow Capability
					facilityLoss(&narrow, s, facilities, loss{set: map[int64]bool{1: true}}, nil)
					for lost, wide := range map[string]loss{
						"with the annex":   {set: map[int64]bool{1: true, 2: true}},
						"with Gwangju":     {set: map[int64]bool{1: true, 3: true}},
						"the whole region": {regional: true},
					} {
						var c Capability
						facilityLoss(&c, s, facilities, wide, nil)
						for _, target := range targets {
							for _, m := range []struct {
								what         string
								narrow, wide Bound
							}{{"RTO", narrow.RTO, c.RTO}, {"RPO", narrow.RPO, c.RPO}} {
								checked++
								_, missed := Gap(&target, m.narrow)
								w := measure(Target{Minutes: &target}, m.wide)
								if missed && !w.Misses && !(m.wide.Unknown && recordMissing(c)) {
									t.Errorf("DR %s at %s, offsite %s every %s: %s %s misses %d min alone, not %s (%s)",
										perf, name(facilities, deref(site)), method, bound(Bound{Minutes: deref(every)}), m.what, bound(m.narrow), target, lost, bound(m.wide))
								}
							}
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// recordMissing reports whether an estimate says a record is missing.
func recordMissing(c Capability) bool {
	for _, r := range c.Reasons {
		if r.Key != "scenario.rto_unknown" && (strings.HasSuffix(r.Key, "_unknown") || strings.HasSuffix(r.Key, ".unknown")) {
			return true
		}
	}
	return false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// A measured copy's facility is known: losing facilities 1 and 2 at once
// leaves C's copy measured at 3 exactly its age, where the records'
// weekly tape (of unrecorded place) gives only a lower bound.
func TestAnalyzeMeasured(t *testing.T) {
	inv := whatIfPortfolio()
	loss := Loss{Facilities: []int64{1, 2}}
	rpoOfC := func(w WhatIf) Bound {
		for _, st := range w.Stopped {
			if st.System.Name == "C" {
				return st.Capability.RPO
			}
		}
		t.Fatal("C not stopped")
		return Bound{}
	}
	if got := rpoOfC(Analyze(inv, loss, nil)); !got.AtLeast {
		t.Fatalf("the records' tape, losing two facilities: %+v, want a lower bound (else this test proves nothing)", got)
	}
	measured := func(s *inventory.System) *Measured {
		if s.Name != "C" {
			return nil
		}
		return &Measured{Bound: b(90)}
	}
	w := Analyze(inv, loss, measured)
	if got := rpoOfC(w); got != b(90) {
		t.Errorf("measured copy outside the lost facilities: %+v, want exactly 90 min", got)
	}
	for _, st := range w.Stopped {
		if st.System.Name == "C" && st.Capability.RTO != b(RebuildElsewhere) {
			t.Errorf("C rebuilt from its measured copy: RTO %+v", st.Capability.RTO)
		}
	}
}
