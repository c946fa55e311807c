package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/locale"
	"yeonsok/internal/testdb"
)

// clock is a time the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func startClock() *clock                 { return &clock{t: time.Date(2026, 1, 5, 0, 30, 0, 0, time.UTC)} }

// keyOf is the catalogue key of an apperror, "" for anything else.
func keyOf(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Key
	}
	return ""
}

// fixture is a store on a fresh database with two agencies and a system in
// each, cheap password hashes and a clock of its own.
type fixture struct {
	store            *Store
	db               *database.DB
	clock            *clock
	agencyA, agencyB int64
	systemA, systemB int64
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: startClock(), store: NewStore(db, Settings{})}
	f.store.params = cheapParams
	f.store.Now = f.clock.now
	ctx := context.Background()
	now := database.Now()
	for i, id := range []*int64{&f.agencyA, &f.agencyB} {
		if err := db.Write.QueryRowContext(ctx, `INSERT INTO agencies (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
			fmt.Sprintf("기관 %d", i+1), now).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range []*int64{&f.systemA, &f.systemB} {
		agency := []int64{f.agencyA, f.agencyB}[i]
		if err := db.Write.QueryRowContext(ctx, `INSERT INTO systems (agency_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
			agency, fmt.Sprintf("시스템 %d", i+1), now).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) user(t *testing.T, login string, role Role, agency int64, password string) *User {
	t.Helper()
	u := &User{Login: login, Name: login, Role: role, AgencyID: agency}
	if err := f.store.CreateUser(context.Background(), u, password); err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
	return u
}

func (f *fixture) get(t *testing.T, id int64) *User {
	t.Helper()
	u, err := f.store.User(context.Background(), access.All(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) outcomes(t *testing.T) []string {
	t.Helper()
	events, err := f.store.LoginEvents(context.Background(), access.All(), time.Time{}, Forever)
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, e := range events {
		list = append(list, e.Outcome)
	}
	return list
}

func mustRefuse(t *testing.T, err error, key string) {
	t.Helper()
	if apperror.CodeOf(err) != Unauthorized || keyOf(err) != key {
		t.Fatalf("err = %v, want code %s with %s", err, Unauthorized, key)
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		for i := 1; i <= 4; i++ {
			_, err := f.store.Authenticate(ctx, "hong", "wrong-password-1", "10.0.0.9")
			mustRefuse(t, err, "auth.unauthorized")
			if got := f.get(t, u.ID); got.FailedLogins != i || got.Locked(f.clock.t) {
				t.Fatalf("after %d failures: %d counted, locked %v", i, got.FailedLogins, got.Locked(f.clock.t))
			}
		}
		_, err := f.store.Authenticate(ctx, "hong", "wrong-password-1", "10.0.0.9")
		mustRefuse(t, err, "auth.unauthorized")
		got := f.get(t, u.ID)
		if !got.Locked(f.clock.t) || got.LockedReason != ReasonFailedLogins || !got.LockedUntil.Equal(f.clock.t.Add(30*time.Minute)) {
			t.Fatalf("after 5 failures: locked until %v for %q, want 30 minutes for failed logins", got.LockedUntil, got.LockedReason)
		}
		// The right password does not open a locked account, and says no more
		// than a wrong one; attempts on it do not extend the lock.
		f.clock.advance(29 * time.Minute)
		_, err = f.store.Authenticate(ctx, "HONG", "Password-2026", "10.0.0.9")
		mustRefuse(t, err, "auth.unauthorized")
		_, err = f.store.Authenticate(ctx, "hong", "wrong-password-1", "10.0.0.9")
		mustRefuse(t, err, "auth.unauthorized")
		if again := f.get(t, u.ID); !again.LockedUntil.Equal(got.LockedUntil) {
			t.Fatalf("attempts on a locked account moved the lock to %v", again.LockedUntil)
		}
		// After the lock runs out the right password works and clears it.
		f.clock.advance(time.Minute)
		p, err := f.store.Authenticate(ctx, "hong", "Password-2026", "10.0.0.9")
		if err != nil || p.UserID != u.ID || p.Role != AgencyEditor || p.AgencyID != f.agencyA || p.Name != "hong" {
			t.Fatalf("login after the lock: %+v, %v", p, err)
		}
		if got := f.get(t, u.ID); got.FailedLogins != 0 || !got.LockedUntil.IsZero() || got.LockedReason != "" || !got.LastLoginAt.Equal(f.clock.t) {
			t.Fatalf("after success: %+v", got)
		}
		want := []string{"bad_password", "bad_password", "bad_password", "bad_password", "bad_password", "locked", "locked", "ok"}
		if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("login events %v, want %v", got, want)
		}

		// Locked again; an admin's unlock opens it at once.
		for range 5 {
			f.store.Authenticate(ctx, "hong", "wrong-password-1", "")
		}
		if !f.get(t, u.ID).Locked(f.clock.t) {
			t.Fatal("not locked again")
		}
		if err := f.store.Unlock(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Authenticate(ctx, "hong", "Password-2026", ""); err != nil {
			t.Fatalf("login after unlock: %v", err)
		}
	})
}

// Attempts arriving at once are all counted, and lock the account once.
func TestConcurrentFailuresLockOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		var wg sync.WaitGroup
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.store.Authenticate(ctx, "hong", "wrong-password-1", "")
				if apperror.CodeOf(err) != Unauthorized {
					t.Errorf("attempt: %v", err)
				}
			}()
		}
		wg.Wait()
		got := f.get(t, u.ID)
		if !got.Locked(f.clock.t) || got.LockedReason != ReasonFailedLogins {
			t.Fatalf("after 12 attempts at once: %+v", got)
		}
		counts := map[string]int{}
		for _, o := range f.outcomes(t) {
			counts[o]++
		}
		// At least five were counted; the rest met a lock or were counted
		// towards the next one.
		if counts[OutcomeBadPassword] < 5 || counts[OutcomeBadPassword]+counts[OutcomeLocked] != 12 {
			t.Fatalf("outcomes %v", counts)
		}
	})
}

