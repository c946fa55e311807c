package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// The monitoring section of a system's page (SPEC §4.5): each endpoint's
// live state from every vantage point, 90 days of uptime as bars, the
// figures the plan checks, hourly latency, the interruptions and the
// maintenance windows. What is live comes from the Watcher; everything
// else from the store, as evidence.

// Periods of the section.
const (
	barDays      = 90
	latencyHours = 7 * 24
)

func checkHref(id int64) string { return "/checks/" + strconv.FormatInt(id, 10) }

// duration writes a stretch of time for people: seconds under a minute,
// otherwise as locale.Span writes minutes ("2시간 42분").
func (l tr) duration(d time.Duration) string {
	if d < time.Minute {
		return l.t("span.seconds", int64(d/time.Second))
	}
	return locale.Span(l.lang(), int64(d/time.Minute))
}

// hours writes a long stretch in whole hours: "1,234시간".
func (l tr) hours(d time.Duration) string { return l.t("monitor.hours", thousands(int64(d/time.Hour))) }

// vantage names a vantage point: the tower in the reader's language, an
// agent by its name.
func (l tr) vantage(name string) string {
	if name == monitor.Vantage {
		return l.t("monitor.vantage.tower")
	}
	return name
}

// silent says a vantage point's results do not count: an agent unheard
// of ("agent down"), or the tower itself while it looks cut off from its
// systems (monitor.TowerIsolated).
func (l tr) silent(name string) string {
	if name == monitor.Vantage {
		return l.t("monitor.vantage.tower_isolated")
	}
	return l.t("monitor.vantage.silent", name)
}

func (l tr) silentVantages(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = l.silent(n)
	}
	return strings.Join(out, ", ")
}

func (l tr) vantages(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = l.vantage(n)
	}
	return strings.Join(out, ", ")
}

// systemMonitoring is the monitoring section of a system's page.
type systemMonitoring struct {
	// Live: a Watcher runs, so live states are known.
	Live bool
	// HasChecks: the system has (or had) endpoints to probe; without any
	// the section only says how to start.
	HasChecks     bool
	Checks        *table
	Bars, Legend  template.HTML
	Figures       *table
	Latency       []checkLatency
	Interruptions *table
	Maintenance   *table
	// AddMaintenance is the form that adds a window, for whom may.
	AddMaintenance string
}

