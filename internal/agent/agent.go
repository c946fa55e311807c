// Package agent is the vantage point at another site: `yeonsok agent`, run
// at a backup centre or an agency, probes the checks the tower assigns it
// and pushes the results to the tower, so that the tower can tell "the
// system is down" from "the tower's own network is cut off".
//
// The agent keeps probing whether or not the tower answers. Results go to
// memory first, then every BatchEvery into a numbered batch file in the
// buffer directory, and from there to the tower one batch at a time,
// oldest first, each deleted only once the tower has it. The seq of a
// batch is never used twice, across restarts too, and the tower takes each
// seq once, so a batch sent again after a lost answer is not counted
// twice. The last assignments are kept in the buffer as well: an agent
// restarted while the tower is unreachable probes with them.
//
// The buffer is bounded (MaxBufferBytes): under a very long outage the
// oldest unsent batches are deleted to make room for new ones, so the
// oldest evidence goes first, and the agent says how many results it lost.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"yeonsok/internal/monitor"
)

// Defaults of Options.
const (
	DefaultBufferDir      = "yeonsok-agent-buffer"
	DefaultMaxBufferBytes = 256 << 20
	DefaultBatchEvery     = 2 * time.Second
	DefaultRefreshEvery   = time.Minute
	DefaultDrainFor       = 5 * time.Second
)

// A batch holds at most maxBatchResults results (the tower's
// monitor.MaxBatchResults) and its body stays under the tower's 1 MiB,
// with room for the envelope.
const (
	maxBatchResults = monitor.MaxBatchResults
	maxBatchBytes   = 1<<20 - 4<<10
)

// maxPending bounds the results held in memory while the buffer cannot be
// written (a full or failing disk): beyond it the oldest are dropped.
const maxPending = 100 * maxBatchResults

// Options configure an Agent; Tower and Token are required.
type Options struct {
	// Tower is the tower's address, https://yeonsok.example.go.kr.
	Tower string
	// Token is an API token of the agent role.
	Token string
	// CAFile, when set, names a PEM file of the certificate authority
	// that signed the tower's certificate, trusted besides the system's.
	CAFile string
	// BufferDir holds the batches not yet sent, the last assignments and
	// the last seq used (default DefaultBufferDir).
	BufferDir string
	// MaxBufferBytes bounds the batch files together (default
	// DefaultMaxBufferBytes); beyond it the oldest are deleted.
	MaxBufferBytes int64
	// BatchEvery is how often the results gathered are written as a batch
	// (default DefaultBatchEvery); RefreshEvery how often the assignments
	// are fetched again (default DefaultRefreshEvery).
	BatchEvery   time.Duration
	RefreshEvery time.Duration
	// DrainFor is how long, once Run is told to stop, the agent goes on
	// sending what is buffered (default DefaultDrainFor); what is not sent
	// by then stays in the buffer for the next start.
	DrainFor time.Duration
	// Tick is the probe scheduler's resolution (zero: monitor.DefaultTick).
	Tick time.Duration
	// Logger receives the agent's log; nil: nothing is logged.
	Logger *slog.Logger
}

// Stats counts what became of the results.
type Stats struct {
	// Produced is the results the probes gave in this run.
	Produced uint64
	// Sent is the results in batches the tower confirmed having, including
	// Duplicates, batches it had accepted before (a replay after an answer
	// was lost).
	Sent       uint64
	Duplicates uint64
	// Buffered is the results waiting to be sent, in memory and in batch
	// files (some perhaps left by an earlier run).
	Buffered int
	// Dropped is the results lost unsent: deleted by the buffer's bound,
	// in batch files that could no longer be read, or beyond the 100,000
	// held in memory while the buffer could not be written.
	Dropped uint64
	// Rejected is the results in batches the tower refused for good,
	// moved aside in the buffer as *.rejected.
	Rejected uint64
}

// Agent probes its assignments and sends the results to the tower.
type Agent struct {
	opt   Options
	log   *slog.Logger
	tower *tower
	buf   *buffer

	mu      sync.Mutex
	pending []monitor.Result
	written chan struct{} // a batch was written

	produced, sent, duplicates, lost, rejected atomic.Uint64
}

// New checks the options, applies their defaults and opens the buffer
// directory (creating it if need be), reading what an earlier run left.
func New(opt Options) (*Agent, error) {
	u, err := url.Parse(opt.Tower)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("agent: the tower's address %q is not an http:// or https:// URL", opt.Tower)
	}
	if opt.Token == "" {
		return nil, fmt.Errorf("agent: no token: the tower takes results only from an agent token")
	}
	if opt.BufferDir == "" {
		opt.BufferDir = DefaultBufferDir
	}
	if opt.MaxBufferBytes <= 0 {
		opt.MaxBufferBytes = DefaultMaxBufferBytes
	}
	if opt.BatchEvery <= 0 {
		opt.BatchEvery = DefaultBatchEvery
	}
	if opt.RefreshEvery <= 0 {
		opt.RefreshEvery = DefaultRefreshEvery
	}
	if opt.DrainFor <= 0 {
		opt.DrainFor = DefaultDrainFor
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client, err := TowerClient(opt.CAFile, requestTimeout)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	buf, err := openBuffer(opt.BufferDir, opt.MaxBufferBytes, log)
	if err != nil {
		return nil, err
	}
	return &Agent{
		opt:     opt,
		log:     log,
		tower:   &tower{base: trimBase(opt.Tower), token: opt.Token, client: client},
		buf:     buf,
		written: make(chan struct{}, 1),
	}, nil
}

