package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
)

// sessionCookie carries a person's session token. It lives as long as the
// browser does; the session itself ends on the server after the idle
// timeout or the absolute lifetime (auth.Settings), whichever comes first.
const sessionCookie = "yeonsok_session"

// mustChangePassword is the error code of an API call by a person who must
// change the password first (403).
const mustChangePassword = "password_change_required"

type principalKey struct{}

// withPrincipal returns a context carrying who makes the request, and the
// actor the audit log records for it.
func withPrincipal(ctx context.Context, p auth.Principal, address string) context.Context {
	ctx = context.WithValue(ctx, principalKey{}, p)
	return access.WithActor(ctx, p.Actor(address))
}

// principalFrom is who makes the request; the zero Principal (nobody, who
// may do nothing and sees nothing) on a public route or before sign-in.
func principalFrom(r *http.Request) auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(auth.Principal)
	return p
}

// scope is what the caller may see: its principal's scope, in every
// handler and every query.
func (s *Server) scope(r *http.Request) access.Scope { return principalFrom(r).Scope() }

// authenticate finds who makes the request: for the API, the bearer token
// when there is one; otherwise the session cookie. Nobody (the zero
// Principal) is no error: the guard decides what nobody may do. ended
// reports a session cookie the server no longer knows (timed out, logged
// out elsewhere, account locked); the cookie is then cleared. ok is false
// when authenticate has answered the request itself: a bad token (401, or
// 429 once the address has sent too many), or a failing database.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (p auth.Principal, ended, ok bool) {
	if raw, bearer := bearerToken(r); bearer && isAPI(r) {
		// A valid token is never refused for its neighbours' mistakes:
		// only bad tokens use up the address's attempts (guessing a token
		// is hopeless, but a flood of guesses still costs a lookup each).
		p, err := s.accounts.TokenPrincipal(r.Context(), raw)
		if err == nil {
			return p, false, true
		}
		if apperror.CodeOf(err) == auth.Unauthorized {
			address := s.clientAddress(r)
			if _, wait, allowed := s.attempts.take(limitKey(address)); !allowed {
				s.tooManyAttempts(w, r, wait)
				return p, false, false
			}
			s.log.Info("bad API token", "address", address, "path", r.URL.Path)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
		s.writeError(w, r, err)
		return p, false, false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return p, false, true
	}
	p, err = s.accounts.SessionPrincipal(r.Context(), c.Value)
	if apperror.CodeOf(err) == auth.Unauthorized {
		s.clearSessionCookie(w, r)
		return auth.Principal{}, true, true
	}
	if err != nil {
		s.fail(w, r, err)
		return p, false, false
	}
	return p, false, true
}

// bearerToken is the token of an "Authorization: Bearer …" header, and
// whether the request carries one.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// askToSignIn answers a request that needs a caller and has none: a page
// goes to the login page, which comes back to it afterwards (only a page
// that is read comes back: a form post is not replayed); the API answers
// 401.
func (s *Server) askToSignIn(w http.ResponseWriter, r *http.Request, ended bool) {
	if isAPI(r) {
		key := "api.unauthorized"
		if ended {
			key = "auth.session_ended"
		}
		w.Header().Set("WWW-Authenticate", "Bearer")
		s.writeError(w, r, apperror.New(auth.Unauthorized, "", key))
		return
	}
	q := url.Values{}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		q.Set("next", r.URL.RequestURI())
	}
	if ended {
		q.Set("ended", "1")
	}
	target := "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// askToChangePassword answers a person who must change the password before
// anything else: a page goes to the password form, the API answers 403.
func (s *Server) askToChangePassword(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		s.writeError(w, r, apperror.New(mustChangePassword, "", "account.password.must_change"))
		return
	}
	http.Redirect(w, r, "/account/password", http.StatusSeeOther)
}

// setSessionCookie gives the browser a session: HttpOnly (no script reads
// it), SameSite=Lax (no other site's form post carries it), Secure when the
// browser reached the tower over HTTPS.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r)})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r)})
}

// sessionToken is the session cookie's value, "" without one.
func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// remoteAddr is the address the connection came from.
func remoteAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// trusted reports whether a is one of the reverse proxies whose forwarding
// headers are believed.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddress is the address of whoever makes the request, as login
// events, sessions and the audit log record it: the connection's address,
// or, when that is a trusted proxy, the last address in X-Forwarded-For
// that is not one (a client may put anything it likes in front).
func (s *Server) clientAddress(r *http.Request) string {
	a, ok := remoteAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !s.trusted(a) {
		return a.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = hop.Unmap()
		if !s.trusted(a) {
			break
		}
	}
	return a.String()
}

// isHTTPS reports whether the browser reached the tower over HTTPS: the
// tower's own TLS, or a trusted proxy that says so in X-Forwarded-Proto.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	a, ok := remoteAddr(r)
	if !ok || !s.trusted(a) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// limitKey is what attempts are counted by: the client's address, or its
// /64 for IPv6, where one client commonly holds a whole /64.
func limitKey(address string) string {
	a, err := netip.ParseAddr(address)
	if err != nil || !a.Is6() {
		return address
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// tooManyAttempts answers a client that has used up its attempts: 429 with
// when to try again, as JSON or as the error page. (The login and password
// forms show it on the form instead.)
func (s *Server) tooManyAttempts(w http.ResponseWriter, r *http.Request, wait int) {
	w.Header().Set("Retry-After", strconv.Itoa(wait))
	s.fail(w, r, apperror.New(rateLimited, "", "account.rate_limited", wait))
}
