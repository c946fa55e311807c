// Package statuspage is the public status page (issue 6): for citizens,
// without signing in, each public service of the ministry and its agencies
// with its state, the current and recent incidents told by the services
// they touch, and how to get a service done by hand while it is in manual
// mode. It tells nothing internal: no system, endpoint, facility, person
// or cause.
//
// The page must hold when everybody looks at once — an outage is exactly
// when citizens come to it. So it is built in the background every few
// seconds (and on demand when stale, at most that often) into finished
// bytes in memory, in each language, plain and gzipped, with its ETag; a
// request only picks the bytes and writes them. Once the page is built, a
// request never reaches the database, a session or the Watcher's lock.
package statuspage

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// Paths of the page and of the same data as JSON.
const (
	Path     = "/public/status"
	JSONPath = "/public/status.json"
)

// DefaultEvery is how often the page is rebuilt.
const DefaultEvery = 5 * time.Second

// maxAge is how long browsers and proxies may keep a copy: a little longer
// than the rebuild, so a crowd behind one proxy costs the tower one
// request per copy, and short enough that a citizen's reload is news.
const maxAge = 10 * time.Second

// buildTimeout bounds one rebuild, so a database that hangs cannot hold
// the rebuilds up for good.
const buildTimeout = 10 * time.Second

//go:embed templates/status.html
var templateFiles embed.FS

// Statuses is the live state of the monitoring (monitor.Watcher).
type Statuses interface {
	Statuses(scope access.Scope, recent bool) []monitor.CheckStatus
}

