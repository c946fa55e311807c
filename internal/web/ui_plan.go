package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/risk"
	"yeonsok/internal/scenario"
	"yeonsok/internal/tasks"
)

// agencyPlan is an agency's plan with the records it was computed from.
type agencyPlan struct {
	agency *inventory.Agency
	x      *index
	// risks are every risk entry of the agency, highest first.
	risks []*risk.Entry
	plan  *tasks.Plan
}

// loadPlan computes the plan of an agency in the caller's scope (another
// agency's is not found). It is computed in the agency's own scope for
// every reader, so that a ministry user and the agency's own users see
// the same proposals with the same fingerprints, and decide on the same.
func (s *Server) loadPlan(r *http.Request, agencyID int64) (*agencyPlan, error) {
	ctx := r.Context()
	a, err := s.store.Agency(ctx, s.scope(r), agencyID)
	if err != nil {
		return nil, err
	}
	own := access.Agency(agencyID)
	inv, err := s.store.Load(ctx, own)
	if err != nil {
		return nil, err
	}
	entries, err := s.risks.List(ctx, own, risk.Filter{AgencyID: agencyID})
	if err != nil {
		return nil, err
	}
	list, err := s.tasks.Tasks(ctx, own, tasks.Filter{AgencyID: agencyID})
	if err != nil {
		return nil, err
	}
	dismissals, err := s.tasks.Dismissals(ctx, own, agencyID)
	if err != nil {
		return nil, err
	}
	return &agencyPlan{agency: a, x: newIndex(inv), risks: entries,
		plan: tasks.NewPlan(tasks.NewInput(inv, entries, agencyID), list, dismissals)}, nil
}

// openProposal finds the open proposal of key in a plan, resting on the
// facts of fingerprint (any, when it is empty): a proposal decided or gone
// is not found, one whose facts changed since the caller saw it is a
// conflict — the caller decides on what it saw, or not at all.
func openProposal(plan *tasks.Plan, key, fingerprint string) (*tasks.Proposal, error) {
	p, ok := plan.Proposal(key)
	if !ok {
		return nil, apperror.New(apperror.NotFound, "key", "tasks.not_found.proposal")
	}
	if fingerprint != "" && fingerprint != p.Fingerprint {
		return nil, apperror.New(apperror.Conflict, "fingerprint", "tasks.conflict.changed")
	}
	return p, nil
}

// accept creates the task a proposal suggests — as edited, when edited is
// set: its fields but for the agency, the proposal and the template.
func (s *Server) accept(r *http.Request, plan *tasks.Plan, key, fingerprint string, edited *tasks.Task) (*tasks.Task, error) {
	p, err := openProposal(plan, key, fingerprint)
	if err != nil {
		return nil, err
	}
	task := p.Suggest(lang(r), time.Now())
	if edited != nil {
		edited.ID, edited.AgencyID, edited.ProposalKey, edited.Template = 0, task.AgencyID, task.ProposalKey, task.Template
		task = edited
	}
	if err := s.tasks.Create(r.Context(), s.scope(r), task); err != nil {
		return nil, err
	}
	return task, nil
}

// dismiss records the dismissal of a proposal, with the reason.
func (s *Server) dismiss(r *http.Request, plan *tasks.Plan, key, fingerprint, reason string) (*tasks.Dismissal, error) {
	p, err := openProposal(plan, key, fingerprint)
	if err != nil {
		return nil, err
	}
	d := &tasks.Dismissal{AgencyID: p.AgencyID, ProposalKey: p.Key, Fingerprint: p.Fingerprint, Reason: reason,
		Summary: p.Title().In(lang(r))}
	if err := s.tasks.Dismiss(r.Context(), s.scope(r), d); err != nil {
		return nil, err
	}
	return d, nil
}

// planData is an agency's plan page: its gaps, its risks, the proposals
// still open (each with the forms that decide it), those dismissed, and its
// tasks.
type planData struct {
	Agency  *inventory.Agency
	Problem string
	// Counts of the proposals and tasks, for the page's summary line.
	Open, Tasks                                          int
	Summary, Gaps, Risks, Proposals, Dismissed, TaskList *table
	// Decide holds one entry per row of Proposals: what its forms post.
	Decide    []proposalDecision
	Templates []filterOption
}

