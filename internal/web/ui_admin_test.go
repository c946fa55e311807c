package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// visitor is a browser of its own on a test server: its own cookies, and
// redirects shown rather than followed.
type visitor struct {
	t      *testing.T
	ts     *httptest.Server
	client *http.Client
}

func newVisitor(t *testing.T, ts *httptest.Server) *visitor {
	jar, _ := cookiejar.New(nil)
	c := *ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &visitor{t: t, ts: ts, client: &c}
}

func (v *visitor) do(req *http.Request) (*http.Response, string) {
	v.t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (v *visitor) get(path string) (*http.Response, string) {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, v.ts.URL+path, nil)
	return v.do(req)
}

func (v *visitor) post(path string, form url.Values) (*http.Response, string) {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, v.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", v.ts.URL)
	return v.do(req)
}

// bearer calls the API with an API token, as a script would.
func bearer(t *testing.T, ts *httptest.Server, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var secretPattern = regexp.MustCompile(`<code class="secret" id="secret-value">([^<]+)</code>`)

// secretOn is the password or token a result page shows; "" when none.
func secretOn(body string) string {
	if m := secretPattern.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// An agency admin creates an agency editor of its own agency, and nothing
// else: no ministry role, no account of another agency. The one-time
// password is shown once; with it the new editor signs in, and must change
// it before anything else.
func TestAgencyAdminCreatesAccountsOfItsAgency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		ctx := context.Background()

		status, form := get(t, ts, "/admin/users/new")
		if status != http.StatusOK {
			t.Fatalf("new account form: %d", status)
		}
		for _, role := range []auth.Role{auth.AgencyEditor, auth.AgencyViewer} {
			mustContain(t, "the form", form, `value="`+string(role)+`"`)
		}
		// Agency admins are the ministry's to appoint.
		for _, hidden := range []string{`value="ministry_admin"`, `value="ministry_viewer"`, `value="agency_admin"`, "한국고용정보원"} {
			if strings.Contains(form, hidden) {
				t.Errorf("an agency admin's form offers %s", hidden)
			}
		}

		refused := []struct {
			name   string
			values url.Values
		}{
			{"a ministry role", url.Values{"login": {"kim.ministry"}, "name": {"김본부"}, "role": {"ministry_viewer"}, "agency_id": {""}}},
			{"a ministry role with its agency", url.Values{"login": {"kim.ministry"}, "name": {"김본부"}, "role": {"ministry_admin"}, "agency_id": {idValue(f.welfare.ID)}}},
			{"another agency's editor", url.Values{"login": {"kim.keis"}, "name": {"김정보"}, "role": {"agency_editor"}, "agency_id": {idValue(f.keis.ID)}}},
		}
		for _, sc := range refused {
			status, _, body := post(t, ts, "/admin/users", sc.values)
			if status != http.StatusForbidden || !strings.Contains(body, "계정은 만들 수 없습니다") || secretOn(body) != "" {
				t.Errorf("%s: %d, want 403 and the form saying why:\n%.400s", sc.name, status, body)
			}
			if _, err := srv.accounts.UserByLogin(ctx, access.All(), sc.values.Get("login")); apperror.CodeOf(err) != apperror.NotFound {
				t.Errorf("%s: the account exists (%v)", sc.name, err)
			}
		}

		values := url.Values{"login": {"kim.editor"}, "name": {"김담당"}, "role": {"agency_editor"}, "agency_id": {idValue(f.welfare.ID)}}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/admin/users", strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
		resp, err := noRedirect(ts).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		password := secretOn(string(page))
		if resp.StatusCode != http.StatusOK || password == "" {
			t.Fatalf("create: %d, no one-time password shown:\n%s", resp.StatusCode, page)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("the password page may be cached: Cache-Control %q", cc)
		}
		if !strings.Contains(string(page), "72시간 동안만 로그인에") {
			t.Error("the password page does not say how long the password signs in")
		}
		u, err := srv.accounts.UserByLogin(ctx, access.All(), "kim.editor")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != auth.AgencyEditor || u.AgencyID != f.welfare.ID || !u.MustChangePassword || u.Name != "김담당" {
			t.Errorf("created %+v", u)
		}
		// Shown once: not on the list, and not again for the same form.
		_, list := get(t, ts, "/admin/users")
		mustContain(t, "the list", list, "kim.editor", "김담당", "기관 담당자", "근로복지공단", "비밀번호 변경 필요")
		if strings.Contains(list, password) {
			t.Error("the list shows the one-time password")
		}
		if status, _, body := post(t, ts, "/admin/users", values); status != http.StatusConflict || secretOn(body) != "" ||
			strings.Contains(body, password) {
			t.Errorf("the same login again: %d, want 409 and no password", status)
		}

		// The new editor signs in and must change the password first.
		editor := newVisitor(t, ts)
		resp, _ = editor.post("/login", url.Values{"login": {"kim.editor"}, "password": {password}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("sign in with the one-time password: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := editor.get("/systems"); resp.Header.Get("Location") != "/account/password" {
			t.Errorf("before the change /systems answers %d %s, want the password form", resp.StatusCode, resp.Header.Get("Location"))
		}
		const next = "Welfare-Editor-2026!"
		resp, _ = editor.post("/account/password", url.Values{"current_password": {password}, "password": {next}, "confirm": {next}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("password change: %d", resp.StatusCode)
		}
		if resp, body := editor.get("/systems"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "노동보험시스템") {
			t.Errorf("after the change /systems: %d", resp.StatusCode)
		}
	})
}

// A one-time password left unused for longer than it is valid (72 hours)
// no longer signs in: the sign-in form says why, and the admin's list
// marks the account so that its password is reset.
func TestExpiredOneTimePassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, srv, admin := newServerAs(t, db, auth.MinistryAdmin, 0)
		given := newAccount(t, srv.accounts, auth.MinistryViewer, 0, true)
		later := time.Now().Add(73 * time.Hour)
		srv.accounts.Now = func() time.Time { return later }
		signIn(t, ts, srv.accounts, admin) // the first session ran out idle meanwhile

		resp, body := newVisitor(t, ts).post("/login", url.Values{"login": {given.Login}, "password": {testPassword}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "유효기간 72시간이 지나") {
			t.Errorf("sign-in with an expired one-time password: %d\n%.600s", resp.StatusCode, body)
		}
		_, list := get(t, ts, "/admin/users")
		row := rowOf(t, htmlTable(t, list, "users"), given.Login)
		if !strings.Contains(strings.Join(row, " "), "일회용 비밀번호 만료") {
			t.Errorf("the list's row of %s: %q", given.Login, row)
		}
	})
}

