// Package oidc is the tower's OpenID Connect relying party: optional single
// sign-on for ministries that run an identity provider. Local accounts and
// passwords keep working with or without it.
//
// It speaks the authorization code flow with PKCE (S256) and nothing else,
// with the standard library only:
//
//   - New reads the provider's discovery document once
//     ({issuer}/.well-known/openid-configuration), whose issuer must be the
//     configured one exactly;
//   - AuthCodeURL is where the browser goes to sign in, carrying a state,
//     a nonce and the challenge of a code verifier (NewAttempt makes all
//     three; the web layer keeps them until the browser comes back);
//   - Exchange trades the code the browser brings back for tokens at the
//     token endpoint (client_secret_basic) and verifies the ID token: a
//     JWS signed with RS256 or ES256 by a key of the provider's JWKS
//     (chosen by kid; the set is fetched again once when a kid is unknown,
//     so that the provider may rotate its keys), the issuer, the audience,
//     the times with a small leeway, and the nonce. "none" and the HMAC
//     algorithms are refused: a client secret is not a signing key.
//
// Who may then sign in is not decided here: auth.Store.PrincipalForOIDC maps
// the verified subject to an existing Yeonsok account, or refuses.
//
// Errors a person may see are apperror values with a catalogue key of
// oidc.json (code auth.Unauthorized for a failed sign-in, apperror.Internal
// when the provider cannot be reached); their Error() text is the detail for
// the log, never shown.
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultLoginClaim is the claim read as the person's login when
// Config.LoginClaim is empty.
const DefaultLoginClaim = "preferred_username"

// DefaultScopes are asked for when Config.Scopes is empty; "openid" is
// asked for in any case.
var DefaultScopes = []string{"openid", "profile", "email"}

// leeway is how far the tower's clock and the provider's may disagree when
// the ID token's times are checked.
const leeway = 2 * time.Minute

// keysMaxAge is how long a fetched key set is used before it is fetched
// again, besides the fetch an unknown kid causes.
const keysMaxAge = 24 * time.Hour

// maxBody is the most read of any answer of the provider.
const maxBody = 1 << 20

// Config is how the tower knows the provider and how the provider knows
// the tower.
type Config struct {
	// Issuer is the provider's issuer identifier, exactly as its discovery
	// document and its ID tokens say it: https://sso.example.go.kr/realms/moel.
	Issuer string
	// ClientID and ClientSecret are the tower's registration at the
	// provider. The secret is sent with HTTP Basic authentication
	// (client_secret_basic); without one the tower is a public client and
	// sends only its id (PKCE still binds the code to the browser's
	// attempt).
	ClientID, ClientSecret string
	// RedirectURL is the tower's callback, registered at the provider:
	// https://yeonsok.example.go.kr/login/sso/callback.
	RedirectURL string
	// Scopes asked for; DefaultScopes when empty. "openid" is added when
	// missing.
	Scopes []string
	// LoginClaim names the claim that holds the person's login, used to
	// find their Yeonsok account at the first sign-in; DefaultLoginClaim
	// when empty. Choose a claim the provider's administrators set, never
	// one people may edit themselves.
	LoginClaim string
	// HTTPClient talks to the provider (discovery, keys, tokens); one with
	// a 10-second timeout when nil. Give one whose transport trusts the
	// provider's certificate authority when it is a private one.
	HTTPClient *http.Client
}

// Provider is an OpenID provider as the tower uses it. It is safe for
// concurrent use.
type Provider struct {
	issuer, clientID, clientSecret, redirectURL string
	scopes                                      []string
	loginClaim                                  string
	client                                      *http.Client

	authEndpoint  *url.URL
	tokenEndpoint string
	jwksURI       string

	// Now is the provider's clock for the ID token's times; tests replace
	// it.
	Now func() time.Time

	mu        sync.Mutex
	keys      []publicKey
	fetchedAt time.Time // of keys, by Now; zero before the first fetch
}

