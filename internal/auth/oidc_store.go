package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// Single sign-on (OpenID Connect, package oidc) lets a person the
// ministry's identity provider vouches for into the account they already
// have in Yeonsok. It never creates an account: an administrator creates
// accounts and grants their roles and agencies in Yeonsok (the web pages or
// `yeonsok user add`), so that who may see which agency's weak points is
// decided here and recorded in the audit log, never by the provider's
// groups. A person without an account is refused.
//
// The account is found by the provider's subject ("sub", the person's
// stable id there) once linked; before that, by login, at the first single
// sign-on, which then stores the subject (an entry of the audit log). From
// then on the subject alone decides: a changed login claim still finds the
// account, and another person who later gets the login at the provider does
// not.

// maxSubject is the longest subject OpenID Connect allows (Core §2).
const maxSubject = 255

// errLinkTaken is a subject that another account took while this sign-in
// was linking it.
var errLinkTaken = errors.New("auth: the subject is linked to another account")

// linkableByLogin says whether an account may be linked at its first single
// sign-on by the provider's login claim. Ministry accounts may not: the
// whole tower is theirs to see, so an administrator links them on purpose
// (LinkOIDC, `yeonsok user link-sso`). Neither may an account whose owner
// has not yet chosen a password: nobody has shown it is in use by the
// person the claim names.
func linkableByLogin(u *User) bool {
	return !u.Role.Ministry() && !u.MustChangePassword
}

// LinkOIDC links an account to the provider's subject on an administrator's
// word, for the accounts linkableByLogin keeps from linking themselves.
func (s *Store) LinkOIDC(ctx context.Context, id int64, subject string) error {
	if subject == "" || len(subject) > maxSubject || !plainText(subject) {
		return apperror.New(apperror.Invalid, "subject", "oidc.subject.invalid")
	}
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, audit.ActionUpdate, &id, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE users SET oidc_subject = $1 WHERE id = $2`, subject, id)
			if database.IsUniqueViolation(err) {
				return apperror.New(apperror.Conflict, "subject", "oidc.subject.taken")
			}
			if err != nil {
				return fmt.Errorf("auth: link user %d: %w", id, err)
			}
			return mustAffect(res, "user")
		})
	})
}

// PrincipalForOIDC signs in the person the identity provider vouched for
// with an ID token (package oidc verified it): subject is its "sub" claim,
// login its login claim ("" when it has none), address where the request
// came from. It returns the account's principal, for NewOIDCSession.
//
// The account is the one linked to subject; when none is, the one whose
// login is login and that is linked to no subject yet — the subject is then
// stored, and the link is an entry of the audit log, made by the tower
// itself at address. An account linked to another subject is not someone
// else's to take: an admin unlinks it first (UnlinkOIDC).
//
// As with a password (Authenticate), every attempt is recorded in
// login_events (method MethodOIDC), and whatever went wrong — no account,
// a locked, inactive or disabled one — the error is the same (code
// Unauthorized, key "oidc.unauthorized"); an account unused for
// Settings.InactiveAfter is locked as inactive at this attempt, and a
// success clears the failed logins and an expired lock. The password rules
// do not apply: the principal never has MustChangePassword, and neither has
// a session NewOIDCSession starts.
func (s *Store) PrincipalForOIDC(ctx context.Context, subject, login, address string) (Principal, error) {
	now := s.now()
	typed := login
	if strings.TrimSpace(typed) == "" {
		typed = subject
	}
	login = NormalizeLogin(login)
	var u *User
	link := false
	if subject != "" && len(subject) <= maxSubject && plainText(subject) {
		var err error
		if u, _, err = userWhere(ctx, s.db.Read, access.All(), `u.oidc_subject = $1`, subject); err != nil {
			return Principal{}, err
		}
		if u == nil && loginPattern.MatchString(login) {
			byLogin, _, err := userWhere(ctx, s.db.Read, access.All(), `u.login = $1`, login)
			if err != nil {
				return Principal{}, err
			}
			if byLogin != nil && byLogin.OIDCSubject == "" && linkableByLogin(byLogin) {
				u, link = byLogin, true
			}
		}
	}
	if u == nil {
		return Principal{}, s.refuseOIDC(ctx, now, typed, address)
	}

	outcome := OutcomeOK
	tower := byTheTower(ctx, address)
	err := s.update(ctx, func(tx *writeTx) error {
		var refused bool
		var err error
		outcome, refused, err = s.refusal(tower, tx, u, now) // as Authenticate, without the password
		if !refused && err == nil {
			outcome, err = s.admitOIDC(tower, tx, u.ID, subject, link, now)
		}
		if err != nil {
			return fmt.Errorf("auth: single sign-on of user %d: %w", u.ID, err)
		}
		return s.recordLoginBy(ctx, tx, now, typed, u.ID, address, outcome, MethodOIDC)
	})
	if errors.Is(err, errLinkTaken) {
		return Principal{}, s.refuseOIDC(ctx, now, typed, address)
	}
	if err != nil {
		return Principal{}, err
	}
	if outcome != OutcomeOK {
		return Principal{}, unauthorized("oidc.unauthorized")
	}
	p := u.principal()
	p.MustChangePassword = false
	return p, nil
}

// admitOIDC signs the account in, unless a concurrent attempt locked it,
// someone disabled it, or its link changed since it was read (all
// OutcomeLocked, as Authenticate has it), and links subject to it when
// link. The link is recorded in the audit log under ctx's actor.
func (s *Store) admitOIDC(ctx context.Context, tx *writeTx, id int64, subject string, link bool, now time.Time) (string, error) {
	query := `UPDATE users SET failed_logins = 0, last_login_at = $1, locked_until = NULL, locked_reason = ''
		WHERE id = $2 AND disabled = $3 AND (locked_until IS NULL OR locked_until <= $1)`
	args := []any{database.FormatTime(now), id, false}
	if link {
		query += ` AND oidc_subject IS NULL`
	} else {
		query += ` AND oidc_subject = $4`
		args = append(args, subject)
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return OutcomeLocked, err
	}
	if !link {
		return OutcomeOK, nil
	}
	err = s.audited(ctx, tx, userAudit, audit.ActionUpdate, &id, func() error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET oidc_subject = $1 WHERE id = $2`, subject, id)
		if database.IsUniqueViolation(err) {
			return errLinkTaken
		}
		return err
	})
	return OutcomeOK, err
}

