package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// systemFields are the stored columns of a system after its id, in the
// order systemValues lists them and scanSystem reads them.
var systemFields = []string{
	"agency_id", "name", "grade", "score_impact", "score_users", "score_spread", "users",
	"description", "critical_functions", "primary_facility_id", "dr_facility_id", "dr_performance", "dr_note",
	"redundancy_power", "redundancy_network", "redundancy_web", "redundancy_was", "redundancy_db", "redundancy_storage",
	"backup_full_every", "backup_incr_every", "offsite_method", "offsite_every",
	"rto_disaster", "rpo_disaster", "rto_failure", "rpo_failure",
	"manual", "manual_fallback", "owner_primary", "owner_secondary", "vendor", "surveyed", "sample",
}

var systemColumns = "id, " + strings.Join(systemFields, ", ") + ", created_at, updated_at"

func systemValues(s *System) []any {
	var grade any
	if s.Grade != 0 {
		grade = s.Grade
	}
	return []any{
		s.AgencyID, s.Name, grade, nullFloat(s.ScoreImpact), nullFloat(s.ScoreUsers), nullFloat(s.ScoreSpread), nullInt(s.Users),
		s.Description, s.CriticalFunctions, nullInt(s.PrimaryFacilityID), nullInt(s.DRFacilityID), s.DRPerformance, s.DRNote,
		s.Redundancy["power"], s.Redundancy["network"], s.Redundancy["web"], s.Redundancy["was"], s.Redundancy["db"], s.Redundancy["storage"],
		nullMinutes(s.BackupFullEvery), nullMinutes(s.BackupIncrEvery), s.OffsiteMethod, nullMinutes(s.OffsiteEvery),
		nullMinutes(s.RTODisaster), nullMinutes(s.RPODisaster), nullMinutes(s.RTOFailure), nullMinutes(s.RPOFailure),
		s.Manual, s.ManualFallback, s.OwnerPrimary, s.OwnerSecondary, s.Vendor, s.Surveyed, s.Sample,
	}
}

func scanSystem(row interface{ Scan(...any) error }) (*System, error) {
	var s System
	var grade, users, primary, dr, full, incr, offsite, rtoD, rpoD, rtoF, rpoF sql.NullInt64
	var impact, usersScore, spread sql.NullFloat64
	var power, network, web, was, db, storage, created, updated string
	err := row.Scan(&s.ID, &s.AgencyID, &s.Name, &grade, &impact, &usersScore, &spread, &users,
		&s.Description, &s.CriticalFunctions, &primary, &dr, &s.DRPerformance, &s.DRNote,
		&power, &network, &web, &was, &db, &storage,
		&full, &incr, &s.OffsiteMethod, &offsite,
		&rtoD, &rpoD, &rtoF, &rpoF,
		&s.Manual, &s.ManualFallback, &s.OwnerPrimary, &s.OwnerSecondary, &s.Vendor, &s.Surveyed, &s.Sample,
		&created, &updated)
	if err != nil {
		return nil, err
	}
	s.Grade = int(grade.Int64)
	s.ScoreImpact, s.ScoreUsers, s.ScoreSpread = ptrFloat(impact), ptrFloat(usersScore), ptrFloat(spread)
	s.Users = ptrInt(users)
	s.PrimaryFacilityID, s.DRFacilityID = ptrInt(primary), ptrInt(dr)
	s.Redundancy = map[string]string{"power": power, "network": network, "web": web, "was": was, "db": db, "storage": storage}
	s.BackupFullEvery, s.BackupIncrEvery, s.OffsiteEvery = ptrMinutes(full), ptrMinutes(incr), ptrMinutes(offsite)
	s.RTODisaster, s.RPODisaster, s.RTOFailure, s.RPOFailure = ptrMinutes(rtoD), ptrMinutes(rpoD), ptrMinutes(rtoF), ptrMinutes(rpoF)
	s.CreatedAt, s.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
	return &s, nil
}

// SystemFilter narrows a system listing; zero fields do not filter.
type SystemFilter struct {
	AgencyID   int64
	FacilityID int64 // primary or DR facility
	// Grade filters by grade; -1 selects systems without a grade.
	Grade int
}

