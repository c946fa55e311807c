package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/risk"
	"yeonsok/internal/testdb"
)

// riskForm is a valid form of 근로복지공단's risk at KT, on 산재보험 EDI.
func riskForm(f *scopeFixture) url.Values {
	return url.Values{"agency_id": {idValue(f.welfare.ID)}, "facility_id": {idValue(f.kt.ID)}, "system_id": {idValue(f.edi.ID)},
		"sub_kind": {"disaster"}, "title": {"UPS 배터리가 서버와 같은 공간에 있음"}, "description": {"NIRS 화재와 같은 배치"},
		"source": {"참고 4 현장조사"}, "likelihood": {"4"}, "impact": {"5"}, "controls": {"배터리 화재용 소화기"},
		"residual_likelihood": {"2"}, "residual_impact": {""}, "owner": {"정보화실"}, "status": {"open"}, "review_date": {"2026-06-30"}}
}

func countRisks(t *testing.T, srv *Server) int {
	t.Helper()
	list, err := srv.risks.List(context.Background(), access.All(), risk.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// A ministry admin records a risk through the form, sees it on the risk
// page (heat maps and list, filtered and exported), on its facility's and
// system's pages and in the audit log, changes it and deletes it. Bad
// input comes back with each problem next to its field.
func TestRiskPagesAndForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.MinistryAdmin, 0)

		t.Run("bad input is refused next to its field", func(t *testing.T) {
			form := riskForm(f)
			form.Set("title", " ")
			form.Set("likelihood", "9")
			form.Set("residual_impact", "5")
			form.Set("impact", "3")
			form.Set("review_date", "내년 봄")
			refused(t, srv.store, func() (int, string, string) { return post(t, ts, "/risks", form) }, http.StatusBadRequest, map[string]string{
				"title": "필수 항목", "likelihood": "1~5 사이", "residual_impact": "통제 전 값(3)보다", "review_date": "2026-06-30 형식",
			})
			// What the store checks: the system must be the entry's agency's.
			form = riskForm(f)
			form.Set("system_id", idValue(f.work24.ID))
			refused(t, srv.store, func() (int, string, string) { return post(t, ts, "/risks", form) }, http.StatusBadRequest, map[string]string{
				"system_id": "고용24은(는) 이 위험요인의 기관 소속이 아닙니다",
			})
			if n := countRisks(t, srv); n != 0 {
				t.Fatalf("refused forms left %d entries", n)
			}
		})

		status, location, body := post(t, ts, "/risks", riskForm(f))
		id := created(t, status, location, body, "/risks/")
		detail := fmt.Sprintf("/risks/%d", id)

		t.Run("detail", func(t *testing.T) {
			status, body := get(t, ts, detail)
			if status != http.StatusOK {
				t.Fatalf("%s: %d", detail, status)
			}
			mustContain(t, detail, html.UnescapeString(body), "UPS 배터리가 서버와 같은 공간에 있음", "물리적 위험요인 · 재해",
				"가능성 4 × 영향 5 = 20", "매우 높음", "가능성 2 × 영향 5 = 10", "2026. 6. 30.", "미조치", "정보화실",
				fmt.Sprintf(`href="/facilities/%d"`, f.kt.ID), fmt.Sprintf(`href="/systems/%d"`, f.edi.ID), "참고 4 현장조사")
		})

		t.Run("heat maps, list, filters and exports", func(t *testing.T) {
			status, body := get(t, ts, "/risks")
			if status != http.StatusOK {
				t.Fatalf("/risks: %d", status)
			}
			inherent := htmlTable(t, body, "inherent")
			wantCells(t, "inherent heat map, likelihood 4", rowOf(t, inherent, "4 자주"), "4 자주", "0", "0", "0", "0", "1")
			wantCells(t, "inherent heat map, likelihood 2", rowOf(t, inherent, "2 드묾"), "2 드묾", "0", "0", "0", "0", "0")
			residual := htmlTable(t, body, "residual")
			wantCells(t, "residual heat map, likelihood 2", rowOf(t, residual, "2 드묾"), "2 드묾", "0", "0", "0", "0", "1")
			if !strings.Contains(body, `class="num heat band-critical"`) || !strings.Contains(body, `class="num heat band-low"`) {
				t.Error("heat map cells are not coloured by band")
			}
			list := htmlTable(t, body, "risks")
			wantCells(t, "list", list[1], "근로복지공단", "UPS 배터리가 서버와 같은 공간에 있음", "물리적 위험요인 · 재해",
				"KT 목동 (민간 위탁)", "근로복지공단 · 산재보험 EDI", "4", "5", "20", "매우 높음", "10", "높음", "미조치")

			for query, shown := range map[string]bool{
				"band=high": true, "band=critical": false, "kind=physical": true, "kind=technical": false,
				"agency=" + idValue(f.welfare.ID): true, "agency=" + idValue(f.keis.ID): false,
			} {
				_, body := get(t, ts, "/risks?"+query)
				if got := strings.Contains(body, "UPS 배터리가 서버와"); got != shown {
					t.Errorf("/risks?%s shows the entry: %v, want %v", query, got, shown)
				}
			}
			if status, _ := get(t, ts, "/risks?band=bogus"); status != http.StatusBadRequest {
				t.Errorf("/risks?band=bogus: %d, want 400", status)
			}
			for _, path := range []string{"/export/risks/risks.csv?band=high", "/export/risks/risks.xlsx", "/export/risks/inherent.xlsx", "/export/risks/residual.csv"} {
				resp, file := getBytes(t, ts, path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d", path, resp.StatusCode)
				}
				text := downloadText(t, path, file)
				want := "UPS 배터리가 서버와 같은 공간에 있음"
				if strings.Contains(path, "inherent") || strings.Contains(path, "residual") {
					want = "5 심각"
				}
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q:\n%s", path, want, text)
				}
			}
		})

		t.Run("on its facility's and system's pages", func(t *testing.T) {
			for _, path := range []string{fmt.Sprintf("/facilities/%d", f.kt.ID), fmt.Sprintf("/systems/%d", f.edi.ID)} {
				_, body := get(t, ts, path)
				rows := htmlTable(t, body, "risks")
				if len(rows) != 2 || !strings.Contains(strings.Join(rows[1], "|"), "UPS 배터리가 서버와 같은 공간에 있음|물리적 위험요인 · 재해|20|매우 높음|10|높음|미조치") {
					t.Errorf("%s: risks %q", path, rows)
				}
			}
			_, body := get(t, ts, fmt.Sprintf("/systems/%d", f.insurance.ID))
			if rows := htmlTable(t, body, "risks"); len(rows) != 2 || !strings.Contains(rows[1][0], "없습니다") {
				t.Errorf("a system without risks lists %q", rows)
			}
		})

		t.Run("new form filled from the system's page", func(t *testing.T) {
			_, body := get(t, ts, fmt.Sprintf("/risks/new?system=%d", f.insurance.ID))
			for _, want := range []string{
				fmt.Sprintf(`<option value="%d" selected>`, f.insurance.ID), fmt.Sprintf(`<option value="%d" selected>근로복지공단`, f.welfare.ID),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("new form lacks %s", want)
				}
			}
			checkAccessible(t, "risk form", body)
		})

		t.Run("audit log links the entry", func(t *testing.T) {
			_, body := get(t, ts, "/audit?kind=risk")
			if !strings.Contains(body, fmt.Sprintf(`href="%s"`, detail)) {
				t.Error("the audit log does not link the risk entry")
			}
		})

		t.Run("edit and delete", func(t *testing.T) {
			_, body := get(t, ts, detail+"/edit")
			if !strings.Contains(body, `value="UPS 배터리가 서버와 같은 공간에 있음"`) || !strings.Contains(body, `<option value="disaster" selected>`) {
				t.Error("the edit form does not hold the entry")
			}
			form := riskForm(f)
			form.Set("status", "mitigating")
			form.Set("residual_likelihood", "1")
			if status, location, body := post(t, ts, detail, form); status != http.StatusSeeOther || location != detail {
				t.Fatalf("update: %d → %q\n%s", status, location, body)
			}
			_, body = get(t, ts, detail)
			mustContain(t, "updated detail", body, "조치 중", "가능성 1 × 영향 5 = 5")

			if status, location, _ := post(t, ts, detail+"/delete", nil); status != http.StatusSeeOther || location != "/risks" {
				t.Fatalf("delete: %d → %q", status, location)
			}
			if status, _ := get(t, ts, detail); status != http.StatusNotFound {
				t.Fatalf("deleted entry: %d, want 404", status)
			}
		})
	})
}

