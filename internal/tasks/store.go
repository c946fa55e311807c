package tasks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// Store reads and writes tasks and dismissals. Every read and write takes
// an access.Scope: an agency scope sees and changes its own agency's
// records only, and another agency's record is not found.
//
// Every change is recorded in the audit log in its own transaction (who
// from access.ActorFrom, the record before and after), readable by the
// record's agency. Only the exported methods begin and end transactions.
type Store struct {
	db *database.DB
}

// NewStore returns a store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// link is one kind of record a task names, kept in a table of its own:
// adding a kind is one entry here, a field of Task and a migration.
type link struct {
	table, column string
	// field is the Task's JSON field, for errors.
	field string
	ids   func(t *Task) *[]int64
	// belongs is a query that finds a row when record $2 may be named by a
	// task of agency $1; invalid is the error's key when it finds none.
	belongs, invalid string
}

var links = []link{
	{table: "task_systems", column: "system_id", field: "system_ids", ids: func(t *Task) *[]int64 { return &t.SystemIDs },
		belongs: `SELECT 1 FROM systems WHERE id = $2 AND agency_id = $1`, invalid: "tasks.invalid.system"},
	// A facility is shared: a task may name any facility its agency runs
	// a system in, as primary or DR site — the facilities the agency sees.
	{table: "task_facilities", column: "facility_id", field: "facility_ids", ids: func(t *Task) *[]int64 { return &t.FacilityIDs },
		belongs: `SELECT 1 FROM systems WHERE agency_id = $1 AND (primary_facility_id = $2 OR dr_facility_id = $2)`,
		invalid: "tasks.invalid.facility"},
	{table: "task_risks", column: "risk_id", field: "risk_ids", ids: func(t *Task) *[]int64 { return &t.RiskIDs },
		belongs: `SELECT 1 FROM risks WHERE id = $2 AND agency_id = $1`, invalid: "tasks.invalid.risk"},
}

// Filter narrows a list of tasks; its zero value lists every task in scope.
type Filter struct {
	AgencyID     int64
	Term, Status string
}

const taskColumns = `t.id, t.agency_id, t.title, t.description, t.term, t.owner, t.due, t.status, t.criterion,
	t.template, t.proposal_key, t.created_at, t.updated_at, t.created_by, t.updated_by`

func scanTask(row interface{ Scan(...any) error }) (*Task, error) {
	var t Task
	var created, updated string
	if err := row.Scan(&t.ID, &t.AgencyID, &t.Title, &t.Description, &t.Term, &t.Owner, &t.Due, &t.Status, &t.Criterion,
		&t.Template, &t.ProposalKey, &created, &updated, &t.CreatedBy, &t.UpdatedBy); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
	for _, l := range links {
		*l.ids(&t) = []int64{}
	}
	return &t, nil
}

// Tasks lists the tasks in scope that f selects, soonest due first.
func (s *Store) Tasks(ctx context.Context, scope access.Scope, f Filter) ([]*Task, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: list: %w", err)
	}
	defer tx.Rollback()
	return queryTasks(ctx, tx, scope, f, 0)
}

// Task fetches one task in scope.
func (s *Store) Task(ctx context.Context, scope access.Scope, id int64) (*Task, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: get: %w", err)
	}
	defer tx.Rollback()
	return getTask(ctx, tx, scope, id)
}

func getTask(ctx context.Context, q queryer, scope access.Scope, id int64) (*Task, error) {
	list, err := queryTasks(ctx, q, scope, Filter{}, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperror.New(apperror.NotFound, "", "not_found.task")
	}
	return list[0], nil
}

