package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// monitorFixture is the scope fixture with an endpoint on 노동보험시스템
// (근로복지공단) and on 고용24 (한국고용정보원), served by a tower whose
// Watcher takes results but does not probe.
type monitorFixture struct {
	*scopeFixture
	srv     *Server
	watcher *monitor.Watcher
	// checks by system id
	checks map[int64]int64
}

func newMonitorFixture(t *testing.T, db *database.DB) *monitorFixture {
	t.Helper()
	store := inventory.NewStore(db)
	f := &monitorFixture{scopeFixture: newScopeFixture(t, store), checks: map[int64]int64{}}
	ctx := context.Background()
	for _, sys := range []*inventory.System{f.insurance, f.work24} {
		err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			s, err := tx.System(ctx, sys.ID)
			if err != nil {
				return err
			}
			s.Endpoints = []inventory.Endpoint{{Target: fmt.Sprintf("https://s%d.example/health", sys.ID)}}
			return tx.UpdateSystem(ctx, s)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.watcher = monitor.NewWatcher(monitor.NewStore(db), discardLogger(), monitor.WatcherOptions{NoProbing: true})
	if err := f.watcher.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.srv, err = New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{Watcher: f.watcher}); err != nil {
		t.Fatal(err)
	}
	for _, cs := range f.watcher.Statuses(access.All(), false) {
		f.checks[cs.Check.SystemID] = cs.Check.ID
	}
	if len(f.checks) != 2 {
		t.Fatalf("checks %v", f.checks)
	}
	return f
}

// as serves the fixture's tower to a client signed in as role.
func (f *monitorFixture) as(t *testing.T, role auth.Role, agencyID int64) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	signIn(t, ts, f.srv.accounts, newAccount(t, f.srv.accounts, role, agencyID, false))
	return ts
}

