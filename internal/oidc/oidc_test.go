package oidc

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
	"yeonsok/internal/oidc/oidctest"
)

// refused checks that err is a failed sign-in shown as key, whose detail
// is why.
func refused(t *testing.T, err error, key string, why error) {
	t.Helper()
	e, ok := apperror.As(err)
	if !ok || e.Key != key {
		t.Fatalf("err = %v, want one shown as %s", err, key)
	}
	if want := auth.Unauthorized; key == KeyUnavailable {
		if e.Code != apperror.Internal {
			t.Fatalf("code %s, want %s", e.Code, apperror.Internal)
		}
	} else if e.Code != want {
		t.Fatalf("code %s, want %s", e.Code, want)
	}
	if why != nil && !errors.Is(err, why) {
		t.Fatalf("err = %v, want %v", err, why)
	}
}

func TestSignIn(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	p, prov := start(t, rsaKey)
	other := newRSAKey(t, "rsa-1") // same kid, not the provider's

	type scenario struct {
		name   string
		claims func(c map[string]any)
		forge  func(header, claims map[string]any) string
		nonce  string // sent to Exchange instead of the attempt's
		secret string // the tower's client secret instead of the right one
		key    string // "" for a success
		why    error
	}
	scenarios := []scenario{
		{name: "happy path"},
		{name: "clock a minute behind the provider", claims: func(c map[string]any) {
			c["iat"] = time.Now().Add(time.Minute).Unix()
		}},
		{name: "just expired, within the leeway", claims: func(c map[string]any) {
			c["exp"] = time.Now().Add(-time.Minute).Unix()
		}},
		{name: "several audiences with the tower as authorized party", claims: func(c map[string]any) {
			c["aud"], c["azp"] = []string{"portal", testClientID}, testClientID
		}},
		{name: "wrong nonce", nonce: strings.Repeat("n", 43), key: KeyFailed, why: errNonce},
		{name: "no nonce in the token", claims: func(c map[string]any) { delete(c, "nonce") }, key: KeyFailed, why: errNonce},
		{name: "expired token", claims: func(c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-10*time.Minute).Unix()
		}, key: KeyFailed, why: errExpired},
		{name: "no expiry", claims: func(c map[string]any) { delete(c, "exp") }, key: KeyFailed, why: errMalformed},
		{name: "issued in the future", claims: func(c map[string]any) {
			c["iat"] = time.Now().Add(10 * time.Minute).Unix()
		}, key: KeyFailed, why: errNotYet},
		{name: "not valid yet", claims: func(c map[string]any) {
			c["nbf"] = time.Now().Add(10 * time.Minute).Unix()
		}, key: KeyFailed, why: errNotYet},
		{name: "wrong audience", claims: func(c map[string]any) { c["aud"] = "portal" }, key: KeyFailed, why: errAudience},
		{name: "several audiences without authorized party", claims: func(c map[string]any) {
			c["aud"] = []string{testClientID, "portal"}
		}, key: KeyFailed, why: errAudience},
		{name: "another authorized party", claims: func(c map[string]any) { c["azp"] = "portal" }, key: KeyFailed, why: errAudience},
		{name: "wrong issuer", claims: func(c map[string]any) { c["iss"] = "https://sso.evil.example" }, key: KeyFailed, why: errIssuer},
		{name: "issuer with a trailing slash", claims: func(c map[string]any) { c["iss"] = c["iss"].(string) + "/" }, key: KeyFailed, why: errIssuer},
		{name: "no subject", claims: func(c map[string]any) { delete(c, "sub") }, key: KeyFailed, why: errSubject},
		{name: "tampered claims", forge: func(h, c map[string]any) string {
			signed := rsaKey.Sign(t, h, c)
			parts := strings.Split(signed, ".")
			c["sub"] = "admin"
			return parts[0] + "." + segment(t, c) + "." + parts[2]
		}, key: KeyFailed, why: errSignature},
		{name: "tampered signature", forge: func(h, c map[string]any) string {
			parts := strings.Split(rsaKey.Sign(t, h, c), ".")
			sig, _ := decodeSegment(parts[2])
			sig[len(sig)/2] ^= 1
			return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}, key: KeyFailed, why: errSignature},
		{name: "signed by a key not in the set under its kid", forge: func(h, c map[string]any) string {
			return other.Sign(t, h, c)
		}, key: KeyFailed, why: errSignature},
		{name: "alg none", forge: func(h, c map[string]any) string {
			h["alg"] = "none"
			delete(h, "kid")
			return segment(t, h) + "." + segment(t, c) + "."
		}, key: KeyFailed, why: errAlgorithm},
		{name: "HS256 with the client secret", forge: func(h, c map[string]any) string {
			h["alg"] = "HS256"
			return hs256(t, testSecret, h, c)
		}, key: KeyFailed, why: errAlgorithm},
		{name: "RS256 header on an ES256 signature", forge: func(h, c map[string]any) string {
			return newECKey(t, "rsa-1").Sign(t, h, c)
		}, key: KeyFailed, why: errSignature},
		{name: "critical extension", forge: func(h, c map[string]any) string {
			h["crit"] = []string{"exp"}
			return rsaKey.Sign(t, h, c)
		}, key: KeyFailed, why: errMalformed},
		{name: "not a JWS", forge: func(h, c map[string]any) string { return "a.b" }, key: KeyFailed, why: errMalformed},
		{name: "wrong client secret", secret: "guess", key: KeyFailed},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			p.Update(func(st *oidctest.Settings) { st.Claims, st.Forge = s.claims, s.forge })
			use := prov
			if s.secret != "" {
				cfg := config(p)
				cfg.ClientSecret = s.secret
				var err error
				if use, err = New(t.Context(), cfg); err != nil {
					t.Fatal(err)
				}
			}
			tok, err := signIn(t, p, use, "", s.nonce)
			if s.key != "" {
				refused(t, err, s.key, s.why)
				if s.secret != "" && !strings.Contains(err.Error(), "invalid_client") {
					t.Fatalf("detail %q does not say the provider refused the client", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("sign-in refused: %v", err)
			}
			if tok.Subject != "248289761001" || tok.Login != "Hong" || tok.Name != "홍길동" || tok.Email != "hong@moel.go.kr" {
				t.Fatalf("token = %+v", tok)
			}
			if tok.Claims["iss"] != p.URL || tok.Claims["auth_time"] == nil {
				t.Fatalf("claims = %v", tok.Claims)
			}
		})
	}
}

