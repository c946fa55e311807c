package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
)

// Incident is one outage of one agency, from its first signal to its
// review, with the systems it affects and its timeline.
type Incident struct {
	ID       int64    `json:"id"`
	AgencyID int64    `json:"agency_id"`
	State    State    `json:"state"`
	Severity Severity `json:"severity"`
	// SeverityReason is why a person set the severity; empty while it
	// follows the grades affected.
	SeverityReason string    `json:"severity_reason,omitempty"`
	Source         string    `json:"source"`
	DetectedAt     time.Time `json:"detected_at"`
	// ReportedAt is the agency's first report (zero: none yet); the other
	// times are when the incident first reached each state.
	ReportedAt  time.Time `json:"reported_at,omitzero"`
	DeclaredAt  time.Time `json:"declared_at,omitzero"`
	MitigatedAt time.Time `json:"mitigated_at,omitzero"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	ReviewedAt  time.Time `json:"reviewed_at,omitzero"`

	Systems []*AffectedSystem `json:"systems"`
	Events  []*Event          `json:"events,omitempty"`

	// The response: the services the systems stop (and their manual
	// modes), what offices took by hand, the data lost, and the review
	// with its corrective actions.
	Services       []*AffectedService `json:"services"`
	Batches        []*Batch           `json:"batches"`
	Losses         []*DataLoss        `json:"data_losses"`
	Summary        string             `json:"summary,omitempty"`
	Cause          string             `json:"cause,omitempty"`
	ReviewOverride string             `json:"review_override,omitempty"`
	Actions        []*Action          `json:"actions"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AffectedSystem is a system an incident affects, with its RTO clock.
type AffectedSystem struct {
	SystemID   int64     `json:"system_id"`
	Name       string    `json:"name"`
	Grade      int       `json:"grade"`
	DownAt     time.Time `json:"down_at"`
	RestoredAt time.Time `json:"restored_at,omitzero"`
	// RTO is the system's target when it went down (zero: none).
	RTO time.Duration `json:"rto"`
	// Warned is the last stage of its clock that was warned of.
	Warned Stage `json:"warned"`
}

// Clock is the system's RTO clock.
func (a *AffectedSystem) Clock() Clock {
	return Clock{Start: a.DownAt, Stop: a.RestoredAt, Target: a.RTO}
}

// Event is one entry of an incident's timeline.
type Event struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	SystemID int64     `json:"system_id,omitempty"`
	Author   string    `json:"author"`
	Text     string    `json:"text"`
}

// Kinds of timeline entry.
const (
	EventOpened   = "opened"   // the first signal opened the incident
	EventSignal   = "signal"   // another signal joined it
	EventRestored = "restored" // a system is back
	EventState    = "state"    // a person moved it (Text: the new state, then the note)
	EventNote     = "note"     // a person's entry
	EventClock    = "clock"    // a system's RTO clock passed a stage (Text: Stage.String)
)

// Sources of an incident.
const (
	SourceMonitor = "monitor"
	SourceReport  = "report"
	SourceAlert   = "alert"
)

// Signal is news that a system is down: from the tower's monitoring, a
// person's report or another monitor's alert.
type Signal struct {
	SystemID int64
	At       time.Time
	Source   string
	// Reason says what was seen ("connection refused", an alert's summary).
	Reason string
}

// CorrelationWindow is how close to an open incident's detection another
// system of the same agency must go down to join it: the systems a fire or
// a cut line stops go down within minutes, and are one incident to run,
// not one each.
const CorrelationWindow = 10 * time.Minute

// MaxText bounds a timeline entry's text.
const MaxText = 2000

// Store reads and writes incidents. Reads and a person's changes take an
// access.Scope (an agency sees its own incidents only; another's does not
// exist); what the tower records by itself — signals, recoveries — takes
// none. A person's state change is written to the audit log too.
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

