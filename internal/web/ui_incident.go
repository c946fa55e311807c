package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/incident"
	"yeonsok/internal/locale"
)

// The incident pages (issue 6): the list of open and recent incidents with
// a person's report, and one incident's page from which it is run — its
// clocks, manual mode and the offices' batches, the data-loss ledger,
// severity, moves, notes and the review — and printed or downloaded as
// the report.

func incidentHref(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

// closedDays is how far back the list shows closed incidents: a quarter is
// what a review meeting looks back on; older ones are in the audit log and
// each agency's reports.
const closedDays = 90

// maxClosed bounds the closed incidents the list reads, so that a bad
// quarter cannot make the page slow; the caption says when it is cut.
const maxClosed = 200

// Labels of the incident's values in the reader's language.

func (l tr) incidentState(s incident.State) string { return l.t("incidents.state." + string(s)) }
func (l tr) severity(s incident.Severity) string   { return l.t("incidents.severity." + string(s)) }
func (l tr) source(src string) string              { return l.t("incidents.source." + src) }
func (l tr) stage(s incident.Stage) string         { return l.t("incidents.stage." + s.String()) }
func (l tr) rebuild(r string) string               { return l.t("incidents.rebuild." + r) }

// reporting says how the agency's report compares with detection: credited
// (in time), late, unreported (the time passed), or still awaited.
func (l tr) reporting(rep incident.Reporting) (text, class string) {
	switch {
	case rep.Credited:
		return l.t("incidents.reporting.credited", l.duration(rep.Delay)), "reported-credited"
	case rep.Reported:
		return l.t("incidents.reporting.late", l.duration(rep.Delay)), "reported-late"
	case rep.Unreported:
		return l.t("incidents.reporting.unreported"), "reported-none"
	}
	return l.t("incidents.reporting.awaited"), "reported-awaited"
}

// elapsedOf is how long an incident has run: from detection to its
// resolution, or to now while it is not resolved.
func elapsedOf(inc *incident.Incident, now time.Time) time.Duration {
	end := now
	if !inc.ResolvedAt.IsZero() {
		end = inc.ResolvedAt
	}
	return max(end.Sub(inc.DetectedAt), 0)
}

// worstShare is the largest share of its RTO any system's clock has run;
// ok is false when no affected system has a target.
func worstShare(inc *incident.Incident, now time.Time) (worst float64, ok bool) {
	for _, a := range inc.Systems {
		if share, has := a.Clock().Share(now); has {
			worst, ok = max(worst, share), true
		}
	}
	return worst, ok
}

// percentText writes a share (1 = the target) as a whole percentage,
// rounded as the spreadsheet's number is.
func percentText(share float64) string { return strconv.FormatFloat(math.Round(share*100), 'f', 0, 64) }

// severityCell names the severity; a national-level outage stands out.
func (l tr) severityCell(s incident.Severity) cell {
	return cell{Text: l.severity(s), Class: "sev sev-" + string(s)}
}

// incidentsData is the incident list: open ones first, then the closed
// ones of the last quarter, with the report form for writers.
type incidentsData struct {
	Agencies     []filterOption
	Open, Closed *table
	// Systems are what a person may report down, by agency; Values and
	// Errors are the report form as posted when it failed.
	Systems []optionGroup
	Values  url.Values
	Errors  map[string][]string
	Problem string
}

func (d *incidentsData) Tables() []*table { return []*table{d.Open, d.Closed} }

// Val is the report form's value of name as posted, or empty.
func (d *incidentsData) Val(name string) string { return d.Values.Get(name) }

// Err are the report form's problems of field name.
func (d *incidentsData) Err(name string) []string { return d.Errors[name] }

func buildIncidents(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	ctx, scope := r.Context(), s.scope(r)
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	agencyID, _ := strconv.ParseInt(q.Get("agency"), 10, 64)
	now := time.Now()
	open, err := s.incidents.Open(ctx, scope)
	if err != nil {
		return nil, err
	}
	closed, cut, err := s.incidents.Closed(ctx, scope, now.AddDate(0, 0, -closedDays), maxClosed)
	if err != nil {
		return nil, err
	}
	keep := func(list []*incident.Incident) []*incident.Incident {
		return slices.DeleteFunc(list, func(inc *incident.Incident) bool { return agencyID != 0 && inc.AgencyID != agencyID })
	}
	d := &incidentsData{}
	if scope.IsAll() {
		pairs := []string{"", l.t("filter.all")}
		for _, a := range x.inv.Agencies {
			pairs = append(pairs, idValue(a.ID), a.Name)
		}
		d.Agencies = filterOptions(idValue(agencyID), pairs...)
	}
	query := keepQuery(q, "agency")
	d.Open = s.incidentsTable(l, x, keep(open), "open", l.t("incidents.open.caption"), query, now)
	caption := l.t("incidents.closed.caption", closedDays)
	if cut {
		caption = l.t("incidents.closed.caption_cut", closedDays, maxClosed)
	}
	d.Closed = s.incidentsTable(l, x, keep(closed), "closed", caption, query, now)
	for _, a := range x.inv.Agencies {
		if g := l.systemGroup(x, a); len(g.Options) > 0 {
			d.Systems = append(d.Systems, g)
		}
	}
	return d, nil
}

// incidentsTable lists incidents: number, agency, systems, severity, state,
// detection (KST), how long it has run, the worst RTO share and the
// agency's report.
func (s *Server) incidentsTable(l tr, x *index, list []*incident.Incident, id, caption, query string, now time.Time) *table {
	t := &table{ID: id, Caption: caption, Export: exportHref("incidents", id), Query: query,
		Columns: []column{{Label: "#"}, {Label: l.t("home.col.agency")}, {Label: l.t("incidents.col.systems")},
			{Label: l.t("incidents.col.severity")}, {Label: l.t("incidents.col.state")}, {Label: l.t("incidents.col.detected")},
			{Label: l.t("incidents.col.elapsed")}, {Label: l.t("incidents.col.worst_share"), Num: true}, {Label: l.t("incidents.col.reported")}}}
	for _, inc := range list {
		names := make([]string, len(inc.Systems))
		for i, a := range inc.Systems {
			names[i] = a.Name
		}
		share := textCell("—")
		if worst, ok := worstShare(inc, now); ok {
			share = cell{Text: percentText(worst) + "%", Num: true, Value: math.Round(worst * 100)}
			if worst >= 1 {
				share.Class = "sev-national"
			}
		}
		rep, class := l.reporting(incident.ReportingOf(inc.DetectedAt, inc.ReportedAt, now, s.reportWithin))
		t.Rows = append(t.Rows, []cell{headCell(linkCell("#"+strconv.FormatInt(inc.ID, 10), incidentHref(inc.ID))),
			textCell(x.agencyName(inc.AgencyID)), textCell(strings.Join(names, ", ")), l.severityCell(inc.Severity),
			textCell(l.incidentState(inc.State)), nowrap(textCell(locale.DateTime(inc.DetectedAt))),
			nowrap(textCell(l.duration(elapsedOf(inc, now)))), share, {Text: rep, Class: class}})
	}
	return t
}

// incidentData is one incident's page. Besides what it shows, it carries
// the form that failed, if any, with its values as posted and its problems
// by field, so that the page comes back with them next to their fields.
type incidentData struct {
	Inc                                    *incident.Incident
	Agency                                 string
	State, Severity, SeverityClass, Source string
	Times                                  []labelled
	Reporting, ReportingClass              string
	Clocks                                 []clockView
	Services                               []serviceView
	Batches                                []*incident.Batch
	BatchTotal, BatchEntered, Outstanding  int
	// BatchServices are the services run by hand in this incident: those
	// a batch may be recorded for.
	BatchServices []option
	Losses        []lossView
	// Systems are the agency's systems a loss may be of, affected first.
	Systems  []option
	Rebuilds []option
	// LossEdit is the ledger entry the ledger form changes (nil: a new one).
	LossEdit   *incident.DataLoss
	Severities []option
	Moves      []option
	Actions    []*incident.Action
	Timeline   *table
	// Open: the incident takes signals and manual mode; Closed: reviewed,
	// nothing changes any more; Reviewable: resolved, the review is due.
	Open, Closed, Reviewable bool
	// Admin may close it with items outstanding (an override reason).
	Admin      bool
	ActionRows []actionRow
	// Problems are why the form that failed was refused, shown at the top.
	Problems []string
	Notice   string

	form   string
	values url.Values
	errs   map[string][]string
}

type labelled struct{ Label, Value string }

// actionRow is a row of the review form's actions: I its index among the
// posted rows, N its number as people count.
type actionRow struct{ I, N int }

// clockView is one affected system's RTO clock as the page draws it.
type clockView struct {
	SystemID                                     int64
	Name, Grade, Down, Restored, Elapsed, Target string
	Share, Stage, StageClass, Met, MetClass      string
	Bar                                          template.HTML
}

// serviceView is an affected service with its manual mode. Linked: the
// caller may open the service's page (another agency's public service is
// listed, but its page is that agency's).
type serviceView struct {
	ID                               int64
	Name, Workaround, Notice         string
	Direct, Manual, ManualOn, Linked bool
	Since, Until                     string
}

// lossView is one entry of the data-loss ledger as the page shows it.
type lossView struct {
	*incident.DataLoss
	From, To, Rebuild, RebuiltAt, EditHref string
}

func (d *incidentData) RecordName() string { return "#" + strconv.FormatInt(d.Inc.ID, 10) }
func (d *incidentData) Tables() []*table   { return []*table{d.Timeline} }

// Val is field name of form: as posted when that form failed, otherwise
// def (what the incident holds, or the form's default).
func (d *incidentData) Val(form, name, def string) string {
	if d.form == form {
		return d.values.Get(name)
	}
	return def
}

// Vals are the values of a repeated field (the review's action rows) as
// posted, padded to the rows shown.
func (d *incidentData) Vals(form, name string, i int) string {
	if d.form != form || i >= len(d.values[name]) {
		return ""
	}
	return d.values[name][i]
}

// Err are the problems of field name of form, after it failed.
func (d *incidentData) Err(form, name string) []string {
	if d.form != form {
		return nil
	}
	return d.errs[name]
}

// LossDefault is field name of the ledger form as the entry being
// changed holds it; empty for a new entry (rebuild: unknown).
func (d *incidentData) LossDefault(name string) string {
	l := d.LossEdit
	if l == nil {
		if name == "rebuild" {
			return "unknown"
		}
		return ""
	}
	switch name {
	case "system_id":
		return idValue(l.SystemID)
	case "what":
		return l.What
	case "from":
		return dateTimeValue(l.From)
	case "to":
		return dateTimeValue(l.To)
	case "rebuild":
		return l.Rebuild
	case "rebuild_from":
		return l.RebuildFrom
	case "rebuilt_at":
		return dateTimeValue(l.RebuiltAt)
	}
	return ""
}

// Due writes an action's due date the ministry's way.
func (d *incidentData) Due(due string) string { return actionDue(due) }

// Failed reports whether form is the one that failed.
func (d *incidentData) Failed(form string) bool { return d.form == form }

// incidentDone are the changes the page confirms after its redirect
// (?done=…); anything else in the query is ignored.
var incidentDone = []string{"reported", "manual_on", "manual_off", "batch", "upload", "entered", "loss", "severity", "moved", "note", "reviewed"}

func buildIncident(s *Server, r *http.Request, q url.Values) (tabled, error) {
	id, err := idParam(q, "incident")
	if err != nil {
		return nil, err
	}
	inc, err := s.incidents.Incident(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	d, err := s.newIncidentData(r, inc, time.Now())
	if err != nil {
		return nil, err
	}
	if done := q.Get("done"); slices.Contains(incidentDone, done) {
		d.Notice = tr(lang(r)).t("incidents.done." + done)
	}
	if lossID, err := strconv.ParseInt(q.Get("loss"), 10, 64); err == nil {
		for _, l := range inc.Losses {
			if l.ID == lossID {
				d.LossEdit = l
			}
		}
	}
	return d, nil
}

// newIncidentData builds the page of inc as it stands at now.
func (s *Server) newIncidentData(r *http.Request, inc *incident.Incident, now time.Time) (*incidentData, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	d := &incidentData{Inc: inc, Agency: x.agencyName(inc.AgencyID), State: l.incidentState(inc.State), Severity: l.severity(inc.Severity),
		SeverityClass: "sev sev-" + string(inc.Severity), Source: l.source(inc.Source),
		Open: inc.State.Open(), Closed: inc.State == incident.Reviewed, Reviewable: inc.State == incident.Resolved,
		Admin: principalFrom(r).CanOverrideBacklog(inc.AgencyID), ActionRows: []actionRow{{0, 1}, {1, 2}, {2, 3}}, Actions: inc.Actions}
	for _, t := range []struct {
		key string
		at  time.Time
	}{{"detected", inc.DetectedAt}, {"reported", inc.ReportedAt}, {"declared", inc.DeclaredAt}, {"mitigated", inc.MitigatedAt},
		{"resolved", inc.ResolvedAt}, {"reviewed", inc.ReviewedAt}} {
		value := locale.DateTime(t.at)
		if value == "" {
			value = l.t("incidents.time.none")
		}
		d.Times = append(d.Times, labelled{Label: l.t("incidents.time." + t.key), Value: value})
	}
	d.Reporting, d.ReportingClass = l.reporting(incident.ReportingOf(inc.DetectedAt, inc.ReportedAt, now, s.reportWithin))

	for _, a := range inc.Systems {
		d.Clocks = append(d.Clocks, l.clockView(a, now))
	}
	for _, svc := range inc.Services {
		v := serviceView{ID: svc.ServiceID, Name: svc.Name, Workaround: svc.Workaround, Direct: svc.Direct,
			Manual: svc.Manual != nil, ManualOn: svc.Manual.On(), Linked: s.scope(r).Allows(svc.AgencyID)}
		if svc.Manual != nil {
			v.Notice, v.Since, v.Until = svc.Manual.Notice, locale.DateTime(svc.Manual.StartedAt), locale.DateTime(svc.Manual.EndedAt)
			d.BatchServices = append(d.BatchServices, option{Value: idValue(svc.ServiceID), Label: svc.Name})
		}
		d.Services = append(d.Services, v)
	}
	d.Batches = inc.Batches
	for _, b := range inc.Batches {
		d.BatchTotal += b.Count
		d.BatchEntered += b.Entered
	}
	d.Outstanding = inc.Outstanding()
	for _, loss := range inc.Losses {
		d.Losses = append(d.Losses, lossView{DataLoss: loss, From: locale.DateTime(loss.From), To: locale.DateTime(loss.To),
			Rebuild: l.rebuild(loss.Rebuild), RebuiltAt: locale.DateTime(loss.RebuiltAt),
			EditHref: incidentHref(inc.ID) + "?loss=" + strconv.FormatInt(loss.ID, 10) + "#loss-form"})
	}
	affected := map[int64]bool{}
	for _, a := range inc.Systems {
		affected[a.SystemID] = true
		d.Systems = append(d.Systems, option{Value: idValue(a.SystemID), Label: a.Name})
	}
	for _, sys := range x.inv.Systems {
		if sys.AgencyID == inc.AgencyID && !affected[sys.ID] {
			d.Systems = append(d.Systems, option{Value: idValue(sys.ID), Label: sys.Name})
		}
	}
	for _, rb := range incident.Rebuilds {
		d.Rebuilds = append(d.Rebuilds, option{Value: rb, Label: l.rebuild(rb)})
	}
	for _, sev := range incident.Severities {
		d.Severities = append(d.Severities, option{Value: string(sev), Label: l.severity(sev)})
	}
	// The review is its own form (summary, cause, actions): no button
	// moves an incident to reviewed without one.
	for _, to := range incident.States {
		if to != incident.Reviewed && incident.CanMove(inc.State, to) {
			d.Moves = append(d.Moves, option{Value: string(to), Label: l.t("incidents.move." + string(to))})
		}
	}
	d.Timeline = l.timelineTable(inc, x)
	return d, nil
}

// clockView is a system's clock at now: elapsed against its target, the
// stage it has reached and, once restored, whether the target was met.
func (l tr) clockView(a *incident.AffectedSystem, now time.Time) clockView {
	c := a.Clock()
	v := clockView{SystemID: a.SystemID, Name: a.Name, Grade: l.grade(a.Grade), Down: locale.DateTime(a.DownAt),
		Restored: locale.DateTime(a.RestoredAt), Elapsed: l.duration(c.Elapsed(now)), Target: l.t("value.not_set"),
		Share: "—", Stage: l.t("incidents.stage.no_target"), StageClass: "stage-none"}
	share, ok := c.Share(now)
	if ok {
		stage := c.Stage(now)
		v.Target, v.Share = l.duration(c.Target), percentText(share)+"%"
		v.Stage, v.StageClass = l.stage(stage), "stage-"+stage.String()
	}
	v.Bar = rtoBar(l, share, ok, v.Elapsed, v.Target)
	if met, ok := c.Met(); ok {
		v.Met, v.MetClass = l.t("incidents.met.yes"), "met"
		if !met {
			v.Met, v.MetClass = l.t("incidents.met.no"), "missed"
		}
	} else if a.RestoredAt.IsZero() {
		v.Met = l.t("incidents.met.running")
	} else {
		v.Met = l.t("incidents.met.no_target")
	}
	return v
}

// Bar geometry: the bar runs to rtoBarSpan of the target, so a clock past its
// target still shows how far past; marks stand at 50, 80 and 100 %.
const (
	rtoBarWidth  = 300
	rtoBarHeight = 18
	rtoBarSpan   = 1.5
)

// rtoBar draws a clock's elapsed share of its target as SVG (drawn by the
// server and coloured by attributes: the pages' CSP refuses inline styles,
// and attributes print). Without a target there is nothing to draw.
func rtoBar(l tr, share float64, ok bool, elapsed, target string) template.HTML {
	if !ok {
		return ""
	}
	x := func(s float64) int { return int(min(s, rtoBarSpan) / rtoBarSpan * rtoBarWidth) }
	colour := "#2e7d32"
	switch {
	case share >= 1:
		colour = "#b3261e"
	case share >= 0.8:
		colour = "#c25e00"
	case share >= 0.5:
		colour = "#a07800"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<rect x="0" y="3" width="%d" height="%d" fill="#eceff1" stroke="#90a4ae"/>`, rtoBarWidth, rtoBarHeight-6)
	fmt.Fprintf(&b, `<rect x="0" y="3" width="%d" height="%d" fill="%s"/>`, x(share), rtoBarHeight-6, colour)
	for _, mark := range []float64{0.5, 0.8, 1} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="0" y2="%d" stroke="#263238" stroke-width="2"/>`, x(mark), x(mark), rtoBarHeight)
	}
	label := l.t("incidents.clock.bar", elapsed, target, percentText(share))
	return template.HTML(fmt.Sprintf(`<svg class="rto-bar" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">%s</svg>`,
		template.HTMLEscapeString(label), rtoBarWidth, rtoBarHeight, rtoBarWidth, rtoBarHeight, b.String()))
}

// timelineTable is every entry of the timeline: time (KST), kind, author
// and text, oldest first as it happened.
func (l tr) timelineTable(inc *incident.Incident, x *index) *table {
	t := &table{ID: "timeline", Caption: l.t("incidents.timeline.caption"),
		Columns: []column{{Label: l.t("incidents.col.at")}, {Label: l.t("incidents.col.kind")}, {Label: l.t("incidents.col.author")},
			{Label: l.t("incidents.col.text")}}}
	for _, e := range inc.Events {
		text := l.eventText(e)
		if e.SystemID != 0 {
			text = strings.TrimSuffix(x.systemName(e.SystemID)+" — "+text, " — ")
		}
		// A kind added to the store later than this page reads as itself
		// rather than as a catalogue key.
		kind := e.Kind
		if locale.Has("incidents.event." + e.Kind) {
			kind = l.t("incidents.event." + e.Kind)
		}
		t.Rows = append(t.Rows, []cell{nowrap(textCell(locale.DateTime(e.At))), nowrap(textCell(kind)),
			textCell(e.Author), textCell(text)})
	}
	return t
}

// eventText is an entry's text with the words the store writes in English
// (a state, a clock's stage, manual on/off, a severity, a ledger's verb and
// answer) in the reader's language; what people wrote stays as written.
func (l tr) eventText(e *incident.Event) string {
	head, rest, _ := strings.Cut(e.Text, ":")
	switch e.Kind {
	case incident.EventState:
		// "resolved", "declared: note", "reviewed (override, 2 outstanding: reason)"
		word, after, _ := strings.Cut(e.Text, " ")
		if state := incident.State(head); slices.Contains(incident.States, state) {
			return strings.TrimSpace(l.incidentState(state) + ":" + rest)
		}
		if state := incident.State(word); slices.Contains(incident.States, state) {
			return l.incidentState(state) + " " + after
		}
	case incident.EventClock:
		for _, st := range []incident.Stage{incident.StageHalf, incident.StageLate, incident.StageBreached} {
			if e.Text == st.String() {
				return l.stage(st)
			}
		}
	case incident.EventManual:
		if head == "on" || head == "off" {
			return l.t("incidents.manual."+head) + ":" + rest
		}
	case incident.EventSeverity:
		// "national → minor: reason"
		from, to, ok := strings.Cut(head, " → ")
		if ok {
			return l.severity(incident.Severity(from)) + " → " + l.severity(incident.Severity(to)) + ":" + rest
		}
	case incident.EventLoss:
		// "recorded 노동보험시스템: 접수 자료 (partial)"
		verb, what, ok := strings.Cut(e.Text, " ")
		if ok && (verb == "recorded" || verb == "updated") {
			for _, rb := range incident.Rebuilds {
				if strings.HasSuffix(what, " ("+rb+")") {
					what = strings.TrimSuffix(what, " ("+rb+")") + " (" + l.rebuild(rb) + ")"
				}
			}
			return l.t("incidents.loss."+verb) + " " + what
		}
	}
	return e.Text
}

// incidentOfPath reads the incident a form's path names: another
// agency's is not found, before anything of the request is read.
func (s *Server) incidentOfPath(r *http.Request) (*incident.Incident, error) {
	id, err := pathID(r, "incident")
	if err != nil {
		return nil, err
	}
	return s.incidents.Incident(r.Context(), s.scope(r), id)
}

// showIncidentWithProblems shows the incident's page again after form
// failed: the problem at the top, the form with its values as posted and
// each problem next to its field.
func (s *Server) showIncidentWithProblems(w http.ResponseWriter, r *http.Request, inc *incident.Incident, form string, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	// Read again: the incident may have moved meanwhile (the store refused
	// because of it), and the page must show it as it is now.
	if fresh, err := s.incidents.Incident(r.Context(), s.scope(r), inc.ID); err == nil {
		inc = fresh
	}
	d, err := s.newIncidentData(r, inc, time.Now())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.form, d.values, d.errs = form, values, map[string][]string{}
	for _, p := range problems {
		msg := p.Message(l.lang())
		d.errs[p.Field] = append(d.errs[p.Field], msg)
		d.Problems = append(d.Problems, msg)
	}
	if lossID, err := strconv.ParseInt(r.PathValue("loss_id"), 10, 64); err == nil {
		for _, loss := range inc.Losses {
			if loss.ID == lossID {
				d.LossEdit = loss
			}
		}
	}
	shown := r.Clone(r.Context())
	shown.URL.Path, shown.URL.RawQuery = incidentHref(inc.ID), ""
	status := http.StatusBadRequest
	if len(problems) > 0 {
		status = statusOf(problems[0].Code)
	}
	s.render(w, shown, status, "incident", "incidents.detail_title", d)
}

// agencyUnreported lists the agency's incidents that probes or alerts saw
// and nobody of the agency reported in time — not at all, or late (the
// store's Unreported counts both: a late report hides the first minutes
// as surely as none).
func (s *Server) agencyUnreported(r *http.Request, agencyID int64) (*table, error) {
	l := tr(lang(r))
	now := time.Now()
	list, err := s.incidents.Unreported(r.Context(), access.Agency(agencyID), s.reportWithin, now)
	if err != nil {
		return nil, err
	}
	t := &table{ID: "unreported", Caption: l.t("incidents.unreported.caption"), Export: exportHref("agency", "unreported"),
		Query: url.Values{"id": {strconv.FormatInt(agencyID, 10)}}.Encode(),
		Columns: []column{{Label: "#"}, {Label: l.t("incidents.col.systems")}, {Label: l.t("incidents.col.source")},
			{Label: l.t("incidents.col.detected")}, {Label: l.t("incidents.col.state")}, {Label: l.t("incidents.col.reported")}}}
	for _, inc := range list {
		names := make([]string, len(inc.Systems))
		for i, a := range inc.Systems {
			names[i] = a.Name
		}
		rep, class := l.reporting(incident.ReportingOf(inc.DetectedAt, inc.ReportedAt, now, s.reportWithin))
		t.Rows = append(t.Rows, []cell{headCell(linkCell("#"+strconv.FormatInt(inc.ID, 10), incidentHref(inc.ID))),
			textCell(strings.Join(names, ", ")), textCell(l.source(inc.Source)), nowrap(textCell(locale.DateTime(inc.DetectedAt))),
			textCell(l.incidentState(inc.State)), {Text: rep, Class: class}})
	}
	return t, nil
}
