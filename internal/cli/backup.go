package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"yeonsok/internal/agent"
	"yeonsok/internal/apperror"
	"yeonsok/internal/backup"
	"yeonsok/internal/backup/resticjson"
	"yeonsok/internal/locale"
)

// `yeonsok backup report|restic`: a backup job tells the tower of its runs
// through POST /api/v1/backups (docs/backups.md, "Reporting runs").

// exitTryLater is the exit code when the tower could not be reached or
// failed after every try: EX_TEMPFAIL of sysexits.h, which cron wrappers
// know as "run me again later". Everything the tower refused, or that is
// wrong before asking it, exits 1: the same report would be refused again.
const exitTryLater = 75

// Retrying a report: this many tries in all, waiting reportRetryFirst
// after the first failure and twice as long after each further one
// (variables for the tests). A cron job should not hang for minutes: a
// tower down longer is a case for exit 75 and the job's next run.
var (
	reportTries      = 4
	reportRetryFirst = time.Second
)

// reportTimeout bounds one request: a tower that accepts the connection
// and then hangs must not hold the job.
const reportTimeout = 30 * time.Second

func runBackup(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(env.stdout, `Usage: yeonsok backup report|restic [flags]

  report   report one run, from a backup job's script
  restic   report the snapshots in restic's --json output (stdin or --file)

Each takes --help for its flags. The token (a backup token bound to the
systems, made with "yeonsok token create --role backup --systems ID") is
best given as env YEONSOK_BACKUP_TOKEN or YEONSOK_BACKUP_TOKEN_FILE.
Exit status: 0 sent, 1 refused or wrong, 75 the tower unreachable: try later.
`)
		return flag.ErrHelp
	}
	action, args, err := subcommand(args, "report", "restic")
	if err != nil {
		return err
	}
	if action == "report" {
		return runBackupReport(ctx, env, args)
	}
	return runBackupRestic(ctx, env, args)
}

// towerFlags are the flags of both actions: where to send, as whom, for
// which system, and where the copy is.
type towerFlags struct {
	tower, token, caFile, lang, medium, result *string
	system, facility                           *int64
	dryRun                                     *bool
}

func addTowerFlags(fs *flag.FlagSet) *towerFlags {
	return &towerFlags{
		tower: fs.String("tower", "", "the tower's address, e.g. https://yeonsok.moel.go.kr (required)"),
		token: fs.String("token", "", "API token of the backup role bound to the system; better given as env YEONSOK_BACKUP_TOKEN "+
			"or YEONSOK_BACKUP_TOKEN_FILE (a file holding it), which other users cannot read in the process list"),
		caFile:   fs.String("tower-ca", "", "PEM file of the CA that signed the tower's certificate, trusted besides the system's"),
		lang:     fs.String("lang", string(locale.Default), "language of messages: ko or en"),
		system:   fs.Int64("system", 0, "the system's id at the tower (required)"),
		facility: fs.Int64("facility", 0, "id of the facility where the copy is kept (required)"),
		medium:   fs.String("medium", backup.MediumOnline, "what the copy is on: "+strings.Join(backup.Media, ", ")),
		result:   fs.String("result", backup.ResultSuccess, "how the run went: "+strings.Join(backup.Results, ", ")),
		dryRun:   fs.Bool("dry-run", false, "print the report as JSON and send nothing"),
	}
}

// restoreFlags are the flags of a restore test, of the run reported
// (report) or of the newest snapshot (restic).
type restoreFlags struct {
	at, result *string
	seconds    *int64
}

func addRestoreFlags(fs *flag.FlagSet, of string) *restoreFlags {
	return &restoreFlags{
		at:      fs.String("restore-tested-at", "", "when a restore from "+of+" was tested, RFC 3339 or now"),
		result:  fs.String("restore-result", backup.ResultSuccess, "with --restore-tested-at: success or failed"),
		seconds: fs.Int64("restore-seconds", 0, "with --restore-tested-at: how long the restore took, in seconds"),
	}
}

