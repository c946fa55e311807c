// Package oidctest is a test helper: a small but real OpenID provider,
// served over TLS by httptest, for the tests of the tower's single sign-on
// (packages oidc, web and cli). No identity provider runs where the tests
// run, so they start this one. Never use it outside tests.
//
// It serves what the tower uses of a provider: discovery, a key set, an
// authorize endpoint that signs the configured person in at once and sends
// the browser back to the registered redirect URL with a code (as a
// provider does once the person has entered their password), and a token
// endpoint that checks the client secret (client_secret_basic) and the
// PKCE verifier and issues an ID token signed with RS256 or ES256. Tests
// change what it does with Update: another person, claims edited or forged,
// a refusal at the authorize endpoint, a rotated key.
//
// It uses the standard library only and does not import package oidc, so
// that oidc's own tests can use it.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The client the provider knows, unless Config says otherwise. The secret
// has characters that must be form-encoded before Basic encoding.
const (
	ClientID     = "yeonsok"
	ClientSecret = "s3cret:with/odd&chars"
)

// Key is a signing key of the provider.
type Key struct {
	Kid string
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

// NewRSAKey makes a 2048-bit RSA key (RS256) named kid.
func NewRSAKey(tb testing.TB, kid string) *Key {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return &Key{Kid: kid, rsa: k}
}

// NewECKey makes a P-256 key (ES256) named kid.
func NewECKey(tb testing.TB, kid string) *Key {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return &Key{Kid: kid, ec: k}
}

// Alg is the key's JWS algorithm.
func (k *Key) Alg() string {
	if k.ec != nil {
		return "ES256"
	}
	return "RS256"
}

// JWK is the public key as the key set publishes it.
func (k *Key) JWK() map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	if k.ec != nil {
		x, y := make([]byte, 32), make([]byte, 32)
		k.ec.X.FillBytes(x)
		k.ec.Y.FillBytes(y)
		return map[string]any{"kty": "EC", "crv": "P-256", "kid": k.Kid, "use": "sig", "alg": "ES256", "x": b64(x), "y": b64(y)}
	}
	return map[string]any{"kty": "RSA", "kid": k.Kid, "use": "sig", "alg": "RS256",
		"n": b64(k.rsa.N.Bytes()), "e": b64(big.NewInt(int64(k.rsa.E)).Bytes())}
}

// Sign makes a compact JWS of claims with header, signed with the key
// whatever header's alg says.
func (k *Key) Sign(tb testing.TB, header, claims map[string]any) string {
	tb.Helper()
	jws, err := k.sign(header, claims)
	if err != nil {
		tb.Fatal(err)
	}
	return jws
}

