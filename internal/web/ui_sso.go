package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/oidc"
)

// Single sign-on through the ministry's OpenID Connect provider (package
// oidc), beside the password form, never instead of it:
//
//   - GET /login/sso starts an attempt (state, nonce, PKCE verifier and the
//     page to go to afterwards), keeps it in a short-lived cookie of its
//     own and sends the browser to the provider;
//   - GET /login/sso/callback is where the provider sends the browser back.
//     The attempt's cookie is read and cleared (an attempt is good once),
//     the code is exchanged for a verified ID token, and
//     auth.Store.PrincipalForOIDC finds the Yeonsok account it belongs to,
//     or refuses: the provider proves who signs in, Yeonsok decides whether
//     they may and as what.
//
// A refusal is logged with its detail and shown on the login page as the
// catalogue message of its error only (oidc.json): one message for every
// account that may not sign in (none, locked, disabled), so that nothing
// says which accounts exist. Without single sign-on configured both routes
// answer 404 and the login page offers no link.

// SSO holds the single sign-on provider for the server. The provider may
// arrive after the server starts — serve reads the provider's discovery
// document in the background, retrying while it cannot be reached — so
// the holder is given to New and the provider set into it later; until
// then single sign-on answers that the provider is unavailable, and
// passwords work as ever. The zero value holds none. It is safe for
// concurrent use.
type SSO struct {
	provider atomic.Pointer[oidc.Provider]
}

// Set makes p the provider single sign-on uses from now on.
func (h *SSO) Set(p *oidc.Provider) { h.provider.Store(p) }

// Provider is the provider, nil while there is none (or no holder).
func (h *SSO) Provider() *oidc.Provider {
	if h == nil {
		return nil
	}
	return h.provider.Load()
}

// The attempt's cookie: only the two single sign-on routes see it, and it
// outlives an attempt by little (a person who takes longer at the provider
// starts again).
const (
	ssoCookie     = "yeonsok_sso"
	ssoCookiePath = "/login/sso"
	ssoAttemptAge = 600 // seconds
)

// ssoHref is the link that starts single sign-on and comes back to next.
func ssoHref(next string) string {
	if next == "" || next == "/" {
		return ssoCookiePath
	}
	return ssoCookiePath + "?" + url.Values{"next": {next}}.Encode()
}

// errSSOOff answers the single sign-on routes of a tower without it.
var errSSOOff = apperror.New(apperror.NotFound, "", "oidc.not_configured")

// startSSO sends the browser to the provider to sign in (303), with a new
// attempt in its cookie. ?next= is the page to go to afterwards, a page of
// this site or the home page.
func (s *Server) startSSO(w http.ResponseWriter, r *http.Request) {
	if s.sso == nil {
		s.renderError(w, r, errSSOOff)
		return
	}
	next := nextPath(r.URL.Query().Get("next"))
	provider := s.sso.Provider()
	if provider == nil {
		s.refuseSSO(w, r, next, providerNotReady())
		return
	}
	a, err := oidc.NewAttempt(next)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: a.Encode(), Path: ssoCookiePath, MaxAge: ssoAttemptAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r)})
	http.Redirect(w, r, provider.AuthCodeURL(a.State, a.Nonce, a.Verifier), http.StatusSeeOther)
}

// finishSSO is where the provider sends the browser back. A success ends
// any session the browser held, starts one (exempt from the password
// rules: the person typed no Yeonsok password) and goes on to the
// attempt's page (303). A failure shows the login form saying why, in the
// words of the error's catalogue key: 401, or 500 when the provider cannot
// be reached. Each try takes one of the client's sign-in attempts, given
// back on success, as at the password form.
func (s *Server) finishSSO(w http.ResponseWriter, r *http.Request) {
	if s.sso == nil {
		s.renderError(w, r, errSSOOff)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	var raw string
	if c, err := r.Cookie(ssoCookie); err == nil {
		raw = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: ssoCookiePath, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r)})
	next := "/"
	a, err := oidc.ParseAttempt(raw)
	if err == nil {
		next = nextPath(a.Next)
	}
	address := s.clientAddress(r)
	from, wait, ok := s.attempts.take(limitKey(address))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		d := s.newLoginData(r, next)
		d.Error = tr(lang(r)).t("account.rate_limited", wait)
		s.render(w, asLoginPage(r, next), http.StatusTooManyRequests, "login", "login.title", d)
		return
	}
	var p auth.Principal
	if err == nil {
		p, err = s.signInSSO(r.Context(), a, r.URL.Query(), address)
	}
	if err != nil {
		s.refuseSSO(w, r, next, err)
		return
	}
	s.attempts.give(from)
	if old := sessionToken(r); old != "" {
		if err := s.accounts.EndSession(r.Context(), old); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	token, err := s.accounts.NewOIDCSession(r.Context(), p.UserID, address, r.UserAgent())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.setSessionCookie(w, r, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signInSSO checks what the provider sent back against the attempt, trades
// the code for a verified ID token and finds the account it belongs to.
func (s *Server) signInSSO(ctx context.Context, a oidc.Attempt, query url.Values, address string) (auth.Principal, error) {
	provider := s.sso.Provider()
	if provider == nil {
		return auth.Principal{}, providerNotReady()
	}
	code, err := a.Callback(query)
	if err != nil {
		return auth.Principal{}, err
	}
	tok, err := provider.Exchange(ctx, code, a.Verifier, a.Nonce)
	if err != nil {
		return auth.Principal{}, err
	}
	p, err := s.accounts.PrincipalForOIDC(ctx, tok.Subject, tok.Login, address)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("account of subject %q, login %q: %w", tok.Subject, tok.Login, err)
	}
	return p, nil
}

// providerNotReady is single sign-on before serve could read the
// provider's discovery document.
func providerNotReady() error {
	return fmt.Errorf("the provider's discovery document has not been read yet: %w",
		apperror.New(apperror.Internal, "", oidc.KeyUnavailable))
}

// refuseSSO logs why single sign-on failed and shows the login form with
// the error's message; an error without one (the database failed) is the
// error page.
func (s *Server) refuseSSO(w http.ResponseWriter, r *http.Request, next string, err error) {
	e, ok := apperror.As(err)
	if !ok {
		s.renderError(w, r, err)
		return
	}
	s.log.Warn("single sign-on refused", "address", s.clientAddress(r), "err", err)
	d := s.newLoginData(r, next)
	d.Error = e.Message(lang(r))
	s.render(w, asLoginPage(r, next), statusOf(e.Code), "login", "login.title", d)
}

// asLoginPage is r as if it asked for the login form, for the form the
// single sign-on routes show: switching the language there comes back to
// the form, not to a spent callback (whose code and state thus stay out of
// the page).
func asLoginPage(r *http.Request, next string) *http.Request {
	r = r.WithContext(r.Context())
	r.URL = &url.URL{Path: "/login"}
	if next != "/" {
		r.URL.RawQuery = url.Values{"next": {next}}.Encode()
	}
	return r
}
