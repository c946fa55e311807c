package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/testdb"
)

// incidentFixture is the scope fixture with an RTO of 3 hours on
// 노동보험시스템 and a documented manual procedure for its service, the
// probes' incident of 노동보험시스템 two hours old (never reported), and
// 한국고용정보원's incident of 고용24. ts is an editor of 근로복지공단.
type incidentFixture struct {
	*scopeFixture
	srv           *Server
	ts            *httptest.Server
	ours, theirs  *incident.Incident
	ourPath       string
	detectedAt    time.Time
	workaroundTxt string
}

func newIncidentFixture(t *testing.T, db *database.DB) *incidentFixture {
	t.Helper()
	ctx := context.Background()
	x := &incidentFixture{scopeFixture: newScopeFixture(t, inventory.NewStore(db)), workaroundTxt: "가까운 지사 창구에서 서면 접수"}
	var err error
	x.ts, x.srv, _ = newServerAs(t, db, auth.AgencyEditor, x.welfare.ID)
	svc, err := x.srv.store.Service(ctx, access.All(), x.compensation.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = x.srv.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		sys, err := tx.System(ctx, x.insurance.ID)
		if err != nil {
			return err
		}
		sys.RTOFailure = span(180)
		if err := tx.UpdateSystem(ctx, sys); err != nil {
			return err
		}
		svc.ManualWorkaround = x.workaroundTxt
		return tx.UpdateService(ctx, svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	x.detectedAt = time.Now().Add(-2 * time.Hour)
	x.ours, _, err = x.srv.incidents.Detect(ctx, incident.Signal{SystemID: x.insurance.ID, Source: incident.SourceMonitor,
		At: x.detectedAt, Reason: "connection refused"})
	if err != nil {
		t.Fatal(err)
	}
	x.theirs, _, err = x.srv.incidents.Detect(ctx, incident.Signal{SystemID: x.work24.ID, Source: incident.SourceMonitor})
	if err != nil {
		t.Fatal(err)
	}
	x.ourPath = incidentHref(x.ours.ID)
	return x
}

// current reads our incident as the store has it now.
func (x *incidentFixture) current(t *testing.T) *incident.Incident {
	t.Helper()
	inc, err := x.srv.incidents.Incident(context.Background(), access.All(), x.ours.ID)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// asRole is a client of the same server signed in as a new account.
func (x *incidentFixture) asRole(t *testing.T, role auth.Role, agencyID int64) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(x.srv)
	t.Cleanup(ts.Close)
	signIn(t, ts, x.srv.accounts, newAccount(t, x.srv.accounts, role, agencyID, false))
	return ts
}

// The list and the page: open incidents first with their severity (a
// grade-1 outage is national-level), clocks and reporting, closed ones
// after; another agency's incident does not exist for an agency; a reader
// sees the page without a single form to change it.
func TestIncidentPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newIncidentFixture(t, db)
		ctx := context.Background()
		// A closed one: 산재보험 EDI a month ago, resolved.
		old, _, err := x.srv.incidents.Detect(ctx, incident.Signal{SystemID: x.edi.ID, Source: incident.SourceReport,
			At: time.Now().AddDate(0, 0, -30)})
		if err == nil {
			_, err = x.srv.incidents.Move(ctx, access.All(), old.ID, incident.Resolved, "", "")
		}
		if err != nil {
			t.Fatal(err)
		}

		status, body := get(t, x.ts, "/incidents")
		if status != 200 {
			t.Fatalf("list: %d", status)
		}
		open := htmlTable(t, body, "open")
		wantCells(t, "open table header", open[0], "#", "기관", "시스템", "심각도", "상태", "탐지 시각", "경과", "RTO 최대 경과율", "보고")
		row := rowOf(t, open, fmt.Sprintf("#%d", x.ours.ID))
		wantCells(t, "our open incident", []string{row[1], row[2], row[3], row[4], row[6], row[7], row[8]},
			"근로복지공단", "노동보험시스템", "국가 차원", "탐지", "2시간", "67%", "미보고")
		if !strings.HasPrefix(row[5], fmt.Sprintf("%d. ", x.detectedAt.In(time.FixedZone("KST", 9*3600)).Year())) {
			t.Errorf("detected %q is not in the ministry's date style", row[5])
		}
		closed := rowOf(t, htmlTable(t, body, "closed"), fmt.Sprintf("#%d", old.ID))
		if closed[2] != "산재보험 EDI" || closed[4] != "해결" || closed[8] != "기한 내 보고 (0초 후)" {
			t.Errorf("closed row: %q", closed)
		}
		mustContain(t, "list", body, `id="nav-incidents"`, `action="/incidents"`, `name="system_id"`, "장애 신고")
		mustNotShow(t, "근로복지공단's list", body, keisNames...)
		if len(open) != 2 {
			t.Errorf("open incidents shown: %d rows, want ours only", len(open)-1)
		}

		if status, body := get(t, x.ts, incidentHref(x.theirs.ID)); status != http.StatusNotFound || strings.Contains(body, "고용24") {
			t.Errorf("another agency's incident: %d", status)
		}
		if status, _ := get(t, x.ts, incidentHref(x.theirs.ID)+"/report.xlsx"); status != http.StatusNotFound {
			t.Errorf("another agency's report: %d", status)
		}

		status, body = get(t, x.ts, x.ourPath)
		if status != 200 {
			t.Fatalf("page: %d", status)
		}
		mustContain(t, "page", body, fmt.Sprintf("장애 #%d · 근로복지공단", x.ours.ID), `id="severity-badge">국가 차원`, "모니터링 탐지",
			`id="incident-reporting">미보고`, "connection refused", "장애 발생", "산재보험 급여 신청", "직접", x.workaroundTxt,
			`<svg class="rto-bar"`, "2시간 / 3시간 (67%)", "50% 경과", "복구 중", `action="`+x.ourPath+`/manual"`, `action="`+x.ourPath+`/move"`,
			`id="move-declared"`, `id="move-resolved"`, `action="`+x.ourPath+`/severity"`, `action="`+x.ourPath+`/notes"`,
			`action="`+x.ourPath+`/data-losses"`, "장애가 해결되면 사후 검토를 작성합니다.", `href="`+x.ourPath+`/report.xlsx"`)
		if strings.Contains(body, `id="move-reviewed"`) || strings.Contains(body, `id="review-form"`) {
			t.Error("an open incident offers to close it as reviewed")
		}
		// 산재보험 EDI depends on 노동보험시스템, but belongs to no service:
		// the service is the direct one only.
		if n := strings.Count(body, `<tr id="service-`); n != 1 {
			t.Errorf("%d affected services, want 1", n)
		}

		reader := x.asRole(t, auth.AgencyViewer, x.welfare.ID)
		status, body = get(t, reader, x.ourPath)
		if status != 200 {
			t.Fatalf("reader: %d", status)
		}
		mustContain(t, "reader's page", body, "국가 차원", "50% 경과", x.workaroundTxt)
		if strings.Contains(body, `action="`+x.ourPath) || strings.Contains(body, `class="incident-form`) {
			t.Error("a reader is offered a form that changes the incident")
		}
		if _, body := get(t, reader, "/incidents"); strings.Contains(body, `id="report-form"`) {
			t.Error("a reader is offered the report form")
		}
		// Both languages read every label from the catalogue: a missing key
		// would show as itself ("incidents.…").
		for _, path := range []string{"/incidents", x.ourPath, agencyHref(x.welfare.ID)} {
			for _, l := range []string{"ko", "en"} {
				base, _ := url.Parse(reader.URL)
				reader.Client().Jar.SetCookies(base, []*http.Cookie{{Name: "lang", Value: l, Path: "/"}})
				if _, body := get(t, reader, path); strings.Contains(body, "incidents.") {
					i := strings.Index(body, "incidents.")
					t.Errorf("%s in %s shows a catalogue key: %q", path, l, body[i:min(len(body), i+60)])
				}
			}
		}
		_, body = get(t, reader, x.ourPath)
		mustContain(t, "the page in English", body, "National level", "50% elapsed", "Monitoring")
		resp, book := getBytes(t, x.ts, "/export/incidents/open.xlsx")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType || len(book) == 0 {
			t.Errorf("the open incidents as XLSX: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}

		ministry := x.asRole(t, auth.MinistryViewer, 0)
		_, body = get(t, ministry, "/incidents?agency="+idValue(x.keis.ID))
		if open := htmlTable(t, body, "open"); len(open) != 2 || open[1][1] != "한국고용정보원" {
			t.Errorf("the ministry's list filtered to 한국고용정보원: %q", open)
		}
	})
}

// A person's report from the list: a system outside the scope and a
// missing reason are refused next to their fields, and nothing is opened;
// a good report joins the open incident and counts as the agency's report.
func TestIncidentReportForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newIncidentFixture(t, db)
		status, _, body := post(t, x.ts, "/incidents", url.Values{"system_id": {idValue(x.work24.ID)}, "reason": {""}})
		if status != http.StatusBadRequest {
			t.Fatalf("a report of another agency's system: %d", status)
		}
		mustContain(t, "refused report", body, "신고할 수 있는 시스템이 아닙니다", "필수 항목입니다", `id="form-problems"`)
		mustNotShow(t, "refused report", body, "고용24")
		if inc := x.current(t); !inc.ReportedAt.IsZero() || len(inc.Events) != 1 {
			t.Errorf("a refused report changed the incident: %+v", inc)
		}
		status, location, _ := post(t, x.ts, "/incidents", url.Values{"system_id": {idValue(x.insurance.ID)}, "reason": {"창구 단말 접속 불가"}})
		if status != http.StatusSeeOther || location != x.ourPath+"?done=reported" {
			t.Fatalf("report: %d %s", status, location)
		}
		inc := x.current(t)
		if inc.ReportedAt.IsZero() || len(inc.Systems) != 1 || len(inc.Events) != 2 {
			t.Errorf("the report did not join the open incident as the agency's report: %+v", inc)
		}
		_, body = get(t, x.ts, location)
		mustContain(t, "after the report", body, "신고를 접수했습니다.", "창구 단말 접속 불가", "추가 신호", "늦은 보고 (2시간 후)")
	})
}

