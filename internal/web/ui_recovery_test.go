package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/recovery"
	"yeonsok/internal/testdb"
)

// restartPlan asks the API for a restart order and decodes it.
func restartPlan(t *testing.T, get func(string) (int, []byte), query string) *recovery.Plan {
	t.Helper()
	status, body := get("/api/v1/restart-order?" + query)
	if status != http.StatusOK {
		t.Fatalf("restart order %s: %d %s", query, status, body)
	}
	var plan recovery.Plan
	if err := json.Unmarshal(body, &plan); err != nil {
		t.Fatalf("restart order %s: %v\n%s", query, err, body)
	}
	return &plan
}

// On the plan's sample data, losing 한국고용정보원's data centre: 고용24,
// which others authenticate through, comes back first; each system that
// needs another starts when that one is back; the page shows the critical
// path, and every table downloads.
func TestRestartOrderPageOnSampleData(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	facilities, err := store.Facilities(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	var keisDC int64
	for _, f := range facilities {
		if f.Name == "한국고용정보원 데이터센터" {
			keisDC = f.ID
		}
	}
	status, body := get(t, ts, fmt.Sprintf("/facilities/%d", keisDC))
	link := fmt.Sprintf(`href="/restart-order?facility=%d"`, keisDC)
	if status != http.StatusOK || !strings.Contains(body, link) {
		t.Fatalf("the facility page does not link to its restart order (%d)", status)
	}

	status, body = get(t, ts, "/restart-order")
	if status != http.StatusOK || !strings.Contains(body, "재가동할 시설을 하나 이상 고르세요") || !strings.Contains(body, "한국고용정보원 데이터센터 (주 시스템 25개)") {
		t.Fatalf("the form without a choice: %d", status)
	}

	status, body = get(t, ts, fmt.Sprintf("/restart-order?facility=%d", keisDC))
	if status != http.StatusOK {
		t.Fatalf("restart order page: %d", status)
	}
	rows := htmlTable(t, body, "order")
	if len(rows) != 26 {
		t.Fatalf("order has %d rows, want a header and the data centre's 25 systems", len(rows))
	}
	position := map[string]int{}
	for i, row := range rows[1:] {
		name := strings.TrimSuffix(row[1], " 주경로")
		position[name] = i + 1
	}
	first := rows[1]
	if !strings.HasPrefix(first[1], "고용24") || first[5] != "공통 인증" || first[7] != "즉시" {
		t.Errorf("first row %q: want 고용24, authentication, at once", first)
	}
	for _, pair := range [][2]string{{"고용24", "워크넷"}, {"고용24", "고용보험시스템"}, {"고용보험시스템", "취업지원전산망"}} {
		need, dependant := rows[position[pair[0]]], rows[position[pair[1]]]
		if position[pair[0]] > position[pair[1]] || dependant[7] != need[8] {
			t.Errorf("%s (at %d, back %s) must come before %s (at %d, starting %s)", pair[0], position[pair[0]], need[8],
				pair[1], position[pair[1]], dependant[7])
		}
	}
	foreign := rows[position["외국인고용관리시스템"]]
	if !strings.Contains(foreign[11], "고용허가제통합정보망") {
		t.Errorf("외국인고용관리시스템 notes %q: want its need outside the data centre taken as available", foreign[11])
	}
	critical := htmlTable(t, body, "critical-path")
	if len(critical) < 2 || !strings.HasPrefix(critical[1][1], "고용24") {
		t.Errorf("critical path %q: want it to begin with 고용24", critical)
	}
	mustContain(t, "restart order page", body, "의존관계 순환이 없습니다", "모두 복구까지", "재구축(약 3일)으로 가정")
	for _, m := range exportHrefPattern.FindAllStringSubmatch(body, -1) {
		link := html.UnescapeString(m[1])
		resp, file := getBytes(t, ts, link)
		if resp.StatusCode != http.StatusOK || !strings.Contains(downloadText(t, link, file), "고용24") {
			t.Errorf("%s: %d, want the table with 고용24", link, resp.StatusCode)
		}
	}

	status, body = get(t, ts, "/restart-order?facility=x")
	if status != http.StatusBadRequest || !strings.Contains(body, "시설 번호 &#34;x&#34;") {
		t.Errorf("a bad facility number: %d, want 400 saying which", status)
	}
	if status, _ := get(t, ts, "/restart-order?facility=99999"); status != http.StatusNotFound {
		t.Errorf("an unknown facility: %d, want 404", status)
	}
}

// A cycle in the dependencies shows on the page with the need ignored to
// break it.
func TestRestartOrderPageShowsCycles(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	f := newUIFixture(t, store)
	ctx := context.Background()
	err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.work24.ID, ToSystemID: f.nosa.ID, Kind: "interface"}); err != nil {
			return err
		}
		return tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.nosa.ID, ToSystemID: f.work24.ID, Kind: "interface"})
	})
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, ts, fmt.Sprintf("/restart-order?facility=%d&teams=2&lang=en", f.nirs.ID))
	if status != http.StatusOK {
		t.Fatalf("restart order: %d", status)
	}
	cycles := htmlTable(t, body, "cycles")
	if len(cycles) != 2 || cycles[1][1] != "고용24, 노사누리" || cycles[1][2] != "고용24 → 노사누리" {
		t.Errorf("cycles %q: want 고용24 and 노사누리, 고용24's need on 노사누리 ignored", cycles)
	}
	mustContain(t, "restart order in English", body, "2 teams", "Needs ignored to break a cycle: 노사누리.")
}

