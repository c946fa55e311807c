package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a webhook endpoint that checks every request's signature
// with Verify, answers failFirst requests with 503 and then status (200
// when zero), and keeps the payloads it accepted.
type receiver struct {
	secret    string
	failFirst int
	status    int

	mu       sync.Mutex
	requests int
	bad      []string // why requests were refused as forged
	payloads []map[string]any
	times    []time.Time
}

func startReceiver(t *testing.T, r *receiver) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	r.times = append(r.times, time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := Verify(r.secret, req.Header.Get(HeaderTimestamp), body, req.Header.Get(HeaderSignature), time.Now(), time.Minute); err != nil {
		r.bad = append(r.bad, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		r.bad = append(r.bad, req.Method+" "+req.Header.Get("Content-Type"))
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	if r.requests <= r.failFirst {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if r.status != 0 && r.status/100 != 2 {
		http.Error(w, "no", r.status)
		return
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.payloads = append(r.payloads, p)
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) snapshot() (requests int, bad []string, payloads []map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, append([]string(nil), r.bad...), append([]map[string]any(nil), r.payloads...)
}

func TestWebhookPostsSignedJSON(t *testing.T) {
	rcv := &receiver{secret: "hook-secret"}
	srv := startReceiver(t, rcv)
	sent := time.Now().Truncate(time.Second)
	w := &Webhook{Now: func() time.Time { return sent }}
	msg := Message{
		ID:      "incident-7/notice-1",
		Subject: "[1등급 장애] 고용24",
		Body:    "09:15부터 응답 없음\n수기 접수로 전환",
		Data:    map[string]any{"incident": 7, "grade": 1},
	}
	if err := w.Send(context.Background(), msg, srv.URL, "hook-secret"); err != nil {
		t.Fatal(err)
	}
	_, bad, payloads := rcv.snapshot()
	if len(bad) != 0 || len(payloads) != 1 {
		t.Fatalf("refused %v, accepted %d; want one accepted", bad, len(payloads))
	}
	p := payloads[0]
	if p["id"] != msg.ID || p["subject"] != msg.Subject || p["body"] != msg.Body {
		t.Errorf("payload = %v", p)
	}
	data, _ := p["data"].(map[string]any)
	if data["incident"] != 7.0 || data["grade"] != 1.0 {
		t.Errorf("data = %v", p["data"])
	}
	if at, err := time.Parse(time.RFC3339, p["sent_at"].(string)); err != nil || !at.Equal(sent) {
		t.Errorf("sent_at = %v (%v), want %v", p["sent_at"], err, sent)
	}

	// The same request signed with another secret is refused by Verify.
	if err := w.Send(context.Background(), msg, srv.URL, "other-secret"); err == nil || !IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent failure (401)", err)
	}
	if _, bad, _ := rcv.snapshot(); len(bad) != 1 || !strings.Contains(bad[0], "does not match") {
		t.Errorf("refusals = %v, want one signature mismatch", bad)
	}
}

func TestWebhookStatusClasses(t *testing.T) {
	scenarios := []struct {
		status        int
		wantErr       bool
		wantPermanent bool
	}{
		{200, false, false},
		{202, false, false},
		{204, false, false},
		{302, true, true},
		{400, true, true},
		{404, true, true},
		{408, true, false},
		{410, true, true},
		{429, true, false},
		{500, true, false},
		{502, true, false},
		{503, true, false},
	}
	for _, sc := range scenarios {
		t.Run(strconv.Itoa(sc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if sc.status == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(sc.status)
			}))
			defer srv.Close()
			err := (&Webhook{}).Send(context.Background(), Message{ID: "m"}, srv.URL, "s")
			if (err != nil) != sc.wantErr || IsPermanent(err) != sc.wantPermanent {
				t.Fatalf("err = %v (permanent %v), want error %v, permanent %v", err, IsPermanent(err), sc.wantErr, sc.wantPermanent)
			}
		})
	}
}

func TestWebhookNetworkErrorMayPassLater(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := (&Webhook{}).Send(context.Background(), Message{ID: "m"}, url, "s")
	if err == nil || IsPermanent(err) {
		t.Fatalf("err = %v, want a failure that may pass later", err)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_760_000_000, 0)
	body := []byte(`{"id":"m1","subject":"장애"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign("secret", now.Unix(), body)
	scenarios := []struct {
		name      string
		secret    string
		timestamp string
		body      []byte
		signature string
		wantOK    bool
	}{
		{"genuine", "secret", ts, body, sig, true},
		{"sent 4 minutes ago", "secret", strconv.FormatInt(now.Unix()-240, 10), body, Sign("secret", now.Unix()-240, body), true},
		{"wrong secret", "other", ts, body, sig, false},
		{"body changed", "secret", ts, []byte(`{"id":"m1","subject":"정상"}`), sig, false},
		{"timestamp changed", "secret", strconv.FormatInt(now.Unix()+1, 10), body, sig, false},
		{"timestamp written differently", "secret", "0" + ts, body, sig, false},
		{"replayed after 10 minutes", "secret", strconv.FormatInt(now.Unix()-600, 10), body, Sign("secret", now.Unix()-600, body), false},
		{"from the future", "secret", strconv.FormatInt(now.Unix()+600, 10), body, Sign("secret", now.Unix()+600, body), false},
		{"no sha256= prefix", "secret", ts, body, strings.TrimPrefix(sig, "sha256="), false},
		{"not hex", "secret", ts, body, "sha256=zz", false},
		{"truncated", "secret", ts, body, sig[:len(sig)-2], false},
		{"empty", "secret", "", body, "", false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			err := Verify(sc.secret, sc.timestamp, sc.body, sc.signature, now, 5*time.Minute)
			if (err == nil) != sc.wantOK {
				t.Fatalf("Verify = %v, want ok %v", err, sc.wantOK)
			}
		})
	}
}

func TestWebhookKeepsTheURLTokenOutOfReports(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	token := "/services/T000/B000/XXXXtokenXXXX"
	err := (&Webhook{}).Send(context.Background(), Message{ID: "m"}, srv.URL+token+"?key=k3y", "s")
	if err == nil || strings.Contains(err.Error(), "token") || strings.Contains(err.Error(), "k3y") {
		t.Errorf("err = %v, want a failure that does not show the token", err)
	}
	srv.Close()
	err = (&Webhook{}).Send(context.Background(), Message{ID: "m"}, srv.URL+token, "s")
	if err == nil || strings.Contains(err.Error(), "token") {
		t.Errorf("network err = %v, want a failure that does not show the token", err)
	}

	err = (&Webhook{}).Send(context.Background(), Message{ID: "m"}, srv.URL, "")
	if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "no secret") {
		t.Errorf("without a secret: err = %v, want a permanent refusal", err)
	}
}

func TestRecipientString(t *testing.T) {
	scenarios := []struct {
		r    Recipient
		want string
	}{
		{EmailTo("a@agency.example"), "a@agency.example"},
		{Recipient{Name: "고용24 정 담당자", Email: "a@agency.example"}, "고용24 정 담당자"},
		{WebhookTo("https://hooks.example/services/T0/B0/token", "s"), "https://hooks.example/…"},
		{WebhookTo("https://sms.example?key=secret", "s"), "https://sms.example/…"},
		{WebhookTo("https://sms.example", "s"), "https://sms.example"},
		{WebhookTo("::not a url", "s"), "(webhook URL)"},
	}
	for _, sc := range scenarios {
		if got := sc.r.String(); got != sc.want {
			t.Errorf("%+v.String() = %q, want %q", sc.r, got, sc.want)
		}
	}
}
