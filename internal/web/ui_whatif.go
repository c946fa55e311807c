package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
)

// whatIfData is the facility-loss what-if: the facilities and regions to
// choose from and, once chosen, what losing them does — a headline first,
// then the tables.
type whatIfData struct {
	Facilities []filterOption
	Regions    []filterOption
	Chosen     bool
	Lost       []*inventory.Facility
	Headline   string
	Sequel     string
	Cards      []figure
	Stopped    *table
	Services   *table
	Agencies   *table
	Indirect   *table
}

// figure is one headline number.
type figure struct {
	ID, Label string
	Value     int
	// Bad marks a number that should be zero.
	Bad bool
}

func (d *whatIfData) Tables() []*table {
	if !d.Chosen {
		return nil
	}
	return []*table{d.Stopped, d.Services, d.Agencies, d.Indirect}
}

// readLoss reads what a what-if loses: facilities (?facility=ID, repeated)
// or a region (?region=NAME), never both. A facility or region the caller
// cannot see does not exist; choosing nothing is invalid.
func readLoss(q url.Values, x *index) (scenario.Loss, error) {
	var loss scenario.Loss
	region := strings.TrimSpace(q.Get("region"))
	var ids []string
	for _, v := range q["facility"] {
		if v = strings.TrimSpace(v); v != "" {
			ids = append(ids, v)
		}
	}
	switch {
	case len(ids) == 0 && region == "":
		return loss, apperror.New(apperror.Invalid, "facility", "whatif.choose")
	case len(ids) > 0 && region != "":
		return loss, apperror.New(apperror.Invalid, "region", "whatif.one_way")
	case region != "":
		if len(scenario.FacilitiesIn(x.inv.Facilities, region)) == 0 {
			return loss, apperror.New(apperror.NotFound, "region", "whatif.region_not_found", region)
		}
		loss.Region = region
		return loss, nil
	}
	for _, v := range ids {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || x.facility[id] == nil {
			return loss, apperror.New(apperror.NotFound, "facility", "not_found.facility")
		}
		loss.Facilities = append(loss.Facilities, id)
	}
	return loss, nil
}

// regions are the regions of facilities, each once, in name order.
func regions(list []*inventory.Facility) []string {
	var out []string
	for _, f := range list {
		if f.Region != "" && !slices.Contains(out, f.Region) {
			out = append(out, f.Region)
		}
	}
	slices.Sort(out)
	return out
}

