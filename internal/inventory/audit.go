package inventory

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
)

// Every write of a Tx goes through audited, which appends the change to the
// audit log in the same transaction: who (access.ActorFrom), the record as
// stored before and after, read inside the transaction, and the agency whose
// users may read the entry. An update that leaves the record as it was, but
// for its updated_at, is no change and is not recorded. Records that go
// with another — a deleted system's dependencies and service links, a
// deleted agency's or facility's declared figures — are removed one by one
// through audited before it, so that each shows in the log as its own change
// rather than vanishing in an ON DELETE CASCADE.

// auditKind says how one kind of record appears in the audit log.
type auditKind[T any] struct {
	name string // audit.KindSystem, …
	// load reads the whole record as stored, in no scope: the log keeps the
	// truth, and who may read it is decided by owner.
	load func(ctx context.Context, q queryer, id int64) (*T, error)
	// owner is the agency whose users may read the record's entries (nil:
	// the ministry only) and the name the entry shows. It is read while
	// the record is in the database.
	owner func(ctx context.Context, q queryer, r *T) (agencyID *int64, label string, err error)
	// updatedAt points at the record's updated_at, if it has one; a change
	// to it alone is no change.
	updatedAt func(r *T) *time.Time
}

// state is a record at one moment of the transaction.
type state[T any] struct {
	rec      *T
	json     []byte
	agencyID *int64
	label    string
}

func (k *auditKind[T]) read(ctx context.Context, q queryer, id int64) (*state[T], error) {
	rec, err := k.load(ctx, q, id)
	if err != nil {
		return nil, err
	}
	s := &state[T]{rec: rec}
	if s.agencyID, s.label, err = k.owner(ctx, q, rec); err != nil {
		return nil, err
	}
	if s.json, err = json.Marshal(rec); err != nil {
		return nil, fmt.Errorf("inventory: %s %d as JSON: %w", k.name, id, err)
	}
	return s, nil
}

// unchanged reports whether after differs from before in nothing but
// updated_at.
func (k *auditKind[T]) unchanged(before, after *state[T]) bool {
	if k.updatedAt == nil {
		return bytes.Equal(before.json, after.json)
	}
	same := *after.rec
	*k.updatedAt(&same) = *k.updatedAt(before.rec)
	body, err := json.Marshal(&same)
	return err == nil && bytes.Equal(body, before.json)
}

// audited runs write, which does action to the record of kind k whose id is
// *id, and records the change. *id is read again after write, so that a
// creation's new id is known. The record is read before write (unless it
// is being created) and after (unless deleted); reading a missing record
// fails with its kind's "not found".
func audited[T any](ctx context.Context, t *Tx, k *auditKind[T], action string, id *int64, write func() error) error {
	var before, after *state[T]
	var err error
	if action != audit.ActionCreate {
		if before, err = k.read(ctx, t.tx, *id); err != nil {
			return err
		}
	}
	if err := write(); err != nil {
		return err
	}
	if action != audit.ActionDelete {
		if after, err = k.read(ctx, t.tx, *id); err != nil {
			return err
		}
	}
	if before != nil && after != nil && k.unchanged(before, after) {
		return nil
	}
	recordID := *id
	e := &audit.Entry{Action: action, Kind: k.name, RecordID: &recordID}
	switch {
	case before == nil:
		e.AgencyID, e.Summary, e.After = after.agencyID, after.label, after.json
	case after == nil:
		e.AgencyID, e.Summary, e.Before = before.agencyID, before.label, before.json
	default:
		e.Summary, e.Before, e.After = after.label, before.json, after.json
		// An entry an agency reads shows nothing that is not its own: a
		// record moved between agencies, or one with a side only the
		// ministry may read, is the ministry's.
		if before.agencyID != nil && after.agencyID != nil && *before.agencyID == *after.agencyID {
			e.AgencyID = after.agencyID
		}
	}
	return t.log.Append(ctx, e)
}

var agencyAudit = &auditKind[Agency]{
	name: audit.KindAgency,
	load: getAgency,
	owner: func(_ context.Context, _ queryer, a *Agency) (*int64, string, error) {
		return &a.ID, a.Name, nil
	},
	updatedAt: func(a *Agency) *time.Time { return &a.UpdatedAt },
}

var facilityAudit = &auditKind[Facility]{
	name: audit.KindFacility,
	load: func(ctx context.Context, q queryer, id int64) (*Facility, error) {
		return getFacility(ctx, q, access.All(), id)
	},
	// A facility may be shared by several agencies: only the ministry
	// reads its history.
	owner: func(_ context.Context, _ queryer, f *Facility) (*int64, string, error) {
		return nil, f.Name, nil
	},
	updatedAt: func(f *Facility) *time.Time { return &f.UpdatedAt },
}