// Run probes and sends until ctx ends; then it stops probing, writes what
// is pending as a last batch, goes on sending for at most DrainFor, and
// returns. Probing starts with the assignments saved by an earlier run, if
// any, while the tower is asked for fresh ones; without them it waits for
// the tower, trying again and again. It returns an error only when it
// cannot start: no saved assignments and a tower that refuses the agent
// (a wrong token or address). Run is called once.
func (a *Agent) Run(ctx context.Context) error {
	assigned, fetched, err := a.firstAssignment(ctx)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	engine := monitor.NewEngine(monitor.Probe, a.collect, monitor.EngineOptions{Vantage: assigned.Agent.Name, Tick: a.opt.Tick})
	engine.Set(assigned.Checks)
	a.log.Info("agent: probing", "agent", assigned.Agent.Name, "checks", len(assigned.Checks), "tower", a.tower.base,
		"buffer", a.opt.BufferDir)

	// Sending outlives ctx by DrainFor: a batch in flight when ctx ends is
	// not cut short (the tower may have taken it already, and would be
	// sent it again), and what is left is sent after it.
	sending, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()
	context.AfterFunc(ctx, func() { time.AfterFunc(a.opt.DrainFor, stopSending) })

	var wg sync.WaitGroup
	wg.Go(func() { _ = engine.Run(ctx) })
	wg.Go(func() { a.refresh(ctx, engine, assigned.Checks, fetched) })
	wg.Go(func() { a.batchEvery(ctx) })
	wg.Go(func() { a.send(ctx, sending, false) })
	wg.Wait()

	// The engine has stopped: nothing more comes in.
	a.flush()
	a.send(sending, sending, true)
	return nil
}

// firstAssignment is what to probe at the start: the assignments an
// earlier run saved (fetched false: the tower is yet to be asked), or else
// the tower's, asked until it answers or ctx ends.
func (a *Agent) firstAssignment(ctx context.Context) (assignment, bool, error) {
	raw, err := a.buf.loadChecks()
	if err != nil {
		a.log.Error("agent: the saved assignments cannot be read; waiting for the tower's", "err", err)
	}
	if raw != nil {
		var as assignment
		err := json.Unmarshal(raw, &as)
		if err == nil {
			a.log.Info("agent: probing with the saved assignments until the tower answers", "checks", len(as.Checks))
			return as, false, nil
		}
		a.log.Error("agent: the saved assignments cannot be read; waiting for the tower's", "err", err)
	}
	var retry backoff
	for {
		as, raw, err := a.tower.checks(ctx)
		if err == nil {
			a.assigned(as, raw)
			return as, true, nil
		}
		if ctx.Err() != nil {
			return assignment{}, false, nil
		}
		if refused(err) {
			return assignment{}, false, fmt.Errorf("%w (there are no saved assignments to probe meanwhile)", err)
		}
		wait := retry.wait()
		a.log.Warn("agent: the tower does not answer; asking again", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return assignment{}, false, nil
		}
	}
}

// refresh fetches the assignments every RefreshEvery, and at once (then
// again and again until the tower answers) when Run started with saved
// ones. The engine is given them only when they changed, so that a
// refresh that changes nothing touches nothing.
func (a *Agent) refresh(ctx context.Context, engine *monitor.Engine, checks []monitor.Check, fetched bool) {
	var retry backoff
	wait := a.opt.RefreshEvery
	if !fetched {
		wait = 0
	}
	current, _ := json.Marshal(checks)
	for sleep(ctx, wait) {
		as, raw, err := a.tower.checks(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait = retry.wait()
			if refused(err) {
				a.log.Error("agent: the tower refuses to give the assignments; probing the last ones", "in", wait, "err", err)
			} else {
				a.log.Warn("agent: the tower does not answer; probing the last assignments", "in", wait, "err", err)
			}
			continue
		}
		retry.reset()
		wait = a.opt.RefreshEvery
		a.assigned(as, raw)
		if fresh, _ := json.Marshal(as.Checks); !bytes.Equal(fresh, current) {
			engine.Set(as.Checks)
			current = fresh
			a.log.Info("agent: new assignments", "checks", len(as.Checks))
		}
	}
}

// assigned keeps fresh assignments for a restart and follows their seq.
func (a *Agent) assigned(as assignment, raw []byte) {
	a.buf.atLeast(as.LastBatchSeq)
	if err := a.buf.saveChecks(raw); err != nil {
		a.log.Error("agent: the assignments cannot be saved for a restart", "err", err)
	}
}

// collect is the engine's sink: quick, since the engine waits for it.
func (a *Agent) collect(r monitor.Result) {
	a.produced.Add(1)
	a.mu.Lock()
	a.pending = append(a.pending, r)
	a.mu.Unlock()
}

