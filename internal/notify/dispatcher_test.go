package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"yeonsok/internal/notify/smtptest"
)

// attemptLog collects the attempts a dispatcher reports.
type attemptLog struct {
	mu  sync.Mutex
	all []Attempt
	ch  chan Attempt
}

func newAttemptLog() *attemptLog { return &attemptLog{ch: make(chan Attempt, 1000)} }

func (l *attemptLog) record(a Attempt) {
	l.mu.Lock()
	l.all = append(l.all, a)
	l.mu.Unlock()
	l.ch <- a
}

// next waits for the next reported attempt.
func (l *attemptLog) next(t *testing.T) Attempt {
	t.Helper()
	select {
	case a := <-l.ch:
		return a
	case <-time.After(3 * time.Second):
		t.Fatal("no attempt reported within 3 s")
		return Attempt{}
	}
}

// instantWaits is an After that fires at once and remembers what it was asked to wait.
type instantWaits struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *instantWaits) after(d time.Duration) <-chan time.Time {
	w.mu.Lock()
	w.waits = append(w.waits, d)
	w.mu.Unlock()
	c := make(chan time.Time, 1)
	c <- time.Now()
	return c
}

func (w *instantWaits) asked() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.waits)
}

// run starts d and returns a function that stops it and waits for Run to return.
func run(t *testing.T, d *Dispatcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		d.Run(ctx)
		close(done)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatal("Run did not return within 3 s of the stop")
		}
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return stop
}

func TestDispatcherRetriesUntilDelivered(t *testing.T) {
	rcv := &receiver{secret: "s", failFirst: 3}
	srv := startReceiver(t, rcv)
	waits := &instantWaits{}
	log := newAttemptLog()
	d := &Dispatcher{Webhook: &Webhook{}, After: waits.after, OnAttempt: log.record}
	run(t, d)

	d.Enqueue(Message{ID: "m1", Subject: "장애", Body: "본문"}, WebhookTo(srv.URL, "s"))
	var got []Attempt
	for range 4 {
		got = append(got, log.next(t))
	}
	for i, a := range got {
		last := i == len(got)-1
		if a.Number != i+1 || a.Delivered != last || a.Permanent || a.MessageID != "m1" || a.Channel != ChannelWebhook || a.Recipient != srv.URL {
			t.Errorf("attempt %d = %+v", i+1, a)
		}
		if !last && !strings.Contains(a.Error, "503") {
			t.Errorf("attempt %d error = %q, want the 503", i+1, a.Error)
		}
		if i > 0 && a.At.Before(got[i-1].At) {
			t.Errorf("attempt %d reported at %v, before attempt %d", i+1, a.At, i)
		}
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !slices.Equal(waits.asked(), want) {
		t.Errorf("waits = %v, want %v", waits.asked(), want)
	}
	requests, bad, payloads := rcv.snapshot()
	if requests != 4 || len(bad) != 0 || len(payloads) != 1 || payloads[0]["id"] != "m1" {
		t.Errorf("receiver saw %d requests, %d forged, %d accepted; want 4, 0, 1", requests, len(bad), len(payloads))
	}
}

func TestDispatcherBackoffGrowsAndCaps(t *testing.T) {
	rcv := &receiver{secret: "s", failFirst: 1000}
	srv := startReceiver(t, rcv)
	waits := &instantWaits{}
	log := newAttemptLog()
	d := &Dispatcher{
		Webhook:     &Webhook{},
		BackoffBase: time.Second, BackoffCap: 5 * time.Second, MaxAttempts: 6,
		After: waits.after, OnAttempt: log.record,
	}
	run(t, d)

	d.Enqueue(Message{ID: "m1"}, WebhookTo(srv.URL, "s"))
	for n := 1; n <= 6; n++ {
		a := log.next(t)
		final := n == 6
		if a.Number != n || a.Delivered || a.Permanent != final {
			t.Fatalf("attempt %d = %+v", n, a)
		}
		if final && !strings.Contains(a.Error, "gave up after 6 tries") {
			t.Errorf("last attempt error = %q, want it to say it gave up", a.Error)
		}
	}
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if !slices.Equal(waits.asked(), want) {
		t.Errorf("waits = %v, want %v", waits.asked(), want)
	}
	if requests, _, _ := rcv.snapshot(); requests != 6 {
		t.Errorf("receiver saw %d requests, want 6", requests)
	}
}

func TestBackoffDefaults(t *testing.T) {
	d := &Dispatcher{}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300}
	for i, w := range want {
		if got := d.backoff(i + 1); got != w*time.Second {
			t.Errorf("wait after try %d = %v, want %v", i+1, got, w*time.Second)
		}
	}
	if got := d.backoff(1000); got != DefaultBackoffCap {
		t.Errorf("wait after try 1000 = %v, want the cap", got)
	}
}

