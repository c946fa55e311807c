package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// tr translates in one language; page builders take one so that tables
// and options are built in the reader's language.
type tr locale.Lang

func (l tr) lang() locale.Lang { return locale.Lang(l) }

func (l tr) t(key string, args ...any) string { return locale.T(locale.Lang(l), key, args...) }

func (l tr) sample(sample bool) []tag {
	if !sample {
		return nil
	}
	return []tag{{Label: l.t("tag.sample"), Class: "sample"}}
}

func (l tr) shared() tag { return tag{Label: l.t("tag.shared"), Class: "shared"} }

// span writes a target or interval: "2시간"; "미설정" when there is none.
func (l tr) span(m *inventory.Minutes) string {
	if m == nil {
		return l.t("value.not_set")
	}
	return locale.Span(locale.Lang(l), int64(*m))
}

// every writes a backup or offsite interval, where 0 means "not done".
func (l tr) every(m *inventory.Minutes) string {
	switch {
	case m == nil:
		return l.t("value.unknown")
	case *m == 0:
		return l.t("value.not_done")
	}
	return l.t("value.every", locale.Span(locale.Lang(l), int64(*m)))
}

func (l tr) grade(g int) string       { return l.t("grade." + inventory.GradeKey(g)) }
func (l tr) operator(o string) string { return l.t("operator." + o) }
func (l tr) state(s string) string {
	if s == "" {
		s = inventory.Unknown
	}
	return l.t("state." + s)
}

// Interval writes a backup or offsite interval in templates.
func (p page) Interval(m *inventory.Minutes) string { return tr(p.Lang).every(m) }

// Target writes a recovery target in templates: "미설정" when unset.
func (p page) Target(m *inventory.Minutes) string { return tr(p.Lang).span(m) }

// index is the inventory in scope with its records by id, read once per
// request in one transaction so that every name on a page agrees.
type index struct {
	inv        *inventory.Inventory
	agency     map[int64]*inventory.Agency
	facility   map[int64]*inventory.Facility
	system     map[int64]*inventory.System
	facilityOf map[int64][]*inventory.System // systems by primary or DR facility
}

func (s *Server) index(r *http.Request) (*index, error) {
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		return nil, err
	}
	return newIndex(inv), nil
}

func newIndex(inv *inventory.Inventory) *index {
	x := &index{inv: inv, agency: map[int64]*inventory.Agency{}, facility: map[int64]*inventory.Facility{},
		system: map[int64]*inventory.System{}, facilityOf: map[int64][]*inventory.System{}}
	for _, a := range inv.Agencies {
		x.agency[a.ID] = a
	}
	for _, f := range inv.Facilities {
		x.facility[f.ID] = f
	}
	for _, s := range inv.Systems {
		x.system[s.ID] = s
		if s.PrimaryFacilityID != nil {
			x.facilityOf[*s.PrimaryFacilityID] = append(x.facilityOf[*s.PrimaryFacilityID], s)
		}
		if s.DRFacilityID != nil {
			x.facilityOf[*s.DRFacilityID] = append(x.facilityOf[*s.DRFacilityID], s)
		}
	}
	return x
}

func (x *index) agencyName(id int64) string {
	if a := x.agency[id]; a != nil {
		return a.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

func (x *index) systemName(id int64) string {
	if s := x.system[id]; s != nil {
		return s.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

// systemLabel is a system with its agency: "고용노동부 · 고용24".
func (x *index) systemLabel(id int64) string {
	if s := x.system[id]; s != nil {
		return x.agencyName(s.AgencyID) + " · " + s.Name
	}
	return x.systemName(id)
}

// agenciesAt are the agencies with systems in a facility (as primary or
// DR site), in registration order.
func (x *index) agenciesAt(facilityID int64) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, s := range x.facilityOf[facilityID] {
		if !seen[s.AgencyID] {
			seen[s.AgencyID] = true
			ids = append(ids, s.AgencyID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// idParam reads the record id of a detail page; a malformed id is a
// record that does not exist.
func idParam(q url.Values, kind string) (int64, error) {
	id, err := strconv.ParseInt(q.Get("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperror.New(apperror.NotFound, "", "not_found."+kind)
	}
	return id, nil
}

// pathID reads {id} from a form's path.
func pathID(r *http.Request, kind string) (int64, error) {
	return idParam(url.Values{"id": {r.PathValue("id")}}, kind)
}

// contains reports whether text contains query, ignoring case and spaces
// around the query.
func contains(text, query string) bool {
	query = strings.TrimSpace(query)
	return query == "" || strings.Contains(strings.ToLower(text), strings.ToLower(query))
}

// splitLines is a multi-line text field's non-empty lines.
func splitLines(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// filterOption is one choice of a list page's filter.
type filterOption struct {
	Value    string
	Label    string
	Selected bool
}

func filterOptions(current string, pairs ...string) []filterOption {
	opts := make([]filterOption, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		opts = append(opts, filterOption{Value: pairs[i], Label: pairs[i+1], Selected: pairs[i] == current})
	}
	return opts
}

// showPage serves a page built by build; a detail page's {id} reaches the
// builder as the query's id, exactly as its exports pass it.
func (s *Server) showPage(view, titleKey string, build pageBuilder) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if id := r.PathValue("id"); id != "" {
			q.Set("id", id)
		}
		data, err := build(s, r, q)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, view, titleKey, data)
	}
}

// keepQuery is the filter part of a query, for export links.
func keepQuery(q url.Values, keys ...string) string {
	kept := url.Values{}
	for _, k := range keys {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	return kept.Encode()
}

// Decimal writes an optional number (a score) in templates; blank when unset.
func (p page) Decimal(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// Count writes an optional whole number with thousands separators.
func (p page) Count(v *int64) string {
	if v == nil {
		return ""
	}
	return thousands(*v)
}

func thousands(n int64) string {
	text := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, text = "-", text[1:]
	}
	for i := len(text) - 3; i > 0; i -= 3 {
		text = text[:i] + "," + text[i:]
	}
	return sign + text
}

// systemGroup is an agency's systems as one group of choices in a form.
func (l tr) systemGroup(x *index, a *inventory.Agency) optionGroup {
	g := optionGroup{Label: a.Name}
	for _, sys := range x.inv.Systems {
		if sys.AgencyID == a.ID {
			g.Options = append(g.Options, option{Value: idValue(sys.ID), Label: l.t("form.system_with_grade", sys.Name, l.grade(sys.Grade))})
		}
	}
	return g
}
