package monitor

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"
)

// recorder is a sink that keeps every result.
type recorder struct {
	mu      sync.Mutex
	results []Result
}

func (r *recorder) sink(res Result) {
	r.mu.Lock()
	r.results = append(r.results, res)
	r.mu.Unlock()
}

// of returns the results of one check, in the order they arrived.
func (r *recorder) of(id int64) []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Result
	for _, res := range r.results {
		if res.CheckID == id {
			out = append(out, res)
		}
	}
	return out
}

// fakeProber answers every probe after a delay (or when its context ends,
// if hang) and counts how many probes of each check overlap.
type fakeProber struct {
	delay func(Check) time.Duration
	hang  func(Check) bool

	mu      sync.Mutex
	running map[int64]int
	overlap bool // a check was probed while its previous probe still ran
	inNow   int
	inMax   int
}

func (p *fakeProber) probe(ctx context.Context, c Check) Result {
	p.mu.Lock()
	if p.running == nil {
		p.running = map[int64]int{}
	}
	p.running[c.ID]++
	p.overlap = p.overlap || p.running[c.ID] > 1
	p.inNow++
	p.inMax = max(p.inMax, p.inNow)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.running[c.ID]--
		p.inNow--
		p.mu.Unlock()
	}()

	if p.hang != nil && p.hang(c) {
		<-ctx.Done()
		return Result{Reason: "timeout"}
	}
	var d time.Duration
	if p.delay != nil {
		d = p.delay(c)
	}
	select {
	case <-time.After(d):
		return Result{OK: true, Latency: d}
	case <-ctx.Done():
		return Result{Reason: "timeout"}
	}
}

// testTick lets tests use intervals of milliseconds.
const testTick = time.Millisecond

// runEngine runs e until the test ends and returns a function that stops
// it and waits for Run to return.
func runEngine(t *testing.T, e *Engine) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or a second passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFirstDueSpreadsChecksOverTheInterval(t *testing.T) {
	const n, interval = 10000, 30 * time.Second
	now := time.Now()
	perSecond := make([]int, 30)
	for id := int64(1); id <= n; id++ {
		due := firstDue(id, interval, now)
		offset := due.Sub(now)
		if offset < 0 || offset >= interval {
			t.Fatalf("check %d first due %v after now, want within [0, %v)", id, offset, interval)
		}
		if again := firstDue(id, interval, now); !again.Equal(due) {
			t.Fatalf("check %d: first due %v, then %v: not deterministic", id, due, again)
		}
		perSecond[offset/time.Second]++
	}
	// An even spread puts 333 in each second; a bunched one (all at the
	// interval's start, or ids in order) would leave seconds empty.
	for sec, count := range perSecond {
		if count < 250 || count > 420 {
			t.Errorf("second %d of the interval has %d first probes, want about %d", sec, count, n/30)
		}
	}
}

func TestFirstDueIsOnTheCheckGridWhateverNow(t *testing.T) {
	const interval = 30 * time.Second
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	first := firstDue(42, interval, base)
	for _, later := range []time.Duration{time.Nanosecond, 7 * time.Second, 45 * time.Second, 26 * time.Hour} {
		due := firstDue(42, interval, base.Add(later))
		if gap := due.Sub(first); gap%interval != 0 {
			t.Errorf("first due from now+%v is %v off the grid of the first", later, gap%interval)
		}
		if due.Before(base.Add(later)) {
			t.Errorf("first due from now+%v lies before now", later)
		}
	}
}

func TestNextDue(t *testing.T) {
	due := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const interval = 30 * time.Second
	tests := []struct {
		name string
		now  time.Duration // after due
		want time.Duration // after due
	}{
		{"taken on time", 0, 30 * time.Second},
		{"taken late", 2 * time.Second, 30 * time.Second},
		{"taken just before the next", 30*time.Second - time.Nanosecond, 30 * time.Second},
		{"taken at the next", 30 * time.Second, 60 * time.Second},
		{"missed two turns", 75 * time.Second, 90 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nextDue(due, interval, due.Add(tt.now))
			if got.Sub(due) != tt.want {
				t.Errorf("next due %v after due, want %v", got.Sub(due), tt.want)
			}
		})
	}
}

