package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// SyncResult says what SyncChecks changed.
type SyncResult struct {
	Added       int `json:"added"`       // checks made for new endpoints
	Deactivated int `json:"deactivated"` // checks whose endpoint is gone
	Reactivated int `json:"reactivated"` // checks whose endpoint came back
}

// Changed reports whether the engine has anything to reload.
func (r SyncResult) Changed() bool { return r.Added+r.Deactivated+r.Reactivated > 0 }

// SyncChecks brings the checks in line with the inventory's endpoints: a
// check with default settings for every endpoint that has none, inactive
// checks for endpoints that are gone (their history stays, and an
// interruption still open ends now: nobody is watching any more), and
// active again those whose endpoint came back, with their settings. The
// engine calls it on start and whenever the inventory's version moves,
// then reloads Checks.
//
// It is the tower's own bookkeeping after an inventory change, which the
// audit log has already recorded; it is not recorded again.
func (s *Store) SyncChecks(ctx context.Context) (SyncResult, error) {
	var r SyncResult
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := database.FormatTime(s.Now())
		const hasEndpoint = `EXISTS (SELECT 1 FROM endpoints e WHERE e.system_id = checks.system_id AND e.target = checks.target)`
		steps := []struct {
			what  string
			count *int
			query string
		}{
			{"close interruptions of gone endpoints", nil, `UPDATE interruptions SET ended_at = $1 WHERE ended_at IS NULL
				AND check_id IN (SELECT id FROM checks WHERE active AND NOT ` + hasEndpoint + `)`},
			{"deactivate", &r.Deactivated, `UPDATE checks SET active = FALSE, updated_at = $1 WHERE active AND NOT ` + hasEndpoint},
			{"reactivate", &r.Reactivated, `UPDATE checks SET active = TRUE, updated_at = $1 WHERE NOT active AND ` + hasEndpoint},
			{"add", &r.Added, `INSERT INTO checks (system_id, kind, target, created_at, updated_at)
				SELECT e.system_id, e.kind, e.target, $1, $1 FROM endpoints e
				WHERE NOT EXISTS (SELECT 1 FROM checks c WHERE c.system_id = e.system_id AND c.target = e.target)`},
		}
		for _, step := range steps {
			res, err := tx.ExecContext(ctx, step.query, now)
			if err != nil {
				return fmt.Errorf("monitor: sync checks: %s: %w", step.what, err)
			}
			if step.count != nil {
				n, err := res.RowsAffected()
				if err != nil {
					return fmt.Errorf("monitor: sync checks: %s: %w", step.what, err)
				}
				*step.count = int(n)
			}
		}
		return nil
	})
	return r, err
}

const checkColumns = `c.id, c.system_id, s.agency_id, s.name, s.grade, c.kind, c.target, c.active, c.interval_ms, c.timeout_ms,
	c.failures_to_down, c.successes_to_up, c.settings`

// storedCheck is a check as stored, with the name and grade of its system.
type storedCheck struct {
	Check
	system string
	grade  int
}

func scanCheck(row interface{ Scan(...any) error }) (*storedCheck, error) {
	var c storedCheck
	var grade sql.NullInt64
	var interval, timeout int64
	var settings string
	if err := row.Scan(&c.ID, &c.SystemID, &c.AgencyID, &c.system, &grade, &c.Kind, &c.Target, &c.Active, &interval, &timeout,
		&c.FailuresToDown, &c.SuccessesToUp, &settings); err != nil {
		return nil, err
	}
	c.grade = int(grade.Int64)
	c.Interval, c.Timeout = time.Duration(interval)*time.Millisecond, time.Duration(timeout)*time.Millisecond
	var p probeSettings
	if err := json.Unmarshal([]byte(settings), &p); err != nil {
		return nil, fmt.Errorf("check %d: settings: %w", c.ID, err)
	}
	p.apply(&c.Check)
	return &c, nil
}

// queryChecks lists the checks that cond (on c, checks, and s, systems)
// selects, by system and target.
func queryChecks(ctx context.Context, q queryer, cond string, args ...any) ([]*storedCheck, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+checkColumns+` FROM checks c JOIN systems s ON s.id = c.system_id
		WHERE `+cond+` ORDER BY c.system_id, c.target`, args...)
	if err != nil {
		return nil, fmt.Errorf("monitor: list checks: %w", err)
	}
	defer rows.Close()
	var list []*storedCheck
	for rows.Next() {
		c, err := scanCheck(rows)
		if err != nil {
			return nil, fmt.Errorf("monitor: scan check: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: list checks: %w", err)
	}
	return list, nil
}

