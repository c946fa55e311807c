package database

import (
	"database/sql"
	"time"
)

// TimeLayout is how times are stored as text: UTC, fixed width, so that
// text order is time order on both dialects.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Now returns the current time as stored text.
func Now() string { return time.Now().UTC().Format(TimeLayout) }

// FormatTime is t as stored text.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// NullTime is t as stored text, or NULL for the zero time.
func NullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return FormatTime(t)
}

// ParseTime reads a stored time; text that is no stored time reads as the
// zero time (the columns hold only what FormatTime wrote).
func ParseTime(text string) time.Time {
	t, _ := time.Parse(TimeLayout, text)
	return t
}

// ParseNullTime reads a stored time that may be NULL (the zero time).
func ParseNullTime(v sql.NullString) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return ParseTime(v.String)
}
