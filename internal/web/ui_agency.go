package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

// agenciesData is the agency list with its name filter.
type agenciesData struct {
	Q    string
	List *table
}

func (d *agenciesData) Tables() []*table { return []*table{d.List} }

func buildAgencies(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	sum := inventory.Summarize(x.inv.Agencies, x.inv.Facilities, inventory.Facts(x.inv.Systems))
	services := map[int64]int{}
	for _, svc := range x.inv.Services {
		services[svc.AgencyID]++
	}
	d := &agenciesData{Q: q.Get("q")}
	d.List = &table{ID: "agencies", Caption: l.t("agencies.caption"), Export: exportHref("agencies", "agencies"), Query: keepQuery(q, "q"),
		Columns: []column{{Label: l.t("agency.name")}, {Label: l.t("agency.short_name")}, {Label: l.t("agency.parent")},
			{Label: l.t("home.col.systems"), Num: true}, {Label: l.t("home.col.facilities"), Num: true}, {Label: l.t("agencies.col.services"), Num: true}}}
	perAgency := map[int64]*inventory.AgencySummary{}
	for _, as := range sum.PerAgency {
		perAgency[as.ID] = as
	}
	for _, a := range x.inv.Agencies {
		if !contains(a.Name+" "+a.ShortName, d.Q) {
			continue
		}
		parent := ""
		if a.ParentID != nil {
			parent = x.agencyName(*a.ParentID)
		}
		as := perAgency[a.ID]
		d.List.Rows = append(d.List.Rows, []cell{headCell(linkCell(a.Name, agencyHref(a.ID), l.sample(a.Sample)...)),
			textCell(a.ShortName), textCell(parent), intCell(as.Systems), intCell(as.Facilities), intCell(services[a.ID])})
	}
	return d, nil
}

func agencyHref(id int64) string { return "/agencies/" + strconv.FormatInt(id, 10) }

// agencyData is one agency: its fields, grade counts, systems, facilities
// and services.
type agencyData struct {
	Agency     *inventory.Agency
	Parent     string
	Problem    string
	Grades     *table
	Systems    *table
	Facilities *table
	Services   *table
	// Unreported are the agency's incidents that probes or alerts saw and
	// nobody reported in time.
	Unreported *table
	// Contacts is the agency's call list; AddContact the form that adds
	// to it, for whom may.
	Contacts   *table
	AddContact string
	// Backups are the agency's systems whose backups are late, missing or
	// failed, or whose exposure exceeds a target (issue 7).
	Backups *table
}

func (d *agencyData) RecordName() string { return d.Agency.Name }
func (d *agencyData) Tables() []*table {
	return []*table{d.Grades, d.Systems, d.Facilities, d.Services, d.Unreported, d.Contacts, d.Backups}
}

