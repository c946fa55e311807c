package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/grading"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// Grade-change proposals (plan 1-1 등급 조정): the list with the decisions
// the ministry admin takes on it, the systems whose scores earn another
// grade, and the proposal form reached from a system's page. Who proposes
// is the write rule (in the caller's scope); who decides is the approve
// rule; whoever proposed may withdraw, which the store checks.

func gradeProposalHref(id int64) string { return "/grade-proposals/" + strconv.FormatInt(id, 10) }

// gradeProposalDone are the changes the list confirms after the redirect.
var gradeProposalDone = []string{grading.Approved, grading.Rejected, grading.Withdrawn}

// gradeProposalsData is the list page.
type gradeProposalsData struct {
	// Notice confirms the decision just taken; Problem says why one was
	// refused, when it belongs to no form on the page.
	Notice, Problem string
	Statuses        []filterOption
	// Decide are the pending proposals, each with its decision form, for
	// whom may decide.
	Decide   []*decisionForm
	List     *table
	Mismatch *table
}

func (d *gradeProposalsData) Tables() []*table { return []*table{d.List, d.Mismatch} }

// decisionForm is one pending proposal with the note and the buttons that
// approve or reject it.
type decisionForm struct {
	ID            int64
	Title, By     string
	Reason        string
	Note          string
	Errors        []string
	Approve, Deny string // the forms' actions
}

func buildGradeProposals(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l, ctx, scope := tr(lang(r)), r.Context(), s.scope(r)
	proposals, err := s.grades.Proposals(ctx, scope, grading.Filter{})
	if err != nil {
		return nil, err
	}
	names, err := s.agencyNames(ctx, r)
	if err != nil {
		return nil, err
	}
	systems, err := s.store.Systems(ctx, scope, inventory.SystemFilter{})
	if err != nil {
		return nil, err
	}
	status := q.Get("status")
	if !slices.Contains(grading.Statuses, status) {
		status = ""
	}
	d := &gradeProposalsData{}
	if done := q.Get("done"); slices.Contains(gradeProposalDone, done) {
		d.Notice = l.t("grades.done." + done)
	}
	pairs := []string{"", l.t("filter.all")}
	for _, st := range grading.Statuses {
		pairs = append(pairs, st, l.t("grades.status."+st))
	}
	d.Statuses = filterOptions(status, pairs...)

	var shown []*grading.ChangeProposal
	pending := map[int64]bool{}
	decides := s.may(r, "POST /grade-proposals/{id}/approve")
	for _, p := range proposals {
		if status == "" || p.Status == status {
			shown = append(shown, p)
		}
		if p.Status != grading.Pending {
			continue
		}
		pending[p.SystemID] = true
		if decides {
			d.Decide = append(d.Decide, &decisionForm{ID: p.ID,
				Title:   l.t("grades.decide.item", names[p.AgencyID], p.SystemName, l.gradeChange(p)),
				By:      l.t("grades.decide.by", l.actor(p.ProposedBy), locale.Date(p.ProposedAt)),
				Reason:  p.Reason,
				Approve: gradeProposalHref(p.ID) + "/approve", Deny: gradeProposalHref(p.ID) + "/reject"})
		}
	}
	d.List = s.gradeProposalsTable(r, shown, names, "proposals", l.t("grades.list.caption", len(shown)),
		exportHref("grade-proposals", "proposals"), keepQuery(q, "status"))
	d.Mismatch = s.gradeMismatchTable(r, systems, names, pending)
	return d, nil
}

// gradeChange is "2등급 → 1등급".
func (l tr) gradeChange(p *grading.ChangeProposal) string {
	return l.t("grades.change", l.grade(p.FromGrade), l.grade(p.ToGrade))
}

