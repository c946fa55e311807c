package agent

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Files in the buffer directory besides the batches.
const (
	checksFile  = "checks.json" // the last assignments the tower gave
	stateFile   = "state.json"  // the last batch seq handed out
	tempPrefix  = ".tmp-"       // a file being written; left over only by a crash
	batchSuffix = ".json"
	// rejectedSuffix marks a batch the tower refused for good, kept for a
	// person to read and out of the queue.
	rejectedSuffix = ".rejected"
)

// buffer is the queue of batches on disk, oldest first: one file per
// batch, named by its seq, holding exactly the body the tower is sent.
// Every file is written whole (a temporary file, synced, renamed), so a
// crash leaves either the batch or nothing.
type buffer struct {
	dir string
	max int64
	log *slog.Logger

	mu      sync.Mutex
	queue   []batchFile // unsent, by seq
	bytes   int64       // the queue's files together
	results int         // the queue's results together
	lastSeq int64       // the highest seq handed out, on disk in stateFile
	sending int64       // the seq of the batch being sent; 0: none
	dropped uint64      // results deleted unsent by the bound
}

type batchFile struct {
	seq     int64
	size    int64
	results int
}

// batchBody is a batch file, and the body of POST /api/v1/agent/results.
type batchBody struct {
	Seq     int64             `json:"seq"`
	Results []json.RawMessage `json:"results"`
}

type state struct {
	LastSeq int64 `json:"last_seq"`
}

// openBuffer makes dir if need be and reads what an earlier run left there:
// unsent batches, and the highest seq ever used, from the batch and
// rejected files and the state file.
func openBuffer(dir string, maxBytes int64, log *slog.Logger) (*buffer, error) {
	// Assignments may carry HTTP headers with secrets: the directory is
	// the agent's alone.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("agent: buffer directory: %w", err)
	}
	b := &buffer{dir: dir, max: maxBytes, log: log}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("agent: read buffer directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tempPrefix) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return nil, fmt.Errorf("agent: remove a half-written file: %w", err)
			}
			continue
		}
		if seq, ok := rejectedSeq(name); ok {
			b.lastSeq = max(b.lastSeq, seq)
			continue
		}
		seq, ok := batchSeq(name)
		if !ok {
			continue
		}
		b.lastSeq = max(b.lastSeq, seq)
		f, err := b.readBatch(seq)
		if err != nil {
			// Not one the agent wrote whole: keep it for a person, out of
			// the queue, so it neither jams the queue nor is lost.
			log.Error("agent: an unreadable batch file is moved aside", "file", b.path(seq), "err", err)
			if err := os.Rename(b.path(seq), b.path(seq)+rejectedSuffix); err != nil {
				return nil, fmt.Errorf("agent: move aside batch %d: %w", seq, err)
			}
			continue
		}
		b.queue = append(b.queue, f)
		b.bytes += f.size
		b.results += f.results
	}
	slices.SortFunc(b.queue, func(x, y batchFile) int { return cmp.Compare(x.seq, y.seq) })
	var st state
	body, err := os.ReadFile(filepath.Join(dir, stateFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("agent: read %s: %w", stateFile, err)
	default:
		if err := json.Unmarshal(body, &st); err != nil {
			return nil, fmt.Errorf("agent: read %s: %w", stateFile, err)
		}
	}
	b.lastSeq = max(b.lastSeq, st.LastSeq)
	return b, nil
}

// batchSeq is the seq a batch file's name gives ("000000000042.json").
func batchSeq(name string) (int64, bool) {
	digits, ok := strings.CutSuffix(name, batchSuffix)
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	return seq, err == nil && seq > 0
}

func rejectedSeq(name string) (int64, bool) {
	batch, ok := strings.CutSuffix(name, rejectedSuffix)
	if !ok {
		return 0, false
	}
	return batchSeq(batch)
}

func (b *buffer) path(seq int64) string {
	return filepath.Join(b.dir, fmt.Sprintf("%012d%s", seq, batchSuffix))
}

// readBatch reads the file of batch seq to count its results.
func (b *buffer) readBatch(seq int64) (batchFile, error) {
	body, err := os.ReadFile(b.path(seq))
	if err != nil {
		return batchFile{}, err
	}
	var bb batchBody
	if err := json.Unmarshal(body, &bb); err != nil {
		return batchFile{}, err
	}
	if bb.Seq != seq {
		return batchFile{}, fmt.Errorf("it holds seq %d", bb.Seq)
	}
	return batchFile{seq: seq, size: int64(len(body)), results: len(bb.Results)}, nil
}

