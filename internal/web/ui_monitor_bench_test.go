package web

import (
	"context"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// The status board at whole-of-government size, read by a ministry
// admin, who sees every system. Target: ≤ 200 ms at p99.
func BenchmarkStatusPage10000Systems(b *testing.B) { measurePage(b, watchedTower(b), "/status", nil) }

// A down system's page at the same size: the inventory it has always read,
// and now its monitoring section too.
func BenchmarkSystemPageMonitored10000Systems(b *testing.B) {
	measurePage(b, watchedTower(b), "/systems/1", nil)
}

// watchedTower is a tower of 10,000 systems, each with its endpoint
// watched — 1 % down (system 1 among them), an agent fallen silent on
// 2 % — and this hour's latency written.
func watchedTower(b *testing.B) *Server {
	db := testdb.SQLite(b)
	ctx := context.Background()
	if err := inventorytest.Populate(ctx, inventory.NewStore(db), 16, 18, 10000); err != nil {
		b.Fatal(err)
	}
	w := monitor.NewWatcher(monitor.NewStore(db), discardLogger(), monitor.WatcherOptions{NoProbing: true})
	if err := w.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	srv, err := New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{Watcher: w})
	if err != nil {
		b.Fatal(err)
	}
	feed := newFeeder(w)
	statuses := w.Statuses(access.All(), false)
	if len(statuses) != 10000 {
		b.Fatalf("%d checks watched, want 10,000", len(statuses))
	}
	for i, cs := range statuses {
		if i%100 == 0 {
			feed.results(cs.Check.ID, monitor.Vantage, 3, "connection refused")
		} else {
			feed.results(cs.Check.ID, monitor.Vantage, 1, "")
		}
		if i%50 == 1 {
			w.Take(monitor.Result{CheckID: cs.Check.ID, Vantage: "부산 백업센터", Started: time.Now().Add(-time.Hour), OK: true}, true)
		}
	}
	w.Flush(ctx)
	return srv
}
