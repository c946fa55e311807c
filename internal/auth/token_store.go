package auth

import (
	"context"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
)

// TokenPrefix starts every API token, so that one pasted where it should
// not be (a log, a ticket) is easy to find.
const TokenPrefix = "ysk_"

// MaxTokenSystems bounds the systems one token is bound to.
const MaxTokenSystems = 1000

// Token is an API token. The token itself is shown once, when created;
// only its SHA-256 is stored.
type Token struct {
	ID   int64
	Name string
	Role Role // one of TokenRoles
	// AgencyID is the agency the token belongs to: a script token reads and
	// writes that agency (0: every agency); an agent, backup or alert
	// token's systems must all be that agency's (0: any agency's). The
	// agency's admins manage it.
	AgencyID int64
	// SystemIDs are what an agent, backup or alert token pushes results for.
	SystemIDs  []int64
	CreatedBy  int64 // the user who created it; 0 from the command line
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used
	RevokedAt  time.Time // zero unless revoked
	ExpiresAt  time.Time // zero: never expires
}

// Active reports whether the token can be used at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// validateToken checks what a new token says of itself: a name, a token
// role, and systems exactly when the role pushes results.
func validateToken(t *Token) error {
	switch {
	case strings.TrimSpace(t.Name) == "":
		return apperror.New(apperror.Invalid, "name", "invalid.required")
	case utf8.RuneCountInString(t.Name) > MaxName:
		return apperror.New(apperror.Invalid, "name", "invalid.too_long", MaxName)
	case !plainText(t.Name):
		return apperror.New(apperror.Invalid, "name", "auth.name.invalid")
	case !t.Role.ForTokens():
		return apperror.New(apperror.Invalid, "role", "invalid.one_of", string(t.Role), roleNames(TokenRoles))
	case t.Role.Pushes() && len(t.SystemIDs) == 0:
		return apperror.New(apperror.Invalid, "system_ids", "auth.token.systems_required")
	case !t.Role.Pushes() && len(t.SystemIDs) > 0:
		return apperror.New(apperror.Invalid, "system_ids", "auth.token.systems_not_for_script")
	case len(t.SystemIDs) > MaxTokenSystems:
		return apperror.New(apperror.Invalid, "system_ids", "invalid.too_many", MaxTokenSystems)
	}
	return nil
}

// CreateToken stores a new token, sets t.ID and t.CreatedAt, and returns the
// token itself: "ysk_" and 52 base32 characters (32 random bytes). It is
// never shown again. Every system must exist, and belong to t.AgencyID when
// that is set.
func (s *Store) CreateToken(ctx context.Context, t *Token) (string, error) {
	t.Name = strings.TrimSpace(t.Name)
	slices.Sort(t.SystemIDs)
	t.SystemIDs = slices.Compact(t.SystemIDs)
	if err := validateToken(t); err != nil {
		return "", err
	}
	random, err := randomBytes(32)
	if err != nil {
		return "", err
	}
	raw := TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(random))
	now := s.now()
	err = s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, tokenAudit, audit.ActionCreate, &t.ID, func() error {
			if t.AgencyID != 0 {
				var one int
				err := tx.QueryRowContext(ctx, `SELECT 1 FROM agencies WHERE id = $1`, t.AgencyID).Scan(&one)
				if errors.Is(err, sql.ErrNoRows) {
					return apperror.New(apperror.Invalid, "agency_id", "invalid.unknown_agency", t.AgencyID)
				}
				if err != nil {
					return fmt.Errorf("auth: look up agency %d: %w", t.AgencyID, err)
				}
			}
			for _, id := range t.SystemIDs {
				var agency int64
				err := tx.QueryRowContext(ctx, `SELECT agency_id FROM systems WHERE id = $1`, id).Scan(&agency)
				if errors.Is(err, sql.ErrNoRows) {
					return apperror.New(apperror.Invalid, "system_ids", "invalid.unknown_system", id)
				}
				if err != nil {
					return fmt.Errorf("auth: look up system %d: %w", id, err)
				}
				if t.AgencyID != 0 && agency != t.AgencyID {
					return apperror.New(apperror.Invalid, "system_ids", "auth.token.system_outside_agency", id)
				}
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, agency_id, created_by, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				t.Name, secretHash(raw), string(t.Role), nullID(t.AgencyID), nullID(t.CreatedBy), database.FormatTime(now), database.NullTime(t.ExpiresAt)).Scan(&t.ID)
			if database.IsForeignKeyViolation(err) {
				return apperror.New(apperror.Invalid, "created_by", "auth.not_found.user")
			}
			if err != nil {
				return fmt.Errorf("auth: create token %q: %w", t.Name, err)
			}
			for _, id := range t.SystemIDs {
				if _, err := tx.ExecContext(ctx, `INSERT INTO token_systems (token_id, system_id) VALUES ($1, $2)`, t.ID, id); err != nil {
					return fmt.Errorf("auth: bind token %d to system %d: %w", t.ID, id, err)
				}
			}
			return nil
		})
	})
	if err != nil {
		return "", err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = now, time.Time{}, time.Time{}
	return raw, nil
}

