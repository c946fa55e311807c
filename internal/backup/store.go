package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
)

// Store keeps backup runs, their copies and offsite moves, and each
// system's latest state that the checks read.
type Store struct {
	db *database.DB
	// Now is the store's clock; tests replace it.
	Now func() time.Time
}

// NewStore returns a store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db, Now: time.Now} }

type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Reporter is who reports runs: the systems of Scope, and of those only
// Systems when it is a token bound to systems (nil: any in scope).
type Reporter struct {
	Scope   access.Scope
	Systems []int64
	Name    string
}

// MaxRunsPerReport bounds one report: a year of a system's daily runs, or
// a day of many systems', fits.
const MaxRunsPerReport = 5000

// Receipt says what a report changed: runs stored now, and runs the tower
// had already (a job that retried).
type Receipt struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	// RestoreTests counts the duplicates that brought a restore test of a
	// run the tower had without it (or with an older one): a job tests a
	// restore after its backup was reported, and says so by reporting the
	// run again with the test.
	RestoreTests int `json:"restore_tests"`
}

// Report stores runs, all or none: a run that does not validate, names a
// system the reporter may not report for (unknown, another agency's, or
// not bound to its token) or a facility that does not exist refuses the
// whole report with its position ("runs[3].kind"). A run whose system and
// key the tower has already is counted as a duplicate and changes nothing.
func (s *Store) Report(ctx context.Context, rep Reporter, runs []Run) (Receipt, error) {
	var rc Receipt
	switch {
	case len(runs) == 0:
		return rc, apperror.New(apperror.Invalid, "runs", "invalid.required")
	case len(runs) > MaxRunsPerReport:
		return rc, apperror.New(apperror.Invalid, "runs", "invalid.too_many", MaxRunsPerReport)
	}
	now := s.Now()
	for i := range runs {
		if err := runs[i].Validate(now).Err(); err != nil {
			return rc, at(err, i, len(runs))
		}
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		rc = Receipt{}
		systems, facilities := map[int64]bool{}, map[int64]bool{}
		for i, r := range runs {
			if err := checkSystem(ctx, tx, rep, r.SystemID, systems); err != nil {
				return at(err, i, len(runs))
			}
			if err := checkFacility(ctx, tx, "copy.facility_id", r.Copy.FacilityID, facilities); err != nil {
				return at(err, i, len(runs))
			}
		}
		created := database.FormatTime(now)
		w, err := newRunWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for i := range runs {
			stored, err := w.store(ctx, &runs[i], rep.Name, created)
			if err != nil {
				return err
			}
			if !stored {
				rc.Duplicates++
				added, err := addRestoreTest(ctx, tx, &runs[i])
				if err != nil {
					return err
				}
				if added {
					rc.RestoreTests++
				}
				continue
			}
			rc.Accepted++
		}
		if rc.Accepted == 0 && rc.RestoreTests == 0 {
			return nil
		}
		return changed(ctx, tx)
	})
	return rc, err
}

// changed counts a change to the recovery points in the transaction that
// makes it. It comes last in the transaction: on PostgreSQL the row stays
// locked until the commit, and reports only queue for that moment.
func changed(ctx context.Context, q queryer) error {
	if _, err := q.ExecContext(ctx, `UPDATE backup_state SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("backup: count the change: %w", err)
	}
	return nil
}

// Version counts the committed changes to the systems' latest states: what
// Latests reads holds until the version moves.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.Read.QueryRowContext(ctx, `SELECT version FROM backup_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("backup: read version: %w", err)
	}
	return v, nil
}

// at puts a run's position before its problem's field when the report
// holds more than one.
func at(err error, i, n int) error {
	e, ok := apperror.As(err)
	if !ok || n == 1 {
		return err
	}
	copied := *e
	copied.Field = fmt.Sprintf("runs[%d].%s", i, e.Field)
	return &copied
}

func checkSystem(ctx context.Context, q queryer, rep Reporter, id int64, seen map[int64]bool) error {
	if seen[id] {
		return nil
	}
	var agency int64
	err := q.QueryRowContext(ctx, `SELECT agency_id FROM systems WHERE id = $1`, id).Scan(&agency)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && !rep.Scope.Allows(agency):
		return apperror.New(apperror.Invalid, "system_id", "backup.invalid.system", id)
	case err != nil:
		return fmt.Errorf("backup: system %d: %w", id, err)
	case rep.Systems != nil && !slices.Contains(rep.Systems, id):
		return apperror.New(apperror.Invalid, "system_id", "backup.invalid.not_bound", id)
	}
	seen[id] = true
	return nil
}

