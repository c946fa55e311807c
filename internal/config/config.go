// Package config reads the tower's settings from environment variables,
// which command-line flags may override.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is what the tower needs to start.
type Config struct {
	// Addr is HOST:PORT to listen on (YEONSOK_ADDR).
	Addr string
	// Database is an SQLite file path or a postgres:// URL (YEONSOK_DATABASE_URL).
	Database string
	// LogLevel is debug, info, warn or error (YEONSOK_LOG_LEVEL).
	LogLevel string
	// TLSCert and TLSKey are PEM files; with both the tower serves HTTPS
	// (YEONSOK_TLS_CERT, YEONSOK_TLS_KEY).
	TLSCert, TLSKey string
	// PublicURL is the address people type when the tower sits behind a
	// reverse proxy that changes the Host header (YEONSOK_PUBLIC_URL); form
	// posts from that origin are accepted.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed (YEONSOK_TRUSTED_PROXIES,
	// comma-separated addresses or CIDR prefixes). Empty: none is.
	TrustedProxies []netip.Prefix
	// Account security (the plan's short-term tasks applied to the tower).
	LockoutDuration time.Duration // YEONSOK_LOCKOUT_DURATION, after five failed logins in a row
	InactiveAfter   time.Duration // YEONSOK_INACTIVE_DAYS, unused accounts are locked
	SessionIdle     time.Duration // YEONSOK_SESSION_IDLE
	SessionLifetime time.Duration // YEONSOK_SESSION_LIFETIME
	// TemporaryPasswordValid: a password an admin gave signs in this long
	// (YEONSOK_TEMPORARY_PASSWORD_HOURS).
	TemporaryPasswordValid time.Duration
	// OIDC is optional single sign-on; empty Issuer turns it off.
	OIDC OIDC
	// SMTP is the mail server notifications go through; empty Addr turns
	// email off (webhooks still go).
	SMTP SMTP
	// ReportWithin is how soon an agency must report an outage its probes
	// saw before it is flagged unreported (YEONSOK_INCIDENT_REPORT_WITHIN).
	ReportWithin time.Duration
	// RestoreTestEvery is how often each system's backups must be proven
	// by a restore test (YEONSOK_BACKUP_RESTORE_TEST_DAYS).
	RestoreTestEvery time.Duration
}

// SMTP configures the mail server incident notifications are sent through.
type SMTP struct {
	Addr     string // YEONSOK_SMTP_ADDR, host:port
	From     string // YEONSOK_SMTP_FROM, "연속 <yeonsok@moel.go.kr>" or a bare address
	Username string // YEONSOK_SMTP_USERNAME; no authentication when empty
	Password string // YEONSOK_SMTP_PASSWORD (or _FILE)
	StartTLS string // YEONSOK_SMTP_STARTTLS: auto (default), require or off
}

// HostPort splits Addr; FromEnv has checked it.
func (s SMTP) HostPort() (string, int) {
	host, port, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(port)
	return host, n
}

// OIDC configures sign-in through the ministry's OpenID Connect provider.
// Accounts still live in Yeonsok: the provider only proves who signs in.
type OIDC struct {
	Issuer       string   // YEONSOK_OIDC_ISSUER
	ClientID     string   // YEONSOK_OIDC_CLIENT_ID
	ClientSecret string   // YEONSOK_OIDC_CLIENT_SECRET (or _FILE)
	RedirectURL  string   // YEONSOK_OIDC_REDIRECT_URL; default PublicURL + /login/sso/callback
	LoginClaim   string   // YEONSOK_OIDC_LOGIN_CLAIM; required, no default
	Scopes       []string // YEONSOK_OIDC_SCOPES, space-separated
	CAFile       string   // YEONSOK_OIDC_CA_FILE: PEM roots for a provider with a private CA
}

// Defaults: loopback on 8080 and an SQLite file in the working directory.
const (
	DefaultAddr     = "127.0.0.1:8080"
	DefaultDatabase = "yeonsok.db"
)

