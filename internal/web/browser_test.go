package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// browser starts headless Chromium for one test. The browser tests are the
// only tests that need something outside Go; without Chromium they skip and
// say how to get it (.ci/run installs Debian's chromium).
func browser(t *testing.T) context.Context {
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
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
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

// The director's first look: the home page in a real browser shows the
// plan's figures, loads nothing from outside the tower, and switches to
// English with the button.
func TestBrowserHomePage(t *testing.T) {
	ctx := browser(t)
	ts, _ := sampleServer(t, testdb.SQLite(t))
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("card-systems"))); err != nil {
		t.Fatal(err)
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
	ts, store := sampleServer(t, testdb.SQLite(t))
	_, book := getBytes(t, ts, "/api/v1/export?format=xlsx")
	path := filepath.Join(t.TempDir(), "inventory.xlsx")
	if err := os.WriteFile(path, editedWorkbook(t, book), 0o644); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/import"),
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
