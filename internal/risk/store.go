package risk

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// Store reads and writes risk entries. Every read and write takes an
// access.Scope: an agency sees and changes its own agency's entries only,
// and another agency's entry does not exist for it. Every change is written
// to the audit log in its own transaction.
type Store struct {
	db *database.DB
	// inv answers whether the writer's scope sees the agency, facility and
	// system an entry names.
	inv *inventory.Store
}

// NewStore returns a store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db, inv: inventory.NewStore(db)} }

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const columns = `id, agency_id, facility_id, system_id, kind, sub_kind, title, description, likelihood, impact, controls, owner,
	residual_likelihood, residual_impact, status, source, review_date, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	var facility, system sql.NullInt64
	var created, updated string
	if err := row.Scan(&e.ID, &e.AgencyID, &facility, &system, &e.Kind, &e.SubKind, &e.Title, &e.Description,
		&e.Likelihood, &e.Impact, &e.Controls, &e.Owner, &e.ResidualLikelihood, &e.ResidualImpact, &e.Status,
		&e.Source, &e.ReviewDate, &created, &updated); err != nil {
		return nil, err
	}
	if facility.Valid {
		e.FacilityID = &facility.Int64
	}
	if system.Valid {
		e.SystemID = &system.Int64
	}
	e.CreatedAt, _ = time.Parse(database.TimeLayout, created)
	e.UpdatedAt, _ = time.Parse(database.TimeLayout, updated)
	e.rate()
	return &e, nil
}

// Filter narrows a listing; zero fields do not filter. Band is the band of
// the residual rating.
type Filter struct {
	AgencyID, FacilityID, SystemID int64
	Kind, Status, Band             string
}

// List returns the entries in scope that match f, the highest residual
// rating first, then the highest rating before controls.
func (s *Store) List(ctx context.Context, scope access.Scope, f Filter) ([]*Entry, error) {
	var args []any
	conds := []string{scope.Where("agency_id", &args)}
	add := func(column string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", column, len(args)))
	}
	if f.AgencyID != 0 {
		add("agency_id", f.AgencyID)
	}
	if f.FacilityID != 0 {
		add("facility_id", f.FacilityID)
	}
	if f.SystemID != 0 {
		add("system_id", f.SystemID)
	}
	if f.Kind != "" {
		add("kind", f.Kind)
	}
	if f.Status != "" {
		add("status", f.Status)
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+columns+` FROM risks WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY residual_likelihood * residual_impact DESC, likelihood * impact DESC, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("risk: list entries: %w", err)
	}
	defer rows.Close()
	var list []*Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("risk: scan entry: %w", err)
		}
		if f.Band == "" || e.ResidualBand == f.Band {
			list = append(list, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("risk: list entries: %w", err)
	}
	return list, nil
}

// Entry fetches one entry visible in scope.
func (s *Store) Entry(ctx context.Context, scope access.Scope, id int64) (*Entry, error) {
	e, err := get(ctx, s.db.Read, id)
	if err != nil {
		return nil, err
	}
	if !scope.Allows(e.AgencyID) {
		return nil, notFound()
	}
	return e, nil
}

// HighRisks lists the entries in scope that call for a task (see High): a
// residual rating in the high or critical band, not closed. The highest
// come first.
func (s *Store) HighRisks(ctx context.Context, scope access.Scope) ([]*Entry, error) {
	list, err := s.List(ctx, scope, Filter{})
	if err != nil {
		return nil, err
	}
	return High(list), nil
}

func get(ctx context.Context, q queryer, id int64) (*Entry, error) {
	e, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM risks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("risk: get entry %d: %w", id, err)
	}
	return e, nil
}

// check normalizes and validates e, and checks that the writer's scope
// sees what it names: its agency, its facility (a facility the agency runs
// systems in, for an agency) and its system, which must be of the entry's
// agency. Another agency's record is, to an agency, no record at all.
func (s *Store) check(ctx context.Context, scope access.Scope, e *Entry) error {
	e.Normalize()
	if err := e.Validate().Err(); err != nil {
		return err
	}
	if _, err := s.inv.Agency(ctx, scope, e.AgencyID); err != nil {
		return reference(err, "agency_id", "invalid.unknown_agency", e.AgencyID)
	}
	if e.FacilityID != nil {
		if _, err := s.inv.Facility(ctx, scope, *e.FacilityID); err != nil {
			return reference(err, "facility_id", "invalid.unknown_facility", *e.FacilityID)
		}
	}
	if e.SystemID != nil {
		sys, err := s.inv.System(ctx, scope, *e.SystemID)
		if err != nil {
			return reference(err, "system_id", "invalid.unknown_system", *e.SystemID)
		}
		if sys.AgencyID != e.AgencyID {
			return apperror.New(apperror.Invalid, "system_id", "invalid.risk.system_agency", sys.Name)
		}
	}
	return nil
}

// reference turns "not found" while looking up what an entry names into a
// problem of the entry's field.
func reference(err error, field, key string, id int64) error {
	if apperror.CodeOf(err) == apperror.NotFound {
		return apperror.New(apperror.Invalid, field, key, id)
	}
	return err
}

