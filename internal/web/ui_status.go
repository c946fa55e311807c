package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// The status board: every system in scope by agency and grade, what is
// down first. The live states come from the Watcher's memory and the
// figures of systems nobody monitors from one narrow count, so the board
// stays quick at whole-of-government size: it never loads the inventory.

// statusCounts are the board's headline figures.
type statusCounts struct {
	Systems, Down, Partial, Unknown, Up, Unmonitored int
}

// add adds another cell's figures.
func (c *statusCounts) add(o statusCounts) {
	c.Systems += o.Systems
	c.Down += o.Down
	c.Partial += o.Partial
	c.Unknown += o.Unknown
	c.Up += o.Up
	c.Unmonitored += o.Unmonitored
}

// statusData is the status board.
type statusData struct {
	// Live: a Watcher runs; without one every monitored system's state is
	// unknown. Isolated: the tower looks cut off, and its own results do
	// not count (monitor.TowerIsolated).
	Live, Isolated   bool
	Agencies, Grades []filterOption
	Counts           statusCounts
	Grid, List       *table
}

func (d *statusData) Tables() []*table { return []*table{d.Grid, d.List} }

// gridKey is one cell of the board's grid.
type gridKey struct {
	agency int64
	grade  string // inventory.GradeKey
}

func buildStatus(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l, ctx, scope := tr(lang(r)), r.Context(), s.scope(r)
	agencies, err := s.store.Agencies(ctx, scope)
	if err != nil {
		return nil, err
	}
	counts, err := s.monitors.SystemCounts(ctx, scope)
	if err != nil {
		return nil, err
	}
	agencyID, _ := strconv.ParseInt(q.Get("agency"), 10, 64)
	grade := q.Get("grade")
	if !slices.Contains(inventory.GradeKeys, grade) {
		grade = ""
	}
	shown := func(agency int64, g int) bool {
		return (agencyID == 0 || agency == agencyID) && (grade == "" || inventory.GradeKey(g) == grade)
	}

	d := &statusData{Live: s.watcher != nil}
	if s.watcher != nil {
		d.Isolated = s.watcher.Stats().Isolated
	}
	names := make(map[int64]string, len(agencies))
	pairs := []string{"", l.t("filter.all")}
	for _, a := range agencies {
		names[a.ID] = a.Name
		pairs = append(pairs, idValue(a.ID), a.Name)
	}
	d.Agencies = filterOptions(idValue(agencyID), pairs...)
	pairs = []string{"", l.t("filter.all")}
	for _, g := range inventory.GradeKeys {
		pairs = append(pairs, g, l.t("grade."+g))
	}
	d.Grades = filterOptions(grade, pairs...)

	// Every system counted, then the live states laid over the monitored
	// ones: a monitored system the Watcher has no verdict on is unknown.
	grid := map[gridKey]*statusCounts{}
	cellOf := func(agency int64, g int) *statusCounts {
		k := gridKey{agency, inventory.GradeKey(g)}
		if grid[k] == nil {
			grid[k] = &statusCounts{}
		}
		return grid[k]
	}
	monitored := map[gridKey]int{}
	for _, c := range counts {
		if !shown(c.AgencyID, c.Grade) {
			continue
		}
		cell := cellOf(c.AgencyID, c.Grade)
		cell.Systems += c.Systems
		cell.Unmonitored += c.Systems - c.Monitored
		monitored[gridKey{c.AgencyID, inventory.GradeKey(c.Grade)}] += c.Monitored
	}
	var systems []monitor.SystemStatus
	if s.watcher != nil {
		for _, sys := range monitor.Systems(s.watcher.Statuses(scope, false)) {
			if !shown(sys.AgencyID, sys.Grade) {
				continue
			}
			systems = append(systems, sys)
			cell := cellOf(sys.AgencyID, sys.Grade)
			switch sys.State {
			case monitor.SystemDown:
				cell.Down++
			case monitor.SystemPartial:
				cell.Partial++
			case monitor.SystemUp:
				cell.Up++
			}
		}
	}
	for k, cell := range grid {
		cell.Unknown = max(0, monitored[k]-cell.Down-cell.Partial-cell.Up)
		d.Counts.add(*cell)
	}
	query := keepQuery(q, "agency", "grade")
	d.Grid = statusGrid(l, agencies, grid, query)
	d.List = statusList(l, systems, names, query)
	return d, nil
}

