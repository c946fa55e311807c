package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// Outcomes of a login attempt (login_events.outcome).
const (
	OutcomeOK          = "ok"
	OutcomeBadPassword = "bad_password"
	OutcomeUnknownUser = "unknown_user"
	OutcomeLocked      = "locked"   // locked for failed logins or by an admin
	OutcomeInactive    = "inactive" // locked as inactive, at this attempt or before
	OutcomeDisabled    = "disabled"
	// OutcomeTemporaryExpired: the right password, but one given by
	// someone else longer ago than Settings.TemporaryPasswordValid.
	OutcomeTemporaryExpired = "temporary_expired"
)

// How a person signed in (login_events.method, sessions.method).
const (
	MethodPassword = "password" // a login and password (Authenticate)
	MethodOIDC     = "oidc"     // single sign-on through OpenID Connect (PrincipalForOIDC)
)

// Outcomes lists them in the order a report shows them.
var Outcomes = []string{OutcomeOK, OutcomeBadPassword, OutcomeUnknownUser, OutcomeLocked, OutcomeInactive, OutcomeDisabled,
	OutcomeTemporaryExpired}

// Lengths kept of what a request says of itself.
const (
	maxEventLogin = 100
	maxAddress    = 100
	maxUserAgent  = 500
)

// invalidLogin stands in the login events for typed text that cannot be a
// login (and may be a password typed in the wrong field).
const invalidLogin = "(invalid)"

