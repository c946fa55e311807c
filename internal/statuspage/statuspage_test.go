package statuspage

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yeonsok/internal/database"
	"yeonsok/internal/testdb"
)

// Without a background loop the first request builds the page, and a
// page that cannot be built at all answers 503 that no cache keeps; on
// both databases.
func TestFirstRequestAndUnavailable(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		p, err := New(db, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Data() != nil {
			t.Fatal("New built the page already")
		}
		w := httptest.NewRecorder()
		p.ServeJSON(w, httptest.NewRequest(http.MethodGet, JSONPath, nil))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"agencies": []`) || p.Data() == nil {
			t.Errorf("first request: %d %s", w.Code, w.Body)
		}

		broken, err := New(db, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		w = httptest.NewRecorder()
		broken.ServeHTML(w, httptest.NewRequest(http.MethodGet, Path, nil))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("Retry-After") == "" {
			t.Errorf("nothing built, database closed: %d %v", w.Code, w.Header())
		}
		// The page built before the database closed is still served.
		w = httptest.NewRecorder()
		p.ServeJSON(w, httptest.NewRequest(http.MethodGet, JSONPath, nil))
		if w.Code != http.StatusOK {
			t.Errorf("the built page after the database closed: %d", w.Code)
		}
	})
}

// HEAD gets the headers without the body.
func TestHead(t *testing.T) {
	db := testdb.SQLite(t)
	p, err := New(db, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	p.ServeHTML(w, httptest.NewRequest(http.MethodHead, Path, nil))
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "0" || w.Header().Get("ETag") == "" {
		t.Errorf("HEAD: %d, %d bytes, %v", w.Code, w.Body.Len(), w.Header())
	}
}
