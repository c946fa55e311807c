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

// FromEnv reads the environment, falling back to the defaults.
func FromEnv() Config {
	return Config{
		Addr:     envOr("YEONSOK_ADDR", DefaultAddr),
		Database: envOr("YEONSOK_DATABASE_URL", DefaultDatabase),
		LogLevel: envOr("YEONSOK_LOG_LEVEL", "info"),
	}
}

func envOr(name, fallback string) string {
	// A *_FILE variant names a file holding the value, so that a database
	// password need not sit in the environment.
	if path := os.Getenv(name + "_FILE"); path != "" {
		if body, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(body))
		}
	}
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return fallback
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
