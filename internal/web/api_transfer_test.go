package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/testdb"
)

// upload posts files as a multipart form with extra fields and returns the
// status and body.
func upload(t *testing.T, ts *httptest.Server, path string, fields map[string]string, files map[string][]byte) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		part, _ := mw.CreateFormFile("file", name)
		part.Write(data)
	}
	mw.Close()
	resp, err := ts.Client().Post(ts.URL+path, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func sampleServer(t *testing.T, db *database.DB) (*httptest.Server, *inventory.Store) {
	t.Helper()
	ts, store := newTestServer(t, db)
	if err := sampledata.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return ts, store
}

func TestAPIExportImportRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := sampleServer(t, db)
		resp, book := getBytes(t, ts, "/api/v1/export?format=xlsx")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		wb, err := excelize.OpenReader(bytes.NewReader(book))
		if err != nil {
			t.Fatalf("export is not a workbook: %v", err)
		}
		rows, _ := wb.GetRows("systems")
		if len(rows) != 213 {
			t.Fatalf("systems sheet has %d rows, want header + 212", len(rows))
		}

		// The same workbook back: a preview with no changes, then an apply
		// that changes nothing.
		status, body := upload(t, ts, "/api/v1/import?dry_run=true", nil, map[string][]byte{"inventory.xlsx": book})
		var plan struct {
			Counts  map[string]map[string]int `json:"counts"`
			Digest  string                    `json:"digest"`
			Applied bool                      `json:"applied"`
		}
		json.Unmarshal(body, &plan)
		if status != 200 || plan.Applied || plan.Digest == "" || plan.Counts["systems"]["add"]+plan.Counts["systems"]["change"]+plan.Counts["systems"]["remove"] != 0 {
			t.Fatalf("preview of the export: %d %s", status, body)
		}
		status, body = upload(t, ts, "/api/v1/import?expect_digest="+plan.Digest, nil, map[string][]byte{"inventory.xlsx": book})
		if status != 200 || !strings.Contains(string(body), `"applied": true`) {
			t.Fatalf("apply: %d %s", status, body)
		}
		inv, _ := store.Load(context.Background(), access.All())
		if len(inv.Systems) != 212 {
			t.Fatalf("%d systems after re-import", len(inv.Systems))
		}

		// One CSV sheet, as a raw body.
		resp, systemsCSV := getBytes(t, ts, "/api/v1/export?format=csv&sheet=시스템")
		if resp.StatusCode != 200 || !bytes.HasPrefix(systemsCSV, []byte("\xef\xbb\xbf")) {
			t.Fatalf("csv export: %d", resp.StatusCode)
		}
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/import?dry_run=1&name=systems.csv", bytes.NewReader(systemsCSV))
		req.Header.Set("Content-Type", "text/csv")
		r2, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != 200 {
			t.Fatalf("raw CSV preview: %d", r2.StatusCode)
		}
	})
}

func TestAPIImportRejectsBadFilesWhole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := sampleServer(t, db)
		before, _ := store.Load(context.Background(), access.All())
		bad := "기관,시스템명,등급,재해 시 RTO\n고용노동부,새 시스템,1,2h\n없는기관,다른 시스템,7,두 시간\n"
		status, body := upload(t, ts, "/api/v1/import?lang=en", nil, map[string][]byte{"systems.csv": []byte(bad)})
		var answer struct {
			Error    apiErrorBody    `json:"error"`
			Problems []importProblem `json:"problems"`
		}
		json.Unmarshal(body, &answer)
		if status != 400 || answer.Error.Code != "invalid" || len(answer.Problems) < 3 {
			t.Fatalf("bad file: %d %s", status, body)
		}
		places := map[string]bool{}
		for _, p := range answer.Problems {
			if p.Sheet != "systems" || p.Row != 3 || p.Message == "" {
				t.Errorf("problem %+v: want sheet systems, row 3", p)
			}
			places[p.Column] = true
		}
		if !places["A"] || !places["C"] || !places["D"] {
			t.Errorf("problems name columns %v, want A (agency), C (grade), D (RTO)", places)
		}
		after, _ := store.Load(context.Background(), access.All())
		if len(after.Systems) != len(before.Systems) {
			t.Fatalf("a rejected file changed the systems: %d → %d", len(before.Systems), len(after.Systems))
		}
		for _, s := range after.Systems {
			if s.Name == "새 시스템" {
				t.Fatal("the good row of a rejected file was written")
			}
		}
		for name, data := range map[string][]byte{"empty.xlsx": nil, "garbage.xlsx": {0x00, 0xff, 0x13, 0x37, 0x42}} {
			status, body := upload(t, ts, "/api/v1/import", nil, map[string][]byte{name: data})
			if status != 400 || !strings.Contains(string(body), `"problems"`) {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
		if status, body := upload(t, ts, "/api/v1/import", map[string]string{"dry_run": "true"}, nil); status != 400 || !strings.Contains(string(body), `"field": "file"`) {
			t.Errorf("no file: %d %s", status, body)
		}
	})
}

