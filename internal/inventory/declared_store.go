package inventory

import (
	"context"
	"database/sql"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
)

func listDeclared(ctx context.Context, q queryer, scope access.Scope) ([]*DeclaredFigure, error) {
	var args []any
	cond := "1 = 1"
	if !scope.IsAll() {
		// An agency sees the figures declared about itself only; plan-wide
		// and facility figures describe other agencies too.
		cond = scope.Where("agency_id", &args)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, source, agency_id, facility_id, metric, value, note FROM declared_figures WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list declared figures: %w", err)
	}
	defer rows.Close()
	var list []*DeclaredFigure
	for rows.Next() {
		var d DeclaredFigure
		var agency, facility sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Source, &agency, &facility, &d.Metric, &d.Value, &d.Note); err != nil {
			return nil, fmt.Errorf("inventory: scan declared figure: %w", err)
		}
		d.AgencyID, d.FacilityID = ptrInt(agency), ptrInt(facility)
		list = append(list, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list declared figures: %w", err)
	}
	return list, nil
}

// Declared lists the figures source documents state, as far as scope sees.
func (s *Store) Declared(ctx context.Context, scope access.Scope) ([]*DeclaredFigure, error) {
	return listDeclared(ctx, s.db.Read, scope)
}

// AddDeclared records a figure a source document states.
func (t *Tx) AddDeclared(ctx context.Context, d *DeclaredFigure) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	if err := d.Validate().Err(); err != nil {
		return err
	}
	return audited(ctx, t, declaredAudit, audit.ActionCreate, &d.ID, func() error {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO declared_figures (source, agency_id, facility_id, metric, value, note)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			d.Source, nullInt(d.AgencyID), nullInt(d.FacilityID), d.Metric, d.Value, d.Note).Scan(&d.ID)
		if err != nil {
			return fmt.Errorf("inventory: add declared figure %s: %w", d.Metric, err)
		}
		return nil
	})
}
