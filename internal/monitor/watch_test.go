package monitor_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fast makes the watcher's loops quick enough for a test.
var fast = monitor.WatcherOptions{FlushEvery: 20 * time.Millisecond, RollupEvery: 50 * time.Millisecond,
	SyncEvery: 50 * time.Millisecond, Engine: monitor.EngineOptions{Tick: 10 * time.Millisecond}}

// setInterval sets a check's interval and timeout below what people may
// choose (monitor.MinInterval), so that a test sees many probes a second.
func setInterval(t *testing.T, db *database.DB, id int64, interval, timeout time.Duration) {
	t.Helper()
	if _, err := db.Write.Exec(`UPDATE checks SET interval_ms = $1, timeout_ms = $2 WHERE id = $3`,
		interval.Milliseconds(), timeout.Milliseconds(), id); err != nil {
		t.Fatal(err)
	}
}

// run starts w and returns a function that stops it and waits.
func run(t *testing.T, w *monitor.Watcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serveOn serves 200 OK on addr (":0" for any port) until the returned
// function closes it.
func serveOn(t *testing.T, addr string) (string, func()) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	go srv.Serve(l)
	var once sync.Once
	closeIt := func() { once.Do(func() { srv.Close() }) }
	t.Cleanup(closeIt)
	return l.Addr().String(), closeIt
}

// The "done when": a real HTTP server is stopped and started and
// the tower records the interruption with its duration to the second.
func TestWatcherRecordsTheInterruptionOfAStoppedServer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		addr, stopServer := serveOn(t, "127.0.0.1:0")
		target := "http://" + addr + "/health"
		f.setEndpoints(t, f.w24, target)
		if _, err := f.store.SyncChecks(f.ctx); err != nil {
			t.Fatal(err)
		}
		check := f.check(t, target)
		const interval = 100 * time.Millisecond
		setInterval(t, db, check.ID, interval, 80*time.Millisecond)

		var mu sync.Mutex
		var events []monitor.SystemEvent
		opt := fast
		opt.OnSystem = func(_ context.Context, ev monitor.SystemEvent) error {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, ev)
			return nil
		}
		w := monitor.NewWatcher(f.store, quiet, opt)
		stop := run(t, w)
		state := func() monitor.State {
			for _, cs := range w.SystemStatuses(access.All(), f.w24.ID) {
				if cs.Check.ID == check.ID {
					return cs.Verdict.State
				}
			}
			return ""
		}
		eventually(t, 5*time.Second, "the server up", func() bool { return state() == monitor.StateUp })

		stopped := time.Now()
		stopServer()
		eventually(t, 5*time.Second, "the interruption stored", func() bool {
			open, _ := f.store.OpenInterruptions(f.ctx)
			return len(open) == 1
		})
		if state() != monitor.StateDown {
			t.Errorf("live state %s while the interruption is open", state())
		}
		time.Sleep(1500 * time.Millisecond)
		_, stopServer = serveOn(t, addr)
		restarted := time.Now()
		eventually(t, 5*time.Second, "the interruption ended", func() bool {
			open, _ := f.store.OpenInterruptions(f.ctx)
			return len(open) == 0 && state() == monitor.StateUp
		})
		stop()

		list, err := f.store.Interruptions(f.ctx, access.All(), f.w24.ID, stopped.Add(-time.Minute), time.Now())
		if err != nil || len(list) != 1 {
			t.Fatalf("interruptions %+v (%v)", list, err)
		}
		in := list[0]
		// The first failed probe starts it, the first success ends it: each
		// within one interval (and a tick) of the real moment.
		slack := interval + 50*time.Millisecond
		if in.StartedAt.Before(stopped.Add(-time.Millisecond)) || in.StartedAt.After(stopped.Add(slack)) {
			t.Errorf("started %v, server stopped %v", in.StartedAt, stopped)
		}
		if in.EndedAt.Before(restarted.Add(-time.Millisecond)) || in.EndedAt.After(restarted.Add(slack)) {
			t.Errorf("ended %v, server back %v", in.EndedAt, restarted)
		}
		// To the second, and in fact to an interval.
		real := restarted.Sub(stopped)
		if d := in.Duration(time.Now()); (d - real).Abs() > slack {
			t.Errorf("recorded %v, the server was away %v", d, real)
		}
		if in.Reason == "" || len(in.Vantages) != 1 || in.Vantages[0] != monitor.Vantage {
			t.Errorf("reason %q, vantages %v", in.Reason, in.Vantages)
		}
		// The system went down and came back once each, at the
		// interruption's times, as the incidents hear it.
		mu.Lock()
		defer mu.Unlock()
		if len(events) != 2 || !events[0].Down || events[1].Down || events[0].SystemID != f.w24.ID ||
			!events[0].At.UTC().Truncate(time.Microsecond).Equal(in.StartedAt) || !events[1].At.UTC().Truncate(time.Microsecond).Equal(in.EndedAt) {
			t.Errorf("system events %+v, interruption %v – %v", events, in.StartedAt, in.EndedAt)
		}
		// The probes were summed into the hour's rollup, failures too.
		rollups, err := f.store.Rollups(f.ctx, access.All(), check.ID, stopped.Add(-time.Hour), time.Now().Add(time.Hour))
		var probes, failures int64
		for _, r := range rollups {
			probes, failures = probes+r.Probes, failures+r.Failures
		}
		if err != nil || probes < 20 || failures < 3 || failures >= probes {
			t.Errorf("rollups: %d probes, %d failures (%v)", probes, failures, err)
		}
	})
}

