package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/risk"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/scenario"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

func agencyNamed(t *testing.T, store *inventory.Store, name string) *inventory.Agency {
	t.Helper()
	list, err := store.Agencies(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no agency %s", name)
	return nil
}

// welfareEditor loads the plan's sample data (SQLite) and signs in an
// editor of 근로복지공단; 한국고용정보원 is another agency to it.
func welfareEditor(t *testing.T) (db *database.DB, welfare, keis *inventory.Agency, ts *httptest.Server) {
	t.Helper()
	db = testdb.SQLite(t)
	if err := sampledata.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	store := inventory.NewStore(db)
	welfare, keis = agencyNamed(t, store, "근로복지공단"), agencyNamed(t, store, "한국고용정보원")
	ts, _, _ = newServerAs(t, db, auth.AgencyEditor, welfare.ID)
	return db, welfare, keis, ts
}

// shownProposal is an open proposal as the plan page's forms post it.
type shownProposal struct{ key, fingerprint string }

var systemOfKey = regexp.MustCompile(`system-(\d+)`)

var acceptForm = regexp.MustCompile(`action="/agencies/\d+/proposals/accept"><input type="hidden" name="key" value="([^"]+)"><input type="hidden" name="fingerprint" value="([^"]+)">`)

// planProposals reads the open proposals of a plan page, in its order.
func planProposals(body string) []shownProposal {
	var out []shownProposal
	for _, m := range acceptForm.FindAllStringSubmatch(body, -1) {
		out = append(out, shownProposal{key: html.UnescapeString(m[1]), fingerprint: html.UnescapeString(m[2])})
	}
	return out
}

func (p shownProposal) form(extra ...string) url.Values {
	v := url.Values{"key": {p.key}, "fingerprint": {p.fingerprint}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func hasProposal(list []shownProposal, key string) bool {
	for _, p := range list {
		if p.key == key {
			return true
		}
	}
	return false
}

// The done-when on the plan's sample data, through the pages: a
// proposal accepted on an agency's plan page becomes a task there and
// leaves the proposals; a dismissed one needs a reason, stays away on
// reload, and comes back when the system's RTO target changes; a
// dismissal can be taken back.
func TestPlanPageDecisions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := sampleServer(t, db)
		welfare := agencyNamed(t, store, "근로복지공단")
		plan := "/agencies/" + strconv.FormatInt(welfare.ID, 10) + "/plan"
		if _, body := get(t, ts, agencyHref(welfare.ID)); !strings.Contains(body, `href="`+plan+`"`) {
			t.Error("the agency page does not link its plan")
		}
		status, body := get(t, ts, plan)
		if status != 200 {
			t.Fatalf("plan page: %d", status)
		}
		mustContain(t, "plan page", body, "근로복지공단 이행계획", "시나리오별 목표 미달 요약", "목표 미달 시스템", "열려 있는 과제 제안")
		summary := rowOf(t, htmlTable(t, body, "summary"), "주 시설 상실")
		if summary[1] != "41" {
			t.Errorf("facility-loss summary %v: want the agency's 41 systems", summary)
		}
		open := planProposals(body)
		if len(open) == 0 {
			t.Fatal("no proposals on the sample's plan page")
		}
		var dr, other shownProposal
		for _, p := range open {
			switch {
			case dr.key == "" && strings.HasPrefix(p.key, "gap_rto:") && strings.HasSuffix(p.key, ":facility_loss"):
				dr = p
			case other.key == "" && strings.HasPrefix(p.key, "gap_rto:") && strings.HasSuffix(p.key, ":facility_loss"):
				other = p
			}
		}
		if dr.key == "" || other.key == "" {
			t.Fatalf("want two facility-loss RTO proposals, got %v", open)
		}
		// Accept as suggested.
		if status, location, _ := post(t, ts, agencyHref(welfare.ID)+"/proposals/accept", dr.form()); status != http.StatusSeeOther || location != plan+"#t-tasks" {
			t.Fatalf("accept: %d %s", status, location)
		}
		_, body = get(t, ts, plan)
		if hasProposal(planProposals(body), dr.key) {
			t.Error("the accepted proposal is still open")
		}
		tasksRows := htmlTable(t, body, "tasks")
		if len(tasksRows) != 2 || !strings.Contains(tasksRows[1][0], "재해복구(DR) 구축") || tasksRows[1][1] != "중장기" || tasksRows[1][2] != "계획" {
			t.Errorf("tasks table after accepting: %v", tasksRows)
		}
		// Accepting again is refused: the proposal is no longer open.
		if status, _, body := post(t, ts, agencyHref(welfare.ID)+"/proposals/accept", dr.form()); status != http.StatusNotFound || !strings.Contains(body, "열려 있는 과제 제안이 아닙니다") {
			t.Errorf("accept twice: %d", status)
		}
		// Dismiss without a reason: refused, next to the reason field.
		status, _, body = post(t, ts, agencyHref(welfare.ID)+"/proposals/dismiss", other.form("reason", "  "))
		if status != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "기각 사유를 적어야 합니다") {
			t.Fatalf("dismiss without a reason: %d", status)
		}
		if !hasProposal(planProposals(body), other.key) {
			t.Error("a refused dismissal dismissed")
		}
		// A fingerprint the page no longer shows: the facts changed.
		if status, _, _ := post(t, ts, agencyHref(welfare.ID)+"/proposals/dismiss", shownProposal{other.key, "0000"}.form("reason", "x")); status != http.StatusConflict {
			t.Errorf("dismiss on stale facts: %d", status)
		}
		status, location, _ := post(t, ts, agencyHref(welfare.ID)+"/proposals/dismiss", other.form("reason", "내년 예산 확보 후 재검토"))
		if status != http.StatusSeeOther || location != plan+"#t-proposals" {
			t.Fatalf("dismiss: %d %s", status, location)
		}
		_, body = get(t, ts, plan)
		if hasProposal(planProposals(body), other.key) {
			t.Error("the dismissed proposal is still open after a reload")
		}
		dismissed := htmlTable(t, body, "dismissed")
		if len(dismissed) != 2 || dismissed[1][1] != "내년 예산 확보 후 재검토" {
			t.Errorf("dismissed table: %v", dismissed)
		}
		// The system's RTO target changes: the proposal is back, marked.
		id, _ := strconv.ParseInt(systemOfKey.FindStringSubmatch(other.key)[1], 10, 64)
		ctx := context.Background()
		sys, err := store.System(ctx, access.All(), id)
		if err != nil {
			t.Fatal(err)
		}
		target := inventory.Minutes(90)
		sys.RTODisaster = &target
		if err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, sys) }); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, ts, plan)
		if !hasProposal(planProposals(body), other.key) {
			t.Fatal("the dismissed proposal did not come back when the system's RTO target changed")
		}
		mustContain(t, "plan page", body, "다시 제안됨", "이전 기각 사유: 내년 예산 확보 후 재검토")
		// Dismissed again, then taken back.
		var back shownProposal
		for _, p := range planProposals(body) {
			if p.key == other.key {
				back = p
			}
		}
		if status, _, _ := post(t, ts, agencyHref(welfare.ID)+"/proposals/dismiss", back.form("reason", "다시 기각")); status != http.StatusSeeOther {
			t.Fatalf("dismiss again: %d", status)
		}
		restore := agencyHref(welfare.ID) + "/proposals/restore?" + url.Values{"key": {other.key}}.Encode()
		_, body = get(t, ts, plan)
		if !strings.Contains(body, html.EscapeString(restore)) {
			t.Fatalf("no restore button %s on the plan page", restore)
		}
		if status, _, _ := post(t, ts, restore, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("restore: %d", status)
		}
		_, body = get(t, ts, plan)
		if !hasProposal(planProposals(body), other.key) {
			t.Error("a restored proposal is not open again")
		}
	})
}