// test is the restore test the flags give, or nil without --restore-tested-at.
func (rf *restoreFlags) test(now time.Time) (*backup.RestoreTest, error) {
	if *rf.at == "" {
		return nil, nil
	}
	at, err := parseWhen("--restore-tested-at", *rf.at, now)
	if err != nil {
		return nil, err
	}
	return &backup.RestoreTest{At: at, Result: *rf.result, Seconds: *rf.seconds}, nil
}

// flagOf names the flag that sets a run's field, so that a problem found
// before sending points at what to change on the command line.
var flagOf = map[string]string{
	"system_id": "--system", "key": "--key", "kind": "--kind", "started_at": "--started", "ended_at": "--ended",
	"size_bytes": "--size", "result": "--result", "copy.facility_id": "--facility", "copy.medium": "--medium",
	"restore_test.at": "--restore-tested-at", "restore_test.result": "--restore-result",
	"restore_test.seconds": "--restore-seconds", "note": "--note",
}

func runBackupReport(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("backup report", "--tower URL --system ID --facility ID --kind KIND --started TIME [--ended TIME] [--key K] "+
		"[--size BYTES] [--result R] [--medium M] [--restore-tested-at TIME --restore-result R --restore-seconds N] [--note TEXT]")
	tf := addTowerFlags(fs)
	key := fs.String("key", "", "the run's own name: the same key again is the same run, counted once "+
		"(default: made from the system, the kind and --started, so a retried call with the same --started counts once)")
	kind := fs.String("kind", "", "the kind of run: "+strings.Join(backup.Kinds, ", ")+" (required)")
	started := fs.String("started", "", "when the run began, RFC 3339 (2026-12-06T02:00:00+09:00) or now (required)")
	ended := fs.String("ended", "now", "when the run ended, RFC 3339 or now")
	size := fs.Int64("size", -1, "bytes the run copied (not given: unknown)")
	rf := addRestoreFlags(fs, "this run")
	note := fs.String("note", "", "a line for people reading the run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *started == "" {
		return fmt.Errorf("--started is required: when the run began, RFC 3339 (2026-12-06T02:00:00+09:00) or now")
	}
	now := time.Now()
	r := backup.Run{SystemID: *tf.system, Kind: *kind, Result: *tf.result, Note: *note,
		Copy: backup.Copy{FacilityID: *tf.facility, Medium: *tf.medium}}
	var err error
	if r.StartedAt, err = parseWhen("--started", *started, now); err != nil {
		return err
	}
	if r.EndedAt, err = parseWhen("--ended", *ended, now); err != nil {
		return err
	}
	if *size >= 0 {
		r.SizeBytes = size
	}
	if r.RestoreTest, err = rf.test(now); err != nil {
		return err
	}
	r.Key = *key
	if r.Key == "" {
		// Readable and the same for the same job's retry: its script keeps
		// the time it began and passes it again.
		r.Key = fmt.Sprintf("cli:%d:%s:%s", r.SystemID, r.Kind, r.StartedAt.UTC().Format(time.RFC3339Nano))
		if *started == "now" {
			fmt.Fprintln(env.stderr, "yeonsok backup: note: with --started now and no --key, running this again is another run; "+
				"give the time the job began, or --key, so that a retry counts once")
		}
	}
	return tf.send(ctx, env, []backup.Run{r}, now)
}

