package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// refusedLogin is what every failed login says, whatever went wrong.
const refusedLogin = "아이디 또는 비밀번호가 올바르지 않거나, 잠기거나 사용이 중지된 계정입니다"

// anonymous serves the tower on db to a client that is not signed in.
func anonymous(t *testing.T, db *database.DB, opt Options) (*httptest.Server, *Server) {
	t.Helper()
	srv, err := New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, srv
}

// call sends one request as a browser or script would, with the cookies
// and headers given, and does not follow redirects.
func call(t *testing.T, ts *httptest.Server, method, path string, form url.Values, header map[string]string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// sessionOf is the session cookie a response sets, nil if none.
func sessionOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

func signInForm(login, password, next string) url.Values {
	return url.Values{"login": {login}, "password": {password}, "next": {next}}
}

// A person signs in on the login page, is sent back to the page asked for,
// sees who is signed in, and signs out again; the session cookie is
// HttpOnly, SameSite=Lax, for the whole site and gone with the browser.
func TestSignInAndOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv := anonymous(t, db, Options{})
		f := newScopeFixture(t, srv.store)
		u := newAccount(t, srv.accounts, auth.AgencyEditor, f.welfare.ID, false)

		resp, _ := call(t, ts, "GET", "/systems?grade=1", nil, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fsystems%3Fgrade%3D1" {
			t.Fatalf("a page without a session: %d to %q, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, page := call(t, ts, "GET", "/login?next=%2Fsystems%3Fgrade%3D1", nil, nil)
		mustContain(t, "login page", page, `<html lang="ko">`, "<h1>로그인</h1>", `<label for="login">아이디</label>`,
			`<label for="password">비밀번호</label>`, `type="password"`, `name="next" value="/systems?grade=1"`,
			"비밀번호를 5회 연속 틀리면 계정이 30분 동안 잠깁니다")
		if resp.StatusCode != http.StatusOK || strings.Contains(page, "<script") || strings.Contains(page, `id="logout"`) {
			t.Errorf("login page: %d, want 200 with no script and no one signed in", resp.StatusCode)
		}

		for _, sc := range []struct{ name, login, password string }{
			{"wrong password", u.Login, "Wrong-Password-9"},
			{"unknown login", "nobody.at.all", testPassword},
			{"login in other case, wrong password", strings.ToUpper(u.Login), "x"},
		} {
			resp, page := call(t, ts, "POST", "/login", signInForm(sc.login, sc.password, "/systems"), nil)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, refusedLogin) || sessionOf(resp) != nil {
				t.Errorf("%s: %d, want 401 saying only %q and no session", sc.name, resp.StatusCode, refusedLogin)
			}
			mustContain(t, sc.name, page, `name="next" value="/systems"`)
		}
		resp, page = call(t, ts, "POST", "/login", signInForm("", "", ""), nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "아이디와 비밀번호를 모두 입력하십시오") {
			t.Errorf("blank form: %d", resp.StatusCode)
		}

		resp, _ = call(t, ts, "POST", "/login", signInForm(" "+strings.ToUpper(u.Login)+" ", testPassword, "/systems?grade=1"), nil)
		cookie := sessionOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems?grade=1" || cookie == nil {
			t.Fatalf("sign in: %d to %q, want 303 back to the page with a session", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Secure ||
			cookie.MaxAge != 0 || !cookie.Expires.IsZero() || len(cookie.Value) < 40 {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over HTTP, no expiry", cookie)
		}
		resp, page = call(t, ts, "GET", "/systems", nil, nil, cookie)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("with the session: %d", resp.StatusCode)
		}
		mustContain(t, "header", page, `<span id="who-name">`+u.Name+`</span>`, `<span id="who-role">기관 담당자 · 근로복지공단</span>`,
			`<form method="post" action="/logout"><button type="submit" id="logout">로그아웃</button></form>`,
			`<a href="/account/password">비밀번호 변경</a>`)

		resp, _ = call(t, ts, "POST", "/logout", url.Values{}, nil, cookie)
		if cleared := sessionOf(resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" ||
			cleared == nil || cleared.MaxAge >= 0 {
			t.Errorf("logout: %d to %q, cookie %+v; want 303 to /login clearing the cookie", resp.StatusCode, resp.Header.Get("Location"), cleared)
		}
		resp, _ = call(t, ts, "GET", "/systems", nil, nil, cookie)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?ended=1&next=%2Fsystems" {
			t.Errorf("the old cookie after logout: %d to %q, want 303 to the login page saying the session ended",
				resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, page := call(t, ts, "GET", "/login?ended=1&next=%2Fsystems", nil, nil); !strings.Contains(page, "로그인 세션이 끝났습니다") {
			t.Error("the login page does not say the session ended")
		}
	})
}

// After signing in the browser goes only to a page of this site, never to
// the login form again.
func TestSignInGoesOnlyToThisSite(t *testing.T) {
	ts, srv := anonymous(t, testdb.SQLite(t), Options{})
	u := newAccount(t, srv.accounts, auth.MinistryViewer, 0, false)
	for next, want := range map[string]string{
		"/agencies/3": "/agencies/3", "": "/", "//evil.example": "/", "https://evil.example/": "/", "/\\evil.example": "/",
		"/login": "/", "/login?next=/x": "/", "/logout": "/",
	} {
		resp, _ := call(t, ts, "POST", "/login", signInForm(u.Login, testPassword, next), nil)
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("next=%q: %d to %q, want %q", next, resp.StatusCode, got, want)
		}
	}
}

