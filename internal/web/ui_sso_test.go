package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/locale"
	"yeonsok/internal/oidc"
	"yeonsok/internal/oidc/oidctest"
	"yeonsok/internal/testdb"
)

// ssoRig is the tower with single sign-on through a test provider (package
// oidctest: a real one over TLS; no identity provider runs here).
type ssoRig struct {
	ts  *httptest.Server
	srv *Server
	idp *oidctest.Provider
	// log is what the server logged.
	log *lockedBuffer
}

// lockedBuffer is a buffer the server's handlers and the test may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newSSORig(t *testing.T, db *database.DB) *ssoRig {
	t.Helper()
	holder, log := &SSO{}, &lockedBuffer{}
	srv, err := New(db, slog.New(slog.NewTextHandler(log, nil)), auth.NewStore(db, auth.DefaultSettings()), Options{SSO: holder})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	idp := oidctest.New(t, oidctest.Config{RedirectURL: ts.URL + "/login/sso/callback"})
	prov, err := oidc.New(t.Context(), oidc.Config{Issuer: idp.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret,
		RedirectURL: idp.RedirectURL, HTTPClient: idp.Client()})
	if err != nil {
		t.Fatal(err)
	}
	holder.Set(prov)
	return &ssoRig{ts: ts, srv: srv, idp: idp, log: log}
}

