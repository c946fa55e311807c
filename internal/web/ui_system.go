package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/backup"
	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
	"yeonsok/internal/quality"
	"yeonsok/internal/risk"
	"yeonsok/internal/scenario"
)

func systemHref(id int64) string { return "/systems/" + strconv.FormatInt(id, 10) }

// systemsTable lists systems as every page shows them: agency (unless the
// page is the agency's), name with the sample tag, grade, primary facility
// with its operator, DR and the disaster targets.
func systemsTable(l tr, x *index, systems []*inventory.System, id, caption, export, query string, showAgency bool) *table {
	t := &table{ID: id, Caption: caption, Export: export, Query: query}
	if showAgency {
		t.Columns = append(t.Columns, column{Label: l.t("home.col.agency")})
	}
	t.Columns = append(t.Columns, column{Label: l.t("system.name")}, column{Label: l.t("system.grade")},
		column{Label: l.t("system.primary_facility")}, column{Label: l.t("system.dr")},
		column{Label: l.t("system.rto_disaster")}, column{Label: l.t("system.rpo_disaster")})
	for _, s := range systems {
		var row []cell
		if showAgency {
			row = append(row, linkCell(x.agencyName(s.AgencyID), agencyHref(s.AgencyID)))
		}
		row = append(row, headCell(linkCell(s.Name, systemHref(s.ID), l.sample(s.Sample)...)), textCell(l.grade(s.Grade)),
			x.facilityCell(l, s.PrimaryFacilityID), textCell(l.t("dr."+s.DRPerformance)),
			textCell(l.span(s.RTODisaster)), textCell(l.span(s.RPODisaster)))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// facilityCell names a facility with its operator: "KT (민간 위탁)".
func (x *index) facilityCell(l tr, id *int64) cell {
	if id == nil {
		return textCell(l.t("value.not_placed"))
	}
	f := x.facility[*id]
	if f == nil {
		return textCell("#" + strconv.FormatInt(*id, 10))
	}
	return linkCell(l.t("system.facility_with_operator", f.Name, l.operator(f.Operator)), facilityHref(f.ID))
}

// systemsData is the system list with its filters.
type systemsData struct {
	Agencies, Facilities, Grades []filterOption
	List                         *table
}

func (d *systemsData) Tables() []*table { return []*table{d.List} }

func buildSystems(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	ctx, scope := r.Context(), s.scope(r)
	// The list needs names only: agencies and facilities, not the whole
	// inventory, so that it stays quick at whole-of-government size.
	agencies, err := s.store.Agencies(ctx, scope)
	if err != nil {
		return nil, err
	}
	facilities, err := s.store.Facilities(ctx, scope)
	if err != nil {
		return nil, err
	}
	x := newIndex(&inventory.Inventory{Agencies: agencies, Facilities: facilities})
	var filter inventory.SystemFilter
	filter.AgencyID, _ = strconv.ParseInt(q.Get("agency"), 10, 64)
	filter.FacilityID, _ = strconv.ParseInt(q.Get("facility"), 10, 64)
	switch g := q.Get("grade"); g {
	case "1", "2", "3", "4":
		filter.Grade, _ = strconv.Atoi(g)
	case "none":
		filter.Grade = -1
	}
	systems, err := s.store.Systems(ctx, scope, filter)
	if err != nil {
		return nil, err
	}
	d := &systemsData{}
	pairs := []string{"", l.t("filter.all")}
	for _, a := range x.inv.Agencies {
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(idValue(filter.AgencyID), pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, f := range x.inv.Facilities {
		pairs = append(pairs, idValue(f.ID), f.Name)
	}
	d.Facilities = filterOptions(idValue(filter.FacilityID), pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, g := range inventory.GradeKeys {
		pairs = append(pairs, g, l.t("grade."+g))
	}
	d.Grades = filterOptions(q.Get("grade"), pairs...)
	caption := l.t("systems.caption", len(systems))
	d.List = systemsTable(l, x, systems, "systems", caption, exportHref("systems", "systems"), keepQuery(q, "agency", "facility", "grade"), true)
	return d, nil
}

// systemData is one system, every field of it, and what relates to it.
type systemData struct {
	System     *inventory.System
	Agency     string
	Primary    *inventory.Facility
	DR         *inventory.Facility
	Problem    string
	Redundancy *table
	Targets    *table
	Capability *table
	Endpoints  *table
	Services   *table
	DependsOn  *table
	DependedBy *table
	Findings   *table
	// Grades: the proposals to change its grade, the grade its
	// scores earn ("" without all three), whether a proposal waits.
	GradeProposals *table
	ScoredGrade    string
	GradePending   bool
	Risks          *table // risk entries on the system
	// Monitoring: its endpoints' live state, uptime, latency,
	// interruptions and maintenance windows (ui_monitor.go).
	Monitoring *systemMonitoring
	// Contacts is the system's call list; AddContact the form that adds
	// to it, for whom may.
	Contacts   *table
	AddContact string
	// Backup is its backups judged and its latest runs (issue 7).
	Backup *systemBackup
}

func (d *systemData) RecordName() string  { return d.System.Name }
func (d *systemData) setProblem(p string) { d.Problem = p }
func (d *systemData) Tables() []*table {
	return append([]*table{d.Redundancy, d.Targets, d.Capability, d.Endpoints, d.Services, d.DependsOn, d.DependedBy, d.Findings,
		d.GradeProposals, d.Risks, d.Contacts}, append(d.Monitoring.tables(), d.Backup.tables()...)...)
}

func buildSystem(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	id, err := idParam(q, "system")
	if err != nil {
		return nil, err
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	sys := x.system[id]
	if sys == nil {
		return nil, apperror.New(apperror.NotFound, "", "not_found.system")
	}
	d := &systemData{System: sys, Agency: x.agencyName(sys.AgencyID)}
	if sys.PrimaryFacilityID != nil {
		d.Primary = x.facility[*sys.PrimaryFacilityID]
	}
	if sys.DRFacilityID != nil {
		d.DR = x.facility[*sys.DRFacilityID]
	}
	query := url.Values{"id": {strconv.FormatInt(id, 10)}}.Encode()
	export := func(t string) string { return exportHref("system", t) }

	d.Redundancy = &table{ID: "redundancy", Caption: l.t("system.redundancy.caption"), Export: export("redundancy"), Query: query,
		Columns: []column{{Label: l.t("system.layer")}, {Label: l.t("system.redundancy")}}}
	for _, layer := range inventory.Layers {
		d.Redundancy.Rows = append(d.Redundancy.Rows, []cell{headCell(textCell(l.t("layer." + layer))), textCell(l.state(sys.Redundancy[layer]))})
	}

	d.Targets = &table{ID: "targets", Caption: l.t("system.targets.caption"), Export: export("targets"), Query: query,
		Columns: []column{{Label: l.t("system.target_case")}, {Label: l.t("system.rto")}, {Label: l.t("system.rpo")}, {Label: l.t("system.availability")}}}
	availability := l.t("system.availability.none")
	if percent, ok := objectives.Availability(sys.Grade); ok {
		availability = l.t("system.availability.sla", fmt.Sprintf("%.2f", percent))
	}
	d.Targets.Rows = [][]cell{
		{headCell(textCell(l.t("system.case.disaster"))), textCell(l.span(sys.RTODisaster)), textCell(l.span(sys.RPODisaster)), textCell("")},
		{headCell(textCell(l.t("system.case.failure"))), textCell(l.span(sys.RTOFailure)), textCell(l.span(sys.RPOFailure)), textCell(availability)},
	}

	now := time.Now()
	backups, err := s.judge(r, &inventory.Inventory{Systems: []*inventory.System{sys}, Services: x.inv.Services}, now)
	if err != nil {
		return nil, err
	}
	regions, err := s.regions(r)
	if err != nil {
		return nil, err
	}
	d.Capability = capabilityTable(l, sys, x.facility, objectives.Inherited(x.inv.Services)[id],
		measurement{status: backups[0], regions: regions, at: now}, export("capability"), query)

	d.Endpoints = &table{ID: "endpoints", Caption: l.t("system.endpoints.caption"), Export: export("endpoints"), Query: query,
		Columns: []column{{Label: l.t("system.endpoint_kind")}, {Label: l.t("system.endpoint_target")}}}
	for _, e := range sys.Endpoints {
		d.Endpoints.Rows = append(d.Endpoints.Rows, []cell{textCell(l.t("endpoint." + e.Kind)), headCell(textCell(e.Target))})
	}

	var services []*inventory.Service
	for _, svc := range x.inv.Services {
		if slices.Contains(svc.SystemIDs, id) {
			services = append(services, svc)
		}
	}
	d.Services = servicesTable(l, x, services, "services", l.t("system.services.caption"), export("services"), query, true)

	d.DependsOn = &table{ID: "depends-on", Caption: l.t("system.depends_on.caption"), Export: export("depends-on"), Query: query,
		Columns: []column{{Label: l.t("dependency.to")}, {Label: l.t("dependency.kind")}, {Label: l.t("dependency.note")}}}
	d.DependedBy = &table{ID: "depended-by", Caption: l.t("system.depended_by.caption"), Export: export("depended-by"), Query: query,
		Columns: []column{{Label: l.t("dependency.from")}, {Label: l.t("dependency.kind")}, {Label: l.t("dependency.note")}}}
	for _, dep := range x.inv.Dependencies {
		if dep.FromSystemID == id {
			d.DependsOn.Rows = append(d.DependsOn.Rows, []cell{headCell(x.systemCell(dep.ToSystemID)),
				textCell(l.t("depkind." + dep.Kind)), textCell(dep.Note)})
		}
		if dep.ToSystemID == id {
			d.DependedBy.Rows = append(d.DependedBy.Rows, []cell{headCell(x.systemCell(dep.FromSystemID)),
				textCell(l.t("depkind." + dep.Kind)), textCell(dep.Note)})
		}
	}

	var findings []quality.Finding
	for _, f := range quality.Check(x.inv) {
		if f.Subject.Kind == "system" && f.Subject.ID == id {
			findings = append(findings, f)
		}
	}
	d.Findings = findingsTable(l, findings, "findings", l.t("system.findings.caption"), export("findings"), query, false)
	if err := s.systemGrades(r, d, query); err != nil {
		return nil, err
	}
	risks, err := s.risks.List(r.Context(), s.scope(r), risk.Filter{SystemID: id})
	if err != nil {
		return nil, err
	}
	d.Risks = risksTable(l, x, risks, "risks", l.t("system.risks.caption", len(risks)), export("risks"), query, false, false)
	if err := s.systemMonitoring(r, d, query); err != nil {
		return nil, err
	}
	if d.Contacts, err = s.systemContacts(r, id, query); err != nil {
		return nil, err
	}
	if d.Backup, err = s.systemBackup(r, x, backups[0], query); err != nil {
		return nil, err
	}
	if s.may(r, "GET /systems/{id}/contacts/new") {
		d.AddContact = systemHref(id) + "/contacts/new"
	}
	return d, nil
}

// systemCell links a system, named with its agency.
func (x *index) systemCell(id int64) cell {
	if x.system[id] == nil {
		return textCell(x.systemLabel(id))
	}
	return linkCell(x.systemLabel(id), systemHref(id))
}

// Forms.

func systemValues(s *inventory.System) url.Values {
	v := url.Values{
		"agency_id": {idValue(s.AgencyID)}, "name": {s.Name}, "grade": {""},
		"score_impact": {floatValue(s.ScoreImpact)}, "score_users": {floatValue(s.ScoreUsers)}, "score_spread": {floatValue(s.ScoreSpread)},
		"users": {ptrValue(s.Users)}, "description": {s.Description}, "critical_functions": {s.CriticalFunctions},
		"primary_facility_id": {ptrValue(s.PrimaryFacilityID)}, "dr_facility_id": {ptrValue(s.DRFacilityID)},
		"dr_performance": {s.DRPerformance}, "dr_note": {s.DRNote},
		"backup_full_every": {minutesValue(s.BackupFullEvery)}, "backup_incr_every": {minutesValue(s.BackupIncrEvery)},
		"offsite_method": {s.OffsiteMethod}, "offsite_every": {minutesValue(s.OffsiteEvery)},
		"rto_disaster": {minutesValue(s.RTODisaster)}, "rpo_disaster": {minutesValue(s.RPODisaster)},
		"rto_failure": {minutesValue(s.RTOFailure)}, "rpo_failure": {minutesValue(s.RPOFailure)},
		"manual": {s.Manual}, "manual_fallback": {s.ManualFallback},
		"owner_primary": {s.OwnerPrimary}, "owner_secondary": {s.OwnerSecondary}, "vendor": {s.Vendor},
		"surveyed": {boolValue(s.Surveyed)}, "sample": {boolValue(s.Sample)},
	}
	if s.Grade != 0 {
		v.Set("grade", strconv.Itoa(s.Grade))
	}
	for _, layer := range inventory.Layers {
		v.Set("redundancy."+layer, s.Redundancy[layer])
	}
	targets := make([]string, len(s.Endpoints))
	for i, e := range s.Endpoints {
		targets[i] = e.Target
	}
	v.Set("endpoints", strings.Join(targets, "\n"))
	return v
}

func readSystem(v url.Values, s *inventory.System) []*apperror.Error {
	f := &formReader{v: v}
	s.AgencyID = f.id("agency_id")
	s.Name = f.text("name")
	switch g := f.text("grade"); g {
	case "":
		s.Grade = 0
	case "1", "2", "3", "4":
		s.Grade, _ = strconv.Atoi(g)
	default:
		f.fail("grade", "invalid.grade")
	}
	s.ScoreImpact, s.ScoreUsers, s.ScoreSpread = f.float("score_impact"), f.float("score_users"), f.float("score_spread")
	s.Users = f.int("users")
	s.Description, s.CriticalFunctions = f.long("description"), f.long("critical_functions")
	s.PrimaryFacilityID, s.DRFacilityID = f.idPtr("primary_facility_id"), f.idPtr("dr_facility_id")
	s.DRPerformance, s.DRNote = f.text("dr_performance"), f.long("dr_note")
	s.Redundancy = map[string]string{}
	for _, layer := range inventory.Layers {
		s.Redundancy[layer] = f.text("redundancy." + layer)
	}
	s.BackupFullEvery, s.BackupIncrEvery = f.minutes("backup_full_every"), f.minutes("backup_incr_every")
	s.OffsiteMethod, s.OffsiteEvery = f.text("offsite_method"), f.minutes("offsite_every")
	s.RTODisaster, s.RPODisaster = f.minutes("rto_disaster"), f.minutes("rpo_disaster")
	s.RTOFailure, s.RPOFailure = f.minutes("rto_failure"), f.minutes("rpo_failure")
	s.Manual, s.ManualFallback = f.text("manual"), f.long("manual_fallback")
	s.OwnerPrimary, s.OwnerSecondary, s.Vendor = f.text("owner_primary"), f.text("owner_secondary"), f.text("vendor")
	s.Endpoints = nil
	for _, line := range splitLines(f.v.Get("endpoints")) {
		s.Endpoints = append(s.Endpoints, inventory.Endpoint{Target: line})
	}
	s.Surveyed, s.Sample = f.bool("surveyed"), f.bool("sample")
	s.Normalize()
	return append(f.problems, problemsOf(s.Validate())...)
}

func (s *Server) systemForm(w http.ResponseWriter, r *http.Request, status int, sys *inventory.System, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	agencies := options("", l.t("form.choose"))
	for _, a := range x.inv.Agencies {
		agencies.Options = append(agencies.Options, option{Value: idValue(a.ID), Label: a.Name})
	}
	facilities := options("", l.t("form.none"))
	for _, f := range x.inv.Facilities {
		facilities.Options = append(facilities.Options, option{Value: idValue(f.ID),
			Label: l.t("system.facility_with_operator", f.Name, l.operator(f.Operator))})
	}
	grades := options("", l.t("grade.none"), "1", l.t("grade.1"), "2", l.t("grade.2"), "3", l.t("grade.3"), "4", l.t("grade.4"))
	b := newFormBuilder(l, values, problems)
	agency := b.choose("agency_id", "system.agency", agencies)
	agency.Required = true
	var layers []*field
	for _, layer := range inventory.Layers {
		layers = append(layers, b.choose("redundancy."+layer, "layer."+layer, b.states()))
	}
	endpoints := b.textarea("endpoints", "system.endpoints")
	endpoints.Hint = "form.hint.endpoints"
	users := b.number("users", "system.users")
	sample := b.checkbox("sample", "field.sample")
	sample.Hint = "form.hint.sample"
	sets := []*fieldset{
		set("system.form.basic", agency, b.required("name", "system.name"), b.choose("grade", "system.grade", grades), users,
			b.textarea("description", "system.description"), b.textarea("critical_functions", "system.critical_functions")),
		set("system.form.scores", b.number("score_impact", "system.score_impact"), b.number("score_users", "system.score_users"),
			b.number("score_spread", "system.score_spread")),
		set("system.form.placement", b.choose("primary_facility_id", "system.primary_facility", cloneGroup(facilities)),
			b.choose("dr_facility_id", "system.dr_facility", cloneGroup(facilities)),
			b.choose("dr_performance", "system.dr_performance", b.keyed("dr.", inventory.DRPerformances...)),
			b.textarea("dr_note", "system.dr_note")),
		set("system.form.redundancy", layers...),
		set("system.form.backup", b.interval("backup_full_every", "system.backup_full_every"), b.interval("backup_incr_every", "system.backup_incr_every"),
			b.choose("offsite_method", "system.offsite_method", b.keyed("offsite.", inventory.OffsiteMethods...)),
			b.interval("offsite_every", "system.offsite_every")),
		set("system.form.targets", b.duration("rto_disaster", "system.rto_disaster"), b.duration("rpo_disaster", "system.rpo_disaster"),
			b.duration("rto_failure", "system.rto_failure"), b.duration("rpo_failure", "system.rpo_failure")),
		set("system.form.operation", b.choose("manual", "system.manual", b.states()), b.textarea("manual_fallback", "system.manual_fallback"),
			b.text("owner_primary", "system.owner_primary"), b.text("owner_secondary", "system.owner_secondary"),
			b.text("vendor", "system.vendor"), endpoints),
		set("form.set.record", b.checkbox("surveyed", "system.surveyed"), sample),
	}
	if sys.ID == 0 {
		s.renderForm(w, r, status, b.page("system.new", "", "/systems", "/systems", sets...))
		return
	}
	s.renderForm(w, r, status, b.page("system.edit", sys.Name, systemHref(sys.ID), systemHref(sys.ID), sets...))
}

// cloneGroup copies options, so that two selects can mark different
// choices.
func cloneGroup(g optionGroup) optionGroup {
	return optionGroup{Label: g.Label, Options: slices.Clone(g.Options)}
}

func (s *Server) showNewSystem(w http.ResponseWriter, r *http.Request) {
	sys := &inventory.System{}
	if a, err := strconv.ParseInt(r.URL.Query().Get("agency"), 10, 64); err == nil {
		sys.AgencyID = a
	}
	sys.Normalize()
	s.systemForm(w, r, http.StatusOK, sys, systemValues(sys), nil)
}

func (s *Server) createSystem(w http.ResponseWriter, r *http.Request) {
	sys := &inventory.System{}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readSystem(v, sys) },
		write: func(tx *inventory.Tx) error { return tx.CreateSystem(r.Context(), sys) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.systemForm(w, r, status, &inventory.System{}, v, problems)
		},
		next: func() string { return systemHref(sys.ID) },
	})
}

func (s *Server) showEditSystem(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.systemForm(w, r, http.StatusOK, sys, systemValues(sys), nil)
}

func (s *Server) updateSystem(w http.ResponseWriter, r *http.Request) {
	stored, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sys := &inventory.System{ID: stored.ID}
	s.submit(w, r, formPost{
		read:  func(v url.Values) []*apperror.Error { return readSystem(v, sys) },
		write: func(tx *inventory.Tx) error { return tx.UpdateSystem(r.Context(), sys) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.systemForm(w, r, status, stored, v, problems)
		},
		next: func() string { return systemHref(sys.ID) },
	})
}

func (s *Server) deleteSystem(w http.ResponseWriter, r *http.Request) {
	s.remove(w, r, "system", func(tx *inventory.Tx, id int64) error { return s.deleteSystemIn(r.Context(), tx, id) }, "/systems",
		func(status int, problem string) {
			s.showDetailWithProblem(w, r, status, "system", "system.title", buildSystem, problem)
		})
}

// measurement is what a system's backup runs measure: its judged status,
// the regions of the facilities its copies may lie in, and when it was
// judged.
type measurement struct {
	status  *backup.SystemStatus
	regions backup.Regions
	at      time.Time
}

// capabilityTable is what the system can really achieve under each named
// scenario against the targets it is held to there (scenario.Targets: its
// SLA targets under component failure; under a disaster its own targets
// tightened by the services it supports, else its grade's minimum), with
// where each target comes from and the reasoning in words. The data loss
// measured from the system's backup runs (m) beats the estimate from its
// records (backup.Measure).
func capabilityTable(l tr, sys *inventory.System, facilities map[int64]*inventory.Facility, inherited objectives.Strictest,
	m measurement, export, query string) *table {
	t := &table{ID: "capability", Caption: l.t("system.capability.caption"), Export: export, Query: query,
		Columns: []column{{Label: l.t("system.capability.scenario")}, {Label: l.t("gaps.col.rto_target")}, {Label: l.t("gaps.col.rto_estimate")},
			{Label: l.t("gaps.col.rpo_target")}, {Label: l.t("gaps.col.rpo_estimate")}, {Label: l.t("system.capability.why")}}}
	gaps := make([]scenario.SystemGap, len(scenario.Kinds))
	for i, kind := range scenario.Kinds {
		gaps[i] = scenario.SystemGapOf(sys, facilities, inherited, kind)
	}
	backup.Measure(gaps, []*backup.SystemStatus{m.status}, facilities, m.regions, m.at)
	for _, g := range gaps {
		kind := g.Kind
		t.Rows = append(t.Rows, []cell{headCell(textCell(l.t("scenario.kind." + kind))), l.targetCell(g.RTO.Target), l.estimateCell(g.RTO),
			l.targetCell(g.RPO.Target), l.estimateCell(g.RPO), textCell(strings.Join(l.reasons(g.Capability), " "))})
	}
	return t
}