// An agency's user orders only its own systems: a shared facility holds
// only them, another agency's facility does not exist, and the
// concentration lists and mutual-DR suggestions show nothing of another
// agency.
func TestRestartOrderAndConcentrationAgencyIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		store := inventory.NewStore(db)
		f := newScopeFixture(t, store)
		ts, _, _ := newServerAs(t, db, auth.AgencyViewer, f.welfare.ID)
		fetch := func(path string) (int, []byte) {
			resp, body := getBytes(t, ts, path)
			return resp.StatusCode, body
		}
		plan := restartPlan(t, fetch, fmt.Sprintf("facility=%d", f.kt.ID))
		if len(plan.Steps) != 1 || plan.Steps[0].SystemID != f.edi.ID || len(plan.Steps[0].Needs) != 0 {
			t.Errorf("KT for 근로복지공단: %+v, want only 산재보험 EDI, waiting for nothing it cannot see", plan.Steps)
		}
		for _, path := range []string{
			fmt.Sprintf("/api/v1/restart-order?facility=%d", f.nirs.ID), fmt.Sprintf("/restart-order?facility=%d", f.nirs.ID),
			fmt.Sprintf("/api/v1/restart-order?facility=%d&facility=%d", f.kt.ID, f.nirs.ID),
			fmt.Sprintf("/export/restart-order/order.csv?facility=%d", f.nirs.ID),
		} {
			status, body := fetch(path)
			if status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			}
			mustNotShow(t, path, string(body), keisNames...)
		}
		for _, path := range []string{fmt.Sprintf("/restart-order?facility=%d&facility=%d", f.kt.ID, f.own.ID), "/restart-order",
			"/concentration", "/api/v1/concentration", "/api/v1/mutual-dr"} {
			status, body := fetch(path)
			if status != http.StatusOK {
				t.Errorf("%s: %d", path, status)
			}
			mustNotShow(t, path, string(body), keisNames...)
			for _, m := range exportHrefPattern.FindAllStringSubmatch(string(body), -1) {
				link := html.UnescapeString(m[1])
				resp, file := getBytes(t, ts, link)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", link, resp.StatusCode)
				}
				mustNotShow(t, link, downloadText(t, link, file), keisNames...)
			}
		}
		if status, body := fetch("/api/v1/mutual-dr"); status != http.StatusOK || strings.TrimSpace(string(body)) != "{\n  \"items\": []\n}" {
			t.Errorf("mutual DR for an agency: %d %s, want no suggestion", status, body)
		}

		// The ministry sees both agencies' systems in the shared facility,
		// and 산재보험 EDI waiting for 한국고용정보원's 대표홈페이지.
		ministry, _, _ := newServerAs(t, db, auth.MinistryViewer, 0)
		resp, body := getBytes(t, ministry, fmt.Sprintf("/api/v1/restart-order?facility=%d", f.kt.ID))
		var all recovery.Plan
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &all) != nil || len(all.Steps) != 2 ||
			all.Steps[0].SystemID != f.homepage.ID || all.Steps[1].Needs[0] != f.homepage.ID {
			t.Errorf("KT for the ministry: %d %s", resp.StatusCode, body)
		}
	})
}
