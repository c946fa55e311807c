package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/inventory/inventorytest"
	"yeonsok/internal/locale"
	"yeonsok/internal/scenario"
	"yeonsok/internal/testdb"
)

// nirsSystems are the systems the plan's sample runs at 국가정보자원관리원
// 대전센터: the 17 of the ministry and its committees that the fire of
// 2025. 9. 26. stopped (I. 현황: "우리부 17개 전산시스템 중단"; 참고 3:
// 고용노동부 14, 중앙노동위원회, 최저임금위원회 and 산업재해보상보험재심사위원회
// one each), by agency and name.
var nirsSystems = []string{
	"고용노동부 · 고용노동부 업무시스템 01", "고용노동부 · 고용노동부 업무시스템 02", "고용노동부 · 고용노동부 업무시스템 03",
	"고용노동부 · 고용노동부 업무시스템 04", "고용노동부 · 고용노동부 업무시스템 05", "고용노동부 · 고용노동부 업무시스템 06",
	"고용노동부 · 고용노동부 업무시스템 07", "고용노동부 · 고용노동부 업무시스템 08", "고용노동부 · 과태료관리시스템",
	"고용노동부 · 노사누리", "고용노동부 · 다우리포털", "고용노동부 · 대표홈페이지", "고용노동부 · 메일시스템",
	"고용노동부 · 퇴직연금취급실적관리시스템", "산업재해보상보험재심사위원회 · 산업재해보상보험재심사위원회 업무시스템 01",
	"중앙노동위원회 · 노사마루", "최저임금위원회 · 최저임금위원회 홈페이지",
}

