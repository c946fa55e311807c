package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

const dependencyColumns = `d.id, d.from_system_id, d.to_system_id, d.kind, d.note, d.created_at`

func scanDependency(row interface{ Scan(...any) error }) (*Dependency, error) {
	var d Dependency
	var created string
	if err := row.Scan(&d.ID, &d.FromSystemID, &d.ToSystemID, &d.Kind, &d.Note, &created); err != nil {
		return nil, err
	}
	d.CreatedAt = database.ParseTime(created)
	return &d, nil
}

// dependencyTables joins each dependency d with the system that depends (f)
// and the one it depends on (t).
const dependencyTables = `dependencies d JOIN systems f ON f.id = d.from_system_id JOIN systems t ON t.id = d.to_system_id`

// dependencyScope limits dependencies to those whose both systems the scope
// sees. A dependency belongs to the agency of the system that depends; one
// on another agency's system is the ministry's to see.
func dependencyScope(scope access.Scope, args *[]any) string {
	return scope.Where("f.agency_id", args) + ` AND ` + scope.Where("t.agency_id", args)
}

func listDependencies(ctx context.Context, q queryer, scope access.Scope) ([]*Dependency, error) {
	var args []any
	rows, err := q.QueryContext(ctx, `SELECT `+dependencyColumns+` FROM `+dependencyTables+`
		WHERE `+dependencyScope(scope, &args)+` ORDER BY d.id`, args...)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list dependencies: %w", err)
	}
	return list, nil
}

// Dependencies lists the dependencies between systems in scope.
func (s *Store) Dependencies(ctx context.Context, scope access.Scope) ([]*Dependency, error) {
	return listDependencies(ctx, s.db.Read, scope)
}

// Dependency fetches one dependency between systems in scope.
func (s *Store) Dependency(ctx context.Context, scope access.Scope, id int64) (*Dependency, error) {
	return getDependency(ctx, s.db.Read, scope, id)
}

func getDependency(ctx context.Context, q queryer, scope access.Scope, id int64) (*Dependency, error) {
	args := []any{id}
	d, err := scanDependency(q.QueryRowContext(ctx, `SELECT `+dependencyColumns+` FROM `+dependencyTables+`
		WHERE d.id = $1 AND `+dependencyScope(scope, &args), args...))
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
	d.Normalize()
	if err := d.Validate().Err(); err != nil {
		return err
	}
	if err := t.systemRef(ctx, "from_system_id", d.FromSystemID); err != nil {
		return err
	}
	if err := t.systemRef(ctx, "to_system_id", d.ToSystemID); err != nil {
		return err
	}
	return audited(ctx, t, dependencyAudit, audit.ActionCreate, &d.ID, func() error {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO dependencies (from_system_id, to_system_id, kind, note, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, d.FromSystemID, d.ToSystemID, d.Kind, d.Note, t.now).Scan(&d.ID)
		return wrapWrite(err, "create dependency", "to_system_id")
	})
}

// UpdateDependency changes a dependency's kind and note.
func (t *Tx) UpdateDependency(ctx context.Context, d *Dependency) error {
	if _, err := getDependency(ctx, t.tx, t.scope, d.ID); err != nil {
		return err
	}
	d.Normalize()
	if err := d.Validate().Err(); err != nil {
		return err
	}
	return audited(ctx, t, dependencyAudit, audit.ActionUpdate, &d.ID, func() error {
		res, err := t.tx.ExecContext(ctx, `UPDATE dependencies SET kind = $1, note = $2 WHERE id = $3`, d.Kind, d.Note, d.ID)
		if err := wrapWrite(err, "update dependency", ""); err != nil {
			return err
		}
		return mustAffect(res, "dependency")
	})
}

// DeleteDependency removes a dependency.
func (t *Tx) DeleteDependency(ctx context.Context, id int64) error {
	if _, err := getDependency(ctx, t.tx, t.scope, id); err != nil {
		return err
	}
	return t.deleteDependency(ctx, id)
}

// deleteDependency removes a dependency the caller may remove.
func (t *Tx) deleteDependency(ctx context.Context, id int64) error {
	return audited(ctx, t, dependencyAudit, audit.ActionDelete, &id, func() error {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM dependencies WHERE id = $1`, id)
		if err := wrapWrite(err, "delete dependency", ""); err != nil {
			return err
		}
		return mustAffect(res, "dependency")
	})
}
