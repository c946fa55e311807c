-- A sign-in with the right password given by someone else too long ago
-- (auth.Settings.TemporaryPasswordValid) is an outcome of its own in the
-- security report. SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE login_events_new (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    login    TEXT NOT NULL,
    user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    address  TEXT NOT NULL DEFAULT '',
    outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'bad_password', 'unknown_user', 'locked', 'inactive', 'disabled', 'temporary_expired')),
    method   TEXT NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'oidc'))
);
INSERT INTO login_events_new (id, at, login, user_id, address, outcome, method)
    SELECT id, at, login, user_id, address, outcome, method FROM login_events;
DROP TABLE login_events;
ALTER TABLE login_events_new RENAME TO login_events;
CREATE INDEX login_events_at ON login_events (at);
CREATE INDEX login_events_user ON login_events (user_id);