// Edit, then accept: the form starts from the proposal, says why it was
// proposed, carries the proposal and its fingerprint, and saving it puts
// the task, as edited, into the agency's plan.
func TestTaskFormFromProposal(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	welfare := agencyNamed(t, store, "근로복지공단")
	plan := planHref(welfare.ID)
	_, body := get(t, ts, plan)
	p := planProposals(body)[0]
	form := "/tasks/new?" + url.Values{"agency": {idValue(welfare.ID)}, "proposal": {p.key}, "fingerprint": {p.fingerprint}}.Encode()
	status, body := get(t, ts, form)
	if status != 200 {
		t.Fatalf("form from a proposal: %d", status)
	}
	mustContain(t, "form from a proposal", body, "제안을 고쳐서 수락", `id="proposal-why"`, `name="proposal" value="`+html.EscapeString(p.key)+`"`,
		`name="fingerprint" value="`+p.fingerprint+`"`)
	if strings.Contains(body, "한국고용정보원") {
		t.Error("the form of one agency's proposal offers another agency's systems")
	}
	values := url.Values{"agency_id": {idValue(welfare.ID)}, "proposal": {p.key}, "fingerprint": {p.fingerprint},
		"title": {"가입부과 신정보시스템 목표 재설정"}, "term": {"short"}, "owner": {"정보화실 김담당"}, "due": {"2026. 3. 31."},
		"status": {"planned"}, "criterion": {"목표 기록 확인"}}
	status, location, _ := post(t, ts, "/tasks", values)
	if status != http.StatusSeeOther || location != plan+"#t-tasks" {
		t.Fatalf("accept edited: %d %s", status, location)
	}
	list, _ := tasks.NewStore(db).Tasks(context.Background(), access.All(), tasks.Filter{AgencyID: welfare.ID})
	if len(list) != 1 || list[0].Title != "가입부과 신정보시스템 목표 재설정" || list[0].ProposalKey != p.key || list[0].Due != "2026-03-31" ||
		list[0].Owner != "정보화실 김담당" {
		t.Fatalf("accepted task: %+v", list)
	}
	_, body = get(t, ts, plan)
	if hasProposal(planProposals(body), p.key) {
		t.Error("the proposal accepted through the form is still open")
	}
	// The same form posted again: the proposal is decided.
	if status, _, _ := post(t, ts, "/tasks", values); status != http.StatusNotFound {
		t.Errorf("accept the same proposal again: %d", status)
	}
}

