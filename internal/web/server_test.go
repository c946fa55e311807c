package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
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

func TestCrossOriginPostRefused(t *testing.T) {
	ts, _ := newTestServer(t, testdb.SQLite(t))
	req, _ := http.NewRequestWithContext(context.Background(), "POST", ts.URL+"/lang", strings.NewReader("lang=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body apiError
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusForbidden || body.Error.Code != "forbidden" || body.Error.Message == "" {
		t.Fatalf("cross-site form post: %d %+v, want 403 with a JSON error", resp.StatusCode, body)
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