func TestDispatcherPermanentFailureIsNotRetried(t *testing.T) {
	rcv := &receiver{secret: "s", status: 400}
	srv := startReceiver(t, rcv)
	waits := &instantWaits{}
	log := newAttemptLog()
	d := &Dispatcher{Webhook: &Webhook{}, After: waits.after, OnAttempt: log.record}
	stop := run(t, d)

	d.Enqueue(Message{ID: "m1"}, WebhookTo(srv.URL, "s"))
	a := log.next(t)
	if a.Number != 1 || a.Delivered || !a.Permanent || !strings.Contains(a.Error, "400") {
		t.Fatalf("attempt = %+v, want a permanent failure with the 400", a)
	}
	stop()
	if requests, _, _ := rcv.snapshot(); requests != 1 || len(waits.asked()) != 0 {
		t.Errorf("%d requests, waits %v: want one request and no retry", requests, waits.asked())
	}
}

func TestDispatcherFailingChannelDoesNotDelayOthers(t *testing.T) {
	failing := startReceiver(t, &receiver{secret: "s", failFirst: 1000})
	mailSrv := smtptest.Start(t, &smtptest.Server{})
	log := newAttemptLog()
	d := &Dispatcher{
		Email:   &SMTP{Host: mailSrv.Host, Port: mailSrv.Port, From: "tower@moel.example", StartTLS: StartTLSOff, Timeout: 5 * time.Second},
		Webhook: &Webhook{},
		// One worker and a real hour between tries: if a delivery waiting
		// for its retry held the worker, the email would never go.
		Workers:     1,
		BackoffBase: time.Hour,
		OnAttempt:   log.record,
	}
	stop := run(t, d)

	start := time.Now()
	d.Enqueue(Message{ID: "m1", Subject: "장애", Body: "본문"}, WebhookTo(failing.URL, "s"), EmailTo("primary@agency.example"))
	first, second := log.next(t), log.next(t)
	if first.Channel != ChannelWebhook || first.Delivered || first.Permanent {
		t.Fatalf("first attempt = %+v, want the webhook failing for now", first)
	}
	if second.Channel != ChannelEmail || !second.Delivered || second.Recipient != "primary@agency.example" {
		t.Fatalf("second attempt = %+v, want the email delivered", second)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the email took %v behind the failing webhook", took)
	}
	if mails := mailSrv.Received(); len(mails) != 1 || mails[0].To[0] != "primary@agency.example" {
		t.Fatalf("mail server received %+v", mails)
	}

	// Stopping does not wait the hour; the waiting retry is reported as dropped.
	stop()
	last := log.next(t)
	if last.Recipient != failing.URL || last.Number != 0 || !last.Permanent || !strings.Contains(last.Error, "stopped") {
		t.Fatalf("after the stop: %+v, want the webhook's delivery reported as dropped", last)
	}
}

