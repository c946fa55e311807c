// Command watch measures the whole monitoring pipeline at
// whole-of-government scale (issue 5): the tower's Watcher as `yeonsok
// serve` runs it — the engine with the real monitor.Probe, a state machine
// per check, the quorum, interruptions written a second at a time and
// hourly latency rollups a minute at a time — on a real database:
//
//	go run ./bench/watch -n 10000 -interval 30s -duration 3m -slow 0.10 -hang 0.05
//
// It starts the load generator as a child process (not counted; -target
// uses one already running, started with the same -n and shares). A
// second child makes a fresh database — an SQLite file in a temporary
// folder, or -db: a file, or a postgres:// URL in which it makes a schema
// of its own — holding n synthetic systems (inventorytest.Populate), each
// with one HTTP endpoint at the load generator, and sets every check's
// interval and timeout; building the inventory in a child keeps it out of
// the CPU and memory measured. Then it runs monitor.NewWatcher for the
// duration. Midway it stops a range of targets and times, for each one
// that answered before, how long until the Watcher's verdict is down
// (read from Watcher.Statuses, timed by the probe result that tipped it)
// and until its interruption is stored (the interruptions table, read
// every 250 ms).
//
// It prints the probes started, the share started within 1 s of their
// due time, the start lag, the whole process's CPU per probe (probing,
// state, storage), its peak resident memory, the database's growth and
// the detection times, each beside the target.
//
// Storage: a rollup row is per check, vantage point and hour, written in
// the first minute of the hour and only updated after, so bytes grown in
// a few minutes of real time say nothing of a day. With -sim-hour D the
// results' start times are stretched so that an hour passes every D of
// the run: the rollups then roll over to new rows as they would every
// hour, and the growth over the run's simulated hours, times 24 divided by
// their number, is the growth per simulated day. Only the rollups' and
// interruptions' times are stretched; the schedule, the lag, the timeouts
// and the detection are real time.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yeonsok/bench/internal/loadgen"
	"yeonsok/bench/internal/procstat"
	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/monitor"
)

