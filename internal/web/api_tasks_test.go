package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

func apiErrorOf(t *testing.T, body []byte) apiErrorBody {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not a JSON error: %s", body)
	}
	return e.Error
}

func TestTasksAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		body := fmt.Sprintf(`{"agency_id": %d, "title": "보안패치", "term": "short", "due": "2099. 1. 31.", "criterion": "미적용 0건",
			"system_ids": [%d], "proposal_key": "targets:system-1"}`, f.welfare.ID, f.insurance.ID)
		status, out := send(t, ts, "POST", "/api/v1/tasks", body)
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, out)
		}
		var task tasks.Task
		json.Unmarshal(out, &task)
		if task.ID == 0 || task.Due != "2099-01-31" || task.Status != tasks.StatusPlanned || task.ProposalKey != "" || len(task.SystemIDs) != 1 {
			t.Fatalf("created %+v: the due date read, planned by default, no proposal key from a body", task)
		}
		for _, c := range []struct {
			name, method, path, body string
			status                   int
			field                    string
		}{
			{"bad date", "POST", "/api/v1/tasks", fmt.Sprintf(`{"agency_id": %d, "title": "x", "term": "short", "due": "soon", "criterion": "c"}`, f.welfare.ID), 400, "due"},
			{"unknown field", "POST", "/api/v1/tasks", `{"titel": "x"}`, 400, "titel"},
			{"another agency's system", "POST", "/api/v1/tasks", fmt.Sprintf(`{"agency_id": %d, "title": "x", "term": "short", "due": "2099-01-01", "criterion": "c", "system_ids": [%d]}`, f.welfare.ID, f.work24.ID), 400, "system_ids"},
			{"unknown term filter", "GET", "/api/v1/tasks?term=long", "", 400, "term"},
			{"no such task", "GET", "/api/v1/tasks/999999", "", 404, ""},
			{"wrong method", "PATCH", "/api/v1/tasks", "", 405, ""},
		} {
			status, out := send(t, ts, c.method, c.path, c.body)
			if status != c.status {
				t.Errorf("%s: %d %s", c.name, status, out)
				continue
			}
			if e := apiErrorOf(t, out); e.Field != c.field {
				t.Errorf("%s: field %q, want %q", c.name, e.Field, c.field)
			}
		}
		// Start it: the agency may be left out, and the criterion set once.
		status, out = send(t, ts, "PUT", fmt.Sprintf("/api/v1/tasks/%d", task.ID),
			`{"title": "보안패치", "term": "short", "due": "2099-01-31", "status": "in_progress", "criterion": "공개 30일 내 적용"}`)
		if status != 200 {
			t.Fatalf("update: %d %s", status, out)
		}
		json.Unmarshal(out, &task)
		if task.AgencyID != f.welfare.ID || task.Criterion != "공개 30일 내 적용" || len(task.SystemIDs) != 0 {
			t.Errorf("updated %+v", task)
		}
		status, out = send(t, ts, "PUT", fmt.Sprintf("/api/v1/tasks/%d", task.ID),
			`{"title": "보안패치", "term": "short", "due": "2099-01-31", "status": "in_progress", "criterion": "다른 기준"}`)
		if status != 400 || apiErrorOf(t, out).Field != "criterion" {
			t.Errorf("criterion under way: %d %s", status, out)
		}
		status, out = send(t, ts, "GET", fmt.Sprintf("/api/v1/tasks?agency=%d&status=in_progress", f.welfare.ID), "")
		var list struct{ Items []tasks.Task }
		json.Unmarshal(out, &list)
		if status != 200 || len(list.Items) != 1 || list.Items[0].ID != task.ID {
			t.Errorf("filtered list: %d %s", status, out)
		}
		if status, out := send(t, ts, "DELETE", fmt.Sprintf("/api/v1/tasks/%d", task.ID), ""); status != http.StatusNoContent {
			t.Errorf("delete: %d %s", status, out)
		}
	})
}

