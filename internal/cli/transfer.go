package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/transfer"
)

func runImport(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("import", "FILE... [--dry-run] [--encoding auto|utf-8|cp949] [--sheet NAME] [--db PATH_OR_URL]")
	dryRun := fs.Bool("dry-run", false, "show what would change and write nothing")
	encoding := fs.String("encoding", "auto", "encoding of CSV files: auto, utf-8 or cp949 (Korean Excel)")
	sheet := fs.String("sheet", "", "sheet a CSV file holds when its name does not say (agencies, facilities, systems, services, dependencies)")
	lang := fs.String("lang", string(locale.Default), "language of messages: ko or en")
	target := env.dbFlag(fs)
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return fmt.Errorf("no file given")
	}
	l := locale.Parse(*lang)
	var files []transfer.File
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		data, err := transfer.ReadAll(f, 0)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %s", path, describe(err, l))
		}
		files = append(files, transfer.File{Name: filepath.Base(path), Data: data})
	}
	db, _, err := env.openDB(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := transfer.ImportFiles(ctx, inventory.NewStore(db), access.All(), files,
		transfer.Options{DryRun: *dryRun, Encoding: *encoding, Sheet: *sheet})
	if err != nil {
		return fmt.Errorf("nothing was imported:\n%s", describe(err, l))
	}
	fmt.Fprintln(env.stdout, plan.Summary(l))
	return nil
}

// describe writes an import error for people: every problem of a refused
// file, each with its place, in the chosen language.
func describe(err error, l locale.Lang) string {
	var problems *transfer.ProblemsError
	if errors.As(err, &problems) {
		return problems.Message(l)
	}
	if e, ok := apperror.As(err); ok {
		return e.Message(l)
	}
	return err.Error()
}

func runExport(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("export", "--format xlsx|csv --out PATH [--sheet NAME] [--db PATH_OR_URL]")
	format := fs.String("format", "xlsx", "xlsx (one workbook) or csv (one file per sheet)")
	out := fs.String("out", "", "file to write (xlsx, or csv with --sheet), or folder for all CSV sheets")
	sheet := fs.String("sheet", "", "with --format csv: write only this sheet to --out")
	target := env.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("--out is required")
	}
	if *format != "xlsx" && *format != "csv" {
		return fmt.Errorf("--format must be xlsx or csv, not %q", *format)
	}
	db, _, err := env.openDB(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	inv, err := inventory.NewStore(db).Load(ctx, access.All())
	if err != nil {
		return err
	}
	write := func(path string, fn func(f *os.File) error) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			os.Remove(path)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, "wrote", path)
		return nil
	}
	switch {
	case *format == "xlsx":
		return write(*out, func(f *os.File) error { return transfer.WriteXLSX(f, inv) })
	case *sheet != "":
		return write(*out, func(f *os.File) error { return transfer.WriteCSV(f, inv, *sheet) })
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, s := range transfer.Sheets {
		if err := write(filepath.Join(*out, transfer.CSVFileName(s)), func(f *os.File) error { return transfer.WriteCSV(f, inv, s) }); err != nil {
			return err
		}
	}
	return nil
}
