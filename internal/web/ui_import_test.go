package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

var hiddenInput = regexp.MustCompile(`name="(token|digest)" value="([^"]*)"`)

// hiddenFields reads the apply form's token and digest from a preview page.
func hiddenFields(t *testing.T, page string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	if form.Get("token") == "" || form.Get("digest") == "" {
		t.Fatalf("preview has no apply form:\n%s", page)
	}
	return form
}

// editedWorkbook is the export of the store with 고용24 made grade 2 and a
// new system added to 고용노동부.
func editedWorkbook(t *testing.T, book []byte) []byte {
	t.Helper()
	wb, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := wb.GetRows("systems")
	gradeCol := -1
	for i, h := range rows[0] {
		if h == "등급" {
			gradeCol = i
		}
	}
	for i, row := range rows {
		if len(row) > 1 && row[1] == "고용24" {
			cellName, _ := excelize.CoordinatesToCellName(gradeCol+1, i+1)
			wb.SetCellStr("systems", cellName, "2")
		}
	}
	next := len(rows) + 1
	wb.SetCellStr("systems", "A"+strconv.Itoa(next), "고용노동부")
	wb.SetCellStr("systems", "B"+strconv.Itoa(next), "새 민원 시스템")
	var out bytes.Buffer
	wb.Write(&out)
	return out.Bytes()
}

func encodeCP949(t *testing.T, s string) []byte {
	t.Helper()
	b, err := korean.EUCKR.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportPagePreviewThenApply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		ts, store := sampleServer(t, db)
		status, body := get(t, ts, "/import")
		mustContain(t, "import page", body, `enctype="multipart/form-data"`, "/api/v1/export?format=xlsx", "/api/v1/export?format=csv&amp;sheet=systems")
		if status != 200 {
			t.Fatalf("import page: %d", status)
		}
		_, book := getBytes(t, ts, "/api/v1/export?format=xlsx")
		edited := editedWorkbook(t, book)

		status, preview := upload(t, ts, "/import", map[string]string{"encoding": "auto"}, map[string][]byte{"inventory.xlsx": edited})
		page := string(preview)
		if status != 200 {
			t.Fatalf("preview: %d\n%s", status, page)
		}
		mustContain(t, "preview", page, "새 민원 시스템", "고용24", "등급: 1 → 2")
		counts := htmlTable(t, page, "counts")
		wantCells(t, "systems counts", rowOf(t, counts, "시스템"), "시스템", "1", "1", "0")
		if inv, _ := store.Load(ctx, access.All()); len(inv.Systems) != 212 {
			t.Fatalf("the preview wrote: %d systems", len(inv.Systems))
		}

		form := hiddenFields(t, page)
		status, location, _ := post(t, ts, "/import/apply", form)
		if status != http.StatusSeeOther || location != "/import?applied=2" {
			t.Fatalf("apply: %d → %q", status, location)
		}
		systems, _ := store.Systems(ctx, access.All(), inventory.SystemFilter{})
		var found, regraded bool
		for _, s := range systems {
			found = found || s.Name == "새 민원 시스템"
			regraded = regraded || (s.Name == "고용24" && s.Grade == 2)
		}
		if len(systems) != 213 || !found || !regraded {
			t.Fatalf("after apply: %d systems, new one %v, 고용24 regraded %v", len(systems), found, regraded)
		}
		_, done := get(t, ts, "/import?applied=2")
		mustContain(t, "applied notice", done, "변경 2건이 저장되었습니다")

		// The same upload cannot be applied twice.
		status, _, again := post(t, ts, "/import/apply", form)
		if status != http.StatusNotFound || !strings.Contains(again, "파일을 다시 올려") {
			t.Fatalf("second apply: %d", status)
		}
	})
}

func TestImportPageRefusesStaleAndBadFiles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		ts, store := sampleServer(t, db)
		_, book := getBytes(t, ts, "/api/v1/export?format=xlsx")
		_, preview := upload(t, ts, "/import", nil, map[string][]byte{"inventory.xlsx": editedWorkbook(t, book)})
		form := hiddenFields(t, string(preview))

		// Someone changes a record the preview covered: the apply is refused.
		systems, _ := store.Systems(ctx, access.All(), inventory.SystemFilter{})
		changed := systems[0]
		changed.Description = "미리보기 뒤에 바뀐 설명"
		if err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, changed) }); err != nil {
			t.Fatal(err)
		}
		status, _, page := post(t, ts, "/import/apply", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "t-problems") {
			t.Fatalf("stale apply: %d\n%s", status, page)
		}
		if after, _ := store.Systems(ctx, access.All(), inventory.SystemFilter{}); len(after) != 212 {
			t.Fatalf("a stale apply wrote: %d systems", len(after))
		}

		// A CSV in Korean Excel's encoding with bad rows: every problem, with
		// its row and column, and nothing kept for an apply.
		bad := encodeCP949(t, "기관,시스템명,등급,재해 시 RTO\n없는 기관,시스템 가,1,2h\n고용노동부,시스템 나,9,두 시간\n")
		status, body := upload(t, ts, "/import", map[string]string{"encoding": "cp949"}, map[string][]byte{"systems.csv": bad})
		page = string(body)
		if status != http.StatusUnprocessableEntity || strings.Contains(page, `name="token"`) {
			t.Fatalf("bad CSV: %d", status)
		}
		problems := htmlTable(t, page, "problems")
		if len(problems) < 3 {
			t.Fatalf("problems table has %d rows, want one per bad cell:\n%v", len(problems), problems)
		}
		mustContain(t, "problems", page, "없는 기관", "두 시간")
		if status, _ := upload(t, ts, "/import", nil, nil); status != http.StatusBadRequest {
			t.Fatalf("no file: %d", status)
		}
	})
}
