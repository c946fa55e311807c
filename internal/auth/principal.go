package auth

import (
	"slices"

	"yeonsok/internal/access"
)

// Kinds of principal; the same words access.Actor uses.
const (
	KindUser  = access.ActorUser
	KindToken = access.ActorToken
)

// Principal is who makes a request: a signed-in person or an API token,
// with what the rules below need to decide. The zero Principal (nobody)
// may do nothing, and neither may one whose role does not fit its kind (a
// token with a person's role, say).
type Principal struct {
	Kind    string // KindUser or KindToken
	UserID  int64  // for a person
	TokenID int64  // for a token
	// Name is the person's login or the token's name, as the audit log
	// records it.
	Name string
	Role Role
	// AgencyID is the agency of an agency role, or of a token bound to one;
	// 0 for the ministry.
	AgencyID int64
	// SystemIDs are the systems an agent, backup or alert token may push
	// results for.
	SystemIDs []int64
	// MustChangePassword is set for a person who signed in with a password
	// given by someone else (the first admin's, or one an admin reset). The
	// permissions below do not look at it: the web layer must let such a
	// person do nothing but change the password.
	MustChangePassword bool
}

// Scope is what the principal may see of the inventory and of every other
// agency-owned record:
//
//   - ministry roles, and a script token without an agency: every agency;
//   - agency roles, and a script token of an agency: that agency;
//   - agent, backup and alert tokens, and anyone unknown: nothing. Such a
//     token reads no inventory at all; what it may do is push results for
//     its own systems, which CanPushFor and CanPush decide. (access.Agency(0)
//     names no agency, since agency ids start at 1.)
func (p Principal) Scope() access.Scope {
	switch r := p.role(); {
	case r.Ministry():
		return access.All()
	case r == AgencyAdmin || r == AgencyEditor || r == AgencyViewer:
		return access.Agency(p.AgencyID)
	case r == Script && p.AgencyID == 0:
		return access.All()
	case r == Script:
		return access.Agency(p.AgencyID)
	}
	return access.Agency(0)
}

// role is the principal's role when it fits its kind, "" otherwise.
func (p Principal) role() Role {
	if (p.Kind == KindUser && p.Role.ForUsers()) || (p.Kind == KindToken && p.Role.ForTokens()) {
		return p.Role
	}
	return ""
}

// CanRead reports whether the principal may read records in its scope:
// every person, and script tokens. Push tokens read nothing.
func (p Principal) CanRead() bool {
	r := p.role()
	return r.ForUsers() || r == Script
}

// CanWriteInventory reports whether the principal may change records in
// its scope (agencies and facilities need the ministry's scope besides).
func (p Principal) CanWriteInventory() bool {
	switch p.role() {
	case MinistryAdmin, AgencyAdmin, AgencyEditor, Script:
		return true
	}
	return false
}

// CanManageUsers reports whether the principal may create, lock, unlock and
// reset the passwords of the accounts of agencyID (0: the ministry's own
// accounts). A ministry admin manages every account; an agency admin those
// of its own agency, never a ministry account.
func (p Principal) CanManageUsers(agencyID int64) bool {
	switch p.role() {
	case MinistryAdmin:
		return true
	case AgencyAdmin:
		return agencyID != 0 && agencyID == p.AgencyID
	}
	return false
}

// CanManageAccount reports whether the principal may create, lock, unlock,
// reset or disable an account of role in agency. An agency admin manages
// its agency's editors and viewers but not its fellow admins: otherwise
// two agency admins could lift each other's locks, including one the
// ministry set; admins of agencies are the ministry's to manage.
func (p Principal) CanManageAccount(role Role, agencyID int64) bool {
	if !p.CanManageUsers(agencyID) {
		return false
	}
	return p.role() == MinistryAdmin || role == AgencyEditor || role == AgencyViewer
}

// CanManageTokens reports whether the principal may create and revoke the
// API tokens of agencyID (0: tokens of the ministry); the same people who
// manage that agency's accounts.
func (p Principal) CanManageTokens(agencyID int64) bool { return p.CanManageUsers(agencyID) }

// CanOverrideBacklog reports whether the principal may close an incident
// of agencyID as reviewed although items taken by hand are outstanding:
// the agency's admins and the ministry's, by a person's decision.
func (p Principal) CanOverrideBacklog(agencyID int64) bool {
	return p.Kind == KindUser && p.CanManageUsers(agencyID)
}

// CanApprove reports whether the principal may approve grade changes and
// other decisions the ministry takes.
func (p Principal) CanApprove() bool { return p.role() == MinistryAdmin }

// CanPushFor reports whether the principal is an agent, backup or alert
// token bound to systemID.
func (p Principal) CanPushFor(systemID int64) bool {
	return p.role().Pushes() && slices.Contains(p.SystemIDs, systemID)
}

// CanPush is CanPushFor for one kind of result: a backup token pushes
// backup runs, not probe results.
func (p Principal) CanPush(role Role, systemID int64) bool {
	return p.Role == role && p.CanPushFor(systemID)
}

// IsAgent reports whether the principal is a monitoring agent's token,
// which fetches its checks and pushes probe results, and nothing else.
func (p Principal) IsAgent() bool { return p.Kind == KindToken && p.role() == Agent }

// CanViewAudit reports whether the principal may read the audit log (and
// the security report) of agencyID (0: entries that belong to no agency). A
// ministry admin sees all of it; an agency admin its own agency's.
func (p Principal) CanViewAudit(agencyID int64) bool {
	switch p.role() {
	case MinistryAdmin:
		return true
	case AgencyAdmin:
		return agencyID != 0 && agencyID == p.AgencyID
	}
	return false
}

// Actor is the principal as the audit log names it.
func (p Principal) Actor(address string) access.Actor {
	id := p.UserID
	if p.Kind == KindToken {
		id = p.TokenID
	}
	return access.Actor{Kind: p.Kind, ID: id, Name: p.Name, Address: address}
}