// A verifier that is not the one whose challenge went to the provider is
// refused by the provider: a stolen code is no use without it.
func TestPKCEVerifierMismatch(t *testing.T) {
	p, prov := start(t, newRSAKey(t, "k1"))
	_, err := signIn(t, p, prov, strings.Repeat("v", 43), "")
	refused(t, err, KeyFailed, nil)
	if !strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "PKCE") {
		t.Fatalf("detail %q does not say the provider refused the verifier", err)
	}
	if n := p.PKCEFailures(); n != 1 {
		t.Fatalf("the provider saw %d verifier failures, want 1", n)
	}
	// The code is spent: the right verifier does not revive it.
	if _, err := prov.Exchange(t.Context(), "spent", strings.Repeat("v", 43), strings.Repeat("n", 43)); err == nil {
		t.Fatal("an unknown code was accepted")
	}
	// A verifier that is not one at all is not sent.
	_, err = prov.Exchange(t.Context(), "code", "short", strings.Repeat("n", 43))
	refused(t, err, KeyFailed, nil)
}

// The provider rotates its key: the first token signed with the new kid
// makes the tower fetch the key set once more, and it succeeds; the set is
// not fetched for every sign-in, and a kid that is nowhere costs one fetch.
func TestKeyRotation(t *testing.T) {
	old := newRSAKey(t, "2026-01")
	p, prov := start(t, old)
	for i := range 2 {
		if _, err := signIn(t, p, prov, "", ""); err != nil {
			t.Fatalf("sign-in %d: %v", i, err)
		}
	}
	if n := p.JWKSHits(); n != 1 {
		t.Fatalf("key set fetched %d times for two sign-ins, want once", n)
	}

	rotated := newECKey(t, "2026-02")
	p.Update(func(s *oidctest.Settings) { s.Signer, s.Published = rotated, []*oidctest.Key{rotated} })
	if _, err := signIn(t, p, prov, "", ""); err != nil {
		t.Fatalf("sign-in after the rotation: %v", err)
	}
	if n := p.JWKSHits(); n != 2 {
		t.Fatalf("key set fetched %d times, want 2 (once more for the new kid)", n)
	}
	if _, err := signIn(t, p, prov, "", ""); err != nil || p.JWKSHits() != 2 {
		t.Fatalf("second sign-in after the rotation: %v, %d fetches", err, p.JWKSHits())
	}

	// The old key is gone from the set: a token under it is refused.
	p.Update(func(s *oidctest.Settings) { s.Signer = old })
	_, err := signIn(t, p, prov, "", "")
	refused(t, err, KeyFailed, errNoKey)
	if n := p.JWKSHits(); n != 3 {
		t.Fatalf("key set fetched %d times, want 3 (exactly one more for the unknown kid)", n)
	}

	// After a day the set is fetched again even when the kid is known.
	p.Update(func(s *oidctest.Settings) { s.Signer = rotated })
	prov.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	p.Update(func(s *oidctest.Settings) {
		s.Claims = func(c map[string]any) {
			later := time.Now().Add(25 * time.Hour)
			c["iat"], c["exp"] = later.Unix(), later.Add(5*time.Minute).Unix()
		}
	})
	if _, err := signIn(t, p, prov, "", ""); err != nil || p.JWKSHits() != 4 {
		t.Fatalf("a day later: %v, %d fetches, want 4", err, p.JWKSHits())
	}
}

