package secreport

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
)

// Facts are what a report is built from, as Load reads them within the
// report's scope.
type Facts struct {
	// Month is any instant of the month reported.
	Month time.Time
	// Now is when the present state below was read.
	Now           time.Time
	AgencyID      int64
	InactiveAfter time.Duration
	// Agencies names the agencies, by id.
	Agencies map[int64]string
	// Logins are the month's attempts (auth.Store.LoginCounts).
	Logins []auth.LoginCount
	// Users and Tokens are the accounts and tokens as they are now.
	Users  []*auth.User
	Tokens []*auth.Token
	// Entries are the month's audit entries of account locks and unlocks
	// and token revocations; others are passed over.
	Entries []audit.Entry
	// Changes count the month's audit entries by actor.
	Changes []audit.ActorCount
}

// Build makes the report of f.
func Build(f Facts) *Report {
	r := &Report{AsOf: f.Now, AgencyID: f.AgencyID, AgencyName: f.Agencies[f.AgencyID], InactiveAfter: f.InactiveAfter}
	r.From, r.To = MonthOf(f.Month)
	r.Logins = logins(f)
	r.Locks, r.Unlocks = accountEvents(f)
	r.Locked, r.Inactive = accounts(f)
	r.Tokens, r.Revoked = tokens(f, r.From, r.To)
	r.ChangeKinds, r.Changes = changes(f.Changes)

	s := &r.Summary
	s.LoginAttempts, s.LoginFailures, s.FailedLogins = r.Logins.Attempts, r.Logins.Failures, len(r.Logins.ByLogin)
	s.Locks, s.Unlocks, s.LockedNow, s.Inactive = len(r.Locks), len(r.Unlocks), len(r.Locked), len(r.Inactive)
	for _, l := range r.Locks {
		if l.Automatic {
			s.AutomaticLocks++
		}
	}
	for _, a := range r.Inactive {
		if a.LockedAsInactive {
			s.LockedAsInactive++
		}
	}
	s.ActiveTokens, s.RevokedTokens = len(r.Tokens), len(r.Revoked)
	for _, t := range r.Tokens {
		if t.NeverUsed {
			s.NeverUsedTokens++
		}
	}
	s.Actors = len(r.Changes)
	for _, c := range r.Changes {
		s.Changes += c.Total
	}
	return r
}

// failureOutcomes are the outcomes of a failed attempt, in report order.
func failureOutcomes() []string {
	return slices.DeleteFunc(slices.Clone(auth.Outcomes), func(o string) bool { return o == auth.OutcomeOK })
}

func countsOf(outcomes []string, counts map[string]int) []OutcomeCount {
	list := make([]OutcomeCount, len(outcomes))
	for i, o := range outcomes {
		list[i] = OutcomeCount{Outcome: o, Count: counts[o]}
	}
	return list
}

