package locale

import (
	"testing"
	"time"
)

// Every key must read in both languages, so a page never shows a raw key.
func TestCatalogueComplete(t *testing.T) {
	for key := range catalogue[Korean] {
		if _, ok := catalogue[English][key]; !ok {
			t.Errorf("key %q has Korean text but no English", key)
		}
	}
	for key := range catalogue[English] {
		if _, ok := catalogue[Korean][key]; !ok {
			t.Errorf("key %q has English text but no Korean", key)
		}
	}
}

func TestDate(t *testing.T) {
	scenarios := []struct {
		name string
		at   time.Time
		date string
		full string
	}{
		{"fire day in KST", time.Date(2025, 9, 26, 11, 15, 0, 0, time.UTC), "2025. 9. 26.", "2025. 9. 26. 20:15"},
		{"UTC evening is the next KST day", time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC), "2026. 1. 1.", "2026. 1. 1. 01:30"},
		{"zero time is blank", time.Time{}, "", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := Date(s.at); got != s.date {
				t.Errorf("Date = %q, want %q", got, s.date)
			}
			if got := DateTime(s.at); got != s.full {
				t.Errorf("DateTime = %q, want %q", got, s.full)
			}
		})
	}
}

func TestSpanAndArgs(t *testing.T) {
	scenarios := []struct {
		minutes int64
		ko, en  string
	}{
		{120, "2시간", "2 h"},
		{90, "1시간 30분", "1 h 30 min"},
		{45, "45분", "45 min"},
		{1440, "24시간", "24 h"},
		{10080, "7일", "7 d"},
	}
	for _, s := range scenarios {
		if got := Span(Korean, s.minutes); got != s.ko {
			t.Errorf("Span(ko, %d) = %q, want %q", s.minutes, got, s.ko)
		}
		if got := Span(English, s.minutes); got != s.en {
			t.Errorf("Span(en, %d) = %q, want %q", s.minutes, got, s.en)
		}
	}
	if got := T(Korean, "invalid.unknown_agency", "노동청"); got != "존재하지 않는 기관입니다: 노동청" {
		t.Errorf("argument not filled: %q", got)
	}
	if got := T(Korean, "invalid.unknown_agency", Minutes(90)); got != "존재하지 않는 기관입니다: 1시간 30분" {
		t.Errorf("a Minutes argument is not written as a span: %q", got)
	}
	if got := T(English, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key should render as itself, got %q", got)
	}
	if Parse("en-US") != English || Parse("ko-KR") != Korean || Parse("") != Korean {
		t.Error("Parse does not map languages as expected")
	}
}

// An argument is filled in as it is: placeholders inside it stay, whatever
// their number.
func TestArgumentsAreNotFilledTwice(t *testing.T) {
	catalogue[Korean]["test.two"] = "{0} → {1}"
	catalogue[English]["test.two"] = "{0} -> {1}"
	t.Cleanup(func() {
		delete(catalogue[Korean], "test.two")
		delete(catalogue[English], "test.two")
	})
	scenarios := []struct {
		name string
		args []any
		want string
	}{
		{"later placeholder in the first argument", []any{"x{1}", "y"}, "x{1} → y"},
		{"earlier placeholder in the second argument", []any{"a", "{0}b"}, "a → {0}b"},
		{"placeholder in a translated Key", []any{"{1}", Key("test.two")}, "{1} → {0} → {1}"},
		{"missing argument stays a placeholder", []any{"a"}, "a → {1}"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := T(Korean, "test.two", s.args...); got != s.want {
				t.Errorf("T = %q, want %q", got, s.want)
			}
		})
	}
}
