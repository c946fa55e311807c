package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

const agencyColumns = `id, name, short_name, parent_id, contact, sample, created_at, updated_at`

func scanAgency(row interface{ Scan(...any) error }) (*Agency, error) {
	var a Agency
	var parent sql.NullInt64
	var created, updated string
	if err := row.Scan(&a.ID, &a.Name, &a.ShortName, &parent, &a.Contact, &a.Sample, &created, &updated); err != nil {
		return nil, err
	}
	a.ParentID = ptrInt(parent)
	a.CreatedAt, a.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
	return &a, nil
}

func listAgencies(ctx context.Context, q queryer, scope access.Scope) ([]*Agency, error) {
	var args []any
	rows, err := q.QueryContext(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE `+scope.Where("id", &args)+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list agencies: %w", err)
	}
	defer rows.Close()
	var list []*Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			return nil, fmt.Errorf("inventory: scan agency: %w", err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list agencies: %w", err)
	}
	return list, nil
}

// Agencies lists the agencies in scope, in the order they were registered.
func (s *Store) Agencies(ctx context.Context, scope access.Scope) ([]*Agency, error) {
	return listAgencies(ctx, s.db.Read, scope)
}

// Agency fetches one agency; outside the scope it does not exist.
func (s *Store) Agency(ctx context.Context, scope access.Scope, id int64) (*Agency, error) {
	if !scope.Allows(id) {
		return nil, notFound("agency")
	}
	return getAgency(ctx, s.db.Read, id)
}

func getAgency(ctx context.Context, q queryer, id int64) (*Agency, error) {
	a, err := scanAgency(q.QueryRowContext(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("agency")
	}
	if err != nil {
		return nil, fmt.Errorf("inventory: get agency %d: %w", id, err)
	}
	return a, nil
}

// CreateAgency adds an agency and sets its ID.
func (t *Tx) CreateAgency(ctx context.Context, a *Agency) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	if err := t.checkAgency(ctx, a); err != nil {
		return err
	}
	return audited(ctx, t, agencyAudit, audit.ActionCreate, &a.ID, func() error {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO agencies (name, short_name, parent_id, contact, sample, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			a.Name, a.ShortName, nullInt(a.ParentID), a.Contact, a.Sample, t.now).Scan(&a.ID)
		return wrapWrite(err, "create agency", "name")
	})
}

// UpdateAgency saves an agency's fields.
func (t *Tx) UpdateAgency(ctx context.Context, a *Agency) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	if err := t.checkAgency(ctx, a); err != nil {
		return err
	}
	return audited(ctx, t, agencyAudit, audit.ActionUpdate, &a.ID, func() error {
		res, err := t.tx.ExecContext(ctx, `UPDATE agencies SET name = $1, short_name = $2, parent_id = $3, contact = $4, sample = $5, updated_at = $6 WHERE id = $7`,
			a.Name, a.ShortName, nullInt(a.ParentID), a.Contact, a.Sample, t.now, a.ID)
		if err := wrapWrite(err, "update agency", "name"); err != nil {
			return err
		}
		return mustAffect(res, "agency")
	})
}

// DeleteAgency removes an agency that no longer has systems or services,
// and the figures the plan declares about it.
func (t *Tx) DeleteAgency(ctx context.Context, id int64) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	if err := t.deleteDeclaredOf(ctx, "agency_id", id); err != nil {
		return err
	}
	return audited(ctx, t, agencyAudit, audit.ActionDelete, &id, func() error {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM agencies WHERE id = $1`, id)
		if err := wrapWrite(err, "delete agency", ""); err != nil {
			return err
		}
		return mustAffect(res, "agency")
	})
}

func (t *Tx) checkAgency(ctx context.Context, a *Agency) error {
	a.Normalize()
	if err := a.Validate().Err(); err != nil {
		return err
	}
	if a.ParentID == nil {
		return nil
	}
	// Walk up from the new parent: reaching the agency itself would close
	// a loop (A → B → A). seen stops the walk on a loop already stored.
	seen := map[int64]bool{}
	for id := *a.ParentID; id != 0 && !seen[id]; {
		if id == a.ID {
			return apperror.New(apperror.Invalid, "parent_id", "invalid.parent_cycle")
		}
		seen[id] = true
		var parent sql.NullInt64
		err := t.tx.QueryRowContext(ctx, `SELECT parent_id FROM agencies WHERE id = $1`, id).Scan(&parent)
		if errors.Is(err, sql.ErrNoRows) {
			return apperror.New(apperror.Invalid, "parent_id", "invalid.unknown_agency", id)
		}
		if err != nil {
			return fmt.Errorf("inventory: look up agency %d: %w", id, err)
		}
		id = parent.Int64
	}
	return nil
}

func mustAffect(res sql.Result, kind string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("inventory: rows affected: %w", err)
	}
	if n == 0 {
		return notFound(kind)
	}
	return nil
}
