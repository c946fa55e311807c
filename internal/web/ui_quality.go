package web

import (
	"net/http"
	"net/url"

	"yeonsok/internal/quality"
)

// findingsTable lists data-quality findings: severity (as a word, not only
// a colour), code, the record with a link to it, and the message.
func findingsTable(l tr, findings []quality.Finding, id, caption, export, query string, showSubject bool) *table {
	t := &table{ID: id, Caption: caption, Export: export, Query: query,
		Columns: []column{{Label: l.t("quality.col.severity")}, {Label: l.t("quality.col.code")}}}
	if showSubject {
		t.Columns = append(t.Columns, column{Label: l.t("quality.col.subject")})
	}
	t.Columns = append(t.Columns, column{Label: l.t("quality.col.message")})
	for _, f := range findings {
		sev := textCell(l.t("severity." + f.Severity))
		sev.Class = "sev-" + f.Severity
		row := []cell{sev, textCell(f.Code)}
		if showSubject {
			row = append(row, headCell(subjectCell(l, f.Subject)))
		}
		t.Rows = append(t.Rows, append(row, textCell(f.Message(l.lang()))))
	}
	return t
}

// subjectCell links the record a finding is about.
func subjectCell(l tr, s quality.Subject) cell {
	switch s.Kind {
	case "system":
		return linkCell(s.Name, systemHref(s.ID))
	case "facility":
		return linkCell(s.Name, facilityHref(s.ID))
	case "agency":
		return linkCell(s.Name, agencyHref(s.ID))
	}
	if s.Name == "" {
		return textCell(l.t("quality.subject." + s.Kind))
	}
	return textCell(s.Name)
}

// qualityData is the data-quality report with counts by severity.
type qualityData struct {
	Severities []filterOption
	Counts     *table
	List       *table
}

func (d *qualityData) Tables() []*table { return []*table{d.Counts, d.List} }

var severities = []string{quality.High, quality.Medium, quality.Low}

func buildQuality(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		return nil, err
	}
	all := quality.Check(inv)
	severity := q.Get("severity")
	pairs := []string{"", l.t("filter.all")}
	for _, sev := range severities {
		pairs = append(pairs, sev, l.t("severity."+sev))
	}
	d := &qualityData{Severities: filterOptions(severity, pairs...)}
	counts := map[string]int{}
	var shown []quality.Finding
	for _, f := range all {
		counts[f.Severity]++
		if severity == "" || f.Severity == severity {
			shown = append(shown, f)
		}
	}
	d.Counts = &table{ID: "counts", Caption: l.t("quality.counts.caption"), Export: exportHref("data-quality", "counts"),
		Columns: []column{{Label: l.t("quality.col.severity")}, {Label: l.t("quality.col.count"), Num: true}}}
	for _, sev := range severities {
		d.Counts.Rows = append(d.Counts.Rows, []cell{headCell(linkCell(l.t("severity."+sev), "/data-quality?severity="+sev)), intCell(counts[sev])})
	}
	d.Counts.Foot = [][]cell{{headCell(linkCell(l.t("home.row.total"), "/data-quality")), intCell(len(all))}}
	d.List = findingsTable(l, shown, "findings", l.t("quality.findings.caption", len(shown)), exportHref("data-quality", "findings"),
		keepQuery(q, "severity"), true)
	return d, nil
}
