package scenario_test

import (
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/scenario"
)

// benchPortfolio is the whole-of-government portfolio: 10,000
// systems in 200 facilities with 30,000 dependencies, and a service for
// every 20 systems.
func benchPortfolio() *inventory.Inventory {
	inv := inventorytest.Generate(16, 200, 10000)
	inventorytest.Dependencies(inv, 30000)
	inventorytest.Services(inv, 20)
	return inv
}

// BenchmarkWhatIfOneFacility loses one facility of 200 (50 systems) and
// follows the dependencies of 10,000 systems from there. Target: ≤ 100 ms.
func BenchmarkWhatIfOneFacility(b *testing.B) {
	inv := benchPortfolio()
	b.ResetTimer()
	for b.Loop() {
		w := scenario.Analyze(inv, scenario.Loss{Facilities: []int64{1}}, nil)
		if w.Counts.Systems != 50 {
			b.Fatalf("%d systems stopped, want 50", w.Counts.Systems)
		}
	}
}

// BenchmarkGapSummary10000Systems judges every system under every scenario
// and counts per agency and grade. Target: ≤ 500 ms.
func BenchmarkGapSummary10000Systems(b *testing.B) {
	inv := benchPortfolio()
	b.ResetTimer()
	for b.Loop() {
		sum := scenario.Summarize(scenario.Gaps(inv))
		if sum.Total[scenario.FacilityLoss].Systems != 10000 {
			b.Fatal("not every system judged")
		}
	}
}
