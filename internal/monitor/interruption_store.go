package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// MaxReason bounds the reason an interruption keeps.
const MaxReason = 500

// Interruption is a stretch of time one check was down.
type Interruption struct {
	ID       int64  `json:"id"`
	CheckID  int64  `json:"check_id"`
	SystemID int64  `json:"system_id"`
	Target   string `json:"target"` // the check's, for a list
	// StartedAt is when the check was declared down; EndedAt when it was
	// up again, zero while the interruption lasts.
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	// Reason is why the probes failed; Vantages the vantage points that
	// saw it down.
	Reason   string   `json:"reason"`
	Vantages []string `json:"vantages"`
}

// Open reports whether the interruption still lasts.
func (i *Interruption) Open() bool { return i.EndedAt.IsZero() }

// Duration is how long the interruption lasted, or has lasted by now.
func (i *Interruption) Duration(now time.Time) time.Duration {
	if i.Open() {
		return now.Sub(i.StartedAt)
	}
	return i.EndedAt.Sub(i.StartedAt)
}

// Span is the interruption as uptime counts it.
func (i *Interruption) Span() Span { return Span{Start: i.StartedAt, End: i.EndedAt} }

// Tx is one write transaction of the tower's own (the engine's, or an
// agent's batch): what it writes lands together or not at all. It takes no
// scope and writes no audit entry: what probes saw is evidence, not
// anybody's decision.
type Tx struct {
	tx      *sql.Tx
	dialect database.Dialect
}

// Write runs fn in one transaction.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return fn(&Tx{tx: tx, dialect: s.db.Dialect}) })
}

// OpenInterruption opens an interruption of in.CheckID at in.StartedAt,
// with its reason and vantage points, and reports whether it did. When one
// is already open it changes nothing, returns false and fills in from the
// open one — so the engine may say "down" as often as it likes. The
// check's system is the interruption's. An inactive check (its endpoint
// left the inventory while the Watcher still owed its "down") is not
// found: nobody would ever end that interruption.
func (t *Tx) OpenInterruption(ctx context.Context, in *Interruption) (bool, error) {
	vantages, err := json.Marshal(nonNil(in.Vantages))
	if err != nil {
		return false, fmt.Errorf("monitor: vantages as JSON: %w", err)
	}
	// The partial unique index interruptions_open keeps a second open
	// interruption of a check out; DO NOTHING makes that a no-op.
	err = t.tx.QueryRowContext(ctx, `INSERT INTO interruptions (check_id, system_id, started_at, reason, vantages)
		SELECT id, system_id, $2, $3, $4 FROM checks WHERE id = $1 AND active
		ON CONFLICT DO NOTHING RETURNING id`,
		in.CheckID, database.FormatTime(in.StartedAt), inventory.Clip(in.Reason, MaxReason), string(vantages)).Scan(&in.ID)
	opened := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("monitor: open interruption of check %d: %w", in.CheckID, err)
	}
	open, err := t.openInterruption(ctx, in.CheckID)
	if err != nil {
		return false, err
	}
	*in = *open
	return opened, nil
}

func (t *Tx) openInterruption(ctx context.Context, checkID int64) (*Interruption, error) {
	list, err := queryInterruptions(ctx, t.tx, `i.check_id = $1 AND i.ended_at IS NULL`, checkID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperror.New(apperror.NotFound, "", "not_found.check")
	}
	return list[0], nil
}

// CloseInterruption ends the open interruption of a check at at (never
// before it began), with vantages as the vantage points that saw it (nil:
// those it opened with), and reports whether there was one: closing twice
// is a no-op.
func (t *Tx) CloseInterruption(ctx context.Context, checkID int64, at time.Time, vantages []string) (bool, error) {
	query, args := `UPDATE interruptions SET ended_at = CASE WHEN started_at > $2 THEN started_at ELSE $2 END
		WHERE check_id = $1 AND ended_at IS NULL`, []any{checkID, database.FormatTime(at)}
	if vantages != nil {
		list, err := json.Marshal(vantages)
		if err != nil {
			return false, fmt.Errorf("monitor: vantages as JSON: %w", err)
		}
		query = strings.Replace(query, "SET ", "SET vantages = $3, ", 1)
		args = append(args, string(list))
	}
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("monitor: close interruption of check %d: %w", checkID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("monitor: close interruption of check %d: %w", checkID, err)
	}
	return n > 0, nil
}

// OpenInterruption is Tx.OpenInterruption in a transaction of its own.
func (s *Store) OpenInterruption(ctx context.Context, in *Interruption) (opened bool, err error) {
	err = s.Write(ctx, func(tx *Tx) error {
		opened, err = tx.OpenInterruption(ctx, in)
		return err
	})
	return opened, err
}

// CloseInterruption is Tx.CloseInterruption in a transaction of its own.
func (s *Store) CloseInterruption(ctx context.Context, checkID int64, at time.Time) (closed bool, err error) {
	err = s.Write(ctx, func(tx *Tx) error {
		closed, err = tx.CloseInterruption(ctx, checkID, at, nil)
		return err
	})
	return closed, err
}

// OpenInterruptions lists every interruption still open, oldest first: on
// start the engine takes them up again as the state it left.
func (s *Store) OpenInterruptions(ctx context.Context) ([]*Interruption, error) {
	return queryInterruptions(ctx, s.db.Read, `i.ended_at IS NULL`)
}

// Interruptions lists the interruptions of a system in scope that overlap
// [from, to), latest first.
func (s *Store) Interruptions(ctx context.Context, scope access.Scope, systemID int64, from, to time.Time) ([]*Interruption, error) {
	if _, err := systemInScope(ctx, s.db.Read, scope, systemID); err != nil {
		return nil, err
	}
	list, err := systemInterruptions(ctx, s.db.Read, systemID, from, to)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list, nil
}

