package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
	"yeonsok/internal/transfer"
)

// table is one table of a page, built once and written three ways: as HTML
// (the "table" partial), as XLSX and as CSV. Because all three read the same
// cells, an export can never disagree with the page it came from.
type table struct {
	// ID names the table within its page and in its export's URL.
	ID      string
	Caption string
	Columns []column
	Rows    [][]cell
	// Foot holds totals rows.
	Foot [][]cell
	// Export is the export path without extension, e.g.
	// "/export/home/by-agency"; empty when the table is not exported.
	Export string
	// Query is the page's filter, kept on the export links so that the
	// file holds exactly the rows the page shows.
	Query string
	// PageRows, when set, is how many rows the page shows; the export
	// holds them all. For lists that run to thousands of rows (every
	// system that misses a target, at whole-of-government scale), which
	// nobody reads on screen and a browser renders slowly.
	PageRows int
	// Unbuilt counts the rows past PageRows a page did not build (see
	// add): building ten thousand rows to show five hundred was most of a
	// page's time. An export builds them all.
	Unbuilt int
}

// exportingKey marks the context of a request that exports its tables.
type exportingKey struct{}

// exporting reports whether r builds its tables for an export, in full.
func exporting(r *http.Request) bool { return r.Context().Value(exportingKey{}) != nil }

// add appends the row build makes, unless the table is for a page and
// holds its PageRows already: then the row is only counted, never built.
func (t *table) add(all bool, build func() []cell) {
	if !all && t.PageRows > 0 && len(t.Rows) >= t.PageRows {
		t.Unbuilt++
		return
	}
	t.Rows = append(t.Rows, build())
}

// longListRows is how many rows a page shows of a list of systems that
// can run to thousands (those that miss a target, depend on a lost
// facility, keep their copies at home); the export holds them all.
const longListRows = 500

// Shown are the rows the page shows.
func (t *table) Shown() [][]cell {
	if t.PageRows > 0 && len(t.Rows) > t.PageRows {
		return t.Rows[:t.PageRows]
	}
	return t.Rows
}

// Hidden is how many rows only the export holds.
func (t *table) Hidden() int { return len(t.Rows) - len(t.Shown()) + t.Unbuilt }

type column struct {
	Label string
	Num   bool
	// Action marks a column of links to act on a row (edit), which has
	// no place in a spreadsheet.
	Action bool
}

// cell is one table cell. Tags are short visible markers ("표본",
// "공동 이용"); exports append them to the text in parentheses.
type cell struct {
	Text  string
	Href  string
	Num   bool
	Value float64
	// Decimals is how many decimals a number shows (percentages: 1).
	Decimals int
	Tags     []tag
	// Head marks the cell that names its row (<th scope="row">).
	Head  bool
	Class string
	// Buttons act on the row (lock an account, revoke a token): each a
	// form of its own that posts to its action. They belong in an Action
	// column, which exports leave out.
	Buttons []button
	// Detail is text read on demand (an estimate's reasoning): the page
	// folds it under Text, exports write it out instead of Text.
	Detail []string
}

// button is a form of one button that posts, with no fields, to Action.
type button struct {
	Label string
	// Name says what the button acts on for a screen reader, where
	// "잠금" alone in a column of them would not ("잠금: hong.gildong").
	Name   string
	Action string
	// Class is "danger" for what cannot be undone.
	Class string
}

type tag struct {
	Label string
	Class string
}

func textCell(text string) cell { return cell{Text: text} }

func linkCell(text, href string, tags ...tag) cell {
	return cell{Text: text, Href: href, Tags: tags}
}

func headCell(c cell) cell {
	c.Head = true
	return c
}

func intCell(n int) cell {
	return cell{Text: strconv.Itoa(n), Num: true, Value: float64(n)}
}

// pctCell is n as a percentage of of, to one decimal as the plan writes it.
func pctCell(n, of int) cell {
	v := percent(n, of)
	return cell{Text: strconv.FormatFloat(v, 'f', 1, 64), Num: true, Value: v, Decimals: 1}
}

// percent is n as a percentage of of, rounded half up to one decimal, so
// that the number a spreadsheet holds is the one the page shows.
func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(of)) / 10
}

