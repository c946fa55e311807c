package monitor

import (
	"crypto/x509"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// Bounds of a check's settings. A zero setting takes its default.
const (
	MinInterval    = 5 * time.Second
	MaxInterval    = time.Hour
	MinTimeout     = time.Second
	MaxTimeout     = time.Minute
	MaxInARow      = 10 // FailuresToDown, SuccessesToUp
	MaxWarnDays    = 365
	MaxListEntries = 20 // headers, statuses, answers
)

// Methods and RecordTypes are what an HTTP and a DNS check may use.
var (
	Methods     = []string{"GET", "HEAD", "POST", "OPTIONS"}
	RecordTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "TXT"}
)

// WithDefaults returns c with every zero setting replaced by its default
// for a system of the grade: the check as the engine runs it. A timeout
// longer than the interval is cut to the interval, so that a probe ends
// before the next is due.
func (c Check) WithDefaults(grade int) Check {
	if c.Interval == 0 {
		c.Interval = DefaultInterval(grade)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	c.Timeout = min(c.Timeout, c.Interval)
	if c.FailuresToDown == 0 {
		c.FailuresToDown = DefaultFailures
	}
	if c.SuccessesToUp == 0 {
		c.SuccessesToUp = DefaultSuccesses
	}
	switch c.Kind {
	case KindHTTP:
		if c.Method == "" {
			c.Method = "GET"
		}
	case KindDNS:
		if c.RecordType == "" {
			c.RecordType = "A"
		}
	case KindTLS:
		if c.WarnDays == 0 {
			c.WarnDays = DefaultWarnDays
		}
	}
	return c
}

// Normalize trims what people type and writes method and record type in
// capitals.
func (c *Check) Normalize() {
	c.Method = strings.ToUpper(strings.TrimSpace(c.Method))
	c.RecordType = strings.ToUpper(strings.TrimSpace(c.RecordType))
	c.DNSServer = strings.TrimSpace(c.DNSServer)
	c.CACertPEM = strings.TrimSpace(c.CACertPEM)
	for i, a := range c.ExpectAnswers {
		c.ExpectAnswers[i] = strings.TrimSpace(a)
	}
	c.ExpectAnswers = slices.DeleteFunc(c.ExpectAnswers, func(a string) bool { return a == "" })
	// Empty lists are no lists, so that a form posting nothing changes
	// nothing.
	if len(c.Headers) == 0 {
		c.Headers = nil
	}
	if len(c.ExpectStatus) == 0 {
		c.ExpectStatus = nil
	}
	if len(c.ExpectAnswers) == 0 {
		c.ExpectAnswers = nil
	}
}

// Validate checks a check's settings, every problem by its field (the
// JSON name). Settings of another kind of check are refused rather than
// kept unused, so that nobody believes a TCP check follows redirects.
func (c *Check) Validate() inventory.Problems {
	var p inventory.Problems
	p.OneOf("kind", c.Kind, []string{KindHTTP, KindTCP, KindDNS, KindTLS})
	between := func(field string, d, lo, hi time.Duration, key string) {
		if d != 0 && (d < lo || d > hi) {
			p.Add(field, key)
		}
	}
	before := len(p)
	between("interval", c.Interval, MinInterval, MaxInterval, "monitor.invalid.interval")
	between("timeout", c.Timeout, MinTimeout, MaxTimeout, "monitor.invalid.timeout")
	if len(p) == before && c.Interval != 0 && c.Timeout > c.Interval {
		p.Add("timeout", "monitor.invalid.timeout_over_interval")
	}
	if c.FailuresToDown < 0 || c.FailuresToDown > MaxInARow {
		p.Add("failures_to_down", "monitor.invalid.in_a_row", MaxInARow)
	}
	if c.SuccessesToUp < 0 || c.SuccessesToUp > MaxInARow {
		p.Add("successes_to_up", "monitor.invalid.in_a_row", MaxInARow)
	}

	// The settings of each kind: whether one is set, and its checks.
	http := c.Kind == KindHTTP
	only := func(field string, set, allowed bool) bool {
		if set && !allowed {
			p.Add(field, "monitor.invalid.not_for_kind", locale.Key("endpoint."+c.Kind))
			return false
		}
		return set
	}
	if only("method", c.Method != "", http) {
		p.OneOf("method", c.Method, Methods)
	}
	if only("headers", len(c.Headers) > 0, http) {
		if len(c.Headers) > MaxListEntries {
			p.Add("headers", "invalid.too_many", MaxListEntries)
		}
		for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
			if value := c.Headers[name]; !headerName(name) || strings.ContainsAny(value, "\r\n\x00") || len(value) > inventory.MaxShortText {
				p.Add("headers", "monitor.invalid.header", name)
			}
		}
	}
	if only("expect_status", len(c.ExpectStatus) > 0, http) {
		if len(c.ExpectStatus) > MaxListEntries {
			p.Add("expect_status", "invalid.too_many", MaxListEntries)
		}
		for _, code := range c.ExpectStatus {
			if code < 100 || code > 599 {
				p.Add("expect_status", "monitor.invalid.status", code)
			}
		}
	}
	if only("body_contains", c.BodyContains != "", http) {
		p.Text("body_contains", c.BodyContains, inventory.MaxShortText)
	}
	if only("body_matches", c.BodyMatches != "", http) {
		p.Text("body_matches", c.BodyMatches, inventory.MaxShortText)
		if _, err := regexp.Compile(c.BodyMatches); err != nil {
			p.Add("body_matches", "monitor.invalid.regexp", c.BodyMatches)
		}
	}
	if only("max_latency", c.MaxLatency != 0, http) {
		timeout := c.Timeout
		if timeout == 0 {
			timeout = DefaultTimeout
		}
		if c.MaxLatency < 0 || c.MaxLatency >= timeout {
			p.Add("max_latency", "monitor.invalid.max_latency")
		}
	}
	only("follow_redirects", c.FollowRedirects, http)
	tls := http || c.Kind == KindTLS
	if only("ca_cert_pem", c.CACertPEM != "", tls) {
		p.Text("ca_cert_pem", c.CACertPEM, inventory.MaxLongText)
		if !x509.NewCertPool().AppendCertsFromPEM([]byte(c.CACertPEM)) {
			p.Add("ca_cert_pem", "monitor.invalid.ca_cert")
		}
	}
	only("skip_verify", c.SkipVerify, tls)

	dns := c.Kind == KindDNS
	if only("dns_server", c.DNSServer != "", dns) {
		if host, port, err := net.SplitHostPort(c.DNSServer); err != nil || host == "" || !validPort(port) {
			p.Add("dns_server", "monitor.invalid.dns_server", c.DNSServer)
		}
	}
	if only("record_type", c.RecordType != "", dns) {
		p.OneOf("record_type", c.RecordType, RecordTypes)
	}
	if only("expect_answers", len(c.ExpectAnswers) > 0, dns) {
		if len(c.ExpectAnswers) > MaxListEntries {
			p.Add("expect_answers", "invalid.too_many", MaxListEntries)
		}
		for _, a := range c.ExpectAnswers {
			p.Text("expect_answers", a, inventory.MaxShortText)
		}
	}
	if only("warn_days", c.WarnDays != 0, c.Kind == KindTLS) && (c.WarnDays < 0 || c.WarnDays > MaxWarnDays) {
		p.Add("warn_days", "monitor.invalid.warn_days", MaxWarnDays)
	}
	return p
}