func logins(f Facts) Logins {
	type loginKey struct {
		user  int64
		login string
	}
	type tally struct {
		LoginFailures
		outcomes  map[string]int
		addresses map[string]bool
	}
	var l Logins
	byOutcome := map[string]int{}
	byLogin := map[loginKey]*tally{}
	byAddress := map[string]*AddressFailures{}
	loginsAt := map[string]map[loginKey]bool{}
	for _, c := range f.Logins {
		l.Attempts += c.Count
		byOutcome[c.Outcome] += c.Count
		if c.Outcome == auth.OutcomeOK {
			continue
		}
		l.Failures += c.Count
		k := loginKey{c.UserID, c.Login}
		t := byLogin[k]
		if t == nil {
			t = &tally{LoginFailures: LoginFailures{Login: c.Login, UserID: c.UserID, AgencyID: c.AgencyID, AgencyName: f.Agencies[c.AgencyID]},
				outcomes: map[string]int{}, addresses: map[string]bool{}}
			byLogin[k] = t
		}
		t.Failures += c.Count
		t.outcomes[c.Outcome] += c.Count
		t.addresses[c.Address] = true
		t.Last = later(t.Last, c.Last)
		a := byAddress[c.Address]
		if a == nil {
			a = &AddressFailures{Address: c.Address}
			byAddress[c.Address] = a
			loginsAt[c.Address] = map[loginKey]bool{}
		}
		a.Failures += c.Count
		a.Last = later(a.Last, c.Last)
		loginsAt[c.Address][k] = true
	}
	l.ByOutcome = countsOf(auth.Outcomes, byOutcome)
	failures := failureOutcomes()
	for _, t := range byLogin {
		t.ByOutcome, t.Addresses = countsOf(failures, t.outcomes), len(t.addresses)
		l.ByLogin = append(l.ByLogin, t.LoginFailures)
	}
	slices.SortFunc(l.ByLogin, func(a, b LoginFailures) int {
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.Login, b.Login), cmp.Compare(a.UserID, b.UserID))
	})
	for address, a := range byAddress {
		a.Logins = len(loginsAt[address])
		l.TopAddresses = append(l.TopAddresses, *a)
	}
	slices.SortFunc(l.TopAddresses, func(a, b AddressFailures) int {
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.Address, b.Address))
	})
	l.Addresses = len(l.TopAddresses)
	if len(l.TopAddresses) > TopAddresses {
		l.TopAddresses = l.TopAddresses[:TopAddresses]
	}
	return l
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// accountEvents reads the locks and unlocks among the entries: the lock
// from the account after it, the lifted lock from the account before.
func accountEvents(f Facts) (locks, unlocks []AccountEvent) {
	entries := slices.Clone(f.Entries)
	slices.SortFunc(entries, func(a, b audit.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, e := range entries {
		if e.Kind != audit.KindUser || (e.Action != audit.ActionLock && e.Action != audit.ActionUnlock) {
			continue
		}
		state := e.After
		if e.Action == audit.ActionUnlock {
			state = e.Before
		}
		var u auth.UserRecord
		if err := json.Unmarshal(state, &u); err != nil {
			u = auth.UserRecord{Login: e.Summary} // the entry still counts
		}
		ev := AccountEvent{At: e.At, Login: u.Login, Reason: u.LockedReason, Until: u.LockedUntil,
			By: e.Actor, Automatic: e.Actor.Kind == access.ActorSystem}
		if e.RecordID != nil {
			ev.UserID = *e.RecordID
		}
		if e.AgencyID != nil {
			ev.AgencyID = *e.AgencyID
			ev.AgencyName = f.Agencies[ev.AgencyID]
		}
		if e.Action == audit.ActionLock {
			locks = append(locks, ev)
		} else {
			unlocks = append(unlocks, ev)
		}
	}
	return locks, unlocks
}

// accounts finds the accounts locked now, and the inactive ones.
func accounts(f Facts) (locked []LockedAccount, inactive []InactiveAccount) {
	for _, u := range f.Users {
		if u.Locked(f.Now) {
			locked = append(locked, LockedAccount{UserID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role,
				AgencyID: u.AgencyID, AgencyName: f.Agencies[u.AgencyID], Reason: u.LockedReason, Until: u.LockedUntil,
				UntilUnlocked: u.LockedUntil.Equal(auth.Forever)})
		}
		lockedAsInactive := u.Locked(f.Now) && u.LockedReason == auth.ReasonInactive
		if u.Disabled || !(lockedAsInactive || u.Inactive(f.Now, f.InactiveAfter)) {
			continue
		}
		last := u.CreatedAt
		for _, t := range []time.Time{u.LastLoginAt, u.UnlockedAt} {
			last = later(last, t)
		}
		inactive = append(inactive, InactiveAccount{UserID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role,
			AgencyID: u.AgencyID, AgencyName: f.Agencies[u.AgencyID], LastActive: last, LastLogin: u.LastLoginAt,
			Days: int(f.Now.Sub(last) / (24 * time.Hour)), LockedAsInactive: lockedAsInactive})
	}
	slices.SortFunc(locked, func(a, b LockedAccount) int { return cmp.Compare(a.Login, b.Login) })
	slices.SortFunc(inactive, func(a, b InactiveAccount) int {
		return cmp.Or(a.LastActive.Compare(b.LastActive), cmp.Compare(a.Login, b.Login))
	})
	return locked, inactive
}

// tokens finds the tokens usable now, and those revoked in [from, to) with
// who revoked them.
func tokens(f Facts, from, to time.Time) (active, revoked []TokenUse) {
	by := map[int64]access.Actor{}
	for _, e := range f.Entries {
		if e.Kind == audit.KindToken && e.Action == audit.ActionRevoke && e.RecordID != nil {
			by[*e.RecordID] = e.Actor
		}
	}
	for _, t := range f.Tokens {
		use := TokenUse{TokenID: t.ID, Name: t.Name, Role: t.Role, AgencyID: t.AgencyID, AgencyName: f.Agencies[t.AgencyID],
			Systems: len(t.SystemIDs), CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt,
			RevokedAt: t.RevokedAt, NeverUsed: t.LastUsedAt.IsZero(), RevokedBy: by[t.ID]}
		if t.Active(f.Now) {
			active = append(active, use)
		}
		if !t.RevokedAt.IsZero() && !t.RevokedAt.Before(from) && t.RevokedAt.Before(to) {
			revoked = append(revoked, use)
		}
	}
	slices.SortFunc(active, func(a, b TokenUse) int { return cmp.Compare(a.TokenID, b.TokenID) })
	slices.SortFunc(revoked, func(a, b TokenUse) int {
		return cmp.Or(a.RevokedAt.Compare(b.RevokedAt), cmp.Compare(a.TokenID, b.TokenID))
	})
	return active, revoked
}

// changes sums the counts by actor and kind.
func changes(counts []audit.ActorCount) ([]string, []ActorChanges) {
	seen := map[string]bool{}
	byActor := map[access.Actor]map[string]int{}
	for _, c := range counts {
		a := c.Actor
		a.Address = ""
		if byActor[a] == nil {
			byActor[a] = map[string]int{}
		}
		byActor[a][c.Kind] += int(c.Count)
		seen[c.Kind] = true
	}
	var kinds []string
	for _, k := range audit.Kinds {
		if seen[k] {
			kinds = append(kinds, k)
			delete(seen, k)
		}
	}
	var unknown []string // kinds of a later version, still counted
	for k := range seen {
		unknown = append(unknown, k)
	}
	slices.Sort(unknown)
	kinds = append(kinds, unknown...)

	var list []ActorChanges
	for a, byKind := range byActor {
		c := ActorChanges{Actor: a, ByKind: make([]KindCount, len(kinds))}
		for i, k := range kinds {
			c.ByKind[i] = KindCount{Kind: k, Count: byKind[k]}
			c.Total += byKind[k]
		}
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b ActorChanges) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Actor.Kind, b.Actor.Kind),
			cmp.Compare(a.Actor.Name, b.Actor.Name), cmp.Compare(a.Actor.ID, b.Actor.ID))
	})
	return kinds, list
}