// An admin locks, unlocks, resets, disables and enables an account from
// the list; each change works and is in the audit log under the admin's
// name. An agency admin can touch neither another agency's accounts nor
// the ministry's (404: they do not exist for it), nor its own here.
func TestAdminChangesAccounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, admin := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		ctx := context.Background()
		target := newAccount(t, srv.accounts, auth.AgencyEditor, f.welfare.ID, false)
		session, err := srv.accounts.NewSession(ctx, target.ID, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/admin/users/%d/", target.ID)
		reload := func() *auth.User {
			u, err := srv.accounts.User(ctx, access.All(), target.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		act := func(action string) {
			t.Helper()
			status, location, body := post(t, ts, base+action, nil)
			if status != http.StatusSeeOther || location != usersHref(action, target.ID) {
				t.Fatalf("%s: %d to %s\n%.300s", action, status, location, body)
			}
		}

		act("lock")
		if u := reload(); !u.Locked(time.Now()) || u.LockedReason != auth.ReasonAdmin || !u.LockedUntil.Equal(auth.Forever) {
			t.Errorf("after lock: until %v (%q)", u.LockedUntil, u.LockedReason)
		}
		if _, err := srv.accounts.SessionPrincipal(ctx, session); err == nil {
			t.Error("the locked account's session goes on")
		}
		_, list := get(t, ts, usersHref("lock", target.ID))
		mustContain(t, "the list after lock", list, `id="done"`, target.Login+"을(를) 잠갔습니다",
			"잠김 (관리자 잠금, 관리자 해제 시까지)", `action="`+base+`unlock"`)
		act("unlock")
		if u := reload(); u.Locked(time.Now()) {
			t.Error("still locked after unlock")
		}
		status, _, body := post(t, ts, base+"reset-password", nil)
		password := secretOn(body)
		if status != http.StatusOK || password == "" {
			t.Fatalf("reset: %d, no password shown", status)
		}
		if p, err := srv.accounts.Authenticate(ctx, target.Login, password, "127.0.0.1"); err != nil || !p.MustChangePassword {
			t.Errorf("sign in with the reset password: %v, must change %v", err, p.MustChangePassword)
		}
		act("disable")
		if !reload().Disabled {
			t.Error("not disabled")
		}
		_, list = get(t, ts, "/admin/users")
		mustContain(t, "the list after disable", list, "사용 중지", `action="`+base+`enable"`)
		act("enable")
		if reload().Disabled {
			t.Error("still disabled after enable")
		}

		_, page := get(t, ts, "/audit?"+url.Values{"actor": {admin.Login}, "kind": {"user"}}.Encode())
		rows := htmlTable(t, page, "entries")
		var seen []string
		for _, row := range rows[1:] {
			if row[2] != admin.Login+" (사용자)" {
				t.Errorf("an entry of another actor: %q", row)
			}
			seen = append(seen, row[4])
		}
		wantCells(t, "the admin's changes, newest first", seen, "계정 "+target.Login+" 사용 재개", "계정 "+target.Login+" 사용 중지",
			"계정 "+target.Login+" 비밀번호 초기화", "계정 "+target.Login+" 잠금 해제", "계정 "+target.Login+" 잠금")

		// Not another agency's, not the ministry's, not its own.
		keisUser := newAccount(t, srv.accounts, auth.AgencyEditor, f.keis.ID, false)
		ministryUser := newAccount(t, srv.accounts, auth.MinistryViewer, 0, false)
		for _, sc := range []struct {
			name   string
			id     int64
			status int
		}{
			{"another agency's account", keisUser.ID, http.StatusNotFound},
			{"a ministry account", ministryUser.ID, http.StatusNotFound},
			{"its own account", admin.ID, http.StatusBadRequest},
		} {
			for _, action := range []string{"lock", "reset-password", "disable"} {
				status, _, body := post(t, ts, fmt.Sprintf("/admin/users/%d/%s", sc.id, action), nil)
				if status != sc.status || secretOn(body) != "" {
					t.Errorf("%s, %s: %d, want %d", sc.name, action, status, sc.status)
				}
			}
		}
		for _, u := range []*auth.User{keisUser, ministryUser, admin} {
			if got, _ := srv.accounts.User(ctx, access.All(), u.ID); got.Locked(time.Now()) || got.Disabled || got.MustChangePassword {
				t.Errorf("%s was changed", u.Login)
			}
		}
		if strings.Contains(list, keisUser.Login) || strings.Contains(list, ministryUser.Login) {
			t.Error("the agency admin's list shows accounts not its own")
		}
	})
}