// headerName reports whether name is an HTTP header name (RFC 9110 token).
func headerName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// probeSettings are the settings only some kinds of check use, kept in one
// JSON column: they are read and written whole, never queried.
type probeSettings struct {
	Method          string            `json:"method,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"`
	ExpectStatus    []int             `json:"expect_status,omitempty"`
	BodyContains    string            `json:"body_contains,omitempty"`
	BodyMatches     string            `json:"body_matches,omitempty"`
	MaxLatency      time.Duration     `json:"max_latency,omitempty"`
	FollowRedirects bool              `json:"follow_redirects,omitempty"`
	CACertPEM       string            `json:"ca_cert_pem,omitempty"`
	SkipVerify      bool              `json:"skip_verify,omitempty"`
	DNSServer       string            `json:"dns_server,omitempty"`
	RecordType      string            `json:"record_type,omitempty"`
	ExpectAnswers   []string          `json:"expect_answers,omitempty"`
	WarnDays        int               `json:"warn_days,omitempty"`
}

func settingsOf(c *Check) probeSettings {
	return probeSettings{Method: c.Method, Headers: c.Headers, ExpectStatus: c.ExpectStatus, BodyContains: c.BodyContains,
		BodyMatches: c.BodyMatches, MaxLatency: c.MaxLatency, FollowRedirects: c.FollowRedirects, CACertPEM: c.CACertPEM,
		SkipVerify: c.SkipVerify, DNSServer: c.DNSServer, RecordType: c.RecordType, ExpectAnswers: c.ExpectAnswers, WarnDays: c.WarnDays}
}

func (p probeSettings) apply(c *Check) {
	c.Method, c.Headers, c.ExpectStatus, c.BodyContains = p.Method, p.Headers, p.ExpectStatus, p.BodyContains
	c.BodyMatches, c.MaxLatency, c.FollowRedirects, c.CACertPEM = p.BodyMatches, p.MaxLatency, p.FollowRedirects, p.CACertPEM
	c.SkipVerify, c.DNSServer, c.RecordType, c.ExpectAnswers, c.WarnDays = p.SkipVerify, p.DNSServer, p.RecordType, p.ExpectAnswers, p.WarnDays
}
