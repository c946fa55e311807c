package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"yeonsok/internal/auth"
	"yeonsok/internal/testdb"
)

// The duty officer's look at monitoring, in a real browser: the status
// board lists the system that is down first; its link leads to the
// system's page, which draws 90 days of uptime as bars.
func TestBrowserStatusBoard(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	ts, srv, w := watchedServer(t, db, auth.MinistryAdmin, 0)
	f := newMonitoredFixture(t, srv, w)
	u := newAccount(t, srv.accounts, auth.MinistryAdmin, 0, false)
	if resp := signInInBrowser(t, ctx, ts.URL, "/status", u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	first := "#t-attention tbody tr:first-child"
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(first))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#card-down"); got != "1" {
		t.Errorf("down card %q, want 1", got)
	}
	if row := text(t, ctx, first); !strings.HasPrefix(row, "장애") || !strings.Contains(row, "노동보험시스템") || !strings.Contains(row, "status 503") {
		t.Errorf("the first row is %q, want 노동보험시스템 down", row)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(first+" th a")), chromedp.WaitVisible(chromedp.CSS("svg.uptime-bars"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != systemHref(f.insurance.ID) {
		t.Errorf("the link led to %s", here)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.uptime-bars rect").length`))
	if err != nil {
		t.Fatal(err)
	}
	if bars != 90 {
		t.Errorf("%d uptime bars, want 90", bars)
	}
	if state := text(t, ctx, "#t-checks tbody tr:first-child"); !strings.Contains(state, "타워: 장애 — status 503") {
		t.Errorf("the endpoint's row: %q", state)
	}
}
