// Package monitor watches the systems' endpoints (SPEC §4.5, the plan's
// "no monitoring of anomalies"): checks of several kinds probed from the
// tower and from agents at other sites, each endpoint's up/down state, the
// interruptions they add up to, and uptime computed from those
// interruptions as evidence. It owns its types, rules and SQL.
//
// A check is one endpoint of a system (inventory.Endpoint: a URL whose
// scheme says the kind) with its settings. Checks are keyed by system and
// target, not by the inventory's endpoint rows, which a system's update
// writes anew; so history survives an edit of the system.
package monitor

import "time"

// Kinds of check, as inventory.ParseEndpoint names them.
const (
	KindHTTP = "http" // http:// and https://
	KindTCP  = "tcp"  // tcp://host:port: a connection is accepted
	KindDNS  = "dns"  // dns://name: the name resolves (to the expected answers)
	KindTLS  = "tls"  // tls://host:port: the certificate is valid and not about to expire
)

// Check is one endpoint to probe and how.
type Check struct {
	ID       int64  `json:"id"`
	SystemID int64  `json:"system_id"`
	AgencyID int64  `json:"agency_id"`
	Kind     string `json:"kind"`
	Target   string `json:"target"`
	// Active is false once the endpoint has left the inventory: the check
	// is no longer probed, and its history stays.
	Active bool `json:"active"`

	// Interval is how often it is probed; Timeout how long one probe may
	// take. Zero: the default of the system's grade (DefaultInterval) and
	// DefaultTimeout.
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
	// FailuresToDown and SuccessesToUp are how many results in a row turn
	// the endpoint down and up again; zero: DefaultFailures, DefaultSuccesses.
	FailuresToDown int `json:"failures_to_down"`
	SuccessesToUp  int `json:"successes_to_up"`

	// HTTP: method (GET when empty), headers, the statuses that count as
	// up (empty: 200–399), what the body must contain or match (a regular
	// expression), the longest answer that still counts as up, whether to
	// follow redirects, and for internal certificates a CA (PEM) or no
	// verification at all.
	Method          string            `json:"method,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"`
	ExpectStatus    []int             `json:"expect_status,omitempty"`
	BodyContains    string            `json:"body_contains,omitempty"`
	BodyMatches     string            `json:"body_matches,omitempty"`
	MaxLatency      time.Duration     `json:"max_latency,omitempty"`
	FollowRedirects bool              `json:"follow_redirects"`
	CACertPEM       string            `json:"ca_cert_pem,omitempty"`
	SkipVerify      bool              `json:"skip_verify"`

	// DNS: the server to ask (host:port; empty: the system resolver), the
	// record type (A when empty) and the answers expected (empty: any).
	DNSServer     string   `json:"dns_server,omitempty"`
	RecordType    string   `json:"record_type,omitempty"`
	ExpectAnswers []string `json:"expect_answers,omitempty"`

	// TLS: how many days before the certificate expires the check warns
	// (zero: DefaultWarnDays); an expired certificate is down.
	WarnDays int `json:"warn_days,omitempty"`
}

// Defaults.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultFailures  = 3
	DefaultSuccesses = 2
	DefaultWarnDays  = 30
)

// DefaultInterval is the probing interval of a system of the grade: the
// more critical, the more often (grade 1: 30 s, 2: 60 s, 3: 2 min, other: 5 min).
func DefaultInterval(grade int) time.Duration {
	switch grade {
	case 1:
		return 30 * time.Second
	case 2:
		return time.Minute
	case 3:
		return 2 * time.Minute
	}
	return 5 * time.Minute
}

// Result is what one probe of a check found from one vantage point.
type Result struct {
	CheckID int64  `json:"check_id"`
	Vantage string `json:"vantage"` // "tower" or an agent's name
	// Due is when the probe was scheduled, Started when it began: the gap
	// is the engine's lag.
	Due     time.Time     `json:"due"`
	Started time.Time     `json:"started"`
	Latency time.Duration `json:"latency"`
	OK      bool          `json:"ok"`
	// Reason says why a probe failed ("connection refused", "status 503",
	// "timeout after 10s"), in words an officer can act on; Warning what
	// is wrong while it still counts as up (a certificate expiring soon).
	Reason  string `json:"reason,omitempty"`
	Warning string `json:"warning,omitempty"`
}

// Vantage is the tower's own vantage point's name.
const Vantage = "tower"
