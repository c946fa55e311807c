package monitor

import (
	"slices"
	"time"

	"yeonsok/internal/objectives"
)

// The plan's check criteria for 시스템·시설 관리강화 (3-1 실적 점검): ①
// uninterrupted service of at least 1,000 hours, ② at least 80 % of
// failures dealt with within the RTO.
const (
	ContinuousTarget = 1000 * time.Hour
	RTOShareTarget   = 80.0
)

// Span is a stretch of time [Start, End). A zero End has not ended: an
// interruption still open.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// forever stands for the end of a span that has not ended.
var forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func (s Span) end() time.Time {
	if s.End.IsZero() {
		return forever
	}
	return s.End
}

// UptimeInput is what uptime is computed from: one system's interruptions
// and maintenance windows, and the period asked about.
type UptimeInput struct {
	// From and To bound the period [From, To). To is the moment the
	// figures are taken at: an interruption still open is down until To.
	From, To time.Time
	// Since is when monitoring of the system began; time before it is no
	// evidence either way and is left out of the period. Zero: From.
	Since time.Time
	// Interruptions are the interruptions of all the system's checks, in
	// any order, overlapping or not; they may reach outside the period.
	// Those ending before From only matter for Current: give the latest
	// of them so that Current can reach back past From.
	Interruptions []Span
	// Maintenance are the system's planned maintenance windows, each
	// with its end.
	Maintenance []Span
	// Grade selects the availability target (objectives.Availability).
	Grade int
	// RTO is the system's ordinary-failure recovery time objective; zero
	// when it has none, and then no interruption is judged against it.
	RTO time.Duration
}

// Uptime is what the evidence says of one system over a period.
//
// The rules:
//   - A system is down while any of its checks is down: the checks'
//     interruptions are merged into one, and overlapping or touching
//     interruptions count as one.
//   - Planned maintenance is neither up nor down: its time leaves both the
//     period and the interruptions, so availability is the share of the
//     period outside maintenance that was not interrupted. An interruption
//     wholly inside maintenance is no interruption at all; one partly
//     inside counts with its time outside.
//   - Everything is clipped to the period (and to Since): an interruption
//     that began before From counts from From, one still open at To until To.
//   - Continuous service is counted in hours of service, so maintenance
//     pauses the clock without resetting it; an interruption resets it.
type Uptime struct {
	// From and To are the period measured: From moved up to Since when
	// monitoring began later.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Observed is the period less maintenance, what availability is a
	// share of; Maintenance the planned time within the period; Down the
	// interrupted time outside maintenance.
	Observed    time.Duration `json:"observed"`
	Maintenance time.Duration `json:"maintenance"`
	Down        time.Duration `json:"down"`
	// Availability is the percentage of Observed that was not down; 100
	// when nothing was observed (Observed is zero: say "no data").
	Availability float64 `json:"availability"`
	// Target is the grade's availability target and AllowedDown the
	// downtime it leaves in this period; HasTarget is false for grades the
	// SLA sets none for. MeetsTarget: there is a target and Down is
	// within AllowedDown.
	Target      float64       `json:"target,omitempty"`
	HasTarget   bool          `json:"has_target"`
	AllowedDown time.Duration `json:"allowed_down"`
	MeetsTarget bool          `json:"meets_target"`
	// Interruptions is how many interruptions fall (at least partly) in
	// the period. MTBF is the service time per interruption and MTTR the
	// downtime per interruption; both zero when there was none.
	Interruptions int           `json:"interruptions"`
	MTBF          time.Duration `json:"mtbf"`
	MTTR          time.Duration `json:"mttr"`
	// DownAtTo says an interruption is open at To. Current is the
	// continuous service at To since the last interruption ended (zero
	// while down), which may reach back before From; Longest is the
	// longest uninterrupted run within the period.
	DownAtTo bool          `json:"down_at_to"`
	Current  time.Duration `json:"current"`
	Longest  time.Duration `json:"longest"`
	// Restored counts the interruptions that ended within the period and
	// RestoredInRTO those of them that lasted (outside maintenance) no
	// longer than the RTO; both zero when the system has no RTO.
	Restored      int `json:"restored"`
	RestoredInRTO int `json:"restored_in_rto"`
}

// RTOShare is the percentage of the restored interruptions that were
// restored within the RTO; ok is false when there is none to judge.
func (u *Uptime) RTOShare() (percent float64, ok bool) {
	if u.Restored == 0 {
		return 0, false
	}
	return 100 * float64(u.RestoredInRTO) / float64(u.Restored), true
}

// MeetsContinuous reports whether the service at To has run uninterrupted
// for at least ContinuousTarget.
func (u *Uptime) MeetsContinuous() bool { return u.Current >= ContinuousTarget }

// ComputeUptime computes the uptime of in's period by the rules of Uptime.
func ComputeUptime(in UptimeInput) Uptime {
	return newTimeline(in).uptime(in.From, in.To)
}