func checkFacility(ctx context.Context, q queryer, field string, id int64, seen map[int64]bool) error {
	if seen[id] {
		return nil
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM facilities WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperror.New(apperror.Invalid, field, "backup.invalid.facility", id)
	}
	if err != nil {
		return fmt.Errorf("backup: facility %d: %w", id, err)
	}
	seen[id] = true
	return nil
}

// The statements a report runs for each run, prepared once per report:
// compiling them afresh for every run was 39 % of a year's ingest.
var (
	insertRunSQL = `INSERT INTO backup_runs (system_id, report_key, kind, started_at, ended_at, size_bytes, result,
		restore_tested_at, restore_result, restore_seconds, note, reported_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (system_id, report_key) DO NOTHING RETURNING id`
	insertCopySQL = `INSERT INTO backup_copies (run_id, facility_id, medium, since) VALUES ($1, $2, $3, $4)`
	// Runs may arrive out of order (a buffer drained, a year loaded at
	// once), so each value of the latest state moves only forward.
	bringForwardSQL = `INSERT INTO backup_latest (system_id, last_full_at, last_good_at, last_run_at, last_result,
		last_restore_at, last_restore_ok) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (system_id) DO UPDATE SET ` + newer("last_full_at") + `, ` + newer("last_good_at") + `,
		last_result = CASE WHEN excluded.last_run_at >= backup_latest.last_run_at THEN excluded.last_result ELSE backup_latest.last_result END,
		last_run_at = CASE WHEN excluded.last_run_at > backup_latest.last_run_at THEN excluded.last_run_at ELSE backup_latest.last_run_at END,
		last_restore_ok = CASE WHEN excluded.last_restore_at IS NOT NULL AND (backup_latest.last_restore_at IS NULL
			OR excluded.last_restore_at >= backup_latest.last_restore_at) THEN excluded.last_restore_ok ELSE backup_latest.last_restore_ok END,
		` + newer("last_restore_at")
	addPointSQL = `INSERT INTO backup_points (system_id, facility_id, medium, point_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (system_id, facility_id, medium) DO UPDATE SET point_at = CASE WHEN excluded.point_at > backup_points.point_at
			THEN excluded.point_at ELSE backup_points.point_at END`
)

// newer is the SQL that keeps the later of a column's stored value and
// the one arriving (text times compare as times; NULL is never).
func newer(column string) string {
	return column + ` = CASE WHEN backup_latest.` + column + ` IS NULL OR excluded.` + column + ` > backup_latest.` + column +
		` THEN COALESCE(excluded.` + column + `, backup_latest.` + column + `) ELSE backup_latest.` + column + ` END`
}

// runWriter stores the runs of one report with statements prepared in its
// transaction.
type runWriter struct {
	insert, copy, forward, point *sql.Stmt
}

func newRunWriter(ctx context.Context, tx *sql.Tx) (*runWriter, error) {
	var w runWriter
	for _, st := range []struct {
		stmt  **sql.Stmt
		query string
	}{{&w.insert, insertRunSQL}, {&w.copy, insertCopySQL}, {&w.forward, bringForwardSQL}, {&w.point, addPointSQL}} {
		var err error
		if *st.stmt, err = tx.PrepareContext(ctx, st.query); err != nil {
			w.close()
			return nil, fmt.Errorf("backup: prepare: %w", err)
		}
	}
	return &w, nil
}

func (w *runWriter) close() {
	for _, st := range []*sql.Stmt{w.insert, w.copy, w.forward, w.point} {
		if st != nil {
			st.Close()
		}
	}
}

