// Package secreport is the monthly security monitoring report (정기적
// 모니터링 보고) of the plan's short-term tasks, applied to the tower's own
// accounts: login failures, accounts locked during the month and locked
// now, inactive accounts, API tokens in use and revoked, and changes by
// user.
//
// Build is pure: it turns Facts into a Report. Load reads the facts of one
// KST calendar month within a scope (the ministry's: everything; an
// agency's: its own accounts, tokens and entries) and builds the report.
// A page and an XLSX render the Report's plain fields, or its Tables.
package secreport

import (
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/locale"
)

// Report is one month's security monitoring report.
type Report struct {
	// From is the first instant of the month in KST, To the first of the
	// next (excluded). Every "during the month" figure falls between.
	From, To time.Time
	// AsOf is when the present state was read: the accounts locked now, the
	// inactive accounts and the tokens in use are as of AsOf, not as of the
	// month's end.
	AsOf time.Time
	// AgencyID is the agency the report covers, AgencyName its name; 0 and
	// "" for the ministry's report, which covers every agency and the
	// ministry's own accounts.
	AgencyID   int64
	AgencyName string
	// InactiveAfter is how long unused makes an account inactive.
	InactiveAfter time.Duration

	Summary Summary
	Logins  Logins
	// Locks are the locks of accounts during the month, by an admin or by
	// the tower itself (after failed logins, or for inactivity), oldest
	// first; Unlocks the unlocks by an admin.
	Locks   []AccountEvent
	Unlocks []AccountEvent
	// Locked are the accounts locked at AsOf, by login.
	Locked []LockedAccount
	// Inactive are the accounts, not disabled, unused for InactiveAfter at
	// AsOf or locked as inactive; the longest unused first.
	Inactive []InactiveAccount
	// Tokens are the API tokens usable at AsOf (neither revoked nor
	// expired), oldest first; Revoked those revoked during the month.
	Tokens  []TokenUse
	Revoked []TokenUse
	// ChangeKinds are the kinds of record changed during the month, in the
	// order of audit.Kinds: the columns of Changes.
	ChangeKinds []string
	// Changes count the audit log's entries of the month by actor, the
	// most first.
	Changes []ActorChanges
}

// Summary is the report's headline figures.
type Summary struct {
	LoginAttempts    int // every attempt, successes included
	LoginFailures    int
	FailedLogins     int // accounts and unknown logins with a failure
	Locks            int // locks during the month
	AutomaticLocks   int // of which the tower made itself
	Unlocks          int
	LockedNow        int
	Inactive         int
	LockedAsInactive int // of the inactive, those locked for it
	ActiveTokens     int
	NeverUsedTokens  int // of the active, those never used
	RevokedTokens    int
	Changes          int // audit log entries during the month
	Actors           int // who made them
}

// Logins are the month's login attempts.
type Logins struct {
	Attempts int
	Failures int
	// ByOutcome counts the attempts of every outcome of auth.Outcomes, in
	// its order, zeros included.
	ByOutcome []OutcomeCount
	// ByLogin are the logins with a failure, the most first.
	ByLogin []LoginFailures
	// TopAddresses are the addresses with the most failures, at most
	// TopAddresses; Addresses counts every address with a failure.
	TopAddresses []AddressFailures
	Addresses    int
}

// TopAddresses is how many addresses the report names.
const TopAddresses = 10

// OutcomeCount is how many attempts had one outcome (auth.Outcome…).
type OutcomeCount struct {
	Outcome string
	Count   int
}

// LoginFailures are the failed attempts on one login.
type LoginFailures struct {
	// Login is the account's login, or the login as typed when no account
	// had it (UserID 0).
	Login      string
	UserID     int64
	AgencyID   int64 // 0: a ministry account, or no account
	AgencyName string
	Failures   int
	// ByOutcome counts the failures by outcome: every outcome of
	// auth.Outcomes but success, in its order, zeros included.
	ByOutcome []OutcomeCount
	Addresses int // distinct addresses they came from
	Last      time.Time
}

// AddressFailures are the failed attempts from one address.
type AddressFailures struct {
	Address  string
	Failures int
	Logins   int // distinct logins tried
	Last     time.Time
}

// AccountEvent is a lock or an unlock of an account, from the audit log.
type AccountEvent struct {
	At         time.Time
	UserID     int64
	Login      string
	AgencyID   int64
	AgencyName string
	// Reason is why the account was locked (auth.Reason…); for an unlock,
	// the lock it lifted ("" when there was none in force).
	Reason string
	// Until is when the lock ends (auth.Forever: when an admin unlocks);
	// for an unlock, when the lifted lock would have ended.
	Until time.Time
	By    access.Actor
	// Automatic: By is the tower itself, not a person.
	Automatic bool
}

// LockedAccount is an account locked at the report's AsOf.
type LockedAccount struct {
	UserID     int64
	Login      string
	Name       string
	Role       auth.Role
	AgencyID   int64
	AgencyName string
	Reason     string
	Until      time.Time
	// UntilUnlocked: the lock lasts until an admin unlocks (Until is
	// auth.Forever).
	UntilUnlocked bool
}

// InactiveAccount is an account unused for the inactivity setting.
type InactiveAccount struct {
	UserID     int64
	Login      string
	Name       string
	Role       auth.Role
	AgencyID   int64
	AgencyName string
	// LastActive is the latest of its creation, last login and an admin's
	// unlock; Days the whole days since, at AsOf.
	LastActive time.Time
	LastLogin  time.Time // zero: never signed in
	Days       int
	// LockedAsInactive: locked for it, at a login or by the sweep.
	LockedAsInactive bool
}

// TokenUse is an API token and its use.
type TokenUse struct {
	TokenID    int64
	Name       string
	Role       auth.Role
	AgencyID   int64
	AgencyName string
	Systems    int // systems it pushes results for
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	ExpiresAt  time.Time // zero: never expires
	RevokedAt  time.Time
	NeverUsed  bool
	// RevokedBy is who revoked it, from the audit log (zero when the log
	// has no entry of it).
	RevokedBy access.Actor
}

// ActorChanges counts one actor's entries in the audit log.
type ActorChanges struct {
	// Actor is who, without an address.
	Actor access.Actor
	Total int
	// ByKind counts the entries by kind of record, one per
	// Report.ChangeKinds, in its order, zeros included.
	ByKind []KindCount
}

// KindCount is how many entries were about one kind of record.
type KindCount struct {
	Kind  string
	Count int
}

// MonthOf is the KST calendar month t falls in: its first instant, and the
// first of the next month.
func MonthOf(t time.Time) (from, to time.Time) {
	k := t.In(locale.KST)
	from = time.Date(k.Year(), k.Month(), 1, 0, 0, 0, 0, locale.KST)
	return from, from.AddDate(0, 1, 0)
}

// ParseMonth reads a month written "2026-03", as a form or a URL gives it,
// and returns its first instant in KST; anything else is invalid (key
// "secreport.month.invalid").
func ParseMonth(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, locale.KST)
	if err != nil {
		return time.Time{}, apperror.New(apperror.Invalid, "month", "secreport.month.invalid", s)
	}
	return t, nil
}
