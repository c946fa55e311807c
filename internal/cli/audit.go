package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"

	"yeonsok/internal/audit"
	"yeonsok/internal/locale"
)

func runAudit(ctx context.Context, env *environment, args []string) error {
	_, args, err := subcommand(args, "verify")
	if err != nil {
		return err
	}
	fs := env.flags("audit verify", "[--expect SEQ:HASH] [--db PATH_OR_URL] [--lang ko|en]")
	lang := fs.String("lang", string(locale.Default), "language of messages: ko or en")
	expect := fs.String("expect", "", "a head noted earlier (as printed by verify): the entry SEQ must still be there with HASH, "+
		"which catches a log cut back and re-chained from its end")
	target := env.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, _, err := env.openDB(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	report, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	l := locale.Parse(*lang)
	fmt.Fprintln(env.stdout, report.Message(l))
	for _, b := range report.Breaks {
		fmt.Fprintln(env.stdout, "  "+b.Message(l))
	}
	if !report.OK() {
		return fmt.Errorf("the audit log does not verify: an entry was edited or removed")
	}
	if *expect != "" {
		return checkNotedHead(ctx, db, *expect)
	}
	return nil
}

// checkNotedHead checks that the entry of a head noted earlier ("SEQ:HASH")
// is still in the log with the same hash. A chain verifies on its own even
// when someone cut entries off its end and rewound its head; only a head
// kept outside the database shows that.
func checkNotedHead(ctx context.Context, db *database.DB, noted string) error {
	seqText, hash, ok := strings.Cut(noted, ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq <= 0 || hash == "" {
		return fmt.Errorf("--expect %q is not SEQ:HASH", noted)
	}
	e, err := audit.Get(ctx, db, access.All(), seq)
	if apperror.CodeOf(err) == apperror.NotFound {
		return fmt.Errorf("the audit log was cut back: entry %d, noted earlier, is gone", seq)
	}
	if err != nil {
		return err
	}
	if e.Hash != hash {
		return fmt.Errorf("the audit log was rewritten: entry %d no longer has the hash noted earlier", seq)
	}
	return nil
}