// Two towers starting at once on one database make one first admin.
func TestFirstAdminOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		other := NewStore(db, Settings{})
		other.params = cheapParams
		passwords := make([]string, 2)
		var wg sync.WaitGroup
		for i, s := range []*Store{f.store, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := s.EnsureFirstAdmin(ctx)
				if err != nil {
					t.Errorf("tower %d: %v", i, err)
				}
				passwords[i] = p
			}()
		}
		wg.Wait()
		users, _ := f.store.Users(ctx, access.All())
		if len(users) != 1 || (passwords[0] == "") == (passwords[1] == "") {
			t.Fatalf("%d users, passwords %q", len(users), passwords)
		}
	})
}

// A success in between starts the count again: five failures must be in a
// row.
func TestFailuresMustBeInARow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		for range 4 {
			f.store.Authenticate(ctx, "hong", "nope-nope-1", "")
		}
		if _, err := f.store.Authenticate(ctx, "hong", "Password-2026", ""); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			f.store.Authenticate(ctx, "hong", "nope-nope-1", "")
		}
		if got := f.get(t, u.ID); got.Locked(f.clock.t) || got.FailedLogins != 4 {
			t.Fatalf("locked %v with %d failures, want unlocked with 4", got.Locked(f.clock.t), got.FailedLogins)
		}
	})
}

func TestUnknownUserGetsTheSameError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		_, bad := f.store.Authenticate(ctx, "hong", "wrong-password-1", "10.0.0.9")
		_, unknown := f.store.Authenticate(ctx, "nobody", "wrong-password-1", "10.0.0.9")
		_, long := f.store.Authenticate(ctx, strings.Repeat("가\x00", 300)+"\xff", "x", "10.0.0.9")
		// A password typed into the login field is not kept.
		_, typo := f.store.Authenticate(ctx, "Secret-Password#1", "x", "10.0.0.9")
		for _, err := range []error{bad, unknown, long, typo} {
			mustRefuse(t, err, "auth.unauthorized")
		}
		for _, lang := range []locale.Lang{locale.Korean, locale.English} {
			b, _ := apperror.As(bad)
			u, _ := apperror.As(unknown)
			if b.Message(lang) != u.Message(lang) {
				t.Fatalf("%s: %q differs from %q", lang, b.Message(lang), u.Message(lang))
			}
		}
		events, err := f.store.LoginEvents(ctx, access.All(), time.Time{}, Forever)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 4 || events[1].Outcome != OutcomeUnknownUser || events[1].UserID != 0 || events[1].Login != "nobody" ||
			events[1].Address != "10.0.0.9" || events[2].Login != invalidLogin || events[3].Login != invalidLogin {
			t.Fatalf("events %+v", events)
		}
		// An agency sees the attempts on its own accounts, not on unknown logins.
		mine, err := f.store.LoginEvents(ctx, access.Agency(f.agencyA), time.Time{}, Forever)
		if err != nil || len(mine) != 1 || mine[0].Login != "hong" {
			t.Fatalf("agency A's events: %+v, %v", mine, err)
		}
		other, err := f.store.LoginEvents(ctx, access.Agency(f.agencyB), time.Time{}, Forever)
		if err != nil || len(other) != 0 {
			t.Fatalf("agency B's events: %+v, %v", other, err)
		}
	})
}