// An agency's user sees, exports and changes its own agency's entries
// only: at a facility it shares with another agency too, the other's entry
// does not exist for it.
func TestRiskAgencyIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		ctx := context.Background()
		mine := &risk.Entry{AgencyID: f.welfare.ID, FacilityID: &f.kt.ID, SubKind: "equipment", Title: "KT 회선 이중화 없음", Likelihood: 3, Impact: 4}
		theirs := &risk.Entry{AgencyID: f.keis.ID, FacilityID: &f.kt.ID, SystemID: &f.homepage.ID, SubKind: "hacking",
			Title: "고용24 통합인증 연계 비밀번호 유출", Likelihood: 5, Impact: 5}
		if err := srv.risks.Create(ctx, access.All(), mine, theirs); err != nil {
			t.Fatal(err)
		}
		hidden := append(keisNames, theirs.Title)

		for _, path := range []string{"/risks", fmt.Sprintf("/facilities/%d", f.kt.ID), fmt.Sprintf("/risks/%d", mine.ID),
			"/api/v1/risks", fmt.Sprintf("/api/v1/risks?facility=%d", f.kt.ID), fmt.Sprintf("/api/v1/risks?agency=%d", f.keis.ID)} {
			status, body := get(t, ts, path)
			if status != http.StatusOK {
				t.Errorf("%s: %d", path, status)
			}
			mustNotShow(t, path, body, hidden...)
			for _, m := range exportHrefPattern.FindAllStringSubmatch(body, -1) {
				link := html.UnescapeString(m[1])
				resp, file := getBytes(t, ts, link)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", link, resp.StatusCode)
				}
				mustNotShow(t, link, downloadText(t, link, file), hidden...)
			}
		}
		if _, body := get(t, ts, "/risks"); !strings.Contains(body, mine.Title) {
			t.Error("the agency does not see its own entry")
		}
		_, body := get(t, ts, "/api/v1/risks/heatmap")
		if !strings.Contains(body, `"counted": 1`) {
			t.Errorf("heat map counts another agency's entries:\n%s", body)
		}

		other := fmt.Sprintf("/risks/%d", theirs.ID)
		for _, path := range []string{other, other + "/edit", "/api/v1" + other} {
			if status, body := get(t, ts, path); status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, status)
			} else {
				mustNotShow(t, path, body, hidden...)
			}
		}
		form := url.Values{"agency_id": {idValue(f.welfare.ID)}, "sub_kind": {"hacking"}, "title": {"가로챔"}, "likelihood": {"1"}, "impact": {"1"}}
		for _, path := range []string{other, other + "/delete"} {
			if status, _, _ := post(t, ts, path, form); status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, status)
			}
		}
		for _, method := range []string{"PUT", "DELETE"} {
			if status, _ := send(t, ts, method, "/api/v1"+other, `{"agency_id":`+idValue(f.welfare.ID)+`,"sub_kind":"hacking","title":"가로챔","likelihood":1,"impact":1}`); status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", method, "/api/v1"+other, status)
			}
		}
		if stored, err := srv.risks.Entry(ctx, access.All(), theirs.ID); err != nil || stored.Title != theirs.Title {
			t.Fatalf("another agency's entry after refused writes: %+v %v", stored, err)
		}

		// It records for its own agency only, on what it sees.
		for body, field := range map[string]string{
			`{"agency_id":` + idValue(f.keis.ID) + `,"sub_kind":"hacking","title":"x","likelihood":1,"impact":1}`:                                             "agency_id",
			`{"agency_id":` + idValue(f.welfare.ID) + `,"facility_id":` + idValue(f.nirs.ID) + `,"sub_kind":"hacking","title":"x","likelihood":1,"impact":1}`: "facility_id",
			`{"agency_id":` + idValue(f.welfare.ID) + `,"system_id":` + idValue(f.work24.ID) + `,"sub_kind":"hacking","title":"x","likelihood":1,"impact":1}`: "system_id",
		} {
			status, answer := send(t, ts, "POST", "/api/v1/risks", body)
			if status != http.StatusBadRequest || !strings.Contains(string(answer), `"field": "`+field+`"`) {
				t.Errorf("POST %s: %d %s, want 400 on %s", body, status, answer, field)
			}
			mustNotShow(t, "refusal", string(answer), hidden...)
		}
		_, body = get(t, ts, "/risks/new")
		if !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>근로복지공단`, f.welfare.ID)) {
			t.Error("the new form does not propose the user's own agency")
		}
		mustNotShow(t, "/risks/new", body, keisNames...)
	})
}
