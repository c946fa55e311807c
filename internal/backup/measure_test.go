package backup

import (
	"testing"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
)

// Measured beats declared: the records promise a daily incremental backup
// and a weekly tape taken away, but the runs show the newest copy is 3
// days old and nothing ever left the building.
func TestMeasure(t *testing.T) {
	home, away := int64(1), int64(2)
	facilities := []*inventory.Facility{{ID: home, Name: "본원", Region: "세종"}, {ID: away, Name: "대전", Region: "대전"}}
	daily, weekly, day := minutes(24*60), minutes(7*24*60), minutes(24*60)
	declared := func(id int64, primary *int64, redundant string) *inventory.System {
		s := &inventory.System{ID: id, Grade: 1, PrimaryFacilityID: primary, BackupIncrEvery: daily, BackupFullEvery: weekly,
			OffsiteMethod: "tape_staff", OffsiteEvery: weekly, RPODisaster: day, RPOFailure: day, Redundancy: map[string]string{}}
		for _, layer := range inventory.Layers {
			s.Redundancy[layer] = redundant
		}
		return s
	}
	reported := declared(1, &home, inventory.No)
	redundant := declared(2, &home, inventory.Yes)
	noPrimary := declared(3, nil, inventory.No)
	silent := declared(4, &home, inventory.No)
	inv := &inventory.Inventory{Facilities: facilities, Systems: []*inventory.System{reported, redundant, noPrimary, silent}}
	threeDays := Latest{LastRun: now.Add(-72 * time.Hour), LastResult: ResultSuccess, LastGood: now.Add(-72 * time.Hour),
		Points: []Point{{FacilityID: home, Medium: MediumOnline, At: now.Add(-72*time.Hour - 30*time.Second)}}}
	latest := map[int64]*Latest{1: &threeDays, 2: &threeDays, 3: &threeDays}
	gaps := scenario.Gaps(inv)
	declaredRPO := map[int64]map[string]scenario.Bound{}
	for _, g := range gaps {
		if declaredRPO[g.SystemID] == nil {
			declaredRPO[g.SystemID] = map[string]scenario.Bound{}
		}
		declaredRPO[g.SystemID][g.Kind] = g.Capability.RPO
	}
	Measure(gaps, Judge(inv, latest, 0, now))

	measured := scenario.Bound{Minutes: 72*60 + 1} // 72 h 30 s, rounded up to the minute
	for _, tc := range []struct {
		system int64
		kind   string
		want   scenario.Bound
		misses bool
		why    string
	}{
		{1, scenario.Component, measured, true, "the newest copy anywhere is 3 days old, not 1"},
		{1, scenario.FacilityLoss, scenario.Bound{Unbounded: true}, true, "no copy outside the building, whatever the tape schedule says"},
		{1, scenario.Ransomware, scenario.Bound{Unbounded: true}, true, "every copy online"},
		{1, scenario.Regional, declaredRPO[1][scenario.Regional], true, "regional is not measured"},
		{2, scenario.Component, scenario.Bound{Minutes: 0}, false, "a redundant database and storage hold the data"},
		{2, scenario.FacilityLoss, scenario.Bound{Unbounded: true}, true, "redundancy in the building does not survive losing it"},
		{3, scenario.FacilityLoss, declaredRPO[3][scenario.FacilityLoss], false, "no primary recorded: which copy is outside cannot be told"},
		{4, scenario.Component, declaredRPO[4][scenario.Component], false, "never reported: the records stand"},
		{4, scenario.Ransomware, declaredRPO[4][scenario.Ransomware], true, "never reported: the records stand"},
	} {
		var g *scenario.SystemGap
		for i := range gaps {
			if gaps[i].SystemID == tc.system && gaps[i].Kind == tc.kind {
				g = &gaps[i]
			}
		}
		if g.Capability.RPO != tc.want || g.RPO.Misses != tc.misses {
			t.Errorf("system %d, %s (%s): RPO %+v misses %v, want %+v misses %v", tc.system, tc.kind, tc.why, g.Capability.RPO,
				g.RPO.Misses, tc.want, tc.misses)
		}
		said := false
		for _, r := range g.Capability.Reasons {
			said = said || r.Key == "scenario.backup.measured" || r.Key == "scenario.backup.measured_none"
		}
		if wantSaid := tc.want != declaredRPO[tc.system][tc.kind]; said != wantSaid {
			t.Errorf("system %d, %s: the reasons say measured %v, want %v: %+v", tc.system, tc.kind, said, wantSaid, g.Capability.Reasons)
		}
	}
	if declaredRPO[1][scenario.Component] != (scenario.Bound{Minutes: 24 * 60}) {
		t.Fatalf("the records' estimate was %+v, not the daily interval: the test proves nothing", declaredRPO[1][scenario.Component])
	}
}
