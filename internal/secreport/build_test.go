package secreport

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
)

// now is a Tuesday afternoon in March 2026, KST.
var now = time.Date(2026, 3, 17, 6, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func ptr(v int64) *int64 { return &v }

var (
	boss  = access.Actor{Kind: access.ActorUser, ID: 1, Name: "boss", Address: "10.0.0.1"}
	tower = access.Actor{Kind: access.ActorSystem, Name: "yeonsok", Address: "203.0.113.9"}
)

// entry is an audit entry of an account or token, with the record's JSON.
func entry(seq int64, at time.Time, by access.Actor, action, kind string, id int64, agency *int64, before, after any) audit.Entry {
	e := audit.Entry{Seq: seq, At: at, Actor: by, Action: action, Kind: kind, RecordID: &id, AgencyID: agency}
	if before != nil {
		e.Before, _ = json.Marshal(before)
	}
	if after != nil {
		e.After, _ = json.Marshal(after)
	}
	if u, ok := after.(auth.UserRecord); ok {
		e.Summary = u.Login
	}
	return e
}

// line writes values in one string, times in KST, for comparing rows.
func line(values ...any) string {
	var parts []string
	for _, v := range values {
		if t, ok := v.(time.Time); ok {
			v = locale.DateTime(t)
		}
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, " ")
}

func TestBuild(t *testing.T) {
	agencies := map[int64]string{1: "고용노동부", 2: "중부지방고용노동청"}
	scenarios := []struct {
		name  string
		facts Facts
		check func(t *testing.T, r *Report)
	}{
		{"an empty month", Facts{}, func(t *testing.T, r *Report) {
			if r.Summary != (Summary{}) || len(r.Logins.ByOutcome) != len(auth.Outcomes) || len(r.Locks)+len(r.Locked)+len(r.Tokens)+len(r.Changes) != 0 {
				t.Fatalf("report %+v", r)
			}
		}},
		{"login failures by outcome, login and address", Facts{Agencies: agencies, Logins: []auth.LoginCount{
			{Login: "hong", UserID: 7, AgencyID: 2, Address: "203.0.113.9", Outcome: auth.OutcomeBadPassword, Count: 5, Last: now.Add(-day)},
			{Login: "hong", UserID: 7, AgencyID: 2, Address: "203.0.113.9", Outcome: auth.OutcomeLocked, Count: 2, Last: now},
			{Login: "hong", UserID: 7, AgencyID: 2, Address: "10.0.0.5", Outcome: auth.OutcomeOK, Count: 3, Last: now},
			{Login: "admin", Address: "203.0.113.9", Outcome: auth.OutcomeUnknownUser, Count: 4, Last: now.Add(-2 * day)},
			{Login: "boss", UserID: 1, Address: "10.0.0.1", Outcome: auth.OutcomeBadPassword, Count: 1, Last: now.Add(-3 * day)},
		}}, func(t *testing.T, r *Report) {
			l := r.Logins
			if l.Attempts != 15 || l.Failures != 12 || l.Addresses != 2 {
				t.Fatalf("attempts %d, failures %d, addresses %d", l.Attempts, l.Failures, l.Addresses)
			}
			if got := fmt.Sprint(l.ByOutcome); got != "[{ok 3} {bad_password 6} {unknown_user 4} {locked 2} {inactive 0} {disabled 0} {temporary_expired 0}]" {
				t.Errorf("by outcome %s", got)
			}
			var logins []string
			for _, f := range l.ByLogin {
				logins = append(logins, line(f.Login, f.UserID, f.AgencyName, f.Failures, f.ByOutcome, f.Addresses, f.Last))
			}
			want := []string{
				"hong 7 중부지방고용노동청 7 [{bad_password 5} {unknown_user 0} {locked 2} {inactive 0} {disabled 0} {temporary_expired 0}] 1 2026. 3. 17. 15:00",
				"admin 0  4 [{bad_password 0} {unknown_user 4} {locked 0} {inactive 0} {disabled 0} {temporary_expired 0}] 1 2026. 3. 15. 15:00",
				"boss 1  1 [{bad_password 1} {unknown_user 0} {locked 0} {inactive 0} {disabled 0} {temporary_expired 0}] 1 2026. 3. 14. 15:00",
			}
			if strings.Join(logins, "\n") != strings.Join(want, "\n") {
				t.Errorf("by login:\n%s\nwant:\n%s", strings.Join(logins, "\n"), strings.Join(want, "\n"))
			}
			if got := line(l.TopAddresses[0].Address, l.TopAddresses[0].Failures, l.TopAddresses[0].Logins); got != "203.0.113.9 11 2" {
				t.Errorf("top address %s", got)
			}
			if r.Summary.LoginAttempts != 15 || r.Summary.LoginFailures != 12 || r.Summary.FailedLogins != 3 {
				t.Errorf("summary %+v", r.Summary)
			}
		}},
		{"only the ten addresses with most failures are named", func() Facts {
			var f Facts
			for i := range 12 {
				f.Logins = append(f.Logins, auth.LoginCount{Login: "x", Address: fmt.Sprintf("10.0.0.%d", i+1), Outcome: auth.OutcomeUnknownUser, Count: i + 1})
			}
			return f
		}(), func(t *testing.T, r *Report) {
			top := r.Logins.TopAddresses
			if len(top) != TopAddresses || r.Logins.Addresses != 12 || top[0].Address != "10.0.0.12" || top[9].Address != "10.0.0.3" {
				t.Fatalf("top %+v of %d", top, r.Logins.Addresses)
			}
		}},
		{"locks and unlocks, by a person or by the tower", Facts{Agencies: agencies, Entries: []audit.Entry{
			entry(9, now, boss, audit.ActionUnlock, audit.KindUser, 7, ptr(2),
				auth.UserRecord{Login: "hong", LockedReason: auth.ReasonFailedLogins, LockedUntil: now.Add(20 * time.Minute)}, auth.UserRecord{Login: "hong"}),
			entry(8, now.Add(-10*time.Minute), tower, audit.ActionLock, audit.KindUser, 7, ptr(2),
				auth.UserRecord{Login: "hong"}, auth.UserRecord{Login: "hong", LockedReason: auth.ReasonFailedLogins, LockedUntil: now.Add(20 * time.Minute)}),
			entry(10, now.Add(day), boss, audit.ActionLock, audit.KindUser, 1, nil,
				auth.UserRecord{Login: "kim"}, auth.UserRecord{Login: "kim", LockedReason: auth.ReasonAdmin, LockedUntil: auth.Forever}),
			entry(11, now.Add(day), boss, audit.ActionCreate, audit.KindUser, 3, nil, nil, auth.UserRecord{Login: "new"}),
		}}, func(t *testing.T, r *Report) {
			var got []string
			for _, e := range append(r.Locks, r.Unlocks...) {
				got = append(got, line(e.At, e.UserID, e.Login, e.AgencyName, e.Reason, e.Until, e.By.Name, e.By.Address, e.Automatic))
			}
			want := []string{
				"2026. 3. 17. 14:50 7 hong 중부지방고용노동청 failed_logins 2026. 3. 17. 15:20 yeonsok 203.0.113.9 true",
				"2026. 3. 18. 15:00 1 kim  admin 10000. 1. 1. 08:59 boss 10.0.0.1 false",
				"2026. 3. 17. 15:00 7 hong 중부지방고용노동청 failed_logins 2026. 3. 17. 15:20 boss 10.0.0.1 false",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if s := r.Summary; s.Locks != 2 || s.AutomaticLocks != 1 || s.Unlocks != 1 {
				t.Errorf("summary %+v", s)
			}
		}},
		{"accounts locked now and inactive", Facts{Now: now, InactiveAfter: 90 * day, Agencies: agencies, Users: []*auth.User{
			{ID: 1, Login: "boss", Role: auth.MinistryAdmin, CreatedAt: now.Add(-400 * day), LastLoginAt: now.Add(-day)},
			{ID: 2, Login: "kim", Role: auth.AgencyAdmin, AgencyID: 1, CreatedAt: now.Add(-10 * day),
				LockedUntil: auth.Forever, LockedReason: auth.ReasonAdmin},
			{ID: 3, Login: "hong", Role: auth.AgencyEditor, AgencyID: 2, CreatedAt: now.Add(-10 * day),
				LockedUntil: now.Add(-time.Minute), LockedReason: auth.ReasonFailedLogins}, // ran out
			{ID: 4, Login: "idle", Role: auth.AgencyViewer, AgencyID: 2, CreatedAt: now.Add(-100 * day)}, // not swept yet
			{ID: 5, Login: "swept", Role: auth.AgencyViewer, AgencyID: 1, CreatedAt: now.Add(-300 * day),
				LastLoginAt: now.Add(-120 * day), LockedUntil: auth.Forever, LockedReason: auth.ReasonInactive},
			{ID: 6, Login: "gone", Role: auth.AgencyViewer, AgencyID: 1, CreatedAt: now.Add(-300 * day), Disabled: true},
			{ID: 7, Login: "back", Role: auth.AgencyViewer, AgencyID: 1, CreatedAt: now.Add(-300 * day), UnlockedAt: now.Add(-5 * day)},
		}}, func(t *testing.T, r *Report) {
			var locked, inactive []string
			for _, a := range r.Locked {
				locked = append(locked, line(a.Login, a.AgencyName, a.Reason, a.UntilUnlocked))
			}
			for _, a := range r.Inactive {
				inactive = append(inactive, line(a.Login, a.AgencyName, a.LastActive, a.LastLogin.IsZero(), a.Days, a.LockedAsInactive))
			}
			if got := strings.Join(locked, "; "); got != "kim 고용노동부 admin true; swept 고용노동부 inactive true" {
				t.Errorf("locked: %s", got)
			}
			if got := strings.Join(inactive, "; "); got != "swept 고용노동부 2025. 11. 17. 15:00 false 120 true; idle 중부지방고용노동청 2025. 12. 7. 15:00 true 100 false" {
				t.Errorf("inactive: %s", got)
			}
			if s := r.Summary; s.LockedNow != 2 || s.Inactive != 2 || s.LockedAsInactive != 1 {
				t.Errorf("summary %+v", s)
			}
		}},
		{"tokens in use and revoked in the month", Facts{Month: now, Now: now, Agencies: agencies, Tokens: []*auth.Token{
			{ID: 1, Name: "agent", Role: auth.Agent, AgencyID: 2, SystemIDs: []int64{4, 5}, LastUsedAt: now.Add(-time.Hour)},
			{ID: 2, Name: "script", Role: auth.Script},
			{ID: 3, Name: "expired", Role: auth.Script, ExpiresAt: now.Add(-time.Hour)},
			{ID: 4, Name: "revoked", Role: auth.Backup, AgencyID: 2, SystemIDs: []int64{4}, RevokedAt: now.Add(-day)},
			{ID: 5, Name: "long gone", Role: auth.Backup, RevokedAt: now.Add(-30 * day)},
		}, Entries: []audit.Entry{entry(3, now.Add(-day), boss, audit.ActionRevoke, audit.KindToken, 4, ptr(2), nil, nil)},
		}, func(t *testing.T, r *Report) {
			var active, revoked []string
			for _, u := range r.Tokens {
				active = append(active, line(u.Name, u.AgencyName, u.Systems, u.NeverUsed))
			}
			for _, u := range r.Revoked {
				revoked = append(revoked, line(u.Name, u.AgencyName, u.RevokedAt, u.RevokedBy.Name))
			}
			if got := strings.Join(active, "; "); got != "agent 중부지방고용노동청 2 false; script  0 true" {
				t.Errorf("active: %s", got)
			}
			if got := strings.Join(revoked, "; "); got != "revoked 중부지방고용노동청 2026. 3. 16. 15:00 boss" {
				t.Errorf("revoked: %s", got)
			}
			if s := r.Summary; s.ActiveTokens != 2 || s.NeverUsedTokens != 1 || s.RevokedTokens != 1 {
				t.Errorf("summary %+v", s)
			}
		}},
		{"changes by user and kind", Facts{Changes: []audit.ActorCount{
			{Actor: access.Actor{Kind: access.ActorUser, ID: 3, Name: "kim"}, Kind: audit.KindSystem, Action: audit.ActionUpdate, Count: 4},
			{Actor: access.Actor{Kind: access.ActorUser, ID: 3, Name: "kim"}, Kind: audit.KindSystem, Action: audit.ActionCreate, Count: 1},
			{Actor: access.Actor{Kind: access.ActorUser, ID: 3, Name: "kim", Address: "10.0.0.2"}, Kind: audit.KindUser, Action: audit.ActionLock, Count: 1},
			{Actor: access.Actor{Kind: access.ActorSystem, Name: "yeonsok"}, Kind: audit.KindUser, Action: audit.ActionLock, Count: 2},
			{Actor: access.Actor{Kind: access.ActorToken, ID: 9, Name: "sync"}, Kind: "probe", Action: audit.ActionCreate, Count: 2},
			{Actor: access.Actor{Kind: access.ActorUser, ID: 4, Name: "lee"}, Kind: audit.KindAgency, Action: audit.ActionUpdate, Count: 2},
		}}, func(t *testing.T, r *Report) {
			if got := fmt.Sprint(r.ChangeKinds); got != "[agency system user probe]" {
				t.Errorf("kinds %s", got)
			}
			var got []string
			for _, c := range r.Changes {
				got = append(got, line(c.Actor.Name, c.Total, c.ByKind))
			}
			want := "kim 6 [{agency 0} {system 5} {user 1} {probe 0}]; yeonsok 2 [{agency 0} {system 0} {user 2} {probe 0}]; " +
				"sync 2 [{agency 0} {system 0} {user 0} {probe 2}]; lee 2 [{agency 2} {system 0} {user 0} {probe 0}]"
			if strings.Join(got, "; ") != want {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "; "), want)
			}
			if r.Summary.Changes != 12 || r.Summary.Actors != 4 {
				t.Errorf("summary %+v", r.Summary)
			}
		}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := Build(s.facts)
			s.check(t, r)
			checkTables(t, r)
		})
	}
}