// browser is a browser of its own (cookies, redirects shown rather than
// followed) that reaches the tower and trusts the provider.
func (rig *ssoRig) browser(t *testing.T) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, ts: rig.ts, client: &http.Client{Jar: jar, Transport: rig.idp.Transport(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// open gets an absolute URL, as a browser follows a redirect.
func (v *visitor) open(target string) (*http.Response, string) {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	return v.do(req)
}

// toProvider starts single sign-on coming back to next, follows the tower's
// redirect to the provider, and returns where the provider sends the
// browser back (the callback, with a code or an error).
func (rig *ssoRig) toProvider(v *visitor, next string) string {
	v.t.Helper()
	resp, _ := v.get(ssoHref(next))
	where := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(where, rig.idp.URL+"/authorize?") {
		v.t.Fatalf("GET /login/sso: %d to %q, want 303 to the provider", resp.StatusCode, where)
	}
	resp, _ = v.open(where)
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, rig.ts.URL+"/login/sso/callback?") {
		v.t.Fatalf("the provider: %d to %q, want 302 to the callback", resp.StatusCode, back)
	}
	return back
}

// cookieOf is the cookie named name a response sets, nil if none.
func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// A person with an account signs in through the provider and lands on the
// page asked for, with a session that works; the first sign-in links the
// provider's subject to the account, in the audit log, and from then on the
// subject alone finds it. A one-time password an admin gives the account
// later is not theirs to change when they sign in with single sign-on.
func TestSingleSignOn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		rig := newSSORig(t, db)
		f := newScopeFixture(t, rig.srv.store)
		ctx := context.Background()
		u := newAccount(t, rig.srv.accounts, auth.AgencyEditor, f.welfare.ID, false)
		subject := "sso-" + u.Login
		rig.idp.SignInAs(subject, strings.ToUpper(u.Login))
		v := rig.browser(t)

		resp, page := v.get("/login?next=%2Fsystems%3Fgrade%3D1")
		mustContain(t, "login page", page, `<a class="button" href="/login/sso?next=%2Fsystems%3Fgrade%3D1" id="login-sso">통합 로그인(SSO)으로 로그인</a>`)

		resp, _ = v.get("/login/sso?next=%2Fsystems%3Fgrade%3D1")
		attempt := cookieOf(resp, ssoCookie)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Cache-Control") != "no-store" || attempt == nil {
			t.Fatalf("GET /login/sso: %d, Cache-Control %q, cookie %v", resp.StatusCode, resp.Header.Get("Cache-Control"), attempt)
		}
		if attempt.Path != "/login/sso" || attempt.MaxAge != 600 || !attempt.HttpOnly || attempt.SameSite != http.SameSiteLaxMode || attempt.Secure {
			t.Errorf("attempt cookie %+v: want Path=/login/sso, Max-Age=600, HttpOnly, SameSite=Lax, not Secure over HTTP", attempt)
		}
		to, _ := url.Parse(resp.Header.Get("Location"))
		a, err := oidc.ParseAttempt(attempt.Value)
		if err != nil || to.Query().Get("state") != a.State || to.Query().Get("code_challenge") != oidc.Challenge(a.Verifier) ||
			a.Next != "/systems?grade=1" || strings.Contains(to.RawQuery, a.Verifier) {
			t.Fatalf("the redirect %s does not carry the attempt %+v (%v)", to, a, err)
		}
		resp, _ = v.open(to.String())
		callback := resp.Header.Get("Location")
		resp, _ = v.open(callback)
		session := sessionOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems?grade=1" || session == nil {
			t.Fatalf("callback: %d to %q, want 303 to the page asked for with a session\n%s", resp.StatusCode, resp.Header.Get("Location"), rig.log.String())
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
			t.Errorf("session cookie %+v", session)
		}
		if cleared := cookieOf(resp, ssoCookie); cleared == nil || cleared.MaxAge >= 0 || cleared.Path != "/login/sso" {
			t.Errorf("the attempt cookie is not cleared: %+v", cleared)
		}
		resp, page = v.get("/systems?grade=1")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("with the single sign-on session: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		mustContain(t, "signed in", page, `<span id="who-name">`+u.Name+`</span>`, "노동보험시스템")

		// The same callback again: the attempt is spent.
		resp, page = v.open(callback)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, locale.T(locale.Korean, oidc.KeyStale)) || sessionOf(resp) != nil {
			t.Errorf("a replayed callback: %d, want 401 saying the request is stale", resp.StatusCode)
		}

		linked, err := rig.srv.accounts.User(ctx, access.All(), u.ID)
		if err != nil || linked.OIDCSubject != subject {
			t.Fatalf("the account's subject is %q (%v), want %q", linked.OIDCSubject, err, subject)
		}
		entries, err := audit.List(ctx, db, access.All(), audit.Filter{Kind: audit.KindUser, RecordID: u.ID, Action: audit.ActionUpdate})
		if err != nil || len(entries) != 1 || !strings.Contains(string(entries[0].After), `"oidc_subject":"`+subject+`"`) ||
			strings.Contains(string(entries[0].Before), "oidc_subject") {
			t.Fatalf("audit entries of the link: %+v (%v), want one adding the subject", entries, err)
		}

		// Signing in again replaces the session the browser held.
		resp, _ = v.open(rig.toProvider(v, "/"))
		if again := sessionOf(resp); again == nil || again.Value == session.Value {
			t.Fatalf("second sign-in: %d, session %v", resp.StatusCode, again)
		}
		if _, err := rig.srv.accounts.SessionPrincipal(ctx, session.Value); err == nil {
			t.Error("the session held before the second sign-in still works")
		}

		// Linked: the subject finds the account though the login claim
		// changed, and a one-time password given meanwhile need not be
		// changed.
		if _, err := rig.srv.accounts.ResetPassword(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		rig.idp.SignInAs(subject, "someone.else")
		resp, _ = v.open(rig.toProvider(v, "/systems"))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems" || sessionOf(resp) == nil {
			t.Fatalf("sign-in after a password reset: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := v.get("/systems"); resp.StatusCode != http.StatusOK {
			t.Errorf("signed in with single sign-on after a password reset: %d to %q, want the page, no password change", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// Whoever may not sign in is refused on the login page, with 401 and the
// catalogue's words for the error only, and no session: a person without
// an account and a locked account get the very same message; a callback
// that is not this browser's attempt, or a person who declined at the
// provider, are told to start again or that it was cancelled.
func TestSingleSignOnRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		rig := newSSORig(t, db)
		f := newScopeFixture(t, rig.srv.store)
		locked := newAccount(t, rig.srv.accounts, auth.AgencyViewer, f.welfare.ID, false)
		if err := rig.srv.accounts.Lock(context.Background(), locked.ID, time.Time{}, auth.ReasonAdmin); err != nil {
			t.Fatal(err)
		}
		other := newAccount(t, rig.srv.accounts, auth.AgencyViewer, f.welfare.ID, false)
		scenarios := []struct {
			name    string
			prepare func()
			// tamper changes the callback the browser brings back.
			tamper func(v *visitor, callback string) (*visitor, string)
			key    string
			// next is the page the form comes back to: the attempt's,
			// unless the browser has none.
			next string
			// logged is what the log says of it.
			logged string
		}{
			{name: "a person without an account", prepare: func() { rig.idp.SignInAs("sso-nobody", "nobody.here") }, key: "oidc.unauthorized", logged: `login \"nobody.here\"`},
			{name: "a locked account", prepare: func() { rig.idp.SignInAs("sso-locked", locked.Login) }, key: "oidc.unauthorized",
				logged: `subject \"sso-locked\"`},
			{name: "another state", prepare: func() { rig.idp.SignInAs("sso-other", other.Login) },
				tamper: func(v *visitor, callback string) (*visitor, string) {
					u, _ := url.Parse(callback)
					q := u.Query()
					q.Set("state", strings.Repeat("A", 43))
					u.RawQuery = q.Encode()
					return v, u.String()
				}, key: oidc.KeyStale, logged: "the state is not the attempt's"},
			{name: "another browser's callback", prepare: func() { rig.idp.SignInAs("sso-other", other.Login) },
				tamper: func(v *visitor, callback string) (*visitor, string) { return rig.browser(t), callback }, key: oidc.KeyStale, next: "/"},
			{name: "consent declined", prepare: func() {
				rig.idp.SignInAs("sso-other", other.Login)
				rig.idp.Update(func(s *oidctest.Settings) { s.Refuse = "access_denied" })
			}, key: oidc.KeyDenied, logged: "the provider says access_denied"},
			{name: "the provider refuses", prepare: func() {
				rig.idp.SignInAs("sso-other", other.Login)
				rig.idp.Update(func(s *oidctest.Settings) { s.Refuse = "server_error" })
			}, key: oidc.KeyFailed},
			{name: "an ID token for another client", prepare: func() {
				rig.idp.SignInAs("sso-other", other.Login)
				rig.idp.Update(func(s *oidctest.Settings) { s.Claims = func(c map[string]any) { c["aud"] = "portal" } })
			}, key: oidc.KeyFailed, logged: "wrong audience"},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				sc.prepare()
				defer rig.idp.Update(func(s *oidctest.Settings) { s.Claims = nil })
				v := rig.browser(t)
				callback := rig.toProvider(v, "/systems")
				if sc.tamper != nil {
					v, callback = sc.tamper(v, callback)
				}
				resp, page := v.open(callback)
				if resp.StatusCode != http.StatusUnauthorized || sessionOf(resp) != nil {
					t.Fatalf("%d with session %v, want 401 and none", resp.StatusCode, sessionOf(resp))
				}
				next := "/systems"
				if sc.next != "" {
					next = sc.next
				}
				back := "/login"
				if next != "/" {
					back += "?next=" + url.QueryEscape(next)
				}
				mustContain(t, "refusal", page, `<div class="errors" role="alert" id="login-error"><p>`+locale.T(locale.Korean, sc.key)+`</p></div>`,
					`name="next" value="`+next+`"`, `id="login-sso"`, `name="back" value="`+html.EscapeString(back)+`"`)
				if strings.Contains(page, "code=") || strings.Contains(page, "/login/sso/callback") {
					t.Error("the page carries the callback's address")
				}
				for _, detail := range []string{"sso-", "state", "aud", "access_denied", locked.Login, other.Login} {
					if strings.Contains(strings.ToLower(cellText(page)), detail) {
						t.Errorf("the page tells %q", detail)
					}
				}
				if resp, _ := v.get("/systems"); resp.StatusCode != http.StatusSeeOther {
					t.Errorf("after the refusal /systems answers %d, want the login page", resp.StatusCode)
				}
				if !strings.Contains(rig.log.String(), sc.logged) {
					t.Errorf("the log does not say %q:\n%s", sc.logged, rig.log.String())
				}
			})
		}
		if u, _ := rig.srv.accounts.User(context.Background(), access.All(), other.ID); u.OIDCSubject != "" {
			t.Errorf("a refused sign-in linked %q to the account", u.OIDCSubject)
		}

		// The provider cannot be reached for the code: not a refusal but an
		// outage, 500, and the password still works.
		v := rig.browser(t)
		rig.idp.SignInAs("sso-other", other.Login)
		callback := rig.toProvider(v, "/")
		rig.idp.Close()
		resp, page := v.open(callback)
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(page, locale.T(locale.Korean, oidc.KeyUnavailable)) || sessionOf(resp) != nil {
			t.Errorf("provider unreachable: %d, want 500 saying so", resp.StatusCode)
		}
		if resp, _ := call(t, rig.ts, "POST", "/login", signInForm(other.Login, testPassword, "/"), nil); sessionOf(resp) == nil {
			t.Errorf("password sign-in while the provider is down: %d", resp.StatusCode)
		}
	})
}