// refuseOIDC records a single sign-on by a person without an account and
// returns the refusal.
func (s *Store) refuseOIDC(ctx context.Context, now time.Time, typed, address string) error {
	if err := s.recordLoginBy(ctx, s.db.Write, now, typed, 0, address, OutcomeUnknownUser, MethodOIDC); err != nil {
		return err
	}
	return unauthorized("oidc.unauthorized")
}

// recordLoginBy is recordLogin for an attempt made by method.
func (s *Store) recordLoginBy(ctx context.Context, q queryer, at time.Time, login string, userID int64, address, outcome, method string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO login_events (at, login, user_id, address, outcome, method) VALUES ($1, $2, $3, $4, $5, $6)`,
		database.FormatTime(at), clean(login, maxEventLogin), nullID(userID), clean(address, maxAddress), outcome, method)
	if err != nil {
		return fmt.Errorf("auth: record login: %w", err)
	}
	return nil
}

// UnlinkOIDC forgets the single sign-on identity linked to the account and
// ends the sessions begun with it. An admin does it when the person's
// identity at the provider has changed (a new provider, an identity made
// anew), which the old link refuses: the next single sign-on finds the
// account by login again and links the identity it brings. The audit log
// records it under access.ActorFrom(ctx); unlinking an account without a
// link records nothing.
func (s *Store) UnlinkOIDC(ctx context.Context, id int64) error {
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, userAudit, audit.ActionUpdate, &id, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE users SET oidc_subject = NULL WHERE id = $1`, id)
			if err != nil {
				return fmt.Errorf("auth: unlink user %d: %w", id, err)
			}
			if err := mustAffect(res, "user"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND method = $2`, id, MethodOIDC); err != nil {
				return fmt.Errorf("auth: end single sign-on sessions of user %d: %w", id, err)
			}
			return nil
		})
	})
}
