package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
	"yeonsok/internal/risk"
	"yeonsok/internal/tasks"
)

func taskHref(id int64) string { return "/tasks/" + strconv.FormatInt(id, 10) }

func planHref(agencyID int64) string { return agencyHref(agencyID) + "/plan" }

func (l tr) term(term string) string     { return l.t("tasks.term." + term) }
func (l tr) status(status string) string { return l.t("tasks.status." + status) }

// tasksTable lists tasks: agency (unless the page is the agency's), title
// with its markers (overdue, from a proposal), term, status, owner, due
// date, check criterion and the systems it names.
func tasksTable(l tr, x *index, list []*tasks.Task, id, caption, export, query string, showAgency bool) *table {
	t := &table{ID: id, Caption: caption, Export: export, Query: query}
	if showAgency {
		t.Columns = append(t.Columns, column{Label: l.t("home.col.agency")})
	}
	t.Columns = append(t.Columns, column{Label: l.t("task.title_field")}, column{Label: l.t("task.term")}, column{Label: l.t("task.status")},
		column{Label: l.t("task.owner")}, column{Label: l.t("task.due")}, column{Label: l.t("task.criterion")}, column{Label: l.t("task.systems")})
	today := tasks.Today(time.Now())
	for _, task := range list {
		var row []cell
		if showAgency {
			row = append(row, linkCell(x.agencyName(task.AgencyID), planHref(task.AgencyID)))
		}
		var tags []tag
		if task.Overdue(today) {
			tags = append(tags, tag{Label: l.t("task.tag.overdue"), Class: "risk"})
		}
		if task.ProposalKey != "" {
			tags = append(tags, tag{Label: l.t("task.tag.proposed"), Class: "proposed"})
		}
		names := make([]string, len(task.SystemIDs))
		for i, sid := range task.SystemIDs {
			names[i] = x.systemName(sid)
		}
		row = append(row, headCell(linkCell(task.Title, taskHref(task.ID), tags...)), textCell(l.term(task.Term)),
			textCell(l.status(task.Status)), textCell(task.Owner), textCell(locale.Date(task.DueDate())),
			textCell(task.Criterion), textCell(strings.Join(names, ", ")))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// templatesTable is the catalogue of task templates, each a link that
// starts a task from it (for agencyID, when the page is an agency's).
func templatesTable(l tr, agencyID int64, export, query string) *table {
	t := &table{ID: "templates", Caption: l.t("tasks.templates.caption"), Export: export, Query: query,
		Columns: []column{{Label: l.t("task.template")}, {Label: l.t("task.term")}, {Label: l.t("task.description")}, {Label: l.t("task.criterion")}}}
	for _, tpl := range tasks.Templates {
		q := url.Values{"template": {tpl.Key}}
		if agencyID != 0 {
			q.Set("agency", idValue(agencyID))
		}
		t.Rows = append(t.Rows, []cell{headCell(linkCell(l.t(tpl.TitleKey()), "/tasks/new?"+q.Encode())), textCell(l.term(tpl.Term)),
			textCell(l.t(tpl.DescriptionKey())), textCell(l.t(tpl.CriterionKey()))})
	}
	return t
}

// tasksData is the task list with its filters, each agency's plan with
// its tasks counted by status, and the catalogue of templates.
type tasksData struct {
	Agencies, Terms, Statuses []filterOption
	Plans, List, Templates    *table
}

func (d *tasksData) Tables() []*table { return []*table{d.Plans, d.List, d.Templates} }

func buildTasks(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	ctx, scope := r.Context(), s.scope(r)
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	var f tasks.Filter
	f.AgencyID, _ = strconv.ParseInt(q.Get("agency"), 10, 64)
	if slices.Contains(tasks.Terms, q.Get("term")) {
		f.Term = q.Get("term")
	}
	if slices.Contains(tasks.Statuses, q.Get("status")) {
		f.Status = q.Get("status")
	}
	all, err := s.tasks.Tasks(ctx, scope, tasks.Filter{})
	if err != nil {
		return nil, err
	}
	d := &tasksData{}
	pairs := []string{"", l.t("filter.all")}
	for _, a := range x.inv.Agencies {
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(idValue(f.AgencyID), pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, term := range tasks.Terms {
		pairs = append(pairs, term, l.term(term))
	}
	d.Terms = filterOptions(f.Term, pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, st := range tasks.Statuses {
		pairs = append(pairs, st, l.status(st))
	}
	d.Statuses = filterOptions(f.Status, pairs...)

	d.Plans = &table{ID: "plans", Caption: l.t("tasks.plans.caption"), Export: exportHref("tasks", "plans"),
		Columns: []column{{Label: l.t("home.col.agency")}}}
	for _, st := range tasks.Statuses {
		d.Plans.Columns = append(d.Plans.Columns, column{Label: l.status(st), Num: true})
	}
	d.Plans.Columns = append(d.Plans.Columns, column{Label: l.t("task.tag.overdue"), Num: true})
	today := tasks.Today(time.Now())
	var list []*tasks.Task
	for _, a := range x.inv.Agencies {
		counts := map[string]int{}
		overdue := 0
		for _, task := range all {
			if task.AgencyID != a.ID {
				continue
			}
			counts[task.Status]++
			if task.Overdue(today) {
				overdue++
			}
		}
		row := []cell{headCell(linkCell(a.Name, planHref(a.ID)))}
		for _, st := range tasks.Statuses {
			row = append(row, intCell(counts[st]))
		}
		d.Plans.Rows = append(d.Plans.Rows, append(row, intCell(overdue)))
	}
	for _, task := range all {
		if (f.AgencyID == 0 || task.AgencyID == f.AgencyID) && (f.Term == "" || task.Term == f.Term) && (f.Status == "" || task.Status == f.Status) {
			list = append(list, task)
		}
	}
	d.List = tasksTable(l, x, list, "tasks", l.t("tasks.caption", len(list)), exportHref("tasks", "tasks"),
		keepQuery(q, "agency", "term", "status"), true)
	d.Templates = templatesTable(l, 0, exportHref("tasks", "templates"), "")
	return d, nil
}

// taskData is one task with the records it names.
type taskData struct {
	Task                       *tasks.Task
	Agency                     string
	Due                        string
	Overdue                    bool
	Template                   string
	Systems, Facilities, Risks []taskLink
	// Proposal says where an accepted task came from: the agency's plan.
	Proposal string
	Problem  string
}

type taskLink struct{ Name, Href string }

func (d *taskData) RecordName() string  { return d.Task.Title }
func (d *taskData) setProblem(p string) { d.Problem = p }
func (d *taskData) Tables() []*table    { return nil }

func buildTask(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	id, err := idParam(q, "task")
	if err != nil {
		return nil, err
	}
	task, err := s.tasks.Task(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	d := &taskData{Task: task, Agency: x.agencyName(task.AgencyID), Due: locale.Date(task.DueDate()),
		Overdue: task.Overdue(tasks.Today(time.Now()))}
	if tpl, ok := tasks.TemplateByKey(task.Template); ok {
		d.Template = l.t(tpl.TitleKey())
	}
	for _, sid := range task.SystemIDs {
		d.Systems = append(d.Systems, taskLink{Name: x.systemName(sid), Href: systemHref(sid)})
	}
	for _, fid := range task.FacilityIDs {
		// A facility the caller cannot see (the agency left it) is named
		// by its number only.
		link := taskLink{Name: "#" + strconv.FormatInt(fid, 10)}
		if f := x.facility[fid]; f != nil {
			link = taskLink{Name: f.Name, Href: facilityHref(fid)}
		}
		d.Facilities = append(d.Facilities, link)
	}
	if len(task.RiskIDs) > 0 {
		entries, err := s.risks.List(r.Context(), s.scope(r), risk.Filter{AgencyID: task.AgencyID})
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*risk.Entry, len(entries))
		for _, e := range entries {
			byID[e.ID] = e
		}
		for _, rid := range task.RiskIDs {
			// A risk the caller cannot see (moved to another agency) is
			// named by its number only.
			link := taskLink{Name: "#" + strconv.FormatInt(rid, 10)}
			if e := byID[rid]; e != nil {
				link = taskLink{Name: e.Title, Href: riskHref(rid)}
			}
			d.Risks = append(d.Risks, link)
		}
	}
	if task.ProposalKey != "" {
		d.Proposal = planHref(task.AgencyID)
	}
	return d, nil
}

// Forms.

// taskFormPage is the task form: the shared form's fields, with what the
// form carries unseen (the proposal or template it starts from) and, for a
// task from a proposal, why it was proposed.
type taskFormPage struct {
	*formPage
	Hidden []hiddenField
	// Why lists the proposal's reasons; Fixed is the check criterion of a
	// task under way, shown rather than offered for change.
	Why   []string
	Fixed string
}

type hiddenField struct{ Name, Value string }

func taskValues(t *tasks.Task) url.Values {
	v := url.Values{"agency_id": {idValue(t.AgencyID)}, "title": {t.Title}, "description": {t.Description}, "term": {t.Term},
		"owner": {t.Owner}, "due": {t.Due}, "status": {t.Status}, "criterion": {t.Criterion}}
	for _, id := range t.SystemIDs {
		v.Add("system_ids", idValue(id))
	}
	for _, id := range t.FacilityIDs {
		v.Add("facility_ids", idValue(id))
	}
	for _, id := range t.RiskIDs {
		v.Add("risk_ids", idValue(id))
	}
	return v
}

// readTask reads the form into t. An edit form has no agency (a task stays
// with its agency) and, once the task is under way, no criterion: both are
// kept as stored.
func readTask(v url.Values, t *tasks.Task, editing bool) []*apperror.Error {
	f := &formReader{v: v}
	if !editing {
		t.AgencyID = f.id("agency_id")
	}
	t.Title, t.Description, t.Term, t.Owner, t.Status = f.text("title"), f.long("description"), f.text("term"), f.text("owner"), f.text("status")
	if _, ok := v["criterion"]; ok || !editing {
		t.Criterion = f.long("criterion")
	}
	// A date written the ministry's way is stored the store's way; one
	// that is no date stays as written, for Validate to say so.
	t.Due = f.text("due")
	if due, err := tasks.ParseDate(t.Due); err == nil {
		t.Due = due
	}
	t.SystemIDs, t.FacilityIDs, t.RiskIDs = f.ids("system_ids"), f.ids("facility_ids"), f.ids("risk_ids")
	return append(f.problems, t.Validate()...)
}

// taskForm shows the form of task (stored, or new with ID 0) with values.
// A stored task and one accepted from a proposal belong to one agency:
// only its systems, facilities and risks are offered; a new task offers
// every agency's in the caller's scope, the store keeping each to its own.
func (s *Server) taskForm(w http.ResponseWriter, r *http.Request, status int, task *tasks.Task, values url.Values, problems []*apperror.Error, start *taskStart) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var agencyID int64
	switch {
	case task.ID != 0:
		agencyID = task.AgencyID
	case start != nil && start.proposal != nil:
		agencyID = start.proposal.AgencyID
	}
	entries, err := s.risks.List(r.Context(), s.scope(r), risk.Filter{AgencyID: agencyID})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	b := newFormBuilder(l, values, problems)
	var basic []*field
	if task.ID == 0 {
		agencies := options("", l.t("form.choose"))
		for _, a := range x.inv.Agencies {
			if agencyID == 0 || a.ID == agencyID {
				agencies.Options = append(agencies.Options, option{Value: idValue(a.ID), Label: a.Name})
			}
		}
		agency := b.choose("agency_id", "task.agency", agencies)
		agency.Required = true
		basic = append(basic, agency)
	}
	due := b.required("due", "task.due")
	due.Hint = "task.hint.due"
	term := b.choose("term", "task.term", b.keyed("tasks.term.", tasks.Terms...))
	term.Hint = "task.hint.term"
	basic = append(basic, b.required("title", "task.title_field"), b.textarea("description", "task.description"), term,
		b.text("owner", "task.owner"), due, b.choose("status", "task.status", b.keyed("tasks.status.", tasks.Statuses...)))
	page := &taskFormPage{}
	if task.ID != 0 && task.Status != tasks.StatusPlanned {
		page.Fixed = task.Criterion
	} else {
		criterion := b.textarea("criterion", "task.criterion")
		criterion.Required, criterion.Hint = true, "task.hint.criterion"
		basic = append(basic, criterion)
	}
	var systems, risks []optionGroup
	facilities := optionGroup{}
	for _, a := range x.inv.Agencies {
		if agencyID != 0 && a.ID != agencyID {
			continue
		}
		if g := l.systemGroup(x, a); len(g.Options) > 0 {
			systems = append(systems, g)
		}
		g := optionGroup{Label: a.Name}
		for _, e := range entries {
			if e.AgencyID == a.ID {
				g.Options = append(g.Options, option{Value: idValue(e.ID), Label: l.t("task.risk_option", e.Title, l.t("risk.band."+e.ResidualBand))})
			}
		}
		if len(g.Options) > 0 {
			risks = append(risks, g)
		}
	}
	for _, f := range x.inv.Facilities {
		if agencyID == 0 || slices.Contains(x.agenciesAt(f.ID), agencyID) {
			facilities.Options = append(facilities.Options, option{Value: idValue(f.ID), Label: f.Name})
		}
	}
	var facilityGroups []optionGroup
	if len(facilities.Options) > 0 {
		facilityGroups = append(facilityGroups, facilities)
	}
	linkedSystems := b.chooseMany("system_ids", "task.systems", systems...)
	linkedSystems.Hint = "task.hint.systems"
	linkedFacilities := b.chooseMany("facility_ids", "task.facilities", facilityGroups...)
	linkedFacilities.Hint = "task.hint.facilities"
	linkedRisks := b.chooseMany("risk_ids", "task.risks", risks...)
	linkedRisks.Hint = "task.hint.risks"
	sets := []*fieldset{set("task.form.basic", basic...), set("task.form.links", linkedSystems, linkedFacilities, linkedRisks)}
	switch {
	case task.ID != 0:
		page.formPage = b.page("task.edit", task.Title, taskHref(task.ID), taskHref(task.ID), sets...)
	case start != nil && start.proposal != nil:
		page.formPage = b.page("task.accept", "", "/tasks", planHref(agencyID), sets...)
		page.Hidden = []hiddenField{{"proposal", start.proposal.Key}, {"fingerprint", start.proposal.Fingerprint}}
		for _, reason := range start.proposal.Reasons {
			page.Why = append(page.Why, reason.In(l.lang()))
		}
	default:
		page.formPage = b.page("task.new", "", "/tasks", "/tasks", sets...)
		if start != nil && start.template != "" {
			page.Hidden = []hiddenField{{"template", start.template}}
		}
	}
	titleKey := page.HeadingKey
	if page.Name != "" {
		titleKey += "_title"
	}
	s.render(w, r, status, "task_form", titleKey, page)
}

// taskStart is what a new task starts from: a proposal of its agency's
// plan, or a template of the catalogue.
type taskStart struct {
	proposal *tasks.Proposal
	template string
}

// newTaskStart reads what a new task starts from (the query of the empty
// form, the hidden fields of a posted one) and the task it suggests. A
// proposal must be open in the plan of an agency in the caller's scope,
// with the facts of the fingerprint given (any, when none is).
func (s *Server) newTaskStart(r *http.Request, v url.Values) (*tasks.Task, *taskStart, error) {
	l := tr(lang(r))
	agency := v.Get("agency_id")
	if agency == "" {
		agency = v.Get("agency")
	}
	agencyID, _ := strconv.ParseInt(strings.TrimSpace(agency), 10, 64)
	scope := s.scope(r)
	if !scope.IsAll() && agencyID == 0 {
		agencyID = scope.AgencyID()
	}
	if key := v.Get("proposal"); key != "" {
		ap, err := s.loadPlan(r, agencyID)
		if err != nil {
			return nil, nil, err
		}
		p, err := openProposal(ap.plan, key, v.Get("fingerprint"))
		if err != nil {
			return nil, nil, err
		}
		return p.Suggest(l.lang(), time.Now()), &taskStart{proposal: p}, nil
	}
	if key := v.Get("template"); key != "" {
		tpl, ok := tasks.TemplateByKey(key)
		if !ok {
			return nil, nil, apperror.New(apperror.NotFound, "", "tasks.invalid.template", key)
		}
		return tpl.Start(agencyID, l.lang(), time.Now()), &taskStart{template: key}, nil
	}
	return &tasks.Task{AgencyID: agencyID, Term: tasks.TermShort, Status: tasks.StatusPlanned,
		Due: tasks.SuggestedDue(tasks.TermShort, time.Now())}, nil, nil
}

func (s *Server) showNewTask(w http.ResponseWriter, r *http.Request) {
	task, start, err := s.newTaskStart(r, r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.taskForm(w, r, http.StatusOK, task, taskValues(task), nil, start)
}

// createTask saves a new task: by hand, from a template, or — with the
// proposal's key and the fingerprint the form showed — accepted from a
// proposal, edited; such a task goes back to its agency's plan.
func (s *Server) createTask(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	_, start, err := s.newTaskStart(r, values)
	if apperror.CodeOf(err) == apperror.Conflict {
		// The proposal's facts changed while the form was open: the form
		// again, as the user wrote it, now resting on the new facts.
		refreshed := url.Values{"agency_id": {values.Get("agency_id")}, "proposal": {values.Get("proposal")}}
		if task, start, err := s.newTaskStart(r, refreshed); err == nil {
			s.taskForm(w, r, http.StatusConflict, task, values, []*apperror.Error{apperror.New(apperror.Conflict, "", "tasks.conflict.changed")}, start)
			return
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	task := &tasks.Task{}
	if start != nil && start.proposal != nil {
		task.ProposalKey, task.Template = start.proposal.Key, start.proposal.Template
	} else if start != nil {
		task.Template = start.template
	}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error {
			problems := readTask(v, task, false)
			if start != nil && start.proposal != nil && task.AgencyID != start.proposal.AgencyID {
				problems = append(problems, apperror.New(apperror.Invalid, "agency_id", "tasks.invalid.agency_fixed"))
			}
			return problems
		},
		save: func() error { return s.tasks.Create(r.Context(), s.scope(r), task) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.taskForm(w, r, status, &tasks.Task{}, v, problems, start)
		},
		next: func() string {
			if task.ProposalKey != "" {
				return planHref(task.AgencyID) + "#t-tasks"
			}
			return taskHref(task.ID)
		},
	})
}

func (s *Server) showEditTask(w http.ResponseWriter, r *http.Request) {
	task, err := fromPath(s, r, "task", s.tasks.Task)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.taskForm(w, r, http.StatusOK, task, taskValues(task), nil, nil)
}

func (s *Server) updateTask(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "task", s.tasks.Task)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	task := *stored
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readTask(v, &task, true) },
		save: func() error { return s.tasks.Update(r.Context(), s.scope(r), &task) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.taskForm(w, r, status, stored, v, problems, nil)
		},
		next: func() string { return taskHref(task.ID) },
	})
}

func (s *Server) deleteTask(w http.ResponseWriter, r *http.Request) {
	task, err := fromPath(s, r, "task", s.tasks.Task)
	if err == nil {
		err = s.tasks.Delete(r.Context(), s.scope(r), task.ID)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, planHref(task.AgencyID)+"#t-tasks", http.StatusSeeOther)
}
