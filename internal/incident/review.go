package incident

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/tasks"
)

// Action is a corrective action of the review, kept as a task (④).
type Action struct {
	TaskID int64  `json:"task_id"`
	Title  string `json:"title"`
	Owner  string `json:"owner"`
	Due    string `json:"due"`
	Status string `json:"status"`
}

// PlannedAction is a corrective action as the review writes it: it becomes
// a task of the incident's agency, naming the incident's systems.
type PlannedAction struct {
	Title     string `json:"title"`
	Owner     string `json:"owner"`
	Due       string `json:"due"`  // YYYY-MM-DD or "2025. 9. 26."
	Term      string `json:"term"` // short (default) or mid_long
	Criterion string `json:"criterion"`
}

// Review is what the review finds: what happened, why, and what is done
// about it. OverrideReason closes the incident although items taken by
// hand are outstanding (an admin's decision, the caller checks who).
type Review struct {
	Summary        string          `json:"summary"`
	Cause          string          `json:"cause"`
	Actions        []PlannedAction `json:"actions"`
	OverrideReason string          `json:"override_reason"`
}

// SetSeverity sets the incident's severity by a person's decision, with
// the reason the timeline keeps; from then on it no longer follows the
// grades of the systems that join.
func (s *Store) SetSeverity(ctx context.Context, scope access.Scope, id int64, severity Severity, reason string) (*Incident, error) {
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := writable(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if !slices.Contains(Severities, severity) {
			return apperror.New(apperror.Invalid, "severity", "invalid.one_of", string(severity), "national, major, moderate, minor")
		}
		if reason = strings.TrimSpace(reason); reason == "" {
			return apperror.New(apperror.Invalid, "reason", "invalid.required")
		}
		now, actor := s.Now(), access.ActorFrom(ctx).Name
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET severity = $1, severity_reason = $2, updated_at = $3, updated_by = $4
			WHERE id = $5`, severity, inventory.Clip(reason, MaxText), database.FormatTime(now), actor, id); err != nil {
			return fmt.Errorf("incident %d: severity: %w", id, err)
		}
		text := fmt.Sprintf("%s → %s: %s", before.Severity, severity, reason)
		if err := appendEvent(ctx, tx, id, now, EventSeverity, 0, actor, text); err != nil {
			return err
		}
		if inc, err = readIncident(ctx, tx, id); err != nil {
			return err
		}
		return auditIncident(ctx, tx, inc, fmt.Sprintf("severity %s → %s", before.Severity, severity))
	})
	return inc, err
}

// WriteReview closes a resolved incident as reviewed: its summary and
// cause are kept, each corrective action becomes a task of the agency
// naming the incident's systems, and all of it is written together or not
// at all. It is refused while items taken by hand are outstanding, unless
// the review gives an override reason (CanReview).
func (s *Store) WriteReview(ctx context.Context, scope access.Scope, id int64, r Review) (*Incident, error) {
	r.Summary, r.Cause = strings.TrimSpace(r.Summary), strings.TrimSpace(r.Cause)
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := incidentInScope(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		var p inventory.Problems
		p.Required("summary", r.Summary)
		p.Text("summary", r.Summary, inventory.MaxLongText)
		p.Required("cause", r.Cause)
		p.Text("cause", r.Cause, inventory.MaxLongText)
		if err := p.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET summary = $1, cause = $2, review_override = $3 WHERE id = $4`,
			r.Summary, r.Cause, strings.TrimSpace(r.OverrideReason), id); err != nil {
			return fmt.Errorf("incident %d: review: %w", id, err)
		}
		systemIDs := make([]int64, 0, len(before.Systems))
		for _, a := range before.Systems {
			systemIDs = append(systemIDs, a.SystemID)
		}
		var titles []string
		for i, a := range r.Actions {
			t, err := a.task(before, systemIDs)
			if err == nil {
				err = tasks.CreateIn(ctx, tx, scope, t)
			}
			if err != nil {
				return prefixed(err, fmt.Sprintf("actions[%d].", i))
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_tasks (incident_id, task_id) VALUES ($1, $2)`, id, t.ID); err != nil {
				return fmt.Errorf("incident %d: action %d: %w", id, i, err)
			}
			titles = append(titles, t.Title)
		}
		text := r.Summary
		if len(titles) > 0 {
			text += " — 조치: " + strings.Join(titles, "; ")
		}
		if err := appendEvent(ctx, tx, id, s.Now(), EventReview, 0, access.ActorFrom(ctx).Name, text); err != nil {
			return err
		}
		inc, err = s.move(ctx, tx, before, Reviewed, "", r.OverrideReason)
		return err
	})
	return inc, err
}

// task is the planned action as a task of the incident's agency.
func (a PlannedAction) task(inc *Incident, systemIDs []int64) (*tasks.Task, error) {
	t := &tasks.Task{AgencyID: inc.AgencyID, Title: strings.TrimSpace(a.Title), Owner: a.Owner, Term: a.Term,
		Criterion: strings.TrimSpace(a.Criterion), SystemIDs: systemIDs,
		Description: fmt.Sprintf("장애 #%d 검토의 개선 조치 (Corrective action of incident #%d)", inc.ID, inc.ID)}
	if t.Term == "" {
		t.Term = tasks.TermShort
	}
	if t.Criterion == "" {
		t.Criterion = fmt.Sprintf("장애 #%d의 원인이 재발하지 않음을 점검으로 확인", inc.ID)
	}
	if strings.TrimSpace(a.Due) != "" {
		due, err := tasks.ParseDate(a.Due)
		if err != nil {
			return nil, apperror.New(apperror.Invalid, "due", "tasks.invalid.date", a.Due)
		}
		t.Due = due
	}
	return t, nil
}

func readActions(ctx context.Context, q queryer, id int64) ([]*Action, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.title, t.owner, t.due, t.status FROM incident_tasks x JOIN tasks t ON t.id = x.task_id
		WHERE x.incident_id = $1 ORDER BY t.id`, id)
	if err != nil {
		return nil, fmt.Errorf("incident %d: actions: %w", id, err)
	}
	defer rows.Close()
	var list []*Action
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.TaskID, &a.Title, &a.Owner, &a.Due, &a.Status); err != nil {
			return nil, fmt.Errorf("incident %d: actions: %w", id, err)
		}
		list = append(list, &a)
	}
	return list, rows.Err()
}

// auditIncident records a person's change of an incident in the audit log.
func auditIncident(ctx context.Context, tx *sql.Tx, inc *Incident, summary string) error {
	log := audit.NewAppender(tx)
	id, agency := inc.ID, inc.AgencyID
	if err := log.Append(ctx, &audit.Entry{Action: audit.ActionUpdate, Kind: audit.KindIncident, RecordID: &id, AgencyID: &agency,
		Summary: summary}); err != nil {
		return err
	}
	return log.Flush(ctx)
}
