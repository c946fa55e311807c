package web

import (
	"fmt"
	"net/http"
	"net/url"

	"yeonsok/internal/secreport"
)

// The monthly security monitoring report (정기적 모니터링 보고) as a page:
// each part of the report a table, a month's report at a time, with the
// whole report as one workbook (a sheet per part) and each part as CSV.
// The route's rule (view_audit) lets in the ministry admin, whose report
// covers everyone, and agency admins, whose report covers their agency
// (secreport.Load reads through the caller's scope).

// monthLayout is how a month is written in the query: 2026-11.
const monthLayout = "2006-01"

// reportData is one month's report.
type reportData struct {
	Title string
	// Month is the report's month as the query writes it.
	Month string
	// Prev and Next are the neighbouring months' pages; Next is "" while
	// the next month has not begun.
	Prev, Next string
	// Workbook is the whole report as XLSX.
	Workbook string
	List     []*table
}

func (d *reportData) Tables() []*table   { return d.List }
func (d *reportData) RecordName() string { return d.Title }
func (d *reportData) Subject() string    { return "security-report-" + d.Month }

func reportHref(month string) string {
	return "/admin/security-report?" + url.Values{"month": {month}}.Encode()
}

// buildSecurityReport is the report of ?month= (this month in KST when
// none is given), as the caller's scope sees it.
func buildSecurityReport(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	now := s.accounts.Now()
	month := now
	if v := q.Get("month"); v != "" {
		var err error
		if month, err = secreport.ParseMonth(v); err != nil {
			return nil, err
		}
	}
	rep, err := secreport.Load(r.Context(), s.db, s.accounts, s.scope(r), month)
	if err != nil {
		return nil, err
	}
	d := &reportData{Title: rep.Title(l.lang()), Month: rep.From.Format(monthLayout)}
	d.Prev = reportHref(rep.From.AddDate(0, -1, 0).Format(monthLayout))
	if !rep.To.After(now) {
		d.Next = reportHref(rep.To.Format(monthLayout))
	}
	query := url.Values{"month": {d.Month}}.Encode()
	d.Workbook = "/admin/security-report/export/" + wholeReport + ".xlsx?" + query
	for _, part := range rep.Tables(l.lang()) {
		d.List = append(d.List, reportTable(part, query))
	}
	return d, nil
}

// reportTable is one part of the report as a table of the page: a number
// stays a number (right-aligned, and a number in the workbook), and the
// first cell of a row names it.
func reportTable(part secreport.Table, query string) *table {
	t := &table{ID: part.Key, Caption: part.Name, Export: "/admin/security-report/export/" + part.Key, Query: query}
	numeric := make([]bool, len(part.Header))
	for c := range numeric {
		numeric[c] = len(part.Rows) > 0
		for _, row := range part.Rows {
			if c < len(row) {
				if _, ok := row[c].(int); !ok {
					numeric[c] = false
				}
			}
		}
	}
	for c, h := range part.Header {
		t.Columns = append(t.Columns, column{Label: h, Num: numeric[c]})
	}
	for _, row := range part.Rows {
		cells := make([]cell, len(row))
		for c, v := range row {
			switch v := v.(type) {
			case int:
				cells[c] = intCell(v)
			case string:
				cells[c] = textCell(v)
			default:
				cells[c] = textCell(fmt.Sprint(v))
			}
		}
		if len(cells) > 0 {
			cells[0] = headCell(cells[0])
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// wholeReport names the download of the whole report, report.xlsx.
const wholeReport = "report"

// exportSecurityReport answers GET /admin/security-report/export/{file}:
// report.xlsx is the whole report, a sheet for each part; {part}.xlsx and
// {part}.csv one part.
func (s *Server) exportSecurityReport(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") != wholeReport+".xlsx" {
		s.export(w, r, "security-report", buildSecurityReport)
		return
	}
	data, err := buildSecurityReport(s, r, r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := data.(*reportData)
	body, err := workbook(d.List)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeDownload(w, xlsxType, "yeonsok-"+d.Subject()+".xlsx", body)
}
