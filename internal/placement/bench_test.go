package placement

import (
	"testing"

	"yeonsok/internal/inventory/inventorytest"
)

// The concentration page's three lists on the benchmark portfolio:
// 10,000 systems in 200 facilities.
func BenchmarkConcentration(b *testing.B) {
	inv := inventorytest.Generate(16, 200, 10000)
	inventorytest.Dependencies(inv, 30000)
	for b.Loop() {
		if len(Concentrations(inv)) == 0 || len(SameFacilityCopies(inv, nil)) == 0 || len(UnredundantLayers(inv)) == 0 {
			b.Fatal("nothing found")
		}
	}
}

func BenchmarkMutualDR(b *testing.B) {
	inv := inventorytest.Generate(16, 200, 10000)
	for b.Loop() {
		MutualDR(inv)
	}
}
