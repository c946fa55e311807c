package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// A person reports an outage of an own system, which opens an incident
// (and joins it when reported again), declares it, notes on its timeline;
// what may not be is refused by field, and another agency sees none of it.
func TestIncidentAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		report := fmt.Sprintf(`{"system_id":%d,"reason":"지사 접속 불가 신고"}`, f.insurance.ID)
		status, body := send(t, ts, "POST", "/api/v1/incidents", report)
		inc := decodeAs[incident.Incident](t, body)
		if status != 201 || inc.State != incident.Detected || inc.Source != incident.SourceReport || inc.ReportedAt.IsZero() ||
			len(inc.Systems) != 1 || inc.Severity != incident.SeverityNational {
			t.Fatalf("report: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", "/api/v1/incidents", report); status != 200 || decodeAs[incident.Incident](t, body).ID != inc.ID {
			t.Errorf("reported again: %d %s", status, body)
		}
		if status, _ := send(t, ts, "POST", "/api/v1/incidents", fmt.Sprintf(`{"system_id":%d}`, f.work24.ID)); status != 404 {
			t.Errorf("another agency's system: %d", status)
		}
		path := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)
		if status, body := send(t, ts, "POST", path+"/move", `{"state":"reviewed"}`); status != 400 || decodeAs[apiError](t, body).Error.Field != "state" {
			t.Errorf("detected → reviewed: %d %s", status, body)
		}
		status, body = send(t, ts, "POST", path+"/move", `{"state":"declared","note":"수기 접수 전환"}`)
		if got := decodeAs[incident.Incident](t, body); status != 200 || got.State != incident.Declared {
			t.Errorf("declare: %d %s", status, body)
		}
		status, body = send(t, ts, "POST", path+"/notes", `{"text":"원인: 회선 장애"}`)
		got := decodeAs[incident.Incident](t, body)
		if last := got.Events[len(got.Events)-1]; status != 200 || last.Kind != incident.EventNote || last.Text != "원인: 회선 장애" {
			t.Errorf("note: %d %s", status, body)
		}
		if status, body := send(t, ts, "GET", "/api/v1/incidents", ""); status != 200 || !strings.Contains(string(body), "노동보험시스템") {
			t.Errorf("open incidents: %d %s", status, body)
		}

		keis := httptest.NewServer(srv)
		defer keis.Close()
		signIn(t, keis, srv.accounts, newAccount(t, srv.accounts, auth.AgencyViewer, f.keis.ID, false))
		if status, _ := send(t, keis, "GET", path, ""); status != 404 {
			t.Errorf("another agency reads it: %d", status)
		}
		if status, body := send(t, keis, "GET", "/api/v1/incidents", ""); status != 200 || strings.Contains(string(body), "노동보험시스템") {
			t.Errorf("another agency's list: %d %s", status, body)
		}
	})
}