// queryTasks lists the tasks in scope that f selects (only task id, when
// not 0), with the records each names.
func queryTasks(ctx context.Context, q queryer, scope access.Scope, f Filter, id int64) ([]*Task, error) {
	var args []any
	where := []string{scope.Where("t.agency_id", &args)}
	for _, c := range []struct {
		column string
		value  any
		set    bool
	}{{"t.id", id, id != 0}, {"t.agency_id", f.AgencyID, f.AgencyID != 0}, {"t.term", f.Term, f.Term != ""}, {"t.status", f.Status, f.Status != ""}} {
		if c.set {
			args = append(args, c.value)
			where = append(where, fmt.Sprintf("%s = $%d", c.column, len(args)))
		}
	}
	cond := strings.Join(where, " AND ")
	rows, err := q.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE `+cond+` ORDER BY t.due, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("tasks: list: %w", err)
	}
	var list []*Task
	byID := map[int64]*Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("tasks: scan: %w", err)
		}
		list = append(list, t)
		byID[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tasks: list: %w", err)
	}
	for _, l := range links {
		if err := loadLinks(ctx, q, l, cond, args, byID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// loadLinks reads the records of one kind that the tasks matching cond
// name, in id order.
func loadLinks(ctx context.Context, q queryer, l link, cond string, args []any, byID map[int64]*Task) error {
	if len(byID) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT l.task_id, l.`+l.column+` FROM `+l.table+` l JOIN tasks t ON t.id = l.task_id
		WHERE `+cond+` ORDER BY l.task_id, l.`+l.column, args...)
	if err != nil {
		return fmt.Errorf("tasks: list %s: %w", l.table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var taskID, id int64
		if err := rows.Scan(&taskID, &id); err != nil {
			return fmt.Errorf("tasks: scan %s: %w", l.table, err)
		}
		if t := byID[taskID]; t != nil {
			*l.ids(t) = append(*l.ids(t), id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tasks: list %s: %w", l.table, err)
	}
	return nil
}

// writeTx is one write transaction: what it changes, and the audit entries
// of those changes, land together or not at all.
type writeTx struct {
	tx    *sql.Tx
	log   *audit.Appender
	scope access.Scope
	now   string
	actor string
}

func newWriteTx(ctx context.Context, tx *sql.Tx, scope access.Scope) *writeTx {
	return &writeTx{tx: tx, log: audit.NewAppender(tx), scope: scope, now: database.Now(), actor: access.ActorFrom(ctx).Name}
}

func (s *Store) update(ctx context.Context, scope access.Scope, fn func(w *writeTx) error) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		w := newWriteTx(ctx, tx, scope)
		if err := fn(w); err != nil {
			return err
		}
		return w.log.Flush(ctx)
	})
}

// record appends one change to the audit log; before is nil for a
// creation, after for a deletion.
func (w *writeTx) record(ctx context.Context, action, kind string, id, agencyID int64, summary string, before, after any) error {
	e := &audit.Entry{Action: action, Kind: kind, RecordID: &id, AgencyID: &agencyID, Summary: summary}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("tasks: %s %d as JSON: %w", kind, id, err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("tasks: %s %d as JSON: %w", kind, id, err)
		}
	}
	return w.log.Append(ctx, e)
}

// Create stores a new task of an agency in scope, sets its id and times,
// and records who created it. A task accepted from a proposal carries the
// proposal's key; a second task with the same key is a conflict.
func (s *Store) Create(ctx context.Context, scope access.Scope, t *Task) error {
	return s.update(ctx, scope, func(w *writeTx) error { return w.create(ctx, t) })
}

// CreateIn is Create inside tx, a transaction of another record's change
// that the task belongs to (an incident review's corrective action): both
// are written, or neither.
func CreateIn(ctx context.Context, tx *sql.Tx, scope access.Scope, t *Task) error {
	w := newWriteTx(ctx, tx, scope)
	if err := w.create(ctx, t); err != nil {
		return err
	}
	return w.log.Flush(ctx)
}

func (w *writeTx) create(ctx context.Context, t *Task) error {
	t.normalize()
	if t.Status == "" {
		t.Status = StatusPlanned
	}
	if err := t.Validate().Err(); err != nil {
		return err
	}
	if !w.scope.Allows(t.AgencyID) {
		return apperror.New(apperror.NotFound, "", "not_found.agency")
	}
	if err := w.checkAgency(ctx, t.AgencyID); err != nil {
		return err
	}
	if err := w.checkLinks(ctx, t); err != nil {
		return err
	}
	err := w.tx.QueryRowContext(ctx, `INSERT INTO tasks (agency_id, title, description, term, owner, due, status, criterion,
		template, proposal_key, created_at, updated_at, created_by, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $12) RETURNING id`,
		t.AgencyID, t.Title, t.Description, t.Term, t.Owner, t.Due, t.Status, t.Criterion, t.Template, t.ProposalKey,
		w.now, w.actor).Scan(&t.ID)
	if database.IsUniqueViolation(err) {
		return apperror.New(apperror.Conflict, "", "tasks.conflict.accepted")
	}
	if err != nil {
		return fmt.Errorf("tasks: create: %w", err)
	}
	if err := w.writeLinks(ctx, t); err != nil {
		return err
	}
	after, err := getTask(ctx, w.tx, access.All(), t.ID)
	if err != nil {
		return err
	}
	*t = *after
	return w.record(ctx, audit.ActionCreate, audit.KindTask, t.ID, t.AgencyID, t.Title, nil, after)
}

// Update replaces a task's fields with t's. A task stays with its agency
// (t.AgencyID 0 keeps it), and where it came from (template, proposal)
// never changes; CheckChange decides what else may. An update that changes
// nothing writes nothing.
func (s *Store) Update(ctx context.Context, scope access.Scope, t *Task) error {
	t.normalize()
	return s.update(ctx, scope, func(w *writeTx) error {
		before, err := getTask(ctx, w.tx, scope, t.ID)
		if err != nil {
			return err
		}
		if t.AgencyID == 0 {
			t.AgencyID = before.AgencyID
		}
		t.Template, t.ProposalKey = before.Template, before.ProposalKey
		if err := t.Validate().Err(); err != nil {
			return err
		}
		if err := CheckChange(before, t); err != nil {
			return err
		}
		if sameContent(before, t) {
			*t = *before
			return nil
		}
		if err := w.checkLinks(ctx, t); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE tasks SET title = $1, description = $2, term = $3, owner = $4, due = $5,
			status = $6, criterion = $7, updated_at = $8, updated_by = $9 WHERE id = $10`,
			t.Title, t.Description, t.Term, t.Owner, t.Due, t.Status, t.Criterion, w.now, w.actor, t.ID); err != nil {
			return fmt.Errorf("tasks: update %d: %w", t.ID, err)
		}
		if err := w.writeLinks(ctx, t); err != nil {
			return err
		}
		after, err := getTask(ctx, w.tx, access.All(), t.ID)
		if err != nil {
			return err
		}
		*t = *after
		return w.record(ctx, audit.ActionUpdate, audit.KindTask, t.ID, t.AgencyID, t.Title, before, after)
	})
}

