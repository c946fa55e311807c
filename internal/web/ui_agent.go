package web

import (
	"net/http"
	"net/url"
	"strconv"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// Agents: the vantage points at other sites, each `yeonsok agent` run
// there with an agent token. The list says whether each still reports —
// one that fell silent is "agent down", never "system down" — and how many
// checks it probes; an agency's people see and register their own.

func agentHref(id int64) string { return "/agents/" + strconv.FormatInt(id, 10) }

// agentsData is the agent list.
type agentsData struct {
	List *table
}

func (d *agentsData) Tables() []*table { return []*table{d.List} }

func buildAgents(s *Server, r *http.Request, _ url.Values) (tabled, error) {
	l, ctx, scope := tr(lang(r)), r.Context(), s.scope(r)
	agents, err := s.monitors.Agents(ctx, scope)
	if err != nil {
		return nil, err
	}
	names, err := s.agencyNames(ctx, r)
	if err != nil {
		return nil, err
	}
	now := s.monitors.Now()
	deletes := s.may(r, "POST /agents/{id}/delete")
	t := &table{ID: "agents", Caption: l.t("agents.caption", len(agents)), Export: exportHref("agents", "agents"),
		Columns: []column{{Label: l.t("agents.col.name")}, {Label: l.t("agents.col.site")}, {Label: l.t("agents.col.agency")},
			{Label: l.t("agents.col.last_seen")}, {Label: l.t("agents.col.state")}, {Label: l.t("agents.col.checks"), Num: true},
			{Label: l.t("table.actions"), Action: true}}}
	for _, a := range agents {
		// Agents are few (one a site): a query each for its checks is cheap.
		checks, err := s.monitors.AgentChecks(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		state := monitor.AgentState(a.LastSeenAt, now, monitor.ShortestInterval(checks))
		agency := l.t("admin.tokens.every_agency")
		if a.AgencyID != 0 {
			agency = l.agencyOrMinistry(a.AgencyID, names)
		}
		lastSeen := l.t("admin.never")
		if !a.LastSeenAt.IsZero() {
			lastSeen = locale.DateTime(a.LastSeenAt)
		}
		var action cell
		if deletes {
			label := l.t("action.delete")
			action.Buttons = []button{{Label: label, Name: label + ": " + a.Name, Action: agentHref(a.ID) + "/delete", Class: "danger"}}
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell(a.Name)), textCell(a.Site), textCell(agency), textCell(lastSeen),
			{Text: l.t("agents.state." + state), Class: "agent-" + state}, intCell(len(checks)), action})
	}
	return &agentsData{List: t}, nil
}

// agentTokens are the tokens a new agent may authenticate with: agent
// tokens in scope, active, that no agent uses yet.
func (s *Server) agentTokens(r *http.Request) (optionGroup, error) {
	l, ctx, scope := tr(lang(r)), r.Context(), s.scope(r)
	g := options("", l.t("form.choose"))
	tokens, err := s.accounts.Tokens(ctx, scope)
	if err != nil {
		return g, err
	}
	agents, err := s.monitors.Agents(ctx, scope)
	if err != nil {
		return g, err
	}
	used := map[int64]bool{}
	for _, a := range agents {
		used[a.TokenID] = true
	}
	names, err := s.agencyNames(ctx, r)
	if err != nil {
		return g, err
	}
	now := s.accounts.Now()
	for _, t := range tokens {
		if t.Role != auth.Agent || !t.Active(now) || used[t.ID] {
			continue
		}
		agency := l.t("admin.tokens.every_agency")
		if t.AgencyID != 0 {
			agency = l.agencyOrMinistry(t.AgencyID, names)
		}
		g.Options = append(g.Options, option{Value: idValue(t.ID), Label: l.t("agents.form.token_option", t.Name, agency, len(t.SystemIDs))})
	}
	return g, nil
}

func (s *Server) agentForm(w http.ResponseWriter, r *http.Request, status int, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	tokens, err := s.agentTokens(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	b := newFormBuilder(l, values, problems)
	name := b.required("name", "agents.col.name")
	name.Hint = "agents.form.hint.name"
	site := b.text("site", "agents.col.site")
	site.Hint = "agents.form.hint.site"
	token := b.choose("token_id", "agents.form.token", tokens)
	token.Required, token.Hint = true, "agents.form.hint.token"
	s.renderForm(w, r, status, b.page("agents.new", "", "/agents", "/agents", set("agents.form.set", name, site, token)))
}

func (s *Server) showNewAgent(w http.ResponseWriter, r *http.Request) {
	s.agentForm(w, r, http.StatusOK, url.Values{"name": {""}, "site": {""}, "token_id": {""}}, nil)
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) {
	a := &monitor.Agent{}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error {
			f := &formReader{v: v}
			a.Name, a.Site, a.TokenID = f.text("name"), f.text("site"), f.id("token_id")
			if len(f.problems) > 0 {
				return f.problems
			}
			a.Normalize()
			return problemsOf(a.Validate())
		},
		save:  func() error { return s.monitors.CreateAgent(r.Context(), s.scope(r), a) },
		again: func(status int, v url.Values, problems []*apperror.Error) { s.agentForm(w, r, status, v, problems) },
		next:  func() string { return "/agents" },
	})
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request) {
	s.removeWith(w, r, "agent", func(id int64) error { return s.monitors.DeleteAgent(r.Context(), s.scope(r), id) }, "/agents", nil)
}
