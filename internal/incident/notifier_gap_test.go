package incident

import (
	"testing"
	"time"
)

// The cursor passes the entries handled, waits for an id missing between
// them (a PostgreSQL transaction that took it may still commit), and gives
// it up after GapWait (its transaction rolled back).
func TestNotifierCursorWaitsForGaps(t *testing.T) {
	n := &Notifier{GapWait: time.Minute, cursor: 10, seen: map[int64]bool{}, gaps: map[int64]time.Time{}}
	now := time.Date(2025, 9, 26, 5, 0, 0, 0, time.UTC)
	n.seen[11], n.seen[13] = true, true // 12 not committed yet
	n.advance(now)
	if n.cursor != 11 || !n.seen[13] {
		t.Fatalf("cursor %d, seen %v: want 11 with 13 kept", n.cursor, n.seen)
	}
	n.advance(now.Add(30 * time.Second))
	if n.cursor != 11 {
		t.Fatalf("gave up on 12 after 30 s: cursor %d", n.cursor)
	}
	// 12 commits and is read.
	n.seen[12] = true
	n.advance(now.Add(40 * time.Second))
	if n.cursor != 13 || len(n.seen) != 0 {
		t.Fatalf("cursor %d, seen %v: want 13, nothing left", n.cursor, n.seen)
	}
	// 14 never comes: after GapWait the cursor passes it.
	n.seen[15] = true
	n.advance(now)
	n.advance(now.Add(59 * time.Second))
	if n.cursor != 13 {
		t.Fatalf("cursor %d before GapWait, want 13", n.cursor)
	}
	n.advance(now.Add(61 * time.Second))
	if n.cursor != 15 || len(n.gaps) != 0 {
		t.Fatalf("cursor %d, gaps %v after GapWait: want 15, none", n.cursor, n.gaps)
	}
}

func TestIncidentOfMessage(t *testing.T) {
	for id, want := range map[string]int64{
		messageID(42, 7, 3, "email"): 42,
		"incident-x-event-1":         0,
		"task-42":                    0,
	} {
		if got := incidentOfMessage(id); got != want {
			t.Errorf("%q: %d, want %d", id, got, want)
		}
	}
}
