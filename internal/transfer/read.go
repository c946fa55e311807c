package transfer

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
)

// table is one sheet as a file holds it: the header row and the rows under
// it, each with its spreadsheet row number (header = 1).
type table struct {
	sheet  string
	source string
	header []string
	rows   []tableRow
}

type tableRow struct {
	num   int
	cells []string
}

// book is every sheet the files of one import hold.
type book struct {
	tables  map[string]*table
	ignored []string
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	utf8BOM  = []byte("\xef\xbb\xbf")
)

// readFiles reads each file into tables, or says why it cannot.
func readFiles(files []File, opt Options) (*book, []Problem) {
	b := &book{tables: map[string]*table{}}
	var problems []Problem
	limit := opt.MaxSize
	if limit <= 0 {
		limit = MaxFileSize
	}
	if len(files) == 0 {
		return b, []Problem{fileProblem("transfer.empty_file", "")}
	}
	for _, f := range files {
		name := baseName(f.Name)
		var tables []*table
		var ps []Problem
		switch {
		case len(bytes.TrimSpace(bytes.TrimPrefix(f.Data, utf8BOM))) == 0:
			ps = []Problem{fileProblem("transfer.empty_file", name)}
		case int64(len(f.Data)) > limit:
			ps = []Problem{tooLarge(int64(len(f.Data)), limit, false)}
		case bytes.HasPrefix(f.Data, zipMagic) || bytes.HasPrefix(f.Data, []byte("PK\x05\x06")):
			var ignored []string
			tables, ignored, ps = readXLSX(name, f.Data)
			b.ignored = append(b.ignored, ignored...)
		case bytes.HasPrefix(f.Data, oleMagic):
			ps = []Problem{fileProblem("transfer.xls_unsupported", name)}
		case hasExt(name, ".xlsx", ".xlsm", ".xls"):
			ps = []Problem{fileProblem("transfer.bad_xlsx", name)}
		default:
			var t *table
			t, ps = readCSV(name, f.Data, opt)
			if t != nil {
				tables = []*table{t}
			}
		}
		problems = append(problems, ps...)
		for _, t := range tables {
			if prev, dup := b.tables[t.sheet]; dup {
				problems = append(problems, fileProblem("transfer.duplicate_sheet", t.sheet, prev.source, t.source))
				continue
			}
			b.tables[t.sheet] = t
		}
	}
	return b, problems
}

