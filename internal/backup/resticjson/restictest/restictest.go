// Package restictest runs the real restic for tests: a repository in a
// temporary folder, backups of real files, its JSON output as restic
// prints it — so the adapter is tested against restic, not against what
// someone wrote down of it. Tests skip, saying why, where restic is not
// installed (.ci/run installs Debian's package).
package restictest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Repo is a restic repository in a temporary folder.
type Repo struct {
	t    testing.TB
	Path string
}

// New initialises a repository, or skips the test when restic is missing.
func New(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("restic"); err != nil {
		t.Skip("restic not installed; .ci/run installs it (Debian package restic)")
	}
	r := &Repo{t: t, Path: filepath.Join(t.TempDir(), "repo")}
	r.Run("init")
	return r
}

// Run runs restic on the repository and returns its standard output;
// anything other than exit 0 fails the test.
func (r *Repo) Run(args ...string) []byte {
	r.t.Helper()
	cmd := exec.Command("restic", args...)
	// A fixed password: the repository lives as long as the test. No cache
	// in the user's home, no lock wait on a stale lock of an earlier run.
	cmd.Env = append(os.Environ(), "RESTIC_REPOSITORY="+r.Path, "RESTIC_PASSWORD=yeonsok-test",
		"RESTIC_CACHE_DIR="+filepath.Join(filepath.Dir(r.Path), "cache"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("restic %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// Backup backs up dir and returns the JSON stream of `restic backup --json`.
func (r *Repo) Backup(dir string) []byte {
	r.t.Helper()
	return r.Run("backup", "--json", dir)
}

// Snapshots returns the output of `restic snapshots --json`.
func (r *Repo) Snapshots() []byte {
	r.t.Helper()
	return r.Run("snapshots", "--json")
}

// Folder makes a temporary folder with files of these sizes in bytes (the
// content varies, so that restic stores them apart) and returns its path.
func Folder(t testing.TB, sizes ...int) string {
	t.Helper()
	dir := t.TempDir()
	for i, n := range sizes {
		content := make([]byte, n)
		for j := range content {
			content[j] = byte(i*31 + j*7 + j/251)
		}
		if err := os.WriteFile(filepath.Join(dir, "file"+string(rune('a'+i))+".dat"), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