// Each form of the page: refused with its problem next to its field and
// nothing changed, then done, redirected back with what was done.
func TestIncidentForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newIncidentFixture(t, db)
		p := x.ourPath
		refused := func(what, path string, form url.Values, status int, wants ...string) {
			t.Helper()
			before := x.current(t)
			got, _, body := post(t, x.ts, path, form)
			if got != status {
				t.Errorf("%s: %d, want %d", what, got, status)
			}
			mustContain(t, what, body, append(wants, `id="form-problems"`)...)
			after := x.current(t)
			if len(after.Events) != len(before.Events) || after.State != before.State || len(after.Batches) != len(before.Batches) ||
				len(after.Losses) != len(before.Losses) {
				t.Errorf("%s changed the incident", what)
			}
		}
		done := func(what, path string, form url.Values, anchor string) {
			t.Helper()
			status, location, body := post(t, x.ts, path, form)
			if status != http.StatusSeeOther || !strings.HasPrefix(location, p+"?done=") || !strings.HasSuffix(location, "#"+anchor) {
				t.Fatalf("%s: %d %s\n%.2000s", what, status, location, body)
			}
		}
		service := idValue(x.compensation.ID)

		// Manual mode.
		refused("manual mode of another agency's service", p+"/manual", url.Values{"service_id": {idValue(x.benefits.ID)}, "on": {"1"}},
			http.StatusBadRequest, "이 기관의 서비스가 아닙니다")
		_, body := get(t, x.ts, p)
		mustContain(t, "the notice defaults to the workaround", body, `name="notice" rows="3">`+x.workaroundTxt+`</textarea>`)
		done("manual on", p+"/manual", url.Values{"service_id": {service}, "on": {"1"}, "notice": {"지사 방문 접수로 대체"}}, "services")
		if svc := x.current(t).Services[0]; !svc.Manual.On() || svc.Manual.Notice != "지사 방문 접수로 대체" {
			t.Errorf("manual mode: %+v", svc.Manual)
		}

		// A batch.
		refused("a batch whose range is not its count", p+"/batches", url.Values{"service_id": {service}, "office": {"서울지사"}, "count": {"2"},
			"first_receipt": {"S-1"}, "last_receipt": {"S-3"}}, http.StatusBadRequest, "접수번호 범위는 3건인데 건수는 2건입니다", `value="서울지사"`)
		refused("a batch count that is no number", p+"/batches", url.Values{"service_id": {service}, "office": {"서울지사"}, "count": {"세 건"}},
			http.StatusBadRequest, "세 건")
		done("a batch", p+"/batches", url.Values{"service_id": {service}, "office": {"서울지사"}, "count": {"3"},
			"first_receipt": {"S-1"}, "last_receipt": {"S-3"}}, "batches")
		batch := x.current(t).Batches[0]

		// Back-entry.
		entered := fmt.Sprintf("%s/batches/%d/entered", p, batch.ID)
		refused("more entered than taken", entered, url.Values{"entered": {"5"}}, http.StatusBadRequest, "입력 완료 건수는 0 이상, 접수 건수 이하여야 합니다")
		done("back-entry", entered, url.Values{"entered": {"2"}}, "batches")
		if b := x.current(t).Batches[0]; b.Entered != 2 {
			t.Errorf("entered %d, want 2", b.Entered)
		}

		// A file of batches.
		before := len(x.current(t).Batches)
		status, body2 := upload(t, x.ts, p+"/batches/upload", nil, map[string][]byte{"batches.csv": []byte("서비스,접수처,건수\n산재보험 급여 신청,부산지사,2\n산재보험 급여 신청,대구지사,둘\n")})
		if status != http.StatusBadRequest || !strings.Contains(string(body2), "3행 C열") || len(x.current(t).Batches) != before {
			t.Errorf("a file with a bad count: %d, %d batches\n%s", status, len(x.current(t).Batches), body2)
		}
		status, _ = upload(t, x.ts, p+"/batches/upload", nil, map[string][]byte{"batches.csv": []byte("서비스,접수처,건수,입력 완료\n산재보험 급여 신청,부산지사,2,2\n")})
		if status != http.StatusOK || len(x.current(t).Batches) != before+1 {
			// The client follows the redirect to the page.
			t.Errorf("a good file: %d, %d batches", status, len(x.current(t).Batches))
		}

		// The data-loss ledger, in KST.
		loss := url.Values{"system_id": {idValue(x.insurance.ID)}, "what": {"접수 자료"}, "from": {"2026-03-02T09:00"}, "to": {"2026-03-02T08:00"},
			"rebuild": {"partial"}, "rebuild_from": {"종이 신청서"}}
		refused("a period that ends before it starts", p+"/data-losses", loss, http.StatusBadRequest, "끝 시각이 시작 시각보다 앞설 수 없습니다", "종이 신청서")
		loss.Set("to", "2026-03-02T11:30")
		done("a loss", p+"/data-losses", loss, "losses")
		l := x.current(t).Losses[0]
		if want := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC); !l.From.Equal(want) {
			t.Errorf("from %v, want 09:00 KST (%v)", l.From, want)
		}
		_, body = get(t, x.ts, fmt.Sprintf("%s?loss=%d", p, l.ID))
		mustContain(t, "the ledger form on an entry", body, fmt.Sprintf(`action="%s/data-losses/%d"`, p, l.ID), `value="2026-03-02T09:00"`)
		loss.Set("rebuild", "full")
		loss.Set("rebuilt_at", "2026-03-03T10:00")
		done("a loss rebuilt", fmt.Sprintf("%s/data-losses/%d", p, l.ID), loss, "losses")
		if got := x.current(t).Losses; len(got) != 1 || got[0].Rebuild != "full" || got[0].RebuiltAt.IsZero() {
			t.Errorf("the entry after its change: %+v", got)
		}

		// Severity.
		refused("severity without a reason", p+"/severity", url.Values{"severity": {"minor"}}, http.StatusBadRequest, "필수 항목입니다")
		done("severity", p+"/severity", url.Values{"severity": {"major"}, "reason": {"대체 창구로 민원 처리 가능"}}, "summary")
		if inc := x.current(t); inc.Severity != incident.SeverityMajor || inc.SeverityReason != "대체 창구로 민원 처리 가능" {
			t.Errorf("severity: %s %q", inc.Severity, inc.SeverityReason)
		}

		// Moves.
		refused("closing by a move", p+"/move", url.Values{"state": {"reviewed"}}, http.StatusBadRequest, "검토 완료는 검토 양식으로만 처리합니다")
		refused("a move the rules refuse", p+"/move", url.Values{"state": {"detected"}}, http.StatusBadRequest, "바꿀 수 없습니다")
		done("declare", p+"/move", url.Values{"state": {"declared"}, "note": {"상황반 가동"}}, "summary")
		if inc := x.current(t); inc.State != incident.Declared || inc.ReportedAt.IsZero() {
			t.Errorf("after declaring: %s, reported %v", inc.State, inc.ReportedAt)
		}

		// Notes.
		refused("an empty note", p+"/notes", url.Values{"text": {"  "}}, http.StatusBadRequest, "필수 항목입니다")
		done("a note", p+"/notes", url.Values{"text": {"본부 상황실 통보"}}, "timeline")
		_, body = get(t, x.ts, p)
		timeline := htmlTable(t, body, "timeline")
		last := timeline[len(timeline)-1]
		if last[1] != "메모" || last[3] != "본부 상황실 통보" {
			t.Errorf("the note on the timeline: %q", last)
		}
		if row := timeline[len(timeline)-2]; row[1] != "상태 변경" || row[3] != "선언: 상황반 가동" {
			t.Errorf("the move on the timeline: %q", row)
		}
		// What the store writes in English reads in Korean.
		mustContain(t, "the timeline in Korean", body, "국가 차원 → 중대: 대체 창구로 민원 처리 가능", "접수 자료 (일부 복구 가능)",
			"수기 처리 전환: 산재보험 급여 신청")

		// The review: only once resolved, an override only by an admin, an
		// action's problem next to its row.
		review := url.Values{"summary": {"회선 절단으로 2시간 중단"}, "cause": {"통신사 광케이블 절단"},
			"action_title": {"", "이중 회선 도입"}, "action_owner": {"", "정보화팀"}, "action_due": {"", "2026. 6. 30."}}
		refused("a review before resolving", p+"/review", review, http.StatusBadRequest, "바꿀 수 없습니다")
		done("resolve", p+"/move", url.Values{"state": {"resolved"}}, "summary")
		_, body = get(t, x.ts, p)
		mustContain(t, "resolved page", body, `id="review-form"`, "아직 입력되지 않은 수기 접수가 1건 있습니다")
		if strings.Contains(body, `name="override_reason"`) {
			t.Error("an editor is offered the override")
		}
		refused("a review with an item outstanding", p+"/review", review, http.StatusBadRequest, "수기 접수 1건이 아직 입력되지 않았습니다")
		withOverride := url.Values{}
		for k, v := range review {
			withOverride[k] = v
		}
		withOverride.Set("override_reason", "민원인에게 서류 반환")
		refused("an editor's override", p+"/review", withOverride, http.StatusForbidden, "관리자만 사유를 적어 종결할 수 있습니다")
		done("the last item entered", entered, url.Values{"entered": {"3"}}, "batches")
		badDue := url.Values{}
		for k, v := range review {
			badDue[k] = v
		}
		badDue["action_due"] = []string{"", "내일"}
		_, _, body = post(t, x.ts, p+"/review", badDue)
		mustContain(t, "an action's bad due date", body, `id="action-due-1"`, "날짜로 읽을 수 없습니다")
		if i := strings.Index(body, `id="action-due-1"`); i < 0 || !strings.Contains(body[i:i+600], "날짜로 읽을 수 없습니다") {
			t.Error("the bad due date's problem is not next to its row")
		}
		if inc := x.current(t); inc.State != incident.Resolved || len(inc.Actions) != 0 {
			t.Errorf("a refused review changed the incident: %s, %d actions", inc.State, len(inc.Actions))
		}
		done("the review", p+"/review", review, "review")
		inc := x.current(t)
		if inc.State != incident.Reviewed || inc.Summary != "회선 절단으로 2시간 중단" || len(inc.Actions) != 1 || inc.Actions[0].Due != "2026-06-30" {
			t.Fatalf("after the review: %s %q %+v", inc.State, inc.Summary, inc.Actions)
		}
		_, body = get(t, x.ts, p)
		mustContain(t, "reviewed page", body, `id="review-summary">회선 절단으로 2시간 중단`,
			fmt.Sprintf(`<a href="/tasks/%d" class="action-link">이중 회선 도입</a>`, inc.Actions[0].TaskID), "2026. 6. 30.")
		for _, form := range []string{"/manual", "/batches", "/severity", "/move", "/review", "/data-losses"} {
			if strings.Contains(body, `action="`+p+form+`"`) {
				t.Errorf("a reviewed incident offers %s", form)
			}
		}
	})
}