func (k *Key) sign(header, claims map[string]any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	if k.ec != nil {
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, sum[:])
		if err != nil {
			return "", err
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	} else if sig, err = rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, sum[:]); err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Segment is v as JSON in base64url, one part of a JWS.
func Segment(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HS256 makes a JWS signed with HMAC-SHA256 under secret: what a forger
// who knows the client secret would send.
func HS256(tb testing.TB, secret string, header, claims map[string]any) string {
	tb.Helper()
	input := Segment(tb, header) + "." + Segment(tb, claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Config is the client the provider knows.
type Config struct {
	// ClientID and ClientSecret; the package's ClientID and ClientSecret
	// when empty.
	ClientID, ClientSecret string
	// RedirectURL is the client's registered callback: the authorize
	// endpoint refuses any other, and sends the browser back to it.
	RedirectURL string
	// Key signs the ID tokens; a fresh RSA key "k1" when nil.
	Key *Key
}

// Settings are what a test may change while the provider runs (Update).
type Settings struct {
	// DiscoveredIssuer is the issuer discovery states: the server's URL
	// unless a test changes it.
	DiscoveredIssuer string
	// Down makes discovery answer 503, as a provider under maintenance.
	Down bool
	// Signer signs ID tokens; Published is the key set.
	Signer    *Key
	Published []*Key
	// Person is who signs in at the authorize endpoint: the claims of the
	// ID token beyond the registered ones ("sub", "preferred_username", …).
	Person map[string]any
	// Refuse, when set, makes the authorize endpoint send the browser back
	// with this OAuth error instead of a code: "access_denied" is a person
	// who declined.
	Refuse string
	// Claims, when set, edits the claims of the ID tokens issued; Forge,
	// when set, makes the token instead of Signer.
	Claims func(c map[string]any)
	Forge  func(header, claims map[string]any) string
}

// grant is a code the authorize endpoint gave out.
type grant struct {
	clientID, redirect, challenge, nonce string
}

// Provider is the running test provider.
type Provider struct {
	// URL is the issuer: the server's https address.
	URL string
	// ClientID, ClientSecret and RedirectURL are the client it knows.
	ClientID, ClientSecret, RedirectURL string

	srv *httptest.Server

	mu           sync.Mutex
	settings     Settings
	codes        map[string]grant
	jwksHits     int
	pkceFailures int
}

// New starts a provider for the client cfg describes, stopped when the
// test ends. It signs in Hong (subject 248289761001, preferred_username
// "Hong") until a test says otherwise.
func New(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID = ClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = ClientSecret
	}
	if cfg.Key == nil {
		cfg.Key = NewRSAKey(tb, "k1")
	}
	p := &Provider{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
		codes: map[string]grant{},
		settings: Settings{Signer: cfg.Key, Published: []*Key{cfg.Key},
			Person: map[string]any{"sub": "248289761001", "preferred_username": "Hong", "name": "홍길동", "email": "hong@moel.go.kr"}}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewTLSServer(mux)
	tb.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	p.settings.DiscoveredIssuer = p.URL
	return p
}

// Update changes what the provider does, under its lock.
func (p *Provider) Update(fn func(s *Settings)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(&p.settings)
}

// SignInAs makes the authorize endpoint sign in the person with subject
// and login (the preferred_username claim; none when "") from now on, and
// answer with a code again.
func (p *Provider) SignInAs(subject, login string) {
	p.Update(func(s *Settings) {
		s.Person = map[string]any{"sub": subject, "name": "SSO " + subject}
		if login != "" {
			s.Person["preferred_username"] = login
		}
		s.Refuse = ""
	})
}

// JWKSHits is how often the key set was fetched.
func (p *Provider) JWKSHits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.jwksHits
}

// PKCEFailures is how many token requests were refused for their verifier.
func (p *Provider) PKCEFailures() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pkceFailures
}

// Client is an HTTP client that trusts the provider's certificate.
func (p *Provider) Client() *http.Client { return p.srv.Client() }

// Transport is the client's transport, for a browser of a test's own that
// must reach the provider (with a cookie jar, say).
func (p *Provider) Transport() http.RoundTripper { return p.srv.Client().Transport }

// Certificate is the provider's TLS certificate (self-signed by httptest).
func (p *Provider) Certificate() *x509.Certificate { return p.srv.Certificate() }

// CertificatePEM is the provider's certificate in PEM: the private CA a
// tower must be told to trust (YEONSOK_OIDC_CA_FILE).
func (p *Provider) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})
}

// Close stops the provider: a provider that cannot be reached.
func (p *Provider) Close() { p.srv.Close() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.settings.Down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	base := p.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.settings.DiscoveredIssuer,
		// A parameter of the endpoint's own, which the client must keep.
		"authorization_endpoint":                base + "/authorize?tenant=moel",
		"token_endpoint":                        base + "/token",
		"jwks_uri":                              base + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jwksHits++
	var keys []map[string]any
	for _, k := range p.settings.Published {
		keys = append(keys, k.JWK())
	}
	// A key the client cannot use is skipped, not fatal.
	keys = append(keys, map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"})
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// authorize signs the person in at once and sends the browser back with a
// code, or with Settings.Refuse.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("tenant") != "moel":
		http.Error(w, "the endpoint's own parameter was lost", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("client_id") != p.ClientID || q.Get("redirect_uri") != p.RedirectURL:
		http.Error(w, "bad client or redirect", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		http.Error(w, "openid scope required", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(p.RedirectURL)
	bq := url.Values{"state": {q.Get("state")}}
	p.mu.Lock()
	if refuse := p.settings.Refuse; refuse != "" {
		bq.Set("error", refuse)
		bq.Set("error_description", "the person declined")
	} else {
		code := rand.Text()
		p.codes[code] = grant{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
		bq.Set("code", code)
	}
	p.mu.Unlock()
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// challenge is the S256 PKCE challenge of a verifier (RFC 7636 §4.2).
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	if !ok || id != p.ClientID || secret != p.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	code := r.PostForm.Get("code")
	g, found := p.codes[code]
	delete(p.codes, code) // a code is good once
	switch {
	case !found || g.clientID != id || g.redirect != r.PostForm.Get("redirect_uri"):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown code"})
		return
	case challenge(r.PostForm.Get("code_verifier")) != g.challenge:
		p.pkceFailures++
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": p.URL, "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"auth_time": now.Unix(), "nonce": g.nonce}
	for k, v := range p.settings.Person {
		claims[k] = v
	}
	if p.settings.Claims != nil {
		p.settings.Claims(claims)
	}
	header := map[string]any{"alg": p.settings.Signer.Alg(), "kid": p.settings.Signer.Kid, "typ": "JWT"}
	var idToken string
	if p.settings.Forge != nil {
		idToken = p.settings.Forge(header, claims)
	} else {
		var err error
		if idToken, err = p.settings.Signer.sign(header, claims); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": "at-" + code, "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}