// Detect takes a signal that a system is down: it joins the open incident
// that already has the system, or else an open incident of the same agency
// detected within CorrelationWindow of the signal (adding the system), or
// else opens a new incident. It reports the incident and whether it was
// opened now. A person's report (SourceReport) also counts as the agency's
// report of the incident. A signal from a machine (the monitoring, an
// alert) for a system already down in the open incident changes nothing
// and adds nothing to the timeline: repeats are not news.
func (s *Store) Detect(ctx context.Context, sig Signal) (inc *Incident, opened bool, err error) {
	if sig.At.IsZero() {
		sig.At = s.Now()
	}
	author := access.ActorFrom(ctx).Name
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		sys, err := readSystem(ctx, tx, sig.SystemID)
		if err != nil {
			return err
		}
		if err := s.lockAgency(ctx, tx, sys.agencyID); err != nil {
			return err
		}
		id, err := openIncidentOf(ctx, tx, sys, sig.At)
		if err != nil {
			return err
		}
		// A machine repeating that a system is down (Alertmanager resends a
		// firing alert every repeat_interval) is no news while the system
		// is down in that incident: the timeline would fill with copies. A
		// person's report is always recorded (and counts as the report).
		if id != 0 && sig.Source != SourceReport {
			down, err := stillDown(ctx, tx, id, sys.id)
			if err != nil {
				return err
			}
			if down {
				inc, err = readIncident(ctx, tx, id)
				return err
			}
		}
		now := database.FormatTime(s.Now())
		kind := EventSignal
		if id == 0 {
			opened, kind = true, EventOpened
			if err := tx.QueryRowContext(ctx, `INSERT INTO incidents (agency_id, state, severity, source, detected_at,
				created_at, updated_at, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) RETURNING id`,
				sys.agencyID, Detected, SeverityOf([]int{sys.grade}), sig.Source, database.FormatTime(sig.At), now, author).Scan(&id); err != nil {
				return fmt.Errorf("incident: open for system %d: %w", sig.SystemID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_systems (incident_id, system_id, down_at, rto_minutes)
			VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id, system_id) DO UPDATE SET restored_at = NULL`,
			id, sys.id, database.FormatTime(sig.At), sys.rto); err != nil {
			return fmt.Errorf("incident %d: add system %d: %w", id, sys.id, err)
		}
		if err := appendEvent(ctx, tx, id, sig.At, kind, sys.id, author, sig.Reason); err != nil {
			return err
		}
		if sig.Source == SourceReport {
			if _, err := tx.ExecContext(ctx, `UPDATE incidents SET reported_at = $1 WHERE id = $2 AND reported_at IS NULL`,
				database.FormatTime(sig.At), id); err != nil {
				return fmt.Errorf("incident %d: note the report: %w", id, err)
			}
		}
		if err := s.followGrades(ctx, tx, id); err != nil {
			return err
		}
		inc, err = readIncident(ctx, tx, id)
		return err
	})
	return inc, opened, err
}

// incidentLocks is the class of PostgreSQL advisory locks that serialise
// the signals of one agency (the migrations use a single-key lock).
const incidentLocks = 12

// lockAgency makes the signals of one agency take turns, so that two at
// once — the monitoring and a person's report of the same outage — join
// one incident instead of each opening its own. SQLite has one writer, so
// its transactions take turns already.
func (s *Store) lockAgency(ctx context.Context, tx *sql.Tx, agencyID int64) error {
	if s.db.Dialect != database.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, incidentLocks, agencyID); err != nil {
		return fmt.Errorf("incident: lock the signals of agency %d: %w", agencyID, err)
	}
	return nil
}

// system is what an incident needs of a system.
type system struct {
	id, agencyID int64
	name         string
	grade        int
	rto          sql.NullInt64 // minutes
}

func readSystem(ctx context.Context, q queryer, id int64) (*system, error) {
	var sys system
	var grade sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, agency_id, name, grade, rto_failure FROM systems WHERE id = $1`, id).
		Scan(&sys.id, &sys.agencyID, &sys.name, &grade, &sys.rto)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.system")
	}
	if err != nil {
		return nil, fmt.Errorf("incident: read system %d: %w", id, err)
	}
	sys.grade = int(grade.Int64)
	return &sys, nil
}

