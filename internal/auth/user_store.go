package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/locale"
)

// userColumns are read from "users u".
const userColumns = `u.id, u.login, u.name, u.role, u.agency_id, u.must_change_password, u.locked_until, u.locked_reason,
	u.failed_logins, u.last_login_at, u.unlocked_at, u.password_changed_at, u.created_at, u.disabled, u.password_hash, u.oidc_subject`

// scanUser reads a row of userColumns, after the columns of extra if any,
// returning the password hash apart.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*User, string, error) {
	var u User
	var role, hash string
	var agency sql.NullInt64
	var locked, lastLogin, unlocked sql.NullString
	var changed, created string
	var subject sql.NullString
	err := row.Scan(append(extra, &u.ID, &u.Login, &u.Name, &role, &agency, &u.MustChangePassword, &locked, &u.LockedReason,
		&u.FailedLogins, &lastLogin, &unlocked, &changed, &created, &u.Disabled, &hash, &subject)...)
	if err != nil {
		return nil, "", err
	}
	u.Role, u.AgencyID, u.OIDCSubject = Role(role), agency.Int64, subject.String
	u.LockedUntil, u.LastLoginAt, u.UnlockedAt = database.ParseNullTime(locked), database.ParseNullTime(lastLogin), database.ParseNullTime(unlocked)
	u.PasswordChangedAt = database.ParseNullTime(sql.NullString{String: changed, Valid: true})
	u.CreatedAt = database.ParseNullTime(sql.NullString{String: created, Valid: true})
	return &u, hash, nil
}

// userWhere fetches the one user matching cond (with its $1 argument)
// within scope; nil when there is none.
func userWhere(ctx context.Context, q queryer, scope access.Scope, cond string, arg any) (*User, string, error) {
	args := []any{arg}
	u, hash, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE `+cond+` AND `+scope.Where("u.agency_id", &args), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("auth: get user: %w", err)
	}
	return u, hash, nil
}

// Users lists the accounts in scope: an agency's scope sees its own
// agency's accounts, never the ministry's.
func (s *Store) Users(ctx context.Context, scope access.Scope) ([]*User, error) {
	var args []any
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u WHERE `+scope.Where("u.agency_id", &args)+` ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var list []*User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: scan user: %w", err)
		}
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return list, nil
}

// User fetches one account; outside scope it does not exist.
func (s *Store) User(ctx context.Context, scope access.Scope, id int64) (*User, error) {
	u, _, err := userWhere(ctx, s.db.Read, scope, `u.id = $1`, id)
	if err == nil && u == nil {
		err = notFound("user")
	}
	return u, err
}

// UserByLogin fetches one account by its login; outside scope it does not
// exist.
func (s *Store) UserByLogin(ctx context.Context, scope access.Scope, login string) (*User, error) {
	login = NormalizeLogin(login)
	if !loginPattern.MatchString(login) {
		return nil, notFound("user")
	}
	u, _, err := userWhere(ctx, s.db.Read, scope, `u.login = $1`, login)
	if err == nil && u == nil {
		err = notFound("user")
	}
	return u, err
}

// CreateUser adds an account with password and sets u.ID and the times.
// The login is stored normalized; u.MustChangePassword is kept as given
// (set it when someone other than the user chose the password).
func (s *Store) CreateUser(ctx context.Context, u *User, password string) error {
	u.Login, u.Name = NormalizeLogin(u.Login), strings.TrimSpace(u.Name)
	if err := validateUser(u); err != nil {
		return err
	}
	if err := CheckPassword(u.Login, password, nil); err != nil {
		return err
	}
	hash, err := hashPassword(password, s.params)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, audit.ActionCreate, &u.ID, func() error {
			err := tx.QueryRowContext(ctx, `INSERT INTO users (login, name, role, agency_id, password_hash, must_change_password,
				password_changed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
				u.Login, u.Name, string(u.Role), nullID(u.AgencyID), hash, u.MustChangePassword, database.FormatTime(now)).Scan(&u.ID)
			switch {
			case database.IsUniqueViolation(err):
				return apperror.New(apperror.Conflict, "login", "auth.login.taken")
			case database.IsForeignKeyViolation(err):
				return apperror.New(apperror.Invalid, "agency_id", "invalid.unknown_agency", u.AgencyID)
			case err != nil:
				return fmt.Errorf("auth: create user %s: %w", u.Login, err)
			}
			return addHistory(ctx, tx, u.ID, hash, now, s.settings.PasswordHistory)
		})
	})
	if err != nil {
		return err
	}
	u.CreatedAt, u.PasswordChangedAt = now, now
	u.LockedUntil, u.LockedReason, u.FailedLogins, u.LastLoginAt, u.UnlockedAt, u.Disabled = time.Time{}, "", 0, time.Time{}, time.Time{}, false
	return nil
}