func TestEngineKeepsTheGridWithoutDrift(t *testing.T) {
	const interval = 40 * time.Millisecond
	// Each probe takes most of the interval: a loop that waits an interval
	// after each probe would drift by 25 ms a turn.
	p := &fakeProber{delay: func(Check) time.Duration { return 25 * time.Millisecond }}
	var rec recorder
	e := NewEngine(p.probe, rec.sink, EngineOptions{Tick: testTick})
	e.Set([]Check{{ID: 7, Interval: interval, Timeout: time.Second}})
	stop := runEngine(t, e)
	waitFor(t, "six results", func() bool { return len(rec.of(7)) >= 6 })
	stop()

	results := rec.of(7)
	for i, r := range results {
		if r.CheckID != 7 || r.Vantage != Vantage || !r.OK {
			t.Errorf("result %d = %+v, want check 7 from %q, up", i, r, Vantage)
		}
		if lag := r.Started.Sub(r.Due); lag < 0 || lag > 35*time.Millisecond {
			t.Errorf("result %d started %v after due", i, lag)
		}
		if i > 0 {
			if gap := r.Due.Sub(results[i-1].Due); gap != interval {
				t.Errorf("due times %d and %d are %v apart, want exactly %v", i-1, i, gap, interval)
			}
		}
	}
	if st := e.Stats(); st.Skipped != 0 || st.Started < 6 {
		t.Errorf("stats %+v: want ≥ 6 started, none skipped", st)
	}
}

func TestEngineNeverProbesACheckTwiceAtOnce(t *testing.T) {
	const interval = 20 * time.Millisecond
	// The probe overruns three and a half intervals.
	p := &fakeProber{delay: func(Check) time.Duration { return 70 * time.Millisecond }}
	var rec recorder
	e := NewEngine(p.probe, rec.sink, EngineOptions{Tick: testTick})
	e.Set([]Check{{ID: 1, Interval: interval, Timeout: time.Second}})
	stop := runEngine(t, e)
	waitFor(t, "three results", func() bool { return len(rec.of(1)) >= 3 })
	stop()

	if p.overlap {
		t.Error("a probe started while the check's previous probe still ran")
	}
	// Of the turns due while a probe ran, the last waits for it and the
	// others are skipped: a turn every 60 ms, each on the grid.
	results := rec.of(1)
	for i := 1; i < len(results); i++ {
		gap := results[i].Due.Sub(results[i-1].Due)
		if gap%interval != 0 || gap < 3*interval {
			t.Errorf("due times %d and %d are %v apart, want a multiple of %v after the 70 ms probe", i-1, i, gap, interval)
		}
	}
	if st := e.Stats(); st.Skipped < 3 || st.Deferred <= st.Skipped {
		t.Errorf("%d turns deferred, %d skipped: want at least 3 skipped, and some of the deferred run", st.Deferred, st.Skipped)
	}
}

func TestEngineRunsATurnThatFellDueWhileTheProbeRan(t *testing.T) {
	// A hanging target with the timeout equal to the interval: each probe
	// ends just as the next turn falls due, which must then run at once
	// rather than wait a whole interval.
	const interval = 30 * time.Millisecond
	p := &fakeProber{hang: func(Check) bool { return true }}
	var rec recorder
	e := NewEngine(p.probe, rec.sink, EngineOptions{Tick: testTick})
	e.Set([]Check{{ID: 1, Interval: interval, Timeout: interval}})
	stop := runEngine(t, e)
	waitFor(t, "five results", func() bool { return len(rec.of(1)) >= 5 })
	stop()

	if p.overlap {
		t.Error("a probe started while the check's previous probe still ran")
	}
	results := rec.of(1)
	for i := 1; i < len(results); i++ {
		if gap := results[i].Due.Sub(results[i-1].Due); gap != interval {
			t.Errorf("due times %d and %d are %v apart, want every turn (%v)", i-1, i, gap, interval)
		}
		if lag := results[i].Started.Sub(results[i].Due); lag > interval/2 {
			t.Errorf("turn %d started %v late, want right when the previous probe ended", i, lag)
		}
	}
	if st := e.Stats(); st.Skipped != 0 {
		t.Errorf("%d turns skipped, want none", st.Skipped)
	}
}

