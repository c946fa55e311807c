package secreport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/secreport"
	"yeonsok/internal/testdb"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadReportsTheMonth(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		day := 24 * time.Hour
		now := time.Now()
		if _, end := secreport.MonthOf(now); end.Sub(now) < 5*time.Minute {
			// Inventory entries are stamped with the real time, and must
			// fall in the month the accounts' clock reports.
			t.Skip("skipped within 5 minutes of the end of a KST month: the test's entries would straddle two monthly reports")
		}
		clock := now
		accounts := auth.NewStore(db, auth.Settings{})
		accounts.Now = func() time.Time { return clock }
		inv := inventory.NewStore(db)
		setup := access.WithActor(ctx, access.Actor{Kind: access.ActorCLI, Name: "operator"})

		// The two agencies and a system in each, by the ministry's admin.
		boss := &auth.User{Login: "boss", Name: "본부 관리자", Role: auth.MinistryAdmin}
		must(t, accounts.CreateUser(setup, boss, "Password-2026"))
		byBoss := access.WithActor(ctx, access.Actor{Kind: access.ActorUser, ID: boss.ID, Name: "boss", Address: "10.0.0.1"})
		var agencyA, agencyB inventory.Agency
		var systemA, systemB inventory.System
		must(t, inv.Update(byBoss, access.All(), func(tx *inventory.Tx) error {
			agencyA.Name, agencyB.Name = "서울청", "부산청"
			for _, ag := range []*inventory.Agency{&agencyA, &agencyB} {
				if err := tx.CreateAgency(byBoss, ag); err != nil {
					return err
				}
			}
			systemA = inventory.System{AgencyID: agencyA.ID, Name: "고용24", Grade: 2}
			systemB = inventory.System{AgencyID: agencyB.ID, Name: "실업급여", Grade: 3}
			for _, s := range []*inventory.System{&systemA, &systemB} {
				if err := tx.CreateSystem(byBoss, s); err != nil {
					return err
				}
			}
			return nil
		}))
		user := func(login string, role auth.Role, agency int64) *auth.User {
			u := &auth.User{Login: login, Name: login, Role: role, AgencyID: agency}
			must(t, accounts.CreateUser(byBoss, u, "Password-2026"))
			return u
		}
		// A hundred days ago: an account in each agency that nobody uses.
		clock = now.Add(-100 * day)
		user("idle", auth.AgencyViewer, agencyA.ID)
		user("dormant", auth.AgencyViewer, agencyB.ID)

		// This month.
		clock = now
		hong := user("hong", auth.AgencyEditor, agencyA.ID)
		kim := user("kim", auth.AgencyAdmin, agencyB.ID)
		for range 5 {
			accounts.Authenticate(ctx, "hong", "Wrong-password-1", "203.0.113.9")
		}
		for range 2 {
			accounts.Authenticate(ctx, "ghost", "Wrong-password-1", "203.0.113.9")
		}
		accounts.Authenticate(ctx, "kim", "Wrong-password-1", "198.51.100.1")
		if _, err := accounts.Authenticate(ctx, "kim", "Password-2026", "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
		must(t, accounts.Unlock(byBoss, hong.ID))
		must(t, accounts.Lock(byBoss, kim.ID, time.Time{}, auth.ReasonAdmin))
		if n, err := accounts.LockInactive(ctx); err != nil || n != 2 {
			t.Fatalf("the sweep locked %d (%v), want idle and dormant", n, err)
		}

		agent := &auth.Token{Name: "서울 에이전트", Role: auth.Agent, AgencyID: agencyA.ID, SystemIDs: []int64{systemA.ID}, CreatedBy: boss.ID}
		raw, err := accounts.CreateToken(byBoss, agent)
		must(t, err)
		if _, err := accounts.TokenPrincipal(ctx, raw); err != nil {
			t.Fatal(err)
		}
		backup := &auth.Token{Name: "서울 백업", Role: auth.Backup, AgencyID: agencyA.ID, SystemIDs: []int64{systemA.ID}}
		_, err = accounts.CreateToken(byBoss, backup)
		must(t, err)
		must(t, accounts.RevokeToken(byBoss, backup.ID))
		_, err = accounts.CreateToken(byBoss, &auth.Token{Name: "부산 동기화", Role: auth.Script, AgencyID: agencyB.ID})
		must(t, err)
		_, err = accounts.CreateToken(byBoss, &auth.Token{Name: "본부 스크립트", Role: auth.Script})
		must(t, err)

		// Two people change their agencies' inventory.
		byHong := access.WithActor(ctx, access.Actor{Kind: access.ActorUser, ID: hong.ID, Name: "hong", Address: "10.1.0.5"})
		for _, grade := range []int{1, 2} {
			systemA.Grade = grade
			must(t, inv.Update(byHong, access.Agency(agencyA.ID), func(tx *inventory.Tx) error { return tx.UpdateSystem(byHong, &systemA) }))
		}
		byKim := access.WithActor(ctx, access.Actor{Kind: access.ActorUser, ID: kim.ID, Name: "kim", Address: "10.2.0.5"})
		must(t, inv.Update(byKim, access.Agency(agencyB.ID), func(tx *inventory.Tx) error {
			return tx.CreateSystem(byKim, &inventory.System{AgencyID: agencyB.ID, Name: "부산 민원", Grade: 4})
		}))
		clock = clock.Add(time.Minute)

		ministry, err := secreport.Load(ctx, db, accounts, access.All(), now)
		must(t, err)
		agency, err := secreport.Load(ctx, db, accounts, access.Agency(agencyA.ID), now)
		must(t, err)

		scenarios := []struct {
			name   string
			report *secreport.Report
			want   map[string]string
		}{
			{"the ministry sees every agency", ministry, map[string]string{
				"summary": "attempts 9 failures 8 logins 3 locks 4 automatic 3 unlocks 1 locked 3 inactive 2 as-inactive 2 " +
					"tokens 3 never-used 2 revoked 1 changes 20 actors 5",
				"outcomes":  "[{ok 1} {bad_password 6} {unknown_user 2} {locked 0} {inactive 0} {disabled 0} {temporary_expired 0}]",
				"by login":  "hong/서울청 5 1; ghost/ 2 1; kim/부산청 1 1",
				"addresses": "203.0.113.9 7 2; 198.51.100.1 1 1",
				"locks":     "hong failed_logins yeonsok@203.0.113.9 true; kim admin boss@10.0.0.1 false; idle inactive yeonsok@ true; dormant inactive yeonsok@ true",
				"unlocks":   "hong failed_logins boss@10.0.0.1 false",
				"locked":    "dormant/부산청 inactive; idle/서울청 inactive; kim/부산청 admin",
				"inactive":  "dormant/부산청 100 true; idle/서울청 100 true",
				"tokens":    "서울 에이전트/서울청 used; 부산 동기화/부산청 never; 본부 스크립트/ never",
				"revoked":   "서울 백업/서울청 boss",
				"kinds":     "[agency system user token]",
				"changes":   "boss 13 [2 2 4 5]; yeonsok 3 [0 0 3 0]; hong 2 [0 2 0 0]; operator 1 [0 0 1 0]; kim 1 [0 1 0 0]",
			}},
			{"an agency sees its own", agency, map[string]string{
				"summary": "attempts 5 failures 5 logins 1 locks 2 automatic 2 unlocks 1 locked 1 inactive 1 as-inactive 1 " +
					"tokens 1 never-used 0 revoked 1 changes 11 actors 3",
				"outcomes":  "[{ok 0} {bad_password 5} {unknown_user 0} {locked 0} {inactive 0} {disabled 0} {temporary_expired 0}]",
				"by login":  "hong/서울청 5 1",
				"addresses": "203.0.113.9 5 1",
				"locks":     "hong failed_logins yeonsok@203.0.113.9 true; idle inactive yeonsok@ true",
				"unlocks":   "hong failed_logins boss@10.0.0.1 false",
				"locked":    "idle/서울청 inactive",
				"inactive":  "idle/서울청 100 true",
				"tokens":    "서울 에이전트/서울청 used",
				"revoked":   "서울 백업/서울청 boss",
				"kinds":     "[agency system user token]",
				"changes":   "boss 7 [1 1 2 3]; yeonsok 2 [0 0 2 0]; hong 2 [0 2 0 0]",
			}},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				got := describe(s.report)
				for _, key := range []string{"summary", "outcomes", "by login", "addresses", "locks", "unlocks", "locked", "inactive", "tokens", "revoked", "kinds", "changes"} {
					if got[key] != s.want[key] {
						t.Errorf("%s:\n got %s\nwant %s", key, got[key], s.want[key])
					}
				}
			})
		}
		if agency.AgencyID != agencyA.ID || agency.AgencyName != "서울청" || ministry.AgencyID != 0 {
			t.Errorf("scopes: %d %q, %d", agency.AgencyID, agency.AgencyName, ministry.AgencyID)
		}
		from, to := secreport.MonthOf(now)
		if !ministry.From.Equal(from) || !ministry.To.Equal(to) || !ministry.AsOf.Equal(clock.UTC()) {
			t.Errorf("period %v to %v as of %v", ministry.From, ministry.To, ministry.AsOf)
		}

		// The month before has none of this month's activity, only the
		// present state; the month of the unused accounts' creation has
		// that.
		before, err := secreport.Load(ctx, db, accounts, access.All(), from.Add(-time.Hour))
		must(t, err)
		if got := describe(before)["summary"]; got != "attempts 0 failures 0 logins 0 locks 0 automatic 0 unlocks 0 locked 3 inactive 2 as-inactive 2 "+
			"tokens 3 never-used 2 revoked 0 changes 0 actors 0" {
			t.Errorf("the month before: %s", got)
		}
		back, err := secreport.Load(ctx, db, accounts, access.All(), now.Add(-100*day))
		must(t, err)
		if got := describe(back); got["changes"] != "boss 2 [2]" || got["kinds"] != "[user]" {
			t.Errorf("the month of the unused accounts' creation: %s %s", got["changes"], got["kinds"])
		}

		rep, err := audit.Verify(ctx, db)
		if err != nil || !rep.OK() {
			t.Fatalf("the chain: %+v, %v", rep, err)
		}
	})
}

