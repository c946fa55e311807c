package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// EmailSender sends one message to a list of addresses; *SMTP is one.
type EmailSender interface {
	Send(ctx context.Context, msg Message, to []string) error
}

// WebhookSender posts one message to endpoint signed with secret; *Webhook is one.
type WebhookSender interface {
	Send(ctx context.Context, msg Message, endpoint, secret string) error
}

// Attempt is the outcome of one try to deliver a message to a recipient,
// as the incident timeline records it.
type Attempt struct {
	MessageID string
	Channel   Channel
	Recipient string // Recipient.String: never the secret, nor a webhook URL's path
	// Number counts the tries of this delivery from 1. Zero means no try
	// was made: the queue was full, or the dispatcher stopped first.
	Number    int
	Delivered bool
	// Permanent means no further try will follow although the message was
	// not delivered: the receiver refused it, the tries ran out, or it was
	// dropped (Number 0).
	Permanent bool
	Error     string
	At        time.Time
}

// Defaults of a Dispatcher's zero fields.
const (
	DefaultWorkers     = 4
	DefaultQueueSize   = 1024
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 5 * time.Minute
	DefaultMaxAttempts = 8
)

// Dispatcher delivers messages in the background: Enqueue puts one
// delivery per recipient on a bounded queue, and Run's workers try each
// until it is delivered, refused for good or out of tries, waiting
// BackoffBase, 2×, 4×… (at most BackoffCap) between tries. A delivery
// waiting for its next try does not hold a worker, so a failing channel
// does not delay anyone else's messages.
//
// Set the fields before the first Enqueue or Run and do not change them
// afterwards. Run it once.
type Dispatcher struct {
	Email   EmailSender   // email deliveries fail permanently when nil
	Webhook WebhookSender // webhook deliveries fail permanently when nil

	Workers     int // DefaultWorkers when zero
	QueueSize   int // DefaultQueueSize when zero
	BackoffBase time.Duration
	BackoffCap  time.Duration
	MaxAttempts int

	// OnAttempt receives every attempt, including dropped deliveries. It
	// is called from the workers, concurrently, and from Enqueue's caller
	// for a full queue, so it must be safe for that and must not block
	// for long. The tries of one delivery are reported in order.
	OnAttempt func(Attempt)

	// Now and After are the clock; time.Now and time.After when nil.
	// Tests replace After to skip the waits between tries.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time

	initOnce sync.Once
	queue    chan delivery
	mu       sync.Mutex // guards stopped and sending on queue
	stopped  bool
	waiting  sync.WaitGroup // deliveries waiting for their next try
}

type delivery struct {
	msg     Message
	to      Recipient
	attempt int // tries made so far
}

func (d *Dispatcher) init() {
	d.initOnce.Do(func() {
		size := d.QueueSize
		if size <= 0 {
			size = DefaultQueueSize
		}
		d.queue = make(chan delivery, size)
	})
}

// Enqueue queues msg for every recipient and returns at once. A delivery
// that finds the queue full, or the dispatcher stopped, is reported as a
// permanent failure with Number 0 instead of waiting for room.
func (d *Dispatcher) Enqueue(msg Message, to ...Recipient) {
	d.init()
	for _, r := range to {
		if r.Channel() == "" {
			d.report(delivery{msg: msg, to: r}, errInvalidRecipient, true)
			continue
		}
		if err := d.push(delivery{msg: msg, to: r}); err != nil {
			d.report(delivery{msg: msg, to: r}, err, true)
		}
	}
}

var (
	errQueueFull = errors.New("notify: queue full, message dropped")
	errStopped   = errors.New("notify: dispatcher stopped before delivery")
)

// push adds dl to the queue without waiting.
func (d *Dispatcher) push(dl delivery) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return errStopped
	}
	select {
	case d.queue <- dl:
		return nil
	default:
		return errQueueFull
	}
}

// Run delivers until ctx is done, then returns once its workers have
// finished their current tries. Deliveries still queued or waiting for a
// retry are reported as dropped, so none disappears unrecorded.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	workers := d.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { d.work(ctx) })
	}
	wg.Wait()
	d.waiting.Wait()

	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	for {
		select {
		case dl := <-d.queue:
			// Number 0: no try was made; an earlier try of a retry was reported already.
			d.report(delivery{msg: dl.msg, to: dl.to}, errStopped, true)
		default:
			return
		}
	}
}

func (d *Dispatcher) work(ctx context.Context) {
	for {
		// A stop wins over queued work, which Run then reports as dropped.
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case dl := <-d.queue:
			d.try(ctx, dl)
		}
	}
}

// try makes one attempt at dl and, when it may pass later, schedules the next.
func (d *Dispatcher) try(ctx context.Context, dl delivery) {
	dl.attempt++
	// A try under way finishes even when Run is asked to stop (the senders
	// have their own timeouts): a message half sent is worse than a
	// stop that takes a few seconds.
	err := d.send(context.WithoutCancel(ctx), dl)
	if err == nil {
		d.report(dl, nil, false)
		return
	}
	tries := d.MaxAttempts
	if tries <= 0 {
		tries = DefaultMaxAttempts
	}
	if IsPermanent(err) {
		d.report(dl, err, true)
		return
	}
	if dl.attempt >= tries {
		d.report(dl, fmt.Errorf("%w (gave up after %d tries)", err, dl.attempt), true)
		return
	}
	d.report(dl, err, false)

	// Wait outside the worker, which goes on to the next delivery.
	wait := d.backoff(dl.attempt)
	d.waiting.Add(1)
	go func() {
		defer d.waiting.Done()
		select {
		case <-d.after(wait):
		case <-ctx.Done():
			d.report(delivery{msg: dl.msg, to: dl.to}, errStopped, true)
			return
		}
		// The queue may be full of new messages; this one is already
		// under way, so it waits for room rather than being dropped.
		select {
		case d.queue <- dl:
		case <-ctx.Done():
			d.report(delivery{msg: dl.msg, to: dl.to}, errStopped, true)
		}
	}()
}

func (d *Dispatcher) send(ctx context.Context, dl delivery) error {
	switch dl.to.Channel() {
	case ChannelEmail:
		if d.Email == nil {
			return Permanent(errors.New("notify: no email sender configured"))
		}
		return d.Email.Send(ctx, dl.msg, []string{dl.to.Email})
	case ChannelWebhook:
		if d.Webhook == nil {
			return Permanent(errors.New("notify: no webhook sender configured"))
		}
		return d.Webhook.Send(ctx, dl.msg, dl.to.URL, dl.to.Secret)
	}
	return errInvalidRecipient
}

// backoff is the wait after the n-th failed try: BackoffBase doubled for
// every earlier try, at most BackoffCap.
func (d *Dispatcher) backoff(n int) time.Duration {
	base, limit := d.BackoffBase, d.BackoffCap
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if limit <= 0 {
		limit = DefaultBackoffCap
	}
	wait := base
	for i := 1; i < n && wait < limit; i++ {
		wait *= 2
	}
	return min(wait, limit)
}

func (d *Dispatcher) after(wait time.Duration) <-chan time.Time {
	if d.After != nil {
		return d.After(wait)
	}
	return time.After(wait)
}

func (d *Dispatcher) report(dl delivery, err error, final bool) {
	if d.OnAttempt == nil {
		return
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	a := Attempt{
		MessageID: dl.msg.ID,
		Channel:   dl.to.Channel(),
		Recipient: dl.to.String(),
		Number:    dl.attempt,
		Delivered: err == nil,
		At:        now(),
	}
	if err != nil {
		a.Error = err.Error()
		a.Permanent = final
	}
	d.OnAttempt(a)
}