// checkTables: every table reads in both languages, with no raw key, a
// sheet's name that XLSX takes, and a cell under every heading.
func checkTables(t *testing.T, r *Report) {
	t.Helper()
	for _, lang := range []locale.Lang{locale.Korean, locale.English} {
		tables := r.Tables(lang)
		if len(tables) != 10 {
			t.Fatalf("%d tables", len(tables))
		}
		for _, tb := range tables {
			if utf8.RuneCountInString(tb.Name) > 31 || strings.ContainsAny(tb.Name, `:\/?*[]`) || tb.Name == "" {
				t.Errorf("%s: sheet name %q", tb.Key, tb.Name)
			}
			words := append([]string{tb.Name, r.Title(lang)}, tb.Header...)
			for i, row := range tb.Rows {
				if len(row) != len(tb.Header) {
					t.Errorf("%s row %d has %d cells for %d headings", tb.Key, i, len(row), len(tb.Header))
				}
				for _, c := range row {
					switch v := c.(type) {
					case string:
						words = append(words, v)
					case int:
					default:
						t.Errorf("%s row %d: cell %v is a %T", tb.Key, i, c, c)
					}
				}
			}
			for _, w := range words {
				if kind, ok := strings.CutPrefix(w, "audit.kind."); ok && !slices.Contains(audit.Kinds, kind) {
					continue // a kind of a later version shows as its key, as Describe has it
				}
				for _, prefix := range []string{"secreport.", "auth.", "audit."} {
					if strings.Contains(w, prefix) {
						t.Errorf("%s in %s: raw key %q", tb.Key, lang, w)
					}
				}
			}
		}
	}
}