type config struct {
	n                 int
	interval, timeout time.Duration
	duration          time.Duration
	mix               loadgen.Mix
	target            string
	db                string
	keepDB            bool
	stop              int
	stopMode          string
	tick              time.Duration
	rollupEvery       time.Duration
	simHour           time.Duration
	memProfile        string
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 10000, "number of systems, each with one HTTP check (and targets)")
	flag.DurationVar(&c.interval, "interval", 30*time.Second, "interval of every check (set in SQL, so below monitor.MinInterval too)")
	flag.DurationVar(&c.timeout, "timeout", monitor.DefaultTimeout, "timeout of every check (cut to the interval)")
	flag.DurationVar(&c.duration, "duration", 3*time.Minute, "how long the Watcher runs")
	flag.Float64Var(&c.mix.Slow, "slow", 0.10, "share of targets that answer after 1 s")
	flag.Float64Var(&c.mix.Hang, "hang", 0.05, "share of targets that never answer")
	flag.Float64Var(&c.mix.Fail, "fail", 0, "share of targets that answer 503")
	flag.StringVar(&c.target, "target", "", "base URL of a running loadgen with the same -n and shares (empty: start one)")
	flag.StringVar(&c.db, "db", "", "SQLite file (must not exist) or postgres:// URL (a fresh schema is made in it); empty: a temporary SQLite file")
	flag.BoolVar(&c.keepDB, "keep-db", false, "keep the database (the temporary folder or the PostgreSQL schema) afterwards")
	flag.IntVar(&c.stop, "stop", 100, "targets stopped midway to time outage detection (0: none)")
	flag.StringVar(&c.stopMode, "stop-mode", "refuse", "how stopped targets fail: refuse, hang or fail")
	flag.DurationVar(&c.tick, "tick", 0, "the scheduler's resolution (0: monitor.DefaultTick)")
	flag.DurationVar(&c.rollupEvery, "rollup-every", 0, "how often the Watcher writes rollups (0: its default, a minute)")
	flag.DurationVar(&c.simHour, "sim-hour", 0, "let a simulated hour pass every this long, for the rollups (0: real time)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.StringVar(&c.memProfile, "memprofile", "", "write a heap profile to this file as the run ends, the Watcher still holding its state")
	loadgenChild := flag.Bool(loadgen.ChildFlag, false, "serve as the load generator (used by the benchmark itself)")
	setupChild := flag.Bool("setup-child", false, "make the database and exit (used by the benchmark itself)")
	flag.Parse()

	switch {
	case *loadgenChild:
		loadgen.ServeChild(c.n, c.mix)
		return
	case *setupChild:
		if err := setup(c); err != nil {
			log.Fatal(err)
		}
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

// setup is the setup child: it migrates c.db, writes n systems with one
// endpoint each at c.target, makes their checks and sets their interval
// and timeout.
func setup(c config) error {
	ctx := context.Background()
	db, err := database.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := inventorytest.Populate(ctx, inventory.NewStore(db), 16, 200, c.n); err != nil {
		return err
	}
	// Generate names system i+1's endpoint https://sys%05d.example.go.kr/health;
	// it becomes target i of the load generator.
	if _, err := db.Write.ExecContext(ctx, `UPDATE endpoints SET target = $1 || '/t/' ||
		CAST(CAST(substr(target, 12, 5) AS INTEGER) - 1 AS TEXT) WHERE target LIKE 'https://sys%'`, c.target); err != nil {
		return fmt.Errorf("point the endpoints at the load generator: %w", err)
	}
	if _, err := monitor.NewStore(db).SyncChecks(ctx); err != nil {
		return err
	}
	// Below monitor.MinInterval too, which people may not choose.
	if _, err := db.Write.ExecContext(ctx, `UPDATE checks SET interval_ms = $1, timeout_ms = $2`,
		c.interval.Milliseconds(), c.timeout.Milliseconds()); err != nil {
		return fmt.Errorf("set the checks' interval: %w", err)
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM checks WHERE active`).Scan(&n); err != nil {
		return err
	}
	fmt.Printf("setup: %d checks\n", n)
	return nil
}

// freshDB returns where the benchmark's database goes (a file that does
// not exist yet, or a URL to a fresh PostgreSQL schema) and a function
// that removes it.
func freshDB(c config) (target string, remove func(), err error) {
	switch {
	case database.IsPostgresURL(c.db):
		var random [4]byte
		rand.Read(random[:])
		schema := "bench_watch_" + hex.EncodeToString(random[:])
		admin, err := sql.Open("pgx", c.db)
		if err != nil {
			return "", nil, err
		}
		defer admin.Close()
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			return "", nil, fmt.Errorf("create schema: %w", err)
		}
		u, err := url.Parse(c.db)
		if err != nil {
			return "", nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), func() {
			if admin, err := sql.Open("pgx", c.db); err == nil {
				admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				admin.Close()
			}
		}, nil
	case c.db != "":
		if _, err := os.Stat(c.db); err == nil {
			return "", nil, fmt.Errorf("%s exists: the benchmark needs a fresh database", c.db)
		}
		return c.db, func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(c.db + suffix)
			}
		}, nil
	}
	dir, err := os.MkdirTemp("", "yeonsok-watch-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, "yeonsok.db"), func() { os.RemoveAll(dir) }, nil
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

	target, remove, err := freshDB(c)
	if err != nil {
		return err
	}
	if c.keepDB {
		fmt.Printf("database kept: %s\n", target)
	} else {
		defer remove()
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	began := time.Now()
	cmd := exec.Command(self, "-setup-child", "-db="+target, "-target="+base, fmt.Sprint("-n=", c.n),
		fmt.Sprint("-interval=", c.interval), fmt.Sprint("-timeout=", c.timeout))
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("make the database: %w", err)
	}
	fmt.Printf("database: %d systems and their checks made in %v (in a child process)\n", c.n, time.Since(began).Round(100*time.Millisecond))

	ctx := context.Background()
	db, err := database.Open(ctx, target)
	if err != nil {
		return err
	}
	defer db.Close()
	b, err := newBench(ctx, c, db)
	if err != nil {
		return err
	}
	size0, err := measure(ctx, db)
	if err != nil {
		return err
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w := monitor.NewWatcher(monitor.NewStore(db), log, monitor.WatcherOptions{
		Probe:            b.probe,
		Engine:           monitor.EngineOptions{Tick: c.tick},
		InventoryVersion: inventory.NewStore(db).Version,
		RollupEvery:      c.rollupEvery,
	})

	// The outage starts when there is time left for four intervals after
	// it (three failures and the phase), and a timeout more when stopped
	// targets hang, and not within the first interval, while the checks
	// start.
	needed := time.Duration(monitor.DefaultFailures+1) * c.interval
	if c.stopMode == "hang" {
		needed += min(c.timeout, c.interval)
	}
	stopAt := c.duration - needed
	if c.stop > 0 && stopAt < c.interval {
		fmt.Printf("no outage measured: -duration must be at least %v for that\n", needed+c.interval)
		c.stop = 0
	}

	runCtx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	cpu0, wall0 := procstat.Self(), time.Now()
	b.origin.Store(&wall0)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	var polls sync.WaitGroup
	if c.stop > 0 {
		time.Sleep(stopAt)
		if err := b.out.begin(base); err != nil {
			return err
		}
		polls.Go(func() { b.out.pollVerdicts(runCtx, w) })
		polls.Go(func() { b.out.pollStored(runCtx, db) })
	}
	if err := <-done; err != nil {
		return err
	}
	used, wall := procstat.Self().Sub(cpu0), time.Since(wall0)
	peak := procstat.PeakRSS()
	if c.memProfile != "" {
		if err := writeHeapProfile(c.memProfile); err != nil {
			return err
		}
	}
	polls.Wait()
	files := fileBytes(target)
	size1, err := measure(ctx, db)
	if err != nil {
		return err
	}

	st := w.Stats()
	es := st.Engine
	fmt.Printf("watcher benchmark (%s): %d HTTP checks every %v (timeout %v) for %v; %.0f%% slow (1 s), %.0f%% hanging, %.0f%% failing; GOMAXPROCS %d\n",
		db.Dialect, c.n, c.interval, min(c.timeout, c.interval), wall.Round(time.Second), c.mix.Slow*100, c.mix.Hang*100, c.mix.Fail*100, runtime.GOMAXPROCS(0))
	fmt.Printf("  checks run (probes started)    %d (%d results, %d cut short at the end; %d turns waited for the previous probe, %d skipped)\n",
		es.Started, b.total(), es.Dropped, es.Deferred, es.Skipped)
	within := 100 * float64(es.Started-es.Late) / float64(max(es.Started, 1))
	fmt.Printf("  started within 1 s of due      %.2f%%   (target ≥ 99%%)\n", within)
	fmt.Printf("  start lag                      p50 %v, p90 %v, p99 %v, max %v\n",
		es.LagP50.Round(time.Microsecond), es.LagP90.Round(time.Microsecond), es.LagP99.Round(time.Microsecond), es.LagMax.Round(time.Microsecond))
	if lg, err := loadgenStats(base, c.interval); err == nil {
		fmt.Printf("  seen by the load generator     %d requests; %.2f%% of the gaps between two requests to a target within %v ± 1 s (p50 %s, p99 %s)\n",
			lg.Requests, 100*lg.OnSchedule, c.interval, lg.GapP50, lg.GapP99)
	}
	perCheck := float64(used.Total()) / float64(max(es.Started, 1)) / float64(time.Millisecond)
	fmt.Printf("  CPU per check, whole process   %.3f ms   (target ≤ 0.5 ms; %v user + %v system in all, %.0f%% of one core)\n",
		perCheck, used.User.Round(time.Millisecond), used.Sys.Round(time.Millisecond), 100*float64(used.Total())/float64(wall))
	fmt.Printf("  peak resident memory           %.0f MB   (target ≤ 300 MB)\n", float64(peak)/(1<<20))
	fmt.Printf("  probes in flight               at most %d (bound %d); watcher: %d checks, %d state changes unwritten, %d failed writes\n",
		es.MaxInFlight, es.Concurrency, st.Checks, st.Pending, st.Failures)
	b.printTally()
	b.printStorage(c, wall, files, size0, size1)
	if c.stop > 0 {
		b.out.print()
	}
	return nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// bench wraps monitor.Probe: it counts results by the target's behaviour,
// notes for the outage when each probe of a stopped target returned, and
// with -sim-hour stretches the results' start times.
type bench struct {
	c      config
	index  map[int64]int // check id → load generator target
	origin atomic.Pointer[time.Time]
	scale  float64
	counts [5][2]atomic.Int64 // by behaviour, failed/ok
	out    *outage
}

func newBench(ctx context.Context, c config, db *database.DB) (*bench, error) {
	b := &bench{c: c, index: map[int64]int{}, scale: 1}
	if c.simHour > 0 {
		b.scale = float64(time.Hour) / float64(c.simHour)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT id, target FROM checks`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var target string
		if err := rows.Scan(&id, &target); err != nil {
			return nil, err
		}
		_, tail, _ := strings.Cut(target, "/t/")
		i, err := strconv.Atoi(tail)
		if err != nil {
			return nil, fmt.Errorf("check %d: target %q is not the load generator's", id, target)
		}
		b.index[id] = i
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(b.index) != c.n {
		return nil, fmt.Errorf("%d checks made, want %d", len(b.index), c.n)
	}
	// The stopped targets are the middle ones; only those that answered
	// before (fast or slow) can be seen going down.
	b.out = &outage{c: c, watched: map[int64]*detection{}}
	for id, i := range b.index {
		if beh := c.mix.Of(i); i >= c.n/2 && i < c.n/2+c.stop && (beh == loadgen.Fast || beh == loadgen.Slow) {
			b.out.watched[id] = &detection{}
		}
	}
	b.out.from, b.out.to = c.n/2, c.n/2+c.stop
	return b, nil
}

func (b *bench) probe(ctx context.Context, c monitor.Check) monitor.Result {
	r := monitor.Probe(ctx, c)
	returned := time.Now()
	i := b.index[c.ID]
	ok := 0
	if r.OK {
		ok = 1
	}
	b.counts[b.c.mix.Of(i)][ok].Add(1)
	b.out.returned(c.ID, returned)
	if b.scale != 1 {
		origin := *b.origin.Load()
		r.Started = origin.Add(time.Duration(float64(r.Started.Sub(origin)) * b.scale))
	}
	return r
}

func (b *bench) total() int64 {
	var n int64
	for i := range b.counts {
		n += b.counts[i][0].Load() + b.counts[i][1].Load()
	}
	return n
}

func (b *bench) printTally() {
	fmt.Printf("  results by target              ")
	for _, beh := range []loadgen.Behaviour{loadgen.Fast, loadgen.Slow, loadgen.Hang, loadgen.Fail} {
		fmt.Printf("%s %d up / %d down; ", beh, b.counts[beh][1].Load(), b.counts[beh][0].Load())
	}
	fmt.Println()
}

// size is what the database holds: the bytes its data takes (SQLite:
// pages in use after a checkpoint; PostgreSQL: tables and indexes after a
// vacuum), the rollups' and interruptions' share with their indexes, and
// their rows.
type size struct {
	used, rollupBytes, interruptionBytes int64
	rollups, interruptions, hours        int64
	latestHourRows                       int64
}

func measure(ctx context.Context, db *database.DB) (size, error) {
	var s size
	if db.Dialect == database.Postgres {
		if _, err := db.Write.ExecContext(ctx, `VACUUM`); err != nil {
			return s, err
		}
		err := db.Read.QueryRowContext(ctx, `SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&s.used)
		if err != nil {
			return s, err
		}
		err = db.Read.QueryRowContext(ctx, `SELECT pg_total_relation_size('latency_rollups'), pg_total_relation_size('interruptions')`).
			Scan(&s.rollupBytes, &s.interruptionBytes)
		if err != nil {
			return s, err
		}
	} else {
		if _, err := db.Write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return s, err
		}
		var pages, free, pageSize int64
		for _, q := range []struct {
			query string
			v     *int64
		}{{`PRAGMA page_count`, &pages}, {`PRAGMA freelist_count`, &free}, {`PRAGMA page_size`, &pageSize}} {
			if err := db.Write.QueryRowContext(ctx, q.query).Scan(q.v); err != nil {
				return s, err
			}
		}
		s.used = (pages - free) * pageSize
		// dbstat sums the pages of each table and its indexes.
		rows, err := db.Write.QueryContext(ctx, `SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name
			WHERE m.tbl_name IN ('latency_rollups', 'interruptions') GROUP BY m.tbl_name`)
		if err != nil {
			return s, fmt.Errorf("dbstat: %w", err)
		}
		for rows.Next() {
			var table string
			var n int64
			if err := rows.Scan(&table, &n); err != nil {
				rows.Close()
				return s, err
			}
			if table == "latency_rollups" {
				s.rollupBytes = n
			} else {
				s.interruptionBytes = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s, err
		}
	}
	err := db.Read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM latency_rollups), (SELECT COUNT(DISTINCT hour) FROM latency_rollups),
		(SELECT COUNT(*) FROM latency_rollups WHERE hour = (SELECT MAX(hour) FROM latency_rollups)), (SELECT COUNT(*) FROM interruptions)`).
		Scan(&s.rollups, &s.hours, &s.latestHourRows, &s.interruptions)
	return s, err
}

// files are the sizes of an SQLite database's file and its WAL as the
// run left them; zero for PostgreSQL.
type files struct{ db, wal int64 }

func fileBytes(target string) files {
	var f files
	if database.IsPostgresURL(target) {
		return f
	}
	if fi, err := os.Stat(target); err == nil {
		f.db = fi.Size()
	}
	if fi, err := os.Stat(target + "-wal"); err == nil {
		f.wal = fi.Size()
	}
	return f
}

func (b *bench) printStorage(c config, wall time.Duration, files files, s0, s1 size) {
	mb := func(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }
	grown := s1.used - s0.used
	rollupRows, interruptions := s1.rollups-s0.rollups, s1.interruptions-s0.interruptions
	perRow := float64(s1.rollupBytes-s0.rollupBytes) / float64(max(rollupRows, 1))
	perInterruption := float64(s1.interruptionBytes-s0.interruptionBytes) / float64(max(interruptions, 1))
	fmt.Printf("  database grew                  %s (%d rollup rows over %d hours, %.1f B a row; %d interruptions, %.0f B each); its files at the end %s with %s of WAL\n",
		mb(grown), rollupRows, s1.hours, perRow, interruptions, perInterruption, mb(files.db), mb(files.wal))
	if c.simHour > 0 {
		simulated := wall.Hours() * b.scale
		fmt.Printf("  grown per simulated day        %s   (target ≤ 100 MB: %s over %.1f simulated hours × 24 / %.1f; an hour every %v)\n",
			mb(int64(float64(grown)*24/simulated)), mb(grown), simulated, simulated, c.simHour)
		return
	}
	// In real time the hour's rollup rows are all written in the run's
	// first minute, so scaling the growth by the run's length counts them
	// again and again: the rollups' day is the hour's rows 24 times. The
	// interruptions depend on how often targets fail, which a few minutes
	// cannot tell: their cost is given per interruption, and at this run's
	// rate.
	rollupDay := float64(s1.latestHourRows) * 24 * perRow
	atThisRate := float64(interruptions) * (24 * time.Hour).Seconds() / wall.Seconds() * perInterruption
	fmt.Printf("  per day, from the rows         rollups %s (%d rows an hour × 24 × %.1f B); interruptions %.0f B each, %s a day at this run's rate (%d in %v)   (target ≤ 100 MB; not measured over a day: see -sim-hour)\n",
		mb(int64(rollupDay)), s1.latestHourRows, perRow, perInterruption, mb(int64(atThisRate)), interruptions, wall.Round(time.Second))
}

// loadgenStats asks the load generator how many requests it got and how
// evenly each target's came.
func loadgenStats(base string, interval time.Duration) (loadgen.Stats, error) {
	var st loadgen.Stats
	resp, err := http.Get(base + "/control/stats?interval=" + interval.String())
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&st)
	return st, err
}

// outage times how long after a range of targets stops the Watcher
// declares each of them down, and stores the interruption.
type outage struct {
	c        config
	from, to int
	began    time.Time // zero until the targets stop
	mu       sync.Mutex
	watched  map[int64]*detection
	polls    int
	pollTime time.Duration
}

// detection is one stopped target's check: when its latest probe
// returned, and how long after the stop its verdict was down and its
// interruption stored (zero: not yet).
type detection struct {
	returned        time.Time
	verdict, stored time.Duration
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

func (o *outage) returned(id int64, at time.Time) {
	o.mu.Lock()
	if d := o.watched[id]; d != nil && !o.began.IsZero() {
		d.returned = at
	}
	o.mu.Unlock()
}

// pollVerdicts reads the Watcher's verdicts several times an interval
// until every stopped check is down. The verdict turns down as the
// result that tips it is taken, just after its probe returns, so the
// time of detection is when that probe returned: the latest return before
// the poll that first sees it down (a check returns once an interval, and
// the polls are closer).
func (o *outage) pollVerdicts(ctx context.Context, w *monitor.Watcher) {
	every := min(max(o.c.interval/10, 250*time.Millisecond), 2*time.Second)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		statuses := w.Statuses(access.All(), false)
		took := time.Since(start)
		o.mu.Lock()
		o.polls++
		o.pollTime += took
		left := 0
		for _, s := range statuses {
			d := o.watched[s.Check.ID]
			if d == nil || d.verdict > 0 {
				continue
			}
			if s.Verdict.State != monitor.StateDown {
				left++
				continue
			}
			at := d.returned
			if at.IsZero() || at.After(start) {
				at = start
			}
			d.verdict = max(at.Sub(o.began), time.Nanosecond)
		}
		o.mu.Unlock()
		if left == 0 {
			return
		}
	}
}

// pollStored reads the open interruptions every 250 ms until every
// stopped check has one.
func (o *outage) pollStored(ctx context.Context, db *database.DB) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rows, err := db.Read.QueryContext(ctx, `SELECT check_id FROM interruptions WHERE ended_at IS NULL`)
		if err != nil {
			continue
		}
		var open []int64
		for rows.Next() {
			var id int64
			if rows.Scan(&id) == nil {
				open = append(open, id)
			}
		}
		rows.Close()
		seen := time.Now()
		o.mu.Lock()
		for _, id := range open {
			if d := o.watched[id]; d != nil && d.stored == 0 {
				d.stored = seen.Sub(o.began)
			}
		}
		left := 0
		for _, d := range o.watched {
			if d.stored == 0 {
				left++
			}
		}
		o.mu.Unlock()
		if left == 0 {
			return
		}
	}
}

func (o *outage) print() {
	o.mu.Lock()
	defer o.mu.Unlock()
	target := time.Duration(monitor.DefaultFailures)*o.c.interval + 2*time.Second
	var verdicts, stored []time.Duration
	for _, d := range o.watched {
		if d.verdict > 0 {
			verdicts = append(verdicts, d.verdict)
		}
		if d.stored > 0 {
			stored = append(stored, d.stored)
		}
	}
	line := func(what string, times []time.Duration) {
		slices.Sort(times)
		fmt.Printf("    %-28s %d of %d", what, len(times), len(o.watched))
		if len(times) > 0 {
			at := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
			fmt.Printf(": p50 %v, p99 %v, max %v", at(0.50).Round(time.Millisecond), at(0.99).Round(time.Millisecond),
				times[len(times)-1].Round(time.Millisecond))
		}
		fmt.Printf("   (target ≤ %v)\n", target)
	}
	fmt.Printf("  outage detection               %d targets stopped (%s), %d of them answering before; time from the stop to\n",
		o.to-o.from, o.c.stopMode, len(o.watched))
	line("the Watcher's verdict down", verdicts)
	line("the interruption stored", stored)
	if o.polls > 0 {
		fmt.Printf("    (%d reads of Watcher.Statuses for it, %.1f ms each, counted in the CPU above)\n",
			o.polls, float64(o.pollTime)/float64(o.polls)/float64(time.Millisecond))
	}
}
