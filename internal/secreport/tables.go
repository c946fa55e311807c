package secreport

import (
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
)

// Table is one part of the report as rows of cells, in one language: a
// sheet of the XLSX, or a table of the page.
type Table struct {
	// Key names the table (summary, logins, …); Name is its title, short
	// enough for a sheet's name (at most 31 characters, none of : \ / ? * [ ]).
	Key    string
	Name   string
	Header []string
	// Rows hold a string or an int in each cell, one per Header.
	Rows [][]any
}

// Month is the report's month in lang: "2026년 3월", "March 2026".
func (r *Report) Month(lang locale.Lang) string {
	return locale.T(lang, "secreport.month", r.From.Year(), int(r.From.Month()), r.From.Month().String())
}

// Title is the report's title in lang, with its month and scope.
func (r *Report) Title(lang locale.Lang) string {
	scope := r.AgencyName
	if r.AgencyID == 0 {
		scope = locale.T(lang, "secreport.scope.all")
	}
	return locale.T(lang, "secreport.title", r.Month(lang), scope)
}

// Tables are the report's parts in lang, in the order a page shows them:
// the summary, failures by login and by address, locks, unlocks, accounts
// locked now, inactive accounts, tokens in use, revoked tokens, and
// changes by user. Every table is there, empty or not.
func (r *Report) Tables(lang locale.Lang) []Table {
	w := words{lang}
	return []Table{r.summaryTable(w), r.loginTable(w), r.addressTable(w), w.events("locks", "reason", r.Locks),
		w.events("unlocks", "lifted", r.Unlocks), r.lockedTable(w), r.inactiveTable(w), w.tokens("tokens", r.Tokens),
		w.tokens("revoked", r.Revoked), r.changesTable(w)}
}

// words writes cells in one language.
type words struct{ lang locale.Lang }

func (w words) t(key string, args ...any) string { return locale.T(w.lang, key, args...) }

// table is an empty table with its name and the headings of columns, each
// the key of a column's heading under secreport.col.
func (w words) table(key string, columns ...string) Table {
	return Table{Key: key, Name: w.t("secreport.table." + key), Header: w.headings("secreport.col.", columns...)}
}

func (w words) headings(prefix string, keys ...string) []string {
	list := make([]string, len(keys))
	for i, k := range keys {
		list[i] = w.t(prefix + k)
	}
	return list
}

// agency is the agency cell of an account or token: the ministry's own have
// none.
func (w words) agency(id int64, name string) string {
	if id == 0 {
		return w.t("secreport.ministry")
	}
	return name
}

// when is a time in KST; never is what a zero time shows.
func (w words) when(t time.Time, never string) string {
	if t.IsZero() {
		return never
	}
	if t.Equal(auth.Forever) {
		return w.t("secreport.until_unlocked")
	}
	return locale.DateTime(t)
}

func (w words) actor(a access.Actor) string {
	if a.Kind == "" {
		return ""
	}
	if a.Kind == access.ActorSystem {
		return w.t("audit.actor.system")
	}
	return a.Name + " (" + w.t("audit.actor."+a.Kind) + ")"
}

func (w words) reason(reason string) string {
	if reason == "" {
		return ""
	}
	return w.t("auth.lock_reason." + reason)
}

func (w words) yes(b bool) string {
	if b {
		return w.t("secreport.yes")
	}
	return ""
}

func (r *Report) summaryTable(w words) Table {
	t := w.table("summary", "item", "value")
	t.Rows = append(t.Rows,
		[]any{w.t("secreport.summary.period"), locale.Date(r.From) + " ~ " + locale.Date(r.To.Add(-time.Nanosecond))},
		[]any{w.t("secreport.summary.as_of"), w.when(r.AsOf, "")})
	s := r.Summary
	for _, row := range []struct {
		key   string
		value int
	}{
		{"login_attempts", s.LoginAttempts}, {"login_failures", s.LoginFailures}, {"failed_logins", s.FailedLogins},
		{"locks", s.Locks}, {"automatic_locks", s.AutomaticLocks}, {"unlocks", s.Unlocks}, {"locked_now", s.LockedNow},
		{"inactive", s.Inactive}, {"locked_as_inactive", s.LockedAsInactive}, {"active_tokens", s.ActiveTokens},
		{"never_used_tokens", s.NeverUsedTokens}, {"revoked_tokens", s.RevokedTokens}, {"changes", s.Changes}, {"actors", s.Actors},
	} {
		t.Rows = append(t.Rows, []any{w.t("secreport.summary." + row.key), row.value})
	}
	for _, o := range r.Logins.ByOutcome {
		t.Rows = append(t.Rows, []any{w.t("secreport.summary.outcome", locale.Key("auth.outcome."+o.Outcome)), o.Count})
	}
	return t
}