func decodeAs[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

// An agent fetches its checks (registering on its first call), pushes a
// batch that counts once however often it is sent, and what it saw shows
// in the live state and the system's interruptions and uptime — to its own
// agency, not to another.
func TestAgentPushAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newMonitorFixture(t, db)
		ctx := context.Background()
		tok := &auth.Token{Name: "부산 에이전트", Role: auth.Agent, AgencyID: f.welfare.ID, SystemIDs: []int64{f.insurance.ID}}
		secret, err := f.srv.accounts.CreateToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(f.srv)
		defer ts.Close()
		agent := map[string]string{"Authorization": "Bearer " + secret}

		status, _, body := apiRequest(t, ts, "GET", "/api/v1/agent/checks", "", agent)
		got := decodeAs[agentAssignment](t, body)
		if status != 200 || got.Agent == nil || got.Agent.Name != "부산 에이전트" || got.LastBatchSeq != 0 ||
			len(got.Checks) != 1 || got.Checks[0].ID != f.checks[f.insurance.ID] || got.Checks[0].Interval != 30*time.Second {
			t.Fatalf("assignment: %d %s", status, body)
		}

		// Four failures a second apart: down from the first; and one
		// result for another agency's check, which the agent does not probe.
		start := time.Now().Add(-4 * time.Second).UTC()
		var results []string
		for i := range 4 {
			results = append(results, fmt.Sprintf(`{"check_id":%d,"started":%q,"latency":1000000,"ok":false,"reason":"connection refused"}`,
				f.checks[f.insurance.ID], start.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano)))
		}
		results = append(results, fmt.Sprintf(`{"check_id":%d,"started":%q,"ok":true}`, f.checks[f.work24.ID], start.Format(time.RFC3339Nano)))
		batch := `{"seq":1,"results":[` + strings.Join(results, ",") + `]}`
		for i, want := range []monitor.BatchOutcome{{Accepted: true, Taken: 4, Ignored: 1}, {Accepted: false}} {
			status, _, body := apiRequest(t, ts, "POST", "/api/v1/agent/results", batch, agent)
			if got := decodeAs[monitor.BatchOutcome](t, body); status != 200 || got != want {
				t.Fatalf("push %d: %d %s, want %+v", i+1, status, body, want)
			}
		}
		for _, sc := range []struct{ body, field string }{
			{`{"seq":0,"results":[]}`, "seq"},
			{`{"seq":"two"}`, "seq"},
			{`{"seq":2,"results":[],"extra":1}`, "extra"},
		} {
			status, _, body := apiRequest(t, ts, "POST", "/api/v1/agent/results", sc.body, agent)
			if e := decodeAs[apiError](t, body); status != 400 || e.Error.Field != sc.field || e.Error.Message == "" {
				t.Errorf("%s: %d %s, want 400 on %s", sc.body, status, body, sc.field)
			}
		}
		if status, _, body := apiRequest(t, ts, "GET", "/api/v1/agent/checks", "", agent); decodeAs[agentAssignment](t, body).LastBatchSeq != 1 {
			t.Errorf("after batch 1: %d %s", status, body)
		}
		f.watcher.Flush(ctx)

		welfare := f.as(t, auth.AgencyViewer, f.welfare.ID)
		status, body = send(t, welfare, "GET", "/api/v1/status", "")
		live := decodeAs[struct{ Items []monitor.CheckStatus }](t, body)
		if status != 200 || len(live.Items) != 1 || live.Items[0].Verdict.State != monitor.StateDown ||
			len(live.Items[0].Vantages) != 1 || live.Items[0].Vantages[0].Vantage != "부산 에이전트" {
			t.Fatalf("welfare's live state: %d %s", status, body)
		}
		mustNotShow(t, "welfare's status", string(body), keisNames...)
		path := fmt.Sprintf("/api/v1/systems/%d/interruptions", f.insurance.ID)
		status, body = send(t, welfare, "GET", path, "")
		list := decodeAs[struct{ Items []monitor.Interruption }](t, body)
		if status != 200 || len(list.Items) != 1 || !list.Items[0].Open() || list.Items[0].Reason != "connection refused" ||
			!list.Items[0].StartedAt.Equal(start.Truncate(time.Microsecond)) {
			t.Fatalf("interruptions: %d %s", status, body)
		}
		status, body = send(t, welfare, "GET", fmt.Sprintf("/api/v1/systems/%d/uptime", f.insurance.ID), "")
		if u := decodeAs[monitor.Uptime](t, body); status != 200 || !u.DownAtTo || u.Interruptions != 1 || u.Target != 99.92 {
			t.Errorf("uptime: %d %s", status, body)
		}
		keis := f.as(t, auth.AgencyViewer, f.keis.ID)
		if status, body := send(t, keis, "GET", path, ""); status != 404 {
			t.Errorf("another agency's interruptions: %d %s", status, body)
		}
		if status, body := send(t, keis, "GET", "/api/v1/status", ""); status != 200 || strings.Contains(string(body), "부산") {
			t.Errorf("another agency's live state: %d %s", status, body)
		}
	})
}

