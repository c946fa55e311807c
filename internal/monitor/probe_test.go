package monitor

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// targetServer is the kind of endpoint an agency runs: pages that answer,
// fail, dawdle, hang, redirect and echo what they were asked.
func targetServer(t testing.TB) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "service OK, version 3")
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/created", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(w, "service OK")
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusFound)
	})
	mux.HandleFunc("/moved-to-fail", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/fail", http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 2<<20))
		io.WriteString(w, "TAIL")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.Host+" "+r.Header.Get("X-Token")+" "+r.UserAgent())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// closedAddr is a loopback address nobody listens on.
func closedAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// sameReason compares a reason with what a test wants; a want ending in
// "*" is a prefix.
func sameReason(got, want string) bool {
	if p, ok := strings.CutSuffix(want, "*"); ok {
		return strings.HasPrefix(got, p)
	}
	return got == want
}

func TestProbeHTTP(t *testing.T) {
	srv := targetServer(t)
	scenarios := []struct {
		name   string
		check  Check // Kind and Target filled from path
		path   string
		reason string // "" when up
	}{
		{"answers", Check{}, "/ok", ""},
		{"server error", Check{}, "/fail", "status 503 (want 200–399)"},
		{"201 is up by default", Check{}, "/created", ""},
		{"status not in the list", Check{ExpectStatus: []int{200, 204}}, "/fail", "status 503 (want 200, 204)"},
		{"status in the list", Check{ExpectStatus: []int{503}}, "/fail", ""},
		{"body contains", Check{BodyContains: "OK"}, "/ok", ""},
		{"body lacks", Check{BodyContains: "DOWN"}, "/ok", `body lacks "DOWN"`},
		{"long wanted text is cut", Check{BodyContains: strings.Repeat("가", 50)}, "/ok", `body lacks "` + strings.Repeat("가", 40) + `…"`},
		{"body matches", Check{BodyMatches: `version \d+$`}, "/ok", ""},
		{"body does not match", Check{BodyMatches: `^down`}, "/ok", `body does not match "^down"`},
		{"bad body pattern", Check{BodyMatches: `(`}, "/ok", "bad body pattern: *"},
		{"body read up to 1 MiB", Check{BodyContains: "xxxx"}, "/big", ""},
		{"nothing past 1 MiB", Check{BodyContains: "TAIL"}, "/big", `body lacks "TAIL"`},
		{"fast enough", Check{MaxLatency: 5 * time.Second}, "/slow", ""},
		{"too slow", Check{MaxLatency: 20 * time.Millisecond}, "/slow", "slow: *"},
		{"hangs", Check{Timeout: 100 * time.Millisecond}, "/hang", "timeout after 100ms"},
		{"redirect not followed is up", Check{}, "/moved", ""},
		{"redirect not followed is not 200", Check{ExpectStatus: []int{200}}, "/moved", "status 302 (want 200)"},
		{"redirect followed", Check{ExpectStatus: []int{200}, FollowRedirects: true, BodyContains: "OK"}, "/moved", ""},
		{"redirect followed to a failure", Check{FollowRedirects: true}, "/moved-to-fail", "status 503 (want 200–399)"},
		{"HEAD", Check{Method: http.MethodHead}, "/ok", ""},
		{"method and headers", Check{Method: http.MethodPost, Headers: map[string]string{"X-Token": "tok", "Host": "intranet.example"}, BodyContains: "POST intranet.example tok yeonsok-monitor"}, "/echo", ""},
		{"own user agent", Check{Headers: map[string]string{"User-Agent": "probe/2"}, BodyContains: "probe/2"}, "/echo", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			c := s.check
			c.ID, c.Kind, c.Target = 7, KindHTTP, srv.URL+s.path
			r := Probe(context.Background(), c)
			if r.OK != (s.reason == "") || !sameReason(r.Reason, s.reason) {
				t.Fatalf("OK %v reason %q, want reason %q", r.OK, r.Reason, s.reason)
			}
			if r.CheckID != 7 || r.Started.IsZero() || r.Latency <= 0 {
				t.Errorf("result %+v lacks its check, start or latency", r)
			}
		})
	}
}

func TestProbeHTTPSlowSaysHowSlow(t *testing.T) {
	srv := targetServer(t)
	r := Probe(context.Background(), Check{Kind: KindHTTP, Target: srv.URL + "/slow", MaxLatency: 20 * time.Millisecond})
	if !strings.HasSuffix(r.Reason, "(max 20ms)") || r.Latency < 100*time.Millisecond {
		t.Errorf("reason %q latency %v, want the latency over the 20ms maximum", r.Reason, r.Latency)
	}
}

// The context bounds a probe as much as its timeout does.
func TestProbeHTTPContextDeadline(t *testing.T) {
	srv := targetServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := Probe(ctx, Check{Kind: KindHTTP, Target: srv.URL + "/hang"})
	if r.OK || !strings.HasPrefix(r.Reason, "timeout after 1") || time.Since(start) > 2*time.Second {
		t.Errorf("reason %q after %v, want a timeout at the context's deadline", r.Reason, time.Since(start))
	}
}

