package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"yeonsok/internal/monitor"
)

// requestTimeout bounds one call to the tower: a tower that accepts the
// connection and then hangs must not stop the sending for good.
const requestTimeout = 30 * time.Second

// Retrying: the first wait after a failure, doubled after each further
// one up to the longest (variables for the tests).
var (
	retryFirst = time.Second
	retryMax   = 30 * time.Second
)

// assignment is the tower's answer to GET /api/v1/agent/checks.
type assignment struct {
	Agent struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Site string `json:"site"`
	} `json:"agent"`
	// LastBatchSeq is the highest batch seq the tower has accepted from
	// this agent, 0 if none.
	LastBatchSeq int64           `json:"last_batch_seq"`
	Checks       []monitor.Check `json:"checks"`
}

// outcome is the tower's answer to POST /api/v1/agent/results.
type outcome struct {
	// Accepted is false when the tower had accepted the seq before (a
	// replay after the answer was lost): it has the batch all the same.
	Accepted bool `json:"accepted"`
	Taken    int  `json:"taken"`
	Ignored  int  `json:"ignored"`
}

// towerError is an answer other than 200.
type towerError struct {
	status        int
	code, message string
}

func (e *towerError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("the tower answered %d", e.status)
	}
	return fmt.Sprintf("the tower answered %d %s: %s", e.status, e.code, e.message)
}

// refused says whether the tower will give the same answer however often
// it is asked: a 4xx other than 408 (timeout) and 429 (too many requests).
// A server error, a timeout or no answer may pass.
func refused(err error) bool {
	var te *towerError
	return errors.As(err, &te) && te.status >= 400 && te.status < 500 &&
		te.status != http.StatusRequestTimeout && te.status != http.StatusTooManyRequests
}

// unauthorized says whether the tower refused the agent's token rather
// than what it sent: the same batch goes through once the token is put
// right, so it is kept.
func unauthorized(err error) bool {
	var te *towerError
	return errors.As(err, &te) && (te.status == http.StatusUnauthorized || te.status == http.StatusForbidden)
}

// tower talks to the tower's agent API.
type tower struct {
	base   string // the tower's address without a trailing slash
	token  string
	client *http.Client
}

// TowerClient is an HTTP client for calls to the tower, each bounded by
// timeout, that trusts the system's certificate authorities and, when
// caFile names one, the tower's own (a ministry's private CA). Agents and
// backup jobs use it.
func TowerClient(caFile string, timeout time.Duration) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("the tower's CA: %w", err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the tower's CA file %s holds no PEM certificate", caFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: timeout}, nil
}

// checks fetches the agent's assignments; raw is the answer as it came,
// to be saved.
func (t *tower) checks(ctx context.Context) (a assignment, raw []byte, err error) {
	// Thousands of checks with headers and CA certificates stay well
	// under this.
	raw, err = t.do(ctx, http.MethodGet, "/api/v1/agent/checks", nil, 64<<20)
	if err != nil {
		return assignment{}, nil, fmt.Errorf("agent: fetch assignments: %w", err)
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return assignment{}, nil, fmt.Errorf("agent: read assignments: %w", err)
	}
	return a, raw, nil
}

// send posts one batch file's body.
func (t *tower) send(ctx context.Context, seq int64, body []byte) (outcome, error) {
	raw, err := t.do(ctx, http.MethodPost, "/api/v1/agent/results", body, 1<<20)
	if err != nil {
		return outcome{}, fmt.Errorf("agent: send batch %d: %w", seq, err)
	}
	var out outcome
	if err := json.Unmarshal(raw, &out); err != nil {
		return outcome{}, fmt.Errorf("agent: read the answer to batch %d: %w", seq, err)
	}
	return out, nil
}

// do makes one request and returns the body of a 200 answer, or a
// towerError.
func (t *tower) do(ctx context.Context, method, path string, body []byte, limit int64) ([]byte, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, reader)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+t.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return answer, nil
	}
	te := &towerError{status: resp.StatusCode}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(answer, &e) == nil {
		te.code, te.message = e.Error.Code, e.Error.Message
	}
	return nil, te
}

// backoff is how long to wait before the next try: retryFirst, then twice
// as long each time, up to retryMax.
type backoff struct{ next time.Duration }

func (b *backoff) wait() time.Duration {
	if b.next == 0 {
		b.next = retryFirst
	}
	d := b.next
	b.next = min(2*b.next, retryMax)
	return d
}

func (b *backoff) reset() { b.next = 0 }

// sleep waits d or until ctx ends; false if ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// trimBase makes the tower's address ready for paths to be appended.
func trimBase(u string) string { return strings.TrimRight(u, "/") }
