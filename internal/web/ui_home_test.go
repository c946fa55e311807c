package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/quality"
	"yeonsok/internal/testdb"
)

// The fixture's figures, worked out by hand: 5 systems (grade 1: 고용24 and
// 노동보험시스템; grade 2: 대표홈페이지; grade 3: 산재보험 EDI; none: 노사누리),
// NIRS 2, self 1, private 2; 3 surveyed systems of which 1 has a manual,
// 2 redundancy, 2 DR (1 similar), 2 backup and 1 an offsite copy.
func TestHomeShowsTheFixturesFigures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		status, body := get(t, ts, "/")
		if status != http.StatusOK {
			t.Fatalf("home: %d\n%s", status, body)
		}
		mustContain(t, "cards", body, `id="card-systems">5<`, `id="card-facilities">3<`,
			`id="card-grade-1">2<`, `id="card-grade-2">1<`, `id="card-grade-3">1<`, `id="card-grade-4">0<`, `id="card-grade-none">1<`,
			`id="card-operator-nirs">2<`, `id="card-operator-self">1<`, `id="card-operator-private">2<`, `href="/data-quality"`)

		grades := htmlTable(t, body, "by-agency")
		wantCells(t, "by-agency header", grades[0], "기관", "1등급", "2등급", "3등급", "4등급", "미부여", "합계")
		wantCells(t, "고용노동부", rowOf(t, grades, "고용노동부"), "고용노동부", "1", "1", "0", "0", "1", "3")
		wantCells(t, "근로복지공단", rowOf(t, grades, "근로복지공단"), "근로복지공단", "1", "0", "1", "0", "0", "2")
		wantCells(t, "total", rowOf(t, grades, "합계"), "합계", "2", "1", "1", "0", "1", "5")

		ops := htmlTable(t, body, "by-operator")
		wantCells(t, "nirs", rowOf(t, ops, "국정자원"), "국정자원", "1", "2", "40.0")
		wantCells(t, "self", rowOf(t, ops, "자체 운영"), "자체 운영", "1", "1", "20.0")
		wantCells(t, "private", rowOf(t, ops, "민간 위탁"), "민간 위탁", "1", "2", "40.0")
		wantCells(t, "total", rowOf(t, ops, "합계"), "합계", "3", "5", "100.0")

		g12 := htmlTable(t, body, "grade12")
		wantCells(t, "grade 1/2 nirs", rowOf(t, g12, "국정자원"), "국정자원", "1", "33.3")
		wantCells(t, "grade 1/2 total", rowOf(t, g12, "합계"), "합계", "3", "100.0")

		facilities := htmlTable(t, body, "facilities")
		wantCells(t, "KT (shared)", rowOf(t, facilities, "KT 목동"), "KT 목동 공동 이용", "민간 위탁", "2", "고용노동부 1개, 근로복지공단 1개")
		wantCells(t, "NIRS (one agency)", rowOf(t, facilities, "국정자원 대전센터"), "국정자원 대전센터", "국정자원", "2", "고용노동부 2개")
		if !strings.Contains(body, `<span class="tag shared">공동 이용</span>`) {
			t.Error("the shared facility has no visible tag")
		}

		survey := htmlTable(t, body, "survey")
		wantCells(t, "surveyed", rowOf(t, survey, "조사 대상"), "조사 대상", "3", "100.0", "3개(100.0%)")
		wantCells(t, "manual", rowOf(t, survey, "매뉴얼 보유"), "매뉴얼 보유", "1", "33.3", "1개(33.3%)")
		wantCells(t, "redundancy", rowOf(t, survey, "이중화"), "이중화", "2", "66.7", "2개(66.7%)")
		wantCells(t, "dr", rowOf(t, survey, "재해복구 체계 보유"), "재해복구 체계 보유", "2", "66.7", "2개(66.7%)")
		wantCells(t, "dr similar", rowOf(t, survey, "그중 주센터와 유사한 성능"), "그중 주센터와 유사한 성능", "1", "33.3", "1개(33.3%)")
		wantCells(t, "backup", rowOf(t, survey, "백업 실시"), "백업 실시", "2", "66.7", "2개(66.7%)")
		wantCells(t, "offsite", rowOf(t, survey, "소산 실시"), "소산 실시", "1", "33.3", "1개(33.3%)")

		// The data-quality count is the report's, and follows every change.
		findings := func() int {
			inv, err := store.Load(context.Background(), access.All())
			if err != nil {
				t.Fatal(err)
			}
			return len(quality.Check(inv))
		}
		mustContain(t, "findings card", body, fmt.Sprintf(`id="card-findings">%d<`, findings()))
		post(t, ts, "/systems", url.Values{"agency_id": {fmt.Sprint(f.welfare.ID)}, "name": {"신규 시스템"}})
		n := findings()
		_, afterChange := get(t, ts, "/")
		if !strings.Contains(afterChange, fmt.Sprintf(`id="card-findings">%d<`, n)) || !strings.Contains(afterChange, `id="card-systems">6<`) {
			t.Errorf("after adding a system the home page does not show %d findings and 6 systems", n)
		}
		// The first view after a change makes the summary from the read the
		// count needs; a view from the cached count reads the summary alone.
		// Both show the same page.
		if _, cached := get(t, ts, "/"); cached != afterChange {
			t.Error("the home page from the cached count differs from the one just counted")
		}
	})
}

