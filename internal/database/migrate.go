package database

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations of a dialect in order. Files are
// named NNNN_what.sql; the number is the schema version they bring.
func migrations(d Dialect) ([]migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("database: read migrations: %w", err)
	}
	var list []migration
	for _, e := range entries {
		number, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("database: migration %s/%s is not named NNNN_name.sql", dir, e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("database: read migration %s: %w", e.Name(), err)
		}
		list = append(list, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	for i, m := range list {
		if m.version != i+1 {
			return nil, fmt.Errorf("database: migrations of %s skip from %d to %d", d, i, m.version)
		}
	}
	return list, nil
}

// LatestVersion is the schema version this binary brings.
func (db *DB) LatestVersion() (int, error) {
	list, err := migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	return len(list), nil
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx all offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SchemaVersion is the version the database is at (0 when empty).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if err := ensureVersionTable(ctx, db.Write); err != nil {
		return 0, err
	}
	return schemaVersion(ctx, db.Write)
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("database: read schema version: %w", err)
	}
	return int(v.Int64), nil
}

func ensureVersionTable(ctx context.Context, q querier) error {
	_, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("database: create schema_migrations: %w", err)
	}
	return nil
}

// migrateLock is the PostgreSQL advisory lock key under which migrations
// run; any fixed number does, this one spells "yeonsok". The lock is per
// database, so towers on different schemas of one database queue too.
const migrateLock int64 = 0x79656f6e736f6b

// Migrate brings the schema up to the binary's version, each migration in
// its own transaction. A database newer than the binary is refused: running
// old code on a newer schema could write rows the newer code cannot read.
// It returns the versions applied.
//
// Towers starting at once on one database migrate one after the other: on
// PostgreSQL they queue on an advisory lock, on SQLite on the write lock
// that each migration's BEGIN IMMEDIATE takes. Each migration reads the
// version while holding that lock, so the second tower finds the work done
// instead of applying it twice.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	list, err := migrations(db.Dialect)
	if err != nil {
		return nil, err
	}
	// One connection throughout, because the advisory lock belongs to it.
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("database: connect for migration: %w", err)
	}
	defer conn.Close()
	if db.Dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
			return nil, fmt.Errorf("database: wait for other migrations: %w", err)
		}
		// Unlocked even when ctx is cancelled: the lock belongs to the
		// session, and the connection goes back to the pool holding it.
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
	}
	if err := ensureVersionTable(ctx, conn); err != nil {
		return nil, err
	}
	var applied []int
	for {
		version, err := db.applyNext(ctx, conn, list)
		if err != nil || version == 0 {
			return applied, err
		}
		applied = append(applied, version)
	}
}

// applyNext applies, in one transaction, the migration after the version
// the database is at, and returns its version; 0 when none is left.
func (db *DB) applyNext(ctx context.Context, conn *sql.Conn, list []migration) (int, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("database: begin migration: %w", err)
	}
	defer tx.Rollback()
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	if current > len(list) {
		return 0, fmt.Errorf("database: %s is at schema version %d but this yeonsok knows only up to %d; run a newer yeonsok (refusing to touch a newer schema)", db.Location, current, len(list))
	}
	if current == len(list) {
		return 0, nil
	}
	m := list[current]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return 0, fmt.Errorf("database: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, Now()); err != nil {
		return 0, fmt.Errorf("database: record migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("database: commit migration %s: %w", m.name, err)
	}
	return m.version, nil
}
