// Command engine measures the monitoring engine at whole-of-government
// scale (issue 5, "an engine that keeps its schedule"):
//
//	go run ./bench/engine -n 10000 -interval 30s -duration 3m -slow 0.10 -hang 0.05
//
// It starts the load generator as a child process (so its CPU and memory
// are not counted; -target uses one already running instead), schedules n
// HTTP checks against it, and runs the engine for the duration. Midway it
// stops a range of targets and times how long each healthy one takes to
// fail -failures probes in a row. It prints the checks run, the share
// started within 1 s of their due time, the start lag, the process's CPU
// per check, its peak resident memory and the detection time, each beside
// the target.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"yeonsok/bench/internal/loadgen"
	"yeonsok/bench/internal/procstat"
	"yeonsok/internal/monitor"
)

type config struct {
	n                     int
	interval, timeout     time.Duration
	duration              time.Duration
	mix                   loadgen.Mix
	target                string
	stop                  int
	stopMode              string
	failures, concurrency int
	tick                  time.Duration
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 10000, "number of HTTP checks (and targets)")
	flag.DurationVar(&c.interval, "interval", 30*time.Second, "interval of every check")
	flag.DurationVar(&c.timeout, "timeout", monitor.DefaultTimeout, "timeout of every check")
	flag.DurationVar(&c.duration, "duration", 3*time.Minute, "how long to run")
	flag.Float64Var(&c.mix.Slow, "slow", 0.10, "share of targets that answer after 1 s")
	flag.Float64Var(&c.mix.Hang, "hang", 0.05, "share of targets that never answer")
	flag.Float64Var(&c.mix.Fail, "fail", 0, "share of targets that answer 503")
	flag.StringVar(&c.target, "target", "", "base URL of a running loadgen with the same -n and shares (empty: start one)")
	flag.IntVar(&c.stop, "stop", 100, "targets stopped midway to time outage detection (0: none)")
	flag.StringVar(&c.stopMode, "stop-mode", "refuse", "how stopped targets fail: refuse, hang or fail")
	flag.IntVar(&c.failures, "failures", monitor.DefaultFailures, "failures in a row that declare a target down")
	flag.IntVar(&c.concurrency, "concurrency", 0, "bound on probes in flight (0: the engine's default)")
	flag.DurationVar(&c.tick, "tick", 0, "the scheduler's resolution (0: monitor.DefaultTick)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	child := flag.Bool(loadgen.ChildFlag, false, "serve as the load generator (used by the benchmark itself)")
	flag.Parse()

	if *child {
		loadgen.ServeChild(c.n, c.mix)
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

func run(c config) error {
	if c.stop > c.n {
		return errors.New("-stop is more than -n")
	}
	base := c.target
	if base == "" {
		url, stop, err := loadgen.StartChild(c.n, c.mix)
		if err != nil {
			return err
		}
		defer stop()
		base = url
	}

	checks := make([]monitor.Check, c.n)
	for i := range checks {
		checks[i] = monitor.Check{
			ID: int64(i + 1), Kind: monitor.KindHTTP, Target: fmt.Sprintf("%s/t/%d", base, i),
			Interval: c.interval, Timeout: c.timeout,
		}
	}
	// The stopped targets are the middle ones; only those that answered
	// before (fast or slow) can be seen going down.
	out := newOutage(c, c.n/2, c.n/2+c.stop)
	t := &tally{mix: c.mix, outage: out}
	e := monitor.NewEngine(monitor.Probe, t.record, monitor.EngineOptions{Concurrency: c.concurrency, Tick: c.tick})
	e.Set(checks)

	// The outage starts when there is time left for failures+1 intervals
	// after it, and not within the first interval, while the checks start.
	stopAt := c.duration - time.Duration(c.failures+1)*c.interval
	if c.stop > 0 && stopAt < c.interval {
		fmt.Printf("no outage measured: -duration must be at least %v for that\n", time.Duration(c.failures+2)*c.interval)
		c.stop = 0
	}

	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	cpu0, wall0 := procstat.Self(), time.Now()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	if c.stop > 0 {
		time.Sleep(stopAt)
		if err := out.begin(base); err != nil {
			return err
		}
	}
	if err := <-done; err != nil {
		return err
	}
	used, wall := procstat.Self().Sub(cpu0), time.Since(wall0)
	user, sys, cpu := used.User, used.Sys, used.Total()

	st := e.Stats()
	fmt.Printf("engine benchmark: %d HTTP checks every %v (timeout %v) for %v; %.0f%% slow (1 s), %.0f%% hanging, %.0f%% failing; GOMAXPROCS %d\n",
		c.n, c.interval, c.timeout, wall.Round(time.Second), c.mix.Slow*100, c.mix.Hang*100, c.mix.Fail*100, runtime.GOMAXPROCS(0))
	fmt.Printf("  checks run (probes started)    %d (%d results, %d cut short at the end; %d turns waited for the previous probe, %d skipped)\n",
		st.Started, t.total(), st.Dropped, st.Deferred, st.Skipped)
	within := 100 * float64(st.Started-st.Late) / float64(max(st.Started, 1))
	fmt.Printf("  started within 1 s of due      %.2f%%   (target ≥ 99%%)\n", within)
	fmt.Printf("  start lag                      p50 %v, p90 %v, p99 %v, max %v\n",
		st.LagP50.Round(time.Microsecond), st.LagP90.Round(time.Microsecond), st.LagP99.Round(time.Microsecond), st.LagMax.Round(time.Microsecond))
	perCheck := time.Duration(int64(cpu) / int64(max(st.Started, 1)))
	fmt.Printf("  CPU per check                  %.3f ms   (target ≤ 0.5 ms; %v user + %v system in all, %.0f%% of one core)\n",
		float64(perCheck)/float64(time.Millisecond), user.Round(time.Millisecond), sys.Round(time.Millisecond), 100*float64(cpu)/float64(wall))
	fmt.Printf("  peak resident memory           %.0f MB   (target ≤ 300 MB)\n", float64(procstat.PeakRSS())/(1<<20))
	fmt.Printf("  probes in flight               at most %d (bound %d)\n", st.MaxInFlight, st.Concurrency)
	t.print()
	if c.stop > 0 {
		out.print()
	}
	return nil
}

// tally counts the results by the target's behaviour, to check the
// prober saw what the load generator served.
type tally struct {
	mix    loadgen.Mix
	outage *outage
	mu     sync.Mutex
	ok     [5]int
	failed [5]int
}

func (t *tally) record(r monitor.Result) {
	i := int(r.CheckID - 1)
	b := t.mix.Of(i)
	t.mu.Lock()
	if r.OK {
		t.ok[b]++
	} else {
		t.failed[b]++
	}
	t.mu.Unlock()
	t.outage.record(i, r.OK)
}

func (t *tally) total() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for b := range t.ok {
		n += t.ok[b] + t.failed[b]
	}
	return n
}

func (t *tally) print() {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Printf("  results by target              ")
	for _, b := range []loadgen.Behaviour{loadgen.Fast, loadgen.Slow, loadgen.Hang, loadgen.Fail} {
		fmt.Printf("%s %d up / %d down; ", b, t.ok[b], t.failed[b])
	}
	fmt.Println()
}

// outage times how long after a range of targets stops the engine's
// results show each of them failing failures times in a row.
type outage struct {
	c        config
	from, to int
	mu       sync.Mutex
	began    time.Time
	streak   map[int]int
	detected map[int]time.Duration
}

func newOutage(c config, from, to int) *outage {
	o := &outage{c: c, from: from, to: to, streak: map[int]int{}, detected: map[int]time.Duration{}}
	for i := from; i < to; i++ {
		if b := c.mix.Of(i); b == loadgen.Fast || b == loadgen.Slow {
			o.streak[i] = 0
		}
	}
	return o
}

// begin stops the range at the load generator; the clock starts just
// before the request, so the figures err long.
func (o *outage) begin(base string) error {
	o.mu.Lock()
	o.began = time.Now()
	o.mu.Unlock()
	url := fmt.Sprintf("%s/control/stop?from=%d&to=%d&mode=%s", base, o.from, o.to, o.c.stopMode)
	resp, err := http.Post(url, "", nil)
	if err != nil {
		return fmt.Errorf("stop targets: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("stop targets: %s %s", resp.Status, msg)
	}
	return nil
}

func (o *outage) record(i int, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	streak, watched := o.streak[i]
	if !watched || o.began.IsZero() {
		return
	}
	if _, done := o.detected[i]; done {
		return
	}
	if ok {
		o.streak[i] = 0
		return
	}
	o.streak[i] = streak + 1
	if streak+1 == o.c.failures {
		o.detected[i] = time.Since(o.began)
	}
}

func (o *outage) print() {
	o.mu.Lock()
	defer o.mu.Unlock()
	var times []time.Duration
	for _, d := range o.detected {
		times = append(times, d)
	}
	slices.Sort(times)
	target := time.Duration(o.c.failures)*o.c.interval + 2*time.Second
	fmt.Printf("  outage detection               %d of %d stopped healthy targets (%s) seen down after %d failures in a row",
		len(times), len(o.streak), o.c.stopMode, o.c.failures)
	if len(times) == 0 {
		fmt.Println()
		return
	}
	at := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	fmt.Printf(": p50 %v, p99 %v, max %v   (target ≤ %v)\n",
		at(0.50).Round(time.Millisecond), at(0.99).Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), target)
}
