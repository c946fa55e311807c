package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/testdb"
)

// benchmarkPage serves path from a tower holding 10,000 systems in 16
// agencies and 18 facilities, and reports the latency's 50th and 99th
// percentiles over the b.N requests.
func benchmarkPage(b *testing.B, path string) {
	db := testdb.SQLite(b)
	if err := inventorytest.Populate(context.Background(), inventory.NewStore(db), 16, 18, 10000); err != nil {
		b.Fatal(err)
	}
	srv, err := New(db, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
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
		start := time.Now()
		fetch()
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[(len(latencies)*99)/100].Microseconds())/1000, "p99-ms")
}

func BenchmarkHomePage10000Systems(b *testing.B) { benchmarkPage(b, "/") }

func BenchmarkSummaryJSON10000Systems(b *testing.B) { benchmarkPage(b, "/api/v1/summary") }
