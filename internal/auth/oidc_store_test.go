package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/testdb"
)

// events lists the login attempts, oldest first.
func (f *fixture) events(t *testing.T) []LoginEvent {
	t.Helper()
	list, err := f.store.LoginEvents(context.Background(), access.All(), time.Time{}, Forever)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func lastEvent(t *testing.T, f *fixture) LoginEvent {
	t.Helper()
	list := f.events(t)
	if len(list) == 0 {
		t.Fatal("no login event")
	}
	return list[len(list)-1]
}

// The first single sign-on finds the account by login and links the
// subject, in the audit log; later ones find it by the subject alone,
// whatever the login claim then says; a person the provider knows under
// the same login but another subject is not let in.
func TestOIDCLinksByLoginThenBySubject(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		boss := access.WithActor(ctx, access.Actor{Kind: access.ActorUser, ID: 1, Name: "admin", Address: "10.0.0.1"})
		hong := &User{Login: "hong", Name: "홍길동", Role: AgencyEditor, AgencyID: f.agencyA}
		if err := f.store.CreateUser(boss, hong, "Password-2026"); err != nil {
			t.Fatal(err)
		}
		before := len(entries(t, db, access.All()))

		p, err := f.store.PrincipalForOIDC(ctx, "sub-hong", "Hong", "10.0.0.5")
		if err != nil {
			t.Fatalf("first single sign-on: %v", err)
		}
		if p.Kind != KindUser || p.UserID != hong.ID || p.Role != AgencyEditor || p.AgencyID != f.agencyA || p.Name != "hong" || p.MustChangePassword {
			t.Fatalf("principal = %+v; want hong's, without a password to change", p)
		}
		got := f.get(t, hong.ID)
		if got.OIDCSubject != "sub-hong" || !got.LastLoginAt.Equal(f.clock.t) {
			t.Fatalf("after the first sign-on: %+v; want the subject stored and the login time", got)
		}
		if e := lastEvent(t, f); e.Method != MethodOIDC || e.Outcome != OutcomeOK || e.UserID != hong.ID || e.Login != "Hong" || e.Address != "10.0.0.5" {
			t.Fatalf("login event = %+v", e)
		}

		// The link is an entry of the audit log, made by the tower at the
		// address the sign-in came from, readable by hong's agency.
		list := entries(t, db, access.All())
		if len(list) != before+1 {
			t.Fatalf("%d new audit entries, want 1 (the link)", len(list)-before)
		}
		link := list[len(list)-1]
		tower := access.ActorFrom(ctx)
		tower.Address = "10.0.0.5"
		if link.Action != audit.ActionUpdate || link.Kind != audit.KindUser || *link.RecordID != hong.ID || link.Summary != "hong" ||
			link.Actor != tower || link.AgencyID == nil || *link.AgencyID != f.agencyA {
			t.Fatalf("link entry = %+v", link)
		}
		if strings.Contains(string(link.Before), "oidc_subject") || !strings.Contains(string(link.After), `"oidc_subject":"sub-hong"`) {
			t.Fatalf("link entry: before %s, after %s", link.Before, link.After)
		}
		verified(t, db)

		// Later: the subject decides, even when the login claim changed.
		f.clock.advance(time.Hour)
		p, err = f.store.PrincipalForOIDC(ctx, "sub-hong", "gildong.hong@moel.go.kr", "10.0.0.6")
		if err != nil || p.UserID != hong.ID {
			t.Fatalf("sign-on with a changed login claim: %+v, %v", p, err)
		}
		if n := len(entries(t, db, access.All())); n != before+1 {
			t.Fatalf("a sign-on by subject made %d audit entries, want none", n-before-1)
		}

		// Someone else whom the provider calls "hong" now is not hong.
		_, err = f.store.PrincipalForOIDC(ctx, "sub-impostor", "hong", "10.0.0.7")
		mustRefuse(t, err, "oidc.unauthorized")
		if e := lastEvent(t, f); e.Method != MethodOIDC || e.Outcome != OutcomeUnknownUser || e.UserID != 0 || e.Login != "hong" {
			t.Fatalf("login event = %+v", e)
		}
		if got := f.get(t, hong.ID); got.OIDCSubject != "sub-hong" {
			t.Fatalf("the link moved to %q", got.OIDCSubject)
		}

		// An admin hands hong a new one-time password. A single sign-on
		// session asks for no password change; a password session of the
		// same account still does, and the password keeps working.
		if err := f.store.SetPassword(boss, hong.ID, "Password-2027", true); err != nil {
			t.Fatal(err)
		}
		sso, err := f.store.NewOIDCSession(ctx, hong.ID, "10.0.0.6", "browser")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := f.store.SessionPrincipal(ctx, sso); err != nil || p.UserID != hong.ID || p.MustChangePassword {
			t.Fatalf("single sign-on session: %+v, %v", p, err)
		}
		p, err = f.store.Authenticate(ctx, "hong", "Password-2027", "10.0.0.6")
		if err != nil || !p.MustChangePassword {
			t.Fatalf("password login: %+v, %v; want one that must change the password", p, err)
		}
		local, err := f.store.NewSession(ctx, hong.ID, "10.0.0.6", "browser")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := f.store.SessionPrincipal(ctx, local); err != nil || !p.MustChangePassword {
			t.Fatalf("password session: %+v, %v", p, err)
		}
		if e := lastEvent(t, f); e.Method != MethodPassword {
			t.Fatalf("password login recorded as %q", e.Method)
		}

		// An admin unlinks: the single sign-on sessions end, the password
		// one stays, and the next single sign-on links by login again.
		if err := f.store.UnlinkOIDC(boss, hong.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.SessionPrincipal(ctx, sso); err == nil {
			t.Fatal("the single sign-on session outlived the unlink")
		}
		if _, err := f.store.SessionPrincipal(ctx, local); err != nil {
			t.Fatalf("the password session ended at the unlink: %v", err)
		}
		list = entries(t, db, access.All())
		unlink := list[len(list)-1]
		if unlink.Action != audit.ActionUpdate || unlink.Actor.Name != "admin" || strings.Contains(string(unlink.After), "oidc_subject") {
			t.Fatalf("unlink entry = %+v, after %s", unlink, unlink.After)
		}
		if err := f.store.UnlinkOIDC(boss, hong.ID); err != nil || len(entries(t, db, access.All())) != len(list) {
			t.Fatalf("unlinking again: %v, or it made an entry", err)
		}
		// Still holding a one-time password, hong is not linked by login;
		// once hong has chosen a password, the next sign-on links again.
		if _, err := f.store.PrincipalForOIDC(ctx, "sub-hong-2", "hong", "10.0.0.8"); err == nil {
			t.Fatal("an account with a one-time password was linked by login")
		}
		if err := f.store.ChangePassword(ctx, hong.ID, "Password-2027", "Chosen-Secret-2028"); err != nil {
			t.Fatal(err)
		}
		if p, err := f.store.PrincipalForOIDC(ctx, "sub-hong-2", "hong", "10.0.0.8"); err != nil || p.UserID != hong.ID {
			t.Fatalf("sign-on after the unlink: %+v, %v", p, err)
		}
		if got := f.get(t, hong.ID); got.OIDCSubject != "sub-hong-2" {
			t.Fatalf("relinked to %q", got.OIDCSubject)
		}
		verified(t, db)
	})
}

