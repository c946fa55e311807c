package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// browser starts headless Chromium for one test, with extra options of the
// test's own. The browser tests are the only tests that need something
// outside Go; without Chromium they skip and say how to get it (.ci/run
// installs Debian's chromium).
func browser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := os.Getenv("YEONSOK_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		t.Skip("browser test skipped: no Chromium found (apt-get install chromium, or set YEONSOK_CHROMIUM); .ci/run installs it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// The machine is air-gapped: keep Chromium from calling home.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// A Korean civil servant's browser asks for Korean.
		chromedp.Flag("lang", "ko-KR"),
		chromedp.Flag("accept-lang", "ko-KR,ko"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return ctx
}

// text reads the visible text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("read %s: %v", selector, err)
	}
	return strings.TrimSpace(s)
}

// signInInBrowser opens path, which sends the browser to the login page,
// fills in the login and password there and submits; it returns the
// response to the form (after its redirects).
func signInInBrowser(t *testing.T, ctx context.Context, base, path, login, password string) *network.Response {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return submitLogin(t, ctx, login, password)
}

// submitLogin fills in the login form on screen and submits it.
func submitLogin(t *testing.T, ctx context.Context, login, password string) *network.Response {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx,
		chromedp.SetValue(chromedp.ID("login"), login),
		chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")))
	if err != nil {
		t.Fatalf("submit the login form: %v", err)
	}
	return resp
}

// location is the page the browser shows: its path and query.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	here, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		t.Fatal(err)
	}
	return here
}