func (r *Report) loginTable(w words) Table {
	t := w.table("logins", "login", "agency", "failures")
	t.Header = append(t.Header, w.headings("auth.outcome.", failureOutcomes()...)...)
	t.Header = append(t.Header, w.headings("secreport.col.", "addresses", "last")...)
	for _, l := range r.Logins.ByLogin {
		agency := ""
		if l.UserID != 0 {
			agency = w.agency(l.AgencyID, l.AgencyName)
		}
		row := []any{l.Login, agency, l.Failures}
		for _, o := range l.ByOutcome {
			row = append(row, o.Count)
		}
		t.Rows = append(t.Rows, append(row, l.Addresses, w.when(l.Last, "")))
	}
	return t
}

func (r *Report) addressTable(w words) Table {
	t := w.table("addresses", "address", "failures", "logins", "last")
	for _, a := range r.Logins.TopAddresses {
		t.Rows = append(t.Rows, []any{a.Address, a.Failures, a.Logins, w.when(a.Last, "")})
	}
	return t
}

// events is a table of locks or unlocks; reason names the column of what
// was locked or lifted.
func (w words) events(key, reason string, list []AccountEvent) Table {
	t := w.table(key, "at", "login", "agency", reason, "until", "by", "address")
	for _, e := range list {
		t.Rows = append(t.Rows, []any{w.when(e.At, ""), e.Login, w.agency(e.AgencyID, e.AgencyName), w.reason(e.Reason),
			w.when(e.Until, ""), w.actor(e.By), e.By.Address})
	}
	return t
}

func (r *Report) lockedTable(w words) Table {
	t := w.table("locked", "login", "name", "role", "agency", "reason", "until")
	for _, a := range r.Locked {
		t.Rows = append(t.Rows, []any{a.Login, a.Name, w.t(a.Role.Key()), w.agency(a.AgencyID, a.AgencyName),
			w.reason(a.Reason), w.when(a.Until, "")})
	}
	return t
}

func (r *Report) inactiveTable(w words) Table {
	t := w.table("inactive", "login", "name", "role", "agency", "last_active", "last_login", "days", "locked_inactive")
	never := w.t("secreport.never")
	for _, a := range r.Inactive {
		t.Rows = append(t.Rows, []any{a.Login, a.Name, w.t(a.Role.Key()), w.agency(a.AgencyID, a.AgencyName),
			w.when(a.LastActive, ""), w.when(a.LastLogin, never), a.Days, w.yes(a.LockedAsInactive)})
	}
	return t
}

func (w words) tokens(key string, list []TokenUse) Table {
	t := w.table(key, "token", "role", "agency", "systems", "created", "last_used", "expires", "revoked", "revoked_by")
	never := w.t("secreport.never")
	for _, u := range list {
		t.Rows = append(t.Rows, []any{u.Name, w.t(u.Role.Key()), w.agency(u.AgencyID, u.AgencyName), u.Systems,
			w.when(u.CreatedAt, ""), w.when(u.LastUsedAt, never), w.when(u.ExpiresAt, ""), w.when(u.RevokedAt, ""),
			w.actor(u.RevokedBy)})
	}
	return t
}

func (r *Report) changesTable(w words) Table {
	t := w.table("changes", "actor", "total")
	t.Header = append(t.Header, w.headings("audit.kind.", r.ChangeKinds...)...)
	for _, c := range r.Changes {
		row := []any{w.actor(c.Actor), c.Total}
		for _, k := range c.ByKind {
			row = append(row, k.Count)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
