package recovery

import (
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
)

// portfolio is the benchmark portfolio: 10,000 systems in 200
// facilities with 30,000 dependencies.
func portfolio() *inventory.Inventory {
	inv := inventorytest.Generate(16, 200, 10000)
	inventorytest.Dependencies(inv, 30000)
	return inv
}

// One facility of the 200 lost: its 50 systems ordered among the 30,000
// dependencies of the whole portfolio.
func BenchmarkRestartOrder(b *testing.B) {
	inv := portfolio()
	for b.Loop() {
		if plan := Order(inv, []int64{7}, Options{}); len(plan.Steps) != 50 {
			b.Fatalf("%d steps", len(plan.Steps))
		}
	}
}

// Every facility of a region lost: Generate puts all 200 in 대전, so this
// orders all 10,000 systems.
func BenchmarkRestartOrderRegion(b *testing.B) {
	inv := portfolio()
	var lost []int64
	for _, f := range inv.Facilities {
		if f.Region == "대전" {
			lost = append(lost, f.ID)
		}
	}
	for b.Loop() {
		if plan := Order(inv, lost, Options{}); len(plan.Steps) != 10000 || len(plan.Cycles) == 0 {
			b.Fatalf("%d steps, %d cycles", len(plan.Steps), len(plan.Cycles))
		}
	}
}
