package incident

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/database"
	"yeonsok/internal/locale"
	"yeonsok/internal/notify"
)

// EventNotify is a timeline entry for one attempt to deliver a
// notification (Text: channel, recipient, outcome and try).
const EventNotify = "notify"

// Notifier tells the people on the call lists what happens to incidents.
// It follows the timeline rather than being called by the store: every
// opening, joining signal, recovery, move and clock stage is an entry of
// the append-only incident_events, so reading the entries after the last
// one seen misses none of them and needs no hook in the code that writes
// them. Each entry becomes one message per contact and channel, handed to
// the Dispatcher; each delivery attempt is written back to the incident's
// timeline as an EventNotify entry.
//
// Where it has read up to is kept in memory only: it starts from the last
// entry there is, so a restart does not send again what was sent before;
// what happens while the tower is down is not told afterwards.
type Notifier struct {
	db         *database.DB
	contacts   *ContactStore
	dispatcher *notify.Dispatcher
	log        *slog.Logger

	// PublicURL is put before the incident's path in messages ("" leaves
	// the path alone).
	PublicURL string
	// Every is how often the timeline is read (2 s when zero).
	Every time.Duration
	// GapWait is how long an id missing between entries already read is
	// waited for (1 min when zero): on PostgreSQL a transaction that took
	// an id may commit after one that took a later id, and its entry must
	// not be skipped; an id whose transaction rolled back never comes.
	GapWait time.Duration

	attempts chan notify.Attempt
	cursor   int64               // every entry up to it is handled
	primed   bool                // cursor was read
	seen     map[int64]bool      // entries above cursor already handled
	gaps     map[int64]time.Time // ids above cursor not seen yet, since when
}

// attemptBuffer bounds the attempts waiting to be written to the timeline;
// OnAttempt never waits for room.
const attemptBuffer = 1024

// NewNotifier returns a notifier that sends through d and records d's
// attempts: it sets d.OnAttempt, so d must not be running yet. Run runs d.
func NewNotifier(db *database.DB, contacts *ContactStore, d *notify.Dispatcher, log *slog.Logger) *Notifier {
	n := &Notifier{db: db, contacts: contacts, dispatcher: d, log: log,
		attempts: make(chan notify.Attempt, attemptBuffer), seen: map[int64]bool{}, gaps: map[int64]time.Time{}}
	d.OnAttempt = n.onAttempt
	return n
}

// onAttempt hands an attempt to the goroutine that writes the timeline; a
// full buffer loses the line (logged), never delays a delivery.
func (n *Notifier) onAttempt(a notify.Attempt) {
	select {
	case n.attempts <- a:
	default:
		n.log.Warn("notify: timeline busy, attempt not recorded", "message", a.MessageID, "recipient", a.Recipient,
			"delivered", a.Delivered, "err", a.Error)
	}
}

