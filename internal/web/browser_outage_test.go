package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"yeonsok/internal/incident/incidenttest"

	"github.com/chromedp/chromedp"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/notify"
	"yeonsok/internal/notify/smtptest"
	"yeonsok/internal/testdb"
)

// The "done when", in a real browser against a tower that probes:
// a system goes down and its incident opens by itself with its RTO clock,
// from the monitoring; its contact is told by email (a real SMTP exchange)
// and by a signed webhook, and both deliveries are on the page's timeline;
// the duty officer switches the service to manual mode, records an
// office's batch and enters it back; the service answers again and the
// page shows the clock stopped, the target met; the incident is resolved
// and reviewed with one action, whose link leads to its task.
func TestBrowserOutageToReview(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	bg := context.Background()

	var failing atomic.Bool
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "storage controller failed", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(service.Close)
	mail := smtptest.Start(t, &smtptest.Server{})
	hooks := &incidenttest.Inbox{Secret: "sms-gateway-secret"}
	gateway := httptest.NewServer(hooks)
	t.Cleanup(gateway.Close)

	// 고용24 (grade 1, RTO 1 h) behind the public service 실업급여 신청,
	// probed five times a second; its 정 담당자 reached by email and by
	// the SMS gateway's webhook.
	rto := inventory.Minutes(60)
	agency := &inventory.Agency{Name: "한국고용정보원"}
	sys := &inventory.System{Name: "고용24", Grade: 1, RTOFailure: &rto, Endpoints: []inventory.Endpoint{{Target: service.URL + "/health"}}}
	svc := &inventory.Service{Name: "실업급여 신청", Audience: "public", ManualWorkaround: "가까운 고용센터 방문 또는 팩스 접수"}
	err := inventory.NewStore(db).Update(bg, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateAgency(bg, agency); err != nil {
			return err
		}
		sys.AgencyID, svc.AgencyID = agency.ID, agency.ID
		if err := tx.CreateSystem(bg, sys); err != nil {
			return err
		}
		svc.SystemIDs = []int64{sys.ID}
		return tx.CreateService(bg, svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := monitor.NewStore(db).SyncChecks(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE checks SET interval_ms = 200, timeout_ms = 150`); err != nil {
		t.Fatal(err)
	}
	contact := &incident.Contact{AgencyID: agency.ID, SystemID: sys.ID, Role: incident.RolePrimary, Name: "홍길동",
		Email: "hong@keis.example", Phone: "010-0000-0000", WebhookURL: gateway.URL + "/sms", WebhookSecret: hooks.Secret}
	if err := incident.NewContactStore(db).Create(bg, access.All(), contact); err != nil {
		t.Fatal(err)
	}

	// The tower as serve runs it: a Watcher that probes, whose outages
	// the server's incident store follows, and a Notifier telling the
	// call list; both stop (and are waited for) before the database closes.
	var srv *Server
	watcher := monitor.NewWatcher(monitor.NewStore(db), discardLogger(), monitor.WatcherOptions{
		InventoryVersion: inventory.NewStore(db).Version, FlushEvery: 200 * time.Millisecond,
		OnSystem: func(ctx context.Context, ev monitor.SystemEvent) error {
			return srv.incidents.FollowMonitoring(ctx, ev)
		}})
	srv, err = New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{Watcher: watcher})
	if err != nil {
		t.Fatal(err)
	}
	dispatcher := &notify.Dispatcher{Webhook: &notify.Webhook{},
		Email: &notify.SMTP{Host: mail.Host, Port: mail.Port, From: "연속 <yeonsok@moel.example>", StartTLS: notify.StartTLSOff, Timeout: 5 * time.Second}}
	notifier := incident.NewNotifier(db, incident.NewContactStore(db), dispatcher, discardLogger())
	notifier.Every = 200 * time.Millisecond
	if err := notifier.Prime(bg); err != nil {
		t.Fatal(err)
	}
	running, stop := context.WithCancel(bg)
	var wg sync.WaitGroup
	wg.Go(func() { _ = watcher.Run(running) })
	wg.Go(func() { _ = notifier.Run(running) })
	t.Cleanup(func() { stop(); wg.Wait() })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	u := newAccount(t, srv.accounts, auth.AgencyEditor, agency.ID, false)
	if resp := signInInBrowser(t, ctx, ts.URL, "/incidents", u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	if here := location(t, ctx); here != "/incidents" {
		t.Fatalf("signed in at %s, want /incidents", here)
	}
	if got := text(t, ctx, "#t-open tbody"); strings.Contains(got, "고용24") {
		t.Fatalf("an incident of 고용24 before the outage: %q", got)
	}

	// peek reads the text of the first element matching selector, "" when
	// there is none: for pages that are still catching up.
	peek := func(selector string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector(`+strconv.Quote(selector)+`); return e ? e.innerText : ""; })()`))
		if err != nil {
			t.Fatalf("read %s: %v", selector, err)
		}
		return strings.TrimSpace(s)
	}
	// reloadUntil reloads url every 300 ms until ok holds of the page.
	reloadUntil := func(what, url string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+url)); err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if ok() {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited 20 s for %s at %s", what, url)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	// waitFor polls ok, outside the browser, for 20 s.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 20 s for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// submit presses a button that posts a form and waits for the page the
	// redirect leads to, which says what was done.
	submit := func(what, button string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, append(fill, chromedp.Click(chromedp.ID(button)))...)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != 200 {
			t.Fatalf("%s: %d at %s", what, resp.Status, location(t, ctx))
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
			t.Fatalf("%s: no confirmation: %v", what, err)
		}
	}

	// The service fails: the incident opens by itself.
	failing.Store(true)
	downAt := time.Now()
	first := "#t-open tbody tr:first-child"
	reloadUntil("the incident to open by itself", "/incidents", func() bool { return strings.Contains(peek(first), "고용24") })
	if row := peek(first); !strings.Contains(row, "국가 차원") || !strings.Contains(row, "탐지") {
		t.Errorf("the open incident's row: %q", row)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#t-open tbody tr:first-child a").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(first+" a")), chromedp.WaitVisible(chromedp.ID("incident-state"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != href || !strings.HasPrefix(here, "/incidents/") {
		t.Fatalf("the incident's link (%s) led to %s", href, here)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(href, "/incidents/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := srv.incidents.Incident(bg, access.All(), id)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Source != incident.SourceMonitor || len(inc.Systems) != 1 || inc.Systems[0].SystemID != sys.ID ||
		inc.Systems[0].DownAt.Before(downAt.Add(-time.Second)) || !inc.Systems[0].RestoredAt.IsZero() {
		t.Fatalf("the incident opened as %+v", inc)
	}

	// Its page: the state, the source, and the RTO clock running.
	if got := text(t, ctx, "#incident-state"); got != "탐지" {
		t.Errorf("state %q, want 탐지", got)
	}
	if got := text(t, ctx, "#severity-badge"); got != "국가 차원" {
		t.Errorf("severity badge %q", got)
	}
	if summary := text(t, ctx, "dl.fields"); !strings.Contains(summary, "모니터링 탐지") {
		t.Errorf("the summary does not say the monitoring found it: %q", summary)
	}
	clockRow := fmt.Sprintf("#clock-%d", sys.ID)
	clock := text(t, ctx, clockRow)
	for _, want := range []string{"고용24", "1시간", "정상", "복구 중"} {
		if !strings.Contains(clock, want) {
			t.Errorf("the clock's row %q does not say %q", clock, want)
		}
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#t-clocks svg.rto-bar").length`))
	if err != nil {
		t.Fatal(err)
	}
	if bars != 1 {
		t.Errorf("%d RTO bars in the clocks table, want 1", bars)
	}

	// The contact is told: by email at the SMTP server, by the signed webhook.
	waitFor("the email at the SMTP server", func() bool { return len(mail.To(contact.Email)) > 0 })
	_, subject, body, err := mail.To(contact.Email)[0].Decode()
	if err != nil || !strings.Contains(subject, "고용24") || !strings.Contains(body, href) {
		t.Errorf("the email: %q\n%s (%v)", subject, body, err)
	}
	waitFor("the signed webhook", func() bool { got, _ := hooks.Received(); return len(got) > 0 })
	got, refused := hooks.Received()
	if first := got[0].Data; first.IncidentID != id || first.SystemID != sys.ID || first.Kind != incident.EventOpened || len(refused) != 0 {
		t.Errorf("the webhook's data %+v (refused %v)", first, refused)
	}
	// Both deliveries are on the page's timeline.
	reloadUntil("the deliveries on the timeline", href, func() bool {
		tl := peek("#t-timeline")
		return strings.Contains(tl, "이메일 → 홍길동") && strings.Contains(tl, "웹훅 → 홍길동")
	})
	if tl := text(t, ctx, "#t-timeline"); strings.Count(tl, "전달됨") < 2 || !strings.Contains(tl, "알림 발송") {
		t.Errorf("the timeline does not show both deliveries delivered:\n%s", tl)
	}

	// Manual mode, an office's batch, and its back-entry.
	submit("manual mode", fmt.Sprintf("manual-on-%d", svc.ID))
	if got := text(t, ctx, "#done"); got != "수기 처리로 전환했습니다." {
		t.Errorf("after manual mode: %q", got)
	}
	if row := text(t, ctx, fmt.Sprintf("#service-%d", svc.ID)); !strings.Contains(row, "수기 처리 중") || !strings.Contains(row, svc.ManualWorkaround) {
		t.Errorf("the service's row: %q", row)
	}
	submit("a batch", "batch-submit", chromedp.SetValue(chromedp.ID("batch-office"), "서울강남고용센터"),
		chromedp.SetValue(chromedp.ID("batch-count"), "42"),
		chromedp.SetValue(chromedp.ID("batch-first"), "강남-0001"),
		chromedp.SetValue(chromedp.ID("batch-last"), "강남-0042"))
	if got := text(t, ctx, "#outstanding-total"); got != "42" {
		t.Errorf("outstanding %q, want 42", got)
	}
	inc, err = srv.incidents.Incident(bg, access.All(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Batches) != 1 || inc.Batches[0].Office != "서울강남고용센터" || inc.Batches[0].Count != 42 || inc.Batches[0].ServiceID != svc.ID {
		t.Fatalf("batches after the form: %+v", inc.Batches)
	}
	batch := inc.Batches[0].ID
	if row := text(t, ctx, fmt.Sprintf("#batch-%d", batch)); !strings.Contains(row, "강남-0001 ~ 강남-0042") {
		t.Errorf("the batch's row: %q", row)
	}
	submit("back-entry", fmt.Sprintf("entered-submit-%d", batch), chromedp.SetValue(chromedp.ID(fmt.Sprintf("entered-%d", batch)), "42"))
	if got := text(t, ctx, "#outstanding-total"); got != "0" {
		t.Errorf("outstanding after entering %q, want 0", got)
	}

	// The service answers again: the page shows the clock stopped, in time.
	failing.Store(false)
	reloadUntil("the clock to stop", href, func() bool { return strings.Contains(peek(clockRow), "달성") })
	if clock := text(t, ctx, clockRow); strings.Contains(clock, "복구 중") {
		t.Errorf("the clock's row after the recovery: %q", clock)
	}
	restored, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(clockRow)+` + " td:nth-of-type(3)").innerText.trim()`))
	if err != nil {
		t.Fatal(err)
	}
	if restored == "" || restored == "—" {
		t.Errorf("the clock's restored time is %q", restored)
	}
	if tl := text(t, ctx, "#t-timeline"); !strings.Contains(tl, "복구") {
		t.Errorf("the timeline does not tell the recovery:\n%s", tl)
	}

	// Resolved, reviewed with one action; its link leads to its task.
	submit("resolve", "move-resolved", chromedp.SetValue(chromedp.ID("move-note"), "스토리지 교체 후 정상"))
	if got := text(t, ctx, "#incident-state"); got != "해결" {
		t.Errorf("state %q after resolving", got)
	}
	submit("review", "review-submit",
		chromedp.SetValue(chromedp.ID("review-summary-field"), "고용24 스토리지 장애"),
		chromedp.SetValue(chromedp.ID("review-cause-field"), "스토리지 컨트롤러 고장"),
		chromedp.SetValue(chromedp.ID("action-title-0"), "스토리지 컨트롤러 이중화"),
		chromedp.SetValue(chromedp.ID("action-owner-0"), "인프라팀"),
		chromedp.SetValue(chromedp.ID("action-due-0"), "2027. 3. 31."))
	if got := text(t, ctx, "#incident-state"); got != "검토 완료" {
		t.Errorf("state %q after the review", got)
	}
	if got := text(t, ctx, "#review-cause"); got != "스토리지 컨트롤러 고장" {
		t.Errorf("the cause on the page %q", got)
	}
	inc, err = srv.incidents.Incident(bg, access.All(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Actions) != 1 {
		t.Fatalf("actions after the review: %+v", inc.Actions)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("a.action-link")), chromedp.WaitVisible(chromedp.CSS("dl.fields"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != taskHref(inc.Actions[0].TaskID) {
		t.Errorf("the action's link led to %s", here)
	}
	if got := text(t, ctx, "h1"); got != "스토리지 컨트롤러 이중화" {
		t.Errorf("the task page's title %q", got)
	}
}