func TestEnqueueNeverBlocksWhenTheQueueIsFull(t *testing.T) {
	mailSrv := smtptest.Start(t, &smtptest.Server{})
	log := newAttemptLog()
	d := &Dispatcher{
		Email:     &SMTP{Host: mailSrv.Host, Port: mailSrv.Port, From: "tower@moel.example", StartTLS: StartTLSOff, Timeout: 5 * time.Second},
		QueueSize: 2,
		OnAttempt: log.record,
	}
	to := []Recipient{EmailTo("a@x.example"), EmailTo("b@x.example"), EmailTo("c@x.example"), EmailTo("d@x.example"), EmailTo("e@x.example")}
	// Nothing runs yet, so nothing empties the queue.
	done := make(chan struct{})
	go func() {
		d.Enqueue(Message{ID: "m1", Subject: "장애", Body: "본문"}, to...)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Enqueue blocked on a full queue")
	}
	var dropped []string
	for range 3 {
		a := log.next(t)
		if a.Number != 0 || a.Delivered || !a.Permanent || !strings.Contains(a.Error, "queue full") {
			t.Fatalf("attempt = %+v, want a dropped delivery", a)
		}
		dropped = append(dropped, a.Recipient)
	}
	if !slices.Equal(dropped, []string{"c@x.example", "d@x.example", "e@x.example"}) {
		t.Errorf("dropped %v", dropped)
	}

	// The two that fitted go once the dispatcher runs.
	run(t, d)
	for range 2 {
		if a := log.next(t); !a.Delivered {
			t.Fatalf("attempt = %+v, want delivered", a)
		}
	}
	var got []string
	for _, m := range mailSrv.Received() {
		got = append(got, m.To...)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a@x.example", "b@x.example"}) {
		t.Errorf("mail server received for %v", got)
	}
}

func TestDispatcherStopReportsQueuedAndLateDeliveries(t *testing.T) {
	log := newAttemptLog()
	d := &Dispatcher{Webhook: &Webhook{}, OnAttempt: log.record}
	a, b := WebhookTo("http://127.0.0.1:1/a", "s"), WebhookTo("http://127.0.0.1:1/b", "s")
	a.Name, b.Name = "hook a", "hook b"
	d.Enqueue(Message{ID: "m1"}, a, b)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d.Run(ctx)
	d.Enqueue(Message{ID: "m2"}, EmailTo("late@x.example"))

	var got []string
	for range 3 {
		a := log.next(t)
		if a.Number != 0 || !a.Permanent || !strings.Contains(a.Error, "stopped") {
			t.Fatalf("attempt = %+v, want a delivery dropped by the stop", a)
		}
		got = append(got, a.MessageID+" "+a.Recipient)
	}
	want := []string{"m1 hook a", "m1 hook b", "m2 late@x.example"}
	if !slices.Equal(got, want) {
		t.Errorf("dropped %v, want %v", got, want)
	}
}

func TestDispatcherRefusesWhatItCannotSend(t *testing.T) {
	log := newAttemptLog()
	d := &Dispatcher{OnAttempt: log.record} // no senders configured
	run(t, d)

	d.Enqueue(Message{ID: "m1"}, Recipient{}, Recipient{Email: "a@x.example", URL: "http://x.example"})
	for range 2 {
		if a := log.next(t); a.Number != 0 || !a.Permanent || !strings.Contains(a.Error, "exactly one") {
			t.Fatalf("attempt = %+v, want the invalid recipient refused", a)
		}
	}
	d.Enqueue(Message{ID: "m2"}, EmailTo("a@x.example"))
	if a := log.next(t); a.Number != 1 || !a.Permanent || !strings.Contains(a.Error, "no email sender") {
		t.Fatalf("attempt = %+v, want a permanent failure for the missing sender", a)
	}
}

func TestDispatcherStopLetsATryUnderWayFinish(t *testing.T) {
	started := make(chan struct{})
	var once sync.Once
	srv := startReceiver(t, &receiver{secret: "s"})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(started) })
		time.Sleep(300 * time.Millisecond)
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer slow.Close()
	log := newAttemptLog()
	d := &Dispatcher{Webhook: &Webhook{}, OnAttempt: log.record}
	stop := run(t, d)

	d.Enqueue(Message{ID: "m1"}, WebhookTo(slow.URL, "s"))
	<-started
	stop()
	if a := log.next(t); a.Number != 1 || !a.Delivered {
		t.Fatalf("attempt = %+v, want the try under way delivered despite the stop", a)
	}
}
