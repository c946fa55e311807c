package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// testPassword meets the password policy; every test account has it.
const testPassword = "Yeonsok-Test-2025!"

// testLogins numbers the test accounts, so that every login is new.
var testLogins atomic.Int64

// newServer builds the tower on db, its accounts on the same database.
func newServer(tb testing.TB, db *database.DB) *Server {
	tb.Helper()
	srv, err := New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// newTestServer serves the tower on db from a real HTTP server, to a
// client signed in as a ministry admin.
func newTestServer(t *testing.T, db *database.DB) (*httptest.Server, *inventory.Store) {
	t.Helper()
	ts, srv, _ := newServerAs(t, db, auth.MinistryAdmin, 0)
	return ts, srv.store
}

// newServerAs serves the tower on db from a real HTTP server, to a client
// signed in through a real session as a new account of role (of agencyID,
// for an agency role).
func newServerAs(tb testing.TB, db *database.DB, role auth.Role, agencyID int64) (*httptest.Server, *Server, *auth.User) {
	tb.Helper()
	srv := newServer(tb, db)
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	u := newAccount(tb, srv.accounts, role, agencyID, false)
	signIn(tb, ts, srv.accounts, u)
	return ts, srv, u
}

// newAccount creates an account of role with testPassword. (Each costs a
// password hash, about 45 ms: create them once per test, not per request.)
func newAccount(tb testing.TB, accounts *auth.Store, role auth.Role, agencyID int64, mustChange bool) *auth.User {
	tb.Helper()
	n := testLogins.Add(1)
	u := &auth.User{Login: fmt.Sprintf("%s.%d", strings.ReplaceAll(string(role), "_", "-"), n), Name: fmt.Sprintf("시험 계정 %d", n),
		Role: role, AgencyID: agencyID, MustChangePassword: mustChange}
	if err := accounts.CreateUser(context.Background(), u, testPassword); err != nil {
		tb.Fatalf("create %s account: %v", role, err)
	}
	return u
}

// signIn starts a session for u and makes ts's client carry its cookie.
func signIn(tb testing.TB, ts *httptest.Server, accounts *auth.Store, u *auth.User) {
	tb.Helper()
	token, err := accounts.NewSession(context.Background(), u.ID, "127.0.0.1", "test")
	if err != nil {
		tb.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(ts.URL)
	jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	ts.Client().Jar = jar
}

// get fetches path and returns status and body.
func get(t *testing.T, ts *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHealthAndReadiness(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, _ := newTestServer(t, db)
		if status, body := get(t, ts, "/healthz"); status != 200 || !strings.Contains(body, `"ok"`) {
			t.Fatalf("healthz: %d %s", status, body)
		}
		status, body := get(t, ts, "/readyz")
		var ready map[string]string
		json.Unmarshal([]byte(body), &ready)
		if status != 200 || ready["database"] != string(db.Dialect) {
			t.Fatalf("readyz: %d %s", status, body)
		}
		db.Close()
		if status, _ := get(t, ts, "/readyz"); status != http.StatusServiceUnavailable {
			t.Fatalf("readyz with the database closed: %d, want 503", status)
		}
	})
}

// A request the cross-origin protection refuses, and one whose handler
// panics, are answered as the caller reads them: a person in a browser gets
// the error page, a script under /api/ gets the JSON error.
func TestRefusalsAndPanicsAnswerInKind(t *testing.T) {
	srv := newServer(t, testdb.SQLite(t))
	srv.handle("GET /test/panic", rulePublic, func(http.ResponseWriter, *http.Request) { panic("test") })
	srv.handle("GET /api/v1/test/panic", rulePublic, func(http.ResponseWriter, *http.Request) { panic("test") })
	ts := httptest.NewServer(srv)
	defer ts.Close()
	scenarios := []struct {
		name, method, path string
		crossSite          bool
		status             int
		code, message      string // JSON answers only
		page               string // page answers only
	}{
		{"cross-site form post", "POST", "/lang", true, http.StatusForbidden, "", "", "다른 사이트에서 보낸 변경 요청은 받을 수 없습니다"},
		{"cross-site API post", "POST", "/api/v1/agencies", true, http.StatusForbidden, "forbidden", "다른 사이트에서 보낸 변경 요청은 받을 수 없습니다", ""},
		{"page panics", "GET", "/test/panic", false, http.StatusInternalServerError, "", "", "내부 오류"},
		{"API panics", "GET", "/api/v1/test/panic", false, http.StatusInternalServerError, "internal", "내부 오류", ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(context.Background(), sc.method, ts.URL+sc.path, strings.NewReader("lang=en"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if sc.crossSite {
				req.Header.Set("Sec-Fetch-Site", "cross-site")
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			kind := resp.Header.Get("Content-Type")
			if resp.StatusCode != sc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, sc.status, body)
			}
			if sc.page != "" {
				if !strings.HasPrefix(kind, "text/html") || !strings.Contains(string(body), "<h1>요청을 처리할 수 없습니다</h1>") ||
					!strings.Contains(string(body), sc.page) {
					t.Fatalf("want the error page saying %q, got %s:\n%s", sc.page, kind, body)
				}
				return
			}
			var e apiError
			if err := json.Unmarshal(body, &e); err != nil || !strings.HasPrefix(kind, "application/json") ||
				e.Error.Code != sc.code || !strings.Contains(e.Error.Message, sc.message) {
				t.Fatalf("want a JSON error %s %q, got %s: %s", sc.code, sc.message, kind, body)
			}
		})
	}
}

// A value that cannot be encoded answers a 500 JSON error, not a 200 with an
// empty body.
func TestWriteJSONEncodeFailureIs500(t *testing.T) {
	srv := newServer(t, testdb.SQLite(t))
	w := httptest.NewRecorder()
	srv.writeJSON(w, httptest.NewRequest("GET", "/api/v1/systems/1", nil), http.StatusOK, map[string]float64{"score_impact": math.NaN()})
	var e apiError
	if err := json.Unmarshal(w.Body.Bytes(), &e); w.Code != http.StatusInternalServerError || err != nil || e.Error.Code != "internal" {
		t.Fatalf("unencodable value: %d %q, want 500 with a JSON error", w.Code, w.Body.String())
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	ts, _ := newTestServer(t, testdb.SQLite(t))
	path := assetPaths["style.css"]
	if !strings.HasPrefix(path, "/static/style.") || path == "/static/style.css" {
		t.Fatalf("style.css served at %q, want a hashed name", path)
	}
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if status, _ := get(t, ts, "/static/style.css"); status != 404 {
		t.Fatalf("unhashed asset path answered %d, want 404", status)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Pages are never kept by the browser; hashed static files are, for good.
func TestPagesAreNotCached(t *testing.T) {
	ts, _ := newTestServer(t, testdb.SQLite(t))
	for _, path := range []string{"/", "/systems", "/api/v1/summary"} {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q, want no-store", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
}