func TestInactiveAccountsAreLocked(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		day := 24 * time.Hour
		idle := f.user(t, "idle", AgencyViewer, f.agencyA, "Password-2026")
		busy := f.user(t, "busy", AgencyViewer, f.agencyA, "Password-2026")
		swept := f.user(t, "swept", AgencyViewer, f.agencyB, "Password-2026")
		f.clock.advance(60 * day)
		if _, err := f.store.Authenticate(ctx, "busy", "Password-2026", ""); err != nil {
			t.Fatal(err)
		}
		f.clock.advance(29 * day)
		if n, err := f.store.LockInactive(ctx); err != nil || n != 0 {
			t.Fatalf("after 89 days the sweep locked %d (%v), want 0", n, err)
		}
		f.clock.advance(day)
		// At login, with the right password: locked as inactive.
		_, err := f.store.Authenticate(ctx, "idle", "Password-2026", "")
		mustRefuse(t, err, "auth.unauthorized")
		if got := f.get(t, idle.ID); got.LockedReason != ReasonInactive || !got.LockedUntil.Equal(Forever) {
			t.Fatalf("idle: locked until %v for %q", got.LockedUntil, got.LockedReason)
		}
		// The sweep locks the other one unused for 90 days, and only it.
		if n, err := f.store.LockInactive(ctx); err != nil || n != 1 {
			t.Fatalf("sweep locked %d (%v), want 1", n, err)
		}
		if got := f.get(t, swept.ID); got.LockedReason != ReasonInactive {
			t.Fatalf("swept: reason %q", got.LockedReason)
		}
		if got := f.get(t, busy.ID); got.Locked(f.clock.t) {
			t.Fatal("an account used 30 days ago was locked")
		}
		if n, _ := f.store.LockInactive(ctx); n != 0 {
			t.Fatalf("a second sweep locked %d again", n)
		}
		// Still locked years later; an admin's unlock lets the user in.
		f.clock.advance(400 * day)
		_, err = f.store.Authenticate(ctx, "idle", "Password-2026", "")
		mustRefuse(t, err, "auth.unauthorized")
		if err := f.store.Unlock(ctx, idle.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.advance(day)
		if _, err := f.store.Authenticate(ctx, "idle", "Password-2026", ""); err != nil {
			t.Fatalf("login the day after the unlock: %v", err)
		}
		want := []string{"ok", "inactive", "inactive", "ok"}
		if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("login events %v, want %v", got, want)
		}
	})
}

func TestFirstAdminMustChangePassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		password, err := f.store.EnsureFirstAdmin(ctx)
		if err != nil || password == "" {
			t.Fatalf("first admin: %q, %v", password, err)
		}
		if again, err := f.store.EnsureFirstAdmin(ctx); err != nil || again != "" {
			t.Fatalf("second call: %q, %v; want nothing created", again, err)
		}
		users, _ := f.store.Users(ctx, access.All())
		if len(users) != 1 || users[0].Login != FirstAdminLogin || users[0].Role != MinistryAdmin || !users[0].MustChangePassword || users[0].AgencyID != 0 {
			t.Fatalf("users %+v", users)
		}
		p, err := f.store.Authenticate(ctx, "admin", password, "")
		if err != nil || !p.MustChangePassword || !p.CanManageUsers(f.agencyA) {
			t.Fatalf("first login: %+v, %v", p, err)
		}
		if err := f.store.ChangePassword(ctx, p.UserID, "not-it-at-all-1", "New-Password-1"); keyOf(err) != "auth.password.current_wrong" {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := f.store.ChangePassword(ctx, p.UserID, password, password); keyOf(err) != "auth.password.reused" {
			t.Fatalf("the same password again: %v", err)
		}
		if err := f.store.ChangePassword(ctx, p.UserID, password, "New-Password-1"); err != nil {
			t.Fatal(err)
		}
		p, err = f.store.Authenticate(ctx, "admin", "New-Password-1", "")
		if err != nil || p.MustChangePassword {
			t.Fatalf("after the change: %+v, %v", p, err)
		}
		// An admin's reset asks for a change again.
		reset, err := f.store.ResetPassword(ctx, p.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if p, err = f.store.Authenticate(ctx, "admin", reset, ""); err != nil || !p.MustChangePassword {
			t.Fatalf("after a reset: %+v, %v", p, err)
		}
	})
}

