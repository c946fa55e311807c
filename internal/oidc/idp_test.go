package oidc

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yeonsok/internal/oidc/oidctest"
)

// The identity provider does not run on this machine, so the tests start a
// small real one (package oidctest): discovery, a key set, an authorize
// endpoint that sends the browser back with a code, and a token endpoint
// that checks the client secret and the PKCE verifier and issues a signed
// ID token.

const (
	testClientID = oidctest.ClientID
	testSecret   = oidctest.ClientSecret
	testRedirect = "https://yeonsok.example.go.kr/login/sso/callback"
)

var (
	newRSAKey = oidctest.NewRSAKey
	newECKey  = oidctest.NewECKey
	segment   = oidctest.Segment
	hs256     = oidctest.HS256
)

func newIDP(t *testing.T, key *oidctest.Key) *oidctest.Provider {
	t.Helper()
	return oidctest.New(t, oidctest.Config{RedirectURL: testRedirect, Key: key})
}

// config is how the tower knows p.
func config(p *oidctest.Provider) Config {
	return Config{Issuer: p.URL, ClientID: testClientID, ClientSecret: testSecret, RedirectURL: testRedirect,
		HTTPClient: p.Client()}
}

// browser is a client that trusts the test provider and does not follow
// redirects, so that the test reads where each one goes.
func browser(p *oidctest.Provider) *http.Client {
	c := *p.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// signIn walks a sign-in at p: the redirect to the provider, its redirect
// back with a code, and the exchange, which sends verifier and checks
// nonce (the attempt's own when ""); it returns the exchange's outcome.
func signIn(t *testing.T, p *oidctest.Provider, prov *Provider, verifier, nonce string) (*IDToken, error) {
	t.Helper()
	a, err := NewAttempt("/systems/1")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := browser(p).Get(prov.AuthCodeURL(a.State, a.Nonce, a.Verifier))
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

// start is a Provider on a fresh test provider signing with key.
func start(t *testing.T, key *oidctest.Key) (*oidctest.Provider, *Provider) {
	t.Helper()
	p := newIDP(t, key)
	prov, err := New(t.Context(), config(p))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, prov
}
