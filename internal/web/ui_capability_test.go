package web

import (
	"context"
	"net/http"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
	"yeonsok/internal/testdb"
)

// The system page compares each scenario with the targets it is held to
// there, and says where each comes from.
func TestSystemPageShowsCapabilityByScenario(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	id := map[string]int64{}
	systems, err := store.Systems(context.Background(), access.All(), inventory.SystemFilter{Grade: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range systems {
		id[s.Name] = s.ID
	}
	for name, want := range map[string][]string{
		// No targets of its own: its grade's minimum, which losing its
		// facility (no DR, no copy elsewhere) misses for good.
		"장애인고용업무시스템": {"주 시설 상실", "2시간 등급 최소기준", "복구 불가(무한) 목표 미달", "1시간 등급 최소기준", "복구 불가(무한) 목표 미달"},
		// No targets of its own; its service's 2 h / 1 h. Its weekly copy
		// is kept where the records do not say: a region's loss may take it
		// too, so the estimate is a minimum — which misses already.
		"Q-Net": {"광역 재난", "2시간 서비스 목표", "3일 이상 목표 미달", "1시간 서비스 목표", "7일 이상 목표 미달"},
	} {
		status, body := get(t, ts, systemHref(id[name]))
		if status != http.StatusOK {
			t.Fatalf("%s: %d", name, status)
		}
		rows := htmlTable(t, body, "capability")
		if len(rows) != 1+len(scenario.Kinds) {
			t.Fatalf("%s: capability table has %d rows, want a header and one per scenario", name, len(rows))
		}
		wantCells(t, name, rowOf(t, rows, want[0])[:5], want...)
		// Both are grade 1: the SLA's availability target is 99.92 %.
		if row := rowOf(t, htmlTable(t, body, "targets"), "장애 시"); row[3] != "99.92% (등급별 SLA)" {
			t.Errorf("%s targets row %q: want the grade-1 availability target", name, row)
		}
		// Under component failure the SLA targets count, which neither has.
		if row := rowOf(t, rows, "구성요소 장애"); row[1] != "미설정" || row[3] != "미설정" {
			t.Errorf("%s component row %q: no SLA targets", name, row)
		}
	}
}
