package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/backup/resticjson/restictest"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// runIn runs the yeonsok command with stdin and returns its exit code and
// output.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	code := runWithInput(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// backupTower is a tower's database with one agency, a facility, two
// systems and a backup token bound to each.
type backupTower struct {
	db                *database.DB
	facility          *inventory.Facility
	system, other     *inventory.System
	token, otherToken string
}

func newBackupTower(t *testing.T, target string) *backupTower {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bt := &backupTower{db: db, facility: &inventory.Facility{Name: "대전 백업센터", Operator: "nirs"},
		system: &inventory.System{Name: "고용24"}, other: &inventory.System{Name: "워크넷"}}
	agency := &inventory.Agency{Name: "한국고용정보원"}
	err = inventory.NewStore(db).Update(ctx, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateFacility(ctx, bt.facility); err != nil {
			return err
		}
		if err := tx.CreateAgency(ctx, agency); err != nil {
			return err
		}
		for _, s := range []*inventory.System{bt.system, bt.other} {
			s.AgencyID = agency.ID
			if err := tx.CreateSystem(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewStore(db, auth.DefaultSettings())
	for _, b := range []struct {
		to     *string
		system *inventory.System
	}{{&bt.token, bt.system}, {&bt.otherToken, bt.other}} {
		*b.to, err = tokens.CreateToken(ctx, &auth.Token{Name: "야간 백업 " + b.system.Name, Role: auth.Backup,
			AgencyID: agency.ID, SystemIDs: []int64{b.system.ID}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return bt
}

// runs counts the runs stored for a system, and those with key.
func (bt *backupTower) runs(t *testing.T, system int64, key string) (all, withKey int) {
	t.Helper()
	err := bt.db.Read.QueryRow(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN report_key = $2 THEN 1 ELSE 0 END), 0)
		FROM backup_runs WHERE system_id = $1`, system, key).Scan(&all, &withKey)
	if err != nil {
		t.Fatal(err)
	}
	return all, withKey
}

// The way in for restic: the real restic backs up a real folder;
// its output piped to `yeonsok backup restic` is stored once however
// often it is sent, and the snapshot list sent later adds only what is
// new; the system's full backup is then judged done. A token bound to
// another system and a malformed line are refused, saying why. Both
// databases.
func TestBackupResticToTower(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "yeonsok.db")
			if name == "postgres" {
				target = testdb.PostgresURL(t)
			}
			resticToTower(t, target)
		})
	}
}

func resticToTower(t *testing.T, target string) {
	repo := restictest.New(t)
	dir := restictest.Folder(t, 2000, 30000)
	stream := string(repo.Backup(dir))
	bt := newBackupTower(t, target)
	// 고용24 runs in 본원 전산실; the restic repository lives in 대전 백업센터,
	// so each snapshot is an offsite copy.
	home := &inventory.Facility{Name: "본원 전산실", Operator: "self"}
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 1, Name: "test"})
	err := inventory.NewStore(bt.db).Update(ctx, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateFacility(ctx, home); err != nil {
			return err
		}
		sys, err := tx.System(ctx, bt.system.ID)
		if err != nil {
			return err
		}
		sys.PrimaryFacilityID = &home.ID
		return tx.UpdateSystem(ctx, sys)
	})
	if err != nil {
		t.Fatal(err)
	}
	base, _, stop := startServe(t, target)
	defer stop()
	args := func(extra ...string) []string {
		return append([]string{"backup", "restic", "--tower", base, "--system", strconv.FormatInt(bt.system.ID, 10),
			"--facility", strconv.FormatInt(bt.facility.ID, 10), "--medium", "immutable", "--lang", "en"}, extra...)
	}
	snapshots, err := repoSnapshotIDs(repo)
	if err != nil {
		t.Fatal(err)
	}
	key := "restic:" + snapshots[0]

	t.Setenv("YEONSOK_BACKUP_TOKEN", bt.token)
	code, out, errOut := runIn(t, stream, args()...)
	if code != 0 || !strings.Contains(out, "1 accepted, 0 already there") {
		t.Fatalf("restic backup output: exit %d\n%s%s", code, out, errOut)
	}
	if all, keyed := bt.runs(t, bt.system.ID, key); all != 1 || keyed != 1 {
		t.Fatalf("%d runs stored, %d with key %s; want the one", all, keyed, key)
	}
	var kind, medium string
	var size int64
	bt.db.Read.QueryRow(`SELECT r.kind, r.size_bytes, c.medium FROM backup_runs r JOIN backup_copies c ON c.run_id = r.id`).Scan(&kind, &size, &medium)
	if kind != backup.KindFull || size != 32000 || medium != backup.MediumImmutable {
		t.Errorf("stored a %s run of %d bytes on %s, want full, 32000, immutable", kind, size, medium)
	}

	// The job retried: nothing more.
	if code, out, errOut := runIn(t, stream, args()...); code != 0 || !strings.Contains(out, "0 accepted, 1 already there") {
		t.Errorf("the same output again: exit %d\n%s%s", code, out, errOut)
	}

	// Another backup; the snapshot list, from a file, adds only it.
	repo.Backup(dir)
	list := filepath.Join(t.TempDir(), "snapshots.json")
	if err := os.WriteFile(list, repo.Snapshots(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runIn(t, "", args("--file", list)...); code != 0 || !strings.Contains(out, "1 accepted, 1 already there") {
		t.Errorf("the snapshot list: exit %d\n%s%s", code, out, errOut)
	}
	if all, _ := bt.runs(t, bt.system.ID, key); all != 2 {
		t.Errorf("%d runs after two backups", all)
	}

	// The job tests a restore of the newest snapshot, checking every
	// file's content, and reports it with that snapshot.
	script := scriptToken(t, target)
	status := func() backup.SystemStatus {
		t.Helper()
		var status struct{ Items []backup.SystemStatus }
		if code := call(t, http.DefaultClient, "GET", base+"/api/v1/backups/status?system_id="+strconv.FormatInt(bt.system.ID, 10), script, &status); code != 200 || len(status.Items) != 1 {
			t.Fatalf("backup status: %d %+v", code, status)
		}
		return status.Items[0]
	}
	if st := status(); st.Compliant() {
		t.Fatalf("compliant before any restore test: %+v", st.Findings)
	}
	repo.Run("restore", "latest", "--target", t.TempDir(), "--verify")
	newest := repo.Run("snapshots", "--json", "--latest", "1")
	code, out, errOut = runIn(t, string(newest), args("--restore-tested-at", "now", "--restore-seconds", "2")...)
	if code != 0 || !strings.Contains(out, "0 accepted, 1 already there (a restore test added to 1 of them)") {
		t.Errorf("the restore test: exit %d\n%s%s", code, out, errOut)
	}
	// The tower judges the system compliant in every check: full and
	// incremental within their periods, a copy outside 본원 전산실, a
	// restore test within the period, the last run a success.
	st := status()
	for _, f := range st.Findings {
		if !f.OK() {
			t.Errorf("after restic's snapshots and restore test, %s is %s", f.Check, f.Status)
		}
	}
	if len(st.Findings) != 5 || !st.Compliant() {
		t.Errorf("findings %+v", st.Findings)
	}

	// A token bound to another system is refused, naming the field.
	t.Setenv("YEONSOK_BACKUP_TOKEN", bt.otherToken)
	code, _, errOut = runIn(t, stream, args()...)
	if code != 1 || !strings.Contains(errOut, "at system_id") || !strings.Contains(errOut, "not bound to report backups of system") {
		t.Errorf("a token of another system: exit %d %s", code, errOut)
	}
	// A line cut short is refused before anything is sent.
	t.Setenv("YEONSOK_BACKUP_TOKEN", bt.token)
	cut := stream[:len(stream)-10]
	code, _, errOut = runIn(t, cut, args()...)
	if code != 1 || !strings.Contains(errOut, "is not a JSON object") {
		t.Errorf("a malformed line: exit %d %s", code, errOut)
	}
	if all, _ := bt.runs(t, bt.system.ID, key); all != 2 {
		t.Errorf("%d runs after the refusals, want still 2", all)
	}
}

// repoSnapshotIDs are the short ids of the repository's snapshots, oldest
// first.
func repoSnapshotIDs(repo *restictest.Repo) ([]string, error) {
	var list []struct {
		ShortID string `json:"short_id"`
	}
	if err := json.Unmarshal(repo.Snapshots(), &list); err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.ShortID
	}
	return ids, nil
}

// A cron job's report: the tower failing once is tried again and the run
// stored; the same call again counts once; a refusal is final and says
// where; a tower that stays unreachable ends in exit 75.
func TestBackupReportRetries(t *testing.T) {
	defer func(first time.Duration) { reportRetryFirst = first }(reportRetryFirst)
	reportRetryFirst = 10 * time.Millisecond
	target := filepath.Join(t.TempDir(), "yeonsok.db")
	bt := newBackupTower(t, target)
	base, _, stop := startServe(t, target)
	defer stop()

	// Between the job and the tower, a proxy that fails the first request.
	towerURL, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(towerURL)
	var requests atomic.Int32
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			http.Error(w, "upstream restarting", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer flaky.Close()

	started := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	args := func(tower string, extra ...string) []string {
		return append([]string{"backup", "report", "--tower", tower, "--token", bt.token, "--system", strconv.FormatInt(bt.system.ID, 10),
			"--facility", strconv.FormatInt(bt.facility.ID, 10), "--kind", "incremental", "--started", started, "--size", "4096", "--lang", "en"}, extra...)
	}
	code, out, errOut := runIn(t, "", args(flaky.URL)...)
	if code != 0 || !strings.Contains(out, "1 accepted") || !strings.Contains(errOut, "the tower answered 502") || requests.Load() != 2 {
		t.Fatalf("through a tower failing once: exit %d after %d requests\n%s%s", code, requests.Load(), out, errOut)
	}
	if code, out, _ := runIn(t, "", args(flaky.URL)...); code != 0 || !strings.Contains(out, "0 accepted, 1 already there") {
		t.Errorf("the same call again: exit %d %s", code, out)
	}
	key := "cli:" + strconv.FormatInt(bt.system.ID, 10) + ":incremental:" + started
	if all, keyed := bt.runs(t, bt.system.ID, key); all != 1 || keyed != 1 {
		t.Errorf("%d runs, %d with key %s", all, keyed, key)
	}

	// An unknown facility: refused at once, with the field.
	before := requests.Load()
	code, _, errOut = runIn(t, "", append(args(flaky.URL, "--key", "other"), "--facility", "999999")...)
	if code != 1 || !strings.Contains(errOut, "at copy.facility_id") || requests.Load() != before+1 {
		t.Errorf("an unknown facility: exit %d after %d requests: %s", code, requests.Load()-before, errOut)
	}
	// A malformed report does not leave the job's machine.
	code, _, errOut = runIn(t, "", args(flaky.URL, "--result", "fine")...)
	if code != 1 || !strings.Contains(errOut, "--result:") || requests.Load() != before+1 {
		t.Errorf("a malformed report: exit %d %s", code, errOut)
	}

	flaky.Close()
	code, _, errOut = runIn(t, "", args(flaky.URL)...)
	if code != exitTryLater || strings.Count(errOut, "trying again") != reportTries-1 || !strings.Contains(errOut, "gave up after") {
		t.Errorf("a tower that stays unreachable: exit %d\n%s", code, errOut)
	}
}

// A snapshot list longer than the tower takes in one report goes in
// parts, each within the bound, and every run is sent once.
func TestBackupResticSendsInParts(t *testing.T) {
	var parts []int
	tower := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body report
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Runs) > backup.MaxRunsPerReport {
			http.Error(w, `{"error":{"code":"invalid","field":"runs"}}`, http.StatusBadRequest)
			return
		}
		parts = append(parts, len(body.Runs))
		json.NewEncoder(w).Encode(backup.Receipt{Accepted: len(body.Runs)})
	}))
	defer tower.Close()
	// The shape of `restic snapshots --json`, as long as a repository of
	// years of hourly snapshots.
	type snapshot struct {
		Time    time.Time `json:"time"`
		ID      string    `json:"id"`
		ShortID string    `json:"short_id"`
	}
	n := backup.MaxRunsPerReport + 1
	list := make([]snapshot, n)
	for i := range list {
		id := fmt.Sprintf("%08x%056x", i, 0)
		list[i] = snapshot{Time: time.Now().Add(-time.Duration(n-i) * time.Hour), ID: id, ShortID: id[:8]}
	}
	input, _ := json.Marshal(list)
	code, out, errOut := runIn(t, string(input), "backup", "restic", "--tower", tower.URL, "--token", "t", "--system", "1", "--facility", "1")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d accepted", n)) || len(parts) != 2 || parts[0]+parts[1] != n {
		t.Errorf("exit %d, parts %v\n%s%s", code, parts, out, errOut)
	}
}

// A tower on HTTPS with its own CA: trusted with --tower-ca, refused at
// once without it, saying what to give.
func TestBackupReportTowerCA(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := selfSignedCertificate(t, dir)
	target := filepath.Join(dir, "yeonsok.db")
	bt := newBackupTower(t, target)
	base, _, stop := startServe(t, target, "--tls-cert", certFile, "--tls-key", keyFile)
	defer stop()
	args := []string{"backup", "report", "--tower", base, "--token", bt.token, "--system", strconv.FormatInt(bt.system.ID, 10),
		"--facility", strconv.FormatInt(bt.facility.ID, 10), "--kind", "full", "--started", time.Now().Add(-time.Hour).Format(time.RFC3339)}
	if code, _, errOut := runIn(t, "", args...); code != 1 || !strings.Contains(errOut, "--tower-ca") || strings.Contains(errOut, "trying again") {
		t.Errorf("without the CA: exit %d %s", code, errOut)
	}
	if code, out, errOut := runIn(t, "", append(args, "--tower-ca", certFile)...); code != 0 || !strings.Contains(out, "1 accepted") {
		t.Errorf("with the CA: exit %d %s%s", code, out, errOut)
	}
}
