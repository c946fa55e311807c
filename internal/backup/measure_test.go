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
// data loss (no recovery without a copy) follows the measurement.
func TestMeasure(t *testing.T) {
	home, away := int64(1), int64(2)
	facilities := []*inventory.Facility{{ID: home, Name: "본원", Region: "세종"}, {ID: away, Name: "대전", Region: "대전"}}
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
	atHome := declared(1, &home, inventory.No)
	redundant := declared(2, &home, inventory.Yes)
	noPrimary := declared(3, nil, inventory.No)
	silent := declared(4, &home, inventory.No)
	replicated := declared(5, &home, inventory.No)
	replicated.OffsiteMethod, replicated.OffsiteEvery = "replication", nil
	replicated.DRPerformance, replicated.DRFacilityID = inventory.DRSimilar, &away
	taped := declared(6, &home, inventory.No)
	inv := &inventory.Inventory{Facilities: facilities, Systems: []*inventory.System{atHome, redundant, noPrimary, silent, replicated, taped}}

	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	threeDays := Latest{LastRun: ago(72 * time.Hour), LastResult: ResultSuccess, LastGood: ago(72 * time.Hour),
		Points: []Point{{FacilityID: home, Medium: MediumOnline, At: ago(72*time.Hour + 30*time.Second)}}}
	tapeAway := Latest{LastRun: ago(2 * time.Hour), LastResult: ResultSuccess, LastGood: ago(2 * time.Hour),
		Points: []Point{{FacilityID: home, Medium: MediumOnline, At: ago(2 * time.Hour)}, {FacilityID: away, Medium: MediumTape, At: ago(30 * time.Hour)}}}
	latest := map[int64]*Latest{1: &threeDays, 2: &threeDays, 3: &threeDays, 5: &threeDays, 6: &tapeAway}
	gaps := scenario.Gaps(inv)
	records := map[int64]map[string]scenario.Capability{}
	for _, g := range gaps {
		if records[g.SystemID] == nil {
			records[g.SystemID] = map[string]scenario.Capability{}
		}
		records[g.SystemID][g.Kind] = g.Capability
	}
	Measure(gaps, Judge(inv, latest, 0, now), scenario.FacilityMap(facilities))

	threeDaysOld := scenario.Bound{Minutes: 72*60 + 1} // 72 h 30 s, rounded up to the minute
	none := scenario.Bound{Unbounded: true}
	hours := func(h int64) scenario.Bound { return scenario.Bound{Minutes: inventory.Minutes(h * 60)} }
	for _, tc := range []struct {
		system   int64
		kind     string
		rpo, rto scenario.Bound
		measured bool
		why      string
	}{
		{1, scenario.Component, threeDaysOld, hours(8), true, "the newest copy anywhere is 3 days old, not 1; a part replaced in 8 h"},
		{1, scenario.FacilityLoss, none, none, true, "no copy outside the building, whatever the tape schedule says: nothing to rebuild from"},
		{1, scenario.Regional, none, none, true, "losing the region loses the building, and with it every copy"},
		{1, scenario.Ransomware, none, none, true, "every copy online: encrypted with the rest"},
		{2, scenario.Component, scenario.Bound{}, hours(0) /* unused */, false, "a redundant database and storage hold the data"},
		{2, scenario.FacilityLoss, none, none, true, "redundancy in the building does not survive losing it"},
		{3, scenario.FacilityLoss, records[3][scenario.FacilityLoss].RPO, records[3][scenario.FacilityLoss].RTO, false, "no primary recorded: which copy is outside cannot be told"},
		{3, scenario.Component, threeDaysOld, hours(8), true, "the primary facility does not matter to a failed part"},
		{4, scenario.Component, records[4][scenario.Component].RPO, records[4][scenario.Component].RTO, false, "never reported: the records stand"},
		{4, scenario.Ransomware, records[4][scenario.Ransomware].RPO, records[4][scenario.Ransomware].RTO, false, "never reported: the records stand"},
		{5, scenario.FacilityLoss, scenario.Bound{Minutes: scenario.ReplicationLag}, scenario.Bound{Minutes: scenario.DRSwitchover}, false,
			"the DR site's replica is no backup run: replication as recorded, and the switchover"},
		{5, scenario.Ransomware, none, none, true, "the replica is encrypted too, and no copy offline"},
		{6, scenario.FacilityLoss, hours(30), scenario.Bound{Minutes: scenario.RebuildElsewhere}, true, "the tape received elsewhere, 30 h old; rebuilt from it"},
		{6, scenario.Regional, scenario.Bound{Minutes: 30 * 60, AtLeast: true}, scenario.Bound{Minutes: scenario.RebuildElsewhere, AtLeast: true}, true,
			"the tape's facility may lie in the region: at least its age"},
		{6, scenario.Ransomware, hours(30), scenario.Bound{Minutes: scenario.RansomwareRestore}, true, "the tape is out of reach; restored in 24 h"},
		{6, scenario.Component, hours(2), hours(8), true, "the newest copy anywhere, 2 h old"},
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
		for _, m := range []scenario.Measure{g.RPO, g.RTO} {
			if _, misses := scenario.Gap(m.Target.Minutes, m.Bound); m.Misses != misses {
				t.Errorf("system %d, %s: a gap not judged again: %+v", tc.system, tc.kind, m)
			}
		}
		if g.RPO.Bound != c.RPO || g.RTO.Bound != c.RTO {
			t.Errorf("system %d, %s: the gaps judge %+v %+v, the estimate is %+v %+v", tc.system, tc.kind, g.RPO.Bound, g.RTO.Bound, c.RPO, c.RTO)
		}
		said, declaredSaid := false, false
		for _, r := range c.Reasons {
			if r.Message(locale.Korean) == r.Key {
				t.Errorf("system %d, %s: reason %s is not in the catalogue", tc.system, tc.kind, r.Key)
			}
			said = said || r.Key == "scenario.backup.measured" || r.Key == "scenario.backup.measured_none"
			declaredSaid = declaredSaid || r.Key == "scenario.backup.incr" || r.Key == "scenario.offsite.tape" || r.Key == "scenario.ransomware.tape"
		}
		if said != tc.measured {
			t.Errorf("system %d, %s: the reasons say measured %v, want %v: %+v", tc.system, tc.kind, said, tc.measured, c.Reasons)
		}
		if said && declaredSaid {
			t.Errorf("system %d, %s: the reasons give the recorded schedule beside the measurement: %+v", tc.system, tc.kind, c.Reasons)
		}
	}
	// The records promised better: the test would prove nothing otherwise.
	if r := records[1]; r[scenario.Component].RPO != hours(24) || r[scenario.FacilityLoss].RTO != (scenario.Bound{Minutes: scenario.RebuildElsewhere}) ||
		r[scenario.Ransomware].RTO != (scenario.Bound{Minutes: scenario.RansomwareRestore}) {
		t.Fatalf("the records' estimates of system 1: %+v", r)
	}
}
