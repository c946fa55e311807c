package backup

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
)

// Move is an offsite move (소산) of a run's copy: handed over at one
// facility by someone, received at another by someone. A tape carried by
// staff is the plan's case; a transfer over the network is one too.
type Move struct {
	ID             int64     `json:"id"`
	RunID          int64     `json:"run_id"`
	SystemID       int64     `json:"system_id"`
	Medium         string    `json:"medium"`
	Label          string    `json:"label"` // the tape's label, a transfer's id
	FromFacilityID int64     `json:"from_facility_id"`
	ToFacilityID   int64     `json:"to_facility_id"`
	HandedBy       string    `json:"handed_by"`
	HandedAt       time.Time `json:"handed_at"`
	ReceivedBy     string    `json:"received_by"`
	ReceivedAt     time.Time `json:"received_at,omitzero"`
}

// Validate checks a move's own fields.
func (m *Move) Validate(now time.Time) inventory.Problems {
	var p inventory.Problems
	m.Label, m.HandedBy, m.ReceivedBy = strings.TrimSpace(m.Label), strings.TrimSpace(m.HandedBy), strings.TrimSpace(m.ReceivedBy)
	if m.RunID <= 0 {
		p.Add("run_id", "invalid.required")
	}
	p.OneOf("medium", m.Medium, Media)
	p.Text("label", m.Label, inventory.MaxShortText)
	if m.FromFacilityID <= 0 {
		p.Add("from_facility_id", "invalid.required")
	}
	if m.ToFacilityID <= 0 {
		p.Add("to_facility_id", "invalid.required")
	} else if m.ToFacilityID == m.FromFacilityID {
		p.Add("to_facility_id", "backup.invalid.same_facility")
	}
	p.Required("handed_by", m.HandedBy)
	p.Text("handed_by", m.HandedBy, inventory.MaxShortText)
	if m.HandedAt.IsZero() {
		p.Add("handed_at", "invalid.required")
	} else if m.HandedAt.After(now.Add(MaxClockSkew)) {
		p.Add("handed_at", "backup.invalid.future")
	}
	p.Text("received_by", m.ReceivedBy, inventory.MaxShortText)
	if !m.ReceivedAt.IsZero() {
		p.Required("received_by", m.ReceivedBy)
		if m.ReceivedAt.Before(m.HandedAt) {
			p.Add("received_at", "backup.invalid.received_before_handed")
		}
	}
	return p
}

// runInScope reads the system of run id, which must be of scope's
// agencies: another's is not found.
func runInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (system int64, started time.Time, result string, err error) {
	var agency int64
	var startedAt string
	err = q.QueryRowContext(ctx, `SELECT r.system_id, y.agency_id, r.started_at, r.result FROM backup_runs r
		JOIN systems y ON y.id = r.system_id WHERE r.id = $1`, id).Scan(&system, &agency, &startedAt, &result)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !scope.Allows(agency) {
		return 0, time.Time{}, "", apperror.New(apperror.NotFound, "", "not_found.backup_run")
	}
	if err != nil {
		return 0, time.Time{}, "", fmt.Errorf("backup: run %d: %w", id, err)
	}
	return system, database.ParseTime(startedAt), result, nil
}

// RecordMove records an offsite move of a run in scope; received already
// (ReceivedAt set), the copy exists at the destination from then.
func (s *Store) RecordMove(ctx context.Context, scope access.Scope, m *Move) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		system, started, result, err := runInScope(ctx, tx, scope, m.RunID)
		if err != nil {
			return err
		}
		if err := m.Validate(s.Now()).Err(); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, f := range []struct {
			field string
			id    int64
		}{{"from_facility_id", m.FromFacilityID}, {"to_facility_id", m.ToFacilityID}} {
			if err := checkFacility(ctx, tx, f.field, f.id, seen); err != nil {
				return err
			}
		}
		m.SystemID = system
		if err := tx.QueryRowContext(ctx, `INSERT INTO offsite_moves (run_id, medium, label, from_facility_id, to_facility_id,
			handed_by, handed_at, received_by, received_at, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			RETURNING id`, m.RunID, m.Medium, m.Label, m.FromFacilityID, m.ToFacilityID, m.HandedBy, database.FormatTime(m.HandedAt),
			m.ReceivedBy, database.NullTime(m.ReceivedAt), database.Now(), access.ActorFrom(ctx).Name).Scan(&m.ID); err != nil {
			return fmt.Errorf("backup: move of run %d: %w", m.RunID, err)
		}
		if m.ReceivedAt.IsZero() {
			return nil
		}
		return arrive(ctx, tx, m, system, started, result)
	})
}