// A check's settings through the API: refused with the field named and
// nothing changed, or saved, audited and taken up by the Watcher at once.
func TestCheckSettingsAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newMonitorFixture(t, db)
		ts := f.as(t, auth.AgencyEditor, f.welfare.ID)
		path := fmt.Sprintf("/api/v1/checks/%d", f.checks[f.insurance.ID])
		status, body := send(t, ts, "GET", path, "")
		c := decodeAs[monitor.Check](t, body)
		if status != 200 || c.Interval != 0 || c.Kind != monitor.KindHTTP {
			t.Fatalf("check: %d %s", status, body)
		}
		for _, sc := range []struct{ body, field string }{
			{`{"interval":1000000000}`, "interval"},
			{`{"record_type":"MX"}`, "record_type"},
			{`{"body_matches":"(("}`, "body_matches"},
		} {
			status, body := send(t, ts, "PUT", path, sc.body)
			if e := decodeAs[apiError](t, body); status != 400 || e.Error.Field != sc.field {
				t.Errorf("PUT %s: %d %s, want 400 on %s", sc.body, status, body, sc.field)
			}
		}
		status, body = send(t, ts, "PUT", path, `{"interval":10000000000,"expect_status":[200,204],"body_contains":"ok"}`)
		if c := decodeAs[monitor.Check](t, body); status != 200 || c.Interval != 10*time.Second || c.BodyContains != "ok" {
			t.Fatalf("update: %d %s", status, body)
		}
		for _, cs := range f.watcher.Statuses(access.All(), false) {
			if cs.Check.ID == f.checks[f.insurance.ID] && (cs.Check.Interval != 10*time.Second || cs.Check.BodyContains != "ok") {
				t.Errorf("the Watcher runs %+v", cs.Check)
			}
		}
		if status, _ := send(t, ts, "PUT", fmt.Sprintf("/api/v1/checks/%d", f.checks[f.work24.ID]), `{"interval":10000000000}`); status != 404 {
			t.Errorf("another agency's check: %d", status)
		}
	})
}

// Maintenance windows through the API, and the uptime that leaves them
// out: a window over an interruption excuses it.
func TestMaintenanceWindowAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newMonitorFixture(t, db)
		ts := f.as(t, auth.AgencyEditor, f.welfare.ID)
		checkID := f.checks[f.insurance.ID]
		down := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
		// Monitoring counts from the check's creation: a week ago.
		if _, err := db.Write.Exec(`UPDATE checks SET created_at = $1`, down.AddDate(0, 0, -5).Format(database.TimeLayout)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.monitors.OpenInterruption(context.Background(), &monitor.Interruption{CheckID: checkID, StartedAt: down}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.monitors.CloseInterruption(context.Background(), checkID, down.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		uptime := fmt.Sprintf("/api/v1/systems/%d/uptime", f.insurance.ID)
		_, body := send(t, ts, "GET", uptime, "")
		if u := decodeAs[monitor.Uptime](t, body); u.Interruptions != 1 || u.Down != 30*time.Minute || u.MeetsTarget {
			t.Fatalf("uptime before the window: %s", body)
		}

		window := fmt.Sprintf(`{"system_id":%d,"starts_at":%q,"ends_at":%q,"note":"정기 점검"}`, f.insurance.ID,
			down.Add(-time.Hour).Format(time.RFC3339), down.Add(time.Hour).Format(time.RFC3339))
		status, body := send(t, ts, "POST", "/api/v1/maintenance-windows", window)
		created := decodeAs[monitor.MaintenanceWindow](t, body)
		if status != 201 || created.ID == 0 || created.Note != "정기 점검" {
			t.Fatalf("create: %d %s", status, body)
		}
		_, body = send(t, ts, "GET", uptime, "")
		if u := decodeAs[monitor.Uptime](t, body); u.Interruptions != 0 || u.Down != 0 || u.Maintenance != 2*time.Hour || !u.MeetsTarget {
			t.Errorf("uptime with the window: %s", body)
		}
		bad := fmt.Sprintf(`{"system_id":%d,"starts_at":%q,"ends_at":%q}`, f.insurance.ID, down.Format(time.RFC3339), down.Format(time.RFC3339))
		if status, body := send(t, ts, "POST", "/api/v1/maintenance-windows", bad); status != 400 || decodeAs[apiError](t, body).Error.Field != "ends_at" {
			t.Errorf("an empty window: %d %s", status, body)
		}
		other := fmt.Sprintf(`{"system_id":%d,"starts_at":%q,"ends_at":%q}`, f.work24.ID, down.Format(time.RFC3339), down.Add(time.Hour).Format(time.RFC3339))
		if status, _ := send(t, ts, "POST", "/api/v1/maintenance-windows", other); status != 404 {
			t.Errorf("a window on another agency's system: %d", status)
		}
		list := fmt.Sprintf("/api/v1/maintenance-windows?system=%d&from=%s", f.insurance.ID, down.AddDate(0, 0, -1).In(time.FixedZone("KST", 9*3600)).Format(time.DateOnly))
		if status, body := send(t, ts, "GET", list, ""); status != 200 || len(decodeAs[struct{ Items []monitor.MaintenanceWindow }](t, body).Items) != 1 {
			t.Errorf("list: %d %s", status, body)
		}
		for _, q := range []string{"?system=x", "", fmt.Sprintf("?system=%d&from=2026-13-01", f.insurance.ID),
			fmt.Sprintf("?system=%d&from=2026-03-02&to=2026-03-01", f.insurance.ID)} {
			if status, body := send(t, ts, "GET", "/api/v1/maintenance-windows"+q, ""); status != 400 {
				t.Errorf("list%s: %d %s", q, status, body)
			}
		}
		if status, _ := send(t, ts, "DELETE", fmt.Sprintf("/api/v1/maintenance-windows/%d", created.ID), ""); status != 204 {
			t.Errorf("delete: %d", status)
		}
		_, body = send(t, ts, "GET", uptime, "")
		if u := decodeAs[monitor.Uptime](t, body); u.Interruptions != 1 {
			t.Errorf("uptime after the window is gone: %s", body)
		}
	})
}