// Single sign-on creates no account, and refuses a locked, inactive or
// disabled one as a password login does, with one error for all.
func TestOIDCRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		kim := f.user(t, "kim", AgencyViewer, f.agencyB, "Password-2026")
		users := func() int {
			list, err := f.store.Users(ctx, access.All())
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		count := users()

		// Nobody of that login, or no login claim at all: refused, recorded
		// as an unknown login, and no account appears.
		_, err := f.store.PrincipalForOIDC(ctx, "sub-new", "newcomer", "10.0.0.9")
		mustRefuse(t, err, "oidc.unauthorized")
		if e := lastEvent(t, f); e.Outcome != OutcomeUnknownUser || e.UserID != 0 || e.Login != "newcomer" || e.Method != MethodOIDC {
			t.Fatalf("login event = %+v", e)
		}
		_, err = f.store.PrincipalForOIDC(ctx, "sub-anonymous", "", "10.0.0.9")
		mustRefuse(t, err, "oidc.unauthorized")
		if e := lastEvent(t, f); e.Outcome != OutcomeUnknownUser || e.Login != "sub-anonymous" {
			t.Fatalf("login event = %+v; want the subject as the login", e)
		}
		for _, bad := range []string{"", strings.Repeat("s", 256), "sub\x00"} {
			_, err = f.store.PrincipalForOIDC(ctx, bad, "kim", "10.0.0.9")
			mustRefuse(t, err, "oidc.unauthorized")
		}
		if n := users(); n != count {
			t.Fatalf("single sign-on made %d accounts", n-count)
		}
		if got := f.get(t, kim.ID); got.OIDCSubject != "" {
			t.Fatalf("kim = %+v; no link for a bad subject", got)
		}

		scenarios := []struct {
			name    string
			prepare func(t *testing.T, u *User)
			outcome string
		}{
			{"locked by an admin", func(t *testing.T, u *User) {
				if err := f.store.Lock(ctx, u.ID, time.Time{}, ReasonAdmin); err != nil {
					t.Fatal(err)
				}
			}, OutcomeLocked},
			{"locked after failed passwords", func(t *testing.T, u *User) {
				for range 5 {
					f.store.Authenticate(ctx, u.Login, "Wrong-password-1", "10.0.0.9")
				}
			}, OutcomeLocked},
			{"disabled", func(t *testing.T, u *User) {
				if err := f.store.SetDisabled(ctx, u.ID, true); err != nil {
					t.Fatal(err)
				}
			}, OutcomeDisabled},
			{"unused for 90 days", func(t *testing.T, u *User) {
				f.clock.advance(91 * 24 * time.Hour)
			}, OutcomeInactive},
		}
		for i, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				login := "user" + string(rune('a'+i))
				u := f.user(t, login, AgencyEditor, f.agencyA, "Password-2026")
				s.prepare(t, u)
				before := len(entries(t, db, access.All()))
				_, err := f.store.PrincipalForOIDC(ctx, "sub-"+login, login, "10.0.0.9")
				mustRefuse(t, err, "oidc.unauthorized")
				if e := lastEvent(t, f); e.Outcome != s.outcome || e.UserID != u.ID || e.Method != MethodOIDC {
					t.Fatalf("login event = %+v, want %s", e, s.outcome)
				}
				got := f.get(t, u.ID)
				if got.OIDCSubject != "" || !got.LastLoginAt.IsZero() {
					t.Fatalf("a refused account was linked or signed in: %+v", got)
				}
				list := entries(t, db, access.All())
				if s.outcome == OutcomeInactive {
					// Found inactive at this attempt: locked, by the tower.
					if len(list) != before+1 || list[len(list)-1].Action != audit.ActionLock || got.LockedReason != ReasonInactive {
						t.Fatalf("inactive account: %d entries, lock %q", len(list)-before, got.LockedReason)
					}
				} else if len(list) != before {
					t.Fatalf("a refusal made %d audit entries", len(list)-before)
				}
			})
		}

		// A lock for failed passwords runs out for single sign-on too, and
		// the sign-on clears the count.
		u := f.user(t, "park", AgencyEditor, f.agencyA, "Password-2026")
		for range 5 {
			f.store.Authenticate(ctx, "park", "Wrong-password-1", "10.0.0.9")
		}
		f.clock.advance(31 * time.Minute)
		f.store.Authenticate(ctx, "park", "Wrong-password-1", "10.0.0.9")
		if p, err := f.store.PrincipalForOIDC(ctx, "sub-park", "park", "10.0.0.9"); err != nil || p.UserID != u.ID {
			t.Fatalf("sign-on after the lock ran out: %+v, %v", p, err)
		}
		if got := f.get(t, u.ID); got.FailedLogins != 0 || !got.LockedUntil.IsZero() || got.OIDCSubject != "sub-park" {
			t.Fatalf("after the sign-on: %+v", got)
		}
		verified(t, db)
	})
}