// Authenticate checks a login and password from address. Every attempt is
// recorded in login_events. Whatever went wrong — no such login, a wrong
// password, a locked, inactive or disabled account — the error is the same
// (code Unauthorized, key "auth.unauthorized"), and it takes as long: the
// password is always compared with a hash, a dummy one for an unknown login.
// One exception: the right password of an open account, given by someone
// else longer than Settings.TemporaryPasswordValid ago, signs in no more,
// and the error says so (key "auth.temporary_expired") — only who holds
// the password learns it — so that its holder asks an admin for a new one.
//
// Settings.MaxFailedLogins wrong passwords in a row lock the account for
// Settings.LockoutDuration; attempts on a locked account do not count and
// do not extend the lock. An account unused for Settings.InactiveAfter is
// locked as inactive at its next attempt. Both locks are entries of the
// audit log, made by the tower itself (access.ActorSystem) at address. A
// success clears the count and an expired lock. The caller then starts a
// session (NewSession) and, when Principal.MustChangePassword, asks for a
// new password before anything else.
func (s *Store) Authenticate(ctx context.Context, login, password, address string) (Principal, error) {
	now := s.now()
	typed := login
	login = NormalizeLogin(login)
	var u *User
	var hash string
	if loginPattern.MatchString(login) { // no query for what cannot be a login
		var err error
		if u, hash, err = userWhere(ctx, s.db.Read, access.All(), `u.login = $1`, login); err != nil {
			return Principal{}, err
		}
	}
	if u == nil {
		verifyPassword(s.dummyHash(), password)
		// People type their password into the login field by mistake;
		// only what could be a login is kept for the security report.
		if !loginPattern.MatchString(login) {
			typed = invalidLogin
		}
		if err := s.recordLogin(ctx, s.db.Write, now, typed, 0, address, OutcomeUnknownUser); err != nil {
			return Principal{}, err
		}
		return Principal{}, unauthorized("auth.unauthorized")
	}
	passwordOK := verifyPassword(hash, password)

	outcome := OutcomeOK
	tower := byTheTower(ctx, address)
	err := s.update(ctx, func(tx *writeTx) error {
		var refused bool
		var err error
		outcome, refused, err = s.refusal(tower, tx, u, now)
		switch {
		case refused || err != nil:
			// Kept out before the password counts.
		case !passwordOK:
			var counted bool
			outcome = OutcomeBadPassword
			if counted, err = s.countFailure(tower, tx, u.ID, now); err == nil && !counted {
				outcome = OutcomeLocked
			}
		case u.TemporaryExpired(now, s.settings.TemporaryPasswordValid):
			outcome = OutcomeTemporaryExpired
		default:
			// Signed in, unless a concurrent attempt locked or someone
			// disabled the account since it was read.
			var res sql.Result
			res, err = tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, last_login_at = $1, locked_until = NULL, locked_reason = ''
				WHERE id = $2 AND disabled = $3 AND (locked_until IS NULL OR locked_until <= $1)`, database.FormatTime(now), u.ID, false)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					outcome = OutcomeLocked
				}
			}
		}
		if err != nil {
			return fmt.Errorf("auth: login of user %d: %w", u.ID, err)
		}
		return s.recordLogin(ctx, tx, now, typed, u.ID, address, outcome)
	})
	if err != nil {
		return Principal{}, err
	}
	switch outcome {
	case OutcomeOK:
		return u.principal(), nil
	case OutcomeTemporaryExpired:
		return Principal{}, apperror.New(Unauthorized, "", "auth.temporary_expired", int(s.settings.TemporaryPasswordValid.Hours()))
	default:
		return Principal{}, unauthorized("auth.unauthorized")
	}
}

// refusal is what keeps an account out whatever proof is offered — a
// password or a single sign-on: disabled, locked, or unused for too long
// (which locks it now, in the audit log under ctx's actor). refused is
// false when none of these holds.
func (s *Store) refusal(ctx context.Context, tx *writeTx, u *User, now time.Time) (outcome string, refused bool, err error) {
	switch {
	case u.Disabled:
		return OutcomeDisabled, true, nil
	case u.Locked(now) && u.LockedReason == ReasonInactive:
		return OutcomeInactive, true, nil
	case u.Locked(now):
		return OutcomeLocked, true, nil
	case u.Inactive(now, s.settings.InactiveAfter):
		err := s.audited(ctx, tx, userAudit, audit.ActionLock, &u.ID, func() error {
			return lockUser(ctx, tx, u.ID, Forever, ReasonInactive)
		})
		return OutcomeInactive, true, err
	}
	return OutcomeOK, false, nil
}

// countFailure adds a failed login and locks the account when the count
// reaches the limit, starting the count afresh for after the lock; the lock
// is recorded in the audit log under ctx's actor. It reports false when a
// concurrent attempt has locked the account since it was read: that attempt
// is then one on a locked account, and not counted.
func (s *Store) countFailure(ctx context.Context, tx *writeTx, id int64, now time.Time) (bool, error) {
	var failed int
	err := tx.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1
		WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING failed_logins`, id, database.FormatTime(now)).Scan(&failed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || failed < s.settings.MaxFailedLogins {
		return err == nil, err
	}
	err = s.audited(ctx, tx, userAudit, audit.ActionLock, &id, func() error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = $1, locked_reason = $2 WHERE id = $3`,
			database.FormatTime(now.Add(s.settings.LockoutDuration)), ReasonFailedLogins, id)
		return err
	})
	return err == nil, err
}

func (s *Store) recordLogin(ctx context.Context, q queryer, at time.Time, login string, userID int64, address, outcome string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO login_events (at, login, user_id, address, outcome) VALUES ($1, $2, $3, $4, $5)`,
		database.FormatTime(at), clean(login, maxEventLogin), nullID(userID), clean(address, maxAddress), outcome)
	if err != nil {
		return fmt.Errorf("auth: record login: %w", err)
	}
	return nil
}

// LoginEvent is one login attempt.
type LoginEvent struct {
	ID      int64
	At      time.Time
	Login   string // as typed, or as single sign-on's login claim gave it; cut to 100 characters
	UserID  int64  // 0 when no account had the login
	Address string
	Outcome string // one of the Outcome… constants
	Method  string // MethodPassword or MethodOIDC
}

// LoginEvents lists the attempts from from (inclusive) to to (exclusive),
// oldest first, for the security report. An agency's scope sees the
// attempts on its own accounts; attempts on unknown logins only the
// ministry's scope sees.
func (s *Store) LoginEvents(ctx context.Context, scope access.Scope, from, to time.Time) ([]LoginEvent, error) {
	args := []any{database.FormatTime(from), database.FormatTime(to)}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT e.id, e.at, e.login, e.user_id, e.address, e.outcome, e.method
		FROM login_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.at >= $1 AND e.at < $2 AND `+scope.Where("u.agency_id", &args)+` ORDER BY e.at, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: list login events: %w", err)
	}
	defer rows.Close()
	var list []LoginEvent
	for rows.Next() {
		var e LoginEvent
		var at string
		var user sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Login, &user, &e.Address, &e.Outcome, &e.Method); err != nil {
			return nil, fmt.Errorf("auth: scan login event: %w", err)
		}
		e.At, e.UserID = database.ParseNullTime(sql.NullString{String: at, Valid: true}), user.Int64
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list login events: %w", err)
	}
	return list, nil
}

// LoginCount is how many attempts of one outcome were made on one login
// from one address in a period.
type LoginCount struct {
	// Login is the account's login when one had it, otherwise the login
	// as typed.
	Login  string
	UserID int64 // 0 when no account had the login
	// AgencyID is the account's agency; 0 for a ministry account and an
	// unknown login.
	AgencyID    int64
	Address     string
	Outcome     string
	Count       int
	First, Last time.Time
}

// LoginCounts counts the attempts from from (inclusive) to to (exclusive)
// by login, address and outcome, for the security report: a month of
// attempts, however many, comes back as one row per distinct combination.
// Scope as LoginEvents.
func (s *Store) LoginCounts(ctx context.Context, scope access.Scope, from, to time.Time) ([]LoginCount, error) {
	args := []any{database.FormatTime(from), database.FormatTime(to)}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT COALESCE(u.login, e.login), e.user_id, u.agency_id, e.address, e.outcome,
			COUNT(*), MIN(e.at), MAX(e.at)
		FROM login_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.at >= $1 AND e.at < $2 AND `+scope.Where("u.agency_id", &args)+`
		GROUP BY COALESCE(u.login, e.login), e.user_id, u.agency_id, e.address, e.outcome
		ORDER BY 1, 2, 4, 5`, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: count logins: %w", err)
	}
	defer rows.Close()
	var list []LoginCount
	for rows.Next() {
		var c LoginCount
		var user, agency sql.NullInt64
		var count int64
		var first, last string
		if err := rows.Scan(&c.Login, &user, &agency, &c.Address, &c.Outcome, &count, &first, &last); err != nil {
			return nil, fmt.Errorf("auth: count logins: %w", err)
		}
		c.UserID, c.AgencyID, c.Count = user.Int64, agency.Int64, int(count)
		c.First = database.ParseNullTime(sql.NullString{String: first, Valid: true})
		c.Last = database.ParseNullTime(sql.NullString{String: last, Valid: true})
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: count logins: %w", err)
	}
	return list, nil
}