// store stores a run with its first copy and brings the system's latest
// state forward; stored is false when the run was there already.
func (w *runWriter) store(ctx context.Context, r *Run, by, created string) (stored bool, err error) {
	var restoreAt, restoreResult any = nil, ""
	var restoreSeconds any
	if t := r.RestoreTest; t != nil {
		restoreAt, restoreResult, restoreSeconds = database.FormatTime(t.At), t.Result, t.Seconds
	}
	err = w.insert.QueryRowContext(ctx, r.SystemID, r.Key, r.Kind, database.FormatTime(r.StartedAt), database.FormatTime(r.EndedAt),
		r.SizeBytes, r.Result, restoreAt, restoreResult, restoreSeconds, r.Note, by, created).Scan(&r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("backup: store run %q of system %d: %w", r.Key, r.SystemID, err)
	}
	if _, err := w.copy.ExecContext(ctx, r.ID, r.Copy.FacilityID, r.Copy.Medium, database.FormatTime(r.EndedAt)); err != nil {
		return false, fmt.Errorf("backup: copy of run %d: %w", r.ID, err)
	}
	var full, good, restoreOKAt any
	restoreOK := ""
	if r.Result == ResultSuccess {
		good = database.FormatTime(r.StartedAt)
		if r.Kind == KindFull {
			full = good
		}
	}
	if t := r.RestoreTest; t != nil {
		restoreOKAt, restoreOK = database.FormatTime(t.At), t.Result
	}
	if _, err := w.forward.ExecContext(ctx, r.SystemID, full, good, database.FormatTime(r.StartedAt), r.Result, restoreOKAt, restoreOK); err != nil {
		return false, fmt.Errorf("backup: latest of system %d: %w", r.SystemID, err)
	}
	if r.Result == ResultSuccess {
		if _, err := w.point.ExecContext(ctx, r.SystemID, r.Copy.FacilityID, r.Copy.Medium, database.FormatTime(r.StartedAt)); err != nil {
			return false, fmt.Errorf("backup: point of system %d in facility %d: %w", r.SystemID, r.Copy.FacilityID, err)
		}
	}
	return true, nil
}