// /metrics for Prometheus: with a script token, each check in the
// token's scope with its state, and for the ministry the tower's own
// health; without a token, 401 as JSON.
func TestMetrics(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newMonitorFixture(t, db)
		now := time.Now()
		for i := range 3 {
			f.watcher.Take(monitor.Result{CheckID: f.checks[f.insurance.ID], Vantage: monitor.Vantage, Started: now.Add(time.Duration(i-3) * time.Second),
				Reason: "status 503"}, true)
			f.watcher.Take(monitor.Result{CheckID: f.checks[f.work24.ID], Vantage: monitor.Vantage, Started: now.Add(time.Duration(i-3) * time.Second),
				OK: true, Latency: 250 * time.Millisecond}, true)
		}
		ts := httptest.NewServer(f.srv)
		defer ts.Close()
		scrape := func(agencyID int64) (int, string) {
			t.Helper()
			header := map[string]string{}
			if agencyID >= 0 {
				tok := &auth.Token{Name: fmt.Sprintf("prometheus %d", agencyID), Role: auth.Script, AgencyID: agencyID}
				secret, err := f.srv.accounts.CreateToken(context.Background(), tok)
				if err != nil {
					t.Fatal(err)
				}
				header["Authorization"] = "Bearer " + secret
			}
			status, _, body := apiRequest(t, ts, "GET", metricsPath, "", header)
			return status, string(body)
		}
		status, body := scrape(0)
		insurance := fmt.Sprintf(`yeonsok_endpoint_up{agency_id="%d",check_id="%d",grade="1",kind="http",system="노동보험시스템",system_id="%d",target="https://s%[3]d.example/health"} 0`,
			f.welfare.ID, f.checks[f.insurance.ID], f.insurance.ID)
		for _, want := range []string{insurance, `system="고용24"`, "yeonsok_endpoint_latency_seconds{", "} 0.25\n",
			`yeonsok_endpoint_vantage_reporting{`, "yeonsok_monitor_checks 2", "go_goroutines "} {
			if status != 200 || !strings.Contains(body, want) {
				t.Errorf("the ministry's scrape lacks %q: %d\n%s", want, status, body)
			}
		}
		status, body = scrape(f.welfare.ID)
		if status != 200 || !strings.Contains(body, insurance) || strings.Contains(body, "고용24") || strings.Contains(body, "go_goroutines") ||
			strings.Contains(body, "yeonsok_monitor_checks") {
			t.Errorf("an agency's scrape: %d\n%s", status, body)
		}
		if status, body := scrape(-1); status != 401 || !strings.Contains(body, `"code"`) {
			t.Errorf("no token: %d %s", status, body)
		}
	})
}
