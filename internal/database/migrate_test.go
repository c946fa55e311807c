package database_test

import (
	"context"
	"strings"
	"testing"

	"yeonsok/internal/database"
	"yeonsok/internal/testdb"
)

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		latest, err := db.LatestVersion()
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.SchemaVersion(ctx)
		if err != nil || got != latest {
			t.Fatalf("after migrate: version %d (err %v), want %d", got, err, latest)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v (err %v), want nothing", applied, err)
		}
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future.sql', 'x')`, latest+1); err != nil {
			t.Fatal(err)
		}
		_, err = db.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), "newer yeonsok") {
			t.Fatalf("migrate on a newer schema: err = %v, want a refusal naming a newer yeonsok", err)
		}
	})
}

func TestOpenFailsClearly(t *testing.T) {
	_, err := database.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("err = %v, want 'does not answer'", err)
	}
	if _, err := database.Open(context.Background(), ""); err == nil {
		t.Fatal("empty target accepted")
	}
}

func TestSQLiteSettings(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	var mode string
	var fk, timeout int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	db.Write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	db.Read.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout)
	if mode != "wal" || fk != 1 || timeout < 1000 {
		t.Fatalf("journal_mode=%s foreign_keys=%d busy_timeout=%d; want wal, 1, >=1000", mode, fk, timeout)
	}
	if db.Write.Stats().MaxOpenConnections != 1 {
		t.Fatalf("writer pool allows %d connections, want 1", db.Write.Stats().MaxOpenConnections)
	}
}
