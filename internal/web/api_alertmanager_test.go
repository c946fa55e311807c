package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/testdb"
)

const alertmanagerPath = "/api/v1/integrations/alertmanager"

// amAlert is one alert of a webhook as Alertmanager writes it; endsAt
// empty writes Alertmanager's zero time, as it does for a firing alert.
func amAlert(status string, systemID any, startsAt, endsAt string) string {
	if endsAt == "" {
		endsAt = "0001-01-01T00:00:00Z"
	}
	return fmt.Sprintf(`{"status":%q,"labels":{"alertname":"InstanceDown","severity":"critical","yeonsok_system_id":"%v"},
		"annotations":{"summary":"노동보험 응답 없음","description":"probe failed for 5m"},"startsAt":%q,"endsAt":%q,
		"generatorURL":"http://prometheus:9090/graph","fingerprint":"5ef77f1f8f3c3cb0"}`, status, systemID, startsAt, endsAt)
}

// amWebhook is Alertmanager's version-4 webhook around alerts.
func amWebhook(status string, alerts ...string) string {
	return fmt.Sprintf(`{"version":"4","groupKey":"{}:{alertname=\"InstanceDown\"}","truncatedAlerts":0,"status":%q,
		"receiver":"yeonsok","groupLabels":{"alertname":"InstanceDown"},"commonLabels":{},"commonAnnotations":{},
		"externalURL":"http://alertmanager:9093","alerts":[%s]}`, status, strings.Join(alerts, ","))
}