var systemAudit = &auditKind[System]{
	name: audit.KindSystem,
	load: func(ctx context.Context, q queryer, id int64) (*System, error) {
		return getSystem(ctx, q, access.All(), id)
	},
	owner: func(_ context.Context, _ queryer, s *System) (*int64, string, error) {
		return &s.AgencyID, s.Name, nil
	},
	updatedAt: func(s *System) *time.Time { return &s.UpdatedAt },
}

var serviceAudit = &auditKind[Service]{
	name: audit.KindService,
	load: func(ctx context.Context, q queryer, id int64) (*Service, error) {
		list, err := queryServices(ctx, q, access.All(), `v.id = $1`, []any{id})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, notFound("service")
		}
		return list[0], nil
	},
	// A service of one agency that the ministry linked to another agency's
	// system is the ministry's to read: the agency does not see that link.
	owner: func(ctx context.Context, q queryer, s *Service) (*int64, string, error) {
		var foreign int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM service_systems l JOIN systems s ON s.id = l.system_id
			WHERE l.service_id = $1 AND s.agency_id <> $2`, s.ID, s.AgencyID).Scan(&foreign); err != nil {
			return nil, "", fmt.Errorf("inventory: agencies of service %d: %w", s.ID, err)
		}
		if foreign > 0 {
			return nil, s.Name, nil
		}
		return &s.AgencyID, s.Name, nil
	},
	updatedAt: func(s *Service) *time.Time { return &s.UpdatedAt },
}

var dependencyAudit = &auditKind[Dependency]{
	name: audit.KindDependency,
	load: func(ctx context.Context, q queryer, id int64) (*Dependency, error) {
		return getDependency(ctx, q, access.All(), id)
	},
	// A dependency belongs to the agency of the system that depends, and an
	// agency sees it only when it is on one of its own systems too (as the
	// inventory's dependencyScope has it); otherwise the ministry only.
	owner: func(ctx context.Context, q queryer, d *Dependency) (*int64, string, error) {
		var fromAgency, toAgency int64
		var from, to string
		if err := q.QueryRowContext(ctx, `SELECT f.agency_id, f.name, t.agency_id, t.name FROM systems f, systems t
			WHERE f.id = $1 AND t.id = $2`, d.FromSystemID, d.ToSystemID).Scan(&fromAgency, &from, &toAgency, &to); err != nil {
			return nil, "", fmt.Errorf("inventory: systems of dependency %d: %w", d.ID, err)
		}
		label := from + " → " + to
		if fromAgency != toAgency {
			return nil, label, nil
		}
		return &fromAgency, label, nil
	},
}

var declaredAudit = &auditKind[DeclaredFigure]{
	name: audit.KindDeclared,
	load: getDeclared,
	// The plan's figures are the ministry's to keep.
	owner: func(_ context.Context, _ queryer, d *DeclaredFigure) (*int64, string, error) {
		return nil, d.Source + " · " + d.Metric, nil
	},
}

// ids reads a list of ids, so that the rows are closed before anything
// else runs on the transaction's connection.
func ids(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer rows.Close()
	var list []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("inventory: %w", err)
		}
		list = append(list, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return list, nil
}

// deleteDeclaredOf removes, each as its own audited change, the declared
// figures that a deletion of the agency or facility id would otherwise take
// with it; column is agency_id or facility_id.
func (t *Tx) deleteDeclaredOf(ctx context.Context, column string, id int64) error {
	list, err := ids(ctx, t.tx, `SELECT id FROM declared_figures WHERE `+column+` = $1 ORDER BY id`, id)
	if err != nil {
		return err
	}
	for _, figure := range list {
		err := audited(ctx, t, declaredAudit, audit.ActionDelete, &figure, func() error {
			_, err := t.tx.ExecContext(ctx, `DELETE FROM declared_figures WHERE id = $1`, figure)
			return wrapWrite(err, "delete declared figure", "")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func getDeclared(ctx context.Context, q queryer, id int64) (*DeclaredFigure, error) {
	var d DeclaredFigure
	var agency, facility sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, source, agency_id, facility_id, metric, value, note FROM declared_figures WHERE id = $1`, id).
		Scan(&d.ID, &d.Source, &agency, &facility, &d.Metric, &d.Value, &d.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("inventory: declared figure %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("inventory: get declared figure %d: %w", id, err)
	}
	d.AgencyID, d.FacilityID = ptrInt(agency), ptrInt(facility)
	return &d, nil
}
