package monitor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// eachDB runs a benchmark on SQLite and, when a server is set, PostgreSQL.
func eachDB(b *testing.B, fn func(b *testing.B, db *database.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, testdb.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, testdb.Postgres(b)) })
}

// BenchmarkSystemUptimeYear reads and computes a year of one system's
// uptime: 600 interruptions of its two checks (300 outages, most seen by
// both) and a maintenance window every week, beside another system with as
// many. Target: ≤ 10 ms.
func BenchmarkSystemUptimeYear(b *testing.B) {
	eachDB(b, func(b *testing.B, db *database.DB) {
		f := newFixture(b, db)
		ctx := f.ctx
		web, port := f.check(b, "https://insurance.example.go.kr/health"), f.check(b, "tcp://db.insurance:5432")
		dns := f.check(b, "dns://www.work24.go.kr")
		err := f.store.Write(ctx, func(tx *monitor.Tx) error {
			for i := range 300 {
				start := t0.Add(time.Duration(i) * 29 * time.Hour)
				for _, c := range []struct {
					check monitor.Check
					lasts time.Duration
				}{{web, time.Duration(3+i%17) * time.Minute}, {port, time.Duration(5+i%7) * time.Minute}, {dns, 4 * time.Minute}} {
					in := &monitor.Interruption{CheckID: c.check.ID, StartedAt: start, Reason: "connection refused", Vantages: []string{"tower", "busan"}}
					if _, err := tx.OpenInterruption(ctx, in); err != nil {
						return err
					}
					if _, err := tx.CloseInterruption(ctx, c.check.ID, start.Add(c.lasts), nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		for w := range 52 {
			start := t0.Add(time.Duration(w)*7*24*time.Hour + 2*time.Hour)
			win := &monitor.MaintenanceWindow{SystemID: f.insurance.ID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Note: "정기 점검"}
			if err := f.store.CreateMaintenanceWindow(ctx, access.All(), win); err != nil {
				b.Fatal(err)
			}
		}
		from, to := t0, t0.AddDate(1, 0, 0)
		f.store.Now = func() time.Time { return to }
		b.ResetTimer()
		for b.Loop() {
			u, err := f.store.SystemUptime(ctx, f.welfareScope, f.insurance.ID, from, to)
			if err != nil || u.Interruptions < 250 {
				b.Fatalf("%+v (%v)", u, err)
			}
		}
	})
}

// whole is a whole-of-government inventory of n systems, one endpoint
// each, with its checks made.
func whole(b *testing.B, db *database.DB, n int) (*monitor.Store, []monitor.Check) {
	ctx := context.Background()
	if err := inventorytest.Populate(ctx, inventory.NewStore(db), 16, 200, n); err != nil {
		b.Fatal(err)
	}
	store := monitor.NewStore(db)
	if _, err := store.SyncChecks(ctx); err != nil {
		b.Fatal(err)
	}
	checks, err := store.Checks(ctx, access.All())
	if err != nil || len(checks) != n {
		b.Fatalf("%d checks (%v)", len(checks), err)
	}
	return store, checks
}

// hourOf is a realistic hour of rollups of every check from the tower at
// 30 s: 120 probes, 10 % slow (1 s), 5 % hanging until the timeout.
func hourOf(checks []monitor.Check, hour time.Time) []monitor.Rollup {
	list := make([]monitor.Rollup, len(checks))
	for i, c := range checks {
		r := monitor.Rollup{CheckID: c.ID, Vantage: monitor.Vantage, Hour: hour}
		for p := range 120 {
			switch {
			case i%20 == 0:
				r.Add(monitor.Result{Latency: 10 * time.Second, Reason: "timeout after 10s"})
			case i%10 == 1:
				r.Add(monitor.Result{OK: true, Latency: time.Second + time.Duration(p)*time.Millisecond})
			default:
				r.Add(monitor.Result{OK: true, Latency: time.Duration(2+p%30) * time.Millisecond})
			}
		}
		list[i] = r
	}
	return list
}

// BenchmarkFlushRollups10000 is one flush of the engine's in-memory
// rollups of 10,000 checks: upserts into the hour's rows.
func BenchmarkFlushRollups10000(b *testing.B) {
	eachDB(b, func(b *testing.B, db *database.DB) {
		store, checks := whole(b, db, 10000)
		flush := hourOf(checks, t0)
		b.ResetTimer()
		for b.Loop() {
			if err := store.AddRollups(context.Background(), flush); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRollupStorageDay writes a day of hourly rollups of 10,000
// checks from the tower and reports what the database grew by: the
// rollups' share of the "≤ 100 MB per simulated day".
func BenchmarkRollupStorageDay(b *testing.B) {
	eachDB(b, func(b *testing.B, db *database.DB) {
		store, checks := whole(b, db, 10000)
		ctx := context.Background()
		before := used(b, db)
		day := 0
		b.ResetTimer()
		for b.Loop() {
			for h := range 24 {
				if err := store.AddRollups(ctx, hourOf(checks, t0.Add(time.Duration(day*24+h)*time.Hour))); err != nil {
					b.Fatal(err)
				}
			}
			day++
		}
		b.StopTimer()
		grown := used(b, db) - before
		b.ReportMetric(float64(grown)/float64(day)/1e6, "MB/day")
		b.ReportMetric(float64(grown)/float64(day*24*len(checks)), "B/row")
	})
}

// used is the space the database's data takes: SQLite's pages in use
// after a checkpoint, PostgreSQL's tables and indexes after a vacuum.
func used(b *testing.B, db *database.DB) int64 {
	ctx := context.Background()
	var n int64
	if db.Dialect == database.Postgres {
		if _, err := db.Write.ExecContext(ctx, `VACUUM`); err != nil {
			b.Fatal(err)
		}
		err := db.Read.QueryRowContext(ctx, `SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	if _, err := db.Write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	var pages, free, pageSize int64
	for q, v := range map[string]*int64{`PRAGMA page_count`: &pages, `PRAGMA freelist_count`: &free, `PRAGMA page_size`: &pageSize} {
		if err := db.Write.QueryRowContext(ctx, q).Scan(v); err != nil {
			b.Fatal(err)
		}
	}
	return (pages - free) * pageSize
}

// BenchmarkInterruptionStorage reports the bytes one closed interruption
// takes, indexes included.
func BenchmarkInterruptionStorage(b *testing.B) {
	eachDB(b, func(b *testing.B, db *database.DB) {
		store, checks := whole(b, db, 1000)
		ctx := context.Background()
		before := used(b, db)
		n := 0
		b.ResetTimer()
		for b.Loop() {
			err := store.Write(ctx, func(tx *monitor.Tx) error {
				for i, c := range checks {
					start := t0.Add(time.Duration(n*len(checks)+i) * time.Minute)
					if _, err := tx.OpenInterruption(ctx, &monitor.Interruption{CheckID: c.ID, StartedAt: start,
						Reason: "timeout after 10s", Vantages: []string{"tower", "busan"}}); err != nil {
						return err
					}
					if _, err := tx.CloseInterruption(ctx, c.ID, start.Add(90*time.Second), nil); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.StopTimer()
		b.ReportMetric(float64(used(b, db)-before)/float64(n*len(checks)), "B/interruption")
	})
}

// BenchmarkChecks10000 loads what the engine runs at 10,000 endpoints, as
// it does on start and whenever the inventory moves.
func BenchmarkChecks10000(b *testing.B) {
	eachDB(b, func(b *testing.B, db *database.DB) {
		store, _ := whole(b, db, 10000)
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			if r, err := store.SyncChecks(ctx); err != nil || r.Changed() {
				b.Fatalf("%+v (%v)", r, err)
			}
			if checks, err := store.Checks(ctx, access.All()); err != nil || len(checks) != 10000 {
				b.Fatal(fmt.Sprint(len(checks), err))
			}
		}
	})
}
