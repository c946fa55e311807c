package monitor_test

import (
	"context"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// BenchmarkWatcherTake is what the Watcher costs per result of the
// tower's own, between the probe and the database: the state machine,
// the live view's samples and the hour's rollup, for 10,000 checks in
// turn, 5 % of them failing.
func BenchmarkWatcherTake(b *testing.B) {
	db := testdb.SQLite(b)
	store, checks := whole(b, db, 10000)
	w := monitor.NewWatcher(store, quiet, monitor.WatcherOptions{NoProbing: true})
	if err := w.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	i := 0
	for b.Loop() {
		c := checks[i%len(checks)]
		r := monitor.Result{CheckID: c.ID, Vantage: monitor.Vantage, Started: start.Add(time.Duration(i) * time.Millisecond),
			Latency: 3 * time.Millisecond, OK: i%20 != 0}
		if !r.OK {
			r.Reason = "timeout after 10s"
		}
		w.Take(r, true)
		i++
	}
}

// BenchmarkWatcherStatuses10000 reads the live state of 10,000 checks as
// the status board does (no recent samples).
func BenchmarkWatcherStatuses10000(b *testing.B) {
	db := testdb.SQLite(b)
	store, checks := whole(b, db, 10000)
	w := monitor.NewWatcher(store, quiet, monitor.WatcherOptions{NoProbing: true})
	if err := w.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i, c := range checks {
		w.Take(monitor.Result{CheckID: c.ID, Vantage: monitor.Vantage, Started: now, Latency: time.Millisecond, OK: i%20 != 0}, true)
	}
	for b.Loop() {
		if list := w.Statuses(access.All(), false); len(list) != len(checks) {
			b.Fatalf("%d statuses", len(list))
		}
	}
}
