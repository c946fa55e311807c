package backup

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/database"
	"yeonsok/internal/locale"
)

// StatusBreach is an exposure beyond its target, as an alert says it.
const StatusBreach = "breach"

// Alert is a finding or an exposure breach of a system's backups that
// people are told of once, when it appears.
type Alert struct {
	SystemID   int64
	AgencyID   int64
	SystemName string
	// Subject is a check, or "exposure:" and a scenario.
	Subject string
	Status  string
	Finding Finding
	// Exposure is set for an exposure's alert.
	Exposure *Exposure
}

const exposurePrefix = "exposure:"

// alertsOf are the alerts statuses call for now. A system no job has ever
// reported for calls for none: it shows on the pages as having no
// backups, but telling its people at every start of a new tower would
// bury what matters — a job that stopped, a run that failed.
func alertsOf(statuses []*SystemStatus) []Alert {
	var out []Alert
	for _, st := range statuses {
		if st.Latest.LastRun.IsZero() {
			continue
		}
		for _, f := range st.Findings {
			if !f.OK() {
				out = append(out, Alert{SystemID: st.SystemID, AgencyID: st.AgencyID, SystemName: st.Name, Subject: f.Check,
					Status: f.Status, Finding: f})
			}
		}
		for i, e := range st.Exposures {
			if e.Breach {
				out = append(out, Alert{SystemID: st.SystemID, AgencyID: st.AgencyID, SystemName: st.Name,
					Subject: exposurePrefix + e.Scenario, Status: StatusBreach, Exposure: &st.Exposures[i]})
			}
		}
	}
	return out
}

// Alerts compares what statuses call for with what people were told, and
// returns the alerts to tell now: those new, or whose status changed (late
// became failed). Those that cleared are forgotten, so they are told again
// should they come back. statuses must be every system's (Judge over the
// whole inventory): a system left out counts as cleared.
func (s *Store) Alerts(ctx context.Context, statuses []*SystemStatus, now time.Time) ([]Alert, error) {
	want := alertsOf(statuses)
	var raised []Alert
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		raised = nil
		told := map[string]string{}
		rows, err := tx.QueryContext(ctx, `SELECT system_id, subject, status FROM backup_alerts`)
		if err != nil {
			return fmt.Errorf("backup: alerts told: %w", err)
		}
		for rows.Next() {
			var system int64
			var subject, status string
			if err := rows.Scan(&system, &subject, &status); err != nil {
				rows.Close()
				return fmt.Errorf("backup: alerts told: %w", err)
			}
			told[alertKey(system, subject)] = status
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("backup: alerts told: %w", err)
		}
		at := database.FormatTime(now)
		for _, a := range want {
			key := alertKey(a.SystemID, a.Subject)
			before, ok := told[key]
			delete(told, key)
			if ok && before == a.Status {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO backup_alerts (system_id, subject, status, since) VALUES ($1, $2, $3, $4)
				ON CONFLICT (system_id, subject) DO UPDATE SET status = excluded.status, since = excluded.since`,
				a.SystemID, a.Subject, a.Status, at); err != nil {
				return fmt.Errorf("backup: alert of system %d: %w", a.SystemID, err)
			}
			raised = append(raised, a)
		}
		for key := range told {
			system, subject, _ := strings.Cut(key, "/")
			if _, err := tx.ExecContext(ctx, `DELETE FROM backup_alerts WHERE system_id = $1 AND subject = $2`, system, subject); err != nil {
				return fmt.Errorf("backup: clear alert %s: %w", key, err)
			}
		}
		return nil
	})
	return raised, err
}

func alertKey(system int64, subject string) string { return fmt.Sprintf("%d/%s", system, subject) }

// Message is the alert in Korean for the people on the system's call
// list: a subject line and a body, with the path of the page to act on.
func (a Alert) Message(agency string) (subject, body string) {
	l := locale.Korean
	if a.Exposure != nil {
		e := a.Exposure
		what := locale.T(l, "scenario.kind."+e.Scenario)
		subject = locale.T(l, "backup.alert.exposure.subject", a.SystemName, what, agency)
		age := locale.T(l, "backup.alert.unbounded")
		if !e.Unbounded {
			age = locale.Span(l, int64(e.Age/time.Minute))
		}
		body = locale.T(l, "backup.alert.exposure.body", a.SystemName, what, age, locale.Span(l, int64(*e.Target)), a.SystemID)
		return subject, body
	}
	check := locale.T(l, "backup.alert.check."+a.Subject)
	subject = locale.T(l, "backup.alert.subject."+a.Status, a.SystemName, check, agency)
	last := locale.T(l, "backup.alert.never")
	if !a.Finding.Last.IsZero() {
		last = locale.DateTime(a.Finding.Last)
	}
	due := "—"
	if !a.Finding.Due.IsZero() {
		due = locale.DateTime(a.Finding.Due)
	}
	body = locale.T(l, "backup.alert.body", a.SystemName, check, locale.T(l, "backup.alert.status."+a.Status), last, due, a.SystemID)
	return subject, body
}
