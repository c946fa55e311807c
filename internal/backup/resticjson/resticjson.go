// Package resticjson reads what restic prints with --json — the stream of
// `restic backup --json` or the array of `restic snapshots --json` — and
// turns each snapshot into a backup run the tower takes (docs/backups.md,
// "Reporting runs"). Pure: it reads bytes and a clock, nothing else.
package resticjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"yeonsok/internal/backup"
)

// MaxInput bounds what is read: a backup stream prints a status line a few
// times a second, so a run of hours is some megabytes; a repository's
// snapshot list of years is less.
const MaxInput = 64 << 20

// shortID is the length of the id restic shows everywhere (short_id), and
// the only id the backup summary of restic before 0.17 carries.
const shortID = 8

// Snapshot is what the tower needs of one restic snapshot.
type Snapshot struct {
	// ID is the snapshot's short id (its first 8 hex digits), whichever
	// output it came from: the summary of restic 0.14 has only that, so the
	// same snapshot read from either output has the same key.
	ID         string
	Start, End time.Time
	// EndKnown is false when restic said nothing of the end (snapshots of
	// restic before 0.17): End is then Start.
	EndKnown       bool
	Hostname       string
	Paths          []string
	BytesProcessed *int64 // what a restore brings back
	DataAdded      *int64 // what the repository grew by
	// Files counts new, changed and unmodified files; known from a backup
	// summary only.
	FilesNew, FilesChanged, FilesUnmodified *int64
}

// summary is the last line of `restic backup --json`. backup_start and
// backup_end appear in later restic (added upstream on 2024-11-01, after
// 0.17.2, so 0.18); before that the summary says how long the backup took
// but not when.
type summary struct {
	MessageType     string     `json:"message_type"`
	SnapshotID      string     `json:"snapshot_id"`
	FilesNew        *int64     `json:"files_new"`
	FilesChanged    *int64     `json:"files_changed"`
	FilesUnmodified *int64     `json:"files_unmodified"`
	DataAdded       *int64     `json:"data_added"`
	BytesProcessed  *int64     `json:"total_bytes_processed"`
	TotalDuration   float64    `json:"total_duration"` // seconds
	BackupStart     *time.Time `json:"backup_start"`
	BackupEnd       *time.Time `json:"backup_end"`
	DryRun          bool       `json:"dry_run"`
}

// listed is one snapshot of `restic snapshots --json`. Its time is when
// the backup began; restic 0.17 and later add the backup's summary.
type listed struct {
	ID       string    `json:"id"`
	ShortID  string    `json:"short_id"`
	Time     time.Time `json:"time"`
	Hostname string    `json:"hostname"`
	Paths    []string  `json:"paths"`
	Summary  *struct {
		BackupStart    *time.Time `json:"backup_start"`
		BackupEnd      *time.Time `json:"backup_end"`
		BytesProcessed *int64     `json:"total_bytes_processed"`
		DataAdded      *int64     `json:"data_added"`
	} `json:"summary"`
}

// Parse reads restic's JSON output: a JSON array is the output of
// `restic snapshots --json`, anything else the stream of
// `restic backup --json`, one JSON object a line, of which the summary
// lines count. now is when the stream was read: with a summary that does
// not say when the backup ended (restic before 0.18), the backup is taken
// to have ended now and begun total_duration earlier — so the stream is
// to be read as restic finishes, piped or right after.
func Parse(r io.Reader, now time.Time) ([]Snapshot, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, fmt.Errorf("restic output: %w", err)
	}
	if len(data) > MaxInput {
		return nil, fmt.Errorf("restic output: more than %d MiB", MaxInput>>20)
	}
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return nil, errors.New("restic output: empty (give the standard output of `restic backup --json` or `restic snapshots --json`)")
	case data[0] == '[':
		return parseSnapshots(data)
	}
	return parseStream(data, now)
}

func parseSnapshots(data []byte) ([]Snapshot, error) {
	var list []listed
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("restic snapshots: not the JSON of `restic snapshots --json`: %w", err)
	}
	out := make([]Snapshot, 0, len(list))
	for i, l := range list {
		id := l.ShortID
		if id == "" {
			id = l.ID
		}
		if len(id) < shortID || l.Time.IsZero() {
			return nil, fmt.Errorf("restic snapshots: snapshot %d has no id or no time", i+1)
		}
		s := Snapshot{ID: id[:shortID], Start: l.Time, End: l.Time, Hostname: l.Hostname, Paths: l.Paths}
		if sum := l.Summary; sum != nil {
			if sum.BackupStart != nil {
				s.Start = *sum.BackupStart
			}
			if sum.BackupEnd != nil {
				s.End, s.EndKnown = *sum.BackupEnd, true
			}
			s.BytesProcessed, s.DataAdded = sum.BytesProcessed, sum.DataAdded
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("restic snapshots: the repository lists no snapshot")
	}
	return out, nil
}