// Prime reads where the timeline ends, so that only what is written after
// it is told. Run primes itself; serve calls it first so that what
// Reconcile records at start is told too.
func (n *Notifier) Prime(ctx context.Context) error {
	if err := n.db.Read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM incident_events`).Scan(&n.cursor); err != nil {
		return fmt.Errorf("incident: notifier: end of the timeline: %w", err)
	}
	n.primed = true
	return nil
}

// Run follows the timeline and runs the dispatcher until ctx ends; then it
// waits for the dispatcher to stop and writes the attempts it reported
// before returning, so none is lost to a closed database.
func (n *Notifier) Run(ctx context.Context) error {
	if !n.primed {
		if err := n.Prime(ctx); err != nil {
			return err
		}
	}
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		n.dispatcher.Run(ctx)
	}()
	written := make(chan struct{})
	go func() {
		defer close(written)
		n.writeAttempts()
	}()

	every := n.Every
	if every <= 0 {
		every = 2 * time.Second
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		if err := n.Poll(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("notify: read the timeline", "err", err)
		}
		select {
		case <-ctx.Done():
			<-dispatched
			close(n.attempts)
			<-written
			return nil
		case <-ticker.C:
		}
	}
}

// writeAttempts writes each attempt to its incident's timeline, one at a
// time, until the channel is closed. It uses its own context: the attempts
// a stopping dispatcher reports must still be written.
func (n *Notifier) writeAttempts() {
	for a := range n.attempts {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := n.recordAttempt(ctx, a); err != nil {
			n.log.Error("notify: record an attempt on the timeline", "message", a.MessageID, "err", err)
		}
		cancel()
	}
}

// messageID names one message to one contact by one channel; it starts
// with the incident, which is how an attempt finds its timeline.
func messageID(incidentID, eventID, contactID int64, ch notify.Channel) string {
	return fmt.Sprintf("incident-%d-event-%d-contact-%d-%s", incidentID, eventID, contactID, ch)
}

// incidentOfMessage is the incident a message ID names (0: none).
func incidentOfMessage(id string) int64 {
	rest, ok := strings.CutPrefix(id, "incident-")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, "-")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func (n *Notifier) recordAttempt(ctx context.Context, a notify.Attempt) error {
	id := incidentOfMessage(a.MessageID)
	if id == 0 {
		// A notice of no incident (Tell) has no timeline: the log keeps it.
		n.log.Info("notify: attempt", "message", a.MessageID, "channel", a.Channel, "recipient", a.Recipient,
			"try", a.Number, "delivered", a.Delivered, "final", a.Permanent, "err", a.Error)
		return nil
	}
	return n.db.InTx(ctx, func(tx *sql.Tx) error {
		return appendEvent(ctx, tx, id, a.At, EventNotify, 0, "yeonsok", AttemptText(a))
	})
}

// AttemptText is how the timeline records an attempt:
// "이메일 → 홍길동 <a@b>: 전달됨 (시도 1)".
func AttemptText(a notify.Attempt) string {
	l := locale.Korean
	channel := locale.T(l, "notify.channel."+string(a.Channel))
	switch {
	case a.Delivered:
		return locale.T(l, "notify.attempt.delivered", channel, a.Recipient, a.Number)
	case a.Number == 0:
		return locale.T(l, "notify.attempt.dropped", channel, a.Recipient, a.Error)
	case a.Permanent:
		return locale.T(l, "notify.attempt.gave_up", channel, a.Recipient, a.Number, a.Error)
	}
	return locale.T(l, "notify.attempt.retrying", channel, a.Recipient, a.Number, a.Error)
}

// told are the kinds of entry people are told of. Notes are for the
// people already at work on it, and EventNotify entries would tell of
// telling, without end.
var told = map[string]bool{EventOpened: true, EventSignal: true, EventRestored: true, EventState: true, EventClock: true}

// pollBatch bounds the entries read at once.
const pollBatch = 500

// Poll reads the entries written since the last poll and sends what they
// tell. Run calls it every Every; tests call it directly.
func (n *Notifier) Poll(ctx context.Context) error {
	if !n.primed {
		if err := n.Prime(ctx); err != nil {
			return err
		}
	}
	for {
		rows, err := n.db.Read.QueryContext(ctx, `SELECT id, incident_id, kind FROM incident_events WHERE id > $1 ORDER BY id LIMIT $2`,
			n.cursor, pollBatch)
		if err != nil {
			return fmt.Errorf("incident: notifier: read the timeline: %w", err)
		}
		type entry struct {
			id, incident int64
			kind         string
		}
		var batch []entry
		for rows.Next() {
			var e entry
			if err := rows.Scan(&e.id, &e.incident, &e.kind); err != nil {
				rows.Close()
				return fmt.Errorf("incident: notifier: read the timeline: %w", err)
			}
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("incident: notifier: read the timeline: %w", err)
		}
		fresh := 0
		for _, e := range batch {
			if n.seen[e.id] {
				continue
			}
			fresh++
			if told[e.kind] {
				// One entry that cannot be told (its system deleted
				// meanwhile) must not hold back the others.
				if err := n.tell(ctx, e.incident, e.id); err != nil {
					n.log.Error("notify: tell of a timeline entry", "incident", e.incident, "entry", e.id, "err", err)
				}
			}
			n.seen[e.id] = true
		}
		n.advance(time.Now())
		if len(batch) < pollBatch || fresh == 0 {
			return nil
		}
	}
}

// advance moves the cursor over the entries handled, and over ids missing
// for longer than GapWait.
func (n *Notifier) advance(now time.Time) {
	wait := n.GapWait
	if wait <= 0 {
		wait = time.Minute
	}
	for len(n.seen) > 0 {
		next := n.cursor + 1
		if n.seen[next] {
			delete(n.seen, next)
			delete(n.gaps, next) // came late
			n.cursor = next
			continue
		}
		since, ok := n.gaps[next]
		if !ok {
			n.gaps[next] = now
			return
		}
		if now.Sub(since) < wait {
			return
		}
		delete(n.gaps, next)
		n.cursor = next
	}
}

// tell sends what entry eventID of incident incidentID says to whom it
// concerns.
func (n *Notifier) tell(ctx context.Context, incidentID, eventID int64) error {
	tx, err := n.db.BeginRead(ctx)
	if err != nil {
		return fmt.Errorf("incident %d: notify: %w", incidentID, err)
	}
	inc, err := readIncident(ctx, tx, incidentID)
	if err != nil {
		tx.Rollback()
		return err
	}
	var agency string
	err = tx.QueryRowContext(ctx, `SELECT name FROM agencies WHERE id = $1`, inc.AgencyID).Scan(&agency)
	tx.Rollback()
	if err != nil {
		return fmt.Errorf("incident %d: notify: agency %d: %w", incidentID, inc.AgencyID, err)
	}
	var ev *Event
	for _, e := range inc.Events {
		if e.ID == eventID {
			ev = e
		}
	}
	if ev == nil {
		return fmt.Errorf("incident %d: notify: entry %d not found", incidentID, eventID)
	}
	msg := Compose(inc, agency, ev, n.PublicURL)
	to, err := n.contacts.Recipients(ctx, inc.AgencyID, msg.systems, msg.escalate, msg.ministry)
	if err != nil {
		return err
	}
	for _, c := range to {
		data := msg.Data
		data.Recipient = recipientData{Name: c.Name, Role: c.Role, Phone: c.Phone}
		n.send(notify.Message{Subject: msg.Subject, Body: msg.Body, Data: data}, c,
			func(ch notify.Channel) string { return messageID(inc.ID, ev.ID, c.ID, ch) })
	}
	return nil
}

// Notice is news for a system's call list that is no incident's: a
// backup gone late, a copy that would not survive a fire. ID names it
// across retries (each recipient's message adds the contact and channel).
type Notice struct {
	ID        string
	AgencyID  int64
	SystemIDs []int64
	Subject   string
	Body      string
	Data      any
}

// Tell sends a notice to the call lists of its systems (falling back to
// the agency's), by every channel each contact has; attempts are logged.
func (n *Notifier) Tell(ctx context.Context, notice Notice) error {
	to, err := n.contacts.Recipients(ctx, notice.AgencyID, notice.SystemIDs, false, false)
	if err != nil {
		return err
	}
	for _, c := range to {
		n.send(notify.Message{Subject: notice.Subject, Body: notice.Body, Data: notice.Data}, c,
			func(ch notify.Channel) string { return fmt.Sprintf("%s-contact-%d-%s", notice.ID, c.ID, ch) })
	}
	return nil
}

// send enqueues msg to contact c by each channel it has; id names the
// message of each channel.
func (n *Notifier) send(msg notify.Message, c *Contact, id func(notify.Channel) string) {
	if c.Email != "" {
		m := msg
		m.ID = id(notify.ChannelEmail)
		n.dispatcher.Enqueue(m, notify.Recipient{Name: fmt.Sprintf("%s <%s>", c.Name, c.Email), Email: c.Email})
	}
	if c.WebhookURL != "" {
		m := msg
		m.ID = id(notify.ChannelWebhook)
		// The name only: a webhook URL may carry its token.
		n.dispatcher.Enqueue(m, notify.Recipient{Name: c.Name, URL: c.WebhookURL, Secret: c.WebhookSecret})
	}
}

// Message is what one timeline entry tells, before it is addressed.
type Message struct {
	Subject, Body string
	Data          MessageData

	systems  []int64 // whose call lists hear it
	escalate bool    // the agency heads and the ministry too
	ministry bool    // the ministry too
}

// MessageData is a webhook's "data": the message in machine form, with
// the recipient so that an SMS gateway knows whom to text.
type MessageData struct {
	IncidentID int64     `json:"incident_id"`
	EventID    int64     `json:"event_id"`
	Kind       string    `json:"kind"`
	State      State     `json:"state"`
	Severity   Severity  `json:"severity"`
	AgencyID   int64     `json:"agency_id"`
	AgencyName string    `json:"agency_name"`
	SystemID   int64     `json:"system_id,omitempty"`
	SystemName string    `json:"system_name,omitempty"`
	Grade      int       `json:"grade,omitempty"`
	Stage      string    `json:"stage,omitempty"`
	Escalated  bool      `json:"escalated"`
	At         time.Time `json:"at"`
	Link       string    `json:"link"`

	Recipient recipientData `json:"recipient"`
}

type recipientData struct {
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	Phone string `json:"phone,omitempty"`
}

// Compose writes the message for entry ev of inc (of agency), in Korean,
// and says whom it concerns: the lists of the entry's system (of every
// system for a move), the agency head and the ministry when a clock
// escalates (and on every later move of an escalated incident, so those
// told of the escalation hear how it ends), the ministry when a national
// incident opens.
func Compose(inc *Incident, agency string, ev *Event, publicURL string) Message {
	l := locale.Korean
	link := strings.TrimSuffix(publicURL, "/") + "/incidents/" + strconv.FormatInt(inc.ID, 10)
	var sys *AffectedSystem
	for _, a := range inc.Systems {
		if a.SystemID == ev.SystemID {
			sys = a
		}
	}
	m := Message{Data: MessageData{IncidentID: inc.ID, EventID: ev.ID, Kind: ev.Kind, State: inc.State, Severity: inc.Severity,
		AgencyID: inc.AgencyID, AgencyName: agency, At: ev.At, Link: link}}
	what, text := "", strings.TrimSpace(ev.Text)
	switch ev.Kind {
	case EventOpened:
		what = locale.T(l, "notify.what.opened")
		m.ministry = sys != nil && SeverityOf([]int{sys.Grade}) == SeverityNational
	case EventSignal:
		what = locale.T(l, "notify.what.signal")
	case EventRestored:
		what = locale.T(l, "notify.what.restored")
	case EventState:
		// The text is the new state, then perhaps ": note" or " (override…)".
		state := ev.Text
		if i := strings.IndexFunc(state, func(r rune) bool { return r < 'a' || r > 'z' }); i >= 0 {
			state = state[:i]
		}
		what = locale.T(l, "notify.what.state", locale.T(l, "notify.state."+state))
		text = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(ev.Text, state), ":"))
		for _, a := range inc.Systems {
			m.systems = append(m.systems, a.SystemID)
			if Escalates(a.Grade, a.Warned) {
				m.escalate = true
			}
		}
	case EventClock:
		stage := stageNamed(ev.Text)
		m.Data.Stage = ev.Text
		if stage == StageBreached {
			what = locale.T(l, "notify.what.breached")
		} else {
			what = locale.T(l, "notify.what.clock", int(Thresholds[stage]*100))
		}
		m.escalate = sys != nil && Escalates(sys.Grade, stage)
	}
	m.Data.Escalated = m.escalate
	name := locale.T(l, "notify.incident", inc.ID)
	switch {
	case sys == nil && len(inc.Systems) == 1:
		name = inc.Systems[0].Name
	case sys == nil && len(inc.Systems) > 1:
		name = locale.T(l, "notify.systems_more", inc.Systems[0].Name, len(inc.Systems)-1)
	}
	if sys != nil {
		name = sys.Name
		m.systems = []int64{sys.SystemID}
		m.Data.SystemID, m.Data.SystemName, m.Data.Grade = sys.SystemID, sys.Name, sys.Grade
	}
	m.Subject = locale.T(l, "notify.subject", name, what, agency)

	var b strings.Builder
	line := func(key string, args ...any) { b.WriteString(locale.T(l, key, args...) + "\n") }
	line("notify.body.incident", inc.ID, locale.T(l, "notify.state."+string(inc.State)), locale.T(l, "notify.severity."+string(inc.Severity)))
	line("notify.body.agency", agency)
	if sys != nil {
		if sys.Grade > 0 {
			line("notify.body.system_grade", sys.Name, sys.Grade)
		} else {
			line("notify.body.system", sys.Name)
		}
		if sys.RTO > 0 {
			line("notify.body.clock", locale.Span(l, int64(sys.Clock().Elapsed(ev.At)/time.Minute)), locale.Span(l, int64(sys.RTO/time.Minute)))
		}
	}
	line("notify.body.what", what)
	line("notify.body.at", locale.DateTime(ev.At))
	if text != "" && ev.Kind != EventClock {
		line("notify.body.text", text)
	}
	if m.escalate {
		line("notify.body.escalated")
	}
	line("notify.body.link", link)
	m.Body = b.String()
	return m
}

// stageNamed is the stage Stage.String names.
func stageNamed(name string) Stage {
	for _, s := range []Stage{StageHalf, StageLate, StageBreached} {
		if s.String() == name {
			return s
		}
	}
	return StageRunning
}
