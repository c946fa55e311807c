package inventorytest

import (
	"slices"
	"testing"

	"yeonsok/internal/inventory"
)

func TestDependencies(t *testing.T) {
	inv := Generate(16, 200, 10000)
	Dependencies(inv, 30000)
	if len(inv.Dependencies) != 30000 {
		t.Fatalf("%d dependencies, want 30000", len(inv.Dependencies))
	}
	facility := map[int64]int64{}
	for _, s := range inv.Systems {
		facility[s.ID] = *s.PrimaryFacilityID
	}
	seen := map[[2]int64]bool{}
	sameFacility, forward, kinds := 0, 0, map[string]int{}
	for _, d := range inv.Dependencies {
		pair := [2]int64{d.FromSystemID, d.ToSystemID}
		if d.FromSystemID == d.ToSystemID || seen[pair] || facility[d.FromSystemID] == 0 || facility[d.ToSystemID] == 0 {
			t.Fatalf("dependency %+v: on itself, twice, or on a system that is not there", d)
		}
		seen[pair] = true
		if facility[d.FromSystemID] == facility[d.ToSystemID] {
			sameFacility++
		}
		if d.ToSystemID > d.FromSystemID {
			forward++
			if facility[d.FromSystemID] != facility[d.ToSystemID] {
				t.Errorf("dependency %+v points forward across facilities: a cycle could span facilities", d)
			}
		}
		kinds[d.Kind]++
	}
	if sameFacility < 25000 || forward == 0 || kinds["network"] == 0 || kinds["auth"] == 0 || kinds["database"] == 0 {
		t.Errorf("%d in the same facility, %d forward, kinds %v: want mostly within a facility, some cycles, every infrastructure kind",
			sameFacility, forward, kinds)
	}
	again := Generate(16, 200, 10000)
	Dependencies(again, 30000)
	if !slices.EqualFunc(inv.Dependencies, again.Dependencies, func(a, b *inventory.Dependency) bool { return *a == *b }) {
		t.Error("two runs made different graphs")
	}
}
