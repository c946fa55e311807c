package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// version is the inventory's change counter: a refused form must leave it
// where it was.
func version(t *testing.T, store *inventory.Store) int64 {
	t.Helper()
	v, err := store.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// refused posts a form that must fail: the status, each field's error next
// to its field, and nothing written.
func refused(t *testing.T, store *inventory.Store, post func() (int, string, string), wantStatus int, fieldErrors map[string]string) string {
	t.Helper()
	before := version(t, store)
	status, location, body := post()
	if status != wantStatus || location != "" {
		t.Fatalf("status %d (location %q), want %d\n%s", status, location, wantStatus, body)
	}
	for field, message := range fieldErrors {
		block := html.UnescapeString(fieldErrorBlock(body, field))
		if !strings.Contains(block, message) {
			t.Errorf("field %s: error %q not shown next to it (found %q)", field, message, block)
		}
		if !strings.Contains(body, `href="#f-`+field+`"`) {
			t.Errorf("field %s: not linked from the summary", field)
		}
	}
	if after := version(t, store); after != before {
		t.Errorf("a refused form changed the inventory (version %d → %d)", before, after)
	}
	checkAccessible(t, "refused form", body)
	return body
}

var nextField = regexp.MustCompile(`<div class="field( invalid)?">`)

// fieldErrorBlock is the field's wrapper from its label to the end of its
// errors.
func fieldErrorBlock(body, field string) string {
	start := strings.Index(body, `id="f-`+field+`"`)
	if start < 0 {
		return ""
	}
	if next := nextField.FindStringIndex(body[start:]); next != nil {
		return body[start : start+next[0]]
	}
	return body[start:]
}

func created(t *testing.T, status int, location, body, prefix string) int64 {
	t.Helper()
	if status != http.StatusSeeOther || !strings.HasPrefix(location, prefix) {
		t.Fatalf("create: %d → %q, want 303 to %s…\n%s", status, location, prefix, body)
	}
	var id int64
	fmt.Sscanf(strings.TrimPrefix(location, prefix), "%d", &id)
	return id
}

func TestSystemForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		ctx, all := context.Background(), access.All()

		status, body := get(t, ts, "/systems/new")
		if status != http.StatusOK {
			t.Fatalf("new: %d", status)
		}
		mustContain(t, "new system form", body, `<label for="f-rto_disaster">`, `name="endpoints"`, `<select id="f-agency_id"`,
			`<select id="f-redundancy.web"`, `<option value="replication">원격 복제</option>`)
		checkAccessible(t, "/systems/new", body)

		form := url.Values{
			"agency_id": {fmt.Sprint(f.ministry.ID)}, "name": {"워크넷"}, "grade": {"2"},
			"primary_facility_id": {fmt.Sprint(f.kt.ID)}, "dr_performance": {"none"},
			"redundancy.web": {"yes"}, "manual": {"yes"}, "offsite_method": {"tape_staff"},
			"rto_disaster": {"3시간"}, "rpo_disaster": {"4h"}, "rto_failure": {"1시간 30분"},
			"backup_full_every": {"1주"}, "backup_incr_every": {"0"}, "score_impact": {"35.5"}, "users": {"1,200,000"},
			"endpoints": {"https://www.work.go.kr/\r\n\r\ntcp://db.work.go.kr:1521"}, "sample": {"1"},
		}
		status, location, body := post(t, ts, "/systems", form)
		id := created(t, status, location, body, "/systems/")
		sys, err := store.System(ctx, all, id)
		if err != nil {
			t.Fatal(err)
		}
		if sys.Grade != 2 || *sys.RTODisaster != 180 || *sys.RPODisaster != 240 || *sys.RTOFailure != 90 ||
			*sys.BackupFullEvery != 10080 || *sys.BackupIncrEvery != 0 || sys.Redundancy["web"] != "yes" || !sys.Sample ||
			*sys.ScoreImpact != 35.5 || *sys.Users != 1200000 || len(sys.Endpoints) != 2 || sys.Endpoints[1].Kind != "tcp" {
			t.Fatalf("saved %+v", sys)
		}
		_, body = get(t, ts, location)
		mustContain(t, "created system", body, "<h1>워크넷", "1,200,000", "3시간", "1시간 30분", "7일마다", "미실시", `tag sample`)

		// Every problem at once, each next to its field; nothing written.
		bad := url.Values{
			"agency_id": {fmt.Sprint(f.ministry.ID)}, "name": {" "}, "grade": {"1"},
			"primary_facility_id": {fmt.Sprint(f.kt.ID)}, "dr_facility_id": {fmt.Sprint(f.kt.ID)},
			"rto_disaster": {"두 시간"}, "score_impact": {"abc"}, "score_users": {"70"}, "endpoints": {"ftp://files.example"},
		}
		body = refused(t, store, func() (int, string, string) { return post(t, ts, "/systems", bad) }, http.StatusBadRequest, map[string]string{
			"name":           "필수 항목입니다",
			"rto_disaster":   "'두 시간'은(는) 기간으로 읽을 수 없습니다",
			"score_impact":   "'abc'은(는) 숫자가 아닙니다",
			"score_users":    "0 이상 50 이하의 점수여야 합니다",
			"endpoints":      "엔드포인트 형식이 잘못되었습니다",
			"dr_facility_id": "재해복구 시설은 주 시설과 달라야 합니다",
		})
		mustContain(t, "typed value kept", body, `value="두 시간"`, `aria-invalid="true"`, "입력 내용을 확인하십시오 (6건)")

		// The store's own refusal (a duplicate name) lands at its field too.
		dup := url.Values{"agency_id": {fmt.Sprint(f.ministry.ID)}, "name": {"대표홈페이지"}}
		refused(t, store, func() (int, string, string) { return post(t, ts, "/systems", dup) }, http.StatusConflict,
			map[string]string{"name": "같은 이름이 이미 있습니다"})

		// Edit: the form holds the stored values; a change is saved.
		status, body = get(t, ts, fmt.Sprintf("/systems/%d/edit", f.work24.ID))
		if status != http.StatusOK {
			t.Fatalf("edit: %d", status)
		}
		mustContain(t, "edit form", body, `value="2h"`, `value="1h"`, "https://www.work24.go.kr/", "<h1>시스템 수정: 고용24</h1>")
		stored, _ := store.System(ctx, all, f.work24.ID)
		edit := systemValues(stored)
		edit.Set("rpo_disaster", "30분")
		edit.Set("owner_secondary", "이부담")
		status, location, body = post(t, ts, fmt.Sprintf("/systems/%d", f.work24.ID), edit)
		if status != http.StatusSeeOther || location != fmt.Sprintf("/systems/%d", f.work24.ID) {
			t.Fatalf("update: %d %q\n%s", status, location, body)
		}
		saved, _ := store.System(ctx, all, f.work24.ID)
		if *saved.RPODisaster != 30 || saved.OwnerSecondary != "이부담" || *saved.RTODisaster != 120 || len(saved.Endpoints) != 1 ||
			saved.DRPerformance != "similar" || saved.Redundancy["web"] != "yes" {
			t.Fatalf("after update: %+v", saved)
		}
		edit.Set("rpo_disaster", "soon")
		refused(t, store, func() (int, string, string) { return post(t, ts, fmt.Sprintf("/systems/%d", f.work24.ID), edit) },
			http.StatusBadRequest, map[string]string{"rpo_disaster": "'soon'"})

		// Delete.
		status, location, _ = post(t, ts, fmt.Sprintf("/systems/%d/delete", id), nil)
		if status != http.StatusSeeOther || location != "/systems" {
			t.Fatalf("delete: %d %q", status, location)
		}
		if _, err := store.System(ctx, all, id); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("deleted system still there: %v", err)
		}
	})
}

func TestAgencyForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		ctx, all := context.Background(), access.All()
		status, body := get(t, ts, "/agencies/new")
		if status != http.StatusOK {
			t.Fatalf("new: %d", status)
		}
		checkAccessible(t, "/agencies/new", body)
		status, location, body := post(t, ts, "/agencies", url.Values{"name": {"한국잡월드"}, "short_name": {"잡월드"},
			"parent_id": {fmt.Sprint(f.ministry.ID)}, "sample": {"1"}})
		id := created(t, status, location, body, "/agencies/")
		a, err := store.Agency(ctx, all, id)
		if err != nil || a.ShortName != "잡월드" || *a.ParentID != f.ministry.ID || !a.Sample {
			t.Fatalf("saved %+v %v", a, err)
		}
		_, body = get(t, ts, location)
		mustContain(t, "created agency", body, `<h1>한국잡월드 <span class="tag sample"`, "고용노동부")

		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/agencies", url.Values{"name": {""}, "parent_id": {"x"}})
		},
			http.StatusBadRequest, map[string]string{"name": "필수 항목입니다", "parent_id": "목록에 있는 항목을 선택하십시오"})
		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/agencies", url.Values{"name": {"근로복지공단"}})
		},
			http.StatusConflict, map[string]string{"name": "같은 이름이 이미 있습니다"})

		status, location, _ = post(t, ts, fmt.Sprintf("/agencies/%d", id), url.Values{"name": {"한국잡월드"}, "contact": {"02-000-0000"}})
		if status != http.StatusSeeOther || location != fmt.Sprintf("/agencies/%d", id) {
			t.Fatalf("update: %d %q", status, location)
		}
		if a, _ := store.Agency(ctx, all, id); a.Contact != "02-000-0000" || a.ParentID != nil || a.Sample {
			t.Fatalf("after update: %+v", a)
		}
		if status, body := get(t, ts, fmt.Sprintf("/agencies/%d/edit", id)); status != http.StatusOK || !strings.Contains(body, "02-000-0000") {
			t.Fatalf("edit form: %d", status)
		}

		// An agency with systems cannot go; its page says why.
		before := version(t, store)
		status, _, body = post(t, ts, fmt.Sprintf("/agencies/%d/delete", f.welfare.ID), nil)
		if status != http.StatusConflict || !strings.Contains(body, "다른 기록이 참조하고 있어 삭제할 수 없습니다") || !strings.Contains(body, "<h1>근로복지공단</h1>") {
			t.Fatalf("delete in use: %d\n%s", status, body)
		}
		if !strings.Contains(body, fmt.Sprintf(`name="back" value="/agencies/%d"`, f.welfare.ID)) {
			t.Error("the refusal page would switch language back to the delete action")
		}
		if version(t, store) != before {
			t.Error("a refused delete changed the inventory")
		}
		status, location, _ = post(t, ts, fmt.Sprintf("/agencies/%d/delete", id), nil)
		if status != http.StatusSeeOther || location != "/agencies" {
			t.Fatalf("delete: %d %q", status, location)
		}
	})
}

func TestFacilityForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		ctx, all := context.Background(), access.All()
		status, body := get(t, ts, "/facilities/new")
		if status != http.StatusOK {
			t.Fatalf("new: %d", status)
		}
		mustContain(t, "new facility", body, `<label for="f-conditions.ups_in_server_room">`)
		checkAccessible(t, "/facilities/new", body)
		status, location, body := post(t, ts, "/facilities", url.Values{"name": {"NHN 판교"}, "operator": {"private"}, "operator_name": {"NHN"},
			"conditions.ups": {"yes"}, "conditions.cctv": {"none"}, "findings": {"발전기 1대\r\n소산 미실시"}, "surveyed": {"1"}})
		id := created(t, status, location, body, "/facilities/")
		fac, err := store.Facility(ctx, all, id)
		if err != nil || fac.Conditions["ups"] != "yes" || fac.Conditions["cctv"] != "none" || fac.Findings != "발전기 1대\n소산 미실시" || !fac.Surveyed {
			t.Fatalf("saved %+v %v", fac, err)
		}
		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/facilities", url.Values{"name": {"X"}, "operator": {""}, "conditions.ups": {"maybe"}})
		}, http.StatusBadRequest, map[string]string{"operator": "허용되지 않는 값입니다", "conditions.ups": "'maybe'"})

		edit := facilityValues(fac)
		edit.Set("region", "경기")
		if status, location, _ := post(t, ts, fmt.Sprintf("/facilities/%d", id), edit); status != http.StatusSeeOther || location != fmt.Sprintf("/facilities/%d", id) {
			t.Fatalf("update: %d %q", status, location)
		}
		if fac, _ := store.Facility(ctx, all, id); fac.Region != "경기" || fac.Conditions["ups"] != "yes" {
			t.Fatalf("after update: %+v", fac)
		}
		if status, body := get(t, ts, fmt.Sprintf("/facilities/%d/edit", id)); status != http.StatusOK || !strings.Contains(body, `value="경기"`) {
			t.Fatalf("edit form: %d", status)
		}
		if status, _, body := post(t, ts, fmt.Sprintf("/facilities/%d/delete", f.kt.ID), nil); status != http.StatusConflict || !strings.Contains(body, "삭제할 수 없습니다") {
			t.Fatalf("delete in use: %d", status)
		}
		if status, location, _ := post(t, ts, fmt.Sprintf("/facilities/%d/delete", id), nil); status != http.StatusSeeOther || location != "/facilities" {
			t.Fatalf("delete: %d %q", status, location)
		}
	})
}

func TestServiceForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		ctx, all := context.Background(), access.All()
		status, body := get(t, ts, "/services/new")
		if status != http.StatusOK {
			t.Fatalf("new: %d", status)
		}
		// Supporting systems are checkboxes grouped by agency.
		mustContain(t, "new service", body, `<fieldset class="group"><legend>근로복지공단</legend>`,
			fmt.Sprintf(`<label for="f-system_ids-%d">노동보험시스템 (1등급)</label>`, f.insurance.ID))
		checkAccessible(t, "/services/new", body)
		status, location, body := post(t, ts, "/services", url.Values{"agency_id": {fmt.Sprint(f.welfare.ID)}, "name": {"산재보험 급여 신청"},
			"audience": {"public"}, "mtpd": {"1d"}, "rto": {"4시간"}, "system_ids": {fmt.Sprint(f.insurance.ID), fmt.Sprint(f.edi.ID)}})
		id := created(t, status, location, body, "/services/")
		svc, err := store.Service(ctx, all, id)
		if err != nil || *svc.MTPD != 1440 || *svc.RTO != 240 || svc.RPO != nil || len(svc.SystemIDs) != 2 {
			t.Fatalf("saved %+v %v", svc, err)
		}
		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/services", url.Values{"agency_id": {""}, "name": {"X"}, "mtpd": {"soon"}})
		}, http.StatusBadRequest, map[string]string{"agency_id": "필수 항목입니다", "mtpd": "'soon'"})
		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/services", url.Values{"agency_id": {fmt.Sprint(f.welfare.ID)}, "name": {"X"}, "system_ids": {"999999"}})
		}, http.StatusBadRequest, map[string]string{"system_ids": "존재하지 않는 시스템입니다: 999999"})

		edit := serviceValues(svc)
		edit["system_ids"] = []string{fmt.Sprint(f.insurance.ID)}
		if status, location, _ := post(t, ts, fmt.Sprintf("/services/%d", id), edit); status != http.StatusSeeOther || location != fmt.Sprintf("/services/%d", id) {
			t.Fatalf("update: %d %q", status, location)
		}
		if svc, _ := store.Service(ctx, all, id); len(svc.SystemIDs) != 1 || *svc.MTPD != 1440 {
			t.Fatalf("after update: %+v", svc)
		}
		status, body = get(t, ts, fmt.Sprintf("/services/%d/edit", id))
		if status != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`id="f-system_ids-%d" name="system_ids" value="%d" checked`, f.insurance.ID, f.insurance.ID)) {
			t.Fatalf("edit form: %d", status)
		}
		if status, location, _ := post(t, ts, fmt.Sprintf("/services/%d/delete", id), nil); status != http.StatusSeeOther || location != "/services" {
			t.Fatalf("delete: %d %q", status, location)
		}
	})
}

func TestDependencyForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		ctx, all := context.Background(), access.All()
		status, body := get(t, ts, fmt.Sprintf("/dependencies/new?from=%d", f.nosa.ID))
		if status != http.StatusOK {
			t.Fatalf("new: %d", status)
		}
		mustContain(t, "new dependency", body, `<optgroup label="고용노동부">`, fmt.Sprintf(`<option value="%d" selected>노사누리</option>`, f.nosa.ID))
		checkAccessible(t, "/dependencies/new", body)
		status, location, body := post(t, ts, "/dependencies", url.Values{"from_system_id": {fmt.Sprint(f.nosa.ID)},
			"to_system_id": {fmt.Sprint(f.work24.ID)}, "kind": {"database"}, "note": {"공유 DB"}})
		if status != http.StatusSeeOther || location != "/dependencies" {
			t.Fatalf("create: %d %q\n%s", status, location, body)
		}
		deps, _ := store.Dependencies(ctx, all)
		var id int64
		for _, d := range deps {
			if d.FromSystemID == f.nosa.ID {
				id = d.ID
			}
		}
		if id == 0 {
			t.Fatal("dependency not saved")
		}
		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/dependencies", url.Values{"from_system_id": {fmt.Sprint(f.nosa.ID)}, "to_system_id": {fmt.Sprint(f.nosa.ID)}})
		}, http.StatusBadRequest, map[string]string{"to_system_id": "자기 자신에 의존할 수 없습니다"})
		// A pair recorded already is said as such, as the API says it, not
		// as the store's duplicate name.
		refused(t, store, func() (int, string, string) {
			return post(t, ts, "/dependencies", url.Values{"from_system_id": {fmt.Sprint(f.homepage.ID)}, "to_system_id": {fmt.Sprint(f.work24.ID)}})
		}, http.StatusConflict, map[string]string{"to_system_id": "두 시스템 사이의 의존관계가 이미 등록되어 있습니다"})

		status, body = get(t, ts, fmt.Sprintf("/dependencies/%d/edit", id))
		if status != http.StatusOK || !strings.Contains(body, "고용노동부 · 노사누리 → 고용노동부 · 고용24") {
			t.Fatalf("edit form: %d\n%s", status, body)
		}
		checkAccessible(t, "dependency edit", body)
		if status, location, _ := post(t, ts, fmt.Sprintf("/dependencies/%d", id), url.Values{"kind": {"auth"}, "note": {""}}); status != http.StatusSeeOther || location != "/dependencies" {
			t.Fatalf("update: %d %q", status, location)
		}
		if d, _ := store.Dependency(ctx, all, id); d.Kind != "auth" || d.Note != "" || d.FromSystemID != f.nosa.ID {
			t.Fatalf("after update: %+v", d)
		}
		refused(t, store, func() (int, string, string) {
			return post(t, ts, fmt.Sprintf("/dependencies/%d", id), url.Values{"kind": {"telepathy"}})
		}, http.StatusBadRequest, map[string]string{"kind": "'telepathy'"})
		if status, location, _ := post(t, ts, fmt.Sprintf("/dependencies/%d/delete", id), nil); status != http.StatusSeeOther || location != "/dependencies" {
			t.Fatalf("delete: %d %q", status, location)
		}
		if _, err := store.Dependency(ctx, all, id); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("deleted dependency still there: %v", err)
		}
	})
}

// A form over the size limit is refused with 413 and the error page,
// and writes nothing.
func TestOversizedFormIsRefused(t *testing.T) {
	ts, store := newTestServer(t, testdb.SQLite(t))
	f := newUIFixture(t, store)
	before := version(t, store)
	status, _, body := post(t, ts, "/systems", url.Values{"agency_id": {fmt.Sprint(f.ministry.ID)}, "name": {"X"},
		"description": {strings.Repeat("가", maxBodyBytes)}})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "요청이 너무 큽니다") {
		t.Fatalf("oversized form: %d\n%.300s", status, body)
	}
	if version(t, store) != before {
		t.Error("an oversized form changed the inventory")
	}
}