// tables are the section's tables; a system without checks has only its
// maintenance windows.
func (m *systemMonitoring) tables() []*table {
	if m == nil {
		return nil
	}
	var out []*table
	for _, t := range []*table{m.Checks, m.Figures, m.Interruptions, m.Maintenance} {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// checkLatency is one check's latency chart.
type checkLatency struct {
	Target string
	Chart  template.HTML
}

// systemMonitoring fills the monitoring section of system d's page.
func (s *Server) systemMonitoring(r *http.Request, d *systemData, query string) error {
	l, ctx, scope, id := tr(lang(r)), r.Context(), s.scope(r), d.System.ID
	now := s.monitors.Now()
	export := func(t string) string { return exportHref("system", t) }
	checks, err := s.monitors.SystemChecks(ctx, scope, id)
	if err != nil {
		return err
	}
	m := &systemMonitoring{Live: s.watcher != nil, HasChecks: len(checks) > 0}
	d.Monitoring = m
	if s.may(r, "GET /systems/{id}/maintenance/new") {
		m.AddMaintenance = systemHref(id) + "/maintenance/new"
	}
	windows, err := s.monitors.MaintenanceWindows(ctx, scope, id, now.AddDate(0, 0, -barDays), now.AddDate(10, 0, 0))
	if err != nil {
		return err
	}
	m.Maintenance = s.maintenanceTable(r, windows, export("maintenance"), query)
	if !m.HasChecks {
		return nil
	}

	var live map[int64]monitor.CheckStatus
	if s.watcher != nil {
		live = map[int64]monitor.CheckStatus{}
		for _, cs := range s.watcher.SystemStatuses(scope, id) {
			live[cs.Check.ID] = cs
		}
	}
	m.Checks = s.checksTable(r, checks, live, export("checks"), query)

	y, mo, day := now.In(locale.KST).Date()
	first := time.Date(y, mo, day, 0, 0, 0, 0, locale.KST).AddDate(0, 0, 1-barDays)
	days, err := s.monitors.SystemDailyUptime(ctx, scope, id, first, now, locale.KST)
	if err != nil {
		return err
	}
	m.Bars, m.Legend = uptimeBars(l, first, days), uptimeLegend(l)
	var periods [2]*monitor.Uptime
	for i, n := range []int{30, barDays} {
		if periods[i], err = s.monitors.SystemUptime(ctx, scope, id, now.AddDate(0, 0, -n), now); err != nil {
			return err
		}
	}
	m.Figures = uptimeFigures(l, d.System.Grade, periods[0], periods[1], export("uptime"), query)

	interruptions, err := s.monitors.Interruptions(ctx, scope, id, now.AddDate(0, 0, -barDays), now)
	if err != nil {
		return err
	}
	m.Interruptions = interruptionsTable(l, interruptions, now, export("interruptions"), query)

	from := monitor.HourOf(now).Add(-(latencyHours - 1) * time.Hour)
	for _, c := range checks {
		if !c.Active {
			continue
		}
		rollups, err := s.monitors.Rollups(ctx, scope, c.ID, from, now)
		if err != nil {
			return err
		}
		m.Latency = append(m.Latency, checkLatency{Target: c.Target, Chart: latencyChart(l, c.Target, from, latencyHours, latencyPoints(rollups))})
	}
	return nil
}

// checksTable lists a system's checks with their live state (live nil:
// no Watcher runs, every state unknown), what each vantage point sees and
// its latest answer, and a link to each check's settings.
func (s *Server) checksTable(r *http.Request, checks []monitor.Check, live map[int64]monitor.CheckStatus, export, query string) *table {
	l := tr(lang(r))
	t := &table{ID: "checks", Caption: l.t("monitor.checks.caption"), Export: export, Query: query,
		Columns: []column{{Label: l.t("system.endpoint_target")}, {Label: l.t("system.endpoint_kind")}, {Label: l.t("monitor.col.state")},
			{Label: l.t("monitor.col.vantages")}, {Label: l.t("table.actions"), Action: true}}}
	edits := s.may(r, "GET /checks/{id}/edit")
	for _, c := range checks {
		state := textCell(l.t("monitor.state.inactive"))
		vantages := textCell("")
		if c.Active {
			cs := live[c.ID]
			state = l.checkStateCell(cs.Verdict)
			vantages = textCell(l.vantageViews(cs.Vantages))
		}
		var action cell
		if edits && c.Active {
			action = linkCell(l.t("monitor.checks.edit"), checkHref(c.ID)+"/edit")
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell(c.Target)), textCell(l.t("endpoint." + c.Kind)), state, vantages, action})
	}
	return t
}

// checkStateCell is a check's verdict in words, with since when while
// down; coloured by its class.
func (l tr) checkStateCell(v monitor.Verdict) cell {
	state := v.State
	if state == "" {
		state = monitor.StateUnknown
	}
	text := l.t("monitor.state." + string(state))
	if state == monitor.StateDown && !v.Since.IsZero() {
		text = l.t("monitor.state_since", text, locale.DateTime(v.Since))
	}
	return cell{Text: text, Class: "state-" + string(state)}
}

// vantageViews says what each vantage point sees of a check, with its
// latest answer: "타워: 정상 (120 ms); 부산 백업센터: 에이전트 응답 없음".
func (l tr) vantageViews(views []monitor.VantageStatus) string {
	parts := make([]string, 0, len(views))
	for _, v := range views {
		switch {
		case !v.Reporting:
			parts = append(parts, l.silent(v.Vantage))
		case v.Latest.OK:
			parts = append(parts, l.t("monitor.vantage.answered", l.vantage(v.Vantage), l.t("monitor.state."+string(v.State)),
				milliseconds(v.Latest.Latency)))
		case v.Latest.Reason != "":
			parts = append(parts, l.t("monitor.vantage.failed", l.vantage(v.Vantage), l.t("monitor.state."+string(v.State)), v.Latest.Reason))
		default:
			parts = append(parts, l.t("monitor.vantage.state", l.vantage(v.Vantage), l.t("monitor.state."+string(v.State))))
		}
	}
	return strings.Join(parts, "; ")
}

