package web

import "sync"

// versioned keeps values computed from the database by key (a scope) until
// the version they were computed at moves. Versions are read from the
// database (inventory_state, backup_state), so a change made by another
// tower instance sharing it is seen too. The values are shared between
// requests: whoever gets one must not change it.
type versioned[T any] struct {
	mu      sync.Mutex
	entries map[string]versionedEntry[T]
}

type versionedEntry[T any] struct {
	version int64
	value   T
}

// maxVersionedKeys bounds the keys kept: scopes are the ministry and its
// agencies, so more means something other than scopes is used as keys.
const maxVersionedKeys = 256

// get is the value of key at version, and whether it was kept.
func (c *versioned[T]) get(key string, version int64) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.version != version {
		var zero T
		return zero, false
	}
	return e.value, true
}

// put keeps value as key's at version. The version must have been read
// before the value: a change landing between the two then makes the value
// newer than its version, never older, and the next get computes again.
func (c *versioned[T]) put(key string, version int64, value T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxVersionedKeys {
		c.entries = map[string]versionedEntry[T]{}
	}
	c.entries[key] = versionedEntry[T]{version: version, value: value}
}
