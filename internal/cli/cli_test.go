package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/testdb"
)

// run runs the yeonsok command and returns its exit code and output.
func run(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	code := Run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// syncBuffer is a buffer the server goroutine and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := run(t, context.Background(), "--help")
	if code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "\n  "+c.name+" ") {
			t.Errorf("--help does not list %q:\n%s", c.name, out)
		}
	}
	if code, _, errOut := run(t, context.Background(), "fly"); code != 2 || !strings.Contains(errOut, `unknown command "fly"`) {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
}

// startServe runs "yeonsok serve" on a free port and waits until it
// answers; it returns the address and a function that stops it and returns
// the exit code.
func startServe(t *testing.T, dbPath string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, &stdout, &stderr) }()
	address := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := address.FindStringSubmatch(stdout.String()); m != nil {
			stop := func() int {
				cancel()
				return <-done
			}
			return m[1], &stdout, stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before answering: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func summaryOf(t *testing.T, addr string) (systems, facilities int) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/summary")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var summary struct {
		Systems    int `json:"systems"`
		Facilities int `json:"facilities"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&summary); err != nil {
		t.Fatal(err)
	}
	return summary.Systems, summary.Facilities
}

// The README's first command on a fresh machine: serve migrates, loads the
// plan's sample data and answers on loopback. A later start of a database
// its users emptied does not refill it.
func TestServeFirstStart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "yeonsok.db")
	addr, stdout, stop := startServe(t, dbPath)
	if systems, facilities := summaryOf(t, addr); systems != 212 || facilities != 18 {
		t.Fatalf("first start shows %d systems in %d facilities, want 212 in 18", systems, facilities)
	}
	if !strings.Contains(stdout.String(), "loopback only") {
		t.Errorf("start message does not say it is loopback only:\n%s", stdout.String())
	}
	// Empty the inventory through the API, as a user might.
	client := &http.Client{}
	for _, kind := range []string{"dependencies", "services", "systems", "facilities", "agencies"} {
		resp, err := http.Get("http://" + addr + "/api/v1/" + kind)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Items []struct {
				ID       int64  `json:"id"`
				ParentID *int64 `json:"parent_id"`
			} `json:"items"`
		}
		json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		// Children before parents: agencies are listed parent first.
		for i := len(list.Items) - 1; i >= 0; i-- {
			req, _ := http.NewRequest("DELETE", "http://"+addr+"/api/v1/"+kind+"/"+strconv.FormatInt(list.Items[i].ID, 10), nil)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != http.StatusNoContent {
				t.Fatalf("delete %s %d: %v %v", kind, list.Items[i].ID, err, resp.Status)
			}
			resp.Body.Close()
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d after shutdown", code)
	}
	addr, _, stop = startServe(t, dbPath)
	defer stop()
	if systems, facilities := summaryOf(t, addr); systems != 0 || facilities != 0 {
		t.Fatalf("restart refilled the emptied database: %d systems, %d facilities", systems, facilities)
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	code, _, errOut := run(t, context.Background(), "serve", "--addr", "0.0.0.0:8080", "--db", filepath.Join(t.TempDir(), "x.db"))
	if code != 1 || !strings.Contains(errOut, "loopback only") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

// Seed, export, re-import: the same file changes nothing, on both databases.
func TestSeedExportImportRoundTrip(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			target := filepath.Join(dir, "yeonsok.db")
			if dialect == "postgres" {
				target = testdb.PostgresURL(t)
			}
			if code, out, errOut := run(t, ctx, "seed", "--db", target); code != 0 || !strings.Contains(out, "212 systems") {
				t.Fatalf("seed: exit %d %s %s", code, out, errOut)
			}
			if code, _, _ := run(t, ctx, "seed", "--db", target); code != 1 {
				t.Fatalf("second seed: exit %d, want a refusal", code)
			}
			book := filepath.Join(dir, "inventory.xlsx")
			if code, _, errOut := run(t, ctx, "export", "--db", target, "--format", "xlsx", "--out", book); code != 0 {
				t.Fatalf("export xlsx: %s", errOut)
			}
			csvDir := filepath.Join(dir, "csv")
			if code, _, errOut := run(t, ctx, "export", "--db", target, "--format", "csv", "--out", csvDir); code != 0 {
				t.Fatalf("export csv: %s", errOut)
			}
			systemsCSV, err := os.ReadFile(filepath.Join(csvDir, "systems.csv"))
			if err != nil || !bytes.HasPrefix(systemsCSV, []byte("\xef\xbb\xbf")) {
				t.Fatalf("systems.csv does not start with a BOM (err %v)", err)
			}
			if records, err := csv.NewReader(bytes.NewReader(systemsCSV[3:])).ReadAll(); err != nil || len(records) != 213 {
				t.Fatalf("systems.csv: %d records (err %v), want a header and 212 systems", len(records), err)
			}
			code, out, errOut := run(t, ctx, "import", book, "--db", target, "--lang", "en")
			if code != 0 || !strings.Contains(out, "systems: 0 added, 0 changed, 0 removed") {
				t.Fatalf("re-import of the export: exit %d\n%s%s", code, out, errOut)
			}
			// A bad row rejects the whole file, naming the place.
			bad := filepath.Join(dir, "systems.csv")
			os.WriteFile(bad, []byte("기관,시스템명,등급\n고용노동부,새 시스템,7\n"), 0o644)
			code, _, errOut = run(t, ctx, "import", bad, "--db", target, "--lang", "en")
			if code != 1 || !strings.Contains(errOut, "row 2") || !strings.Contains(errOut, "nothing was imported") {
				t.Fatalf("bad file: exit %d %s", code, errOut)
			}
		})
	}
}
