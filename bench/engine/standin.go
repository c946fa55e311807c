package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"time"

	"yeonsok/internal/monitor"
)

// probeName says in the report which prober was measured. AT MERGE:
// "monitor.Probe".
const probeName = "bench stand-in (fresh connection per probe, status 200–399); to be replaced by monitor.Probe"

// newHTTPProbe is the stand-in prober: a GET over a fresh connection (a
// pooled one would miss a dead listener), up when the status is 200–399.
// AT MERGE: delete this file and use monitor.Probe.
func newHTTPProbe() prober {
	client := &http.Client{
		Transport: &http.Transport{
			// No keep-alive probes on a connection that lives one request:
			// it saves the socket options for them on every dial.
			DialContext:        (&net.Dialer{KeepAlive: -1}).DialContext,
			DisableKeepAlives:  true,
			DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(ctx context.Context, c monitor.Check) monitor.Result {
		start := time.Now()
		r := monitor.Result{Started: start}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Target, nil)
		if err != nil {
			r.Reason = err.Error()
			return r
		}
		resp, err := client.Do(req)
		if err != nil {
			r.Latency = time.Since(start)
			r.Reason = err.Error()
			if ctx.Err() != nil {
				r.Reason = fmt.Sprintf("timeout after %v", c.Timeout)
			}
			return r
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		r.Latency = time.Since(start)
		r.OK = resp.StatusCode >= 200 && resp.StatusCode < 400
		if !r.OK {
			r.Reason = fmt.Sprintf("status %d", resp.StatusCode)
		}
		return r
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
