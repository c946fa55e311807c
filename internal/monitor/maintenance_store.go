package monitor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// MaxMaintenanceDays bounds one maintenance window: a longer one would hide
// too much of a system's downtime from its uptime.
const MaxMaintenanceDays = 31

// MaintenanceWindow is a system's planned maintenance: its time is left out
// of the system's uptime (see Uptime), and shown beside it.
type MaintenanceWindow struct {
	ID       int64     `json:"id"`
	SystemID int64     `json:"system_id"`
	AgencyID int64     `json:"agency_id"` // the system's
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Note     string    `json:"note"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedBy string    `json:"updated_by"`
}

// Span is the window as uptime counts it.
func (w *MaintenanceWindow) Span() Span { return Span{Start: w.StartsAt, End: w.EndsAt} }

// Normalize trims the note and keeps the times as they are stored: UTC, to
// the microsecond.
func (w *MaintenanceWindow) Normalize() {
	w.Note = strings.TrimSpace(w.Note)
	w.StartsAt = w.StartsAt.UTC().Truncate(time.Microsecond)
	w.EndsAt = w.EndsAt.UTC().Truncate(time.Microsecond)
}

// Validate checks a window's own fields.
func (w *MaintenanceWindow) Validate() inventory.Problems {
	var p inventory.Problems
	if w.StartsAt.IsZero() {
		p.Add("starts_at", "invalid.required")
	}
	switch {
	case w.EndsAt.IsZero():
		p.Add("ends_at", "invalid.required")
	case w.StartsAt.IsZero():
	case !w.EndsAt.After(w.StartsAt):
		p.Add("ends_at", "monitor.invalid.window_order")
	case w.EndsAt.Sub(w.StartsAt) > MaxMaintenanceDays*24*time.Hour:
		p.Add("ends_at", "monitor.invalid.window_too_long", MaxMaintenanceDays)
	}
	p.Text("note", w.Note, inventory.MaxShortText)
	return p
}

func queryWindows(ctx context.Context, q queryer, cond string, args ...any) ([]*MaintenanceWindow, error) {
	rows, err := q.QueryContext(ctx, `SELECT w.id, w.system_id, s.agency_id, w.starts_at, w.ends_at, w.note,
		w.created_at, w.updated_at, w.created_by, w.updated_by
		FROM maintenance_windows w JOIN systems s ON s.id = w.system_id WHERE `+cond+` ORDER BY w.starts_at, w.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("monitor: list maintenance windows: %w", err)
	}
	defer rows.Close()
	var list []*MaintenanceWindow
	for rows.Next() {
		var w MaintenanceWindow
		var starts, ends, created, updated string
		if err := rows.Scan(&w.ID, &w.SystemID, &w.AgencyID, &starts, &ends, &w.Note, &created, &updated, &w.CreatedBy, &w.UpdatedBy); err != nil {
			return nil, fmt.Errorf("monitor: scan maintenance window: %w", err)
		}
		w.StartsAt, w.EndsAt, w.CreatedAt, w.UpdatedAt = database.ParseTime(starts), database.ParseTime(ends), database.ParseTime(created), database.ParseTime(updated)
		list = append(list, &w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: list maintenance windows: %w", err)
	}
	return list, nil
}

// MaintenanceWindows lists the maintenance windows of a system in scope
// that overlap [from, to), earliest first.
func (s *Store) MaintenanceWindows(ctx context.Context, scope access.Scope, systemID int64, from, to time.Time) ([]*MaintenanceWindow, error) {
	if _, err := systemInScope(ctx, s.db.Read, scope, systemID); err != nil {
		return nil, err
	}
	return queryWindows(ctx, s.db.Read, `w.system_id = $1 AND w.starts_at < $2 AND w.ends_at > $3`,
		systemID, database.FormatTime(to), database.FormatTime(from))
}

// MaintenanceWindow fetches one window in scope.
func (s *Store) MaintenanceWindow(ctx context.Context, scope access.Scope, id int64) (*MaintenanceWindow, error) {
	return windowInScope(ctx, s.db.Read, scope, id)
}

func windowInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (*MaintenanceWindow, error) {
	list, err := queryWindows(ctx, q, `w.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !scope.Allows(list[0].AgencyID) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.maintenance_window")
	}
	return list[0], nil
}

// windowSummary names a window in the audit log: its system and start.
func windowSummary(sys *system, w *MaintenanceWindow) string {
	return sys.Name + " " + locale.DateTime(w.StartsAt)
}

// CreateMaintenanceWindow adds a window to a system in scope and sets its
// ID; who made it is access.ActorFrom(ctx).
func (s *Store) CreateMaintenanceWindow(ctx context.Context, scope access.Scope, w *MaintenanceWindow) error {
	w.Normalize()
	if err := w.Validate().Err(); err != nil {
		return err
	}
	return s.change(ctx, func(c *change) error {
		sys, err := systemInScope(ctx, c.tx, scope, w.SystemID)
		if err != nil {
			return err
		}
		now := database.FormatTime(c.now)
		if err := c.tx.QueryRowContext(ctx, `INSERT INTO maintenance_windows (system_id, starts_at, ends_at, note,
			created_at, updated_at, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $5, $6, $6) RETURNING id`,
			w.SystemID, database.FormatTime(w.StartsAt), database.FormatTime(w.EndsAt), w.Note, now, c.actor).Scan(&w.ID); err != nil {
			return fmt.Errorf("monitor: create maintenance window of system %d: %w", w.SystemID, err)
		}
		after, err := windowInScope(ctx, c.tx, scope, w.ID)
		if err != nil {
			return err
		}
		*w = *after
		return c.record(ctx, audit.ActionCreate, audit.KindMaintenance, w.ID, &w.AgencyID, windowSummary(sys, w), nil, w)
	})
}

// UpdateMaintenanceWindow saves the times and note of window w.ID; it
// stays with its system.
func (s *Store) UpdateMaintenanceWindow(ctx context.Context, scope access.Scope, w *MaintenanceWindow) error {
	w.Normalize()
	return s.change(ctx, func(c *change) error {
		before, err := windowInScope(ctx, c.tx, scope, w.ID)
		if err != nil {
			return err
		}
		w.SystemID = before.SystemID
		if err := w.Validate().Err(); err != nil {
			return err
		}
		if w.StartsAt.Equal(before.StartsAt) && w.EndsAt.Equal(before.EndsAt) && w.Note == before.Note {
			*w = *before
			return nil
		}
		sys, err := systemInScope(ctx, c.tx, scope, before.SystemID)
		if err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `UPDATE maintenance_windows SET starts_at = $1, ends_at = $2, note = $3,
			updated_at = $4, updated_by = $5 WHERE id = $6`,
			database.FormatTime(w.StartsAt), database.FormatTime(w.EndsAt), w.Note, database.FormatTime(c.now), c.actor, w.ID); err != nil {
			return fmt.Errorf("monitor: update maintenance window %d: %w", w.ID, err)
		}
		after, err := windowInScope(ctx, c.tx, scope, w.ID)
		if err != nil {
			return err
		}
		*w = *after
		return c.record(ctx, audit.ActionUpdate, audit.KindMaintenance, w.ID, &w.AgencyID, windowSummary(sys, w), before, after)
	})
}

// DeleteMaintenanceWindow removes window id: its time counts in the
// system's uptime again.
func (s *Store) DeleteMaintenanceWindow(ctx context.Context, scope access.Scope, id int64) error {
	return s.change(ctx, func(c *change) error {
		before, err := windowInScope(ctx, c.tx, scope, id)
		if err != nil {
			return err
		}
		sys, err := systemInScope(ctx, c.tx, scope, before.SystemID)
		if err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `DELETE FROM maintenance_windows WHERE id = $1`, id); err != nil {
			return fmt.Errorf("monitor: delete maintenance window %d: %w", id, err)
		}
		return c.record(ctx, audit.ActionDelete, audit.KindMaintenance, id, &before.AgencyID, windowSummary(sys, before), before, nil)
	})
}