func baseName(name string) string {
	return path.Base(strings.ReplaceAll(name, `\`, "/"))
}

func hasExt(name string, exts ...string) bool {
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}

// UnzipLimit is the most a workbook may unzip to. An XLSX file is a ZIP
// package and its XML compresses well, but a small file crafted to unzip
// to gigabytes would fill memory and disk. Our export of 10,000 systems is
// 1 MiB and unzips to 15 MiB, so 128 MiB (four times the largest upload)
// leaves room for eight times that.
const UnzipLimit = max(4*MaxFileSize, 128<<20)

// readXLSX reads the sheets of a workbook that carry one of our names.
// Why a workbook cannot be read is told in our words: excelize's errors
// are for programmers ("zip: not a valid zip file", "XML syntax error on
// line 1") and would only puzzle the person uploading.
func readXLSX(name string, data []byte) ([]*table, []string, []Problem) {
	// The sizes come from the ZIP directory; archive/zip refuses an entry
	// that unzips to more than it declares, so they cannot lie.
	if z, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		var size uint64
		for _, e := range z.File {
			size += e.UncompressedSize64
		}
		if size > UnzipLimit {
			return nil, nil, []Problem{fileProblem("transfer.xlsx_unzips_too_large", name, mib(UnzipLimit))}
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: UnzipLimit})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, nil, []Problem{fileProblem("transfer.xls_unsupported", name)}
		}
		return nil, nil, []Problem{fileProblem("transfer.bad_xlsx", name)}
	}
	defer f.Close()
	var tables []*table
	var ignored []string
	var problems []Problem
	seen := map[string]string{}
	for _, sheetName := range f.GetSheetList() {
		sheet, ok := SheetName(sheetName)
		if !ok {
			ignored = append(ignored, sheetName)
			continue
		}
		if prev, dup := seen[sheet]; dup {
			problems = append(problems, fileProblem("transfer.duplicate_sheet", sheet, prev, sheetName))
			continue
		}
		seen[sheet] = sheetName
		t, err := readSheet(f, sheetName)
		if err != nil {
			problems = append(problems, fileProblem("transfer.bad_xlsx_sheet", name, sheetName))
			continue
		}
		t.sheet, t.source = sheet, name+":"+sheetName
		tables = append(tables, t)
	}
	if len(tables) == 0 && len(problems) == 0 {
		problems = append(problems, fileProblem("transfer.no_known_sheets", strings.Join(f.GetSheetList(), ", "), sheetList()))
	}
	return tables, ignored, problems
}

// Table is one sheet of an upload that is not the inventory's (an
// incident's manual batches): its header and its non-blank rows, read by
// the inventory import's rules (XLSX or CSV in UTF-8, UTF-16 or CP949).
type Table struct {
	Header []string
	Rows   []TableRow
}

// TableRow is a row with its spreadsheet number (the header is row 1).
type TableRow struct {
	Num   int
	Cells []string
}

// ReadTable reads an XLSX file's first sheet or a CSV file as one table
// called sheet in its problems; a file that cannot be read is a
// *ProblemsError that says why in the uploader's words.
func ReadTable(name, sheet string, data []byte) (*Table, error) {
	var t *table
	var problems []Problem
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0:
		problems = []Problem{fileProblem("transfer.empty_file", name)}
	case int64(len(data)) > MaxFileSize:
		problems = []Problem{tooLarge(int64(len(data)), MaxFileSize, false)}
	case bytes.HasPrefix(data, zipMagic):
		t, problems = readFirstSheet(name, data)
	case bytes.HasPrefix(data, oleMagic) || hasExt(name, ".xlsx", ".xlsm", ".xls"):
		problems = []Problem{fileProblem("transfer.bad_xlsx", name)}
	default:
		t, problems = parseCSV(name, sheet, data, "")
	}
	if len(problems) > 0 {
		return nil, newProblemsError(problems)
	}
	rows := make([]TableRow, len(t.rows))
	for i, r := range t.rows {
		rows[i] = TableRow{Num: r.num, Cells: r.cells}
	}
	return &Table{Header: t.header, Rows: rows}, nil
}

func readFirstSheet(name string, data []byte) (*table, []Problem) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: UnzipLimit})
	if err != nil {
		return nil, []Problem{fileProblem("transfer.bad_xlsx", name)}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, []Problem{fileProblem("transfer.empty_file", name)}
	}
	t, err := readSheet(f, sheets[0])
	if err != nil {
		return nil, []Problem{fileProblem("transfer.bad_xlsx_sheet", name, sheets[0])}
	}
	return t, nil
}

// ColumnLetter turns a 0-based column index into A, B, … Z, AA, …
func ColumnLetter(i int) string { return columnLetter(i) }

func readSheet(f *excelize.File, sheetName string) (*table, error) {
	rows, err := f.Rows(sheetName)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &table{}
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if num == 1 {
			t.header = cells
			continue
		}
		if !slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
			continue
		}
		t.rows = append(t.rows, tableRow{num: num, cells: cells})
	}
	return t, rows.Error()
}

func sheetList() string {
	names := make([]string, len(Sheets))
	for i, s := range Sheets {
		names[i] = s + " (" + SheetNamesKo[s] + ")"
	}
	return strings.Join(names, ", ")
}

// copySuffix is what a browser or a file manager adds to a second copy:
// "systems (1).csv", "systems-2.csv".
var copySuffix = regexp.MustCompile(`\s*(\(\d+\)|[-_ ]\d+)$`)

// csvSheet works out which sheet a CSV file holds: the explicit choice, or
// its file name — systems.csv, 시스템.csv, yeonsok-systems.csv,
// systems (1).csv.
func csvSheet(name, explicit string) (string, *Problem) {
	if explicit != "" {
		if s, ok := SheetName(explicit); ok {
			return s, nil
		}
		p := fileProblem("transfer.unknown_sheet", explicit, sheetList())
		return "", &p
	}
	base := strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	base = strings.TrimSpace(copySuffix.ReplaceAllString(base, ""))
	if s, ok := SheetName(base); ok {
		return s, nil
	}
	for _, s := range Sheets {
		for _, n := range []string{s, SheetNamesKo[s]} {
			for _, sep := range []string{"_", "-", ".", " "} {
				if strings.HasSuffix(base, sep+n) {
					return s, nil
				}
			}
		}
	}
	p := fileProblem("transfer.csv_sheet_unknown", name, sheetList())
	return "", &p
}

// readCSV reads a CSV file holding one sheet.
func readCSV(name string, data []byte, opt Options) (*table, []Problem) {
	sheet, problem := csvSheet(name, opt.Sheet)
	if problem != nil {
		return nil, []Problem{*problem}
	}
	return parseCSV(name, sheet, data, opt.Encoding)
}

// parseCSV reads the text of a CSV file as sheet.
func parseCSV(name, sheet string, data []byte, encoding string) (*table, []Problem) {
	text, problem := decodeText(name, data, encoding)
	if problem != nil {
		return nil, []Problem{*problem}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	if first, _, _ := strings.Cut(text, "\n"); strings.Contains(first, "\t") && !strings.Contains(first, ",") {
		r.Comma = '\t'
	}
	t := &table{sheet: sheet, source: name}
	// Rows are counted as a spreadsheet shows the file: a record a row, a
	// blank line (which the reader skips) a row too.
	num, lastLine := 0, 0
	for {
		record, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// Told in our words, as for a workbook. With any number of
			// fields allowed, a misplaced quote is all the reader refuses.
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			key := "transfer.bad_csv"
			if errors.Is(err, csv.ErrQuote) || errors.Is(err, csv.ErrBareQuote) {
				key = "transfer.bad_csv_quote"
			}
			return nil, []Problem{{Sheet: sheet, Key: key, Args: []any{line}}}
		}
		start, _ := r.FieldPos(0)
		if lastLine > 0 && start > lastLine+1 {
			num += start - lastLine - 1
		}
		num++
		end, _ := r.FieldPos(len(record) - 1)
		lastLine = end + strings.Count(record[len(record)-1], "\n")
		for i, c := range record {
			record[i] = unguardFormula(c)
		}
		if num == 1 {
			t.header = record
			continue
		}
		if !slices.ContainsFunc(record, func(c string) bool { return strings.TrimSpace(c) != "" }) {
			continue
		}
		t.rows = append(t.rows, tableRow{num: num, cells: record})
	}
	return t, nil
}

// decodeText turns a CSV file's bytes into text: UTF-8 (with or without a
// BOM), UTF-16 with a BOM, or CP949/EUC-KR, as Korean Excel saves "CSV
// (쉼표로 분리)". Bytes that are none of these — a binary file — are
// refused.
func decodeText(name string, data []byte, encoding string) (string, *Problem) {
	bad := func(key string, args ...any) (string, *Problem) {
		p := fileProblem(key, args...)
		return "", &p
	}
	var text string
	switch enc := strings.ToLower(strings.TrimSpace(encoding)); enc {
	case "", "auto":
		switch {
		case bytes.HasPrefix(data, utf8BOM):
			data = data[len(utf8BOM):]
			if !utf8.Valid(data) {
				return bad("transfer.not_spreadsheet", name)
			}
			text = string(data)
		case bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")):
			decoded, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
			if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
				return bad("transfer.not_spreadsheet", name)
			}
			text = string(decoded)
		case utf8.Valid(data):
			text = string(data)
		default:
			decoded, err := korean.EUCKR.NewDecoder().Bytes(data)
			if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
				return bad("transfer.not_spreadsheet", name)
			}
			text = string(decoded)
		}
	case "utf-8", "utf8":
		data = bytes.TrimPrefix(data, utf8BOM)
		if !utf8.Valid(data) {
			return bad("transfer.bad_encoding", name, "UTF-8")
		}
		text = string(data)
	case "cp949", "euc-kr", "euckr", "ms949", "uhc":
		decoded, err := korean.EUCKR.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
			return bad("transfer.bad_encoding", name, "CP949")
		}
		text = string(decoded)
	default:
		return bad("transfer.unknown_encoding", encoding)
	}
	// Text has no control characters besides tab and line ends; a file
	// that does is binary whatever its bytes decoded to.
	controls := 0
	for _, r := range text {
		if r == 0 {
			return bad("transfer.not_spreadsheet", name)
		}
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == 0x7f {
			controls++
		}
	}
	if controls*100 > len(text) {
		return bad("transfer.not_spreadsheet", name)
	}
	return text, nil
}
