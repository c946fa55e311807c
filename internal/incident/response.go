package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// AffectedService is a service that the incident's systems stop: directly
// (one of its own systems is down) or through the dependency graph (one of
// its systems depends, directly or further on, on a system that is down).
// Every service of the incident's agency so stopped is one, and the public
// services of other agencies: their names are public anyway, and they are
// often what the outage is about (the ministry's services run on its
// agencies' systems).
type AffectedService struct {
	ServiceID int64  `json:"service_id"`
	AgencyID  int64  `json:"agency_id"`
	Name      string `json:"name"`
	Audience  string `json:"audience"`
	Direct    bool   `json:"direct"`
	// Workaround is the service's documented manual procedure.
	Workaround string `json:"manual_workaround"`
	// Manual is the service's manual mode in this incident; nil when it
	// was never switched on.
	Manual *ManualMode `json:"manual,omitempty"`
}

// ManualMode is a service run by hand during an incident: since when,
// until when (zero: still by hand), and the notice citizens read.
type ManualMode struct {
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	Notice    string    `json:"notice"`
}

// On reports whether the service is still run by hand.
func (m *ManualMode) On() bool { return m != nil && m.EndedAt.IsZero() }

// Batch is a stored ManualBatch: what one office took by hand for one
// service of the incident.
type Batch struct {
	ID          int64  `json:"id"`
	ServiceID   int64  `json:"service_id"`
	ServiceName string `json:"service_name"`
	ManualBatch
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedBy string    `json:"updated_by"`
}

