// Package audit is the tower's audit log (SPEC §3, §6): every change records
// who made it, when, from where, and the record before and after.
//
// The log is append-only. This package offers Append, Verify, List and Count
// and nothing that updates or deletes an entry, and the database refuses both
// with a trigger. Each entry carries the SHA-256 hash of its own fields and
// of the previous entry's hash, so that an entry edited in the database, a
// removed entry and a cut-off tail all break the chain that Verify walks.
// What the chain cannot show by itself is a log rewritten from start to end
// by someone who recomputes every hash; Verify reports the head (last seq and
// hash) so that it can be written down elsewhere and compared later.
//
// An entry is appended in the transaction of the change it describes: the
// change and its entry land together or not at all.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
)

// Actions an entry records: those every record kind shares, then those of
// accounts and API tokens (package auth).
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"

	ActionLock          = "lock"           // an account locked: by an admin, after failed logins, or as inactive
	ActionUnlock        = "unlock"         // an account unlocked by an admin
	ActionPassword      = "password"       // a password changed by its user, or set
	ActionPasswordReset = "password_reset" // a password an admin reset to a one-time one
	ActionDisable       = "disable"        // an account disabled
	ActionEnable        = "enable"         // an account enabled again
	ActionRevoke        = "revoke"         // an API token revoked
)

// Kinds of record: those the inventory writes, then accounts and API
// tokens, then the plan's records.
const (
	KindAgency     = "agency"
	KindFacility   = "facility"
	KindSystem     = "system"
	KindService    = "service"
	KindDependency = "dependency"
	KindDeclared   = "declared"

	KindUser  = "user"
	KindToken = "token"

	KindRisk = "risk" // a risk entry (package risk)

	// Implementation tasks and dismissed task proposals (package tasks).
	KindTask      = "task"
	KindDismissal = "proposal_dismissal"

	// Monitoring (package monitor): a check's settings, a system's planned
	// maintenance window, an agent probing from another site.
	KindCheck       = "monitor_check"
	KindMaintenance = "maintenance_window"
	KindAgent       = "monitor_agent"

	// Incidents (package incident): a person's decision on one.
	KindIncident = "incident"
	// A call list entry (package incident): who is told of an incident.
	KindContact = "contact"
)

// Grade-change proposals (package grading): the kind, and what a decision
// does to one.
const (
	KindGradeProposal = "grade_proposal"

	ActionApprove  = "approve"
	ActionReject   = "reject"
	ActionWithdraw = "withdraw"
)

// Kinds and Actions list every kind and action, in the order a filter or a
// report offers them; each has its words in the catalogue (Describe).
var (
	Kinds = []string{KindAgency, KindFacility, KindSystem, KindService, KindDependency, KindDeclared, KindUser, KindToken,
		KindGradeProposal, KindRisk, KindTask, KindDismissal,
		KindCheck, KindMaintenance, KindAgent, KindIncident, KindContact}
	Actions = []string{ActionCreate, ActionUpdate, ActionDelete, ActionLock, ActionUnlock, ActionPassword, ActionPasswordReset,
		ActionDisable, ActionEnable, ActionRevoke,
		ActionApprove, ActionReject, ActionWithdraw}
)

