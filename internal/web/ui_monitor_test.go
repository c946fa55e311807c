package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// setEndpoints gives system id the endpoints targets, as an edit of the
// system does.
func setEndpoints(tb testing.TB, store *inventory.Store, id int64, targets ...string) {
	tb.Helper()
	ctx := context.Background()
	sys, err := store.System(ctx, access.All(), id)
	if err != nil {
		tb.Fatal(err)
	}
	sys.Endpoints = nil
	for _, target := range targets {
		sys.Endpoints = append(sys.Endpoints, inventory.Endpoint{Target: target})
	}
	if err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, sys) }); err != nil {
		tb.Fatal(err)
	}
}

// watchedServer serves the tower on db with a Watcher that probes nothing
// itself, to a client signed in as a new account of role: the tests hand
// the Watcher results, as the engine and the agents would.
func watchedServer(tb testing.TB, db *database.DB, role auth.Role, agencyID int64) (*httptest.Server, *Server, *monitor.Watcher) {
	tb.Helper()
	w := monitor.NewWatcher(monitor.NewStore(db), discardLogger(), monitor.WatcherOptions{NoProbing: true})
	srv, err := New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{Watcher: w})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	signIn(tb, ts, srv.accounts, newAccount(tb, srv.accounts, role, agencyID, false))
	return ts, srv, w
}

// feeder hands a Watcher results a tenth of a second apart, from 20 s ago:
// recent enough that every vantage point counts as reporting.
type feeder struct {
	w  *monitor.Watcher
	at time.Time
}

func newFeeder(w *monitor.Watcher) *feeder {
	return &feeder{w: w, at: time.Now().Add(-20 * time.Second)}
}

// results hands n results of a check from a vantage point: up, or down
// for reason.
func (f *feeder) results(check int64, vantage string, n int, reason string) {
	for range n {
		f.at = f.at.Add(100 * time.Millisecond)
		f.w.Take(monitor.Result{CheckID: check, Vantage: vantage, Started: f.at, Latency: 120 * time.Millisecond,
			OK: reason == "", Reason: reason}, true)
	}
}

// checkOf is the check of a system's endpoint target.
func checkOf(t *testing.T, srv *Server, systemID int64, target string) monitor.Check {
	t.Helper()
	checks, err := srv.monitors.SystemChecks(context.Background(), access.All(), systemID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Target == target {
			return c
		}
	}
	t.Fatalf("system %d has no check of %s", systemID, target)
	return monitor.Check{}
}

// monitoredFixture is the UI fixture with endpoints, watched: 노동보험시스템
// (grade 1) down on its one endpoint; 고용24 (grade 1) down on one of two;
// 산재보험 EDI without any result yet; 대표홈페이지 up, with an agent that
// fell silent; 노사누리 without endpoints.
type monitoredFixture struct {
	*uiFixture
	insuranceWeb, work24Web, work24DB, homepageWeb monitor.Check
}

