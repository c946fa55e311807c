package monitor

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// LateAfter is how long after its due time a probe may start and still
// count as on schedule (the target: 99 % within a second).
const LateAfter = time.Second

// DefaultTick is the scheduler's resolution unless EngineOptions says
// otherwise. Waking the process costs more CPU than the probe it starts:
// on the project's machine, starting 100 probes a second one by one cost
// 0.8 ms of CPU per probe, in batches every 250 ms 0.2 ms. A quarter of a
// second late is well within LateAfter and invisible beside intervals of
// 30 s and more.
const DefaultTick = 250 * time.Millisecond

// EngineOptions tune an Engine; the zero value is what the tower uses.
type EngineOptions struct {
	// Concurrency bounds the probes in flight at once. Zero: enough for
	// every scheduled check to hang until its timeout at the same time —
	// the sum over the checks of min(1, timeout/interval), plus a margin,
	// never more than the number of checks. A bound sized for the usual
	// few hanging probes would stall the whole schedule exactly when a
	// site's network goes dark and every probe into it hangs, which is when
	// the tower must keep watching. The bound costs nothing until it is
	// used: workers start only when no idle one is free, so there are as
	// many as the most probes ever in flight at once, not as the bound.
	Concurrency int
	// Vantage is written into results whose prober left it empty; empty:
	// the tower's own (Vantage).
	Vantage string
	// Tick is the scheduler's resolution: it sleeps at least a tick and
	// then starts every probe due by then, so a probe starts up to a tick
	// after its due time. Zero: DefaultTick.
	Tick time.Duration
	// ConfirmTimeout bounds the probes that confirm a failure (see
	// slot.probeTimeout); zero: DefaultConfirmTimeout.
	ConfirmTimeout time.Duration
}

// DefaultConfirmTimeout is how long a probe that follows a failure waits
// for an answer at least (see slot.probeTimeout). With three failures to
// go down, a target that stops answering is declared down within three
// intervals and this (plus a tick), inside the issue's "N × interval +
// 2 s", where the full timeout would add up to 10 s.
const DefaultConfirmTimeout = 1500 * time.Millisecond

// Engine probes checks on their schedule. One goroutine (Run) keeps the due
// times in a min-heap and sleeps on a single timer until the earliest (but
// at least a tick, see DefaultTick); it hands each due probe to a pool of workers no larger than the concurrency
// bound, which probe and pass the results to the sink. No goroutine or
// timer waits per check, so a check costs its entry in the heap.
//
// A check's due times are a fixed grid: its phase within the interval comes
// from its id (so 10,000 checks at 30 s spread evenly instead of firing
// together, the same way after every restart and at every vantage point),
// and the next due time follows from the schedule, not from when a probe
// finished, so nothing drifts. A check is never probed twice at once: a turn
// that falls due while the previous probe still runs waits for it and starts
// the moment it ends (late, and counted so), as a probe whose timeout equals
// the interval needs; if the next turn comes first, the waiting one is
// skipped.
type Engine struct {
	probe func(context.Context, Check) Result
	sink  func(Result)
	opt   EngineOptions

	mu      sync.Mutex
	slots   map[int64]*slot
	due     dueHeap
	limit   int // the bound on workers, so on probes in flight
	workers int
	running bool

	wake  chan struct{} // the schedule changed
	grown chan struct{} // the bound grew
	jobs  chan job      // to an idle worker
	wg    sync.WaitGroup

	inFlight, maxInFlight      atomic.Int64
	started, deferred, skipped atomic.Uint64
	late, dropped              atomic.Uint64
	lag                        lagHistogram
}

// slot is a scheduled check: what to probe and when next.
type slot struct {
	check    Check
	interval time.Duration
	timeout  time.Duration
	next     time.Time
	index    int       // in the heap; -1 once removed from the schedule
	running  bool      // a probe of it is in flight
	waiting  time.Time // a turn due while it ran; zero: none
	// failures: its latest probes that failed in a row; slowest: the
	// slowest of its recent successful answers, decaying (see
	// probeTimeout).
	failures int
	slowest  time.Duration
}

