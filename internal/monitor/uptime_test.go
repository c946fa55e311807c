package monitor

import (
	"math"
	"testing"
	"time"
)

var epoch = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

// hourAt is epoch plus a number of hours.
func hourAt(hours float64) time.Time { return epoch.Add(time.Duration(hours * float64(time.Hour))) }

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// span is [from, to) in hours after epoch; to < 0 leaves it open.
func span(from, to float64) Span {
	if to < 0 {
		return Span{Start: hourAt(from)}
	}
	return Span{Start: hourAt(from), End: hourAt(to)}
}

func TestComputeUptime(t *testing.T) {
	month := 30 * 24.0
	scenarios := []struct {
		name string
		in   UptimeInput
		// What the scenario is about; zero fields of want are checked too.
		want Uptime
	}{
		{
			name: "no interruption: all service",
			in:   UptimeInput{From: hourAt(0), To: hourAt(month), Grade: 1},
			want: Uptime{Observed: hours(month), Availability: 100, Current: hours(month), Longest: hours(month)},
		},
		{
			name: "an interruption is clipped to the period on both sides",
			in:   UptimeInput{From: hourAt(10), To: hourAt(20), Grade: 3, Interruptions: []Span{span(8, 11), span(19, 25)}},
			want: Uptime{Observed: hours(10), Down: hours(2), Availability: 80, Interruptions: 2, Longest: hours(8),
				MTBF: hours(4), MTTR: hours(1), DownAtTo: true},
		},
		{
			name: "an open interruption is down until To",
			in:   UptimeInput{From: hourAt(0), To: hourAt(10), Grade: 3, Interruptions: []Span{span(6, -1)}},
			want: Uptime{Observed: hours(10), Down: hours(4), Availability: 60, Interruptions: 1, Longest: hours(6),
				MTBF: hours(6), MTTR: hours(4), DownAtTo: true},
		},
		{
			name: "checks of one system down together count once",
			in: UptimeInput{From: hourAt(0), To: hourAt(10), Grade: 3,
				Interruptions: []Span{span(2, 3), span(2.5, 4), span(4, 5), span(1, 1)}},
			want: Uptime{Observed: hours(10), Down: hours(3), Availability: 70, Interruptions: 1, Longest: hours(5),
				MTBF: hours(7), MTTR: hours(3), Current: hours(5)},
		},
		{
			name: "maintenance leaves the period and the interruption",
			// Down 2–4 with maintenance 3–5: one hour counts; the period
			// is 8 hours.
			in: UptimeInput{From: hourAt(0), To: hourAt(10), Grade: 3, Interruptions: []Span{span(2, 4)}, Maintenance: []Span{span(3, 5)}},
			want: Uptime{Observed: hours(8), Maintenance: hours(2), Down: hours(1), Availability: 87.5, Interruptions: 1,
				Longest: hours(5), MTBF: hours(7), MTTR: hours(1), Current: hours(5)},
		},
		{
			name: "an interruption wholly inside maintenance is none",
			in: UptimeInput{From: hourAt(0), To: hourAt(10), Grade: 3, Interruptions: []Span{span(3, 4)},
				Maintenance: []Span{span(2, 6), span(5, 7), span(9, -1)}},
			want: Uptime{Observed: hours(5), Maintenance: hours(5), Availability: 100, Longest: hours(5), Current: hours(5)},
		},
		{
			name: "a thousand hours since the last interruption, reaching back before From",
			in:   UptimeInput{From: hourAt(1000), To: hourAt(1720), Grade: 1, Interruptions: []Span{span(700, 720)}},
			want: Uptime{Observed: hours(720), Availability: 100, Current: hours(1000), Longest: hours(720)},
		},
		{
			name: "maintenance pauses the thousand-hour clock",
			in: UptimeInput{From: hourAt(1000), To: hourAt(1720), Grade: 1, Interruptions: []Span{span(700, 720)},
				Maintenance: []Span{span(1100, 1101)}},
			want: Uptime{Observed: hours(719), Maintenance: hours(1), Availability: 100, Current: hours(999), Longest: hours(719)},
		},
		{
			name: "monitoring began within the period",
			in:   UptimeInput{From: hourAt(0), To: hourAt(100), Since: hourAt(90), Grade: 2, Interruptions: []Span{span(95, 96)}},
			want: Uptime{Observed: hours(10), Down: hours(1), Availability: 90, Interruptions: 1, Longest: hours(5),
				MTBF: hours(9), MTTR: hours(1), Current: hours(4)},
		},
		{
			name: "an interruption after To is not counted",
			in:   UptimeInput{From: hourAt(0), To: hourAt(10), Grade: 3, Interruptions: []Span{span(10, 11), span(12, -1)}},
			want: Uptime{Observed: hours(10), Availability: 100, Current: hours(10), Longest: hours(10)},
		},
		{
			name: "restored within the RTO: ended in the period, judged on the whole interruption",
			// 0.5 h and 1 h are within a 1 h RTO; 2 h (begun before From)
			// is not; the open one is not restored.
			in: UptimeInput{From: hourAt(10), To: hourAt(100), Grade: 3, RTO: time.Hour,
				Interruptions: []Span{span(9, 11), span(20, 20.5), span(30, 31), span(99, -1)}},
			want: Uptime{Observed: hours(90), Down: hours(3.5), Availability: 100 * 86.5 / 90, Interruptions: 4, Longest: hours(68),
				MTBF: hours(86.5 / 4), MTTR: hours(3.5 / 4), DownAtTo: true, Restored: 3, RestoredInRTO: 2},
		},
		{
			name: "an empty period",
			in:   UptimeInput{From: hourAt(10), To: hourAt(10), Grade: 1, Interruptions: []Span{span(0, -1)}},
			want: Uptime{Availability: 100},
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got := ComputeUptime(s.in)
			w := s.want
			if got.Observed != w.Observed || got.Maintenance != w.Maintenance || got.Down != w.Down ||
				math.Abs(got.Availability-w.Availability) > 1e-9 || got.Interruptions != w.Interruptions ||
				got.MTBF != w.MTBF || got.MTTR != w.MTTR || got.DownAtTo != w.DownAtTo || got.Current != w.Current ||
				got.Longest != w.Longest || got.Restored != w.Restored || got.RestoredInRTO != w.RestoredInRTO {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}

// The grade's target is judged on the downtime it allows: 0.08 % of 30
// days (grade 1, 99.92 %) is 34 min 33.6 s.
func TestUptimeTarget(t *testing.T) {
	month := 30 * 24 * time.Hour
	scenarios := []struct {
		name      string
		grade     int
		down      time.Duration
		target    float64
		hasTarget bool
		meets     bool
	}{
		{"grade 1 just within", 1, 34*time.Minute + 33600*time.Millisecond, 99.92, true, true},
		{"grade 1 a millisecond over", 1, 34*time.Minute + 33601*time.Millisecond, 99.92, true, false},
		{"grade 2 allows 43 min 12 s", 2, 43*time.Minute + 12*time.Second, 99.90, true, true},
		{"grade 3 has no target", 3, 0, 0, false, false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			in := UptimeInput{From: epoch, To: epoch.Add(month), Grade: s.grade}
			if s.down > 0 {
				in.Interruptions = []Span{{Start: epoch.Add(time.Hour), End: epoch.Add(time.Hour + s.down)}}
			}
			u := ComputeUptime(in)
			if u.Target != s.target || u.HasTarget != s.hasTarget || u.MeetsTarget != s.meets {
				t.Errorf("target %v (%v), meets %v; want %v (%v), %v; down %v of %v allowed",
					u.Target, u.HasTarget, u.MeetsTarget, s.target, s.hasTarget, s.meets, u.Down, u.AllowedDown)
			}
		})
	}
}

func TestRTOShareAndContinuity(t *testing.T) {
	u := Uptime{Restored: 5, RestoredInRTO: 4, Current: ContinuousTarget}
	if share, ok := u.RTOShare(); !ok || share != 80 || !u.MeetsContinuous() {
		t.Errorf("share %v (%v), continuous %v", share, ok, u.MeetsContinuous())
	}
	u = Uptime{Current: ContinuousTarget - time.Second}
	if _, ok := u.RTOShare(); ok || u.MeetsContinuous() {
		t.Error("no restored interruption gives no share, and 999:59:59 is short of 1,000 hours")
	}
}

// The bars split at midnight KST; an interruption across midnight falls in
// both days.
func TestDailyUptime(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	from := time.Date(2025, 9, 1, 0, 0, 0, 0, kst)
	in := UptimeInput{From: from, To: from.Add(60 * time.Hour), Grade: 1,
		Interruptions: []Span{{Start: from.Add(23 * time.Hour), End: from.Add(25 * time.Hour)}}}
	days := DailyUptime(in, kst)
	if len(days) != 3 {
		t.Fatalf("%d days, want 3", len(days))
	}
	for i, want := range []struct {
		observed, down time.Duration
	}{{24 * time.Hour, time.Hour}, {24 * time.Hour, time.Hour}, {12 * time.Hour, 0}} {
		if d := days[i]; d.Observed != want.observed || d.Down != want.down || !d.From.Equal(from.Add(time.Duration(i)*24*time.Hour)) {
			t.Errorf("day %d: %v observed, %v down from %v", i, d.Observed, d.Down, d.From)
		}
	}
}

// yearOfInterruptions is a realistic bad year of one system: 300
// interruptions of three checks, each a few minutes long and often seen by
// two checks at once, and a maintenance window every week.
func yearOfInterruptions() UptimeInput {
	in := UptimeInput{From: epoch, To: epoch.AddDate(1, 0, 0), Grade: 1, RTO: 2 * time.Hour}
	for i := range 300 {
		start := epoch.Add(time.Duration(i) * 29 * time.Hour)
		in.Interruptions = append(in.Interruptions,
			Span{Start: start, End: start.Add(time.Duration(3+i%17) * time.Minute)},
			Span{Start: start.Add(time.Minute), End: start.Add(time.Duration(5+i%7) * time.Minute)})
	}
	for w := range 52 {
		start := epoch.Add(time.Duration(w)*7*24*time.Hour + 2*time.Hour)
		in.Maintenance = append(in.Maintenance, Span{Start: start, End: start.Add(2 * time.Hour)})
	}
	return in
}

// BenchmarkUptimeYear computes a year of one system's uptime from 600
// interruption rows. Target (with its query, BenchmarkSystemUptimeYear):
// ≤ 10 ms.
func BenchmarkUptimeYear(b *testing.B) {
	in := yearOfInterruptions()
	for b.Loop() {
		if u := ComputeUptime(in); u.Interruptions == 0 {
			b.Fatal("no interruption counted")
		}
	}
}

// BenchmarkDailyUptime90 draws the 90 bars of a system page.
func BenchmarkDailyUptime90(b *testing.B) {
	in := yearOfInterruptions()
	in.From = in.To.AddDate(0, 0, -90)
	for b.Loop() {
		if days := DailyUptime(in, time.UTC); len(days) != 90 {
			b.Fatalf("%d bars", len(days))
		}
	}
}
