// Package testdb gives tests real, migrated databases: an SQLite file in a
// temporary folder always, and PostgreSQL when YEONSOK_TEST_POSTGRES_URL is
// set. Each PostgreSQL database is a fresh schema of its own, dropped when
// the test ends, so tests and packages running at once never see each
// other's rows.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"yeonsok/internal/database"
)

// PostgresEnv names the variable holding the test server's URL.
const PostgresEnv = "YEONSOK_TEST_POSTGRES_URL"

// Each runs fn once per available dialect, as subtests named after it.
func Each(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated SQLite database in a file of the test's own.
func SQLite(tb testing.TB) *database.DB {
	tb.Helper()
	return open(tb, filepath.Join(tb.TempDir(), "yeonsok.db"))
}

// PostgresURL returns a URL to a fresh, empty schema of the test server,
// dropped when the test ends; it skips the test when no server is set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skip("PostgreSQL half skipped: set " + PostgresEnv + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable); .ci/run sets it")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("testdb: open %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	var random [6]byte
	rand.Read(random[:])
	schema := "t_" + hex.EncodeToString(random[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("testdb: create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("testdb: %s is not a URL: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a migrated database in a fresh schema of the test server.
func Postgres(tb testing.TB) *database.DB {
	tb.Helper()
	return open(tb, PostgresURL(tb))
}

func open(tb testing.TB, target string) *database.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, target)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("testdb: migrate: %v", err)
	}
	return db
}