// FromEnv reads the environment, falling back to the defaults. A setting
// that cannot be read — a *_FILE naming a missing file, a malformed
// duration — is an error: guessing would quietly start a different tower.
func FromEnv() (Config, error) {
	r := reader{}
	c := Config{
		Addr:                   r.text("YEONSOK_ADDR", DefaultAddr),
		Database:               r.text("YEONSOK_DATABASE_URL", DefaultDatabase),
		LogLevel:               r.text("YEONSOK_LOG_LEVEL", "info"),
		TLSCert:                r.text("YEONSOK_TLS_CERT", ""),
		TLSKey:                 r.text("YEONSOK_TLS_KEY", ""),
		PublicURL:              r.text("YEONSOK_PUBLIC_URL", ""),
		TrustedProxies:         r.prefixes("YEONSOK_TRUSTED_PROXIES"),
		LockoutDuration:        r.duration("YEONSOK_LOCKOUT_DURATION", 30*time.Minute),
		InactiveAfter:          time.Duration(r.number("YEONSOK_INACTIVE_DAYS", 90)) * 24 * time.Hour,
		SessionIdle:            r.duration("YEONSOK_SESSION_IDLE", 30*time.Minute),
		SessionLifetime:        r.duration("YEONSOK_SESSION_LIFETIME", 12*time.Hour),
		TemporaryPasswordValid: time.Duration(r.number("YEONSOK_TEMPORARY_PASSWORD_HOURS", 72)) * time.Hour,
		ReportWithin:           r.duration("YEONSOK_INCIDENT_REPORT_WITHIN", 30*time.Minute),
		RestoreTestEvery:       time.Duration(r.number("YEONSOK_BACKUP_RESTORE_TEST_DAYS", 180)) * 24 * time.Hour,
		OIDC: OIDC{
			Issuer:       r.text("YEONSOK_OIDC_ISSUER", ""),
			ClientID:     r.text("YEONSOK_OIDC_CLIENT_ID", ""),
			ClientSecret: r.text("YEONSOK_OIDC_CLIENT_SECRET", ""),
			RedirectURL:  r.text("YEONSOK_OIDC_REDIRECT_URL", ""),
			LoginClaim:   r.text("YEONSOK_OIDC_LOGIN_CLAIM", ""),
			Scopes:       strings.Fields(r.text("YEONSOK_OIDC_SCOPES", "")),
			CAFile:       r.text("YEONSOK_OIDC_CA_FILE", ""),
		},
		SMTP: SMTP{
			Addr:     r.text("YEONSOK_SMTP_ADDR", ""),
			From:     r.text("YEONSOK_SMTP_FROM", ""),
			Username: r.text("YEONSOK_SMTP_USERNAME", ""),
			Password: r.text("YEONSOK_SMTP_PASSWORD", ""),
			StartTLS: r.text("YEONSOK_SMTP_STARTTLS", "auto"),
		},
	}
	if r.err == nil && (c.TLSCert == "") != (c.TLSKey == "") {
		r.err = fmt.Errorf("config: YEONSOK_TLS_CERT and YEONSOK_TLS_KEY go together: give both or neither")
	}
	if r.err == nil && c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Scheme == "" || u.Host == "" {
			r.err = fmt.Errorf("config: YEONSOK_PUBLIC_URL %q is not an absolute URL like https://yeonsok.moel.go.kr", c.PublicURL)
		}
	}
	if r.err == nil && c.OIDC.Issuer != "" {
		switch {
		case c.OIDC.ClientID == "":
			r.err = fmt.Errorf("config: YEONSOK_OIDC_ISSUER is set but YEONSOK_OIDC_CLIENT_ID is not")
		case c.OIDC.LoginClaim == "":
			// No default: the claim links people to accounts, so it must be
			// one the provider's administrators set (an employee number),
			// not one its users may edit — the deployer has to name it.
			r.err = fmt.Errorf("config: single sign-on needs YEONSOK_OIDC_LOGIN_CLAIM: the ID-token claim holding the Yeonsok login, one that only the provider's administrators can set")
		case c.OIDC.RedirectURL == "" && c.PublicURL == "":
			r.err = fmt.Errorf("config: single sign-on needs YEONSOK_OIDC_REDIRECT_URL or YEONSOK_PUBLIC_URL (the callback address the provider sends people back to)")
		case c.OIDC.RedirectURL == "":
			c.OIDC.RedirectURL = strings.TrimSuffix(c.PublicURL, "/") + "/login/sso/callback"
		}
	}
	if r.err == nil {
		r.err = checkSMTP(c.SMTP)
	}
	return c, r.err
}

// checkSMTP refuses mail settings that could only fail at the first
// incident, when nobody is looking.
func checkSMTP(s SMTP) error {
	switch s.StartTLS {
	case "auto", "require", "off":
	default:
		return fmt.Errorf("config: YEONSOK_SMTP_STARTTLS=%q is not auto, require or off", s.StartTLS)
	}
	if s.Addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("config: YEONSOK_SMTP_ADDR=%q is not host:port like smtp.moel.go.kr:587", s.Addr)
	}
	if s.From == "" {
		return fmt.Errorf("config: YEONSOK_SMTP_ADDR is set but YEONSOK_SMTP_FROM is not (the sender address of notifications)")
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("config: YEONSOK_SMTP_FROM=%q is not an address like \"연속 <yeonsok@moel.go.kr>\": %v", s.From, err)
	}
	if (s.Username == "") != (s.Password == "") {
		return fmt.Errorf("config: YEONSOK_SMTP_USERNAME and YEONSOK_SMTP_PASSWORD go together: give both or neither")
	}
	return nil
}

// reader reads variables, keeping the first error.
type reader struct{ err error }

func (r *reader) text(name, fallback string) string {
	if r.err != nil {
		return fallback
	}
	// A *_FILE variant names a file holding the value, so that a database
	// password need not sit in the environment.
	if path := os.Getenv(name + "_FILE"); path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			r.err = fmt.Errorf("config: %s_FILE: %w", name, err)
			return fallback
		}
		return strings.TrimSpace(string(body))
	}
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return fallback
}

func (r *reader) duration(name string, fallback time.Duration) time.Duration {
	text := r.text(name, "")
	if text == "" || r.err != nil {
		return fallback
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 {
		r.err = fmt.Errorf("config: %s=%q is not a positive duration like 30m or 12h", name, text)
		return fallback
	}
	return d
}

func (r *reader) number(name string, fallback int) int {
	text := r.text(name, "")
	if text == "" || r.err != nil {
		return fallback
	}
	n, err := strconv.Atoi(text)
	if err != nil || n <= 0 {
		r.err = fmt.Errorf("config: %s=%q is not a positive whole number", name, text)
		return fallback
	}
	return n
}

func (r *reader) prefixes(name string) []netip.Prefix {
	var list []netip.Prefix
	for _, part := range strings.Split(r.text(name, ""), ",") {
		part = strings.TrimSpace(part)
		if part == "" || r.err != nil {
			continue
		}
		if !strings.Contains(part, "/") {
			addr, err := netip.ParseAddr(part)
			if err != nil {
				r.err = fmt.Errorf("config: %s: %q is not an address or CIDR prefix", name, part)
				return nil
			}
			list = append(list, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			r.err = fmt.Errorf("config: %s: %q is not an address or CIDR prefix", name, part)
			return nil
		}
		list = append(list, p.Masked())
	}
	return list
}