func TestPasswordHistory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyEditor, f.agencyA, "Password-0001")
		session, err := f.store.NewSession(ctx, u.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"Password-0002", "Password-0003"} {
			if err := f.store.SetPassword(ctx, u.ID, p, false); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.store.SessionPrincipal(ctx, session)
		mustRefuse(t, err, "auth.session_ended")
		for _, p := range []string{"Password-0001", "Password-0002", "Password-0003"} {
			if err := f.store.SetPassword(ctx, u.ID, p, false); keyOf(err) != "auth.password.reused" {
				t.Fatalf("%s, one of the last 3: %v", p, err)
			}
		}
		if err := f.store.SetPassword(ctx, u.ID, "Password-0004", false); err != nil {
			t.Fatal(err)
		}
		// Now the first is four passwords back and may come again.
		if err := f.store.SetPassword(ctx, u.ID, "Password-0001", true); err != nil {
			t.Fatalf("a password 4 back: %v", err)
		}
		var kept int
		db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_history WHERE user_id = $1`, u.ID).Scan(&kept)
		if kept != 3 {
			t.Fatalf("history keeps %d hashes, want 3", kept)
		}
		if got := f.get(t, u.ID); !got.MustChangePassword {
			t.Fatal("must-change flag not set")
		}
		if err := f.store.SetPassword(ctx, u.ID, "short", false); keyOf(err) != "auth.password.weak" {
			t.Fatalf("weak password: %v", err)
		}
		if err := f.store.SetPassword(ctx, u.ID, "xHONGx-2026", false); keyOf(err) != "auth.password.contains_login" {
			t.Fatalf("password with the login: %v", err)
		}
		if err := f.store.SetPassword(ctx, 9999, "Password-0009", false); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyAdmin, f.agencyA, "Password-2026")
		raw, err := f.store.NewSession(ctx, u.ID, "10.0.0.9", "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		var stored int
		db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id = $1 OR address = $1 OR user_agent = $1`, raw).Scan(&stored)
		if len(raw) != 43 || stored != 0 {
			t.Fatalf("token %q (stored as itself %d times)", raw, stored)
		}
		lastSeen := func() string {
			var s string
			db.Read.QueryRowContext(ctx, `SELECT last_seen_at FROM sessions WHERE id = $1`, secretHash(raw)).Scan(&s)
			return s
		}
		p, err := f.store.SessionPrincipal(ctx, raw)
		if err != nil || p.UserID != u.ID || p.Kind != KindUser || p.Scope().AgencyID() != f.agencyA {
			t.Fatalf("principal %+v, %v", p, err)
		}
		// Sliding idle timeout, written at most once a minute.
		before := lastSeen()
		f.clock.advance(30 * time.Second)
		f.store.SessionPrincipal(ctx, raw)
		if lastSeen() != before {
			t.Fatal("last_seen_at written twice within a minute")
		}
		f.clock.advance(20 * time.Minute)
		if _, err := f.store.SessionPrincipal(ctx, raw); err != nil {
			t.Fatal(err)
		}
		if lastSeen() == before {
			t.Fatal("last_seen_at not moved after 20 minutes")
		}
		f.clock.advance(29 * time.Minute)
		if _, err := f.store.SessionPrincipal(ctx, raw); err != nil {
			t.Fatalf("29 minutes after the last use: %v", err)
		}
		f.clock.advance(30 * time.Minute)
		_, err = f.store.SessionPrincipal(ctx, raw)
		mustRefuse(t, err, "auth.session_ended")
		var left int
		db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&left)
		if left != 0 {
			t.Fatalf("%d ended sessions kept", left)
		}

		// Absolute lifetime: used every 20 minutes, it still ends at 12 h.
		raw, _ = f.store.NewSession(ctx, u.ID, "", "")
		for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
			f.clock.advance(20 * time.Minute)
			if _, err := f.store.SessionPrincipal(ctx, raw); err != nil {
				t.Fatalf("after %v: %v", elapsed, err)
			}
		}
		f.clock.advance(20 * time.Minute)
		_, err = f.store.SessionPrincipal(ctx, raw)
		mustRefuse(t, err, "auth.session_ended")

		// Logout, logout everywhere, a lock and disabling end sessions.
		one, _ := f.store.NewSession(ctx, u.ID, "", "")
		two, _ := f.store.NewSession(ctx, u.ID, "", "")
		if err := f.store.EndSession(ctx, one); err != nil {
			t.Fatal(err)
		}
		_, err = f.store.SessionPrincipal(ctx, one)
		mustRefuse(t, err, "auth.session_ended")
		if _, err := f.store.SessionPrincipal(ctx, two); err != nil {
			t.Fatalf("the other session ended too: %v", err)
		}
		three, _ := f.store.NewSession(ctx, u.ID, "", "")
		if err := f.store.EndUserSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{two, three} {
			_, err = f.store.SessionPrincipal(ctx, raw)
			mustRefuse(t, err, "auth.session_ended")
		}
		four, _ := f.store.NewSession(ctx, u.ID, "", "")
		if err := f.store.Lock(ctx, u.ID, time.Time{}, ReasonAdmin); err != nil {
			t.Fatal(err)
		}
		_, err = f.store.SessionPrincipal(ctx, four)
		mustRefuse(t, err, "auth.session_ended")
		if got := f.get(t, u.ID); got.LockedReason != ReasonAdmin || !got.LockedUntil.Equal(Forever) {
			t.Fatalf("admin lock: %+v", got)
		}
		f.store.Unlock(ctx, u.ID)
		// Five wrong passwords from someone else lock new sign-ins out but
		// leave the owner's session running.
		owner, _ := f.store.NewSession(ctx, u.ID, "", "")
		for range 5 {
			f.store.Authenticate(ctx, "hong", "wrong-password-1", "10.9.9.9")
		}
		if got := f.get(t, u.ID); got.LockedReason != ReasonFailedLogins {
			t.Fatalf("after five failures: %+v", got)
		}
		if _, err := f.store.SessionPrincipal(ctx, owner); err != nil {
			t.Fatalf("a failed-login lock signed the owner out: %v", err)
		}
		f.store.Unlock(ctx, u.ID)
		five, _ := f.store.NewSession(ctx, u.ID, "", "")
		if err := f.store.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = f.store.SessionPrincipal(ctx, five)
		mustRefuse(t, err, "auth.session_ended")
		_, err = f.store.Authenticate(ctx, "hong", "Password-2026", "")
		mustRefuse(t, err, "auth.unauthorized")
		if got := f.outcomes(t); got[len(got)-1] != OutcomeDisabled {
			t.Fatalf("outcomes %v", got)
		}
		for _, raw := range []string{"", "nonsense", string(make([]byte, 200))} {
			_, err = f.store.SessionPrincipal(ctx, raw)
			mustRefuse(t, err, "auth.session_ended")
		}
	})
}

func TestPurgeSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyAdmin, f.agencyA, "Password-2026")
		f.store.NewSession(ctx, u.ID, "", "")
		f.clock.advance(25 * time.Minute)
		fresh, _ := f.store.NewSession(ctx, u.ID, "", "")
		f.clock.advance(10 * time.Minute)
		if n, err := f.store.PurgeSessions(ctx); err != nil || n != 1 {
			t.Fatalf("purged %d (%v), want the idle one", n, err)
		}
		if _, err := f.store.SessionPrincipal(ctx, fresh); err != nil {
			t.Fatalf("the fresh session was purged: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin := f.user(t, "boss", MinistryAdmin, 0, "Password-2026")
		agent := &Token{Name: "대전 에이전트", Role: Agent, AgencyID: f.agencyA, SystemIDs: []int64{f.systemA, f.systemA}, CreatedBy: admin.ID}
		raw, err := f.store.CreateToken(ctx, agent)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != len(TokenPrefix)+52 || raw[:4] != "ysk_" || agent.ID == 0 || len(agent.SystemIDs) != 1 {
			t.Fatalf("token %q, %+v", raw, agent)
		}
		// Only the hash is stored: the token appears in no column.
		var found int
		db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR name = $1 OR token_hash LIKE $2`, raw, "%"+raw[4:]+"%").Scan(&found)
		if found != 0 {
			t.Fatal("the raw token is in the database")
		}
		p, err := f.store.TokenPrincipal(ctx, raw)
		if err != nil || p.Kind != KindToken || p.TokenID != agent.ID || !p.CanPushFor(f.systemA) || p.CanPushFor(f.systemB) || p.CanRead() {
			t.Fatalf("agent principal %+v, %v", p, err)
		}
		// last_used_at: set at first use, written again only after a minute.
		used := func() time.Time {
			tok, err := f.store.Token(ctx, access.All(), agent.ID)
			if err != nil {
				t.Fatal(err)
			}
			return tok.LastUsedAt
		}
		first := used()
		if !first.Equal(f.clock.t) {
			t.Fatalf("last used %v, want %v", first, f.clock.t)
		}
		f.clock.advance(30 * time.Second)
		f.store.TokenPrincipal(ctx, raw)
		if !used().Equal(first) {
			t.Fatal("last_used_at written twice within a minute")
		}
		f.clock.advance(time.Minute)
		f.store.TokenPrincipal(ctx, raw)
		if !used().Equal(f.clock.t) {
			t.Fatal("last_used_at not moved after a minute")
		}

		// Revoked and expired tokens are refused; so are made-up ones.
		if err := f.store.RevokeToken(ctx, agent.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.store.TokenPrincipal(ctx, raw)
		mustRefuse(t, err, "auth.token_invalid")
		if err := f.store.RevokeToken(ctx, agent.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if err := f.store.RevokeToken(ctx, 9999); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("revoking an unknown token: %v", err)
		}
		script := &Token{Name: "동기화", Role: Script, AgencyID: f.agencyB, ExpiresAt: f.clock.t.Add(time.Hour)}
		scriptRaw, err := f.store.CreateToken(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		p, err = f.store.TokenPrincipal(ctx, scriptRaw)
		if err != nil || !p.CanWriteInventory() || p.Scope().AgencyID() != f.agencyB {
			t.Fatalf("script principal %+v, %v", p, err)
		}
		f.clock.advance(time.Hour)
		_, err = f.store.TokenPrincipal(ctx, scriptRaw)
		mustRefuse(t, err, "auth.token_invalid")
		for _, made := range []string{"", "ysk_", "ysk_" + raw[5:] + "a", raw[4:], "Bearer " + raw} {
			_, err = f.store.TokenPrincipal(ctx, made)
			mustRefuse(t, err, "auth.token_invalid")
		}

		// A token of the ministry may push for any agency's systems; one of an
		// agency only for its own.
		backup := &Token{Name: "백업", Role: Backup, SystemIDs: []int64{f.systemA, f.systemB}}
		if _, err := f.store.CreateToken(ctx, backup); err != nil {
			t.Fatal(err)
		}
		bad := &Token{Name: "백업", Role: Backup, AgencyID: f.agencyA, SystemIDs: []int64{f.systemB}}
		if _, err := f.store.CreateToken(ctx, bad); keyOf(err) != "auth.token.system_outside_agency" {
			t.Fatalf("system of another agency: %v", err)
		}
		if _, err := f.store.CreateToken(ctx, &Token{Name: "x", Role: Alert, SystemIDs: []int64{9999}}); keyOf(err) != "invalid.unknown_system" {
			t.Fatalf("unknown system: %v", err)
		}
		if _, err := f.store.CreateToken(ctx, &Token{Name: "x", Role: Script, AgencyID: 9999}); keyOf(err) != "invalid.unknown_agency" {
			t.Fatalf("unknown agency: %v", err)
		}

		// Listing is scoped.
		all, err := f.store.Tokens(ctx, access.All())
		if err != nil || len(all) != 3 || len(all[2].SystemIDs) != 2 || all[0].RevokedAt.IsZero() || all[0].CreatedBy != admin.ID {
			t.Fatalf("all tokens %+v, %v", all, err)
		}
		mine, err := f.store.Tokens(ctx, access.Agency(f.agencyA))
		if err != nil || len(mine) != 1 || mine[0].ID != agent.ID || len(mine[0].SystemIDs) != 1 {
			t.Fatalf("agency A's tokens %+v, %v", mine, err)
		}
		if _, err := f.store.Token(ctx, access.Agency(f.agencyA), script.ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("agency A reads agency B's token: %v", err)
		}
		// A deleted system leaves the tokens bound to it.
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM systems WHERE id = $1`, f.systemB); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.store.Token(ctx, access.All(), backup.ID); len(got.SystemIDs) != 1 || got.SystemIDs[0] != f.systemA {
			t.Fatalf("after deleting a system: %+v", got)
		}
	})
}

func TestScopedUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		boss := f.user(t, "boss", MinistryAdmin, 0, "Password-2026")
		a := f.user(t, "a.admin", AgencyAdmin, f.agencyA, "Password-2026")
		b := f.user(t, "b.viewer", AgencyViewer, f.agencyB, "Password-2026")
		scenarios := []struct {
			name  string
			scope access.Scope
			want  []int64
		}{
			{"the ministry sees everyone", access.All(), []int64{boss.ID, a.ID, b.ID}},
			{"agency A sees its own", access.Agency(f.agencyA), []int64{a.ID}},
			{"agency B sees its own", access.Agency(f.agencyB), []int64{b.ID}},
			{"a push token's scope sees no one", Principal{Kind: KindToken, Role: Agent}.Scope(), nil},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				users, err := f.store.Users(ctx, s.scope)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, u := range users {
					got = append(got, u.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(s.want) {
					t.Fatalf("users %v, want %v", got, s.want)
				}
				for _, u := range []*User{boss, a, b} {
					_, err := f.store.User(ctx, s.scope, u.ID)
					_, byLogin := f.store.UserByLogin(ctx, s.scope, u.Login)
					visible := err == nil
					if visible != (byLogin == nil) || visible != containsID(s.want, u.ID) {
						t.Fatalf("%s: visible by id %v (%v), by login %v", u.Login, visible, err, byLogin)
					}
					if !visible && apperror.CodeOf(err) != apperror.NotFound {
						t.Fatalf("%s: %v, want not found", u.Login, err)
					}
				}
			})
		}
	})
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestCreateUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := &User{Login: "  Hong.GD ", Name: " 홍길동 ", Role: AgencyEditor, AgencyID: f.agencyA, MustChangePassword: true}
		if err := f.store.CreateUser(ctx, u, "Password-2026"); err != nil {
			t.Fatal(err)
		}
		got := f.get(t, u.ID)
		if got.Login != "hong.gd" || got.Name != "홍길동" || !got.MustChangePassword || !got.CreatedAt.Equal(f.clock.t) || !got.PasswordChangedAt.Equal(f.clock.t) {
			t.Fatalf("stored %+v", got)
		}
		var hash string
		db.Read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash)
		if !verifyPassword(hash, "Password-2026") {
			t.Fatalf("stored hash %q does not verify", hash)
		}
		scenarios := []struct {
			name     string
			user     User
			password string
			code     string
			key      string
		}{
			{"the same login in other case", User{Login: "HONG.gd", Name: "x", Role: AgencyViewer, AgencyID: f.agencyA}, "Password-2026", apperror.Conflict, "auth.login.taken"},
			{"an unknown agency", User{Login: "kim", Name: "x", Role: AgencyViewer, AgencyID: 9999}, "Password-2026", apperror.Invalid, "invalid.unknown_agency"},
			{"an agency for a ministry role", User{Login: "kim", Name: "x", Role: MinistryViewer, AgencyID: f.agencyA}, "Password-2026", apperror.Invalid, "auth.agency.ministry_role"},
			{"a weak password", User{Login: "kim", Name: "x", Role: MinistryViewer}, "password", apperror.Invalid, "auth.password.weak"},
			{"the login in the password", User{Login: "kim", Name: "x", Role: MinistryViewer}, "Kim-2026-pass", apperror.Invalid, "auth.password.contains_login"},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				err := f.store.CreateUser(ctx, &s.user, s.password)
				if apperror.CodeOf(err) != s.code || keyOf(err) != s.key {
					t.Fatalf("err = %v, want %s %s", err, s.code, s.key)
				}
			})
		}
		// Neither dialect lets a row break the role/agency rule.
		_, err := db.Write.ExecContext(ctx, `INSERT INTO users (login, name, role, password_hash, password_changed_at, created_at) VALUES ('x1', 'x', 'agency_admin', 'h', 't', 't')`)
		if err == nil {
			t.Fatal("an agency role without an agency was stored")
		}
		if err := f.store.Lock(ctx, u.ID, time.Time{}, "bored"); apperror.CodeOf(err) != apperror.Invalid {
			t.Fatalf("lock for an unknown reason: %v", err)
		}
		if err := f.store.Lock(ctx, 9999, time.Time{}, ReasonAdmin); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("lock of an unknown user: %v", err)
		}
	})
}

