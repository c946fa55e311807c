// Package config reads the tower's settings from environment variables,
// which command-line flags may override.
package config

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// Config is what the tower needs to start.
type Config struct {
	// Addr is HOST:PORT to listen on (YEONSOK_ADDR).
	Addr string
	// Database is an SQLite file path or a postgres:// URL (YEONSOK_DATABASE_URL).
	Database string
	// LogLevel is debug, info, warn or error (YEONSOK_LOG_LEVEL).
	LogLevel string
}

// Defaults: loopback on 8080 and an SQLite file in the working directory.
const (
	DefaultAddr     = "127.0.0.1:8080"
	DefaultDatabase = "yeonsok.db"
)

// FromEnv reads the environment, falling back to the defaults. A *_FILE
// variable naming a file that cannot be read is an error: falling back to
// the default database would quietly start an empty tower instead.
func FromEnv() (Config, error) {
	var c Config
	var err error
	if c.Addr, err = envOr("YEONSOK_ADDR", DefaultAddr); err != nil {
		return c, err
	}
	if c.Database, err = envOr("YEONSOK_DATABASE_URL", DefaultDatabase); err != nil {
		return c, err
	}
	c.LogLevel, err = envOr("YEONSOK_LOG_LEVEL", "info")
	return c, err
}

func envOr(name, fallback string) (string, error) {
	// A *_FILE variant names a file holding the value, so that a database
	// password need not sit in the environment.
	if path := os.Getenv(name + "_FILE"); path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("config: %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(body)), nil
	}
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v, nil
	}
	return fallback, nil
}

// RequireLoopback refuses an address other machines could reach. Until the
// tower has accounts and sessions, anyone who reaches it could change the
// inventory, so it serves this machine only.
func RequireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("config: address %q is not HOST:PORT: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("config: refusing to listen on %q: this version has no accounts yet, so it listens on loopback only (e.g. 127.0.0.1:8080)", addr)
	}
	return nil
}
