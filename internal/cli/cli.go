// Package cli is the yeonsok command: it parses the subcommand and its
// flags and wires the packages together. main only calls Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"yeonsok/internal/config"
	"yeonsok/internal/database"
)

// Version is set at build time with -ldflags "-X yeonsok/internal/cli.Version=…".
var Version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what a subcommand may use: the settings and the streams.
type environment struct {
	cfg    config.Config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

func commands() []command {
	return []command{
		{"serve", "run the tower (the default): migrate, load the sample data on first start, serve HTTP", runServe},
		{"seed", "load the plan's sample dataset into an empty database", runSeed},
		{"import", "import agencies, facilities, systems, services, dependencies from XLSX or CSV (preview with --dry-run)", runImport},
		{"export", "export the inventory as one XLSX workbook or CSV per sheet", runExport},
		{"user", "manage accounts: add, list, lock, unlock, reset-password, link-sso, unlink-sso", runUser},
		{"token", "manage API tokens: create (shown once), list, revoke", runToken},
		{"audit", "verify: check that no audit-log entry was edited or deleted", runAudit},
		{"agent", "probe from another site the checks the tower assigns, and send it the results", runAgent},
		{"backup", "report backup runs to the tower: report (one run, from a job's script) or restic (restic's --json output)", runBackup},
		{"migrate", "bring the database schema up to this version and stop", runMigrate},
		{"version", "print the version", runVersion},
	}
}

// Run runs the yeonsok command with args (without the program name) and
// returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// exitCode is an error that ends the command with its own exit code
// rather than 1, for scripts that act on the difference.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string { return e.err.Error() }
func (e *exitCode) Unwrap() error { return e.err }

// runWithInput is Run reading stdin (a test's input in place of the
// process's).
func runWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "yeonsok: %v\n", err)
		return 1
	}
	env := &environment{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	env.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: parseLevel(env.cfg.LogLevel)}))
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		usage(stdout)
		return 0
	}
	if name == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, env, args)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "yeonsok %s: %v\n", name, err)
			var ec *exitCode
			if errors.As(err, &ec) {
				return ec.code
			}
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "yeonsok: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "yeonsok %s — 연속, the business-continuity control tower\n\nUsage: yeonsok [command] [flags]\n\nCommands:\n", Version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `  help      show this help

Each command takes --help for its flags.

Environment:
  YEONSOK_ADDR           address to listen on (default %s)
  YEONSOK_DATABASE_URL   SQLite file path or postgres:// URL (default %s)
  YEONSOK_LOG_LEVEL      debug, info, warn or error (default info)
  Any of them may be given as NAME_FILE, naming a file that holds the value.
`, config.DefaultAddr, config.DefaultDatabase)
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// flags makes a flag set whose --help prints to stdout and whose errors
// come back as errors.
func (env *environment) flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stdout, "Usage: yeonsok %s %s\n", name, args)
		fs.SetOutput(env.stdout)
		fs.PrintDefaults()
		fs.SetOutput(env.stderr)
	}
	return fs
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments, so that "import FILE --dry-run" works as people type it, and
// returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// dbFlag adds --db, defaulting to YEONSOK_DATABASE_URL.
func (env *environment) dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env.cfg.Database, "SQLite file path or postgres:// URL (env YEONSOK_DATABASE_URL)")
}

// openDB opens and migrates the database. fresh is true when this run
// created the schema: the only start on which the sample data is loaded, so
// that a database emptied by its users is never refilled behind their back.
func (env *environment) openDB(ctx context.Context, target string) (db *database.DB, fresh bool, err error) {
	db, err = database.Open(ctx, target)
	if err != nil {
		return nil, false, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, false, err
	}
	if len(applied) > 0 {
		env.log.Info("database migrated", "database", db.Location, "applied", applied)
	}
	return db, len(applied) > 0 && applied[0] == 1, nil
}

func runVersion(ctx context.Context, env *environment, args []string) error {
	fmt.Fprintln(env.stdout, "yeonsok", Version)
	return nil
}

// openWithDBFlag parses the flags of a command whose only flag is --db and
// opens its database.
func (env *environment) openWithDBFlag(ctx context.Context, name string, args []string) (*database.DB, error) {
	fs := env.flags(name, "[--db PATH_OR_URL]")
	target := env.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	db, _, err := env.openDB(ctx, *target)
	return db, err
}

func runMigrate(ctx context.Context, env *environment, args []string) error {
	db, err := env.openWithDBFlag(ctx, "migrate", args)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s is at schema version %d\n", db.Location, v)
	return nil
}
