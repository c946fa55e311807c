package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/grading"
	"yeonsok/internal/testdb"
)

// The director's question after the fire, in a real browser: tick the NIRS
// facility on the what-if page and read what stops — the headline, the 17
// ministry systems, none carried by a DR site.
func TestBrowserWhatIfNIRS(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	u := newAccount(t, auth.NewStore(db, auth.DefaultSettings()), auth.MinistryAdmin, 0, false)
	nirs := facilityNamed(t, store, "국가정보자원관리원")
	if resp := signInInBrowser(t, ctx, ts.URL, "/what-if", u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	box := fmt.Sprintf("facility-%d", nirs.ID)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID(box)), chromedp.Click(chromedp.ID(box)),
		chromedp.Click(chromedp.CSS(`form[action="/what-if"] button.primary`)), chromedp.WaitVisible(chromedp.ID("whatif-headline"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != fmt.Sprintf("/what-if?facility=%d", nirs.ID) {
		t.Errorf("the form led to %s", here)
	}
	if got := text(t, ctx, "#card-stopped"); got != "17" {
		t.Errorf("stopped card %q, want 17", got)
	}
	if got := text(t, ctx, "#card-carried"); got != "0" {
		t.Errorf("carried card %q, want 0", got)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#t-stopped tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	if rows != 17 {
		t.Errorf("%d rows of stopped systems, want 17", rows)
	}
	if stopped := text(t, ctx, "#t-stopped table"); !strings.Contains(stopped, "노사누리") || !strings.Contains(stopped, "최저임금위원회") {
		t.Errorf("the stopped systems lack 노사누리 or 최저임금위원회: %s", stopped)
	}
}

// The ministry admin approves the plan's proposal to raise 노사누리 to
// grade 1 on the grade-change page; the system then has grade 1.
func TestBrowserApproveGradeProposal(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	u := newAccount(t, auth.NewStore(db, auth.DefaultSettings()), auth.MinistryAdmin, 0, false)
	pending, err := grading.NewStore(db).Proposals(context.Background(), access.All(), grading.Filter{Status: grading.Pending})
	if err != nil {
		t.Fatal(err)
	}
	var proposal *grading.ChangeProposal
	for _, p := range pending {
		if p.SystemName == "노사누리" {
			proposal = p
		}
	}
	if proposal == nil {
		t.Fatalf("no pending proposal for 노사누리 among %d", len(pending))
	}
	if resp := signInInBrowser(t, ctx, ts.URL, "/grade-proposals", u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	form := fmt.Sprintf("#decide-%d", proposal.ID)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(chromedp.CSS(form+" textarea"), "행안부 협의 완료"),
		chromedp.Click(chromedp.CSS(form+" button.primary")), chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
		t.Fatal(err)
	}
	sys, err := store.System(context.Background(), access.All(), proposal.SystemID)
	if err != nil {
		t.Fatal(err)
	}
	if sys.Grade != 1 {
		t.Errorf("노사누리 has grade %d after the approval, want 1", sys.Grade)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, form))); err != nil || n != 0 {
		t.Errorf("the decided proposal still offers a decision (%d forms, %v)", n, err)
	}
}