// facilityNamed finds a facility of the sample by name.
func facilityNamed(t *testing.T, store *inventory.Store, name string) *inventory.Facility {
	t.Helper()
	list, err := store.Facilities(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range list {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("the sample has no facility %q", name)
	return nil
}

// whatIfAnswer is the part of the what-if's JSON the tests read.
type whatIfAnswer struct {
	Scenario string                `json:"scenario"`
	Lost     []facilityRef         `json:"lost"`
	Counts   scenario.WhatIfCounts `json:"counts"`
	Stopped  []struct {
		systemRef
		DR      string           `json:"dr"`
		RTO     scenario.Measure `json:"rto"`
		RPO     scenario.Measure `json:"rpo"`
		Reasons []string         `json:"reasons"`
	} `json:"stopped"`
	Services []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"services"`
	Agencies []agencyImpactJSON `json:"agencies"`
}

func getJSON(t *testing.T, ts *httptest.Server, path string, into any) int {
	t.Helper()
	status, body := get(t, ts, path)
	if err := json.Unmarshal([]byte(body), into); err != nil {
		t.Fatalf("%s: %d, not JSON: %v\n%.300s", path, status, err, body)
	}
	return status
}

// Done when: on the plan's sample data, the what-if for the NIRS facility
// lists exactly the ministry's systems the plan puts there, with their
// agencies, on both databases — through the API, the page and its export.
func TestWhatIfNIRSOnSample(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := sampleServer(t, db)
		nirs := facilityNamed(t, store, "국가정보자원관리원")
		path := fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d", nirs.ID)
		var w whatIfAnswer
		if status := getJSON(t, ts, path, &w); status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		var got []string
		for _, s := range w.Stopped {
			got = append(got, s.Agency+" · "+s.Name)
			if s.DR != scenario.DRNone || !s.RTO.Misses || !s.RPO.Misses || len(s.Reasons) == 0 {
				t.Errorf("%s: DR %s, RTO %+v, RPO %+v: every NIRS system lacks DR and misses both targets", s.Name, s.DR, s.RTO, s.RPO)
			}
		}
		slices.Sort(got)
		if strings.Join(got, "\n") != strings.Join(nirsSystems, "\n") {
			t.Errorf("stopped at NIRS:\n got  %q\n want %q", got, nirsSystems)
		}
		if len(w.Lost) != 1 || w.Lost[0].Name != "국가정보자원관리원" || w.Scenario != scenario.FacilityLoss {
			t.Errorf("lost %+v as %s", w.Lost, w.Scenario)
		}
		if c := w.Counts; c.Systems != 17 || c.MissesRTO != 17 || c.MissesRPO != 17 || c.Carried != 0 || c.Agencies != 4 || c.ServicesStopped != 1 {
			t.Errorf("counts %+v", c)
		}
		if len(w.Services) != 1 || w.Services[0].Name != "근로감독·신고사건 처리" || w.Services[0].Status != scenario.ServiceStopped {
			t.Errorf("services %+v: 노사누리's service stops", w.Services)
		}
		if len(w.Agencies) != 4 || w.Agencies[0].Name != "고용노동부" || w.Agencies[0].Systems != 14 {
			t.Errorf("agencies %+v: the ministry first, with 14", w.Agencies)
		}

		// The page: the headline first, then one row per stopped system.
		status, body := get(t, ts, fmt.Sprintf("/what-if?facility=%d", nirs.ID))
		if status != http.StatusOK {
			t.Fatalf("what-if page: %d", status)
		}
		mustContain(t, "what-if page", body, "국가정보자원관리원을(를) 잃으면 정보시스템 17개가 멈춥니다", `id="card-stopped">17<`,
			`id="card-carried">0<`, `id="card-misses-rto">17<`)
		if strings.Index(body, `id="whatif-headline"`) > strings.Index(body, `id="t-stopped"`) {
			t.Error("the headline must come before the tables")
		}
		rows := htmlTable(t, body, "stopped")
		if len(rows) != 18 {
			t.Errorf("stopped table: %d rows, want a header and 17", len(rows))
		}
		wantCells(t, "노사누리 row", rowOf(t, rows[1:], "고용노동부")[:2], "고용노동부", "노사누리")
		resp, file := getBytes(t, ts, fmt.Sprintf("/export/what-if/stopped.csv?facility=%d", nirs.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(file), "중앙노동위원회,노사마루") ||
			!strings.Contains(string(file), "복구할 사본이 없음") && !strings.Contains(string(file), "새로 구축") {
			t.Errorf("export: %d\n%.400s", resp.StatusCode, file)
		}
	})
}

// Done when: grade-1 systems without DR show their facility-loss gap — in
// the gap summary's API and page, and on the system's own page, each
// target with where it comes from.
func TestGradeOneWithoutDRShowsGap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, _ := sampleServer(t, db)
		var answer struct {
			Scenarios []scenarioGapsJSON `json:"scenarios"`
			Misses    []gapJSON          `json:"misses"`
		}
		if status := getJSON(t, ts, "/api/v1/gaps?scenario=facility_loss", &answer); status != http.StatusOK {
			t.Fatalf("gaps: %d", status)
		}
		if len(answer.Scenarios) != 1 || answer.Scenarios[0].Total.Systems != 212 {
			t.Fatalf("scenarios %+v: want facility loss over the 212 systems", answer.Scenarios)
		}
		misses := map[string]gapJSON{}
		for _, g := range answer.Misses {
			misses[g.Agency+" · "+g.Name] = g
		}
		for name, source := range map[string]string{
			"한국장애인고용공단 · 장애인고용업무시스템": scenario.TargetMinimum, // no targets of its own
			"한국산업인력공단 · Q-Net":       scenario.TargetService, // 국가기술자격 시험 접수: 2 h
			"근로복지공단 · 고용·산재보험 토탈서비스": scenario.TargetOwn,
		} {
			g, ok := misses[name]
			switch {
			case !ok:
				t.Errorf("%s (grade 1, no DR) does not miss under facility loss", name)
			case g.Grade != 1 || !g.RTO.Misses || !g.RPO.Misses:
				t.Errorf("%s: grade %d, RTO %+v, RPO %+v", name, g.Grade, g.RTO, g.RPO)
			case g.RTO.Target.Source != source || *g.RTO.Target.Minutes != inventory.Hours(2):
				t.Errorf("%s: RTO target %v from %q, want 2 h from %q", name, g.RTO.Target.Minutes, g.RTO.Target.Source, source)
			}
		}

		status, body := get(t, ts, "/gaps?scenario=facility_loss")
		if status != http.StatusOK {
			t.Fatalf("gaps page: %d", status)
		}
		row := rowOf(t, htmlTable(t, body, "misses")[1:], "한국장애인고용공단")
		wantCells(t, "장애인고용업무시스템 row", row[:9], "한국장애인고용공단", "장애인고용업무시스템", "1등급",
			"2시간 등급 최소기준", "복구 불가(무한) 목표 미달", "복구 불가(무한)", "1시간 등급 최소기준", "복구 불가(무한) 목표 미달", "복구 불가(무한)")
		totals := htmlTable(t, body, "totals")
		if len(totals) != 1+len(scenario.Kinds) {
			t.Errorf("totals: %d rows", len(totals))
		}
		wantCells(t, "facility-loss total", rowOf(t, totals, "주 시설 상실")[:2], "주 시설 상실", "212")
		grades := htmlTable(t, body, "by-grade")
		if g1 := rowOf(t, grades, "1등급"); g1[1] != "7" || g1[2] != "7" {
			t.Errorf("grade 1: %q, want all 7 to miss under facility loss", g1)
		}
	})
}

// Asking wrongly gets a clear JSON error: nothing to lose, a facility that
// does not exist, facilities and a region at once, an unknown region or
// scenario; a wrong method gets 405.
func TestScenarioAPIErrors(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	f := newUIFixture(t, store)
	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/scenarios/facility-loss", 400, "invalid"},
		{"/api/v1/scenarios/facility-loss?facility=", 400, "invalid"},
		{"/api/v1/scenarios/facility-loss?facility=99999", 404, "not_found"},
		{fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d&facility=99999", f.nirs.ID), 404, "not_found"},
		{"/api/v1/scenarios/facility-loss?facility=abc", 404, "not_found"},
		{fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d&region=대전", f.nirs.ID), 400, "invalid"},
		{"/api/v1/scenarios/facility-loss?region=제주", 404, "not_found"},
		{"/api/v1/gaps?scenario=meteor", 400, "invalid"},
		{"/api/v1/gaps?agency=x", 400, "invalid"},
	} {
		var e apiError
		if status := getJSON(t, ts, c.path, &e); status != c.status || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", c.path, status, e, c.status, c.code)
		}
	}
	for _, path := range []string{"/api/v1/scenarios/facility-loss", "/api/v1/gaps"} {
		if status, body := send(t, ts, http.MethodPost, path, "{}"); status != http.StatusMethodNotAllowed || !strings.Contains(string(body), `"code"`) {
			t.Errorf("POST %s: %d %s", path, status, body)
		}
	}
	// The page says the same in words; a page with nothing chosen offers
	// the choice.
	if status, body := get(t, ts, "/what-if?facility=99999"); status != http.StatusNotFound {
		t.Errorf("what-if page, unknown facility: %d %.200s", status, body)
	}
	status, body := get(t, ts, "/what-if")
	if status != http.StatusOK || strings.Contains(body, `id="whatif-headline"`) {
		t.Errorf("what-if page without a choice: %d", status)
	}
	mustContain(t, "the choice", body, fmt.Sprintf(`name="facility" value="%d"`, f.nirs.ID), `<option value="대전">대전</option>`)
}

// Losing two facilities at once on the hand-made fixture: 고용24 at NIRS
// with similar DR at KT, which is lost too; 대표홈페이지 at KT depends on
// 고용24. By region, the rules of the regional scenario.
func TestWhatIfSeveralFacilitiesAndRegion(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	f := newUIFixture(t, store)
	var one, both, region whatIfAnswer
	getJSON(t, ts, fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d", f.nirs.ID), &one)
	getJSON(t, ts, fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d&facility=%d", f.nirs.ID, f.kt.ID), &both)
	getJSON(t, ts, "/api/v1/scenarios/facility-loss?region=대전", &region)
	dr := func(w whatIfAnswer) map[string]string {
		m := map[string]string{}
		for _, s := range w.Stopped {
			m[s.Name] = s.DR
		}
		return m
	}
	if got := dr(one); got["고용24"] != scenario.DRCarries || len(got) != 2 || one.Counts.Indirect != 1 {
		t.Errorf("NIRS alone: %v, %d indirect; want 고용24 carried by KT and 노사누리 stopped, 대표홈페이지 affected", got, one.Counts.Indirect)
	}
	if got := dr(both); got["고용24"] != scenario.DRLost || len(got) != 4 || both.Counts.Indirect != 0 || both.Counts.Facilities != 2 {
		t.Errorf("NIRS and KT: %v, %+v; want 고용24's DR lost and four stopped", got, both.Counts)
	}
	if region.Scenario != scenario.Regional || len(region.Lost) != 1 || region.Lost[0].Name != "국정자원 대전센터" {
		t.Errorf("region 대전: %s %+v", region.Scenario, region.Lost)
	}
	status, body := get(t, ts, "/what-if?region=대전")
	if status != http.StatusOK {
		t.Fatalf("region page: %d", status)
	}
	mustContain(t, "region page", body, "대전 지역의 시설 1곳을(를) 잃으면", `<option value="대전" selected>`)
	status, body = get(t, ts, fmt.Sprintf("/what-if?facility=%d&facility=%d", f.nirs.ID, f.kt.ID))
	if status != http.StatusOK {
		t.Fatalf("two facilities: %d", status)
	}
	mustContain(t, "two facilities", body, "국정자원 대전센터 등 시설 2곳을(를) 잃으면 정보시스템 4개가 멈춥니다",
		fmt.Sprintf(`value="%d" checked`, f.kt.ID))
	for _, table := range []string{"stopped", "services", "agencies", "indirect"} {
		link := fmt.Sprintf("/export/what-if/%s.xlsx?facility=%d&facility=%d", table, f.nirs.ID, f.kt.ID)
		if resp, _ := getBytes(t, ts, link); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", link, resp.StatusCode)
		}
	}
	// Every facility page offers its what-if.
	_, body = get(t, ts, facilityHref(f.kt.ID))
	mustContain(t, "facility page", body, fmt.Sprintf(`href="/what-if?facility=%d" id="what-if-link">이 시설을 잃으면`, f.kt.ID))
}

// An agency sees the what-if and the gaps of its own systems only: a
// facility it runs nothing in does not exist for it, and a shared one
// stops only its own systems in its answer.
func TestWhatIfAndGapsIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		store := inventory.NewStore(db)
		f := newScopeFixture(t, store)
		ts, _, _ := newServerAs(t, db, auth.AgencyViewer, f.welfare.ID)
		var w whatIfAnswer
		if status := getJSON(t, ts, fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d", f.kt.ID), &w); status != http.StatusOK {
			t.Fatalf("shared facility: %d", status)
		}
		if len(w.Stopped) != 1 || w.Stopped[0].Name != "산재보험 EDI" || w.Counts.Indirect != 0 {
			t.Errorf("KT for 근로복지공단: %+v", w)
		}
		for _, path := range []string{
			fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d", f.nirs.ID), fmt.Sprintf("/what-if?facility=%d", f.nirs.ID),
			fmt.Sprintf("/export/what-if/stopped.csv?facility=%d", f.nirs.ID),
		} {
			if status, body := get(t, ts, path); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			} else {
				mustNotShow(t, path, body, keisNames...)
			}
		}
		for _, path := range []string{
			fmt.Sprintf("/api/v1/scenarios/facility-loss?facility=%d", f.kt.ID), fmt.Sprintf("/what-if?facility=%d", f.kt.ID),
			fmt.Sprintf("/what-if?facility=%d&facility=%d", f.kt.ID, f.own.ID), "/what-if", "/gaps", "/gaps?scenario=regional",
			"/api/v1/gaps", "/api/v1/gaps?scenario=component", fmt.Sprintf("/api/v1/gaps?agency=%d&scenario=facility_loss", f.keis.ID),
		} {
			status, body := get(t, ts, path)
			if status != http.StatusOK {
				t.Errorf("%s: %d", path, status)
			}
			mustNotShow(t, path, body, keisNames...)
			for _, m := range exportHrefPattern.FindAllStringSubmatch(body, -1) {
				link := strings.ReplaceAll(m[1], "&amp;", "&")
				resp, file := getBytes(t, ts, link)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", link, resp.StatusCode)
				}
				mustNotShow(t, link, downloadText(t, link, file), keisNames...)
			}
		}
	})
}

// The words the what-if and gap pages build from domain values exist in
// both languages.
func TestWhatIfKeysAreInTheCatalogue(t *testing.T) {
	for prefix, values := range map[string][]string{
		"whatif.dr.":      {scenario.DRNone, scenario.DRLost, scenario.DRCarries, scenario.DRReduced, scenario.DRUnknown},
		"whatif.service.": {scenario.ServiceStopped, scenario.ServiceDegraded},
		"gaps.source.":    {scenario.TargetOwn, scenario.TargetService, scenario.TargetMinimum},
	} {
		for _, v := range values {
			if !locale.Has(prefix + v) {
				t.Errorf("key %q is not in the catalogue", prefix+v)
			}
		}
	}
}

// At whole-of-government scale the gaps page lists the first
// longListRows systems that miss and says how many more the export holds;
// the CSV export holds every one of them.
func TestGapsPageListsFirstRowsExportAll(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	if err := inventorytest.Populate(context.Background(), store, 4, 3, 1500); err != nil {
		t.Fatal(err)
	}
	resp, page := getBytes(t, ts, "/gaps?scenario=facility_loss")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("gaps page: %d", resp.StatusCode)
	}
	block := string(page)[strings.Index(string(page), `id="t-misses"`):]
	block = block[:strings.Index(block, "</table>")]
	if rows := strings.Count(block, "<tr>") - 1; rows != longListRows {
		t.Errorf("the page lists %d systems that miss, want the first %d", rows, longListRows)
	}
	_, csv := getBytes(t, ts, "/export/gaps/misses.csv?scenario=facility_loss")
	all := strings.Count(strings.TrimSpace(string(csv)), "\n") // the header line is not counted
	if all <= longListRows {
		t.Fatalf("the export holds %d systems that miss; the test needs more than %d", all, longListRows)
	}
	if !strings.Contains(string(page), fmt.Sprintf("나머지 %d건", all-longListRows)) {
		t.Errorf("the page does not say that %d more systems are in the export", all-longListRows)
	}
}