// Without single sign-on the login page offers none and its routes do not
// exist; with it configured but the provider not reached yet, the link is
// there and says the provider is unavailable. The next page is always one
// of the tower's, and never single sign-on itself (which would loop).
func TestSingleSignOnOffAndNotReady(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, _ := anonymous(t, db, Options{})
		_, page := call(t, ts, "GET", "/login", nil, nil)
		if strings.Contains(page, "login-sso") || strings.Contains(page, "/login/sso") || strings.Contains(page, "통합 로그인") {
			t.Errorf("the login page offers single sign-on the tower does not have")
		}
		for _, path := range []string{"/login/sso", "/login/sso/callback?code=c&state=s"} {
			if resp, page := call(t, ts, "GET", path, nil, nil); resp.StatusCode != http.StatusNotFound || cookieOf(resp, ssoCookie) != nil ||
				!strings.Contains(page, locale.T(locale.Korean, "oidc.not_configured")) {
				t.Errorf("%s without single sign-on: %d, want 404", path, resp.StatusCode)
			}
		}

		ts, _ = anonymous(t, db, Options{SSO: &SSO{}})
		_, page = call(t, ts, "GET", "/login", nil, nil)
		mustContain(t, "login page", page, `href="/login/sso" id="login-sso"`)
		resp, page := call(t, ts, "GET", "/login/sso?next=%2Fsystems", nil, nil)
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(page, locale.T(locale.Korean, oidc.KeyUnavailable)) ||
			cookieOf(resp, ssoCookie) != nil {
			t.Errorf("before the provider is reached: %d, want 500 saying it is unavailable", resp.StatusCode)
		}
		mustContain(t, "not ready", page, `name="next" value="/systems"`)

		for next, want := range map[string]string{
			"/systems/3?tab=dr": "/systems/3?tab=dr", "//evil.example/x": "/", "https://evil.example/": "/",
			"/login/sso": "/", "/login/sso/callback?code=x": "/", "/login": "/", "/logout": "/",
		} {
			if got := nextPath(next); got != want {
				t.Errorf("nextPath(%q) = %q, want %q", next, got, want)
			}
		}

		// Each callback takes one of the client's sign-in attempts.
		for i := range attemptBurst + 1 {
			resp, _ := call(t, ts, "GET", "/login/sso/callback?code=c&state=s", nil, nil)
			want := http.StatusUnauthorized
			if i == attemptBurst {
				want = http.StatusTooManyRequests
			}
			if resp.StatusCode != want {
				t.Fatalf("callback %d: %d, want %d", i+1, resp.StatusCode, want)
			}
		}
	})
}

