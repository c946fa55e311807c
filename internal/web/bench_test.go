package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/testdb"
)

// benchmarkPage serves path from a tower holding 10,000 systems in 16
// agencies and 18 facilities, and reports the latency's 50th and 99th
// percentiles over the b.N requests. A change, when given, is made before
// each request and not measured: the request is then the first after a
// change, which no cache has seen.
func benchmarkPage(b *testing.B, path string, change func(store *inventory.Store) error) {
	db := testdb.SQLite(b)
	store := inventory.NewStore(db)
	if err := inventorytest.Populate(context.Background(), store, 16, 18, 10000); err != nil {
		b.Fatal(err)
	}
	measurePage(b, newServer(b, db), path, change)
}

// measurePage serves path from srv to a ministry admin and reports the
// latency's 50th and 99th percentiles over the b.N requests, each after
// change when given (see benchmarkPage).
func measurePage(b *testing.B, srv *Server, path string, change func(store *inventory.Store) error) {
	store := srv.store
	ts := httptest.NewServer(srv)
	defer ts.Close()
	signIn(b, ts, srv.accounts, newAccount(b, srv.accounts, auth.MinistryAdmin, 0, false))
	client := ts.Client()
	fetch := func() {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: status %d", path, resp.StatusCode)
		}
	}
	fetch() // warm up: first query plans, template buffers
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if change != nil {
			b.StopTimer()
			if err := change(store); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		start := time.Now()
		fetch()
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[(len(latencies)*99)/100].Microseconds())/1000, "p99-ms")
}

func BenchmarkHomePage10000Systems(b *testing.B) { benchmarkPage(b, "/", nil) }

// The home page's data-quality count is cached until the inventory changes;
// this measures the first view after a change, which counts again.
func BenchmarkHomePageAfterChange10000Systems(b *testing.B) { benchmarkPage(b, "/", touchAgency) }

func BenchmarkSummaryJSON10000Systems(b *testing.B) { benchmarkPage(b, "/api/v1/summary", nil) }

// touchAgency makes the smallest change there is: one agency's contact.
func touchAgency(store *inventory.Store) error {
	ctx := context.Background()
	agencies, err := store.Agencies(ctx, access.All())
	if err != nil {
		return err
	}
	a := agencies[0]
	a.Contact = time.Now().Format(time.RFC3339Nano)
	return store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateAgency(ctx, a) })
}
