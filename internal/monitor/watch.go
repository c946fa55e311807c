package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

// Watcher turns probe results into evidence. The tower's engine and the
// agents' batches hand it results; it keeps, per check and vantage point,
// the state machine (Tracker), when it last heard and the latest results;
// decides each check's state by quorum; and writes what matters: an
// interruption when the quorum says down, its end when it says up again,
// and hourly latency rollups. Successful probes are never written one by
// one: the latest live in memory for the live view.
//
// One mutex guards the state; results are taken under it in microseconds.
// The database is written by one goroutine (Run), a batch of transitions
// a second and the rollups a minute, so a slow or unreachable database
// never holds up probing: what could not be written is kept and written
// later.
type Watcher struct {
	store *Store
	log   *slog.Logger
	opt   WatcherOptions
	// engine probes from the tower; nil when the tower only takes agents'
	// results (tests).
	engine *Engine

	mu      sync.Mutex
	checks  map[int64]*watched
	pending []transition
	rollups map[rollupKey]*Rollup
	version int64 // the inventory version last synced
	loaded  bool
	// isolated: the tower looks cut off (TowerIsolated), so its own
	// results do not count.
	isolated bool
	// down counts each system's checks with an interruption open.
	down map[int64]int
	// writing serialises the writes of transitions (Run's, and Flush's
	// from elsewhere), so they and the system events stay in order; heard
	// are the system events the OnSystem hook failed on, offered again.
	writing   sync.Mutex
	heard     []SystemEvent
	reloading sync.Mutex
	ignored   uint64 // results for checks not watched
	failures  uint64 // database writes that failed and were retried
}

// WatcherOptions tune a Watcher; the zero value is what the tower uses.
type WatcherOptions struct {
	// Probe probes a check (zero: Probe). Nil Engine options: the
	// tower's defaults.
	Probe  func(context.Context, Check) Result
	Engine EngineOptions
	// NoProbing: the tower does not probe itself, it only takes the
	// agents' results.
	NoProbing bool
	// Quorum is how many reporting vantage points must see a check down
	// (zero: a majority; see Quorum).
	Quorum int
	// InventoryVersion reads the inventory's version; when it moves the
	// checks are synced with the endpoints again. Nil: synced every
	// SyncEvery regardless.
	InventoryVersion func(context.Context) (int64, error)
	// OnSystem, when set, hears each system going down (its first check
	// declared down) and coming back (its last down check up again), once
	// the interruption is stored: the incidents follow the monitoring
	// through it. It is called from the one goroutine that writes, in
	// order; an error has the same event offered again at the next write.
	OnSystem func(context.Context, SystemEvent) error
	// FlushEvery is how often transitions are written, RollupEvery the
	// rollups, SyncEvery how often the inventory version is read and the
	// quorum looked at again for vantage points gone silent. Zero: 1 s,
	// 1 min, 5 s.
	FlushEvery, RollupEvery, SyncEvery time.Duration
}

// RecentResults is how many of the latest results the Watcher keeps per
// check and vantage point for the live view.
const RecentResults = 30

// maxPending bounds the transitions kept while the database cannot be
// written: beyond it the oldest are given up (and logged), so that a long
// database outage cannot exhaust memory.
const maxPending = 100_000

// watched is one check as the Watcher follows it.
type watched struct {
	check    Check // every default applied
	system   string
	grade    int
	vantages map[string]*vantage
	verdict  Verdict
	// open: an interruption of the check is stored and not yet ended.
	// sawDown are the vantage points that saw it down meanwhile.
	open    bool
	sawDown []string
}

// vantage is one vantage point's view of a check.
type vantage struct {
	tracker Tracker
	heard   time.Time // when its latest result began
	recent  [RecentResults]Sample
	next    int // where the next sample goes in recent
	count   int
	latest  Result
}

// Sample is one result as the live view keeps it.
type Sample struct {
	Started time.Time     `json:"started"`
	Latency time.Duration `json:"latency"`
	OK      bool          `json:"ok"`
}

// transition is a write the Watcher owes the database: an interruption
// opened (open) or ended at at, with the vantage points that saw it.
// system is set when it takes the check's system down or back up.
type transition struct {
	checkID  int64
	open     bool
	at       time.Time
	reason   string
	vantages []string
	system   *SystemEvent
}

