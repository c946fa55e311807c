package cli

import (
	"context"
	"fmt"

	"yeonsok/internal/audit"
	"yeonsok/internal/locale"
)

func runAudit(ctx context.Context, env *environment, args []string) error {
	_, args, err := subcommand(args, "verify")
	if err != nil {
		return err
	}
	fs := env.flags("audit verify", "[--db PATH_OR_URL] [--lang ko|en]")
	lang := fs.String("lang", string(locale.Default), "language of messages: ko or en")
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
	return nil
}