func parseStream(data []byte, now time.Time) ([]Snapshot, error) {
	var out []Snapshot
	lines := bufio.NewScanner(bytes.NewReader(data))
	lines.Buffer(nil, MaxInput)
	for n := 1; lines.Scan(); n++ {
		line := bytes.TrimSpace(lines.Bytes())
		if len(line) == 0 {
			continue
		}
		var m summary
		if line[0] != '{' || json.Unmarshal(line, &m) != nil {
			return nil, fmt.Errorf("restic backup: line %d is not a JSON object: %q (give restic's standard output alone, not 2>&1)",
				n, clip(string(line), 80))
		}
		if m.MessageType == "" {
			return nil, fmt.Errorf("restic backup: line %d has no message_type: not the output of `restic backup --json`", n)
		}
		// Status lines come a few times a second, verbose_status per file;
		// only the summary says what was saved.
		if m.MessageType != "summary" {
			continue
		}
		if m.DryRun || m.SnapshotID == "" {
			return nil, fmt.Errorf("restic backup: the summary on line %d names no snapshot (a --dry-run saves none)", n)
		}
		if len(m.SnapshotID) < shortID {
			return nil, fmt.Errorf("restic backup: the summary on line %d has snapshot id %q, shorter than restic's %d digits", n, m.SnapshotID, shortID)
		}
		s := Snapshot{ID: m.SnapshotID[:shortID], BytesProcessed: m.BytesProcessed, DataAdded: m.DataAdded,
			FilesNew: m.FilesNew, FilesChanged: m.FilesChanged, FilesUnmodified: m.FilesUnmodified}
		took := time.Duration(m.TotalDuration * float64(time.Second))
		s.End = now
		if m.BackupEnd != nil {
			s.End, s.EndKnown = *m.BackupEnd, true
		}
		s.Start = s.End.Add(-took)
		if m.BackupStart != nil {
			s.Start = *m.BackupStart
		}
		out = append(out, s)
	}
	if err := lines.Err(); err != nil {
		return nil, fmt.Errorf("restic backup: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("restic backup: no summary line (message_type \"summary\"): restic did not finish the backup, so it saved no snapshot")
	}
	return out, nil
}

// Options are what restic does not know: the tower's system, where the
// repository is, and how the backup went.
type Options struct {
	SystemID   int64
	FacilityID int64
	Medium     string
	// Result is success, or partial when restic exited 3 (some files could
	// not be read; the snapshot holds the rest). The JSON does not say.
	Result string
}

// Key is the tower's key for a snapshot: the same snapshot sent again, by
// either output, is the same run.
func Key(s Snapshot) string { return "restic:" + s.ID }

// Runs turns snapshots into the runs the tower takes.
//
// Kind is full: a restic snapshot restores completely by itself (`restic
// restore <id>` needs no other snapshot; deduplication saves space, not
// restore steps), which is what a full backup is to the plan's weekly
// check — the tower counts only full runs there. The kind "snapshot" is the
// tower's name for a replication snapshot (storage or VM), something else.
func Runs(snapshots []Snapshot, o Options) []backup.Run {
	runs := make([]backup.Run, 0, len(snapshots))
	for _, s := range snapshots {
		runs = append(runs, backup.Run{
			SystemID:  o.SystemID,
			Key:       Key(s),
			Kind:      backup.KindFull,
			StartedAt: s.Start,
			EndedAt:   s.End,
			SizeBytes: s.BytesProcessed,
			Result:    o.Result,
			Copy:      backup.Copy{FacilityID: o.FacilityID, Medium: o.Medium},
			Note:      note(s),
		})
	}
	return runs
}

// note says in a line what the snapshot is, for people reading the runs.
func note(s Snapshot) string {
	parts := []string{"restic snapshot " + s.ID}
	if len(s.Paths) > 0 {
		where := strings.Join(s.Paths, ", ")
		if s.Hostname != "" {
			where = s.Hostname + ":" + where
		}
		parts = append(parts, clip(where, 500))
	}
	if s.FilesNew != nil && s.FilesChanged != nil && s.FilesUnmodified != nil {
		parts = append(parts, fmt.Sprintf("files %d new, %d changed, %d unmodified", *s.FilesNew, *s.FilesChanged, *s.FilesUnmodified))
	}
	if s.DataAdded != nil {
		parts = append(parts, fmt.Sprintf("%d bytes added to the repository", *s.DataAdded))
	}
	// A snapshot listed by restic before 0.17 has only its start.
	if !s.EndKnown && s.End.Equal(s.Start) {
		parts = append(parts, "end not reported by restic, recorded as the start")
	}
	return strings.Join(parts, "; ")
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
