package auth

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"yeonsok/internal/apperror"
)

// Why an account is locked (users.locked_reason).
const (
	ReasonFailedLogins = "failed_logins" // too many failed logins in a row; ends by itself
	ReasonInactive     = "inactive"      // unused for Settings.InactiveAfter; until an admin unlocks
	ReasonAdmin        = "admin"         // locked by an admin
)

var lockReasons = []string{ReasonFailedLogins, ReasonInactive, ReasonAdmin}

// User is a person's account. The password hash never leaves the store.
type User struct {
	ID    int64
	Login string // lower case; see NormalizeLogin
	Name  string
	Role  Role
	// AgencyID is the agency of an agency role; 0 for a ministry role.
	AgencyID int64
	// MustChangePassword: the password was given by someone else and must
	// be changed at the next login.
	MustChangePassword bool
	// LockedUntil is when the lock ends (Forever: when an admin unlocks);
	// zero when the account was never locked or was unlocked. A time in
	// the past is a lock that has run out.
	LockedUntil       time.Time
	LockedReason      string // one of the Reason… constants, "" when not locked
	FailedLogins      int    // failed logins in a row since the last success or lock
	LastLoginAt       time.Time
	UnlockedAt        time.Time // last unlock by an admin
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	// Disabled accounts cannot sign in at all (people who left).
	Disabled bool
	// OIDCSubject is the identity provider's id of the person ("sub")
	// once they have signed in with single sign-on; "" before, or when
	// an admin has unlinked it (PrincipalForOIDC, UnlinkOIDC).
	OIDCSubject string
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool {
	return !u.LockedUntil.IsZero() && now.Before(u.LockedUntil)
}

// TemporaryExpired reports whether the account's password was given by
// someone else more than valid before now and never changed since.
func (u *User) TemporaryExpired(now time.Time, valid time.Duration) bool {
	return u.MustChangePassword && now.Sub(u.PasswordChangedAt) > valid
}

// Inactive reports whether the account has gone unused for longer than
// after at now: no login, creation or unlock since.
func (u *User) Inactive(now time.Time, after time.Duration) bool {
	last := u.CreatedAt
	for _, t := range []time.Time{u.LastLoginAt, u.UnlockedAt} {
		if t.After(last) {
			last = t
		}
	}
	return now.Sub(last) >= after
}

// MaxName is the longest name an account or token may have.
const MaxName = 200

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{2,63}$`)

// NormalizeLogin is how a login is compared and stored: trimmed and in
// lower case, so that "Admin" and "admin" are one account.
func NormalizeLogin(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// validateUser checks what a new account says of itself: a login of 3 to 64
// lower-case letters, digits and . _ @ - (starting with a letter or digit),
// a name, a person's role, and an agency exactly when the role is an
// agency's.
func validateUser(u *User) error {
	switch {
	case !loginPattern.MatchString(u.Login):
		return apperror.New(apperror.Invalid, "login", "auth.login.invalid")
	case strings.TrimSpace(u.Name) == "":
		return apperror.New(apperror.Invalid, "name", "invalid.required")
	case utf8.RuneCountInString(u.Name) > MaxName:
		return apperror.New(apperror.Invalid, "name", "invalid.too_long", MaxName)
	case !plainText(u.Name):
		return apperror.New(apperror.Invalid, "name", "auth.name.invalid")
	case !u.Role.ForUsers():
		return apperror.New(apperror.Invalid, "role", "invalid.one_of", string(u.Role), roleNames(UserRoles))
	case u.Role.Ministry() && u.AgencyID != 0:
		return apperror.New(apperror.Invalid, "agency_id", "auth.agency.ministry_role")
	case !u.Role.Ministry() && u.AgencyID == 0:
		return apperror.New(apperror.Invalid, "agency_id", "auth.agency.required")
	}
	return nil
}

// plainText reports whether a name is valid UTF-8 without control
// characters.
func plainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// principal is the user as a request's principal.
func (u *User) principal() Principal {
	return Principal{Kind: KindUser, UserID: u.ID, Name: u.Login, Role: u.Role, AgencyID: u.AgencyID,
		MustChangePassword: u.MustChangePassword}
}