func effective(list []*storedCheck) []Check {
	out := make([]Check, len(list))
	for i, c := range list {
		out[i] = c.WithDefaults(c.grade)
	}
	return out
}

// Checks returns the active checks in scope as the engine runs them: every
// default applied (WithDefaults, by the system's grade).
func (s *Store) Checks(ctx context.Context, scope access.Scope) ([]Check, error) {
	var args []any
	list, err := queryChecks(ctx, s.db.Read, `c.active AND `+scope.Where("s.agency_id", &args), args...)
	if err != nil {
		return nil, err
	}
	return effective(list), nil
}

// AgentChecks returns the active checks an agent probes: those of the
// systems its API token is bound to, every default applied.
func (s *Store) AgentChecks(ctx context.Context, agentID int64) ([]Check, error) {
	list, err := queryChecks(ctx, s.db.Read, agentCondition, agentID)
	if err != nil {
		return nil, err
	}
	return effective(list), nil
}

// agentCondition selects the active checks of agent $1: those of the
// systems its token is bound to that still belong to the agent's agency (a
// system moved to another agency leaves an agency's agent; a ministry-wide
// agent keeps it).
const agentCondition = `c.active AND c.system_id IN
	(SELECT ts.system_id FROM token_systems ts JOIN agents a ON a.token_id = ts.token_id WHERE a.id = $1)
	AND EXISTS (SELECT 1 FROM agents a WHERE a.id = $1 AND (a.agency_id IS NULL OR a.agency_id = s.agency_id))`

// SystemChecks returns every check of a system in scope, inactive ones
// too, with their settings as stored (zero: the default).
func (s *Store) SystemChecks(ctx context.Context, scope access.Scope, systemID int64) ([]Check, error) {
	if _, err := systemInScope(ctx, s.db.Read, scope, systemID); err != nil {
		return nil, err
	}
	list, err := queryChecks(ctx, s.db.Read, `c.system_id = $1`, systemID)
	if err != nil {
		return nil, err
	}
	out := make([]Check, len(list))
	for i, c := range list {
		out[i] = c.Check
	}
	return out, nil
}

// Check returns one check in scope with its settings as stored (zero: the
// default; WithDefaults gives what runs).
func (s *Store) Check(ctx context.Context, scope access.Scope, id int64) (*Check, error) {
	c, err := checkInScope(ctx, s.db.Read, scope, id)
	if err != nil {
		return nil, err
	}
	return &c.Check, nil
}

func checkInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (*storedCheck, error) {
	list, err := queryChecks(ctx, q, `c.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !scope.Allows(list[0].AgencyID) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.check")
	}
	return list[0], nil
}

// UpdateCheck saves the settings of c (its ID names it; system, kind,
// target and whether it is active come from the inventory and stay as
// they are) and records the change in the audit log. Every problem with
// the settings is an apperror of its field (Check.Validate lists them all).
func (s *Store) UpdateCheck(ctx context.Context, scope access.Scope, c *Check) error {
	return s.change(ctx, func(w *change) error {
		before, err := checkInScope(ctx, w.tx, scope, c.ID)
		if err != nil {
			return err
		}
		c.SystemID, c.AgencyID, c.Kind, c.Target, c.Active = before.SystemID, before.AgencyID, before.Kind, before.Target, before.Active
		c.Normalize()
		if err := c.Validate().Err(); err != nil {
			return err
		}
		if reflect.DeepEqual(*c, before.Check) {
			return nil
		}
		settings, err := json.Marshal(settingsOf(c))
		if err != nil {
			return fmt.Errorf("monitor: check %d settings as JSON: %w", c.ID, err)
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE checks SET interval_ms = $1, timeout_ms = $2, failures_to_down = $3,
			successes_to_up = $4, settings = $5, updated_at = $6, updated_by = $7 WHERE id = $8`,
			c.Interval.Milliseconds(), c.Timeout.Milliseconds(), c.FailuresToDown, c.SuccessesToUp, string(settings),
			database.FormatTime(w.now), w.actor, c.ID); err != nil {
			return fmt.Errorf("monitor: update check %d: %w", c.ID, err)
		}
		after, err := checkInScope(ctx, w.tx, scope, c.ID)
		if err != nil {
			return err
		}
		*c = after.Check
		return w.record(ctx, audit.ActionUpdate, audit.KindCheck, c.ID, &c.AgencyID, c.Target, &before.Check, &after.Check)
	})
}