// Every probe dials anew, so a listener that has gone while a pooled
// connection lingers is seen at once.
func TestProbeHTTPFreshConnection(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := Check{Kind: KindHTTP, Target: srv.URL}
	for range 3 {
		if r := Probe(context.Background(), c); !r.OK {
			t.Fatalf("down: %s", r.Reason)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections for 3 probes", n)
	}
	srv.Listener.Close() // the server's open connections stay
	if r := Probe(context.Background(), c); r.OK || r.Reason != "connection refused" {
		t.Errorf("after the listener closed: OK %v reason %q, want connection refused", r.OK, r.Reason)
	}
}

func TestProbeHTTPRefused(t *testing.T) {
	r := Probe(context.Background(), Check{Kind: KindHTTP, Target: "http://" + closedAddr(t) + "/"})
	if r.OK || r.Reason != "connection refused" {
		t.Errorf("OK %v reason %q, want connection refused", r.OK, r.Reason)
	}
}

func TestProbeUnknownKind(t *testing.T) {
	r := Probe(context.Background(), Check{Kind: "ftp", Target: "ftp://example"})
	if r.OK || r.Reason != `unknown kind "ftp"` {
		t.Errorf("OK %v reason %q", r.OK, r.Reason)
	}
}

// testCert makes a self-signed certificate (its own CA) for hosts, valid
// between the times; it returns it for a server and as PEM for a check.
func testCert(t testing.TB, notBefore, notAfter time.Time, hosts ...string) (tls.Certificate, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "yeonsok test " + hosts[0]},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemText
}

// tlsServer serves HTTPS with cert.
func tlsServer(t testing.TB, cert tls.Certificate) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure OK")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes refused on purpose
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestProbeHTTPS(t *testing.T) {
	now := time.Now()
	cert, caPEM := testCert(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), "127.0.0.1")
	srv := tlsServer(t, cert)
	soon, soonPEM := testCert(t, now.Add(-time.Hour), now.Add(10*24*time.Hour+time.Hour), "127.0.0.1")
	soonSrv := tlsServer(t, soon)
	_, otherPEM := testCert(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1")
	expired, expiredPEM := testCert(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "127.0.0.1")
	expiredSrv := tlsServer(t, expired)
	scenarios := []struct {
		name    string
		check   Check
		srv     *httptest.Server
		reason  string
		warning string
	}{
		{"unknown authority", Check{}, srv, "certificate signed by unknown authority", ""},
		{"internal CA", Check{CACertPEM: caPEM, BodyContains: "secure OK"}, srv, "", ""},
		{"another CA", Check{CACertPEM: otherPEM}, srv, "certificate signed by unknown authority", ""},
		{"no verification", Check{SkipVerify: true}, srv, "", ""},
		{"not a PEM", Check{CACertPEM: "-----BEGIN nonsense"}, srv, "bad CA certificate: no certificate in the CA PEM", ""},
		{"expired", Check{CACertPEM: expiredPEM}, expiredSrv, "certificate expired on " + now.Add(-24*time.Hour).UTC().Format(time.DateOnly), ""},
		{"expired, unverified", Check{SkipVerify: true}, expiredSrv, "", "certificate expired on " + now.Add(-24*time.Hour).UTC().Format(time.DateOnly)},
		{"expiring soon warns", Check{CACertPEM: soonPEM}, soonSrv, "", "certificate expires in 10 days"},
		{"warning days of the check", Check{CACertPEM: soonPEM, WarnDays: 7}, soonSrv, "", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			c := s.check
			c.Kind, c.Target = KindHTTP, s.srv.URL
			r := Probe(context.Background(), c)
			if r.OK != (s.reason == "") || r.Reason != s.reason || r.Warning != s.warning {
				t.Fatalf("OK %v reason %q warning %q, want reason %q warning %q", r.OK, r.Reason, r.Warning, s.reason, s.warning)
			}
		})
	}
}

func TestProbeTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close()
		}
	}()
	c := Check{Kind: KindTCP, Target: "tcp://" + ln.Addr().String()}
	for range 2 {
		if r := Probe(context.Background(), c); !r.OK || r.Reason != "" {
			t.Fatalf("listening: OK %v reason %q", r.OK, r.Reason)
		}
	}
	// The kernel completes a connection before Accept returns it: wait
	// for both to be taken before closing, so each probe is one accept.
	for deadline := time.Now().Add(2 * time.Second); accepted.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	ln.Close()
	if r := Probe(context.Background(), c); r.OK || r.Reason != "connection refused" {
		t.Errorf("closed: OK %v reason %q, want connection refused", r.OK, r.Reason)
	}
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections accepted for 2 probes", n)
	}
}

