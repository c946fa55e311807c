package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"yeonsok/internal/auth"
	"yeonsok/internal/testdb"
)

// The duty officer runs an outage from its page in a real browser, without
// a line of JavaScript of ours: the service goes to manual mode with its
// documented notice, an office's batch is recorded and entered back, the
// incident is resolved and reviewed with one corrective action, whose link
// leads to its task. Printed, the page shows the report and no form.
func TestBrowserIncidentFlow(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	x := newIncidentFixture(t, db)
	u := newAccount(t, x.srv.accounts, auth.AgencyEditor, x.welfare.ID, false)
	if resp := signInInBrowser(t, ctx, x.ts.URL, x.ourPath, u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	if here := location(t, ctx); here != x.ourPath {
		t.Fatalf("signed in at %s, want %s", here, x.ourPath)
	}
	if got := text(t, ctx, "#severity-badge"); got != "국가 차원" {
		t.Errorf("severity badge %q", got)
	}

	// Printed: the navigation and every form gone, the report's parts there.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
		const d = s => { const e = document.querySelector(s); return e ? getComputedStyle(e).display : "missing"; };
		return {nav: d(".top nav"), move: d("#move-form"), manual: d("#service-`+idValue(x.compensation.ID)+` form"),
			note: d("#note-form"), clocks: d("#t-clocks table"), timeline: d("#t-timeline table"), bar: d("svg.rto-bar")};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, hidden := range []string{"nav", "move", "manual", "note"} {
		if shown[hidden] != "none" {
			t.Errorf("printed, %s shows as %q", hidden, shown[hidden])
		}
	}
	for _, kept := range []string{"clocks", "timeline", "bar"} {
		if shown[kept] == "none" || shown[kept] == "missing" {
			t.Errorf("printed, %s is %q", kept, shown[kept])
		}
	}
	printed, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(printed), "%PDF") || len(printed) < 2000 {
		t.Errorf("print to PDF gave %d bytes", len(printed))
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
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

	submit("manual mode", fmt.Sprintf("manual-on-%d", x.compensation.ID))
	if got := text(t, ctx, "#done"); got != "수기 처리로 전환했습니다." {
		t.Errorf("after manual mode: %q", got)
	}
	if row := text(t, ctx, fmt.Sprintf("#service-%d", x.compensation.ID)); !strings.Contains(row, "수기 처리 중") || !strings.Contains(row, x.workaroundTxt) {
		t.Errorf("the service's row: %q", row)
	}

	submit("a batch", "batch-submit", chromedp.SetValue(chromedp.ID("batch-office"), "울산 본부"),
		chromedp.SetValue(chromedp.ID("batch-count"), "3"))
	batches := x.current(t).Batches
	if len(batches) != 1 || batches[0].Office != "울산 본부" || batches[0].Count != 3 {
		t.Fatalf("batches after the form: %+v", batches)
	}
	if got := text(t, ctx, "#outstanding-total"); got != "3" {
		t.Errorf("outstanding %q, want 3", got)
	}
	id := batches[0].ID
	submit("back-entry", fmt.Sprintf("entered-submit-%d", id), chromedp.SetValue(chromedp.ID(fmt.Sprintf("entered-%d", id)), "3"))
	if got := text(t, ctx, "#outstanding-total"); got != "0" {
		t.Errorf("outstanding after entering %q, want 0", got)
	}

	submit("resolve", "move-resolved", chromedp.SetValue(chromedp.ID("move-note"), "회선 복구 확인"))
	if got := text(t, ctx, "#incident-state"); got != "해결" {
		t.Errorf("state %q after resolving", got)
	}
	submit("review", "review-submit",
		chromedp.SetValue(chromedp.ID("review-summary-field"), "통신 회선 절단으로 노동보험시스템 중단"),
		chromedp.SetValue(chromedp.ID("review-cause-field"), "공사 중 광케이블 절단"),
		chromedp.SetValue(chromedp.ID("action-title-0"), "이중 회선 도입"),
		chromedp.SetValue(chromedp.ID("action-owner-0"), "정보화팀"),
		chromedp.SetValue(chromedp.ID("action-due-0"), "2026. 6. 30."))
	if got := text(t, ctx, "#incident-state"); got != "검토 완료" {
		t.Errorf("state %q after the review", got)
	}
	actions := x.current(t).Actions
	if len(actions) != 1 {
		t.Fatalf("actions after the review: %+v", actions)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("a.action-link")), chromedp.WaitVisible(chromedp.CSS("dl.fields"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != taskHref(actions[0].TaskID) {
		t.Errorf("the action's link led to %s", here)
	}
	if got := text(t, ctx, "h1"); got != "이중 회선 도입" {
		t.Errorf("the task page's title %q", got)
	}
}
