package web

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
)

// executedViews records every view a test rendered, so that the suite can
// fail when a page template is never executed by any test.
var executedViews = struct {
	sync.Mutex
	seen map[string]bool
}{seen: map[string]bool{}}

func TestMain(m *testing.M) {
	viewRendered = func(view string) {
		executedViews.Lock()
		executedViews.seen[view] = true
		executedViews.Unlock()
	}
	code := m.Run()
	if code == 0 && fullRun() {
		if missing := unexecutedViews(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: page templates no test executes: %v\n", missing)
			code = 1
		}
	}
	os.Exit(code)
}

// fullRun reports whether every test ran; with -run or -skip only some did,
// and an unexecuted view proves nothing.
func fullRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

func unexecutedViews() []string {
	v, err := parseViews()
	if err != nil {
		return []string{err.Error()}
	}
	executedViews.Lock()
	defer executedViews.Unlock()
	var missing []string
	for name := range v.pages {
		if !executedViews.seen[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	return missing
}

// The check itself must see the views: a parse that found none would pass
// every suite.
func TestViewsAreParsed(t *testing.T) {
	v, err := parseViews()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"home", "error", "form", "agencies", "agency", "facilities", "facility",
		"systems", "system", "services", "service", "dependencies", "data_quality",
		"admin_users", "admin_tokens", "secret", "audit", "audit_entry", "security_report"} {
		if v.pages[name] == nil {
			t.Errorf("view %q is not parsed", name)
		}
	}
}