// An admin of the agency may close an incident with items outstanding,
// giving the reason, which the page then shows.
func TestIncidentReviewOverrideByAdmin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newIncidentFixture(t, db)
		ctx := context.Background()
		_, err := x.srv.incidents.SwitchManual(ctx, access.All(), x.ours.ID, x.compensation.ID, true, "")
		if err == nil {
			_, err = x.srv.incidents.AddBatches(ctx, access.All(), x.ours.ID, []incident.Batch{{ServiceID: x.compensation.ID,
				ManualBatch: incident.ManualBatch{Office: "울산", Count: 4}}})
		}
		if err == nil {
			_, err = x.srv.incidents.Move(ctx, access.All(), x.ours.ID, incident.Resolved, "", "")
		}
		if err != nil {
			t.Fatal(err)
		}
		admin := x.asRole(t, auth.AgencyAdmin, x.welfare.ID)
		_, body := get(t, admin, x.ourPath)
		mustContain(t, "the admin's review form", body, `name="override_reason"`)
		status, location, _ := post(t, admin, x.ourPath+"/review", url.Values{"summary": {"요약"}, "cause": {"원인"},
			"override_reason": {"민원인 4명에게 서류 반환"}})
		if status != http.StatusSeeOther || !strings.Contains(location, "done=reviewed") {
			t.Fatalf("the admin's override: %d %s", status, location)
		}
		if inc := x.current(t); inc.State != incident.Reviewed || inc.ReviewOverride != "민원인 4명에게 서류 반환" {
			t.Errorf("after the override: %s %q", inc.State, inc.ReviewOverride)
		}
		_, body = get(t, admin, x.ourPath)
		mustContain(t, "the page after the override", body, "민원인 4명에게 서류 반환")
	})
}

