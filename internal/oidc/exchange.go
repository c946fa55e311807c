package oidc

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// tokenResponse is what the tower reads of the token endpoint's answer,
// a success or an OAuth error (RFC 6749 §5).
type tokenResponse struct {
	IDToken          string `json:"id_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// Exchange trades the code the browser brought back for tokens, sending
// codeVerifier (PKCE) and the client's credentials, and returns the ID
// token once verified against nonce, the one the attempt sent with
// AuthCodeURL. The access and refresh tokens are not kept: the tower needs
// to know who signed in, nothing more.
//
// A code the provider refuses (used already, expired, or a verifier that
// does not match its challenge) and an ID token that does not verify give
// code auth.Unauthorized with KeyFailed; a provider that cannot be reached
// or answers with a server error gives apperror.Internal with
// KeyUnavailable. Either way Error() is the detail, for the log.
func (p *Provider) Exchange(ctx context.Context, code, codeVerifier, nonce string) (*IDToken, error) {
	if code == "" || !validVerifier(codeVerifier) || nonce == "" {
		return nil, fail(KeyFailed, "exchange: no code, or no valid verifier and nonce")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.redirectURL},
		"code_verifier": {codeVerifier},
	}
	if p.clientSecret == "" {
		form.Set("client_id", p.clientID) // a public client names itself
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.tokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, unavailable("exchange: request %s: %w", p.tokenEndpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if p.clientSecret != "" {
		// RFC 6749 §2.3.1: both are form-encoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(p.clientID), url.QueryEscape(p.clientSecret))
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, unavailable("exchange: post %s: %w", p.tokenEndpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, unavailable("exchange: read %s: %w", p.tokenEndpoint, err)
	}
	var t tokenResponse
	jsonErr := json.Unmarshal(body, &t)
	switch {
	case resp.StatusCode >= 500:
		return nil, unavailable("exchange: %s answers %s", p.tokenEndpoint, resp.Status)
	case resp.StatusCode != http.StatusOK && t.Error != "":
		// invalid_grant: a used, expired or mistyped code, or a verifier
		// that does not match; invalid_client: the id or secret is wrong.
		return nil, fail(KeyFailed, "exchange: the provider refuses: %s %s: %s", resp.Status, clip(t.Error), clip(t.ErrorDescription))
	case resp.StatusCode != http.StatusOK:
		return nil, fail(KeyFailed, "exchange: the provider refuses: %s", resp.Status)
	case len(body) > maxBody || jsonErr != nil:
		return nil, fail(KeyFailed, "exchange: the token endpoint's answer is not the JSON expected")
	case t.IDToken == "":
		return nil, fail(KeyFailed, "exchange: no id_token in the answer (is the openid scope granted?)")
	}
	return p.verify(ctx, t.IDToken, nonce)
}

// clip makes text from the provider fit for one line of the log.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
