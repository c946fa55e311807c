// Package web serves the tower: HTML pages for people and a JSON API under
// /api/v1/ for scripts, both reading and writing through the domain stores.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/transfer"
)

// Request body limits: forms and JSON are small; an import file may not be.
const (
	maxBodyBytes   = 1 << 20
	maxUploadBytes = 32<<20 + 1<<20
)

// Server holds what the handlers need. Handlers are its methods, one per
// action, named for what they do.
type Server struct {
	db      *database.DB
	store   *inventory.Store
	uploads *transfer.Uploads
	views   *views
	log     *slog.Logger
	mux     *http.ServeMux
	// scopeOf says what a request may see. Until accounts exist (the next
	// issue) the tower serves loopback only and every caller is the
	// ministry; tests set it to serve as one agency.
	scopeOf func(*http.Request) access.Scope
	// findings caches the data-quality count of the home page.
	findings findingCache
	// handler is mux behind cross-origin protection: a state-changing
	// request from another origin (a forged form post) is refused.
	handler http.Handler
}

// New builds the server and parses every template; a broken template fails
// here, at start, not in front of a user.
func New(db *database.DB, log *slog.Logger) (*Server, error) {
	v, err := parseViews()
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, store: inventory.NewStore(db), uploads: transfer.NewUploads(db), views: v, log: log, mux: http.NewServeMux(),
		scopeOf: func(*http.Request) access.Scope { return access.All() }}
	s.routes()
	protection := http.NewCrossOriginProtection()
	protection.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperror.New(apperror.Forbidden, "", "forbidden.cross_origin"))
	}))
	s.handler = protection.Handler(s.mux)
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.showHealth)
	s.mux.HandleFunc("GET /readyz", s.showReadiness)
	s.mux.Handle("GET /static/", staticHandler())
	s.registerAPI()
	s.registerUI()
}

// ServeHTTP applies the tower-wide rules to every request: a panic becomes a
// 500 (the error page, or JSON under /api/) and a log line, bodies are
// size-limited, and pages say who may load what (everything from this
// origin only: the tower runs air-gapped).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			s.fail(w, r, apperror.New(apperror.Internal, "", "internal.error"))
		}
	}()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	limit := int64(maxBodyBytes)
	if isUpload(r) {
		limit = maxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	s.handler.ServeHTTP(w, r)
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
}

// isUpload reports whether r may carry an import file.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/api/v1/import" || r.URL.Path == "/import")
}

// scope is what the caller may see.
func (s *Server) scope(r *http.Request) access.Scope { return s.scopeOf(r) }

// isAPI reports whether r is for the JSON API rather than a page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail answers err in the caller's kind: JSON for the API, the error page
// for a person in a browser (a refused form post, a page that panicked).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.writeError(w, r, err)
		return
	}
	s.renderError(w, r, err)
}

// lang is the caller's language: ?lang=, then the lang cookie, then the
// browser's Accept-Language; Korean when none says otherwise.
func lang(r *http.Request) locale.Lang {
	if v := r.URL.Query().Get("lang"); v != "" {
		return locale.Parse(v)
	}
	if c, err := r.Cookie("lang"); err == nil {
		return locale.Parse(c.Value)
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		return locale.Parse(al)
	}
	return locale.Default
}

func (s *Server) showHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) showReadiness(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		s.writeJSON(w, r, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": string(s.db.Dialect)})
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok", "database": string(s.db.Dialect)})
}

// writeJSON answers v as JSON. It is encoded before anything is sent, so
// that a value that cannot be encoded (a NaN, say) answers a 500 error
// rather than a 200 with an empty body.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.log.Error("encode json", "method", r.Method, "path", r.URL.Path, "err", err)
		e := apperror.New(apperror.Internal, "", "internal.error")
		status = http.StatusInternalServerError
		buf.Reset()
		// An apiError of plain strings always encodes.
		enc.Encode(apiError{Error: apiErrorBody{Code: e.Code, Message: e.Message(lang(r))}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// statusOf maps an error code to an HTTP status, in this one place.
func statusOf(code string) int {
	switch code {
	case apperror.Invalid:
		return http.StatusBadRequest
	case apperror.NotFound:
		return http.StatusNotFound
	case apperror.Conflict:
		return http.StatusConflict
	case apperror.Forbidden:
		return http.StatusForbidden
	case apperror.TooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// apiError is the body of every API error:
// {"error":{"code":…,"message":…,"field":…}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers with err as JSON. An error that is not an
// *apperror.Error is logged and answered with a generic message, so that no
// internal detail reaches the caller.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	l := lang(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = apperror.New(apperror.TooLarge, "", "invalid.too_large", tooBig.Limit)
	}
	e, ok := apperror.As(err)
	if !ok {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = apperror.New(apperror.Internal, "", "internal.error")
	}
	s.writeJSON(w, r, statusOf(e.Code), apiError{Error: apiErrorBody{Code: e.Code, Message: e.Message(l), Field: e.Field}})
}
