package web

import (
	"net/http"
	"net/url"
	"strconv"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/risk"
)

func facilityHref(id int64) string { return "/facilities/" + strconv.FormatInt(id, 10) }

// facilitiesData is the facility list with its filters.
type facilitiesData struct {
	Q         string
	Operators []filterOption
	List      *table
}

func (d *facilitiesData) Tables() []*table { return []*table{d.List} }

func buildFacilities(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	operator := q.Get("operator")
	pairs := []string{"", l.t("filter.all")}
	for _, op := range inventory.Operators {
		pairs = append(pairs, op, l.operator(op))
	}
	d := &facilitiesData{Q: q.Get("q"), Operators: filterOptions(operator, pairs...)}
	d.List = &table{ID: "facilities", Caption: l.t("facilities.caption"), Export: exportHref("facilities", "facilities"),
		Query: keepQuery(q, "q", "operator"),
		Columns: []column{{Label: l.t("home.col.facility")}, {Label: l.t("home.col.operator")}, {Label: l.t("facility.operator_name")},
			{Label: l.t("facility.region")}, {Label: l.t("facilities.col.primary"), Num: true}, {Label: l.t("facilities.col.dr"), Num: true},
			{Label: l.t("facilities.col.agencies"), Num: true}}}
	for _, f := range x.inv.Facilities {
		if (operator != "" && f.Operator != operator) || !contains(f.Name+" "+f.OperatorName+" "+f.Region, d.Q) {
			continue
		}
		primary, dr := 0, 0
		for _, sys := range x.facilityOf[f.ID] {
			if sys.PrimaryFacilityID != nil && *sys.PrimaryFacilityID == f.ID {
				primary++
			} else {
				dr++
			}
		}
		agencies := x.agenciesAt(f.ID)
		tags := l.sample(f.Sample)
		if len(agencies) > 1 {
			tags = append(tags, l.shared())
		}
		d.List.Rows = append(d.List.Rows, []cell{headCell(linkCell(f.Name, facilityHref(f.ID), tags...)), textCell(l.operator(f.Operator)),
			textCell(f.OperatorName), textCell(f.Region), intCell(primary), intCell(dr), intCell(len(agencies))})
	}
	return d, nil
}

// facilityData is one facility: its fields, condition checklist, survey
// findings, and the systems in it grouped by agency (only the agencies the
// caller may see).
type facilityData struct {
	Facility   *inventory.Facility
	Shared     bool
	Findings   []string
	Problem    string
	Conditions *table
	ByAgency   []*table
	Risks      *table // risk entries on the facility, of the agencies in scope
}

func (d *facilityData) RecordName() string  { return d.Facility.Name }
func (d *facilityData) setProblem(p string) { d.Problem = p }
func (d *facilityData) Tables() []*table {
	return append(append([]*table{d.Conditions}, d.ByAgency...), d.Risks)
}

func buildFacility(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	id, err := idParam(q, "facility")
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	f := x.facility[id]
	if f == nil {
		return nil, apperror.New(apperror.NotFound, "", "not_found.facility")
	}
	query := url.Values{"id": {strconv.FormatInt(id, 10)}}.Encode()
	agencies := x.agenciesAt(id)
	d := &facilityData{Facility: f, Shared: len(agencies) > 1, Findings: splitLines(f.Findings)}
	d.Conditions = &table{ID: "conditions", Caption: l.t("facility.conditions.caption"), Export: exportHref("facility", "conditions"), Query: query,
		Columns: []column{{Label: l.t("facility.condition")}, {Label: l.t("facility.condition_state")}}}
	for _, item := range inventory.ConditionItems {
		state := f.Conditions[item]
		c := textCell(l.state(state))
		// A risk flag reads the other way round: "yes" is the danger.
		if item == "ups_in_server_room" && state == inventory.Yes {
			c.Tags = []tag{{Label: l.t("tag.risk"), Class: "risk"}}
		}
		d.Conditions.Rows = append(d.Conditions.Rows, []cell{headCell(textCell(l.t("condition." + item))), c})
	}
	for _, agencyID := range agencies {
		var systems []*inventory.System
		for _, sys := range x.facilityOf[id] {
			if sys.AgencyID == agencyID {
				systems = append(systems, sys)
			}
		}
		tableID := "agency-" + strconv.FormatInt(agencyID, 10)
		t := &table{ID: tableID, Caption: l.t("facility.agency_systems.caption", x.agencyName(agencyID), len(systems)),
			Export: exportHref("facility", tableID), Query: query,
			Columns: []column{{Label: l.t("system.name")}, {Label: l.t("system.grade")}, {Label: l.t("facility.role")},
				{Label: l.t("system.dr")}, {Label: l.t("system.rto_disaster")}, {Label: l.t("system.rpo_disaster")}}}
		for _, sys := range systems {
			role := l.t("facility.role.primary")
			if sys.PrimaryFacilityID == nil || *sys.PrimaryFacilityID != id {
				role = l.t("facility.role.dr")
			}
			t.Rows = append(t.Rows, []cell{headCell(linkCell(sys.Name, systemHref(sys.ID), l.sample(sys.Sample)...)), textCell(l.grade(sys.Grade)),
				textCell(role), textCell(l.t("dr." + sys.DRPerformance)), textCell(l.span(sys.RTODisaster)), textCell(l.span(sys.RPODisaster))})
		}
		d.ByAgency = append(d.ByAgency, t)
	}
	risks, err := s.risks.List(r.Context(), s.scope(r), risk.Filter{FacilityID: id})
	if err != nil {
		return nil, err
	}
	d.Risks = risksTable(l, x, risks, "risks", l.t("facility.risks.caption", len(risks)), exportHref("facility", "risks"), query, true, false)
	return d, nil
}

