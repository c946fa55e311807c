package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook request.
const (
	HeaderTimestamp = "X-Yeonsok-Timestamp"
	HeaderSignature = "X-Yeonsok-Signature"
)

// Webhook posts messages as signed JSON.
//
// The body is {"id", "subject", "body", "data", "sent_at"}. The signature
// header is "sha256=" and the hex HMAC-SHA256, keyed with the recipient's
// secret, of the timestamp header, a dot and the body: signing the
// timestamp too lets a receiver refuse an old request replayed (Verify).
type Webhook struct {
	// Client sends the requests; when nil, a client with a 10 s timeout
	// that does not follow redirects.
	Client *http.Client
	// Now gives sent_at and the timestamp; time.Now when nil.
	Now func() time.Time
}

type webhookPayload struct {
	ID      string    `json:"id"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Data    any       `json:"data"`
	SentAt  time.Time `json:"sent_at"`
}

var defaultWebhookClient = &http.Client{
	Timeout: 10 * time.Second,
	// A redirected POST turns into a GET; a moved receiver is a
	// configuration to fix, not something to follow silently.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Send posts msg to endpoint, signed with secret. A 2xx answer is delivery;
// 408, 429, 5xx and network errors may pass on retry; any other answer is
// permanent.
func (w *Webhook) Send(ctx context.Context, msg Message, endpoint, secret string) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	client := w.Client
	if client == nil {
		client = defaultWebhookClient
	}
	// An unsigned webhook would let anyone who finds the URL forge alerts.
	if secret == "" {
		return Permanent(fmt.Errorf("notify: webhook: %s has no secret to sign with", redactURL(endpoint)))
	}
	sent := now()
	body, err := json.Marshal(webhookPayload{ID: msg.ID, Subject: msg.Subject, Body: msg.Body, Data: msg.Data, SentAt: sent.UTC()})
	if err != nil {
		return Permanent(fmt.Errorf("notify: webhook: encoding message %s: %w", msg.ID, err))
	}
	// Errors name the URL redacted and drop the *url.Error around the
	// cause, which would repeat the whole URL, token and all.
	where := redactURL(endpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("notify: webhook: %s: %w", where, unwrapURLError(err)))
	}
	ts := sent.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: webhook: POST %s: %w", where, unwrapURLError(err))
	}
	defer resp.Body.Close()
	// Read a little of the answer: it explains a refusal, and reading to
	// the end lets the connection be reused.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("notify: webhook: POST %s: %s: %s", where, resp.Status, strings.TrimSpace(string(answer)))
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return err
	}
	return Permanent(err)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Sign returns the signature header value for body sent at timestamp
// (Unix seconds): "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>".
func Sign(secret string, timestamp int64, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, strconv.FormatInt(timestamp, 10), body))
}

func mac(secret, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a webhook request as a receiver sees it: timestamp and
// signature are the values of the two headers, body the raw request body.
// It fails when the signature does not match or when the timestamp is more
// than maxSkew away from now (a replayed or badly delayed request).
func Verify(secret, timestamp string, body []byte, signature string, now time.Time, maxSkew time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("notify: verify: timestamp %q: %w", timestamp, err)
	}
	skew := now.Sub(time.Unix(ts, 0))
	if skew < 0 {
		skew = -skew
	}
	if skew > maxSkew {
		return fmt.Errorf("notify: verify: timestamp %d is %s away from now, more than %s", ts, skew.Round(time.Second), maxSkew)
	}
	got, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return errors.New("notify: verify: signature does not start with sha256=")
	}
	gotMAC, err := hex.DecodeString(got)
	if err != nil {
		return fmt.Errorf("notify: verify: signature: %w", err)
	}
	// The MAC is over the header as sent, not as parsed.
	if !hmac.Equal(gotMAC, mac(secret, timestamp, body)) {
		return errors.New("notify: verify: signature does not match")
	}
	return nil
}
