package transfer

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

// rowsOf writes a sheet's records as text: the header (Korean labels) and
// one row per record. Records that refer to what the inventory does not
// hold (a dependency on another agency's system, outside an agency's
// scope) are left out: they cannot be named.
func rowsOf[T any](def *sheetDef[T], w *world, inv *inventory.Inventory) ([]string, [][]string) {
	header := make([]string, len(def.columns))
	for i, c := range def.columns {
		header[i] = c.Korean
	}
	var rows [][]string
	for _, r := range def.list(inv) {
		if _, ok := def.keyOf(w, r); !ok {
			continue
		}
		rows = append(rows, def.cells(w, r))
	}
	return header, rows
}

func sheetRows(sheet string, w *world, inv *inventory.Inventory) ([]string, [][]string, bool) {
	switch sheet {
	case SheetAgencies:
		h, r := rowsOf(agencySheet, w, inv)
		return h, r, true
	case SheetFacilities:
		h, r := rowsOf(facilitySheet, w, inv)
		return h, r, true
	case SheetSystems:
		h, r := rowsOf(systemSheet, w, inv)
		return h, r, true
	case SheetServices:
		h, r := rowsOf(serviceSheet, w, inv)
		return h, r, true
	case SheetDependencies:
		h, r := rowsOf(dependencySheet, w, inv)
		return h, r, true
	}
	return nil, nil, false
}

// WriteXLSX writes the inventory as one workbook with the five sheets, in
// the order of Sheets and under their English names. The header row holds
// the Korean labels, in bold and frozen; every cell is text, so "2h" and
// leading zeros stay as written.
func WriteXLSX(out io.Writer, inv *inventory.Inventory) error {
	w := newWorld(inv)
	f := excelize.NewFile()
	defer f.Close()
	headStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		NumFmt:    49,
	})
	if err != nil {
		return fmt.Errorf("transfer: header style: %w", err)
	}
	textStyle, err := f.NewStyle(&excelize.Style{
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		NumFmt:    49, // "@": text, also for what people type in later
	})
	if err != nil {
		return fmt.Errorf("transfer: text style: %w", err)
	}
	for i, sheet := range Sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return fmt.Errorf("transfer: name sheet %s: %w", sheet, err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return fmt.Errorf("transfer: add sheet %s: %w", sheet, err)
		}
		header, rows, _ := sheetRows(sheet, w, inv)
		if err := writeSheet(f, sheet, header, rows, headStyle, textStyle); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(out); err != nil {
		return fmt.Errorf("transfer: write workbook: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, sheet string, header []string, rows [][]string, headStyle, textStyle int) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("transfer: sheet %s: %w", sheet, err)
	}
	for i, h := range header {
		width := DisplayWidth(h) + 2
		for n, r := range rows {
			if n == 500 { // enough to judge a column by
				break
			}
			for _, l := range lines(r[i]) {
				width = max(width, DisplayWidth(l)+2)
			}
		}
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(width, 8), 60))); err != nil {
			return fmt.Errorf("transfer: sheet %s width: %w", sheet, err)
		}
	}
	if err := sw.SetColStyle(1, len(header), textStyle); err != nil {
		return fmt.Errorf("transfer: sheet %s style: %w", sheet, err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("transfer: sheet %s panes: %w", sheet, err)
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: headStyle, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("transfer: sheet %s header: %w", sheet, err)
	}
	for n, r := range rows {
		cells := make([]any, len(r))
		for i, v := range r {
			if utf16Len(v) > excelCellLimit {
				return apperror.New(apperror.Invalid, "", "transfer.cell_too_long", sheet, n+2, columnLetter(i), excelCellLimit)
			}
			if v == "" {
				cells[i] = nil // left out; the column's style is text already
				continue
			}
			cells[i] = excelize.Cell{StyleID: textStyle, Value: v}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("transfer: sheet %s row %d: %w", sheet, n+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("transfer: sheet %s: %w", sheet, err)
	}
	return nil
}

// WriteCSV writes one sheet (English or Korean name) as CSV: UTF-8 with a
// BOM, so that Korean Excel opens it as such; CRLF line ends; the Korean
// labels as header. A value a spreadsheet would run as a formula gets an
// apostrophe in front, which Import takes off again.
func WriteCSV(out io.Writer, inv *inventory.Inventory, sheet string) error {
	name, ok := SheetName(sheet)
	if !ok {
		return apperror.New(apperror.Invalid, "sheet", "transfer.unknown_sheet", sheet, sheetList())
	}
	header, rows, _ := sheetRows(name, newWorld(inv), inv)
	if _, err := out.Write(utf8BOM); err != nil {
		return fmt.Errorf("transfer: write csv: %w", err)
	}
	cw := csv.NewWriter(out)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("transfer: write csv: %w", err)
	}
	for _, r := range rows {
		for i, v := range r {
			r[i] = GuardFormula(v)
		}
		if err := cw.Write(r); err != nil {
			return fmt.Errorf("transfer: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("transfer: write csv: %w", err)
	}
	return nil
}
