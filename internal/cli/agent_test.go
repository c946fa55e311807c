package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/monitor"
)

func TestAgentHelpAndMistakes(t *testing.T) {
	code, out, _ := run(t, context.Background(), "agent", "--help")
	if code != 0 {
		t.Fatalf("agent --help: exit %d", code)
	}
	for _, want := range []string{"--tower URL", "-token", "-buffer ", "-buffer-max-mb", "-tower-ca", "-drain", "YEONSOK_AGENT_TOKEN_FILE",
		`"./yeonsok-agent-buffer"`, "(default 256)"} {
		if !strings.Contains(out, want) {
			t.Errorf("agent --help does not say %q:\n%s", want, out)
		}
	}
	t.Setenv("YEONSOK_AGENT_TOKEN", "")
	t.Setenv("YEONSOK_AGENT_TOKEN_FILE", "")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"agent", "--token", "t"}, "--tower is required"},
		{[]string{"agent", "--tower", "http://127.0.0.1:1"}, "no token"},
		{[]string{"agent", "--tower", "yeonsok.moel.go.kr", "--token", "t", "--buffer", dir}, "not an http:// or https:// URL"},
		{[]string{"agent", "--tower", "http://127.0.0.1:1", "--token", "t", "--buffer-max-mb", "0"}, "--buffer-max-mb 0"},
	} {
		code, _, errOut := run(t, context.Background(), c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want 1 and %q", c.args, code, errOut, c.want)
		}
	}
	t.Setenv("YEONSOK_AGENT_TOKEN_FILE", filepath.Join(dir, "missing"))
	if code, _, errOut := run(t, context.Background(), "agent", "--tower", "http://127.0.0.1:1"); code != 1 ||
		!strings.Contains(errOut, "YEONSOK_AGENT_TOKEN_FILE") {
		t.Errorf("a token file that does not exist: exit %d, %q", code, errOut)
	}
}

var stoppedLine = regexp.MustCompile(`(?m)^agent stopped: produced=(\d+) sent=(\d+) buffered=(\d+) dropped=(\d+)$`)

// The agent takes its token from the file YEONSOK_AGENT_TOKEN_FILE names,
// probes, and on stop sends what it has and says so in one line.
func TestAgentRunsAndReportsOnStop(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "OK") }))
	defer target.Close()
	var mu sync.Mutex
	received := 0
	tower := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ysk_from_file" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/v1/agent/checks":
			json.NewEncoder(w).Encode(map[string]any{"agent": map[string]any{"id": 1, "name": "busan"}, "last_batch_seq": 0,
				"checks": []monitor.Check{{ID: 1, Kind: monitor.KindHTTP, Target: target.URL, Active: true,
					Interval: 100 * time.Millisecond, Timeout: time.Second}}})
		case "/api/v1/agent/results":
			var batch struct {
				Results []monitor.Result `json:"results"`
			}
			json.NewDecoder(r.Body).Decode(&batch)
			mu.Lock()
			received += len(batch.Results)
			mu.Unlock()
			io.WriteString(w, `{"accepted":true,"taken":1,"ignored":0}`)
		}
	}))
	defer tower.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("ysk_from_file\n"), 0o600)
	t.Setenv("YEONSOK_AGENT_TOKEN_FILE", tokenFile)

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"agent", "--tower", tower.URL, "--buffer", filepath.Join(dir, "buffer")}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "agent: probing") {
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not start:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The scheduler's default tick is a quarter of a second: a few probes.
	time.Sleep(time.Second)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("agent exit %d: %s", code, stderr.String())
	}
	m := stoppedLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no stop line in the output:\n%s", stdout.String())
	}
	produced, _ := strconv.Atoi(m[1])
	sent, _ := strconv.Atoi(m[2])
	mu.Lock()
	defer mu.Unlock()
	if produced == 0 || sent != produced || sent != received || m[3] != "0" || m[4] != "0" {
		t.Errorf("%q; the tower received %d results: want every result produced sent", m[0], received)
	}
}
