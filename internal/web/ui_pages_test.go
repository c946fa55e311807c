package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// Every list and detail page renders its records, with the sample tag on
// sample records and the shared tag on a shared facility.
func TestListAndDetailPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		scenarios := []struct {
			name    string
			path    string
			want    []string
			notWant []string
		}{
			{"agencies", "/agencies", []string{"고용노동부", "근로복지공단", `href="/agencies/new"`, `href="/export/agencies/agencies.xlsx"`}, nil},
			{"agencies filtered", "/agencies?q=복지", []string{"근로복지공단"}, []string{">고용노동부</a>"}},
			{"agency", fmt.Sprintf("/agencies/%d", f.welfare.ID), []string{"<h1>근로복지공단</h1>", "노동보험시스템", "산재보험 EDI",
				"KT 목동", "근로복지공단 전산실", "정보화실 052-000-0000", `<span class="tag shared">공동 이용</span>`,
				fmt.Sprintf(`href="/export/agency/systems.xlsx?id=%d"`, f.welfare.ID)}, []string{"고용24"}},
			{"facilities", "/facilities", []string{"국정자원 대전센터", "근로복지공단 전산실", "KT 목동", `<span class="tag shared">공동 이용</span>`}, nil},
			{"facilities by operator", "/facilities?operator=private", []string{"KT 목동"}, []string{"국정자원 대전센터"}},
			{"facility shared", fmt.Sprintf("/facilities/%d", f.kt.ID), []string{"<h1>KT 목동 <span class=\"tag shared\">공동 이용</span></h1>",
				"고용노동부 시스템 (2개)", "근로복지공단 시스템 (1개)", "대표홈페이지", "고용24", "산재보험 EDI", "재해복구", "주 운영"}, nil},
			{"facility checklist", fmt.Sprintf("/facilities/%d", f.own.ID), []string{"무정전전원장치(UPS)", "<td>예</td>", "<td>아니오</td>",
				"<td>미확인</td>", `<span class="tag risk">위험</span>`, "<li>UPS와 서버가 같은 공간에 있음</li>", "<li>소화설비 노후화</li>"},
				[]string{"tag shared"}},
			{"systems", "/systems", []string{"고용24", "노사누리", "산재보험 EDI", "국정자원 대전센터 (국정자원)", "주센터와 유사", "2시간", "1시간",
				`<span class="tag sample">표본</span>`}, nil},
			{"systems without grade", "/systems?grade=none", []string{"노사누리", `<span class="tag sample">표본</span>`,
				`href="/export/systems/systems.xlsx?grade=none"`}, []string{"고용24"}},
			{"systems of an agency and facility", fmt.Sprintf("/systems?agency=%d&facility=%d", f.ministry.ID, f.kt.ID),
				[]string{"대표홈페이지", "고용24"}, []string{"산재보험 EDI", "노사누리"}},
			{"system", fmt.Sprintf("/systems/%d", f.work24.ID), []string{"<h1>고용24</h1>", "1등급", "국정자원 대전센터", "KT 목동", "주센터와 유사",
				"7일마다", "24시간마다", "원격 복제", "2시간", "1시간", "<td>예</td>", "https://www.work24.go.kr/", "실업급여 신청", "고용노동부 · 대표홈페이지",
				"공통 인증", "통합 로그인", "김정보"}, nil},
			{"system findings", fmt.Sprintf("/systems/%d", f.insurance.ID), []string{"system_missing_targets", "복구목표가 설정되지 않았습니다",
				"grade12_without_endpoints", "미설정", "미확인", "24시간마다"}, nil},
			{"sample system", fmt.Sprintf("/systems/%d", f.nosa.ID), []string{`<span class="tag sample" title="표본 데이터입니다(실제 기록이 아님)">표본</span>`, "미부여"}, nil},
			{"services", "/services", []string{"실업급여 신청", "고용24, 노동보험시스템", "8시간"}, nil},
			{"service", fmt.Sprintf("/services/%d", f.benefits.ID), []string{"<h1>실업급여 신청</h1>", "고용센터 창구에서 수기 접수", "노동보험시스템", "8시간"}, nil},
			{"dependencies", "/dependencies", []string{"고용노동부 · 대표홈페이지", "고용노동부 · 고용24", "공통 인증", "통합 로그인",
				fmt.Sprintf(`href="/dependencies/%d/edit"`, f.dependency.ID)}, nil},
			{"dependencies by kind", "/dependencies?kind=database", []string{"해당하는 기록이 없습니다"}, []string{"통합 로그인"}},
			{"data quality", "/data-quality", []string{"system_missing_grade", "노사누리", fmt.Sprintf(`href="/systems/%d"`, f.nosa.ID), "높음", "보통"}, nil},
			{"data quality high only", "/data-quality?severity=high", []string{"grade12_without_endpoints"}, []string{"<td>system_missing_grade</td>"}},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				status, body := get(t, ts, sc.path)
				if status != http.StatusOK {
					t.Fatalf("%s: %d", sc.path, status)
				}
				mustContain(t, sc.path, body, sc.want...)
				for _, w := range sc.notWant {
					if strings.Contains(body, w) {
						t.Errorf("%s: should not show %q", sc.path, w)
					}
				}
				checkAccessible(t, sc.path, body)
			})
		}
	})
}