// discovery is what the tower reads of the discovery document.
type discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	SigningAlgs           []string `json:"id_token_signing_alg_values_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
}

// New checks cfg and reads the provider's discovery document. The issuer
// it states must be cfg.Issuer exactly, and the provider's endpoints, like
// the issuer, must be https URLs (http is allowed only on a loopback
// address, for trying the tower out): the client secret and the ID token
// travel to and from them. A provider that lists its PKCE
// methods must list S256. The error says what is wrong, for the operator.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	p := &Provider{
		issuer: cfg.Issuer, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret, redirectURL: cfg.RedirectURL,
		loginClaim: cfg.LoginClaim, client: cfg.HTTPClient, Now: time.Now,
	}
	if p.loginClaim == "" {
		p.loginClaim = DefaultLoginClaim
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	p.scopes = []string{"openid"}
	for _, s := range scopes {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(p.scopes, s) {
			p.scopes = append(p.scopes, s)
		}
	}

	where := strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/openid-configuration"
	var d discovery
	if err := p.getJSON(ctx, where, &d); err != nil {
		return nil, fmt.Errorf("oidc: discovery: %w", err)
	}
	if d.Issuer != cfg.Issuer {
		return nil, fmt.Errorf("oidc: discovery at %s names the issuer %q, not %q: set the issuer exactly as the provider states it", where, d.Issuer, cfg.Issuer)
	}
	for _, e := range []struct{ name, value string }{
		{"authorization_endpoint", d.AuthorizationEndpoint}, {"token_endpoint", d.TokenEndpoint}, {"jwks_uri", d.JWKSURI},
	} {
		if err := checkURL("discovery's "+e.name, e.value); err != nil {
			return nil, err
		}
	}
	if len(d.CodeChallengeMethods) > 0 && !slices.Contains(d.CodeChallengeMethods, "S256") {
		return nil, fmt.Errorf("oidc: the provider does not offer PKCE with S256 (it lists %v)", d.CodeChallengeMethods)
	}
	if len(d.SigningAlgs) > 0 && !slices.ContainsFunc(d.SigningAlgs, func(a string) bool { return verifiers[a] != nil }) {
		return nil, fmt.Errorf("oidc: the provider signs ID tokens with %v; the tower verifies only RS256 and ES256", d.SigningAlgs)
	}
	if p.clientSecret != "" && len(d.TokenAuthMethods) > 0 && !slices.Contains(d.TokenAuthMethods, "client_secret_basic") {
		return nil, fmt.Errorf("oidc: the provider's token endpoint does not take client_secret_basic (it lists %v)", d.TokenAuthMethods)
	}
	p.authEndpoint, _ = url.Parse(d.AuthorizationEndpoint)
	p.tokenEndpoint, p.jwksURI = d.TokenEndpoint, d.JWKSURI
	return p, nil
}

// Check reports what is wrong with cfg without asking the provider: an
// issuer that is not an https URL (http only on a loopback address), no
// client id, a redirect URL that is not an absolute http(s) URL. New checks
// it first; the tower checks it at start, so that a mistake in the
// settings stops it at once rather than failing every retry of New.
func (cfg Config) Check() error {
	if err := checkURL("issuer", cfg.Issuer); err != nil {
		return err
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		return errors.New("oidc: no client id")
	}
	// The tower's own address may be plain http inside a closed network:
	// the code it receives there is of no use without the verifier and the
	// client secret.
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("oidc: the redirect URL %q is not an absolute http(s) URL", cfg.RedirectURL)
	}
	return nil
}

// AuthCodeURL is where to send the browser to sign in at the provider:
// an authorization request for a code, with state (checked when the browser
// comes back), nonce (checked in the ID token) and the S256 challenge of
// codeVerifier (sent with the code to the token endpoint). NewAttempt makes
// the three.
func (p *Provider) AuthCodeURL(state, nonce, codeVerifier string) string {
	u := *p.authEndpoint
	q := u.Query() // an endpoint may carry parameters of its own
	q.Set("response_type", "code")
	q.Set("client_id", p.clientID)
	q.Set("redirect_uri", p.redirectURL)
	q.Set("scope", strings.Join(p.scopes, " "))
	q.Set("state", state)
	q.Set("nonce", nonce)
	q.Set("code_challenge", Challenge(codeVerifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String()
}

// checkURL requires an absolute https URL, or http on a loopback address.
func checkURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("oidc: the %s %q is not an absolute URL", what, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("oidc: the %s %q must be an https URL (http only on a loopback address)", what, raw)
}

// getJSON reads a JSON document of the provider.
func (p *Provider) getJSON(ctx context.Context, where string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return fmt.Errorf("request %s: %w", where, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", where, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", where, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: %s", where, resp.Status)
	}
	if len(body) > maxBody {
		return fmt.Errorf("get %s: more than %d bytes", where, maxBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("get %s: not the JSON expected: %w", where, err)
	}
	return nil
}