// fourChecks gives 노동보험시스템 four endpoints, so four checks — enough
// for the tower to judge whether it is cut off — and returns their ids.
func fourChecks(t *testing.T, f *fixture) []int64 {
	t.Helper()
	targets := []string{"https://a.example/", "https://b.example/", "tcp://c.example:1", "tcp://d.example:2"}
	f.setEndpoints(t, f.insurance, targets...)
	if _, err := f.store.SyncChecks(f.ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, target := range targets {
		ids = append(ids, f.check(t, target).ID)
	}
	return ids
}

// takingWatcher is a Watcher that does not probe, loaded with the checks:
// a test hands it results with Take.
func takingWatcher(t *testing.T, f *fixture, opt monitor.WatcherOptions) *monitor.Watcher {
	t.Helper()
	opt.NoProbing = true
	w := monitor.NewWatcher(f.store, quiet, opt)
	if err := w.Reload(f.ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// results makes n results of a check from a vantage point, one every
// step, the last one now.
func results(check int64, vantage string, ok bool, n int, step time.Duration) []monitor.Result {
	now := time.Now()
	var list []monitor.Result
	for i := range n {
		list = append(list, monitor.Result{CheckID: check, Vantage: vantage, OK: ok, Started: now.Add(-time.Duration(n-1-i) * step),
			Latency: time.Millisecond, Reason: map[bool]string{false: "connection refused"}[ok]})
	}
	return list
}

// shifted moves results later by d: after those already taken.
func shifted(list []monitor.Result, d time.Duration) []monitor.Result {
	for i := range list {
		list[i].Started = list[i].Started.Add(d)
	}
	return list
}

func take(w *monitor.Watcher, list []monitor.Result) {
	for _, r := range list {
		w.Take(r, true)
	}
}

func verdictOf(t *testing.T, w *monitor.Watcher, checkID int64) monitor.CheckStatus {
	t.Helper()
	for _, cs := range w.Statuses(access.All(), false) {
		if cs.Check.ID == checkID {
			return cs
		}
	}
	t.Fatalf("check %d not watched", checkID)
	return monitor.CheckStatus{}
}

// One vantage point that sees a check down is outvoted by two that see it
// up; one that falls silent counts for nothing, and with nobody reporting
// a check is unknown, never down.
func TestWatcherQuorumAndSilence(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		check := f.check(t, "dns://www.work24.go.kr") // 2 min interval: silent after 6 min
		w := takingWatcher(t, f, fast)
		step := time.Second
		take(w, results(check.ID, monitor.Vantage, true, 3, step))
		take(w, results(check.ID, "busan", true, 3, step))
		take(w, results(check.ID, "gwangju", false, 5, step))
		cs := verdictOf(t, w, check.ID)
		if cs.Verdict.State != monitor.StateUp || cs.Verdict.Down != 1 || cs.Verdict.Up != 2 {
			t.Errorf("one of three down: %+v", cs.Verdict)
		}

		// busan and the tower fall silent (their last results are old);
		// gwangju alone reporting sees it down.
		w2 := takingWatcher(t, f, fast)
		long := 7 * time.Minute
		for _, r := range results(check.ID, "busan", false, 3, step) {
			r.Started = r.Started.Add(-long)
			w2.Take(r, false)
		}
		for _, r := range results(check.ID, "gwangju", true, 3, step) {
			r.Started = r.Started.Add(-long)
			w2.Take(r, false)
		}
		w2.Reconsider(time.Now())
		cs = verdictOf(t, w2, check.ID)
		if cs.Verdict.State == monitor.StateDown || cs.Verdict.Silent != 2 {
			t.Errorf("two silent agents, one of them last saw it down: %+v", cs.Verdict)
		}
		for _, v := range cs.Vantages {
			if v.Reporting {
				t.Errorf("%s reporting after 7 minutes of silence", v.Vantage)
			}
		}
		w2.Flush(f.ctx)
		if open, _ := f.store.OpenInterruptions(f.ctx); len(open) != 0 {
			t.Errorf("silence opened interruptions: %+v", open)
		}
	})
}

// An interruption left open by the last run is the state the next run
// starts from: the check shows down until a probe says otherwise, and the
// first success ends it.
func TestWatcherTakesUpOpenInterruptions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		check := f.check(t, "tcp://db.insurance:5432")
		began := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
		if _, err := f.store.OpenInterruption(f.ctx, &monitor.Interruption{CheckID: check.ID, StartedAt: began, Reason: "timeout",
			Vantages: []string{monitor.Vantage}}); err != nil {
			t.Fatal(err)
		}
		w := takingWatcher(t, f, fast)
		if cs := verdictOf(t, w, check.ID); cs.Verdict.State != monitor.StateDown || !cs.Verdict.Since.Equal(began) {
			t.Errorf("after restart: %+v", cs.Verdict)
		}
		ok := results(check.ID, monitor.Vantage, true, 1, time.Second)
		take(w, ok)
		w.Flush(f.ctx)
		list, err := f.store.Interruptions(f.ctx, access.All(), f.insurance.ID, began.Add(-time.Minute), time.Now())
		if err != nil || len(list) != 1 || list[0].Open() || !list[0].EndedAt.Equal(ok[0].Started.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("interruption %+v (%v), want ended at %v", list, err, ok[0].Started)
		}
	})
}