// The quality counts on the page are the same as in its export, and a
// filtered list exports only the rows the page shows.
func TestListExportsKeepTheFilter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		_, body := get(t, ts, "/systems?grade=none")
		page := htmlTable(t, body, "systems")
		_, file := getBytes(t, ts, "/export/systems/systems.xlsx?grade=none")
		sheet := xlsxRows(t, file)
		if len(sheet) != 2 || len(page) != 2 || sheet[1][1] != "노사누리 (표본)" {
			t.Errorf("filtered export: %q, page %q", sheet, page)
		}
		_, body = get(t, ts, "/data-quality")
		counts := htmlTable(t, body, "counts")
		_, file = getBytes(t, ts, "/export/data-quality/counts.xlsx")
		for i, row := range xlsxRows(t, file) {
			wantCells(t, "quality counts", row, counts[i]...)
		}
		_, csv := getBytes(t, ts, fmt.Sprintf("/export/system/targets.csv?id=%d", f.work24.ID))
		if !strings.HasPrefix(string(csv), "\uFEFF") {
			t.Errorf("detail table CSV has no BOM: %q", csv)
		}
	})
}

func TestUnknownRecordsAre404(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		newUIFixture(t, store)
		for _, path := range []string{"/agencies/999999", "/agencies/abc", "/facilities/0", "/facilities/999999", "/systems/999999",
			"/systems/-1", "/services/999999", "/systems/999999/edit", "/agencies/999999/edit", "/facilities/999999/edit",
			"/services/999999/edit", "/dependencies/999999/edit", "/export/system/targets.xlsx?id=999999", "/export/nope/x.xlsx"} {
			status, body := get(t, ts, path)
			if status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			}
			if !strings.Contains(body, "<h1>요청을 처리할 수 없습니다</h1>") {
				t.Errorf("%s: not the error page:\n%s", path, body)
			}
		}
		for _, path := range []string{"/systems/999999", "/systems/999999/delete", "/agencies/999999", "/services/999999/delete",
			"/dependencies/999999", "/facilities/999999/delete"} {
			if status, _, _ := post(t, ts, path, nil); status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, status)
			}
		}
	})
}

var (
	h1Pattern      = regexp.MustCompile(`<h1[ >]`)
	headingPattern = regexp.MustCompile(`<h([1-6])[ >]`)
	controlPattern = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idPattern      = regexp.MustCompile(`\bid="([^"]+)"`)
	tablePattern   = regexp.MustCompile(`(?s)<table>(.*?)</table>`)
)

// checkAccessible checks the WCAG basics a page can fail by construction:
// one h1 and no skipped heading level, a label for every control, and a
// caption and scoped headers on every table.
func checkAccessible(t *testing.T, path, body string) {
	t.Helper()
	if strings.Contains(body, "{0}") || strings.Contains(body, "{1}") {
		t.Errorf("%s: a message shows an unfilled placeholder", path)
	}
	if n := len(h1Pattern.FindAllString(body, -1)); n != 1 {
		t.Errorf("%s: %d <h1>, want 1", path, n)
	}
	last := 0
	for _, m := range headingPattern.FindAllStringSubmatch(body, -1) {
		level := int(m[1][0] - '0')
		if level > last+1 {
			t.Errorf("%s: heading h%d follows h%d", path, level, last)
		}
		last = level
	}
	for _, control := range controlPattern.FindAllString(body, -1) {
		if strings.Contains(control, `type="hidden"`) {
			continue
		}
		id := idPattern.FindStringSubmatch(control)
		if id == nil || !strings.Contains(body, `<label for="`+id[1]+`">`) {
			t.Errorf("%s: control without a label: %s", path, control)
		}
	}
	for _, tbl := range tablePattern.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(tbl[1], "<caption>") || !strings.Contains(tbl[1], `<th scope="col"`) {
			t.Errorf("%s: a table without caption or column headers", path)
		}
	}
}

// A record named like a formula reaches a CSV export as text: the cell gets
// an apostrophe so a spreadsheet does not run it, numbers stay as they are,
// and the XLSX export keeps the name exactly, as a string cell.
func TestTableExportsDoNotRunFormulas(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		name := `=HYPERLINK("http://evil.example","클릭")`
		ctx := context.Background()
		err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.welfare.ID, Name: name})
		})
		if err != nil {
			t.Fatal(err)
		}
		_, file := getBytes(t, ts, fmt.Sprintf("/export/agency/systems.csv?id=%d", f.welfare.ID))
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if row := rowOf(t, records, "'"+name); row[0] != "'"+name {
			t.Errorf("csv: %q, want the name after an apostrophe", row)
		}
		_, file = getBytes(t, ts, fmt.Sprintf("/export/agency/systems.xlsx?id=%d", f.welfare.ID))
		if row := rowOf(t, xlsxRows(t, file), name); row[0] != name {
			t.Errorf("xlsx: %q, want the name as written", row)
		}
	})
	tbl := &table{Columns: []column{{Label: "-"}, {Label: "n", Num: true}},
		Rows: [][]cell{{textCell("-3"), intCell(-3)}, {textCell("@SUM(A1)"), pctCell(1, 3)}}}
	file, err := tbl.CSV()
	if err != nil {
		t.Fatal(err)
	}
	if want := "\uFEFF'-,n\r\n'-3,-3\r\n'@SUM(A1),33.3\r\n"; string(file) != want {
		t.Errorf("csv:\n got  %q\n want %q", file, want)
	}
}

func TestPercentRoundsHalfUp(t *testing.T) {
	for _, sc := range []struct {
		n, of int
		want  float64
	}{{0, 0, 0}, {188, 197, 95.4}, {2, 3, 66.7}, {1, 16, 6.3}, {3, 16, 18.8}, {31, 212, 14.6}, {212, 212, 100}} {
		if got := percent(sc.n, sc.of); got != sc.want {
			t.Errorf("percent(%d, %d) = %v, want %v", sc.n, sc.of, got, sc.want)
		}
	}
}