// addRestoreTest records the restore test r carries on the run already
// stored under r's key, when the run has none or an older one, and brings
// the system's latest restore test forward; added is false otherwise
// (no test, or the same again: a retry changes nothing).
func addRestoreTest(ctx context.Context, tx *sql.Tx, r *Run) (added bool, err error) {
	t := r.RestoreTest
	if t == nil {
		return false, nil
	}
	at := database.FormatTime(t.At)
	res, err := tx.ExecContext(ctx, `UPDATE backup_runs SET restore_tested_at = $3, restore_result = $4, restore_seconds = $5
		WHERE system_id = $1 AND report_key = $2 AND (restore_tested_at IS NULL OR restore_tested_at < $3)`,
		r.SystemID, r.Key, at, t.Result, t.Seconds)
	if err != nil {
		return false, fmt.Errorf("backup: restore test of run %q of system %d: %w", r.Key, r.SystemID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE backup_latest SET
		last_restore_ok = CASE WHEN last_restore_at IS NULL OR $2 >= last_restore_at THEN $3 ELSE last_restore_ok END,
		last_restore_at = CASE WHEN last_restore_at IS NULL OR $2 > last_restore_at THEN $2 ELSE last_restore_at END
		WHERE system_id = $1`, r.SystemID, at, t.Result); err != nil {
		return false, fmt.Errorf("backup: latest restore test of system %d: %w", r.SystemID, err)
	}
	return true, nil
}

// addPoint records that a recovery point of system exists in facility on
// medium, keeping the newest.
func addPoint(ctx context.Context, q queryer, system, facility int64, medium string, point time.Time) error {
	if _, err := q.ExecContext(ctx, addPointSQL, system, facility, medium, database.FormatTime(point)); err != nil {
		return fmt.Errorf("backup: point of system %d in facility %d: %w", system, facility, err)
	}
	return nil
}

// Latests reads the latest state of the systems in scope, by system.
func (s *Store) Latests(ctx context.Context, scope access.Scope) (map[int64]*Latest, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("backup: latest: %w", err)
	}
	defer tx.Rollback()
	var args []any
	where := scope.Where("y.agency_id", &args)
	out := map[int64]*Latest{}
	rows, err := tx.QueryContext(ctx, `SELECT l.system_id, l.last_full_at, l.last_good_at, l.last_run_at, l.last_result,
		l.last_restore_at, l.last_restore_ok FROM backup_latest l JOIN systems y ON y.id = l.system_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("backup: latest: %w", err)
	}
	for rows.Next() {
		var id int64
		var l Latest
		var full, good, restore sql.NullString
		var run string
		if err := rows.Scan(&id, &full, &good, &run, &l.LastResult, &restore, &l.LastRestoreOK); err != nil {
			rows.Close()
			return nil, fmt.Errorf("backup: latest: %w", err)
		}
		l.LastFull, l.LastGood, l.LastRun = database.ParseNullTime(full), database.ParseNullTime(good), database.ParseTime(run)
		l.LastRestore = database.ParseNullTime(restore)
		out[id] = &l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backup: latest: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT p.system_id, p.facility_id, p.medium, p.point_at FROM backup_points p
		JOIN systems y ON y.id = p.system_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("backup: points: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p Point
		var pointAt string
		if err := rows.Scan(&id, &p.FacilityID, &p.Medium, &pointAt); err != nil {
			return nil, fmt.Errorf("backup: points: %w", err)
		}
		p.At = database.ParseTime(pointAt)
		if out[id] == nil {
			out[id] = &Latest{}
		}
		out[id].Points = append(out[id].Points, p)
	}
	return out, rows.Err()
}

// SystemStatus is one system's backups judged: its policy, what it has
// achieved, each check and each scenario's exposure.
type SystemStatus struct {
	SystemID  int64      `json:"system_id"`
	Name      string     `json:"name"`
	AgencyID  int64      `json:"agency_id"`
	Grade     int        `json:"grade"`
	Policy    Policy     `json:"policy"`
	Latest    Latest     `json:"latest"`
	Findings  []Finding  `json:"findings"`
	Exposures []Exposure `json:"exposures"`
}

// Compliant reports whether every check passes.
func (st *SystemStatus) Compliant() bool {
	for _, f := range st.Findings {
		if !f.OK() {
			return false
		}
	}
	return true
}

// Breaches counts the scenarios whose exposure exceeds the target.
func (st *SystemStatus) Breaches() int {
	n := 0
	for _, e := range st.Exposures {
		if e.Breach {
			n++
		}
	}
	return n
}

// Judge checks every system of inv against its policy and computes its
// exposures — one status a system, in inv's order — from latest (Latests)
// at now; restoreTestEvery is the tower's setting. A pure function: the
// figures of 10,000 systems come from 10,000 rows read once.
func Judge(inv *inventory.Inventory, latest map[int64]*Latest, restoreTestEvery time.Duration, now time.Time) []*SystemStatus {
	inherited := objectives.Inherited(inv.Services)
	out := make([]*SystemStatus, 0, len(inv.Systems))
	for _, s := range inv.Systems {
		st := &SystemStatus{SystemID: s.ID, Name: s.Name, AgencyID: s.AgencyID, Grade: s.Grade, Policy: PolicyOf(s, restoreTestEvery)}
		if l := latest[s.ID]; l != nil {
			st.Latest = *l
		}
		primary := int64(0)
		if s.PrimaryFacilityID != nil {
			primary = *s.PrimaryFacilityID
		}
		st.Findings = Check(st.Policy, st.Latest, primary, now)
		st.Exposures = Exposures(s, inherited[s.ID], st.Latest, now)
		out = append(out, st)
	}
	return out
}

// MaxListedRuns bounds a list of runs.
const MaxListedRuns = 1000

// Runs lists the runs of a system in scope that started since since,
// latest first, at most MaxListedRuns, with their first copy.
func (s *Store) Runs(ctx context.Context, scope access.Scope, systemID int64, since time.Time) ([]*Run, error) {
	args := []any{systemID, database.FormatTime(since)}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT r.id, r.system_id, r.report_key, r.kind, r.started_at, r.ended_at, r.size_bytes,
		r.result, r.restore_tested_at, r.restore_result, r.restore_seconds, r.note,
		(SELECT c.facility_id FROM backup_copies c WHERE c.run_id = r.id ORDER BY c.id LIMIT 1),
		(SELECT c.medium FROM backup_copies c WHERE c.run_id = r.id ORDER BY c.id LIMIT 1)
		FROM backup_runs r JOIN systems y ON y.id = r.system_id
		WHERE r.system_id = $1 AND r.started_at >= $2 AND `+scope.Where("y.agency_id", &args)+`
		ORDER BY r.started_at DESC, r.id DESC LIMIT `+fmt.Sprint(MaxListedRuns), args...)
	if err != nil {
		return nil, fmt.Errorf("backup: runs of system %d: %w", systemID, err)
	}
	defer rows.Close()
	var list []*Run
	for rows.Next() {
		var r Run
		var started, ended string
		var restoreAt sql.NullString
		var restoreResult string
		var restoreSeconds sql.NullInt64
		if err := rows.Scan(&r.ID, &r.SystemID, &r.Key, &r.Kind, &started, &ended, &r.SizeBytes, &r.Result, &restoreAt, &restoreResult,
			&restoreSeconds, &r.Note, &r.Copy.FacilityID, &r.Copy.Medium); err != nil {
			return nil, fmt.Errorf("backup: runs of system %d: %w", systemID, err)
		}
		r.StartedAt, r.EndedAt = database.ParseTime(started), database.ParseTime(ended)
		if restoreAt.Valid {
			r.RestoreTest = &RestoreTest{At: database.ParseNullTime(restoreAt), Result: restoreResult, Seconds: restoreSeconds.Int64}
		}
		list = append(list, &r)
	}
	return list, rows.Err()
}
