package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/locale"
)

// The audit log's pages: the list with its filters, a page of each entry
// (before and after, field by field, and its place in the hash chain), and
// the list's export. The route's rule (view_audit) lets in the ministry
// admin, who reads every entry, and agency admins, who read their own
// agency's (audit.List filters by the caller's scope).

const (
	// auditPageSize is how many entries a page of the list shows.
	auditPageSize = 100
	// maxAuditExport is the most entries one export holds: a bigger one
	// is refused, asking for a narrower period, rather than cut short.
	maxAuditExport = 10000
)

// auditData is one page of the audit log.
type auditData struct {
	// The filters as given, for the form.
	From, To, Actor string
	Kinds, Actions  []filterOption
	// Total is how many entries match; First and Last the positions of
	// those shown (1-based), Prev and Next the neighbouring pages.
	Total, First, Last int64
	Prev, Next         string
	// TooManyToExport says the filtered list is longer than one export
	// may be.
	TooManyToExport string
	// Chain is audit.Verify's result, for the ministry admin.
	Chain *chainState
	List  *table
}

func (d *auditData) Tables() []*table { return []*table{d.List} }

// chainState is what the verification of the whole chain found.
type chainState struct {
	OK      bool
	Message string
	Head    string
	Breaks  []string
}

func buildAudit(s *Server, r *http.Request, q url.Values) (tabled, error) {
	return s.auditList(r, q, false)
}

// buildAuditExport is the audit list as its export holds it: every
// matching entry (up to maxAuditExport), not one page.
func buildAuditExport(s *Server, r *http.Request, q url.Values) (tabled, error) {
	return s.auditList(r, q, true)
}

// auditFilter reads the list's filters: dates (KST, both days included),
// kind, action and the actor's name.
func auditFilter(q url.Values) (audit.Filter, error) {
	var f audit.Filter
	day := func(name string) (time.Time, error) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, locale.KST)
		if err != nil {
			return time.Time{}, apperror.New(apperror.Invalid, name, "admin.audit.invalid_date", v)
		}
		return t, nil
	}
	var err error
	if f.From, err = day("from"); err != nil {
		return f, err
	}
	if f.To, err = day("to"); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	f.Kind, f.Action, f.ActorName = q.Get("kind"), q.Get("action"), strings.TrimSpace(q.Get("actor"))
	if f.Kind != "" && !slices.Contains(audit.Kinds, f.Kind) {
		return f, apperror.New(apperror.Invalid, "kind", "admin.audit.invalid_filter", f.Kind)
	}
	if f.Action != "" && !slices.Contains(audit.Actions, f.Action) {
		return f, apperror.New(apperror.Invalid, "action", "admin.audit.invalid_filter", f.Action)
	}
	return f, nil
}

// auditFilterKeys are the query's filters, kept on page and export links.
var auditFilterKeys = []string{"from", "to", "kind", "action", "actor"}