// A token made on the page is shown once, works as a Bearer token on the
// API within its agency, and fails once revoked. An agency admin binds
// tokens only to its own systems and issues none of every agency.
func TestTokenPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		ctx := context.Background()

		_, form := get(t, ts, "/admin/tokens/new")
		mustContain(t, "the token form", form, "노동보험시스템", "산재보험 EDI", `value="script"`)
		mustNotShow(t, "the token form", form, keisNames...)

		for _, sc := range []struct {
			name   string
			values url.Values
			status int
		}{
			{"another agency's system", url.Values{"name": {"probe"}, "role": {"agent"}, "agency_id": {idValue(f.welfare.ID)},
				"system_ids": {idValue(f.work24.ID)}}, http.StatusBadRequest},
			{"a token of every agency", url.Values{"name": {"probe"}, "role": {"script"}, "agency_id": {""}}, http.StatusForbidden},
			{"another agency's token", url.Values{"name": {"probe"}, "role": {"script"}, "agency_id": {idValue(f.keis.ID)}}, http.StatusForbidden},
			{"an agent without systems", url.Values{"name": {"probe"}, "role": {"agent"}, "agency_id": {idValue(f.welfare.ID)}}, http.StatusBadRequest},
		} {
			if status, _, body := post(t, ts, "/admin/tokens", sc.values); status != sc.status || secretOn(body) != "" {
				t.Errorf("%s: %d, want %d\n%.300s", sc.name, status, sc.status, body)
			}
		}
		if tokens, _ := srv.accounts.Tokens(ctx, access.All()); len(tokens) != 0 {
			t.Fatalf("refused forms made %d tokens", len(tokens))
		}

		status, _, page := post(t, ts, "/admin/tokens", url.Values{"name": {"동기화 스크립트"}, "role": {"script"}, "agency_id": {idValue(f.welfare.ID)}})
		token := secretOn(page)
		if status != http.StatusOK || !strings.HasPrefix(token, auth.TokenPrefix) {
			t.Fatalf("create: %d, token %q", status, token)
		}
		mustContain(t, "the token page", page, "한 번만 표시됩니다")
		status, _, _ = post(t, ts, "/admin/tokens", url.Values{"name": {"점검 에이전트"}, "role": {"agent"}, "agency_id": {idValue(f.welfare.ID)},
			"system_ids": {idValue(f.insurance.ID), idValue(f.edi.ID)}})
		if status != http.StatusOK {
			t.Fatalf("create an agent token: %d", status)
		}
		_, list := get(t, ts, "/admin/tokens")
		if strings.Contains(list, token) {
			t.Error("the list shows the token")
		}
		rows := htmlTable(t, list, "tokens")
		wantCells(t, "the agent token", rowOf(t, rows, "점검 에이전트")[:7], "점검 에이전트", "점검 에이전트", "근로복지공단",
			"노동보험시스템, 산재보험 EDI", rowOf(t, rows, "점검 에이전트")[4], "없음", "")

		status, body := bearer(t, ts, token, "/api/v1/systems")
		if status != http.StatusOK || !strings.Contains(body, "노동보험시스템") {
			t.Fatalf("the token on the API: %d %.200s", status, body)
		}
		mustNotShow(t, "the token's systems", body, keisNames...)
		_, list = get(t, ts, "/admin/tokens")
		if used := rowOf(t, htmlTable(t, list, "tokens"), "동기화 스크립트")[5]; used == "없음" || used == "" {
			t.Errorf("after use, last used is %q", used)
		}

		var id int64
		tokens, _ := srv.accounts.Tokens(ctx, access.All())
		for _, tok := range tokens {
			if tok.Name == "동기화 스크립트" {
				id = tok.ID
			}
		}
		// Another agency's admin does not find it.
		other, _, _ := newServerAs(t, db, auth.AgencyAdmin, f.keis.ID)
		if status, _, _ := post(t, other, fmt.Sprintf("/admin/tokens/%d/revoke", id), nil); status != http.StatusNotFound {
			t.Errorf("another agency's admin revokes: %d, want 404", status)
		}
		if status, _ := bearer(t, ts, token, "/api/v1/systems"); status != http.StatusOK {
			t.Fatalf("after another agency's try: %d", status)
		}
		status, location, _ := post(t, ts, fmt.Sprintf("/admin/tokens/%d/revoke", id), nil)
		if status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", status)
		}
		_, list = get(t, ts, location)
		mustContain(t, "the list after revoke", list, "동기화 스크립트을(를) 폐기했습니다")
		if revoked := rowOf(t, htmlTable(t, list, "tokens"), "동기화 스크립트"); revoked[6] == "" || revoked[7] != "" {
			t.Errorf("revoked token's row: %q", revoked)
		}
		if status, _ := bearer(t, ts, token, "/api/v1/systems"); status != http.StatusUnauthorized {
			t.Errorf("a revoked token on the API: %d, want 401", status)
		}
	})
}

