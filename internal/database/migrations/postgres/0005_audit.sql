-- The audit log (SPEC §3, §6): who changed what, when, from where, with the
-- record before and after. Append-only: no code path updates or deletes an
-- entry, and the trigger below refuses it. Each entry's hash covers its
-- fields and the hash of the entry before it, so that an edited, removed or
-- reordered entry breaks the chain `yeonsok audit verify` walks.
--
-- seq is assigned by the appender, not by an identity (which leaves gaps when
-- a transaction rolls back), so that a gap means a removed entry. audit_state
-- holds the head of the chain (the last seq and hash); appenders take turns
-- on its row lock, and verify compares it with the last entry, so that a
-- cut-off tail is found too.
--
-- agency_id is the agency whose users may read the entry (NULL: the ministry
-- only). It has no foreign key: an entry outlives the record it describes.
-- before_json and after_json are TEXT, never JSONB, so that the text the hash
-- covers is kept byte for byte.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    agency_id   BIGINT,
    action      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    record_id   BIGINT,
    summary     TEXT NOT NULL DEFAULT '',
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_record ON audit_log (kind, record_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The head of the chain; last_hash starts at the genesis value every first
-- entry links to.
CREATE TABLE audit_state (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq    BIGINT NOT NULL,
    last_hash   TEXT NOT NULL
);
INSERT INTO audit_state (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
