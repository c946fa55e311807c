package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/locale"
)

// Filter narrows a listing; zero fields do not filter.
type Filter struct {
	// From and To bound At: From included, To excluded.
	From, To time.Time
	Kind     string
	Action   string
	// ActorName is matched exactly.
	ActorName string
	// AgencyID keeps one agency's entries, within the scope.
	AgencyID int64
	// RecordID keeps the entries of one record (with Kind: its history).
	RecordID int64
	// Limit and Offset page the listing; Limit 0 lists every entry.
	Limit, Offset int
}

// where is the condition scope and f put on entries, with its arguments.
func (f Filter) where(scope access.Scope) (string, []any) {
	var args []any
	// An agency reads the entries of its own records; entries with no
	// agency are the ministry's.
	conds := []string{scope.Where("agency_id", &args)}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC().Format(database.TimeLayout))
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC().Format(database.TimeLayout))
	}
	if f.Kind != "" {
		add("kind = $%d", f.Kind)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.ActorName != "" {
		add("actor_name = $%d", f.ActorName)
	}
	if f.AgencyID != 0 {
		add("agency_id = $%d", f.AgencyID)
	}
	if f.RecordID != 0 {
		add("record_id = $%d", f.RecordID)
	}
	return strings.Join(conds, " AND "), args
}

// List returns the entries scope may read that match f, newest first. An
// agency scope reads only entries whose agency is its own.
func List(ctx context.Context, db *database.DB, scope access.Scope, f Filter) ([]Entry, error) {
	cond, args := f.where(scope)
	query := `SELECT ` + columns + ` FROM audit_log WHERE ` + cond + ` ORDER BY seq DESC`
	if f.Limit > 0 {
		args = append(args, f.Limit, max(f.Offset, 0))
		query += fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	} else if f.Offset > 0 {
		args = append(args, f.Offset)
		// SQLite takes OFFSET only after a LIMIT; -1 is none there, and
		// PostgreSQL takes LIMIT ALL.
		if db.Dialect == database.Postgres {
			query += fmt.Sprintf(` LIMIT ALL OFFSET $%d`, len(args))
		} else {
			query += fmt.Sprintf(` LIMIT -1 OFFSET $%d`, len(args))
		}
	}
	rows, err := db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var list []Entry
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		list = append(list, r.entry())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return list, nil
}

// Get returns entry seq if scope may read it; otherwise, or when there is
// no such entry, it is not found.
func Get(ctx context.Context, db *database.DB, scope access.Scope, seq int64) (*Entry, error) {
	cond, args := Filter{}.where(scope)
	args = append(args, seq)
	rows, err := db.Read.QueryContext(ctx, `SELECT `+columns+` FROM audit_log WHERE `+cond+fmt.Sprintf(` AND seq = $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("audit: get %d: %w", seq, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("audit: get %d: %w", seq, err)
		}
		return nil, apperror.New(apperror.NotFound, "", "audit.not_found")
	}
	r, err := scan(rows)
	if err != nil {
		return nil, fmt.Errorf("audit: get %d: %w", seq, err)
	}
	e := r.entry()
	return &e, nil
}

// Count is how many entries List would return without Limit and Offset.
func Count(ctx context.Context, db *database.DB, scope access.Scope, f Filter) (int64, error) {
	cond, args := f.where(scope)
	var n int64
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+cond, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: count: %w", err)
	}
	return n, nil
}

// ActorCount is how many entries one actor appended of one kind and action.
type ActorCount struct {
	// Actor is who, without an address: one person's entries count
	// together wherever they were made from.
	Actor  access.Actor
	Kind   string
	Action string
	Count  int64
}

// CountByActor counts the entries scope may read that match f (Limit and
// Offset aside) by actor, kind and action, ordered by actor kind, name and
// id, then kind and action: the "changes by user" of the security report.
func CountByActor(ctx context.Context, db *database.DB, scope access.Scope, f Filter) ([]ActorCount, error) {
	cond, args := f.where(scope)
	rows, err := db.Read.QueryContext(ctx, `SELECT actor_kind, actor_id, actor_name, kind, action, COUNT(*) FROM audit_log
		WHERE `+cond+` GROUP BY actor_kind, actor_id, actor_name, kind, action
		ORDER BY actor_kind, actor_name, actor_id, kind, action`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: count by actor: %w", err)
	}
	defer rows.Close()
	var list []ActorCount
	for rows.Next() {
		var c ActorCount
		if err := rows.Scan(&c.Actor.Kind, &c.Actor.ID, &c.Actor.Name, &c.Kind, &c.Action, &c.Count); err != nil {
			return nil, fmt.Errorf("audit: count by actor: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: count by actor: %w", err)
	}
	return list, nil
}

// Describe says in lang what the entry records, e.g. "정보시스템 고용24 수정"
// or "system 고용24 updated". A kind or action the catalogue lacks shows
// as its key, so that a gap is seen rather than hidden.
func (e *Entry) Describe(lang locale.Lang) string {
	return locale.T(lang, "audit.entry", locale.Key("audit.kind."+e.Kind), e.Summary, locale.Key("audit.action."+e.Action))
}
