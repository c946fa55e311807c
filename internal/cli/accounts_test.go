package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
)

var oneTimePassword = regexp.MustCompile(`: (\S+)\n$`)

func openTestDB(t *testing.T, path string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// An admin at the console adds a person, who must change the one-time
// password; locks, unlocks and resets go through the same store the web
// sign-in uses, and the audit log verifies until someone edits it.
func TestUserTokenAndAuditCommands(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "yeonsok.db")
	if code, _, errOut := run(t, ctx, "seed", "--db", path); code != 0 {
		t.Fatalf("seed: %s", errOut)
	}
	code, out, errOut := run(t, ctx, "user", "add", "kim.officer", "--name", "김담당", "--role", "agency_editor", "--agency", "근복", "--db", path)
	m := oneTimePassword.FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "signs in for 72 hours") {
		t.Fatalf("user add: exit %d %q %q", code, out, errOut)
	}
	db := openTestDB(t, path)
	store := auth.NewStore(db, auth.DefaultSettings())
	p, err := store.Authenticate(ctx, "kim.officer", m[1], "127.0.0.1")
	if err != nil || !p.MustChangePassword || p.Role != auth.AgencyEditor || p.AgencyID == 0 {
		t.Fatalf("sign in with the one-time password: %+v %v", p, err)
	}
	if code, _, errOut := run(t, ctx, "user", "add", "lee", "--role", "agency_admin", "--db", path, "--lang", "en"); code != 1 || errOut == "" {
		t.Fatalf("agency role without agency: exit %d %q", code, errOut)
	}

	if code, _, _ := run(t, ctx, "user", "lock", "kim.officer", "--db", path); code != 0 {
		t.Fatal("lock failed")
	}
	if _, err := store.Authenticate(ctx, "kim.officer", m[1], "127.0.0.1"); apperror.CodeOf(err) != auth.Unauthorized {
		t.Fatalf("locked account signed in: %v", err)
	}
	run(t, ctx, "user", "unlock", "kim.officer", "--db", path)
	code, out, _ = run(t, ctx, "user", "reset-password", "kim.officer", "--db", path)
	reset := oneTimePassword.FindStringSubmatch(out)
	if code != 0 || reset == nil || reset[1] == m[1] {
		t.Fatalf("reset-password: exit %d %q", code, out)
	}
	if _, err := store.Authenticate(ctx, "kim.officer", reset[1], "127.0.0.1"); err != nil {
		t.Fatalf("sign in after unlock and reset: %v", err)
	}
	if code, _, errOut := run(t, ctx, "user", "link-sso", "kim.officer", "--subject", "sso-kim", "--db", path); code != 0 {
		t.Fatalf("link-sso: %s", errOut)
	}
	if p, err := store.PrincipalForOIDC(ctx, "sso-kim", "someone-else", "127.0.0.1"); err != nil || p.Name != "kim.officer" {
		t.Fatalf("single sign-on after link-sso: %+v %v", p, err)
	}
	if _, out, _ := run(t, ctx, "user", "list", "--db", path); !strings.Contains(out, "kim.officer") {
		t.Fatalf("user list: %q", out)
	}

	code, out, errOut = run(t, ctx, "token", "create", "--name", "백업 작업", "--role", "backup", "--systems", "1,2", "--db", path)
	raw := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	if code != 0 || !strings.HasPrefix(raw, auth.TokenPrefix) {
		t.Fatalf("token create: exit %d %q %q", code, out, errOut)
	}
	tp, err := store.TokenPrincipal(ctx, raw)
	if err != nil || !tp.CanPushFor(1) || tp.CanPushFor(3) || tp.CanRead() {
		t.Fatalf("token principal %+v %v", tp, err)
	}
	tokens, _ := store.Tokens(ctx, access.All())
	if code, _, _ := run(t, ctx, "token", "revoke", "1", "--db", path); code != 0 || len(tokens) != 1 {
		t.Fatal("revoke failed")
	}
	if _, err := store.TokenPrincipal(ctx, raw); err == nil {
		t.Fatal("a revoked token still works")
	}

	if code, out, _ := run(t, ctx, "audit", "verify", "--db", path, "--lang", "en"); code != 0 || out == "" {
		t.Fatalf("audit verify on an untouched log: exit %d %q", code, out)
	}
	// Someone with the database file edits history.
	if _, err := db.Write.ExecContext(ctx, `DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `UPDATE audit_log SET after_json = replace(after_json, '고용24', '고용25') WHERE seq = (SELECT MIN(seq) FROM audit_log WHERE after_json LIKE '%고용24%')`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, ctx, "audit", "verify", "--db", path, "--lang", "en")
	if code != 1 || !strings.Contains(errOut, "does not verify") || !strings.Contains(out, "  ") {
		t.Fatalf("audit verify on an edited log: exit %d\n%s\n%s", code, out, errOut)
	}
}

// A log cut back and re-chained from its end verifies on its own; the head
// noted earlier shows it.
func TestAuditVerifyAgainstANotedHead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "yeonsok.db")
	if code, _, errOut := run(t, ctx, "seed", "--db", path); code != 0 {
		t.Fatalf("seed: %s", errOut)
	}
	db := openTestDB(t, path)
	head, err := audit.ReadHead(ctx, db)
	if err != nil || head.Seq < 3 {
		t.Fatalf("head %+v %v", head, err)
	}
	noted := strconv.FormatInt(head.Seq, 10) + ":" + head.Hash
	if code, _, errOut := run(t, ctx, "audit", "verify", "--expect", noted, "--db", path); code != 0 {
		t.Fatalf("verify against the current head: %s", errOut)
	}
	// Someone with the file deletes the last two entries and rewinds the head.
	var prev string
	if err := db.Read.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, head.Seq-2).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq > ` + strconv.FormatInt(head.Seq-2, 10)} {
		if _, err := db.Write.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `UPDATE audit_state SET last_seq = $1, last_hash = $2`, head.Seq-2, prev); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, ctx, "audit", "verify", "--db", path); code != 0 {
		t.Fatalf("the re-chained log should verify on its own (that is the point): %s", errOut)
	}
	code, _, errOut := run(t, ctx, "audit", "verify", "--expect", noted, "--db", path)
	if code != 1 || !strings.Contains(errOut, "cut back") {
		t.Fatalf("verify against the noted head: exit %d %q", code, errOut)
	}
}
