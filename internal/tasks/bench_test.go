package tasks

import (
	"testing"

	"yeonsok/internal/inventory/inventorytest"
)

// The proposals of every agency of a 10,000-system portfolio (16
// agencies, 200 facilities), from the records to the open proposals: what
// all the plan pages together compute.
func BenchmarkProposeAllAgencies10000(b *testing.B) {
	inv := inventorytest.Generate(16, 200, 10000)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, a := range inv.Agencies {
			n += len(NewPlan(NewInput(inv, nil, a.ID), nil, nil).Open)
		}
		if n == 0 {
			b.Fatal("no proposals")
		}
	}
}