// ReceiveMove records that a move in scope arrived: who received it, when.
func (s *Store) ReceiveMove(ctx context.Context, scope access.Scope, id int64, by string, at time.Time) (*Move, error) {
	var m *Move
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = readMove(ctx, tx, id); err != nil {
			return err
		}
		system, started, result, err := runInScope(ctx, tx, scope, m.RunID)
		if err != nil {
			return apperror.New(apperror.NotFound, "", "not_found.offsite_move")
		}
		if !m.ReceivedAt.IsZero() {
			return apperror.New(apperror.Conflict, "received_at", "backup.conflict.received")
		}
		m.ReceivedBy, m.ReceivedAt = by, at
		if err := m.Validate(s.Now()).Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE offsite_moves SET received_by = $1, received_at = $2 WHERE id = $3 AND received_at IS NULL`,
			m.ReceivedBy, database.FormatTime(m.ReceivedAt), id); err != nil {
			return fmt.Errorf("backup: receive move %d: %w", id, err)
		}
		return arrive(ctx, tx, m, system, started, result)
	})
	return m, err
}

// arrive puts the moved copy at its destination.
func arrive(ctx context.Context, tx *sql.Tx, m *Move, system int64, started time.Time, result string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO backup_copies (run_id, facility_id, medium, since, move_id) VALUES ($1, $2, $3, $4, $5)`,
		m.RunID, m.ToFacilityID, m.Medium, database.FormatTime(m.ReceivedAt), m.ID); err != nil {
		return fmt.Errorf("backup: copy of move %d: %w", m.ID, err)
	}
	if result != ResultSuccess {
		return nil
	}
	if err := addPoint(ctx, tx, system, m.ToFacilityID, m.Medium, started); err != nil {
		return err
	}
	return changed(ctx, tx)
}

func readMove(ctx context.Context, q queryer, id int64) (*Move, error) {
	var m Move
	var handed string
	var received sql.NullString
	err := q.QueryRowContext(ctx, `SELECT m.id, m.run_id, r.system_id, m.medium, m.label, m.from_facility_id, m.to_facility_id,
		m.handed_by, m.handed_at, m.received_by, m.received_at FROM offsite_moves m JOIN backup_runs r ON r.id = m.run_id WHERE m.id = $1`, id).
		Scan(&m.ID, &m.RunID, &m.SystemID, &m.Medium, &m.Label, &m.FromFacilityID, &m.ToFacilityID, &m.HandedBy, &handed, &m.ReceivedBy, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.offsite_move")
	}
	if err != nil {
		return nil, fmt.Errorf("backup: move %d: %w", id, err)
	}
	m.HandedAt, m.ReceivedAt = database.ParseTime(handed), database.ParseNullTime(received)
	return &m, nil
}

// Moves lists the offsite moves of the systems in scope handed over since
// since, latest first.
func (s *Store) Moves(ctx context.Context, scope access.Scope, since time.Time) ([]*Move, error) {
	args := []any{database.FormatTime(since)}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT m.id FROM offsite_moves m JOIN backup_runs r ON r.id = m.run_id
		JOIN systems y ON y.id = r.system_id WHERE m.handed_at >= $1 AND `+scope.Where("y.agency_id", &args)+`
		ORDER BY m.handed_at DESC, m.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("backup: moves: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("backup: moves: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backup: moves: %w", err)
	}
	list := make([]*Move, 0, len(ids))
	for _, id := range ids {
		m, err := readMove(ctx, s.db.Read, id)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, nil
}