func TestTablesRead(t *testing.T) {
	r := Build(Facts{Month: now, Now: now, InactiveAfter: 90 * day, AgencyID: 2, Agencies: map[int64]string{2: "중부청"},
		Users: []*auth.User{{ID: 4, Login: "idle", Role: auth.AgencyViewer, AgencyID: 2, CreatedAt: now.Add(-100 * day),
			LockedUntil: auth.Forever, LockedReason: auth.ReasonInactive}},
		Changes: []audit.ActorCount{{Actor: access.Actor{Kind: access.ActorSystem, Name: "yeonsok"}, Kind: audit.KindUser, Action: audit.ActionLock, Count: 1}},
	})
	if got := r.Title(locale.Korean); got != "2026년 3월 정기 보안 모니터링 보고 (중부청)" {
		t.Errorf("ko title %q", got)
	}
	if got := r.Title(locale.English); got != "Security monitoring report, March 2026 (중부청)" {
		t.Errorf("en title %q", got)
	}
	tables := r.Tables(locale.Korean)
	locked := tables[5]
	if locked.Key != "locked" || fmt.Sprint(locked.Rows) != "[[idle  기관 열람자 중부청 장기 미사용 관리자 해제 시까지]]" {
		t.Errorf("locked table %+v", locked)
	}
	inactive := tables[6]
	if fmt.Sprint(inactive.Header) != "[아이디 이름 역할 기관 마지막 사용 마지막 로그인 미사용 일수 장기 미사용 잠금]" ||
		fmt.Sprint(inactive.Rows) != "[[idle  기관 열람자 중부청 2025. 12. 7. 15:00 없음 100 예]]" {
		t.Errorf("inactive table %+v", inactive)
	}
	if changes := tables[9]; fmt.Sprint(changes.Header, changes.Rows) != "[사용자 합계 계정] [[시스템(자동) 1 1]]" {
		t.Errorf("changes table %+v", changes)
	}
	summary := tables[0]
	if fmt.Sprint(summary.Rows[:3]) != "[[기간 2026. 3. 1. ~ 2026. 3. 31.] [현재 상태 기준 시각(잠긴 계정, 장기 미사용 계정, 사용 중인 토큰) 2026. 3. 17. 15:00] [로그인 시도 0]]" ||
		summary.Rows[len(summary.Rows)-1][0] != "로그인 결과: 만료된 일회용 비밀번호" {
		t.Errorf("summary %v", summary.Rows)
	}
}

