package monitor

import (
	"testing"
	"time"
)

func TestRollup(t *testing.T) {
	var r Rollup
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	// 90 fast answers, 8 slow ones (1 s: the load generator's "slow"), 2
	// hanging until the timeout (failures).
	for range 90 {
		r.Add(Result{OK: true, Latency: ms(20)})
	}
	for range 8 {
		r.Add(Result{OK: true, Latency: ms(1000)})
	}
	for range 2 {
		r.Add(Result{OK: false, Latency: 10 * time.Second, Reason: "timeout after 10s"})
	}
	if r.Probes != 100 || r.Failures != 2 || r.LatencyMax != ms(1000) || r.Buckets[0] != 90 || r.Buckets[4] != 8 {
		t.Fatalf("rollup %+v", r)
	}
	if got := r.Mean(); got != (90*ms(20)+8*ms(1000))/98 {
		t.Errorf("mean %v", got)
	}
	scenarios := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, ms(50) * 49 / 90},                                 // half of 98 is the 49th of 90 in the first bucket
		{0.95, ms(500) + time.Duration(float64(ms(500))*3.1/8)}, // 93.1st: 3.1 into the 8 of 500 ms–1 s
		{1, ms(1000)},
	}
	for _, s := range scenarios {
		if got := r.Quantile(s.q); got < s.want-time.Microsecond || got > s.want+time.Microsecond {
			t.Errorf("quantile %v = %v, want %v", s.q, got, s.want)
		}
	}

	other := Rollup{Probes: 1, LatencySum: ms(3000), LatencyMax: ms(3000)}
	other.Buckets[6] = 1
	r.Merge(&other)
	if r.Probes != 101 || r.LatencyMax != ms(3000) || r.Buckets[6] != 1 || r.Quantile(1) != ms(3000) {
		t.Errorf("merged %+v", r)
	}
	if (&Rollup{Probes: 3, Failures: 3}).Quantile(0.95) != 0 || (&Rollup{}).Mean() != 0 {
		t.Error("no success has no latency")
	}
	if got := HourOf(time.Date(2025, 9, 26, 20, 15, 3, 0, time.FixedZone("KST", 9*3600))); !got.Equal(time.Date(2025, 9, 26, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("hour %v", got)
	}
}
