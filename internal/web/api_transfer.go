package web

import (
	"bytes"
	"errors"
	"net/http"

	"yeonsok/internal/apperror"
	"yeonsok/internal/transfer"
)

// importProblem is one problem of a rejected import, in the caller's language.
type importProblem struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Header  string `json:"header,omitempty"`
	Message string `json:"message"`
}

// importInventoryJSON imports a workbook or CSV files: a preview with
// ?dry_run=true, otherwise an apply (with ?expect_digest= from the preview,
// refused if the data moved since). A rejected file answers 400 with every
// problem by sheet, row and column (413 when it is too large); nothing is
// written.
func (s *Server) importInventoryJSON(w http.ResponseWriter, r *http.Request) {
	files, err := readImportFiles(r)
	var plan *transfer.Plan
	if err == nil {
		plan, err = transfer.ImportFiles(r.Context(), s.store, s.scope(r), files, importOptions(r))
	}
	if err != nil {
		s.writeUploadError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, plan)
}

// writeUploadError answers a rejected file with every problem by sheet,
// row and column (413 when it is too large), and any other error as usual.
func (s *Server) writeUploadError(w http.ResponseWriter, r *http.Request, err error) {
	var problems *transfer.ProblemsError
	if !errors.As(err, &problems) {
		s.writeError(w, r, err)
		return
	}
	l := lang(r)
	status, code := http.StatusBadRequest, apperror.Invalid
	if tooLargeFile(problems) {
		status, code = http.StatusRequestEntityTooLarge, apperror.TooLarge
	}
	body := struct {
		Error    apiErrorBody    `json:"error"`
		Problems []importProblem `json:"problems"`
	}{Error: apiErrorBody{Code: code, Message: problems.Message(l)}}
	for _, p := range problems.Problems {
		body.Problems = append(body.Problems, importProblem{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Header: p.Header, Message: p.Message(l)})
	}
	s.writeJSON(w, r, status, body)
}

// tooLargeFile reports whether a file was rejected for its size, which is
// answered 413 rather than as a problem with its content: sending it again
// cannot help.
func tooLargeFile(p *transfer.ProblemsError) bool {
	for _, problem := range p.Problems {
		if problem.Key == "transfer.too_large" {
			return true
		}
	}
	return false
}

// exportInventory downloads what the caller may see: ?format=xlsx (the
// default) as one workbook, ?format=csv&sheet=NAME as one CSV sheet. The
// file is built before anything is sent, so that a failure (a cell longer
// than Excel holds) answers an error instead of a 200 with an empty file.
func (s *Server) exportInventory(w http.ResponseWriter, r *http.Request) {
	format, sheet := r.URL.Query().Get("format"), r.URL.Query().Get("sheet")
	if format == "" {
		format = "xlsx"
	}
	if format != "xlsx" && format != "csv" {
		s.writeError(w, r, apperror.New(apperror.Invalid, "format", "invalid.one_of", format, "xlsx, csv"))
		return
	}
	if format == "csv" {
		name, ok := transfer.SheetName(sheet)
		if !ok {
			s.writeError(w, r, apperror.New(apperror.Invalid, "sheet", "invalid.one_of", sheet, "agencies, facilities, systems, services, dependencies"))
			return
		}
		sheet = name
	}
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var file bytes.Buffer
	contentType, name := xlsxType, "yeonsok-inventory.xlsx"
	if format == "xlsx" {
		err = transfer.WriteXLSX(&file, inv)
	} else {
		contentType, name = csvType, transfer.CSVFileName(sheet)
		err = transfer.WriteCSV(&file, inv, sheet)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeDownload(w, contentType, name, file.Bytes())
}
