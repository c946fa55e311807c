package cli

import (
	"context"
	"fmt"
	"os/user"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// cliActor names the person at the tower's console in the audit log.
func cliActor(ctx context.Context) context.Context {
	name := "console"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return access.WithActor(ctx, access.Actor{Kind: access.ActorCLI, Name: name})
}

// openAccounts opens the database and the account store with the
// configured account rules, as serve does.
func (env *environment) openAccounts(ctx context.Context, target string) (*database.DB, *auth.Store, error) {
	db, _, err := env.openDB(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	return db, auth.NewStore(db, authSettings(env.cfg)), nil
}

// subcommand splits "user add …" into its action and the rest.
func subcommand(args []string, actions ...string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, fmt.Errorf("say what to do: %s", strings.Join(actions, ", "))
	}
	for _, a := range actions {
		if args[0] == a {
			return a, args[1:], nil
		}
	}
	return "", nil, fmt.Errorf("unknown action %q (one of %s)", args[0], strings.Join(actions, ", "))
}

// agencyID finds an agency by id, name or short name.
func agencyID(ctx context.Context, db *database.DB, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	agencies, err := inventory.NewStore(db).Agencies(ctx, access.All())
	if err != nil {
		return 0, err
	}
	for _, a := range agencies {
		if strconv.FormatInt(a.ID, 10) == ref || a.Name == ref || a.ShortName == ref {
			return a.ID, nil
		}
	}
	return 0, fmt.Errorf("no agency %q (give its id, name or short name)", ref)
}

// message renders an error for the console in Korean or English.
func message(err error, l locale.Lang) string {
	if e, ok := apperror.As(err); ok {
		return e.Message(l)
	}
	return err.Error()
}

func runUser(ctx context.Context, env *environment, args []string) error {
	action, args, err := subcommand(args, "add", "list", "lock", "unlock", "reset-password", "link-sso", "unlink-sso")
	if err != nil {
		return err
	}
	fs := env.flags("user "+action, "LOGIN [flags]")
	name := fs.String("name", "", "add: the person's name")
	role := fs.String("role", "", "add: ministry_admin, ministry_viewer, agency_admin, agency_editor or agency_viewer")
	agency := fs.String("agency", "", "add: the agency (id, name or short name) of an agency role")
	lockFor := fs.Duration("for", 0, "lock: how long (e.g. 30m); 0 locks until an admin unlocks")
	subject := fs.String("subject", "", "link-sso: the person's subject (\"sub\") at the identity provider")
	lang := fs.String("lang", string(locale.Default), "language of messages: ko or en")
	target := env.dbFlag(fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if action != "list" && len(positional) != 1 {
		fs.Usage()
		return fmt.Errorf("give exactly one login")
	}
	l := locale.Parse(*lang)
	db, store, err := env.openAccounts(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	if action == "list" {
		users, err := store.Users(ctx, access.All())
		if err != nil {
			return err
		}
		now := time.Now()
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			} else if u.Locked(now) {
				state = "locked (" + u.LockedReason + ")"
			}
			fmt.Fprintf(env.stdout, "%-20s %-16s agency=%-4d %-10s %s\n", u.Login, u.Role, u.AgencyID, state, u.Name)
		}
		return nil
	}
	login := positional[0]
	if action == "add" {
		id, err := agencyID(ctx, db, *agency)
		if err != nil {
			return err
		}
		password, err := auth.GeneratePassword(login)
		if err != nil {
			return err
		}
		u := &auth.User{Login: login, Name: *name, Role: auth.Role(*role), AgencyID: id, MustChangePassword: true}
		if err := store.CreateUser(ctx, u, password); err != nil {
			return fmt.Errorf("%s", message(err, l))
		}
		fmt.Fprintf(env.stdout, "user %s added; one-time password (shown once, must be changed at first login, signs in for %d hours): %s\n",
			u.Login, int(store.Settings().TemporaryPasswordValid.Hours()), password)
		return nil
	}
	u, err := store.UserByLogin(ctx, access.All(), login)
	if err != nil {
		return fmt.Errorf("%s", message(err, l))
	}
	switch action {
	case "lock":
		var until time.Time
		if *lockFor > 0 {
			until = time.Now().Add(*lockFor)
		}
		err = store.Lock(ctx, u.ID, until, auth.ReasonAdmin)
	case "unlock":
		err = store.Unlock(ctx, u.ID)
	case "link-sso":
		err = store.LinkOIDC(ctx, u.ID, *subject)
	case "unlink-sso":
		err = store.UnlinkOIDC(ctx, u.ID)
	case "reset-password":
		var password string
		if password, err = store.ResetPassword(ctx, u.ID); err == nil {
			fmt.Fprintf(env.stdout, "one-time password for %s (shown once, must be changed at next login, signs in for %d hours): %s\n",
				u.Login, int(store.Settings().TemporaryPasswordValid.Hours()), password)
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("%s", message(err, l))
	}
	fmt.Fprintf(env.stdout, "user %s: %s done\n", u.Login, action)
	return nil
}

func runToken(ctx context.Context, env *environment, args []string) error {
	action, args, err := subcommand(args, "create", "list", "revoke")
	if err != nil {
		return err
	}
	fs := env.flags("token "+action, "[flags] (revoke: TOKEN_ID)")
	name := fs.String("name", "", "create: what the token is for, e.g. \"backup job of 고용24\"")
	role := fs.String("role", "", "create: agent, backup, alert or script")
	agency := fs.String("agency", "", "create: the agency (id, name or short name) it belongs to; empty for the ministry")
	systems := fs.String("systems", "", "create: comma-separated system ids it may push results for (agent, backup, alert)")
	lang := fs.String("lang", string(locale.Default), "language of messages: ko or en")
	target := env.dbFlag(fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	l := locale.Parse(*lang)
	db, store, err := env.openAccounts(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	switch action {
	case "list":
		tokens, err := store.Tokens(ctx, access.All())
		if err != nil {
			return err
		}
		for _, t := range tokens {
			state := "active"
			if !t.RevokedAt.IsZero() {
				state = "revoked " + locale.DateTime(t.RevokedAt)
			}
			fmt.Fprintf(env.stdout, "%-5d %-8s agency=%-4d systems=%v last-used=%s %s  %s\n", t.ID, t.Role, t.AgencyID, t.SystemIDs,
				locale.DateTime(t.LastUsedAt), state, t.Name)
		}
		return nil
	case "revoke":
		if len(positional) != 1 {
			return fmt.Errorf("give the id of the token to revoke (see yeonsok token list)")
		}
		id, err := strconv.ParseInt(positional[0], 10, 64)
		if err != nil {
			return fmt.Errorf("token id %q is not a number", positional[0])
		}
		if err := store.RevokeToken(ctx, id); err != nil {
			return fmt.Errorf("%s", message(err, l))
		}
		fmt.Fprintf(env.stdout, "token %d revoked\n", id)
		return nil
	}
	agencyRef, err := agencyID(ctx, db, *agency)
	if err != nil {
		return err
	}
	t := &auth.Token{Name: *name, Role: auth.Role(*role), AgencyID: agencyRef}
	for _, part := range strings.Split(*systems, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return fmt.Errorf("system id %q is not a number", part)
		}
		t.SystemIDs = append(t.SystemIDs, id)
	}
	raw, err := store.CreateToken(ctx, t)
	if err != nil {
		return fmt.Errorf("%s", message(err, l))
	}
	fmt.Fprintf(env.stdout, "token %d created. Copy it now; it is shown only once:\n%s\n", t.ID, raw)
	return nil
}
