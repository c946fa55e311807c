package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

// formPage is the data of the one form view every record shares: its
// fields in fieldsets, each field with its own problems next to it, and a
// summary of all problems at the top.
type formPage struct {
	HeadingKey string
	// Name is the record being edited, for the heading and the title.
	Name   string
	Action string
	Cancel string
	// Delete is the action that deletes the record, for records whose
	// only page is their form.
	Delete   string
	Sets     []*fieldset
	Problems []formProblem
}

func (f *formPage) RecordName() string { return f.Name }

type fieldset struct {
	Legend string // catalogue key
	Fields []*field
}

// field is one input. Kinds: text, textarea, number, duration, datetime
// (a datetime-local input), select, checkbox, checkboxes.
type field struct {
	Name     string
	Label    string // catalogue key
	Kind     string
	Value    string
	Hint     string // catalogue key
	HintArgs []any  // fill the hint's placeholders (a default value)
	Required bool
	Checked  bool
	Groups   []optionGroup
	Errors   []string
}

// ID is the element id a <label for> and an error link point at.
func (f *field) ID() string { return "f-" + f.Name }

// HintText is a field's hint in the page's language.
func (p page) HintText(f *field) string { return p.T(f.Hint, f.HintArgs...) }

// DescribedBy lists the ids of the field's hint and errors.
func (f *field) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "h-"+f.Name)
	}
	if len(f.Errors) > 0 {
		ids = append(ids, "e-"+f.Name)
	}
	return strings.Join(ids, " ")
}

type optionGroup struct {
	Label   string
	Options []option
}

type option struct {
	Value    string
	Label    string
	Selected bool
}

// formProblem is one line of the summary above a form that failed.
type formProblem struct {
	Field   string // the field's id, or "" for a problem of the whole record
	Label   string
	Message string
}

// formBuilder builds fields from the submitted (or stored) values, with
// the problems found for each.
type formBuilder struct {
	l      tr
	values url.Values
	errs   map[string][]string
	all    []*apperror.Error
}

func newFormBuilder(l tr, values url.Values, problems []*apperror.Error) *formBuilder {
	b := &formBuilder{l: l, values: values, errs: map[string][]string{}, all: problems}
	for _, p := range problems {
		b.errs[p.Field] = append(b.errs[p.Field], p.Message(l.lang()))
	}
	return b
}

func (b *formBuilder) field(kind, name, label string) *field {
	return &field{Kind: kind, Name: name, Label: label, Value: b.values.Get(name), Errors: b.errs[name]}
}

func (b *formBuilder) text(name, label string) *field { return b.field("text", name, label) }

func (b *formBuilder) required(name, label string) *field {
	f := b.field("text", name, label)
	f.Required = true
	return f
}

func (b *formBuilder) textarea(name, label string) *field { return b.field("textarea", name, label) }

func (b *formBuilder) number(name, label string) *field { return b.field("number", name, label) }

func (b *formBuilder) duration(name, label string) *field {
	f := b.field("duration", name, label)
	f.Hint = "form.hint.duration"
	return f
}

func (b *formBuilder) interval(name, label string) *field {
	f := b.field("duration", name, label)
	f.Hint = "form.hint.interval"
	return f
}

func (b *formBuilder) checkbox(name, label string) *field {
	f := b.field("checkbox", name, label)
	f.Checked = f.Value != ""
	return f
}

// choose is a select box; groups with a label become <optgroup>s.
func (b *formBuilder) choose(name, label string, groups ...optionGroup) *field {
	f := b.field("select", name, label)
	for _, g := range groups {
		for i := range g.Options {
			g.Options[i].Selected = g.Options[i].Value == f.Value
		}
		f.Groups = append(f.Groups, g)
	}
	return f
}

// chooseMany is a set of checkboxes, grouped (by agency) in fieldsets.
func (b *formBuilder) chooseMany(name, label string, groups ...optionGroup) *field {
	f := b.field("checkboxes", name, label)
	chosen := b.values[name]
	for _, g := range groups {
		for i := range g.Options {
			g.Options[i].Selected = slices.Contains(chosen, g.Options[i].Value)
		}
		f.Groups = append(f.Groups, g)
	}
	return f
}

// options makes one unlabelled group of value/label pairs.
func options(pairs ...string) optionGroup {
	var g optionGroup
	for i := 0; i+1 < len(pairs); i += 2 {
		g.Options = append(g.Options, option{Value: pairs[i], Label: pairs[i+1]})
	}
	return g
}