// The report workbook, opened as Excel would: a sheet per part, in order,
// each holding what the incident holds.
func TestIncidentReportWorkbook(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newIncidentFixture(t, db)
		ctx := context.Background()
		id := x.ours.ID
		_, err := x.srv.incidents.SwitchManual(ctx, access.All(), id, x.compensation.ID, true, "")
		if err == nil {
			_, err = x.srv.incidents.AddBatches(ctx, access.All(), id, []incident.Batch{
				{ServiceID: x.compensation.ID, ManualBatch: incident.ManualBatch{Office: "서울지사", Count: 3, Entered: 3}},
				{ServiceID: x.compensation.ID, ManualBatch: incident.ManualBatch{Office: "부산지사", Count: 5, Entered: 1}}})
		}
		if err == nil {
			_, err = x.srv.incidents.RecordLoss(ctx, access.All(), id, &incident.DataLoss{SystemID: x.insurance.ID, What: "가입 신고 자료",
				From: x.detectedAt.Add(-time.Hour), To: x.detectedAt, Rebuild: "partial", RebuildFrom: "종이 신청서"})
		}
		if err == nil {
			_, err = x.srv.incidents.Restore(ctx, x.insurance.ID, x.detectedAt.Add(100*time.Minute), "")
		}
		if err != nil {
			t.Fatal(err)
		}
		resp, body := getBytes(t, x.ts, x.ourPath+"/report.xlsx")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), fmt.Sprintf("yeonsok-incident-%d-", id)) {
			t.Fatalf("report: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		book, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		if got := strings.Join(book.GetSheetList(), ","); got != "개요,시스템,수기접수,자료손실,조치,타임라인" {
			t.Fatalf("sheets %s", got)
		}
		rows := func(sheet string) [][]string {
			r, err := book.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		overview := map[string]string{}
		for _, r := range rows("개요") {
			if len(r) == 2 {
				overview[r[0]] = r[1]
			}
		}
		for k, want := range map[string]string{"장애 번호": fmt.Sprintf("#%d", id), "기관": "근로복지공단", "상태": "탐지", "심각도": "국가 차원",
			"발생 경로": "모니터링 탐지", "기관 보고": "미보고", "미입력 수기 접수": "4"} {
			if overview[k] != want {
				t.Errorf("개요 %s = %q, want %q", k, overview[k], want)
			}
		}
		if !strings.HasSuffix(overview["탐지"], x.detectedAt.In(time.FixedZone("KST", 9*3600)).Format("15:04")) {
			t.Errorf("개요 탐지 %q is not in KST", overview["탐지"])
		}
		systems := rows("시스템")
		wantCells(t, "시스템 header", systems[0], "시스템명", "등급", "중단 시각", "복구 시각", "경과", "목표 복구시간(RTO)", "경과율(%)", "단계", "목표 달성")
		wantCells(t, "시스템 노동보험시스템", []string{systems[1][0], systems[1][4], systems[1][5], systems[1][6], systems[1][8]},
			"노동보험시스템", "1시간 40분", "3시간", "56", "달성")
		if v, _ := book.GetCellValue("시스템", "G2"); v != "56" {
			t.Errorf("share G2 %q", v)
		}
		batches := rows("수기접수")
		if len(batches) != 4 || batches[2][1] != "부산지사" || batches[2][6] != "4" || batches[3][0] != "합계" || batches[3][2] != "8" || batches[3][6] != "4" {
			t.Errorf("수기접수: %q", batches)
		}
		losses := rows("자료손실")
		if len(losses) != 2 || losses[1][1] != "가입 신고 자료" || losses[1][4] != "일부 복구 가능" || losses[1][5] != "종이 신청서" {
			t.Errorf("자료손실: %q", losses)
		}
		if actions := rows("조치"); len(actions) != 1 {
			t.Errorf("조치 before any review: %q", actions)
		}
		timeline := rows("타임라인")
		if timeline[1][1] != "장애 발생" || !strings.Contains(timeline[1][3], "connection refused") || timeline[len(timeline)-1][1] != "복구" {
			t.Errorf("타임라인: %q", timeline)
		}
	})
}

