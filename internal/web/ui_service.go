package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

func serviceHref(id int64) string { return "/services/" + strconv.FormatInt(id, 10) }

// servicesTable lists services: agency (unless the page is the agency's),
// name with the sample tag, audience, MTPD, targets and supporting systems.
func servicesTable(l tr, x *index, services []*inventory.Service, id, caption, export, query string, showAgency bool) *table {
	t := &table{ID: id, Caption: caption, Export: export, Query: query}
	if showAgency {
		t.Columns = append(t.Columns, column{Label: l.t("home.col.agency")})
	}
	t.Columns = append(t.Columns, column{Label: l.t("service.name")}, column{Label: l.t("service.audience")},
		column{Label: l.t("service.mtpd")}, column{Label: l.t("service.rto")}, column{Label: l.t("service.rpo")},
		column{Label: l.t("service.systems")})
	for _, svc := range services {
		var row []cell
		if showAgency {
			row = append(row, linkCell(x.agencyName(svc.AgencyID), agencyHref(svc.AgencyID)))
		}
		names := make([]string, len(svc.SystemIDs))
		for i, sid := range svc.SystemIDs {
			names[i] = x.systemName(sid)
		}
		row = append(row, headCell(linkCell(svc.Name, serviceHref(svc.ID), l.sample(svc.Sample)...)),
			textCell(l.t("audience."+svc.Audience)), textCell(l.span(svc.MTPD)), textCell(l.span(svc.RTO)), textCell(l.span(svc.RPO)),
			textCell(strings.Join(names, ", ")))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// servicesData is the service list with its filters.
type servicesData struct {
	Q         string
	Agencies  []filterOption
	Audiences []filterOption
	List      *table
}

func (d *servicesData) Tables() []*table { return []*table{d.List} }

func buildServices(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	agency, audience := q.Get("agency"), q.Get("audience")
	d := &servicesData{Q: q.Get("q")}
	pairs := []string{"", l.t("filter.all")}
	for _, a := range x.inv.Agencies {
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(agency, pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, a := range inventory.Audiences {
		pairs = append(pairs, a, l.t("audience."+a))
	}
	d.Audiences = filterOptions(audience, pairs...)
	var list []*inventory.Service
	for _, svc := range x.inv.Services {
		if (agency != "" && idValue(svc.AgencyID) != agency) || (audience != "" && svc.Audience != audience) || !contains(svc.Name, d.Q) {
			continue
		}
		list = append(list, svc)
	}
	d.List = servicesTable(l, x, list, "services", l.t("services.caption"), exportHref("services", "services"),
		keepQuery(q, "q", "agency", "audience"), true)
	return d, nil
}

// serviceData is one service and the systems that support it.
type serviceData struct {
	Service *inventory.Service
	Agency  string
	Problem string
	Systems *table
}

func (d *serviceData) RecordName() string  { return d.Service.Name }
func (d *serviceData) setProblem(p string) { d.Problem = p }
func (d *serviceData) Tables() []*table    { return []*table{d.Systems} }

func buildService(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	id, err := idParam(q, "service")
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	var svc *inventory.Service
	for _, candidate := range x.inv.Services {
		if candidate.ID == id {
			svc = candidate
		}
	}
	if svc == nil {
		return nil, apperror.New(apperror.NotFound, "", "not_found.service")
	}
	var systems []*inventory.System
	for _, sid := range svc.SystemIDs {
		if sys := x.system[sid]; sys != nil {
			systems = append(systems, sys)
		}
	}
	query := url.Values{"id": {strconv.FormatInt(id, 10)}}.Encode()
	return &serviceData{Service: svc, Agency: x.agencyName(svc.AgencyID),
		Systems: systemsTable(l, x, systems, "systems", l.t("service.systems.caption"), exportHref("service", "systems"), query, true)}, nil
}

// Forms.

func serviceValues(svc *inventory.Service) url.Values {
	v := url.Values{"agency_id": {idValue(svc.AgencyID)}, "name": {svc.Name}, "audience": {svc.Audience},
		"description": {svc.Description}, "mtpd": {minutesValue(svc.MTPD)}, "rto": {minutesValue(svc.RTO)}, "rpo": {minutesValue(svc.RPO)},
		"manual_workaround": {svc.ManualWorkaround}, "sample": {boolValue(svc.Sample)}}
	for _, id := range svc.SystemIDs {
		v.Add("system_ids", idValue(id))
	}
	return v
}

func readService(v url.Values, svc *inventory.Service) []*apperror.Error {
	f := &formReader{v: v}
	svc.AgencyID, svc.Name, svc.Audience = f.id("agency_id"), f.text("name"), f.text("audience")
	svc.Description, svc.ManualWorkaround = f.long("description"), f.long("manual_workaround")
	svc.MTPD, svc.RTO, svc.RPO = f.minutes("mtpd"), f.minutes("rto"), f.minutes("rpo")
	svc.SystemIDs = f.ids("system_ids")
	svc.Sample = f.bool("sample")
	if svc.Audience == "" {
		svc.Audience = "public"
	}
	return append(f.problems, problemsOf(svc.Validate())...)
}

func (s *Server) serviceForm(w http.ResponseWriter, r *http.Request, status int, svc *inventory.Service, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	agencies := options("", l.t("form.choose"))
	var systems []optionGroup
	for _, a := range x.inv.Agencies {
		agencies.Options = append(agencies.Options, option{Value: idValue(a.ID), Label: a.Name})
		if g := l.systemGroup(x, a); len(g.Options) > 0 {
			systems = append(systems, g)
		}
	}
	b := newFormBuilder(l, values, problems)
	agency := b.choose("agency_id", "service.agency", agencies)
	agency.Required = true
	supporting := b.chooseMany("system_ids", "service.systems", systems...)
	supporting.Hint = "form.hint.service_systems"
	sample := b.checkbox("sample", "field.sample")
	sample.Hint = "form.hint.sample"
	sets := []*fieldset{
		set("service.form.basic", agency, b.required("name", "service.name"),
			b.choose("audience", "service.audience", b.keyed("audience.", inventory.Audiences...)),
			b.textarea("description", "service.description")),
		set("service.form.targets", b.duration("mtpd", "service.mtpd"), b.duration("rto", "service.rto"), b.duration("rpo", "service.rpo"),
			b.textarea("manual_workaround", "service.manual_workaround")),
		set("service.form.systems", supporting),
		set("form.set.record", sample),
	}
	if svc.ID == 0 {
		s.renderForm(w, r, status, b.page("service.new", "", "/services", "/services", sets...))
		return
	}
	s.renderForm(w, r, status, b.page("service.edit", svc.Name, serviceHref(svc.ID), serviceHref(svc.ID), sets...))
}

func (s *Server) showNewService(w http.ResponseWriter, r *http.Request) {
	svc := &inventory.Service{Audience: "public"}
	s.serviceForm(w, r, http.StatusOK, svc, serviceValues(svc), nil)
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request) {
	svc := &inventory.Service{}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readService(v, svc) },
		write: func(tx *inventory.Tx) error { return tx.CreateService(r.Context(), svc) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.serviceForm(w, r, status, &inventory.Service{}, v, problems)
		},
		next: func() string { return serviceHref(svc.ID) },
	})
}

func (s *Server) showEditService(w http.ResponseWriter, r *http.Request) {
	svc, err := fromPath(s, r, "service", s.store.Service)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.serviceForm(w, r, http.StatusOK, svc, serviceValues(svc), nil)
}

func (s *Server) updateService(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "service", s.store.Service)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	svc := &inventory.Service{ID: stored.ID}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readService(v, svc) },
		write: func(tx *inventory.Tx) error { return tx.UpdateService(r.Context(), svc) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.serviceForm(w, r, status, stored, v, problems)
		},
		next: func() string { return serviceHref(svc.ID) },
	})
}

func (s *Server) deleteService(w http.ResponseWriter, r *http.Request) {
	s.remove(w, r, "service", func(tx *inventory.Tx, id int64) error { return tx.DeleteService(r.Context(), id) }, "/services",
		func(status int, problem string) {
			s.showDetailWithProblem(w, r, status, "service", "service.title", buildService, problem)
		})
}
