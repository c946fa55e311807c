package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/backup"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/scenario"
)

// gapsData is the gap summary: every scenario's totals, and for the chosen
// scenario the counts per agency and per grade and the systems that miss.
type gapsData struct {
	Scenarios, Agencies []filterOption
	Kind                string
	Totals, ByAgency    *table
	ByGrade, Misses     *table
}

func (d *gapsData) Tables() []*table { return []*table{d.Totals, d.ByAgency, d.ByGrade, d.Misses} }

// gapsView is the portfolio's gaps as the page and the API read them: the
// inventory in the caller's scope, narrowed to one agency when asked, judged
// under every scenario.
type gapsView struct {
	x       *index
	kind    string // the chosen scenario; empty when none was
	agency  int64  // 0: every agency in scope
	gaps    []scenario.SystemGap
	summary scenario.GapSummary
}

// readGaps judges the inventory in scope under every scenario, as ?agency=
// narrows it; ?scenario= chooses one to look into.
func (s *Server) readGaps(r *http.Request, q url.Values) (*gapsView, error) {
	v := &gapsView{kind: q.Get("scenario")}
	if v.kind != "" && !slices.Contains(scenario.Kinds, v.kind) {
		return nil, apperror.New(apperror.Invalid, "scenario", "gaps.scenario_unknown", v.kind)
	}
	if a := q.Get("agency"); a != "" {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperror.New(apperror.Invalid, "agency", "gaps.agency_invalid", a)
		}
		v.agency = id
	}
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	v.x = x
	inv := x.inv
	if v.agency != 0 {
		narrowed := *x.inv
		narrowed.Systems = nil
		for _, sys := range x.inv.Systems {
			if sys.AgencyID == v.agency {
				narrowed.Systems = append(narrowed.Systems, sys)
			}
		}
		inv = &narrowed
	}
	v.gaps = scenario.Gaps(inv)
	now := time.Now()
	backups, err := s.judge(r, inv, now)
	if err != nil {
		return nil, err
	}
	regions, err := s.regions(r)
	if err != nil {
		return nil, err
	}
	backup.Measure(v.gaps, backups, scenario.FacilityMap(inv.Facilities), regions, now)
	v.summary = scenario.Summarize(v.gaps)
	return v, nil
}

// misses are the systems that miss a target under the chosen scenario, in
// the what-if's order (grade, agency, name).
func (v *gapsView) misses() []scenario.SystemGap {
	var out []scenario.SystemGap
	for _, g := range v.gaps {
		if g.Kind == v.kind && g.Misses() {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b scenario.SystemGap) int { return scenario.CompareSystems(a.System, b.System) })
	return out
}

// gradeOrder is how pages list grades: 1 to 4, then 미부여 (0).
var gradeOrder = []int{1, 2, 3, 4, 0}

func buildGaps(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	if q.Get("scenario") == "" {
		q = cloneValues(q)
		q.Set("scenario", scenario.FacilityLoss)
	}
	v, err := s.readGaps(r, q)
	if err != nil {
		return nil, err
	}
	d := &gapsData{Kind: v.kind}
	var pairs []string
	for _, kind := range scenario.Kinds {
		pairs = append(pairs, kind, l.t("scenario.kind."+kind))
	}
	d.Scenarios = filterOptions(v.kind, pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, a := range v.x.inv.Agencies {
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(idValue(v.agency), pairs...)
	query := keepQuery(q, "scenario", "agency")
	export := func(t string) string { return exportHref("gaps", t) }
	kindName := l.t("scenario.kind." + v.kind)

	d.Totals = &table{ID: "totals", Caption: l.t("gaps.totals.caption"), Export: export("totals"), Query: query,
		Columns: append([]column{{Label: l.t("system.capability.scenario")}}, l.gapColumns()...)}
	for _, kind := range scenario.Kinds {
		link := url.Values{"scenario": {kind}}
		if v.agency != 0 {
			link.Set("agency", idValue(v.agency))
		}
		d.Totals.Rows = append(d.Totals.Rows, append([]cell{headCell(linkCell(l.t("scenario.kind."+kind), "/gaps?"+link.Encode()))},
			gapCells(v.summary.Total[kind])...))
	}

	d.ByAgency = &table{ID: "by-agency", Caption: l.t("gaps.by_agency.caption", kindName), Export: export("by-agency"), Query: query,
		Columns: append([]column{{Label: l.t("home.col.agency")}}, l.gapColumns()...)}
	for _, a := range v.x.inv.Agencies {
		if c := v.summary.ByAgency[a.ID][v.kind]; c != nil {
			d.ByAgency.Rows = append(d.ByAgency.Rows, append([]cell{headCell(linkCell(a.Name, agencyHref(a.ID)))}, gapCells(c)...))
		}
	}
	d.ByAgency.Foot = [][]cell{append([]cell{headCell(textCell(l.t("home.row.total")))}, gapCells(v.summary.Total[v.kind])...)}

	d.ByGrade = &table{ID: "by-grade", Caption: l.t("gaps.by_grade.caption", kindName), Export: export("by-grade"), Query: query,
		Columns: append([]column{{Label: l.t("system.grade")}}, l.gapColumns()...)}
	for _, g := range gradeOrder {
		if c := v.summary.ByGrade[g][v.kind]; c != nil {
			d.ByGrade.Rows = append(d.ByGrade.Rows, append([]cell{headCell(textCell(l.grade(g)))}, gapCells(c)...))
		}
	}

	misses := v.misses()
	d.Misses = &table{ID: "misses", Caption: l.t("gaps.misses.caption", kindName, len(misses)), Export: export("misses"), Query: query,
		PageRows: longListRows,
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("system.name")}, {Label: l.t("system.grade")},
			{Label: l.t("gaps.col.rto_target")}, {Label: l.t("gaps.col.rto_estimate")}, {Label: l.t("gaps.col.rto_short")},
			{Label: l.t("gaps.col.rpo_target")}, {Label: l.t("gaps.col.rpo_estimate")}, {Label: l.t("gaps.col.rpo_short")},
			{Label: l.t("system.capability.why")}}}
	for _, g := range misses {
		d.Misses.Rows = append(d.Misses.Rows, []cell{linkCell(v.x.agencyName(g.AgencyID), agencyHref(g.AgencyID)),
			headCell(linkCell(g.System.Name, systemHref(g.SystemID), l.sample(g.System.Sample)...)), textCell(l.grade(g.System.Grade)),
			l.targetCell(g.RTO.Target), l.estimateCell(g.RTO), l.shortfallCell(g.RTO),
			l.targetCell(g.RPO.Target), l.estimateCell(g.RPO), l.shortfallCell(g.RPO), l.whyCell(g.Capability)})
	}
	return d, nil
}

