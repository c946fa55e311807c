package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/incident"
	"yeonsok/internal/locale"
)

// exportIncident answers the incident's report as one workbook: 개요 (what
// happened, when, reported how, how grave, why), 시스템 (each system's RTO
// met or not), 수기접수 (the offices' batches), 자료손실 (the ledger), 조치
// (the review's actions and their tasks) and 타임라인. It is built from the
// same incident the page shows, in full before anything is sent.
func (s *Server) exportIncident(w http.ResponseWriter, r *http.Request) {
	inc, err := s.incidentOfPath(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	x, err := s.index(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	now := time.Now()
	l := tr(lang(r))
	body, err := workbook(s.incidentReport(l, x, inc, now))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeDownload(w, xlsxType, incidentReportName(inc.ID, now.In(locale.KST)), body)
}

// incidentReport is the report's sheets, in order.
func (s *Server) incidentReport(l tr, x *index, inc *incident.Incident, now time.Time) []*table {
	return []*table{s.overviewSheet(l, x, inc, now), systemsSheet(l, inc, now), batchesSheet(l, inc), lossesSheet(l, inc),
		actionsSheet(l, inc), timelineSheet(l, x, inc)}
}

// overviewSheet is the summary: one field a row.
func (s *Server) overviewSheet(l tr, x *index, inc *incident.Incident, now time.Time) *table {
	t := &table{ID: "overview", Caption: l.t("incidents.sheet.overview"),
		Columns: []column{{Label: l.t("incidents.col.item")}, {Label: l.t("incidents.col.value")}}}
	reporting, _ := l.reporting(incident.ReportingOf(inc.DetectedAt, inc.ReportedAt, now, s.reportWithin))
	severity := l.severity(inc.Severity)
	if inc.SeverityReason != "" {
		severity += " — " + inc.SeverityReason
	}
	rows := []labelled{
		{l.t("incidents.field.number"), "#" + strconv.FormatInt(inc.ID, 10)},
		{l.t("home.col.agency"), x.agencyName(inc.AgencyID)},
		{l.t("incidents.col.state"), l.incidentState(inc.State)},
		{l.t("incidents.col.severity"), severity},
		{l.t("incidents.field.source"), l.source(inc.Source)},
	}
	for _, t := range []struct {
		key string
		at  time.Time
	}{{"detected", inc.DetectedAt}, {"reported", inc.ReportedAt}, {"declared", inc.DeclaredAt}, {"mitigated", inc.MitigatedAt},
		{"resolved", inc.ResolvedAt}, {"reviewed", inc.ReviewedAt}} {
		rows = append(rows, labelled{l.t("incidents.time." + t.key), locale.DateTime(t.at)})
	}
	rows = append(rows,
		labelled{l.t("incidents.col.elapsed"), l.duration(elapsedOf(inc, now))},
		labelled{l.t("incidents.field.reporting"), reporting},
		labelled{l.t("incidents.field.outstanding"), strconv.Itoa(inc.Outstanding())},
		labelled{l.t("incidents.field.summary"), inc.Summary},
		labelled{l.t("incidents.field.cause"), inc.Cause},
		labelled{l.t("incidents.field.override"), inc.ReviewOverride})
	for _, row := range rows {
		t.Rows = append(t.Rows, []cell{headCell(textCell(row.Label)), textCell(row.Value)})
	}
	return t
}

// systemsSheet is each affected system's clock: elapsed against target,
// and whether it was met.
func systemsSheet(l tr, inc *incident.Incident, now time.Time) *table {
	t := &table{ID: "systems", Caption: l.t("incidents.sheet.systems"),
		Columns: []column{{Label: l.t("system.name")}, {Label: l.t("system.grade")}, {Label: l.t("incidents.col.down")},
			{Label: l.t("incidents.col.restored")}, {Label: l.t("incidents.col.elapsed")}, {Label: l.t("incidents.col.target")},
			{Label: l.t("incidents.col.share"), Num: true}, {Label: l.t("incidents.col.stage")}, {Label: l.t("incidents.col.met")}}}
	for _, a := range inc.Systems {
		v := l.clockView(a, now)
		share := textCell(v.Share)
		if s, ok := a.Clock().Share(now); ok {
			share = cell{Text: v.Share, Num: true, Value: math.Round(s * 100)}
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell(v.Name)), textCell(v.Grade), textCell(v.Down), textCell(v.Restored),
			textCell(v.Elapsed), textCell(v.Target), share, textCell(v.Stage), textCell(v.Met)})
	}
	return t
}

