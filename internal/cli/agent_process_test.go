package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

// cliArgsEnv, set in a child process of the test binary, makes it run the
// yeonsok command with these arguments (JSON) instead of the tests: a
// separate process, as an agent at another site is.
const cliArgsEnv = "YEONSOK_TEST_CLI_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(cliArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(Run(context.Background(), args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// agentStopped is the line an agent prints as it stops.
var agentStopped = regexp.MustCompile(`agent stopped: produced=(\d+) sent=(\d+) buffered=(\d+) dropped=(\d+)`)

// The "done when": an agent in a separate process keeps probing
// while the tower is down, and its buffered results arrive afterwards
// without loss or duplicates; once it falls silent it does not mark the
// system down. Both databases.
func TestAgentProcessBuffersWhileTheTowerIsDown(t *testing.T) {
	targets := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "yeonsok.db") },
		"postgres": func(t *testing.T) string { return testdb.PostgresURL(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) { agentAcrossTowerOutage(t, targets[name](t)) })
	}
}

func agentAcrossTowerOutage(t *testing.T, dbTarget string) {
	ctx := context.Background()
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer service.Close()

	// The tower's database: one system with the service as its endpoint,
	// probed five times a second, and an agent token bound to it.
	db, err := database.Open(ctx, dbTarget)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	inv := inventory.NewStore(db)
	agency := &inventory.Agency{Name: "근로복지공단"}
	sys := &inventory.System{Name: "노동보험시스템", Grade: 1, Endpoints: []inventory.Endpoint{{Target: service.URL + "/health"}}}
	err = inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateAgency(ctx, agency); err != nil {
			return err
		}
		sys.AgencyID = agency.ID
		return tx.CreateSystem(ctx, sys)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := monitor.NewStore(db).SyncChecks(ctx); err != nil {
		t.Fatal(err)
	}
	const interval = 200 * time.Millisecond
	if _, err := db.Write.Exec(`UPDATE checks SET interval_ms = $1, timeout_ms = $2`, interval.Milliseconds(), 150); err != nil {
		t.Fatal(err)
	}
	const agentName = "부산 백업센터"
	token, err := auth.NewStore(db, auth.DefaultSettings()).CreateToken(ctx,
		&auth.Token{Name: agentName, Role: auth.Agent, AgencyID: agency.ID, SystemIDs: []int64{sys.ID}})
	if err != nil {
		t.Fatal(err)
	}
	probes := func() int64 {
		var n int64
		db.Read.QueryRow(`SELECT COALESCE(SUM(probes), 0) FROM latency_rollups WHERE vantage = $1`, agentName).Scan(&n)
		return n
	}

	base, _, stopTower := startServe(t, dbTarget)
	addr := strings.TrimPrefix(base, "http://")

	buffer := t.TempDir()
	args, _ := json.Marshal([]string{"agent", "--tower", base, "--token", token, "--buffer", buffer})
	agent := exec.Command(os.Args[0], "-test.run=^$")
	agent.Env = append(os.Environ(), cliArgsEnv+"="+string(args))
	var out syncBuffer
	agent.Stdout, agent.Stderr = &out, &out
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	defer agent.Process.Kill()

	waitUntil(t, 20*time.Second, "the agent's first results at the tower", func() bool { return probes() > 0 })

	// The tower goes down; the agent keeps probing and buffers on disk.
	if code := stopTower(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
	atStop := probes()
	waitUntil(t, 20*time.Second, "batches buffered while the tower is down", func() bool { return len(batchFiles(t, buffer)) >= 2 })

	// The tower comes back on the same address: the buffer drains.
	base2, _, stopTower := startServe(t, dbTarget, "--addr", addr)
	if base2 != base {
		t.Fatalf("the tower came back on %s, not %s", base2, base)
	}
	waitUntil(t, 20*time.Second, "the buffer replayed", func() bool { return len(batchFiles(t, buffer)) == 0 && probes() > atStop })

	if err := agent.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := agent.Wait(); err != nil {
		t.Fatalf("agent: %v\n%s", err, out.String())
	}
	m := agentStopped.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no closing line from the agent:\n%s", out.String())
	}
	produced, _ := strconv.ParseInt(m[1], 10, 64)
	sent, _ := strconv.ParseInt(m[2], 10, 64)
	if buffered, dropped := m[3], m[4]; buffered != "0" || dropped != "0" || sent != produced {
		t.Errorf("agent says %s", m[0])
	}
	// Every result the agent produced is counted once: none lost, none twice.
	if got := probes(); got != produced {
		t.Errorf("the tower counted %d probes from the agent, which produced %d", got, produced)
	}

	// Silent now: after three intervals the agent is "agent down", and the
	// system, which the tower still sees answering, is not down.
	script, err := auth.NewStore(db, auth.DefaultSettings()).CreateToken(ctx, &auth.Token{Name: "시험 스크립트", Role: auth.Script})
	if err != nil {
		t.Fatal(err)
	}
	var live struct{ Items []monitor.CheckStatus }
	waitUntil(t, 10*time.Second, "the agent silent", func() bool {
		live.Items = nil
		if call(t, http.DefaultClient, "GET", base+"/api/v1/status", script, &live) != 200 || len(live.Items) != 1 {
			return false
		}
		for _, v := range live.Items[0].Vantages {
			if v.Vantage == agentName {
				return !v.Reporting
			}
		}
		return false
	})
	if v := live.Items[0].Verdict; v.State != monitor.StateUp || v.Silent != 1 {
		t.Errorf("with the agent silent the system is %+v", v)
	}
	if code := stopTower(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
	var interruptions int
	db.Read.QueryRow(`SELECT COUNT(*) FROM interruptions`).Scan(&interruptions)
	if interruptions != 0 {
		t.Errorf("%d interruptions of a service that never stopped", interruptions)
	}
}

// batchFiles are the agent's batches waiting in its buffer.
func batchFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
