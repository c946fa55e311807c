// Package web serves the tower: HTML pages for people and a JSON API under
// /api/v1/ for scripts, both reading and writing through the domain stores.
//
// Who may do what is decided in one place: every route is registered in
// routes.go with a rule (public, signed in, read, write, …), and the guard
// in front of each handler finds the caller — a session cookie, or for the
// API a bearer token — and lets through only whom the rule allows. The
// caller's principal travels in the request's context; what it sees of the
// inventory is its Scope, which every query takes.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/grading"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
	"yeonsok/internal/risk"
	"yeonsok/internal/statuspage"
	"yeonsok/internal/tasks"
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
	db       *database.DB
	store    *inventory.Store
	accounts *auth.Store
	uploads  *transfer.Uploads
	views    *views
	log      *slog.Logger
	mux      *http.ServeMux
	// table is every route with its rule, in the order registered; rules
	// is the same by pattern. Only handle adds to them.
	table []route
	rules map[string]rule
	// attempts limits password and token attempts per client address.
	attempts *limiter
	// trustedProxies are the reverse proxies whose forwarding headers are
	// believed (Options.TrustedProxies).
	trustedProxies []netip.Prefix
	// sso is single sign-on (Options.SSO); nil without it.
	sso *SSO
	// findings caches the data-quality count of the home page per scope,
	// until the inventory changes.
	findings versioned[int]
	// snapshots caches the inventory per scope and latests the systems'
	// latest backup states (all of them: a scope's are picked by its
	// inventory), for the backup pages that judge every system.
	snapshots versioned[*index]
	latests   versioned[map[int64]*backup.Latest]
	// handler is mux behind cross-origin protection: a state-changing
	// request from another origin (a forged form post) is refused.
	handler http.Handler
	// The Plan's records beside the inventory: grade-change proposals,
	// risk entries, and the agencies' tasks with their decisions on
	// proposals.
	grades *grading.Store
	risks  *risk.Store
	tasks  *tasks.Store
	// Monitoring: its records, and the Watcher that holds the live state
	// and takes the agents' results (Options.Watcher).
	monitors *monitor.Store
	watcher  *monitor.Watcher
	// Incidents and their call lists, and how soon an agency must report
	// an outage its probes saw (Options.ReportWithin).
	incidents    *incident.Store
	contacts     *incident.ContactStore
	reportWithin time.Duration
	// Backups as evidence, and how often a restore test is due
	// (Options.RestoreTestEvery).
	backups          *backup.Store
	restoreTestEvery time.Duration
	// public is the citizens' status page, served from memory
	// (Options.StatusPage).
	public *statuspage.Page
}

// Options are the server's settings beyond its stores. The zero value
// serves browsers that reach the tower directly.
type Options struct {
	// TrustedProxies are the reverse proxies in front of the tower. From
	// these addresses only, X-Forwarded-For names the client (for login
	// events, rate limits and the audit log) and X-Forwarded-Proto: https
	// marks the session cookie Secure.
	TrustedProxies []netip.Prefix
	// TrustedOrigins are origins (scheme://host[:port]) whose form posts
	// are accepted although the Host header names another: the address
	// people type, when a reverse proxy in front rewrites Host.
	TrustedOrigins []string
	// SSO, when set, offers single sign-on through the OpenID provider it
	// holds (or will hold: the provider may be set into it after the
	// server starts). Nil: no single sign-on, and its routes answer 404.
	SSO *SSO
	// Watcher is the monitoring that runs beside the server: the live
	// state the status pages show, and where agents' results go. Nil: the
	// pages show what is stored, with every check's live state unknown,
	// and agents' pushes are refused as unavailable.
	Watcher *monitor.Watcher
	// ReportWithin is how soon an agency must report an outage the
	// probes saw before it is flagged unreported; zero:
	// incident.DefaultReportWithin.
	ReportWithin time.Duration
	// StatusPage is the public status page, which serve keeps rebuilt in
	// the background (statuspage.Page.Run). Nil: New makes one on the
	// database and the Watcher, rebuilt only when a request finds it
	// stale.
	StatusPage *statuspage.Page
	// RestoreTestEvery is how often each system's backups must be proven
	// by a restore test; zero: backup.DefaultRestoreTestEvery.
	RestoreTestEvery time.Duration
}

// New builds the server and parses every template; a broken template fails
// here, at start, not in front of a user. accounts decides who is signed
// in and what each may do: every route but the login page, health checks,
// static files, the language switch and the citizens' status page needs a
// session or an API token.
func New(db *database.DB, log *slog.Logger, accounts *auth.Store, opt Options) (*Server, error) {
	v, err := parseViews()
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, store: inventory.NewStore(db), accounts: accounts, uploads: transfer.NewUploads(db), views: v, log: log,
		mux: http.NewServeMux(), rules: map[string]rule{}, attempts: newLimiter(attemptBurst, attemptEvery, attemptClients),
		trustedProxies: opt.TrustedProxies, sso: opt.SSO}
	s.grades, s.risks, s.tasks = grading.NewStore(db), risk.NewStore(db), tasks.NewStore(db)
	s.monitors, s.watcher = monitor.NewStore(db), opt.Watcher
	s.incidents, s.reportWithin = incident.NewStore(db), opt.ReportWithin
	s.contacts = incident.NewContactStore(db)
	s.backups, s.restoreTestEvery = backup.NewStore(db), opt.RestoreTestEvery
	s.public = opt.StatusPage
	if s.public == nil {
		if s.public, err = NewStatusPage(db, opt.Watcher, log); err != nil {
			return nil, err
		}
	}
	s.routes()
	protection := http.NewCrossOriginProtection()
	for _, origin := range opt.TrustedOrigins {
		if err := protection.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("web: trusted origin: %w", err)
		}
	}
	protection.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperror.New(apperror.Forbidden, "", "forbidden.cross_origin"))
	}))
	s.handler = protection.Handler(s.mux)
	return s, nil
}

// NewStatusPage makes the public status page on db with the live states
// of watcher (nil: none), styled by the tower's public stylesheet.
func NewStatusPage(db *database.DB, watcher *monitor.Watcher, log *slog.Logger) (*statuspage.Page, error) {
	var statuses statuspage.Statuses
	if watcher != nil {
		statuses = watcher
	}
	return statuspage.New(db, statuses, statuspage.Options{Stylesheet: assetPaths["public.css"], Log: log})
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
	// Pages hold agencies' weak points: a shared PC's Back button must not
	// show them after sign-out. Static files set their own caching.
	h.Set("Cache-Control", "no-store")
	limit := int64(maxBodyBytes)
	if isUpload(r) {
		limit = maxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	s.handler.ServeHTTP(w, r)
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
}

// isUpload reports whether r may carry an import file, or a backup
// report: 5,000 runs (backup.MaxRunsPerReport) are about 1 MiB of JSON.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/api/v1/import" || r.URL.Path == "/import" || r.URL.Path == "/api/v1/backups")
}

// isAPI reports whether r is for the JSON API (or /metrics, which
// Prometheus scrapes with a token) rather than a page.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == metricsPath
}

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
	case apperror.Unavailable:
		return http.StatusServiceUnavailable
	case auth.Unauthorized:
		return http.StatusUnauthorized
	case mustChangePassword:
		return http.StatusForbidden
	case rateLimited:
		return http.StatusTooManyRequests
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