// Delete removes a task in scope. A task accepted from a proposal takes
// the decision with it: the proposal is open again if its finding remains.
func (s *Store) Delete(ctx context.Context, scope access.Scope, id int64) error {
	return s.update(ctx, scope, func(w *writeTx) error {
		before, err := getTask(ctx, w.tx, scope, id)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM tasks WHERE id = $1`, id); err != nil {
			return fmt.Errorf("tasks: delete %d: %w", id, err)
		}
		return w.record(ctx, audit.ActionDelete, audit.KindTask, id, before.AgencyID, before.Title, before, nil)
	})
}

// sameContent reports whether next would leave the stored task as it is.
func sameContent(stored, next *Task) bool {
	same := stored.Title == next.Title && stored.Description == next.Description && stored.Term == next.Term &&
		stored.Owner == next.Owner && stored.Due == next.Due && stored.Status == next.Status && stored.Criterion == next.Criterion
	for _, l := range links {
		same = same && slices.Equal(*l.ids(stored), *l.ids(next))
	}
	return same
}

// checkAgency refuses an agency that does not exist.
func (w *writeTx) checkAgency(ctx context.Context, id int64) error {
	var one int
	err := w.tx.QueryRowContext(ctx, `SELECT 1 FROM agencies WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperror.New(apperror.Invalid, "agency_id", "invalid.unknown_agency", id)
	}
	if err != nil {
		return fmt.Errorf("tasks: look up agency %d: %w", id, err)
	}
	return nil
}

// checkLinks refuses a record the task's agency may not name: another
// agency's system or risk, a facility it runs nothing in, or one that does
// not exist (the same words for both, so that nothing of another agency
// shows).
func (w *writeTx) checkLinks(ctx context.Context, t *Task) error {
	for _, l := range links {
		for _, id := range *l.ids(t) {
			var one int
			err := w.tx.QueryRowContext(ctx, l.belongs+` LIMIT 1`, t.AgencyID, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return apperror.New(apperror.Invalid, l.field, l.invalid, id)
			}
			if err != nil {
				return fmt.Errorf("tasks: look up %s %d: %w", l.column, id, err)
			}
		}
	}
	return nil
}

// writeLinks replaces the records the task names.
func (w *writeTx) writeLinks(ctx context.Context, t *Task) error {
	for _, l := range links {
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM `+l.table+` WHERE task_id = $1`, t.ID); err != nil {
			return fmt.Errorf("tasks: clear %s of %d: %w", l.table, t.ID, err)
		}
		for _, id := range *l.ids(t) {
			if _, err := w.tx.ExecContext(ctx, `INSERT INTO `+l.table+` (task_id, `+l.column+`) VALUES ($1, $2)`, t.ID, id); err != nil {
				return fmt.Errorf("tasks: link %s %d to %d: %w", l.column, id, t.ID, err)
			}
		}
	}
	return nil
}

// Limits of a dismissal's identifying fields, which the tower makes.
const (
	maxKey         = 200
	maxFingerprint = 64
)

// Dismissals lists the dismissals of an agency in scope (every agency's
// for 0), in the order they were made.
func (s *Store) Dismissals(ctx context.Context, scope access.Scope, agencyID int64) ([]*Dismissal, error) {
	return queryDismissals(ctx, s.db.Read, scope, agencyID, "")
}

const dismissalColumns = `id, agency_id, proposal_key, fingerprint, reason, summary, created_at, updated_at, created_by, updated_by`

func queryDismissals(ctx context.Context, q queryer, scope access.Scope, agencyID int64, key string) ([]*Dismissal, error) {
	var args []any
	where := []string{scope.Where("agency_id", &args)}
	if agencyID != 0 {
		args = append(args, agencyID)
		where = append(where, fmt.Sprintf("agency_id = $%d", len(args)))
	}
	if key != "" {
		args = append(args, key)
		where = append(where, fmt.Sprintf("proposal_key = $%d", len(args)))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+dismissalColumns+` FROM proposal_dismissals WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("tasks: list dismissals: %w", err)
	}
	defer rows.Close()
	var list []*Dismissal
	for rows.Next() {
		var d Dismissal
		var created, updated string
		if err := rows.Scan(&d.ID, &d.AgencyID, &d.ProposalKey, &d.Fingerprint, &d.Reason, &d.Summary, &created, &updated,
			&d.CreatedBy, &d.UpdatedBy); err != nil {
			return nil, fmt.Errorf("tasks: scan dismissal: %w", err)
		}
		d.CreatedAt, d.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
		list = append(list, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tasks: list dismissals: %w", err)
	}
	return list, nil
}

// Dismiss records that a proposal of an agency in scope was dismissed, with
// the reason (required), for the facts of fingerprint; dismissing it again
// (its facts changed, it came back) replaces the earlier dismissal. An
// accepted proposal — a task carries its key — cannot be dismissed.
func (s *Store) Dismiss(ctx context.Context, scope access.Scope, d *Dismissal) error {
	d.Reason, d.Summary = strings.TrimSpace(strings.ReplaceAll(d.Reason, "\r\n", "\n")), strings.TrimSpace(d.Summary)
	var reason inventory.Problems
	reason.Text("reason", d.Reason, MaxReason)
	switch {
	case d.ProposalKey == "" || len(d.ProposalKey) > maxKey:
		return apperror.New(apperror.Invalid, "key", "tasks.invalid.proposal")
	case d.Fingerprint == "" || len(d.Fingerprint) > maxFingerprint:
		return apperror.New(apperror.Invalid, "fingerprint", "tasks.invalid.proposal")
	case d.Reason == "":
		return apperror.New(apperror.Invalid, "reason", "tasks.invalid.reason_required")
	case len(reason) > 0:
		return reason.Err()
	case !scope.Allows(d.AgencyID):
		return apperror.New(apperror.NotFound, "", "not_found.agency")
	}
	// The summary is the tower's own words (the proposal's title): cut,
	// not refused, should a system's long name make it long.
	if r := []rune(d.Summary); len(r) > inventory.MaxShortText {
		d.Summary = string(r[:inventory.MaxShortText])
	}
	return s.update(ctx, scope, func(w *writeTx) error {
		if err := w.checkAgency(ctx, d.AgencyID); err != nil {
			return err
		}
		var one int
		err := w.tx.QueryRowContext(ctx, `SELECT 1 FROM tasks WHERE agency_id = $1 AND proposal_key = $2`, d.AgencyID, d.ProposalKey).Scan(&one)
		if err == nil {
			return apperror.New(apperror.Conflict, "", "tasks.conflict.accepted")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("tasks: look up tasks of %s: %w", d.ProposalKey, err)
		}
		found, err := queryDismissals(ctx, w.tx, access.All(), d.AgencyID, d.ProposalKey)
		if err != nil {
			return err
		}
		action := audit.ActionCreate
		var before *Dismissal
		if len(found) == 0 {
			err = w.tx.QueryRowContext(ctx, `INSERT INTO proposal_dismissals (agency_id, proposal_key, fingerprint, reason, summary,
				created_at, updated_at, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) RETURNING id`,
				d.AgencyID, d.ProposalKey, d.Fingerprint, d.Reason, d.Summary, w.now, w.actor).Scan(&d.ID)
		} else {
			action, before, d.ID = audit.ActionUpdate, found[0], found[0].ID
			_, err = w.tx.ExecContext(ctx, `UPDATE proposal_dismissals SET fingerprint = $1, reason = $2, summary = $3,
				updated_at = $4, updated_by = $5 WHERE id = $6`, d.Fingerprint, d.Reason, d.Summary, w.now, w.actor, d.ID)
		}
		if database.IsUniqueViolation(err) {
			return apperror.New(apperror.Conflict, "", "tasks.conflict.dismissed")
		}
		if err != nil {
			return fmt.Errorf("tasks: dismiss %s: %w", d.ProposalKey, err)
		}
		after, err := queryDismissals(ctx, w.tx, access.All(), d.AgencyID, d.ProposalKey)
		if err != nil {
			return err
		}
		*d = *after[0]
		if before != nil {
			return w.record(ctx, action, audit.KindDismissal, d.ID, d.AgencyID, d.Summary, before, d)
		}
		return w.record(ctx, action, audit.KindDismissal, d.ID, d.AgencyID, d.Summary, nil, d)
	})
}

// Restore takes back the dismissal of a proposal of an agency in scope: the
// proposal is open again.
func (s *Store) Restore(ctx context.Context, scope access.Scope, agencyID int64, key string) error {
	if !scope.Allows(agencyID) {
		return apperror.New(apperror.NotFound, "", "not_found.agency")
	}
	return s.update(ctx, scope, func(w *writeTx) error {
		found, err := queryDismissals(ctx, w.tx, access.All(), agencyID, key)
		if err != nil {
			return err
		}
		if len(found) == 0 || key == "" {
			return apperror.New(apperror.NotFound, "", "tasks.not_found.dismissal")
		}
		d := found[0]
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM proposal_dismissals WHERE id = $1`, d.ID); err != nil {
			return fmt.Errorf("tasks: restore %s: %w", key, err)
		}
		return w.record(ctx, audit.ActionDelete, audit.KindDismissal, d.ID, d.AgencyID, d.Summary, d, nil)
	})
}