// gradeProposalsTable lists proposals with their decisions; with names
// (agency names by id) it names each one's agency and system, as the list
// does, without them it is one system's. Whoever proposed a pending one
// may withdraw it from here.
func (s *Server) gradeProposalsTable(r *http.Request, list []*grading.ChangeProposal, names map[int64]string, id, caption, export, query string) *table {
	l := tr(lang(r))
	t := &table{ID: id, Caption: caption, Export: export, Query: query}
	if names != nil {
		t.Columns = append(t.Columns, column{Label: l.t("home.col.agency")}, column{Label: l.t("grades.col.system")})
	}
	t.Columns = append(t.Columns, column{Label: l.t("grades.col.change")}, column{Label: l.t("grades.col.reason")},
		column{Label: l.t("grades.col.status")}, column{Label: l.t("grades.col.proposed_by")}, column{Label: l.t("grades.col.proposed_at")},
		column{Label: l.t("grades.col.decided_by")}, column{Label: l.t("grades.col.decided_at")}, column{Label: l.t("grades.col.note")})
	me := principalFrom(r).Actor("")
	withdraws := s.may(r, "POST /grade-proposals/{id}/withdraw")
	actions := false
	for _, p := range list {
		var row []cell
		if names != nil {
			row = append(row, textCell(names[p.AgencyID]), headCell(linkCell(p.SystemName, systemHref(p.SystemID))))
		}
		decidedBy := ""
		if !p.DecidedAt.IsZero() {
			decidedBy = l.actor(p.DecidedBy)
		}
		change := textCell(l.gradeChange(p))
		if names == nil {
			change = headCell(change)
		}
		row = append(row, change, textCell(p.Reason), textCell(l.t("grades.status."+p.Status)), textCell(l.actor(p.ProposedBy)), textCell(locale.Date(p.ProposedAt)),
			textCell(decidedBy), textCell(locale.Date(p.DecidedAt)), textCell(p.DecisionNote))
		var action cell
		if withdraws && p.Status == grading.Pending && p.IsProposer(me) {
			action.Buttons = []button{{Label: l.t("grades.action.withdraw"), Name: l.t("grades.action.withdraw_name", p.SystemName),
				Action: gradeProposalHref(p.ID) + "/withdraw"}}
			actions = true
		}
		t.Rows = append(t.Rows, append(row, action))
	}
	if actions {
		t.Columns = append(t.Columns, column{Label: l.t("table.actions"), Action: true})
	} else {
		for i := range t.Rows {
			t.Rows[i] = t.Rows[i][:len(t.Rows[i])-1]
		}
	}
	return t
}

// gradeMismatchTable is the systems whose scores earn another grade than
// the recorded one (grading.Published), each with a link that proposes
// the grade the scores earn — or, while a proposal waits, that one is.
func (s *Server) gradeMismatchTable(r *http.Request, systems []*inventory.System, names map[int64]string, pending map[int64]bool) *table {
	l := tr(lang(r))
	t := &table{ID: "mismatch", Export: exportHref("grade-proposals", "mismatch"),
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("grades.col.system")}, {Label: l.t("grades.col.recorded")},
			{Label: l.t("grades.col.total"), Num: true}, {Label: l.t("grades.col.scored")}, {Label: l.t("table.actions"), Action: true}}}
	byID := map[int64]*inventory.System{}
	for _, sys := range systems {
		byID[sys.ID] = sys
	}
	for _, p := range grading.Published.Propose(systems) {
		if !p.Differs() {
			continue
		}
		sys := byID[p.SystemID]
		var action cell
		switch {
		case pending[sys.ID]:
			action.Tags = []tag{{Label: l.t("grades.mismatch.pending")}}
		case s.may(r, "GET /systems/{id}/grade-proposals/new"):
			action = linkCell(l.t("grades.mismatch.propose"), newGradeProposalHref(sys.ID, p.Proposed))
		}
		total := cell{Text: strconv.FormatFloat(p.Total, 'f', -1, 64), Num: true, Value: p.Total}
		t.Rows = append(t.Rows, []cell{textCell(names[sys.AgencyID]), headCell(linkCell(sys.Name, systemHref(sys.ID), l.sample(sys.Sample)...)),
			textCell(l.grade(p.Recorded)), total, textCell(l.grade(p.Proposed)), action})
	}
	t.Caption = l.t("grades.mismatch.caption", len(t.Rows))
	return t
}

func newGradeProposalHref(systemID int64, to int) string {
	href := systemHref(systemID) + "/grade-proposals/new"
	if to != 0 {
		href += "?to=" + strconv.Itoa(to)
	}
	return href
}

// systemGrades fills the grade section of a system's page: its proposals,
// pending and decided, and the grade its scores earn.
func (s *Server) systemGrades(r *http.Request, d *systemData, query string) error {
	l, sys := tr(lang(r)), d.System
	proposals, err := s.grades.Proposals(r.Context(), s.scope(r), grading.Filter{SystemID: sys.ID})
	if err != nil {
		return err
	}
	d.GradeProposals = s.gradeProposalsTable(r, proposals, nil, "grade-proposals", l.t("grades.system.caption"),
		exportHref("system", "grade-proposals"), query)
	d.GradePending = slices.ContainsFunc(proposals, func(p *grading.ChangeProposal) bool { return p.Status == grading.Pending })
	if p := grading.Published.Propose([]*inventory.System{sys})[0]; p.Proposed != 0 {
		d.ScoredGrade = l.t("grades.system.scored_value", l.grade(p.Proposed), strconv.FormatFloat(p.Total, 'f', -1, 64))
	}
	return nil
}

// The proposal form.