// uptimeFigures are the figures the plan checks a system by, over the
// last 30 and 90 days, each beside its target or criterion.
func uptimeFigures(l tr, grade int, month, quarter *monitor.Uptime, export, query string) *table {
	t := &table{ID: "uptime", Caption: l.t("monitor.figures.caption"), Export: export, Query: query,
		Columns: []column{{Label: l.t("monitor.figures.col.item")}, {Label: l.t("monitor.figures.col.30")},
			{Label: l.t("monitor.figures.col.90")}, {Label: l.t("monitor.figures.col.criterion")}}}
	periods := []*monitor.Uptime{month, quarter}
	row := func(key string, criterion string, value func(u *monitor.Uptime) cell) {
		r := []cell{headCell(textCell(l.t(key)))}
		for _, u := range periods {
			r = append(r, value(u))
		}
		t.Rows = append(t.Rows, append(r, textCell(criterion)))
	}
	met := func(ok bool) []tag {
		if ok {
			return []tag{{Label: l.t("monitor.figures.met"), Class: "met"}}
		}
		return []tag{{Label: l.t("monitor.figures.missed"), Class: "missed"}}
	}
	noData := textCell(l.t("monitor.figures.no_data"))

	target := l.t("monitor.figures.no_target")
	if month.HasTarget {
		target = l.t("monitor.figures.target", strconv.FormatFloat(month.Target, 'f', 2, 64), l.grade(grade))
	}
	row("monitor.figures.availability", target, func(u *monitor.Uptime) cell {
		if u.Observed == 0 {
			return noData
		}
		c := textCell(l.t("monitor.percent", availability(u.Availability)))
		if u.HasTarget {
			c.Tags = met(u.MeetsTarget)
		}
		return c
	})
	row("monitor.figures.current", l.t("monitor.figures.continuous_target", thousands(int64(monitor.ContinuousTarget/time.Hour))),
		func(u *monitor.Uptime) cell {
			switch {
			case u.Observed == 0:
				return noData
			case u.DownAtTo:
				return cell{Text: l.t("monitor.figures.down_now"), Tags: met(false)}
			}
			return cell{Text: l.hours(u.Current), Tags: met(u.MeetsContinuous())}
		})
	row("monitor.figures.longest", "", func(u *monitor.Uptime) cell {
		if u.Observed == 0 {
			return noData
		}
		return textCell(l.hours(u.Longest))
	})
	row("monitor.figures.interruptions", "", func(u *monitor.Uptime) cell { return intCell(u.Interruptions) })
	row("monitor.figures.down", "", func(u *monitor.Uptime) cell { return textCell(l.duration(u.Down)) })
	row("monitor.figures.mtbf", "", func(u *monitor.Uptime) cell {
		if u.Interruptions == 0 {
			return textCell(l.t("monitor.figures.none"))
		}
		return textCell(l.duration(u.MTBF))
	})
	row("monitor.figures.mttr", "", func(u *monitor.Uptime) cell {
		if u.Interruptions == 0 {
			return textCell(l.t("monitor.figures.none"))
		}
		return textCell(l.duration(u.MTTR))
	})
	row("monitor.figures.rto_share", l.t("monitor.figures.rto_target", strconv.FormatFloat(monitor.RTOShareTarget, 'f', 0, 64)),
		func(u *monitor.Uptime) cell {
			share, ok := u.RTOShare()
			if !ok {
				return textCell(l.t("monitor.figures.none"))
			}
			return cell{Text: l.t("monitor.figures.rto_value", strconv.FormatFloat(share, 'f', 1, 64), u.RestoredInRTO, u.Restored),
				Tags: met(share >= monitor.RTOShareTarget)}
		})
	row("monitor.figures.maintenance", "", func(u *monitor.Uptime) cell { return textCell(l.duration(u.Maintenance)) })
	return t
}

// interruptionsTable lists a system's interruptions, latest first; one
// still open is marked and lasts until now.
func interruptionsTable(l tr, list []*monitor.Interruption, now time.Time, export, query string) *table {
	t := &table{ID: "interruptions", Caption: l.t("monitor.interruptions.caption", len(list)), Export: export, Query: query,
		Columns: []column{{Label: l.t("monitor.col.started")}, {Label: l.t("monitor.col.ended")}, {Label: l.t("monitor.col.duration")},
			{Label: l.t("system.endpoint_target")}, {Label: l.t("monitor.col.reason")}, {Label: l.t("monitor.col.seen_by")}}}
	for _, in := range list {
		ended := textCell(locale.DateTime(in.EndedAt))
		if in.Open() {
			ended = cell{Tags: []tag{{Label: l.t("monitor.interruptions.open"), Class: "down"}}}
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell(locale.DateTime(in.StartedAt))), ended, textCell(l.duration(in.Duration(now))),
			textCell(in.Target), textCell(in.Reason), textCell(l.vantages(in.Vantages))})
	}
	return t
}