// Genesis is the prev_hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one change.
type Entry struct {
	// Seq numbers entries from 1 without gaps, in the order they were appended.
	Seq int64 `json:"seq"`
	// At is when the entry was appended, to the microsecond.
	At time.Time `json:"at"`
	// Actor is who made the change and from where.
	Actor access.Actor `json:"actor"`
	// AgencyID is the agency whose users may read the entry; nil means the
	// ministry only.
	AgencyID *int64 `json:"agency_id"`
	// Action is what happened (ActionCreate, …) to a record of Kind.
	Action   string `json:"action"`
	Kind     string `json:"kind"`
	RecordID *int64 `json:"record_id"`
	// Summary names the record for people ("고용24"); a page renders it with
	// the kind and action in the reader's language (Describe).
	Summary string `json:"summary"`
	// Before and After are the record as JSON; Before is nil for a creation,
	// After for a deletion.
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
	// PrevHash is the previous entry's Hash (Genesis for the first); Hash
	// covers every field above and PrevHash. Both are lower-case hex.
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Querier is what Append needs of a write transaction (*sql.Tx).
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Limits on the words of an entry (the record's JSON is kept whole: its
// own store already limits it).
const (
	maxName = 200
	maxText = 1000
)

// Append adds e to the log inside q, which must be a write transaction (on
// PostgreSQL at the default READ COMMITTED level): the entry lands with the
// change it describes or not at all. It fills Seq, PrevHash and Hash, At
// when zero, and Actor from access.ActorFrom(ctx) when its Kind is empty.
//
// Appending takes the row of audit_state until the transaction ends, so
// appenders take turns; keep a transaction that appends short, and lock
// other shared rows (inventory_state) before appending, never after. A
// transaction that records many changes uses an Appender instead.
func Append(ctx context.Context, q Querier, e *Entry) error {
	a := NewAppender(q)
	if err := a.Append(ctx, e); err != nil {
		return err
	}
	return a.Flush(ctx)
}

// Appender appends entries to the log within one transaction, as Append
// does, but reads the head of the chain only at its first entry and writes
// it back once, in Flush. A transaction that records thousands of changes
// (an import) then updates audit_state twice rather than once per entry:
// on PostgreSQL every update of one row inside one transaction leaves a
// version that the next must step over, and that made a 10,000-system
// import more than three times slower.
//
// Flush must run before the transaction commits; entries appended without
// it are left beyond the head, which Verify reports.
type Appender struct {
	q     Querier
	head  Head
	taken bool // the head is read and locked
	moved bool // entries appended since the last Flush
}

// NewAppender returns an appender for the transaction q.
func NewAppender(q Querier) *Appender { return &Appender{q: q} }

// Append adds e after the entries appended so far; see the package Append.
func (a *Appender) Append(ctx context.Context, e *Entry) error {
	if e.Actor.Kind == "" {
		e.Actor = access.ActorFrom(ctx)
	}
	if err := e.normalize(); err != nil {
		return err
	}
	if !a.taken {
		// An UPDATE rather than a SELECT so that PostgreSQL locks the row
		// (SQLite's single writer already serialises): a second appender
		// waits here until this transaction ends, then reads the head it
		// left.
		if err := a.q.QueryRowContext(ctx, `UPDATE audit_state SET last_seq = last_seq WHERE id = 1 RETURNING last_seq, last_hash`).
			Scan(&a.head.Seq, &a.head.Hash); err != nil {
			return fmt.Errorf("audit: take the head of the chain: %w", err)
		}
		a.taken = true
	}
	e.Seq, e.PrevHash = a.head.Seq+1, a.head.Hash
	if e.At.IsZero() {
		e.At = time.Now()
	}
	r := e.row()
	e.At = r.at() // as stored: UTC, to the microsecond
	e.Hash = r.sum()
	if _, err := a.q.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_name, address, agency_id,
		action, kind, record_id, summary, before_json, after_json, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.seq, r.atText, r.actorKind, r.actorID, r.actorName, r.address, r.agencyID,
		r.action, r.kind, r.recordID, r.summary, r.before, r.after, r.prevHash, e.Hash); err != nil {
		return fmt.Errorf("audit: append entry %d: %w", e.Seq, err)
	}
	a.head, a.moved = Head{Seq: e.Seq, Hash: e.Hash}, true
	return nil
}

// Flush writes the head of the chain back to audit_state; it does nothing
// when no entry was appended since the last Flush.
func (a *Appender) Flush(ctx context.Context) error {
	if !a.moved {
		return nil
	}
	if _, err := a.q.ExecContext(ctx, `UPDATE audit_state SET last_seq = $1, last_hash = $2 WHERE id = 1`, a.head.Seq, a.head.Hash); err != nil {
		return fmt.Errorf("audit: move the head to entry %d: %w", a.head.Seq, err)
	}
	a.moved = false
	return nil
}

// normalize checks what the caller filled in and makes text storable on
// both databases (valid UTF-8, within limits), before the hash covers it.
func (e *Entry) normalize() error {
	if e.Action == "" || e.Kind == "" {
		return errors.New("audit: an entry needs an action and a kind")
	}
	for name, state := range map[string]json.RawMessage{"before": e.Before, "after": e.After} {
		if state == nil {
			continue
		}
		if !json.Valid(state) {
			return fmt.Errorf("audit: %s of %s %s is not JSON", name, e.Kind, e.Action)
		}
	}
	e.Actor.Kind = clean(e.Actor.Kind, maxName)
	e.Actor.Name = clean(e.Actor.Name, maxName)
	e.Actor.Address = clean(e.Actor.Address, maxName)
	e.Action = clean(e.Action, maxName)
	e.Kind = clean(e.Kind, maxName)
	e.Summary = clean(e.Summary, maxText)
	return nil
}

// clean makes s valid UTF-8 without NUL (PostgreSQL's TEXT takes neither)
// and at most max characters.
func clean(s string, max int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// Head is the end of the chain: the last entry's seq and hash.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// ReadHead returns the head the log records in audit_state.
func ReadHead(ctx context.Context, db *database.DB) (Head, error) {
	return readHead(ctx, db.Read)
}

func readHead(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (Head, error) {
	var h Head
	if err := q.QueryRowContext(ctx, `SELECT last_seq, last_hash FROM audit_state WHERE id = 1`).Scan(&h.Seq, &h.Hash); err != nil {
		return Head{}, fmt.Errorf("audit: read head: %w", err)
	}
	return h, nil
}
