package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/transfer"
)

// maxChangesShown caps the change list of a preview; the counts above it
// always cover everything.
const maxChangesShown = 500

// importData is the import page: the upload form, and after an upload
// either the preview with its apply button or every problem of the file.
type importData struct {
	Encodings []filterOption
	Sheets    []filterOption
	Exports   []exportLink
	// Applied is the number of changes of the import just applied, -1 when
	// the page does not follow an apply.
	Applied  int
	Problems *table
	Counts   *table
	Changes  *table
	// Hidden: more changes than the preview lists.
	Hidden int
	// Token, Digest, Encoding and Sheet carry the previewed upload to the
	// apply form.
	Token, Digest, Encoding, Sheet string
	Error                          string
}

type exportLink struct {
	Label string
	Href  string
}

func (d *importData) Tables() []*table {
	var list []*table
	for _, t := range []*table{d.Problems, d.Counts, d.Changes} {
		if t != nil {
			list = append(list, t)
		}
	}
	return list
}

func (s *Server) newImportData(r *http.Request) *importData {
	l := tr(lang(r))
	encoding, sheet := r.FormValue("encoding"), r.FormValue("sheet")
	d := &importData{
		Applied:  -1,
		Encoding: encoding,
		Sheet:    sheet,
		Encodings: filterOptions(encoding, "auto", l.t("import.encoding.auto"), "utf-8", l.t("import.encoding.utf8"),
			"cp949", l.t("import.encoding.cp949")),
		Exports: []exportLink{{Label: l.t("import.export.workbook"), Href: "/api/v1/export?format=xlsx"}},
	}
	sheets := []string{"", l.t("import.sheet.auto")}
	for _, name := range transfer.Sheets {
		sheets = append(sheets, name, transfer.SheetLabel(name, l.lang()))
		d.Exports = append(d.Exports, exportLink{Label: l.t("import.export.csv", transfer.SheetLabel(name, l.lang())),
			Href: "/api/v1/export?format=csv&sheet=" + name})
	}
	d.Sheets = filterOptions(sheet, sheets...)
	return d
}

// showImport is the import and export page; ?applied=N reports an apply.
func (s *Server) showImport(w http.ResponseWriter, r *http.Request) {
	d := s.newImportData(r)
	if n, err := strconv.Atoi(r.URL.Query().Get("applied")); err == nil && n >= 0 {
		d.Applied = n
	}
	s.render(w, r, http.StatusOK, "import", "import.title", d)
}

// previewImport reads the uploaded files, shows what importing them would
// change, and keeps them for the apply. A file with problems is shown with
// every problem and kept nowhere.
func (s *Server) previewImport(w http.ResponseWriter, r *http.Request) {
	files, err := readImportFiles(r)
	d := s.newImportData(r)
	if err != nil {
		s.showImportError(w, r, d, err)
		return
	}
	opt := importOptions(r)
	opt.DryRun = true
	plan, err := transfer.ImportFiles(r.Context(), s.store, s.scope(r), files, opt)
	if err != nil {
		s.showImportError(w, r, d, err)
		return
	}
	if d.Token, err = s.uploads.Put(r.Context(), s.scope(r), files); err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Digest = plan.Digest
	s.describePlan(r, d, plan)
	s.render(w, r, http.StatusOK, "import", "import.title", d)
}

// applyImport applies a previewed upload, provided the data it would change
// is still as the preview saw it.
func (s *Server) applyImport(w http.ResponseWriter, r *http.Request) {
	d := s.newImportData(r)
	token := r.FormValue("token")
	files, err := s.uploads.Get(r.Context(), s.scope(r), token)
	if err != nil {
		s.showImportError(w, r, d, err)
		return
	}
	opt := transfer.Options{Encoding: r.FormValue("encoding"), Sheet: r.FormValue("sheet"), ExpectDigest: r.FormValue("digest")}
	if opt.ExpectDigest == "" {
		s.showImportError(w, r, d, apperror.New(apperror.Invalid, "digest", "invalid.required"))
		return
	}
	plan, err := transfer.ImportFiles(r.Context(), s.store, s.scope(r), files, opt)
	if err != nil {
		s.showImportError(w, r, d, err)
		return
	}
	if err := s.uploads.Delete(r.Context(), token); err != nil {
		s.log.Warn("forget applied upload", "err", err)
	}
	http.Redirect(w, r, "/import?applied="+strconv.Itoa(plan.Total()), http.StatusSeeOther)
}