// The director's first look: the home page in a real browser sends them to
// the login page first; once signed in it shows the plan's figures and who
// is signed in, loads nothing from outside the tower, and switches to
// English with the button.
func TestBrowserHomePage(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	ts, _ := sampleServer(t, db)
	u := newAccount(t, auth.NewStore(db, auth.DefaultSettings()), auth.MinistryAdmin, 0, false)
	if resp := signInInBrowser(t, ctx, ts.URL, "/", u.Login, testPassword); resp.Status != 200 {
		t.Fatalf("after signing in: %d at %s", resp.Status, location(t, ctx))
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("card-systems"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != "/" {
		t.Errorf("signed in at %s, want /", here)
	}
	if name, role := text(t, ctx, "#who-name"), text(t, ctx, "#who-role"); name != u.Name || role != "본부 관리자" {
		t.Errorf("the header says %q %q, want %q 본부 관리자", name, role, u.Name)
	}
	for id, want := range map[string]string{
		"card-systems": "212", "card-facilities": "18",
		"card-grade-1": "7", "card-grade-2": "23", "card-grade-3": "69", "card-grade-4": "90", "card-grade-none": "23",
		"card-operator-nirs": "17", "card-operator-self": "164", "card-operator-private": "31",
	} {
		if got := text(t, ctx, "#"+id); got != want {
			t.Errorf("%s shows %q, want %q", id, got, want)
		}
	}
	if got := text(t, ctx, "h1"); got != "업무연속성 현황" {
		t.Errorf("h1 %q", got)
	}
	facilities := text(t, ctx, "#t-facilities table")
	for _, want := range []string{"NHN", "공동 이용", "국가정보자원관리원"} {
		if !strings.Contains(facilities, want) {
			t.Errorf("facility table lacks %q", want)
		}
	}
	// Every resource the page loaded came from the tower itself.
	origins, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`performance.getEntriesByType("resource").map(e => new URL(e.name).origin).concat([location.origin])`))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range origins {
		if o != ts.URL {
			t.Errorf("the page loaded something from %s", o)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.lang button`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "h1"); got != "Business continuity at a glance" {
		t.Errorf("after the switch h1 is %q", got)
	}
}

// An officer imports an edited workbook: upload, read the preview, apply.
func TestBrowserImportFlow(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	u := newAccount(t, auth.NewStore(db, auth.DefaultSettings()), auth.MinistryAdmin, 0, false)
	_, book := getBytes(t, ts, "/api/v1/export?format=xlsx")
	path := filepath.Join(t.TempDir(), "inventory.xlsx")
	if err := os.WriteFile(path, editedWorkbook(t, book), 0o644); err != nil {
		t.Fatal(err)
	}
	signInInBrowser(t, ctx, ts.URL, "/import", u.Login, testPassword)
	if here := location(t, ctx); here != "/import" {
		t.Fatalf("signed in at %s, want back at /import", here)
	}
	err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{path}),
		chromedp.Click(chromedp.ID("preview-import")),
		chromedp.WaitVisible(chromedp.ID("apply-import")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if changes := text(t, ctx, "#t-changes table"); !strings.Contains(changes, "새 민원 시스템") || !strings.Contains(changes, "등급: 1 → 2") {
		t.Fatalf("preview does not show the changes:\n%s", changes)
	}
	if systems, _ := store.Systems(context.Background(), access.All(), inventory.SystemFilter{}); len(systems) != 212 {
		t.Fatalf("the preview wrote: %d systems", len(systems))
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("apply-import")), chromedp.WaitVisible(chromedp.CSS(`p.notice`))); err != nil {
		t.Fatal(err)
	}
	if notice := text(t, ctx, "p.notice"); !strings.Contains(notice, "2건") {
		t.Errorf("notice %q", notice)
	}
	if systems, _ := store.Systems(context.Background(), access.All(), inventory.SystemFilter{}); len(systems) != 213 {
		t.Fatalf("after apply: %d systems, want 213", len(systems))
	}
}

// Five wrong passwords in a row lock the account: the sixth try, with the
// right password, is refused in the very words of the wrong ones, as is a
// login that does not exist.
func TestBrowserLockoutAfterFiveFailures(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	srv := newServer(t, db)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	u := newAccount(t, srv.accounts, auth.MinistryViewer, 0, false)
	const refused = "아이디 또는 비밀번호가 올바르지 않거나, 잠기거나 사용이 중지된 계정입니다"

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/systems"), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != "/login?next=%2Fsystems" {
		t.Errorf("a page without a session sent the browser to %s", here)
	}
	tries := []struct{ login, password string }{
		{u.Login, "Wrong-Password-1"}, {u.Login, "Wrong-Password-2"}, {"nobody.here", testPassword},
		{u.Login, "Wrong-Password-3"}, {u.Login, "Wrong-Password-4"}, {u.Login, "Wrong-Password-5"},
		{u.Login, testPassword}, // right, but too late
	}
	for i, try := range tries {
		resp := submitLogin(t, ctx, try.login, try.password)
		if resp.Status != http.StatusUnauthorized {
			t.Errorf("try %d (%s): %d, want 401", i+1, try.login, resp.Status)
		}
		if got := text(t, ctx, "#login-error"); got != refused {
			t.Errorf("try %d (%s) says %q, want %q", i+1, try.login, got, refused)
		}
	}
	if here := location(t, ctx); here != "/login" {
		t.Errorf("after the refusals the browser is at %s", here)
	}
	locked, err := srv.accounts.User(context.Background(), access.All(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !locked.Locked(time.Now()) || locked.LockedReason != auth.ReasonFailedLogins {
		t.Errorf("after five wrong passwords: locked until %v (%q), want locked for failed logins", locked.LockedUntil, locked.LockedReason)
	}
}

// An agency's editor who edits the address bar to another agency's system
// gets the 404 page, which names nothing of that agency's.
func TestBrowserAgencyCannotOpenAnotherAgencysSystem(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	f := newScopeFixture(t, inventory.NewStore(db))
	srv := newServer(t, db)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	u := newAccount(t, srv.accounts, auth.AgencyEditor, f.welfare.ID, false)

	own := systemHref(f.insurance.ID)
	if resp := signInInBrowser(t, ctx, ts.URL, own, u.Login, testPassword); resp.Status != http.StatusOK {
		t.Fatalf("own system after signing in: %d", resp.Status)
	}
	if got := text(t, ctx, "h1"); got != f.insurance.Name {
		t.Errorf("own system shows %q", got)
	}
	if got := text(t, ctx, "#who-role"); got != "기관 담당자 · 근로복지공단" {
		t.Errorf("the header says %q", got)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(ts.URL+systemHref(f.work24.ID)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusNotFound {
		t.Errorf("another agency's system: %d, want 404", resp.Status)
	}
	if got := text(t, ctx, "h1"); got != "요청을 처리할 수 없습니다" {
		t.Errorf("another agency's system shows %q, want the error page", got)
	}
	if got := text(t, ctx, "p.error"); got != "시스템을 찾을 수 없습니다" {
		t.Errorf("the error page says %q", got)
	}
	mustNotShow(t, "the 404 page", text(t, ctx, "body"), keisNames...)
}

// The ministry admin makes an account on the page and reads its one-time
// password off the screen; with it the new person signs in and is sent to
// change it first.
func TestBrowserAdminCreatesAccount(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	f := newScopeFixture(t, inventory.NewStore(db))
	srv := newServer(t, db)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	admin := newAccount(t, srv.accounts, auth.MinistryAdmin, 0, false)

	signInInBrowser(t, ctx, ts.URL, "/", admin.Login, testPassword)
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("nav-users")),
		chromedp.Click(chromedp.ID("nav-users")),
		chromedp.WaitVisible(chromedp.ID("new-user")),
		chromedp.Click(chromedp.ID("new-user")),
		chromedp.WaitVisible(chromedp.ID("f-login")),
		chromedp.SetValue(chromedp.ID("f-login"), "lee.welfare"),
		chromedp.SetValue(chromedp.ID("f-name"), "이복지"),
		chromedp.SetValue(chromedp.ID("f-role"), string(auth.AgencyEditor)),
		chromedp.SetValue(chromedp.ID("f-agency_id"), idValue(f.welfare.ID)),
		chromedp.Click(chromedp.CSS(`form.edit button.primary`)),
		chromedp.WaitVisible(chromedp.ID("secret-value")),
	)
	if err != nil {
		t.Fatal(err)
	}
	password := text(t, ctx, "#secret-value")
	if got := text(t, ctx, "#secret-subject"); got != "lee.welfare" {
		t.Errorf("the page names %q", got)
	}
	if warning := text(t, ctx, "#secret-warning"); !strings.Contains(warning, "한 번만") {
		t.Errorf("the warning says %q", warning)
	}
	u, err := srv.accounts.UserByLogin(context.Background(), access.All(), "lee.welfare")
	if err != nil || u.Role != auth.AgencyEditor || u.AgencyID != f.welfare.ID || !u.MustChangePassword {
		t.Fatalf("the account: %+v %v", u, err)
	}

	// Back on the list the password is not shown again.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("secret-done")), chromedp.WaitVisible(chromedp.ID("t-users"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, ctx, "body"); strings.Contains(body, password) || !strings.Contains(body, "lee.welfare") {
		t.Error("the list shows the password, or not the account")
	}

	// The new person signs in with it and must change it first.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
		t.Fatal(err)
	}
	submitLogin(t, ctx, "lee.welfare", password)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("must-change"))); err != nil {
		t.Fatal(err)
	}
	if here := location(t, ctx); here != "/account/password" {
		t.Errorf("signed in with the one-time password at %s, want /account/password", here)
	}
}

// An agency's editor works through the plan page in a real browser:
// accepts the first proposal, which then shows as a task and no longer as
// a proposal, and dismisses the next with a reason typed into its form.
func TestBrowserPlanAcceptAndDismiss(t *testing.T) {
	ctx := browser(t)
	db := testdb.SQLite(t)
	ts, store := sampleServer(t, db)
	welfare := agencyNamed(t, store, "근로복지공단")
	u := newAccount(t, auth.NewStore(db, auth.DefaultSettings()), auth.AgencyEditor, welfare.ID, false)
	plan := planHref(welfare.ID)
	if resp := signInInBrowser(t, ctx, ts.URL, plan, u.Login, testPassword); resp.Status != http.StatusOK {
		t.Fatalf("plan page after signing in: %d", resp.Status)
	}
	value := func(selector string) string {
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(selector)))
		if err != nil {
			t.Fatalf("read %s: %v", selector, err)
		}
		return v
	}
	const first = `#t-proposals tbody tr:first-child td.decide`
	accepted := value(first + ` input[name="key"]`)
	title := text(t, ctx, `#t-proposals tbody tr:first-child th`)
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(first+` button.primary`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("accept: %v %v", resp, err)
	}
	if here := location(t, ctx); here != plan {
		t.Errorf("after accepting the browser is at %s", here)
	}
	if tasksTable := text(t, ctx, "#t-tasks table"); !strings.Contains(tasksTable, title) {
		t.Errorf("the tasks table lacks the accepted %q:\n%s", title, tasksTable)
	}
	if next := value(first + ` input[name="key"]`); next == accepted {
		t.Fatalf("the accepted proposal %s is still first among the proposals", accepted)
	}

	dismissed := value(first + ` input[name="key"]`)
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(first+` details.dismiss summary`)),
		chromedp.WaitVisible(chromedp.CSS(first+` textarea[name="reason"]`)),
		chromedp.SendKeys(chromedp.CSS(first+` textarea[name="reason"]`), "내년 정보화 예산으로 추진"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(first+` details.dismiss button`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("dismiss: %v %v", resp, err)
	}
	if got := text(t, ctx, "#t-dismissed table"); !strings.Contains(got, "내년 정보화 예산으로 추진") {
		t.Errorf("the dismissed table lacks the reason:\n%s", got)
	}
	if next := value(first + ` input[name="key"]`); next == dismissed {
		t.Errorf("the dismissed proposal %s is still open", dismissed)
	}
}