// Attempts are counted by login, address and outcome; an agency counts
// those on its own accounts.
func TestLoginCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		f.user(t, "boss", MinistryAdmin, 0, "Password-2026")
		start := f.clock.t
		attempts := []struct{ login, password, address string }{
			{"hong", "Wrong-password-1", "10.0.0.9"},
			{"HONG", "Wrong-password-1", "10.0.0.9"}, // the account's login, however typed
			{"hong", "Password-2026", "10.0.0.9"},
			{"hong", "Wrong-password-1", "10.0.0.8"},
			{"boss", "Wrong-password-1", "10.0.0.9"},
			{"ghost", "Wrong-password-1", "10.0.0.9"},
		}
		for _, a := range attempts {
			f.store.Authenticate(ctx, a.login, a.password, a.address)
			f.clock.advance(time.Minute)
		}
		f.store.Authenticate(ctx, "ghost", "x", "10.0.0.9") // after the period
		scenarios := []struct {
			name  string
			scope access.Scope
			want  string
		}{
			{"the ministry", access.All(), "[boss/0 10.0.0.9 bad_password 1 ghost/0 10.0.0.9 unknown_user 1 " +
				"hong/A 10.0.0.8 bad_password 1 hong/A 10.0.0.9 bad_password 2 hong/A 10.0.0.9 ok 1]"},
			{"agency A", access.Agency(f.agencyA), "[hong/A 10.0.0.8 bad_password 1 hong/A 10.0.0.9 bad_password 2 hong/A 10.0.0.9 ok 1]"},
			{"agency B", access.Agency(f.agencyB), "[]"},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				list, err := f.store.LoginCounts(ctx, s.scope, start, start.Add(6*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range list {
					agency := "0"
					if c.AgencyID == f.agencyA {
						agency = "A"
					}
					if (c.UserID == 0) != (c.Login == "ghost") || c.First.Before(start) || c.Last.Before(c.First) {
						t.Errorf("count %+v", c)
					}
					got = append(got, fmt.Sprintf("%s/%s %s %s %d", c.Login, agency, c.Address, c.Outcome, c.Count))
				}
				if fmt.Sprint(got) != s.want {
					t.Fatalf("counts %v, want %s", got, s.want)
				}
			})
		}
	})
}