// A person whose password someone else chose may do nothing but change it;
// once changed, the old session is gone and a new one goes on.
func TestMustChangePasswordFirst(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv := anonymous(t, db, Options{})
		u := newAccount(t, srv.accounts, auth.MinistryAdmin, 0, true)
		resp, _ := call(t, ts, "POST", "/login", signInForm(u.Login, testPassword, "/systems"), nil)
		old := sessionOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" || old == nil {
			t.Fatalf("sign in: %d to %q, want the password form", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := call(t, ts, "GET", "/systems", nil, nil, old); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Errorf("a page before the change: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body := call(t, ts, "GET", "/api/v1/systems", nil, nil, old)
		var e apiError
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusForbidden || e.Error.Code != mustChangePassword || !strings.Contains(e.Error.Message, "비밀번호를 바꿔야") {
			t.Errorf("the API before the change: %d %s", resp.StatusCode, body)
		}
		resp, page := call(t, ts, "GET", "/account/password", nil, nil, old)
		mustContain(t, "password form", page, "<h1>비밀번호 변경</h1>", `id="must-change"`, `<label for="current_password">현재 비밀번호</label>`,
			`<label for="password">새 비밀번호</label>`, `<label for="confirm">새 비밀번호 확인</label>`, `id="logout"`)
		if resp.StatusCode != http.StatusOK || strings.Contains(page, `href="/systems"`) {
			t.Errorf("password form: %d; the menu must not offer pages that are still closed", resp.StatusCode)
		}

		const next = "Another-Secret-77"
		for _, sc := range []struct {
			name, current, password, confirm, field, says string
		}{
			{"blank", "", "", "", "current_password", "필수 항목입니다"},
			{"confirmation differs", testPassword, next, next + "x", "confirm", "새 비밀번호와 확인이 다릅니다"},
			{"wrong current password", "Not-The-Password-1", next, next, "current_password", "현재 비밀번호가 올바르지 않습니다"},
			{"too weak", testPassword, "short", "short", "password", "비밀번호는"},
			{"the same again", testPassword, testPassword, testPassword, "password", "최근에 사용한 비밀번호는"},
		} {
			form := url.Values{"current_password": {sc.current}, "password": {sc.password}, "confirm": {sc.confirm}}
			resp, page := call(t, ts, "POST", "/account/password", form, nil, old)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", sc.name, resp.StatusCode)
			}
			mustContain(t, sc.name, page, `id="e-`+sc.field+`"`, sc.says, `<a href="#`+sc.field+`">`)
		}
		form := url.Values{"current_password": {testPassword}, "password": {next}, "confirm": {next}}
		resp, _ = call(t, ts, "POST", "/account/password", form, nil, old)
		fresh := sessionOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || fresh == nil || fresh.Value == old.Value {
			t.Fatalf("change: %d to %q, want 303 home with a new session", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := call(t, ts, "GET", "/", nil, nil, old); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the old session after the change: %d, want it ended", resp.StatusCode)
		}
		if resp, page := call(t, ts, "GET", "/", nil, nil, fresh); resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/systems"`) {
			t.Errorf("home with the new session: %d", resp.StatusCode)
		}
		if resp, _ := call(t, ts, "POST", "/login", signInForm(u.Login, next, ""), nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("sign in with the new password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// Scripts use API tokens: a good one reads, a bad one is 401 without a
// hint, and an address that keeps guessing is refused with 429 before any
// token is looked up. A token opens no page.
func TestBearerTokens(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv := anonymous(t, db, Options{})
		f := newScopeFixture(t, srv.store)
		ctx := context.Background()
		script := &auth.Token{Name: "nightly export", Role: auth.Script, AgencyID: f.welfare.ID}
		token, err := srv.accounts.CreateToken(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		bearer := map[string]string{"Authorization": "Bearer " + token}
		resp, body := call(t, ts, "GET", "/api/v1/systems", nil, bearer)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "노동보험시스템") {
			t.Fatalf("script token: %d %s", resp.StatusCode, body)
		}
		mustNotShow(t, "script token of an agency", body, keisNames...)
		for range attemptBurst + 2 { // good tokens use up no attempts
			if resp, _ := call(t, ts, "GET", "/api/v1/summary", nil, bearer); resp.StatusCode != http.StatusOK {
				t.Fatalf("good token: %d", resp.StatusCode)
			}
		}
		if resp, _ := call(t, ts, "GET", "/systems", nil, bearer); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a token on a page: %d, want the login redirect", resp.StatusCode)
		}

		revoked := &auth.Token{Name: "old script", Role: auth.Script}
		old, err := srv.accounts.CreateToken(ctx, revoked)
		if err == nil {
			err = srv.accounts.RevokeToken(ctx, revoked.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := call(t, ts, "GET", "/api/v1/summary", nil, map[string]string{"Authorization": "Bearer " + old}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", resp.StatusCode)
		}

		resp, body = call(t, ts, "GET", "/api/v1/systems", nil, nil)
		var e apiError
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusUnauthorized || e.Error.Code != auth.Unauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" ||
			!strings.Contains(e.Error.Message, "API 토큰") {
			t.Errorf("no token: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
		for i := range attemptBurst - 1 { // the revoked token was one
			resp, body := call(t, ts, "GET", "/api/v1/systems", nil, map[string]string{"Authorization": "Bearer ysk_guess" + strconv.Itoa(i)})
			json.Unmarshal([]byte(body), &e)
			if resp.StatusCode != http.StatusUnauthorized || e.Error.Code != auth.Unauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
				t.Fatalf("bad token %d: %d %s", i, resp.StatusCode, body)
			}
		}
		resp, body = call(t, ts, "GET", "/api/v1/systems", nil, map[string]string{"Authorization": "Bearer ysk_one-more-guess"})
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusTooManyRequests || e.Error.Code != rateLimited || resp.Header.Get("Retry-After") == "" {
			t.Errorf("after %d bad tokens, another bad one: %d %s, want 429 with Retry-After", attemptBurst, resp.StatusCode, body)
		}
		if resp, _ := call(t, ts, "GET", "/api/v1/systems", nil, bearer); resp.StatusCode != http.StatusOK {
			t.Errorf("a good token from the limited address: %d, want 200: a neighbour's guesses must not lock it out", resp.StatusCode)
		}
		if resp, _ := call(t, ts, "GET", "/systems", nil, bearer); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a page while the address is limited: %d; the limit is on tokens", resp.StatusCode)
		}
	})
}

// Ten failed logins from one address in a row, and the eleventh is refused
// (429) before any password is compared, even a right one.
func TestLoginIsRateLimited(t *testing.T) {
	ts, srv := anonymous(t, testdb.SQLite(t), Options{})
	u := newAccount(t, srv.accounts, auth.MinistryViewer, 0, false)
	for i := range attemptBurst {
		resp, _ := call(t, ts, "POST", "/login", signInForm("nobody"+strconv.Itoa(i), "Wrong-Password-1", ""), nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("try %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, page := call(t, ts, "POST", "/login", signInForm(u.Login, testPassword, ""), nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || sessionOf(resp) != nil ||
		!strings.Contains(page, "시도가 너무 많습니다") || !strings.Contains(page, `id="login"`) {
		t.Errorf("after %d failures: %d, want 429 on the login form", attemptBurst, resp.StatusCode)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2025, 9, 26, 20, 15, 0, 0, time.UTC)
	l := newLimiter(3, 10*time.Second, 2)
	l.now = func() time.Time { return now }
	take := func(key string) (string, bool) {
		from, _, ok := l.take(key)
		return from, ok
	}
	for i := range 3 {
		if _, ok := take("a"); !ok {
			t.Fatalf("attempt %d of a burst of 3 refused", i+1)
		}
	}
	if _, wait, ok := l.take("a"); ok || wait != 10 {
		t.Errorf("4th attempt: ok %v, wait %d s; want refused for 10 s", ok, wait)
	}
	now = now.Add(10 * time.Second)
	if _, ok := take("a"); !ok {
		t.Error("an attempt is back after 10 s")
	}
	// A success gives its attempt back.
	from, ok := take("b")
	l.give(from)
	if !ok || l.level(l.buckets["b"], now) != 3 {
		t.Errorf("after a success b has %.1f attempts, want 3", l.level(l.buckets["b"], now))
	}
	// Full: a and b are mid-burst, so a third client shares the overflow.
	take("b")
	if from, ok := take("c"); !ok || from != overflowKey {
		t.Errorf("a third client took from %q, want the shared %q", from, overflowKey)
	}
	// Once a bucket refills it makes room.
	now = now.Add(time.Minute)
	if from, ok := take("d"); !ok || from != "d" {
		t.Errorf("after the buckets refilled, d took from %q", from)
	}
	if n := len(l.buckets); n > 3 {
		t.Errorf("%d buckets kept, want at most max plus the overflow", n)
	}
}

// Behind a trusted reverse proxy the client is the proxy's last untrusted
// hop and HTTPS is what the proxy says; from anyone else the headers count
// for nothing.
func TestClientAddressAndHTTPS(t *testing.T) {
	srv := &Server{trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	scenarios := []struct {
		name, remote, forwarded, proto string
		address                        string
		https                          bool
	}{
		{"direct", "192.0.2.7:5000", "", "", "192.0.2.7", false},
		{"direct, lying", "192.0.2.7:5000", "203.0.113.1", "https", "192.0.2.7", false},
		{"through the proxy", "10.1.2.3:5000", "203.0.113.1", "https", "203.0.113.1", true},
		{"through two proxies", "10.1.2.3:5000", "203.0.113.1, 10.9.9.9", "https", "203.0.113.1", true},
		{"client puts a hop in front", "10.1.2.3:5000", "198.51.100.66, 203.0.113.1", "http", "203.0.113.1", false},
		{"proxy on IPv6 loopback", "[::1]:5000", "2001:db8::5", "HTTPS", "2001:db8::5", true},
		{"garbage hop", "10.1.2.3:5000", "not-an-address", "", "10.1.2.3", false},
		{"IPv4 in IPv6", "[::ffff:192.0.2.7]:5000", "", "", "192.0.2.7", false},
	}
	for _, sc := range scenarios {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = sc.remote
		if sc.forwarded != "" {
			r.Header.Set("X-Forwarded-For", sc.forwarded)
		}
		if sc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", sc.proto)
		}
		if got := srv.clientAddress(r); got != sc.address {
			t.Errorf("%s: client %q, want %q", sc.name, got, sc.address)
		}
		if got := srv.isHTTPS(r); got != sc.https {
			t.Errorf("%s: HTTPS %v, want %v", sc.name, got, sc.https)
		}
	}
	if got := limitKey("2001:db8:1:2:3:4:5:6"); got != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 clients are limited by /64, got %q", got)
	}
}

// Behind a trusted proxy that says HTTPS the session cookie is Secure, and
// the login is recorded from the client's address, not the proxy's.
func TestSecureCookieBehindProxy(t *testing.T) {
	db := testdb.SQLite(t)
	ts, srv := anonymous(t, db, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	u := newAccount(t, srv.accounts, auth.MinistryViewer, 0, false)
	start := time.Now().Add(-time.Minute)
	resp, _ := call(t, ts, "POST", "/login", signInForm(u.Login, testPassword, ""),
		map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
	if c := sessionOf(resp); c == nil || !c.Secure {
		t.Errorf("cookie behind an HTTPS proxy: %+v, want Secure", c)
	}
	events, err := srv.accounts.LoginEvents(context.Background(), access.All(), start, time.Now().Add(time.Minute))
	if err != nil || len(events) != 1 || events[0].Address != "203.0.113.9" {
		t.Errorf("login events %+v %v, want one from 203.0.113.9", events, err)
	}
}

// What a person may not do is not offered: a viewer's pages have no edit,
// delete or upload buttons; an editor's do, except for what only the
// ministry may change.
func TestPagesOfferOnlyWhatTheRoleMay(t *testing.T) {
	db := testdb.SQLite(t)
	f := newScopeFixture(t, inventory.NewStore(db))
	viewer, _, _ := newServerAs(t, db, auth.AgencyViewer, f.welfare.ID)
	editor, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
	system, agency := systemHref(f.insurance.ID), agencyHref(f.welfare.ID)
	offers := map[string][]string{
		system:     {system + "/edit", system + "/delete", "/dependencies/new?from="},
		"/systems": {`href="/systems/new"`},
		"/import":  {`action="/import"`},
		agency:     {`href="/systems/new?agency=`},
	}
	for path, buttons := range offers {
		_, seen := get(t, viewer, path)
		_, offered := get(t, editor, path)
		for _, b := range buttons {
			if strings.Contains(seen, b) {
				t.Errorf("%s offers a viewer %q", path, b)
			}
			if !strings.Contains(offered, b) {
				t.Errorf("%s does not offer an editor %q", path, b)
			}
		}
	}
	_, page := get(t, editor, agency)
	mustNotShow(t, "an agency page for its editor", page, agency+"/edit", agency+"/delete")
}

// The caller reaches every handler in the request's context, and with it
// the actor the audit log records: who, and from where.
func TestPrincipalAndActorInTheContext(t *testing.T) {
	db := testdb.SQLite(t)
	srv := newServer(t, db)
	srv.handle("GET /api/v1/test/actor", ruleRead, func(w http.ResponseWriter, r *http.Request) {
		srv.writeJSON(w, r, http.StatusOK, map[string]any{"actor": access.ActorFrom(r.Context()), "scope": srv.scope(r).String()})
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	u := newAccount(t, srv.accounts, auth.MinistryViewer, 0, false)
	signIn(t, ts, srv.accounts, u)
	_, body := get(t, ts, "/api/v1/test/actor")
	var got struct {
		Actor access.Actor
		Scope string
	}
	json.Unmarshal([]byte(body), &got)
	if got.Actor.Kind != access.ActorUser || got.Actor.ID != u.ID || got.Actor.Name != u.Login || got.Actor.Address != "127.0.0.1" ||
		got.Scope != "all agencies" {
		t.Errorf("in the handler: %s", body)
	}
}

// Behind a proxy that rewrites Host, the address people type is trusted as
// an origin: its form posts are accepted, another site's still are not.
func TestTrustedOrigin(t *testing.T) {
	db := testdb.SQLite(t)
	plain, _ := anonymous(t, db, Options{})
	behind, _ := anonymous(t, db, Options{TrustedOrigins: []string{"https://yeonsok.example"}})
	form := url.Values{"lang": {"en"}}
	for _, sc := range []struct {
		name   string
		ts     *httptest.Server
		origin string
		status int
	}{
		{"no origin trusted", plain, "https://yeonsok.example", http.StatusForbidden},
		{"the public address", behind, "https://yeonsok.example", http.StatusSeeOther},
		{"another site", behind, "https://evil.example", http.StatusForbidden},
	} {
		resp, _ := call(t, sc.ts, "POST", "/lang", form, map[string]string{"Origin": sc.origin, "Sec-Fetch-Site": "cross-site"})
		if resp.StatusCode != sc.status {
			t.Errorf("%s: %d, want %d", sc.name, resp.StatusCode, sc.status)
		}
	}
	if _, err := New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{TrustedOrigins: []string{"yeonsok.example/x"}}); err == nil {
		t.Error("a malformed trusted origin was accepted")
	}
}
