// Package apperror is the tower's error with a code, in the manner of WTF
// Dial: domain code says what went wrong, and the HTTP layer maps the code
// to a status in one place.
package apperror

import (
	"errors"

	"yeonsok/internal/locale"
)

// Codes. They appear as-is in API error bodies.
const (
	Invalid   = "invalid"
	NotFound  = "not_found"
	Conflict  = "conflict"
	Forbidden = "forbidden"
	TooLarge  = "too_large"
	// Unavailable: the tower cannot do it now; the same request may
	// succeed later.
	Unavailable = "unavailable"
	Internal    = "internal"
)

// Error is an error the user can act on. Key and Args name a catalogue
// message, so the same error reads in Korean or English.
type Error struct {
	Code  string
	Field string
	Key   string
	Args  []any
}

func (e *Error) Error() string { return e.Message(locale.Default) }

// Message renders the error in lang.
func (e *Error) Message(lang locale.Lang) string { return locale.T(lang, e.Key, e.Args...) }

// New makes an error with a code and a catalogue message.
func New(code, field, key string, args ...any) *Error {
	return &Error{Code: code, Field: field, Key: key, Args: args}
}

// As finds an *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf is the code of err, Internal for anything that is not an *Error.
func CodeOf(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}