// A provider that cannot be reached is not a failed sign-in but an
// unavailable one.
func TestProviderUnreachable(t *testing.T) {
	p, prov := start(t, newRSAKey(t, "k1"))
	p.Close()
	_, err := prov.Exchange(t.Context(), "code", strings.Repeat("v", 43), strings.Repeat("n", 43))
	refused(t, err, KeyUnavailable, nil)
}

func TestNewChecksTheProvider(t *testing.T) {
	p := newIDP(t, newRSAKey(t, "k1"))
	scenarios := []struct {
		name   string
		change func(c *Config)
		issuer string // what discovery states, when not the right one
		want   string
	}{
		{name: "issuer differs from discovery's", issuer: "https://sso.evil.example", want: "names the issuer"},
		{name: "issuer with a trailing slash", change: func(c *Config) { c.Issuer += "/" }, want: "names the issuer"},
		{name: "plain http", change: func(c *Config) { c.Issuer = "http://sso.moel.go.kr" }, want: "must be an https URL"},
		{name: "no client id", change: func(c *Config) { c.ClientID = "" }, want: "no client id"},
		{name: "relative redirect", change: func(c *Config) { c.RedirectURL = "/login/sso/callback" }, want: "not an absolute http(s) URL"},
		{name: "no provider there", change: func(c *Config) { c.Issuer = "https://127.0.0.1:1" }, want: "discovery"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			p.Update(func(st *oidctest.Settings) {
				st.DiscoveredIssuer = p.URL
				if s.issuer != "" {
					st.DiscoveredIssuer = s.issuer
				}
			})
			cfg := config(p)
			if s.change != nil {
				s.change(&cfg)
			}
			_, err := New(t.Context(), cfg)
			if err == nil || !strings.Contains(err.Error(), s.want) {
				t.Fatalf("err = %v, want one saying %q", err, s.want)
			}
		})
	}
}

func TestAuthCodeURL(t *testing.T) {
	p, prov := start(t, newRSAKey(t, "k1"))
	// RFC 7636, appendix B.
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if got := Challenge(verifier); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("Challenge = %s", got)
	}
	u, err := url.Parse(prov.AuthCodeURL("st", "no", verifier))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{"response_type": "code", "client_id": testClientID, "redirect_uri": testRedirect,
		"scope": "openid profile email", "state": "st", "nonce": "no", "tenant": "moel",
		"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if u.Host != strings.TrimPrefix(p.URL, "https://") || u.Path != "/authorize" {
		t.Errorf("URL %s is not the provider's authorize endpoint", u)
	}
	if q.Has("code_verifier") {
		t.Error("the verifier itself went to the browser")
	}
}

func TestAttempt(t *testing.T) {
	a, err := NewAttempt("/systems/7?tab=dr")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewAttempt("/")
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || a.State == a.Nonce || !validVerifier(a.Verifier) {
		t.Fatalf("attempts are not random: %+v %+v", a, b)
	}
	got, err := ParseAttempt(a.Encode())
	if err != nil || got != a {
		t.Fatalf("ParseAttempt(Encode) = %+v, %v; want %+v", got, err, a)
	}
	for _, bad := range []string{"", "a.b.c.d", a.Encode() + ".x", strings.Replace(a.Encode(), a.Nonce, a.Nonce[1:], 1)} {
		_, err := ParseAttempt(bad)
		refused(t, err, KeyStale, nil)
	}

	scenarios := []struct {
		name  string
		query url.Values
		code  string
		key   string
	}{
		{"code and state", url.Values{"code": {"c1"}, "state": {a.State}}, "c1", ""},
		{"another attempt's state", url.Values{"code": {"c1"}, "state": {b.State}}, "", KeyStale},
		{"no state", url.Values{"code": {"c1"}}, "", KeyStale},
		{"cancelled", url.Values{"error": {"access_denied"}, "state": {a.State}}, "", KeyDenied},
		{"provider error", url.Values{"error": {"server_error"}, "error_description": {"down\nnow"}, "state": {a.State}}, "", KeyFailed},
		{"no code", url.Values{"state": {a.State}}, "", KeyFailed},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			code, err := a.Callback(s.query)
			if s.key != "" {
				refused(t, err, s.key, nil)
				return
			}
			if err != nil || code != s.code {
				t.Fatalf("Callback = %q, %v", code, err)
			}
		})
	}
}

// The messages a person sees are in the catalogue (TestCatalogueComplete
// checks that each has both languages).
func TestMessages(t *testing.T) {
	for _, key := range []string{KeyFailed, KeyDenied, KeyStale, KeyUnavailable, "oidc.unauthorized", "oidc.login_button"} {
		if !locale.Has(key) {
			t.Errorf("%s is not in the catalogue", key)
		}
	}
}