// batchesSheet is what offices took by hand, with the totals.
func batchesSheet(l tr, inc *incident.Incident) *table {
	t := &table{ID: "batches", Caption: l.t("incidents.sheet.batches"),
		Columns: []column{{Label: l.t("incidents.col.service")}, {Label: l.t("incidents.col.office")}, {Label: l.t("incidents.col.count"), Num: true},
			{Label: l.t("incidents.col.first_receipt")}, {Label: l.t("incidents.col.last_receipt")},
			{Label: l.t("incidents.col.entered"), Num: true}, {Label: l.t("incidents.col.outstanding"), Num: true}}}
	count, entered := 0, 0
	for _, b := range inc.Batches {
		t.Rows = append(t.Rows, []cell{textCell(b.ServiceName), textCell(b.Office), intCell(b.Count), textCell(b.FirstReceipt),
			textCell(b.LastReceipt), intCell(b.Entered), intCell(b.Outstanding())})
		count += b.Count
		entered += b.Entered
	}
	t.Foot = [][]cell{{headCell(textCell(l.t("home.row.total"))), textCell(""), intCell(count), textCell(""), textCell(""),
		intCell(entered), intCell(count - entered)}}
	return t
}

// lossesSheet is the data-loss ledger.
func lossesSheet(l tr, inc *incident.Incident) *table {
	t := &table{ID: "losses", Caption: l.t("incidents.sheet.losses"),
		Columns: []column{{Label: l.t("system.name")}, {Label: l.t("incidents.col.what")}, {Label: l.t("incidents.col.from")},
			{Label: l.t("incidents.col.to")}, {Label: l.t("incidents.col.rebuild")}, {Label: l.t("incidents.col.rebuild_from")},
			{Label: l.t("incidents.col.rebuilt_at")}}}
	for _, loss := range inc.Losses {
		t.Rows = append(t.Rows, []cell{textCell(loss.SystemName), textCell(loss.What), textCell(locale.DateTime(loss.From)),
			textCell(locale.DateTime(loss.To)), textCell(l.rebuild(loss.Rebuild)), textCell(loss.RebuildFrom), textCell(locale.DateTime(loss.RebuiltAt))})
	}
	return t
}

// actionsSheet is the review's corrective actions, each with its task.
func actionsSheet(l tr, inc *incident.Incident) *table {
	t := &table{ID: "actions", Caption: l.t("incidents.sheet.actions"),
		Columns: []column{{Label: l.t("incidents.col.task"), Num: true}, {Label: l.t("task.title_field")}, {Label: l.t("task.owner")},
			{Label: l.t("task.due")}, {Label: l.t("task.status")}}}
	for _, a := range inc.Actions {
		due := actionDue(a.Due)
		t.Rows = append(t.Rows, []cell{{Text: strconv.FormatInt(a.TaskID, 10), Num: true, Value: float64(a.TaskID), Href: taskHref(a.TaskID)},
			headCell(linkCell(a.Title, taskHref(a.TaskID))), textCell(a.Owner), textCell(due), textCell(l.status(a.Status))})
	}
	return t
}

// timelineSheet is the timeline with the systems named.
func timelineSheet(l tr, x *index, inc *incident.Incident) *table {
	t := l.timelineTable(inc, x)
	t.Caption = l.t("incidents.sheet.timeline")
	return t
}

// actionDue writes an action's due date the ministry's way.
func actionDue(due string) string {
	if d, err := time.Parse("2006-01-02", strings.TrimSpace(due)); err == nil {
		return locale.Date(d)
	}
	return due
}
