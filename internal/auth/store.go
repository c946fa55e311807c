package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
)

// Unauthorized is the error code of a failed login, an unknown, expired or
// ended session, and an unknown, revoked or expired token. The web layer
// answers it with 401 (and the login page).
const Unauthorized = "unauthorized"

func unauthorized(key string) error { return apperror.New(Unauthorized, "", key) }

// Settings are the limits of the plan's short-term security tasks, applied
// to the tower's own accounts. A zero field takes its default.
type Settings struct {
	MaxFailedLogins int           // failed logins in a row that lock an account; 5
	LockoutDuration time.Duration // how long they lock it; 30 min
	InactiveAfter   time.Duration // an account unused this long is locked until an admin unlocks it; 90 days
	SessionIdle     time.Duration // a session unused this long ends; 30 min
	SessionLifetime time.Duration // a session ends this long after sign-in, however used; 12 h
	PasswordHistory int           // a new password may not be one of this many last ones, the current one included; 3
	// TemporaryPasswordValid is how long a password given by someone else
	// (an admin's, the first administrator's) signs in before it must be
	// given again; 72 h. One sent on paper or by mail and never used must
	// not open the account weeks later.
	TemporaryPasswordValid time.Duration
}

// DefaultSettings are the settings when none is given.
func DefaultSettings() Settings {
	return Settings{
		MaxFailedLogins: 5,
		LockoutDuration: 30 * time.Minute,
		InactiveAfter:   90 * 24 * time.Hour,
		SessionIdle:     30 * time.Minute,
		SessionLifetime: 12 * time.Hour,
		PasswordHistory: 3,

		TemporaryPasswordValid: 72 * time.Hour,
	}
}

func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	if s.MaxFailedLogins <= 0 {
		s.MaxFailedLogins = d.MaxFailedLogins
	}
	if s.LockoutDuration <= 0 {
		s.LockoutDuration = d.LockoutDuration
	}
	if s.InactiveAfter <= 0 {
		s.InactiveAfter = d.InactiveAfter
	}
	if s.SessionIdle <= 0 {
		s.SessionIdle = d.SessionIdle
	}
	if s.SessionLifetime <= 0 {
		s.SessionLifetime = d.SessionLifetime
	}
	if s.PasswordHistory <= 0 {
		s.PasswordHistory = d.PasswordHistory
	}
	if s.TemporaryPasswordValid <= 0 {
		s.TemporaryPasswordValid = d.TemporaryPasswordValid
	}
	return s
}

// touchEvery is how stale a session's last_seen_at or a token's
// last_used_at may grow before a request writes it again: one write a
// minute per session instead of one per request. A session's idle timeout
// is therefore counted from up to a minute before its last request.
const touchEvery = time.Minute

// Store keeps users, sessions, API tokens and login attempts. Only its
// exported methods begin, commit or roll back transactions. It checks no
// caller's permission: the caller asks the Principal first (and reads the
// record through its Scope, so that another agency's is "not found").
type Store struct {
	db       *database.DB
	settings Settings
	// Now is the store's clock; tests replace it to move time.
	Now func() time.Time

	params    hashParams
	dummyOnce sync.Once
	dummy     string
}

// NewStore returns a store on db with settings (zero fields take defaults).
func NewStore(db *database.DB, settings Settings) *Store {
	return &Store{db: db, settings: settings.withDefaults(), Now: time.Now, params: defaultParams}
}

// Settings are the limits in force.
func (s *Store) Settings() Settings { return s.settings }

// now is the clock's time as the database keeps it: UTC, to the
// microsecond.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// dummyHash is compared with the password of an unknown login, so that it
// takes as long to refuse as a known one.
func (s *Store) dummyHash() string {
	s.dummyOnce.Do(func() {
		random := make([]byte, 16)
		rand.Read(random)
		s.dummy, _ = hashPassword(hex.EncodeToString(random), s.params)
	})
	return s.dummy
}

// Forever is the end of a lock that lasts until an admin unlocks.
var Forever = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// secretHash is how session ids and token hashes are stored: the hex
// SHA-256 of the secret. The secrets carry 256 random bits, so a plain
// hash is enough; a slow one would only slow every request.
func secretHash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("auth: random: %w", err)
	}
	return b, nil
}

// clean makes text read from a request (a login as typed, an address, a
// browser's name) fit to store: valid UTF-8 without control characters
// (PostgreSQL refuses a NUL), at most n characters.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func notFound(kind string) error {
	return apperror.New(apperror.NotFound, "", "auth.not_found."+kind)
}

// mustAffect turns an update of no row into "not found".
func mustAffect(res sql.Result, kind string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("auth: rows affected: %w", err)
	}
	if n == 0 {
		return notFound(kind)
	}
	return nil
}