// openIncidentOf is the open incident a signal of sys at at joins (see
// Detect), 0 if none.
func openIncidentOf(ctx context.Context, q queryer, sys *system, at time.Time) (int64, error) {
	const open = `i.state IN ('detected', 'declared', 'mitigated')`
	var id int64
	err := q.QueryRowContext(ctx, `SELECT i.id FROM incidents i JOIN incident_systems s ON s.incident_id = i.id
		WHERE s.system_id = $1 AND `+open+` ORDER BY i.id DESC LIMIT 1`, sys.id).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT i.id FROM incidents i WHERE i.agency_id = $1 AND `+open+`
			AND i.detected_at >= $2 AND i.detected_at <= $3 ORDER BY i.detected_at DESC, i.id DESC LIMIT 1`,
			sys.agencyID, database.FormatTime(at.Add(-CorrelationWindow)), database.FormatTime(at.Add(CorrelationWindow))).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("incident: find the open incident of system %d: %w", sys.id, err)
	}
	return id, nil
}

// stillDown reports whether system is in incident id and not restored.
func stillDown(ctx context.Context, q queryer, id, system int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_systems WHERE incident_id = $1 AND system_id = $2 AND restored_at IS NULL`,
		id, system).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("incident %d: is system %d down: %w", id, system, err)
	}
	return n > 0, nil
}

// followGrades sets the incident's severity from the grades of its
// systems, unless a person set it with a reason.
func (s *Store) followGrades(ctx context.Context, tx *sql.Tx, id int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(y.grade, 0) FROM incident_systems s JOIN systems y ON y.id = s.system_id
		WHERE s.incident_id = $1`, id)
	if err != nil {
		return fmt.Errorf("incident %d: grades: %w", id, err)
	}
	var grades []int
	for rows.Next() {
		var g int
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return fmt.Errorf("incident %d: grades: %w", id, err)
		}
		grades = append(grades, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("incident %d: grades: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET severity = $1 WHERE id = $2 AND severity_reason = ''`,
		SeverityOf(grades), id); err != nil {
		return fmt.Errorf("incident %d: severity: %w", id, err)
	}
	return nil
}