// cloneValues copies a query, so that a builder may fill in a default
// without changing its caller's.
func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q))
	for k, v := range q {
		c[k] = slices.Clone(v)
	}
	return c
}

// gapColumns head the counts of a scenario.GapCount.
func (l tr) gapColumns() []column {
	return []column{{Label: l.t("gaps.col.systems"), Num: true}, {Label: l.t("gaps.col.misses"), Num: true},
		{Label: l.t("gaps.col.misses_rto"), Num: true}, {Label: l.t("gaps.col.misses_rpo"), Num: true},
		{Label: l.t("gaps.col.undecided"), Num: true}, {Label: l.t("gaps.col.met"), Num: true}}
}

func gapCells(c *scenario.GapCount) []cell {
	if c == nil {
		c = &scenario.GapCount{}
	}
	return []cell{intCell(c.Systems), intCell(c.Misses), intCell(c.MissesRTO), intCell(c.MissesRPO), intCell(c.Undecided), intCell(c.Met)}
}

// bound writes an estimate: "3일", "3일 이상", "복구 불가(무한)", "알 수 없음".
func (l tr) bound(b scenario.Bound) string {
	switch {
	case b.Unknown:
		return l.t("system.capability.unknown")
	case b.Unbounded:
		return l.t("system.capability.unbounded")
	}
	return l.atLeast(b.Minutes, b.AtLeast)
}

// atLeast writes minutes, as a lower bound when so.
func (l tr) atLeast(m inventory.Minutes, lower bool) string {
	if lower {
		return l.t("gaps.at_least", locale.Span(l.lang(), int64(m)))
	}
	return locale.Span(l.lang(), int64(m))
}

// targetCell writes what a system is held to and where that comes from:
// "1시간 (등급 최소기준)"; "미설정" when nothing applies.
func (l tr) targetCell(t scenario.Target) cell {
	if t.Minutes == nil {
		return textCell(l.t("value.not_set"))
	}
	return cell{Text: l.span(t.Minutes), Tags: []tag{{Label: l.t("gaps.source." + t.Source)}}}
}

// estimateCell writes an estimate, marked when it misses its target.
func (l tr) estimateCell(m scenario.Measure) cell {
	c := textCell(l.bound(m.Bound))
	if m.Misses {
		c.Tags = []tag{{Label: l.t("system.capability.misses"), Class: "risk"}}
	}
	return c
}

// shortfallCell writes by how much an estimate misses its target; blank
// when it does not.
func (l tr) shortfallCell(m scenario.Measure) cell {
	switch {
	case !m.Misses:
		return textCell("")
	case m.Bound.Unbounded:
		return textCell(l.t("system.capability.unbounded"))
	}
	return textCell(l.atLeast(m.Gap, m.Bound.AtLeast))
}

// whyCell folds an estimate's reasoning under a short summary.
func (l tr) whyCell(c scenario.Capability) cell {
	return cell{Text: l.t("gaps.why", len(c.Reasons)), Detail: l.reasons(c)}
}

func (l tr) reasons(c scenario.Capability) []string {
	lines := make([]string, len(c.Reasons))
	for i, r := range c.Reasons {
		lines[i] = r.Message(l.lang())
	}
	return lines
}