func TestEngineStartsTheProbesDueEachTickTogether(t *testing.T) {
	const n, interval, tick = 100, 300 * time.Millisecond, 50 * time.Millisecond
	var rec recorder
	e := NewEngine((&fakeProber{}).probe, rec.sink, EngineOptions{Tick: tick})
	var checks []Check
	for id := int64(1); id <= n; id++ {
		checks = append(checks, Check{ID: id, Interval: interval})
	}
	e.Set(checks)
	stop := runEngine(t, e)
	waitFor(t, "a result of every check", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.results) >= n
	})
	stop()

	// The first due times spread over the interval, about 3 ms apart; the
	// starts bunch at the scheduler's ticks, some 50 ms apart.
	starts := map[int64]bool{}
	for _, r := range rec.results[:n] {
		if lag := r.Started.Sub(r.Due); lag < 0 || lag > tick+20*time.Millisecond {
			t.Errorf("check %d started %v after its due time, want within a tick (%v)", r.CheckID, lag, tick)
		}
		starts[r.Started.UnixNano()/int64(2*time.Millisecond)] = true
	}
	if len(starts) > 20 {
		t.Errorf("%d checks started at %d distinct instants, want them bunched at the ticks (about 7)", n, len(starts))
	}
}

func TestEngineSetAddsRemovesAndReschedules(t *testing.T) {
	p := &fakeProber{}
	var rec recorder
	e := NewEngine(p.probe, rec.sink, EngineOptions{Tick: testTick})
	e.Set([]Check{
		{ID: 1, Interval: 10 * time.Millisecond},
		{ID: 2, Interval: time.Hour},
	})
	runEngine(t, e)
	waitFor(t, "check 1 probed", func() bool { return len(rec.of(1)) >= 2 })

	// Check 1 goes, check 3 comes, check 2 moves from an hour to 10 ms.
	e.Set([]Check{
		{ID: 2, Interval: 10 * time.Millisecond},
		{ID: 3, Interval: 10 * time.Millisecond},
	})
	waitFor(t, "checks 2 and 3 probed", func() bool { return len(rec.of(2)) >= 2 && len(rec.of(3)) >= 2 })
	removed := len(rec.of(1))
	time.Sleep(50 * time.Millisecond)
	if after := len(rec.of(1)); after != removed {
		t.Errorf("check 1 probed %d more times after it was removed", after-removed)
	}
	if st := e.Stats(); st.Checks != 2 {
		t.Errorf("%d checks scheduled, want 2", st.Checks)
	}
}

func TestEngineDropsResultsOfRemovedChecks(t *testing.T) {
	release := make(chan struct{})
	probing := make(chan struct{}, 1)
	probe := func(ctx context.Context, c Check) Result {
		probing <- struct{}{}
		<-release
		return Result{OK: true}
	}
	var rec recorder
	e := NewEngine(probe, rec.sink, EngineOptions{Tick: testTick})
	e.Set([]Check{{ID: 5, Interval: 10 * time.Millisecond}})
	runEngine(t, e)
	<-probing
	e.Set(nil)
	close(release)
	waitFor(t, "the probe to end", func() bool { return e.Stats().Dropped == 1 })
	if got := rec.of(5); len(got) != 0 {
		t.Errorf("sink got %d results of a check removed while it was probed", len(got))
	}
}