// statusGrid is agencies by grade, each cell the systems down (wholly or
// in part) and up.
func statusGrid(l tr, agencies []*inventory.Agency, grid map[gridKey]*statusCounts, query string) *table {
	t := &table{ID: "grid", Caption: l.t("status.grid.caption"), Export: exportHref("status", "grid"), Query: query,
		Columns: []column{{Label: l.t("home.col.agency")}}}
	for _, g := range inventory.GradeKeys {
		t.Columns = append(t.Columns, column{Label: l.t("grade." + g)})
	}
	t.Columns = append(t.Columns, column{Label: l.t("home.col.total")})
	gridCell := func(c statusCounts) cell {
		if c.Systems == 0 {
			return textCell("")
		}
		out := textCell(l.t("status.grid.cell", c.Down+c.Partial, c.Up, c.Systems))
		if c.Down+c.Partial > 0 {
			out.Class = "state-down"
		}
		return out
	}
	var total statusCounts
	columns := map[string]*statusCounts{}
	for _, a := range agencies {
		var row statusCounts
		cells := []cell{headCell(linkCell(a.Name, "/status?agency="+idValue(a.ID)))}
		for _, g := range inventory.GradeKeys {
			var c statusCounts
			if found := grid[gridKey{a.ID, g}]; found != nil {
				c = *found
			}
			if columns[g] == nil {
				columns[g] = &statusCounts{}
			}
			columns[g].add(c)
			row.add(c)
			cells = append(cells, gridCell(c))
		}
		if row.Systems == 0 {
			continue
		}
		total.add(row)
		t.Rows = append(t.Rows, append(cells, gridCell(row)))
	}
	foot := []cell{headCell(textCell(l.t("home.row.total")))}
	for _, g := range inventory.GradeKeys {
		var c statusCounts
		if columns[g] != nil {
			c = *columns[g]
		}
		foot = append(foot, gridCell(c))
	}
	t.Foot = [][]cell{append(foot, gridCell(total))}
	return t
}

// statusOrder ranks a system on the board: down first, then down in part,
// unknown, and up systems an agent fell silent on; within each, grade 1
// first, then the longest down.
func statusOrder(a, b monitor.SystemStatus) int {
	rank := func(state string) int { return slices.Index(monitor.SystemStates, state) }
	gradeRank := func(g int) int {
		if g < 1 {
			return 5
		}
		return g
	}
	sinceRank := func(s monitor.SystemStatus) int64 {
		if s.Since.IsZero() {
			return 1 << 62
		}
		return s.Since.UnixNano()
	}
	return cmp.Or(cmp.Compare(rank(a.State), rank(b.State)), cmp.Compare(gradeRank(a.Grade), gradeRank(b.Grade)),
		cmp.Compare(sinceRank(a), sinceRank(b)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.SystemID, b.SystemID))
}

// statusList is every system not wholly up, and every system an agent
// fell silent on, in statusOrder.
func statusList(l tr, systems []monitor.SystemStatus, names map[int64]string, query string) *table {
	var list []monitor.SystemStatus
	for _, sys := range systems {
		if sys.State != monitor.SystemUp || len(sys.SilentVantages) > 0 {
			list = append(list, sys)
		}
	}
	slices.SortFunc(list, statusOrder)
	t := &table{ID: "attention", Caption: l.t("status.list.caption", len(list)), Export: exportHref("status", "attention"), Query: query,
		PageRows: longListRows,
		Columns: []column{{Label: l.t("status.col.state")}, {Label: l.t("home.col.agency")}, {Label: l.t("system.name")},
			{Label: l.t("system.grade")}, {Label: l.t("status.col.since")}, {Label: l.t("monitor.col.duration")},
			{Label: l.t("monitor.col.reason")}, {Label: l.t("status.col.seen_down")}, {Label: l.t("status.col.silent")}}}
	now := time.Now()
	for _, sys := range list {
		since, lasted, reason := textCell(""), textCell(""), textCell("")
		if !sys.Since.IsZero() {
			since, lasted = textCell(locale.DateTime(sys.Since)), textCell(l.duration(now.Sub(sys.Since)))
			reason = textCell(l.t("status.reason", sys.Target, sys.Reason))
		}
		silent := textCell("")
		if len(sys.SilentVantages) > 0 {
			silent = textCell(l.silentVantages(sys.SilentVantages))
		}
		t.Rows = append(t.Rows, []cell{{Text: l.t("status.state." + sys.State), Class: "state-" + sys.State},
			textCell(names[sys.AgencyID]), headCell(linkCell(sys.Name, systemHref(sys.SystemID))), textCell(l.grade(sys.Grade)),
			since, lasted, reason, textCell(l.vantages(sys.DownVantages)), silent})
	}
	return t
}