// An admin sees which accounts are linked to a single sign-on identity and
// unlinks one: the link is gone (audited), the sessions begun with it end,
// and the next single sign-on links again by login.
func TestAdminUnlinksSingleSignOn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		rig := newSSORig(t, db)
		f := newScopeFixture(t, rig.srv.store)
		ctx := context.Background()
		person := newAccount(t, rig.srv.accounts, auth.AgencyEditor, f.welfare.ID, false)
		rig.idp.SignInAs("sso-first", person.Login)
		v := rig.browser(t)
		if resp, _ := v.open(rig.toProvider(v, "/")); sessionOf(resp) == nil {
			t.Fatalf("single sign-on: %d", resp.StatusCode)
		}

		admin := newAccount(t, rig.srv.accounts, auth.AgencyAdmin, f.welfare.ID, false)
		token, err := rig.srv.accounts.NewSession(ctx, admin.ID, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		cookie := &http.Cookie{Name: sessionCookie, Value: token}
		unlink := "/admin/users/" + strconv.FormatInt(person.ID, 10) + "/unlink-sso"
		_, page := call(t, rig.ts, "GET", "/admin/users", nil, nil, cookie)
		row := rowOf(t, htmlTable(t, page, "users"), person.Login)
		if !strings.Contains(row[4], "SSO 연결됨") || !strings.Contains(row[7], "SSO 연결 해제") {
			t.Errorf("the linked account's row %q shows no link or no unlink button", row)
		}
		mustContain(t, "users page", page, `action="`+unlink+`"`)
		if row := rowOf(t, htmlTable(t, page, "users"), admin.Login); strings.Contains(strings.Join(row, " "), "SSO") {
			t.Errorf("an account without a link shows %q", row)
		}

		resp, _ := call(t, rig.ts, "POST", unlink, url.Values{}, nil, cookie)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != usersHref("unlink_sso", person.ID) {
			t.Fatalf("unlink: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, page = call(t, rig.ts, "GET", resp.Header.Get("Location"), nil, nil, cookie)
		mustContain(t, "after unlinking", page, locale.T(locale.Korean, "admin.users.done.unlink_sso", person.Login))
		if row := rowOf(t, htmlTable(t, page, "users"), person.Login); strings.Contains(strings.Join(row, " "), "SSO") {
			t.Errorf("the unlinked account's row still shows %q", row)
		}
		if u, _ := rig.srv.accounts.User(ctx, access.All(), person.ID); u.OIDCSubject != "" {
			t.Errorf("still linked to %q", u.OIDCSubject)
		}
		entries, err := audit.List(ctx, db, access.All(), audit.Filter{Kind: audit.KindUser, RecordID: person.ID, Action: audit.ActionUpdate})
		if err != nil || len(entries) != 2 || entries[0].Actor.ID != admin.ID || strings.Contains(string(entries[0].After), "oidc_subject") {
			t.Errorf("audit of the unlink: %+v (%v), want the admin's entry removing the subject, newest first", entries, err)
		}
		if resp, _ := v.get("/systems"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ended=1") {
			t.Errorf("the single sign-on session still works after the unlink: %d", resp.StatusCode)
		}

		// A new identity at the provider links by login again.
		rig.idp.SignInAs("sso-second", person.Login)
		if resp, _ := v.open(rig.toProvider(v, "/")); sessionOf(resp) == nil {
			t.Fatalf("single sign-on with the new identity: %d", resp.StatusCode)
		}
		if u, _ := rig.srv.accounts.User(ctx, access.All(), person.ID); u.OIDCSubject != "sso-second" {
			t.Errorf("linked to %q, want sso-second", u.OIDCSubject)
		}
	})
}