func buildWhatIf(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	d := &whatIfData{}
	chosen := q["facility"]
	for _, f := range x.inv.Facilities {
		label := l.t("system.facility_with_operator", f.Name, l.operator(f.Operator))
		if f.Region != "" {
			label = l.t("whatif.facility_in_region", label, f.Region)
		}
		d.Facilities = append(d.Facilities, filterOption{Value: idValue(f.ID), Label: label, Selected: slices.Contains(chosen, idValue(f.ID))})
	}
	pairs := []string{"", l.t("form.choose")}
	for _, region := range regions(x.inv.Facilities) {
		pairs = append(pairs, region, region)
	}
	d.Regions = filterOptions(q.Get("region"), pairs...)
	if len(chosen) == 0 && q.Get("region") == "" {
		return d, nil
	}
	loss, err := readLoss(q, x)
	if err != nil {
		return nil, err
	}
	measure, err := s.measureWhatIf(r, x, loss)
	if err != nil {
		return nil, err
	}
	w := scenario.Analyze(x.inv, loss, measure)
	d.Chosen = true
	for _, id := range w.Lost {
		d.Lost = append(d.Lost, x.facility[id])
	}
	d.headline(l, w, loss)

	query := lossQuery(loss)
	export := func(t string) string { return exportHref("what-if", t) }
	facilityName := func(id *int64) string {
		if id == nil || x.facility[*id] == nil {
			return ""
		}
		return x.facility[*id].Name
	}

	d.Stopped = &table{ID: "stopped", Caption: l.t("whatif.stopped.caption", len(w.Stopped)), Export: export("stopped"), Query: query,
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("system.name")}, {Label: l.t("system.grade")},
			{Label: l.t("whatif.col.dr")}, {Label: l.t("gaps.col.rto_target")}, {Label: l.t("gaps.col.rto_estimate")},
			{Label: l.t("gaps.col.rpo_target")}, {Label: l.t("gaps.col.rpo_estimate")}, {Label: l.t("system.capability.why")}}}
	for _, st := range w.Stopped {
		sys := st.System
		dr := textCell(l.t("whatif.dr."+st.DR, facilityName(sys.DRFacilityID)))
		if st.DR == scenario.DRCarries {
			dr.Tags = []tag{{Label: l.t("whatif.dr.tag_carries"), Class: "shared"}}
		}
		d.Stopped.Rows = append(d.Stopped.Rows, []cell{linkCell(x.agencyName(sys.AgencyID), agencyHref(sys.AgencyID)),
			headCell(linkCell(sys.Name, systemHref(sys.ID), l.sample(sys.Sample)...)), textCell(l.grade(sys.Grade)), dr,
			l.targetCell(st.RTO.Target), l.estimateCell(st.RTO), l.targetCell(st.RPO.Target), l.estimateCell(st.RPO),
			l.whyCell(st.Capability)})
	}

	d.Services = &table{ID: "services", Caption: l.t("whatif.services.caption", len(w.Services)), Export: export("services"), Query: query,
		Columns: []column{{Label: l.t("service.name")}, {Label: l.t("home.col.agency")}, {Label: l.t("whatif.col.status")},
			{Label: l.t("whatif.col.systems_stopped"), Num: true}, {Label: l.t("whatif.col.systems_affected"), Num: true},
			{Label: l.t("whatif.col.systems"), Num: true}, {Label: l.t("whatif.col.service_rto")}, {Label: l.t("whatif.col.service_recovery")}}}
	for _, svc := range w.Services {
		status := textCell(l.t("whatif.service." + svc.Status))
		if svc.Status == scenario.ServiceStopped {
			status.Class = "sev-high"
		}
		d.Services.Rows = append(d.Services.Rows, []cell{headCell(linkCell(svc.Service.Name, serviceHref(svc.ServiceID), l.sample(svc.Service.Sample)...)),
			linkCell(x.agencyName(svc.AgencyID), agencyHref(svc.AgencyID)), status, intCell(svc.Stopped), intCell(svc.Affected),
			intCell(svc.Systems), l.targetCell(svc.RTO.Target), l.estimateCell(svc.RTO)})
	}

	d.Agencies = &table{ID: "agencies", Caption: l.t("whatif.agencies.caption", len(w.Agencies)), Export: export("agencies"), Query: query,
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("whatif.col.stopped"), Num: true},
			{Label: l.t("whatif.col.carried"), Num: true}, {Label: l.t("gaps.col.misses_rto"), Num: true},
			{Label: l.t("gaps.col.misses_rpo"), Num: true}, {Label: l.t("gaps.col.undecided"), Num: true},
			{Label: l.t("whatif.col.indirect"), Num: true}, {Label: l.t("whatif.col.services_stopped"), Num: true},
			{Label: l.t("whatif.col.services_degraded"), Num: true}}}
	impactCells := func(c scenario.GapCount, carried, indirect, stopped, degraded int) []cell {
		return []cell{intCell(c.Systems), intCell(carried), intCell(c.MissesRTO), intCell(c.MissesRPO), intCell(c.Undecided),
			intCell(indirect), intCell(stopped), intCell(degraded)}
	}
	for _, a := range w.Agencies {
		d.Agencies.Rows = append(d.Agencies.Rows, append([]cell{headCell(linkCell(x.agencyName(a.AgencyID), agencyHref(a.AgencyID)))},
			impactCells(a.GapCount, a.Carried, a.Indirect, a.ServicesStopped, a.ServicesDegraded)...))
	}
	c := w.Counts
	d.Agencies.Foot = [][]cell{append([]cell{headCell(textCell(l.t("home.row.total")))},
		impactCells(c.GapCount, c.Carried, c.Indirect, c.ServicesStopped, c.ServicesDegraded)...)}

	d.Indirect = &table{ID: "indirect", PageRows: longListRows, Caption: l.t("whatif.indirect.caption", len(w.Indirect)), Export: export("indirect"), Query: query,
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("system.name")}, {Label: l.t("system.grade")},
			{Label: l.t("system.primary_facility")}, {Label: l.t("whatif.col.via")}, {Label: l.t("whatif.col.depth"), Num: true}}}
	for _, in := range w.Indirect {
		var via []string
		for _, id := range in.Via {
			via = append(via, x.systemLabel(id))
		}
		d.Indirect.Rows = append(d.Indirect.Rows, []cell{linkCell(x.agencyName(in.AgencyID), agencyHref(in.AgencyID)),
			headCell(linkCell(in.System.Name, systemHref(in.SystemID), l.sample(in.System.Sample)...)), textCell(l.grade(in.System.Grade)),
			x.facilityCell(l, in.System.PrimaryFacilityID), textCell(strings.Join(via, ", ")), intCell(in.Depth)})
	}
	return d, nil
}

// headline says in two sentences what the loss does, for a reader with a
// minute, and sets the figures beside them.
func (d *whatIfData) headline(l tr, w scenario.WhatIf, loss scenario.Loss) {
	var what string
	switch {
	case loss.Region != "":
		what = l.t("whatif.lost.region", loss.Region, len(d.Lost))
	case len(d.Lost) == 1:
		what = d.Lost[0].Name
	default:
		what = l.t("whatif.lost.several", d.Lost[0].Name, len(d.Lost))
	}
	c := w.Counts
	if c.Systems == 0 {
		d.Headline = l.t("whatif.headline.none", what)
	} else {
		d.Headline = l.t("whatif.headline", what, c.Systems, c.Carried, c.MissesRTO, c.MissesRPO, c.Undecided)
	}
	d.Sequel = l.t("whatif.sequel", c.ServicesStopped, c.ServicesDegraded, c.Agencies, c.Indirect)
	d.Cards = []figure{
		{ID: "stopped", Label: l.t("whatif.card.stopped"), Value: c.Systems, Bad: true},
		{ID: "carried", Label: l.t("whatif.card.carried"), Value: c.Carried},
		{ID: "reduced", Label: l.t("whatif.card.reduced"), Value: c.Reduced},
		{ID: "misses-rto", Label: l.t("whatif.card.misses_rto"), Value: c.MissesRTO, Bad: true},
		{ID: "misses-rpo", Label: l.t("whatif.card.misses_rpo"), Value: c.MissesRPO, Bad: true},
		{ID: "undecided", Label: l.t("whatif.card.undecided"), Value: c.Undecided, Bad: true},
		{ID: "services-stopped", Label: l.t("whatif.card.services_stopped"), Value: c.ServicesStopped, Bad: true},
		{ID: "indirect", Label: l.t("whatif.card.indirect"), Value: c.Indirect, Bad: true},
		{ID: "agencies", Label: l.t("whatif.card.agencies"), Value: c.Agencies},
	}
}

// lossQuery is the query that names loss, for export links.
func lossQuery(loss scenario.Loss) string {
	if loss.Region != "" {
		return url.Values{"region": {loss.Region}}.Encode()
	}
	v := url.Values{}
	for _, id := range loss.Facilities {
		v.Add("facility", idValue(id))
	}
	return v.Encode()
}
