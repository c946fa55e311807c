package web

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Loads of one key and version while the value is computed wait for that
// computation: right after a report, every view would otherwise reload
// the same 10,000 rows at once.
func TestVersionedLoadsComputeOnce(t *testing.T) {
	var c versioned[int]
	var computed atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	slow := func() (int, error) {
		if computed.Add(1) == 1 {
			close(started)
			<-release
		}
		return 42, nil
	}
	var wg sync.WaitGroup
	got := make([]int, 8)
	wg.Go(func() { got[0], _ = c.load("all", 1, slow) })
	<-started
	for i := 1; i < len(got); i++ {
		wg.Go(func() { got[i], _ = c.load("all", 1, slow) })
	}
	time.Sleep(50 * time.Millisecond) // the others are waiting by now
	close(release)
	wg.Wait()
	if n := computed.Load(); n != 1 {
		t.Errorf("computed %d times for one version, want once", n)
	}
	for i, v := range got {
		if v != 42 {
			t.Errorf("load %d got %d", i, v)
		}
	}
	if v, _ := c.load("all", 2, func() (int, error) { return 43, nil }); v != 43 {
		t.Errorf("after the version moved: %d, want the value computed again", v)
	}
	if v, _ := c.load("agency 1", 2, func() (int, error) { return 7, nil }); v != 7 {
		t.Errorf("another key: %d", v)
	}
}

// A failure is not kept, and one that panicked does not leave the others
// waiting or give them a zero value: they compute for themselves.
func TestVersionedLoadFailures(t *testing.T) {
	var c versioned[int]
	failed := errors.New("database gone")
	if _, err := c.load("all", 1, func() (int, error) { return 0, failed }); !errors.Is(err, failed) {
		t.Fatalf("the failure: %v", err)
	}
	if v, err := c.load("all", 1, func() (int, error) { return 5, nil }); v != 5 || err != nil {
		t.Errorf("after a failure: %d %v, want computed again", v, err)
	}

	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { recover() }()
		c.load("agency 1", 1, func() (int, error) {
			close(started)
			<-release
			panic("boom")
		})
	})
	<-started
	var waited int
	var waitErr error
	wg.Go(func() { waited, waitErr = c.load("agency 1", 1, func() (int, error) { return 9, nil }) })
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if waited != 9 || waitErr != nil {
		t.Errorf("waiting on a computation that panicked: %d %v, want its own 9", waited, waitErr)
	}
}

// A computation of an older version, finishing after a newer value was
// kept (a request that read the version before a report), does not
// replace it.
func TestVersionedKeepsTheNewer(t *testing.T) {
	var c versioned[int]
	c.load("all", 2, func() (int, error) { return 2, nil })
	if v, _ := c.load("all", 1, func() (int, error) { return 1, nil }); v != 1 {
		t.Errorf("the older version's own value: %d", v)
	}
	if v, _ := c.load("all", 2, func() (int, error) { return -1, nil }); v != 2 {
		t.Errorf("version 2 after an older computation: %d, want the kept 2", v)
	}
}