// showImportError shows why nothing was imported: the file's problems as a
// table, or the one error.
func (s *Server) showImportError(w http.ResponseWriter, r *http.Request, d *importData, err error) {
	l := tr(lang(r))
	var problems *transfer.ProblemsError
	if errors.As(err, &problems) {
		d.Error = problems.Message(l.lang())
		t := &table{ID: "problems", Caption: l.t("import.problems.caption", len(problems.Problems)), Columns: []column{
			{Label: l.t("import.col.sheet")}, {Label: l.t("import.col.row"), Num: true}, {Label: l.t("import.col.column")}, {Label: l.t("import.col.problem")}}}
		for _, p := range problems.Problems {
			sheet, row, col := "", cell{}, p.Column
			if p.Sheet != "" {
				sheet = transfer.SheetLabel(p.Sheet, l.lang())
			}
			if p.Row > 0 {
				row = intCell(p.Row)
			}
			if p.Header != "" {
				col = strings.TrimSpace(col + " (" + p.Header + ")")
			}
			t.Rows = append(t.Rows, []cell{textCell(sheet), row, textCell(col), textCell(p.Message(l.lang()))})
		}
		d.Problems = t
		status := http.StatusUnprocessableEntity
		if tooLargeFile(problems) {
			status = http.StatusRequestEntityTooLarge
		}
		s.render(w, r, status, "import", "import.title", d)
		return
	}
	e, ok := apperror.As(err)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		e, ok = apperror.New(apperror.TooLarge, "file", "invalid.too_large", tooBig.Limit), true
	case !ok:
		s.renderError(w, r, err)
		return
	}
	d.Error = e.Message(l.lang())
	s.render(w, r, statusOf(e.Code), "import", "import.title", d)
}

// describePlan turns a preview into the counts and changes tables.
func (s *Server) describePlan(r *http.Request, d *importData, plan *transfer.Plan) {
	l := tr(lang(r))
	actions := []string{transfer.ActionAdd, transfer.ActionChange, transfer.ActionRemove}
	counts := &table{ID: "counts", Caption: l.t("import.counts.caption"), Columns: []column{{Label: l.t("import.col.sheet")}}}
	for _, a := range actions {
		counts.Columns = append(counts.Columns, column{Label: l.t("import.action." + a), Num: true})
	}
	for _, sheet := range plan.Sheets {
		row := []cell{headCell(textCell(transfer.SheetLabel(sheet, l.lang())))}
		for _, a := range actions {
			row = append(row, intCell(plan.Counts[sheet][a]))
		}
		counts.Rows = append(counts.Rows, row)
	}
	d.Counts = counts
	changes := &table{ID: "changes", Caption: l.t("import.changes.caption"), Columns: []column{
		{Label: l.t("import.col.sheet")}, {Label: l.t("import.col.action")}, {Label: l.t("import.col.record")}, {Label: l.t("import.col.fields")}}}
	for i, c := range plan.Changes {
		if i == maxChangesShown {
			d.Hidden = len(plan.Changes) - maxChangesShown
			break
		}
		var fields []string
		for _, f := range c.Diff {
			fields = append(fields, transfer.ColumnLabel(c.Sheet, f.Field, l.lang())+": "+f.Before+" → "+f.After)
		}
		changes.Rows = append(changes.Rows, []cell{textCell(transfer.SheetLabel(c.Sheet, l.lang())),
			textCell(l.t("import.action." + c.Action)), textCell(c.Key), textCell(strings.Join(fields, "; "))})
	}
	d.Changes = changes
}
