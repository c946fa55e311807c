package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

const serviceColumns = `v.id, v.agency_id, v.name, v.audience, v.description, v.mtpd, v.rto, v.rpo, v.manual_workaround, v.sample, v.created_at, v.updated_at`

func scanService(row interface{ Scan(...any) error }) (*Service, error) {
	var s Service
	var mtpd, rto, rpo sql.NullInt64
	var created, updated string
	if err := row.Scan(&s.ID, &s.AgencyID, &s.Name, &s.Audience, &s.Description, &mtpd, &rto, &rpo,
		&s.ManualWorkaround, &s.Sample, &created, &updated); err != nil {
		return nil, err
	}
	s.MTPD, s.RTO, s.RPO = ptrMinutes(mtpd), ptrMinutes(rto), ptrMinutes(rpo)
	s.CreatedAt, s.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
	return &s, nil
}

func listServices(ctx context.Context, q queryer, scope access.Scope) ([]*Service, error) {
	var args []any
	return queryServices(ctx, q, scope, scope.Where("v.agency_id", &args), args)
}

// queryServices reads the services v that match cond with the systems
// supporting each, as far as scope sees them: a ministry service may rest on
// an agency's system, and the agency sees only its own part of that.
func queryServices(ctx context.Context, q queryer, scope access.Scope, cond string, args []any) ([]*Service, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services v WHERE `+cond+` ORDER BY v.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list services: %w", err)
	}
	defer rows.Close()
	var list []*Service
	byID := map[int64]*Service{}
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, fmt.Errorf("inventory: scan service: %w", err)
		}
		list = append(list, s)
		byID[s.ID] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list services: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	args = slices.Clone(args)
	links, err := q.QueryContext(ctx, `SELECT l.service_id, l.system_id FROM service_systems l
		JOIN services v ON v.id = l.service_id JOIN systems s ON s.id = l.system_id
		WHERE `+cond+` AND `+scope.Where("s.agency_id", &args)+` ORDER BY l.service_id, l.system_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list service systems: %w", err)
	}
	defer links.Close()
	for links.Next() {
		var serviceID, systemID int64
		if err := links.Scan(&serviceID, &systemID); err != nil {
			return nil, fmt.Errorf("inventory: scan service system: %w", err)
		}
		if s := byID[serviceID]; s != nil {
			s.SystemIDs = append(s.SystemIDs, systemID)
		}
	}
	if err := links.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list service systems: %w", err)
	}
	return list, nil
}

// Services lists the services in scope with the systems supporting each.
func (s *Store) Services(ctx context.Context, scope access.Scope) ([]*Service, error) {
	return listServices(ctx, s.db.Read, scope)
}

// Service fetches one service visible in scope.
func (s *Store) Service(ctx context.Context, scope access.Scope, id int64) (*Service, error) {
	args := []any{id}
	list, err := queryServices(ctx, s.db.Read, scope, `v.id = $1 AND `+scope.Where("v.agency_id", &args), args)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("service")
	}
	return list[0], nil
}

func (t *Tx) checkService(ctx context.Context, s *Service) error {
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
	for _, id := range s.SystemIDs {
		if err := t.systemRef(ctx, "system_ids", id); err != nil {
			return err
		}
	}
	return nil
}

// CreateService adds a service with its supporting systems and sets its ID.
func (t *Tx) CreateService(ctx context.Context, s *Service) error {
	if err := t.checkService(ctx, s); err != nil {
		return err
	}
	return audited(ctx, t, serviceAudit, audit.ActionCreate, &s.ID, func() error {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO services (agency_id, name, audience, description, mtpd, rto, rpo, manual_workaround, sample, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			s.AgencyID, s.Name, s.Audience, s.Description, nullMinutes(s.MTPD), nullMinutes(s.RTO), nullMinutes(s.RPO),
			s.ManualWorkaround, s.Sample, t.now).Scan(&s.ID)
		if err := wrapWrite(err, "create service", "name"); err != nil {
			return err
		}
		return t.replaceServiceSystems(ctx, s)
	})
}

// UpdateService saves a service and replaces its supporting systems.
func (t *Tx) UpdateService(ctx context.Context, s *Service) error {
	if err := t.requireAgency(ctx, "services", s.ID, "service"); err != nil {
		return err
	}
	if err := t.checkService(ctx, s); err != nil {
		return err
	}
	return audited(ctx, t, serviceAudit, audit.ActionUpdate, &s.ID, func() error {
		res, err := t.tx.ExecContext(ctx, `UPDATE services SET agency_id = $1, name = $2, audience = $3, description = $4, mtpd = $5, rto = $6, rpo = $7,
			manual_workaround = $8, sample = $9, updated_at = $10 WHERE id = $11`,
			s.AgencyID, s.Name, s.Audience, s.Description, nullMinutes(s.MTPD), nullMinutes(s.RTO), nullMinutes(s.RPO),
			s.ManualWorkaround, s.Sample, t.now, s.ID)
		if err := wrapWrite(err, "update service", "name"); err != nil {
			return err
		}
		if err := mustAffect(res, "service"); err != nil {
			return err
		}
		return t.replaceServiceSystems(ctx, s)
	})
}

func (t *Tx) replaceServiceSystems(ctx context.Context, s *Service) error {
	// Only the links the scope sees are replaced: an agency never saw the
	// ministry's link to another agency's system, so it must not drop it.
	args := []any{s.ID}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM service_systems WHERE service_id = $1
		AND system_id IN (SELECT s.id FROM systems s WHERE `+t.scope.Where("s.agency_id", &args)+`)`, args...); err != nil {
		return fmt.Errorf("inventory: clear systems of service %d: %w", s.ID, err)
	}
	seen := map[int64]bool{}
	for _, id := range s.SystemIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO service_systems (service_id, system_id) VALUES ($1, $2)`, s.ID, id); err != nil {
			return fmt.Errorf("inventory: link system %d to service %d: %w", id, s.ID, err)
		}
	}
	return nil
}

// DeleteService removes a service.
func (t *Tx) DeleteService(ctx context.Context, id int64) error {
	if err := t.requireAgency(ctx, "services", id, "service"); err != nil {
		return err
	}
	return audited(ctx, t, serviceAudit, audit.ActionDelete, &id, func() error {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM services WHERE id = $1`, id)
		if err := wrapWrite(err, "delete service", ""); err != nil {
			return err
		}
		return mustAffect(res, "service")
	})
}
