package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
)

// The account pages: the list, with a button for each thing an admin does
// to an account, and the form of a new one. The route's rule
// (manage_users) lets in the ministry admin and agency admins; which
// accounts each may touch is the store's scope (an agency admin reads its
// own agency's accounts, never a ministry one, and another agency's is not
// found) and, before every change, CanManageUsers of the account's agency.

// usersHref is the account list, saying what was just done to whom.
func usersHref(done string, id int64) string {
	return "/admin/users?" + url.Values{"done": {done}, "id": {strconv.FormatInt(id, 10)}}.Encode()
}

// userDone are the changes the list confirms after the redirect.
var userDone = []string{"lock", "unlock", "disable", "enable", "unlink_sso"}

// usersData is the account list.
type usersData struct {
	// Notice confirms the change just made.
	Notice string
	List   *table
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request) {
	ctx, p, l := r.Context(), principalFrom(r), tr(lang(r))
	users, err := s.accounts.Users(ctx, p.Scope())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names, err := s.agencyNames(ctx, r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	now, after := s.accounts.Now(), s.accounts.Settings().InactiveAfter
	d := &usersData{List: &table{ID: "users", Caption: l.t("admin.users.caption"),
		Columns: []column{{Label: l.t("admin.users.col.login")}, {Label: l.t("admin.users.col.name")}, {Label: l.t("admin.users.col.role")},
			{Label: l.t("admin.users.col.agency")}, {Label: l.t("admin.users.col.state")}, {Label: l.t("admin.users.col.last_login")},
			{Label: l.t("admin.users.col.created")}, {Label: l.t("table.actions"), Action: true}}}}
	q := r.URL.Query()
	for _, u := range users {
		state := textCell(l.userState(u, now, after))
		switch {
		case u.TemporaryExpired(now, s.accounts.Settings().TemporaryPasswordValid):
			state.Tags = append(state.Tags, tag{Label: l.t("admin.users.temporary_expired")})
		case u.MustChangePassword:
			state.Tags = append(state.Tags, tag{Label: l.t("admin.users.must_change")})
		}
		if u.OIDCSubject != "" {
			state.Tags = append(state.Tags, tag{Label: l.t("admin.users.sso_linked")})
		}
		lastLogin := l.t("admin.never")
		if !u.LastLoginAt.IsZero() {
			lastLogin = locale.DateTime(u.LastLoginAt)
		}
		d.List.Rows = append(d.List.Rows, []cell{headCell(textCell(u.Login)), textCell(u.Name), textCell(l.t(u.Role.Key())),
			textCell(l.agencyOrMinistry(u.AgencyID, names)), state, textCell(lastLogin), textCell(locale.DateTime(u.CreatedAt)),
			{Buttons: l.userButtons(p, u, now)}})
		if done := q.Get("done"); slices.Contains(userDone, done) && q.Get("id") == strconv.FormatInt(u.ID, 10) {
			d.Notice = l.t("admin.users.done."+done, u.Login)
		}
	}
	s.render(w, r, http.StatusOK, "admin_users", "admin.users.title", d)
}

// userState is an account's state: disabled, locked (why, and until when),
// unused too long, or active.
func (l tr) userState(u *auth.User, now time.Time, inactiveAfter time.Duration) string {
	switch {
	case u.Disabled:
		return l.t("admin.users.state.disabled")
	case u.Locked(now):
		reason := u.LockedReason
		if reason == "" {
			reason = auth.ReasonAdmin
		}
		until := locale.DateTime(u.LockedUntil)
		if u.LockedUntil.Equal(auth.Forever) {
			until = l.t("admin.users.until_unlocked")
		}
		return l.t("admin.users.state.locked", l.t("auth.lock_reason."+reason), until)
	case u.Inactive(now, inactiveAfter):
		return l.t("admin.users.state.inactive")
	}
	return l.t("admin.users.state.active")
}

// userButtons are what the caller may do to an account: never to its own,
// which it changes on the password page.
func (l tr) userButtons(p auth.Principal, u *auth.User, now time.Time) []button {
	if u.ID == p.UserID || !p.CanManageAccount(u.Role, u.AgencyID) {
		return nil
	}
	base := "/admin/users/" + strconv.FormatInt(u.ID, 10) + "/"
	act := func(path, key, class string) button {
		label := l.t("admin.users.action." + key)
		return button{Label: label, Name: label + ": " + u.Login, Action: base + path, Class: class}
	}
	var list []button
	switch {
	case u.Locked(now):
		list = append(list, act("unlock", "unlock", ""))
	case !u.Disabled:
		list = append(list, act("lock", "lock", ""))
	}
	list = append(list, act("reset-password", "reset_password", ""))
	if u.OIDCSubject != "" {
		list = append(list, act("unlink-sso", "unlink_sso", ""))
	}
	if u.Disabled {
		list = append(list, act("enable", "enable", ""))
	} else {
		list = append(list, act("disable", "disable", "danger"))
	}
	return list
}

// agencyNames are the names of the agencies the caller sees, by id.
func (s *Server) agencyNames(ctx context.Context, r *http.Request) (map[int64]string, error) {
	agencies, err := s.store.Agencies(ctx, s.scope(r))
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(agencies))
	for _, a := range agencies {
		names[a.ID] = a.Name
	}
	return names, nil
}

