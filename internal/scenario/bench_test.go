package scenario_test

import (
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/scenario"
)

// benchPortfolio is the whole-of-government portfolio: 10,000
// systems in 200 facilities with 30,000 dependencies, and a service for
// every 20 systems. inventorytest.Generate makes no dependencies or
// services yet, so they are added here, deterministically: each system
// depends on three others spread over the portfolio. (The lead switches
// this to the shared generator's dependencies at merge.)
func benchPortfolio() *inventory.Inventory {
	const n = 10000
	inv := inventorytest.Generate(16, 200, n)
	for k := range 30000 {
		from := int64(k%n + 1)
		to := int64((k*7919+k/n*104729)%n + 1)
		if to == from {
			to = to%n + 1
		}
		inv.Dependencies = append(inv.Dependencies, &inventory.Dependency{ID: int64(k + 1), FromSystemID: from, ToSystemID: to, Kind: "interface"})
	}
	rto, rpo := inventory.Hours(2), inventory.Hours(1)
	for i := 0; i < n; i += 20 {
		inv.Services = append(inv.Services, &inventory.Service{ID: int64(i/20 + 1), AgencyID: int64(i%16 + 1), Name: "서비스",
			RTO: &rto, RPO: &rpo, SystemIDs: []int64{int64(i + 1), int64(i + 2), int64((i*31)%n + 1)}})
	}
	return inv
}

// BenchmarkWhatIfOneFacility loses one facility of 200 (50 systems) and
// follows the dependencies of 10,000 systems from there. Target: ≤ 100 ms.
func BenchmarkWhatIfOneFacility(b *testing.B) {
	inv := benchPortfolio()
	b.ResetTimer()
	for b.Loop() {
		w := scenario.Analyze(inv, scenario.Loss{Facilities: []int64{1}})
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