// XLSXHref and CSVHref are the table's export links.
func (t *table) XLSXHref() string { return t.href(".xlsx") }
func (t *table) CSVHref() string  { return t.href(".csv") }

func (t *table) href(ext string) string {
	if t.Query == "" {
		return t.Export + ext
	}
	return t.Export + ext + "?" + t.Query
}

// plain is the text of a cell as exports write it.
func (c cell) plain() string {
	text := c.Text
	if len(c.Detail) > 0 {
		text = strings.Join(c.Detail, " ")
	}
	for _, t := range c.Tags {
		text += " (" + t.Label + ")"
	}
	return text
}

// allRows is the table as exports write it: header, rows, totals, each
// without the action columns.
func (t *table) allRows() [][]cell {
	rows := make([][]cell, 0, len(t.Rows)+len(t.Foot)+1)
	head := make([]cell, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = cell{Text: c.Label}
	}
	rows = append(rows, head)
	rows = append(rows, t.Rows...)
	rows = append(rows, t.Foot...)
	for i, row := range rows {
		var kept []cell
		for c, cl := range row {
			if c >= len(t.Columns) || !t.Columns[c].Action {
				kept = append(kept, cl)
			}
		}
		rows[i] = kept
	}
	return rows
}

// CSV writes the table as UTF-8 with a byte-order mark, which is what makes
// Excel on a Korean Windows read Hangul correctly. A text cell a
// spreadsheet would run as a formula (a record named
// =HYPERLINK("http://…")) gets an apostrophe in front; numbers stay numbers.
func (t *table) CSV() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	for _, row := range t.allRows() {
		record := make([]string, len(row))
		for i, c := range row {
			record[i] = c.plain()
			if !c.Num {
				record[i] = transfer.GuardFormula(record[i])
			}
		}
		if err := w.Write(record); err != nil {
			return nil, fmt.Errorf("web: write csv: %w", err)
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// XLSX writes the table as a workbook of one sheet named after its caption
// (see workbook).
func (t *table) XLSX() ([]byte, error) { return workbook([]*table{t}) }

// workbook writes tables as one workbook, a sheet for each named after its
// caption, header bold and frozen, numbers stored as numbers. Text is
// stored as text, never as a formula, so it needs no guard against formula
// injection.
func workbook(tables []*table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	w := &sheetWriter{f: f, styles: map[[2]int]int{}}
	used := map[string]bool{}
	for i, t := range tables {
		sheet := uniqueSheetName(sheetName(t.Caption), used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return nil, fmt.Errorf("web: name sheet: %w", err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return nil, fmt.Errorf("web: add sheet: %w", err)
		}
		if err := w.write(sheet, t); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("web: write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// sheetWriter writes tables into the sheets of one workbook, sharing its
// cell styles.
type sheetWriter struct {
	f      *excelize.File
	styles map[[2]int]int
}

// style is the id of a cell style, bold or not, with decimals places.
func (w *sheetWriter) style(bold bool, decimals int) (int, error) {
	key := [2]int{0, decimals}
	if bold {
		key[0] = 1
	}
	if id, ok := w.styles[key]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if bold {
		st.Font = &excelize.Font{Bold: true}
	}
	if decimals > 0 {
		format := "0." + strings.Repeat("0", decimals)
		st.CustomNumFmt = &format
	}
	id, err := w.f.NewStyle(st)
	w.styles[key] = id
	return id, err
}

// write fills sheet with t: header, rows and totals, without the action
// columns.
func (w *sheetWriter) write(sheet string, t *table) error {
	f := w.f
	widths := make([]int, len(t.Columns))
	for r, row := range t.allRows() {
		for c, cl := range row {
			name, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return fmt.Errorf("web: xlsx cell: %w", err)
			}
			var v any = cl.plain()
			if cl.Num && len(cl.Tags) == 0 {
				v = cl.Value
			}
			if err := f.SetCellValue(sheet, name, v); err != nil {
				return fmt.Errorf("web: xlsx value: %w", err)
			}
			if bold, decimals := r == 0 || r > len(t.Rows), cl.Decimals; bold || decimals > 0 {
				id, err := w.style(bold, decimals)
				if err != nil {
					return fmt.Errorf("web: xlsx style: %w", err)
				}
				if err := f.SetCellStyle(sheet, name, name, id); err != nil {
					return fmt.Errorf("web: xlsx style: %w", err)
				}
			}
			if c < len(widths) {
				widths[c] = max(widths[c], transfer.DisplayWidth(cl.plain()))
			}
		}
	}
	for c, width := range widths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		f.SetColWidth(sheet, col, col, float64(min(max(width+2, 8), 60)))
	}
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	return nil
}

// uniqueSheetName is name, or name with a number when a sheet of the
// workbook already has it (sheet names ignore case).
func uniqueSheetName(name string, used map[string]bool) string {
	unique := name
	for n := 2; used[strings.ToLower(unique)]; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		r := []rune(name)
		unique = string(r[:min(len(r), 31-len(suffix))]) + suffix
	}
	used[strings.ToLower(unique)] = true
	return unique
}

// sheetName makes a caption a valid sheet name: no []:*?/\, at most 31
// characters.
func sheetName(caption string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, caption)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" {
		name = "Sheet1"
	}
	return name
}

// tabled is page data that holds exportable tables.
type tabled interface {
	Tables() []*table
}

// pageBuilder builds one page's data from its query (with "id" for a
// detail page). The page and its exports call the same builder.
type pageBuilder func(s *Server, r *http.Request, q url.Values) (tabled, error)

// exportTable answers GET /export/{page}/{file}: one table of a page as
// {table}.xlsx or {table}.csv, with the page's filters from the query.
func (s *Server) exportTable(w http.ResponseWriter, r *http.Request) {
	pageName := r.PathValue("page")
	build, ok := exportable[pageName]
	if !ok {
		s.renderError(w, r, apperror.New(apperror.NotFound, "", "export.not_found"))
		return
	}
	s.export(w, r, pageName, build)
}

// exportPage answers GET …/export/{file} for a page whose tables are not
// for every reader (the audit log, the security report): the route's own
// rule decides who may download them, as it decides who sees the page.
func (s *Server) exportPage(pageName string, build pageBuilder) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.export(w, r, pageName, build) }
}