// agencyOrMinistry is the agency an account belongs to: the ministry's own
// accounts belong to none.
func (l tr) agencyOrMinistry(id int64, names map[int64]string) string {
	if id == 0 {
		return l.t("admin.ministry")
	}
	if name, ok := names[id]; ok {
		return name
	}
	return "#" + strconv.FormatInt(id, 10)
}

// managedUser is the account a form's path names, once the caller may
// change it. Outside the caller's scope it does not exist (404) — checked
// before the form is read, so that a bad form says nothing of another
// agency's account. Then the form must be readable (400), the caller must
// manage the account's agency (403), and the account must not be the
// caller's own (400). On failure it has answered, and reports false.
func (s *Server) managedUser(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	id, err := pathAccountID(r, "user")
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	p := principalFrom(r)
	u, err := s.accounts.User(r.Context(), p.Scope(), id)
	if err == nil {
		_, err = readForm(r)
	}
	if err == nil && u.ID == p.UserID {
		err = apperror.New(apperror.Invalid, "", "admin.users.not_self")
	}
	if err == nil && !p.CanManageAccount(u.Role, u.AgencyID) {
		err = apperror.New(apperror.Forbidden, "", "forbidden.role")
	}
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	return u, true
}

// pathAccountID reads {id} of an account or token from the path; a
// malformed id is one that does not exist.
func pathAccountID(r *http.Request, kind string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperror.New(apperror.NotFound, "", "auth.not_found."+kind)
	}
	return id, nil
}

// changeUser is an account change made with one button: it goes back to
// the list, which says what was done.
func (s *Server) changeUser(done string, change func(ctx context.Context, u *auth.User) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.managedUser(w, r)
		if !ok {
			return
		}
		if err := change(r.Context(), u); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, usersHref(done, u.ID), http.StatusSeeOther)
	}
}

// lockUser locks an account until an admin unlocks it; its sessions end.
func (s *Server) lockUser(w http.ResponseWriter, r *http.Request) {
	s.changeUser("lock", func(ctx context.Context, u *auth.User) error {
		return s.accounts.Lock(ctx, u.ID, time.Time{}, auth.ReasonAdmin)
	})(w, r)
}

// unlockUser lifts any lock, the tower's own included.
func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) {
	s.changeUser("unlock", func(ctx context.Context, u *auth.User) error { return s.accounts.Unlock(ctx, u.ID) })(w, r)
}

// disableUser disables an account for good (someone who left); its
// sessions end.
func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	s.changeUser("disable", func(ctx context.Context, u *auth.User) error { return s.accounts.SetDisabled(ctx, u.ID, true) })(w, r)
}

func (s *Server) enableUser(w http.ResponseWriter, r *http.Request) {
	s.changeUser("enable", func(ctx context.Context, u *auth.User) error { return s.accounts.SetDisabled(ctx, u.ID, false) })(w, r)
}

// unlinkUserSSO forgets the single sign-on identity linked to an account
// and ends the sessions begun with it: the next single sign-on finds the
// account by login again and links the identity it brings (for a person
// whose identity at the provider was made anew).
func (s *Server) unlinkUserSSO(w http.ResponseWriter, r *http.Request) {
	s.changeUser("unlink_sso", func(ctx context.Context, u *auth.User) error { return s.accounts.UnlinkOIDC(ctx, u.ID) })(w, r)
}

// resetUserPassword gives the account a new one-time password and shows it,
// this once; the account must change it at its next sign-in, and its
// sessions end.
func (s *Server) resetUserPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managedUser(w, r)
	if !ok {
		return
	}
	password, err := s.accounts.ResetPassword(r.Context(), u.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.showPassword(w, r, "admin.users.reset.title", u.Login, password)
}

// The form of a new account.