func appendEvent(ctx context.Context, q queryer, incidentID int64, at time.Time, kind string, systemID int64, author, text string) error {
	var system any
	if systemID != 0 {
		system = systemID
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO incident_events (incident_id, at, kind, system_id, author, text)
		VALUES ($1, $2, $3, $4, $5, $6)`, incidentID, database.FormatTime(at), kind, system, author, inventory.Clip(text, MaxText)); err != nil {
		return fmt.Errorf("incident %d: timeline: %w", incidentID, err)
	}
	return nil
}

// Restore takes news that a system is back at at: its clock stops in every
// open incident that has it, and each timeline says so. It reports how
// many incidents it touched.
func (s *Store) Restore(ctx context.Context, systemID int64, at time.Time, reason string) (int, error) {
	touched := 0
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.incident_id FROM incident_systems s JOIN incidents i ON i.id = s.incident_id
			WHERE s.system_id = $1 AND s.restored_at IS NULL AND i.state IN ('detected', 'declared', 'mitigated')`, systemID)
		if err != nil {
			return fmt.Errorf("incident: restore system %d: %w", systemID, err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("incident: restore system %d: %w", systemID, err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("incident: restore system %d: %w", systemID, err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE incident_systems SET restored_at = CASE WHEN down_at > $1 THEN down_at ELSE $1 END
				WHERE incident_id = $2 AND system_id = $3`, database.FormatTime(at), id, systemID); err != nil {
				return fmt.Errorf("incident %d: restore system %d: %w", id, systemID, err)
			}
			if err := appendEvent(ctx, tx, id, at, EventRestored, systemID, access.ActorFrom(ctx).Name, reason); err != nil {
				return err
			}
		}
		touched = len(ids)
		return nil
	})
	return touched, err
}

// Move moves incident id in scope to state to, with a note for the
// timeline, as a person's decision: refused (invalid, on "state") when the
// incident cannot move there. Declaring counts as the agency's report.
// Reviewing is refused while anything taken by hand is outstanding unless
// overrideReason says why (CanReview); WriteReview is the way to review
// with a summary, a cause and actions.
func (s *Store) Move(ctx context.Context, scope access.Scope, id int64, to State, note, overrideReason string) (*Incident, error) {
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := incidentInScope(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		inc, err = s.move(ctx, tx, before, to, note, overrideReason)
		return err
	})
	return inc, err
}

func (s *Store) move(ctx context.Context, tx *sql.Tx, before *Incident, to State, note, overrideReason string) (*Incident, error) {
	id := before.ID
	if !CanMove(before.State, to) {
		return nil, apperror.New(apperror.Invalid, "state", "incident.invalid.move", string(before.State), string(to))
	}
	outstanding := before.Outstanding()
	if to == Reviewed && !CanReview(outstanding, overrideReason) {
		return nil, apperror.New(apperror.Invalid, "override_reason", "incident.invalid.backlog", outstanding)
	}
	now := s.Now()
	actor := access.ActorFrom(ctx).Name
	column := map[State]string{Declared: "declared_at", Mitigated: "mitigated_at", Resolved: "resolved_at", Reviewed: "reviewed_at"}[to]
	query := `UPDATE incidents SET state = $1, updated_at = $2, updated_by = $3, ` + column + ` = COALESCE(` + column + `, $2)`
	if to == Declared {
		query += `, reported_at = COALESCE(reported_at, $2)`
	}
	// Only from the state read: a move made meanwhile by someone else
	// (on PostgreSQL, which does not serialise writers) wins, and this
	// one is refused rather than undoing it.
	res, err := tx.ExecContext(ctx, query+` WHERE id = $4 AND state = $5`, to, database.FormatTime(now), actor, id, before.State)
	if n, err := rowsAffected(res, err); err != nil {
		return nil, fmt.Errorf("incident %d: move to %s: %w", id, to, err)
	} else if n == 0 {
		return nil, apperror.New(apperror.Conflict, "state", "incident.conflict.moved")
	}
	if to == Resolved {
		if err := stopClocks(ctx, tx, before, now, actor); err != nil {
			return nil, err
		}
	}
	text := string(to)
	if note = strings.TrimSpace(note); note != "" {
		text += ": " + note
	}
	if overrideReason = strings.TrimSpace(overrideReason); to == Reviewed && outstanding > 0 {
		text += fmt.Sprintf(" (override, %d outstanding: %s)", outstanding, overrideReason)
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET review_override = $1 WHERE id = $2`, overrideReason, id); err != nil {
			return nil, fmt.Errorf("incident %d: review override: %w", id, err)
		}
	}
	if err := appendEvent(ctx, tx, id, now, EventState, 0, actor, text); err != nil {
		return nil, err
	}
	inc, err := readIncident(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return inc, auditIncident(ctx, tx, inc, fmt.Sprintf("%s → %s", before.State, to))
}

// stopClocks stops the clocks still running when a person resolves the
// incident: resolving says the service is back, whatever no probe has
// seen yet; each stop is on the timeline. (A system down again later
// opens a new incident.)
func stopClocks(ctx context.Context, tx *sql.Tx, inc *Incident, at time.Time, actor string) error {
	for _, a := range inc.Systems {
		if !a.RestoredAt.IsZero() {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incident_systems SET restored_at = $1 WHERE incident_id = $2 AND system_id = $3`,
			database.FormatTime(at), inc.ID, a.SystemID); err != nil {
			return fmt.Errorf("incident %d: stop the clock of system %d: %w", inc.ID, a.SystemID, err)
		}
		if err := appendEvent(ctx, tx, inc.ID, at, EventRestored, a.SystemID, actor, "resolved"); err != nil {
			return err
		}
	}
	return nil
}

// Note adds a person's entry to the timeline of incident id in scope.
func (s *Store) Note(ctx context.Context, scope access.Scope, id int64, text string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := incidentInScope(ctx, tx, scope, id); err != nil {
			return err
		}
		if text = strings.TrimSpace(text); text == "" {
			return apperror.New(apperror.Invalid, "text", "invalid.required")
		}
		return appendEvent(ctx, tx, id, s.Now(), EventNote, 0, access.ActorFrom(ctx).Name, text)
	})
}

// Incident reads incident id in scope with its systems and timeline.
func (s *Store) Incident(ctx context.Context, scope access.Scope, id int64) (*Incident, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("incident %d: %w", id, err)
	}
	defer tx.Rollback()
	return incidentInScope(ctx, tx, scope, id)
}

// Open lists the open incidents in scope, latest first, with their systems.
func (s *Store) Open(ctx context.Context, scope access.Scope) ([]*Incident, error) {
	list, _, err := s.list(ctx, scope, `state IN ('detected', 'declared', 'mitigated')`, nil, 0)
	return list, err
}

// Closed lists the resolved and reviewed incidents in scope detected
// since since, latest first, at most limit of them; cut says there were
// more.
func (s *Store) Closed(ctx context.Context, scope access.Scope, since time.Time, limit int) (list []*Incident, cut bool, err error) {
	return s.list(ctx, scope, `state IN ('resolved', 'reviewed') AND detected_at >= $1`, []any{database.FormatTime(since)}, limit)
}

// list reads the incidents in scope that match where (its arguments
// first), latest first, at most limit (0: all) of them.
func (s *Store) list(ctx context.Context, scope access.Scope, where string, args []any, limit int) ([]*Incident, bool, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("incident: list: %w", err)
	}
	defer tx.Rollback()
	query := `SELECT id FROM incidents WHERE ` + where + ` AND ` + scope.Where("agency_id", &args) + ` ORDER BY detected_at DESC, id DESC`
	if limit > 0 {
		args = append(args, limit+1)
		query += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("incident: list: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("incident: list: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("incident: list: %w", err)
	}
	cut := limit > 0 && len(ids) > limit
	if cut {
		ids = ids[:limit]
	}
	list, err := readSummaries(ctx, tx, ids)
	return list, cut, err
}

// readSummaries reads incidents by id, in that order, without their
// timelines: what a list shows.
func readSummaries(ctx context.Context, q queryer, ids []int64) ([]*Incident, error) {
	list := make([]*Incident, 0, len(ids))
	for _, id := range ids {
		inc, err := readIncident(ctx, q, id)
		if err != nil {
			return nil, err
		}
		inc.Events = nil
		list = append(list, inc)
	}
	return list, nil
}

func incidentInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (*Incident, error) {
	inc, err := readIncident(ctx, q, id)
	if err == nil && !scope.Allows(inc.AgencyID) {
		err = apperror.New(apperror.NotFound, "", "not_found.incident")
	}
	return inc, err
}

func readIncident(ctx context.Context, q queryer, id int64) (*Incident, error) {
	var inc Incident
	var detected, created, updated string
	var reported, declared, mitigated, resolved, reviewed sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, agency_id, state, severity, severity_reason, source, detected_at, reported_at,
		declared_at, mitigated_at, resolved_at, reviewed_at, created_at, updated_at, summary, cause, review_override
		FROM incidents WHERE id = $1`, id).
		Scan(&inc.ID, &inc.AgencyID, &inc.State, &inc.Severity, &inc.SeverityReason, &inc.Source, &detected, &reported,
			&declared, &mitigated, &resolved, &reviewed, &created, &updated, &inc.Summary, &inc.Cause, &inc.ReviewOverride)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.incident")
	}
	if err != nil {
		return nil, fmt.Errorf("incident %d: %w", id, err)
	}
	inc.DetectedAt, inc.CreatedAt, inc.UpdatedAt = database.ParseTime(detected), database.ParseTime(created), database.ParseTime(updated)
	inc.ReportedAt, inc.DeclaredAt, inc.MitigatedAt = database.ParseNullTime(reported), database.ParseNullTime(declared), database.ParseNullTime(mitigated)
	inc.ResolvedAt, inc.ReviewedAt = database.ParseNullTime(resolved), database.ParseNullTime(reviewed)

	rows, err := q.QueryContext(ctx, `SELECT s.system_id, y.name, COALESCE(y.grade, 0), s.down_at, s.restored_at, s.rto_minutes, s.warned
		FROM incident_systems s JOIN systems y ON y.id = s.system_id WHERE s.incident_id = $1 ORDER BY s.down_at, s.system_id`, id)
	if err != nil {
		return nil, fmt.Errorf("incident %d: systems: %w", id, err)
	}
	for rows.Next() {
		var a AffectedSystem
		var down string
		var restored sql.NullString
		var rto sql.NullInt64
		if err := rows.Scan(&a.SystemID, &a.Name, &a.Grade, &down, &restored, &rto, &a.Warned); err != nil {
			rows.Close()
			return nil, fmt.Errorf("incident %d: systems: %w", id, err)
		}
		a.DownAt, a.RestoredAt = database.ParseTime(down), database.ParseNullTime(restored)
		a.RTO = time.Duration(rto.Int64) * time.Minute
		inc.Systems = append(inc.Systems, &a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incident %d: systems: %w", id, err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, at, kind, COALESCE(system_id, 0), author, text FROM incident_events
		WHERE incident_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("incident %d: timeline: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.SystemID, &e.Author, &e.Text); err != nil {
			return nil, fmt.Errorf("incident %d: timeline: %w", id, err)
		}
		e.At = database.ParseTime(at)
		inc.Events = append(inc.Events, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incident %d: timeline: %w", id, err)
	}
	rows.Close()
	if err := readResponse(ctx, q, &inc); err != nil {
		return nil, err
	}
	return &inc, nil
}

// Warning is a stage an RTO clock passed, owed to the people of its
// system (and, when Escalate, to the agency head and the ministry).
type Warning struct {
	IncidentID int64         `json:"incident_id"`
	AgencyID   int64         `json:"agency_id"`
	SystemID   int64         `json:"system_id"`
	SystemName string        `json:"system_name"`
	Grade      int           `json:"grade"`
	Stage      Stage         `json:"stage"`
	Elapsed    time.Duration `json:"elapsed"`
	Target     time.Duration `json:"target"`
	Escalate   bool          `json:"escalate"`
}

// ClockWarnings finds, at now, every stage the running clocks of open
// incidents have passed since their last warning, records each on its
// timeline and marks it warned, in one transaction, and returns them for
// the notifications: a stage is recorded once however often this runs,
// and a clock checked late owes each stage it passed, in order.
func (s *Store) ClockWarnings(ctx context.Context, now time.Time) ([]Warning, error) {
	var warnings []Warning
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.incident_id, i.agency_id, s.system_id, y.name, COALESCE(y.grade, 0), s.down_at,
			s.rto_minutes, s.warned FROM incident_systems s JOIN incidents i ON i.id = s.incident_id JOIN systems y ON y.id = s.system_id
			WHERE i.state IN ('detected', 'declared', 'mitigated') AND s.restored_at IS NULL AND s.rto_minutes > 0
			ORDER BY s.down_at, s.incident_id, s.system_id`)
		if err != nil {
			return fmt.Errorf("incident: running clocks: %w", err)
		}
		var owed []Warning
		for rows.Next() {
			var w Warning
			var down string
			var rto int64
			var warned Stage
			if err := rows.Scan(&w.IncidentID, &w.AgencyID, &w.SystemID, &w.SystemName, &w.Grade, &down, &rto, &warned); err != nil {
				rows.Close()
				return fmt.Errorf("incident: running clocks: %w", err)
			}
			clock := Clock{Start: database.ParseTime(down), Target: time.Duration(rto) * time.Minute}
			w.Elapsed, w.Target = clock.Elapsed(now), clock.Target
			for _, stage := range clock.Due(warned, now) {
				w.Stage, w.Escalate = stage, Escalates(w.Grade, stage)
				owed = append(owed, w)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("incident: running clocks: %w", err)
		}
		for _, w := range owed {
			res, err := tx.ExecContext(ctx, `UPDATE incident_systems SET warned = $1 WHERE incident_id = $2 AND system_id = $3 AND warned < $1`,
				w.Stage, w.IncidentID, w.SystemID)
			if err != nil {
				return fmt.Errorf("incident %d: warn of system %d: %w", w.IncidentID, w.SystemID, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("incident %d: warn of system %d: %w", w.IncidentID, w.SystemID, err)
			}
			if n == 0 {
				continue // another run took it
			}
			if err := appendEvent(ctx, tx, w.IncidentID, now, EventClock, w.SystemID, "yeonsok", w.Stage.String()); err != nil {
				return err
			}
			warnings = append(warnings, w)
		}
		return nil
	})
	return warnings, err
}

// FollowMonitoring is the monitoring Watcher's OnSystem hook: a system
// that goes down opens an incident or joins one (SourceMonitor); one that
// comes back has its RTO clock stopped. A system deleted meanwhile has
// nothing to follow.
func (s *Store) FollowMonitoring(ctx context.Context, ev monitor.SystemEvent) error {
	ctx = access.WithActor(ctx, access.Actor{Kind: access.ActorSystem, Name: "yeonsok"})
	var err error
	if ev.Down {
		_, _, err = s.Detect(ctx, Signal{SystemID: ev.SystemID, At: ev.At, Source: SourceMonitor, Reason: ev.Reason})
	} else {
		_, err = s.Restore(ctx, ev.SystemID, ev.At, "")
	}
	if apperror.CodeOf(err) == apperror.NotFound {
		return nil
	}
	return err
}

// Reconcile brings the open incidents in line with the monitoring's stored
// interruptions, for the events a crash lost between storing an
// interruption and telling the incidents (the Watcher hands them on from
// memory): a system with an interruption open on an active check and no
// open incident that has it down gets one (from the interruption's start);
// a system down in an open incident whose interruptions since have all
// ended is restored at the last end. A system the monitoring never saw
// down there (a person's report) is left to people. serve runs it once at
// start, before the monitoring; running it again changes nothing.
func (s *Store) Reconcile(ctx context.Context) (opened, restored int, err error) {
	ctx = access.WithActor(ctx, access.Actor{Kind: access.ActorSystem, Name: "yeonsok"})
	const openIncident = `SELECT 1 FROM incident_systems x JOIN incidents i ON i.id = x.incident_id
		WHERE x.system_id = %s AND x.restored_at IS NULL AND i.state IN ('detected', 'declared', 'mitigated')`
	down, err := s.pairs(ctx, `SELECT n.system_id, MIN(n.started_at) FROM interruptions n JOIN checks c ON c.id = n.check_id
		WHERE n.ended_at IS NULL AND c.active AND NOT EXISTS (`+fmt.Sprintf(openIncident, "n.system_id")+`) GROUP BY n.system_id`)
	if err != nil {
		return 0, 0, err
	}
	for _, p := range down {
		if _, _, err := s.Detect(ctx, Signal{SystemID: p.systemID, At: p.at, Source: SourceMonitor}); err != nil {
			return opened, restored, err
		}
		opened++
	}
	// Ended on an active check: an interruption ended because its endpoint
	// left the inventory says nothing of the system coming back.
	back, err := s.pairs(ctx, `SELECT x.system_id, MAX(n.ended_at) FROM incident_systems x
		JOIN incidents i ON i.id = x.incident_id JOIN interruptions n ON n.system_id = x.system_id AND n.started_at >= x.down_at
		JOIN checks c ON c.id = n.check_id AND c.active
		WHERE x.restored_at IS NULL AND i.state IN ('detected', 'declared', 'mitigated')
		AND NOT EXISTS (SELECT 1 FROM interruptions o WHERE o.system_id = x.system_id AND o.ended_at IS NULL)
		GROUP BY x.system_id`)
	if err != nil {
		return opened, 0, err
	}
	for _, p := range back {
		if _, err := s.Restore(ctx, p.systemID, p.at, ""); err != nil {
			return opened, restored, err
		}
		restored++
	}
	return opened, restored, nil
}

// pair is a system and a time, as Reconcile reads them.
type pair struct {
	systemID int64
	at       time.Time
}

func (s *Store) pairs(ctx context.Context, query string) ([]pair, error) {
	rows, err := s.db.Read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("incident: reconcile: %w", err)
	}
	defer rows.Close()
	var list []pair
	for rows.Next() {
		var p pair
		var at sql.NullString
		if err := rows.Scan(&p.systemID, &at); err != nil {
			return nil, fmt.Errorf("incident: reconcile: %w", err)
		}
		if p.at = database.ParseNullTime(at); !p.at.IsZero() {
			list = append(list, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incident: reconcile: %w", err)
	}
	return list, nil
}

// Unreported lists the incidents in scope of the last year that the
// tower's probes or another monitor saw and that nobody of the agency
// reported within within (zero: DefaultReportWithin) — not at all, or
// late — latest first.
func (s *Store) Unreported(ctx context.Context, scope access.Scope, within time.Duration, now time.Time) ([]*Incident, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("incident: unreported: %w", err)
	}
	defer tx.Rollback()
	args := []any{database.FormatTime(now.AddDate(-1, 0, 0))}
	rows, err := tx.QueryContext(ctx, `SELECT id, detected_at, reported_at FROM incidents
		WHERE source IN ('monitor', 'alert') AND detected_at >= $1 AND `+scope.Where("agency_id", &args)+`
		ORDER BY detected_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("incident: unreported: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var detected string
		var reported sql.NullString
		if err := rows.Scan(&id, &detected, &reported); err != nil {
			rows.Close()
			return nil, fmt.Errorf("incident: unreported: %w", err)
		}
		if r := ReportingOf(database.ParseTime(detected), database.ParseNullTime(reported), now, within); r.Unreported || r.Reported && !r.Credited {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incident: unreported: %w", err)
	}
	return readSummaries(ctx, tx, ids)
}
