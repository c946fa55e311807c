package oidc

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// IDToken is a verified ID token: who the provider says signed in.
type IDToken struct {
	// Subject is the provider's stable, never reassigned id of the person
	// (the "sub" claim): what a Yeonsok account is linked to.
	Subject string
	// Login is the claim Config.LoginClaim names, "" when the token lacks
	// it or it is not a string; used to find the account at the first
	// sign-in only.
	Login string
	Name  string // the "name" claim, "" without one
	Email string // the "email" claim, "" without one
	// Claims are all the token's claims as JSON decoded them (numbers as
	// json.Number).
	Claims map[string]any
}

// maxToken is the longest ID token read.
const maxToken = 64 << 10

// header is what the tower reads of a JWS header.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// claims are the registered claims the tower checks.
type claims struct {
	Issuer          string       `json:"iss"`
	Subject         string       `json:"sub"`
	Audience        audience     `json:"aud"`
	Expiry          *numericDate `json:"exp"`
	IssuedAt        *numericDate `json:"iat"`
	NotBefore       *numericDate `json:"nbf"`
	Nonce           *string      `json:"nonce"`
	AuthorizedParty string       `json:"azp"`
}

// audience is "aud": one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// numericDate is a JWT time: seconds since 1970, perhaps with a fraction.
type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("a time is not a number")
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return fmt.Errorf("a time is not a number of seconds")
	}
	sec, frac := math.Modf(f)
	d.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

// decodeSegment decodes one base64url segment of a compact JWS (no
// padding, as RFC 7515 has it).
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// verify checks a compact JWS ID token as OpenID Connect Core §3.1.3.7 asks,
// with the nonce the attempt sent, and returns what it says.
func (p *Provider) verify(ctx context.Context, raw, nonce string) (*IDToken, error) {
	if len(raw) > maxToken {
		return nil, fail(KeyFailed, "id token: %w: %d bytes", errMalformed, len(raw))
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fail(KeyFailed, "id token: %w: %d parts, not a compact JWS of 3 (an encrypted token is not supported)", errMalformed, len(parts))
	}
	headBytes, err1 := decodeSegment(parts[0])
	payload, err2 := decodeSegment(parts[1])
	sig, err3 := decodeSegment(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fail(KeyFailed, "id token: %w: a part is not base64url", errMalformed)
	}
	var h header
	if err := json.Unmarshal(headBytes, &h); err != nil {
		return nil, fail(KeyFailed, "id token: %w: header: %v", errMalformed, err)
	}
	check := verifiers[h.Alg]
	if check == nil {
		return nil, fail(KeyFailed, "id token: %w: %q (only RS256 and ES256 are accepted)", errAlgorithm, h.Alg)
	}
	if len(h.Crit) > 0 {
		return nil, fail(KeyFailed, "id token: %w: critical header extensions %s are not understood", errMalformed, h.Crit)
	}

	keys, err := p.keysFor(ctx, h.Alg, h.Kid)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fail(KeyFailed, "id token: %w: %s with kid %q is not in the provider's key set", errNoKey, h.Alg, h.Kid)
	}
	signed := []byte(parts[0] + "." + parts[1])
	if !slices.ContainsFunc(keys, func(k publicKey) bool { return check(k.key, signed, sig) }) {
		return nil, fail(KeyFailed, "id token: %w (%s, kid %q)", errSignature, h.Alg, h.Kid)
	}

	// Signed by the provider: now what it says.
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fail(KeyFailed, "id token: %w: claims: %v", errMalformed, err)
	}
	all := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&all); err != nil {
		return nil, fail(KeyFailed, "id token: %w: claims: %v", errMalformed, err)
	}
	if err := p.checkClaims(&c, nonce); err != nil {
		return nil, err
	}
	t := &IDToken{Subject: c.Subject, Claims: all}
	t.Login, _ = all[p.loginClaim].(string)
	t.Name, _ = all["name"].(string)
	t.Email, _ = all["email"].(string)
	return t, nil
}

// checkClaims checks the issuer, the audience (and the authorized party when
// there are several audiences, or one is named), the times, the subject and
// the nonce.
func (p *Provider) checkClaims(c *claims, nonce string) error {
	now := p.Now()
	switch {
	case c.Issuer != p.issuer:
		return fail(KeyFailed, "id token: %w: %q, want %q", errIssuer, c.Issuer, p.issuer)
	case !slices.Contains(c.Audience, p.clientID):
		return fail(KeyFailed, "id token: %w: %q does not name the client %q", errAudience, []string(c.Audience), p.clientID)
	case (len(c.Audience) > 1 || c.AuthorizedParty != "") && c.AuthorizedParty != p.clientID:
		return fail(KeyFailed, "id token: %w: authorized party %q, want %q", errAudience, c.AuthorizedParty, p.clientID)
	case c.Expiry == nil:
		return fail(KeyFailed, "id token: %w: no exp", errMalformed)
	case !now.Before(c.Expiry.Add(leeway)):
		return fail(KeyFailed, "id token: %w at %s (now %s)", errExpired, c.Expiry.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case c.IssuedAt == nil:
		return fail(KeyFailed, "id token: %w: no iat", errMalformed)
	case c.IssuedAt.After(now.Add(leeway)):
		return fail(KeyFailed, "id token: %w: issued at %s (now %s); are the clocks set?", errNotYet, c.IssuedAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case c.NotBefore != nil && c.NotBefore.After(now.Add(leeway)):
		return fail(KeyFailed, "id token: %w before %s (now %s)", errNotYet, c.NotBefore.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case c.Subject == "" || len(c.Subject) > 255:
		return fail(KeyFailed, "id token: %w (or one over 255 characters)", errSubject)
	case nonce == "" || c.Nonce == nil || subtle.ConstantTimeCompare([]byte(*c.Nonce), []byte(nonce)) != 1:
		return fail(KeyFailed, "id token: %w", errNonce)
	}
	return nil
}
