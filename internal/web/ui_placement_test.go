package web

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"

	"yeonsok/internal/placement"
	"yeonsok/internal/testdb"
)

// On the plan's sample data the concentration page puts 근로복지공단's
// 서울남부지사, with nine grade-1/2 systems, first; shows that
// 장애인고용공단's grade-1 system keeps its only copy in its own server
// room; and suggests the plan's mutual DR of 한국고용정보원 and
// 한국장애인고용공단. The API answers the same lists.
func TestConcentrationOnSampleData(t *testing.T) {
	db := testdb.SQLite(t)
	ts, _ := sampleServer(t, db)
	status, body := get(t, ts, "/concentration")
	if status != http.StatusOK {
		t.Fatalf("concentration: %d", status)
	}
	facilities := htmlTable(t, body, "facilities")
	if len(facilities) < 2 || !strings.HasPrefix(facilities[1][0], "근로복지공단(서울남부지사 2층)") || facilities[1][9] != "9" {
		t.Errorf("first facility %q: want 근로복지공단(서울남부지사 2층) with 9 grade-1/2 systems", facilities[1])
	}
	nhn := rowOf(t, facilities, "NHN")
	if !strings.Contains(nhn[0], "공동 이용") || nhn[10] != "5" {
		t.Errorf("NHN %q: want shared by 5 agencies", nhn)
	}
	copies := rowOf(t, htmlTable(t, body, "same-facility"), "장애인고용업무시스템")
	if copies[4] != "소산 안 함" || !strings.Contains(copies[5], "남는 사본 없음") {
		t.Errorf("장애인고용업무시스템 %q: want no offsite copy, nothing left", copies)
	}
	unredundant := rowOf(t, htmlTable(t, body, "unredundant"), "장애인고용업무시스템")
	if !strings.Contains(unredundant[4], "DB") {
		t.Errorf("장애인고용업무시스템 %q: want its unredundant layers", unredundant)
	}
	found := false
	for _, row := range htmlTable(t, body, "mutual-dr")[1:] {
		if strings.Contains(row[1], "한국고용정보원 (한국고용정보원 데이터센터)") && strings.Contains(row[1], "한국장애인고용공단 (장애인고용공단(본부 2층))") {
			found = true
		}
	}
	if !found {
		t.Error("the mutual-DR table does not suggest 한국고용정보원 ↔ 한국장애인고용공단")
	}
	mustContain(t, "concentration page", body, "두 시설의 지역이 다르면 30점")
	for _, m := range exportHrefPattern.FindAllStringSubmatch(body, -1) {
		link := html.UnescapeString(m[1])
		if resp, _ := getBytes(t, ts, link); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", link, resp.StatusCode)
		}
	}

	resp, raw := getBytes(t, ts, "/api/v1/concentration")
	var lists struct {
		Facilities  []placement.Concentration    `json:"facilities"`
		Copies      []placement.SameFacilityCopy `json:"same_facility_copies"`
		Unredundant []placement.Unredundant      `json:"unredundant_layers"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &lists) != nil || len(lists.Facilities) != len(facilities)-1 ||
		lists.Facilities[0].Grade12 != 9 || len(lists.Copies) == 0 || len(lists.Unredundant) == 0 {
		t.Errorf("concentration API: %d %.300s", resp.StatusCode, raw)
	}
	resp, raw = getBytes(t, ts, "/api/v1/mutual-dr")
	var pairs struct {
		Items []placement.Pair `json:"items"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &pairs) != nil || len(pairs.Items) != 10 || pairs.Items[0].Score < pairs.Items[9].Score {
		t.Errorf("mutual-DR API: %d %.300s", resp.StatusCode, raw)
	}
}
