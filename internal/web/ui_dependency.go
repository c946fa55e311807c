package web

import (
	"net/http"
	"net/url"
	"strconv"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

func dependencyHref(id int64) string { return "/dependencies/" + strconv.FormatInt(id, 10) }

// dependenciesData is the dependency list with its filters.
type dependenciesData struct {
	Agencies []filterOption
	Kinds    []filterOption
	List     *table
}

func (d *dependenciesData) Tables() []*table { return []*table{d.List} }

func buildDependencies(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	agency, kind := q.Get("agency"), q.Get("kind")
	d := &dependenciesData{}
	pairs := []string{"", l.t("filter.all")}
	for _, a := range x.inv.Agencies {
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(agency, pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, k := range inventory.DependencyKinds {
		pairs = append(pairs, k, l.t("depkind."+k))
	}
	d.Kinds = filterOptions(kind, pairs...)
	d.List = &table{ID: "dependencies", Caption: l.t("dependencies.caption"), Export: exportHref("dependencies", "dependencies"),
		Query: keepQuery(q, "agency", "kind"),
		Columns: []column{{Label: l.t("dependency.from")}, {Label: l.t("dependency.to")}, {Label: l.t("dependency.kind")},
			{Label: l.t("dependency.note")}, {Label: l.t("table.actions"), Action: true}}}
	for _, dep := range x.inv.Dependencies {
		from := x.system[dep.FromSystemID]
		if agency != "" && (from == nil || idValue(from.AgencyID) != agency) {
			continue
		}
		if kind != "" && dep.Kind != kind {
			continue
		}
		d.List.Rows = append(d.List.Rows, []cell{headCell(x.systemCell(dep.FromSystemID)), x.systemCell(dep.ToSystemID),
			textCell(l.t("depkind." + dep.Kind)), textCell(dep.Note),
			linkCell(l.t("dependencies.edit", x.systemName(dep.FromSystemID), x.systemName(dep.ToSystemID)), dependencyHref(dep.ID)+"/edit")})
	}
	return d, nil
}

// Forms.

func dependencyValues(d *inventory.Dependency) url.Values {
	return url.Values{"from_system_id": {idValue(d.FromSystemID)}, "to_system_id": {idValue(d.ToSystemID)},
		"kind": {d.Kind}, "note": {d.Note}}
}

// readDependency reads a dependency; an edit changes only kind and note.
func readDependency(v url.Values, d *inventory.Dependency, isNew bool) []*apperror.Error {
	f := &formReader{v: v}
	if isNew {
		d.FromSystemID, d.ToSystemID = f.id("from_system_id"), f.id("to_system_id")
	}
	d.Kind, d.Note = f.text("kind"), f.long("note")
	if d.Kind == "" {
		d.Kind = "interface"
	}
	return append(f.problems, problemsOf(d.Validate())...)
}

func (s *Server) dependencyForm(w http.ResponseWriter, r *http.Request, status int, d *inventory.Dependency, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	b := newFormBuilder(l, values, problems)
	kind := b.choose("kind", "dependency.kind", b.keyed("depkind.", inventory.DependencyKinds...))
	note := b.textarea("note", "dependency.note")
	if d.ID != 0 {
		name := l.t("dependency.pair", x.systemLabel(d.FromSystemID), x.systemLabel(d.ToSystemID))
		f := b.page("dependency.edit", name, dependencyHref(d.ID), "/dependencies", set("dependency.form.basic", kind, note))
		f.Delete = dependencyHref(d.ID) + "/delete"
		s.renderForm(w, r, status, f)
		return
	}
	groups := func() []optionGroup {
		list := []optionGroup{options("", l.t("form.choose"))}
		for _, a := range x.inv.Agencies {
			g := optionGroup{Label: a.Name}
			for _, sys := range x.inv.Systems {
				if sys.AgencyID == a.ID {
					g.Options = append(g.Options, option{Value: idValue(sys.ID), Label: sys.Name})
				}
			}
			if len(g.Options) > 0 {
				list = append(list, g)
			}
		}
		return list
	}
	from := b.choose("from_system_id", "dependency.from", groups()...)
	from.Required = true
	to := b.choose("to_system_id", "dependency.to", groups()...)
	to.Required = true
	s.renderForm(w, r, status, b.page("dependency.new", "", "/dependencies", "/dependencies",
		set("dependency.form.basic", from, to, kind, note)))
}

func (s *Server) showNewDependency(w http.ResponseWriter, r *http.Request) {
	d := &inventory.Dependency{Kind: "interface"}
	if from, err := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64); err == nil {
		d.FromSystemID = from
	}
	s.dependencyForm(w, r, http.StatusOK, d, dependencyValues(d), nil)
}

func (s *Server) createDependency(w http.ResponseWriter, r *http.Request) {
	d := &inventory.Dependency{}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readDependency(v, d, true) },
		write: func(tx *inventory.Tx) error { return duplicateDependency(tx.CreateDependency(r.Context(), d)) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.dependencyForm(w, r, status, &inventory.Dependency{}, v, problems)
		},
		next: func() string { return "/dependencies" },
	})
}

func (s *Server) showEditDependency(w http.ResponseWriter, r *http.Request) {
	d, err := fromPath(s, r, "dependency", s.store.Dependency)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.dependencyForm(w, r, http.StatusOK, d, dependencyValues(d), nil)
}

func (s *Server) updateDependency(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "dependency", s.store.Dependency)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &inventory.Dependency{ID: stored.ID, FromSystemID: stored.FromSystemID, ToSystemID: stored.ToSystemID}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readDependency(v, d, false) },
		write: func(tx *inventory.Tx) error { return tx.UpdateDependency(r.Context(), d) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.dependencyForm(w, r, status, stored, v, problems)
		},
		next: func() string { return "/dependencies" },
	})
}

func (s *Server) deleteDependency(w http.ResponseWriter, r *http.Request) {
	s.remove(w, r, "dependency", func(tx *inventory.Tx, id int64) error { return tx.DeleteDependency(r.Context(), id) },
		"/dependencies", nil)
}
