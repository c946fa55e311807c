// Command backups measures backup evidence at whole-of-government scale
// (issue 7): a year of runs for 10,000 systems sent through the real API,
// then every system's compliance and exposure recomputed, and the
// ministry's reads of them timed:
//
//	go run ./bench/backups -systems 10000 -days 365
//
// It makes a fresh database — an SQLite file in a temporary folder, or
// -db: a file that does not exist yet, or a postgres:// URL in which it
// makes a schema of its own — holding the synthetic inventory
// (inventorytest.Populate: -agencies agencies, -facilities facilities,
// -systems systems), serves the tower (web.New) on loopback, creates a
// ministry script token and, as -clients concurrent clients, POSTs
// /api/v1/backups with -batch runs a request. Each system has an
// incremental run every day and, on one day of the week, a full run
// beside it: -days × (1 + 1/7) runs a system, about 417 for a year. Most copies are online in the system's primary facility; the
// weekly full of a third of the systems goes on tape to another facility;
// about 1 % of runs fail; a full run a quarter carries a restore test for
// half the systems. The runs are sent a day at a time across all systems,
// as jobs report them day by day.
//
// It prints the runs sent, the wall time and rate, the database's size,
// the process's peak resident memory (server and clients together), then
//
//   - the recompute of every system's compliance and exposure as the tower
//     does it — inventory Store.Load, backup Store.Latests and backup.Judge
//     over all systems — median and max over -recompute runs (target ≤ 1 s);
//   - GET /api/v1/backups/status as the ministry (every system), p50 and
//     p99 over -requests requests, one at a time;
//   - with -page PATH (e.g. /backups), that page for a ministry admin
//     signed in, p50 and p99 over -requests (target ≤ 200 ms p99); with
//     -report-every D as well, while a job reports one new run every D
//     meanwhile, so that views after a report find the caches stale.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"yeonsok/bench/internal/procstat"
	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/web"
)

type config struct {
	systems, agencies, facilities int
	days                          int
	batch, clients                int
	db                            string
	keepDB                        bool
	recompute, requests           int
	page                          string
	reportEvery                   time.Duration
	cpuProfile                    string
}

