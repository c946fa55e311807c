package inventory

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Minutes is a span of time as the inventory stores it: RTO, RPO, MTPD and
// backup intervals. Whole minutes are finer than any target the plan sets.
type Minutes int64

// Hours makes a span of whole hours.
func Hours(h int64) Minutes { return Minutes(h * 60) }

var durationUnits = map[string]int64{
	"m": 1, "min": 1, "분": 1,
	"h": 60, "hr": 60, "시간": 60,
	"d": 1440, "일": 1440,
	"w": 10080, "주": 10080, "주일": 10080,
}

// ParseMinutes reads a span written as people write it in a spreadsheet:
// "2h", "30m", "1h30m", "1d", "2시간", "1시간 30분", "1일", "1주". A bare number
// has no unit and is refused, because "2" could mean minutes or hours.
func ParseMinutes(s string) (Minutes, error) {
	text := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if text == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total int64
	for text != "" {
		i := 0
		for i < len(text) && (text[i] >= '0' && text[i] <= '9' || text[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		number, err := strconv.ParseFloat(text[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		text = text[i:]
		j := 0
		for j < len(text) && !unicode.IsDigit(rune(text[j])) {
			j++
		}
		unit, ok := durationUnits[text[:j]]
		if !ok {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		text = text[j:]
		total += int64(number*float64(unit) + 0.5)
	}
	return Minutes(total), nil
}

// String writes the span the way ParseMinutes reads it back: "2h", "1h30m",
// "7d". Whole days are written as days only from two days up, so that a
// 24-hour RPO reads as the plan writes it.
func (m Minutes) String() string {
	if m == 0 {
		return "0m"
	}
	if m%1440 == 0 && m >= 2880 {
		return fmt.Sprintf("%dd", m/1440)
	}
	h, min := m/60, m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", min)
	case min == 0:
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dh%dm", h, min)
	}
}
