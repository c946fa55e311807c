package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

const facilityColumns = `id, name, operator, operator_name, region, address, conditions, findings, surveyed, sample, created_at, updated_at`

func scanFacility(row interface{ Scan(...any) error }) (*Facility, error) {
	var f Facility
	var conditions, created, updated string
	if err := row.Scan(&f.ID, &f.Name, &f.Operator, &f.OperatorName, &f.Region, &f.Address, &conditions, &f.Findings,
		&f.Surveyed, &f.Sample, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(conditions), &f.Conditions); err != nil {
		return nil, fmt.Errorf("inventory: facility %d conditions: %w", f.ID, err)
	}
	f.CreatedAt, f.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
	return &f, nil
}

// facilityScope limits facilities to those an agency runs systems in, as
// primary or DR site: a shared private facility is visible to each agency
// that uses it, and to no other.
func facilityScope(scope access.Scope, args *[]any) string {
	if scope.IsAll() {
		return "1 = 1"
	}
	cond := scope.Where("s.agency_id", args)
	return `id IN (SELECT s.primary_facility_id FROM systems s WHERE s.primary_facility_id IS NOT NULL AND ` + cond + `
		UNION SELECT s.dr_facility_id FROM systems s WHERE s.dr_facility_id IS NOT NULL AND ` + cond + `)`
}

func listFacilities(ctx context.Context, q queryer, scope access.Scope) ([]*Facility, error) {
	var args []any
	rows, err := q.QueryContext(ctx, `SELECT `+facilityColumns+` FROM facilities WHERE `+facilityScope(scope, &args)+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list facilities: %w", err)
	}
	defer rows.Close()
	var list []*Facility
	for rows.Next() {
		f, err := scanFacility(rows)
		if err != nil {
			return nil, fmt.Errorf("inventory: scan facility: %w", err)
		}
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list facilities: %w", err)
	}
	return list, nil
}

// Facilities lists the facilities in scope.
func (s *Store) Facilities(ctx context.Context, scope access.Scope) ([]*Facility, error) {
	return listFacilities(ctx, s.db.Read, scope)
}

// Facility fetches one facility visible in scope.
func (s *Store) Facility(ctx context.Context, scope access.Scope, id int64) (*Facility, error) {
	return getFacility(ctx, s.db.Read, scope, id)
}

func getFacility(ctx context.Context, q queryer, scope access.Scope, id int64) (*Facility, error) {
	args := []any{id}
	f, err := scanFacility(q.QueryRowContext(ctx, `SELECT `+facilityColumns+` FROM facilities WHERE id = $1 AND `+facilityScope(scope, &args), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("facility")
	}
	if err != nil {
		return nil, fmt.Errorf("inventory: get facility %d: %w", id, err)
	}
	return f, nil
}

// facilityRef checks that a system may be placed in facility id: it exists
// and the scope already sees it. Any other facility is, to an agency, no
// facility at all; otherwise naming it as a DR site would reveal its
// address and findings.
func (t *Tx) facilityRef(ctx context.Context, field string, id int64) error {
	args := []any{id}
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM facilities WHERE id = $1 AND `+facilityScope(t.scope, &args), args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperror.New(apperror.Invalid, field, "invalid.unknown_facility", id)
	}
	if err != nil {
		return fmt.Errorf("inventory: look up facility %d: %w", id, err)
	}
	return nil
}

func conditionsJSON(f *Facility) (string, error) {
	if f.Conditions == nil {
		return "{}", nil
	}
	body, err := json.Marshal(f.Conditions)
	return string(body), err
}

// CreateFacility adds a facility and sets its ID.
func (t *Tx) CreateFacility(ctx context.Context, f *Facility) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	f.Normalize()
	if err := f.Validate().Err(); err != nil {
		return err
	}
	conditions, err := conditionsJSON(f)
	if err != nil {
		return fmt.Errorf("inventory: facility conditions: %w", err)
	}
	return audited(ctx, t, facilityAudit, audit.ActionCreate, &f.ID, func() error {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO facilities (name, operator, operator_name, region, address, conditions, findings, surveyed, sample, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			f.Name, f.Operator, f.OperatorName, f.Region, f.Address, conditions, f.Findings, f.Surveyed, f.Sample, t.now).Scan(&f.ID)
		return wrapWrite(err, "create facility", "name")
	})
}

// UpdateFacility saves a facility's fields.
func (t *Tx) UpdateFacility(ctx context.Context, f *Facility) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	f.Normalize()
	if err := f.Validate().Err(); err != nil {
		return err
	}
	conditions, err := conditionsJSON(f)
	if err != nil {
		return fmt.Errorf("inventory: facility conditions: %w", err)
	}
	return audited(ctx, t, facilityAudit, audit.ActionUpdate, &f.ID, func() error {
		res, err := t.tx.ExecContext(ctx, `UPDATE facilities SET name = $1, operator = $2, operator_name = $3, region = $4, address = $5,
			conditions = $6, findings = $7, surveyed = $8, sample = $9, updated_at = $10 WHERE id = $11`,
			f.Name, f.Operator, f.OperatorName, f.Region, f.Address, conditions, f.Findings, f.Surveyed, f.Sample, t.now, f.ID)
		if err := wrapWrite(err, "update facility", "name"); err != nil {
			return err
		}
		return mustAffect(res, "facility")
	})
}

// DeleteFacility removes a facility no system is placed in, and the
// figures the plan declares about it.
func (t *Tx) DeleteFacility(ctx context.Context, id int64) error {
	if err := t.requireAll(); err != nil {
		return err
	}
	if err := t.deleteDeclaredOf(ctx, "facility_id", id); err != nil {
		return err
	}
	return audited(ctx, t, facilityAudit, audit.ActionDelete, &id, func() error {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM facilities WHERE id = $1`, id)
		if err := wrapWrite(err, "delete facility", ""); err != nil {
			return err
		}
		return mustAffect(res, "facility")
	})
}
