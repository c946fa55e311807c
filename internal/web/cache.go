package web

import (
	"errors"
	"sync"
)

// versioned keeps values computed from the database by key (a scope) until
// the version they were computed at moves. Versions are read from the
// database (inventory_state, backup_state), so a change made by another
// tower instance sharing it is seen too. The values are shared between
// requests: whoever gets one must not change it.
type versioned[T any] struct {
	mu      sync.Mutex
	entries map[string]versionedEntry[T]
	flights map[string]*flight[T]
}

type versionedEntry[T any] struct {
	version int64
	value   T
}

// flight is a computation under way, which the loads of the same key and
// version wait for rather than each computing the same value: right after
// a backup report, every view of the backup pages would otherwise reload
// 10,000 systems' latest state at once.
type flight[T any] struct {
	version int64
	done    chan struct{}
	value   T
	err     error
}

// maxVersionedKeys bounds the keys kept: scopes are the ministry and its
// agencies, so more means something other than scopes is used as keys.
const maxVersionedKeys = 256

var errComputePanicked = errors.New("web: a cached value's computation panicked")

// load is the value of key at version: the one kept, or compute's. The
// version must have been read before: a change landing meanwhile then
// makes the value newer than its version, never older, and the next load
// computes again. Loads of the same key and version while one computes
// wait for it; a failure is not kept, and a waiter whose computation
// failed computes for itself (the failure may be the other request's,
// a cancelled context).
func (c *versioned[T]) load(key string, version int64, compute func() (T, error)) (T, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && e.version == version {
		c.mu.Unlock()
		return e.value, nil
	}
	if f, ok := c.flights[key]; ok && f.version == version {
		c.mu.Unlock()
		<-f.done
		if f.err != nil {
			return compute()
		}
		return f.value, nil
	}
	if c.flights == nil {
		c.flights = map[string]*flight[T]{}
	}
	f := &flight[T]{version: version, done: make(chan struct{}), err: errComputePanicked}
	c.flights[key] = f
	c.mu.Unlock()

	defer func() {
		c.mu.Lock()
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		// A slow computation of an older version does not replace a newer
		// value kept meanwhile.
		if e, ok := c.entries[key]; f.err == nil && (!ok || e.version <= version) {
			if c.entries == nil || len(c.entries) >= maxVersionedKeys {
				c.entries = map[string]versionedEntry[T]{}
			}
			c.entries[key] = versionedEntry[T]{version: version, value: f.value}
		}
		c.mu.Unlock()
		close(f.done)
	}()
	f.value, f.err = compute()
	return f.value, f.err
}