// proposalDecision is what the forms of one proposal post, and, after a
// dismissal that failed, the reason as typed and what was wrong with it.
type proposalDecision struct {
	Key, Fingerprint, Title, EditHref string
	Reason, Error                     string
}

func (d *planData) RecordName() string  { return d.Agency.Name }
func (d *planData) setProblem(p string) { d.Problem = p }
func (d *planData) Tables() []*table {
	return []*table{d.Summary, d.Gaps, d.Risks, d.Proposals, d.Dismissed, d.TaskList}
}

func buildPlan(s *Server, r *http.Request, q url.Values) (tabled, error) {
	id, err := idParam(q, "agency")
	if err != nil {
		return nil, err
	}
	ap, err := s.loadPlan(r, id)
	if err != nil {
		return nil, err
	}
	return newPlanData(tr(lang(r)), ap, s.may(r, "POST /agencies/{id}/proposals/restore")), nil
}

// newPlanData builds the plan page; restore says whether the reader may
// take a dismissal back.
func newPlanData(l tr, ap *agencyPlan, restore bool) *planData {
	id, plan, x := ap.agency.ID, ap.plan, ap.x
	export := func(tableID string) string { return exportHref("plan", tableID) }
	query := url.Values{"id": {strconv.FormatInt(id, 10)}}.Encode()
	d := &planData{Agency: ap.agency, Open: len(plan.Open), Tasks: len(plan.Tasks)}

	d.Summary = &table{ID: "summary", Caption: l.t("plan.summary.caption"), Export: export("summary"), Query: query,
		Columns: []column{{Label: l.t("system.capability.scenario")}, {Label: l.t("plan.col.systems"), Num: true},
			{Label: l.t("plan.col.misses"), Num: true}, {Label: l.t("plan.col.misses_rto"), Num: true}, {Label: l.t("plan.col.misses_rpo"), Num: true},
			{Label: l.t("plan.col.undecided"), Num: true}, {Label: l.t("plan.col.met"), Num: true}}}
	for _, kind := range scenario.Kinds {
		c := plan.Summary[kind]
		if c == nil {
			c = &scenario.GapCount{}
		}
		d.Summary.Rows = append(d.Summary.Rows, []cell{headCell(textCell(l.t("scenario.kind." + kind))), intCell(c.Systems),
			intCell(c.Misses), intCell(c.MissesRTO), intCell(c.MissesRPO), intCell(c.Undecided), intCell(c.Met)})
	}

	// One row per system that misses a target under some scenario, a
	// column per scenario saying which estimate falls short of which
	// target.
	d.Gaps = &table{ID: "gaps", Caption: l.t("plan.gaps.caption"), Export: export("gaps"), Query: query,
		Columns: []column{{Label: l.t("system.name")}, {Label: l.t("system.grade")}}}
	for _, kind := range scenario.Kinds {
		d.Gaps.Columns = append(d.Gaps.Columns, column{Label: l.t("scenario.kind." + kind)})
	}
	bySystem := map[int64]map[string]scenario.SystemGap{}
	var missing []*inventory.System
	for _, g := range plan.Input.Gaps {
		if bySystem[g.SystemID] == nil {
			bySystem[g.SystemID] = map[string]scenario.SystemGap{}
		}
		bySystem[g.SystemID][g.Kind] = g
		if g.Misses() && (len(missing) == 0 || missing[len(missing)-1] != g.System) {
			missing = append(missing, g.System)
		}
	}
	sort.SliceStable(missing, func(i, j int) bool {
		return inventory.GradeRank(missing[i].Grade) < inventory.GradeRank(missing[j].Grade)
	})
	for _, sys := range missing {
		row := []cell{headCell(linkCell(sys.Name, systemHref(sys.ID))), nowrap(textCell(l.grade(sys.Grade)))}
		for _, kind := range scenario.Kinds {
			row = append(row, l.gapCell(bySystem[sys.ID][kind]))
		}
		d.Gaps.Rows = append(d.Gaps.Rows, row)
	}

	d.Risks = risksTable(l, x, ap.risks, "risks", l.t("plan.risks.caption"), export("risks"), query, false, false)

	d.Proposals = &table{ID: "proposals", Caption: l.t("plan.proposals.caption"), Export: export("proposals"), Query: query,
		Columns: []column{{Label: l.t("plan.col.subject")}, {Label: l.t("system.grade")}, {Label: l.t("plan.col.finding")},
			{Label: l.t("plan.col.proposal")}, {Label: l.t("task.term")}, {Label: l.t("plan.col.why")}, {Label: l.t("task.criterion")}}}
	for _, p := range plan.Open {
		// What the proposal is about: its system, else its risk; a grade
		// only where there is a system to have one.
		var subject, grade cell
		switch {
		case len(p.SystemIDs) > 0:
			subject, grade = linkCell(x.systemName(p.SystemIDs[0]), systemHref(p.SystemIDs[0])), nowrap(textCell(l.grade(p.Grade)))
		case len(p.RiskIDs) > 0:
			subject = linkCell(p.Subject, riskHref(p.RiskIDs[0]))
		}
		finding := l.t("tasks.source." + p.Source)
		if p.Scenario != "" {
			finding = l.t("plan.finding.gap", locale.Key("scenario.kind."+p.Scenario), strings.ToUpper(p.Measure))
		}
		var why []string
		for _, reason := range p.Reasons {
			why = append(why, reason.In(l.lang()))
		}
		// The system has its own column: the proposal's cell names the task.
		tpl, _ := tasks.TemplateByKey(p.Template)
		title := headCell(textCell(l.t(tpl.TitleKey())))
		if p.Dismissal != nil {
			title.Tags = []tag{{Label: l.t("plan.tag.back"), Class: "proposed"}}
			why = append(why, l.t("plan.previously_dismissed", p.Dismissal.Reason))
		}
		d.Proposals.Rows = append(d.Proposals.Rows, []cell{subject, grade, textCell(finding), title,
			nowrap(textCell(l.term(p.Term))), textCell(strings.Join(why, "; ")), textCell(p.Criterion.In(l.lang()))})
		edit := url.Values{"agency": {strconv.FormatInt(id, 10)}, "proposal": {p.Key}, "fingerprint": {p.Fingerprint}}
		d.Decide = append(d.Decide, proposalDecision{Key: p.Key, Fingerprint: p.Fingerprint, Title: p.Title().In(l.lang()),
			EditHref: "/tasks/new?" + edit.Encode()})
	}

	d.Dismissed = &table{ID: "dismissed", Caption: l.t("plan.dismissed.caption"), Export: export("dismissed"), Query: query,
		Columns: []column{{Label: l.t("plan.col.proposal")}, {Label: l.t("plan.col.reason")}, {Label: l.t("plan.col.dismissed_by")},
			{Label: l.t("plan.col.dismissed_at")}, {Label: l.t("plan.col.restore"), Action: true}}}
	for _, p := range plan.Dismissed {
		var action cell
		if restore {
			href := agencyHref(id) + "/proposals/restore?" + url.Values{"key": {p.Key}}.Encode()
			action.Buttons = []button{{Label: l.t("plan.restore"), Name: l.t("plan.restore_named", p.Title().In(l.lang())), Action: href}}
		}
		d.Dismissed.Rows = append(d.Dismissed.Rows, []cell{headCell(textCell(p.Title().In(l.lang()))), textCell(p.Dismissal.Reason),
			textCell(p.Dismissal.UpdatedBy), textCell(locale.DateTime(p.Dismissal.UpdatedAt)), action})
	}

	d.TaskList = tasksTable(l, x, plan.Tasks, "tasks", l.t("plan.tasks.caption"), export("tasks"), query, false)
	pairs := []string{"", l.t("form.choose")}
	for _, tpl := range tasks.Templates {
		pairs = append(pairs, tpl.Key, l.t("plan.template_option", l.t(tpl.TitleKey()), l.term(tpl.Term)))
	}
	d.Templates = filterOptions("", pairs...)
	return d
}