// DailyUptime computes the uptime of each calendar day (in loc) that
// [From, To) touches, the first and last days clipped to it: the bars of
// an uptime chart.
func DailyUptime(in UptimeInput, loc *time.Location) []Uptime {
	t := newTimeline(in)
	var days []Uptime
	for day := in.From; day.Before(in.To); {
		y, m, d := day.In(loc).Date()
		next := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		days = append(days, t.uptime(day, earlier(next, in.To)))
		day = next
	}
	return days
}

// timeline is a system's interruptions and maintenance, sorted and merged
// once so that many periods can be measured against them.
type timeline struct {
	in UptimeInput
	// down are the merged interruptions, without those wholly inside
	// maintenance; maint the merged maintenance windows, with before[i]
	// the maintenance time of maint[:i].
	down   []Span
	maint  []Span
	before []time.Duration
}

func newTimeline(in UptimeInput) *timeline {
	// A window without an end would excuse everything after it: it is
	// left out.
	var windows []Span
	for _, w := range in.Maintenance {
		if !w.End.IsZero() {
			windows = append(windows, w)
		}
	}
	t := &timeline{in: in, maint: merge(windows)}
	t.before = make([]time.Duration, len(t.maint)+1)
	for i, w := range t.maint {
		t.before[i+1] = t.before[i] + w.end().Sub(w.Start)
	}
	for _, s := range merge(in.Interruptions) {
		if s.End.IsZero() || t.served(s.Start, s.End) > 0 {
			t.down = append(t.down, s)
		}
	}
	return t
}

// merge sorts spans and joins those that overlap or touch; empty spans
// drop out.
func merge(spans []Span) []Span {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b Span) int { return a.Start.Compare(b.Start) })
	var out []Span
	for _, s := range sorted {
		if !s.end().After(s.Start) {
			continue
		}
		if n := len(out); n > 0 && !s.Start.After(out[n-1].end()) {
			if s.end().After(out[n-1].end()) {
				out[n-1].End = s.End
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// maintained is the maintenance time within [a, b).
func (t *timeline) maintained(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	// Windows i..j-1 overlap [a, b): the first that ends after a, up to
	// the first that starts at or after b.
	i, _ := slices.BinarySearchFunc(t.maint, a, func(w Span, at time.Time) int {
		if w.end().After(at) {
			return 1
		}
		return -1
	})
	j, _ := slices.BinarySearchFunc(t.maint, b, func(w Span, at time.Time) int {
		if w.Start.Before(at) {
			return -1
		}
		return 1
	})
	if i >= j {
		return 0
	}
	total := t.before[j] - t.before[i]
	if first := t.maint[i]; first.Start.Before(a) {
		total -= a.Sub(first.Start)
	}
	if last := t.maint[j-1]; last.end().After(b) {
		total -= last.end().Sub(b)
	}
	return total
}

// served is the time of [a, b) outside maintenance.
func (t *timeline) served(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	return b.Sub(a) - t.maintained(a, b)
}

func (t *timeline) uptime(from, to time.Time) Uptime {
	if t.in.Since.After(from) {
		from = t.in.Since
	}
	u := Uptime{From: from, To: to, Availability: 100}
	u.Target, u.HasTarget = objectives.Availability(t.in.Grade)
	if !to.After(from) {
		u.From, u.MeetsTarget = to, u.HasTarget
		return u
	}
	u.Observed = t.served(from, to)
	u.Maintenance = to.Sub(from) - u.Observed

	// Walk the interruptions in order, with cursor at the end of the last
	// one so far (within the period): the runs are the gaps.
	// current is the end of the last interruption before To: the start
	// of the current run, which may lie before From; without one, the run
	// began when monitoring did.
	cursor := from
	current := t.in.Since
	if current.IsZero() {
		current = from
	}
	for _, s := range t.down {
		if !s.Start.Before(to) {
			break
		}
		end := s.end()
		if end.After(to) {
			u.DownAtTo = true
		} else {
			current = end
		}
		if !end.After(from) {
			continue
		}
		start, stop := later(s.Start, from), earlier(end, to)
		u.Longest = max(u.Longest, t.served(cursor, start))
		cursor = later(cursor, stop)
		if d := t.served(start, stop); d > 0 {
			u.Interruptions++
			u.Down += d
		}
		if !s.End.IsZero() && !end.After(to) && t.in.RTO > 0 {
			u.Restored++
			if t.served(s.Start, end) <= t.in.RTO {
				u.RestoredInRTO++
			}
		}
	}
	u.Longest = max(u.Longest, t.served(cursor, to))
	if !u.DownAtTo {
		u.Current = t.served(current, to)
	}

	if u.Observed > 0 {
		u.Availability = 100 * float64(u.Observed-u.Down) / float64(u.Observed)
	}
	if u.Interruptions > 0 {
		u.MTBF = (u.Observed - u.Down) / time.Duration(u.Interruptions)
		u.MTTR = u.Down / time.Duration(u.Interruptions)
	}
	// Judged on durations, not on the rounded percentage: 99.92 % of a
	// period allows (100 − 99.92) % of it down, to the nanosecond.
	if u.HasTarget {
		u.AllowedDown = time.Duration(float64(u.Observed)*(100-u.Target)/100 + 0.5)
	}
	u.MeetsTarget = u.HasTarget && u.Down <= u.AllowedDown
	return u
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