// DataLoss is one entry of the incident's data-loss ledger.
type DataLoss struct {
	ID         int64  `json:"id"`
	SystemID   int64  `json:"system_id"`
	SystemName string `json:"system_name"`
	// What data was lost, of the period From–To.
	What string    `json:"what"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Rebuild says whether it can be rebuilt (Rebuilds), RebuildFrom from
	// where (paper forms, a partner's copy), RebuiltAt when it was (zero:
	// not yet).
	Rebuild     string    `json:"rebuild"`
	RebuildFrom string    `json:"rebuild_from"`
	RebuiltAt   time.Time `json:"rebuilt_at,omitzero"`
}

// Rebuilds are the answers to "can the lost data be rebuilt?".
var Rebuilds = []string{"unknown", "full", "partial", "none"}

// Normalize trims what people type.
func (l *DataLoss) Normalize() {
	l.What, l.RebuildFrom = strings.TrimSpace(l.What), strings.TrimSpace(l.RebuildFrom)
	if l.Rebuild == "" {
		l.Rebuild = "unknown"
	}
}

// Validate checks a ledger entry, every problem by its field.
func (l *DataLoss) Validate() inventory.Problems {
	var p inventory.Problems
	if l.SystemID <= 0 {
		p.Add("system_id", "invalid.required")
	}
	p.Required("what", l.What)
	p.Text("what", l.What, inventory.MaxLongText)
	if l.From.IsZero() {
		p.Add("from", "invalid.required")
	}
	if l.To.IsZero() {
		p.Add("to", "invalid.required")
	} else if l.To.Before(l.From) {
		p.Add("to", "incident.invalid.period")
	}
	p.OneOf("rebuild", l.Rebuild, Rebuilds)
	p.Text("rebuild_from", l.RebuildFrom, inventory.MaxShortText)
	if !l.RebuiltAt.IsZero() && l.Rebuild != "full" && l.Rebuild != "partial" {
		p.Add("rebuilt_at", "incident.invalid.rebuilt")
	}
	return p
}

// Timeline kinds of the response.
const (
	EventManual   = "manual"   // a service switched into or out of manual mode
	EventBatch    = "batch"    // an office's batch recorded, or its back-entry progress
	EventLoss     = "loss"     // the data-loss ledger changed
	EventSeverity = "severity" // a person set the severity
	EventReview   = "review"   // the review was written
)

// writable reads incident id in scope for a change of its response: a
// reviewed incident is closed for good.
func writable(ctx context.Context, tx *sql.Tx, scope access.Scope, id int64) (*Incident, error) {
	inc, err := incidentInScope(ctx, tx, scope, id)
	if err == nil && inc.State == Reviewed {
		err = apperror.New(apperror.Invalid, "state", "incident.invalid.closed")
	}
	return inc, err
}

// serviceOf finds a service the incident may run by hand: one of its
// agency's, or a public service of another agency that its systems stop
// (the ministry's 실업급여 신청 runs on 한국고용정보원's 고용24, and its
// offices take the applications by hand while 고용정보원 restores it).
func serviceOf(ctx context.Context, q queryer, inc *Incident, serviceID int64) (name, workaround string, err error) {
	for _, a := range inc.Services {
		if a.ServiceID == serviceID && (a.AgencyID == inc.AgencyID || a.Audience == "public") {
			return a.Name, a.Workaround, nil
		}
	}
	err = q.QueryRowContext(ctx, `SELECT name, manual_workaround FROM services WHERE id = $1 AND agency_id = $2`,
		serviceID, inc.AgencyID).Scan(&name, &workaround)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", apperror.New(apperror.Invalid, "service_id", "incident.invalid.service")
	}
	if err != nil {
		return "", "", fmt.Errorf("incident %d: service %d: %w", inc.ID, serviceID, err)
	}
	return name, workaround, nil
}

// SwitchManual switches a service of the incident's agency into manual
// mode (on) with the notice citizens read — the service's documented
// workaround when notice is empty — or back (off). An open incident only
// switches a service on; it may switch it off until it is reviewed.
func (s *Store) SwitchManual(ctx context.Context, scope access.Scope, id, serviceID int64, on bool, notice string) (*Incident, error) {
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := writable(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		name, workaround, err := serviceOf(ctx, tx, before, serviceID)
		if err != nil {
			return err
		}
		now, actor := database.FormatTime(s.Now()), access.ActorFrom(ctx).Name
		var text string
		if on {
			if !before.State.Open() {
				return apperror.New(apperror.Invalid, "state", "incident.invalid.manual_closed")
			}
			if notice = strings.TrimSpace(notice); notice == "" {
				notice = workaround
			}
			if len([]rune(notice)) > inventory.MaxLongText {
				return apperror.New(apperror.Invalid, "notice", "invalid.too_long", inventory.MaxLongText)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_manual_modes (incident_id, service_id, started_at, notice)
				VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id, service_id) DO UPDATE SET ended_at = NULL, notice = $4`,
				id, serviceID, now, notice); err != nil {
				return fmt.Errorf("incident %d: manual mode of service %d: %w", id, serviceID, err)
			}
			text = "on: " + name
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE incident_manual_modes SET ended_at = $1
				WHERE incident_id = $2 AND service_id = $3 AND ended_at IS NULL`, now, id, serviceID)
			if err != nil {
				return fmt.Errorf("incident %d: end manual mode of service %d: %w", id, serviceID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return apperror.New(apperror.Invalid, "service_id", "incident.invalid.manual_off")
			}
			text = "off: " + name
		}
		if err := appendEvent(ctx, tx, id, s.Now(), EventManual, 0, actor, text); err != nil {
			return err
		}
		inc, err = readIncident(ctx, tx, id)
		return err
	})
	return inc, err
}

// AddBatches records what offices took by hand for services the incident
// switched into manual mode, all or none: a batch that does not validate,
// or names a service never run by hand in this incident, refuses them all
// with its position ("batches[3].count").
func (s *Store) AddBatches(ctx context.Context, scope access.Scope, id int64, batches []Batch) (*Incident, error) {
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := writable(ctx, tx, scope, id); err != nil {
			return err
		}
		if len(batches) == 0 {
			return apperror.New(apperror.Invalid, "batches", "invalid.required")
		}
		manual, err := manualServices(ctx, tx, id)
		if err != nil {
			return err
		}
		now, actor := s.Now(), access.ActorFrom(ctx).Name
		for i := range batches {
			b := &batches[i]
			b.Normalize()
			prefix := fmt.Sprintf("batches[%d].", i)
			if len(batches) == 1 {
				prefix = ""
			}
			if err := b.Validate().Err(); err != nil {
				return prefixed(err, prefix)
			}
			name, ok := manual[b.ServiceID]
			if !ok {
				return apperror.New(apperror.Invalid, prefix+"service_id", "incident.invalid.batch_service")
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO manual_batches (incident_id, service_id, office, count, first_receipt,
				last_receipt, entered, created_at, updated_at, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $9)
				RETURNING id`, id, b.ServiceID, b.Office, b.Count, b.FirstReceipt, b.LastReceipt, b.Entered,
				database.FormatTime(now), actor).Scan(&b.ID); err != nil {
				return fmt.Errorf("incident %d: batch %d: %w", id, i, err)
			}
			text := fmt.Sprintf("%s · %s: %d건", name, b.Office, b.Count)
			if b.FirstReceipt != "" {
				text += fmt.Sprintf(" (%s – %s)", b.FirstReceipt, b.LastReceipt)
			}
			if b.Entered > 0 {
				text += fmt.Sprintf(", 입력 %d", b.Entered)
			}
			if err := appendEvent(ctx, tx, id, now, EventBatch, 0, actor, text); err != nil {
				return err
			}
		}
		inc, err = readIncident(ctx, tx, id)
		return err
	})
	return inc, err
}

