package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "YEONSOK_") {
			t.Setenv(name, "")
		}
	}
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	c, err := FromEnv()
	if err != nil || c.Addr != DefaultAddr || c.Database != DefaultDatabase || c.LockoutDuration != 30*time.Minute ||
		c.InactiveAfter != 90*24*time.Hour || c.SessionIdle != 30*time.Minute || c.SessionLifetime != 12*time.Hour || c.TrustedProxies != nil {
		t.Fatalf("defaults: %+v %v", c, err)
	}
}

func TestFromEnv(t *testing.T) {
	clearEnv(t)
	secret := filepath.Join(t.TempDir(), "db")
	os.WriteFile(secret, []byte("postgres://u:pw@db/yeonsok\n"), 0o600)
	t.Setenv("YEONSOK_DATABASE_URL_FILE", secret)
	t.Setenv("YEONSOK_ADDR", "0.0.0.0:8443")
	t.Setenv("YEONSOK_TRUSTED_PROXIES", "10.0.0.5, 192.168.1.0/24")
	t.Setenv("YEONSOK_INACTIVE_DAYS", "30")
	t.Setenv("YEONSOK_LOCKOUT_DURATION", "1h")
	t.Setenv("YEONSOK_TEMPORARY_PASSWORD_HOURS", "24")
	c, err := FromEnv()
	if err != nil || c.Database != "postgres://u:pw@db/yeonsok" || c.Addr != "0.0.0.0:8443" || len(c.TrustedProxies) != 2 ||
		c.TrustedProxies[0].String() != "10.0.0.5/32" || c.TrustedProxies[1].String() != "192.168.1.0/24" ||
		c.InactiveAfter != 30*24*time.Hour || c.LockoutDuration != time.Hour || c.TemporaryPasswordValid != 24*time.Hour {
		t.Fatalf("from env: %+v %v", c, err)
	}
}

func TestBadSettingsStopTheStart(t *testing.T) {
	scenarios := map[string][2]string{
		"unreadable secret file":         {"YEONSOK_DATABASE_URL_FILE", "/nonexistent/secret"},
		"duration without unit":          {"YEONSOK_SESSION_IDLE", "30"},
		"negative inactive days":         {"YEONSOK_INACTIVE_DAYS", "-1"},
		"temporary password for a day":   {"YEONSOK_TEMPORARY_PASSWORD_HOURS", "1d"},
		"proxy that is no address":       {"YEONSOK_TRUSTED_PROXIES", "proxy.local"},
		"certificate without key":        {"YEONSOK_TLS_CERT", "/etc/yeonsok/cert.pem"},
		"relative public URL":            {"YEONSOK_PUBLIC_URL", "yeonsok.moel.go.kr"},
		"mail server without port":       {"YEONSOK_SMTP_ADDR", "smtp.moel.go.kr"},
		"mail server without from":       {"YEONSOK_SMTP_ADDR", "smtp.moel.go.kr:587"},
		"unknown STARTTLS mode":          {"YEONSOK_SMTP_STARTTLS", "sometimes"},
		"report time without unit":       {"YEONSOK_INCIDENT_REPORT_WITHIN", "30"},
		"restore test days not a number": {"YEONSOK_BACKUP_RESTORE_TEST_DAYS", "half a year"},
	}
	for name, kv := range scenarios {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(kv[0], kv[1])
			if c, err := FromEnv(); err == nil {
				t.Fatalf("%s=%s accepted: %+v", kv[0], kv[1], c)
			}
		})
	}
}

func TestSingleSignOnCallbackDefaultsToThePublicURL(t *testing.T) {
	clearEnv(t)
	t.Setenv("YEONSOK_PUBLIC_URL", "https://yeonsok.moel.go.kr/")
	t.Setenv("YEONSOK_OIDC_ISSUER", "https://sso.moel.go.kr/realms/moel")
	t.Setenv("YEONSOK_OIDC_CLIENT_ID", "yeonsok")
	t.Setenv("YEONSOK_OIDC_SCOPES", "openid profile")
	if _, err := FromEnv(); err == nil {
		t.Fatal("single sign-on without a named login claim was accepted")
	}
	t.Setenv("YEONSOK_OIDC_LOGIN_CLAIM", "employee_number")
	c, err := FromEnv()
	if err != nil || c.OIDC.RedirectURL != "https://yeonsok.moel.go.kr/login/sso/callback" || len(c.OIDC.Scopes) != 2 {
		t.Fatalf("%+v %v", c.OIDC, err)
	}
}

func TestMailSettings(t *testing.T) {
	clearEnv(t)
	c, err := FromEnv()
	if err != nil || c.SMTP.Addr != "" || c.SMTP.StartTLS != "auto" {
		t.Fatalf("email off by default, STARTTLS auto: %+v %v", c.SMTP, err)
	}
	password := filepath.Join(t.TempDir(), "smtp")
	os.WriteFile(password, []byte("pw\n"), 0o600)
	t.Setenv("YEONSOK_SMTP_ADDR", "smtp.moel.go.kr:587")
	t.Setenv("YEONSOK_SMTP_FROM", "연속 <yeonsok@moel.go.kr>")
	t.Setenv("YEONSOK_SMTP_USERNAME", "yeonsok")
	t.Setenv("YEONSOK_SMTP_STARTTLS", "require")
	if _, err := FromEnv(); err == nil {
		t.Fatal("a user name without a password was accepted")
	}
	t.Setenv("YEONSOK_SMTP_PASSWORD_FILE", password)
	c, err = FromEnv()
	if err != nil || c.SMTP.From != "연속 <yeonsok@moel.go.kr>" || c.SMTP.Username != "yeonsok" || c.SMTP.Password != "pw" ||
		c.SMTP.StartTLS != "require" {
		t.Fatalf("mail settings: %+v %v", c.SMTP, err)
	}
	if host, port := c.SMTP.HostPort(); host != "smtp.moel.go.kr" || port != 587 {
		t.Fatalf("host and port: %s %d", host, port)
	}
	t.Setenv("YEONSOK_SMTP_FROM", "not an address")
	if _, err := FromEnv(); err == nil {
		t.Fatal("a sender that is no address was accepted")
	}
}
