package web

import (
	"fmt"
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
// problem by sheet, row and column; nothing is written.
func (s *Server) importInventoryJSON(w http.ResponseWriter, r *http.Request) {
	files, err := readImportFiles(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	plan, err := transfer.ImportFiles(r.Context(), s.store, s.scope(r), files, importOptions(r))
	if problems, ok := err.(*transfer.ProblemsError); ok {
		l := lang(r)
		body := struct {
			Error    apiErrorBody    `json:"error"`
			Problems []importProblem `json:"problems"`
		}{Error: apiErrorBody{Code: apperror.Invalid, Message: problems.Message(l)}}
		for _, p := range problems.Problems {
			body.Problems = append(body.Problems, importProblem{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Header: p.Header, Message: p.Message(l)})
		}
		writeJSON(w, http.StatusBadRequest, body)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, plan)
}

// exportInventory downloads what the caller may see: ?format=xlsx (the
// default) as one workbook, ?format=csv&sheet=NAME as one CSV sheet.
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
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="yeonsok-inventory.xlsx"`)
		if err := transfer.WriteXLSX(w, inv); err != nil {
			s.log.Error("export xlsx", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, transfer.CSVFileName(sheet)))
	if err := transfer.WriteCSV(w, inv, sheet); err != nil {
		s.log.Error("export csv", "err", err)
	}
}