// prefixed puts a batch's position before the field of its first problem.
func prefixed(err error, prefix string) error {
	var ae *apperror.Error
	if prefix == "" || !errors.As(err, &ae) {
		return err
	}
	copied := *ae
	copied.Field = prefix + copied.Field
	return &copied
}

// manualServices are the services incident id ran by hand, by id, with
// their names.
func manualServices(ctx context.Context, q queryer, id int64) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.service_id, v.name FROM incident_manual_modes m JOIN services v ON v.id = m.service_id
		WHERE m.incident_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("incident %d: manual services: %w", id, err)
	}
	defer rows.Close()
	names := map[int64]string{}
	for rows.Next() {
		var sid int64
		var name string
		if err := rows.Scan(&sid, &name); err != nil {
			return nil, fmt.Errorf("incident %d: manual services: %w", id, err)
		}
		names[sid] = name
	}
	return names, rows.Err()
}

// RecordEntered records the back-entry progress of a batch: how many of
// its items have been entered into the system since.
func (s *Store) RecordEntered(ctx context.Context, scope access.Scope, id, batchID int64, entered int) (*Incident, error) {
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := writable(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		var b *Batch
		for _, candidate := range before.Batches {
			if candidate.ID == batchID {
				b = candidate
			}
		}
		if b == nil {
			return apperror.New(apperror.NotFound, "", "not_found.batch")
		}
		if entered < 0 || entered > b.Count {
			return apperror.New(apperror.Invalid, "entered", "incident.invalid.entered")
		}
		now, actor := s.Now(), access.ActorFrom(ctx).Name
		if _, err := tx.ExecContext(ctx, `UPDATE manual_batches SET entered = $1, updated_at = $2, updated_by = $3 WHERE id = $4`,
			entered, database.FormatTime(now), actor, batchID); err != nil {
			return fmt.Errorf("incident %d: batch %d entered: %w", id, batchID, err)
		}
		text := fmt.Sprintf("%s · %s: 입력 %d/%d (남은 %d)", b.ServiceName, b.Office, entered, b.Count, b.Count-entered)
		if err := appendEvent(ctx, tx, id, now, EventBatch, 0, actor, text); err != nil {
			return err
		}
		inc, err = readIncident(ctx, tx, id)
		return err
	})
	return inc, err
}

