package monitor

import (
	"slices"
	"time"
)

// State is whether a check is up: as one vantage point's results show
// it (Tracker), or as the vantage points agree (Quorum).
type State string

const (
	StateUnknown State = "unknown" // no evidence yet, or nobody can report
	StateUp      State = "up"
	StateDown    State = "down"
)

// Policy is how many results in a row change a check's state.
type Policy struct {
	FailuresToDown int // zero: DefaultFailures
	SuccessesToUp  int // zero: DefaultSuccesses
}

// Policy is the check's own.
func (c *Check) Policy() Policy {
	return Policy{FailuresToDown: c.FailuresToDown, SuccessesToUp: c.SuccessesToUp}
}

func (p Policy) failures() int {
	if p.FailuresToDown > 0 {
		return p.FailuresToDown
	}
	return DefaultFailures
}

func (p Policy) successes() int {
	if p.SuccessesToUp > 0 {
		return p.SuccessesToUp
	}
	return DefaultSuccesses
}

// Flapping is damped by one rule: an endpoint that goes down for the
// FlapDowns-th time within its last FlapWindow results is flapping, and
// stays down until it has answered FlapSuccesses times in a row (or the
// check's SuccessesToUp, if more). A service that keeps falling over is
// one long interruption, not a string of short ones each opening an
// incident. At a 30 s interval: the third outage within half an hour
// holds it down until ten minutes of clean answers.
const (
	FlapDowns     = 3
	FlapWindow    = 60
	FlapSuccesses = 20
)

// Transition is a change of state. At is when the new state is taken to
// have begun: for down the first failure of the run that brought it
// down, not the one that tipped it; for up the first success of the run
// that brought it back. An interruption runs from one to the other.
type Transition struct {
	From, To State
	At       time.Time
	// Reason, going down: why the first failure of the run failed.
	Reason string
	// Flapping, going down: it will need FlapSuccesses to come back up.
	Flapping bool
}

// Tracker follows one check as one vantage point sees it, result by
// result. Its zero value is unknown. It is a plain value with no
// locking: the caller keeps one per check and vantage point.
type Tracker struct {
	State State
	// Since is when the current state is taken to have begun (see
	// Transition.At); Reason, while down, why it went down.
	Since    time.Time
	Reason   string
	Flapping bool

	last      time.Time // when the latest result taken started
	results   int64     // results taken
	run       int       // the latest results in a row with the same outcome
	runOK     bool
	runStart  time.Time
	runReason string
	downs     [FlapDowns]int64 // result numbers of the latest downs, oldest first
}

// Observe takes a result and reports the transition it causes, if any.
// A result no later than one already taken is ignored, so a batch that
// arrives twice or out of order does not count twice. From unknown the
// first success is enough to be up (no interruption ends there); going
// down always takes the policy's failures in a row.
func (t *Tracker) Observe(r Result, p Policy) (Transition, bool) {
	if !t.last.IsZero() && !r.Started.After(t.last) {
		return Transition{}, false
	}
	if t.State == "" {
		t.State = StateUnknown
	}
	t.last = r.Started
	t.results++
	if t.run == 0 || r.OK != t.runOK {
		t.run, t.runOK, t.runStart, t.runReason = 0, r.OK, r.Started, r.Reason
	}
	t.run++

	switch {
	case r.OK && t.State != StateUp && t.run >= t.successesNeeded(p):
		tr := Transition{From: t.State, To: StateUp, At: t.runStart}
		t.State, t.Since, t.Reason, t.Flapping = StateUp, t.runStart, "", false
		return tr, true
	case !r.OK && t.State != StateDown && t.run >= p.failures():
		copy(t.downs[:], t.downs[1:])
		t.downs[FlapDowns-1] = t.results
		flapping := t.downs[0] > 0 && t.results-t.downs[0] < FlapWindow
		tr := Transition{From: t.State, To: StateDown, At: t.runStart, Reason: t.runReason, Flapping: flapping}
		t.State, t.Since, t.Reason, t.Flapping = StateDown, t.runStart, t.runReason, flapping
		return tr, true
	}
	return Transition{}, false
}

func (t *Tracker) successesNeeded(p Policy) int {
	switch {
	case t.State == StateUnknown:
		return 1
	case t.Flapping:
		return max(FlapSuccesses, p.successes())
	}
	return p.successes()
}

// SilentIntervals is how many of a check's intervals a vantage point may
// go unheard before it counts as silent ("agent down").
const SilentIntervals = 3

// Silent reports whether a vantage point last heard from at lastHeard is
// silent at now, for a check probed every interval.
func Silent(lastHeard, now time.Time, interval time.Duration) bool {
	return now.Sub(lastHeard) > SilentIntervals*interval
}

// View is one vantage point's state of a check, as the quorum takes it.
type View struct {
	Vantage string
	State   State
	Since   time.Time
	Reason  string // while down, its tracker's Reason
	// Reporting is false when the vantage point has gone silent: it is
	// "agent down" and its last state does not count.
	Reporting bool
}

// Verdict is a check's state as its vantage points agree.
type Verdict struct {
	State State
	// Since is when the verdict is taken to have begun: down, when the
	// Need-th vantage point's outage began; up, when enough of them had
	// recovered that fewer than Need still saw it down.
	Since time.Time
	// Reason, down: the reason of the vantage point whose outage began
	// first.
	Reason string
	// Down and Up count the reporting vantage points that see it so;
	// Silent those that are not reporting; Need how many down make it
	// down. A reporting vantage point with no state yet is in none.
	Down, Up, Silent, Need int
}

// Quorum decides a check's state from its vantage points: down when at
// least need of those reporting with a state see it down, up otherwise;
// unknown, never down, when none is reporting. need zero is a majority
// of them (2 of 3, 2 of 2, 1 of 1); a larger need than there are
// reporting is cut to all of them, so a lone tower still tells. Silent
// vantage points count for nothing: one site losing its network makes
// its agent silent or outvoted, never every system down.
func Quorum(views []View, need int) Verdict {
	var v Verdict
	var firstDown time.Time
	for _, w := range views {
		switch {
		case !w.Reporting:
			v.Silent++
		case w.State == StateDown:
			if v.Down == 0 || w.Since.Before(firstDown) {
				firstDown, v.Reason = w.Since, w.Reason
			}
			v.Down++
		case w.State == StateUp:
			v.Up++
		}
	}
	known := v.Down + v.Up
	if known == 0 {
		v.State = StateUnknown
		return v
	}
	if need <= 0 {
		need = known/2 + 1
	}
	v.Need = min(need, known)

	var buf [8]time.Time
	since := buf[:0]
	if v.Down >= v.Need {
		v.State = StateDown
		since = collectSince(since, views, StateDown)
		slices.SortFunc(since, time.Time.Compare)
		v.Since = since[v.Need-1]
		return v
	}
	// Up since the moment the (Need-Down)-th latest recovery left fewer
	// than Need down.
	v.State, v.Reason = StateUp, ""
	since = collectSince(since, views, StateUp)
	slices.SortFunc(since, func(a, b time.Time) int { return b.Compare(a) })
	v.Since = since[v.Need-v.Down-1]
	return v
}

func collectSince(dst []time.Time, views []View, s State) []time.Time {
	for _, w := range views {
		if w.Reporting && w.State == s {
			dst = append(dst, w.Since)
		}
	}
	return dst
}