func newMonitoredFixture(t *testing.T, srv *Server, w *monitor.Watcher) *monitoredFixture {
	t.Helper()
	f := &monitoredFixture{uiFixture: newUIFixture(t, srv.store)}
	setEndpoints(t, srv.store, f.work24.ID, "https://www.work24.go.kr/", "tcp://db.work24.go.kr:5432")
	setEndpoints(t, srv.store, f.insurance.ID, "https://insurance.comwel.or.kr/health")
	setEndpoints(t, srv.store, f.homepage.ID, "https://www.moel.go.kr/")
	setEndpoints(t, srv.store, f.edi.ID, "tcp://edi.comwel.or.kr:443")
	// Monitored for 30 days: uptime counts from the checks' making.
	srv.monitors.Now = func() time.Time { return time.Now().AddDate(0, 0, -30) }
	if _, err := srv.monitors.SyncChecks(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.monitors.Now = time.Now
	if err := w.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.insuranceWeb = checkOf(t, srv, f.insurance.ID, "https://insurance.comwel.or.kr/health")
	f.work24Web = checkOf(t, srv, f.work24.ID, "https://www.work24.go.kr/")
	f.work24DB = checkOf(t, srv, f.work24.ID, "tcp://db.work24.go.kr:5432")
	f.homepageWeb = checkOf(t, srv, f.homepage.ID, "https://www.moel.go.kr/")
	feed := newFeeder(w)
	feed.results(f.work24Web.ID, monitor.Vantage, 1, "")
	feed.results(f.work24DB.ID, monitor.Vantage, 3, "connection refused")
	feed.results(f.homepageWeb.ID, monitor.Vantage, 1, "")
	feed.results(f.insuranceWeb.ID, monitor.Vantage, 3, "status 503")
	// An agent heard from ten minutes ago: silent, "agent down".
	w.Take(monitor.Result{CheckID: f.homepageWeb.ID, Vantage: "부산 백업센터", Started: time.Now().Add(-10 * time.Minute), OK: true}, true)
	return f
}

// The status board, on both databases: what is down comes first, every
// figure adds up, an agency sees its own systems only, and without a
// Watcher the board says it cannot tell.
func TestStatusBoard(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv, w := watchedServer(t, db, auth.MinistryAdmin, 0)
		f := newMonitoredFixture(t, srv, w)

		status, body := get(t, ts, "/status")
		if status != http.StatusOK {
			t.Fatalf("/status: %d", status)
		}
		checkAccessible(t, "/status", body)
		for id, want := range map[string]string{"card-down": "1", "card-partial": "1", "card-unknown": "1", "card-up": "1",
			"card-unmonitored": "1", "card-systems": "5"} {
			if got := between(body, `id="`+id+`">`, "<"); got != want {
				t.Errorf("%s: %q, want %s", id, got, want)
			}
		}
		rows := htmlTable(t, body, "attention")
		if len(rows) != 5 {
			t.Fatalf("attention list: %q", rows)
		}
		wantCells(t, "down first", []string{rows[1][0], rows[1][2]}, "장애", "노동보험시스템")
		if rows[1][4] == "" || rows[1][6] != "https://insurance.comwel.or.kr/health: status 503" || rows[1][7] != "타워" {
			t.Errorf("the down system's since, reason and vantage points: %q", rows[1])
		}
		wantCells(t, "then down in part", []string{rows[2][0], rows[2][2]}, "일부 장애", "고용24")
		wantCells(t, "then unknown", []string{rows[3][0], rows[3][2]}, "알 수 없음", "산재보험 EDI")
		wantCells(t, "then an agent down", []string{rows[4][0], rows[4][2], rows[4][8]}, "정상", "대표홈페이지", "부산 백업센터: 에이전트 응답 없음")
		if strings.Contains(body, "노사누리") {
			t.Error("a system without endpoints is counted, not listed")
		}
		grid := htmlTable(t, body, "grid")
		wantCells(t, "grid row of 근로복지공단", rowOf(t, grid, "근로복지공단"), "근로복지공단", "장애 1 · 정상 0 / 1", "", "장애 0 · 정상 0 / 1", "", "", "장애 1 · 정상 0 / 2")
		wantCells(t, "grid totals", rowOf(t, grid, "합계"), "합계", "장애 2 · 정상 0 / 2", "장애 0 · 정상 1 / 1", "장애 0 · 정상 0 / 1", "", "장애 0 · 정상 0 / 1", "장애 2 · 정상 1 / 5")

		_, body = get(t, ts, "/status?grade=1")
		if rows := htmlTable(t, body, "attention"); len(rows) != 3 || rows[1][2] != "노동보험시스템" || rows[2][2] != "고용24" {
			t.Errorf("grade 1 only: %q", rows)
		}
		_, body = get(t, ts, fmt.Sprintf("/status?agency=%d", f.welfare.ID))
		mustNotShow(t, "/status of 근로복지공단", body, "고용24", "대표홈페이지")
		_, file := getBytes(t, ts, "/export/status/attention.csv?grade=1")
		if !strings.Contains(string(file), "노동보험시스템") || strings.Contains(string(file), "산재보험 EDI") {
			t.Errorf("the export keeps the filter:\n%s", file)
		}

		// 근로복지공단's viewer: its two systems, nothing of the ministry's.
		agency := serveAs(t, srv, auth.AgencyViewer, f.welfare.ID)
		_, body = get(t, agency, "/status")
		mustNotShow(t, "/status as 근로복지공단", body, "고용24", "대표홈페이지", "노사누리", "고용노동부</a>")
		if got := between(body, `id="card-systems">`, "<"); got != "2" {
			t.Errorf("근로복지공단 counts %s systems, want 2", got)
		}
		if rows := htmlTable(t, body, "attention"); len(rows) != 3 || rows[1][2] != "노동보험시스템" {
			t.Errorf("근로복지공단's list: %q", rows)
		}

		// Without a Watcher: every monitored system unknown, and said so.
		plain, _ := newTestServer(t, db)
		_, body = get(t, plain, "/status")
		mustContain(t, "/status without a Watcher", body, `id="not-live"`)
		if got := between(body, `id="card-unknown">`, "<"); got != "4" {
			t.Errorf("without a Watcher %s unknown, want the 4 monitored systems", got)
		}
	})
}