// The audit log page lists an inventory change with its before and after,
// filters by date, kind, action and actor, pages by 100, exports exactly
// the rows it shows, and checks the hash chain for the ministry admin. An
// agency admin reads its own agency's entries only.
func TestAuditPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		store := inventory.NewStore(db)
		f := newScopeFixture(t, store)
		ts, _, admin := newServerAs(t, db, auth.MinistryAdmin, 0)
		ctx := context.Background()

		changed := *f.welfare
		changed.Contact = "정보화실 052-123-4567"
		if status, _, body := post(t, ts, agencyHref(f.welfare.ID), agencyValues(&changed)); status != http.StatusSeeOther {
			t.Fatalf("edit the agency: %d\n%.300s", status, body)
		}
		_, page := get(t, ts, "/audit")
		mustContain(t, "the audit page", page, `id="chain"`, "해시 체인이 온전합니다")
		rows := htmlTable(t, page, "entries")
		wantCells(t, "header", rows[0], "번호", "일시(KST)", "수행자", "접속 주소", "내용", "대상 기록")
		newest := rows[1]
		if newest[2] != admin.Login+" (사용자)" || newest[3] != "127.0.0.1" || newest[4] != "기관 근로복지공단 수정" || newest[5] != "현재 기록 보기" {
			t.Errorf("the change's row: %q", newest)
		}
		mustContain(t, "the audit page", page, `href="/agencies/`+idValue(f.welfare.ID)+`"`)

		// The entry: before and after, field by field, and its hashes.
		seq, _ := strconv.ParseInt(newest[0], 10, 64)
		status, entry := get(t, ts, auditHref(seq))
		if status != http.StatusOK {
			t.Fatalf("entry %d: %d", seq, status)
		}
		changes := htmlTable(t, entry, "changes")
		wantCells(t, "the contact", rowOf(t, changes, "contact"), "contact", f.welfare.Contact, changed.Contact)
		wantCells(t, "the name", rowOf(t, changes, "name"), "name", "근로복지공단", "근로복지공단")
		if !strings.Contains(entry, `<td class="changed">정보화실 052-123-4567</td>`) || strings.Contains(entry, `<td class="changed">근로복지공단</td>`) {
			t.Error("the changed field is not marked, or an unchanged one is")
		}
		stored, err := audit.List(ctx, db, access.All(), audit.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "the entry", entry, `id="entry-hash">`+stored[0].Hash, `id="entry-prev-hash">`+stored[0].PrevHash,
			`id="entry-before"`, `id="entry-after"`, html.EscapeString(`"contact": "정보화실 052-123-4567"`))

		// Filters.
		today := time.Now().In(time.FixedZone("KST", 9*3600))
		for _, sc := range []struct {
			name  string
			query url.Values
			rows  int // -1: as many as the log holds in all
		}{
			{"kind and action", url.Values{"kind": {"agency"}, "action": {"update"}}, 1},
			{"actor", url.Values{"actor": {admin.Login}}, 1},
			{"an actor with no changes", url.Values{"actor": {"nobody"}}, 0},
			{"today", url.Values{"from": {today.Format("2006-01-02")}, "to": {today.Format("2006-01-02")}}, -1},
			{"from tomorrow", url.Values{"from": {today.AddDate(0, 0, 1).Format("2006-01-02")}}, 0},
			{"to yesterday", url.Values{"to": {today.AddDate(0, 0, -1).Format("2006-01-02")}}, 0},
		} {
			_, page := get(t, ts, "/audit?"+sc.query.Encode())
			want := sc.rows
			if want < 0 {
				n, _ := audit.Count(ctx, db, access.All(), audit.Filter{})
				want = int(n)
			}
			got := htmlTable(t, page, "entries")[1:]
			if want == 0 && len(got) == 1 && len(got[0]) == 1 {
				got = nil // the "no entries" row
			}
			if len(got) != want {
				t.Errorf("%s: %d rows, want %d", sc.name, len(got), want)
			}
			// The export holds the same rows, without the link column.
			resp, file := getBytes(t, ts, "/audit/export/entries.csv?"+sc.query.Encode())
			records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF")))).ReadAll()
			if resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("%s: export %d %v", sc.name, resp.StatusCode, err)
			}
			if len(records)-1 != len(got) {
				t.Errorf("%s: the export holds %d rows, the page %d", sc.name, len(records)-1, len(got))
				continue
			}
			for i, row := range got {
				wantCells(t, sc.name+" export row", records[i+1], row[:5]...)
			}
		}
		if status, _ := get(t, ts, "/audit?from=2026-13-01"); status != http.StatusBadRequest {
			t.Errorf("a date that is none: %d, want 400", status)
		}
		resp, book := getBytes(t, ts, "/audit/export/entries.xlsx?kind=agency")
		wb, err := excelize.OpenReader(bytes.NewReader(book))
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("xlsx export: %d %v", resp.StatusCode, err)
		}
		sheetRows, _ := wb.GetRows(wb.GetSheetList()[0])
		if n, _ := audit.Count(ctx, db, access.All(), audit.Filter{Kind: "agency"}); len(sheetRows)-1 != int(n) {
			t.Errorf("xlsx export: %d rows, want %d", len(sheetRows)-1, n)
		}

		// Pages of 100.
		for i := range 105 {
			a := *f.keis
			a.Contact = fmt.Sprintf("내선 %d", i)
			if err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateAgency(ctx, &a) }); err != nil {
				t.Fatal(err)
			}
		}
		total, _ := audit.Count(ctx, db, access.All(), audit.Filter{})
		_, first := get(t, ts, "/audit")
		if n := len(htmlTable(t, first, "entries")) - 1; n != auditPageSize {
			t.Errorf("first page: %d rows", n)
		}
		mustContain(t, "the first page", first, fmt.Sprintf("%d건 중 1~100번째", total), `href="/audit?page=2"`)
		_, second := get(t, ts, "/audit?page=2")
		if n := len(htmlTable(t, second, "entries")) - 1; int64(n) != min(total-100, 100) {
			t.Errorf("second page: %d rows of %d", n, total)
		}
		mustContain(t, "the second page", second, `href="/audit"`)
		if _, beyond := get(t, ts, "/audit?page=99"); htmlTable(t, beyond, "entries")[1][0] != htmlTable(t, second, "entries")[1][0] {
			t.Error("a page beyond the last is not the last")
		}

		// Neither the log nor the report is a table every reader may
		// download through /export/.
		viewerTS, _, _ := newServerAs(t, db, auth.MinistryViewer, 0)
		for _, path := range []string{"/export/audit/entries.csv", "/export/security-report/summary.csv", "/audit/export/entries.csv"} {
			if status, _ := get(t, viewerTS, path); status != http.StatusNotFound && status != http.StatusForbidden {
				t.Errorf("a ministry viewer downloads %s: %d", path, status)
			}
		}

		// An agency admin reads its agency's entries, and no chain.
		agencyTS, _, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		_, own := get(t, agencyTS, "/audit?kind=agency")
		if strings.Contains(own, `id="chain"`) {
			t.Error("an agency admin sees the check of the whole chain")
		}
		mustNotShow(t, "an agency admin's audit page", own, keisNames...)
		n, _ := audit.Count(ctx, db, access.Agency(f.welfare.ID), audit.Filter{Kind: "agency"})
		if got := len(htmlTable(t, own, "entries")) - 1; got != int(n) || n == 0 {
			t.Errorf("an agency admin's page: %d rows, its agency has %d entries", got, n)
		}
		_, file := getBytes(t, agencyTS, "/audit/export/entries.csv")
		mustNotShow(t, "an agency admin's export", string(file), keisNames...)
		keisEntries, _ := audit.List(ctx, db, access.Agency(f.keis.ID), audit.Filter{Limit: 1})
		if status, _ := get(t, agencyTS, auditHref(keisEntries[0].Seq)); status != http.StatusNotFound {
			t.Errorf("another agency's entry: %d, want 404", status)
		}
		if status, _ := get(t, agencyTS, auditHref(seq)); status != http.StatusOK {
			t.Errorf("its own agency's entry: %d", status)
		}
	})
}