func runBackupRestic(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("backup restic", "--tower URL --system ID --facility ID [--medium M] [--result R] [--file FILE] "+
		"[--restore-tested-at TIME --restore-result R --restore-seconds N] < restic-output.json")
	tf := addTowerFlags(fs)
	file := fs.String("file", "", "read restic's output from this file instead of the standard input")
	rf := addRestoreFlags(fs, "the newest snapshot in the input (restic restore latest)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (restic's output comes on the standard input or with --file)", fs.Arg(0))
	}
	input, name := env.stdin, "the standard input"
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		input, name = f, *file
	}
	now := time.Now()
	snapshots, err := resticjson.Parse(input, now)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	runs := resticjson.Runs(snapshots, resticjson.Options{SystemID: *tf.system, FacilityID: *tf.facility,
		Medium: *tf.medium, Result: *tf.result})
	test, err := rf.test(now)
	if err != nil {
		return err
	}
	if test != nil { // Parse refuses output without a snapshot: runs has one at least
		newest := 0
		for i := range runs {
			if runs[i].StartedAt.After(runs[newest].StartedAt) {
				newest = i
			}
		}
		runs[newest].RestoreTest = test
	}
	return tf.send(ctx, env, runs, now)
}

// parseWhen reads a time given on the command line: RFC 3339 or now.
func parseWhen(flagName, value string, now time.Time) (time.Time, error) {
	if value == "now" {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: give an RFC 3339 time like 2026-12-06T02:00:00+09:00, or now", flagName, value)
	}
	return t, nil
}

// send checks the runs as the tower would, then posts them, trying again
// while the tower cannot be reached or fails, and says what it took.
func (tf *towerFlags) send(ctx context.Context, env *environment, runs []backup.Run, now time.Time) error {
	l := locale.Parse(*tf.lang)
	for i := range runs {
		err := runs[i].Validate(now).Err()
		if err == nil {
			continue
		}
		where := ""
		if len(runs) > 1 {
			where = fmt.Sprintf("run %d (%s): ", i+1, runs[i].Key)
		}
		if e, ok := apperror.As(err); ok && flagOf[e.Field] != "" {
			where += flagOf[e.Field] + ": "
		}
		return fmt.Errorf("nothing was sent: %s%s", where, message(err, l))
	}
	if *tf.dryRun {
		body, err := json.MarshalIndent(report{runs}, "", "  ")
		if err != nil {
			return fmt.Errorf("encode the report: %w", err)
		}
		fmt.Fprintln(env.stdout, string(body))
		return nil
	}
	if *tf.tower == "" {
		return errors.New("--tower is required: the tower's address, e.g. https://yeonsok.moel.go.kr")
	}
	token := *tf.token
	if token == "" {
		var err error
		if token, err = envSecret("YEONSOK_BACKUP_TOKEN"); err != nil {
			return err
		}
	}
	if token == "" {
		return errors.New("no token: set YEONSOK_BACKUP_TOKEN or YEONSOK_BACKUP_TOKEN_FILE, or give --token " +
			"(a backup token bound to the system: yeonsok token create --role backup --systems ID)")
	}
	client, err := agent.TowerClient(*tf.caFile, reportTimeout)
	if err != nil {
		return err
	}
	url := strings.TrimRight(*tf.tower, "/") + "/api/v1/backups"
	// A repository's snapshot list of years may hold more runs than the
	// tower takes in one report: it goes in parts, each all or nothing. A
	// part refused leaves the earlier ones recorded, which is harmless: they
	// count once when the whole is sent again.
	var total backup.Receipt
	for from := 0; from < len(runs); from += backup.MaxRunsPerReport {
		part := runs[from:min(from+backup.MaxRunsPerReport, len(runs))]
		body, err := json.Marshal(report{part})
		if err != nil {
			return fmt.Errorf("encode the report: %w", err)
		}
		receipt, err := postWithRetries(ctx, env, client, url, token, l, body)
		if err != nil && from > 0 {
			err = fmt.Errorf("runs %d to %d (the %d before were recorded): %w", from+1, from+len(part), from, err)
		}
		if err != nil {
			return err
		}
		total.Accepted += receipt.Accepted
		total.Duplicates += receipt.Duplicates
		total.RestoreTests += receipt.RestoreTests
	}
	fmt.Fprintf(env.stdout, "sent %d run(s) to %s: %d accepted, %d already there", len(runs), *tf.tower,
		total.Accepted, total.Duplicates)
	if total.RestoreTests > 0 {
		fmt.Fprintf(env.stdout, " (a restore test added to %d of them)", total.RestoreTests)
	}
	fmt.Fprintln(env.stdout)
	return nil
}

