package transfer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/testdb"
	"yeonsok/internal/transfer"
)

// BenchmarkImportXLSX10000Systems imports a workbook of 10,000 systems into
// a fresh SQLite database per iteration. Target: at most 5 s per import.
//
//	go test -run '^$' -bench ImportXLSX -benchtime 1x ./internal/transfer/
func BenchmarkImportXLSX10000Systems(b *testing.B) {
	var buf bytes.Buffer
	if err := transfer.WriteXLSX(&buf, inventorytest.Generate(16, 18, 10000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	ctx := context.Background()
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		store := inventory.NewStore(testdb.SQLite(b))
		b.StartTimer()
		start := time.Now()
		plan, err := transfer.Import(ctx, store, access.All(), "big.xlsx", data, transfer.Options{})
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if plan.Counts["systems"]["add"] != 10000 || !plan.Applied {
			b.Fatalf("plan counts %v", plan.Counts)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/import")
	b.ReportMetric(float64(len(data))/(1<<20), "MiB/file")
	b.Logf("imported 10,000 systems in %.2f s per import (%d iterations, %.1f MiB workbook)", total.Seconds()/float64(b.N), b.N, float64(len(data))/(1<<20))
}
