package inventory_test

import (
	"context"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/testdb"
)

// BenchmarkLoad10000Systems measures reading the whole inventory, which
// export and the data-quality report do.
func BenchmarkLoad10000Systems(b *testing.B) {
	store := inventory.NewStore(testdb.SQLite(b))
	ctx := context.Background()
	if err := inventorytest.Populate(ctx, store, 16, 18, 10000); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, err := store.Load(ctx, access.All())
		if err != nil || len(inv.Systems) != 10000 {
			b.Fatalf("loaded %d systems: %v", len(inv.Systems), err)
		}
	}
}