// nowrap keeps a short cell (a grade, a term) on one line.
func nowrap(c cell) cell {
	c.Class = "nowrap"
	return c
}

// gapCell is one system under one scenario: each estimate that misses its
// target against it ("RTO 3일 > 2시간"), marked; else met, or cannot tell.
func (l tr) gapCell(g scenario.SystemGap) cell {
	var parts []string
	for _, m := range []struct {
		name string
		m    scenario.Measure
	}{{"RTO", g.RTO}, {"RPO", g.RPO}} {
		if !m.m.Misses {
			continue
		}
		parts = append(parts, l.t("plan.gap", m.name, l.bound(m.m.Bound), locale.Span(l.lang(), int64(*m.m.Target.Minutes))))
	}
	switch {
	case len(parts) > 0:
		return cell{Text: strings.Join(parts, "; "), Tags: []tag{{Label: l.t("system.capability.misses"), Class: "risk"}}}
	case g.Undecided():
		return textCell(l.t("plan.col.undecided"))
	}
	return textCell(l.t("plan.col.met"))
}

// exportPlan answers the whole plan as one workbook, a sheet per section.
func (s *Server) exportPlan(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "agency")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data, err := buildPlan(s, r, url.Values{"id": {strconv.FormatInt(id, 10)}})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	body, err := workbook(data.Tables())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeDownload(w, xlsxType, fmt.Sprintf("yeonsok-plan-%d-%s.xlsx", id, time.Now().In(locale.KST).Format("20060102")), body)
}