// subjectNamer is page data that names its downloads itself (a report's
// month) rather than by the page and the record's id.
type subjectNamer interface{ Subject() string }

// export writes the table {file} names, {table}.xlsx or {table}.csv, of
// the page build makes from the request's query.
func (s *Server) export(w http.ResponseWriter, r *http.Request, pageName string, build pageBuilder) {
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	if ext != "xlsx" && ext != "csv" {
		s.renderError(w, r, apperror.New(apperror.NotFound, "", "export.not_found"))
		return
	}
	data, err := build(s, r.WithContext(context.WithValue(r.Context(), exportingKey{}, true)), r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, t := range data.Tables() {
		if t.ID != name || t.Export == "" {
			continue
		}
		// The file is built in full before anything is sent, so that a
		// failure shows the error page rather than an empty download.
		var body []byte
		contentType := xlsxType
		if ext == "xlsx" {
			body, err = t.XLSX()
		} else {
			body, err = t.CSV()
			contentType = csvType
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		// The name is ASCII only (page and table names are ours, the id a
		// number).
		subject := pageName
		if n, ok := data.(subjectNamer); ok {
			subject = n.Subject()
		} else if id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64); err == nil {
			subject += "-" + strconv.FormatInt(id, 10)
		}
		writeDownload(w, contentType, fmt.Sprintf("yeonsok-%s-%s-%s.%s", subject, name, time.Now().In(locale.KST).Format("20060102"), ext), body)
		return
	}
	s.renderError(w, r, apperror.New(apperror.NotFound, "", "export.not_found"))
}

// Content types of the downloads.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv; charset=utf-8"
)

// writeDownload sends a file built in full as an attachment named name,
// which must be ASCII so that every browser and mail gateway keeps it
// intact. A download is the data of the moment: never cached.
func writeDownload(w http.ResponseWriter, contentType, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	w.Write(body)
}

// exportHref is the export path of a table on a page.
func exportHref(pageName, tableID string) string {
	return "/export/" + pageName + "/" + tableID
}