const tokenColumns = `t.id, t.name, t.role, t.agency_id, t.created_by, t.created_at, t.last_used_at, t.revoked_at, t.expires_at`

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	var role, created string
	var agency, createdBy sql.NullInt64
	var lastUsed, revoked, expires sql.NullString
	if err := row.Scan(&t.ID, &t.Name, &role, &agency, &createdBy, &created, &lastUsed, &revoked, &expires); err != nil {
		return nil, err
	}
	t.Role, t.AgencyID, t.CreatedBy = Role(role), agency.Int64, createdBy.Int64
	t.CreatedAt = database.ParseNullTime(sql.NullString{String: created, Valid: true})
	t.LastUsedAt, t.RevokedAt, t.ExpiresAt = database.ParseNullTime(lastUsed), database.ParseNullTime(revoked), database.ParseNullTime(expires)
	return &t, nil
}

// tokenSystems reads the systems of the tokens, by token id.
func tokenSystems(ctx context.Context, q queryer, tokens []*Token) error {
	byID := map[int64]*Token{}
	for _, t := range tokens {
		byID[t.ID] = t
		t.SystemIDs = nil
	}
	if len(tokens) == 0 {
		return nil
	}
	query, args := `SELECT token_id, system_id FROM token_systems ORDER BY token_id, system_id`, []any(nil)
	if len(tokens) == 1 {
		query, args = `SELECT token_id, system_id FROM token_systems WHERE token_id = $1 ORDER BY system_id`, []any{tokens[0].ID}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("auth: read token systems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var token, system int64
		if err := rows.Scan(&token, &system); err != nil {
			return fmt.Errorf("auth: read token systems: %w", err)
		}
		if t := byID[token]; t != nil {
			t.SystemIDs = append(t.SystemIDs, system)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("auth: read token systems: %w", err)
	}
	return nil
}

// Tokens lists the tokens in scope, revoked ones included: an agency's
// scope sees the tokens of its own agency.
func (s *Store) Tokens(ctx context.Context, scope access.Scope) ([]*Token, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var args []any
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE `+scope.Where("t.agency_id", &args)+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	var list []*Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("auth: scan token: %w", err)
		}
		list = append(list, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	if err := tokenSystems(ctx, tx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// Token fetches one token; outside scope it does not exist.
func (s *Store) Token(ctx context.Context, scope access.Scope, id int64) (*Token, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	args := []any{id}
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id = $1 AND `+scope.Where("t.agency_id", &args), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token")
	}
	if err != nil {
		return nil, fmt.Errorf("auth: get token %d: %w", id, err)
	}
	if err := tokenSystems(ctx, tx, []*Token{t}); err != nil {
		return nil, err
	}
	return t, nil
}

// TokenPrincipal returns who holds the API token raw. An unknown, revoked
// or expired token gives the error code Unauthorized (key
// "auth.token_invalid"). Use is recorded in last_used_at, at most once a
// minute.
func (s *Store) TokenPrincipal(ctx context.Context, raw string) (Principal, error) {
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) > 100 {
		return Principal{}, unauthorized("auth.token_invalid")
	}
	now := s.now()
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return Principal{}, err
	}
	defer tx.Rollback()
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.token_hash = $1`, secretHash(raw)))
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, unauthorized("auth.token_invalid")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: read token: %w", err)
	}
	if !t.Active(now) {
		return Principal{}, unauthorized("auth.token_invalid")
	}
	if err := tokenSystems(ctx, tx, []*Token{t}); err != nil {
		return Principal{}, err
	}
	tx.Rollback()
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= touchEvery {
		if _, err := s.db.Write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, database.FormatTime(now), t.ID); err != nil {
			return Principal{}, fmt.Errorf("auth: record use of token %d: %w", t.ID, err)
		}
	}
	return Principal{Kind: KindToken, TokenID: t.ID, Name: t.Name, Role: t.Role, AgencyID: t.AgencyID, SystemIDs: t.SystemIDs}, nil
}

// RevokeToken revokes a token for good. Revoking a revoked token changes
// nothing, and is not recorded again in the audit log.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	now := s.now()
	return s.update(ctx, func(tx *writeTx) error {
		return s.audited(ctx, tx, tokenAudit, audit.ActionRevoke, &id, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, database.FormatTime(now), id)
			if err != nil {
				return fmt.Errorf("auth: revoke token %d: %w", id, err)
			}
			return mustAffect(res, "token")
		})
	})
}
