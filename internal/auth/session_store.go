package auth

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"yeonsok/internal/database"
)

// NewSession starts a session for the user and returns its token, the
// cookie's value: 32 random bytes in base64url (43 characters). Only its
// SHA-256 is stored, as the session's id, so a copy of the database opens
// no session. The session ends after Settings.SessionIdle without use or
// Settings.SessionLifetime after it began, whichever comes first.
func (s *Store) NewSession(ctx context.Context, userID int64, address, userAgent string) (string, error) {
	return s.newSession(ctx, userID, address, userAgent, MethodPassword)
}

// NewOIDCSession is NewSession for a person who signed in with single
// sign-on (PrincipalForOIDC). The password rules do not apply to such a
// session: SessionPrincipal never asks it to change a password, since none
// was used. Everything else — idle timeout, lifetime, the end of every
// session at a lock or disabling — is as for NewSession.
func (s *Store) NewOIDCSession(ctx context.Context, userID int64, address, userAgent string) (string, error) {
	return s.newSession(ctx, userID, address, userAgent, MethodOIDC)
}

func (s *Store) newSession(ctx context.Context, userID int64, address, userAgent, method string) (string, error) {
	random, err := randomBytes(32)
	if err != nil {
		return "", err
	}
	raw := base64.RawURLEncoding.EncodeToString(random)
	now := s.now()
	_, err = s.db.Write.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, address, user_agent, method)
		VALUES ($1, $2, $3, $3, $4, $5, $6, $7)`,
		secretHash(raw), userID, database.FormatTime(now), database.FormatTime(now.Add(s.settings.SessionLifetime)),
		clean(address, maxAddress), clean(userAgent, maxUserAgent), method)
	if err != nil {
		return "", fmt.Errorf("auth: start session of user %d: %w", userID, err)
	}
	return raw, nil
}

// SessionPrincipal returns who holds the session token raw. An unknown
// token, a session idle for Settings.SessionIdle or past its lifetime, and
// a session whose account has since been locked by an admin or for
// inactivity, or disabled, give the error
// code Unauthorized (key "auth.session_ended"); an ended session is
// deleted. Use moves the idle deadline, writing last_seen_at at most once a
// minute. A session begun with single sign-on (NewOIDCSession) is never
// asked to change a password.
func (s *Store) SessionPrincipal(ctx context.Context, raw string) (Principal, error) {
	if raw == "" || len(raw) > 100 {
		return Principal{}, unauthorized("auth.session_ended")
	}
	id := secretHash(raw)
	now := s.now()
	var lastSeen, expires, method string
	u, _, err := scanUser(s.db.Read.QueryRowContext(ctx, `SELECT s.last_seen_at, s.expires_at, s.method, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id), &lastSeen, &expires, &method)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, unauthorized("auth.session_ended")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: read session: %w", err)
	}
	seen := database.ParseNullTime(sql.NullString{String: lastSeen, Valid: true})
	end := database.ParseNullTime(sql.NullString{String: expires, Valid: true})
	// A lock after failed sign-ins keeps strangers from guessing further,
	// but must not sign out the account's owner: anyone could otherwise
	// keep an administrator out with five wrong passwords every half hour.
	lockedOut := u.Locked(now) && u.LockedReason != ReasonFailedLogins
	if !now.Before(end) || !now.Before(seen.Add(s.settings.SessionIdle)) || u.Disabled || lockedOut {
		if _, err := s.db.Write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
			return Principal{}, fmt.Errorf("auth: end session: %w", err)
		}
		return Principal{}, unauthorized("auth.session_ended")
	}
	if now.Sub(seen) >= touchEvery {
		if _, err := s.db.Write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, database.FormatTime(now), id); err != nil {
			return Principal{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	p := u.principal()
	if method == MethodOIDC {
		p.MustChangePassword = false
	}
	return p, nil
}

// EndSession ends the session of token raw (logout). Ending one that does
// not exist is no error.
func (s *Store) EndSession(ctx context.Context, raw string) error {
	if _, err := s.db.Write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, secretHash(raw)); err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

// EndUserSessions ends every session of the user (logout everywhere); a
// password change, a lock and disabling do it too.
func (s *Store) EndUserSessions(ctx context.Context, userID int64) error {
	return endUserSessions(ctx, s.db.Write, userID)
}

func endUserSessions(ctx context.Context, q queryer, userID int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("auth: end sessions of user %d: %w", userID, err)
	}
	return nil
}

// PurgeSessions deletes sessions past their lifetime or idle timeout, and
// returns how many; run it now and then (a session is refused once ended
// whether or not it was purged).
func (s *Store) PurgeSessions(ctx context.Context) (int, error) {
	now := s.now()
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
		database.FormatTime(now), database.FormatTime(now.Add(-s.settings.SessionIdle)))
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	return int(n), nil
}
