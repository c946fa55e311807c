package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/incident"
	"yeonsok/internal/testdb"
)

// alertmanagerBinary is the real Alertmanager: YEONSOK_ALERTMANAGER, or
// Debian's prometheus-alertmanager (or upstream's alertmanager) on PATH.
// Without it the test skips, saying how to get it.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("YEONSOK_ALERTMANAGER"); path != "" {
		return path
	}
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("prometheus-alertmanager not installed; .ci/run installs it (apt-get install prometheus-alertmanager, or set YEONSOK_ALERTMANAGER)")
	return ""
}

// freeLoopbackAddress is a loopback address with a port nothing listens
// on just now, for a process that takes its address as a flag.
func freeLoopbackAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startAlertmanager runs Alertmanager with config until the test ends and
// returns its base URL once it is ready, and its output for failures.
func startAlertmanager(t *testing.T, bin, config string) (string, *lockedBuffer) {
	t.Helper()
	dir := t.TempDir()
	configFile := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddress(t)
	output := &lockedBuffer{}
	cmd := exec.Command(bin, "--config.file="+configFile, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=debug")
	cmd.Stdout, cmd.Stderr = output, output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	base := "http://" + addr
	waitFor(t, 10*time.Second, "Alertmanager ready", output, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base, output
}

// waitFor polls done until it holds or the deadline passes, then fails
// with what the process said.
func waitFor(t *testing.T, within time.Duration, what string, output *lockedBuffer, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; Alertmanager said:\n%s", what, within, output)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The real Alertmanager, configured as docs/incidents.md says, delivers an
// alert to a real tower: the firing alert opens an incident at its start,
// and the alert, ended, restores the system at its end. (SQLite only: the
// API test covers both databases; this one is about Alertmanager's format,
// authorization and timing.)
func TestRealAlertmanagerOpensAndRestores(t *testing.T) {
	bin := alertmanagerBinary(t)
	db := testdb.SQLite(t)
	srv := newServer(t, db)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	f := newScopeFixture(t, srv.store)
	token := newToken(t, srv, &auth.Token{Name: "alertmanager", Role: auth.Alert, AgencyID: f.welfare.ID, SystemIDs: []int64{f.insurance.ID}})
	tokenFile := filepath.Join(t.TempDir(), "yeonsok-token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// resolve_timeout is short but longer than the test: the system must
	// come back because the alert ended, not because Alertmanager gave up
	// waiting for news of it.
	config := fmt.Sprintf(`global:
  resolve_timeout: 1m
route:
  receiver: yeonsok
  group_by: [alertname, yeonsok_system_id]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: yeonsok
    webhook_configs:
      - url: %s%s
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: %s
`, ts.URL, alertmanagerPath, tokenFile)
	am, output := startAlertmanager(t, bin, config)

	startsAt := time.Now().Add(-2 * time.Minute).Truncate(time.Second).UTC()
	postAlert := func(endsAt string) {
		t.Helper()
		body := fmt.Sprintf(`[{"labels":{"alertname":"InstanceDown","yeonsok_system_id":"%d"},
			"annotations":{"summary":"노동보험시스템 응답 없음"},"startsAt":%q%s}]`, f.insurance.ID, startsAt.Format(time.RFC3339), endsAt)
		resp, err := http.Post(am+"/api/v2/alerts", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Alertmanager took the alert with %d", resp.StatusCode)
		}
	}
	insurance := func() *incident.AffectedSystem {
		open, err := srv.incidents.Open(context.Background(), access.All())
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range open {
			for _, sys := range inc.Systems {
				if sys.SystemID == f.insurance.ID && inc.Source == incident.SourceAlert {
					return sys
				}
			}
		}
		return nil
	}

	postAlert("")
	waitFor(t, 8*time.Second, "the firing alert opens an incident", output, func() bool { return insurance() != nil })
	if sys := insurance(); !sys.DownAt.Equal(startsAt) || !sys.RestoredAt.IsZero() {
		t.Errorf("down at %v (want the alert's start %v), restored at %v", sys.DownAt, startsAt, sys.RestoredAt)
	}

	endsAt := time.Now().Add(-time.Second).Truncate(time.Second).UTC()
	postAlert(fmt.Sprintf(`,"endsAt":%q`, endsAt.Format(time.RFC3339)))
	waitFor(t, 8*time.Second, "the ended alert restores the system", output, func() bool {
		sys := insurance()
		return sys != nil && !sys.RestoredAt.IsZero()
	})
	sys := insurance()
	if !sys.RestoredAt.Equal(endsAt) {
		t.Errorf("restored at %v, want the alert's end %v", sys.RestoredAt, endsAt)
	}
	inc, err := srv.incidents.Open(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	full, err := srv.incidents.Incident(context.Background(), access.All(), inc[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range full.Events {
		kinds = append(kinds, e.Kind+" "+e.Text+" by "+e.Author)
	}
	want := []string{"opened InstanceDown: 노동보험시스템 응답 없음 by alertmanager", "restored InstanceDown: resolved by alertmanager"}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
}