// An agent's batch counts once however often it is sent, and only for
// the checks the agent probes.
func TestWatcherTakesABatchOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		a := &monitor.Agent{Name: "busan", TokenID: agentToken(t, db, f.welfare.ID, false, f.insurance.ID)}
		if err := f.store.CreateAgent(f.ctx, f.welfareScope, a); err != nil {
			t.Fatal(err)
		}
		w := takingWatcher(t, f, fast)
		web := f.check(t, "https://insurance.example.go.kr/health")
		other := f.check(t, "dns://www.work24.go.kr")
		batch := append(results(web.ID, "", false, 4, time.Second), results(other.ID, "", true, 2, time.Second)...)
		for i, want := range []monitor.BatchOutcome{{Accepted: true, Taken: 4, Ignored: 2}, {Accepted: false}} {
			got, err := w.TakeBatch(f.ctx, a, 1, batch)
			if err != nil || got != want {
				t.Fatalf("push %d: %+v (%v), want %+v", i+1, got, err, want)
			}
		}
		rollups, _ := f.store.Rollups(f.ctx, access.All(), web.ID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		var probes int64
		for _, r := range rollups {
			if r.Vantage != "busan" {
				t.Errorf("rollup of vantage %q", r.Vantage)
			}
			probes += r.Probes
		}
		if probes != 4 {
			t.Errorf("%d probes stored, want 4", probes)
		}
		// The agent alone reports, and it sees the check down.
		w.Flush(f.ctx)
		open, _ := f.store.OpenInterruptions(f.ctx)
		if len(open) != 1 || open[0].CheckID != web.ID || len(open[0].Vantages) != 1 || open[0].Vantages[0] != "busan" {
			t.Errorf("open interruptions %+v", open)
		}
		if _, err := w.TakeBatch(f.ctx, a, 2, make([]monitor.Result, monitor.MaxBatchResults+1)); code(err) != "invalid" {
			t.Errorf("an oversized batch: %v", err)
		}
	})
}

