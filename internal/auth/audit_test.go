package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/testdb"
)

// entries lists the audit log as scope reads it, oldest first.
func entries(t *testing.T, db *database.DB, scope access.Scope) []audit.Entry {
	t.Helper()
	list, err := audit.List(context.Background(), db, scope, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(list)
	return list
}

func verified(t *testing.T, db *database.DB) *audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("the chain does not verify: %s", rep.Message("en"))
	}
	return rep
}

// Every change to an account or a token is an entry of the audit log, by
// the right actor, readable by the right agency, with no secret in it.
func TestAccountChangesAreAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		background := context.Background()
		first, err := f.store.EnsureFirstAdmin(background)
		if err != nil {
			t.Fatal(err)
		}
		boss := access.Actor{Kind: access.ActorUser, ID: 1, Name: "admin", Address: "10.0.0.1"}
		console := access.Actor{Kind: access.ActorCLI, Name: "operator"}
		tower := access.ActorFrom(background)
		byBoss := access.WithActor(background, boss)

		hong := &User{Login: "hong", Name: "홍길동", Role: AgencyEditor, AgencyID: f.agencyA, MustChangePassword: true}
		if err := f.store.CreateUser(byBoss, hong, "Password-0001"); err != nil {
			t.Fatal(err)
		}
		kim := &User{Login: "kim", Name: "김", Role: AgencyViewer, AgencyID: f.agencyB}
		if err := f.store.CreateUser(byBoss, kim, "Password-0001"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.SetPassword(byBoss, hong.ID, "Password-0002", true); err != nil {
			t.Fatal(err)
		}
		reset, err := f.store.ResetPassword(byBoss, hong.ID)
		if err != nil {
			t.Fatal(err)
		}
		asHong := access.Actor{Kind: access.ActorUser, ID: hong.ID, Name: "hong", Address: "10.0.0.2"}
		if err := f.store.ChangePassword(access.WithActor(background, asHong), hong.ID, reset, "Password-0003"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Lock(byBoss, hong.ID, time.Time{}, ReasonAdmin); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Unlock(byBoss, hong.ID); err != nil {
			t.Fatal(err)
		}
		for _, disabled := range []bool{true, true, false} { // the second changes nothing
			if err := f.store.SetDisabled(byBoss, kim.ID, disabled); err != nil {
				t.Fatal(err)
			}
		}
		// Five wrong passwords: the tower locks the account, from where
		// they came; the attempts themselves are login events, not changes.
		for range 5 {
			f.store.Authenticate(byBoss, "hong", "Wrong-password-1", "203.0.113.9")
		}
		agent := &Token{Name: "대전 에이전트", Role: Agent, AgencyID: f.agencyA, SystemIDs: []int64{f.systemA}, CreatedBy: 1}
		raw, err := f.store.CreateToken(access.WithActor(background, console), agent)
		if err != nil {
			t.Fatal(err)
		}
		script := &Token{Name: "본부 스크립트", Role: Script}
		if _, err := f.store.CreateToken(byBoss, script); err != nil {
			t.Fatal(err)
		}
		for range 2 { // revoking again changes nothing
			if err := f.store.RevokeToken(byBoss, agent.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Ninety days on: kim, found inactive at a login, is locked by the
		// tower; the sweep locks the first admin and hong.
		f.clock.advance(91 * 24 * time.Hour)
		f.store.Authenticate(background, "kim", "Password-0001", "198.51.100.7")
		if n, err := f.store.LockInactive(access.WithActor(background, console)); err != nil || n != 2 {
			t.Fatalf("the sweep locked %d (%v), want 2", n, err)
		}

		a, b := &f.agencyA, &f.agencyB
		atTower := tower
		atTower.Address = "203.0.113.9"
		kimTower := tower
		kimTower.Address = "198.51.100.7"
		want := []struct {
			action, kind, summary string
			actor                 access.Actor
			agency                *int64
			after                 string // text the record after must hold
		}{
			{audit.ActionCreate, audit.KindUser, "admin", tower, nil, `"role":"ministry_admin"`},
			{audit.ActionCreate, audit.KindUser, "hong", boss, a, `"must_change_password":true`},
			{audit.ActionCreate, audit.KindUser, "kim", boss, b, `"role":"agency_viewer"`},
			{audit.ActionPassword, audit.KindUser, "hong", boss, a, `"password_changed_at"`},
			{audit.ActionPasswordReset, audit.KindUser, "hong", boss, a, `"must_change_password":true`},
			{audit.ActionPassword, audit.KindUser, "hong", asHong, a, `"must_change_password":false`},
			{audit.ActionLock, audit.KindUser, "hong", boss, a, `"locked_reason":"admin"`},
			{audit.ActionUnlock, audit.KindUser, "hong", boss, a, `"failed_logins":0`},
			{audit.ActionDisable, audit.KindUser, "kim", boss, b, `"disabled":true`},
			{audit.ActionEnable, audit.KindUser, "kim", boss, b, `"disabled":false`},
			{audit.ActionLock, audit.KindUser, "hong", atTower, a, `"locked_reason":"failed_logins"`},
			{audit.ActionCreate, audit.KindToken, "대전 에이전트", console, a, fmt.Sprintf(`"system_ids":[%d]`, f.systemA)},
			{audit.ActionCreate, audit.KindToken, "본부 스크립트", boss, nil, `"role":"script"`},
			{audit.ActionRevoke, audit.KindToken, "대전 에이전트", boss, a, `"revoked_at"`},
			{audit.ActionLock, audit.KindUser, "kim", kimTower, b, `"locked_reason":"inactive"`},
			{audit.ActionLock, audit.KindUser, "admin", console, nil, `"locked_reason":"inactive"`},
			{audit.ActionLock, audit.KindUser, "hong", console, a, `"locked_reason":"inactive"`},
		}
		got := entries(t, db, access.All())
		if len(got) != len(want) {
			var desc []string
			for _, e := range got {
				desc = append(desc, e.Describe("en"))
			}
			t.Fatalf("%d entries, want %d:\n%s", len(got), len(want), strings.Join(desc, "\n"))
		}
		for i, w := range want {
			e := got[i]
			if e.Action != w.action || e.Kind != w.kind || e.Summary != w.summary {
				t.Errorf("entry %d is %q, want %s %s %s", i, e.Describe("en"), w.kind, w.summary, w.action)
			}
			if e.Actor != w.actor {
				t.Errorf("entry %d (%s) is by %+v, want %+v", i, e.Describe("en"), e.Actor, w.actor)
			}
			if (e.AgencyID == nil) != (w.agency == nil) || (e.AgencyID != nil && *e.AgencyID != *w.agency) {
				t.Errorf("entry %d (%s) belongs to agency %v, want %v", i, e.Describe("en"), e.AgencyID, w.agency)
			}
			if !strings.Contains(string(e.After), w.after) {
				t.Errorf("entry %d (%s): after %s lacks %s", i, e.Describe("en"), e.After, w.after)
			}
			if (e.Before == nil) != (w.action == audit.ActionCreate) || e.RecordID == nil {
				t.Errorf("entry %d (%s): before %s, record %v", i, e.Describe("en"), e.Before, e.RecordID)
			}
			if !e.At.Equal(f.clock.t) && !e.At.Equal(f.clock.t.Add(-91*24*time.Hour)) {
				t.Errorf("entry %d (%s) at %v, not on the store's clock", i, e.Describe("en"), e.At)
			}
		}

		// No secret: no password, no hash of one, no token, no token hash.
		secrets := []string{first, reset, "Password-0001", "Password-0002", "Password-0003", raw, raw[len(TokenPrefix):],
			secretHash(raw), "$argon2id$", "password_hash", "token_hash"}
		for _, q := range []string{`SELECT password_hash FROM users`, `SELECT password_hash FROM password_history`, `SELECT token_hash FROM api_tokens`} {
			rows, err := db.Read.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var h string
				rows.Scan(&h)
				secrets = append(secrets, h)
			}
			rows.Close()
		}
		for _, e := range got {
			body, _ := json.Marshal(e)
			for _, s := range secrets {
				if strings.Contains(string(body), s) {
					t.Errorf("entry %d (%s) holds a secret %q: %s", e.Seq, e.Describe("en"), s, body)
				}
			}
		}

		// An agency's admins read their own accounts' entries and no other.
		for _, agency := range []int64{f.agencyA, f.agencyB} {
			mine := entries(t, db, access.Agency(agency))
			n := 0
			for _, w := range want {
				if w.agency != nil && *w.agency == agency {
					n++
				}
			}
			if len(mine) != n {
				t.Errorf("agency %d reads %d entries, want %d", agency, len(mine), n)
			}
			for _, e := range mine {
				if e.AgencyID == nil || *e.AgencyID != agency {
					t.Errorf("agency %d reads %s of agency %v", agency, e.Describe("en"), e.AgencyID)
				}
			}
		}
		if rep := verified(t, db); rep.Entries != int64(len(want)) {
			t.Fatalf("verify read %d entries, want %d", rep.Entries, len(want))
		}
	})
}

