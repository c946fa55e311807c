package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/monitor"
)

func TestMain(m *testing.M) {
	// The contract's waits (1 s, up to 30 s) would make every outage test
	// take minutes.
	retryFirst, retryMax = 20*time.Millisecond, 100*time.Millisecond
	os.Exit(m.Run())
}

// fakeTower answers the agent API as the tower's contract states it, and
// no more: the real handler lives in internal/web.
type fakeTower struct {
	srv   *httptest.Server
	token string

	mu       sync.Mutex
	checks   []monitor.Check
	lastSeq  int64          // the highest seq accepted, as the tower reports it
	accepted map[int64]bool // every seq accepted
	order    []int64        // seqs in the order they were accepted
	results  []monitor.Result
	replays  []int64        // seqs answered accepted=false
	refuse   map[int64]bool // seqs answered 400
	// mode: "" answers; "down" answers 503 to everything; "results-down"
	// answers 503 to results only; "hangup" closes every connection
	// unanswered; "lose" accepts the next batch and hangs up, as when the
	// answer is lost on the way, then answers again.
	mode string
}

func newFakeTower(t *testing.T, checks []monitor.Check) *fakeTower {
	ft := &fakeTower{token: "ysk_agent_busan", checks: checks, accepted: map[int64]bool{}, refuse: map[int64]bool{}}
	ft.srv = httptest.NewServer(ft)
	t.Cleanup(ft.srv.Close)
	return ft
}