// gradeProposalForm shows the form proposing a grade for sys: the grade
// (the current one and the one its scores earn marked) and the reason.
func (s *Server) gradeProposalForm(w http.ResponseWriter, r *http.Request, status int, sys *inventory.System, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	scored := grading.Published.Propose([]*inventory.System{sys})[0].Proposed
	grades := options("", l.t("form.choose"))
	for g := 1; g <= 4; g++ {
		var marks []string
		if g == sys.Grade {
			marks = append(marks, l.t("grades.form.current"))
		}
		if g == scored {
			marks = append(marks, l.t("grades.form.scored"))
		}
		label := l.grade(g)
		if len(marks) > 0 {
			label = l.t("grades.form.option", label, strings.Join(marks, ", "))
		}
		grades.Options = append(grades.Options, option{Value: strconv.Itoa(g), Label: label})
	}
	b := newFormBuilder(l, values, problems)
	to := b.choose("to_grade", "grades.form.to_grade", grades)
	to.Required = true
	reason := b.textarea("reason", "grades.form.reason")
	reason.Required, reason.Hint = true, "grades.form.reason_hint"
	s.renderForm(w, r, status, b.page("grades.form.new", sys.Name, systemHref(sys.ID)+"/grade-proposals", systemHref(sys.ID),
		set("grades.form.set", to, reason)))
}

func (s *Server) showNewGradeProposal(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	values := url.Values{"to_grade": {""}, "reason": {""}}
	switch to := r.URL.Query().Get("to"); to {
	case "1", "2", "3", "4":
		values.Set("to_grade", to)
	}
	s.gradeProposalForm(w, r, http.StatusOK, sys, values, nil)
}

// createGradeProposal proposes a grade for the system at the path; back
// on its page the proposal is listed, or the form says what is wrong.
func (s *Server) createGradeProposal(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := &grading.ChangeProposal{SystemID: sys.ID, FromGrade: sys.Grade}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readGradeProposal(v, p) },
		save: func() error { return s.grades.Propose(r.Context(), s.scope(r), p) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.gradeProposalForm(w, r, status, sys, v, problems)
		},
		next: func() string { return systemHref(sys.ID) + "#t-grade-proposals" },
	})
}

// readGradeProposal reads the proposed grade and the reason into p.
func readGradeProposal(v url.Values, p *grading.ChangeProposal) []*apperror.Error {
	f := &formReader{v: v}
	p.Reason = f.long("reason")
	if to := f.text("to_grade"); to != "" {
		var err error
		if p.ToGrade, err = strconv.Atoi(to); err != nil {
			f.fail("to_grade", "form.invalid_choice")
		}
	}
	if len(f.problems) > 0 {
		return f.problems
	}
	return problemsOf(p.Check())
}

// Decisions.

func (s *Server) approveGradeProposal(w http.ResponseWriter, r *http.Request) {
	s.decideGradeProposal(w, r, grading.Approved, s.grades.Approve)
}

func (s *Server) rejectGradeProposal(w http.ResponseWriter, r *http.Request) {
	s.decideGradeProposal(w, r, grading.Rejected, s.grades.Reject)
}

func (s *Server) withdrawGradeProposal(w http.ResponseWriter, r *http.Request) {
	s.decideGradeProposal(w, r, grading.Withdrawn,
		func(ctx context.Context, scope access.Scope, id int64, _ string) (*grading.ChangeProposal, error) {
			return s.grades.Withdraw(ctx, scope, id)
		})
}

// decideGradeProposal takes a decision on the proposal at the path, with
// the posted note, and goes back to the list, which confirms it. A refused
// decision shows the list again with the problem beside the proposal's
// form, the note as written. A proposal outside the caller's scope is not
// found, before anything else is read.
func (s *Server) decideGradeProposal(w http.ResponseWriter, r *http.Request, done string, decide gradeDecision) {
	id, err := pathID(r, "grade_proposal")
	if err == nil {
		_, err = s.grades.Proposal(r.Context(), s.scope(r), id)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	note := values.Get("decision_note")
	if _, err = decide(r.Context(), s.scope(r), id, note); err == nil {
		http.Redirect(w, r, "/grade-proposals?done="+done, http.StatusSeeOther)
		return
	}
	e, ok := apperror.As(err)
	if !ok || e.Code == apperror.NotFound || e.Code == apperror.Internal {
		s.renderError(w, r, err)
		return
	}
	data, berr := buildGradeProposals(s, r, url.Values{})
	if berr != nil {
		s.renderError(w, r, berr)
		return
	}
	d := data.(*gradeProposalsData)
	d.Problem = e.Message(lang(r))
	for _, f := range d.Decide {
		if f.ID == id {
			f.Note = note
			if e.Field == "decision_note" {
				f.Errors, d.Problem = []string{d.Problem}, ""
			}
		}
	}
	shown := r.Clone(r.Context())
	shown.URL.Path, shown.URL.RawQuery = "/grade-proposals", ""
	s.render(w, shown, statusOf(e.Code), "grade_proposals", "grades.title", d)
}