func listSystems(ctx context.Context, q queryer, scope access.Scope, f SystemFilter) ([]*System, error) {
	var args []any
	where := []string{scope.Where("s.agency_id", &args)}
	if f.AgencyID != 0 {
		args = append(args, f.AgencyID)
		where = append(where, fmt.Sprintf("s.agency_id = $%d", len(args)))
	}
	if f.FacilityID != 0 {
		args = append(args, f.FacilityID)
		where = append(where, fmt.Sprintf("(s.primary_facility_id = $%[1]d OR s.dr_facility_id = $%[1]d)", len(args)))
	}
	switch {
	case f.Grade == -1:
		where = append(where, "s.grade IS NULL")
	case f.Grade > 0:
		args = append(args, f.Grade)
		where = append(where, fmt.Sprintf("s.grade = $%d", len(args)))
	}
	return querySystems(ctx, q, strings.Join(where, " AND "), args)
}

// querySystems reads the systems s that match cond, with their endpoints.
func querySystems(ctx context.Context, q queryer, cond string, args []any) ([]*System, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+systemColumns+` FROM systems s WHERE `+cond+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list systems: %w", err)
	}
	defer rows.Close()
	var list []*System
	byID := map[int64]*System{}
	for rows.Next() {
		s, err := scanSystem(rows)
		if err != nil {
			return nil, fmt.Errorf("inventory: scan system: %w", err)
		}
		list = append(list, s)
		byID[s.ID] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list systems: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	// The same condition picks the endpoints, so that they are exactly
	// those of the systems just read.
	endpoints, err := q.QueryContext(ctx, `SELECT e.system_id, e.kind, e.target FROM endpoints e JOIN systems s ON s.id = e.system_id
		WHERE `+cond+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list endpoints: %w", err)
	}
	defer endpoints.Close()
	for endpoints.Next() {
		var id int64
		var e Endpoint
		if err := endpoints.Scan(&id, &e.Kind, &e.Target); err != nil {
			return nil, fmt.Errorf("inventory: scan endpoint: %w", err)
		}
		if s := byID[id]; s != nil {
			s.Endpoints = append(s.Endpoints, e)
		}
	}
	if err := endpoints.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list endpoints: %w", err)
	}
	return list, nil
}

// Systems lists the systems in scope that match the filter.
func (s *Store) Systems(ctx context.Context, scope access.Scope, f SystemFilter) ([]*System, error) {
	return listSystems(ctx, s.db.Read, scope, f)
}

// System fetches one system visible in scope.
func (s *Store) System(ctx context.Context, scope access.Scope, id int64) (*System, error) {
	return getSystem(ctx, s.db.Read, scope, id)
}

func getSystem(ctx context.Context, q queryer, scope access.Scope, id int64) (*System, error) {
	args := []any{id}
	list, err := querySystems(ctx, q, `s.id = $1 AND `+scope.Where("s.agency_id", &args), args)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("system")
	}
	return list[0], nil
}

// System reads one system visible in the transaction's scope, as it stands
// in the transaction, for a change that depends on its current state.
func (t *Tx) System(ctx context.Context, id int64) (*System, error) {
	return getSystem(ctx, t.tx, t.scope, id)
}

// systemRef checks that a record may refer to system id: it exists and the
// scope sees it. Another agency's system is, to an agency, no system at all.
func (t *Tx) systemRef(ctx context.Context, field string, id int64) error {
	var agencyID int64
	err := t.tx.QueryRowContext(ctx, `SELECT agency_id FROM systems WHERE id = $1`, id).Scan(&agencyID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !t.scope.Allows(agencyID)) {
		return apperror.New(apperror.Invalid, field, "invalid.unknown_system", id)
	}
	if err != nil {
		return fmt.Errorf("inventory: look up system %d: %w", id, err)
	}
	return nil
}

// checkSystem validates a system and the records it refers to.
func (t *Tx) checkSystem(ctx context.Context, s *System) error {
	s.Normalize()
	if err := s.Validate().Err(); err != nil {
		return err
	}
	if !t.scope.Allows(s.AgencyID) {
		return apperror.New(apperror.Invalid, "agency_id", "invalid.unknown_agency", s.AgencyID)
	}
	if ok, err := exists(ctx, t.tx, "agencies", s.AgencyID); err != nil {
		return err
	} else if !ok {
		return apperror.New(apperror.Invalid, "agency_id", "invalid.unknown_agency", s.AgencyID)
	}
	if s.PrimaryFacilityID != nil {
		if err := t.facilityRef(ctx, "primary_facility_id", *s.PrimaryFacilityID); err != nil {
			return err
		}
	}
	if s.DRFacilityID != nil {
		return t.facilityRef(ctx, "dr_facility_id", *s.DRFacilityID)
	}
	return nil
}

