package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/testdb"
)

// The offsite routine in a real browser: 근로복지공단's editor reads on the
// backup page that 노동보험시스템 would lose everything with its facility
// (every copy at home), records the full backup's tape handed to KT 목동,
// receives it there, and reads the exposure bounded by that tape.
func TestBrowserOffsiteMoveBoundsFacilityLoss(t *testing.T) {
	ctx := browser(t)
	x := newBackupFixture(t, testdb.SQLite(t))
	ts := httptest.NewServer(x.srv)
	t.Cleanup(ts.Close)
	u := newAccount(t, x.srv.accounts, auth.AgencyEditor, x.welfare.ID, false)
	if resp := signInInBrowser(t, ctx, ts.URL, "/backups", u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	facilityLoss := func() string {
		t.Helper()
		age, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			for (const tr of document.querySelectorAll("#t-exposure tbody tr")) {
				const c = [...tr.children].map(td => td.textContent.trim());
				if (c[1] === "노동보험시스템" && c[2] === "주 시설 상실") return c[3];
			}
			return "(no row)";
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return age
	}
	if got := facilityLoss(); got != "무제한" {
		t.Fatalf("before the move, losing the facility: %q, want 무제한", got)
	}

	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("move-run"), fmt.Sprint(x.fullRun)),
		chromedp.SetValue(chromedp.ID("move-medium"), backup.MediumTape),
		chromedp.SetValue(chromedp.ID("move-label"), "T-1206"),
		chromedp.SetValue(chromedp.ID("move-from"), fmt.Sprint(x.own.ID)),
		chromedp.SetValue(chromedp.ID("move-to"), fmt.Sprint(x.kt.ID)),
		chromedp.SetValue(chromedp.ID("move-handed-by"), "홍길동"),
		chromedp.Click(chromedp.ID("move-submit")), chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#done"); got != "소산을 기록했습니다." {
		t.Errorf("after the move: %q", got)
	}
	if got := facilityLoss(); got != "무제한" {
		t.Errorf("a tape on its way: %q, want still 무제한", got)
	}
	moves, err := x.srv.backups.Moves(context.Background(), access.Agency(x.welfare.ID), x.samples[0].At)
	if err != nil || len(moves) != 1 {
		t.Fatalf("moves recorded: %+v (%v)", moves, err)
	}
	form := fmt.Sprintf("#receive-%d", moves[0].ID)
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(form+" input[name=received_by]"), "김수령"),
		// The page before held a notice #done too: wait for its receipt
		// form to be gone, which only the page after the receipt is.
		chromedp.Click(chromedp.CSS(form+" button")), chromedp.WaitNotPresent(chromedp.CSS(form)), chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
		t.Fatal(err)
	}
	// The full run began two hours ago: that is now the newest copy
	// outside the facility.
	if got := facilityLoss(); !strings.HasPrefix(got, "2시간") {
		t.Errorf("after the tape arrived, losing the facility: %q, want 2시간", got)
	}
}