// RecordLoss adds an entry to the incident's data-loss ledger (l.ID zero)
// or updates one — most often to say it was rebuilt.
func (s *Store) RecordLoss(ctx context.Context, scope access.Scope, id int64, l *DataLoss) (*Incident, error) {
	var inc *Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := writable(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		l.Normalize()
		if err := l.Validate().Err(); err != nil {
			return err
		}
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM systems WHERE id = $1 AND agency_id = $2`, l.SystemID, before.AgencyID).
			Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return apperror.New(apperror.Invalid, "system_id", "incident.invalid.loss_system")
		} else if err != nil {
			return fmt.Errorf("incident %d: loss system: %w", id, err)
		}
		now, actor := s.Now(), access.ActorFrom(ctx).Name
		at := database.FormatTime(now)
		args := []any{l.SystemID, l.What, database.FormatTime(l.From), database.FormatTime(l.To), l.Rebuild, l.RebuildFrom,
			database.NullTime(l.RebuiltAt), at, actor}
		verb := "recorded"
		if l.ID == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO data_losses (system_id, what, lost_from, lost_to, rebuild, rebuild_from, rebuilt_at,
				created_at, updated_at, created_by, updated_by, incident_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $9, $10)
				RETURNING id`, append(args, id)...).Scan(&l.ID)
		} else {
			verb = "updated"
			var res sql.Result
			res, err = tx.ExecContext(ctx, `UPDATE data_losses SET system_id = $1, what = $2, lost_from = $3, lost_to = $4, rebuild = $5,
				rebuild_from = $6, rebuilt_at = $7, updated_at = $8, updated_by = $9 WHERE incident_id = $10 AND id = $11`,
				append(args, id, l.ID)...)
			if n, _ := rowsAffected(res, err); err == nil && n == 0 {
				return apperror.New(apperror.NotFound, "", "not_found.data_loss")
			}
		}
		if err != nil {
			return fmt.Errorf("incident %d: data loss: %w", id, err)
		}
		text := fmt.Sprintf("%s %s: %s (%s)", verb, name, l.What, l.Rebuild)
		if err := appendEvent(ctx, tx, id, now, EventLoss, l.SystemID, actor, text); err != nil {
			return err
		}
		inc, err = readIncident(ctx, tx, id)
		return err
	})
	return inc, err
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// readResponse reads what the incident's people did and found beside its
// systems: the services it stops, their manual modes, the offices'
// batches, the data lost and the review's tasks.
func readResponse(ctx context.Context, q queryer, inc *Incident) error {
	var err error
	if inc.Services, err = affectedServices(ctx, q, inc); err != nil {
		return err
	}
	if inc.Batches, err = readBatches(ctx, q, inc.ID); err != nil {
		return err
	}
	if inc.Losses, err = readLosses(ctx, q, inc.ID); err != nil {
		return err
	}
	inc.Actions, err = readActions(ctx, q, inc.ID)
	return err
}

