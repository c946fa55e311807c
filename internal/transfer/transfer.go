// Package transfer moves the inventory in and out as spreadsheets: one XLSX
// workbook with a sheet per kind of record (agencies, facilities, systems,
// services, dependencies), or one CSV file per sheet.
//
// Records are identified by their natural keys, never by database ids: an
// agency or facility by its name, a system or service by (agency name,
// name), a dependency by (from agency, from system, to agency, to system).
// References are written as names too, so a workbook exported from one
// tower imports into another.
//
// An import is all or nothing. Every row of every sheet is read and checked
// first; a file with any problem is rejected with all of its problems, each
// naming sheet, row and column, and nothing is written. Otherwise the plan
// (what is added, changed, removed) is computed and applied in one
// transaction, against the inventory read inside that same transaction, so
// that what a preview shows is what an apply does.
//
// Each sheet present in a file is authoritative for its kind: rows the
// database lacks are added, rows that differ are changed, and records of
// that kind missing from the sheet are removed. Sheets the file does not
// have leave their kind alone. A column the sheet does not have leaves that
// field alone on existing records (and gives new records the default).
//
// File format. Export names the sheets in English (agencies, facilities,
// systems, services, dependencies; CSV files agencies.csv, …) and heads the
// columns with Korean labels; import also takes the Korean sheet names
// (기관, 시설, 시스템, 서비스, 의존관계) and, per column, the Korean label,
// the English label or the key, in any case. Every cell is text: durations
// as "2h", "30m", "7d" (empty = not set), grade 1-4 or empty (미부여),
// booleans Y/N, checklist and redundancy answers yes/none/unknown, codes
// (operator, DR performance, offsite method, audience, kind) as their code
// or a Korean alias, endpoints one URL a line, a service's systems one
// "기관명/시스템명" a line. CSV is written as UTF-8 with a BOM and CRLF; it is
// read as UTF-8 (BOM or not), UTF-16 with a BOM, or CP949/EUC-KR.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// MaxFileSize is the largest file Import accepts unless Options.MaxSize says
// otherwise.
const MaxFileSize = 32 << 20

// MaxProblems caps how many problems one rejected import lists; a last
// problem says how many more there were.
const MaxProblems = 1000

// Sheet names, as exported. Import also accepts the Korean names in
// SheetNamesKo, in any letter case.
const (
	SheetAgencies     = "agencies"
	SheetFacilities   = "facilities"
	SheetSystems      = "systems"
	SheetServices     = "services"
	SheetDependencies = "dependencies"
)

// Sheets lists the sheets in the order a workbook holds them and an import
// adds and changes records (removals run in reverse).
var Sheets = []string{SheetAgencies, SheetFacilities, SheetSystems, SheetServices, SheetDependencies}

// SheetNamesKo are the Korean names of the sheets (기관, 시설, …),
// accepted on import; the catalogue holds them as sheet.<name>.
var SheetNamesKo = func() map[string]string {
	names := make(map[string]string, len(Sheets))
	for _, s := range Sheets {
		names[s] = locale.T(locale.Korean, "sheet."+s)
	}
	return names
}()

// Actions of a change.
const (
	ActionAdd    = "add"
	ActionChange = "change"
	ActionRemove = "remove"
)

// Options steer an import.
type Options struct {
	// DryRun computes the plan and writes nothing.
	DryRun bool
	// Encoding of a CSV file: "" or "auto" detects (UTF-8 with or without
	// BOM, UTF-16 with BOM, else CP949/EUC-KR); "utf-8" or "cp949" (also
	// "euc-kr") forces one. XLSX files ignore it.
	Encoding string
	// Sheet says which sheet a CSV file holds when its file name does not
	// (systems.csv, 시스템.csv, … say it themselves). English or Korean name.
	Sheet string
	// MaxSize overrides MaxFileSize when positive.
	MaxSize int64
	// ExpectDigest, when set, is the Digest of the plan a preview showed:
	// if the plan computed now differs (the database changed in between),
	// nothing is written and a problem says so.
	ExpectDigest string
}

// Change is one record an import adds, changes or removes.
type Change struct {
	Sheet  string `json:"sheet"`
	Action string `json:"action"`
	// Key is the record's natural key as people read it: "고용노동부",
	// "고용노동부/고용24", "A/x → B/y".
	Key string `json:"key"`
	// Row is the row of the file the change comes from; 0 for removals and
	// for changes that follow from another sheet (a service losing a
	// removed system).
	Row int `json:"row"`
	// Fields are the column keys whose value changes (changes only).
	Fields []string `json:"fields,omitempty"`
	// Diff is each changed field's text before and after, as the sheet
	// writes it (changes only; same order as Fields).
	Diff []FieldDiff `json:"diff,omitempty"`
}