// Forms.

func facilityValues(f *inventory.Facility) url.Values {
	v := url.Values{"name": {f.Name}, "operator": {f.Operator}, "operator_name": {f.OperatorName}, "region": {f.Region},
		"address": {f.Address}, "findings": {f.Findings}, "surveyed": {boolValue(f.Surveyed)}, "sample": {boolValue(f.Sample)}}
	for _, item := range inventory.ConditionItems {
		state := f.Conditions[item]
		if state == "" {
			state = inventory.Unknown
		}
		v.Set("conditions."+item, state)
	}
	return v
}

func readFacility(v url.Values, f *inventory.Facility) []*apperror.Error {
	r := &formReader{v: v}
	f.Name, f.Operator, f.OperatorName = r.text("name"), r.text("operator"), r.text("operator_name")
	f.Region, f.Address, f.Findings = r.text("region"), r.text("address"), r.long("findings")
	f.Conditions = map[string]string{}
	for _, item := range inventory.ConditionItems {
		if state := r.text("conditions." + item); state != "" {
			f.Conditions[item] = state
		}
	}
	f.Surveyed, f.Sample = r.bool("surveyed"), r.bool("sample")
	return append(r.problems, problemsOf(f.Validate())...)
}

func (s *Server) facilityForm(w http.ResponseWriter, r *http.Request, status int, f *inventory.Facility, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	b := newFormBuilder(l, values, problems)
	operators := b.keyed("operator.", inventory.Operators...)
	operators.Options = append([]option{{Value: "", Label: l.t("form.choose")}}, operators.Options...)
	operator := b.choose("operator", "home.col.operator", operators)
	operator.Required = true
	var conditions []*field
	for _, item := range inventory.ConditionItems {
		conditions = append(conditions, b.choose("conditions."+item, "condition."+item, b.states()))
	}
	findings := b.textarea("findings", "facility.findings")
	findings.Hint = "form.hint.lines"
	sample := b.checkbox("sample", "field.sample")
	sample.Hint = "form.hint.sample"
	sets := []*fieldset{
		set("facility.form.basic", b.required("name", "facility.name"), operator, b.text("operator_name", "facility.operator_name"),
			b.text("region", "facility.region"), b.text("address", "facility.address")),
		set("facility.form.conditions", conditions...),
		set("facility.form.survey", findings, b.checkbox("surveyed", "facility.surveyed")),
		set("form.set.record", sample),
	}
	if f.ID == 0 {
		s.renderForm(w, r, status, b.page("facility.new", "", "/facilities", "/facilities", sets...))
		return
	}
	s.renderForm(w, r, status, b.page("facility.edit", f.Name, facilityHref(f.ID), facilityHref(f.ID), sets...))
}

func (s *Server) showNewFacility(w http.ResponseWriter, r *http.Request) {
	f := &inventory.Facility{}
	s.facilityForm(w, r, http.StatusOK, f, facilityValues(f), nil)
}

func (s *Server) createFacility(w http.ResponseWriter, r *http.Request) {
	f := &inventory.Facility{}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readFacility(v, f) },
		write: func(tx *inventory.Tx) error { return tx.CreateFacility(r.Context(), f) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.facilityForm(w, r, status, &inventory.Facility{}, v, problems)
		},
		next: func() string { return facilityHref(f.ID) },
	})
}

func (s *Server) showEditFacility(w http.ResponseWriter, r *http.Request) {
	f, err := fromPath(s, r, "facility", s.store.Facility)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.facilityForm(w, r, http.StatusOK, f, facilityValues(f), nil)
}

func (s *Server) updateFacility(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "facility", s.store.Facility)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := &inventory.Facility{ID: stored.ID}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readFacility(v, f) },
		write: func(tx *inventory.Tx) error { return tx.UpdateFacility(r.Context(), f) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.facilityForm(w, r, status, stored, v, problems)
		},
		next: func() string { return facilityHref(f.ID) },
	})
}

func (s *Server) deleteFacility(w http.ResponseWriter, r *http.Request) {
	s.remove(w, r, "facility", func(tx *inventory.Tx, id int64) error { return tx.DeleteFacility(r.Context(), id) }, "/facilities",
		func(status int, problem string) {
			s.showDetailWithProblem(w, r, status, "facility", "facility.title", buildFacility, problem)
		})
}