// keyed makes options of values whose labels are catalogue keys prefix+value.
func (b *formBuilder) keyed(prefix string, values ...string) optionGroup {
	var g optionGroup
	for _, v := range values {
		g.Options = append(g.Options, option{Value: v, Label: b.l.t(prefix + v)})
	}
	return g
}

// states are the yes / no / unknown choices of checklists and layers.
func (b *formBuilder) states() optionGroup {
	return b.keyed("state.", inventory.Unknown, inventory.Yes, inventory.No)
}

// page finishes the form: the summary lists every problem, those of a
// field linked to it and the rest (of the whole record) first.
func (b *formBuilder) page(headingKey, name, action, cancel string, sets ...*fieldset) *formPage {
	f := &formPage{HeadingKey: headingKey, Name: name, Action: action, Cancel: cancel, Sets: sets}
	labels := map[string]string{}
	for _, set := range sets {
		for _, fl := range set.Fields {
			labels[fl.Name] = fl.Label
		}
	}
	for _, p := range b.all {
		if _, ok := labels[p.Field]; !ok {
			f.Problems = append(f.Problems, formProblem{Message: p.Message(b.l.lang())})
		}
	}
	for _, set := range sets {
		for _, fl := range set.Fields {
			for _, msg := range fl.Errors {
				f.Problems = append(f.Problems, formProblem{Field: fl.ID(), Label: b.l.t(fl.Label), Message: msg})
			}
		}
	}
	return f
}

func set(legend string, fields ...*field) *fieldset { return &fieldset{Legend: legend, Fields: fields} }

// formReader reads a submitted form into a record, collecting a problem
// for every value that cannot be read (a duration that is not one, a
// number that is not one), so that all of them are shown at once.
type formReader struct {
	v        url.Values
	problems []*apperror.Error
}

func (f *formReader) fail(field, key string, args ...any) {
	f.problems = append(f.problems, apperror.New(apperror.Invalid, field, key, args...))
}

func (f *formReader) text(name string) string { return strings.TrimSpace(f.v.Get(name)) }

// long is a multi-line text, kept as written apart from surrounding blanks
// and Windows line ends.
func (f *formReader) long(name string) string {
	return strings.TrimSpace(strings.ReplaceAll(f.v.Get(name), "\r\n", "\n"))
}

func (f *formReader) bool(name string) bool { return f.v.Get(name) != "" }

func (f *formReader) float(name string) *float64 {
	text := strings.ReplaceAll(f.text(name), ",", "")
	if text == "" {
		return nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		f.fail(name, "form.invalid_number", f.text(name))
		return nil
	}
	return &v
}

func (f *formReader) int(name string) *int64 {
	text := strings.ReplaceAll(f.text(name), ",", "")
	if text == "" {
		return nil
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f.fail(name, "form.invalid_whole_number", f.text(name))
		return nil
	}
	return &v
}

// gigabytes is a size typed in GB (10^9 bytes, decimals allowed), in
// bytes, which must be given; 0 when it is not, or cannot be read.
func (f *formReader) gigabytes(name string) int64 {
	if f.text(name) == "" {
		f.fail(name, "invalid.required")
		return 0
	}
	v := f.float(name)
	if v == nil {
		return 0
	}
	if math.IsNaN(*v) || math.Abs(*v) >= math.MaxInt64/1e9 {
		f.fail(name, "form.invalid_number", f.text(name))
		return 0
	}
	return int64(math.Round(*v * 1e9))
}

// alongside are the problems of reading the form and then those a check
// of the record found (their fields renamed to the form's by fields),
// leaving out the check's of a field that could not be read: a date
// unreadable is not also missing.
func (f *formReader) alongside(checked inventory.Problems, fields map[string]string) []*apperror.Error {
	problems := slices.Clone(f.problems)
	unread := map[string]bool{}
	for _, p := range f.problems {
		unread[p.Field] = true
	}
	for _, p := range checked {
		if name, ok := fields[p.Field]; ok {
			p.Field = name
		}
		if !unread[p.Field] {
			problems = append(problems, p)
		}
	}
	return problems
}