// Create adds entries, all or none, and sets their IDs.
func (s *Store) Create(ctx context.Context, scope access.Scope, entries ...*Entry) error {
	for _, e := range entries {
		e.ID = 0
		if err := s.check(ctx, scope, e); err != nil {
			return err
		}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		log := audit.NewAppender(tx)
		now := database.Now()
		for _, e := range entries {
			err := tx.QueryRowContext(ctx, `INSERT INTO risks (agency_id, facility_id, system_id, kind, sub_kind, title, description,
				likelihood, impact, controls, owner, residual_likelihood, residual_impact, status, source, review_date, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`,
				e.AgencyID, e.FacilityID, e.SystemID, e.Kind, e.SubKind, e.Title, e.Description, e.Likelihood, e.Impact,
				e.Controls, e.Owner, e.ResidualLikelihood, e.ResidualImpact, e.Status, e.Source, e.ReviewDate, now).Scan(&e.ID)
			if err != nil {
				return fmt.Errorf("risk: create entry %q: %w", e.Title, err)
			}
			after, err := get(ctx, tx, e.ID)
			if err != nil {
				return err
			}
			*e = *after
			if err := record(ctx, log, audit.ActionCreate, nil, after); err != nil {
				return err
			}
		}
		return log.Flush(ctx)
	})
}

// Update saves e over the stored entry of its ID.
func (s *Store) Update(ctx context.Context, scope access.Scope, e *Entry) error {
	// Whether the entry is the writer's to change comes first: another
	// agency's entry is not found, whatever the body says.
	if _, err := s.Entry(ctx, scope, e.ID); err != nil {
		return err
	}
	if err := s.check(ctx, scope, e); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := inScope(ctx, tx, scope, e.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE risks SET agency_id = $1, facility_id = $2, system_id = $3, kind = $4, sub_kind = $5,
			title = $6, description = $7, likelihood = $8, impact = $9, controls = $10, owner = $11, residual_likelihood = $12,
			residual_impact = $13, status = $14, source = $15, review_date = $16, updated_at = $17 WHERE id = $18`,
			e.AgencyID, e.FacilityID, e.SystemID, e.Kind, e.SubKind, e.Title, e.Description, e.Likelihood, e.Impact,
			e.Controls, e.Owner, e.ResidualLikelihood, e.ResidualImpact, e.Status, e.Source, e.ReviewDate, database.Now(), e.ID); err != nil {
			return fmt.Errorf("risk: update entry %d: %w", e.ID, err)
		}
		after, err := get(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		*e = *after
		log := audit.NewAppender(tx)
		if err := record(ctx, log, audit.ActionUpdate, before, after); err != nil {
			return err
		}
		return log.Flush(ctx)
	})
}

// Delete removes the entry id.
func (s *Store) Delete(ctx context.Context, scope access.Scope, id int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := inScope(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM risks WHERE id = $1`, id); err != nil {
			// Only tasks name a risk (task_risks): an entry a task treats
			// stays until the task lets go of it.
			if database.IsForeignKeyViolation(err) {
				return apperror.New(apperror.Conflict, "", "risk.conflict.in_task")
			}
			return fmt.Errorf("risk: delete entry %d: %w", id, err)
		}
		log := audit.NewAppender(tx)
		if err := record(ctx, log, audit.ActionDelete, before, nil); err != nil {
			return err
		}
		return log.Flush(ctx)
	})
}

// inScope reads entry id inside the write transaction, as the scope sees it.
func inScope(ctx context.Context, tx *sql.Tx, scope access.Scope, id int64) (*Entry, error) {
	e, err := get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !scope.Allows(e.AgencyID) {
		return nil, notFound()
	}
	return e, nil
}

// record appends a change of an entry to the audit log of the transaction
// (the caller flushes it): who (access.ActorFrom), the entry before and after, and
// the agency whose users may read it. An entry moved between agencies is the
// ministry's to read; an update that changed nothing but updated_at is no
// change and is not recorded.
func record(ctx context.Context, log *audit.Appender, action string, before, after *Entry) error {
	e := &audit.Entry{Action: action, Kind: audit.KindRisk}
	var err error
	if before != nil {
		e.RecordID, e.AgencyID, e.Summary = &before.ID, &before.AgencyID, before.Title
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("risk: entry %d as JSON: %w", before.ID, err)
		}
	}
	if after != nil {
		e.RecordID, e.Summary = &after.ID, after.Title
		if before == nil || before.AgencyID == after.AgencyID {
			e.AgencyID = &after.AgencyID
		} else {
			e.AgencyID = nil
		}
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("risk: entry %d as JSON: %w", after.ID, err)
		}
	}
	if before != nil && after != nil {
		same := *after
		same.UpdatedAt = before.UpdatedAt
		if body, err := json.Marshal(&same); err == nil && bytes.Equal(body, e.Before) {
			return nil
		}
	}
	return log.Append(ctx, e)
}