func (s *Server) auditList(r *http.Request, q url.Values, export bool) (*auditData, error) {
	ctx, p, l := r.Context(), principalFrom(r), tr(lang(r))
	f, err := auditFilter(q)
	if err != nil {
		return nil, err
	}
	scope := p.Scope()
	total, err := audit.Count(ctx, s.db, scope, f)
	if err != nil {
		return nil, err
	}
	d := &auditData{From: q.Get("from"), To: q.Get("to"), Actor: f.ActorName, Total: total}
	d.Kinds = filterOptions(f.Kind, "", l.t("filter.all"))
	for _, k := range audit.Kinds {
		d.Kinds = append(d.Kinds, filterOption{Value: k, Label: l.t("audit.kind." + k), Selected: k == f.Kind})
	}
	d.Actions = filterOptions(f.Action, "", l.t("filter.all"))
	for _, a := range audit.Actions {
		d.Actions = append(d.Actions, filterOption{Value: a, Label: l.t("audit.action." + a), Selected: a == f.Action})
	}
	filters := keepQuery(q, auditFilterKeys...)
	if export {
		if total > maxAuditExport {
			return nil, apperror.New(apperror.Invalid, "", "admin.audit.export_too_many", total, maxAuditExport)
		}
		f.Limit = maxAuditExport
	} else {
		page, err := strconv.ParseInt(q.Get("page"), 10, 64)
		if err != nil || page < 1 {
			page = 1
		}
		page = min(page, max((total+auditPageSize-1)/auditPageSize, 1))
		f.Limit, f.Offset = auditPageSize, int((page-1)*auditPageSize)
		d.First, d.Last = int64(f.Offset)+1, min(int64(f.Offset)+auditPageSize, total)
		pageHref := func(n int64) string {
			v, _ := url.ParseQuery(filters)
			if n > 1 {
				v.Set("page", strconv.FormatInt(n, 10))
			}
			if len(v) == 0 {
				return "/audit"
			}
			return "/audit?" + v.Encode()
		}
		if page > 1 {
			d.Prev = pageHref(page - 1)
		}
		if d.Last < total {
			d.Next = pageHref(page + 1)
		}
		if total > maxAuditExport {
			d.TooManyToExport = l.t("admin.audit.export_too_many", total, maxAuditExport)
		}
	}
	entries, err := audit.List(ctx, s.db, scope, f)
	if err != nil {
		return nil, err
	}
	d.List = &table{ID: "entries", Caption: l.t("admin.audit.caption"), Export: "/audit/export/entries", Query: filters,
		Columns: []column{{Label: l.t("admin.audit.col.seq"), Num: true}, {Label: l.t("admin.audit.col.at")}, {Label: l.t("admin.audit.col.actor")},
			{Label: l.t("admin.audit.col.address")}, {Label: l.t("admin.audit.col.what")}}}
	var records map[recordKey]string
	if !export {
		d.List.Columns = append(d.List.Columns, column{Label: l.t("admin.audit.col.record"), Action: true})
		if records, err = s.recordHrefs(r, entries); err != nil {
			return nil, err
		}
	}
	for i := range entries {
		e := &entries[i]
		seq := cell{Text: strconv.FormatInt(e.Seq, 10), Href: auditHref(e.Seq), Num: true, Value: float64(e.Seq)}
		row := []cell{headCell(seq), textCell(auditTime(e.At)), textCell(l.actor(e.Actor)), textCell(e.Actor.Address),
			textCell(e.Describe(l.lang()))}
		if !export {
			record := textCell("")
			if href := records[keyOf(e)]; href != "" {
				record = linkCell(l.t("admin.audit.record_link"), href)
			}
			row = append(row, record)
		}
		d.List.Rows = append(d.List.Rows, row)
	}
	// Walking the whole chain reads and hashes every entry, linear in the
	// log: about 70 ms for 10,000 entries (BenchmarkAuditPage10000Systems,
	// whose page takes 75 ms in all). The tower at the plan's size writes
	// a few thousand entries a year, so this is cheap enough to do on
	// every view of the list, where a break should be seen at once rather
	// than when someone thinks to look. (Nothing can be cached: what it
	// looks for is a change that leaves the head as it was.)
	if !export && p.CanViewAudit(0) {
		rep, err := audit.Verify(ctx, s.db)
		if err != nil {
			return nil, err
		}
		d.Chain = &chainState{OK: rep.OK(), Message: rep.Message(l.lang()), Head: l.t("admin.audit.chain.head", rep.Head.Seq, rep.Head.Hash)}
		for _, b := range rep.Breaks {
			d.Chain.Breaks = append(d.Chain.Breaks, b.Message(l.lang()))
		}
	}
	return d, nil
}

func auditHref(seq int64) string { return "/audit/" + strconv.FormatInt(seq, 10) }

// auditTime is when an entry was written, in KST to the second.
func auditTime(t time.Time) string {
	return locale.Date(t) + " " + t.In(locale.KST).Format("15:04:05")
}

// actor is who made a change: a name and what it is ("hong (사용자)"), or
// the tower itself.
func (l tr) actor(a access.Actor) string {
	if a.Kind == access.ActorSystem {
		return l.t("audit.actor.system")
	}
	return a.Name + " (" + l.t("audit.actor."+a.Kind) + ")"
}

// recordKey names a record of the audit log.
type recordKey struct {
	kind string
	id   int64
}

func keyOf(e *audit.Entry) recordKey {
	if e.RecordID == nil {
		return recordKey{kind: e.Kind}
	}
	return recordKey{kind: e.Kind, id: *e.RecordID}
}

// recordHrefs are where the records the entries are about can be seen now,
// by record: none for a record that is gone, that the caller does not see,
// or that has no page. Each record is looked up once, through the caller's
// scope.
func (s *Server) recordHrefs(r *http.Request, entries []audit.Entry) (map[recordKey]string, error) {
	hrefs := map[recordKey]string{}
	for i := range entries {
		key := keyOf(&entries[i])
		if _, done := hrefs[key]; done || key.id == 0 {
			continue
		}
		href, err := s.recordHref(r, key)
		if err != nil {
			return nil, err
		}
		hrefs[key] = href
	}
	return hrefs, nil
}

