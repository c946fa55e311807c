package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
)

const dependencyColumns = `d.id, d.from_system_id, d.to_system_id, d.kind, d.note, d.created_at`

func scanDependency(row interface{ Scan(...any) error }) (*Dependency, error) {
	var d Dependency
	var created string
	if err := row.Scan(&d.ID, &d.FromSystemID, &d.ToSystemID, &d.Kind, &d.Note, &created); err != nil {
		return nil, err
	}
	d.CreatedAt = parseTime(created)
	return &d, nil
}

// A dependency belongs to the agency of the system that depends (from).
func listDependencies(ctx context.Context, q queryer, scope access.Scope) ([]*Dependency, error) {
	var args []any
	rows, err := q.QueryContext(ctx, `SELECT `+dependencyColumns+` FROM dependencies d JOIN systems s ON s.id = d.from_system_id
		WHERE `+scope.Where("s.agency_id", &args)+` ORDER BY d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list dependencies: %w", err)
	}
	defer rows.Close()
	var list []*Dependency
	for rows.Next() {
		d, err := scanDependency(rows)
		if err != nil {
			return nil, fmt.Errorf("inventory: scan dependency: %w", err)
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// Dependencies lists the dependencies of systems in scope.
func (s *Store) Dependencies(ctx context.Context, scope access.Scope) ([]*Dependency, error) {
	return listDependencies(ctx, s.db.Read, scope)
}

// Dependency fetches one dependency whose depending system is in scope.
func (s *Store) Dependency(ctx context.Context, scope access.Scope, id int64) (*Dependency, error) {
	args := []any{id}
	d, err := scanDependency(s.db.Read.QueryRowContext(ctx, `SELECT `+dependencyColumns+` FROM dependencies d JOIN systems s ON s.id = d.from_system_id
		WHERE d.id = $1 AND `+scope.Where("s.agency_id", &args), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("dependency")
	}
	if err != nil {
		return nil, fmt.Errorf("inventory: get dependency %d: %w", id, err)
	}
	return d, nil
}

// CreateDependency records that one system needs another.
func (t *Tx) CreateDependency(ctx context.Context, d *Dependency) error {
	if d.Kind == "" {
		d.Kind = "interface"
	}
	if err := d.Validate().Err(); err != nil {
		return err
	}
	if err := t.requireAgency(ctx, "systems", d.FromSystemID, "system"); err != nil {
		return apperror.New(apperror.Invalid, "from_system_id", "invalid.unknown_system", d.FromSystemID)
	}
	for field, id := range map[string]int64{"from_system_id": d.FromSystemID, "to_system_id": d.ToSystemID} {
		if ok, err := exists(ctx, t.tx, "systems", id); err != nil {
			return err
		} else if !ok {
			return apperror.New(apperror.Invalid, field, "invalid.unknown_system", id)
		}
	}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO dependencies (from_system_id, to_system_id, kind, note, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, d.FromSystemID, d.ToSystemID, d.Kind, d.Note, t.now).Scan(&d.ID)
	return wrapWrite(err, "create dependency", "to_system_id")
}

// UpdateDependency changes a dependency's kind and note.
func (t *Tx) UpdateDependency(ctx context.Context, d *Dependency) error {
	if err := t.requireDependency(ctx, d.ID); err != nil {
		return err
	}
	if err := d.Validate().Err(); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE dependencies SET kind = $1, note = $2 WHERE id = $3`, d.Kind, d.Note, d.ID)
	if err := wrapWrite(err, "update dependency", ""); err != nil {
		return err
	}
	return mustAffect(res, "dependency")
}

// DeleteDependency removes a dependency.
func (t *Tx) DeleteDependency(ctx context.Context, id int64) error {
	if err := t.requireDependency(ctx, id); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM dependencies WHERE id = $1`, id)
	if err := wrapWrite(err, "delete dependency", ""); err != nil {
		return err
	}
	return mustAffect(res, "dependency")
}

func (t *Tx) requireDependency(ctx context.Context, id int64) error {
	var from int64
	err := t.tx.QueryRowContext(ctx, `SELECT from_system_id FROM dependencies WHERE id = $1`, id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("dependency")
	}
	if err != nil {
		return fmt.Errorf("inventory: look up dependency %d: %w", id, err)
	}
	if err := t.requireAgency(ctx, "systems", from, "system"); err != nil {
		return notFound("dependency")
	}
	return nil
}