func main() {
	var c config
	flag.IntVar(&c.systems, "systems", 10000, "number of systems")
	flag.IntVar(&c.agencies, "agencies", 16, "number of agencies")
	flag.IntVar(&c.facilities, "facilities", 18, "number of facilities")
	flag.IntVar(&c.days, "days", 365, "days of runs per system (a daily incremental, a weekly full)")
	flag.IntVar(&c.batch, "batch", 4000, "runs per POST /api/v1/backups (at most backup.MaxRunsPerReport)")
	flag.IntVar(&c.clients, "clients", 4, "concurrent clients posting")
	flag.StringVar(&c.db, "db", "", "SQLite file (must not exist) or postgres:// URL (a fresh schema is made in it); empty: a temporary SQLite file")
	flag.BoolVar(&c.keepDB, "keep-db", false, "keep the database (the temporary folder or the PostgreSQL schema) afterwards")
	flag.IntVar(&c.recompute, "recompute", 10, "recomputes of every system's compliance and exposure timed")
	flag.IntVar(&c.requests, "requests", 50, "requests timed per read (status API, page)")
	flag.StringVar(&c.page, "page", "", "also time this page for a signed-in ministry admin (e.g. /backups)")
	flag.DurationVar(&c.reportEvery, "report-every", 0, "with -page: time the page again while a job reports a run this often (e.g. 1s; 0: not)")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the ingest to this file")
	flag.Parse()
	if c.batch < 1 || c.batch > backup.MaxRunsPerReport {
		log.Fatalf("-batch must be 1 to %d", backup.MaxRunsPerReport)
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// freshDB returns where the benchmark's database goes (a file that does
// not exist yet, or a URL to a fresh PostgreSQL schema) and a function
// that removes it.
func freshDB(c config) (target string, remove func(), err error) {
	switch {
	case database.IsPostgresURL(c.db):
		var random [4]byte
		rand.Read(random[:])
		schema := "bench_backups_" + hex.EncodeToString(random[:])
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
		fmt.Printf("database: PostgreSQL schema %s\n", schema)
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
	dir, err := os.MkdirTemp("", "yeonsok-backups-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, "yeonsok.db"), func() { os.RemoveAll(dir) }, nil
}

func run(c config) error {
	ctx := context.Background()
	target, remove, err := freshDB(c)
	if err != nil {
		return err
	}
	if c.keepDB {
		fmt.Printf("database kept: %s\n", target)
	} else {
		defer remove()
	}
	db, err := database.Open(ctx, target)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	began := time.Now()
	store := inventory.NewStore(db)
	if err := inventorytest.Populate(ctx, store, c.agencies, c.facilities, c.systems); err != nil {
		return err
	}
	inv, err := store.Load(ctx, access.All())
	if err != nil {
		return err
	}
	fmt.Printf("inventory: %d systems, %d agencies, %d facilities made in %v\n",
		len(inv.Systems), len(inv.Agencies), len(inv.Facilities), time.Since(began).Round(100*time.Millisecond))

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	accounts := auth.NewStore(db, auth.DefaultSettings())
	srv, err := web.New(db, logger, accounts, web.Options{})
	if err != nil {
		return err
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	token, err := accounts.CreateToken(ctx, &auth.Token{Name: "bench backups", Role: auth.Script})
	if err != nil {
		return err
	}

	// Ingest.
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	size0 := fileBytes(target)
	st, err := ingest(ctx, c, ts.URL, token, inv)
	if c.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	peak := procstat.PeakRSS()
	used, err := dbSize(ctx, db)
	if err != nil {
		return err
	}
	files := fileBytes(target)
	fmt.Printf("ingest (%s, GOMAXPROCS %d): %d systems × %d days through POST /api/v1/backups, %d runs a request, %d clients\n",
		db.Dialect, runtime.GOMAXPROCS(0), c.systems, c.days, c.batch, c.clients)
	fmt.Printf("  runs sent                      %d in %d requests (%d accepted, %d duplicates); request bodies %.0f KB on average, at most %.0f KB\n",
		st.runs, st.requests, st.accepted, st.duplicates, float64(st.bytes)/float64(max(st.requests, 1))/1e3, float64(st.maxBytes)/1e3)
	fmt.Printf("  wall time                      %v\n", st.wall.Round(100*time.Millisecond))
	fmt.Printf("  rate                           %.0f runs/s\n", float64(st.runs)/st.wall.Seconds())
	fmt.Printf("  request latency                p50 %v, p99 %v, max %v\n", st.p(0.50), st.p(0.99), st.p(1))
	fmt.Printf("  CPU, whole process             %v user + %v system (%.0f%% of one core)\n",
		st.cpu.User.Round(time.Second), st.cpu.Sys.Round(time.Second), 100*float64(st.cpu.Total())/float64(st.wall))
	if database.IsPostgresURL(target) {
		fmt.Printf("  database size                  %.1f MB (tables and indexes of the schema)\n", float64(used)/1e6)
	} else {
		fmt.Printf("  database size                  %.1f MB in use; file %.1f MB (%.1f MB before the runs), WAL %.1f MB after a checkpoint\n",
			float64(used)/1e6, float64(files.db)/1e6, float64(size0.db)/1e6, float64(files.wal)/1e6)
	}
	fmt.Printf("  peak resident memory           %.0f MB (server and clients in one process)\n", float64(peak)/(1<<20))

	// Recompute every system's compliance and exposure.
	bs := backup.NewStore(db)
	var times []time.Duration
	var loadT, latestT, judgeT time.Duration
	var statuses []*backup.SystemStatus
	for range max(c.recompute, 1) {
		t0 := time.Now()
		inv, err := store.Load(ctx, access.All())
		if err != nil {
			return err
		}
		t1 := time.Now()
		latest, err := bs.Latests(ctx, access.All())
		if err != nil {
			return err
		}
		t2 := time.Now()
		statuses = backup.Judge(inv, latest, 0, time.Now())
		t3 := time.Now()
		times = append(times, t3.Sub(t0))
		loadT, latestT, judgeT = loadT+t1.Sub(t0), latestT+t2.Sub(t1), judgeT+t3.Sub(t2)
	}
	n := time.Duration(len(times))
	slices.Sort(times)
	fmt.Printf("recompute of every system's compliance and exposure (inventory Load + backup Latests + backup.Judge), %d runs\n", len(times))
	fmt.Printf("  time                           median %v, max %v   (target ≤ 1 s); on average Load %v, Latests %v, Judge %v\n",
		ms(times[len(times)/2]), ms(times[len(times)-1]), ms(loadT/n), ms(latestT/n), ms(judgeT/n))
	compliant, breaching := 0, 0
	for _, s := range statuses {
		if s.Compliant() {
			compliant++
		}
		if s.Breaches() > 0 {
			breaching++
		}
	}
	fmt.Printf("  verdicts                       %d systems: %d compliant, %d with an exposure beyond target\n", len(statuses), compliant, breaching)

	// The ministry's reads.
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	p50, p99, size, err := timeGets(ts.Client(), ts.URL+"/api/v1/backups/status", c.requests, bearer)
	if err != nil {
		return err
	}
	fmt.Printf("GET /api/v1/backups/status as the ministry (%d systems), %d requests one at a time\n", len(statuses), c.requests)
	fmt.Printf("  latency                        p50 %v, p99 %v; %.1f MB a response\n", ms(p50), ms(p99), float64(size)/1e6)
	if c.page != "" {
		client, err := ministryAdmin(ctx, accounts, ts)
		if err != nil {
			return err
		}
		p50, p99, size, err := timeGets(client, ts.URL+c.page, c.requests, nil)
		if err != nil {
			return err
		}
		fmt.Printf("GET %s as a ministry admin (%d systems), %d requests one at a time\n", c.page, len(statuses), c.requests)
		fmt.Printf("  latency                        p50 %v, p99 %v   (target ≤ 200 ms p99); %.1f MB a page\n", ms(p50), ms(p99), float64(size)/1e6)
		if c.reportEvery > 0 {
			stop := reportMeanwhile(ctx, ts.URL, token, inv, c.reportEvery)
			p50, p99, _, err := timeGets(client, ts.URL+c.page, c.requests, nil)
			reports, reportErr := stop()
			if err != nil {
				return err
			}
			if reportErr != nil {
				return reportErr
			}
			fmt.Printf("GET %s as a ministry admin while a job reports a run every %v (%d reports meanwhile), %d requests one at a time\n",
				c.page, c.reportEvery, reports, c.requests)
			fmt.Printf("  latency                        p50 %v, p99 %v   (target ≤ 200 ms p99)\n", ms(p50), ms(p99))
		}
	}
	return nil
}

// reportMeanwhile posts one new successful run of the next system every
// interval (a copy online in its primary facility, or the first facility
// when it has none recorded) until stopped; stop reports how many were
// accepted, or the first failure.
func reportMeanwhile(ctx context.Context, base, token string, inv *inventory.Inventory, every time.Duration) (stop func() (int, error)) {
	ctx, cancel := context.WithCancel(ctx)
	var sent int
	var failure error
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			s := inv.Systems[i%len(inv.Systems)]
			facility := inv.Facilities[0].ID
			if s.PrimaryFacilityID != nil {
				facility = *s.PrimaryFacilityID
			}
			end := time.Now().Add(-time.Minute)
			run := backup.Run{SystemID: s.ID, Key: fmt.Sprintf("live-%d", i), Kind: backup.KindIncremental, StartedAt: end.Add(-10 * time.Minute),
				EndedAt: end, Result: backup.ResultSuccess, Copy: backup.Copy{FacilityID: facility, Medium: backup.MediumOnline}}
			body, _ := json.Marshal(map[string]any{"runs": []backup.Run{run}})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/backups", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				failure = err
				return
			}
			if resp.StatusCode != http.StatusOK {
				failure = fmt.Errorf("POST /api/v1/backups (one run): %s", resp.Status)
				return
			}
			sent++
		}
	}()
	return func() (int, error) {
		cancel()
		<-done
		return sent, failure
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// stats are what the ingest measured.
type stats struct {
	runs, requests, accepted, duplicates int64
	bytes, maxBytes                      int64
	wall                                 time.Duration
	cpu                                  procstat.CPU
	latencies                            []time.Duration
}

func (s *stats) p(q float64) string {
	if len(s.latencies) == 0 {
		return "-"
	}
	i := min(len(s.latencies)-1, int(q*float64(len(s.latencies))))
	return ms(s.latencies[i])
}

// ingest sends the runs of c.days days, the oldest first, each day's runs
// of every system in batches of c.batch, c.clients requests at a time.
func ingest(ctx context.Context, c config, base, token string, inv *inventory.Inventory) (*stats, error) {
	facilities := make([]int64, 0, len(inv.Facilities))
	for _, f := range inv.Facilities {
		facilities = append(facilities, f.ID)
	}
	if len(facilities) == 0 {
		return nil, fmt.Errorf("no facilities")
	}
	// The newest day's runs start 7 to 3 hours ago and have all ended:
	// a system whose jobs ran is judged on last night's runs.
	first := time.Now().UTC().Truncate(time.Minute).Add(-7*time.Hour).AddDate(0, 0, 1-c.days)

	batches := make(chan []backup.Run, c.clients)
	go func() {
		defer close(batches)
		batch := make([]backup.Run, 0, c.batch)
		for d := range c.days {
			day := first.AddDate(0, 0, d)
			for i, s := range inv.Systems {
				for _, r := range runsOf(i, s, d, day, facilities) {
					batch = append(batch, r)
					if len(batch) == c.batch {
						batches <- batch
						batch = make([]backup.Run, 0, c.batch)
					}
				}
			}
		}
		if len(batch) > 0 {
			batches <- batch
		}
	}()

	st := &stats{}
	var mu sync.Mutex
	var failed atomic.Pointer[error]
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}}
	cpu0, wall0 := procstat.Self(), time.Now()
	var wg sync.WaitGroup
	for range c.clients {
		wg.Go(func() {
			var buf bytes.Buffer
			for batch := range batches {
				if failed.Load() != nil {
					continue
				}
				buf.Reset()
				if err := json.NewEncoder(&buf).Encode(map[string]any{"runs": batch}); err != nil {
					failed.Store(&err)
					continue
				}
				size := int64(buf.Len())
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/backups", bytes.NewReader(buf.Bytes()))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(&err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				if resp.StatusCode != http.StatusOK {
					err := fmt.Errorf("POST /api/v1/backups (%d runs, %d bytes): %s %s", len(batch), size, resp.Status, body)
					failed.Store(&err)
					continue
				}
				var rc backup.Receipt
				if err := json.Unmarshal(body, &rc); err != nil {
					failed.Store(&err)
					continue
				}
				mu.Lock()
				st.runs += int64(len(batch))
				st.requests++
				st.accepted += int64(rc.Accepted)
				st.duplicates += int64(rc.Duplicates)
				st.bytes += size
				st.maxBytes = max(st.maxBytes, size)
				st.latencies = append(st.latencies, took)
				if st.requests%100 == 0 {
					fmt.Fprintf(os.Stderr, "  … %d runs in %v\n", st.runs, time.Since(wall0).Round(time.Second))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	st.wall, st.cpu = time.Since(wall0), procstat.Self().Sub(cpu0)
	slices.Sort(st.latencies)
	if err := failed.Load(); err != nil {
		return st, *err
	}
	return st, nil
}

// runsOf are system s's (the i-th) runs of day d: an incremental every
// day, and on its weekday a full one as well.
func runsOf(i int, s *inventory.System, d int, day time.Time, facilities []int64) []backup.Run {
	primary := facilities[i%len(facilities)]
	if s.PrimaryFacilityID != nil {
		primary = *s.PrimaryFacilityID
	}
	elsewhere := facilities[(slices.Index(facilities, primary)+1)%len(facilities)]
	start := day.Add(time.Duration(i%240) * time.Minute)
	mk := func(kind string, minutes int) backup.Run {
		size := int64(1+i%50) << 30
		r := backup.Run{SystemID: s.ID, Key: fmt.Sprintf("%s-%d", kind[:3], d), Kind: kind, StartedAt: start,
			EndedAt: start.Add(time.Duration(minutes) * time.Minute), SizeBytes: &size, Result: backup.ResultSuccess,
			Copy: backup.Copy{FacilityID: primary, Medium: backup.MediumOnline}}
		if (i*31+d*17)%100 == 0 {
			r.Result = backup.ResultFailed
		}
		return r
	}
	runs := []backup.Run{mk(backup.KindIncremental, 20)}
	if (d+i)%7 == 0 {
		full := mk(backup.KindFull, 90)
		if i%3 == 0 {
			full.Copy = backup.Copy{FacilityID: elsewhere, Medium: backup.MediumTape}
		}
		if i%2 == 0 && (d+i)%91 == 0 {
			full.RestoreTest = &backup.RestoreTest{At: full.EndedAt.Add(time.Hour), Result: backup.ResultSuccess, Seconds: 1800}
		}
		runs = append(runs, full)
	}
	return runs
}

// timeGets fetches u n times, one at a time after a warm-up, and returns
// the latency's p50 and p99 and the response's size.
func timeGets(client *http.Client, u string, n int, prepare func(*http.Request)) (p50, p99 time.Duration, size int64, err error) {
	fetch := func() (time.Duration, error) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if prepare != nil {
			prepare(req)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return took, nil
	}
	if _, err := fetch(); err != nil {
		return 0, 0, 0, err
	}
	var latencies []time.Duration
	for range max(n, 1) {
		took, err := fetch()
		if err != nil {
			return 0, 0, 0, err
		}
		latencies = append(latencies, took)
	}
	slices.Sort(latencies)
	return latencies[len(latencies)/2], latencies[min(len(latencies)-1, len(latencies)*99/100)], size, nil
}

// ministryAdmin is a client of ts signed in as a new ministry admin.
func ministryAdmin(ctx context.Context, accounts *auth.Store, ts *httptest.Server) (*http.Client, error) {
	u := &auth.User{Login: "bench.admin", Name: "벤치 관리자", Role: auth.MinistryAdmin}
	if err := accounts.CreateUser(ctx, u, "bench-password-0123456789"); err != nil {
		return nil, err
	}
	session, err := accounts.NewSession(ctx, u.ID, "127.0.0.1", "bench")
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(ts.URL)
	jar.SetCookies(base, []*http.Cookie{{Name: "yeonsok_session", Value: session, Path: "/"}})
	client := ts.Client()
	client.Jar = jar
	return client, nil
}

// dbSize is the bytes the database's data takes: SQLite, pages in use
// after a checkpoint; PostgreSQL, the schema's tables and indexes.
func dbSize(ctx context.Context, db *database.DB) (int64, error) {
	var used int64
	if db.Dialect == database.Postgres {
		err := db.Read.QueryRowContext(ctx, `SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&used)
		return used, err
	}
	if _, err := db.Write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	var pages, free, pageSize int64
	for _, q := range []struct {
		query string
		v     *int64
	}{{`PRAGMA page_count`, &pages}, {`PRAGMA freelist_count`, &free}, {`PRAGMA page_size`, &pageSize}} {
		if err := db.Write.QueryRowContext(ctx, q.query).Scan(q.v); err != nil {
			return 0, err
		}
	}
	return (pages - free) * pageSize, nil
}

// files are the sizes of an SQLite database's file and its WAL; zero for
// PostgreSQL.
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
