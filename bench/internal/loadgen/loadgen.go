// Package loadgen serves the targets the monitoring benchmarks probe: n
// HTTP targets at /t/{i} on one loopback port (and, if asked, a TCP port
// each), a fixed share of them slow, hanging or failing, chosen by i so
// every run and every reader agrees which. A control endpoint stops and
// starts ranges of targets to measure outage detection, and the server
// counts the requests it gets and the gaps between a target's requests,
// an outside view of whether a monitor keeps its schedule.
package loadgen

import (
	"encoding/json"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Behaviour is how a target answers.
type Behaviour int32

const (
	Fast   Behaviour = iota // 200 at once
	Slow                    // 200 after SlowDelay
	Hang                    // never answers; waits until the client gives up
	Fail                    // 503 at once
	Refuse                  // stopped: the connection is closed unanswered
)

func (b Behaviour) String() string {
	return [...]string{"fast", "slow", "hang", "fail", "refuse"}[b]
}

// SlowDelay is how long a slow target takes to answer.
const SlowDelay = time.Second

// Mix is the share of targets (0–1) that are slow, hang or fail; the rest
// are fast.
type Mix struct{ Slow, Hang, Fail float64 }

// Of is target i's behaviour under the mix. The golden-ratio sequence puts
// each behaviour evenly through the targets, so any range holds about the
// mix's shares and the counts come out exact to within one.
func (m Mix) Of(i int) Behaviour {
	u := math.Mod(float64(i)*0.6180339887498949, 1)
	switch {
	case u < m.Hang:
		return Hang
	case u < m.Hang+m.Slow:
		return Slow
	case u < m.Hang+m.Slow+m.Fail:
		return Fail
	}
	return Fast
}

// Server serves the targets. Its zero value is not usable; see New.
type Server struct {
	n   int
	mix Mix
	// override is a stopped target's behaviour plus one; zero: its own.
	override []atomic.Int32
	last     []atomic.Int64 // the latest request's arrival, Unix ns
	requests atomic.Uint64
	gaps     [gapBins]atomic.Uint64
	tcp      []*tcpTarget // nil unless ServeTCP was called
}

// Gaps between a target's requests are counted in 10 ms bins up to ten
// minutes; longer ones in the last bin.
const (
	gapBin  = 10 * time.Millisecond
	gapBins = int(10 * time.Minute / gapBin)
)

// New returns a server of n targets with the mix.
func New(n int, mix Mix) *Server {
	return &Server{n: n, mix: mix, override: make([]atomic.Int32, n), last: make([]atomic.Int64, n)}
}

// Serve serves the targets and the control endpoints on ln.
func (s *Server) Serve(ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(os.Stderr, "loadgen: ", 0)}
	return srv.Serve(ln)
}

// Behaviour is how target i answers now.
func (s *Server) Behaviour(i int) Behaviour {
	if o := s.override[i].Load(); o != 0 {
		return Behaviour(o - 1)
	}
	return s.mix.Of(i)
}

// Handler serves the targets and the control endpoints:
//
//	GET  /t/{i}                                 target i
//	POST /control/stop?from=A&to=B[&mode=M]     targets A ≤ i < B stop answering: M is
//	                                            refuse (close the connection, the default),
//	                                            hang or fail
//	POST /control/start?from=A&to=B             they answer as before
//	GET  /control/stats[?interval=D]            requests so far and the gaps between a
//	                                            target's requests (the share within D ± 1 s)
//	POST /control/reset                         zero the counts
//	GET  /control/tcp                           "i port" per line, with ServeTCP
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /t/{i}", s.serveTarget)
	mux.HandleFunc("POST /control/stop", s.serveStop)
	mux.HandleFunc("POST /control/start", s.serveStart)
	mux.HandleFunc("GET /control/stats", s.serveStats)
	mux.HandleFunc("POST /control/reset", s.serveReset)
	mux.HandleFunc("GET /control/tcp", s.serveTCPList)
	return mux
}

func (s *Server) serveTarget(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= s.n {
		http.NotFound(w, r)
		return
	}
	s.count(i, time.Now())
	switch s.Behaviour(i) {
	case Slow:
		select {
		case <-time.After(SlowDelay):
		case <-r.Context().Done():
			return
		}
	case Hang:
		<-r.Context().Done()
		return
	case Fail:
		http.Error(w, "failing", http.StatusServiceUnavailable)
		return
	case Refuse:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, as from a stopped server
			}
			conn.Close()
		}
		return
	}
	w.Write([]byte("ok\n"))
}

// count notes a request to target i at now.
func (s *Server) count(i int, now time.Time) {
	s.requests.Add(1)
	prev := s.last[i].Swap(now.UnixNano())
	if prev == 0 {
		return
	}
	bin := min(int(time.Duration(now.UnixNano()-prev)/gapBin), gapBins-1)
	s.gaps[bin].Add(1)
}

