package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// On the plan's sample data, 한국장애인고용공단 backs up but keeps no copy
// elsewhere: its grade-1 system's page shows that losing the facility loses
// the data for good, against its target.
func TestSystemPageShowsCapabilityByScenario(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	systems, err := store.Systems(context.Background(), access.All(), inventory.SystemFilter{Grade: 1})
	if err != nil {
		t.Fatal(err)
	}
	var sys *inventory.System
	for _, s := range systems {
		if s.Name == "장애인고용업무시스템" {
			sys = s
		}
	}
	if sys == nil {
		t.Fatal("the sample has no 장애인고용업무시스템")
	}
	// The sample leaves this agency's targets unset; give it the grade-1
	// minimum, which a lost facility then misses.
	hour := inventory.Minutes(60)
	sys.RTODisaster, sys.RPODisaster = &hour, &hour
	ctx := context.Background()
	if err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, sys) }); err != nil {
		t.Fatal(err)
	}
	id := sys.ID
	status, body := get(t, ts, "/systems/"+strconv.FormatInt(id, 10))
	if status != 200 {
		t.Fatalf("system page: %d", status)
	}
	rows := htmlTable(t, body, "capability")
	if len(rows) != 5 {
		t.Fatalf("capability table has %d rows, want a header and one per scenario: %v", len(rows), rows)
	}
	loss := rowOf(t, rows, "주 시설 상실")
	if !strings.Contains(loss[2], "복구 불가") || !strings.Contains(loss[2], "목표 미달") {
		t.Errorf("facility loss row %q: want an unbounded RPO that misses the target", loss)
	}
}
