package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// Store reads and writes what monitoring keeps: checks, interruptions,
// maintenance windows, latency rollups and agents.
//
// What people read and change takes an access.Scope, decided by the agency
// of the system a record belongs to (an agent's own agency, for agents):
// another agency's record is not found. What a person changes — a check's
// settings, a maintenance window, an agent — is written to the audit log
// in the same transaction. What the tower records by itself — checks made
// from the inventory, interruptions, rollups — takes no scope and is not
// audited: it is evidence, not a decision.
//
// Only the exported methods begin and end transactions.
type Store struct {
	db *database.DB
	// Now is the store's clock; tests replace it to move time.
	Now func() time.Time
}

// NewStore returns a store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db, Now: time.Now} }

type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// system is what monitoring needs of a system: whose it is, its grade
// (intervals, availability target) and its ordinary-failure RTO.
type system struct {
	ID       int64
	AgencyID int64
	Name     string
	Grade    int
	RTO      time.Duration
}

// systemInScope reads system id as scope sees it: another agency's system
// is not found.
func systemInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (*system, error) {
	var s system
	var grade, rto sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, agency_id, name, grade, rto_failure FROM systems WHERE id = $1`, id).
		Scan(&s.ID, &s.AgencyID, &s.Name, &grade, &rto)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !scope.Allows(s.AgencyID) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.system")
	}
	if err != nil {
		return nil, fmt.Errorf("monitor: read system %d: %w", id, err)
	}
	s.Grade = int(grade.Int64)
	s.RTO = time.Duration(rto.Int64) * time.Minute
	return &s, nil
}

// change is one write transaction of a person's: what it changes and the
// audit entries of those changes land together or not at all.
type change struct {
	tx    *sql.Tx
	log   *audit.Appender
	now   time.Time
	actor string
}

func (s *Store) change(ctx context.Context, fn func(c *change) error) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		c := &change{tx: tx, log: audit.NewAppender(tx), now: s.Now().UTC(), actor: access.ActorFrom(ctx).Name}
		if err := fn(c); err != nil {
			return err
		}
		return c.log.Flush(ctx)
	})
}

// record appends one change of a record to the audit log: before is nil
// for a creation, after for a deletion. agencyID is the agency whose users
// may read it (nil: the ministry only).
func (c *change) record(ctx context.Context, action, kind string, id int64, agencyID *int64, summary string, before, after any) error {
	e := &audit.Entry{Action: action, Kind: kind, RecordID: &id, AgencyID: agencyID, Summary: summary}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("monitor: %s %d as JSON: %w", kind, id, err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("monitor: %s %d as JSON: %w", kind, id, err)
		}
	}
	return c.log.Append(ctx, e)
}