// Each home table downloads as XLSX holding exactly the cells of the HTML
// table, and as CSV with a byte-order mark.
func TestHomeTablesExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		newUIFixture(t, store)
		_, body := get(t, ts, "/")
		for _, id := range []string{"by-agency", "by-operator", "grade12", "survey"} {
			want := htmlTable(t, body, id)
			if !strings.Contains(body, `href="/export/home/`+id+`.xlsx"`) || !strings.Contains(body, `href="/export/home/`+id+`.csv"`) {
				t.Errorf("%s: no export links next to the table", id)
			}
			resp, file := getBytes(t, ts, "/export/home/"+id+".xlsx")
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
				t.Fatalf("%s.xlsx: %d %q", id, resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
			got := xlsxRows(t, file)
			if len(got) != len(want) {
				t.Fatalf("%s.xlsx has %d rows, the page %d:\n%q\n%q", id, len(got), len(want), got, want)
			}
			for i := range want {
				wantCells(t, id+".xlsx row "+want[i][0], got[i], want[i]...)
			}

			resp, csv := getBytes(t, ts, "/export/home/"+id+".csv")
			if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF")) {
				t.Fatalf("%s.csv: %d, starts %q", id, resp.StatusCode, csv[:min(len(csv), 8)])
			}
			lines := strings.Split(strings.TrimSpace(string(csv[3:])), "\r\n")
			if len(lines) != len(want) || lines[0] != strings.Join(want[0], ",") {
				t.Errorf("%s.csv: %q, want the header %q and %d lines", id, lines, want[0], len(want))
			}
		}
		// The shared tag reaches the spreadsheet as text, not as colour.
		_, file := getBytes(t, ts, "/export/home/facilities.xlsx")
		if rows := xlsxRows(t, file); rowOf(t, rows, "KT 목동")[0] != "KT 목동 (공동 이용)" {
			t.Errorf("facilities.xlsx: %q", rows)
		}
		if status, _ := get(t, ts, "/export/home/nope.xlsx"); status != http.StatusNotFound {
			t.Errorf("unknown table: %d, want 404", status)
		}
		if status, _ := get(t, ts, "/export/home/survey.pdf"); status != http.StatusNotFound {
			t.Errorf("unknown format: %d, want 404", status)
		}
	})
}

func xlsxRows(t *testing.T, file []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("not an XLSX file: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	bold, _ := f.GetCellStyle(sheets[0], "A1")
	if style, err := f.GetStyle(bold); err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("the header row is not bold")
	}
	return rows
}

// Switching to English sets a cookie; every page after it is in English.
func TestLanguageSwitch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		newUIFixture(t, store)
		client := ts.Client() // its cookie jar keeps the session and the language
		if _, body := get(t, ts, "/systems"); !strings.Contains(body, `<html lang="ko">`) || !strings.Contains(body, "<h1>정보시스템</h1>") {
			t.Fatalf("the default is not Korean:\n%s", body)
		}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/lang", strings.NewReader(url.Values{"lang": {"en"}, "back": {"/systems"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Request.URL.Path != "/systems" {
			t.Errorf("after switching, at %s, want /systems", resp.Request.URL.Path)
		}
		for path, heading := range map[string]string{
			"/":             "<h1>Business continuity at a glance</h1>",
			"/systems":      "<h1>Information systems</h1>",
			"/facilities":   "<h1>Facilities</h1>",
			"/data-quality": "<h1>Data quality</h1>",
		} {
			resp, err := client.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			body := buf.String()
			if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, heading) {
				t.Errorf("%s is not in English", path)
			}
			if path == "/" {
				grades := htmlTable(t, body, "by-agency")
				wantCells(t, "English header", grades[0], "Agency", "Grade 1", "Grade 2", "Grade 3", "Grade 4", "No grade", "Total")
				mustContain(t, "English shared tag", body, `<span class="tag shared">Shared</span>`)
			}
		}
	})
}

// Switching language goes back only to a page of this site. A "back" that
// a browser would follow elsewhere — it drops tabs and line breaks and reads
// a backslash as a slash — goes home instead.
func TestLanguageSwitchStaysOnSite(t *testing.T) {
	ts, _ := newTestServer(t, testdb.SQLite(t))
	scenarios := []struct{ back, want string }{
		{"/systems?grade=1", "/systems?grade=1"},
		{"/agencies/3", "/agencies/3"},
		{"/", "/"},
		{"", "/"},
		{"//evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"https:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" //evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/systems\u0085", "/"},
	}
	for _, sc := range scenarios {
		status, location, _ := post(t, ts, "/lang", url.Values{"lang": {"en"}, "back": {sc.back}})
		if status != http.StatusSeeOther || location != sc.want {
			t.Errorf("back=%q: %d to %q, want 303 to %q", sc.back, status, location, sc.want)
		}
	}
}
