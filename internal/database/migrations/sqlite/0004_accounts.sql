-- Accounts (issue 3): people who sign in, their sessions, API tokens for
-- agents, backup jobs, alert sources and scripts, and every login attempt for
-- the monthly security report. Secrets are never stored: passwords as
-- argon2id hashes, sessions and tokens as the SHA-256 of their random value.

-- A ministry role has no agency and an agency role has exactly one; the
-- CHECK keeps a row from ever saying otherwise. locked_until holds the end of
-- a lock (9999-12-31 for "until an admin unlocks"), NULL when not locked.
-- Inactivity is counted from the latest of created_at, last_login_at and
-- unlocked_at, so that an admin's unlock gives the user time to sign in.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('ministry_admin', 'ministry_viewer', 'agency_admin', 'agency_editor', 'agency_viewer')),
    agency_id            INTEGER REFERENCES agencies(id) ON DELETE RESTRICT,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    locked_reason        TEXT NOT NULL DEFAULT '' CHECK (locked_reason IN ('', 'failed_logins', 'inactive', 'admin')),
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    last_login_at        TEXT,
    unlocked_at          TEXT,
    password_changed_at  TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    disabled             INTEGER NOT NULL DEFAULT 0,
    CHECK ((role IN ('ministry_admin', 'ministry_viewer')) = (agency_id IS NULL))
);
CREATE INDEX users_agency ON users (agency_id);

-- The hashes of a user's recent passwords, the current one included, so
-- that a new password can be refused when it repeats one of them.
CREATE TABLE password_history (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

-- id is the hex SHA-256 of the session cookie's value; the value itself is
-- only ever in the browser.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- token_hash is the hex SHA-256 of the token shown once at creation.
-- created_by is NULL for tokens made on the command line.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('agent', 'backup', 'alert', 'script')),
    agency_id    INTEGER REFERENCES agencies(id) ON DELETE RESTRICT,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    expires_at   TEXT
);
CREATE INDEX api_tokens_agency ON api_tokens (agency_id);

-- The systems an agent, backup or alert token may push results for.
CREATE TABLE token_systems (
    token_id  INTEGER NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, system_id)
);
CREATE INDEX token_systems_system ON token_systems (system_id);

-- Every login attempt, with the login as typed (cut short) and the user when
-- one was found.
CREATE TABLE login_events (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    login    TEXT NOT NULL,
    user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    address  TEXT NOT NULL DEFAULT '',
    outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'bad_password', 'unknown_user', 'locked', 'inactive', 'disabled'))
);
CREATE INDEX login_events_at ON login_events (at);
CREATE INDEX login_events_user ON login_events (user_id);