// An agency's users see their own agency's plan and no other: another
// agency's plan, its workbook and its decisions are 404, and nothing of it
// shows.
func TestPlanIsolation(t *testing.T) {
	db, welfare, keis, ts := welfareEditor(t)
	status, body := get(t, ts, planHref(welfare.ID))
	if status != 200 || len(planProposals(body)) == 0 {
		t.Fatalf("own plan: %d, %d proposals", status, len(planProposals(body)))
	}
	mustNotShow(t, "own plan", body, "한국고용정보원", "고용24")
	for _, path := range []string{planHref(keis.ID), planHref(keis.ID) + ".xlsx", "/export/plan/proposals.csv?id=" + idValue(keis.ID)} {
		if status, _ := get(t, ts, path); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
	if status, _, _ := post(t, ts, agencyHref(keis.ID)+"/proposals/accept", url.Values{"key": {"targets:system-1"}}); status != http.StatusNotFound {
		t.Errorf("accept for another agency: %d", status)
	}
	// Its task list holds its own agency only.
	status, body = get(t, ts, "/tasks")
	if status != 200 {
		t.Fatalf("tasks: %d", status)
	}
	rows := htmlTable(t, body, "plans")
	if len(rows) != 2 || !strings.HasPrefix(rows[1][0], "근로복지공단") {
		t.Errorf("plans table of an agency user: %v", rows)
	}
	// A reader reads but does not decide.
	viewer, _, _ := newServerAs(t, db, auth.AgencyViewer, welfare.ID)
	_, body = get(t, viewer, planHref(welfare.ID))
	if strings.Contains(body, "/proposals/accept") || strings.Contains(body, "/proposals/dismiss") {
		t.Error("a viewer is offered the decision forms")
	}
}

// The plan as one workbook, a sheet per section, and each section as its
// own download.
func TestPlanWorkbook(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	welfare := agencyNamed(t, store, "근로복지공단")
	_, body := get(t, ts, planHref(welfare.ID))
	open := len(planProposals(body))
	resp, book := getBytes(t, ts, planHref(welfare.ID)+".xlsx")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "yeonsok-plan-"+idValue(welfare.ID)+"-") {
		t.Fatalf("workbook: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	wb, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	want := []string{"시나리오별 목표 미달 요약", "목표 미달 시스템", "이 기관의 위험요인", "열려 있는 과제 제안", "기각한 제안", "이 기관의 이행과제"}
	if got := wb.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	// The agency's risks, the site survey's among them.
	risks, _ := wb.GetRows("이 기관의 위험요인")
	if len(risks) != 4 || risks[0][0] != "위험요인" || !slices.ContainsFunc(risks, func(row []string) bool {
		return row[0] == "시설 노후, 소화설비 미비로 재해에 취약" && row[len(row)-1] == "미조치"
	}) {
		t.Errorf("risks sheet: %v", risks)
	}
	rows, _ := wb.GetRows("열려 있는 과제 제안")
	if len(rows) != open+1 || rows[0][len(rows[0])-1] != "점검 기준" {
		t.Errorf("proposals sheet: %d rows for %d proposals; header %v", len(rows), open, rows[0])
	}
	resp, csv := getBytes(t, ts, "/export/plan/gaps.csv?id="+idValue(welfare.ID))
	if resp.StatusCode != 200 || !strings.Contains(string(csv), "주 시설 상실") {
		t.Errorf("gaps CSV: %d", resp.StatusCode)
	}
}

// The plan page holds the agency's risks beside its gaps and tasks: a
// risks section, links to the agency's gap summary and risk list, and a
// proposal for each high risk. Accepted, it becomes a task naming the
// risk (shown on the task page and offered, checked, on its form), and
// the risk cannot be deleted then, on the page or through the API; a
// dismissed one comes back when the risk's rating after controls changes.
func TestPlanRisks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		ts, store := sampleServer(t, db)
		kead := agencyNamed(t, store, "한국장애인고용공단")
		plan := planHref(kead.ID)
		status, body := get(t, ts, plan)
		if status != 200 {
			t.Fatalf("plan page: %d", status)
		}
		mustContain(t, "plan page", body, `href="#risks"`, `href="/gaps?agency=`+idValue(kead.ID)+`"`, `href="/risks?agency=`+idValue(kead.ID)+`"`)
		if rows := htmlTable(t, body, "risks"); len(rows) != 6 || rowOf(t, rows, "백업은 실시하나 소산 미실시")[6] != "미조치" {
			t.Errorf("risks section: %v", rows)
		}
		risks := risk.NewStore(db)
		entries, err := risks.List(ctx, access.All(), risk.Filter{AgencyID: kead.ID})
		if err != nil {
			t.Fatal(err)
		}
		var backup, heat *risk.Entry
		for _, e := range entries {
			switch e.Title {
			case "백업은 실시하나 소산 미실시":
				backup = e
			case "전산실 온도가 적정 온도(26°C) 초과 상황 자주 발생(여름에 위험)":
				heat = e
			}
		}
		if backup == nil || heat == nil {
			t.Fatalf("the sample's risks of 한국장애인고용공단: %v", entries)
		}
		byKey := map[string]shownProposal{}
		for _, p := range planProposals(body) {
			byKey[p.key] = p
		}
		backupKey, heatKey := "risk:risk-"+idValue(backup.ID), "risk:risk-"+idValue(heat.ID)
		if _, ok := byKey[backupKey]; !ok {
			t.Fatalf("no proposal %s among %v", backupKey, byKey)
		}
		// The API says which risk a proposal treats.
		_, answer := send(t, ts, "GET", "/api/v1/agencies/"+idValue(kead.ID)+"/proposals", "")
		var proposals struct{ Items []proposalJSON }
		if err := json.Unmarshal(answer, &proposals); err != nil || !slices.ContainsFunc(proposals.Items, func(p proposalJSON) bool {
			return p.Key == backupKey && slices.Equal(p.RiskIDs, []int64{backup.ID}) && slices.Equal(p.Suggested.RiskIDs, []int64{backup.ID})
		}) {
			t.Errorf("proposals API: %v %s", err, answer)
		}
		row := rowOf(t, htmlTable(t, body, "proposals"), backup.Title)
		if row[1] != "" || row[2] != "고위험 요인" || row[3] != "백업 주기 준수" || !strings.Contains(body, `href="`+riskHref(backup.ID)+`"`) {
			t.Errorf("risk proposal row: %v", row)
		}

		if status, location, _ := post(t, ts, agencyHref(kead.ID)+"/proposals/accept", byKey[backupKey].form()); status != http.StatusSeeOther || location != plan+"#t-tasks" {
			t.Fatalf("accept: %d %s", status, location)
		}
		list, err := tasks.NewStore(db).Tasks(ctx, access.All(), tasks.Filter{AgencyID: kead.ID})
		if err != nil || len(list) != 1 || len(list[0].RiskIDs) != 1 || list[0].RiskIDs[0] != backup.ID {
			t.Fatalf("accepted task: %v %+v", err, list)
		}
		task := list[0]
		_, body = get(t, ts, taskHref(task.ID))
		mustContain(t, "task page", body, "관련 위험요인", `<a href="`+riskHref(backup.ID)+`">`+backup.Title+`</a>`)
		_, body = get(t, ts, taskHref(task.ID)+"/edit")
		mustContain(t, "task form", body, `name="risk_ids" value="`+idValue(backup.ID)+`" checked`, `name="risk_ids" value="`+idValue(heat.ID)+`"`)
		mustNotShow(t, "task form", body, "UPS 4기 중 1,2호기 노후화(2014년)")

		// The risk is in use: neither page nor API deletes it.
		status, _, body = post(t, ts, riskHref(backup.ID)+"/delete", url.Values{})
		if status != http.StatusConflict || !strings.Contains(body, "사용 중인 위험요인이라 삭제할 수 없습니다") {
			t.Errorf("delete a risk a task names, on the page: %d", status)
		}
		status, answer = send(t, ts, "DELETE", "/api/v1/risks/"+idValue(backup.ID), "")
		var refused apiError
		json.Unmarshal(answer, &refused)
		if status != http.StatusConflict || refused.Error.Code != "conflict" || !strings.Contains(refused.Error.Message, "사용 중인") {
			t.Errorf("delete a risk a task names, through the API: %d %s", status, answer)
		}
		if _, err := risks.Entry(ctx, access.All(), backup.ID); err != nil {
			t.Errorf("the risk is gone: %v", err)
		}

		// Dismissed, then the risk is found likelier after its controls.
		if status, _, _ := post(t, ts, agencyHref(kead.ID)+"/proposals/dismiss", byKey[heatKey].form("reason", "냉방기 교체 예산 반영됨")); status != http.StatusSeeOther {
			t.Fatalf("dismiss: %d", status)
		}
		_, body = get(t, ts, plan)
		if hasProposal(planProposals(body), heatKey) {
			t.Fatal("the dismissed risk proposal is still open")
		}
		heat.Likelihood, heat.ResidualLikelihood = 5, 5
		if err := risks.Update(ctx, access.All(), heat); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, ts, plan)
		if !hasProposal(planProposals(body), heatKey) || !strings.Contains(body, "이전 기각 사유: 냉방기 교체 예산 반영됨") {
			t.Error("the dismissed risk proposal did not come back when the risk's rating after controls changed")
		}
	})
}

// A gap whose estimate is only a lower bound says so on the plan page.
func TestPlanGapCellLowerBound(t *testing.T) {
	target := inventory.Minutes(120)
	g := scenario.SystemGap{RTO: scenario.Measure{Target: scenario.Target{Minutes: &target, Source: scenario.TargetOwn},
		Bound: scenario.Bound{Minutes: scenario.RebuildElsewhere, AtLeast: true}, Misses: true}}
	for lang, want := range map[locale.Lang]string{locale.Korean: "RTO 3일 이상 (목표 2시간)", locale.English: "RTO at least 3 d (target 2 h)"} {
		if got := tr(lang).gapCell(g).Text; got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
