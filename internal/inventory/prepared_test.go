package inventory

import (
	"context"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/testdb"
)

// A query run again while its own rows are still open works, although
// SQLite cannot run one prepared statement twice at once.
func TestQueryInsideItsOwnRows(t *testing.T) {
	store := NewStore(testdb.SQLite(t))
	ctx := context.Background()
	err := store.Update(ctx, access.All(), func(tx *Tx) error {
		for _, name := range []string{"가", "나"} {
			if err := tx.CreateAgency(ctx, &Agency{Name: name}); err != nil {
				return err
			}
		}
		const query = `SELECT id FROM agencies WHERE id >= $1 ORDER BY id`
		outer, err := tx.tx.QueryContext(ctx, query, 1)
		if err != nil {
			return err
		}
		defer outer.Close()
		pairs := 0
		for outer.Next() {
			var id int64
			if err := outer.Scan(&id); err != nil {
				return err
			}
			inner, err := tx.tx.QueryContext(ctx, query, id)
			if err != nil {
				return err
			}
			for inner.Next() {
				pairs++
			}
			if err := inner.Close(); err != nil {
				return err
			}
		}
		if pairs != 3 {
			t.Errorf("%d pairs, want 3", pairs)
		}
		return outer.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}