// userRoles are the roles the caller may give: an agency admin only its
// own agency's editors and viewers.
func userRoles(p auth.Principal) []auth.Role {
	var list []auth.Role
	for _, role := range auth.UserRoles {
		agency := p.AgencyID // 0 for the ministry, which may give any role
		if role.Ministry() {
			agency = 0
		}
		if p.CanManageAccount(role, agency) {
			list = append(list, role)
		}
	}
	return list
}

func (s *Server) showNewUser(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r)
	values := url.Values{"role": {string(auth.AgencyViewer)}}
	if p.AgencyID != 0 {
		values.Set("agency_id", idValue(p.AgencyID))
	}
	s.userForm(w, r, http.StatusOK, values, nil)
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, status int, values url.Values, problems []*apperror.Error) {
	p, l := principalFrom(r), tr(lang(r))
	agencies, err := s.store.Agencies(r.Context(), p.Scope())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var choices optionGroup
	if p.CanManageUsers(0) {
		choices = options("", l.t("admin.users.no_agency"))
	}
	for _, a := range agencies {
		if p.CanManageUsers(a.ID) {
			choices.Options = append(choices.Options, option{Value: idValue(a.ID), Label: a.Name})
		}
	}
	var roles optionGroup
	for _, role := range userRoles(p) {
		roles.Options = append(roles.Options, option{Value: string(role), Label: l.t(role.Key())})
	}
	b := newFormBuilder(l, values, problems)
	login := b.required("login", "admin.users.col.login")
	login.Hint = "admin.users.hint.login"
	role := b.choose("role", "admin.users.col.role", roles)
	role.Required = true
	agency := b.choose("agency_id", "admin.users.col.agency", choices)
	agency.Hint = "admin.users.hint.agency"
	f := b.page("admin.users.new", "", "/admin/users", "/admin/users",
		set("admin.users.form.account", login, b.required("name", "admin.users.col.name"), role, agency))
	s.renderForm(w, r, status, f)
}

// createUser adds an account with a one-time password, which the page
// shows this once; the new user must change it at the first sign-in.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := principalFrom(r)
	f := &formReader{v: values}
	u := &auth.User{Login: f.text("login"), Name: f.text("name"), Role: auth.Role(f.text("role")), AgencyID: f.id("agency_id"),
		MustChangePassword: true}
	if len(f.problems) > 0 {
		s.userForm(w, r, http.StatusBadRequest, values, f.problems)
		return
	}
	// A ministry role is the ministry's to give; an agency role is given
	// by whoever manages that agency's accounts.
	if u.Role.ForUsers() {
		agency, field := u.AgencyID, "agency_id"
		if u.Role.Ministry() {
			agency, field = 0, "role"
		}
		if !p.CanManageAccount(u.Role, agency) {
			s.userForm(w, r, http.StatusForbidden, values, []*apperror.Error{apperror.New(apperror.Forbidden, field, "admin.users.not_yours")})
			return
		}
	}
	password, err := auth.GeneratePassword(auth.NormalizeLogin(u.Login))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.accounts.CreateUser(r.Context(), u, password); err != nil {
		e, ok := apperror.As(err)
		if !ok || (e.Code != apperror.Invalid && e.Code != apperror.Conflict) {
			s.renderError(w, r, err)
			return
		}
		s.userForm(w, r, statusOf(e.Code), values, []*apperror.Error{e})
		return
	}
	s.showPassword(w, r, "admin.users.created.title", u.Login, password)
}

// showPassword shows the one-time password just given to login: how to
// hand it over, that it must be changed, and for how long it signs in.
func (s *Server) showPassword(w http.ResponseWriter, r *http.Request, titleKey, login, password string) {
	l := tr(lang(r))
	valid := int(s.accounts.Settings().TemporaryPasswordValid.Hours())
	s.showSecret(w, r, &secretData{TitleKey: titleKey, SubjectKey: "admin.users.col.login", Subject: login,
		SecretKey: "admin.secret.password", Secret: password,
		Notes: []string{l.t("admin.secret.password_once"), l.t("admin.secret.password_change", valid)},
		Back:  "/admin/users", BackKey: "admin.users.back"})
}

// secretData is a password or token shown once, right after it was made:
// it is stored only as a hash, and this page is never cached.
type secretData struct {
	TitleKey   string
	SubjectKey string
	Subject    string
	SecretKey  string
	Secret     string
	// Notes say how to hand it over and what happens next.
	Notes   []string
	Back    string
	BackKey string
}

func (s *Server) showSecret(w http.ResponseWriter, r *http.Request, d *secretData) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "secret", d.TitleKey, d)
}
