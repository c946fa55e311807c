-- The audit log (SPEC §3, §6): who changed what, when, from where, with the
-- record before and after. Append-only: no code path updates or deletes an
-- entry, and the triggers below refuse it. Each entry's hash covers its
-- fields and the hash of the entry before it, so that an edited, removed or
-- reordered entry breaks the chain `yeonsok audit verify` walks.
--
-- seq is assigned by the appender, not by an identity, so that it has no
-- gaps: a gap means a removed entry. audit_state holds the head of the chain
-- (the last seq and hash); appenders take turns on its row, and verify
-- compares it with the last entry, so that a cut-off tail is found too.
--
-- agency_id is the agency whose users may read the entry (NULL: the ministry
-- only). It has no foreign key: an entry outlives the record it describes.
-- before_json and after_json are TEXT, never a JSON type, so that the text the
-- hash covers is kept byte for byte.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    agency_id   INTEGER,
    action      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    record_id   INTEGER,
    summary     TEXT NOT NULL DEFAULT '',
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_record ON audit_log (kind, record_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The head of the chain; last_hash starts at the genesis value every first
-- entry links to.
CREATE TABLE audit_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq    INTEGER NOT NULL,
    last_hash   TEXT NOT NULL
);
INSERT INTO audit_state (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
