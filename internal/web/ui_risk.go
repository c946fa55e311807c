package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
	"yeonsok/internal/risk"
)

func riskHref(id int64) string { return "/risks/" + strconv.FormatInt(id, 10) }

func (l tr) riskKind(e *risk.Entry) string {
	return l.t("risk.type", l.t("risk.kind."+e.Kind), l.t("risk.subkind."+e.SubKind))
}

// bandCell writes a band in words, coloured by its class.
func (l tr) bandCell(band string) cell {
	return cell{Text: l.t("risk.band." + band), Class: "band band-" + band}
}

// riskFacility and riskSystem name what an entry is on, blank for nothing.
func (x *index) riskFacility(l tr, e *risk.Entry) cell {
	if e.FacilityID == nil {
		return textCell("")
	}
	return x.facilityCell(l, e.FacilityID)
}

func (x *index) riskSystem(e *risk.Entry) cell {
	if e.SystemID == nil {
		return textCell("")
	}
	return x.systemCell(*e.SystemID)
}

// risksTable lists entries: the whole of each on the risk list (full), or
// what a facility's or system's page needs; agency adds the agency column.
func risksTable(l tr, x *index, entries []*risk.Entry, id, caption, export, query string, agency, full bool) *table {
	t := &table{ID: id, Caption: caption, Export: export, Query: query}
	if agency {
		t.Columns = append(t.Columns, column{Label: l.t("home.col.agency")})
	}
	t.Columns = append(t.Columns, column{Label: l.t("risk.title_field")}, column{Label: l.t("risk.kind")})
	if full {
		t.Columns = append(t.Columns, column{Label: l.t("risk.facility")}, column{Label: l.t("risk.system")},
			column{Label: l.t("risk.likelihood"), Num: true}, column{Label: l.t("risk.impact"), Num: true})
	}
	t.Columns = append(t.Columns, column{Label: l.t("risk.rating"), Num: true}, column{Label: l.t("risk.band")},
		column{Label: l.t("risk.residual_rating"), Num: true}, column{Label: l.t("risk.residual_band")}, column{Label: l.t("risk.status")})
	for _, e := range entries {
		var row []cell
		if agency {
			row = append(row, linkCell(x.agencyName(e.AgencyID), agencyHref(e.AgencyID)))
		}
		row = append(row, headCell(linkCell(e.Title, riskHref(e.ID))), textCell(l.riskKind(e)))
		if full {
			row = append(row, x.riskFacility(l, e), x.riskSystem(e), intCell(e.Likelihood), intCell(e.Impact))
		}
		row = append(row, intCell(e.Rating), l.bandCell(e.Band), intCell(e.ResidualRating), l.bandCell(e.ResidualBand),
			textCell(l.t("risk.status."+e.Status)))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// heatTable is a heat map as a table: likelihood from 5 (top) down to 1,
// impact from 1 to 5 across, each cell the number of entries there and
// coloured by the band its rating falls in.
func heatTable(l tr, m risk.Matrix, id, caption, export, query string) *table {
	t := &table{ID: id, Caption: caption, Export: export, Query: query,
		Columns: []column{{Label: l.t("risks.heatmap.corner")}}}
	for i := 1; i <= risk.Scale; i++ {
		t.Columns = append(t.Columns, column{Label: l.t("risks.heatmap.impact", i, l.t("risk.impact."+strconv.Itoa(i))), Num: true})
	}
	for lk := risk.Scale; lk >= 1; lk-- {
		row := []cell{headCell(textCell(l.t("risks.heatmap.likelihood", lk, l.t("risk.likelihood."+strconv.Itoa(lk)))))}
		for i := 1; i <= risk.Scale; i++ {
			c := intCell(m[lk-1][i-1])
			c.Class = "heat band-" + risk.Band(lk*i)
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// bandLegend is one band with the ratings it holds, for the heat map's key.
type bandLegend struct {
	Key, Label string
	Min, Max   int
}

// risksData is the risk page: the heat maps of the entries shown and their
// list, with the filters.
type risksData struct {
	Kinds, Agencies, Bands []filterOption
	Legend                 []bandLegend
	Counted                int
	Inherent, Residual     *table
	List                   *table
}

func (d *risksData) Tables() []*table { return []*table{d.Inherent, d.Residual, d.List} }

func buildRisks(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	filter, err := riskFilter(q)
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	entries, err := s.risks.List(r.Context(), s.scope(r), filter)
	if err != nil {
		return nil, err
	}
	d := &risksData{}
	pairs := []string{"", l.t("filter.all")}
	for _, k := range risk.Kinds {
		pairs = append(pairs, k, l.t("risk.kind."+k))
	}
	d.Kinds = filterOptions(q.Get("kind"), pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, a := range x.inv.Agencies {
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(q.Get("agency"), pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, b := range risk.Bands {
		pairs = append(pairs, b.Key, l.t("risk.band."+b.Key))
		d.Legend = append(d.Legend, bandLegend{Key: b.Key, Label: l.t("risk.band." + b.Key), Min: b.Min, Max: b.Max})
	}
	d.Bands = filterOptions(q.Get("band"), pairs...)

	query := keepQuery(q, "kind", "agency", "band")
	heat := risk.HeatMapOf(entries)
	d.Counted = heat.Counted
	d.Inherent = heatTable(l, heat.Inherent, "inherent", l.t("risks.heatmap.inherent"), exportHref("risks", "inherent"), query)
	d.Residual = heatTable(l, heat.Residual, "residual", l.t("risks.heatmap.residual"), exportHref("risks", "residual"), query)
	d.List = risksTable(l, x, entries, "risks", l.t("risks.caption", len(entries)), exportHref("risks", "risks"), query, true, true)
	return d, nil
}

// riskData is one entry with the names of what it is on.
type riskData struct {
	Entry    *risk.Entry
	Agency   string
	Kind     string
	Facility cell
	System   cell
	Problem  string
}

func (d *riskData) RecordName() string  { return d.Entry.Title }
func (d *riskData) setProblem(p string) { d.Problem = p }
func (d *riskData) Tables() []*table    { return nil }

func buildRisk(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	id, err := idParam(q, "risk")
	if err != nil {
		return nil, err
	}
	e, err := s.risks.Entry(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	return &riskData{Entry: e, Agency: x.agencyName(e.AgencyID), Kind: l.riskKind(e),
		Facility: x.riskFacility(l, e), System: x.riskSystem(e)}, nil
}

// ReviewDate writes an entry's review date as the ministry writes dates.
func (p page) ReviewDate(e *risk.Entry) string {
	t, err := time.ParseInLocation(risk.ReviewDateLayout, e.ReviewDate, locale.KST)
	if err != nil {
		return e.ReviewDate
	}
	return locale.Date(t)
}

// Forms.

func riskValues(e *risk.Entry) url.Values {
	scale := func(v int) string {
		if v == 0 {
			return ""
		}
		return strconv.Itoa(v)
	}
	return url.Values{"agency_id": {idValue(e.AgencyID)}, "facility_id": {ptrValue(e.FacilityID)}, "system_id": {ptrValue(e.SystemID)},
		"sub_kind": {e.SubKind}, "title": {e.Title}, "description": {e.Description}, "source": {e.Source},
		"likelihood": {scale(e.Likelihood)}, "impact": {scale(e.Impact)}, "controls": {e.Controls},
		"residual_likelihood": {scale(e.ResidualLikelihood)}, "residual_impact": {scale(e.ResidualImpact)},
		"owner": {e.Owner}, "status": {e.Status}, "review_date": {e.ReviewDate}}
}

func readRisk(v url.Values, e *risk.Entry) []*apperror.Error {
	f := &formReader{v: v}
	// None is 0; a value off the scale is -1, for Validate to name.
	scale := func(name string) int {
		n := f.int(name)
		switch {
		case n == nil:
			return 0
		case *n < 1 || *n > risk.Scale:
			return -1
		}
		return int(*n)
	}
	e.AgencyID, e.FacilityID, e.SystemID = f.id("agency_id"), f.idPtr("facility_id"), f.idPtr("system_id")
	e.Kind, e.SubKind, e.Title = "", f.text("sub_kind"), f.text("title")
	e.Description, e.Source = f.long("description"), f.text("source")
	e.Likelihood, e.Impact, e.Controls = scale("likelihood"), scale("impact"), f.long("controls")
	e.ResidualLikelihood, e.ResidualImpact = scale("residual_likelihood"), scale("residual_impact")
	e.Owner, e.Status, e.ReviewDate = f.text("owner"), f.text("status"), f.text("review_date")
	e.Normalize()
	return append(f.problems, problemsOf(e.Validate())...)
}

// scaleOptions are the choices of a 1–5 scale (risk.likelihood.N or
// risk.impact.N), after a first choice of value "" labelled by blankKey.
func (l tr) scaleOptions(scale, blankKey string) optionGroup {
	g := options("", l.t(blankKey))
	for n := 1; n <= risk.Scale; n++ {
		v := strconv.Itoa(n)
		g.Options = append(g.Options, option{Value: v, Label: l.t("risk.scale_option", n, l.t(scale+"."+v))})
	}
	return g
}

func (s *Server) riskForm(w http.ResponseWriter, r *http.Request, status int, e *risk.Entry, values url.Values, problems []*apperror.Error) {
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
	facilities := options("", l.t("form.none"))
	for _, f := range x.inv.Facilities {
		facilities.Options = append(facilities.Options, option{Value: idValue(f.ID), Label: f.Name})
	}
	kinds := []optionGroup{options("", l.t("form.choose"))}
	for _, k := range risk.Catalogue {
		g := optionGroup{Label: l.t("risk.kind." + k.Key)}
		for _, sub := range k.SubKinds {
			g.Options = append(g.Options, option{Value: sub,
				Label: l.t("risk.subkind_option", l.t("risk.subkind."+sub), l.t("risk.subkind."+sub+".examples"))})
		}
		kinds = append(kinds, g)
	}

	b := newFormBuilder(l, values, problems)
	agency := b.choose("agency_id", "risk.agency", agencies)
	agency.Required = true
	facility := b.choose("facility_id", "risk.facility", facilities)
	facility.Hint = "form.hint.risk_facility"
	system := b.choose("system_id", "risk.system", append([]optionGroup{options("", l.t("form.none"))}, systems...)...)
	system.Hint = "form.hint.risk_system"
	subKind := b.choose("sub_kind", "risk.kind", kinds...)
	subKind.Required = true
	likelihood := b.choose("likelihood", "risk.likelihood", l.scaleOptions("risk.likelihood", "form.choose"))
	likelihood.Required = true
	impact := b.choose("impact", "risk.impact", l.scaleOptions("risk.impact", "form.choose"))
	impact.Required = true
	residualLikelihood := b.choose("residual_likelihood", "risk.residual_likelihood", l.scaleOptions("risk.likelihood", "risk.residual_same"))
	residualLikelihood.Hint = "form.hint.risk_residual"
	residualImpact := b.choose("residual_impact", "risk.residual_impact", l.scaleOptions("risk.impact", "risk.residual_same"))
	residualImpact.Hint = "form.hint.risk_residual"
	source := b.text("source", "risk.source")
	source.Hint = "form.hint.risk_source"
	review := b.text("review_date", "risk.review_date")
	review.Hint = "form.hint.risk_review_date"
	sets := []*fieldset{
		set("risk.form.subject", agency, facility, system),
		set("risk.form.risk", subKind, b.required("title", "risk.title_field"), b.textarea("description", "risk.description"), source),
		set("risk.form.rating", likelihood, impact, b.textarea("controls", "risk.controls"), residualLikelihood, residualImpact),
		set("risk.form.management", b.text("owner", "risk.owner"),
			b.choose("status", "risk.status", b.keyed("risk.status.", risk.Statuses...)), review),
	}
	if e.ID == 0 {
		s.renderForm(w, r, status, b.page("risk.new", "", "/risks", "/risks", sets...))
		return
	}
	s.renderForm(w, r, status, b.page("risk.edit", e.Title, riskHref(e.ID), riskHref(e.ID), sets...))
}

// showNewRisk offers an empty entry; ?facility=ID or ?system=ID (the links
// on those pages) fill in what it is on, and an agency's user records for
// the agency.
func (s *Server) showNewRisk(w http.ResponseWriter, r *http.Request) {
	e := &risk.Entry{Status: risk.StatusOpen, AgencyID: s.scope(r).AgencyID()}
	q := r.URL.Query()
	if id, err := strconv.ParseInt(q.Get("facility"), 10, 64); err == nil && id > 0 {
		e.FacilityID = &id
	}
	if id, err := strconv.ParseInt(q.Get("system"), 10, 64); err == nil && id > 0 {
		if sys, err := s.store.System(r.Context(), s.scope(r), id); err == nil {
			e.SystemID, e.AgencyID = &sys.ID, sys.AgencyID
		}
	}
	s.riskForm(w, r, http.StatusOK, e, riskValues(e), nil)
}

func (s *Server) createRisk(w http.ResponseWriter, r *http.Request) {
	e := &risk.Entry{}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readRisk(v, e) },
		save: func() error { return s.risks.Create(r.Context(), s.scope(r), e) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.riskForm(w, r, status, &risk.Entry{}, v, problems)
		},
		next: func() string { return riskHref(e.ID) },
	})
}

func (s *Server) showEditRisk(w http.ResponseWriter, r *http.Request) {
	e, err := fromPath(s, r, "risk", s.risks.Entry)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.riskForm(w, r, http.StatusOK, e, riskValues(e), nil)
}

func (s *Server) updateRisk(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "risk", s.risks.Entry)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	e := &risk.Entry{ID: stored.ID}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readRisk(v, e) },
		save: func() error { return s.risks.Update(r.Context(), s.scope(r), e) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.riskForm(w, r, status, stored, v, problems)
		},
		next: func() string { return riskHref(e.ID) },
	})
}

func (s *Server) deleteRisk(w http.ResponseWriter, r *http.Request) {
	s.removeWith(w, r, "risk", func(id int64) error { return s.risks.Delete(r.Context(), s.scope(r), id) }, "/risks",
		func(status int, problem string) {
			s.showDetailWithProblem(w, r, status, "risk", "risk.title", buildRisk, problem)
		})
}