func (ft *fakeTower) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+ft.token {
		answerError(w, http.StatusUnauthorized, "unauthorized", "a valid API token is required")
		return
	}
	ft.mu.Lock()
	defer ft.mu.Unlock()
	switch ft.mode {
	case "down":
		answerError(w, http.StatusServiceUnavailable, "unavailable", "the tower is restarting")
		return
	case "hangup":
		hangup(w)
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /api/v1/agent/checks":
		json.NewEncoder(w).Encode(map[string]any{
			"agent":          map[string]any{"id": 1, "name": "busan", "site": "부산 백업센터"},
			"last_batch_seq": ft.lastSeq,
			"checks":         ft.checks,
		})
	case "POST /api/v1/agent/results":
		if ft.mode == "results-down" {
			answerError(w, http.StatusServiceUnavailable, "unavailable", "the tower is restarting")
			return
		}
		var batch struct {
			Seq     int64            `json:"seq"`
			Results []monitor.Result `json:"results"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&batch); err != nil || batch.Seq <= 0 ||
			len(batch.Results) > 1000 || ft.refuse[batch.Seq] {
			answerError(w, http.StatusBadRequest, "invalid", "the batch is not valid")
			return
		}
		if ft.accepted[batch.Seq] {
			ft.replays = append(ft.replays, batch.Seq)
			json.NewEncoder(w).Encode(map[string]any{"accepted": false, "taken": 0, "ignored": 0})
			return
		}
		ft.accepted[batch.Seq] = true
		ft.lastSeq = max(ft.lastSeq, batch.Seq)
		ft.order = append(ft.order, batch.Seq)
		ft.results = append(ft.results, batch.Results...)
		if ft.mode == "lose" {
			ft.mode = ""
			hangup(w)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"accepted": true, "taken": len(batch.Results), "ignored": 0})
	default:
		answerError(w, http.StatusNotFound, "not_found", "no such page")
	}
}

func answerError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// hangup closes the connection without an answer.
func hangup(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func (ft *fakeTower) setMode(mode string) {
	ft.mu.Lock()
	ft.mode = mode
	ft.mu.Unlock()
}

// snapshot is what the tower has received so far.
func (ft *fakeTower) snapshot() (order []int64, results []monitor.Result, replays []int64) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return slices.Clone(ft.order), slices.Clone(ft.results), slices.Clone(ft.replays)
}

// target is an endpoint to probe that counts the requests per path.
type target struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newTarget(t *testing.T) *target {
	tg := &target{hits: map[string]int{}}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.mu.Lock()
		tg.hits[r.URL.Path]++
		tg.mu.Unlock()
		io.WriteString(w, "service OK")
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

func (tg *target) hitsOf(id int64) int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.hits[fmt.Sprintf("/c%d", id)]
}

// checks are n HTTP checks of the target, probed every interval.
func (tg *target) checks(n int, interval time.Duration) []monitor.Check {
	var list []monitor.Check
	for i := 1; i <= n; i++ {
		list = append(list, monitor.Check{ID: int64(i), SystemID: int64(i), Kind: monitor.KindHTTP, Active: true,
			Target: fmt.Sprintf("%s/c%d", tg.srv.URL, i), Interval: interval, Timeout: time.Second})
	}
	return list
}

// syncBuffer collects the agent's log for the test to read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is an agent under test.
type running struct {
	t     *testing.T
	agent *Agent
	log   *syncBuffer
	stop  func() Stats
}

// startAgent runs an agent against the tower with short intervals; edit
// changes its options first.
func startAgent(t *testing.T, ft *fakeTower, dir string, edit func(*Options)) *running {
	t.Helper()
	logs := &syncBuffer{}
	opt := Options{
		Tower:        ft.srv.URL,
		Token:        ft.token,
		BufferDir:    dir,
		BatchEvery:   50 * time.Millisecond,
		RefreshEvery: 200 * time.Millisecond,
		DrainFor:     time.Second,
		Tick:         20 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&opt)
	}
	a, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("agent log:\n" + logs.String())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	r := &running{t: t, agent: a, log: logs}
	r.stop = func() Stats {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return 5 s after its context ended")
		}
		return a.Stats()
	}
	t.Cleanup(func() { cancel() })
	return r
}

// waitFor polls cond until it holds, failing the test after 3 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// onDisk lists the seqs of the batch files in dir and their bytes
// together.
func onDisk(t *testing.T, dir string) (seqs []int64, size int64) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if seq, ok := batchSeq(e.Name()); ok {
			info, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, seq)
			size += info.Size()
		}
	}
	slices.Sort(seqs)
	return seqs, size
}

// wantInOrderOnce checks that every batch arrived once and in order (the
// seqs the tower accepted are from..to without a gap, except skip), and
// every result once and in order: per check, due times strictly increase
// in the order the tower received them, and no check has more results
// than its target had requests.
func wantInOrderOnce(t *testing.T, ft *fakeTower, tg *target, from int64, skip ...int64) []monitor.Result {
	t.Helper()
	order, results, _ := ft.snapshot()
	var want []int64
	for seq := from; len(order) > 0 && seq <= order[len(order)-1]; seq++ {
		if !slices.Contains(skip, seq) {
			want = append(want, seq)
		}
	}
	if !slices.Equal(order, want) {
		t.Fatalf("the tower accepted batches %v, want %v", order, want)
	}
	last := map[int64]time.Time{}
	count := map[int64]int{}
	for _, r := range results {
		if !r.Due.After(last[r.CheckID]) {
			t.Fatalf("check %d: a result due %s arrived after one due %s", r.CheckID, r.Due, last[r.CheckID])
		}
		last[r.CheckID] = r.Due
		count[r.CheckID]++
		if r.Vantage != "busan" || !r.OK {
			t.Fatalf("result %+v: want vantage busan, up", r)
		}
	}
	for id, n := range count {
		if hits := tg.hitsOf(id); n > hits {
			t.Fatalf("check %d: %d results from %d requests", id, n, hits)
		}
	}
	return results
}

func TestResultsReachTheTowerInOrderOnce(t *testing.T) {
	tg := newTarget(t)
	ft := newFakeTower(t, tg.checks(3, 100*time.Millisecond))
	dir := t.TempDir()
	r := startAgent(t, ft, dir, nil)
	waitFor(t, "30 results at the tower", func() bool { _, res, _ := ft.snapshot(); return len(res) >= 30 })
	st := r.stop()

	results := wantInOrderOnce(t, ft, tg, 1)
	_, _, replays := ft.snapshot()
	if uint64(len(results)) != st.Produced || st.Sent != st.Produced || st.Buffered != 0 || st.Dropped != 0 ||
		st.Duplicates != uint64(len(replays)) {
		t.Fatalf("the tower has %d results, replays %v; stats %+v: want every result produced sent, none left", len(results), replays, st)
	}
	// Each check's results, one per request its target saw — but for a
	// probe cut short by the stop, whose result is dropped.
	for id := int64(1); id <= 3; id++ {
		n := 0
		for _, res := range results {
			if res.CheckID == id {
				n++
			}
		}
		if hits := tg.hitsOf(id); n < 5 || hits-n > 1 {
			t.Errorf("check %d: %d results at the tower from %d requests", id, n, hits)
		}
	}
	if seqs, _ := onDisk(t, dir); len(seqs) != 0 {
		t.Errorf("batches %v left in the buffer after they were sent", seqs)
	}
}

func TestOutageBuffersOnDiskThenDeliversInOrder(t *testing.T) {
	tg := newTarget(t)
	ft := newFakeTower(t, tg.checks(3, 100*time.Millisecond))
	dir := t.TempDir()
	r := startAgent(t, ft, dir, nil)
	waitFor(t, "a first batch at the tower", func() bool { order, _, _ := ft.snapshot(); return len(order) > 0 })

	ft.setMode("down")
	waitFor(t, "3 batches on disk while the tower answers 503", func() bool { seqs, _ := onDisk(t, dir); return len(seqs) >= 3 })
	ft.setMode("hangup")
	waitFor(t, "6 batches on disk while the tower hangs up", func() bool { seqs, _ := onDisk(t, dir); return len(seqs) >= 6 })
	seqs, _ := onDisk(t, dir)
	if order, _, _ := ft.snapshot(); order[len(order)-1] >= seqs[0] {
		t.Fatalf("the tower has batch %d, yet batch %d is still on disk", order[len(order)-1], seqs[0])
	}
	// The tower comes back, and the answer to the first batch it takes is
	// lost: the agent sends that batch again.
	ft.setMode("lose")
	waitFor(t, "the buffer sent", func() bool {
		order, _, _ := ft.snapshot()
		return len(order) > 0 && order[len(order)-1] >= seqs[len(seqs)-1]
	})
	st := r.stop()

	results := wantInOrderOnce(t, ft, tg, 1)
	_, _, replays := ft.snapshot()
	if len(replays) != 1 || replays[0] != seqs[0] || st.Duplicates != 1 {
		t.Errorf("replays at the tower %v, %d duplicates counted; want batch %d, once", replays, st.Duplicates, seqs[0])
	}
	if uint64(len(results)) != st.Produced || st.Sent != st.Produced || st.Buffered != 0 {
		t.Errorf("the tower has %d results; stats %+v", len(results), st)
	}
	if left, _ := onDisk(t, dir); len(left) != 0 {
		t.Errorf("batches %v left in the buffer", left)
	}
}

func TestRestartKeepsSeqIncreasing(t *testing.T) {
	tg := newTarget(t)
	ft := newFakeTower(t, tg.checks(2, 100*time.Millisecond))
	dir := t.TempDir()

	first := startAgent(t, ft, dir, nil)
	waitFor(t, "2 batches at the tower", func() bool { order, _, _ := ft.snapshot(); return len(order) >= 2 })
	first.stop()
	order, _, _ := ft.snapshot()
	sent := order[len(order)-1]
	var st state
	body, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err == nil {
		err = json.Unmarshal(body, &st)
	}
	if err != nil || st.LastSeq != sent {
		t.Fatalf("state file: %s (%v), want last_seq %d", body, err, sent)
	}

	// Restarted while the tower is down: it probes with the saved
	// assignments, numbering on from the state file though no batch file
	// is left.
	ft.setMode("down")
	second := startAgent(t, ft, dir, func(o *Options) { o.DrainFor = 100 * time.Millisecond })
	waitFor(t, "2 batches on disk", func() bool { seqs, _ := onDisk(t, dir); return len(seqs) >= 2 })
	st2 := second.stop()
	seqs, _ := onDisk(t, dir)
	if seqs[0] != sent+1 || st2.Produced == 0 || st2.Buffered == 0 || st2.Sent != 0 {
		t.Fatalf("after a restart with the tower down: batches %v on disk (want from %d), stats %+v", seqs, sent+1, st2)
	}

	// The tower is back: the next start sends the buffer, in order.
	ft.setMode("")
	third := startAgent(t, ft, dir, nil)
	waitFor(t, "the buffer sent", func() bool { left, _ := onDisk(t, dir); return len(left) == 0 })
	third.stop()
	wantInOrderOnce(t, ft, tg, 1)

	// A buffer that is gone (a new disk): the tower's last_batch_seq
	// keeps the numbering going.
	ft.mu.Lock()
	ft.lastSeq = 1000
	before := len(ft.order)
	ft.mu.Unlock()
	fourth := startAgent(t, ft, t.TempDir(), nil)
	waitFor(t, "a batch from the new buffer", func() bool { order, _, _ := ft.snapshot(); return len(order) > before })
	fourth.stop()
	order, _, replays := ft.snapshot()
	if order[before] != 1001 || len(replays) != 0 {
		t.Fatalf("the first batch from a new buffer was %d (want 1001), replays %v (want none)", order[before], replays)
	}
}

func TestRefreshTakesNewAssignments(t *testing.T) {
	tg := newTarget(t)
	checks := tg.checks(2, 100*time.Millisecond)
	ft := newFakeTower(t, checks[:1])
	dir := t.TempDir()
	r := startAgent(t, ft, dir, nil)
	waitFor(t, "results of check 1", func() bool { _, res, _ := ft.snapshot(); return len(res) > 0 })
	ft.mu.Lock()
	ft.checks = checks[1:]
	ft.mu.Unlock()
	waitFor(t, "results of check 2 at the tower", func() bool {
		_, res, _ := ft.snapshot()
		return slices.ContainsFunc(res, func(r monitor.Result) bool { return r.CheckID == 2 })
	})
	time.Sleep(300 * time.Millisecond) // check 1's last probe, if one was in flight, is over
	hits := tg.hitsOf(1)
	time.Sleep(300 * time.Millisecond)
	if now := tg.hitsOf(1); now != hits {
		t.Errorf("check 1 was probed %d times after the tower took it away", now-hits)
	}
	r.stop()
	wantInOrderOnce(t, ft, tg, 1)
	saved, err := os.ReadFile(filepath.Join(dir, checksFile))
	var as assignment
	if err == nil {
		err = json.Unmarshal(saved, &as)
	}
	if err != nil || len(as.Checks) != 1 || as.Checks[0].ID != 2 || as.Agent.Name != "busan" {
		t.Errorf("saved assignments: %s (%v), want check 2 alone", saved, err)
	}
}

func TestBoundDropsTheOldestBatches(t *testing.T) {
	tg := newTarget(t)
	ft := newFakeTower(t, tg.checks(5, 50*time.Millisecond))
	ft.setMode("results-down")
	dir := t.TempDir()
	const bound = 4000
	r := startAgent(t, ft, dir, func(o *Options) {
		o.MaxBufferBytes = bound
		o.DrainFor = 100 * time.Millisecond
	})
	waitFor(t, "50 results dropped", func() bool { return r.agent.Stats().Dropped >= 50 })
	st := r.stop()

	seqs, size := onDisk(t, dir)
	if size > bound {
		t.Errorf("%d bytes of batches on disk, bound %d", size, bound)
	}
	// Kept: the newest batches, in a row up to the last one written — bar
	// perhaps the oldest kept, spared while it was being sent.
	last := r.agent.buf.lastSeq
	row := seqs
	if len(row) > 1 && row[1]-row[0] > 1 {
		row = row[1:]
	}
	if len(row) == 0 || row[len(row)-1] != last || row[len(row)-1]-row[0] != int64(len(row)-1) || int64(len(seqs)) >= last {
		t.Errorf("batches on disk: %v of 1..%d, want the newest ones", seqs, last)
	}
	if st.Sent != 0 || st.Produced != uint64(st.Buffered)+st.Dropped {
		t.Errorf("stats %+v: want every result produced either buffered or dropped", st)
	}
	if !strings.Contains(r.log.String(), "the buffer is full") {
		t.Errorf("no warning of deleted batches in the log:\n%s", r.log.String())
	}

	reopened, err := openBuffer(dir, bound, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := reopened.counts(); got != st.Buffered {
		t.Errorf("a restart finds %d results buffered, the stop left %d", got, st.Buffered)
	}

	// What was kept, and only that, reaches the tower.
	ft.setMode("")
	again := startAgent(t, ft, dir, nil)
	waitFor(t, "the kept batches sent", func() bool {
		order, _, _ := ft.snapshot()
		return len(order) >= len(seqs)
	})
	again.stop()
	order, _, _ := ft.snapshot()
	if !slices.Equal(order[:len(seqs)], seqs) {
		t.Errorf("the tower accepted %v first, want the kept batches %v", order[:len(seqs)], seqs)
	}
}

func TestRefusedBatchIsMovedAside(t *testing.T) {
	tg := newTarget(t)
	ft := newFakeTower(t, tg.checks(2, 100*time.Millisecond))
	ft.refuse[2] = true
	dir := t.TempDir()
	r := startAgent(t, ft, dir, nil)
	waitFor(t, "batch 4 at the tower", func() bool { order, _, _ := ft.snapshot(); return slices.Contains(order, 4) })
	st := r.stop()

	results := wantInOrderOnce(t, ft, tg, 1, 2)
	body, err := os.ReadFile(filepath.Join(dir, "000000000002.json.rejected"))
	if err != nil {
		t.Fatalf("the refused batch was not moved aside: %v", err)
	}
	var refused batchBody
	if err := json.Unmarshal(body, &refused); err != nil || refused.Seq != 2 || len(refused.Results) == 0 {
		t.Fatalf("the refused batch holds %s (%v)", body, err)
	}
	if st.Rejected != uint64(len(refused.Results)) || st.Sent != uint64(len(results)) || st.Produced != st.Sent+st.Rejected {
		t.Errorf("stats %+v; the refused batch holds %d results, the tower has %d", st, len(refused.Results), len(results))
	}
	if !strings.Contains(r.log.String(), "refused a batch for good") {
		t.Errorf("the refusal is not in the log:\n%s", r.log.String())
	}
	// A refused batch's seq is not handed out again.
	again, err := openBuffer(dir, DefaultMaxBufferBytes, slog.New(slog.DiscardHandler))
	if err != nil || again.lastSeq < 4 {
		t.Errorf("reopened buffer: last seq %d (%v), want at least 4", again.lastSeq, err)
	}
}

func TestWrongTokenWithoutSavedAssignmentsStopsTheStart(t *testing.T) {
	ft := newFakeTower(t, nil)
	a, err := New(Options{Tower: ft.srv.URL, Token: "ysk_wrong", BufferDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.Run(ctx); err == nil || !strings.Contains(err.Error(), "401") || ctx.Err() != nil {
		t.Fatalf("Run with a wrong token: %v, want the tower's 401 at once", err)
	}
}

func TestTowerWithPrivateCA(t *testing.T) {
	tg := newTarget(t)
	ft := &fakeTower{token: "ysk_agent_busan", checks: tg.checks(1, 100*time.Millisecond), accepted: map[int64]bool{}, refuse: map[int64]bool{}}
	ft.srv = httptest.NewTLSServer(ft)
	t.Cleanup(ft.srv.Close)
	ca := filepath.Join(t.TempDir(), "tower-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ft.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startAgent(t, ft, t.TempDir(), func(o *Options) { o.CAFile = ca })
	waitFor(t, "a batch over HTTPS", func() bool { order, _, _ := ft.snapshot(); return len(order) > 0 })
	r.stop()

	if _, err := New(Options{Tower: ft.srv.URL, Token: "t", BufferDir: t.TempDir(), CAFile: filepath.Join(t.TempDir(), "missing.pem")}); err == nil {
		t.Error("New accepted a CA file that does not exist")
	}
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	if _, err := New(Options{Tower: ft.srv.URL, Token: "t", BufferDir: t.TempDir(), CAFile: notPEM}); err == nil {
		t.Error("New accepted a CA file with no certificate")
	}
}
