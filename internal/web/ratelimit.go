package web

import (
	"math"
	"sync"
	"time"
)

// rateLimited is the error code of a request refused for too many
// attempts (429).
const rateLimited = "rate_limited"

// Attempts at a password or a token each client address has: a burst of
// attemptBurst, then one more every attemptEvery (10 a minute).
const (
	attemptBurst   = 10
	attemptEvery   = 6 * time.Second
	attemptClients = 10000
)

// limiter counts attempts per client (a token bucket per address): a
// password tried at the login or password form, a bearer token shown to
// the API. It holds at most max clients; when that many are mid-burst,
// newcomers share one bucket (overflowKey), so that memory stays bounded
// and a crowd of addresses is limited as one.
type limiter struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration
	max     int
	buckets map[string]bucket
	now     func() time.Time
}

type bucket struct {
	left float64 // attempts left at at
	at   time.Time
}

const overflowKey = "*"

func newLimiter(burst int, every time.Duration, max int) *limiter {
	return &limiter{burst: float64(burst), every: every, max: max, buckets: map[string]bucket{}, now: time.Now}
}

// level is what a bucket holds at now.
func (l *limiter) level(b bucket, now time.Time) float64 {
	return math.Min(l.burst, b.left+float64(now.Sub(b.at))/float64(l.every))
}

// lookup returns the key's bucket, making room for a new one.
func (l *limiter) lookup(key string, now time.Time) (string, bucket) {
	if b, ok := l.buckets[key]; ok {
		return key, b
	}
	if len(l.buckets) >= l.max {
		for k, b := range l.buckets {
			if l.level(b, now) >= l.burst {
				delete(l.buckets, k)
			}
		}
	}
	if len(l.buckets) >= l.max {
		key = overflowKey
		if b, ok := l.buckets[key]; ok {
			return key, b
		}
	}
	return key, bucket{left: l.burst, at: now}
}

// take uses one attempt of key and returns the bucket it came from, to
// give it back to. When none is left it uses nothing and reports false
// with the seconds until one is back.
func (l *limiter) take(key string) (from string, wait int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	key, b := l.lookup(key, now)
	left := l.level(b, now)
	if left < 1 {
		return key, int(math.Ceil((1 - left) * l.every.Seconds())), false
	}
	l.buckets[key] = bucket{left: left - 1, at: now}
	return key, 0, true
}

// give returns an attempt taken for a try that succeeded: only failures
// count, but every try takes one first, so that a burst of simultaneous
// tries cannot all pass before the first failure is counted.
func (l *limiter) give(from string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[from]; ok {
		now := l.now()
		l.buckets[from] = bucket{left: math.Min(l.burst, l.level(b, now)+1), at: now}
	}
}
