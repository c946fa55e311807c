package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// Running an incident through the API: manual mode, batches as JSON and
// as a CSV file (refused whole with row and column), back-entry, the
// ledger, severity, and the review — whose override only an admin may
// give and whose action becomes a task.
func TestIncidentResponseAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		inc, _, err := srv.incidents.Detect(t.Context(), incident.Signal{SystemID: f.insurance.ID, Source: incident.SourceMonitor,
			At: time.Now().Add(-2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)
		service := f.compensation.ID

		if status, body := send(t, ts, "POST", path+"/batches", fmt.Sprintf(`{"batches":[{"service_id":%d,"office":"서울","count":3}]}`, service)); status != 400 ||
			decodeAs[apiError](t, body).Error.Field != "service_id" {
			t.Errorf("a batch before manual mode: %d %s", status, body)
		}
		status, body := send(t, ts, "POST", path+"/manual", fmt.Sprintf(`{"service_id":%d,"on":true,"notice":"가까운 지사 방문 접수"}`, service))
		if got := decodeAs[incident.Incident](t, body); status != 200 || len(got.Services) != 1 || !got.Services[0].Manual.On() ||
			got.Services[0].Manual.Notice != "가까운 지사 방문 접수" {
			t.Fatalf("manual mode on: %d %s", status, body)
		}
		status, body = send(t, ts, "POST", path+"/batches", fmt.Sprintf(`{"batches":[{"service_id":%d,"office":"서울지사","count":3,"first_receipt":"S-1","last_receipt":"S-3"}]}`, service))
		if got := decodeAs[incident.Incident](t, body); status != 201 || got.Outstanding() != 3 {
			t.Fatalf("a batch as JSON: %d %s", status, body)
		}
		bad := "서비스,접수처,건수\n산재보험 급여 신청,부산지사,2\n산재보험 급여 신청,대구지사,둘\n"
		status, body = upload(t, ts, path+"/batches", nil, map[string][]byte{"batches.csv": []byte(bad)})
		rejected := decodeAs[struct{ Problems []importProblem }](t, body)
		if status != 400 || len(rejected.Problems) != 1 || rejected.Problems[0].Row != 3 || rejected.Problems[0].Column != "C" {
			t.Errorf("a file with a bad count: %d %s", status, body)
		}
		good := "서비스,접수처,건수,입력 완료\n산재보험 급여 신청,부산지사,2,1\n산재보험 급여 신청,대구지사,4,0\n"
		status, body = upload(t, ts, path+"/batches", nil, map[string][]byte{"batches.csv": []byte(good)})
		got := decodeAs[incident.Incident](t, body)
		if status != 201 || len(got.Batches) != 3 || got.Outstanding() != 3+1+4 {
			t.Fatalf("a file of batches: %d %s", status, body)
		}
		for _, b := range got.Batches {
			status, body := send(t, ts, "PUT", fmt.Sprintf("%s/batches/%d", path, b.ID), fmt.Sprintf(`{"entered":%d}`, b.Count-1))
			if status != 200 {
				t.Fatalf("back-entry: %d %s", status, body)
			}
		}
		status, body = send(t, ts, "POST", path+"/data-losses", fmt.Sprintf(`{"system_id":%d,"what":"접수 자료","from":"%s","to":"%s","rebuild":"partial","rebuild_from":"종이 신청서"}`,
			f.insurance.ID, inc.DetectedAt.Format(time.RFC3339), inc.DetectedAt.Add(time.Minute).Format(time.RFC3339)))
		if got := decodeAs[incident.Incident](t, body); status != 201 || len(got.Losses) != 1 || got.Losses[0].RebuildFrom != "종이 신청서" {
			t.Errorf("data loss: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", path+"/severity", `{"severity":"minor"}`); status != 400 || decodeAs[apiError](t, body).Error.Field != "reason" {
			t.Errorf("severity without a reason: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", path+"/move", `{"state":"resolved"}`); status != 200 {
			t.Fatalf("resolve: %d %s", status, body)
		}
		review := `{"summary":"회선 장애","cause":"통신사 광케이블 절단","actions":[{"title":"이중 회선 도입","owner":"정보화팀","due":"2026-06-30"}]`
		if status, body := send(t, ts, "POST", path+"/review", review+`}`); status != 400 || decodeAs[apiError](t, body).Error.Field != "override_reason" {
			t.Errorf("review with 3 outstanding: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", path+"/review", review+`,"override_reason":"민원인 반환"}`); status != 403 {
			t.Errorf("an editor overrides: %d %s", status, body)
		}
		admin := httptest.NewServer(srv)
		defer admin.Close()
		signIn(t, admin, srv.accounts, newAccount(t, srv.accounts, auth.AgencyAdmin, f.welfare.ID, false))
		status, body = send(t, admin, "POST", path+"/review", review+`,"override_reason":"민원인 3명에게 서류 반환"}`)
		got = decodeAs[incident.Incident](t, body)
		if status != 200 || got.State != incident.Reviewed || got.ReviewOverride != "민원인 3명에게 서류 반환" || len(got.Actions) != 1 {
			t.Fatalf("an admin's review with an override: %d %s", status, body)
		}
		task, err := srv.tasks.Task(t.Context(), access.Agency(f.welfare.ID), got.Actions[0].TaskID)
		if err != nil || task.Title != "이중 회선 도입" || task.Due != "2026-06-30" {
			t.Errorf("the action's task: %+v (%v)", task, err)
		}
		// Seen by probes two hours ago, never reported: flagged.
		status, body = send(t, ts, "GET", "/api/v1/incidents/unreported", "")
		if list := decodeAs[struct{ Items []incident.Incident }](t, body); status != 200 || len(list.Items) != 1 || list.Items[0].ID != inc.ID {
			t.Errorf("unreported: %d %s", status, body)
		}
		keis := httptest.NewServer(srv)
		defer keis.Close()
		signIn(t, keis, srv.accounts, newAccount(t, srv.accounts, auth.AgencyViewer, f.keis.ID, false))
		if status, body := send(t, keis, "GET", "/api/v1/incidents/unreported", ""); status != 200 || strings.Contains(string(body), "노동보험시스템") {
			t.Errorf("another agency's unreported list: %d %s", status, body)
		}
	})
}