// probeTimeout is how long the slot's next probe may wait for an answer:
// the check's timeout, except while it confirms a failure. The probes that
// follow a first failure, until the check has failed often enough to be
// down, only confirm it, and a target that has stopped answering makes
// every such probe hang to its end: so they wait the longest of confirm
// and one and a half times the slowest recent answer, never more than the
// timeout. A hanging target is declared down within N intervals plus
// confirm, not plus the whole timeout; once down, the probes wait the
// whole timeout again, so that a service that comes back slower than
// before can still be seen up.
func (s *slot) probeTimeout(confirm time.Duration) time.Duration {
	down := s.check.FailuresToDown
	if down <= 0 {
		down = DefaultFailures
	}
	if s.failures == 0 || s.failures >= down {
		return s.timeout
	}
	return min(s.timeout, max(confirm, s.slowest*3/2))
}

// learn takes what a probe of the slot found into its next timeout.
func (s *slot) learn(r Result) {
	s.failures++
	if r.OK {
		s.failures = 0
		// A slow answer counts in full at once and fades by 1/16 a
		// probe, so one slow hour is not forgotten in three probes.
		s.slowest = max(r.Latency, s.slowest-s.slowest/16)
	}
}

// job is one due probe taken from the schedule, with what it needs of its
// slot copied under the lock: Set may change the slot while it runs.
type job struct {
	slot    *slot
	check   Check
	timeout time.Duration
	due     time.Time
}

// NewEngine returns an engine that probes with probe and hands each result
// to sink. Both are called from many goroutines at once; sink is called
// before the check's slot is released, so it should be quick, and it sees
// a check's results in order.
func NewEngine(probe func(context.Context, Check) Result, sink func(Result), opt EngineOptions) *Engine {
	if opt.Vantage == "" {
		opt.Vantage = Vantage
	}
	if opt.Tick <= 0 {
		opt.Tick = DefaultTick
	}
	if opt.ConfirmTimeout <= 0 {
		opt.ConfirmTimeout = DefaultConfirmTimeout
	}
	return &Engine{
		probe: probe,
		sink:  sink,
		opt:   opt,
		slots: map[int64]*slot{},
		limit: 1,
		wake:  make(chan struct{}, 1),
		grown: make(chan struct{}, 1),
		jobs:  make(chan job),
	}
}

// Set replaces the schedule with checks, keyed by their ID (a later
// duplicate wins). A new check first falls due at its phase within the next
// interval; a removed one is not probed again and the result of its probe
// in flight is dropped; a changed interval takes effect at once, on the new
// interval's grid; any other change applies from the next probe. A zero
// interval or timeout means DefaultInterval(0) or DefaultTimeout: the caller
// resolves a grade's interval, which the engine does not know. Set may be
// called before and while Run runs.
func (e *Engine) Set(checks []Check) {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	wanted := make(map[int64]bool, len(checks))
	for _, c := range checks {
		wanted[c.ID] = true
		interval, timeout := c.Interval, c.Timeout
		if interval <= 0 {
			interval = DefaultInterval(0)
		}
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		s := e.slots[c.ID]
		switch {
		case s == nil:
			s = &slot{check: c, interval: interval, timeout: timeout, next: firstDue(c.ID, interval, now)}
			heap.Push(&e.due, s)
			e.slots[c.ID] = s
		case s.interval != interval:
			s.check, s.interval, s.timeout = c, interval, timeout
			s.next = firstDue(c.ID, interval, now)
			heap.Fix(&e.due, s.index)
		default:
			s.check, s.timeout = c, timeout
		}
	}
	for id, s := range e.slots {
		if !wanted[id] {
			heap.Remove(&e.due, s.index)
			delete(e.slots, id)
		}
	}
	e.limit = e.opt.Concurrency
	if e.limit <= 0 {
		e.limit = defaultConcurrency(e.slots)
	}
	signal(e.wake)
	signal(e.grown)
}

// defaultConcurrency is enough probes in flight for every check to hang
// until its timeout: at most one probe of a check runs at a time, for at
// most its timeout, so on average Σ min(1, timeout/interval) are in flight.
// A quarter more and a few absorb checks whose phases happen to bunch up.
func defaultConcurrency(slots map[int64]*slot) int {
	need := 0.0
	for _, s := range slots {
		need += min(1, float64(s.timeout)/float64(s.interval))
	}
	return max(1, min(len(slots), int(need*1.25)+16))
}

