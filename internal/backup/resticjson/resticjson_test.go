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
