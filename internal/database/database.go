// Package database opens the tower's store — an SQLite file or a PostgreSQL
// server — and keeps its schema current. Every other package talks SQL
// through the one *DB it returns, with $N placeholders on both dialects.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL flavour behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the tower's store. On SQLite, writes go through a single connection
// so they never fight over the file lock, and reads use their own pool; on
// PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	// Write runs statements that change data, and every transaction.
	Write *sql.DB
	// Read runs queries that only read.
	Read *sql.DB
	// Location is the file path or the URL without its password, for messages.
	Location string
}

// IsPostgresURL reports whether target names a PostgreSQL server rather than
// an SQLite file.
func IsPostgresURL(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// Open connects to target (an SQLite file path or a postgres:// URL) and
// checks that it answers. It does not migrate; call Migrate for that.
func Open(ctx context.Context, target string) (*DB, error) {
	if target == "" {
		return nil, fmt.Errorf("database: no database given (set YEONSOK_DATABASE_URL or --db)")
	}
	var db *DB
	var err error
	if IsPostgresURL(target) {
		db, err = openPostgres(target)
	} else {
		db, err = openSQLite(target)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(path string) (*DB, error) {
	// Pragmas in one place: WAL lets readers go on while the writer writes;
	// busy_timeout makes a second process wait instead of failing at once.
	pragmas := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"busy_timeout(10000)",
		"foreign_keys(ON)",
		"synchronous(NORMAL)",
	} {
		pragmas.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + pragmas.Encode()
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	return &DB{Dialect: SQLite, Write: write, Read: read, Location: path}, nil
}

func openPostgres(target string) (*DB, error) {
	pool, err := sql.Open("pgx", target)
	if err != nil {
		return nil, fmt.Errorf("database: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(8)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Dialect: Postgres, Write: pool, Read: pool, Location: redact(target)}, nil
}

// redact drops the password from a URL so it never reaches a log.
func redact(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Read.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %s does not answer: %w", db.Location, err)
	}
	return nil
}

// Close releases both pools.
func (db *DB) Close() error {
	err := db.Write.Close()
	if db.Read != db.Write {
		if rerr := db.Read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// InTx runs fn in one transaction on the writer, committing if fn returns nil
// and rolling back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	// Deferred, so that a panic in fn still hands SQLite's single writer
	// connection back; after Commit it does nothing.
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	return nil
}

// BeginRead starts a read-only transaction in which every statement sees
// the same snapshot, so that reads spread over several queries agree with
// each other. On PostgreSQL that takes REPEATABLE READ (READ COMMITTED gives
// each statement a snapshot of its own); on SQLite a read transaction under
// WAL already keeps one snapshot, and the driver takes no isolation level.
// The caller rolls it back when done.
func (db *DB) BeginRead(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.Read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("database: begin read: %w", err)
	}
	return tx, nil
}