// Guessing the current password on the change form counts toward the lock
// like guessing it at sign-in.
func TestWrongCurrentPasswordCountsTowardTheLock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, Name: "hong", Address: "10.1.1.1"})
		f := newFixture(t, db)
		u := f.user(t, "hong", AgencyEditor, f.agencyA, "Password-2026")
		for range 5 {
			err := f.store.ChangePassword(ctx, u.ID, "not-the-password-1", "Another-Pass-2027")
			if e, ok := apperror.As(err); !ok || e.Field != "current_password" {
				t.Fatalf("wrong current password: %v", err)
			}
		}
		if got := f.get(t, u.ID); !got.Locked(f.clock.t) || got.LockedReason != ReasonFailedLogins {
			t.Fatalf("after five wrong current passwords: %+v", got)
		}
		if got := f.outcomes(t); len(got) != 5 || got[0] != OutcomeBadPassword {
			t.Fatalf("login events %v", got)
		}
	})
}

// A password given by someone else signs in for 72 hours (the default);
// after that the right password is refused with a reason of its own,
// recorded as its own outcome, while a wrong one is still just wrong. An
// account whose owner chose the password is not concerned, and a reset
// gives the next 72 hours.
func TestOneTimePasswordExpires(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		given := &User{Login: "given", Name: "given", Role: AgencyViewer, AgencyID: f.agencyA, MustChangePassword: true}
		if err := f.store.CreateUser(ctx, given, "Handed-2026-pw"); err != nil {
			t.Fatal(err)
		}
		f.user(t, "chosen", AgencyViewer, f.agencyA, "Mine-2026-pw!")

		f.clock.advance(71 * time.Hour)
		p, err := f.store.Authenticate(ctx, "given", "Handed-2026-pw", "")
		if err != nil || !p.MustChangePassword {
			t.Fatalf("after 71 hours: %+v %v", p, err)
		}
		signedIn := f.clock.t
		f.clock.advance(2 * time.Hour)
		_, err = f.store.Authenticate(ctx, "given", "Handed-2026-pw", "")
		mustRefuse(t, err, "auth.temporary_expired")
		if e, _ := apperror.As(err); e == nil || !strings.Contains(e.Message(locale.Korean), "72시간") {
			t.Errorf("the reason does not say how long it lasted: %v", err)
		}
		_, err = f.store.Authenticate(ctx, "given", "Wrong-2026-pw", "")
		mustRefuse(t, err, "auth.unauthorized")
		if got := f.get(t, given.ID); got.FailedLogins != 1 || !got.LastLoginAt.Equal(signedIn) {
			t.Errorf("after the refusals: %d failures, last login %v (want 1, %v)", got.FailedLogins, got.LastLoginAt, signedIn)
		}
		if _, err := f.store.Authenticate(ctx, "chosen", "Mine-2026-pw!", ""); err != nil {
			t.Errorf("a password its owner chose expired: %v", err)
		}
		if got, want := strings.Join(f.outcomes(t), " "), "ok temporary_expired bad_password ok"; got != want {
			t.Errorf("outcomes %q, want %q", got, want)
		}

		password, err := f.store.ResetPassword(ctx, given.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.advance(71 * time.Hour)
		if _, err := f.store.Authenticate(ctx, "given", password, ""); err != nil {
			t.Errorf("a fresh reset, 71 hours on: %v", err)
		}
	})
}