// The agency's page lists what probes saw and nobody reported in time,
// linked; a person's own report is not listed.
func TestAgencyUnreportedIncidents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newIncidentFixture(t, db)
		reported, _, err := x.srv.incidents.Detect(context.Background(), incident.Signal{SystemID: x.edi.ID, Source: incident.SourceReport,
			At: time.Now().AddDate(0, 0, -3)})
		if err != nil {
			t.Fatal(err)
		}
		status, body := get(t, x.ts, agencyHref(x.welfare.ID))
		if status != 200 {
			t.Fatalf("agency page: %d", status)
		}
		mustContain(t, "agency page", body, "미보고 장애", fmt.Sprintf(`<a href="%s">#%d</a>`, x.ourPath, x.ours.ID))
		rows := htmlTable(t, body, "unreported")
		if len(rows) != 2 {
			t.Fatalf("unreported rows: %q", rows)
		}
		wantCells(t, "the unreported incident", []string{rows[1][0], rows[1][1], rows[1][2], rows[1][5]},
			fmt.Sprintf("#%d", x.ours.ID), "노동보험시스템", "모니터링 탐지", "미보고")
		if strings.Contains(body, fmt.Sprintf("#%d<", reported.ID)) {
			t.Error("a person's report is listed as unreported")
		}
		// Declared late, it stays listed, as late.
		if _, err := x.srv.incidents.Move(context.Background(), access.All(), x.ours.ID, incident.Declared, "", ""); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, x.ts, agencyHref(x.welfare.ID))
		if rows := htmlTable(t, body, "unreported"); len(rows) != 2 || rows[1][5] != "늦은 보고 (2시간 후)" {
			t.Errorf("after a late report: %q", rows)
		}
	})
}

