package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

// A task by hand through its forms: problems next to their fields, a due
// date written the ministry's way, the criterion fixed once under way,
// and deletion back to the agency's plan.
func TestTaskForms(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	f := newUIFixture(t, store)
	status, body := get(t, ts, "/tasks/new")
	if status != 200 {
		t.Fatalf("new task form: %d", status)
	}
	mustContain(t, "new task form", body, `name="agency_id"`, `name="criterion"`, "고용24", "노동보험시스템", "KT 목동")

	status, _, body = post(t, ts, "/tasks", url.Values{"agency_id": {idValue(f.welfare.ID)}, "title": {""}, "term": {"short"},
		"due": {"내일"}, "status": {"planned"}, "criterion": {""}})
	if status != http.StatusBadRequest {
		t.Fatalf("invalid task: %d", status)
	}
	mustContain(t, "invalid task", body, `id="form-problems"`, `href="#f-title"`, `href="#f-due"`, `href="#f-criterion"`, "날짜로 읽을 수 없습니다")
	if strings.Count(body, "필수 항목입니다") < 2 {
		t.Error("the missing title and criterion are not both named")
	}

	// Another agency's system is refused, next to the systems.
	status, _, body = post(t, ts, "/tasks", url.Values{"agency_id": {idValue(f.welfare.ID)}, "title": {"출입통제"}, "term": {"short"},
		"due": {"2025. 12. 31."}, "status": {"planned"}, "criterion": {"비인가 출입 0건"}, "system_ids": {idValue(f.work24.ID)}})
	if status != http.StatusBadRequest || !strings.Contains(body, "이 기관의 시스템이 아닙니다") {
		t.Fatalf("another agency's system: %d", status)
	}

	status, location, _ := post(t, ts, "/tasks", url.Values{"agency_id": {idValue(f.welfare.ID)}, "title": {"출입통제"}, "term": {"short"},
		"due": {"2025. 12. 31."}, "status": {"planned"}, "criterion": {"비인가 출입 0건"}, "owner": {"김보안"},
		"system_ids": {idValue(f.insurance.ID)}, "facility_ids": {idValue(f.own.ID), idValue(f.kt.ID)}})
	if status != http.StatusSeeOther || !strings.HasPrefix(location, "/tasks/") {
		t.Fatalf("create: %d %s", status, location)
	}
	status, body = get(t, ts, location)
	if status != 200 {
		t.Fatalf("task page: %d", status)
	}
	mustContain(t, "task page", body, "<h1>출입통제</h1>", "2025. 12. 31.", "단기", "계획", "김보안", "노동보험시스템", "근로복지공단 전산실", "KT 목동", "직접 등록")

	// Under way: the criterion leaves the form and stays as it was.
	status, _, _ = post(t, ts, location, url.Values{"title": {"출입통제"}, "term": {"short"}, "due": {"2025-12-31"}, "status": {"in_progress"},
		"criterion": {"비인가 출입 0건, 동행 100%"}, "system_ids": {idValue(f.insurance.ID)}})
	if status != http.StatusSeeOther {
		t.Fatalf("start: %d", status)
	}
	_, body = get(t, ts, location+"/edit")
	if strings.Contains(body, `name="criterion"`) || !strings.Contains(body, "비인가 출입 0건, 동행 100%") || !strings.Contains(body, "착수한 뒤에는 바꿀 수 없습니다") {
		t.Error("the edit form of a task under way offers its criterion for change")
	}
	status, _, _ = post(t, ts, location, url.Values{"title": {"출입통제"}, "term": {"short"}, "due": {"2025-12-31"}, "status": {"done"}})
	if status != http.StatusSeeOther {
		t.Fatalf("finish: %d", status)
	}
	stored, err := tasks.NewStore(db).Tasks(context.Background(), access.All(), tasks.Filter{})
	if err != nil || len(stored) != 1 || stored[0].Status != tasks.StatusDone || stored[0].Criterion != "비인가 출입 0건, 동행 100%" ||
		len(stored[0].SystemIDs) != 0 || len(stored[0].FacilityIDs) != 0 {
		t.Fatalf("after the edits: %+v", stored)
	}
	status, _, body = post(t, ts, location, url.Values{"title": {"출입통제"}, "term": {"short"}, "due": {"2025-12-31"}, "status": {"planned"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "계획 상태로 되돌릴 수 없습니다") {
		t.Errorf("back to planned: %d", status)
	}

	// Every change is in the audit log, linked to the task.
	_, body = get(t, ts, "/audit?kind=task")
	if strings.Count(body, `href="`+location+`"`) != 3 {
		t.Errorf("the audit log does not link the task's three changes to %s", location)
	}

	status, location, _ = post(t, ts, location+"/delete", url.Values{})
	if status != http.StatusSeeOther || location != planHref(f.welfare.ID)+"#t-tasks" {
		t.Fatalf("delete: %d %s", status, location)
	}
	if status, _ := get(t, ts, "/tasks/"+idValue(stored[0].ID)); status != http.StatusNotFound {
		t.Errorf("deleted task: %d", status)
	}
}

// The list: each agency's plan counted, tasks filtered by agency, term and
// status, the filter kept on the export, and the catalogue of templates a
// task starts from.
func TestTasksList(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	f := newUIFixture(t, store)
	ctx := context.Background()
	st := tasks.NewStore(db)
	for _, task := range []*tasks.Task{
		{AgencyID: f.ministry.ID, Title: "고용24 DR 구축", Term: tasks.TermMidLong, Due: "2099-12-31", Criterion: "훈련으로 확인", SystemIDs: []int64{f.work24.ID}},
		{AgencyID: f.welfare.ID, Title: "보안패치", Term: tasks.TermShort, Due: "2020-01-31", Criterion: "미적용 0건"},
		{AgencyID: f.welfare.ID, Title: "모의훈련", Term: tasks.TermShort, Due: "2099-06-30", Criterion: "연 2회", Status: tasks.StatusInProgress},
	} {
		if err := st.Create(ctx, access.All(), task); err != nil {
			t.Fatal(err)
		}
	}
	status, body := get(t, ts, "/tasks")
	if status != 200 {
		t.Fatalf("tasks: %d", status)
	}
	wantCells(t, "plans of 근로복지공단", rowOf(t, htmlTable(t, body, "plans"), "근로복지공단"), "근로복지공단", "1", "1", "0", "0", "1")
	rows := htmlTable(t, body, "tasks")
	if len(rows) != 4 {
		t.Fatalf("all tasks: %v", rows)
	}
	wantCells(t, "overdue task", rowOf(t, rows, "근로복지공단")[:6], "근로복지공단", "보안패치 기한 경과", "단기", "계획", "", "2020. 1. 31.")
	templates := htmlTable(t, body, "templates")
	if len(templates) != len(tasks.Templates)+1 || !strings.HasPrefix(templates[1][0], "전산시설 출입통제") {
		t.Errorf("templates: %d rows, first %v", len(templates), templates[1])
	}

	q := url.Values{"agency": {idValue(f.welfare.ID)}, "term": {"short"}, "status": {"in_progress"}}.Encode()
	_, body = get(t, ts, "/tasks?"+q)
	rows = htmlTable(t, body, "tasks")
	if len(rows) != 2 || !strings.HasPrefix(rows[1][1], "모의훈련") {
		t.Errorf("filtered: %v", rows)
	}
	resp, csv := getBytes(t, ts, "/export/tasks/tasks.csv?"+q)
	if resp.StatusCode != 200 || !strings.Contains(string(csv), "모의훈련") || strings.Contains(string(csv), "보안패치") {
		t.Errorf("filtered export: %d\n%s", resp.StatusCode, csv)
	}

	// Starting from the plan's first short-term example fills the form.
	status, body = get(t, ts, "/tasks/new?template=access_control&agency="+idValue(f.welfare.ID))
	if status != 200 {
		t.Fatalf("form from a template: %d", status)
	}
	mustContain(t, "form from a template", body, `value="전산시설 출입통제"`, "시스템 담당자가 동행", `name="template" value="access_control"`)
	status, location, _ := post(t, ts, "/tasks", url.Values{"template": {"access_control"}, "agency_id": {idValue(f.welfare.ID)},
		"title": {"전산시설 출입통제"}, "term": {"short"}, "due": {"2099-03-31"}, "status": {"planned"}, "criterion": {"비인가 출입 0건"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create from a template: %d", status)
	}
	_, body = get(t, ts, location)
	mustContain(t, "task from a template", body, "과제 예시 &#39;전산시설 출입통제&#39;에서 시작함")
	if status, _ := get(t, ts, "/tasks/new?template=nope"); status != http.StatusNotFound {
		t.Errorf("an unknown template: %d", status)
	}
}

// A reader sees tasks but no forms; an agency's editor sees its own
// agency's tasks only, and another agency's task is 404.
func TestTaskScope(t *testing.T) {
	db := testdb.SQLite(t)
	ts, store := newTestServer(t, db)
	f := newUIFixture(t, store)
	ctx := context.Background()
	st := tasks.NewStore(db)
	mine := &tasks.Task{AgencyID: f.welfare.ID, Title: "보안패치", Term: tasks.TermShort, Due: "2099-01-31", Criterion: "미적용 0건"}
	theirs := &tasks.Task{AgencyID: f.ministry.ID, Title: "고용24 DR 구축", Term: tasks.TermMidLong, Due: "2099-12-31", Criterion: "훈련", SystemIDs: []int64{f.work24.ID}}
	for _, task := range []*tasks.Task{mine, theirs} {
		if err := st.Create(ctx, access.All(), task); err != nil {
			t.Fatal(err)
		}
	}
	_, body := get(t, ts, "/tasks")
	mustContain(t, "ministry's list", body, "보안패치", "고용24 DR 구축")

	editor, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
	status, body := get(t, editor, "/tasks")
	if status != 200 || !strings.Contains(body, "보안패치") {
		t.Fatalf("agency editor's list: %d", status)
	}
	mustNotShow(t, "agency editor's list", body, "고용24")
	for _, path := range []string{taskHref(theirs.ID), taskHref(theirs.ID) + "/edit"} {
		if status, _ := get(t, editor, path); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
	if status, _, _ := post(t, editor, taskHref(theirs.ID)+"/delete", url.Values{}); status != http.StatusNotFound {
		t.Errorf("delete another agency's task: %d", status)
	}
	_, body = get(t, editor, "/tasks/new")
	mustNotShow(t, "agency editor's form", body, "고용24", "국정자원 대전센터")

	viewer, _, _ := newServerAs(t, db, auth.AgencyViewer, f.welfare.ID)
	_, body = get(t, viewer, taskHref(mine.ID))
	if strings.Contains(body, "/edit") || strings.Contains(body, "/delete") {
		t.Error("a viewer is offered edit and delete")
	}
}

// The words the task pages build from a value ("tasks.term." + term) are
// in the catalogue.
func TestTaskKeyFamilies(t *testing.T) {
	families := map[string][]string{
		"tasks.term.":          tasks.Terms,
		"tasks.status.":        tasks.Statuses,
		"tasks.source.":        {tasks.SourceTargets, tasks.SourceGap, tasks.SourceRisk},
		"tasks.target_source.": {"own", "service", "minimum"},
	}
	for prefix, values := range families {
		for _, v := range values {
			if !locale.Has(prefix + v) {
				t.Errorf("key %q is not in the catalogue", prefix+v)
			}
		}
	}
}