// postAlerts posts a webhook with a bearer token ("" for none).
func postAlerts(t *testing.T, ts *httptest.Server, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+alertmanagerPath+"?lang=en", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// newToken makes an API token and returns it.
func newToken(t *testing.T, srv *Server, tok *auth.Token) string {
	t.Helper()
	raw, err := srv.accounts.CreateToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// openIncidents is every open incident, by the ministry's eyes.
func openIncidents(t *testing.T, srv *Server) []*incident.Incident {
	t.Helper()
	list, err := srv.incidents.Open(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Alertmanager's webhook: a firing alert opens an incident with the
// alert's name and summary, its repeat joins without a new entry, the
// resolved alert restores the system at its end. A webhook with one bad
// alert applies none of its alerts; another agency's system answers as
// an unknown one; who may not write gets 403.
func TestAlertmanagerWebhook(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv := anonymous(t, db, Options{})
		f := newScopeFixture(t, srv.store)
		alertTok := newToken(t, srv, &auth.Token{Name: "alertmanager 근로복지공단", Role: auth.Alert, AgencyID: f.welfare.ID,
			SystemIDs: []int64{f.insurance.ID, f.edi.ID}})
		scriptTok := newToken(t, srv, &auth.Token{Name: "script 근로복지공단", Role: auth.Script, AgencyID: f.welfare.ID})
		agentTok := newToken(t, srv, &auth.Token{Name: "agent 근로복지공단", Role: auth.Agent, AgencyID: f.welfare.ID,
			SystemIDs: []int64{f.insurance.ID}})

		startsAt := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
		firing := amWebhook("firing", amAlert("firing", f.insurance.ID, startsAt.Format(time.RFC3339), ""))
		status, body := postAlerts(t, ts, alertTok, firing)
		if got := decodeAs[alertSummary](t, body); status != 200 || got != (alertSummary{Opened: 1}) {
			t.Fatalf("firing: %d %s", status, body)
		}
		open := openIncidents(t, srv)
		if len(open) != 1 || open[0].Source != incident.SourceAlert || open[0].AgencyID != f.welfare.ID ||
			!open[0].DetectedAt.Equal(startsAt) || len(open[0].Systems) != 1 || open[0].Systems[0].SystemID != f.insurance.ID {
			t.Fatalf("open incidents after firing: %+v", open)
		}
		inc, err := srv.incidents.Incident(context.Background(), access.All(), open[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(inc.Events) != 1 || inc.Events[0].Text != "InstanceDown: 노동보험 응답 없음" || inc.Events[0].Author != "alertmanager 근로복지공단" {
			t.Fatalf("timeline after firing: %+v", inc.Events[0])
		}

		// Alertmanager's repeat_interval sends the same alert again.
		for range 2 {
			status, body = postAlerts(t, ts, alertTok, firing)
			if got := decodeAs[alertSummary](t, body); status != 200 || got != (alertSummary{Joined: 1}) {
				t.Fatalf("repeat: %d %s", status, body)
			}
		}
		if again, _ := srv.incidents.Incident(context.Background(), access.All(), inc.ID); len(again.Events) != 1 || len(openIncidents(t, srv)) != 1 {
			t.Errorf("a repeat added to the timeline: %d entries", len(again.Events))
		}

		// One bad alert among good ones: nothing applied, the bad one named.
		unknown := amWebhook("firing", amAlert("firing", f.edi.ID, startsAt.Format(time.RFC3339), ""),
			amAlert("firing", 99999, startsAt.Format(time.RFC3339), ""))
		status, body = postAlerts(t, ts, alertTok, unknown)
		unknownErr := decodeAs[apiError](t, body).Error
		if status != 400 || unknownErr.Code != "invalid" || unknownErr.Field != "alerts[1].labels.yeonsok_system_id" ||
			!strings.Contains(unknownErr.Message, "alerts[1]") || !strings.Contains(unknownErr.Message, "yeonsok_system_id") {
			t.Errorf("an unknown system: %d %s", status, body)
		}
		// Another agency's system, to its bound token and to a script token
		// of the agency: the very same answer as a system that does not exist.
		for name, token := range map[string]string{"alert": alertTok, "script": scriptTok} {
			other := strings.ReplaceAll(unknown, "99999", fmt.Sprint(f.work24.ID))
			status, body = postAlerts(t, ts, token, other)
			got := decodeAs[apiError](t, body).Error
			want := strings.ReplaceAll(unknownErr.Message, "99999", fmt.Sprint(f.work24.ID))
			if status != 400 || got.Field != unknownErr.Field || got.Message != want {
				t.Errorf("another agency's system to the %s token: %d %s", name, status, body)
			}
			mustNotShow(t, "another agency's system", string(body), keisNames...)
		}
		for name, bad := range map[string]string{
			"malformed JSON":  `{"version":"4","alerts":[`,
			"no system label": strings.Replace(unknown, `"yeonsok_system_id":"99999"`, `"instance":"db1"`, 1),
			"a name as id":    strings.Replace(unknown, `"99999"`, `"노동보험시스템"`, 1),
			"another version": strings.Replace(unknown, `"version":"4"`, `"version":"3"`, 1),
			"unknown status":  strings.Replace(unknown, `"status":"firing","labels"`, `"status":"pending","labels"`, 1),
		} {
			if status, body := postAlerts(t, ts, alertTok, bad); status != 400 || decodeAs[apiError](t, body).Error.Code != "invalid" {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
		if open := openIncidents(t, srv); len(open) != 1 || len(open[0].Systems) != 1 {
			t.Errorf("a refused webhook applied something: %+v", open[0].Systems)
		}

		// Who may not write, and no one at all.
		if status, _ := postAlerts(t, ts, agentTok, firing); status != 403 {
			t.Errorf("an agent token: %d, want 403", status)
		}
		viewer := httptest.NewServer(srv)
		defer viewer.Close()
		signIn(t, viewer, srv.accounts, newAccount(t, srv.accounts, auth.AgencyViewer, f.welfare.ID, false))
		if status, _ := send(t, viewer, "POST", alertmanagerPath, firing); status != 403 {
			t.Errorf("a reader: %d, want 403", status)
		}
		if status, _ := postAlerts(t, ts, "", firing); status != 401 {
			t.Errorf("no token: %d, want 401", status)
		}

		// A script token of the agency sends another system's failure
		// three minutes on: it joins the same incident.
		status, body = postAlerts(t, ts, scriptTok, amWebhook("firing", amAlert("firing", f.edi.ID, startsAt.Add(3*time.Minute).Format(time.RFC3339), "")))
		if got := decodeAs[alertSummary](t, body); status != 200 || got != (alertSummary{Joined: 1}) {
			t.Errorf("a script token's alert: %d %s", status, body)
		}

		// Resolved: insurance is back at endsAt; edi's alert, resolved in
		// the same webhook as another of its alerts still fires, is not.
		endsAt := startsAt.Add(25 * time.Minute)
		resolved := amWebhook("resolved", amAlert("resolved", f.insurance.ID, startsAt.Format(time.RFC3339), endsAt.Format(time.RFC3339)),
			amAlert("resolved", f.edi.ID, startsAt.Format(time.RFC3339), endsAt.Format(time.RFC3339)),
			amAlert("firing", f.edi.ID, startsAt.Add(3*time.Minute).Format(time.RFC3339), ""))
		status, body = postAlerts(t, ts, alertTok, resolved)
		if got := decodeAs[alertSummary](t, body); status != 200 || got != (alertSummary{Joined: 1, Restored: 1}) {
			t.Fatalf("resolved: %d %s", status, body)
		}
		inc, err = srv.incidents.Incident(context.Background(), access.All(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sys := range inc.Systems {
			if back := !sys.RestoredAt.IsZero(); back != (sys.SystemID == f.insurance.ID) || (back && !sys.RestoredAt.Equal(endsAt)) {
				t.Errorf("system %d restored at %v", sys.SystemID, sys.RestoredAt)
			}
		}
		if last := inc.Events[len(inc.Events)-1]; last.Kind != incident.EventRestored || last.SystemID != f.insurance.ID || last.Text != "InstanceDown: resolved" {
			t.Errorf("last timeline entry: %+v", last)
		}
		// Resolved again: nothing left to restore.
		if status, body := postAlerts(t, ts, alertTok, resolved); status != 200 || decodeAs[alertSummary](t, body).Restored != 0 {
			t.Errorf("resolved again: %d %s", status, body)
		}
	})
}