// addHistory records a password's hash and forgets those older than the
// last keep.
func addHistory(ctx context.Context, tx queryer, userID int64, hash string, now time.Time, keep int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`,
		userID, hash, database.FormatTime(now)); err != nil {
		return fmt.Errorf("auth: record password history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)`, userID, keep); err != nil {
		return fmt.Errorf("auth: prune password history: %w", err)
	}
	return nil
}

// recentPasswords are the hashes of the user's last passwords, newest first.
func (s *Store) recentPasswords(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2`,
		userID, s.settings.PasswordHistory)
	if err != nil {
		return nil, fmt.Errorf("auth: read password history: %w", err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("auth: read password history: %w", err)
		}
		list = append(list, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: read password history: %w", err)
	}
	return list, nil
}

// SetPassword gives the account a new password after checking it against
// the policy and the account's last passwords. mustChange asks the user to
// change it at the next login (an admin's reset); a user changing their own
// password passes false. Every session of the account ends, the one that
// made the change included: the web layer starts a new one. The audit log
// records that the password changed, never the password or its hash.
func (s *Store) SetPassword(ctx context.Context, id int64, password string, mustChange bool) error {
	return s.setPassword(ctx, id, password, mustChange, audit.ActionPassword)
}

// setPassword is SetPassword, recorded in the audit log as action.
func (s *Store) setPassword(ctx context.Context, id int64, password string, mustChange bool, action string) error {
	u, _, err := userWhere(ctx, s.db.Read, access.All(), `u.id = $1`, id)
	if err != nil {
		return err
	}
	if u == nil {
		return notFound("user")
	}
	recent, err := s.recentPasswords(ctx, id)
	if err != nil {
		return err
	}
	if err := CheckPassword(u.Login, password, recent); err != nil {
		return err
	}
	hash, err := hashPassword(password, s.params)
	if err != nil {
		return err
	}
	now := s.now()
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, action, &id, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3 WHERE id = $4`,
				hash, mustChange, database.FormatTime(now), id)
			if err != nil {
				return fmt.Errorf("auth: set password of user %d: %w", id, err)
			}
			if err := mustAffect(res, "user"); err != nil {
				return err
			}
			if err := addHistory(ctx, tx, id, hash, now, s.settings.PasswordHistory); err != nil {
				return err
			}
			return endUserSessions(ctx, tx, id)
		})
	})
}

// ChangePassword is a user changing their own password: current must be
// the password in force.
func (s *Store) ChangePassword(ctx context.Context, id int64, current, next string) error {
	u, hash, err := userWhere(ctx, s.db.Read, access.All(), `u.id = $1`, id)
	if err != nil {
		return err
	}
	if u == nil {
		return notFound("user")
	}
	if !verifyPassword(hash, current) {
		// A wrong current password is a wrong password: it counts toward
		// the lock, so that a borrowed session cannot be used to guess it.
		address := access.ActorFrom(ctx).Address
		err := s.update(ctx, func(tx *writeTx) error {
			if err := s.recordLogin(ctx, tx, s.now(), u.Login, u.ID, address, OutcomeBadPassword); err != nil {
				return err
			}
			_, err := s.countFailure(byTheTower(ctx, address), tx, u.ID, s.now())
			return err
		})
		if err != nil {
			return err
		}
		return apperror.New(apperror.Invalid, "current_password", "auth.password.current_wrong")
	}
	return s.SetPassword(ctx, id, next, false)
}

// ResetPassword gives the account a new random password, which it must
// change at the next login, and returns it to be handed over once.
func (s *Store) ResetPassword(ctx context.Context, id int64) (string, error) {
	u, err := s.User(ctx, access.All(), id)
	if err != nil {
		return "", err
	}
	password, err := GeneratePassword(u.Login)
	if err != nil {
		return "", err
	}
	if err := s.setPassword(ctx, id, password, true, audit.ActionPasswordReset); err != nil {
		return "", err
	}
	return password, nil
}