func TestEngineBoundsConcurrency(t *testing.T) {
	p := &fakeProber{hang: func(Check) bool { return true }}
	var rec recorder
	e := NewEngine(p.probe, rec.sink, EngineOptions{Concurrency: 3, Tick: testTick})
	var checks []Check
	for id := int64(1); id <= 10; id++ {
		checks = append(checks, Check{ID: id, Interval: 20 * time.Millisecond, Timeout: time.Hour})
	}
	e.Set(checks)
	stop := runEngine(t, e)
	waitFor(t, "three probes in flight", func() bool { return e.Stats().InFlight == 3 })
	time.Sleep(60 * time.Millisecond) // three more intervals: nothing more may start
	st := e.Stats()
	stop()

	if p.inMax != 3 || st.MaxInFlight != 3 || st.Started != 3 {
		t.Errorf("%d probes ran at once (engine saw %d, started %d), want the bound 3", p.inMax, st.MaxInFlight, st.Started)
	}
	// The hanging probes were cut short by the end of Run: their results
	// say nothing about the targets and must not reach the sink.
	if len(rec.results) != 0 {
		t.Errorf("sink got %d results of probes cut short by shutdown", len(rec.results))
	}
	if st := e.Stats(); st.InFlight != 0 || st.Dropped != 3 {
		t.Errorf("after Run: %d in flight, %d dropped, want 0 and 3", st.InFlight, st.Dropped)
	}
}

func TestEngineTimesOutProbes(t *testing.T) {
	p := &fakeProber{hang: func(c Check) bool { return c.ID == 2 }}
	var rec recorder
	e := NewEngine(p.probe, rec.sink, EngineOptions{Tick: testTick})
	e.Set([]Check{
		{ID: 1, Interval: 10 * time.Millisecond, Timeout: time.Second},
		{ID: 2, Interval: 10 * time.Millisecond, Timeout: 30 * time.Millisecond},
	})
	runEngine(t, e)
	waitFor(t, "two results of the hanging check", func() bool { return len(rec.of(2)) >= 2 })
	for _, r := range rec.of(2) {
		if r.OK || r.Reason != "timeout" {
			t.Errorf("hanging check: %+v, want a timeout", r)
		}
	}
	if len(rec.of(1)) < 5 {
		t.Errorf("the healthy check was probed %d times meanwhile, want it kept on schedule", len(rec.of(1)))
	}
}

