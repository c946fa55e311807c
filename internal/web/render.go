package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// assetPaths maps a static file to its path with a content hash, so that
// browsers may cache it for good and still see a new version at once.
var assetPaths = map[string]string{}

func init() {
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, _ := staticFiles.ReadFile(p)
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		assetPaths[name] = "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		return nil
	})
}

func staticHandler() http.Handler {
	byPath := map[string]string{}
	for name, p := range assetPaths {
		byPath[p] = name
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := byPath[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, _ := staticFiles.ReadFile("static/" + name)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

// views are the parsed pages: each page template joined with the layout.
type views struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"asset":    func(name string) string { return assetPaths[name] },
	"datetime": locale.DateTime,
	"gradeKey": inventory.GradeKey,
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	// bind hands a partial one item together with the page, so that the
	// partial can still translate: {{template "table" (bind $ .Data.Grades)}}.
	"bind": func(p page, item any) boundItem { return boundItem{page: p, Item: item} },
	// inSection reports whether a page path is in the menu section at
	// prefix ("/systems" holds "/systems/3/edit").
	"inSection": func(path, prefix string) bool {
		return path == prefix || strings.HasPrefix(path, prefix+"/")
	},
	// list makes a list in a template: {{range list "1" "2"}}.
	"list": func(items ...string) []string { return items },
	// lines splits a multi-line text field into its non-empty lines.
	"lines": splitLines,
}

// boundItem is a partial's data: the page (for .T, .Lang) and one item.
type boundItem struct {
	page
	Item any
}

// viewRendered, when set (by tests), is told the name of every view
// rendered, so that the suite can fail on a template no test executes.
var viewRendered func(view string)

func parseViews() (*views, error) {
	v := &views{pages: map[string]*template.Template{}}
	layout, err := fs.ReadFile(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: read layout: %w", err)
	}
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list pages: %w", err)
	}
	partials, _ := fs.Glob(templateFiles, "templates/partials/*.html")
	for _, p := range pages {
		t := template.New("layout").Funcs(funcs)
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("web: parse layout: %w", err)
		}
		for _, part := range append(partials, p) {
			body, err := fs.ReadFile(templateFiles, part)
			if err != nil {
				return nil, fmt.Errorf("web: read %s: %w", part, err)
			}
			if _, err := t.New(path.Base(part)).Parse(string(body)); err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", part, err)
			}
		}
		v.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return v, nil
}

// page is what every template gets: the language, the translation method
// and the page's own data.
type page struct {
	Lang locale.Lang
	Path string
	// Here is the page's address with its query, where switching language
	// returns to; a form post returns to its path.
	Here  string
	Title string
	// Record names the record a page shows, when it shows one, so that the
	// browser's title says which: "고용24 · 시스템 · 연속".
	Record string
	Data   any
	// Who is the person signed in, for the header; nil on the login page.
	Who *signedIn
	// may reports whether the caller may use a route, by its pattern.
	may func(pattern string) bool
}

// signedIn is who the header says is signed in.
type signedIn struct {
	Name, Login, Role, Agency string
	// MustChange: nothing but the password form is open to them yet.
	MustChange bool
}

// May reports whether the caller may use the route of pattern, as the
// route table's rule decides: a page offers a button only to whom it
// would let through ({{if .May "POST /systems/{id}/delete"}}).
func (p page) May(pattern string) bool { return p.may != nil && p.may(pattern) }

// recordNamer is page data that names its record.
type recordNamer interface{ RecordName() string }

// T translates a catalogue key in the page's language.
func (p page) T(key string, args ...any) string { return locale.T(p.Lang, key, args...) }

// signedInAs is the person making the request, for the header; nil when
// no one is signed in.
func (s *Server) signedInAs(r *http.Request) *signedIn {
	p := principalFrom(r)
	if p.Kind != auth.KindUser {
		return nil
	}
	ctx := r.Context()
	who := &signedIn{Name: p.Name, Login: p.Name, Role: locale.T(lang(r), p.Role.Key()), MustChange: p.MustChangePassword}
	if u, err := s.accounts.User(ctx, access.All(), p.UserID); err == nil {
		who.Name = u.Name
	}
	if p.AgencyID != 0 {
		if a, err := s.store.Agency(ctx, p.Scope(), p.AgencyID); err == nil {
			who.Agency = a.Name
		}
	}
	return who
}

// render writes a page, or a plain error page if the template fails; the
// page is rendered to a buffer first so a failure never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, data any) {
	t, ok := s.views.pages[name]
	if !ok {
		s.log.Error("no such view", "view", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	l := lang(r)
	p := page{Lang: l, Path: r.URL.Path, Here: r.URL.Path, Title: locale.T(l, titleKey), Data: data, Who: s.signedInAs(r)}
	principal := principalFrom(r)
	p.may = func(pattern string) bool {
		ru, ok := s.rules[pattern]
		return ok && permits(ru, principal)
	}
	if r.Method == http.MethodGet && r.URL.RawQuery != "" {
		p.Here += "?" + r.URL.RawQuery
	}
	if n, ok := data.(recordNamer); ok {
		p.Record = n.RecordName()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "view", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if viewRendered != nil {
		viewRendered(name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