// FieldDiff is one changed field of a change.
type FieldDiff struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Plan is what an import does (or, in a dry run, would do).
type Plan struct {
	// Sheets are the sheets the file holds, in workbook order.
	Sheets []string `json:"sheets"`
	// IgnoredSheets are workbook sheets with names that are none of ours;
	// their contents were not read.
	IgnoredSheets []string `json:"ignored_sheets,omitempty"`
	Changes       []Change `json:"changes"`
	// Counts is sheet → action → number of changes, with every action of
	// every sheet in Sheets present (zero or not).
	Counts map[string]map[string]int `json:"counts"`
	// Digest identifies the changes and their values: each field's before
	// and after, each added row's cells, each removed record's stored
	// cells. Give it back as Options.ExpectDigest when applying what a preview
	// showed, and the import refuses if the plan has become another one.
	Digest string `json:"digest"`
	// Applied is true when the changes were written.
	Applied bool `json:"applied"`
}

// Total is the number of changes.
func (p *Plan) Total() int { return len(p.Changes) }

// Summary renders the plan for a terminal: a line of counts per sheet, then
// one line per change.
func (p *Plan) Summary(lang locale.Lang) string {
	var b strings.Builder
	for _, sheet := range Sheets {
		c, ok := p.Counts[sheet]
		if !ok {
			continue
		}
		b.WriteString(locale.T(lang, "transfer.summary.counts", SheetLabel(sheet, lang), c[ActionAdd], c[ActionChange], c[ActionRemove]))
		b.WriteByte('\n')
	}
	signs := map[string]string{ActionAdd: "+", ActionChange: "~", ActionRemove: "-"}
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "%s %s %s", signs[c.Action], SheetLabel(c.Sheet, lang), c.Key)
		if len(c.Fields) > 0 {
			labels := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				labels[i] = ColumnLabel(c.Sheet, f, lang)
			}
			fmt.Fprintf(&b, " (%s)", strings.Join(labels, ", "))
		}
		b.WriteByte('\n')
	}
	if p.Applied {
		b.WriteString(locale.T(lang, "transfer.summary.applied", p.Total()))
	} else {
		b.WriteString(locale.T(lang, "transfer.summary.dry_run", p.Total()))
	}
	b.WriteByte('\n')
	return b.String()
}

// File is one file of a multi-file import.
type File struct {
	Name string
	Data []byte
}

// Import reads one file — an XLSX workbook or a CSV file holding one sheet —
// and applies it in one transaction, or with opt.DryRun only plans it. A
// file with problems returns a *ProblemsError listing all of them, and
// nothing is written.
func Import(ctx context.Context, store *inventory.Store, scope access.Scope, fileName string, data []byte, opt Options) (*Plan, error) {
	return ImportFiles(ctx, store, scope, []File{{Name: fileName, Data: data}}, opt)
}

// ImportFiles is Import for several files at once (for instance the CSV
// files of an export, one per sheet), applied in one transaction. A sheet
// may come from one file only.
func ImportFiles(ctx context.Context, store *inventory.Store, scope access.Scope, files []File, opt Options) (*Plan, error) {
	book, problems := readFiles(files, opt)
	if len(problems) > 0 {
		return nil, newProblemsError(problems)
	}
	var plan *Plan
	err := store.Update(ctx, scope, func(tx *inventory.Tx) error {
		inv, err := tx.Load(ctx)
		if err != nil {
			return err
		}
		p := buildPlan(inv, scope, book)
		if len(p.problems) > 0 {
			return newProblemsError(p.problems)
		}
		plan = p.public(book)
		if opt.ExpectDigest != "" && opt.ExpectDigest != plan.Digest {
			return newProblemsError([]Problem{fileProblem("transfer.plan_changed")})
		}
		if opt.DryRun {
			return errDryRun
		}
		if err := p.apply(ctx, tx); err != nil {
			return err
		}
		plan.Applied = true
		return nil
	})
	if errors.Is(err, errDryRun) {
		return plan, nil
	}
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// errDryRun rolls back the transaction of a dry run.
var errDryRun = errors.New("transfer: dry run")

// ReadAll reads a file from r, refusing one larger than limit (MaxFileSize
// when limit is 0) without reading it all.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxFileSize
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, newProblemsError([]Problem{tooLarge(int64(len(data)), limit, true)})
	}
	return data, nil
}

// SheetName reads a sheet name as a person may write it — "systems",
// "Systems", "시스템" — and returns its English name.
func SheetName(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, s := range Sheets {
		if n == s || n == SheetNamesKo[s] {
			return s, true
		}
	}
	return "", false
}

// SheetLabel is a sheet's name in lang: Korean or English.
func SheetLabel(sheet string, lang locale.Lang) string {
	if _, ok := SheetName(sheet); !ok {
		return sheet
	}
	return locale.T(lang, "sheet."+sheet)
}

// CSVFileName is the file name an export gives a sheet's CSV file.
func CSVFileName(sheet string) string { return sheet + ".csv" }

// ColumnLabel is a column's header in lang, or the key itself when the
// sheet has no such column.
func ColumnLabel(sheet, key string, lang locale.Lang) string {
	for _, c := range columnsOf(sheet) {
		if c.Key == key {
			if lang == locale.Korean {
				return c.Korean
			}
			return c.English
		}
	}
	return key
}

// Column describes one column of a sheet, for help pages and templates.
type Column struct {
	Key      string `json:"key"`
	Korean   string `json:"korean"`
	English  string `json:"english"`
	Required bool   `json:"required"`
}

// Columns lists a sheet's columns in export order.
func Columns(sheet string) []Column { return columnsOf(sheet) }
