package backup

import (
	"testing"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/scenario"
)

// Measured beats declared: the records promise a daily incremental backup
// and a weekly tape taken away, but the runs show the newest copy is 3
// days old and nothing ever left the building — and what follows from the
// data loss (no recovery without a copy) follows the measurement, against
// the same targets.
func TestMeasure(t *testing.T) {
	home, away, annex, unplaced := int64(1), int64(2), int64(3), int64(4)
	facilities := []*inventory.Facility{{ID: home, Name: "본원", Region: "세종"}, {ID: away, Name: "대전", Region: "대전"},
		{ID: annex, Name: "별관", Region: "세종"}, {ID: unplaced, Name: "외부 보관소"}}
	daily, weekly, day := minutes(24*60), minutes(7*24*60), minutes(24*60)
	declared := func(id int64, primary *int64, redundant string) *inventory.System {
		s := &inventory.System{ID: id, Grade: 1, PrimaryFacilityID: primary, BackupIncrEvery: daily, BackupFullEvery: weekly,
			OffsiteMethod: "tape_staff", OffsiteEvery: weekly, DRPerformance: inventory.DRNone,
			RPODisaster: day, RPOFailure: day, RTODisaster: minutes(4 * 24 * 60), Redundancy: map[string]string{}}
		for _, layer := range inventory.Layers {
			s.Redundancy[layer] = redundant
		}
		return s
	}
	replicating := func(id int64, dr *int64, performance string, lag *inventory.Minutes) *inventory.System {
		s := declared(id, &home, inventory.No)
		s.OffsiteMethod, s.OffsiteEvery, s.DRFacilityID, s.DRPerformance = "replication", lag, dr, performance
		return s
	}
	systems := []*inventory.System{
		declared(1, &home, inventory.No), declared(2, &home, inventory.Yes), declared(3, nil, inventory.No), declared(4, &home, inventory.No),
		replicating(5, &away, inventory.DRSimilar, nil), declared(6, &home, inventory.No),
		replicating(7, &away, inventory.DRSimilar, day), replicating(8, &annex, inventory.DRSimilar, nil),
		replicating(9, &away, "", nil), declared(10, &home, inventory.No),
		replicating(11, &home, "", nil), replicating(12, &annex, "", nil),
	}
	inv := &inventory.Inventory{Facilities: facilities, Systems: systems}

	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	ran := func(points ...Point) *Latest {
		return &Latest{LastRun: ago(time.Hour), LastResult: ResultSuccess, LastGood: ago(time.Hour), Points: points}
	}
	atHome := ran(Point{FacilityID: home, Medium: MediumOnline, At: ago(72*time.Hour + 30*time.Second)})
	latest := map[int64]*Latest{1: atHome, 2: atHome, 3: atHome, 5: atHome, 9: atHome, 11: atHome, 12: atHome,
		6:  ran(Point{FacilityID: home, Medium: MediumOnline, At: ago(2 * time.Hour)}, Point{FacilityID: away, Medium: MediumTape, At: ago(30 * time.Hour)}),
		7:  ran(Point{FacilityID: annex, Medium: MediumOnline, At: ago(time.Hour)}),
		8:  ran(Point{FacilityID: away, Medium: MediumTape, At: ago(time.Hour)}),
		10: ran(Point{FacilityID: away, Medium: MediumTape, At: ago(30 * time.Hour)}, Point{FacilityID: unplaced, Medium: MediumTape, At: ago(5 * time.Hour)}),
	}
	gaps := scenario.Gaps(inv)
	records := map[int64]map[string]scenario.SystemGap{}
	for _, g := range gaps {
		if records[g.SystemID] == nil {
			records[g.SystemID] = map[string]scenario.SystemGap{}
		}
		records[g.SystemID][g.Kind] = g
	}
	Measure(gaps, Judge(inv, latest, 0, now), scenario.FacilityMap(facilities), RegionsOf(facilities), now)

	threeDaysOld := scenario.Bound{Minutes: 72*60 + 1} // 72 h 30 s, rounded up to the minute
	none, unknown := scenario.Bound{Unbounded: true}, scenario.Bound{Unknown: true}
	hours := func(h int64) scenario.Bound { return scenario.Bound{Minutes: inventory.Minutes(h * 60)} }
	atLeast := func(b scenario.Bound) scenario.Bound { b.AtLeast = true; return b }
	rebuild, switchover := scenario.Bound{Minutes: scenario.RebuildElsewhere}, scenario.Bound{Minutes: scenario.DRSwitchover}
	restore := scenario.Bound{Minutes: scenario.RansomwareRestore}
	for _, tc := range []struct {
		system    int64
		kind      string
		rpo, rto  scenario.Bound
		rpoMisses bool
		measured  bool
		why       string
	}{
		{1, scenario.Component, threeDaysOld, hours(8), true, true, "the newest copy anywhere is 3 days old, not 1; a part replaced in 8 h"},
		{1, scenario.FacilityLoss, none, none, true, true, "no copy outside the building, whatever the tape schedule says: nothing to rebuild from"},
		{1, scenario.Regional, none, none, true, true, "losing the region loses the building, and with it every copy"},
		{1, scenario.Ransomware, none, none, true, true, "every copy online: encrypted with the rest"},
		{2, scenario.Component, hours(0), scenario.Bound{} /* not checked */, false, false, "a redundant database and storage hold the data"},
		{2, scenario.FacilityLoss, none, none, true, true, "redundancy in the building does not survive losing it"},
		{3, scenario.FacilityLoss, unknown, unknown, false, false, "no primary recorded: which copy is outside cannot be told"},
		{3, scenario.Component, threeDaysOld, hours(8), true, true, "the primary facility does not matter to a failed part"},
		{4, scenario.Component, hours(24), hours(8), false, false, "never reported: the records stand"},
		{4, scenario.Ransomware, hours(7 * 24), restore, true, false, "never reported: the records stand"},
		{5, scenario.FacilityLoss, scenario.Bound{Minutes: scenario.ReplicationLag}, switchover, false, false,
			"the DR site's replica is no backup run: replication as recorded, and the switchover"},
		{5, scenario.Ransomware, none, none, true, true, "the replica is encrypted too, and no copy offline"},
		{6, scenario.FacilityLoss, hours(30), rebuild, true, true, "the tape received elsewhere, 30 h old; rebuilt from it"},
		{6, scenario.Regional, hours(30), rebuild, true, true, "the tape lies in another region: exactly its age"},
		{6, scenario.Ransomware, hours(30), restore, true, true, "the tape is out of reach; restored in 24 h"},
		{6, scenario.Component, hours(2), hours(8), false, true, "the newest copy anywhere, 2 h old"},
		{7, scenario.FacilityLoss, hours(1), switchover, false, true, "a run in the annex, newer than the day-old replica"},
		{7, scenario.Regional, hours(24), switchover, false, false,
			"the annex is in the same region: the replica in another region is what survives, not the run"},
		{8, scenario.Regional, hours(1), rebuild, false, true, "the DR site shares the region, but the tape lies in another: its age, exactly"},
		{9, scenario.FacilityLoss, scenario.Bound{Minutes: scenario.ReplicationLag}, unknown, false, false,
			"DR performance unrecorded: the replica may hold the data, as the records say"},
		{10, scenario.Regional, atLeast(hours(5)), atLeast(rebuild), false, true,
			"a newer tape where no region is recorded: at least its age, never the older tape's exact one"},
		{11, scenario.FacilityLoss, none, unknown, true, true,
			"the DR site is the primary facility itself: its replica burns too, whatever its performance (unrecorded)"},
		{12, scenario.Regional, none, unknown, true, true, "the DR site shares the region: its replica is lost with it"},
		{12, scenario.FacilityLoss, scenario.Bound{Minutes: scenario.ReplicationLag}, unknown, false, false,
			"the DR site in the annex survives the building alone"},
	} {
		var g *scenario.SystemGap
		for i := range gaps {
			if gaps[i].SystemID == tc.system && gaps[i].Kind == tc.kind {
				g = &gaps[i]
			}
		}
		c := g.Capability
		if c.RPO != tc.rpo || (tc.system != 2 || tc.kind != scenario.Component) && c.RTO != tc.rto {
			t.Errorf("system %d, %s (%s): RPO %+v RTO %+v, want %+v %+v", tc.system, tc.kind, tc.why, c.RPO, c.RTO, tc.rpo, tc.rto)
		}
		r := records[tc.system][tc.kind]
		if g.RPO.Target != r.RPO.Target || g.RTO.Target != r.RTO.Target || g.RPO.Target.Minutes == nil {
			t.Errorf("system %d, %s: targets %+v %+v, the records' %+v %+v", tc.system, tc.kind, g.RPO.Target, g.RTO.Target, r.RPO.Target, r.RTO.Target)
		}
		if g.RPO.Misses != tc.rpoMisses || g.RPO.Bound != c.RPO || g.RTO.Bound != c.RTO {
			t.Errorf("system %d, %s: the RPO gap misses %v, want %v; judged %+v %+v", tc.system, tc.kind, g.RPO.Misses, tc.rpoMisses, g.RPO, g.RTO)
		}
		said, declaredSaid := false, false
		for _, r := range c.Reasons {
			if r.Message(locale.Korean) == r.Key {
				t.Errorf("system %d, %s: reason %s is not in the catalogue", tc.system, tc.kind, r.Key)
			}
			said = said || r.Key == "scenario.backup.measured" || r.Key == "scenario.backup.measured_none" || r.Key == "scenario.backup.measured_at_least"
			declaredSaid = declaredSaid || r.Key == "scenario.backup.incr" || r.Key == "scenario.offsite.tape" || r.Key == "scenario.ransomware.tape"
		}
		if said != tc.measured {
			t.Errorf("system %d, %s: the reasons say measured %v, want %v: %+v", tc.system, tc.kind, said, tc.measured, c.Reasons)
		}
		if said && declaredSaid {
			t.Errorf("system %d, %s: the reasons give the recorded schedule beside the measurement: %+v", tc.system, tc.kind, c.Reasons)
		}
	}
	// Losing the region never looks better than losing the building.
	for id := range records {
		var facility, regional scenario.Bound
		for _, g := range gaps {
			if g.SystemID == id && g.Kind == scenario.FacilityLoss {
				facility = g.Capability.RPO
			}
			if g.SystemID == id && g.Kind == scenario.Regional {
				regional = g.Capability.RPO
			}
		}
		better := !regional.Unknown && !regional.AtLeast && !facility.Unknown &&
			(facility.Unbounded && !regional.Unbounded || !facility.Unbounded && !regional.Unbounded && regional.Minutes < facility.Minutes)
		if better {
			t.Errorf("system %d: regional data loss %+v is less than on losing the facility, %+v", id, regional, facility)
		}
	}
	// The records promised better: the test would prove nothing otherwise.
	if r := records[1]; r[scenario.Component].Capability.RPO != hours(24) || r[scenario.FacilityLoss].Capability.RTO != rebuild ||
		r[scenario.Ransomware].Capability.RTO != restore {
		t.Fatalf("the records' estimates of system 1: %+v", r)
	}
}

