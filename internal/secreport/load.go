package secreport

import (
	"context"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// Load builds the report of the KST calendar month that month falls in, as
// scope sees it: the ministry's scope reports every account, token and
// entry; an agency's scope those of its own agency (never a ministry
// account, an unknown login or an entry only the ministry reads). The
// caller checks first that its principal may read it (CanViewAudit). The
// present state is read at accounts' clock.
func Load(ctx context.Context, db *database.DB, accounts *auth.Store, scope access.Scope, month time.Time) (*Report, error) {
	from, to := MonthOf(month)
	f := Facts{Month: from, Now: accounts.Now().UTC(), InactiveAfter: accounts.Settings().InactiveAfter, Agencies: map[int64]string{}}
	if !scope.IsAll() {
		f.AgencyID = scope.AgencyID()
	}
	var err error
	if f.Logins, err = accounts.LoginCounts(ctx, scope, from, to); err != nil {
		return nil, err
	}
	if f.Users, err = accounts.Users(ctx, scope); err != nil {
		return nil, err
	}
	if f.Tokens, err = accounts.Tokens(ctx, scope); err != nil {
		return nil, err
	}
	for _, filter := range []audit.Filter{
		{Kind: audit.KindUser, Action: audit.ActionLock},
		{Kind: audit.KindUser, Action: audit.ActionUnlock},
		{Kind: audit.KindToken, Action: audit.ActionRevoke},
	} {
		filter.From, filter.To = from, to
		list, err := audit.List(ctx, db, scope, filter)
		if err != nil {
			return nil, err
		}
		f.Entries = append(f.Entries, list...)
	}
	if f.Changes, err = audit.CountByActor(ctx, db, scope, audit.Filter{From: from, To: to}); err != nil {
		return nil, err
	}
	agencies, err := inventory.NewStore(db).Agencies(ctx, scope)
	if err != nil {
		return nil, err
	}
	for _, a := range agencies {
		f.Agencies[a.ID] = a.Name
	}
	return Build(f), nil
}