// Lock locks the account until until (zero: until an admin unlocks) for
// reason, one of the Reason… constants, and ends its sessions.
func (s *Store) Lock(ctx context.Context, id int64, until time.Time, reason string) error {
	if !slices.Contains(lockReasons, reason) {
		return apperror.New(apperror.Invalid, "reason", "invalid.one_of", reason, strings.Join(lockReasons, ", "))
	}
	if until.IsZero() {
		until = Forever
	}
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, audit.ActionLock, &id, func() error {
			return lockUser(ctx, tx, id, until, reason)
		})
	})
}

// lockUser locks the account until until for reason and ends its sessions.
func lockUser(ctx context.Context, tx queryer, id int64, until time.Time, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = $1, locked_reason = $2 WHERE id = $3`, database.FormatTime(until), reason, id)
	if err != nil {
		return fmt.Errorf("auth: lock user %d: %w", id, err)
	}
	if err := mustAffect(res, "user"); err != nil {
		return err
	}
	return endUserSessions(ctx, tx, id)
}

// Unlock lifts any lock on the account and clears its failed logins. The
// unlock counts as activity, so an account locked as inactive has
// Settings.InactiveAfter again to sign in.
func (s *Store) Unlock(ctx context.Context, id int64) error {
	now := s.now()
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, audit.ActionUnlock, &id, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = NULL, locked_reason = '', failed_logins = 0, unlocked_at = $1 WHERE id = $2`,
				database.FormatTime(now), id)
			if err != nil {
				return fmt.Errorf("auth: unlock user %d: %w", id, err)
			}
			return mustAffect(res, "user")
		})
	})
}

// SetDisabled disables an account (it can no longer sign in, and its
// sessions end) or enables it again.
func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	action := audit.ActionEnable
	if disabled {
		action = audit.ActionDisable
	}
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, action, &id, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, disabled, id)
			if err != nil {
				return fmt.Errorf("auth: disable user %d: %w", id, err)
			}
			if err := mustAffect(res, "user"); err != nil {
				return err
			}
			if !disabled {
				return nil
			}
			return endUserSessions(ctx, tx, id)
		})
	})
}

// LockInactive locks, until an admin unlocks, every account unused for
// Settings.InactiveAfter (no login, creation or unlock since), and returns
// how many it locked. Accounts already locked by an admin or as inactive
// are left as they are; a lock for failed logins gives way to it. Each lock
// is an entry of the audit log, under access.ActorFrom(ctx).
func (s *Store) LockInactive(ctx context.Context) (int, error) {
	now := s.now()
	cutoff := database.FormatTime(now.Add(-s.settings.InactiveAfter))
	lock := ""
	if s.db.Dialect == database.Postgres {
		// Holds the rows found until the locks are written; an account
		// that signs in meanwhile is checked again, and left out.
		lock = ` FOR UPDATE`
	}
	var n int
	err := s.update(ctx, func(tx *writeTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM users
			WHERE disabled = $1
			AND (locked_until IS NULL OR locked_until <= $2 OR locked_reason = $3)
			AND created_at <= $4
			AND (last_login_at IS NULL OR last_login_at <= $4)
			AND (unlocked_at IS NULL OR unlocked_at <= $4)
			ORDER BY id`+lock,
			false, database.FormatTime(now), ReasonFailedLogins, cutoff)
		if err != nil {
			return fmt.Errorf("auth: find inactive users: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("auth: find inactive users: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("auth: find inactive users: %w", err)
		}
		for _, id := range ids {
			err := s.audited(ctx, tx, userAudit, audit.ActionLock, &id, func() error {
				return lockUser(ctx, tx, id, Forever, ReasonInactive)
			})
			if err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// FirstAdminLogin is the login of the account EnsureFirstAdmin creates.
const FirstAdminLogin = "admin"

// EnsureFirstAdmin creates, when there is no account at all, the ministry
// admin "admin" with a random password that must be changed at the first
// login, and returns that password to be shown once. When any account
// exists it creates nothing and returns "". Towers starting at once create
// one admin between them; the others return "".
func (s *Store) EnsureFirstAdmin(ctx context.Context) (string, error) {
	var n int64
	if err := s.db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return "", fmt.Errorf("auth: count users: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	password, err := GeneratePassword(FirstAdminLogin)
	if err != nil {
		return "", err
	}
	u := &User{Login: FirstAdminLogin, Name: locale.T(locale.Default, "auth.first_admin.name"), Role: MinistryAdmin, MustChangePassword: true}
	err = s.CreateUser(ctx, u, password)
	if apperror.CodeOf(err) == apperror.Conflict {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return password, nil
}