// Proposals through the API on the sample: listed in the caller's
// language with the task accepting would create; accepted with the
// fingerprint seen (edited or not), dismissed with a reason, restored; a
// stale fingerprint is a conflict; another agency's are 404.
func TestProposalsAPI(t *testing.T) {
	db, welfare, keis, ts := welfareEditor(t)
	base := fmt.Sprintf("/api/v1/agencies/%d/proposals", welfare.ID)
	status, out := send(t, ts, "GET", base+"?lang=en", "")
	if status != 200 {
		t.Fatalf("proposals: %d %s", status, out)
	}
	var listed struct {
		Items     []proposalJSON `json:"items"`
		Dismissed []proposalJSON `json:"dismissed"`
	}
	json.Unmarshal(out, &listed)
	if len(listed.Items) < 3 || listed.Dismissed == nil {
		t.Fatalf("proposals: %s", out)
	}
	first, second, third := listed.Items[0], listed.Items[1], listed.Items[2]
	if first.Fingerprint == "" || first.Suggested == nil || first.Suggested.ProposalKey != first.Key || first.Title == "" ||
		len(first.Reasons) == 0 || strings.ContainsAny(first.Criterion, "가나다라마바사아자차카타파하") {
		t.Errorf("first proposal (in English): %+v", first)
	}

	for _, c := range []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"no fingerprint", base + "/accept", fmt.Sprintf(`{"key": %q}`, first.Key), 400, "fingerprint"},
		{"no key", base + "/accept", `{"fingerprint": "x"}`, 400, "key"},
		{"stale facts", base + "/accept", fmt.Sprintf(`{"key": %q, "fingerprint": "0000"}`, first.Key), 409, "fingerprint"},
		{"no such proposal", base + "/dismiss", `{"key": "targets:system-0", "fingerprint": "x", "reason": "r"}`, 404, "key"},
		{"dismiss without a reason", base + "/dismiss", fmt.Sprintf(`{"key": %q, "fingerprint": %q}`, second.Key, second.Fingerprint), 400, "reason"},
		{"another agency's", fmt.Sprintf("/api/v1/agencies/%d/proposals/accept", keis.ID), `{"key": "k", "fingerprint": "f"}`, 404, ""},
		{"wrong method", base + "/accept", "", 405, ""},
	} {
		method := "POST"
		if c.status == 405 {
			method = "GET"
		}
		status, out := send(t, ts, method, c.path, c.body)
		if status != c.status {
			t.Errorf("%s: %d %s", c.name, status, out)
			continue
		}
		if e := apiErrorOf(t, out); e.Field != c.field {
			t.Errorf("%s: field %q, want %q", c.name, e.Field, c.field)
		}
	}
	if status, out := send(t, ts, "GET", fmt.Sprintf("/api/v1/agencies/%d/proposals", keis.ID), ""); status != 404 {
		t.Errorf("another agency's proposals: %d %s", status, out)
	}

	status, out = send(t, ts, "POST", base+"/accept", fmt.Sprintf(`{"key": %q, "fingerprint": %q}`, first.Key, first.Fingerprint))
	var accepted tasks.Task
	json.Unmarshal(out, &accepted)
	if status != http.StatusCreated || accepted.ProposalKey != first.Key || accepted.Term != first.Term || accepted.Due != first.Suggested.Due {
		t.Fatalf("accept: %d %s", status, out)
	}
	edited := fmt.Sprintf(`{"key": %q, "fingerprint": %q, "task": {"title": "손본 과제", "term": "mid_long", "due": "2099-12-31", "criterion": "손본 기준", "agency_id": %d}}`,
		third.Key, third.Fingerprint, keis.ID)
	status, out = send(t, ts, "POST", base+"/accept", edited)
	var editedTask tasks.Task
	json.Unmarshal(out, &editedTask)
	if status != http.StatusCreated || editedTask.Title != "손본 과제" || editedTask.AgencyID != welfare.ID || editedTask.ProposalKey != third.Key {
		t.Fatalf("accept edited: %d %s", status, out)
	}
	status, out = send(t, ts, "POST", base+"/dismiss", fmt.Sprintf(`{"key": %q, "fingerprint": %q, "reason": "이미 다른 과제로 추진 중"}`, second.Key, second.Fingerprint))
	if status != 200 || !strings.Contains(string(out), "이미 다른 과제로 추진 중") {
		t.Fatalf("dismiss: %d %s", status, out)
	}
	_, out = send(t, ts, "GET", base, "")
	json.Unmarshal(out, &listed)
	for _, p := range listed.Items {
		if p.Key == first.Key || p.Key == second.Key || p.Key == third.Key {
			t.Errorf("decided proposal %s still open", p.Key)
		}
	}
	if len(listed.Dismissed) != 1 || listed.Dismissed[0].Dismissal == nil || listed.Dismissed[0].Dismissal.Reason != "이미 다른 과제로 추진 중" {
		t.Errorf("dismissed: %+v", listed.Dismissed)
	}
	if status, out := send(t, ts, "POST", base+"/restore", fmt.Sprintf(`{"key": %q}`, second.Key)); status != http.StatusNoContent {
		t.Errorf("restore: %d %s", status, out)
	}
	list, _ := tasks.NewStore(db).Dismissals(context.Background(), access.All(), welfare.ID)
	if len(list) != 0 {
		t.Errorf("dismissals after restore: %+v", list)
	}
}