// affectedServices walks the dependency graph backwards from the
// incident's systems (whatever depends on a stopped system stops too), and
// lists the services that hold any system reached — the agency's own, and
// other agencies' public ones (AffectedService) — with their manual modes. A service switched into manual mode is
// listed even if no dependency says it is touched: the people running the
// incident know better than the graph.
func affectedServices(ctx context.Context, q queryer, inc *Incident) ([]*AffectedService, error) {
	rows, err := q.QueryContext(ctx, `WITH RECURSIVE hit(id) AS (
			SELECT system_id FROM incident_systems WHERE incident_id = $1
			UNION
			SELECT d.from_system_id FROM dependencies d JOIN hit ON d.to_system_id = hit.id
		)
		SELECT v.id, v.agency_id, v.name, v.audience, v.manual_workaround,
			EXISTS (SELECT 1 FROM service_systems x JOIN incident_systems i ON i.system_id = x.system_id
				WHERE x.service_id = v.id AND i.incident_id = $1),
			m.started_at, m.ended_at, COALESCE(m.notice, '')
		FROM services v LEFT JOIN incident_manual_modes m ON m.service_id = v.id AND m.incident_id = $1
		WHERE (v.agency_id = $2 OR v.audience = 'public') AND (m.service_id IS NOT NULL
			OR EXISTS (SELECT 1 FROM service_systems x JOIN hit ON hit.id = x.system_id WHERE x.service_id = v.id))
		ORDER BY v.name, v.id`, inc.ID, inc.AgencyID)
	if err != nil {
		return nil, fmt.Errorf("incident %d: services: %w", inc.ID, err)
	}
	defer rows.Close()
	var list []*AffectedService
	for rows.Next() {
		var a AffectedService
		var started, ended sql.NullString
		var notice string
		if err := rows.Scan(&a.ServiceID, &a.AgencyID, &a.Name, &a.Audience, &a.Workaround, &a.Direct, &started, &ended, &notice); err != nil {
			return nil, fmt.Errorf("incident %d: services: %w", inc.ID, err)
		}
		if started.Valid {
			a.Manual = &ManualMode{StartedAt: database.ParseNullTime(started), EndedAt: database.ParseNullTime(ended), Notice: notice}
		}
		list = append(list, &a)
	}
	return list, rows.Err()
}

func readBatches(ctx context.Context, q queryer, id int64) ([]*Batch, error) {
	rows, err := q.QueryContext(ctx, `SELECT b.id, b.service_id, v.name, b.office, b.count, b.first_receipt, b.last_receipt, b.entered,
		b.created_at, b.updated_at, b.created_by, b.updated_by
		FROM manual_batches b JOIN services v ON v.id = b.service_id WHERE b.incident_id = $1 ORDER BY b.id`, id)
	if err != nil {
		return nil, fmt.Errorf("incident %d: batches: %w", id, err)
	}
	defer rows.Close()
	var list []*Batch
	for rows.Next() {
		var b Batch
		var created, updated string
		if err := rows.Scan(&b.ID, &b.ServiceID, &b.ServiceName, &b.Office, &b.Count, &b.FirstReceipt, &b.LastReceipt, &b.Entered,
			&created, &updated, &b.CreatedBy, &b.UpdatedBy); err != nil {
			return nil, fmt.Errorf("incident %d: batches: %w", id, err)
		}
		b.CreatedAt, b.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
		list = append(list, &b)
	}
	return list, rows.Err()
}

func readLosses(ctx context.Context, q queryer, id int64) ([]*DataLoss, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.system_id, y.name, l.what, l.lost_from, l.lost_to, l.rebuild, l.rebuild_from,
		l.rebuilt_at FROM data_losses l JOIN systems y ON y.id = l.system_id WHERE l.incident_id = $1 ORDER BY l.id`, id)
	if err != nil {
		return nil, fmt.Errorf("incident %d: data losses: %w", id, err)
	}
	defer rows.Close()
	var list []*DataLoss
	for rows.Next() {
		var l DataLoss
		var from, to string
		var rebuilt sql.NullString
		if err := rows.Scan(&l.ID, &l.SystemID, &l.SystemName, &l.What, &from, &to, &l.Rebuild, &l.RebuildFrom, &rebuilt); err != nil {
			return nil, fmt.Errorf("incident %d: data losses: %w", id, err)
		}
		l.From, l.To, l.RebuiltAt = database.ParseTime(from), database.ParseTime(to), database.ParseNullTime(rebuilt)
		list = append(list, &l)
	}
	return list, rows.Err()
}

// Outstanding is how many items taken by hand are still to be entered
// back, over all the incident's batches.
func (inc *Incident) Outstanding() int {
	n := 0
	for _, b := range inc.Batches {
		n += b.Outstanding()
	}
	return n
}