// Options are the page's settings.
type Options struct {
	// Stylesheet is the URL of its stylesheet (a static file of the web
	// package, under its checksummed path).
	Stylesheet string
	// Every is how often it is rebuilt; DefaultEvery when zero.
	Every time.Duration
	// Log is told of rebuilds that fail; nothing when nil.
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Page is the public status page, kept built in memory.
type Page struct {
	db       *database.DB
	statuses Statuses
	tmpl     *template.Template
	opt      Options

	// current is the latest page built; nil until the first build.
	current atomic.Pointer[snapshot]
	// mu makes rebuilds take turns; lastTry and failing are under it.
	mu      sync.Mutex
	lastTry time.Time
	failing bool
	// kicked is set while a rebuild asked for by a request runs, so a
	// crowd asks for one, not one each.
	kicked atomic.Bool
}

// snapshot is one build: the finished responses.
type snapshot struct {
	built time.Time
	data  *Data
	html  map[locale.Lang]*variant
	json  *variant
}

// variant is one response body, plain and gzipped, with its ETags.
type variant struct {
	body, gz     []byte
	etag, gzETag string
}

// New makes the page on db, with the live states of statuses (nil: no
// monitoring, every service whose systems no incident holds is unknown).
// It builds nothing yet: Run or the first request does.
func New(db *database.DB, statuses Statuses, opt Options) (*Page, error) {
	if opt.Every <= 0 {
		opt.Every = DefaultEvery
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	tmpl, err := template.New("status.html").Funcs(template.FuncMap{"datetime": locale.DateTime}).
		ParseFS(templateFiles, "templates/status.html")
	if err != nil {
		return nil, fmt.Errorf("statuspage: parse template: %w", err)
	}
	p := &Page{db: db, opt: opt, tmpl: tmpl}
	// A nil *Watcher in the interface would not be nil; keep it plain nil.
	if w, ok := statuses.(*monitor.Watcher); !ok || w != nil {
		p.statuses = statuses
	}
	return p, nil
}

// Run rebuilds the page at once and then every Options.Every until ctx
// ends.
func (p *Page) Run(ctx context.Context) {
	ticker := time.NewTicker(p.opt.Every)
	defer ticker.Stop()
	for {
		p.Refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Refresh rebuilds the page now. On failure the page built before stays
// in service (the error is returned and logged once until a build works
// again): stale news with its time on it is better than none.
func (p *Page) Refresh(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshLocked(ctx)
}

func (p *Page) refreshLocked(ctx context.Context) error {
	p.lastTry = p.opt.Now()
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	snap, err := p.build(ctx)
	if err != nil {
		if !p.failing {
			p.opt.Log.Error("public status page: rebuild failed; the last page built stays in service", "err", err)
		}
		p.failing = true
		return err
	}
	if p.failing {
		p.opt.Log.Info("public status page: rebuilt again")
	}
	p.failing = false
	p.current.Store(snap)
	return nil
}

// Data is the data of the page in service (nil before the first build).
func (p *Page) Data() *Data {
	if s := p.current.Load(); s != nil {
		return s.data
	}
	return nil
}

// build reads and renders a new snapshot.
func (p *Page) build(ctx context.Context) (*snapshot, error) {
	now := p.opt.Now()
	rec, err := read(ctx, p.db, now)
	if err != nil {
		return nil, err
	}
	live := Live{}
	if p.statuses != nil {
		live = LiveOf(p.statuses.Statuses(access.All(), false))
	}
	d := assemble(rec, live, now)
	snap := &snapshot{built: now, data: d, html: map[locale.Lang]*variant{}}
	for _, lang := range []locale.Lang{locale.Korean, locale.English} {
		var buf bytes.Buffer
		if err := p.tmpl.Execute(&buf, view{Data: d, Lang: lang, Stylesheet: p.opt.Stylesheet, Every: int(p.opt.Every / time.Second)}); err != nil {
			return nil, fmt.Errorf("statuspage: render %s: %w", lang, err)
		}
		if snap.html[lang], err = newVariant(buf.Bytes()); err != nil {
			return nil, err
		}
	}
	body, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("statuspage: encode json: %w", err)
	}
	if snap.json, err = newVariant(append(body, '\n')); err != nil {
		return nil, err
	}
	return snap, nil
}

// newVariant compresses body and names both forms by their content.
func newVariant(body []byte) (*variant, error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("statuspage: gzip: %w", err)
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("statuspage: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("statuspage: gzip: %w", err)
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	return &variant{body: body, gz: gz.Bytes(), etag: `"` + tag + `"`, gzETag: `"` + tag + `-gz"`}, nil
}

// view is what the template gets.
type view struct {
	*Data
	Lang       locale.Lang
	Stylesheet string
	Every      int
}

// T translates a catalogue key into the page's language.
func (v view) T(key string, args ...any) string { return locale.T(v.Lang, key, args...) }

// Other is the language the page offers to switch to.
func (v view) Other() locale.Lang {
	if v.Lang == locale.English {
		return locale.Korean
	}
	return locale.English
}

// snapshotFor is the page to serve: the one in service, rebuilt in the
// background when it has grown stale (no Run, or Run stuck). Only the very
// first request, before anything was built, waits for a build.
func (p *Page) snapshotFor(ctx context.Context) (*snapshot, error) {
	snap := p.current.Load()
	if snap == nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if snap = p.current.Load(); snap != nil {
			return snap, nil
		}
		if p.opt.Now().Sub(p.lastTry) < p.opt.Every {
			return nil, fmt.Errorf("statuspage: not built yet")
		}
		if err := p.refreshLocked(context.WithoutCancel(ctx)); err != nil {
			return nil, err
		}
		return p.current.Load(), nil
	}
	if p.opt.Now().Sub(snap.built) > p.opt.Every*3/2 && p.kicked.CompareAndSwap(false, true) {
		go func() {
			defer p.kicked.Store(false)
			p.mu.Lock()
			defer p.mu.Unlock()
			// At most once per Every, even while builds fail.
			if p.opt.Now().Sub(p.lastTry) >= p.opt.Every {
				p.refreshLocked(context.Background())
			}
		}()
	}
	return snap, nil
}

// ServeHTML answers the page, in Korean or, with ?lang=en, in English.
// The language is in the address only (not a cookie or Accept-Language),
// so that a shared cache keeps each address's copy right.
func (p *Page) ServeHTML(w http.ResponseWriter, r *http.Request) {
	lang := locale.Korean
	if r.URL.RawQuery != "" && locale.Parse(r.URL.Query().Get("lang")) == locale.English {
		lang = locale.English
	}
	p.serve(w, r, "text/html; charset=utf-8", func(s *snapshot) *variant { return s.html[lang] })
}

// ServeJSON answers the page's data as JSON.
func (p *Page) ServeJSON(w http.ResponseWriter, r *http.Request) {
	p.serve(w, r, "application/json; charset=utf-8", func(s *snapshot) *variant { return s.json })
}

func (p *Page) serve(w http.ResponseWriter, r *http.Request, contentType string, pick func(*snapshot) *variant) {
	h := w.Header()
	snap, err := p.snapshotFor(r.Context())
	if err != nil {
		h.Set("Cache-Control", "no-store")
		h.Set("Retry-After", strconv.Itoa(int(p.opt.Every/time.Second)))
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, locale.T(locale.Korean, "public.unavailable"))
		return
	}
	v := pick(snap)
	body, etag := v.body, v.etag
	gzipped := acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gzipped {
		body, etag = v.gz, v.gzETag
	}
	// The tower's pages say no-store (they hold agencies' weak points);
	// this one is public and meant to be cached.
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", etag)
	if matchesETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (and
// does not refuse it with q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	return false
}

// matchesETag reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match), or is "*".
func matchesETag(header, etag string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}
