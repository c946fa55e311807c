package backup

import (
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
	"yeonsok/internal/scenario"
)

// Point is a recovery point kept somewhere: the start of a successful run
// (what a restore brings back) with a copy in a facility on a medium.
type Point struct {
	FacilityID int64     `json:"facility_id"`
	Medium     string    `json:"medium"`
	At         time.Time `json:"at"`
}

// Latest is what a system's backups have achieved so far: the newest
// recovery points of each kind, the last run and restore test, and the
// newest point in each facility and medium. Zero times: never.
type Latest struct {
	LastFull, LastGood time.Time // newest successful full run; newest successful run of any kind
	LastRun            time.Time // newest run, whatever its result
	LastResult         string    // that run's result
	LastRestore        time.Time // newest restore test
	LastRestoreOK      string    // its result
	Points             []Point
}

// Check names.
const (
	CheckFull        = "full"
	CheckIncremental = "incremental"
	CheckOffsite     = "offsite"
	CheckRestoreTest = "restore_test"
	CheckLastRun     = "last_run"
)

// Statuses of a check.
const (
	StatusOK      = "ok"
	StatusLate    = "late"    // done before, not within the policy's period
	StatusMissing = "missing" // never done
	StatusFailed  = "failed"  // the last attempt failed
)

// Finding is one check of a system's backups against its policy.
type Finding struct {
	Check  string    `json:"check"`
	Status string    `json:"status"`
	Last   time.Time `json:"last,omitzero"` // when it was last done
	Due    time.Time `json:"due,omitzero"`  // when it is due (Last + period)
}

// OK reports whether the check passes.
func (f Finding) OK() bool { return f.Status == StatusOK }

// Check judges a system's backups against its policy at now: a full run
// within FullEvery, a successful run of any kind within IncrEvery, a copy
// outside the primary facility (primary; 0: unknown, any copy counts)
// within OffsiteEvery, a successful restore test within RestoreTestEvery,
// and the last run not failed.
func Check(p Policy, l Latest, primary int64, now time.Time) []Finding {
	offsite := time.Time{}
	for _, pt := range l.Points {
		if pt.FacilityID != primary && pt.At.After(offsite) {
			offsite = pt.At
		}
	}
	restore := time.Time{}
	if l.LastRestoreOK == ResultSuccess {
		restore = l.LastRestore
	}
	findings := []Finding{
		within(CheckFull, l.LastFull, p.FullEvery, now),
		within(CheckIncremental, l.LastGood, p.IncrEvery, now),
		within(CheckOffsite, offsite, p.OffsiteEvery, now),
		within(CheckRestoreTest, restore, p.RestoreTestEvery, now),
	}
	if l.LastRestoreOK == ResultFailed {
		findings[3].Status, findings[3].Last = StatusFailed, l.LastRestore
	}
	last := Finding{Check: CheckLastRun, Status: StatusOK, Last: l.LastRun}
	switch {
	case l.LastRun.IsZero():
		last.Status = StatusMissing
	case l.LastResult == ResultFailed || l.LastResult == ResultPartial:
		last.Status = StatusFailed
	}
	return append(findings, last)
}

func within(check string, last time.Time, every time.Duration, now time.Time) Finding {
	f := Finding{Check: check, Status: StatusOK, Last: last}
	switch {
	case last.IsZero():
		f.Status = StatusMissing
	default:
		f.Due = last.Add(every)
		if now.After(f.Due) {
			f.Status = StatusLate
		}
	}
	return f
}

// Exposure is how much data a scenario would lose now: the time since the
// newest recovery point that would survive it, against the system's RPO
// target in that scenario. Unbounded: no copy would survive.
type Exposure struct {
	Scenario  string             `json:"scenario"`
	Point     time.Time          `json:"point,omitzero"`
	Age       time.Duration      `json:"age"`
	Unbounded bool               `json:"unbounded"`
	Target    *inventory.Minutes `json:"target_minutes"`
	Breach    bool               `json:"breach"`
}

// ExposureScenarios are the scenarios exposure is computed for: a
// component fails (any copy serves), the primary facility is lost (only a
// copy elsewhere serves), ransomware (only an offline, immutable or tape
// copy serves).
var ExposureScenarios = []string{scenario.Component, scenario.FacilityLoss, scenario.Ransomware}

// Exposures computes a system's RPO exposure in each of ExposureScenarios
// at now. A system whose primary facility is unknown has no copy known to
// be outside it: facility loss is unbounded until the records say where
// it runs.
func Exposures(s *inventory.System, inherited objectives.Strictest, l Latest, now time.Time) []Exposure {
	primary := int64(0)
	if s.PrimaryFacilityID != nil {
		primary = *s.PrimaryFacilityID
	}
	out := make([]Exposure, 0, len(ExposureScenarios))
	for _, kind := range ExposureScenarios {
		var newest time.Time
		for _, pt := range l.Points {
			survives := true
			switch kind {
			case scenario.FacilityLoss:
				survives = primary != 0 && pt.FacilityID != primary
			case scenario.Ransomware:
				survives = SurvivesRansomware(pt.Medium)
			}
			if survives && pt.At.After(newest) {
				newest = pt.At
			}
		}
		_, rpo := scenario.Targets(s, kind, inherited)
		e := Exposure{Scenario: kind, Point: newest, Target: rpo.Minutes, Unbounded: newest.IsZero()}
		if !e.Unbounded {
			e.Age = max(now.Sub(newest), 0)
		}
		e.Breach = e.Target != nil && (e.Unbounded || e.Age > time.Duration(*e.Target)*time.Minute)
		out = append(out, e)
	}
	return out
}

// NoCopyOutside reports whether the system's jobs have reported runs and
// none of them left a good copy outside its primary facility (recorded):
// losing it loses every copy, whatever the records say of offsite copies
// — the failure that lost 858 TB in the NIRS fire.
func (st *SystemStatus) NoCopyOutside(s *inventory.System) bool {
	if st.Latest.LastRun.IsZero() || s.PrimaryFacilityID == nil {
		return false
	}
	for _, e := range st.Exposures {
		if e.Scenario == scenario.FacilityLoss {
			return e.Unbounded
		}
	}
	return false
}