// A provider's login claim may be editable by its users: ministry accounts
// (which see everything) and accounts whose owner never chose a password are
// not linked by it, only by an administrator's word.
func TestOIDCNeverLinksMinistryOrUnusedAccountsByLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		boss := &User{Login: "chief", Name: "본부", Role: MinistryAdmin}
		fresh := &User{Login: "newbie", Name: "신규", Role: AgencyEditor, AgencyID: f.agencyA, MustChangePassword: true}
		for _, u := range []*User{boss, fresh} {
			if err := f.store.CreateUser(ctx, u, "Password-2026"); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []*User{boss, fresh} {
			if _, err := f.store.PrincipalForOIDC(ctx, "sub-"+u.Login, u.Login, "10.0.0.7"); err == nil {
				t.Fatalf("%s was linked by its login claim", u.Login)
			}
			if got := f.get(t, u.ID); got.OIDCSubject != "" {
				t.Fatalf("%s got subject %q", u.Login, got.OIDCSubject)
			}
		}
		if err := f.store.LinkOIDC(ctx, boss.ID, "sub-chief"); err != nil {
			t.Fatal(err)
		}
		p, err := f.store.PrincipalForOIDC(ctx, "sub-chief", "anything", "10.0.0.7")
		if err != nil || p.UserID != boss.ID {
			t.Fatalf("after an admin's link: %+v %v", p, err)
		}
		if err := f.store.LinkOIDC(ctx, fresh.ID, "sub-chief"); err == nil {
			t.Fatal("one subject linked to two accounts")
		}
	})
}
