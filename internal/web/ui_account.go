package web

import (
	"net/http"
	"strconv"

	"yeonsok/internal/apperror"
)

// passwordData is the password form.
type passwordData struct {
	// Must: the password was given by someone else and must be changed
	// before anything else.
	Must bool
	// Errors are the problems by field (current_password, password,
	// confirm); Error is one that belongs to no field.
	Errors map[string]string
	Error  string
}

// Fields lists the fields with a problem, in the form's order, for the
// summary above it.
func (d *passwordData) Fields() []string {
	var list []string
	for _, f := range []string{"current_password", "password", "confirm"} {
		if d.Errors[f] != "" {
			list = append(list, f)
		}
	}
	return list
}

func (s *Server) showPasswordForm(w http.ResponseWriter, r *http.Request) {
	d := &passwordData{Must: principalFrom(r).MustChangePassword}
	s.render(w, r, http.StatusOK, "password", "account.password.title", d)
}

// changePassword changes the signed-in person's own password. auth ends
// every session of the account, this one included, so a new one starts
// here and the browser goes home.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := principalFrom(r)
	l := tr(lang(r))
	d := &passwordData{Must: p.MustChangePassword, Errors: map[string]string{}}
	current, next := values.Get("current_password"), values.Get("password")
	if current == "" {
		d.Errors["current_password"] = l.t("invalid.required")
	}
	switch {
	case next == "":
		d.Errors["password"] = l.t("invalid.required")
	case values.Get("confirm") != next:
		d.Errors["confirm"] = l.t("account.password.mismatch")
	}
	if len(d.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "password", "account.password.title", d)
		return
	}
	from, wait, ok := s.attempts.take(limitKey(s.clientAddress(r)))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		d.Error = l.t("account.rate_limited", wait)
		s.render(w, r, http.StatusTooManyRequests, "password", "account.password.title", d)
		return
	}
	err = s.accounts.ChangePassword(r.Context(), p.UserID, current, next)
	if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
		field := e.Field
		if field != "current_password" {
			field = "password"
			s.attempts.give(from) // the current password was right
		}
		d.Errors[field] = e.Message(l.lang())
		s.render(w, r, http.StatusBadRequest, "password", "account.password.title", d)
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.attempts.give(from)
	if !s.startSession(w, r, p.UserID) {
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
