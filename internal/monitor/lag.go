package monitor

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// lagHistogram counts durations in buckets at most 12.5 % wide: exact below
// 16 µs, then eight buckets for each power of two of microseconds. Probes
// record into it concurrently without a lock.
type lagHistogram struct {
	counts [16 + 50*8]atomic.Uint64 // up to 2^54 µs, beyond any time.Duration
	max    atomic.Int64
}

func (h *lagHistogram) record(d time.Duration) {
	d = max(d, 0)
	h.counts[lagBucket(uint64(d/time.Microsecond))].Add(1)
	raise(&h.max, int64(d))
}

// raise sets a to v if v is larger.
func raise(a *atomic.Int64, v int64) {
	for m := a.Load(); v > m; m = a.Load() {
		if a.CompareAndSwap(m, v) {
			return
		}
	}
}

// percentile is the duration p (0–1) of the recorded ones do not exceed,
// read as the upper bound of its bucket and never above the largest seen;
// zero when nothing was recorded.
func (h *lagHistogram) percentile(p float64) time.Duration {
	var counts [len(h.counts)]uint64
	var total uint64
	for i := range h.counts {
		counts[i] = h.counts[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p * float64(total)))
	var seen uint64
	for i, n := range counts {
		seen += n
		if seen >= max(rank, 1) {
			return min(lagBucketEnd(i), time.Duration(h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

// lagBucket is the bucket of us microseconds.
func lagBucket(us uint64) int {
	if us < 16 {
		return int(us)
	}
	e := bits.Len64(us) - 1
	return 16 + (e-4)*8 + int(us>>(e-3)&7)
}

// lagBucketEnd is where bucket i ends (exclusive).
func lagBucketEnd(i int) time.Duration {
	if i < 16 {
		return time.Duration(i+1) * time.Microsecond
	}
	e, sub := (i-16)/8+4, (i-16)%8
	us := uint64(9+sub) << (e - 3)
	if us > math.MaxInt64/uint64(time.Microsecond) {
		return math.MaxInt64
	}
	return time.Duration(us) * time.Microsecond
}
