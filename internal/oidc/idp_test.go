package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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

// The identity provider does not run on this machine, so the tests start a
// small real one: discovery, a key set, an authorize endpoint that sends
// the browser back with a code, and a token endpoint that checks the client
// secret and the PKCE verifier and issues a signed ID token.

// testKey is a signing key of the test provider.
type testKey struct {
	kid string
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func newRSAKey(t *testing.T, kid string) *testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{kid: kid, rsa: k}
}

func newECKey(t *testing.T, kid string) *testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{kid: kid, ec: k}
}

func (k *testKey) alg() string {
	if k.ec != nil {
		return "ES256"
	}
	return "RS256"
}

// jwk is the key as the key set publishes it.
func (k *testKey) jwk() map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	if k.ec != nil {
		x, y := make([]byte, 32), make([]byte, 32)
		k.ec.X.FillBytes(x)
		k.ec.Y.FillBytes(y)
		return map[string]any{"kty": "EC", "crv": "P-256", "kid": k.kid, "use": "sig", "alg": "ES256", "x": b64(x), "y": b64(y)}
	}
	return map[string]any{"kty": "RSA", "kid": k.kid, "use": "sig", "alg": "RS256",
		"n": b64(k.rsa.N.Bytes()), "e": b64(big.NewInt(int64(k.rsa.E)).Bytes())}
}

func segment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// sign makes a compact JWS of claims with header.
func (k *testKey) sign(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	input := segment(t, header) + "." + segment(t, claims)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	if k.ec != nil {
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	} else {
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, sum[:]); err != nil {
			t.Fatal(err)
		}
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// hs256 makes a JWS signed with HMAC-SHA256 under secret.
func hs256(t *testing.T, secret string, header, claims map[string]any) string {
	t.Helper()
	input := segment(t, header) + "." + segment(t, claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// grant is a code the authorize endpoint gave out.
type grant struct {
	clientID, redirect, challenge, nonce string
}

// idp is the test's identity provider.
type idp struct {
	t                          *testing.T
	srv                        *httptest.Server
	clientID, secret, redirect string

	mu sync.Mutex
	// discoveredIssuer is the issuer discovery states; the server's URL
	// unless a test changes it.
	discoveredIssuer string
	// signer signs ID tokens; published is the key set.
	signer    *testKey
	published []*testKey
	jwksHits  int
	// person is who signs in at the authorize endpoint.
	person map[string]any
	codes  map[string]grant
	// pkceFailures counts token requests refused for their verifier.
	pkceFailures int
	// claims, when set, edits the claims of the ID tokens issued; forge,
	// when set, makes the token instead of signer.
	claims func(c map[string]any)
	forge  func(header, claims map[string]any) string
}

const (
	testClientID = "yeonsok"
	testSecret   = "s3cret:with/odd&chars"
	testRedirect = "https://yeonsok.example.go.kr/login/sso/callback"
)

func newIDP(t *testing.T, key *testKey) *idp {
	t.Helper()
	p := &idp{t: t, clientID: testClientID, secret: testSecret, redirect: testRedirect,
		signer: key, published: []*testKey{key}, codes: map[string]grant{},
		person: map[string]any{"sub": "248289761001", "preferred_username": "Hong", "name": "홍길동", "email": "hong@moel.go.kr"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewTLSServer(mux)
	t.Cleanup(p.srv.Close)
	p.discoveredIssuer = p.srv.URL
	return p
}

func (p *idp) config() Config {
	return Config{Issuer: p.srv.URL, ClientID: testClientID, ClientSecret: testSecret, RedirectURL: testRedirect,
		HTTPClient: p.srv.Client()}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *idp) discovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	base := p.srv.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.discoveredIssuer,
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

func (p *idp) jwks(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jwksHits++
	var keys []map[string]any
	for _, k := range p.published {
		keys = append(keys, k.jwk())
	}
	// A key the tower cannot use is skipped, not fatal.
	keys = append(keys, map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"})
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// authorize signs p.person in at once and sends the browser back with a
// code, as a provider does once the person has entered their password.
func (p *idp) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("tenant") != "moel":
		http.Error(w, "the endpoint's own parameter was lost", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("client_id") != p.clientID || q.Get("redirect_uri") != p.redirect:
		http.Error(w, "bad client or redirect", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		http.Error(w, "openid scope required", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
	p.mu.Unlock()
	back, _ := url.Parse(p.redirect)
	bq := url.Values{"code": {code}, "state": {q.Get("state")}}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *idp) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	if !ok || id != p.clientID || secret != p.secret {
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
	case Challenge(r.PostForm.Get("code_verifier")) != g.challenge:
		p.pkceFailures++
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": p.srv.URL, "aud": p.clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"auth_time": now.Unix(), "nonce": g.nonce}
	for k, v := range p.person {
		claims[k] = v
	}
	if p.claims != nil {
		p.claims(claims)
	}
	header := map[string]any{"alg": p.signer.alg(), "kid": p.signer.kid, "typ": "JWT"}
	var idToken string
	if p.forge != nil {
		idToken = p.forge(header, claims)
	} else {
		idToken = p.signer.sign(p.t, header, claims)
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": "at-" + code, "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

// browser is a client that trusts the test provider and does not follow
// redirects, so that the test reads where each one goes.
func (p *idp) browser() *http.Client {
	c := *p.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// signIn walks a sign-in: the redirect to the provider, its redirect back
// with a code, and the exchange, which sends verifier and checks nonce
// (the attempt's own when ""); it returns the exchange's outcome.
func (p *idp) signIn(t *testing.T, prov *Provider, verifier, nonce string) (*IDToken, error) {
	t.Helper()
	a, err := NewAttempt("/systems/1")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.browser().Get(prov.AuthCodeURL(a.State, a.Nonce, a.Verifier))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answers %s", resp.Status)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), testRedirect+"?") {
		t.Fatalf("authorize sends the browser to %q", resp.Header.Get("Location"))
	}
	code, err := a.Callback(back.Query())
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	if verifier == "" {
		verifier = a.Verifier
	}
	if nonce == "" {
		nonce = a.Nonce
	}
	return prov.Exchange(t.Context(), code, verifier, nonce)
}

func (p *idp) set(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn()
}

func (p *idp) hits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.jwksHits
}

// start is a Provider on a fresh test provider signing with key.
func start(t *testing.T, key *testKey) (*idp, *Provider) {
	t.Helper()
	p := newIDP(t, key)
	prov, err := New(t.Context(), p.config())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, prov
}