// A change that fails records nothing, and leaves the chain whole.
func TestFailedChangesRecordNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		failures := []error{
			f.store.CreateUser(ctx, &User{Login: "hong", Name: "x", Role: AgencyViewer, AgencyID: f.agencyA}, "Password-2026"),
			f.store.CreateUser(ctx, &User{Login: "lee", Name: "x", Role: AgencyViewer, AgencyID: 9999}, "Password-2026"),
			f.store.SetPassword(ctx, u.ID, "Password-2026", false),
			f.store.Lock(ctx, 9999, time.Time{}, ReasonAdmin),
			f.store.Unlock(ctx, 9999),
			f.store.SetDisabled(ctx, 9999, true),
			f.store.RevokeToken(ctx, 9999),
		}
		_, err := f.store.CreateToken(ctx, &Token{Name: "x", Role: Backup, AgencyID: f.agencyA, SystemIDs: []int64{f.systemB}})
		failures = append(failures, err)
		for i, err := range failures {
			if err == nil {
				t.Errorf("change %d did not fail", i)
			}
		}
		if got := entries(t, db, access.All()); len(got) != 1 || got[0].Summary != "hong" {
			t.Fatalf("entries %+v, want hong's creation alone", got)
		}
		verified(t, db)
	})
}

// Failed logins arriving at once on several accounts, while other changes
// are appended, keep one unbroken chain, and each account's lock is
// recorded once.
func TestConcurrentFailedLoginsKeepTheChain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		logins := []string{"hong", "kim", "lee"}
		for _, login := range logins {
			f.user(t, login, AgencyEditor, f.agencyA, "Password-2026")
		}
		other := f.user(t, "park", AgencyAdmin, f.agencyB, "Password-2026")
		var wg sync.WaitGroup
		for _, login := range logins {
			for range 12 {
				wg.Go(func() {
					f.store.Authenticate(ctx, login, "Wrong-password-1", "203.0.113.9")
				})
			}
		}
		// Meanwhile an admin locks and unlocks another account, and another
		// writer appends entries of its own.
		byAdmin := access.WithActor(ctx, access.Actor{Kind: access.ActorUser, ID: 99, Name: "boss"})
		wg.Go(func() {
			for range 5 {
				if err := f.store.Lock(byAdmin, other.ID, time.Time{}, ReasonAdmin); err != nil {
					t.Error(err)
				}
				if err := f.store.Unlock(byAdmin, other.ID); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			for i := range 10 {
				id := int64(i)
				e := &audit.Entry{Action: audit.ActionUpdate, Kind: audit.KindSystem, RecordID: &id}
				if err := db.InTx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, tx, e) }); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Wait()
		locks := map[string]int{}
		for _, e := range entries(t, db, access.All()) {
			if e.Action == audit.ActionLock && e.Actor.Kind == access.ActorSystem {
				locks[e.Summary]++
			}
		}
		if fmt.Sprint(locks) != "map[hong:1 kim:1 lee:1]" {
			t.Fatalf("locks by the tower %v, want one per account", locks)
		}
		// 4 creations, 3 locks by the tower, 10 by the admin, 10 others.
		if rep := verified(t, db); rep.Entries != 27 || rep.Head.Seq != 27 {
			t.Fatalf("report %+v, want 27 entries", rep)
		}
	})
}