func TestTowerIsolated(t *testing.T) {
	scenarios := []struct {
		name  string
		sight monitor.Sight
		want  bool
	}{
		{"no agents: the tower has nobody to ask", monitor.Sight{TowerKnown: 10, TowerDown: 10}, false},
		{"an agent still reports", monitor.Sight{Agents: 2, SilentAgents: 1, TowerKnown: 10, TowerDown: 10}, false},
		{"every agent silent, half down", monitor.Sight{Agents: 2, SilentAgents: 2, TowerKnown: 10, TowerDown: 5}, true},
		{"every agent silent, fewer than half down", monitor.Sight{Agents: 2, SilentAgents: 2, TowerKnown: 10, TowerDown: 4}, false},
		{"too few checks to tell", monitor.Sight{Agents: 1, SilentAgents: 1, TowerKnown: 3, TowerDown: 3}, false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := monitor.TowerIsolated(s.sight); got != s.want {
				t.Errorf("TowerIsolated(%+v) = %v", s.sight, got)
			}
		})
	}
}

// The tower's own site loses its network: its probes all fail, and its
// agents, which cannot reach it, fall silent. That must not declare every
// system down; the same failures seen by a tower without agents are.
func TestWatcherCutOffTowerDeclaresNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		ids := fourChecks(t, f)
		now := time.Now()
		// The tower's failures, as seen 100 s from now.
		towerFails := func(w *monitor.Watcher) {
			for _, id := range ids {
				for i := range 3 {
					w.Take(monitor.Result{CheckID: id, Vantage: monitor.Vantage, Started: now.Add(time.Duration(100+i) * time.Second), Reason: "timeout"}, false)
				}
			}
		}

		cutOff := takingWatcher(t, f, fast)
		for _, id := range ids {
			cutOff.Take(monitor.Result{CheckID: id, Vantage: "busan", Started: now.Add(-10 * time.Second), OK: true}, false)
		}
		towerFails(cutOff)
		// 113 s after busan last reported on checks probed every 30 s: silent.
		cutOff.Reconsider(now.Add(103 * time.Second))
		if !cutOff.Stats().Isolated {
			t.Fatal("the tower does not see that it is cut off")
		}
		cutOff.Flush(f.ctx)
		if open, _ := f.store.OpenInterruptions(f.ctx); len(open) != 0 {
			t.Fatalf("a cut-off tower declared %d interruptions", len(open))
		}
		for _, cs := range cutOff.Statuses(access.All(), false) {
			if cs.Check.SystemID == f.insurance.ID && cs.Verdict.State == monitor.StateDown {
				t.Errorf("check %s shows down", cs.Check.Target)
			}
		}

		alone := takingWatcher(t, f, fast)
		towerFails(alone)
		alone.Reconsider(now.Add(103 * time.Second))
		alone.Flush(f.ctx)
		if open, _ := f.store.OpenInterruptions(f.ctx); len(open) != len(ids) || alone.Stats().Isolated {
			t.Errorf("a tower without agents: %d interruptions, isolated %v", len(open), alone.Stats().Isolated)
		}
	})
}

