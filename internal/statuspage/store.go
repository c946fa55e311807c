package statuspage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"yeonsok/internal/database"
)

// The page reads the tables itself, read-only, in one snapshot: five
// narrow queries whatever the size of the inventory's other records. It
// reads no system's name, endpoint, facility or people, so none of them
// can reach the page by mistake.

// RecentDays is how long a resolved incident stays on the page.
const RecentDays = 14

// inView is the incidents the page shows: open ones, and those resolved
// within RecentDays ($1: the oldest resolution shown, as stored text,
// which orders as time on both dialects).
const inView = `(i.state IN ('detected', 'declared', 'mitigated') OR (i.state IN ('resolved', 'reviewed') AND i.resolved_at >= $1))`

// read reads what the page is made of, as of now.
func read(ctx context.Context, db *database.DB, now time.Time) (records, error) {
	var rec records
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return rec, fmt.Errorf("statuspage: %w", err)
	}
	defer tx.Rollback()
	since := database.FormatTime(now.AddDate(0, 0, -RecentDays))

	err = each(ctx, tx, `SELECT s.id, a.name, s.name, s.manual_workaround FROM services s JOIN agencies a ON a.id = s.agency_id
		WHERE s.audience = 'public' ORDER BY s.id`, nil, func(rows *sql.Rows) error {
		var s serviceRow
		err := rows.Scan(&s.id, &s.agency, &s.name, &s.workaround)
		rec.services = append(rec.services, s)
		return err
	})
	if err != nil {
		return rec, fmt.Errorf("statuspage: read public services: %w", err)
	}
	err = each(ctx, tx, `SELECT ss.service_id, ss.system_id FROM service_systems ss JOIN services s ON s.id = ss.service_id
		WHERE s.audience = 'public' ORDER BY ss.service_id, ss.system_id`, nil, func(rows *sql.Rows) error {
		var l link
		err := rows.Scan(&l.service, &l.system)
		rec.links = append(rec.links, l)
		return err
	})
	if err != nil {
		return rec, fmt.Errorf("statuspage: read the services' systems: %w", err)
	}
	err = each(ctx, tx, `SELECT i.id, i.state, i.detected_at, i.resolved_at FROM incidents i WHERE `+inView+` ORDER BY i.id`,
		[]any{since}, func(rows *sql.Rows) error {
			var i incidentRow
			var detected string
			var resolved sql.NullString
			err := rows.Scan(&i.id, &i.state, &detected, &resolved)
			i.detected, i.resolved = database.ParseTime(detected), database.ParseNullTime(resolved)
			rec.incidents = append(rec.incidents, i)
			return err
		})
	if err != nil {
		return rec, fmt.Errorf("statuspage: read incidents: %w", err)
	}
	err = each(ctx, tx, `SELECT x.incident_id, x.system_id, x.restored_at FROM incident_systems x JOIN incidents i ON i.id = x.incident_id
		WHERE `+inView+` ORDER BY x.incident_id, x.system_id`, []any{since}, func(rows *sql.Rows) error {
		var a affectedRow
		var restored sql.NullString
		err := rows.Scan(&a.incident, &a.system, &restored)
		a.restored = database.ParseNullTime(restored)
		rec.affected = append(rec.affected, a)
		return err
	})
	if err != nil {
		return rec, fmt.Errorf("statuspage: read the incidents' systems: %w", err)
	}
	err = each(ctx, tx, `SELECT m.incident_id, m.service_id, m.started_at, m.ended_at, m.notice FROM incident_manual_modes m
		JOIN incidents i ON i.id = m.incident_id WHERE `+inView+` ORDER BY m.incident_id, m.service_id`, []any{since},
		func(rows *sql.Rows) error {
			var m manualRow
			var started string
			var ended sql.NullString
			err := rows.Scan(&m.incident, &m.service, &started, &ended, &m.notice)
			m.started, m.ended = database.ParseTime(started), database.ParseNullTime(ended)
			rec.manual = append(rec.manual, m)
			return err
		})
	if err != nil {
		return rec, fmt.Errorf("statuspage: read manual modes: %w", err)
	}
	return rec, nil
}

// each runs a query and hands fn every row.
func each(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
