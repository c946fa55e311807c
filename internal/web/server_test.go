package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// newTestServer serves the tower on db from a real HTTP server.
func newTestServer(t *testing.T, db *database.DB) (*httptest.Server, *inventory.Store) {
	t.Helper()
	srv, err := New(db, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, srv.store
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
	srv, err := New(testdb.SQLite(t), discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	srv.mux.HandleFunc("GET /test/panic", func(http.ResponseWriter, *http.Request) { panic("test") })
	srv.mux.HandleFunc("GET /api/v1/test/panic", func(http.ResponseWriter, *http.Request) { panic("test") })
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
	srv, err := New(testdb.SQLite(t), discardLogger())
	if err != nil {
		t.Fatal(err)
	}
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
