package backup

import (
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
)

// Regions are the region of every facility by id — every facility's, not
// only those of the caller's scope: a copy may lie in a facility none of
// the caller's systems runs in, and where it lies decides whether it
// survives a region's loss. Facilities without a recorded region are left
// out.
type Regions map[int64]string

// RegionsOf are the regions of facilities.
func RegionsOf(facilities []*inventory.Facility) Regions {
	r := make(Regions, len(facilities))
	for _, f := range facilities {
		if f.Region != "" {
			r[f.ID] = f.Region
		}
	}
	return r
}

// Measure estimates gaps again with the data loss measured from statuses
// in place of the records' backup and offsite schedule
// (scenario.Remeasure): measured beats declared. Only a system that has
// reported a run is measured; one that never did keeps its estimate. The
// regional scenario is measured here from where each copy lies (regional,
// at now, the time statuses were judged at); the others are the statuses'
// exposures. facilities are the caller's, for the estimates.
func Measure(gaps []scenario.SystemGap, statuses []*SystemStatus, facilities map[int64]*inventory.Facility, regions Regions, now time.Time) {
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
		if g.Kind == scenario.Regional {
			if m, ok := regional(g.System, st.Latest, regions, now); ok {
				g.Remeasure(facilities, m)
			}
			continue
		}
		for _, e := range st.Exposures {
			if e.Scenario == g.Kind {
				g.Remeasure(facilities, scenario.Measured{Bound: e.Bound(), Point: e.Point})
			}
		}
	}
}

// regional is the data loss measured from l if every facility of s's
// primary's region is lost: the newest good copy in a facility of another
// region. A newer copy in a facility whose region is not recorded may
// survive or not: the loss is then at least that copy's age. Not measured
// (false) when the primary facility or its region is not recorded.
func regional(s *inventory.System, l Latest, regions Regions, now time.Time) (scenario.Measured, bool) {
	if s.PrimaryFacilityID == nil || regions[*s.PrimaryFacilityID] == "" {
		return scenario.Measured{}, false
	}
	primary, region := *s.PrimaryFacilityID, regions[*s.PrimaryFacilityID]
	var away, unsure time.Time
	for _, pt := range l.Points {
		switch where := regions[pt.FacilityID]; {
		case pt.FacilityID == primary:
		case where == "":
			unsure = latest(unsure, pt.At)
		case where != region:
			away = latest(away, pt.At)
		}
	}
	switch {
	case unsure.After(away):
		b := ageBound(now.Sub(unsure))
		b.AtLeast = true
		return scenario.Measured{Bound: b, Point: unsure}, true
	case away.IsZero():
		return scenario.Measured{Bound: scenario.Bound{Unbounded: true}}, true
	}
	return scenario.Measured{Bound: ageBound(now.Sub(away)), Point: away}, true
}

// WhatIf measures the systems stopped by losing loss at once (the
// facility-loss what-if, scenario.Analyze) from statuses: a region's loss
// as the regional scenario (regional), facilities by id exactly — a copy
// survives when its facility is not among them. nil for a system that
// never reported.
func WhatIf(statuses []*SystemStatus, regions Regions, loss scenario.Loss, now time.Time) func(*inventory.System) *scenario.Measured {
	by := make(map[int64]*SystemStatus, len(statuses))
	for _, st := range statuses {
		if !st.Latest.LastRun.IsZero() {
			by[st.SystemID] = st
		}
	}
	lost := make(map[int64]bool, len(loss.Facilities))
	for _, id := range loss.Facilities {
		lost[id] = true
	}
	return func(s *inventory.System) *scenario.Measured {
		st := by[s.ID]
		if st == nil {
			return nil
		}
		if loss.Region != "" {
			m, ok := regional(s, st.Latest, regions, now)
			if !ok {
				return nil
			}
			return &m
		}
		var newest time.Time
		for _, pt := range st.Latest.Points {
			if !lost[pt.FacilityID] {
				newest = latest(newest, pt.At)
			}
		}
		m := scenario.Measured{Bound: scenario.Bound{Unbounded: true}}
		if !newest.IsZero() {
			m = scenario.Measured{Bound: ageBound(now.Sub(newest)), Point: newest}
		}
		return &m
	}
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Bound is the exposure as the scenario estimates write data loss.
func (e Exposure) Bound() scenario.Bound {
	if e.Unbounded {
		return scenario.Bound{Unbounded: true}
	}
	return ageBound(e.Age)
}

// ageBound is an age in whole minutes, rounded up so that a copy 61 s old
// is not within a 1-minute target.
func ageBound(age time.Duration) scenario.Bound {
	return scenario.Bound{Minutes: inventory.Minutes((max(age, 0) + time.Minute - 1) / time.Minute)}
}