// id is a chosen record; 0 when none was chosen.
func (f *formReader) id(name string) int64 {
	text := f.text(name)
	if text == "" {
		return 0
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil || v <= 0 {
		f.fail(name, "form.invalid_choice")
		return 0
	}
	return v
}

func (f *formReader) idPtr(name string) *int64 {
	if v := f.id(name); v != 0 {
		return &v
	}
	return nil
}

func (f *formReader) ids(name string) []int64 {
	var list []int64
	for _, text := range f.v[name] {
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil || v <= 0 {
			f.fail(name, "form.invalid_choice")
			continue
		}
		list = append(list, v)
	}
	return list
}

// minutes reads a span as people write it ("2h", "30m", "1d", "2시간");
// empty is unset, and a bare 0 is zero (for "not done").
func (f *formReader) minutes(name string) *inventory.Minutes {
	text := f.text(name)
	if text == "" {
		return nil
	}
	if text == "0" {
		var zero inventory.Minutes
		return &zero
	}
	m, err := inventory.ParseMinutes(text)
	if err != nil {
		f.fail(name, "form.invalid_duration", text)
		return nil
	}
	return &m
}

// Values of a record for its form.

func idValue(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func ptrValue(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func floatValue(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func minutesValue(m *inventory.Minutes) string {
	if m == nil {
		return ""
	}
	return m.String()
}

func boolValue(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// readForm parses a submitted form; a body over the limit is the user's
// problem, not an internal error.
func readForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperror.New(apperror.TooLarge, "", "invalid.too_large", tooBig.Limit)
		}
		return nil, apperror.New(apperror.Invalid, "", "form.unreadable")
	}
	return r.PostForm, nil
}

// fromPath fetches the record a form's path names by its {id}, through get
// (a store method): outside the caller's scope it is not found.
func fromPath[T any](s *Server, r *http.Request, kind string, get func(context.Context, access.Scope, int64) (*T, error)) (*T, error) {
	id, err := pathID(r, kind)
	if err != nil {
		return nil, err
	}
	return get(r.Context(), s.scope(r), id)
}

// formPost is what submitting one record's form takes.
type formPost struct {
	// read reads the posted values into the record and returns what is
	// wrong with them.
	read func(values url.Values) []*apperror.Error
	// write saves the record.
	write func(tx *inventory.Tx) error
	// save, when set, saves the record through a store of its own
	// (grade proposals, risks, tasks) instead of write.
	save func() error
	// again shows the form again, with the values as posted.
	again func(status int, values url.Values, problems []*apperror.Error)
	// next is where the browser goes once the record is saved.
	next func() string
}

// submit reads a posted form and writes it through the store when it had no
// problems, then redirects (303) to next(); otherwise, or when the store
// refuses, it shows the form again with the problems. A record that
// vanished is a 404 page.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, post formPost) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	problems := post.read(values)
	if len(problems) == 0 {
		save := post.save
		if save == nil {
			save = func() error { return s.store.Update(r.Context(), s.scope(r), post.write) }
		}
		if err := save(); err != nil {
			e, ok := apperror.As(err)
			if !ok || e.Code == apperror.NotFound || e.Code == apperror.Internal {
				s.renderError(w, r, err)
				return
			}
			problems = []*apperror.Error{e}
		}
	}
	if len(problems) > 0 {
		post.again(statusOf(problems[0].Code), values, problems)
		return
	}
	http.Redirect(w, r, post.next(), http.StatusSeeOther)
}

// remove deletes through the store and redirects to the list; when the
// store refuses (a record still in use) the detail page says why.
func (s *Server) remove(w http.ResponseWriter, r *http.Request, kind string, del func(tx *inventory.Tx, id int64) error,
	list string, detail func(status int, problem string)) {
	s.removeWith(w, r, kind, func(id int64) error {
		return s.store.Update(r.Context(), s.scope(r), func(tx *inventory.Tx) error { return del(tx, id) })
	}, list, detail)
}

// removeWith is remove for a record that del deletes through a store of its
// own (risks).
func (s *Server) removeWith(w http.ResponseWriter, r *http.Request, kind string, del func(id int64) error,
	list string, detail func(status int, problem string)) {
	id, err := pathID(r, kind)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := del(id); err != nil {
		e, ok := apperror.As(err)
		if !ok || e.Code == apperror.NotFound || e.Code == apperror.Internal || detail == nil {
			s.renderError(w, r, err)
			return
		}
		detail(statusOf(e.Code), e.Message(lang(r)))
		return
	}
	http.Redirect(w, r, list, http.StatusSeeOther)
}

// renderForm shows a form; the browser title of an edit form is its
// heading's key with _title ("시스템 수정", the record's name beside it).
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, f *formPage) {
	titleKey := f.HeadingKey
	if f.Name != "" {
		titleKey += "_title"
	}
	s.render(w, r, status, "form", titleKey, f)
}

// problemsOf turns validation problems into the list a form shows.
func problemsOf(p inventory.Problems) []*apperror.Error { return []*apperror.Error(p) }