// recordHref is where one record can be seen now; "" when nowhere.
func (s *Server) recordHref(r *http.Request, key recordKey) (string, error) {
	ctx, scope, id := r.Context(), s.scope(r), key.id
	var err error
	href := ""
	switch key.kind {
	case audit.KindAgency:
		_, err = s.store.Agency(ctx, scope, id)
		href = agencyHref(id)
	case audit.KindFacility:
		_, err = s.store.Facility(ctx, scope, id)
		href = facilityHref(id)
	case audit.KindSystem:
		_, err = s.store.System(ctx, scope, id)
		href = systemHref(id)
	case audit.KindService:
		_, err = s.store.Service(ctx, scope, id)
		href = serviceHref(id)
	case audit.KindDependency:
		// Dependencies have no page of their own: their form, for whom
		// may change them, or the list.
		_, err = s.store.Dependency(ctx, scope, id)
		href = "/dependencies"
		if s.may(r, "GET /dependencies/{id}/edit") {
			href = "/dependencies/" + strconv.FormatInt(id, 10) + "/edit"
		}
	case audit.KindTask:
		_, err = s.tasks.Task(ctx, scope, id)
		href = taskHref(id)
	case audit.KindUser:
		_, err = s.accounts.User(ctx, scope, id)
		href = "/admin/users"
	case audit.KindToken:
		_, err = s.accounts.Token(ctx, scope, id)
		href = "/admin/tokens"
	case audit.KindRisk:
		_, err = s.risks.Entry(ctx, scope, id)
		href = riskHref(id)
	default:
		return "", nil
	}
	if apperror.CodeOf(err) == apperror.NotFound {
		return "", nil
	}
	return href, err
}

// may reports whether the caller may use the route of pattern.
func (s *Server) may(r *http.Request, pattern string) bool {
	ru, ok := s.rules[pattern]
	return ok && permits(ru, principalFrom(r))
}

// auditEntryData is one entry of the audit log.
type auditEntryData struct {
	Entry       *audit.Entry
	Description string
	At          string
	Actor       string
	Agency      string
	// RecordHref is where the record can be seen now; "" when it is gone
	// or has no page.
	RecordHref string
	// Changes are the record's fields before and after, the changed ones
	// marked; Before and After the whole record as indented JSON.
	Changes       *table
	Before, After string
}

func (d *auditEntryData) RecordName() string { return d.Description }

// showAuditEntry is one entry: who, when, from where, the record before and
// after, and the hashes that chain it to the entry before. An entry the
// caller may not read does not exist (404).
func (s *Server) showAuditEntry(w http.ResponseWriter, r *http.Request) {
	ctx, l := r.Context(), tr(lang(r))
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq <= 0 {
		s.renderError(w, r, apperror.New(apperror.NotFound, "", "admin.audit.not_found"))
		return
	}
	e, err := audit.Get(ctx, s.db, s.scope(r), seq)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &auditEntryData{Entry: e, Description: e.Describe(l.lang()), At: auditTime(e.At), Actor: l.actor(e.Actor),
		Agency: l.t("admin.audit.ministry_only"), Changes: changesTable(l, e.Before, e.After),
		Before: indentJSON(e.Before), After: indentJSON(e.After)}
	if e.AgencyID != nil {
		names, err := s.agencyNames(ctx, r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Agency = l.agencyOrMinistry(*e.AgencyID, names)
	}
	if e.RecordID != nil {
		if d.RecordHref, err = s.recordHref(r, keyOf(e)); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "audit_entry", "admin.audit.entry.title", d)
}

// changesTable sets a record's fields before and after side by side, in
// the record's own order, marking those that changed. A creation has no
// before, a deletion no after.
func changesTable(l tr, before, after json.RawMessage) *table {
	t := &table{ID: "changes", Caption: l.t("admin.audit.changes.caption"),
		Columns: []column{{Label: l.t("admin.audit.changes.field")}, {Label: l.t("admin.audit.changes.before")}, {Label: l.t("admin.audit.changes.after")}}}
	beforeKeys, beforeValues := jsonFields(before)
	afterKeys, afterValues := jsonFields(after)
	keys := afterKeys
	for _, k := range beforeKeys {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		b, inBefore := beforeValues[k]
		a, inAfter := afterValues[k]
		was, is := textCell(jsonText(b)), textCell(jsonText(a))
		if before != nil && after != nil && (inBefore != inAfter || !bytes.Equal(compactValue(b), compactValue(a))) {
			was.Class, is.Class = "changed", "changed"
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell(k)), was, is})
	}
	return t
}

// jsonFields are the fields of a JSON object, in its order, with their
// values; none when raw is not an object.
func jsonFields(raw json.RawMessage) ([]string, map[string]json.RawMessage) {
	values := map[string]json.RawMessage{}
	if raw == nil {
		return nil, values
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, values
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			break
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		keys = append(keys, key)
		values[key] = v
	}
	return keys, values
}

// jsonText is a value as a table shows it: a string as itself, null and a
// missing value as nothing, anything else as compact JSON.
func jsonText(v json.RawMessage) string {
	if v == nil || string(v) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	return string(compactValue(v))
}

func compactValue(v json.RawMessage) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return v
	}
	return buf.Bytes()
}

func indentJSON(v json.RawMessage) string {
	if v == nil {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, v, "", "  "); err != nil {
		return string(v)
	}
	return buf.String()
}
