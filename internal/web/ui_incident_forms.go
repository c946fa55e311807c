package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/incident"
	"yeonsok/internal/transfer"
)

// The incident pages' forms. Each posts, is checked by the store, and
// redirects back to the page (303) with what was done; when refused, the
// page is shown again with the form as posted and every problem next to
// its field. The incident is read in the caller's scope before anything
// of the request: another agency's is not found.

// reportIncident takes a person's report that a system of their scope is
// down: it opens an incident or joins the open one, and counts as the
// agency's report.
func (s *Server) reportIncident(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := &formReader{v: values}
	systemID, reason := f.id("system_id"), f.long("reason")
	problems := f.problems
	if systemID == 0 && len(problems) == 0 {
		problems = append(problems, apperror.New(apperror.Invalid, "system_id", "invalid.required"))
	}
	if reason == "" {
		problems = append(problems, apperror.New(apperror.Invalid, "reason", "invalid.required"))
	}
	if systemID != 0 {
		// The store takes signals from anywhere; a person reports only a
		// system of their own scope, as the API's report does.
		if _, err := s.store.System(r.Context(), s.scope(r), systemID); apperror.CodeOf(err) == apperror.NotFound {
			problems = append(problems, apperror.New(apperror.Invalid, "system_id", "incidents.invalid.system"))
		} else if err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if len(problems) == 0 {
		inc, _, err := s.incidents.Detect(r.Context(), incident.Signal{SystemID: systemID, Source: incident.SourceReport, Reason: reason})
		if err == nil {
			http.Redirect(w, r, incidentHref(inc.ID)+"?done=reported", http.StatusSeeOther)
			return
		}
		// A record gone (or never in scope) is the error page, not a
		// problem of the form.
		e, ok := apperror.As(err)
		if !ok || e.Code == apperror.Internal || e.Code == apperror.NotFound {
			s.renderError(w, r, err)
			return
		}
		problems = append(problems, e)
	}
	data, err := buildIncidents(s, r, url.Values{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	l := tr(lang(r))
	d := data.(*incidentsData)
	d.Values, d.Errors = values, map[string][]string{}
	for _, p := range problems {
		d.Errors[p.Field] = append(d.Errors[p.Field], p.Message(l.lang()))
	}
	d.Problem = l.t("form.problems", len(problems))
	shown := r.Clone(r.Context())
	shown.URL.RawQuery = ""
	s.render(w, shown, statusOf(problems[0].Code), "incidents", "incidents.title", d)
}

// incidentPost reads the incident of the path in scope, then the posted
// form; ok is false when the answer has been given (not found, a form
// that cannot be read).
func (s *Server) incidentPost(w http.ResponseWriter, r *http.Request) (*incident.Incident, url.Values, bool) {
	inc, err := s.incidentOfPath(r)
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	return inc, values, true
}

// backToIncident redirects to the incident's page, which confirms what was done and
// scrolls to where it shows.
func backToIncident(w http.ResponseWriter, r *http.Request, inc *incident.Incident, what, anchor string) {
	http.Redirect(w, r, incidentHref(inc.ID)+"?done="+what+"#"+anchor, http.StatusSeeOther)
}

// refuse shows the page again with the problems of form: those the form
// could not read, or the store's refusal.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, inc *incident.Incident, form string, values url.Values, problems []*apperror.Error, err error) {
	if err != nil {
		// A record gone (or never in scope) is the error page, not a
		// problem of the form.
		e, ok := apperror.As(err)
		if !ok || e.Code == apperror.Internal || e.Code == apperror.NotFound {
			s.renderError(w, r, err)
			return
		}
		problems = append(problems, e)
	}
	s.showIncidentWithProblems(w, r, inc, form, values, problems)
}

// switchManual switches a service into manual mode, with the notice
// citizens read (the documented workaround unless edited), or back.
func (s *Server) switchManual(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	serviceID, on := f.id("service_id"), v.Get("on") == "1"
	form := "manual-" + idValue(serviceID)
	if len(f.problems) > 0 {
		s.refuse(w, r, inc, form, v, f.problems, nil)
		return
	}
	if _, err := s.incidents.SwitchManual(r.Context(), s.scope(r), inc.ID, serviceID, on, f.long("notice")); err != nil {
		s.refuse(w, r, inc, form, v, nil, err)
		return
	}
	what := "manual_off"
	if on {
		what = "manual_on"
	}
	backToIncident(w, r, inc, what, "services")
}

// addBatch records one office's batch taken by hand.
func (s *Server) addBatch(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	b := incident.Batch{ServiceID: f.id("service_id"), ManualBatch: incident.ManualBatch{Office: f.text("office"),
		FirstReceipt: f.text("first_receipt"), LastReceipt: f.text("last_receipt")}}
	if n := f.int("count"); n != nil {
		b.Count = int(min(max(*n, -1), incident.MaxBatchCount+1))
	}
	if b.ServiceID == 0 && len(f.problems) == 0 {
		f.fail("service_id", "invalid.required")
	}
	if len(f.problems) > 0 {
		s.refuse(w, r, inc, "batch", v, f.problems, nil)
		return
	}
	if _, err := s.incidents.AddBatches(r.Context(), s.scope(r), inc.ID, []incident.Batch{b}); err != nil {
		s.refuse(w, r, inc, "batch", v, nil, err)
		return
	}
	backToIncident(w, r, inc, "batch", "batches")
}

// uploadBatches records the batches of a CSV or XLSX file, all or none,
// read by incident.ParseBatches as the API reads them: a file with
// problems is refused whole, each problem by row and column.
func (s *Server) uploadBatches(w http.ResponseWriter, r *http.Request) {
	inc, err := s.incidentOfPath(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	files, err := readImportFiles(r)
	if err == nil && len(files) != 1 {
		err = apperror.New(apperror.Invalid, "file", "incident.invalid.one_file")
	}
	var batches []incident.Batch
	if err == nil {
		batches, err = incident.ParseBatches(files[0].Name, files[0].Data, inc)
	}
	var rejected *transfer.ProblemsError
	if errors.As(err, &rejected) {
		var problems []*apperror.Error
		for _, p := range rejected.Problems {
			problems = append(problems, apperror.New(apperror.Invalid, "file", "incidents.upload.problem", p.Describe(lang(r))))
		}
		s.showIncidentWithProblems(w, r, inc, "upload", url.Values{}, problems)
		return
	}
	if err == nil {
		_, err = s.incidents.AddBatches(r.Context(), s.scope(r), inc.ID, batches)
	}
	if err != nil {
		s.refuse(w, r, inc, "upload", url.Values{}, nil, err)
		return
	}
	backToIncident(w, r, inc, "upload", "batches")
}

// recordEntered records how many of a batch have been entered back.
func (s *Server) recordEntered(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	batchID, err := strconv.ParseInt(r.PathValue("batch_id"), 10, 64)
	if err != nil {
		s.renderError(w, r, apperror.New(apperror.NotFound, "", "not_found.batch"))
		return
	}
	form := "entered-" + idValue(batchID)
	f := &formReader{v: v}
	entered := f.int("entered")
	if entered == nil && len(f.problems) == 0 {
		f.fail("entered", "invalid.required")
	}
	if len(f.problems) > 0 {
		s.refuse(w, r, inc, form, v, f.problems, nil)
		return
	}
	n := int(min(max(*entered, -1), incident.MaxBatchCount+1))
	if _, err := s.incidents.RecordEntered(r.Context(), s.scope(r), inc.ID, batchID, n); err != nil {
		s.refuse(w, r, inc, form, v, nil, err)
		return
	}
	backToIncident(w, r, inc, "entered", "batches")
}

// recordLoss adds an entry to the data-loss ledger, or changes the one of
// the path's {loss_id} (most often to say it was rebuilt). Times are read
// in KST, as people enter them.
func (s *Server) recordLoss(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	loss := &incident.DataLoss{SystemID: f.id("system_id"), What: f.long("what"), Rebuild: f.text("rebuild"),
		RebuildFrom: f.text("rebuild_from")}
	loss.From, loss.To, loss.RebuiltAt = readDateTime(f, "from"), readDateTime(f, "to"), readDateTime(f, "rebuilt_at")
	if id := r.PathValue("loss_id"); id != "" {
		var err error
		if loss.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
			s.renderError(w, r, apperror.New(apperror.NotFound, "", "not_found.data_loss"))
			return
		}
	}
	if len(f.problems) > 0 {
		s.refuse(w, r, inc, "loss", v, f.problems, nil)
		return
	}
	if _, err := s.incidents.RecordLoss(r.Context(), s.scope(r), inc.ID, loss); err != nil {
		s.refuse(w, r, inc, "loss", v, nil, err)
		return
	}
	backToIncident(w, r, inc, "loss", "losses")
}

// setSeverity sets the severity by a person's decision, with the reason.
func (s *Server) setSeverity(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	if _, err := s.incidents.SetSeverity(r.Context(), s.scope(r), inc.ID, incident.Severity(f.text("severity")), f.long("reason")); err != nil {
		s.refuse(w, r, inc, "severity", v, nil, err)
		return
	}
	backToIncident(w, r, inc, "severity", "summary")
}

// moveIncident moves the incident to the state of the button pressed,
// with the note for the timeline.
func (s *Server) moveIncident(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	to := incident.State(f.text("state"))
	if to == incident.Reviewed {
		// Closing takes the review's summary, cause and actions.
		s.refuse(w, r, inc, "move", v, []*apperror.Error{apperror.New(apperror.Invalid, "state", "incidents.invalid.review_by_form")}, nil)
		return
	}
	if _, err := s.incidents.Move(r.Context(), s.scope(r), inc.ID, to, f.long("note"), ""); err != nil {
		s.refuse(w, r, inc, "move", v, nil, err)
		return
	}
	backToIncident(w, r, inc, "moved", "summary")
}

// noteIncident adds a person's entry to the timeline.
func (s *Server) noteIncident(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	if err := s.incidents.Note(r.Context(), s.scope(r), inc.ID, f.long("text")); err != nil {
		s.refuse(w, r, inc, "note", v, nil, err)
		return
	}
	backToIncident(w, r, inc, "note", "timeline")
}

// reviewIncident closes a resolved incident with its review: summary,
// cause and corrective actions (each a task of the agency). Only an admin
// of the agency or the ministry may close it with items taken by hand
// still outstanding, giving the reason; anyone else is refused (403).
func (s *Server) reviewIncident(w http.ResponseWriter, r *http.Request) {
	inc, v, ok := s.incidentPost(w, r)
	if !ok {
		return
	}
	f := &formReader{v: v}
	review := incident.Review{Summary: f.long("summary"), Cause: f.long("cause"), OverrideReason: f.long("override_reason")}
	titles, owners, dues := v["action_title"], v["action_owner"], v["action_due"]
	// rows[i] is the form's row of the i-th action: the form offers a few
	// rows, and the empty ones are not actions.
	var rows []int
	for i := range titles {
		a := incident.PlannedAction{Title: strings.TrimSpace(titles[i])}
		if i < len(owners) {
			a.Owner = strings.TrimSpace(owners[i])
		}
		if i < len(dues) {
			a.Due = strings.TrimSpace(dues[i])
		}
		if a.Title == "" && a.Owner == "" && a.Due == "" {
			continue
		}
		review.Actions = append(review.Actions, a)
		rows = append(rows, i)
	}
	if review.OverrideReason != "" && !principalFrom(r).CanOverrideBacklog(inc.AgencyID) {
		s.refuse(w, r, inc, "review", v, []*apperror.Error{apperror.New(apperror.Forbidden, "override_reason", "incident.forbidden.override")}, nil)
		return
	}
	if _, err := s.incidents.WriteReview(r.Context(), s.scope(r), inc.ID, review); err != nil {
		s.refuse(w, r, inc, "review", v, nil, actionField(err, rows))
		return
	}
	backToIncident(w, r, inc, "reviewed", "review")
}

// actionField names the form's field of an action's problem: the store
// counts the actions it was given ("actions[1].due"), the form its rows
// ("action_due.2"), of which the empty ones were left out.
func actionField(err error, rows []int) error {
	var e *apperror.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Field, "actions[") {
		return err
	}
	index, field, ok := strings.Cut(strings.TrimPrefix(e.Field, "actions["), "].")
	n, convErr := strconv.Atoi(index)
	if !ok || convErr != nil || n < 0 || n >= len(rows) {
		return err
	}
	copied := *e
	copied.Field = "action_" + field + "." + strconv.Itoa(rows[n])
	return &copied
}

// incidentReportName is the report's file name: ASCII, with the number
// and the day it was made (KST).
func incidentReportName(id int64, now time.Time) string {
	return "yeonsok-incident-" + strconv.FormatInt(id, 10) + "-" + now.Format("20060102") + ".xlsx"
}