// CreateSystem adds a system with its endpoints and sets its ID.
func (t *Tx) CreateSystem(ctx context.Context, s *System) error {
	if err := t.checkSystem(ctx, s); err != nil {
		return err
	}
	placeholders := make([]string, len(systemFields)+2)
	for i := range placeholders {
		placeholders[i] = fmt.Sprintf("$%d", i+1)
	}
	args := append(systemValues(s), t.now, t.now)
	return audited(ctx, t, systemAudit, audit.ActionCreate, &s.ID, func() error {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO systems (`+strings.Join(systemFields, ", ")+`, created_at, updated_at)
			VALUES (`+strings.Join(placeholders, ", ")+`) RETURNING id`, args...).Scan(&s.ID)
		if err := wrapWrite(err, "create system", "name"); err != nil {
			return err
		}
		return t.insertEndpoints(ctx, s)
	})
}

// UpdateSystem saves a system and replaces its endpoints.
func (t *Tx) UpdateSystem(ctx context.Context, s *System) error {
	if err := t.requireAgency(ctx, "systems", s.ID, "system"); err != nil {
		return err
	}
	if err := t.checkSystem(ctx, s); err != nil {
		return err
	}
	sets := make([]string, len(systemFields))
	for i, f := range systemFields {
		sets[i] = fmt.Sprintf("%s = $%d", f, i+1)
	}
	args := append(systemValues(s), t.now, s.ID)
	return audited(ctx, t, systemAudit, audit.ActionUpdate, &s.ID, func() error {
		res, err := t.tx.ExecContext(ctx, fmt.Sprintf(`UPDATE systems SET %s, updated_at = $%d WHERE id = $%d`,
			strings.Join(sets, ", "), len(systemFields)+1, len(systemFields)+2), args...)
		if err := wrapWrite(err, "update system", "name"); err != nil {
			return err
		}
		if err := mustAffect(res, "system"); err != nil {
			return err
		}
		return t.replaceEndpoints(ctx, s)
	})
}

func (t *Tx) replaceEndpoints(ctx context.Context, s *System) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM endpoints WHERE system_id = $1`, s.ID); err != nil {
		return fmt.Errorf("inventory: clear endpoints of system %d: %w", s.ID, err)
	}
	return t.insertEndpoints(ctx, s)
}

// insertEndpoints adds all of a system's endpoints in one statement.
func (t *Tx) insertEndpoints(ctx context.Context, s *System) error {
	if len(s.Endpoints) == 0 {
		return nil
	}
	values := make([]string, len(s.Endpoints))
	args := []any{s.ID}
	for i, e := range s.Endpoints {
		values[i] = fmt.Sprintf("($1, $%d, $%d)", len(args)+1, len(args)+2)
		args = append(args, e.Kind, e.Target)
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO endpoints (system_id, kind, target) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return fmt.Errorf("inventory: add endpoints to system %d: %w", s.ID, err)
	}
	return nil
}

// DeleteSystem removes a system, its endpoints, its dependencies and its
// links to services. The dependencies go first and the services lose the
// system each as a change of its own, so that the audit log shows them.
func (t *Tx) DeleteSystem(ctx context.Context, id int64) error {
	if err := t.requireAgency(ctx, "systems", id, "system"); err != nil {
		return err
	}
	dependencies, err := ids(ctx, t.tx, `SELECT id FROM dependencies WHERE from_system_id = $1 OR to_system_id = $1 ORDER BY id`, id)
	if err != nil {
		return err
	}
	for _, dep := range dependencies {
		if err := t.deleteDependency(ctx, dep); err != nil {
			return err
		}
	}
	services, err := ids(ctx, t.tx, `SELECT service_id FROM service_systems WHERE system_id = $1 ORDER BY service_id`, id)
	if err != nil {
		return err
	}
	for _, service := range services {
		err := audited(ctx, t, serviceAudit, audit.ActionUpdate, &service, func() error {
			_, err := t.tx.ExecContext(ctx, `DELETE FROM service_systems WHERE service_id = $1 AND system_id = $2`, service, id)
			return wrapWrite(err, "unlink system from service", "")
		})
		if err != nil {
			return err
		}
	}
	return audited(ctx, t, systemAudit, audit.ActionDelete, &id, func() error {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM systems WHERE id = $1`, id)
		if err := wrapWrite(err, "delete system", ""); err != nil {
			return err
		}
		return mustAffect(res, "system")
	})
}