func TestProbeTLS(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	good, goodPEM := testCert(t, now.Add(-day), now.Add(90*day), "127.0.0.1")
	soon, soonPEM := testCert(t, now.Add(-day), now.Add(12*day+time.Hour), "127.0.0.1")
	expired, expiredPEM := testCert(t, now.Add(-90*day), now.Add(-2*day), "127.0.0.1")
	future, futurePEM := testCert(t, now.Add(3*day), now.Add(90*day), "127.0.0.1")
	named, namedPEM := testCert(t, now.Add(-day), now.Add(90*day), "other.example")
	scenarios := []struct {
		name    string
		cert    tls.Certificate
		check   Check
		reason  string
		warning string
	}{
		{"valid", good, Check{CACertPEM: goodPEM}, "", ""},
		{"unknown authority", good, Check{}, "certificate signed by unknown authority", ""},
		{"no verification", good, Check{SkipVerify: true}, "", ""},
		{"expires soon", soon, Check{CACertPEM: soonPEM}, "", "certificate expires in 12 days"},
		{"expires soon, unverified", soon, Check{SkipVerify: true}, "", "certificate expires in 12 days"},
		{"expires within the check's days", soon, Check{CACertPEM: soonPEM, WarnDays: 13}, "", "certificate expires in 12 days"},
		{"expires after the check's days", soon, Check{CACertPEM: soonPEM, WarnDays: 12}, "", ""},
		{"expired", expired, Check{CACertPEM: expiredPEM}, "certificate expired on " + now.Add(-2*day).UTC().Format(time.DateOnly), ""},
		{"expired, unverified", expired, Check{SkipVerify: true}, "certificate expired on " + now.Add(-2*day).UTC().Format(time.DateOnly), ""},
		{"not yet valid", future, Check{CACertPEM: futurePEM}, "certificate not valid before " + now.Add(3*day).UTC().Format(time.DateOnly), ""},
		{"another host", named, Check{CACertPEM: namedPEM}, "certificate not valid for 127.0.0.1", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			srv := tlsServer(t, s.cert)
			c := s.check
			c.Kind, c.Target = KindTLS, "tls://"+srv.Listener.Addr().String()
			r := Probe(context.Background(), c)
			if r.OK != (s.reason == "") || r.Reason != s.reason || r.Warning != s.warning {
				t.Fatalf("OK %v reason %q warning %q, want reason %q warning %q", r.OK, r.Reason, r.Warning, s.reason, s.warning)
			}
		})
	}
}

// A certificate that runs out while it is watched turns the check down.
func TestProbeTLSCertificateRunsOut(t *testing.T) {
	now := time.Now()
	end := now.Truncate(time.Second).Add(2 * time.Second)
	cert, caPEM := testCert(t, now.Add(-time.Hour), end, "127.0.0.1")
	srv := tlsServer(t, cert)
	c := Check{Kind: KindTLS, Target: "tls://" + srv.Listener.Addr().String(), CACertPEM: caPEM}
	if r := Probe(context.Background(), c); !r.OK || r.Warning != "certificate expires within a day" {
		t.Fatalf("before the end: OK %v reason %q warning %q", r.OK, r.Reason, r.Warning)
	}
	time.Sleep(time.Until(end) + 1100*time.Millisecond)
	want := "certificate expired on " + end.UTC().Format(time.DateOnly)
	if r := Probe(context.Background(), c); r.OK || r.Reason != want {
		t.Errorf("after the end: OK %v reason %q, want %q", r.OK, r.Reason, want)
	}
}

func TestProbeTLSNotTLS(t *testing.T) {
	srv := targetServer(t) // plain HTTP
	r := Probe(context.Background(), Check{Kind: KindTLS, Target: "tls://" + srv.Listener.Addr().String(), SkipVerify: true})
	if r.OK || r.Reason != "not TLS" {
		t.Errorf("OK %v reason %q, want not TLS", r.OK, r.Reason)
	}
}

func TestReason(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	scenarios := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"a finding", context.Background(), failure("status 500 (want 200)"), "status 500 (want 200)"},
		{"refused", context.Background(), &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, "connection refused"},
		{"reset", context.Background(), &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, "connection reset"},
		{"unreachable", context.Background(), &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EHOSTUNREACH}, "host unreachable"},
		{"closed", context.Background(), io.ErrUnexpectedEOF, "connection closed"},
		{"no such host", context.Background(), &net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}, "no such host"},
		{"dns trouble", context.Background(), &net.DNSError{Err: "server misbehaving", Name: "x.example"}, "dns: server misbehaving"},
		{"dns server gone", context.Background(), &net.DNSError{Err: "read udp 127.0.0.1:5->127.0.0.1:53: read: connection refused"}, "dns: connection refused"},
		{"cancelled", done, context.Canceled, "cancelled"},
		{"last words of anything else", context.Background(), &net.OpError{Op: "dial", Net: "tcp", Err: io.ErrShortWrite}, "short write"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := reason(s.ctx, s.err, 10*time.Second); got != s.want {
				t.Errorf("reason %q, want %q", got, s.want)
			}
		})
	}
}

func TestHostPort(t *testing.T) {
	for target, want := range map[string]string{
		"tcp://db.example:5432":   "db.example:5432",
		"tls://10.0.0.1:443/":     "10.0.0.1:443",
		"tcp://[::1]:22?x=1":      "[::1]:22",
		"dns://www.example.go.kr": "www.example.go.kr",
	} {
		if got := hostPort(target); got != want {
			t.Errorf("hostPort(%q) = %q, want %q", target, got, want)
		}
	}
}