// planDecision reads the agency of a decision's path and its plan, then
// the posted form: another agency's plan is not found before anything of
// the request is read.
func (s *Server) planDecision(w http.ResponseWriter, r *http.Request) (*agencyPlan, url.Values, bool) {
	id, err := pathID(r, "agency")
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	ap, err := s.loadPlan(r, id)
	if err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	if _, err := readForm(r); err != nil {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	return ap, r.Form, true
}

// acceptProposal accepts a proposal as it stands: its suggested task goes
// into the agency's plan, and the proposal leaves the open ones.
func (s *Server) acceptProposal(w http.ResponseWriter, r *http.Request) {
	ap, v, ok := s.planDecision(w, r)
	if !ok {
		return
	}
	if _, err := s.accept(r, ap.plan, v.Get("key"), v.Get("fingerprint"), nil); err != nil {
		s.refusePlanDecision(w, r, ap, err, "", "")
		return
	}
	http.Redirect(w, r, planHref(ap.agency.ID)+"#t-tasks", http.StatusSeeOther)
}

// dismissProposal dismisses a proposal with the reason given.
func (s *Server) dismissProposal(w http.ResponseWriter, r *http.Request) {
	ap, v, ok := s.planDecision(w, r)
	if !ok {
		return
	}
	if _, err := s.dismiss(r, ap.plan, v.Get("key"), v.Get("fingerprint"), v.Get("reason")); err != nil {
		s.refusePlanDecision(w, r, ap, err, v.Get("key"), v.Get("reason"))
		return
	}
	http.Redirect(w, r, planHref(ap.agency.ID)+"#t-proposals", http.StatusSeeOther)
}

// restoreProposal takes a dismissal back: the proposal is open again.
func (s *Server) restoreProposal(w http.ResponseWriter, r *http.Request) {
	ap, v, ok := s.planDecision(w, r)
	if !ok {
		return
	}
	if err := s.tasks.Restore(r.Context(), s.scope(r), ap.agency.ID, v.Get("key")); err != nil {
		s.refusePlanDecision(w, r, ap, err, "", "")
		return
	}
	http.Redirect(w, r, planHref(ap.agency.ID)+"#t-proposals", http.StatusSeeOther)
}

// refusePlanDecision shows the plan page again with why a decision was
// refused: next to the reason field of the proposal it was about, when the
// reason was at fault, and at the top of the page always.
func (s *Server) refusePlanDecision(w http.ResponseWriter, r *http.Request, ap *agencyPlan, err error, key, reason string) {
	e, ok := apperror.As(err)
	if !ok || e.Code == apperror.Internal {
		s.renderError(w, r, err)
		return
	}
	l := tr(lang(r))
	d := newPlanData(l, ap, s.may(r, "POST /agencies/{id}/proposals/restore"))
	d.Problem = e.Message(l.lang())
	for i := range d.Decide {
		if d.Decide[i].Key == key && e.Field == "reason" {
			d.Decide[i].Reason, d.Decide[i].Error = reason, d.Problem
		}
	}
	shown := r.Clone(r.Context())
	shown.URL.Path, shown.URL.RawQuery = planHref(ap.agency.ID), ""
	s.render(w, shown, statusOf(e.Code), "plan", "plan.title", d)
}
