package auth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// Every change to an account or an API token goes through audited, which
// records it in the audit log in the same transaction: who (access.ActorFrom,
// or the tower itself for a lock it makes on its own), the record before and
// after as UserRecord or TokenRecord — never a password, a token or a hash
// of either — and the agency of the account or token, whose admins may read
// the entry (nil: the ministry only). A change that leaves the record as it
// was (revoking a revoked token) is not recorded; a new password always is.

// UserRecord is an account as the audit log's before and after hold it. A
// password change shows only as a new PasswordChangedAt.
type UserRecord struct {
	ID                 int64     `json:"id"`
	Login              string    `json:"login"`
	Name               string    `json:"name"`
	Role               Role      `json:"role"`
	AgencyID           *int64    `json:"agency_id"`
	MustChangePassword bool      `json:"must_change_password"`
	PasswordChangedAt  time.Time `json:"password_changed_at"`
	LockedUntil        time.Time `json:"locked_until,omitzero"`
	LockedReason       string    `json:"locked_reason,omitempty"`
	FailedLogins       int       `json:"failed_logins"`
	LastLoginAt        time.Time `json:"last_login_at,omitzero"`
	UnlockedAt         time.Time `json:"unlocked_at,omitzero"`
	Disabled           bool      `json:"disabled"`
	CreatedAt          time.Time `json:"created_at"`
	// OIDCSubject is the single sign-on identity linked to the account;
	// left out while there is none, so that entries of accounts never
	// linked read as before.
	OIDCSubject string `json:"oidc_subject,omitempty"`
}

// TokenRecord is an API token as the audit log's before and after hold it.
type TokenRecord struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	AgencyID   *int64    `json:"agency_id"`
	SystemIDs  []int64   `json:"system_ids"`
	CreatedBy  int64     `json:"created_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

func agencyOf(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// auditKind says how accounts or tokens appear in the audit log.
type auditKind struct {
	name string // audit.KindUser or audit.KindToken
	// read reads the record as the log keeps it, its agency and its name,
	// inside the transaction; lock ends the query so as to hold the row
	// until the transaction ends. A missing record is its kind's "not found".
	read func(ctx context.Context, q queryer, id int64, lock string) (record any, agencyID *int64, label string, err error)
}

var userAudit = &auditKind{
	name: audit.KindUser,
	read: func(ctx context.Context, q queryer, id int64, lock string) (any, *int64, string, error) {
		u, _, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`+lock, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, "", notFound("user")
		}
		if err != nil {
			return nil, nil, "", fmt.Errorf("auth: read user %d: %w", id, err)
		}
		return &UserRecord{ID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role, AgencyID: agencyOf(u.AgencyID),
			MustChangePassword: u.MustChangePassword, PasswordChangedAt: u.PasswordChangedAt,
			LockedUntil: u.LockedUntil, LockedReason: u.LockedReason, FailedLogins: u.FailedLogins,
			LastLoginAt: u.LastLoginAt, UnlockedAt: u.UnlockedAt, Disabled: u.Disabled, CreatedAt: u.CreatedAt,
			OIDCSubject: u.OIDCSubject,
		}, agencyOf(u.AgencyID), u.Login, nil
	},
}

var tokenAudit = &auditKind{
	name: audit.KindToken,
	read: func(ctx context.Context, q queryer, id int64, lock string) (any, *int64, string, error) {
		t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id = $1`+lock, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, "", notFound("token")
		}
		if err != nil {
			return nil, nil, "", fmt.Errorf("auth: read token %d: %w", id, err)
		}
		if err := tokenSystems(ctx, q, []*Token{t}); err != nil {
			return nil, nil, "", err
		}
		return &TokenRecord{ID: t.ID, Name: t.Name, Role: t.Role, AgencyID: agencyOf(t.AgencyID), SystemIDs: t.SystemIDs,
			CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt,
		}, agencyOf(t.AgencyID), t.Name, nil
	},
}

// writeTx is a write transaction of the store. The entries its changes
// make wait in it until the change is done, and are appended after every
// other write: the audit log's row is the last the transaction locks, as
// audit.Append asks.
type writeTx struct {
	*sql.Tx
	entries []*audit.Entry
}

// update runs fn in one write transaction, then appends the entries fn's
// changes made; the changes and their entries land together or not at all.
func (s *Store) update(ctx context.Context, fn func(tx *writeTx) error) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		w := &writeTx{Tx: tx}
		if err := fn(w); err != nil {
			return err
		}
		log := audit.NewAppender(tx)
		for _, e := range w.entries {
			if err := log.Append(ctx, e); err != nil {
				return err
			}
		}
		return log.Flush(ctx)
	})
}

// audited runs write, which does action to the record of kind k whose id
// is *id, and records the change under access.ActorFrom(ctx). *id is read
// again after write, so that a creation's new id is known. The record is
// read before write (unless it is being created), holding its row, and
// after.
func (s *Store) audited(ctx context.Context, tx *writeTx, k *auditKind, action string, id *int64, write func() error) error {
	lock := ""
	if s.db.Dialect == database.Postgres {
		lock = ` FOR UPDATE` // SQLite's one writer holds the whole file already
	}
	var before []byte
	if action != audit.ActionCreate {
		rec, _, _, err := k.read(ctx, tx, *id, lock)
		if err != nil {
			return err
		}
		if before, err = json.Marshal(rec); err != nil {
			return fmt.Errorf("auth: %s %d as JSON: %w", k.name, *id, err)
		}
	}
	if err := write(); err != nil {
		return err
	}
	rec, agency, label, err := k.read(ctx, tx, *id, "")
	if err != nil {
		return err
	}
	after, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("auth: %s %d as JSON: %w", k.name, *id, err)
	}
	if bytes.Equal(before, after) && action != audit.ActionPassword && action != audit.ActionPasswordReset {
		return nil // a password change always counts, though only its time may show it
	}
	recordID := *id
	tx.entries = append(tx.entries, &audit.Entry{At: s.now(), Actor: access.ActorFrom(ctx), AgencyID: agency,
		Action: action, Kind: k.name, RecordID: &recordID, Summary: label, Before: before, After: after})
	return nil
}

// byTheTower is ctx with the tower itself as the actor, at the address a
// request came from: the lock after failed logins, or of an account found
// inactive at a login, is the tower's doing, not the caller's.
func byTheTower(ctx context.Context, address string) context.Context {
	actor := access.ActorFrom(context.Background())
	actor.Address = clean(address, maxAddress)
	return access.WithActor(ctx, actor)
}
