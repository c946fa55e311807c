package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
)

// loginData is the login form.
type loginData struct {
	// Next is where the browser goes once signed in: a path of this site.
	Next  string
	Login string
	// Notice says why the form is shown (a session that ended); Error why
	// the last try failed, in the same words whatever went wrong.
	Notice, Error string
	// Policy says when an account locks.
	Policy string
	// SSOHref starts single sign-on, coming back to Next; "" when the
	// tower has none.
	SSOHref string
}

func (s *Server) newLoginData(r *http.Request, next string) *loginData {
	l := tr(lang(r))
	set := s.accounts.Settings()
	d := &loginData{Next: nextPath(next),
		Policy: l.t("login.policy", set.MaxFailedLogins, locale.Span(l.lang(), int64(set.LockoutDuration.Minutes())))}
	if s.sso != nil {
		d.SSOHref = ssoHref(d.Next)
	}
	return d
}

// nextPath is where to go after signing in: next if it is a page of this
// site other than signing in or out (the login form, single sign-on, which
// would only start again), otherwise the home page.
func nextPath(next string) string {
	next = localPath(next)
	if u, err := url.Parse(next); err != nil || u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") || u.Path == "/logout" {
		return "/"
	}
	return next
}

// showLogin is the login form. ?next= is the page to go to afterwards;
// ?ended=1 says that a session ended (timed out, or the account was locked).
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := s.newLoginData(r, q.Get("next"))
	if q.Get("ended") == "1" {
		d.Notice = tr(lang(r)).t("auth.session_ended")
	}
	s.render(w, r, http.StatusOK, "login", "login.title", d)
}

// login checks a login and password and starts a session. Whatever went
// wrong — no such login, a wrong password, a locked or disabled account —
// the form says the same (auth.Authenticate takes as long for each), with
// 401. A client that has failed too often lately is refused (429) before
// any password is compared.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	l := tr(lang(r))
	d := s.newLoginData(r, values.Get("next"))
	d.Login = values.Get("login")
	login, password := strings.TrimSpace(d.Login), values.Get("password")
	if login == "" || password == "" {
		d.Error = l.t("login.required")
		s.render(w, r, http.StatusBadRequest, "login", "login.title", d)
		return
	}
	address := s.clientAddress(r)
	from, wait, ok := s.attempts.take(limitKey(address))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		d.Error = l.t("account.rate_limited", wait)
		s.render(w, r, http.StatusTooManyRequests, "login", "login.title", d)
		return
	}
	p, err := s.accounts.Authenticate(r.Context(), login, password, address)
	if e, ok := apperror.As(err); ok && e.Code == auth.Unauthorized {
		d.Error = e.Message(l.lang())
		s.render(w, r, http.StatusUnauthorized, "login", "login.title", d)
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.attempts.give(from)
	// A session the browser still held ends: every sign-in gets a new id.
	if old := sessionToken(r); old != "" {
		if err := s.accounts.EndSession(r.Context(), old); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if !s.startSession(w, r, p.UserID) {
		return
	}
	next := d.Next
	if p.MustChangePassword {
		next = "/account/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// startSession starts a session for the user and gives the browser its
// cookie; on failure it shows the error page and reports false.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64) bool {
	token, err := s.accounts.NewSession(r.Context(), userID, s.clientAddress(r), r.UserAgent())
	if err != nil {
		s.renderError(w, r, err)
		return false
	}
	s.setSessionCookie(w, r, token)
	return true
}

// logout ends the browser's session and goes to the login form.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.EndSession(r.Context(), sessionToken(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