// serveAs serves srv once more, to a client signed in as a new account of
// role: another caller of the same tower.
func serveAs(tb testing.TB, srv *Server, role auth.Role, agencyID int64) *httptest.Server {
	tb.Helper()
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	signIn(tb, ts, srv.accounts, newAccount(tb, srv.accounts, role, agencyID, false))
	return ts
}

// A system's page shows its endpoints as every vantage point sees them,
// 90 days of uptime bars, the plan's figures, latency, the interruptions
// with their durations and the maintenance windows, which are added and
// deleted from there.
func TestSystemMonitoringSection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv, w := watchedServer(t, db, auth.MinistryAdmin, 0)
		f := newMonitoredFixture(t, srv, w)
		ctx := context.Background()
		// An interruption three days ago, 2 h 42 min long as in the plan's
		// earlier outage, then the one going on now.
		start := time.Now().Add(-72 * time.Hour).Truncate(time.Minute)
		past := &monitor.Interruption{CheckID: f.insuranceWeb.ID, StartedAt: start, Reason: "timeout after 10s", Vantages: []string{monitor.Vantage}}
		if _, err := srv.monitors.OpenInterruption(ctx, past); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.monitors.CloseInterruption(ctx, f.insuranceWeb.ID, start.Add(2*time.Hour+42*time.Minute)); err != nil {
			t.Fatal(err)
		}
		w.Flush(ctx)

		path := systemHref(f.insurance.ID)
		status, body := get(t, ts, path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		checkAccessible(t, path, body)
		checks := htmlTable(t, body, "checks")
		row := rowOf(t, checks, "https://insurance.comwel.or.kr/health")
		if !strings.HasPrefix(row[2], "장애 (") || row[3] != "타워: 장애 — status 503" {
			t.Errorf("the endpoint's state: %q", row)
		}
		mustContain(t, path, body, fmt.Sprintf(`href="/checks/%d/edit"`, f.insuranceWeb.ID))

		bars := between(body, `<svg class="uptime-bars"`, "</svg>")
		if n := strings.Count(bars, "<rect "); n != 90 {
			t.Errorf("%d uptime bars, want 90", n)
		}
		mustContain(t, "uptime bars", bars, "<title>"+locale.Date(time.Now())+" · 가용률 ", "<title>"+locale.Date(start)+" · 가용률 ",
			`class="day-missed"`, `class="day-nodata"`)
		figures := htmlTable(t, body, "uptime")
		wantCells(t, "interruptions counted", rowOf(t, figures, "중단 횟수"), "중단 횟수", "2", "2", "")
		wantCells(t, "continuous service", rowOf(t, figures, "중단 없는 서비스 제공시간(현재)"),
			"중단 없는 서비스 제공시간(현재)", "지금 중단 중 미달", "지금 중단 중 미달", "1,000시간 이상")

		interruptions := htmlTable(t, body, "interruptions")
		if len(interruptions) != 3 {
			t.Fatalf("interruptions: %q", interruptions)
		}
		wantCells(t, "the open one first", interruptions[1][1:2], "진행 중")
		wantCells(t, "the past one", interruptions[2][1:], locale.DateTime(start.Add(2*time.Hour+42*time.Minute)), "2시간 42분",
			"https://insurance.comwel.or.kr/health", "timeout after 10s", "타워")

		// The rollups the Watcher wrote draw this hour's latency.
		mustContain(t, path, body, `<figcaption>https://insurance.comwel.or.kr/health</figcaption>`)
		_, body = get(t, ts, systemHref(f.work24.ID))
		if !strings.Contains(body, `<svg class="latency"`) {
			t.Error("고용24 answered: its latency chart is missing")
		}
		_, body = get(t, ts, systemHref(f.nosa.ID))
		mustContain(t, "a system without endpoints", body, `id="no-checks"`, `id="add-maintenance"`)

		// A maintenance window tomorrow night, entered in KST, stored in UTC.
		y, m, d := time.Now().In(locale.KST).AddDate(0, 0, 1).Date()
		from, to := time.Date(y, m, d, 22, 0, 0, 0, locale.KST), time.Date(y, m, d+1, 1, 0, 0, 0, locale.KST)
		_, body = get(t, ts, path+"/maintenance/new")
		mustContain(t, "maintenance form", body, `type="datetime-local" id="f-starts_at"`)
		status, _, body = post(t, ts, path+"/maintenance", url.Values{"starts_at": {to.Format(dateTimeInput)}, "ends_at": {from.Format(dateTimeInput)}})
		if status != http.StatusBadRequest || !strings.Contains(body, "종료 시각은 시작 시각보다 늦어야 합니다") {
			t.Errorf("a window ending before it starts: %d", status)
		}
		status, next, _ := post(t, ts, path+"/maintenance", url.Values{"starts_at": {from.Format(dateTimeInput)},
			"ends_at": {to.Format("2006-01-02 15:04")}, "note": {"DB 패치"}})
		if status != http.StatusSeeOther || next != path+"#maintenance" {
			t.Fatalf("add a window: %d %s", status, next)
		}
		windows, err := srv.monitors.MaintenanceWindows(ctx, access.All(), f.insurance.ID, time.Time{}, time.Now().AddDate(1, 0, 0))
		if err != nil || len(windows) != 1 || !windows[0].StartsAt.Equal(from) || windows[0].StartsAt.Location() != time.UTC {
			t.Fatalf("stored windows: %+v %v", windows, err)
		}
		_, body = get(t, ts, path)
		if row := rowOf(t, htmlTable(t, body, "maintenance"), locale.DateTime(from)); row[1] != locale.DateTime(to) || row[2] != "3시간" || row[3] != "DB 패치" {
			t.Errorf("the window on the page: %q", row)
		}
		status, next, _ = post(t, ts, fmt.Sprintf("/maintenance/%d/delete", windows[0].ID), nil)
		if status != http.StatusSeeOther || next != path+"#maintenance" {
			t.Fatalf("delete the window: %d %s", status, next)
		}
		if _, body = get(t, ts, path); strings.Contains(body, "DB 패치") {
			t.Error("the deleted window is still listed")
		}
	})
}