// firstDue is the first time at or after now on the check's grid: the
// instants whose offset within the interval, counted from the Unix epoch,
// is the check's phase. The result is now plus a duration, so it keeps
// now's monotonic reading and later due times do not jump with the wall
// clock.
func firstDue(id int64, interval time.Duration, now time.Time) time.Time {
	phase := int64(spread(uint64(id)) % uint64(interval))
	offset := (phase - now.UnixNano()%int64(interval)) % int64(interval)
	if offset < 0 {
		offset += int64(interval)
	}
	return now.Add(time.Duration(offset))
}

// spread scatters consecutive ids over the whole range (splitmix64's
// finalizer), so neighbouring checks get unrelated phases.
func spread(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// nextDue is the first time on the grid of due (every interval) after now:
// a probe taken late does not shift the check's later probes, and turns
// missed while the engine could not keep up are left out, not made up.
func nextDue(due time.Time, interval time.Duration, now time.Time) time.Time {
	next := due.Add(interval)
	if !next.After(now) {
		next = due.Add(interval * (now.Sub(due)/interval + 1))
	}
	return next
}

// maxBatch bounds how many due probes the scheduler takes under one lock.
const maxBatch = 256

// Run probes the checks on their schedule until ctx ends, then waits for
// the probes in flight (their context ends with ctx; their results are
// dropped, since a probe cut short says nothing about the target) and
// returns nil. An engine runs once at a time: a second Run while one is
// under way returns an error.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.running {
		e.mu.Unlock()
		return errors.New("monitor: the engine is already running")
	}
	e.running = true
	e.mu.Unlock()
	defer func() {
		e.wg.Wait()
		e.mu.Lock()
		e.running = false
		e.mu.Unlock()
	}()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var batch []job
	for ctx.Err() == nil {
		var wait time.Duration
		batch, wait = e.takeDue(time.Now(), batch[:0])
		for i, j := range batch {
			if !e.dispatch(ctx, j) {
				e.release(batch[i:])
				return nil
			}
		}
		if len(batch) > 0 {
			continue
		}
		timer.Reset(max(wait, e.opt.Tick))
		select {
		case <-ctx.Done():
			return nil
		case <-e.wake:
		case <-timer.C:
		}
	}
	return nil
}

// takeDue takes the probes due at now from the schedule, moves their checks
// to their next due time, and says how long until the next one falls due.
func (e *Engine) takeDue(now time.Time, batch []job) ([]job, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.due) > 0 && len(batch) < maxBatch {
		s := e.due[0]
		if s.next.After(now) {
			break
		}
		due := s.next
		s.next = nextDue(due, s.interval, now)
		heap.Fix(&e.due, 0)
		if s.running {
			e.deferred.Add(1)
			if !s.waiting.IsZero() {
				e.skipped.Add(1)
			}
			s.waiting = due
			continue
		}
		s.running = true
		batch = append(batch, job{slot: s, check: s.check, timeout: s.probeTimeout(e.opt.ConfirmTimeout), due: due})
	}
	if len(batch) > 0 || len(e.due) == 0 {
		return batch, time.Hour
	}
	return batch, e.due[0].next.Sub(now)
}

// dispatch hands j to an idle worker, or to a new one while there are
// fewer than the bound, or else waits for one to come free; false if ctx
// ended first. Workers live until Run ends, so their stacks, grown deep by
// a probe, are not grown again for every probe.
func (e *Engine) dispatch(ctx context.Context, j job) bool {
	for {
		select {
		case e.jobs <- j:
			return true
		default:
		}
		e.mu.Lock()
		if e.workers < e.limit {
			e.workers++
			e.mu.Unlock()
			e.wg.Add(1)
			go e.work(ctx, j)
			return true
		}
		e.mu.Unlock()
		select {
		case e.jobs <- j:
			return true
		case <-e.grown:
		case <-ctx.Done():
			return false
		}
	}
}

