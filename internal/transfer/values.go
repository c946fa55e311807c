package transfer

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/width"

	"yeonsok/internal/inventory"
)

// normalizeText is how every cell is read and every text field compared:
// line ends as \n, no surrounding blanks. Export writes fields through it
// too, so a value the database holds with a trailing blank or CRLF line ends
// does not come back from a round trip as a change.
func normalizeText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimSpace(s)
}

// fold is the lookup form of a word a person typed: trimmed, lower case,
// inner blanks collapsed to one.
func fold(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

var (
	trueWords  = []string{"y", "yes", "예", "네", "true", "1", "o", "t"}
	falseWords = []string{"", "n", "no", "아니오", "아니요", "false", "0", "x", "f"}
)

func formatBool(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func parseBool(s string) (bool, bool) {
	f := fold(s)
	for _, w := range trueWords {
		if f == w {
			return true, true
		}
	}
	for _, w := range falseWords {
		if f == w {
			return false, true
		}
	}
	return false, false
}

// Aliases a person may type for the code values of a column, besides the
// codes themselves (matched without regard to case).
var (
	triAliases = map[string]string{
		"":     inventory.Unknown,
		"y":    inventory.Yes,
		"예":    inventory.Yes,
		"있음":   inventory.Yes,
		"o":    inventory.Yes,
		"true": inventory.Yes,
		"n":    inventory.No,
		"no":   inventory.No,
		"아니오":  inventory.No,
		"아니요":  inventory.No,
		"없음":   inventory.No,
		"x":    inventory.No,
		"모름":   inventory.Unknown,
		"미상":   inventory.Unknown,
		"미확인":  inventory.Unknown,
		"?":    inventory.Unknown,
		"-":    inventory.Unknown,
	}
	operatorAliases = map[string]string{
		"국정자원":       inventory.OperatorNIRS,
		"국가정보자원관리원":  inventory.OperatorNIRS,
		"자체":         inventory.OperatorSelf,
		"자체 운영":      inventory.OperatorSelf,
		"자체운영":       inventory.OperatorSelf,
		"민간":         inventory.OperatorPrivate,
		"민간 위탁":      inventory.OperatorPrivate,
		"민간위탁":       inventory.OperatorPrivate,
		"위탁":         inventory.OperatorPrivate,
		"private dc": inventory.OperatorPrivate,
	}
	drAliases = map[string]string{
		"":   inventory.Unknown,
		"모름": inventory.Unknown,
		"없음": inventory.DRNone,
		"부분": inventory.DRPartial,
		"일부": inventory.DRPartial,
		"유사": inventory.DRSimilar,
		"동등": inventory.DRSimilar,
	}
	offsiteAliases = map[string]string{
		"":        inventory.Unknown,
		"모름":      inventory.Unknown,
		"없음":      inventory.No,
		"복제":      "replication",
		"실시간 복제":  "replication",
		"테이프(직원)": "tape_staff",
		"테이프(업체)": "tape_courier",
		"클라우드":    "cloud",
		"기타":      "other",
	}
	audienceAliases = map[string]string{
		"대국민": "public",
		"국민":  "public",
		"내부":  "internal",
	}
	kindAliases = map[string]string{
		"":       "interface",
		"연계":     "interface",
		"인터페이스":  "interface",
		"인증":     "auth",
		"db":     "database",
		"데이터베이스": "database",
		"네트워크":   "network",
		"기타":     "other",
	}
)

// parseCode reads a code value: the code itself in any case, or an alias.
// Anything else is kept (lower case) for Validate to refuse with the list
// of allowed values.
func parseCode(s string, aliases map[string]string) string {
	f := fold(s)
	if code, ok := aliases[f]; ok {
		return code
	}
	return f
}

func formatMinutes(m *inventory.Minutes) string {
	if m == nil {
		return ""
	}
	return m.String()
}

func formatGrade(g int) string {
	if g == 0 {
		return ""
	}
	return strconv.Itoa(g)
}

// parseGrade reads 1-4 ("1", "1등급", "1.0"); empty or 미부여 is none (0).
// A number out of range is returned as is for Validate to refuse.
func parseGrade(s string) (int, bool) {
	f := fold(s)
	switch f {
	case "", "미부여", "none", "-", "0":
		return 0, true
	}
	f = strings.TrimSpace(strings.TrimSuffix(f, "등급"))
	n, ok := parseInt(f)
	if !ok || n > math.MaxInt32 || n < math.MinInt32 {
		return 0, false
	}
	return int(n), true
}

// parseInt reads a whole number, with thousands separators or written as a
// float with no fraction (as a spreadsheet may store it).
func parseInt(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func formatFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func formatInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// lines splits a cell that holds one item a line, dropping blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Spreadsheet programs run a CSV cell that starts with = + - @ as a
// formula. Export puts an apostrophe before such a value (and before one
// that starts with an apostrophe, so the rule can be undone); import of a
// CSV file takes it off again. Excel itself drops the apostrophe when it
// saves, which import reads the same.
const formulaStarts = "=+-@\t\r'"

// GuardFormula makes a value safe to write into a CSV cell that a
// spreadsheet program will open: one that would run as a formula (it starts
// with = + - @, a tab or a carriage return) gets an apostrophe in front, and
// so does one that starts with an apostrophe, so that the guard can be told
// from the value and taken off again. Other values are returned as they
// are. XLSX cells need no guard: a string cell is never a formula.
func GuardFormula(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func unguardFormula(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// excelCellLimit is the most UTF-16 units an Excel cell holds.
const excelCellLimit = 32767

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// DisplayWidth approximates how many columns text takes in a spreadsheet
// column or a fixed-width view: East Asian wide and fullwidth characters
// (Hangul, Hanja, fullwidth forms, most emoji) count two, everything else
// one. The widths come from Unicode's East Asian Width property, so arrows
// and the middle dot, which a Korean font draws narrow, stay one.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