// describe writes the report's figures as text to compare.
func describe(r *secreport.Report) map[string]string {
	s := r.Summary
	d := map[string]string{
		"summary": fmt.Sprintf("attempts %d failures %d logins %d locks %d automatic %d unlocks %d locked %d inactive %d as-inactive %d "+
			"tokens %d never-used %d revoked %d changes %d actors %d", s.LoginAttempts, s.LoginFailures, s.FailedLogins, s.Locks,
			s.AutomaticLocks, s.Unlocks, s.LockedNow, s.Inactive, s.LockedAsInactive, s.ActiveTokens, s.NeverUsedTokens,
			s.RevokedTokens, s.Changes, s.Actors),
		"outcomes": fmt.Sprint(r.Logins.ByOutcome),
		"kinds":    fmt.Sprint(r.ChangeKinds),
	}
	add := func(key, text string) {
		if d[key] != "" {
			d[key] += "; "
		}
		d[key] += text
	}
	for _, l := range r.Logins.ByLogin {
		add("by login", fmt.Sprintf("%s/%s %d %d", l.Login, l.AgencyName, l.Failures, l.Addresses))
	}
	for _, a := range r.Logins.TopAddresses {
		add("addresses", fmt.Sprintf("%s %d %d", a.Address, a.Failures, a.Logins))
	}
	for _, e := range r.Locks {
		add("locks", fmt.Sprintf("%s %s %s@%s %v", e.Login, e.Reason, e.By.Name, e.By.Address, e.Automatic))
	}
	for _, e := range r.Unlocks {
		add("unlocks", fmt.Sprintf("%s %s %s@%s %v", e.Login, e.Reason, e.By.Name, e.By.Address, e.Automatic))
	}
	for _, a := range r.Locked {
		add("locked", fmt.Sprintf("%s/%s %s", a.Login, a.AgencyName, a.Reason))
	}
	for _, a := range r.Inactive {
		add("inactive", fmt.Sprintf("%s/%s %d %v", a.Login, a.AgencyName, a.Days, a.LockedAsInactive))
	}
	for _, u := range r.Tokens {
		used := "used"
		if u.NeverUsed {
			used = "never"
		}
		add("tokens", fmt.Sprintf("%s/%s %s", u.Name, u.AgencyName, used))
	}
	for _, u := range r.Revoked {
		add("revoked", fmt.Sprintf("%s/%s %s", u.Name, u.AgencyName, u.RevokedBy.Name))
	}
	for _, c := range r.Changes {
		var counts []string
		for _, k := range c.ByKind {
			counts = append(counts, fmt.Sprint(k.Count))
		}
		add("changes", fmt.Sprintf("%s %d [%s]", c.Actor.Name, c.Total, strings.Join(counts, " ")))
	}
	return d
}