// work runs j and then whatever the scheduler hands it, until ctx ends or
// the bound shrinks below the workers.
func (e *Engine) work(ctx context.Context, j job) {
	defer e.wg.Done()
	for {
		if next, ok := e.run(ctx, j); ok {
			j = next
			continue
		}
		e.mu.Lock()
		surplus := e.workers > e.limit
		if surplus {
			e.workers--
		}
		e.mu.Unlock()
		if surplus {
			return
		}
		select {
		case j = <-e.jobs:
		case <-ctx.Done():
			e.mu.Lock()
			e.workers--
			e.mu.Unlock()
			return
		}
	}
}

// release frees the checks of jobs taken but never started.
func (e *Engine) release(jobs []job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range jobs {
		j.slot.running, j.slot.waiting = false, time.Time{}
	}
}

// run probes one check and hands on its result; then, if a turn of the
// check fell due meanwhile, returns it to be run at once.
func (e *Engine) run(ctx context.Context, j job) (job, bool) {
	started := time.Now()
	raise(&e.maxInFlight, e.inFlight.Add(1))
	lag := started.Sub(j.due)
	e.started.Add(1)
	e.lag.record(lag)
	if lag > LateAfter {
		e.late.Add(1)
	}

	pctx, cancel := context.WithTimeout(ctx, j.timeout)
	r := e.probe(pctx, j.check)
	cancel()
	r.CheckID, r.Due = j.check.ID, j.due
	if r.Started.IsZero() {
		r.Started = started
	}
	if r.Vantage == "" {
		r.Vantage = e.opt.Vantage
	}

	e.mu.Lock()
	scheduled := j.slot.index >= 0
	e.mu.Unlock()
	if scheduled && ctx.Err() == nil {
		e.sink(r)
	} else {
		e.dropped.Add(1)
	}

	e.inFlight.Add(-1)
	e.mu.Lock()
	defer e.mu.Unlock()
	s := j.slot
	if scheduled && ctx.Err() == nil {
		s.learn(r)
	}
	due := s.waiting
	s.running, s.waiting = false, time.Time{}
	if due.IsZero() || s.index < 0 || ctx.Err() != nil {
		return job{}, false
	}
	s.running = true
	return job{slot: s, check: s.check, timeout: s.probeTimeout(e.opt.ConfirmTimeout), due: due}, true
}

// signal wakes whoever waits on c without ever blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// EngineStats describes how well the engine keeps its schedule.
type EngineStats struct {
	Checks      int // scheduled
	Concurrency int // the bound on probes in flight
	InFlight    int
	MaxInFlight int    // the most ever in flight at once
	Started     uint64 // probes started
	// Deferred counts turns that fell due while the check's previous probe
	// still ran, and Skipped those of them given up because the next turn
	// came first; Late probes started more than LateAfter after their
	// due time; Dropped results came from probes cut short by the end of
	// Run or of checks removed meanwhile.
	Deferred uint64
	Skipped  uint64
	Late     uint64
	Dropped  uint64
	// Lag is how long after their due time probes started (Started − Due),
	// at percentiles: each figure is the upper bound of a histogram bucket
	// at most 12.5 % wide, so it errs long.
	LagP50, LagP90, LagP99, LagMax time.Duration
}

// Stats reports the engine's counters so far.
func (e *Engine) Stats() EngineStats {
	e.mu.Lock()
	st := EngineStats{
		Checks:      len(e.slots),
		Concurrency: e.limit,
	}
	e.mu.Unlock()
	st.InFlight = int(e.inFlight.Load())
	st.MaxInFlight = int(e.maxInFlight.Load())
	st.Started = e.started.Load()
	st.Deferred = e.deferred.Load()
	st.Skipped = e.skipped.Load()
	st.Late = e.late.Load()
	st.Dropped = e.dropped.Load()
	st.LagP50 = e.lag.percentile(0.50)
	st.LagP90 = e.lag.percentile(0.90)
	st.LagP99 = e.lag.percentile(0.99)
	st.LagMax = time.Duration(e.lag.max.Load())
	return st
}

// dueHeap orders the scheduled checks by their next due time.
type dueHeap []*slot

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	s := x.(*slot)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *dueHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.index = -1
	*h = old[:len(old)-1]
	return s
}