// The what-if of losing facilities at once measures each stopped system
// exactly: a copy survives when its facility is not among those lost; a
// region's loss is the regional measurement; a system that never
// reported is left to its records.
func TestWhatIfMeasure(t *testing.T) {
	home, away, annex := int64(1), int64(2), int64(3)
	regions := Regions{home: "세종", away: "대전", annex: "세종"}
	sys := &inventory.System{ID: 1, PrimaryFacilityID: &home}
	silent := &inventory.System{ID: 2, PrimaryFacilityID: &home}
	statuses := []*SystemStatus{
		{SystemID: 1, Latest: Latest{LastRun: now.Add(-time.Hour), Points: []Point{
			{FacilityID: home, At: now.Add(-time.Hour)}, {FacilityID: annex, At: now.Add(-3 * time.Hour)}, {FacilityID: away, At: now.Add(-50 * time.Hour)}}}},
		{SystemID: 2},
	}
	for _, tc := range []struct {
		name string
		loss scenario.Loss
		want scenario.Bound
	}{
		{"the primary alone: the annex's copy", scenario.Loss{Facilities: []int64{home}}, scenario.Bound{Minutes: 3 * 60}},
		{"the primary and the annex: the copy away", scenario.Loss{Facilities: []int64{home, annex}}, scenario.Bound{Minutes: 50 * 60}},
		{"every facility: nothing", scenario.Loss{Facilities: []int64{home, annex, away}}, scenario.Bound{Unbounded: true}},
		{"the region 세종: the copy in 대전", scenario.Loss{Region: "세종"}, scenario.Bound{Minutes: 50 * 60}},
	} {
		measure := WhatIf(statuses, regions, tc.loss, now)
		m := measure(sys)
		if m == nil || m.Bound != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, m, tc.want)
		}
		if m := measure(silent); m != nil {
			t.Errorf("%s: a system that never reported is measured: %+v", tc.name, m)
		}
	}
}
