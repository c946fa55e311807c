package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRequireLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:9000": true, "127.0.0.5:1": true,
		"0.0.0.0:8080": false, ":8080": false, "10.1.2.3:80": false, "example.org:80": false, "nonsense": false,
	} {
		if err := RequireLoopback(addr); (err == nil) != ok {
			t.Errorf("RequireLoopback(%q) = %v, want allowed=%v", addr, err, ok)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("YEONSOK_ADDR", "")
	t.Setenv("YEONSOK_DATABASE_URL", "")
	if c, err := FromEnv(); err != nil || c.Addr != DefaultAddr || c.Database != DefaultDatabase {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	secret := filepath.Join(t.TempDir(), "db")
	os.WriteFile(secret, []byte("postgres://u:pw@db/yeonsok\n"), 0o600)
	t.Setenv("YEONSOK_DATABASE_URL_FILE", secret)
	t.Setenv("YEONSOK_ADDR", "127.0.0.1:9999")
	if c, err := FromEnv(); err != nil || c.Database != "postgres://u:pw@db/yeonsok" || c.Addr != "127.0.0.1:9999" {
		t.Fatalf("from env: %+v %v", c, err)
	}
	t.Setenv("YEONSOK_DATABASE_URL_FILE", filepath.Join(t.TempDir(), "missing"))
	if c, err := FromEnv(); err == nil {
		t.Fatalf("unreadable secret file accepted, database %q", c.Database)
	}
}
