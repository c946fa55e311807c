package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/grading"
	"yeonsok/internal/testdb"
)

// The API's grade-change proposals: an agency editor proposes for its own
// system and reads its own; an agency editor, an agency admin and a
// ministry-wide script token may not decide; the ministry admin rejects
// only with a note and approves, which sets the grade.
func TestGradeProposalsAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ministryTS, srv, _ := newServerAs(t, db, auth.MinistryAdmin, 0)
		f := newScopeFixture(t, srv.store)
		editorTS, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		adminTS, _, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		script, err := srv.accounts.CreateToken(context.Background(), &auth.Token{Name: "ministry script", Role: auth.Script})
		if err != nil {
			t.Fatal(err)
		}
		decode := func(body []byte) *grading.ChangeProposal {
			var p grading.ChangeProposal
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("not a proposal: %s", body)
			}
			return &p
		}
		code := func(body []byte) string {
			var e apiError
			json.Unmarshal(body, &e)
			return e.Error.Code + " " + e.Error.Field
		}

		// 산재보험 EDI is grade 3; 근로복지공단's editor proposes 2.
		status, header, body := apiRequest(t, editorTS, http.MethodPost, "/api/v1/grade-proposals",
			fmt.Sprintf(`{"system_id":%d,"to_grade":2,"reason":"점수 재산정"}`, f.edi.ID), nil)
		if status != http.StatusCreated {
			t.Fatalf("propose: %d %s", status, body)
		}
		p := decode(body)
		if p.Status != grading.Pending || p.FromGrade != 3 || p.ToGrade != 2 || header.Get("Location") != fmt.Sprintf("/api/v1/grade-proposals/%d", p.ID) {
			t.Fatalf("proposed: %+v at %s", p, header.Get("Location"))
		}
		status, _, body = apiRequest(t, editorTS, http.MethodPost, "/api/v1/grade-proposals",
			fmt.Sprintf(`{"system_id":%d,"to_grade":1,"reason":"다시"}`, f.edi.ID), nil)
		if status != http.StatusConflict || code(body) != "conflict system_id" {
			t.Errorf("a second pending proposal: %d %s", status, body)
		}
		status, _, body = apiRequest(t, editorTS, http.MethodPost, "/api/v1/grade-proposals", fmt.Sprintf(`{"system_id":%d,"to_grade":3,"reason":"x"}`, f.edi.ID), nil)
		if status != http.StatusBadRequest || code(body) != "invalid to_grade" {
			t.Errorf("the same grade: %d %s", status, body)
		}
		// 고용24 is 한국고용정보원's: to 근로복지공단 there is no such system.
		status, _, body = apiRequest(t, editorTS, http.MethodPost, "/api/v1/grade-proposals",
			fmt.Sprintf(`{"system_id":%d,"to_grade":2,"reason":"x"}`, f.work24.ID), nil)
		if status != http.StatusBadRequest || code(body) != "invalid system_id" {
			t.Errorf("another agency's system: %d %s", status, body)
		}
		theirs := &grading.ChangeProposal{SystemID: f.work24.ID, ToGrade: 2, Reason: "하향 검토"}
		if err := srv.grades.Propose(context.Background(), access.All(), theirs); err != nil {
			t.Fatal(err)
		}
		status, _, body = apiRequest(t, editorTS, http.MethodGet, "/api/v1/grade-proposals", "", nil)
		var list struct{ Items []*grading.ChangeProposal }
		json.Unmarshal(body, &list)
		if status != 200 || len(list.Items) != 1 || list.Items[0].ID != p.ID {
			t.Errorf("근로복지공단's list: %d %s", status, body)
		}
		mustNotShow(t, "근로복지공단's list", string(body), keisNames...)
		if status, _, _ := apiRequest(t, editorTS, http.MethodGet, fmt.Sprintf("/api/v1/grade-proposals/%d", theirs.ID), "", nil); status != http.StatusNotFound {
			t.Errorf("another agency's proposal: %d, want 404", status)
		}
		status, _, body = apiRequest(t, ministryTS, http.MethodGet, "/api/v1/grade-proposals?status=pending", "", nil)
		json.Unmarshal(body, &list)
		if status != 200 || len(list.Items) != 2 {
			t.Errorf("the ministry's pending: %d %s", status, body)
		}
		if status, _, body := apiRequest(t, ministryTS, http.MethodGet, "/api/v1/grade-proposals?status=done", "", nil); status != 400 || code(body) != "invalid status" {
			t.Errorf("a bad status filter: %d %s", status, body)
		}
		if status, _, body := apiRequest(t, ministryTS, http.MethodGet, fmt.Sprintf("/api/v1/grade-proposals?system=%d", f.work24.ID), "", nil); status != 200 ||
			json.Unmarshal(body, &list) != nil || len(list.Items) != 1 || list.Items[0].ID != theirs.ID {
			t.Errorf("filtered by system: %d %s", status, body)
		}

		approve := fmt.Sprintf("/api/v1/grade-proposals/%d/approve", p.ID)
		for name, call := range map[string]func() (int, http.Header, []byte){
			"agency editor": func() (int, http.Header, []byte) { return apiRequest(t, editorTS, http.MethodPost, approve, "{}", nil) },
			"agency admin":  func() (int, http.Header, []byte) { return apiRequest(t, adminTS, http.MethodPost, approve, "{}", nil) },
			"ministry script token": func() (int, http.Header, []byte) {
				return apiRequest(t, ministryTS, http.MethodPost, approve, "{}", map[string]string{"Authorization": "Bearer " + script})
			},
		} {
			if status, _, body := call(); status != http.StatusForbidden {
				t.Errorf("%s approves: %d %s", name, status, body)
			}
		}
		if grade := systemGrade(t, srv.store, f.edi.ID); grade != 3 {
			t.Fatalf("grade %d after refused approvals", grade)
		}

		reject := fmt.Sprintf("/api/v1/grade-proposals/%d/reject", theirs.ID)
		if status, _, body := apiRequest(t, ministryTS, http.MethodPost, reject, "{}", nil); status != 400 || code(body) != "invalid decision_note" {
			t.Errorf("a rejection without a note: %d %s", status, body)
		}
		if status, _, body := apiRequest(t, ministryTS, http.MethodPost, reject, `{"decision_note":"대국민 서비스"}`, nil); status != 200 || decode(body).Status != grading.Rejected {
			t.Errorf("reject: %d %s", status, body)
		}
		status, _, body = apiRequest(t, ministryTS, http.MethodPost, approve, `{"decision_note":"승인"}`, nil)
		if status != 200 {
			t.Fatalf("approve: %d %s", status, body)
		}
		if got := decode(body); got.Status != grading.Approved || got.DecisionNote != "승인" || got.DecidedBy.Kind != auth.KindUser {
			t.Errorf("approved: %+v", got)
		}
		if grade := systemGrade(t, srv.store, f.edi.ID); grade != 2 {
			t.Errorf("grade %d after approval, want 2", grade)
		}
		if status, _, body := apiRequest(t, ministryTS, http.MethodPost, approve, "{}", nil); status != http.StatusConflict {
			t.Errorf("approving twice: %d %s", status, body)
		}
		if status, header, _ := apiRequest(t, ministryTS, http.MethodGet, approve, "", nil); status != http.StatusMethodNotAllowed || header.Get("Allow") != "POST" {
			t.Errorf("GET on approve: %d, Allow %q", status, header.Get("Allow"))
		}
	})
}