// In a real browser: a page asked for without a session goes to the login
// page, whose single sign-on button goes through the provider (whose
// authorize endpoint signs the person in at once) and back, to the page
// asked for, signed in. Chromium trusts the test provider's certificate
// only, by its public key.
func TestBrowserSingleSignOn(t *testing.T) {
	db := testdb.SQLite(t)
	rig := newSSORig(t, db)
	spki := sha256.Sum256(rig.idp.Certificate().RawSubjectPublicKeyInfo)
	ctx := browser(t, chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])))
	f := newScopeFixture(t, rig.srv.store)
	u := newAccount(t, rig.srv.accounts, auth.AgencyViewer, f.welfare.ID, false)
	rig.idp.SignInAs("sso-browser", u.Login)

	err := chromedp.Do(ctx,
		chromedp.Navigate(rig.ts.URL+"/systems?grade=1"),
		chromedp.WaitVisible(chromedp.ID("login-sso")),
		chromedp.Click(chromedp.ID("login-sso")),
		chromedp.WaitVisible(chromedp.ID("who-name")),
	)
	if err != nil {
		t.Fatalf("single sign-on in Chromium: %v", err)
	}
	if here := location(t, ctx); here != "/systems?grade=1" {
		t.Errorf("signed in at %s, want /systems?grade=1", here)
	}
	if name := text(t, ctx, "#who-name"); name != u.Name {
		t.Errorf("the header names %q, want %q", name, u.Name)
	}
}
