package backup

import (
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
)

// Measure estimates gaps again with the exposures of statuses in place of
// the records' backup and offsite schedule (scenario.Remeasure): measured
// beats declared. Only a system that has reported a run is measured; one
// that never did keeps its estimate. The regional scenario takes the
// exposure to losing the primary facility: a copy outside it may still lie
// in the same region (where each facility lies is not weighed here), so
// the estimate holds it as a lower bound.
func Measure(gaps []scenario.SystemGap, statuses []*SystemStatus, facilities map[int64]*inventory.Facility) {
	by := make(map[int64]*SystemStatus, len(statuses))
	for _, st := range statuses {
		if !st.Latest.LastRun.IsZero() {
			by[st.SystemID] = st
		}
	}
	for i := range gaps {
		g := &gaps[i]
		st := by[g.SystemID]
		if st == nil {
			continue
		}
		kind := g.Kind
		if kind == scenario.Regional {
			kind = scenario.FacilityLoss
		}
		for _, e := range st.Exposures {
			if e.Scenario == kind {
				g.Remeasure(facilities, scenario.Measured{Bound: e.Bound(), Point: e.Point})
			}
		}
	}
}

// Bound is the exposure as the scenario estimates write data loss: whole
// minutes, rounded up so that a copy 61 s old is not within a 1-minute
// target.
func (e Exposure) Bound() scenario.Bound {
	if e.Unbounded {
		return scenario.Bound{Unbounded: true}
	}
	return scenario.Bound{Minutes: inventory.Minutes((e.Age + time.Minute - 1) / time.Minute)}
}
