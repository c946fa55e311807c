package transfer

import (
	"fmt"
	"slices"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
)

// Problem is one reason a file is rejected.
type Problem struct {
	// Sheet is the English sheet name; "" when the file as a whole is bad.
	Sheet string `json:"sheet"`
	// Row is the spreadsheet row (the header is row 1); 0 when the problem
	// is not about one row (a missing column, a record removed while still
	// in use, a bad file).
	Row int `json:"row"`
	// Column is the column letter (A, B, … AA); "" when not about one
	// column of the file.
	Column string `json:"column"`
	// Header is the column's header as the file writes it, or for a missing
	// column its Korean label.
	Header string `json:"header"`
	// Field is the column key (e.g. rto_disaster), when the problem is
	// about one of our columns.
	Field string `json:"field,omitempty"`
	// Key and Args name the catalogue message.
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// Message is the problem's text in lang, without its place.
func (p Problem) Message(lang locale.Lang) string { return locale.T(lang, p.Key, p.Args...) }

// Describe is the problem with its place in lang:
// "systems 시트 5행 D열(등급): 등급은 1~4 …".
func (p Problem) Describe(lang locale.Lang) string {
	msg := p.Message(lang)
	if p.Sheet == "" {
		return msg
	}
	sheet := SheetLabel(p.Sheet, lang)
	switch {
	case p.Row > 0 && p.Column != "":
		return locale.T(lang, "transfer.at.cell", sheet, p.Row, p.Column, p.Header, msg)
	case p.Row > 0 && p.Header != "":
		return locale.T(lang, "transfer.at.row_header", sheet, p.Row, p.Header, msg)
	case p.Row > 0:
		return locale.T(lang, "transfer.at.row", sheet, p.Row, msg)
	case p.Column != "":
		return locale.T(lang, "transfer.at.column", sheet, p.Column, p.Header, msg)
	case p.Header != "":
		return locale.T(lang, "transfer.at.header", sheet, p.Header, msg)
	}
	return locale.T(lang, "transfer.at.sheet", sheet, msg)
}

// ProblemsError rejects a file: every problem found, in sheet, row and
// column order. Problems with the file as a whole (empty, too large, not a
// spreadsheet) come as a single problem with no sheet.
//
// It unwraps to an *apperror.Error with code Invalid, so apperror.CodeOf
// and the HTTP layer treat it as bad input.
type ProblemsError struct {
	Problems []Problem `json:"problems"`
}

func newProblemsError(problems []Problem) *ProblemsError {
	sortProblems(problems)
	if len(problems) > MaxProblems {
		more := len(problems) - MaxProblems
		problems = append(problems[:MaxProblems:MaxProblems], Problem{Key: "transfer.too_many_problems", Args: []any{more}})
	}
	return &ProblemsError{Problems: problems}
}

// Reject is the error refusing an upload for problems, sorted and bounded
// as an import's: for tables read with ReadTable.
func Reject(problems []Problem) error { return newProblemsError(problems) }

func (e *ProblemsError) Error() string { return e.Message(locale.Default) }

// Message renders every problem in lang, one a line, after a line saying
// the file was not imported.
func (e *ProblemsError) Message(lang locale.Lang) string {
	var b strings.Builder
	b.WriteString(locale.T(lang, "transfer.rejected", len(e.Problems)))
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.Describe(lang))
	}
	return b.String()
}

// Unwrap makes the rejection an apperror with code Invalid.
func (e *ProblemsError) Unwrap() error {
	return apperror.New(apperror.Invalid, "", "transfer.rejected", len(e.Problems))
}

func sortProblems(problems []Problem) {
	sheetIndex := func(s string) int { return slices.Index(Sheets, s) }
	slices.SortStableFunc(problems, func(a, b Problem) int {
		if d := sheetIndex(a.Sheet) - sheetIndex(b.Sheet); d != 0 {
			return d
		}
		if d := a.Row - b.Row; d != 0 {
			return d
		}
		if d := columnNumber(a.Column) - columnNumber(b.Column); d != 0 {
			return d
		}
		return 0
	})
}

// columnLetter turns a 0-based column index into A, B, … Z, AA, AB, …
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// columnNumber is the 1-based number of a column letter; 0 for "".
func columnNumber(letter string) int {
	n := 0
	for _, r := range letter {
		n = n*26 + int(r-'A'+1)
	}
	return n
}

func fileProblem(key string, args ...any) Problem { return Problem{Key: key, Args: args} }

func tooLarge(size, limit int64, atLeast bool) Problem {
	shown := mib(size)
	if atLeast {
		shown = "> " + mib(limit)
	}
	return fileProblem("transfer.too_large", shown, mib(limit))
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
