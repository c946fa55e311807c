-- Backups as evidence (issue 7, SPEC §4.5): every backup run a job reports,
-- where its copies are, the offsite moves that carried them (tapes by
-- staff included), and each facility's backup storage over time.

-- One backup run of one system, as its job reported it. report_key is the
-- job's own name for the run, so a job that retries does not count twice.
CREATE TABLE backup_runs (
    id            INTEGER PRIMARY KEY,
    system_id     INTEGER NOT NULL REFERENCES systems(id) ON DELETE RESTRICT,
    report_key    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('full', 'incremental', 'log', 'snapshot')),
    started_at    TEXT NOT NULL,
    ended_at      TEXT NOT NULL,
    size_bytes    INTEGER,
    result        TEXT NOT NULL CHECK (result IN ('success', 'partial', 'failed')),
    -- A restore test made of this run, if any.
    restore_tested_at TEXT,
    restore_result    TEXT NOT NULL DEFAULT '' CHECK (restore_result IN ('', 'success', 'failed')),
    restore_seconds   INTEGER,
    note          TEXT NOT NULL DEFAULT '',
    reported_by   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    UNIQUE (system_id, report_key)
);
CREATE INDEX backup_runs_system ON backup_runs (system_id, ended_at);

-- Where the copies of a run are: its first copy where the job wrote it,
-- and one more for each offsite move received. A copy is online, offline
-- (out of reach of the network: ransomware cannot touch it), immutable
-- (object lock, WORM) or on tape.
CREATE TABLE backup_copies (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES backup_runs(id) ON DELETE CASCADE,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
    medium      TEXT NOT NULL CHECK (medium IN ('online', 'offline', 'immutable', 'tape')),
    since       TEXT NOT NULL,
    move_id     INTEGER
);
CREATE INDEX backup_copies_run ON backup_copies (run_id);

-- An offsite move (소산): a run's copy handed over at one facility and
-- received at another, by people (a tape carried by staff) or by a
-- transfer. The copy exists at the destination once received.
CREATE TABLE offsite_moves (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES backup_runs(id) ON DELETE RESTRICT,
    medium           TEXT NOT NULL CHECK (medium IN ('online', 'offline', 'immutable', 'tape')),
    label            TEXT NOT NULL DEFAULT '',
    from_facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
    to_facility_id   INTEGER NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
    handed_by        TEXT NOT NULL,
    handed_at        TEXT NOT NULL,
    received_by      TEXT NOT NULL DEFAULT '',
    received_at      TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL DEFAULT '',
    CHECK (from_facility_id <> to_facility_id)
);
CREATE INDEX offsite_moves_run ON offsite_moves (run_id);

-- A facility's backup storage as measured: capacity and used, in bytes.
CREATE TABLE backup_storage (
    facility_id    INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
    capacity_bytes INTEGER NOT NULL CHECK (capacity_bytes >= 0),
    used_bytes     INTEGER NOT NULL CHECK (used_bytes >= 0),
    PRIMARY KEY (facility_id, at)
);

-- What the checks read, kept up to date as runs, copies and moves arrive
-- (so that checking 10,000 systems reads 10,000 rows, not every run):
-- per system its latest runs and restore test; per system, facility and
-- medium the latest recovery point (a successful run's start) with a copy
-- there.
CREATE TABLE backup_latest (
    system_id        INTEGER PRIMARY KEY REFERENCES systems(id) ON DELETE CASCADE,
    last_full_at     TEXT,
    last_good_at     TEXT,
    last_run_at      TEXT NOT NULL,
    last_result      TEXT NOT NULL,
    last_restore_at  TEXT,
    last_restore_ok  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE backup_points (
    system_id   INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    medium      TEXT NOT NULL,
    point_at    TEXT NOT NULL,
    PRIMARY KEY (system_id, facility_id, medium)
);