// SystemEvent is a system going down (Down) or coming back at At, as its
// checks' verdicts say: down with its first check down, back with its last.
type SystemEvent struct {
	SystemID int64     `json:"system_id"`
	Down     bool      `json:"down"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
}

type rollupKey struct {
	check   int64
	vantage string
	hour    time.Time
}

// NewWatcher returns a Watcher writing to store. Run starts it.
func NewWatcher(store *Store, log *slog.Logger, opt WatcherOptions) *Watcher {
	if opt.Probe == nil {
		opt.Probe = Probe
	}
	if opt.FlushEvery <= 0 {
		opt.FlushEvery = time.Second
	}
	if opt.RollupEvery <= 0 {
		opt.RollupEvery = time.Minute
	}
	if opt.SyncEvery <= 0 {
		opt.SyncEvery = 5 * time.Second
	}
	w := &Watcher{store: store, log: log, opt: opt, checks: map[int64]*watched{}, rollups: map[rollupKey]*Rollup{}, version: -1,
		down: map[int64]int{}}
	if !opt.NoProbing {
		w.engine = NewEngine(opt.Probe, w.take, opt.Engine)
	}
	return w
}

// Run loads the checks and the interruptions left open, probes, and writes
// what it finds until ctx ends; then it writes what it still holds and
// returns. A database that cannot be read at start is retried: the tower
// must come up and watch even while its database is slow to.
func (w *Watcher) Run(ctx context.Context) error {
	for {
		err := w.syncIfChanged(ctx)
		if err == nil {
			break
		}
		w.log.Error("monitoring: load checks", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.opt.SyncEvery):
		}
	}
	var wg sync.WaitGroup
	if w.engine != nil {
		wg.Go(func() { _ = w.engine.Run(ctx) })
	}
	flush := time.NewTicker(w.opt.FlushEvery)
	defer flush.Stop()
	rollup := time.NewTicker(w.opt.RollupEvery)
	defer rollup.Stop()
	sync := time.NewTicker(w.opt.SyncEvery)
	defer sync.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			// The request's context has ended; the last writes get their own.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			w.Flush(final)
			return nil
		case <-flush.C:
			w.writeTransitions(ctx)
		case <-rollup.C:
			w.writeRollups(ctx)
		case <-sync.C:
			w.Reconsider(time.Now())
			if err := w.syncIfChanged(ctx); err != nil {
				w.log.Error("monitoring: sync checks", "err", err)
			}
		}
	}
}

// Flush writes every transition and rollup the Watcher holds.
func (w *Watcher) Flush(ctx context.Context) {
	w.writeTransitions(ctx)
	w.writeRollups(ctx)
}

func (w *Watcher) syncIfChanged(ctx context.Context) error {
	version := int64(-1)
	if w.opt.InventoryVersion != nil {
		var err error
		if version, err = w.opt.InventoryVersion(ctx); err != nil {
			return err
		}
		w.mu.Lock()
		same := version == w.version
		w.mu.Unlock()
		if same {
			return nil
		}
	}
	// Noted only once loaded: a failed load is tried again next time.
	if err := w.Reload(ctx); err != nil {
		return err
	}
	w.mu.Lock()
	w.version = version
	w.mu.Unlock()
	return nil
}

// Reload syncs the checks with the inventory's endpoints and takes up the
// active ones: a new check is watched from now, a gone one forgotten
// (SyncChecks ended its interruption), a changed one keeps its state. The
// first load also takes up the interruptions left open by the last run, as
// the state it left: such a check stays down until its probes say
// otherwise. Call it after a person changes a check's settings.
func (w *Watcher) Reload(ctx context.Context) error {
	// One at a time (the sync loop's and a person's change): a reload that
	// read the checks first must not be applied after a later one.
	w.reloading.Lock()
	defer w.reloading.Unlock()
	if _, err := w.store.SyncChecks(ctx); err != nil {
		return err
	}
	list, err := queryChecks(ctx, w.store.db.Read, `c.active`)
	if err != nil {
		return err
	}
	w.mu.Lock()
	first := !w.loaded
	w.mu.Unlock()
	var open []*Interruption
	if first {
		if open, err = w.store.OpenInterruptions(ctx); err != nil {
			return err
		}
	}

	checks := make([]Check, len(list))
	w.mu.Lock()
	kept := make(map[int64]*watched, len(list))
	for i, c := range list {
		checks[i] = c.WithDefaults(c.grade)
		wc := w.checks[c.ID]
		if wc == nil {
			wc = &watched{vantages: map[string]*vantage{}}
		}
		wc.check, wc.system, wc.grade = checks[i], c.system, c.grade
		kept[c.ID] = wc
	}
	w.checks = kept
	for _, in := range open {
		if wc := w.checks[in.CheckID]; wc != nil {
			wc.open, wc.sawDown = true, slices.Clone(in.Vantages)
			wc.verdict = Verdict{State: StateDown, Since: in.StartedAt, Reason: in.Reason}
		}
	}
	w.down = map[int64]int{}
	for _, wc := range w.checks {
		if wc.open {
			w.down[wc.check.SystemID]++
		}
	}
	w.loaded = true
	w.mu.Unlock()
	if w.engine != nil {
		w.engine.Set(checks)
	}
	return nil
}

// take is the engine's sink: a result of the tower's own.
func (w *Watcher) take(r Result) { w.Take(r, true) }

// Take takes one result: the vantage point's state machine moves, the
// check's verdict is decided again when it did, and with rollup the
// result is summed into the hour's latency rollup (an agent's batch has
// written its rollups already).
func (w *Watcher) Take(r Result, rollup bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wc := w.checks[r.CheckID]
	if wc == nil {
		w.ignored++
		return
	}
	v := wc.vantages[r.Vantage]
	if v == nil {
		v = &vantage{}
		wc.vantages[r.Vantage] = v
	}
	if r.Started.After(v.heard) {
		v.heard = r.Started
		v.latest = r
		v.recent[v.next] = Sample{Started: r.Started, Latency: r.Latency, OK: r.OK}
		v.next = (v.next + 1) % RecentResults
		v.count = min(v.count+1, RecentResults)
	}
	if _, changed := v.tracker.Observe(r, wc.check.Policy()); changed {
		w.decide(r.CheckID, wc, time.Now())
	}
	if rollup {
		k := rollupKey{r.CheckID, r.Vantage, HourOf(r.Started)}
		ru := w.rollups[k]
		if ru == nil {
			ru = &Rollup{CheckID: k.check, Vantage: k.vantage, Hour: k.hour}
			w.rollups[k] = ru
		}
		ru.Add(r)
	}
}

// decide takes the quorum of a check's vantage points at now and owes the
// database the interruption that opens or ends with it. w.mu is held.
func (w *Watcher) decide(id int64, wc *watched, now time.Time) {
	views := make([]View, 0, len(wc.vantages))
	for name, v := range wc.vantages {
		views = append(views, View{Vantage: name, State: v.tracker.State, Since: v.tracker.Since, Reason: v.tracker.Reason,
			Reporting: w.reporting(name, v, wc, now)})
	}
	verdict := Quorum(views, w.opt.Quorum)
	if verdict.State == StateUnknown {
		// Nobody can tell: the last verdict stands, an open interruption
		// stays open.
		wc.verdict.Down, wc.verdict.Up, wc.verdict.Silent = verdict.Down, verdict.Up, verdict.Silent
		return
	}
	if verdict.State == StateDown {
		for _, v := range views {
			if v.Reporting && v.State == StateDown && !slices.Contains(wc.sawDown, v.Vantage) {
				wc.sawDown = append(wc.sawDown, v.Vantage)
			}
		}
		slices.Sort(wc.sawDown)
	}
	sys := wc.check.SystemID
	switch {
	case verdict.State == StateDown && !wc.open:
		wc.open = true
		t := transition{checkID: id, open: true, at: verdict.Since, reason: verdict.Reason, vantages: slices.Clone(wc.sawDown)}
		if w.down[sys]++; w.down[sys] == 1 {
			t.system = &SystemEvent{SystemID: sys, Down: true, At: verdict.Since, Reason: wc.check.Target + ": " + verdict.Reason}
		}
		w.owe(t)
	case verdict.State == StateUp && wc.open:
		wc.open = false
		t := transition{checkID: id, at: verdict.Since, vantages: wc.sawDown}
		if w.down[sys]--; w.down[sys] <= 0 {
			delete(w.down, sys)
			t.system = &SystemEvent{SystemID: sys, At: verdict.Since}
		}
		w.owe(t)
		wc.sawDown = nil
	}
	wc.verdict = verdict
}

func (w *Watcher) owe(t transition) {
	if len(w.pending) >= maxPending {
		w.log.Error("monitoring: database unwritable for too long; giving up the oldest state change", "check", w.pending[0].checkID)
		w.pending = w.pending[1:]
	}
	w.pending = append(w.pending, t)
}

// reporting reports whether a vantage point's view of a check counts at
// now: it has been heard within SilentIntervals, and it is not the tower
// while the tower looks cut off. w.mu is held.
func (w *Watcher) reporting(name string, v *vantage, wc *watched, now time.Time) bool {
	return !Silent(v.heard, now, wc.check.Interval) && !(w.isolated && name == Vantage)
}

// Reconsider decides again every check at now: a vantage point that fell
// silent no longer counts, which may change the verdict. First it judges
// whether the tower itself is cut off (TowerIsolated): then its own
// results do not count until it is not.
func (w *Watcher) Reconsider(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var s Sight
	agents := map[string]bool{} // name: reporting on any of its checks
	for _, wc := range w.checks {
		for name, v := range wc.vantages {
			if name == Vantage {
				switch v.tracker.State {
				case StateDown:
					s.TowerDown++
					s.TowerKnown++
				case StateUp:
					s.TowerKnown++
				}
				continue
			}
			if now.Sub(v.heard) > AgentGone {
				continue // long gone: deleted, unbound or renamed; it says nothing of the tower
			}
			agents[name] = agents[name] || !Silent(v.heard, now, wc.check.Interval)
		}
	}
	for _, reporting := range agents {
		s.Agents++
		if !reporting {
			s.SilentAgents++
		}
	}
	isolated := TowerIsolated(s)
	switch {
	case isolated && !w.isolated:
		w.log.Error("monitoring: the tower looks cut off — every agent silent and most of its own probes failing; its own results do not count until this ends",
			"agents", s.Agents, "tower_down", s.TowerDown, "tower_known", s.TowerKnown)
	case !isolated && w.isolated:
		w.log.Warn("monitoring: the tower's own results count again", "agents", s.Agents, "silent", s.SilentAgents,
			"tower_down", s.TowerDown, "tower_known", s.TowerKnown)
	}
	// Entering or leaving isolation changes what the tower's own view
	// counts for, so every check is decided again then and while it lasts.
	was := w.isolated
	w.isolated = isolated
	for id, wc := range w.checks {
		if len(wc.vantages) > 1 || isolated || was {
			w.decide(id, wc, now)
		}
	}
}

// Sight is what Reconsider counts to tell whether the tower is cut off:
// the agents that have reported on any check and how many of them have
// fallen silent on all of theirs; the checks the tower has a state for
// and how many of those it sees down.
type Sight struct {
	Agents, SilentAgents  int
	TowerKnown, TowerDown int
}

// AgentGone is how long an agent may have been silent and still count
// among the agents whose silence says the tower is cut off: one unheard
// for longer was deleted, unbound or renamed, or has been down long enough
// to be fixed by people, and must not make a tower that has no other
// agents look cut off at its next real outage.
const AgentGone = time.Hour

// Isolation thresholds: at least this many checks known to the tower, and
// at least this share of them down.
const (
	IsolationMinChecks = 4
	IsolationDownShare = 0.5
)

// TowerIsolated reports whether the tower is more likely cut off than the
// systems down: it has agents, every one of them has fallen silent, and
// at least half of the (at least four) checks it knows it sees down. A
// fire or a cut line at the tower's own site looks exactly like that;
// then the tower's own results do not count, so that its site losing the
// network does not declare every system down. A real outage of many
// systems while the agents still report is declared as usual, and so is
// one seen by a tower without agents (it has nobody to ask).
func TowerIsolated(s Sight) bool {
	return s.Agents > 0 && s.SilentAgents == s.Agents && s.TowerKnown >= IsolationMinChecks &&
		float64(s.TowerDown) >= IsolationDownShare*float64(s.TowerKnown)
}

// writeTransitions writes the transitions owed, in order, in one
// transaction; on failure they are kept for the next try.
func (w *Watcher) writeTransitions(ctx context.Context) {
	w.writing.Lock()
	defer w.writing.Unlock()
	w.mu.Lock()
	owed := w.pending
	w.pending = nil
	w.mu.Unlock()
	if len(owed) == 0 {
		w.tell(ctx, nil)
		return
	}
	err := w.store.Write(ctx, func(tx *Tx) error {
		for _, t := range owed {
			if t.open {
				in := &Interruption{CheckID: t.checkID, StartedAt: t.at, Reason: t.reason, Vantages: t.vantages}
				if _, err := tx.OpenInterruption(ctx, in); err != nil && apperror.CodeOf(err) != apperror.NotFound {
					return err
				}
				continue
			}
			if _, err := tx.CloseInterruption(ctx, t.checkID, t.at, t.vantages); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		w.tell(ctx, owed)
		return
	}
	w.log.Error("monitoring: write state changes; will retry", "count", len(owed), "err", err)
	w.mu.Lock()
	w.failures++
	w.pending = append(owed, w.pending...)
	w.mu.Unlock()
}

// tell hands the OnSystem hook the system events of transitions just
// written, after those it failed on before, in order; it stops at the
// first failure and keeps the rest for the next write. Only the writing
// goroutine calls it.
func (w *Watcher) tell(ctx context.Context, written []transition) {
	if w.opt.OnSystem == nil {
		return
	}
	events := w.heard
	for _, t := range written {
		if t.system != nil {
			events = append(events, *t.system)
		}
	}
	for i, ev := range events {
		if err := w.opt.OnSystem(ctx, ev); err != nil {
			w.log.Error("monitoring: hand on a system's state; will retry", "system", ev.SystemID, "down", ev.Down, "err", err)
			w.heard = events[i:]
			return
		}
	}
	w.heard = nil
}

// writeRollups adds the rollups summed since the last write to the
// database; on failure they are summed back for the next try.
func (w *Watcher) writeRollups(ctx context.Context) {
	w.mu.Lock()
	held := w.rollups
	w.rollups = map[rollupKey]*Rollup{}
	w.mu.Unlock()
	if len(held) == 0 {
		return
	}
	list := make([]Rollup, 0, len(held))
	for _, r := range held {
		list = append(list, *r)
	}
	err := w.store.AddRollups(ctx, list)
	if err == nil {
		return
	}
	w.log.Error("monitoring: write latency rollups; will retry", "count", len(list), "err", err)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failures++
	for k, r := range held {
		if mine := w.rollups[k]; mine != nil {
			r.Merge(mine)
		}
		w.rollups[k] = r
	}
}

// MaxBatchResults bounds the results of one agent batch.
const MaxBatchResults = 1000

// BatchOutcome says what became of an agent's batch: Accepted false is a
// batch accepted before (a replay), which changed nothing; Taken results
// counted, Ignored ones were for checks the agent does not probe (any
// more), or came from an impossible time.
type BatchOutcome struct {
	Accepted bool `json:"accepted"`
	Taken    int  `json:"taken"`
	Ignored  int  `json:"ignored"`
}

// TakeBatch takes batch seq of an agent's results exactly once: the
// results of the checks the agent probes are written as rollups in the
// transaction that records the batch's receipt, and then taken into the
// state machines under the agent's name. A batch seen before changes
// nothing.
func (w *Watcher) TakeBatch(ctx context.Context, agent *Agent, seq int64, results []Result) (BatchOutcome, error) {
	var out BatchOutcome
	if len(results) > MaxBatchResults {
		return out, apperror.New(apperror.Invalid, "results", "monitor.invalid.batch_size", MaxBatchResults)
	}
	mine, err := w.store.agentCheckIDs(ctx, agent.ID)
	if err != nil {
		return out, err
	}
	now := w.store.Now()
	taken := make([]Result, 0, len(results))
	var rollups []Rollup
	for _, r := range results {
		if !mine[r.CheckID] || r.Started.IsZero() || r.Started.After(now.Add(time.Minute)) || r.Latency < 0 {
			out.Ignored++
			continue
		}
		r.Vantage, r.Reason, r.Warning = agent.Name, inventory.Clip(r.Reason, MaxReason), inventory.Clip(r.Warning, MaxReason)
		taken = append(taken, r)
		ru := Rollup{CheckID: r.CheckID, Vantage: r.Vantage, Hour: HourOf(r.Started)}
		ru.Add(r)
		rollups = append(rollups, ru)
	}
	out.Accepted, err = w.store.AcceptBatch(ctx, agent.ID, seq, func(tx *Tx) error { return tx.AddRollups(ctx, rollups) })
	if err != nil || !out.Accepted {
		return BatchOutcome{Accepted: out.Accepted}, err
	}
	// Oldest first, so that each state machine sees its results in order.
	slices.SortStableFunc(taken, func(a, b Result) int { return a.Started.Compare(b.Started) })
	for _, r := range taken {
		w.Take(r, false)
	}
	out.Taken = len(taken)
	return out, nil
}

// CheckStatus is one check as the live view shows it.
type CheckStatus struct {
	Check      Check  `json:"check"`
	SystemName string `json:"system_name"`
	Grade      int    `json:"grade"`
	// Verdict is the state the vantage points agree on.
	Verdict  Verdict         `json:"verdict"`
	Vantages []VantageStatus `json:"vantages"`
}

// VantageStatus is one vantage point's view of a check. Reporting false:
// it has fallen silent ("agent down"), and its state does not count.
type VantageStatus struct {
	Vantage   string    `json:"vantage"`
	State     State     `json:"state"`
	Since     time.Time `json:"since,omitzero"`
	Reporting bool      `json:"reporting"`
	Latest    Result    `json:"latest"`
	// Recent are the latest results, oldest first.
	Recent []Sample `json:"recent,omitempty"`
}

// Statuses lists the watched checks in scope, by system and target, with
// each vantage point's view (recent samples only with recent).
func (w *Watcher) Statuses(scope access.Scope, recent bool) []CheckStatus {
	return w.statuses(scope, 0, recent)
}

// SystemStatuses lists the watched checks of one system in scope, with
// their recent samples.
func (w *Watcher) SystemStatuses(scope access.Scope, systemID int64) []CheckStatus {
	return w.statuses(scope, systemID, true)
}

func (w *Watcher) statuses(scope access.Scope, systemID int64, recent bool) []CheckStatus {
	now := time.Now()
	w.mu.Lock()
	out := make([]CheckStatus, 0, len(w.checks))
	for _, wc := range w.checks {
		if !scope.Allows(wc.check.AgencyID) || systemID != 0 && wc.check.SystemID != systemID {
			continue
		}
		cs := CheckStatus{Check: wc.check, SystemName: wc.system, Grade: wc.grade, Verdict: wc.verdict}
		if cs.Verdict.State == "" {
			cs.Verdict.State = StateUnknown
		}
		for name, v := range wc.vantages {
			vs := VantageStatus{Vantage: name, State: v.tracker.State, Since: v.tracker.Since, Latest: v.latest,
				Reporting: w.reporting(name, v, wc, now)}
			if recent {
				vs.Recent = v.samples()
			}
			cs.Vantages = append(cs.Vantages, vs)
		}
		out = append(out, cs)
	}
	w.mu.Unlock()
	for i := range out {
		slices.SortFunc(out[i].Vantages, func(a, b VantageStatus) int { return compareVantages(a.Vantage, b.Vantage) })
	}
	slices.SortFunc(out, func(a, b CheckStatus) int {
		if a.Check.SystemID != b.Check.SystemID {
			return int(a.Check.SystemID - b.Check.SystemID)
		}
		return compareStrings(a.Check.Target, b.Check.Target)
	})
	return out
}

// samples are the recent results, oldest first.
func (v *vantage) samples() []Sample {
	out := make([]Sample, 0, v.count)
	for i := range v.count {
		out = append(out, v.recent[(v.next-v.count+i+RecentResults)%RecentResults])
	}
	return out
}

// compareVantages puts the tower first, then agents by name.
func compareVantages(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == Vantage:
		return -1
	case b == Vantage:
		return 1
	}
	return compareStrings(a, b)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// WatcherStats describes the Watcher for /metrics.
type WatcherStats struct {
	Checks   int
	Isolated bool   // the tower looks cut off (TowerIsolated)
	Pending  int    // state changes not yet written
	Ignored  uint64 // results for checks not watched
	Failures uint64 // database writes that failed (and were retried)
	Engine   EngineStats
}

// Stats reports the Watcher's counters.
func (w *Watcher) Stats() WatcherStats {
	w.mu.Lock()
	st := WatcherStats{Checks: len(w.checks), Isolated: w.isolated, Pending: len(w.pending), Ignored: w.ignored, Failures: w.failures}
	w.mu.Unlock()
	if w.engine != nil {
		st.Engine = w.engine.Stats()
	}
	return st
}

// agentCheckIDs are the ids of the checks agent probes (AgentChecks).
func (s *Store) agentCheckIDs(ctx context.Context, agentID int64) (map[int64]bool, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.id FROM checks c JOIN systems s ON s.id = c.system_id WHERE `+agentCondition, agentID)
	if err != nil {
		return nil, fmt.Errorf("monitor: checks of agent %d: %w", agentID, err)
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("monitor: checks of agent %d: %w", agentID, err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: checks of agent %d: %w", agentID, err)
	}
	return ids, nil
}