// batchEvery writes the pending results every BatchEvery until ctx ends.
func (a *Agent) batchEvery(ctx context.Context) {
	ticker := time.NewTicker(a.opt.BatchEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			a.flush()
		}
	}
}

// flush writes the pending results as batches in the buffer. What cannot
// be written stays pending, to be tried again at the next flush.
func (a *Agent) flush() {
	a.mu.Lock()
	pending := a.pending
	a.pending = nil
	a.mu.Unlock()
	for len(pending) > 0 {
		var batch [][]byte
		size := 0
		for len(batch) < len(pending) && len(batch) < maxBatchResults {
			raw, err := json.Marshal(pending[len(batch)])
			if err != nil {
				// A Result is plain data: this cannot happen.
				panic(fmt.Sprintf("agent: encode a result: %v", err))
			}
			if len(batch) > 0 && size+len(raw)+1 > maxBatchBytes {
				break
			}
			batch = append(batch, raw)
			size += len(raw) + 1
		}
		if err := a.buf.write(batch); err != nil {
			a.log.Error("agent: results cannot be written to the buffer; kept in memory", "results", len(pending), "err", err)
			a.keep(pending)
			return
		}
		pending = pending[len(batch):]
		select {
		case a.written <- struct{}{}:
		default:
		}
	}
}

// keep puts results that could not be written back before those gathered
// since, dropping the oldest beyond maxPending.
func (a *Agent) keep(results []monitor.Result) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending = append(results, a.pending...)
	if over := len(a.pending) - maxPending; over > 0 {
		a.pending = a.pending[over:]
		a.lost.Add(uint64(over))
		a.log.Warn("agent: too many results held in memory: the oldest were dropped", "results", over)
	}
}

// send sends the batch files oldest first, one at a time, deleting each
// once the tower has it. A batch the tower cannot take now is tried again,
// after a growing wait, before any later one: the tower sees the batches
// in order. It makes its requests under requests, and returns when ctx
// ends or, with untilEmpty, when the buffer is empty.
func (a *Agent) send(ctx, requests context.Context, untilEmpty bool) {
	var retry backoff
	for {
		f, body, ok := a.nextBatch()
		if !ok {
			if untilEmpty {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-a.written:
				continue
			}
		}
		out, err := a.tower.send(requests, f.seq, body)
		if err == nil {
			retry.reset()
			if err := a.buf.done(f.seq); err != nil {
				a.log.Error("agent: a sent batch cannot be deleted; the next start sends it again", "err", err)
			}
			a.sent.Add(uint64(f.results))
			if !out.Accepted {
				a.duplicates.Add(1)
				a.log.Info("agent: the tower had this batch already", "seq", f.seq)
			}
			if out.Ignored > 0 {
				a.log.Info("agent: the tower ignored results of checks no longer assigned", "seq", f.seq, "ignored", out.Ignored)
			}
			continue
		}
		if refused(err) && !unauthorized(err) {
			// Sending it again would jam the queue behind it for good.
			a.log.Error("agent: the tower refused a batch for good; it is moved aside and its results will not reach the tower",
				"seq", f.seq, "results", f.results, "file", a.buf.path(f.seq)+rejectedSuffix, "err", err)
			if err := a.buf.reject(f.seq); err != nil {
				a.log.Error("agent: a refused batch cannot be moved aside; the next start sends it again", "err", err)
			}
			a.rejected.Add(uint64(f.results))
			retry.reset()
			continue
		}
		a.buf.release()
		if ctx.Err() != nil {
			return
		}
		wait := retry.wait()
		if unauthorized(err) {
			a.log.Error("agent: the tower refuses the agent's token; the batch is kept and sent again", "seq", f.seq, "in", wait, "err", err)
		} else {
			a.log.Warn("agent: the batch was not sent; sending it again", "seq", f.seq, "in", wait, "err", err)
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// nextBatch is the oldest batch in the buffer. One whose file has gone
// (deleted by hand) or cannot be read is taken out of the queue, its
// results counted as lost, so that the queue moves on.
func (a *Agent) nextBatch() (batchFile, []byte, bool) {
	for {
		f, body, ok, err := a.buf.next()
		if err == nil {
			return f, body, ok
		}
		a.log.Error("agent: a batch file cannot be read; it is skipped", "seq", f.seq, "err", err)
		if err := a.buf.reject(f.seq); err != nil {
			a.log.Error("agent: a batch file cannot be moved aside", "seq", f.seq, "err", err)
		}
		a.lost.Add(uint64(f.results))
	}
}

// Stats reports the counts so far.
func (a *Agent) Stats() Stats {
	buffered, dropped := a.buf.counts()
	a.mu.Lock()
	buffered += len(a.pending)
	a.mu.Unlock()
	return Stats{
		Produced:   a.produced.Load(),
		Sent:       a.sent.Load(),
		Duplicates: a.duplicates.Load(),
		Buffered:   buffered,
		Dropped:    dropped + a.lost.Load(),
		Rejected:   a.rejected.Load(),
	}
}