// Printed, the page is the report: the stylesheet's print rules hide the
// navigation, every form and the form-only columns.
func TestIncidentPrintStylesheet(t *testing.T) {
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	text := string(css)
	var print strings.Builder
	for rest := text; ; {
		i := strings.Index(rest, "@media print")
		if i < 0 {
			break
		}
		rest = rest[i:]
		end := strings.Index(rest, "\n}")
		if end < 0 {
			end = len(rest)
		}
		print.WriteString(rest[:end])
		rest = rest[end:]
	}
	for _, want := range []string{".top nav", " form", ".no-print", "form.incident-form", "display: none !important"} {
		if !strings.Contains(print.String(), want) {
			t.Errorf("the print rules lack %q", want)
		}
	}
}

// Every kind of timeline entry the store writes has its label.
func TestIncidentEventLabels(t *testing.T) {
	for _, kind := range []string{incident.EventOpened, incident.EventSignal, incident.EventRestored, incident.EventState, incident.EventNote,
		incident.EventClock, incident.EventManual, incident.EventBatch, incident.EventLoss, incident.EventSeverity, incident.EventReview,
		incident.EventNotify} {
		if !locale.Has("incidents.event." + kind) {
			t.Errorf("no label for the timeline's %q entries", kind)
		}
	}
}
