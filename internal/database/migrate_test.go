package database_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

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

// Two towers starting at once on a fresh PostgreSQL database: both succeed,
// and each migration is applied exactly once.
func TestConcurrentMigrationsTakeTurns(t *testing.T) {
	target := testdb.PostgresURL(t)
	ctx := context.Background()
	const towers = 4
	dbs := make([]*database.DB, towers)
	for i := range dbs {
		db, err := database.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	start := make(chan struct{})
	applied := make(chan []int, towers)
	errs := make(chan error, towers)
	var wg sync.WaitGroup
	for _, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			versions, err := db.Migrate(ctx)
			applied <- versions
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(applied)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("migrate: %v", err)
		}
	}
	var all []int
	for versions := range applied {
		all = append(all, versions...)
	}
	latest, _ := dbs[0].LatestVersion()
	if got, err := dbs[0].SchemaVersion(ctx); err != nil || got != latest || len(all) != latest {
		t.Fatalf("version %d (err %v), versions applied %v; want %d, each once", got, err, all, latest)
	}
}

// A panic inside a transaction must not leave the writer inside it: on
// SQLite the writer has a single connection, and every later write would
// wait for it forever.
func TestInTxPanicReleasesTheWriter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic did not come through InTx")
				}
			}()
			db.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE inventory_state SET version = 99 WHERE id = 1`); err != nil {
					t.Fatal(err)
				}
				panic("boom")
			})
		}()
		if n := db.Write.Stats().InUse; n != 0 {
			t.Fatalf("%d writer connections still in use after the panic", n)
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var version int64
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT version FROM inventory_state WHERE id = 1`).Scan(&version)
		})
		if err != nil || version != 0 {
			t.Fatalf("after the panic: version %d (err %v), want 0 with the panicking write undone", version, err)
		}
	})
}

// Statements in one read transaction see one snapshot, even when a write
// commits between them.
func TestBeginReadSeesOneSnapshot(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		count := func(tx *sql.Tx) int {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		tx, err := db.BeginRead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		before := count(tx)
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO agencies (name, created_at, updated_at) VALUES ('새 기관', $1, $1)`, database.Now()); err != nil {
			t.Fatal(err)
		}
		if after := count(tx); after != before {
			t.Fatalf("read transaction saw %d agencies, then %d", before, after)
		}
	})
}