// report is the body of POST /api/v1/backups.
type report struct {
	Runs []backup.Run `json:"runs"`
}

// postWithRetries posts one report, trying again while the tower does not
// answer or fails; a refusal is final.
func postWithRetries(ctx context.Context, env *environment, client *http.Client, url, token string, l locale.Lang,
	body []byte) (backup.Receipt, error) {
	wait := reportRetryFirst
	for try := 1; ; try++ {
		receipt, err := postReport(ctx, client, url, token, l, body)
		var refusal *towerRefusal
		if err == nil || errors.As(err, &refusal) {
			return receipt, err
		}
		// A certificate the job does not trust stays untrusted however
		// often it is asked.
		var untrusted *tls.CertificateVerificationError
		if errors.As(err, &untrusted) {
			return receipt, fmt.Errorf("%w (a tower with a private CA: give its certificate with --tower-ca)", err)
		}
		if try == reportTries || ctx.Err() != nil {
			return receipt, &exitCode{code: exitTryLater,
				err: fmt.Errorf("gave up after %d tries, nothing was recorded; run the job's report again later: %w", try, err)}
		}
		fmt.Fprintf(env.stderr, "yeonsok backup: %v; trying again in %s (try %d of %d)\n", err, wait, try+1, reportTries)
		if !sleepCtx(ctx, wait) {
			return receipt, &exitCode{code: exitTryLater, err: fmt.Errorf("stopped before the tower answered: %w", err)}
		}
		wait *= 2
	}
}

// towerRefusal is the tower's final answer: a 4xx other than 408 and 429,
// which it would give again however often it is asked.
type towerRefusal struct {
	status               int
	code, message, field string
}

func (e *towerRefusal) Error() string {
	s := fmt.Sprintf("the tower refused the report (%d %s)", e.status, e.code)
	if e.field != "" {
		s += " at " + e.field
	}
	if e.message != "" {
		s += ": " + e.message
	}
	switch e.status {
	case http.StatusUnauthorized:
		s += " — the token is unknown, revoked or expired"
	case http.StatusForbidden:
		s += " — the token may not report backups (it needs the backup role, or write access to the system)"
	}
	return s
}

// postReport makes one try: the receipt, a towerRefusal, or another
// error that may pass (no answer, a server error, 408, 429).
func postReport(ctx context.Context, client *http.Client, url, token string, l locale.Lang, body []byte) (backup.Receipt, error) {
	var receipt backup.Receipt
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return receipt, fmt.Errorf("the tower's address: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	// The tower writes its refusals in the language asked for.
	req.Header.Set("Accept-Language", string(l))
	resp, err := client.Do(req)
	if err != nil {
		return receipt, fmt.Errorf("the tower did not answer: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return receipt, fmt.Errorf("the tower's answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(answer, &receipt); err != nil {
			return receipt, fmt.Errorf("the tower's answer is not a receipt (is %s the tower?): %w", url, err)
		}
		return receipt, nil
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	json.Unmarshal(answer, &e)
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout &&
		resp.StatusCode != http.StatusTooManyRequests {
		return receipt, &towerRefusal{status: resp.StatusCode, code: e.Error.Code, message: e.Error.Message, field: e.Error.Field}
	}
	return receipt, fmt.Errorf("the tower answered %d %s", resp.StatusCode, e.Error.Code)
}

// sleepCtx waits d or until ctx ends; false if ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// envSecret reads the variable name, or the file name_FILE names, the way
// config reads the tower's settings: the agent's and the backup job's
// tokens are not the tower's settings, so config does not hold them.
func envSecret(name string) (string, error) {
	if path := os.Getenv(name + "_FILE"); path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(body)), nil
	}
	return strings.TrimSpace(os.Getenv(name)), nil
}
