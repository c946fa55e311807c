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

// SchemaVersion is the version the database is at (0 when empty).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if err := db.ensureVersionTable(ctx); err != nil {
		return 0, err
	}
	var v sql.NullInt64
	if err := db.Write.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("database: read schema version: %w", err)
	}
	return int(v.Int64), nil
}

func (db *DB) ensureVersionTable(ctx context.Context) error {
	_, err := db.Write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("database: create schema_migrations: %w", err)
	}
	return nil
}

// Migrate brings the schema up to the binary's version, each migration in
// its own transaction. A database newer than the binary is refused: running
// old code on a newer schema could write rows the newer code cannot read.
// It returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	list, err := migrations(db.Dialect)
	if err != nil {
		return nil, err
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if current > len(list) {
		return nil, fmt.Errorf("database: %s is at schema version %d but this yeonsok knows only up to %d; run a newer yeonsok (refusing to touch a newer schema)", db.Location, current, len(list))
	}
	var applied []int
	for _, m := range list[current:] {
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("database: migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, nowText())
			if err != nil {
				return fmt.Errorf("database: record migration %s: %w", m.name, err)
			}
			return nil
		})
		if err != nil {
			return applied, err
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}