// systemInterruptions lists the interruptions of a system that overlap
// [from, to), oldest first.
func systemInterruptions(ctx context.Context, q queryer, systemID int64, from, to time.Time) ([]*Interruption, error) {
	return queryInterruptions(ctx, q, `i.system_id = $1 AND i.started_at < $2 AND (i.ended_at IS NULL OR i.ended_at > $3)`,
		systemID, database.FormatTime(to), database.FormatTime(from))
}

func queryInterruptions(ctx context.Context, q queryer, cond string, args ...any) ([]*Interruption, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.check_id, i.system_id, c.target, i.started_at, i.ended_at, i.reason, i.vantages
		FROM interruptions i JOIN checks c ON c.id = i.check_id WHERE `+cond+` ORDER BY i.started_at, i.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("monitor: list interruptions: %w", err)
	}
	defer rows.Close()
	var list []*Interruption
	for rows.Next() {
		var i Interruption
		var started, vantages string
		var ended sql.NullString
		if err := rows.Scan(&i.ID, &i.CheckID, &i.SystemID, &i.Target, &started, &ended, &i.Reason, &vantages); err != nil {
			return nil, fmt.Errorf("monitor: scan interruption: %w", err)
		}
		i.StartedAt, i.EndedAt = database.ParseTime(started), database.ParseNullTime(ended)
		if err := json.Unmarshal([]byte(vantages), &i.Vantages); err != nil {
			return nil, fmt.Errorf("monitor: interruption %d vantages: %w", i.ID, err)
		}
		list = append(list, &i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: list interruptions: %w", err)
	}
	return list, nil
}

// SystemUptime computes the uptime of a system in scope over [from, to)
// (ComputeUptime), to now at the latest, from one consistent reading of
// its interruptions and maintenance windows. Monitoring counts from the
// first check of the system; a system without checks has observed nothing.
// The RTO is the system's ordinary-failure target (rto_failure), the one
// its capability under component failure is judged against.
func (s *Store) SystemUptime(ctx context.Context, scope access.Scope, systemID int64, from, to time.Time) (*Uptime, error) {
	in, err := s.uptimeInput(ctx, scope, systemID, from, to)
	if err != nil {
		return nil, err
	}
	u := ComputeUptime(*in)
	return &u, nil
}

// SystemDailyUptime is SystemUptime day by day (in loc): the bars of the
// system page's uptime chart.
func (s *Store) SystemDailyUptime(ctx context.Context, scope access.Scope, systemID int64, from, to time.Time, loc *time.Location) ([]Uptime, error) {
	in, err := s.uptimeInput(ctx, scope, systemID, from, to)
	if err != nil {
		return nil, err
	}
	return DailyUptime(*in, loc), nil
}

func (s *Store) uptimeInput(ctx context.Context, scope access.Scope, systemID int64, from, to time.Time) (*UptimeInput, error) {
	to = earlier(to, s.Now())
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("monitor: uptime of system %d: %w", systemID, err)
	}
	defer tx.Rollback()
	sys, err := systemInScope(ctx, tx, scope, systemID)
	if err != nil {
		return nil, err
	}
	in := &UptimeInput{From: from, To: to, Grade: sys.Grade, RTO: sys.RTO}
	var since sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MIN(created_at) FROM checks WHERE system_id = $1`, systemID).Scan(&since); err != nil {
		return nil, fmt.Errorf("monitor: uptime of system %d: first check: %w", systemID, err)
	}
	in.Since = database.ParseNullTime(since)
	if !since.Valid {
		in.Since = to
	}

	// Only times are read: a year of interruptions must answer in
	// milliseconds. The last interruption that ended before From, unless
	// a maintenance window covers it, is where the current run began.
	before, err := spans(ctx, tx, `SELECT started_at, ended_at FROM interruptions i WHERE system_id = $1 AND ended_at <= $2
		AND NOT EXISTS (SELECT 1 FROM maintenance_windows m WHERE m.system_id = i.system_id AND m.starts_at <= i.started_at AND m.ends_at >= i.ended_at)
		ORDER BY ended_at DESC LIMIT 1`, systemID, database.FormatTime(from))
	if err != nil {
		return nil, err
	}
	in.Interruptions, err = spans(ctx, tx, `SELECT started_at, ended_at FROM interruptions
		WHERE system_id = $1 AND started_at < $2 AND (ended_at IS NULL OR ended_at > $3)`, systemID, database.FormatTime(to), database.FormatTime(from))
	if err != nil {
		return nil, err
	}
	in.Interruptions = append(in.Interruptions, before...)
	windowsFrom := from
	for _, s := range before {
		windowsFrom = earlier(windowsFrom, s.Start)
	}
	in.Maintenance, err = spans(ctx, tx, `SELECT starts_at, ends_at FROM maintenance_windows WHERE system_id = $1 AND starts_at < $2 AND ends_at > $3`,
		systemID, database.FormatTime(to), database.FormatTime(windowsFrom))
	if err != nil {
		return nil, err
	}
	return in, nil
}

// spans reads the (start, end) pairs a query selects.
func spans(ctx context.Context, q queryer, query string, args ...any) ([]Span, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("monitor: read spans: %w", err)
	}
	defer rows.Close()
	var list []Span
	for rows.Next() {
		var start string
		var end sql.NullString
		if err := rows.Scan(&start, &end); err != nil {
			return nil, fmt.Errorf("monitor: read spans: %w", err)
		}
		list = append(list, Span{Start: database.ParseTime(start), End: database.ParseNullTime(end)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: read spans: %w", err)
	}
	return list, nil
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