// write adds a batch of results (each already JSON) at the end of the
// queue under the next seq. The seq is recorded in the state file before
// the batch is written, so that it is never handed out again even after
// the batch is sent and deleted. To stay within the bound it first deletes
// the oldest batches not being sent; a batch larger than the whole bound
// is still kept, alone.
func (b *buffer) write(results [][]byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	seq := b.lastSeq + 1
	var body bytes.Buffer
	fmt.Fprintf(&body, `{"seq":%d,"results":[`, seq)
	for i, r := range results {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(r)
	}
	body.WriteString("]}\n")

	st, err := json.Marshal(state{LastSeq: seq})
	if err != nil {
		return fmt.Errorf("agent: encode state: %w", err)
	}
	if err := writeFile(b.dir, stateFile, st); err != nil {
		return err
	}
	b.lastSeq = seq

	size := int64(body.Len())
	var gone, goneResults int
	for i := 0; i < len(b.queue) && b.bytes+size > b.max; {
		f := b.queue[i]
		if f.seq == b.sending {
			i++
			continue
		}
		if err := os.Remove(b.path(f.seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("agent: delete batch %d to keep the buffer within its bound: %w", f.seq, err)
		}
		b.queue = slices.Delete(b.queue, i, i+1)
		b.bytes -= f.size
		b.results -= f.results
		b.dropped += uint64(f.results)
		gone++
		goneResults += f.results
	}
	if gone > 0 {
		b.log.Warn("agent: the buffer is full: the oldest unsent batches were deleted, their results are lost",
			"batches", gone, "results", goneResults, "max_bytes", b.max)
	}

	if err := writeFile(b.dir, filepath.Base(b.path(seq)), body.Bytes()); err != nil {
		return err
	}
	b.queue = append(b.queue, batchFile{seq: seq, size: size, results: len(results)})
	b.bytes += size
	b.results += len(results)
	return nil
}

// next returns the oldest batch and its body, and marks it as being sent
// so that the bound leaves it alone until done, reject or release.
func (b *buffer) next() (batchFile, []byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		return batchFile{}, nil, false, nil
	}
	f := b.queue[0]
	body, err := os.ReadFile(b.path(f.seq))
	if err != nil {
		return f, nil, false, fmt.Errorf("agent: read batch %d: %w", f.seq, err)
	}
	b.sending = f.seq
	return f, body, true, nil
}

// done deletes batch seq, which the tower has.
func (b *buffer) done(seq int64) error {
	return b.remove(seq, func(path string) error { return os.Remove(path) })
}

// reject moves batch seq aside (seq.json.rejected): the tower will never
// take it, and a person may want to read why.
func (b *buffer) reject(seq int64) error {
	return b.remove(seq, func(path string) error { return os.Rename(path, path+rejectedSuffix) })
}

// remove takes batch seq out of the queue and applies fn to its file. The
// batch leaves the queue even if fn fails, so that the queue moves on: a
// file left behind is read again at the next start, and sending it again
// is harmless (the tower takes a seq once).
func (b *buffer) remove(seq int64, fn func(path string) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sending = 0
	i := slices.IndexFunc(b.queue, func(f batchFile) bool { return f.seq == seq })
	if i < 0 {
		return nil
	}
	b.bytes -= b.queue[i].size
	b.results -= b.queue[i].results
	b.queue = slices.Delete(b.queue, i, i+1)
	if err := fn(b.path(seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("agent: batch %d: %w", seq, err)
	}
	return nil
}

// release says the batch being sent was not sent: the bound may take it.
func (b *buffer) release() {
	b.mu.Lock()
	b.sending = 0
	b.mu.Unlock()
}

// atLeast makes the next seq follow seq, the highest the tower has
// accepted from this agent. It is ahead of the buffer only when the buffer
// is not the one the agent used before (deleted, or restored from a copy):
// unsent batches numbered at or below it would then be taken for replays
// and lost, so that is said loudly.
func (b *buffer) atLeast(seq int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if seq <= b.lastSeq {
		return
	}
	if len(b.queue) > 0 {
		b.log.Error("agent: the tower has accepted batches up to a seq this buffer has not reached; "+
			"unsent batches numbered up to it will be taken for replays (is this buffer another agent's, or restored from a copy?)",
			"tower_last_seq", seq, "buffer_last_seq", b.lastSeq, "dir", b.dir)
	}
	b.lastSeq = seq
}

// counts says how many results wait in batch files, and how many the
// bound has deleted.
func (b *buffer) counts() (buffered int, dropped uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.results, b.dropped
}

// saveChecks keeps the tower's last answer to GET /agent/checks, so that
// a restart while the tower is down still probes.
func (b *buffer) saveChecks(body []byte) error {
	return writeFile(b.dir, checksFile, body)
}

// loadChecks is the answer saveChecks kept; nil when there is none.
func (b *buffer) loadChecks() ([]byte, error) {
	body, err := os.ReadFile(filepath.Join(b.dir, checksFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent: read saved assignments: %w", err)
	}
	return body, nil
}

// writeFile replaces dir/name with body atomically and durably: a
// temporary file, synced, renamed over the old one, and the directory
// synced so that the rename survives a power cut.
func writeFile(dir, name string, body []byte) error {
	f, err := os.CreateTemp(dir, tempPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("agent: write %s: %w", name, err)
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("agent: write %s: %w", name, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("agent: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("agent: sync %s: %w", dir, err)
	}
	return nil
}