// A system event the hook could not take is offered again at the next
// write, before later ones, and a system with two checks down goes down
// and comes back once.
func TestWatcherOffersSystemEventsAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		web := f.check(t, "https://insurance.example.go.kr/health")
		port := f.check(t, "tcp://db.insurance:5432")
		var got []monitor.SystemEvent
		failing := true
		opt := fast
		opt.OnSystem = func(_ context.Context, ev monitor.SystemEvent) error {
			if failing {
				failing = false
				return errors.New("incident store unreachable")
			}
			got = append(got, ev)
			return nil
		}
		w := takingWatcher(t, f, opt)
		take(w, results(web.ID, monitor.Vantage, false, 3, time.Second))
		take(w, results(port.ID, monitor.Vantage, false, 3, time.Second))
		w.Flush(f.ctx) // the hook fails: nothing heard yet
		if len(got) != 0 {
			t.Fatalf("heard %+v while failing", got)
		}
		take(w, shifted(results(web.ID, monitor.Vantage, true, 2, time.Second), 3*time.Second))
		w.Flush(f.ctx) // one check back, the system still down
		take(w, shifted(results(port.ID, monitor.Vantage, true, 2, time.Second), 3*time.Second))
		w.Flush(f.ctx)
		if len(got) != 2 || !got[0].Down || got[1].Down || got[0].SystemID != f.insurance.ID || got[1].SystemID != f.insurance.ID {
			t.Errorf("system events %+v: want down once, then back once", got)
		}
	})
}

// When the tower stops looking cut off, the checks only it probes are
// decided again: its recovered probes end their interruptions.
func TestWatcherDecidesAgainWhenIsolationEnds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		ids := fourChecks(t, f)
		now := time.Now()
		w := takingWatcher(t, f, fast)
		// busan reports on the first check only; the tower's probes (as
		// seen 100 s on) all fail, so the checks only it probes are
		// declared down at once, and when busan falls silent it is cut off.
		w.Take(monitor.Result{CheckID: ids[0], Vantage: "busan", Started: now.Add(-10 * time.Second), OK: true}, false)
		for _, id := range ids {
			for i := range 3 {
				w.Take(monitor.Result{CheckID: id, Vantage: monitor.Vantage, Started: now.Add(time.Duration(100+i) * time.Second), Reason: "timeout"}, false)
			}
		}
		w.Reconsider(now.Add(103 * time.Second)) // busan silent: cut off
		if !w.Stats().Isolated {
			t.Fatal("not isolated")
		}
		for _, id := range ids {
			for i := range 2 {
				w.Take(monitor.Result{CheckID: id, Vantage: monitor.Vantage, Started: now.Add(time.Duration(104+i) * time.Second), OK: true}, false)
			}
		}
		w.Reconsider(now.Add(106 * time.Second))
		w.Flush(f.ctx)
		if open, _ := f.store.OpenInterruptions(f.ctx); w.Stats().Isolated || len(open) != 0 {
			t.Errorf("isolated %v, %d interruptions open after the tower's probes recovered", w.Stats().Isolated, len(open))
		}
	})
}

// An agent unheard for longer than AgentGone (deleted, unbound) does not
// make a tower without other agents look cut off at a real outage.
func TestWatcherForgetsLongGoneAgents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		ids := fourChecks(t, f)
		w := takingWatcher(t, f, fast)
		now := time.Now()
		w.Take(monitor.Result{CheckID: ids[0], Vantage: "old-agent", Started: now.Add(-24 * time.Hour), OK: true}, false)
		for _, id := range ids {
			for i := range 3 {
				w.Take(monitor.Result{CheckID: id, Vantage: monitor.Vantage, Started: now.Add(time.Duration(i) * time.Second), Reason: "refused"}, false)
			}
		}
		w.Reconsider(now.Add(3 * time.Second))
		w.Flush(f.ctx)
		if open, _ := f.store.OpenInterruptions(f.ctx); w.Stats().Isolated || len(open) != len(ids) {
			t.Errorf("isolated %v, %d of %d outages declared", w.Stats().Isolated, len(open), len(ids))
		}
	})
}

// A check whose endpoint left the inventory while its "down" was still to
// be written gets no interruption that nobody would ever end.
func TestWatcherOpensNothingOnARemovedCheck(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.store.Now = time.Now
		web := f.check(t, "https://insurance.example.go.kr/health")
		w := takingWatcher(t, f, fast)
		take(w, results(web.ID, monitor.Vantage, false, 3, time.Second)) // owed, not yet written
		f.setEndpoints(t, f.insurance, "tcp://db.insurance:5432")
		if _, err := f.store.SyncChecks(f.ctx); err != nil {
			t.Fatal(err)
		}
		w.Flush(f.ctx)
		if open, _ := f.store.OpenInterruptions(f.ctx); len(open) != 0 {
			t.Errorf("interruptions of a removed check: %+v", open)
		}
	})
}