func buildAgency(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	id, err := idParam(q, "agency")
	if err != nil {
		return nil, err
	}
	a, err := s.store.Agency(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	d := &agencyData{Agency: a}
	if a.ParentID != nil {
		d.Parent = x.agencyName(*a.ParentID)
	}
	export := func(tableID string) string { return exportHref("agency", tableID) }
	query := url.Values{"id": {strconv.FormatInt(id, 10)}}.Encode()

	var own []*inventory.System
	grades := map[string]int{}
	for _, sys := range x.inv.Systems {
		if sys.AgencyID == id {
			own = append(own, sys)
			grades[inventory.GradeKey(sys.Grade)]++
		}
	}
	d.Grades = &table{ID: "grades", Caption: l.t("agency.grades.caption"), Export: export("grades"), Query: query,
		Columns: []column{{Label: l.t("system.grade")}, {Label: l.t("home.col.systems"), Num: true}}}
	for _, g := range inventory.GradeKeys {
		d.Grades.Rows = append(d.Grades.Rows, []cell{headCell(linkCell(l.t("grade."+g), systemsFilterHref(id, g))), intCell(grades[g])})
	}
	d.Grades.Foot = [][]cell{{headCell(textCell(l.t("home.row.total"))), intCell(len(own))}}

	d.Systems = systemsTable(l, x, own, "systems", l.t("agency.systems.caption"), export("systems"), query, false)

	d.Facilities = &table{ID: "facilities", Caption: l.t("agency.facilities.caption"), Export: export("facilities"), Query: query,
		Columns: []column{{Label: l.t("home.col.facility")}, {Label: l.t("home.col.operator")},
			{Label: l.t("agency.col.primary_here"), Num: true}, {Label: l.t("agency.col.dr_here"), Num: true}}}
	for _, f := range x.inv.Facilities {
		primary, dr := 0, 0
		for _, sys := range own {
			if sys.PrimaryFacilityID != nil && *sys.PrimaryFacilityID == f.ID {
				primary++
			}
			if sys.DRFacilityID != nil && *sys.DRFacilityID == f.ID {
				dr++
			}
		}
		if primary+dr == 0 {
			continue
		}
		tags := l.sample(f.Sample)
		if len(x.agenciesAt(f.ID)) > 1 {
			tags = append(tags, l.shared())
		}
		d.Facilities.Rows = append(d.Facilities.Rows, []cell{headCell(linkCell(f.Name, facilityHref(f.ID), tags...)),
			textCell(l.operator(f.Operator)), intCell(primary), intCell(dr)})
	}

	var services []*inventory.Service
	for _, svc := range x.inv.Services {
		if svc.AgencyID == id {
			services = append(services, svc)
		}
	}
	d.Services = servicesTable(l, x, services, "services", l.t("agency.services.caption"), export("services"), query, false)
	if d.Unreported, err = s.agencyUnreported(r, id); err != nil {
		return nil, err
	}
	if d.Contacts, err = s.agencyContacts(r, id, query); err != nil {
		return nil, err
	}
	if d.Backups, err = s.agencyBackups(r, x, id, query); err != nil {
		return nil, err
	}
	if s.may(r, "GET /agencies/{id}/contacts/new") {
		d.AddContact = agencyHref(id) + "/contacts/new"
	}
	return d, nil
}

// systemsFilterHref is the system list of one agency and grade.
func systemsFilterHref(agencyID int64, grade string) string {
	return "/systems?" + url.Values{"agency": {strconv.FormatInt(agencyID, 10)}, "grade": {grade}}.Encode()
}

// Forms.

func agencyValues(a *inventory.Agency) url.Values {
	return url.Values{"name": {a.Name}, "short_name": {a.ShortName}, "parent_id": {ptrValue(a.ParentID)},
		"contact": {a.Contact}, "sample": {boolValue(a.Sample)}}
}

func readAgency(v url.Values, a *inventory.Agency) []*apperror.Error {
	f := &formReader{v: v}
	a.Name = f.text("name")
	a.ShortName = f.text("short_name")
	a.ParentID = f.idPtr("parent_id")
	a.Contact = f.long("contact")
	a.Sample = f.bool("sample")
	return append(f.problems, problemsOf(a.Validate())...)
}

func (s *Server) agencyForm(w http.ResponseWriter, r *http.Request, status int, a *inventory.Agency, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	agencies, err := s.store.Agencies(r.Context(), s.scope(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	parents := options("", l.t("form.none"))
	for _, p := range agencies {
		if p.ID != a.ID {
			parents.Options = append(parents.Options, option{Value: idValue(p.ID), Label: p.Name})
		}
	}
	b := newFormBuilder(l, values, problems)
	sample := b.checkbox("sample", "field.sample")
	sample.Hint = "form.hint.sample"
	sets := []*fieldset{
		set("agency.form.basic", b.required("name", "agency.name"), b.text("short_name", "agency.short_name"),
			b.choose("parent_id", "agency.parent", parents), b.textarea("contact", "agency.contact")),
		set("form.set.record", sample),
	}
	if a.ID == 0 {
		s.renderForm(w, r, status, b.page("agency.new", "", "/agencies", "/agencies", sets...))
		return
	}
	s.renderForm(w, r, status, b.page("agency.edit", a.Name, agencyHref(a.ID), agencyHref(a.ID), sets...))
}

func (s *Server) showNewAgency(w http.ResponseWriter, r *http.Request) {
	a := &inventory.Agency{}
	s.agencyForm(w, r, http.StatusOK, a, agencyValues(a), nil)
}

func (s *Server) createAgency(w http.ResponseWriter, r *http.Request) {
	a := &inventory.Agency{}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readAgency(v, a) },
		write: func(tx *inventory.Tx) error { return tx.CreateAgency(r.Context(), a) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.agencyForm(w, r, status, &inventory.Agency{}, v, problems)
		},
		next: func() string { return agencyHref(a.ID) },
	})
}

func (s *Server) showEditAgency(w http.ResponseWriter, r *http.Request) {
	a, err := fromPath(s, r, "agency", s.store.Agency)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.agencyForm(w, r, http.StatusOK, a, agencyValues(a), nil)
}

func (s *Server) updateAgency(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "agency", s.store.Agency)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a := &inventory.Agency{ID: stored.ID}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readAgency(v, a) },
		write: func(tx *inventory.Tx) error { return tx.UpdateAgency(r.Context(), a) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.agencyForm(w, r, status, stored, v, problems)
		},
		next: func() string { return agencyHref(a.ID) },
	})
}

func (s *Server) deleteAgency(w http.ResponseWriter, r *http.Request) {
	s.remove(w, r, "agency", func(tx *inventory.Tx, id int64) error { return tx.DeleteAgency(r.Context(), id) }, "/agencies",
		func(status int, problem string) {
			s.showDetailWithProblem(w, r, status, "agency", "agency.title", buildAgency, problem)
		})
}

// showDetailWithProblem shows a detail page again with a problem at the
// top, e.g. why a record could not be deleted.
func (s *Server) showDetailWithProblem(w http.ResponseWriter, r *http.Request, status int, view, titleKey string, build pageBuilder, problem string) {
	data, err := build(s, r, url.Values{"id": {r.PathValue("id")}})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if p, ok := data.(problemHolder); ok {
		p.setProblem(problem)
	}
	// The page is the record's own, so that switching language from it
	// returns to the record rather than to the delete action.
	shown := r.Clone(r.Context())
	shown.URL.Path = strings.TrimSuffix(r.URL.Path, "/delete")
	s.render(w, shown, status, view, titleKey, data)
}

type problemHolder interface{ setProblem(string) }

func (d *agencyData) setProblem(p string) { d.Problem = p }
