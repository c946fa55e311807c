package monitor

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"
)

// The engine's budget is 0.5 ms of CPU per check for the whole process.
// Each benchmark reports, beside ns/op, the process's CPU per probe
// (cpu-ns/op) — which here includes the in-process target server's share.

func BenchmarkProbeHTTP(b *testing.B) {
	srv := targetServer(b)
	benchProbe(b, Check{ID: 1, Kind: KindHTTP, Target: srv.URL + "/ok"})
}

func BenchmarkProbeHTTPBody(b *testing.B) {
	srv := targetServer(b)
	benchProbe(b, Check{ID: 1, Kind: KindHTTP, Target: srv.URL + "/ok", BodyContains: "OK", BodyMatches: `version \d+`})
}

func BenchmarkProbeHTTPS(b *testing.B) {
	cert, caPEM := testCert(b, time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour), "127.0.0.1")
	srv := tlsServer(b, cert)
	benchProbe(b, Check{ID: 1, Kind: KindHTTP, Target: srv.URL, CACertPEM: caPEM})
}

func BenchmarkProbeTCP(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	benchProbe(b, Check{ID: 1, Kind: KindTCP, Target: "tcp://" + ln.Addr().String()})
}

func BenchmarkProbeTLS(b *testing.B) {
	cert, caPEM := testCert(b, time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour), "127.0.0.1")
	srv := tlsServer(b, cert)
	benchProbe(b, Check{ID: 1, Kind: KindTLS, Target: "tls://" + srv.Listener.Addr().String(), CACertPEM: caPEM})
}

func benchProbe(b *testing.B, c Check) {
	ctx := context.Background()
	if r := Probe(ctx, c); !r.OK {
		b.Fatalf("down: %s", r.Reason)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if r := Probe(ctx, c); !r.OK {
			b.Fatalf("down: %s", r.Reason)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU the process has spent, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