// A check's settings: defaults named beside each field, only the settings
// of its kind offered, every problem next to its field, and once saved the
// Watcher runs the check with them.
func TestCheckSettingsForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv, w := watchedServer(t, db, auth.MinistryAdmin, 0)
		f := newMonitoredFixture(t, srv, w)
		edit := fmt.Sprintf("/checks/%d/edit", f.work24Web.ID)
		status, body := get(t, ts, edit)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", edit, status)
		}
		checkAccessible(t, edit, body)
		mustContain(t, edit, body, "5~3600초. 비워 두면 30초(1등급 기본값)", "1~60초, 점검 주기보다 길 수 없음. 비워 두면 10초",
			"1~10. 비워 두면 3", `id="f-method"`, `id="f-headers"`, `id="f-follow_redirects"`)
		_, body = get(t, ts, fmt.Sprintf("/checks/%d/edit", f.work24DB.ID))
		if strings.Contains(body, `id="f-method"`) || strings.Contains(body, `id="f-dns_server"`) {
			t.Error("a TCP check is offered settings of another kind")
		}

		action := fmt.Sprintf("/checks/%d", f.work24Web.ID)
		status, _, body = post(t, ts, action, url.Values{"interval": {"1"}, "expect_status": {"200, abc"}, "headers": {"no colon"}})
		if status != http.StatusBadRequest {
			t.Fatalf("bad settings: %d", status)
		}
		mustContain(t, "bad settings", body, `<a href="#f-expect_status">`, "abc&#39;은(는) 정수가 아닙니다",
			`<a href="#f-headers">`, "형식이 아닙니다: no colon")
		status, _, body = post(t, ts, action, url.Values{"interval": {"1"}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="e-interval"`) || !strings.Contains(body, "점검 주기는 5초 이상 1시간 이하여야 합니다") {
			t.Errorf("an interval too short: %d", status)
		}

		status, next, _ := post(t, ts, action, url.Values{"interval": {"60"}, "timeout": {"5"}, "failures_to_down": {"2"},
			"method": {"HEAD"}, "headers": {"X-Probe: yeonsok\nAccept: text/html"}, "expect_status": {"200, 204"}, "max_latency": {"2000"},
			"follow_redirects": {"1"}})
		if status != http.StatusSeeOther || next != systemHref(f.work24.ID)+"#monitoring" {
			t.Fatalf("save: %d %s", status, next)
		}
		c, err := srv.monitors.Check(context.Background(), access.All(), f.work24Web.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Interval != time.Minute || c.Timeout != 5*time.Second || c.FailuresToDown != 2 || c.Method != "HEAD" ||
			c.Headers["X-Probe"] != "yeonsok" || len(c.ExpectStatus) != 2 || c.MaxLatency != 2*time.Second || !c.FollowRedirects {
			t.Errorf("stored settings: %+v", c)
		}
		for _, cs := range w.SystemStatuses(access.All(), f.work24.ID) {
			if cs.Check.ID == c.ID && cs.Check.Interval != time.Minute {
				t.Errorf("the Watcher runs the check every %s, want the saved 1m", cs.Check.Interval)
			}
		}
		// The form shows what is stored.
		_, body = get(t, ts, edit)
		mustContain(t, "saved form", body, `value="60"`, "X-Probe: yeonsok", `value="200, 204"`, `<option value="HEAD" selected>`)
	})
}

// Agents: registered with an agent token of the caller's scope, listed with
// whether each still reports, deleted; another agency's are not there.
func TestAgentsPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv, w := watchedServer(t, db, auth.MinistryAdmin, 0)
		f := newMonitoredFixture(t, srv, w)
		ctx := context.Background()
		tok := &auth.Token{Name: "부산 에이전트 토큰", Role: auth.Agent, AgencyID: f.welfare.ID, SystemIDs: []int64{f.insurance.ID, f.edi.ID}}
		if _, err := srv.accounts.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		status, body := get(t, ts, "/agents/new")
		if status != http.StatusOK {
			t.Fatalf("/agents/new: %d", status)
		}
		checkAccessible(t, "/agents/new", body)
		mustContain(t, "/agents/new", body, fmt.Sprintf(`<option value="%d">부산 에이전트 토큰 (근로복지공단, 시스템 2개)</option>`, tok.ID))
		if status, _, body := post(t, ts, "/agents", url.Values{"name": {"tower"}, "token_id": {idValue(tok.ID)}}); status != http.StatusBadRequest ||
			!strings.Contains(body, `id="e-name"`) {
			t.Errorf("an agent named as the tower: %d", status)
		}
		status, next, _ := post(t, ts, "/agents", url.Values{"name": {"부산 백업센터"}, "site": {"부산"}, "token_id": {idValue(tok.ID)}})
		if status != http.StatusSeeOther || next != "/agents" {
			t.Fatalf("register: %d %s", status, next)
		}
		agents, err := srv.monitors.Agents(ctx, access.All())
		if err != nil || len(agents) != 1 {
			t.Fatalf("agents: %v %v", agents, err)
		}
		a := agents[0]
		state := func(ts *httptest.Server) []string {
			t.Helper()
			_, body := get(t, ts, "/agents")
			checkAccessible(t, "/agents", body)
			return rowOf(t, htmlTable(t, body, "agents"), "부산 백업센터")
		}
		wantCells(t, "never heard", state(ts)[1:6], "부산", "근로복지공단", "없음", "응답한 적 없음", "2")
		if _, body := get(t, ts, "/agents/new"); strings.Contains(body, "부산 에이전트 토큰") {
			t.Error("a token in use is offered again")
		}
		seen := time.Now().Add(-10 * time.Minute)
		if err := srv.monitors.SeeAgent(ctx, a.ID, seen); err != nil {
			t.Fatal(err)
		}
		// Grade 1 and 3 checks: the shortest interval is 30 s, silent after 90 s.
		wantCells(t, "fallen silent", state(ts)[3:5], locale.DateTime(seen), "응답 없음")
		if err := srv.monitors.SeeAgent(ctx, a.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		wantCells(t, "reporting", state(ts)[4:5], "응답 중")

		other := serveAs(t, srv, auth.AgencyViewer, f.ministry.ID)
		if _, body := get(t, other, "/agents"); strings.Contains(body, "부산 백업센터") {
			t.Error("고용노동부's viewer sees 근로복지공단's agent")
		}
		status, next, _ = post(t, ts, fmt.Sprintf("/agents/%d/delete", a.ID), nil)
		if status != http.StatusSeeOther || next != "/agents" {
			t.Fatalf("delete: %d %s", status, next)
		}
		if _, body := get(t, ts, "/agents"); strings.Contains(body, "부산 백업센터") {
			t.Error("the deleted agent is still listed")
		}
	})
}

// Keys the monitoring pages build from a value are in the catalogue.
func TestMonitoringKeysAreInTheCatalogue(t *testing.T) {
	families := map[string][]string{
		"status.state.":  monitor.SystemStates,
		"monitor.state.": {string(monitor.StateUp), string(monitor.StateDown), string(monitor.StateUnknown)},
		"monitor.day.":   dayStates,
		"agents.state.":  {monitor.AgentReporting, monitor.AgentSilent, monitor.AgentNever},
	}
	for prefix, values := range families {
		for _, v := range values {
			if !locale.Has(prefix + v) {
				t.Errorf("key %q is not in the catalogue", prefix+v)
			}
		}
	}
}

// What each vantage point sees, in words: an agent unheard of is "agent
// down", and the tower cut off from its systems says so, never that the
// systems are down.
func TestVantageViews(t *testing.T) {
	l := tr(locale.Korean)
	views := []monitor.VantageStatus{
		{Vantage: monitor.Vantage, State: monitor.StateUp, Reporting: true, Latest: monitor.Result{OK: true, Latency: 120 * time.Millisecond}},
		{Vantage: "부산 백업센터", State: monitor.StateDown, Reporting: true, Latest: monitor.Result{Reason: "connection refused"}},
		{Vantage: "대구", State: monitor.StateUp, Reporting: false},
		{Vantage: "광주", State: monitor.StateUnknown, Reporting: true},
	}
	want := "타워: 정상 (120 ms); 부산 백업센터: 장애 — connection refused; 대구: 에이전트 응답 없음; 광주: 알 수 없음"
	if got := l.vantageViews(views); got != want {
		t.Errorf("views:\n got  %s\n want %s", got, want)
	}
	if got := l.vantageViews([]monitor.VantageStatus{{Vantage: monitor.Vantage, State: monitor.StateDown}}); got != "타워: 고립된 것으로 보여 판정에서 제외" {
		t.Errorf("the tower cut off: %s", got)
	}
}

// When every agent is silent and the tower sees half its checks down, the
// tower is more likely cut off than the systems down: the board says so.
func TestStatusBoardTowerCutOff(t *testing.T) {
	db := testdb.SQLite(t)
	ts, srv, w := watchedServer(t, db, auth.MinistryAdmin, 0)
	newMonitoredFixture(t, srv, w)
	w.Reconsider(time.Now())
	_, body := get(t, ts, "/status")
	mustContain(t, "/status with the tower cut off", body, `id="isolated"`, "타워: 고립된 것으로 보여 판정에서 제외")
}