// An export that cannot be built answers the error, not a 200 with an empty
// file. Every field the store accepts fits a spreadsheet cell, but a
// service's supporting systems, one name a line, need not: 180 systems with
// long names overflow the cell.
func TestAPIExportFailureIsAnError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		ctx := context.Background()
		err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			svc := &inventory.Service{AgencyID: f.welfare.ID, Name: "모든 시스템이 받치는 서비스"}
			for i := range 180 {
				sys := &inventory.System{AgencyID: f.welfare.ID, Name: fmt.Sprintf("%03d %s", i, strings.Repeat("가", 190))}
				if err := tx.CreateSystem(ctx, sys); err != nil {
					return err
				}
				svc.SystemIDs = append(svc.SystemIDs, sys.ID)
			}
			return tx.CreateService(ctx, svc)
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, body := getBytes(t, ts, "/api/v1/export?format=xlsx")
		var e apiError
		json.Unmarshal(body, &e)
		if resp.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, "Excel") ||
			resp.Header.Get("Content-Disposition") != "" {
			t.Fatalf("workbook with a cell too long: %d %q %.300s, want 400 with the JSON error", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
		}
		// CSV has no cell limit: the same data exports.
		if resp, body := getBytes(t, ts, "/api/v1/export?format=csv&sheet=services"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "179 가") {
			t.Fatalf("csv: %d", resp.StatusCode)
		}
	})
}

// uploadZeros posts a file of size zero bytes as a multipart form, written
// as it is sent so that the test holds none of it in memory.
func uploadZeros(t *testing.T, ts *httptest.Server, path, name string, size int64) (int, []byte) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.CopyN(part, zeros{}, size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	resp, err := ts.Client().Post(ts.URL+path, mw.FormDataContentType(), pr)
	pr.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A file over the 32 MiB import limit is refused as too large, 413, with
// the problem said — by the API and by the import page — and writes nothing.
func TestOversizedUploadIs413(t *testing.T) {
	ts, store := newTestServer(t, testdb.SQLite(t))
	newUIFixture(t, store)
	before := version(t, store)
	status, body := uploadZeros(t, ts, "/api/v1/import", "huge.xlsx", 33<<20)
	var answer struct {
		Error    apiErrorBody    `json:"error"`
		Problems []importProblem `json:"problems"`
	}
	json.Unmarshal(body, &answer)
	if status != http.StatusRequestEntityTooLarge || answer.Error.Code != "too_large" || len(answer.Problems) != 1 ||
		!strings.Contains(answer.Problems[0].Message, "파일이 너무 큽니다") {
		t.Errorf("API: %d %s, want 413 too_large with the problem", status, body)
	}
	status, body = uploadZeros(t, ts, "/import", "huge.xlsx", 33<<20)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "파일이 너무 큽니다") {
		t.Errorf("page: %d, want 413 saying the file is too large\n%.500s", status, body)
	}
	if version(t, store) != before {
		t.Error("an oversized upload changed the inventory")
	}
}
