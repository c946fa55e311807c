// Package locale holds the message catalogue (Korean first, English) and
// the ministry's ways of writing dates and times.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Lang is a catalogue language.
type Lang string

const (
	Korean  Lang = "ko"
	English Lang = "en"
)

// Default is the language used when a caller states none.
const Default = Korean

// The catalogue is split by area (messages/<lang>/<area>.json) so that each
// part of the tower keeps its own words; a key may appear in one file only.
//
//go:embed messages
var files embed.FS

var catalogue = map[Lang]map[string]string{}

func init() {
	for _, lang := range []Lang{Korean, English} {
		m, err := loadCatalogue(lang)
		if err != nil {
			panic(err)
		}
		catalogue[lang] = m
	}
}

func loadCatalogue(lang Lang) (map[string]string, error) {
	dir := "messages/" + string(lang)
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, fmt.Errorf("locale: missing catalogue %s: %w", lang, err)
	}
	all := map[string]string{}
	for _, e := range entries {
		body, err := fs.ReadFile(files, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("locale: read %s/%s: %w", dir, e.Name(), err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(body, &part); err != nil {
			return nil, fmt.Errorf("locale: %s/%s is not valid JSON: %w", dir, e.Name(), err)
		}
		for k, v := range part {
			if _, dup := all[k]; dup {
				return nil, fmt.Errorf("locale: key %q appears twice in %s", k, dir)
			}
			all[k] = v
		}
	}
	return all, nil
}

// Parse turns a user's choice ("en", "en-US", "ko-KR", "") into a Lang.
func Parse(s string) Lang {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "en") {
		return English
	}
	return Korean
}

// Key is a message argument that is itself a catalogue key, rendered in the
// same language as the message it fills.
type Key string

// Minutes is a message argument that is a span of time, written in the
// message's language ("2시간", "2 h").
type Minutes int64

// T renders a message. Arguments fill {0}, {1}, … in the text; a Key
// argument is translated first. A key that the catalogue lacks renders as the key itself, so a gap shows on screen
// instead of hiding; TestCatalogueComplete keeps that from shipping.
func T(lang Lang, key string, args ...any) string {
	text, ok := catalogue[lang][key]
	if !ok {
		text, ok = catalogue[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return text
	}
	// One pass over the text, so that an argument's own text (a system
	// named "x{1}") is never scanned for placeholders again.
	var b strings.Builder
	b.Grow(len(text) + 16*len(args))
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			break
		}
		i, err := strconv.Atoi(text[open+1 : open+end])
		if err != nil || i < 0 || i >= len(args) {
			b.WriteString(text[:open+1])
			text = text[open+1:]
			continue
		}
		b.WriteString(text[:open])
		b.WriteString(argText(lang, args[i]))
		text = text[open+end+1:]
	}
	b.WriteString(text)
	return b.String()
}

// argText writes an argument of T: a catalogue key in lang, minutes as a
// span, anything else as fmt prints it.
func argText(lang Lang, a any) string {
	switch v := a.(type) {
	case string:
		return v
	case Key:
		return T(lang, string(v))
	case Minutes:
		return Span(lang, int64(v))
	}
	return fmt.Sprint(a)
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := catalogue[Default][key]
	return ok
}

// KST is Korea Standard Time, the tower's default zone. It is fixed (Korea
// keeps no daylight saving), so it needs no tz database on the machine.
var KST = time.FixedZone("KST", 9*60*60)

// Date writes a date as the ministry does: "2025. 9. 26."
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(KST)
	return fmt.Sprintf("%d. %d. %d.", t.Year(), int(t.Month()), t.Day())
}

// DateTime writes a date and time in KST: "2025. 9. 26. 20:15"
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Date(t) + " " + t.In(KST).Format("15:04")
}

// Span writes a number of minutes for people: "2시간", "1시간 30분", "7일"
// in Korean, "2 h", "1 h 30 min", "7 d" in English.
func Span(lang Lang, minutes int64) string {
	if minutes%1440 == 0 && minutes >= 2880 {
		return T(lang, "span.days", minutes/1440)
	}
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return T(lang, "span.minutes", m)
	case m == 0:
		return T(lang, "span.hours", h)
	default:
		return T(lang, "span.hours_minutes", h, m)
	}
}
