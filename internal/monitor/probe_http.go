package monitor

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody is how much of an answer a body rule reads; what a page says
// past its first MiB is not looked at.
const maxBody = 1 << 20

// userAgent names the prober in the endpoint's access log.
const userAgent = "yeonsok-monitor"

// probeHTTP: the endpoint answers the check's request with an expected
// status and a body that passes its rules. Over HTTPS it warns, as a TLS
// check does, when the certificate is near its end.
func probeHTTP(ctx context.Context, c *Check, now time.Time) (warning string, err error) {
	t := trustFor(c)
	if t.err != nil {
		return "", t.err
	}
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Target, nil)
	if err != nil {
		return "", failure("bad request: " + err.Error())
	}
	for k, v := range c.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = []string{userAgent}
	}
	client := t.stay
	if c.FollowRedirects {
		client = t.follow
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	// The transport keeps no connection, so closing without draining
	// costs nothing.
	defer resp.Body.Close()

	if !statusExpected(c.ExpectStatus, resp.StatusCode) {
		return "", failure(statusReason(c.ExpectStatus, resp.StatusCode))
	}
	if c.BodyContains != "" || c.BodyMatches != "" {
		if err := checkBody(c, resp.Body); err != nil {
			return "", err
		}
	}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		warning = expiryWarning(c, resp.TLS.PeerCertificates[0], now)
	}
	return warning, nil
}

// statusExpected: the check's statuses, or any success or redirect when
// it names none (a redirect not followed still shows the server answers).
func statusExpected(want []int, got int) bool {
	if len(want) == 0 {
		return got >= 200 && got <= 399
	}
	for _, w := range want {
		if w == got {
			return true
		}
	}
	return false
}

func statusReason(want []int, got int) string {
	var b strings.Builder
	b.WriteString("status ")
	b.WriteString(strconv.Itoa(got))
	b.WriteString(" (want ")
	if len(want) == 0 {
		b.WriteString("200–399")
	}
	for i, w := range want {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(w))
	}
	b.WriteString(")")
	return b.String()
}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// checkBody reads up to maxBody of the answer and applies the check's
// body rules.
func checkBody(c *Check, body io.Reader) error {
	var re *regexp.Regexp
	if c.BodyMatches != "" {
		var err error
		if re, err = compiled(c.BodyMatches); err != nil {
			return failure("bad body pattern: " + err.Error())
		}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer bodyBuffers.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(body, maxBody)); err != nil {
		return err
	}
	if c.BodyContains != "" && !bytes.Contains(buf.Bytes(), []byte(c.BodyContains)) {
		return failure("body lacks " + quoteShort(c.BodyContains))
	}
	if re != nil && !re.Match(buf.Bytes()) {
		return failure("body does not match " + quoteShort(c.BodyMatches))
	}
	return nil
}

// quoteShort quotes what a rule looked for, cut to a length a status
// line can show.
func quoteShort(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// Body patterns are compiled once: the same few patterns are probed
// every interval.
var (
	patternsMu sync.RWMutex
	patterns   = map[string]*regexp.Regexp{}
)

func compiled(pattern string) (*regexp.Regexp, error) {
	patternsMu.RLock()
	re := patterns[pattern]
	patternsMu.RUnlock()
	if re != nil {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	patternsMu.Lock()
	patterns[pattern] = re
	patternsMu.Unlock()
	return re, nil
}

// trust is what a check's certificate settings (its CA, or no
// verification) make of the HTTP clients and the roots a TLS check
// verifies against. Building a transport per probe would cost CPU; one
// per distinct setting is shared, and none keeps a connection.
type trust struct {
	roots        *x509.CertPool // nil: the system's
	err          error          // the CA PEM does not parse
	follow, stay *http.Client   // following redirects or not
}

type trustKey struct {
	caPEM      string
	skipVerify bool
}

var (
	trustsMu sync.RWMutex
	trusts   = map[trustKey]*trust{}
)

func trustFor(c *Check) *trust {
	k := trustKey{c.CACertPEM, c.SkipVerify}
	trustsMu.RLock()
	t := trusts[k]
	trustsMu.RUnlock()
	if t != nil {
		return t
	}
	trustsMu.Lock()
	defer trustsMu.Unlock()
	if t := trusts[k]; t != nil {
		return t
	}
	t = newTrust(k)
	trusts[k] = t
	return t
}

func newTrust(k trustKey) *trust {
	roots, err := rootsFor(k.caPEM)
	if err != nil {
		return &trust{err: failure("bad CA certificate: " + err.Error())}
	}
	cfg := tlsBase()
	cfg.RootCAs = roots
	cfg.InsecureSkipVerify = k.skipVerify
	transport := &http.Transport{
		// No proxy from the environment: a probe measures the direct
		// path from its site to the endpoint.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        cfg,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &trust{
		roots:  roots,
		follow: &http.Client{Transport: transport},
		stay: &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}
