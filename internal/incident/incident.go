// Package incident is the plan's handling of an outage from the first
// failed probe to the review (SPEC §4.5, issue 6): an incident's states and
// how it may move between them, its severity from the grades it touches,
// each affected system's RTO clock with its warnings, whether the agency
// reported it in time, and the manual work taken by hand that must all be
// entered back before the incident may be closed as reviewed.
//
// This file holds the rules, as plain functions with table tests; the
// store, the pages and the notifications build on them.
package incident

import (
	"slices"
	"time"
)

// State is where an incident stands.
type State string

const (
	// Detected: a signal (a probe's outage, a person's report, another
	// monitor's alert) opened it; nobody has confirmed it yet.
	Detected State = "detected"
	// Declared: a person confirmed it; the agency's response runs.
	Declared State = "declared"
	// Mitigated: the service is back for citizens, possibly in manual
	// mode (오프라인 업무 전환), while the systems are still being restored.
	Mitigated State = "mitigated"
	// Resolved: every affected system is restored.
	Resolved State = "resolved"
	// Reviewed: the review is written and nothing taken by hand is left
	// unaccounted for; the incident is closed.
	Reviewed State = "reviewed"
)

// States in the order an incident normally moves through them.
var States = []State{Detected, Declared, Mitigated, Resolved, Reviewed}

// moves says where each state may go. Besides the forward steps: a
// detected or declared incident may resolve without mitigation (a blip
// that recovered by itself), a mitigated one may fall back to declared
// (the service failed again), and a resolved one may be declared again
// (it was not over). A reviewed incident is closed for good: a new outage
// is a new incident.
var moves = map[State][]State{
	Detected:  {Declared, Mitigated, Resolved},
	Declared:  {Mitigated, Resolved},
	Mitigated: {Declared, Resolved},
	Resolved:  {Declared, Reviewed},
	Reviewed:  nil,
}

// CanMove reports whether an incident in from may move to to.
func CanMove(from, to State) bool { return slices.Contains(moves[from], to) }

// Open reports whether an incident in s still takes new signals: a
// duplicate signal for one of its systems joins it rather than opening
// another incident.
func (s State) Open() bool { return s == Detected || s == Declared || s == Mitigated }

// Severity says how grave an incident is, from the highest grade it
// touches: a grade-1 outage is a national-level event.
type Severity string

const (
	SeverityNational Severity = "national" // 1등급: 국가 차원의 장애
	SeverityMajor    Severity = "major"    // 2등급
	SeverityModerate Severity = "moderate" // 3등급
	SeverityMinor    Severity = "minor"    // 4등급, or no grade
)

// Severities from the gravest.
var Severities = []Severity{SeverityNational, SeverityMajor, SeverityModerate, SeverityMinor}

// SeverityOf is the severity of an incident touching systems of grades
// (0: no grade): that of the highest grade among them.
func SeverityOf(grades []int) Severity {
	best := 0
	for _, g := range grades {
		if g >= 1 && g <= 4 && (best == 0 || g < best) {
			best = g
		}
	}
	switch best {
	case 1:
		return SeverityNational
	case 2:
		return SeverityMajor
	case 3:
		return SeverityModerate
	}
	return SeverityMinor
}

// Stage is how far an RTO clock has run against its target.
type Stage int

const (
	StageRunning  Stage = iota // under half the target
	StageHalf                  // 50 %: the first warning
	StageLate                  // 80 %: the second warning, and escalation for grades 1 and 2
	StageBreached              // 100 %: the target is missed
)

// String names the stage as the timeline records it.
func (s Stage) String() string {
	switch s {
	case StageHalf:
		return "half"
	case StageLate:
		return "late"
	case StageBreached:
		return "breached"
	}
	return "running"
}

// Thresholds are the shares of the target at which each stage begins.
var Thresholds = map[Stage]float64{StageHalf: 0.5, StageLate: 0.8, StageBreached: 1.0}

// Clock is one affected system's RTO clock: it runs from the moment the
// system went down (Start) until it is restored (Stop; zero while it runs)
// against the system's RTO (Target; zero: the system has none).
type Clock struct {
	Start  time.Time
	Stop   time.Time
	Target time.Duration
}

// Elapsed is how long the clock has run by now.
func (c Clock) Elapsed(now time.Time) time.Duration {
	end := now
	if !c.Stop.IsZero() {
		end = c.Stop
	}
	return max(end.Sub(c.Start), 0)
}

// Share is the elapsed time as a share of the target (1 = the target); ok
// is false when the system has no target.
func (c Clock) Share(now time.Time) (share float64, ok bool) {
	if c.Target <= 0 {
		return 0, false
	}
	return float64(c.Elapsed(now)) / float64(c.Target), true
}

// Stage is how far the clock has run at now; a clock without a target
// stays running (there is nothing to warn against).
func (c Clock) Stage(now time.Time) Stage {
	share, ok := c.Share(now)
	if !ok {
		return StageRunning
	}
	stage := StageRunning
	for _, s := range []Stage{StageHalf, StageLate, StageBreached} {
		if share >= Thresholds[s] {
			stage = s
		}
	}
	return stage
}

// Met reports whether a stopped clock stayed within its target; ok is
// false while it runs or when there is no target.
func (c Clock) Met() (met, ok bool) {
	if c.Stop.IsZero() || c.Target <= 0 {
		return false, false
	}
	return c.Stop.Sub(c.Start) <= c.Target, true
}

// Due lists the warnings owed at now by a clock whose warnings up to
// sent have gone out, in order: a clock checked late owes every stage it
// passed meanwhile, each once. A stopped clock owes nothing more.
func (c Clock) Due(sent Stage, now time.Time) []Stage {
	if !c.Stop.IsZero() {
		return nil
	}
	var due []Stage
	for s := sent + 1; s <= c.Stage(now); s++ {
		due = append(due, s)
	}
	return due
}

// Escalates reports whether a warning of stage for a system of grade goes
// beyond the system's call list, to the agency head and the ministry: a
// grade-1 or grade-2 clock that passes 80 %.
func Escalates(grade int, stage Stage) bool {
	return (grade == 1 || grade == 2) && stage >= StageLate
}

// DefaultReportWithin is how soon after detection the agency is expected
// to report an outage; a report within it is credited, an outage not
// reported by then is flagged as unreported.
const DefaultReportWithin = 30 * time.Minute

// Reporting is how an incident's first report by the agency compares with
// its detection.
type Reporting struct {
	// Delay is from detection to the first report; zero while unreported.
	Delay time.Duration
	// Reported: somebody of the agency reported it. Credited: within the
	// expected time. Unreported: not reported, and the expected time has
	// passed — the plan's worry that uptime targets tempt people to hide
	// small failures.
	Reported, Credited, Unreported bool
}

// ReportingOf judges the report of an incident detected at detected and
// first reported at reported (zero: not yet), at now, against within
// (zero: DefaultReportWithin). A report before detection (a person who
// saw it before the probes) counts as immediate.
func ReportingOf(detected, reported, now time.Time, within time.Duration) Reporting {
	if within <= 0 {
		within = DefaultReportWithin
	}
	if reported.IsZero() {
		return Reporting{Unreported: now.Sub(detected) > within}
	}
	delay := max(reported.Sub(detected), 0)
	return Reporting{Delay: delay, Reported: true, Credited: delay <= within}
}