// parseRange reads from and to as a range of targets.
func (s *Server) parseRange(r *http.Request) (from, to int, err error) {
	from, err1 := strconv.Atoi(r.FormValue("from"))
	to, err2 := strconv.Atoi(r.FormValue("to"))
	if err1 != nil || err2 != nil || from < 0 || to > s.n || from >= to {
		return 0, 0, fmt.Errorf("want 0 ≤ from < to ≤ %d", s.n)
	}
	return from, to, nil
}

func (s *Server) serveStop(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.parseRange(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	modes := map[string]Behaviour{"": Refuse, "refuse": Refuse, "hang": Hang, "fail": Fail}
	mode, ok := modes[r.FormValue("mode")]
	if !ok {
		http.Error(w, "mode: refuse, hang or fail", http.StatusBadRequest)
		return
	}
	for i := from; i < to; i++ {
		s.override[i].Store(int32(mode) + 1)
		if s.tcp != nil {
			s.tcp[i].stop()
		}
	}
	fmt.Fprintf(w, "stopped %d targets (%s)\n", to-from, mode)
}

func (s *Server) serveStart(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.parseRange(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for i := from; i < to; i++ {
		s.override[i].Store(0)
		if s.tcp != nil {
			if err := s.tcp[i].start(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
	}
	fmt.Fprintf(w, "started %d targets\n", to-from)
}

// Stats is what GET /control/stats answers.
type Stats struct {
	Requests uint64 `json:"requests"`
	Gaps     uint64 `json:"gaps"` // pairs of consecutive requests to one target
	// OnSchedule is the share of gaps within the interval asked for ± 1 s.
	Interval   string  `json:"interval,omitempty"`
	OnSchedule float64 `json:"on_schedule"`
	GapP50     string  `json:"gap_p50"`
	GapP99     string  `json:"gap_p99"`
}

// Stats counts the requests so far; interval, if not zero, is the one the
// monitor should keep.
func (s *Server) Stats(interval time.Duration) Stats {
	st := Stats{Requests: s.requests.Load()}
	var bins [gapBins]uint64
	for i := range bins {
		bins[i] = s.gaps[i].Load()
		st.Gaps += bins[i]
	}
	gapAt := func(p float64) time.Duration {
		rank, seen := uint64(math.Ceil(p*float64(st.Gaps))), uint64(0)
		for i, n := range bins {
			if seen += n; seen >= max(rank, 1) {
				return time.Duration(i+1) * gapBin
			}
		}
		return 0
	}
	st.GapP50, st.GapP99 = gapAt(0.50).String(), gapAt(0.99).String()
	if interval > 0 && st.Gaps > 0 {
		var within uint64
		for i, n := range bins {
			lo, hi := time.Duration(i)*gapBin, time.Duration(i+1)*gapBin
			if lo >= interval-time.Second && hi <= interval+time.Second {
				within += n
			}
		}
		st.Interval = interval.String()
		st.OnSchedule = float64(within) / float64(st.Gaps)
	}
	return st
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	var interval time.Duration
	if v := r.FormValue("interval"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			http.Error(w, "interval: a duration such as 30s", http.StatusBadRequest)
			return
		}
		interval = d
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.Stats(interval))
}

// Reset zeroes the counts; the latest arrivals stay, so the first gaps
// after a reset are still measured.
func (s *Server) Reset() {
	s.requests.Store(0)
	for i := range s.gaps {
		s.gaps[i].Store(0)
	}
}

func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	fmt.Fprintln(w, "reset")
}

// tcpTarget is a target's own TCP port: it accepts and closes each
// connection while running; stopped, its port refuses connections.
type tcpTarget struct {
	mu   sync.Mutex
	addr string
	ln   net.Listener
}

// ServeTCP opens a loopback TCP port for every target that is not failing
// (a failing target's port refuses connections). A TCP connect check sees
// only whether the port accepts, so slow and hanging targets accept too.
func (s *Server) ServeTCP(host string) error {
	s.tcp = make([]*tcpTarget, s.n)
	for i := range s.tcp {
		s.tcp[i] = &tcpTarget{addr: net.JoinHostPort(host, "0")}
		if err := s.tcp[i].start(); err != nil {
			return fmt.Errorf("loadgen: tcp target %d: %w", i, err)
		}
		if s.mix.Of(i) == Fail {
			s.tcp[i].stop()
		}
	}
	return nil
}

func (t *tcpTarget) start() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", t.addr)
	if err != nil {
		return err
	}
	t.ln, t.addr = ln, ln.Addr().String() // the same port when started again
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	return nil
}

func (t *tcpTarget) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ln != nil {
		t.ln.Close()
		t.ln = nil
	}
}

func (s *Server) serveTCPList(w http.ResponseWriter, r *http.Request) {
	if s.tcp == nil {
		http.Error(w, "no TCP targets: start with -tcp", http.StatusNotFound)
		return
	}
	for i, t := range s.tcp {
		t.mu.Lock()
		_, port, _ := net.SplitHostPort(t.addr)
		t.mu.Unlock()
		fmt.Fprintf(w, "%d %s\n", i, port)
	}
}
