package statuspage

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"yeonsok/internal/sampledata"
	"yeonsok/internal/testdb"
)

// One rebuild of the page on the plan's sample data (212 systems, 5
// public services), SQLite: the background cost every 5 s.
//
//	go test ./internal/statuspage/ -run '^$' -bench Refresh
func BenchmarkRefreshSample(b *testing.B) {
	db := testdb.SQLite(b)
	ctx := context.Background()
	if err := sampledata.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	p, err := New(db, nil, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := p.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// The handler alone, from memory: what a request costs once routed.
//
//	go test ./internal/statuspage/ -run '^$' -bench ServeHTML
func BenchmarkServeHTML(b *testing.B) {
	db := testdb.SQLite(b)
	ctx := context.Background()
	if err := sampledata.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	p, err := New(db, nil, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, Path, nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		p.ServeHTML(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
