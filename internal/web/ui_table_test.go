package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yeonsok/internal/auth"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/testdb"
)

// A long list on a page stops at its PageRows and says how many more the
// export holds; the export builds every row.
func TestLongListsStopOnThePageNotInTheExport(t *testing.T) {
	db := testdb.SQLite(t)
	store := inventory.NewStore(db)
	// 200 systems: 600 exposure rows (three scenarios each), past the 500 a page shows.
	if err := inventorytest.Populate(context.Background(), store, 4, 3, 200); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, db)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	signIn(t, ts, srv.accounts, newAccount(t, srv.accounts, auth.MinistryAdmin, 0, false))

	_, body := get(t, ts, "/backups")
	if rows := htmlTable(t, body, "exposure"); len(rows)-1 != longListRows {
		t.Errorf("the page shows %d exposure rows, want %d", len(rows)-1, longListRows)
	}
	mustContain(t, "the page", body, `id="t-exposure-hidden"`, "처음 500건만 보입니다. 나머지 100건을")
	if rows := htmlTable(t, body, "compliance"); len(rows)-1 != 200 {
		t.Errorf("the compliance table shows %d rows, want all 200", len(rows)-1)
	}
	resp, file := getBytes(t, ts, "/export/backups/exposure.csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	if lines := strings.Count(strings.TrimSpace(string(file)), "\n"); lines != 600 {
		t.Errorf("the export holds %d rows, want 600", lines)
	}
}

func TestTableAdd(t *testing.T) {
	built := 0
	row := func() []cell { built++; return []cell{textCell("x")} }
	page := &table{PageRows: 2}
	full := &table{PageRows: 2}
	for range 5 {
		page.add(false, row)
		full.add(true, row)
	}
	if len(page.Rows) != 2 || page.Unbuilt != 3 || page.Hidden() != 3 {
		t.Errorf("page: %d rows, %d unbuilt, %d hidden; want 2, 3, 3", len(page.Rows), page.Unbuilt, page.Hidden())
	}
	if len(full.Rows) != 5 || full.Hidden() != 3 || len(full.Shown()) != 2 {
		t.Errorf("export: %d rows, %d hidden, %d shown; want 5, 3, 2", len(full.Rows), full.Hidden(), len(full.Shown()))
	}
	if built != 7 {
		t.Errorf("%d rows built, want 7: the page's unshown rows are not built", built)
	}
}
