package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// The API token pages: the list with a revoke button, and the form of a
// new token, which is shown once. The route's rule (manage_users) lets in
// the ministry admin and agency admins; an agency admin reads its own
// agency's tokens only (the store's scope) and CanManageTokens decides,
// before every change, whether the caller manages the token's agency.

// maxTokenSystemNames is how many bound systems the list names before it
// counts the rest.
const maxTokenSystemNames = 10

// tokensData is the token list.
type tokensData struct {
	Notice string
	List   *table
}

func (s *Server) showTokens(w http.ResponseWriter, r *http.Request) {
	ctx, p, l := r.Context(), principalFrom(r), tr(lang(r))
	tokens, err := s.accounts.Tokens(ctx, p.Scope())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names, err := s.agencyNames(ctx, r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	systems, err := s.store.Systems(ctx, p.Scope(), inventory.SystemFilter{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	systemNames := make(map[int64]string, len(systems))
	for _, sys := range systems {
		systemNames[sys.ID] = sys.Name
	}
	now := s.accounts.Now()
	d := &tokensData{List: &table{ID: "tokens", Caption: l.t("admin.tokens.caption"),
		Columns: []column{{Label: l.t("admin.tokens.col.name")}, {Label: l.t("admin.tokens.col.role")}, {Label: l.t("admin.tokens.col.agency")},
			{Label: l.t("admin.tokens.col.systems")}, {Label: l.t("admin.tokens.col.created")}, {Label: l.t("admin.tokens.col.last_used")},
			{Label: l.t("admin.tokens.col.revoked")}, {Label: l.t("table.actions"), Action: true}}}}
	q := r.URL.Query()
	for _, t := range tokens {
		agency := l.t("admin.tokens.every_agency")
		if t.AgencyID != 0 {
			agency = l.agencyOrMinistry(t.AgencyID, names)
		}
		bound := make([]string, 0, min(len(t.SystemIDs), maxTokenSystemNames))
		for _, id := range t.SystemIDs[:min(len(t.SystemIDs), maxTokenSystemNames)] {
			name, ok := systemNames[id]
			if !ok {
				name = "#" + strconv.FormatInt(id, 10)
			}
			bound = append(bound, name)
		}
		systemsText := strings.Join(bound, ", ")
		if more := len(t.SystemIDs) - len(bound); more > 0 {
			systemsText = l.t("admin.tokens.more_systems", systemsText, more)
		}
		lastUsed := l.t("admin.never")
		if !t.LastUsedAt.IsZero() {
			lastUsed = locale.DateTime(t.LastUsedAt)
		}
		revoked := textCell(locale.DateTime(t.RevokedAt))
		if t.RevokedAt.IsZero() && !t.Active(now) {
			revoked = textCell(l.t("admin.tokens.expired", locale.DateTime(t.ExpiresAt)))
		}
		var buttons []button
		if t.Active(now) && p.CanManageTokens(t.AgencyID) {
			label := l.t("admin.tokens.revoke")
			buttons = []button{{Label: label, Name: label + ": " + t.Name, Action: "/admin/tokens/" + strconv.FormatInt(t.ID, 10) + "/revoke", Class: "danger"}}
		}
		d.List.Rows = append(d.List.Rows, []cell{headCell(textCell(t.Name)), textCell(l.t(t.Role.Key())), textCell(agency),
			textCell(systemsText), textCell(locale.DateTime(t.CreatedAt)), textCell(lastUsed), revoked, {Buttons: buttons}})
		if q.Get("done") == "revoke" && q.Get("id") == strconv.FormatInt(t.ID, 10) {
			d.Notice = l.t("admin.tokens.revoked", t.Name)
		}
	}
	s.render(w, r, http.StatusOK, "admin_tokens", "admin.tokens.title", d)
}

// revokeToken revokes a token for good. Another agency's token does not
// exist for the caller (404), and is looked for before the form is read.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathAccountID(r, "token")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := principalFrom(r)
	t, err := s.accounts.Token(r.Context(), p.Scope(), id)
	if err == nil {
		_, err = readForm(r)
	}
	if err == nil && !p.CanManageTokens(t.AgencyID) {
		err = apperror.New(apperror.Forbidden, "", "forbidden.role")
	}
	if err == nil {
		err = s.accounts.RevokeToken(r.Context(), t.ID)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/tokens?"+url.Values{"done": {"revoke"}, "id": {strconv.FormatInt(t.ID, 10)}}.Encode(), http.StatusSeeOther)
}

// The form of a new token.

func (s *Server) showNewToken(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r)
	values := url.Values{"role": {string(auth.Agent)}}
	if p.AgencyID != 0 {
		values.Set("agency_id", idValue(p.AgencyID))
	}
	s.tokenForm(w, r, http.StatusOK, values, nil)
}

func (s *Server) tokenForm(w http.ResponseWriter, r *http.Request, status int, values url.Values, problems []*apperror.Error) {
	p, l := principalFrom(r), tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var agencies optionGroup
	if p.CanManageTokens(0) {
		agencies = options("", l.t("admin.tokens.every_agency"))
	}
	var systems []optionGroup
	for _, a := range x.inv.Agencies {
		if !p.CanManageTokens(a.ID) {
			continue
		}
		agencies.Options = append(agencies.Options, option{Value: idValue(a.ID), Label: a.Name})
		if g := l.systemGroup(x, a); len(g.Options) > 0 {
			systems = append(systems, g)
		}
	}
	var roles optionGroup
	for _, role := range auth.TokenRoles {
		roles.Options = append(roles.Options, option{Value: string(role), Label: l.t(role.Key())})
	}
	b := newFormBuilder(l, values, problems)
	role := b.choose("role", "admin.tokens.col.role", roles)
	role.Required, role.Hint = true, "admin.tokens.hint.role"
	agency := b.choose("agency_id", "admin.tokens.col.agency", agencies)
	agency.Hint = "admin.tokens.hint.agency"
	bound := b.chooseMany("system_ids", "admin.tokens.col.systems", systems...)
	bound.Hint = "admin.tokens.hint.systems"
	f := b.page("admin.tokens.new", "", "/admin/tokens", "/admin/tokens",
		set("admin.tokens.form.token", b.required("name", "admin.tokens.col.name"), role, agency),
		set("admin.tokens.form.systems", bound))
	s.renderForm(w, r, status, f)
}

// createToken makes a token and shows it, this once: only its hash is
// kept. The caller must manage the token's agency (a token of every agency
// is the ministry's), and may bind it only to systems it sees.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := principalFrom(r)
	f := &formReader{v: values}
	t := &auth.Token{Name: f.text("name"), Role: auth.Role(f.text("role")), AgencyID: f.id("agency_id"), SystemIDs: f.ids("system_ids"),
		CreatedBy: p.UserID}
	if len(f.problems) > 0 {
		s.tokenForm(w, r, http.StatusBadRequest, values, f.problems)
		return
	}
	if !p.CanManageTokens(t.AgencyID) {
		s.tokenForm(w, r, http.StatusForbidden, values, []*apperror.Error{apperror.New(apperror.Forbidden, "agency_id", "admin.tokens.not_yours")})
		return
	}
	if len(t.SystemIDs) > 0 {
		systems, err := s.store.Systems(r.Context(), p.Scope(), inventory.SystemFilter{})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		seen := make(map[int64]bool, len(systems))
		for _, sys := range systems {
			seen[sys.ID] = true
		}
		for _, id := range t.SystemIDs {
			if !seen[id] {
				s.tokenForm(w, r, http.StatusBadRequest, values, []*apperror.Error{apperror.New(apperror.Invalid, "system_ids", "form.invalid_choice")})
				return
			}
		}
	}
	raw, err := s.accounts.CreateToken(r.Context(), t)
	if err != nil {
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid {
			s.renderError(w, r, err)
			return
		}
		s.tokenForm(w, r, statusOf(e.Code), values, []*apperror.Error{e})
		return
	}
	l := tr(lang(r))
	s.showSecret(w, r, &secretData{TitleKey: "admin.tokens.created.title", SubjectKey: "admin.tokens.col.name", Subject: t.Name,
		SecretKey: "admin.secret.token", Secret: raw, Notes: []string{l.t("admin.secret.token_once"), l.t("admin.secret.token_use")},
		Back: "/admin/tokens", BackKey: "admin.tokens.back"})
}
