package monitor

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkEngineOverhead is what the engine itself costs per probe —
// scheduling, handing to a worker, lag accounting, the sink — with a
// prober that does nothing: 10,000 checks every second, 30 times the
// issue's rate. cpu-µs/probe is the process's user and system time per
// probe; the schedule is kept when lag-p99-ms stays far below 1,000.
func BenchmarkEngineOverhead(b *testing.B) {
	var results atomic.Int64
	done := make(chan struct{})
	want := int64(b.N)
	sink := func(Result) {
		if results.Add(1) == want {
			close(done)
		}
	}
	noop := func(context.Context, Check) Result { return Result{OK: true} }
	e := NewEngine(noop, sink, EngineOptions{})
	checks := make([]Check, 10000)
	for i := range checks {
		checks[i] = Check{ID: int64(i + 1), Interval: time.Second}
	}
	e.Set(checks)

	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error)
	cpu0 := cpuTime()
	b.ResetTimer()
	go func() { ran <- e.Run(ctx) }()
	<-done
	b.StopTimer()
	cpu := cpuTime() - cpu0
	cancel()
	if err := <-ran; err != nil {
		b.Fatal(err)
	}
	st := e.Stats()
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/probe")
	b.ReportMetric(float64(st.LagP99.Microseconds())/1000, "lag-p99-ms")
	b.ReportMetric(float64(st.MaxInFlight), "max-in-flight")
}
