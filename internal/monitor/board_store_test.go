package monitor_test

import (
	"slices"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// The board counts every system by agency and grade, monitored or not, and
// an agency sees its own only.
func TestSystemCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		// An ungraded system without endpoints, and one whose only
		// endpoint is gone (its check inactive).
		bare := &inventory.System{AgencyID: f.welfare.ID, Name: "전자결재"}
		gone := &inventory.System{AgencyID: f.welfare.ID, Name: "구 홈페이지", Grade: 1, Endpoints: []inventory.Endpoint{{Target: "tcp://old:80"}}}
		err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error {
			if err := tx.CreateSystem(f.ctx, bare); err != nil {
				return err
			}
			return tx.CreateSystem(f.ctx, gone)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.SyncChecks(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.setEndpoints(t, gone)
		if _, err := f.store.SyncChecks(f.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.SystemCounts(f.ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		want := []monitor.SystemCount{
			{AgencyID: f.welfare.ID, Grade: 0, Systems: 1, Monitored: 0},
			{AgencyID: f.welfare.ID, Grade: 1, Systems: 2, Monitored: 1},
			{AgencyID: f.keis.ID, Grade: 3, Systems: 1, Monitored: 1},
		}
		sortCounts := func(list []monitor.SystemCount) {
			slices.SortFunc(list, func(a, b monitor.SystemCount) int {
				if a.AgencyID != b.AgencyID {
					return int(a.AgencyID - b.AgencyID)
				}
				return a.Grade - b.Grade
			})
		}
		sortCounts(got)
		sortCounts(want)
		if !slices.Equal(got, want) {
			t.Errorf("counts:\n got  %+v\n want %+v", got, want)
		}
		mine, err := f.store.SystemCounts(f.ctx, f.keisScope)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].AgencyID != f.keis.ID {
			t.Errorf("한국고용정보원 counts another agency's systems: %+v", mine)
		}
	})
}
