package oidc

import (
	"errors"
	"fmt"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
)

// Catalogue keys (oidc.json) of what a person is told when single sign-on
// fails. The web layer may use them for what it checks itself.
const (
	// KeyFailed: the provider refused the code, or its ID token did not
	// verify. Try again.
	KeyFailed = "oidc.failed"
	// KeyDenied: the person cancelled, or the provider refused them.
	KeyDenied = "oidc.denied"
	// KeyStale: the browser came back without the attempt it left with
	// (state missing or different, attempt too old). Start again.
	KeyStale = "oidc.stale"
	// KeyUnavailable: the provider cannot be reached or answers with an
	// error of its own. Try later, or sign in with a password.
	KeyUnavailable = "oidc.unavailable"
)

// failure is an error a person sees as the catalogue message of app, and
// the log as detail: apperror.As finds app, and Error() is the detail.
type failure struct {
	app    *apperror.Error
	detail error
}

func (f *failure) Error() string   { return f.detail.Error() }
func (f *failure) Unwrap() []error { return []error{f.app, f.detail} }

// fail is a failed sign-in (auth.Unauthorized) shown as key, whose detail
// for the log is format and args.
func fail(key string, format string, args ...any) error {
	return &failure{app: apperror.New(auth.Unauthorized, "", key), detail: fmt.Errorf("oidc: "+format, args...)}
}

// unavailable is a provider that cannot be reached (apperror.Internal).
func unavailable(format string, args ...any) error {
	return &failure{app: apperror.New(apperror.Internal, "", KeyUnavailable), detail: fmt.Errorf("oidc: "+format, args...)}
}

// Reasons an ID token is refused; the detail of a KeyFailed error wraps one
// of them, so that tests and logs can tell them apart.
var (
	errMalformed = errors.New("malformed token")
	errAlgorithm = errors.New("algorithm refused")
	errNoKey     = errors.New("no key for the token")
	errSignature = errors.New("signature does not verify")
	errIssuer    = errors.New("wrong issuer")
	errAudience  = errors.New("wrong audience")
	errExpired   = errors.New("expired")
	errNotYet    = errors.New("not valid yet")
	errNonce     = errors.New("wrong nonce")
	errSubject   = errors.New("no subject")
)
