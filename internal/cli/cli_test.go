package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/oidc/oidctest"
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
// answers; it returns the base URL, the output and a function that stops it
// and returns the exit code.
func startServe(t *testing.T, dbPath string, extra ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, extra...)
	go func() { done <- Run(ctx, args, &stdout, &stderr) }()
	address := regexp.MustCompile(`(https?://127\.0\.0\.1:\d+)/`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := address.FindStringSubmatch(stdout.String()); m != nil && strings.Contains(stdout.String(), "Ctrl+C") {
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

// call sends an API request with a Bearer token and decodes the JSON answer
// into out (when given); it returns the status.
func call(t *testing.T, client *http.Client, method, url, token string, out any) int {
	t.Helper()
	return callWith(t, client, method, url, token, nil, out)
}

// callWith is call with a JSON body (when not nil).
func callWith(t *testing.T, client *http.Client, method, url, token string, body, out any) int {
	t.Helper()
	var payload io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		payload = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, url, payload)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type summary struct {
	Systems    int `json:"systems"`
	Facilities int `json:"facilities"`
}

// scriptToken creates a ministry-wide script token on the console.
func scriptToken(t *testing.T, dbPath string) string {
	t.Helper()
	code, out, errOut := run(t, context.Background(), "token", "create", "--name", "시험 스크립트", "--role", "script", "--db", dbPath)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "ysk_") {
		t.Fatalf("token create: exit %d %q %q", code, out, errOut)
	}
	return lines[len(lines)-1]
}

var firstPassword = regexp.MustCompile(`one-time password\n\s+(\S+)\n`)

// The README's first command on a fresh machine: serve migrates, loads the
// plan's sample data, creates the first administrator with a one-time
// password, and answers only to those signed in. A later start of a
// database its users emptied does not refill it.
func TestServeFirstStart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "yeonsok.db")
	base, stdout, stop := startServe(t, dbPath)
	client := &http.Client{}
	var sum summary
	if status := call(t, client, "GET", base+"/api/v1/summary", "", nil); status != http.StatusUnauthorized {
		t.Fatalf("summary without signing in: %d, want 401", status)
	}
	m := firstPassword.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("the first start prints no one-time password:\n%s", stdout.String())
	}
	form := url.Values{"login": {"admin"}, "password": {m[1]}}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).PostForm(base+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first sign-in: %d → %q, want the forced password change", resp.StatusCode, resp.Header.Get("Location"))
	}

	token := scriptToken(t, dbPath)
	if status := call(t, client, "GET", base+"/api/v1/summary", token, &sum); status != 200 || sum.Systems != 212 || sum.Facilities != 18 {
		t.Fatalf("first start shows %d systems in %d facilities (status %d), want 212 in 18", sum.Systems, sum.Facilities, status)
	}
	// Empty the inventory through the API, as a user might: the plan's
	// records that name systems and facilities (risks) first.
	for _, kind := range []string{"risks", "dependencies", "services", "systems", "facilities", "agencies"} {
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		call(t, client, "GET", base+"/api/v1/"+kind, token, &list)
		// Children before parents: agencies are listed parent first.
		for i := len(list.Items) - 1; i >= 0; i-- {
			if status := call(t, client, "DELETE", base+"/api/v1/"+kind+"/"+strconv.FormatInt(list.Items[i].ID, 10), token, nil); status != http.StatusNoContent {
				t.Fatalf("delete %s %d: %d", kind, list.Items[i].ID, status)
			}
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d after shutdown", code)
	}
	base, stdout, stop = startServe(t, dbPath)
	defer stop()
	if status := call(t, client, "GET", base+"/api/v1/summary", token, &sum); status != 200 || sum.Systems != 0 || sum.Facilities != 0 {
		t.Fatalf("restart refilled the emptied database: %d systems, %d facilities", sum.Systems, sum.Facilities)
	}
	if strings.Contains(stdout.String(), "one-time password") {
		t.Fatalf("a restart printed a new administrator password:\n%s", stdout.String())
	}
}

// With a certificate and key the tower serves HTTPS.
func TestServeHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := selfSignedCertificate(t, dir)
	base, _, stop := startServe(t, filepath.Join(dir, "yeonsok.db"), "--tls-cert", certFile, "--tls-key", keyFile)
	defer stop()
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("served at %s, want https", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if status := call(t, client, "GET", base+"/healthz", "", nil); status != 200 {
		t.Fatalf("healthz over TLS: %d", status)
	}
	if code, _, errOut := run(t, context.Background(), "serve", "--tls-cert", certFile, "--db", filepath.Join(dir, "x.db")); code != 1 || !strings.Contains(errOut, "go together") {
		t.Fatalf("certificate without key: exit %d %q", code, errOut)
	}
}

func selfSignedCertificate(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "yeonsok test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
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

// With YEONSOK_OIDC_* set, serve says single sign-on is on and reads the
// provider (a test provider over TLS, trusted through the CA file) in the
// background, again and again while it is down: once it answers, the login
// page's button leads there.
func TestServeSingleSignOn(t *testing.T) {
	dir := t.TempDir()
	idp := oidctest.New(t, oidctest.Config{RedirectURL: "https://yeonsok.example.go.kr/login/sso/callback"})
	idp.Update(func(s *oidctest.Settings) { s.Down = true })
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, idp.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"YEONSOK_OIDC_ISSUER": idp.URL, "YEONSOK_OIDC_CLIENT_ID": idp.ClientID,
		"YEONSOK_OIDC_CLIENT_SECRET": idp.ClientSecret, "YEONSOK_OIDC_REDIRECT_URL": idp.RedirectURL, "YEONSOK_OIDC_CA_FILE": caFile,
		"YEONSOK_OIDC_LOGIN_CLAIM": "preferred_username"} {
		t.Setenv(k, v)
	}
	defer func(every time.Duration) { ssoRetryEvery = every }(ssoRetryEvery)
	ssoRetryEvery = 20 * time.Millisecond
	base, stdout, stop := startServe(t, filepath.Join(dir, "yeonsok.db"))
	defer stop()
	if !strings.Contains(stdout.String(), "Single sign-on is on, through "+idp.URL+"\n") {
		t.Fatalf("serve does not say single sign-on is on:\n%s", stdout.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	sso := func() (int, string) {
		resp, err := client.Get(base + "/login/sso")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	if status, _ := sso(); status != http.StatusInternalServerError {
		t.Fatalf("/login/sso while the provider is down: %d, want 500", status)
	}
	idp.Update(func(s *oidctest.Settings) { s.Down = false })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		status, where := sso()
		if status == http.StatusSeeOther && strings.HasPrefix(where, idp.URL+"/authorize?") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/login/sso still answers %d to %q once the provider is up", status, where)
		}
	}

	t.Setenv("YEONSOK_OIDC_CA_FILE", filepath.Join(dir, "missing.pem"))
	if code, _, errOut := run(t, context.Background(), "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "x.db")); code != 1 || !strings.Contains(errOut, "YEONSOK_OIDC_CA_FILE") {
		t.Fatalf("a CA file that is not there: exit %d %q", code, errOut)
	}
}
