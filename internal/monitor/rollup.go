package monitor

import "time"

// RollupPeriod is the time one rollup covers: an hour keeps a year of one
// check's latency in 8,760 rows per vantage point.
const RollupPeriod = time.Hour

// LatencyBounds are the upper bounds of the latency histogram's buckets;
// the last bucket of Rollup.Buckets holds what is slower still.
var LatencyBounds = [...]time.Duration{
	50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second,
}

// Rollup sums up the probes of one check from one vantage point in one
// RollupPeriod. Latency is of the probes that succeeded: a failure's
// latency (a refusal in a millisecond, a timeout) says nothing of the
// service's speed.
type Rollup struct {
	CheckID int64     `json:"check_id"`
	Vantage string    `json:"vantage"`
	Hour    time.Time `json:"hour"` // the period's start, UTC (HourOf)
	// Probes counts every probe, Failures those that failed.
	Probes   int64 `json:"probes"`
	Failures int64 `json:"failures"`
	// LatencySum and LatencyMax are of the successful probes, to the
	// microsecond as stored; Buckets counts them by LatencyBounds.
	LatencySum time.Duration                 `json:"latency_sum"`
	LatencyMax time.Duration                 `json:"latency_max"`
	Buckets    [len(LatencyBounds) + 1]int64 `json:"buckets"`
}

// HourOf is the start of the rollup period t falls in.
func HourOf(t time.Time) time.Time { return t.UTC().Truncate(RollupPeriod) }

// Add counts one result in r, which the caller keyed by the result's
// check, vantage point and HourOf(res.Started).
func (r *Rollup) Add(res Result) {
	r.Probes++
	if !res.OK {
		r.Failures++
		return
	}
	r.LatencySum += res.Latency
	r.LatencyMax = max(r.LatencyMax, res.Latency)
	i := 0
	for i < len(LatencyBounds) && res.Latency > LatencyBounds[i] {
		i++
	}
	r.Buckets[i]++
}

// Merge adds o, of the same key, to r.
func (r *Rollup) Merge(o *Rollup) {
	r.Probes += o.Probes
	r.Failures += o.Failures
	r.LatencySum += o.LatencySum
	r.LatencyMax = max(r.LatencyMax, o.LatencyMax)
	for i := range r.Buckets {
		r.Buckets[i] += o.Buckets[i]
	}
}

// Mean is the mean latency of the successful probes.
func (r *Rollup) Mean() time.Duration {
	if ok := r.Probes - r.Failures; ok > 0 {
		return r.LatencySum / time.Duration(ok)
	}
	return 0
}

// Quantile estimates the latency under which a share q (0.95 for p95) of
// the successful probes fell, interpolating within the histogram's bucket
// and never beyond the slowest probe seen.
func (r *Rollup) Quantile(q float64) time.Duration {
	var n int64
	for _, c := range r.Buckets {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := q * float64(n)
	var below int64
	lower := time.Duration(0)
	for i, c := range r.Buckets {
		upper := r.LatencyMax
		if i < len(LatencyBounds) {
			upper = min(LatencyBounds[i], r.LatencyMax)
		}
		if c > 0 && float64(below+c) >= rank {
			share := (rank - float64(below)) / float64(c)
			return lower + time.Duration(share*float64(upper-lower))
		}
		below += c
		if i < len(LatencyBounds) {
			lower = LatencyBounds[i]
		}
	}
	return r.LatencyMax
}