func TestDefaultConcurrency(t *testing.T) {
	many := func(n int, interval, timeout time.Duration) map[int64]*slot {
		slots := map[int64]*slot{}
		for i := range n {
			slots[int64(i)] = &slot{interval: interval, timeout: timeout}
		}
		return slots
	}
	tests := []struct {
		name  string
		slots map[int64]*slot
		want  int
	}{
		{"nothing scheduled", nil, 1},
		{"few checks: one each", many(10, 30*time.Second, 10*time.Second), 10},
		{"10,000 at 30 s, 10 s timeout: 3,334 could hang at once", many(10000, 30*time.Second, 10*time.Second), 4182},
		{"timeout longer than the interval counts once", many(100, time.Second, time.Minute), 100},
		{"1,000 at 10 s", many(1000, 10*time.Second, 10*time.Second), 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultConcurrency(tt.slots); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestEngineRunsOnceAtATime(t *testing.T) {
	e := NewEngine((&fakeProber{}).probe, func(Result) {}, EngineOptions{Tick: testTick})
	stop := runEngine(t, e)
	waitFor(t, "Run to start", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.running
	})
	if err := e.Run(context.Background()); err == nil {
		t.Error("a second Run while one runs: no error")
	}
	stop()
}

func TestLagPercentile(t *testing.T) {
	var h lagHistogram
	if got := h.percentile(0.99); got != 0 {
		t.Errorf("empty: %v, want 0", got)
	}
	// 1 ms … 1000 ms, one each.
	for ms := 1; ms <= 1000; ms++ {
		h.record(time.Duration(ms) * time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{0.50, 500 * time.Millisecond},
		{0.99, 990 * time.Millisecond},
		{1, 1000 * time.Millisecond},
	}
	for _, tt := range tests {
		got := h.percentile(tt.p)
		if got < tt.want || float64(got) > float64(tt.want)*1.125 {
			t.Errorf("p%v = %v, want %v to 12.5 %% above", tt.p*100, got, tt.want)
		}
	}
}

func TestLagBuckets(t *testing.T) {
	// Every duration falls in a bucket that ends after it, and less than
	// 12.5 % after it once past the exact range.
	var prev int
	for _, us := range []uint64{0, 1, 15, 16, 17, 18, 100, 999, 1000, 123456, 1 << 40} {
		i := lagBucket(us)
		if i < prev {
			t.Errorf("%d µs in bucket %d, before the bucket of a shorter one", us, i)
		}
		prev = i
		end := lagBucketEnd(i)
		d := time.Duration(us) * time.Microsecond
		if end <= d || (us >= 16 && float64(end-d) > 0.125*float64(d)+float64(time.Microsecond)) {
			t.Errorf("%d µs: bucket %d ends at %v", us, i, end)
		}
	}
	var h lagHistogram
	longest := lagBucket(uint64(time.Duration(math.MaxInt64) / time.Microsecond))
	if longest >= len(h.counts) || lagBucketEnd(longest) != math.MaxInt64 {
		t.Errorf("the longest duration falls in bucket %d of %d, ending at %v", longest, len(h.counts), lagBucketEnd(longest))
	}
}

// A probe runs with the timeout its check had when it was taken from the
// schedule: Set changing the check meanwhile applies from the next probe
// (and, under -race, is no data race).
func TestEngineSetWhileAProbeRuns(t *testing.T) {
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	var got []time.Duration
	var mu sync.Mutex
	probe := func(ctx context.Context, c Check) Result {
		d, _ := ctx.Deadline()
		mu.Lock()
		got = append(got, time.Until(d).Round(100*time.Millisecond))
		mu.Unlock()
		select {
		case started <- struct{}{}:
		default:
		}
		<-release
		return Result{OK: true}
	}
	e := NewEngine(probe, func(Result) {}, EngineOptions{Tick: testTick})
	e.Set([]Check{{ID: 1, Interval: 20 * time.Millisecond, Timeout: 10 * time.Second}})
	runEngine(t, e)
	<-started
	e.Set([]Check{{ID: 1, Interval: 20 * time.Millisecond, Timeout: 5 * time.Second}})
	close(release)
	waitFor(t, "a second probe", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	})
	mu.Lock()
	defer mu.Unlock()
	if got[0] != 10*time.Second || got[len(got)-1] != 5*time.Second {
		t.Errorf("probe timeouts %v: want 10s for the running probe, then 5s", got)
	}
}

// After a failure the probes that confirm it wait at most the confirm
// timeout (or one and a half times the slowest recent answer), so that a
// target that stopped answering is declared down without waiting out the
// full timeout three times; a success gives the next probe its whole
// timeout again.
func TestEngineConfirmsAFailureWithAShorterTimeout(t *testing.T) {
	var mu sync.Mutex
	var waits []time.Duration
	answer := []bool{true, false, false, false, false, true, true}
	probe := func(ctx context.Context, c Check) Result {
		d, _ := ctx.Deadline()
		mu.Lock()
		n := len(waits)
		waits = append(waits, time.Until(d).Round(10*time.Millisecond))
		mu.Unlock()
		if n < len(answer) && answer[n] {
			return Result{OK: true, Latency: 30 * time.Millisecond}
		}
		return Result{Reason: "timeout"}
	}
	e := NewEngine(probe, func(Result) {}, EngineOptions{Tick: testTick, ConfirmTimeout: 20 * time.Millisecond})
	e.Set([]Check{{ID: 1, Interval: 30 * time.Millisecond, Timeout: 200 * time.Millisecond}})
	stop := runEngine(t, e)
	waitFor(t, "seven probes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(waits) >= 7
	})
	stop()
	mu.Lock()
	defer mu.Unlock()
	// 1: ok; 2: fails with the whole timeout; 3, 4: confirm with 1.5 × 30 ms
	// (more than 20 ms), the third failure making it down; 5: down, the
	// whole timeout again (a service back but slower must be seen up);
	// 6: fails no more; 7: after a success.
	want := []time.Duration{200, 200, 40, 40, 200, 200, 200}
	for i, w := range want {
		if got := waits[i]; got < (w-10)*time.Millisecond || got > w*time.Millisecond {
			t.Errorf("probe %d waited up to %v, want %v ms (all: %v)", i+1, got, w, waits[:7])
		}
	}
}
