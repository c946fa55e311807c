package resticjson_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/backup"
	"yeonsok/internal/backup/resticjson"
	"yeonsok/internal/backup/resticjson/restictest"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{8}$`)

// The real restic backs up a real folder twice; both its outputs read as
// the same two snapshots, with the same keys, and make runs the tower
// takes.
func TestParseRealRestic(t *testing.T) {
	repo := restictest.New(t)
	dir := restictest.Folder(t, 1000, 50000)
	before := time.Now()

	first := repo.Backup(dir)
	read := time.Now()
	got, err := resticjson.Parse(bytes.NewReader(first), read)
	if err != nil {
		t.Fatalf("%v\n%s", err, first)
	}
	if len(got) != 1 {
		t.Fatalf("%d snapshots from one backup", len(got))
	}
	s := got[0]
	if !hexID.MatchString(s.ID) || s.BytesProcessed == nil || *s.BytesProcessed != 51000 || s.FilesNew == nil || *s.FilesNew != 2 {
		t.Errorf("first backup: %+v", s)
	}
	// restic 0.14 does not say when: the end is when it was read, the start
	// the backup's duration before.
	if !s.End.Equal(read) && !s.EndKnown || s.Start.After(s.End) || s.Start.Before(before.Add(-time.Second)) {
		t.Errorf("first backup from %s to %s, read at %s, begun after %s", s.Start, s.End, read, before)
	}

	if err := os.WriteFile(filepath.Join(dir, "filea.dat"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := resticjson.Parse(bytes.NewReader(repo.Backup(dir)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c := second[0].FilesChanged; c == nil || *c != 1 || second[0].ID == s.ID {
		t.Errorf("second backup: %+v", second[0])
	}

	listedOut := repo.Snapshots()
	listed, err := resticjson.Parse(bytes.NewReader(listedOut), time.Now())
	if err != nil {
		t.Fatalf("%v\n%s", err, listedOut)
	}
	if len(listed) != 2 {
		t.Fatalf("%d snapshots listed, want 2:\n%s", len(listed), listedOut)
	}
	keys := map[string]bool{}
	for _, l := range listed {
		keys[resticjson.Key(l)] = true
		if l.Start.Before(before.Add(-time.Second)) || l.Start.After(time.Now()) || l.End.Before(l.Start) || len(l.Paths) != 1 {
			t.Errorf("listed snapshot: %+v", l)
		}
	}
	if !keys[resticjson.Key(s)] || !keys[resticjson.Key(second[0])] {
		t.Errorf("the listed snapshots have keys %v; the backups printed %s and %s", keys, resticjson.Key(s), resticjson.Key(second[0]))
	}

	opts := resticjson.Options{SystemID: 7, FacilityID: 3, Medium: backup.MediumOnline, Result: backup.ResultSuccess}
	for name, snaps := range map[string][]resticjson.Snapshot{"backup": got, "snapshots": listed} {
		for _, r := range resticjson.Runs(snaps, opts) {
			if err := r.Validate(time.Now()).Err(); err != nil {
				t.Errorf("%s: run %+v: %v", name, r, err)
			}
			if r.Kind != backup.KindFull || !strings.HasPrefix(r.Key, "restic:") || !strings.Contains(r.Note, r.Key[len("restic:"):]) {
				t.Errorf("%s: run %+v", name, r)
			}
		}
	}
}

// What is not restic's JSON output, or is one that saved nothing, is
// refused with the reason.
func TestParseRefuses(t *testing.T) {
	repo := restictest.New(t)
	stream := repo.Backup(restictest.Folder(t, 100))
	lines := strings.Split(strings.TrimSpace(string(stream)), "\n")
	withoutSummary := strings.Join(lines[:len(lines)-1], "\n")
	cut := strings.Join(lines[:len(lines)-1], "\n") + "\n" + lines[len(lines)-1][:20]
	warned := string(stream) + "Warning: at least one source file could not be read\n"
	for name, tc := range map[string]struct{ input, want string }{
		"empty":                    {"", "empty"},
		"a line cut short":         {cut, "line " + strconv.Itoa(len(lines)) + " is not a JSON object"},
		"stderr mixed in":          {warned, "not 2>&1"},
		"no summary":               {withoutSummary, "no summary line"},
		"not restic's":             {`{"runs":[]}`, "no message_type"},
		"a snapshot list cut":      {string(repo.Snapshots())[:30], "not the JSON of `restic snapshots --json`"},
		"an empty repository list": {"[]", "no snapshot"},
	} {
		_, err := resticjson.Parse(strings.NewReader(tc.input), time.Now())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// Newer restic says when a backup began and ended: the summary of
// `restic backup --json` (backup_start, backup_end, upstream since after
// 0.17.2) and each snapshot of `restic snapshots --json` (its summary,
// since 0.17). This machine has restic 0.14, so these are hand-written in
// the documented shape, not captured: the times come from restic, not from
// when the output was read, and a full snapshot id is cut to restic's 8
// digits so that both outputs give the same key.
func TestParseNewerRestic(t *testing.T) {
	const id = "4d6f4b3c2a1908f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a3928170"
	start, end := time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 1, 42, 30, 0, time.UTC)
	stream := `{"message_type":"status","percent_done":0.5,"total_files":3,"files_done":1}
{"message_type":"summary","files_new":3,"files_changed":0,"files_unmodified":0,"data_added":1200,"total_bytes_processed":51000,` +
		`"total_duration":2550.0,"backup_start":"2026-12-06T01:00:00Z","backup_end":"2026-12-06T01:42:30Z","snapshot_id":"` + id + `"}
`
	list := `[{"time":"2026-12-06T01:00:00Z","hostname":"db1","paths":["/srv/data"],"id":"` + id + `","short_id":"4d6f4b3c",` +
		`"summary":{"backup_start":"2026-12-06T01:00:00Z","backup_end":"2026-12-06T01:42:30Z","total_bytes_processed":51000,"data_added":1200}}]`
	readLater := end.Add(5 * time.Hour)
	for name, out := range map[string]string{"backup": stream, "snapshots": list} {
		got, err := resticjson.Parse(strings.NewReader(out), readLater)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %+v %v", name, got, err)
		}
		s := got[0]
		if s.ID != "4d6f4b3c" || !s.Start.Equal(start) || !s.End.Equal(end) || !s.EndKnown ||
			s.BytesProcessed == nil || *s.BytesProcessed != 51000 || s.DataAdded == nil || *s.DataAdded != 1200 {
			t.Errorf("%s: %+v, want %s from %s to %s, 51000 bytes", name, s, id[:8], start, end)
		}
	}
}
