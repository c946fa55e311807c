package oidc

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

// Attempt is one sign-in at the provider, from the redirect to the
// callback: what the tower sends and must find again when the browser comes
// back. The web layer keeps it meanwhile, in a short-lived HttpOnly cookie
// (Encode, ParseAttempt) or on the server.
type Attempt struct {
	// State ties the callback to this browser's attempt (CSRF on the
	// callback): the callback's state parameter must equal it.
	State string
	// Nonce ties the ID token to this attempt: the token must carry it.
	Nonce string
	// Verifier is the PKCE code verifier; the provider sees its S256
	// challenge in the redirect and the verifier itself with the code.
	Verifier string
	// Next is the page to go to once signed in; the web layer checks it is
	// one of the tower's before going there.
	Next string
}

// randomLength is the length of State, Nonce and Verifier: 32 random bytes
// in base64url, 43 characters — a PKCE verifier of the shortest allowed
// length (RFC 7636 §4.1) and 256 bits for each.
const randomLength = 43

// NewAttempt makes a fresh state, nonce and code verifier, each of 32
// random bytes, for an attempt that will go on to next.
func NewAttempt(next string) (Attempt, error) {
	var a Attempt
	for _, s := range []*string{&a.State, &a.Nonce, &a.Verifier} {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return Attempt{}, fmt.Errorf("oidc: random: %w", err)
		}
		*s = base64.RawURLEncoding.EncodeToString(b)
	}
	a.Next = next
	return a, nil
}

// Encode writes the attempt as one cookie value: the three random values
// and the next page in base64url, joined by dots.
func (a Attempt) Encode() string {
	return strings.Join([]string{a.State, a.Nonce, a.Verifier, base64.RawURLEncoding.EncodeToString([]byte(a.Next))}, ".")
}

// ParseAttempt reads what Encode wrote. Anything else — no cookie, a
// mangled one — is a stale attempt (code auth.Unauthorized, KeyStale): the
// person starts again.
func ParseAttempt(s string) (Attempt, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || len(s) > 4096 {
		return Attempt{}, fail(KeyStale, "attempt: not one the tower wrote")
	}
	next, err := decodeSegment(parts[3])
	a := Attempt{State: parts[0], Nonce: parts[1], Verifier: parts[2], Next: string(next)}
	if err != nil || !validRandom(a.State) || !validRandom(a.Nonce) || !validRandom(a.Verifier) {
		return Attempt{}, fail(KeyStale, "attempt: not one the tower wrote")
	}
	return a, nil
}

// Callback reads the query the provider sent the browser back with: the
// code, when the provider gives one and the state is this attempt's.
//
//   - error=… (the person cancelled, the provider refused): code
//     auth.Unauthorized, KeyDenied for access_denied, KeyFailed otherwise;
//   - a state that is not the attempt's: KeyStale (another tab's attempt,
//     or a forged callback);
//   - no code: KeyFailed.
func (a Attempt) Callback(query url.Values) (string, error) {
	if e := query.Get("error"); e != "" {
		key := KeyFailed
		if e == "access_denied" {
			key = KeyDenied
		}
		return "", fail(key, "callback: the provider says %s: %s", clip(e), clip(query.Get("error_description")))
	}
	state := query.Get("state")
	if a.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(a.State)) != 1 {
		return "", fail(KeyStale, "callback: the state is not the attempt's")
	}
	code := query.Get("code")
	if code == "" {
		return "", fail(KeyFailed, "callback: no code")
	}
	return code, nil
}

// Challenge is the S256 PKCE challenge of a verifier: the base64url
// SHA-256 of it (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validRandom reports whether s is one of NewAttempt's random values.
func validRandom(s string) bool {
	b, err := decodeSegment(s)
	return err == nil && len(s) == randomLength && len(b) == 32
}

// validVerifier reports whether s is a PKCE code verifier: 43 to 128
// characters of A–Z, a–z, 0–9 and - . _ ~ (RFC 7636 §4.1).
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '-', r == '.', r == '_', r == '~':
		default:
			return false
		}
	}
	return true
}
