package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/recovery"
	"yeonsok/internal/scenario"
)

// maxTeams bounds ?teams=: more teams than that is unlimited in practice.
const maxTeams = 1000

// lostFacilities reads the facilities a restart order is asked for
// (?facility=ID, repeated): each must be one the caller may see.
func lostFacilities(x *index, q url.Values) ([]int64, error) {
	var ids []int64
	for _, v := range q["facility"] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return nil, apperror.New(apperror.Invalid, "facility", "recovery.invalid_facility", v)
		}
		if x.facility[id] == nil {
			return nil, apperror.New(apperror.NotFound, "facility", "not_found.facility")
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// restartTeams reads ?teams=N, how many systems can be restored at once;
// absent or 0 is unlimited.
func restartTeams(q url.Values) (int, error) {
	v := strings.TrimSpace(q.Get("teams"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxTeams {
		return 0, apperror.New(apperror.Invalid, "teams", "recovery.invalid_teams", v, maxTeams)
	}
	return n, nil
}

// restartQuery is the query that asks again for the same plan, for export
// links.
func restartQuery(ids []int64, teams int) string {
	q := url.Values{}
	for _, id := range ids {
		q.Add("facility", strconv.FormatInt(id, 10))
	}
	if teams > 0 {
		q.Set("teams", strconv.Itoa(teams))
	}
	return q.Encode()
}

// restartChoice is a facility to tick on the restart-order form.
type restartChoice struct {
	ID      int64
	Label   string
	Checked bool
}

// restartData is the cold-restart order of the chosen facilities: the
// order with each system's times against its RTO, the critical path and
// the dependency cycles. Plan is nil until facilities are chosen.
type restartData struct {
	Choices []restartChoice
	Teams   string
	// Rebuild is the time a restore is assumed to take when it cannot be
	// estimated.
	Rebuild string
	Plan    *recovery.Plan
	// Chosen names the lost facilities; TeamsText says how many teams.
	Chosen, TeamsText, Finish string
	Misses, Assumed, NoTarget int
	Order, Critical, Cycles   *table
}

func (d *restartData) Tables() []*table {
	if d.Plan == nil {
		return nil
	}
	return []*table{d.Order, d.Critical, d.Cycles}
}

func buildRestartOrder(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	ids, err := lostFacilities(x, q)
	if err != nil {
		return nil, err
	}
	teams, err := restartTeams(q)
	if err != nil {
		return nil, err
	}
	d := &restartData{Teams: strings.TrimSpace(q.Get("teams")), Rebuild: locale.Span(l.lang(), int64(scenario.RebuildElsewhere))}
	primaries := map[int64]int{}
	for _, sys := range x.inv.Systems {
		if sys.PrimaryFacilityID != nil {
			primaries[*sys.PrimaryFacilityID]++
		}
	}
	for _, f := range x.inv.Facilities {
		d.Choices = append(d.Choices, restartChoice{ID: f.ID, Label: l.t("recovery.choice", f.Name, primaries[f.ID]), Checked: slices.Contains(ids, f.ID)})
	}
	if len(ids) == 0 {
		return d, nil
	}
	plan := recovery.Order(x.inv, ids, recovery.Options{Teams: teams})
	d.Plan = plan
	var names []string
	for _, id := range plan.Facilities {
		names = append(names, x.facility[id].Name)
	}
	d.Chosen = strings.Join(names, ", ")
	d.TeamsText = l.t("recovery.teams_unlimited")
	if teams > 0 {
		d.TeamsText = l.t("recovery.teams_count", teams)
	}
	d.Finish = l.elapsed(plan.Finish)
	query := restartQuery(plan.Facilities, teams)
	d.Order = restartOrderTable(l, x, plan, query)
	d.Critical = criticalPathTable(l, x, plan, query)
	d.Cycles = cyclesTable(l, x, plan, query)
	for _, st := range plan.Steps {
		switch st.Verdict {
		case recovery.Misses:
			d.Misses++
		case recovery.NoTarget:
			d.NoTarget++
		}
		if st.Assumed {
			d.Assumed++
		}
	}
	return d, nil
}

// elapsed writes a time after the loss: "즉시" at the moment of the loss.
func (l tr) elapsed(m inventory.Minutes) string {
	if m == 0 {
		return l.t("recovery.at_once")
	}
	return locale.Span(l.lang(), int64(m))
}

// systemNames writes systems by name, in the order given.
func (x *index) systemNames(ids []int64) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = x.systemName(id)
	}
	return strings.Join(names, ", ")
}

func restartOrderTable(l tr, x *index, plan *recovery.Plan, query string) *table {
	t := &table{ID: "order", Caption: l.t("recovery.order.caption", len(plan.Steps)), Export: exportHref("restart-order", "order"), Query: query,
		Columns: []column{{Label: l.t("recovery.col.position"), Num: true}, {Label: l.t("system.name")}, {Label: l.t("home.col.agency")},
			{Label: l.t("system.grade")}, {Label: l.t("home.col.facility")}, {Label: l.t("recovery.col.infrastructure")},
			{Label: l.t("recovery.col.needs")}, {Label: l.t("recovery.col.start")}, {Label: l.t("recovery.col.back")},
			{Label: l.t("system.rto_disaster")}, {Label: l.t("recovery.col.verdict")}, {Label: l.t("recovery.col.notes")}}}
	for _, st := range plan.Steps {
		var tags []tag
		if st.Critical {
			tags = append(tags, tag{Label: l.t("recovery.tag.critical"), Class: "critical"})
		}
		infrastructure := ""
		if st.Infrastructure != "" {
			infrastructure = l.t("depkind." + st.Infrastructure)
		}
		t.Rows = append(t.Rows, []cell{intCell(st.Position), headCell(linkCell(st.Name, systemHref(st.SystemID), tags...)),
			textCell(x.agencyName(st.AgencyID)), textCell(l.grade(st.Grade)), textCell(x.facility[st.FacilityID].Name),
			textCell(infrastructure), textCell(x.systemNames(st.Needs)), textCell(l.elapsed(st.Start)), textCell(l.elapsed(st.Back)),
			textCell(l.span(st.RTO)), l.verdictCell(st), textCell(strings.Join(l.stepNotes(x, st), " "))})
	}
	return t
}

// verdictCell says whether a system is back within its disaster RTO.
func (l tr) verdictCell(st recovery.Step) cell {
	switch st.Verdict {
	case recovery.Met:
		return textCell(l.t("recovery.verdict.met"))
	case recovery.NoTarget:
		return textCell(l.t("recovery.verdict.no_target"))
	}
	text := l.t("recovery.verdict.misses")
	if st.Gap > 0 {
		text = l.t("recovery.verdict.misses_by", locale.Minutes(st.Gap))
	}
	return cell{Text: text, Tags: []tag{{Label: l.t("system.capability.misses"), Class: "risk"}}}
}

// stepNotes say what a step's times rest on beyond the estimate itself.
func (l tr) stepNotes(x *index, st recovery.Step) []string {
	var notes []string
	switch {
	case st.Restore.Unbounded:
		notes = append(notes, l.t("recovery.note.unbounded", locale.Minutes(st.Duration)))
	case st.Restore.Unknown:
		notes = append(notes, l.t("recovery.note.unknown", locale.Minutes(st.Duration)))
	}
	if st.Start > st.Ready {
		notes = append(notes, l.t("recovery.note.waited", locale.Minutes(st.Start-st.Ready)))
	}
	if len(st.Outside) > 0 {
		notes = append(notes, l.t("recovery.note.outside", x.systemNames(st.Outside)))
	}
	if len(st.Ignored) > 0 {
		notes = append(notes, l.t("recovery.note.ignored", x.systemNames(st.Ignored)))
	}
	return notes
}

func criticalPathTable(l tr, x *index, plan *recovery.Plan, query string) *table {
	t := &table{ID: "critical-path", Caption: l.t("recovery.critical.caption", l.elapsed(plan.Finish)), Export: exportHref("restart-order", "critical-path"),
		Query: query, Columns: []column{{Label: l.t("recovery.col.position"), Num: true}, {Label: l.t("system.name")},
			{Label: l.t("home.col.agency")}, {Label: l.t("recovery.col.duration")}, {Label: l.t("recovery.col.start")}, {Label: l.t("recovery.col.back")}}}
	step := map[int64]recovery.Step{}
	for _, st := range plan.Steps {
		step[st.SystemID] = st
	}
	for _, id := range plan.CriticalPath {
		st := step[id]
		t.Rows = append(t.Rows, []cell{intCell(st.Position), headCell(linkCell(st.Name, systemHref(id))), textCell(x.agencyName(st.AgencyID)),
			textCell(locale.Span(l.lang(), int64(st.Duration))), textCell(l.elapsed(st.Start)), textCell(l.elapsed(st.Back))})
	}
	return t
}

func cyclesTable(l tr, x *index, plan *recovery.Plan, query string) *table {
	t := &table{ID: "cycles", Caption: l.t("recovery.cycles.caption", len(plan.Cycles)), Export: exportHref("restart-order", "cycles"), Query: query,
		Columns: []column{{Label: l.t("recovery.col.cycle"), Num: true}, {Label: l.t("recovery.col.members")}, {Label: l.t("recovery.col.ignored")}}}
	ignored := map[int64][]int64{}
	for _, st := range plan.Steps {
		ignored[st.SystemID] = st.Ignored
	}
	for i, members := range plan.Cycles {
		var broken []string
		for _, id := range members {
			if len(ignored[id]) > 0 {
				broken = append(broken, l.t("recovery.ignored_need", x.systemName(id), x.systemNames(ignored[id])))
			}
		}
		t.Rows = append(t.Rows, []cell{intCell(i + 1), textCell(x.systemNames(members)), textCell(strings.Join(broken, "; "))})
	}
	return t
}
