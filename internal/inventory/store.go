package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// Store reads and writes the inventory. Reads take an access.Scope; only
// the agencies it allows are ever returned.
type Store struct {
	db *database.DB
}

// NewStore returns a store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

// queryer is what both *sql.DB and *sql.Tx offer, so that every loader runs
// inside a transaction or outside one alike.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is one write transaction. Only Store.Update begins, commits or rolls
// one back; its methods never do.
type Tx struct {
	tx    *preparedTx
	log   *audit.Appender
	scope access.Scope
	now   string
}

// preparedTx runs each distinct statement of a transaction through one
// prepared statement. An import writes thousands of records with the same
// few statements (and the audit log reads each back and appends an entry),
// and on SQLite parsing every one of them anew was most of its time. The
// statements close with the transaction. On PostgreSQL stmts is nil and
// statements go straight through: the driver already keeps one prepared
// statement per query on each connection, and preparing again would only
// add round trips. A statement that fails to prepare runs unprepared, which
// fails the same way and, unlike a prepare error, reaches a Row's Scan.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedTx) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if p.stmts == nil {
		return nil, errNotPrepared
	}
	if s, ok := p.stmts[query]; ok {
		return s, nil
	}
	s, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = s
	return s, nil
}

// errNotPrepared sends a statement straight to the transaction.
var errNotPrepared = errors.New("inventory: statement not prepared")

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s, err := p.prepare(ctx, query); err == nil {
		return s.ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, query, args...)
}

// QueryContext falls back to an unprepared query when the prepared one
// fails: SQLite refuses to run a statement again while rows it returned are
// still open, and a loop that runs its own query once more inside deserves
// to work. A query only reads, so trying it twice changes nothing.
func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s, err := p.prepare(ctx, query); err == nil {
		if rows, err := s.QueryContext(ctx, args...); err == nil {
			return rows, nil
		}
	}
	return p.tx.QueryContext(ctx, query, args...)
}

func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s, err := p.prepare(ctx, query); err == nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
}

// Update runs fn in one transaction: everything fn does lands, or nothing.
// Writes through the Tx are limited to scope: an agency scope may change
// only its own agency's records, and agencies and facilities only with the
// ministry's scope.
//
// Every change made through the Tx is recorded in the audit log in the same
// transaction, under access.ActorFrom(ctx) (see audited).
func (s *Store) Update(ctx context.Context, scope access.Scope, fn func(tx *Tx) error) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		// Counting the change first takes the row lock of inventory_state
		// until commit, so that on PostgreSQL inventory writers take turns as
		// SQLite's single writer makes them: what fn reads (an import plans
		// against it) no other writer changes before fn's own writes land.
		if _, err := tx.ExecContext(ctx, `UPDATE inventory_state SET version = version + 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("inventory: count change: %w", err)
		}
		p := &preparedTx{tx: tx}
		if s.db.Dialect == database.SQLite {
			p.stmts = map[string]*sql.Stmt{}
		}
		t := &Tx{tx: p, log: audit.NewAppender(p), scope: scope, now: database.Now()}
		if err := fn(t); err != nil {
			return err
		}
		return t.log.Flush(ctx)
	})
}

// Alongside runs fn on the transaction itself and its audit log, for a
// record kept beside the inventory that must change together with it: a
// grade-change proposal is approved in the transaction that sets the
// system's grade (package grading). fn appends an entry to the log for
// every change it makes.
func (t *Tx) Alongside(fn func(q audit.Querier, log *audit.Appender) error) error {
	return fn(t.tx, t.log)
}

// Version counts the committed changes to the inventory: a figure computed
// at one version holds until the version moves.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.Read.QueryRowContext(ctx, `SELECT version FROM inventory_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("inventory: read version: %w", err)
	}
	return v, nil
}

// requireAll refuses a ministry-only write from an agency scope.
func (t *Tx) requireAll() error {
	if !t.scope.IsAll() {
		return apperror.New(apperror.Forbidden, "", "forbidden.ministry_only")
	}
	return nil
}

// requireAgency refuses a write to another agency's record. The record is
// "not found" rather than "forbidden", so its existence is not revealed.
func (t *Tx) requireAgency(ctx context.Context, table string, id int64, kind string) error {
	if t.scope.IsAll() {
		return nil
	}
	var agencyID int64
	err := t.tx.QueryRowContext(ctx, `SELECT agency_id FROM `+table+` WHERE id = $1`, id).Scan(&agencyID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !t.scope.Allows(agencyID)) {
		return notFound(kind)
	}
	if err != nil {
		return fmt.Errorf("inventory: look up %s %d: %w", kind, id, err)
	}
	return nil
}

func notFound(kind string) error {
	return apperror.New(apperror.NotFound, "", "not_found."+kind)
}

// wrapWrite turns a constraint failure into an error the user can act on.
func wrapWrite(err error, what, field string) error {
	switch {
	case err == nil:
		return nil
	case database.IsUniqueViolation(err):
		return apperror.New(apperror.Conflict, field, "conflict.duplicate_name")
	case database.IsForeignKeyViolation(err):
		return apperror.New(apperror.Conflict, "", "conflict.in_use")
	}
	return fmt.Errorf("inventory: %s: %w", what, err)
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullMinutes(p *Minutes) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func ptrInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func ptrMinutes(v sql.NullInt64) *Minutes {
	if !v.Valid {
		return nil
	}
	m := Minutes(v.Int64)
	return &m
}

func ptrFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

// exists reports whether a row with id is in table; table is a constant.
func exists(ctx context.Context, q queryer, table string, id int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inventory: look up %s %d: %w", table, id, err)
	}
	return true, nil
}