// Every entry is found by its number, for the ministry and for an agency
// whose entries are scattered through the log.
func TestAuditEntryLookup(t *testing.T) {
	db := testdb.SQLite(t)
	f := newScopeFixture(t, inventory.NewStore(db))
	ctx := context.Background()
	for _, scope := range []access.Scope{access.All(), access.Agency(f.welfare.ID), access.Agency(f.keis.ID)} {
		entries, err := audit.List(ctx, db, scope, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		readable := map[int64]bool{}
		for _, e := range entries {
			readable[e.Seq] = true
			got, err := audit.Get(ctx, db, scope, e.Seq)
			if err != nil || got.Seq != e.Seq || got.Hash != e.Hash {
				t.Errorf("%s: entry %d: %v", scope, e.Seq, err)
			}
		}
		for seq := int64(0); seq <= int64(len(entries))+2; seq++ {
			if readable[seq] {
				continue
			}
			if _, err := audit.Get(ctx, db, scope, seq); apperror.CodeOf(err) != apperror.NotFound {
				t.Errorf("%s: entry %d it may not read: %v, want not found", scope, seq, err)
			}
		}
	}
}

// The security report shows the month's real activity: failed logins and
// the lock they led to, and a token in use. Its workbook has a sheet for
// each table of the page holding the same cells, and each table's CSV
// too.
func TestSecurityReportPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.MinistryAdmin, 0)
		ctx := context.Background()
		target := newAccount(t, srv.accounts, auth.AgencyViewer, f.welfare.ID, false)

		// Five wrong passwords lock the account; one more try, with an
		// unknown login, fails too.
		stranger := newVisitor(t, ts)
		for i := range 5 {
			resp, _ := stranger.post("/login", url.Values{"login": {target.Login}, "password": {fmt.Sprintf("Wrong-Password-%d", i)}})
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d", i+1, resp.StatusCode)
			}
		}
		stranger.post("/login", url.Values{"login": {"nobody.here"}, "password": {testPassword}})
		tok := &auth.Token{Name: "야간 동기화", Role: auth.Script, AgencyID: f.welfare.ID}
		raw, err := srv.accounts.CreateToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := bearer(t, ts, raw, "/api/v1/summary"); status != http.StatusOK {
			t.Fatalf("the token on the API: %d", status)
		}

		status, page := get(t, ts, "/admin/security-report")
		if status != http.StatusOK {
			t.Fatalf("report: %d\n%s", status, page)
		}
		month := time.Now().In(time.FixedZone("KST", 9*3600))
		mustContain(t, "the report", page, fmt.Sprintf("%d년 %d월 정기 보안 모니터링 보고", month.Year(), int(month.Month())),
			`id="month-prev"`, "/admin/security-report/export/report.xlsx?month="+month.Format("2006-01"))
		if strings.Contains(page, `id="month-next"`) {
			t.Error("the report of this month offers the next")
		}
		summary := htmlTable(t, page, "summary")
		for item, want := range map[string]string{
			"로그인 시도": "6", "로그인 실패": "6", "실패가 있었던 아이디": "2", "계정 잠금": "1", "그중 자동 잠금": "1",
			"현재 잠긴 계정": "1", "사용 중인 API 토큰": "1", "그중 한 번도 쓰지 않은 토큰": "0",
		} {
			if got := rowOf(t, summary, item); got[1] != want {
				t.Errorf("%s: %q, want %s", item, got[1], want)
			}
		}
		wantCells(t, "the locked account", rowOf(t, htmlTable(t, page, "locked"), target.Login)[:5],
			target.Login, target.Name, "기관 열람자", "근로복지공단", "로그인 연속 실패")
		if failures := rowOf(t, htmlTable(t, page, "logins"), target.Login); failures[2] != "5" {
			t.Errorf("failures of %s: %q", target.Login, failures)
		}
		if used := rowOf(t, htmlTable(t, page, "tokens"), "야간 동기화"); used[5] == "없음" || used[5] == "" {
			t.Errorf("the token used: %q", used)
		}

		// The workbook: a sheet per table, the same cells.
		resp, book := getBytes(t, ts, "/admin/security-report/export/report.xlsx?month="+month.Format("2006-01"))
		wb, err := excelize.OpenReader(bytes.NewReader(book))
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("workbook: %d %v", resp.StatusCode, err)
		}
		if name := resp.Header.Get("Content-Disposition"); !strings.Contains(name, "yeonsok-security-report-"+month.Format("2006-01")+".xlsx") {
			t.Errorf("workbook named %q", name)
		}
		keys := []string{"summary", "logins", "addresses", "locks", "unlocks", "locked", "inactive", "tokens", "revoked", "changes"}
		sheets := wb.GetSheetList()
		if len(sheets) != len(keys) {
			t.Fatalf("sheets %q, want one per table (%d)", sheets, len(keys))
		}
		for i, key := range keys {
			onPage := htmlTable(t, page, key)
			if !strings.Contains(page, "<caption>"+sheets[i]+"</caption>") {
				t.Errorf("sheet %d %q is no table's caption", i+1, sheets[i])
			}
			rows, err := wb.GetRows(sheets[i])
			if err != nil {
				t.Fatal(err)
			}
			if len(onPage) == 2 && len(onPage[1]) == 1 && len(rows) == 1 {
				onPage = onPage[:1] // an empty table: the page says so in one cell
			}
			if len(rows) != len(onPage) {
				t.Errorf("%s: %d rows in the sheet, %d on the page", key, len(rows), len(onPage))
				continue
			}
			for r := range rows {
				for len(rows[r]) < len(onPage[r]) {
					rows[r] = append(rows[r], "") // GetRows drops empty cells at the end
				}
				wantCells(t, fmt.Sprintf("%s row %d", key, r), rows[r], onPage[r]...)
			}
			// And each table's CSV.
			resp, file := getBytes(t, ts, "/admin/security-report/export/"+key+".csv?month="+month.Format("2006-01"))
			records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF")))).ReadAll()
			if resp.StatusCode != http.StatusOK || err != nil || len(records) != len(onPage) {
				t.Errorf("%s.csv: %d %v, %d rows for %d", key, resp.StatusCode, err, len(records), len(onPage))
			}
		}
		// A figure is a number in the workbook, not text.
		summarySheet, _ := wb.GetRows(sheets[0])
		for r, row := range summarySheet {
			if row[0] != "로그인 실패" {
				continue
			}
			axis, _ := excelize.CoordinatesToCellName(2, r+1)
			if typ, _ := wb.GetCellType(sheets[0], axis); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("the failures figure (%s) is stored as text", axis)
			}
		}

		// Last month: none of it, and a way back.
		last := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, month.Location()).AddDate(0, -1, 0).Format("2006-01")
		_, earlier := get(t, ts, "/admin/security-report?month="+last)
		if got := rowOf(t, htmlTable(t, earlier, "summary"), "로그인 실패"); got[1] != "0" {
			t.Errorf("last month's failures: %q", got[1])
		}
		mustContain(t, "last month's report", earlier, `id="month-next"`, `href="/admin/security-report?month=`+month.Format("2006-01")+`"`)
		if status, _ := get(t, ts, "/admin/security-report?month=2026-13"); status != http.StatusBadRequest {
			t.Errorf("a month that is none: %d, want 400", status)
		}

		// An agency admin's report is its agency's.
		agencyTS, _, _ := newServerAs(t, db, auth.AgencyAdmin, f.keis.ID)
		_, theirs := get(t, agencyTS, "/admin/security-report")
		if got := rowOf(t, htmlTable(t, theirs, "summary"), "로그인 실패"); got[1] != "0" {
			t.Errorf("another agency's report counts %q failures", got[1])
		}
		if strings.Contains(theirs, target.Login) {
			t.Error("another agency's report names the locked account")
		}
	})
}

// Two admins of one agency cannot lift each other's locks: agency admins
// are the ministry's to manage.
func TestAgencyAdminCannotManageAFellowAdmin(t *testing.T) {
	db := testdb.SQLite(t)
	f := newScopeFixture(t, inventory.NewStore(db))
	ts, srv, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
	fellow := newAccount(t, srv.accounts, auth.AgencyAdmin, f.welfare.ID, false)
	if err := srv.accounts.Lock(context.Background(), fellow.ID, time.Time{}, auth.ReasonAdmin); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"unlock", "reset-password", "enable"} {
		if status, _, _ := post(t, ts, "/admin/users/"+strconv.FormatInt(fellow.ID, 10)+"/"+action, url.Values{}); status != http.StatusForbidden {
			t.Errorf("%s a fellow agency admin: %d, want 403", action, status)
		}
	}
	got, err := srv.accounts.User(context.Background(), access.All(), fellow.ID)
	if err != nil || !got.Locked(time.Now()) {
		t.Fatalf("the fellow admin is no longer locked: %+v %v", got, err)
	}
}
