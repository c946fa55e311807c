package backup

import (
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
)

// Measure puts the exposures of statuses in place of the RPO estimates of
// gaps that rest on the records (the Plan's capability estimates):
// measured beats declared. Only a system that has reported a run is
// measured; one that never did keeps its estimate, as does
//   - the regional scenario, which needs where each copy's facility lies
//     and is not measured;
//   - facility loss of a system whose primary facility is not recorded,
//     where no copy can be told to be outside it (the records' unknown
//     stands, not the exposure's unbounded).
func Measure(gaps []scenario.SystemGap, statuses []*SystemStatus) {
	by := make(map[int64]*SystemStatus, len(statuses))
	for _, st := range statuses {
		if !st.Latest.LastRun.IsZero() {
			by[st.SystemID] = st
		}
	}
	for i := range gaps {
		g := &gaps[i]
		st := by[g.SystemID]
		if st == nil || g.Kind == scenario.FacilityLoss && g.System != nil && g.System.PrimaryFacilityID == nil {
			continue
		}
		for _, e := range st.Exposures {
			if e.Scenario == g.Kind {
				g.MeasureRPO(e.Bound(), e.Point)
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
