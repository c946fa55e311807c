// Package auth is who may sign in to the tower and what each may do: the
// roles of SPEC §2, the rules that decide what a role may see and change
// (Principal), passwords and their policy, and the store of users,
// sessions, API tokens and login attempts.
//
// A person signs in with a login and password (Authenticate) or, where the
// ministry runs an identity provider, with single sign-on (PrincipalForOIDC,
// after package oidc has verified the provider's ID token); either way only
// into an account an administrator created here.
//
// It holds no web or command-line code. A web middleware turns a session
// cookie or a bearer token into a Principal (SessionPrincipal,
// TokenPrincipal) and asks the Principal before acting; every query then
// takes Principal.Scope, so that agency isolation stays in access.Scope.
//
// Every change to an account or a token — creation, password, lock, unlock,
// disabling, revocation, the tower's own locks after failed logins and for
// inactivity — is an entry of the audit log, written in the transaction of
// the change (audit.go).
package auth

import "slices"

// Role is what an account or a token may do.
type Role string

// Roles of people (SPEC §2).
const (
	MinistryAdmin  Role = "ministry_admin"  // 본부 관리자: everything, every agency
	MinistryViewer Role = "ministry_viewer" // other ministry departments, auditors: read every agency
	AgencyAdmin    Role = "agency_admin"    // 기관 관리자: read/write one agency, manage its users
	AgencyEditor   Role = "agency_editor"   // 기관 담당자: read/write one agency
	AgencyViewer   Role = "agency_viewer"   // read one agency
)

// Roles of API tokens.
const (
	Agent  Role = "agent"  // a probe agent: pushes probe results for its systems
	Backup Role = "backup" // a backup job: pushes backup runs for its systems
	Alert  Role = "alert"  // an alert source (Alertmanager): pushes alerts for its systems
	Script Role = "script" // a script: reads and writes like an editor of its agency, or of the ministry when it has none
)

// UserRoles are the roles a person can have, in the order a form lists them.
var UserRoles = []Role{MinistryAdmin, MinistryViewer, AgencyAdmin, AgencyEditor, AgencyViewer}

// TokenRoles are the roles an API token can have.
var TokenRoles = []Role{Agent, Backup, Alert, Script}

// ForUsers reports whether a person can have the role.
func (r Role) ForUsers() bool { return slices.Contains(UserRoles, r) }

// ForTokens reports whether a token can have the role.
func (r Role) ForTokens() bool { return slices.Contains(TokenRoles, r) }

// Ministry reports whether the role belongs to the ministry rather than to
// one agency: such an account has no agency.
func (r Role) Ministry() bool { return r == MinistryAdmin || r == MinistryViewer }

// Pushes reports whether the role is one of the tokens that push results
// for the systems they are bound to, and do nothing else.
func (r Role) Pushes() bool { return r == Agent || r == Backup || r == Alert }

// Key is the catalogue key of the role's name.
func (r Role) Key() string { return "auth.role." + string(r) }

func roleNames(roles []Role) string {
	s := ""
	for i, r := range roles {
		if i > 0 {
			s += ", "
		}
		s += string(r)
	}
	return s
}