func TestMonth(t *testing.T) {
	scenarios := []struct {
		name     string
		at       time.Time
		from, to string
	}{
		{"midmonth", now, "2026-03-01T00:00:00+09:00", "2026-04-01T00:00:00+09:00"},
		{"the evening of the last day in UTC is the next month in KST", time.Date(2026, 2, 28, 15, 0, 0, 0, time.UTC),
			"2026-03-01T00:00:00+09:00", "2026-04-01T00:00:00+09:00"},
		{"the last instant of a month", time.Date(2026, 2, 28, 14, 59, 59, 999999999, time.UTC),
			"2026-02-01T00:00:00+09:00", "2026-03-01T00:00:00+09:00"},
		{"December runs into January", time.Date(2025, 12, 10, 0, 0, 0, 0, locale.KST), "2025-12-01T00:00:00+09:00", "2026-01-01T00:00:00+09:00"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			from, to := MonthOf(s.at)
			if from.Format(time.RFC3339) != s.from || to.Format(time.RFC3339) != s.to {
				t.Fatalf("%v to %v, want %s to %s", from, to, s.from, s.to)
			}
		})
	}
	if m, err := ParseMonth("2026-03"); err != nil || m.Format(time.RFC3339) != "2026-03-01T00:00:00+09:00" {
		t.Errorf("ParseMonth: %v, %v", m, err)
	}
	for _, bad := range []string{"", "2026-13", "2026-3", "march", "2026-03-01"} {
		if _, err := ParseMonth(bad); err == nil || !strings.Contains(err.Error(), "2026-03") {
			t.Errorf("ParseMonth(%q): %v", bad, err)
		}
	}
}
