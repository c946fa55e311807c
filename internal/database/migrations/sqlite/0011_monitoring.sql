-- Monitoring (issue 5, SPEC §4.5): the checks made from the systems'
-- endpoints, the interruptions they saw, planned maintenance windows,
-- hourly latency rollups, and the agents that probe from other sites.
-- Storage grows with state changes, failures and rollups, never with each
-- successful probe: the latest raw results live in the engine's memory.

-- One check per endpoint of a system, keyed by system and target (the
-- inventory writes a system's endpoint rows anew on every update, so they
-- cannot be referred to). A check whose endpoint left the inventory is
-- inactive and keeps its history. Zero settings take their defaults
-- (interval by the system's grade); the settings of one kind of check
-- (HTTP method, headers, expected answers, …) are one JSON object.
CREATE TABLE checks (
    id               INTEGER PRIMARY KEY,
    system_id        INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('http', 'tcp', 'dns', 'tls')),
    target           TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1,
    interval_ms      INTEGER NOT NULL DEFAULT 0,
    timeout_ms       INTEGER NOT NULL DEFAULT 0,
    failures_to_down INTEGER NOT NULL DEFAULT 0,
    successes_to_up  INTEGER NOT NULL DEFAULT 0,
    settings         TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL DEFAULT '',
    UNIQUE (system_id, target)
);

-- An interruption of one check, from the moment it was declared down to
-- the moment it was up again (ended_at NULL while it lasts), with the
-- vantage points that saw it (a JSON array of names) and why. system_id is
-- the check's, kept here so that a system's uptime reads one index. At
-- most one interruption of a check is open.
CREATE TABLE interruptions (
    id         INTEGER PRIMARY KEY,
    check_id   INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    system_id  INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    reason     TEXT NOT NULL DEFAULT '',
    vantages   TEXT NOT NULL DEFAULT '[]',
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX interruptions_system ON interruptions (system_id, started_at);
CREATE INDEX interruptions_check ON interruptions (check_id, started_at);
CREATE UNIQUE INDEX interruptions_open ON interruptions (check_id) WHERE ended_at IS NULL;

-- Planned maintenance of a system: excluded from its uptime, and shown.
CREATE TABLE maintenance_windows (
    id         INTEGER PRIMARY KEY,
    system_id  INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_system ON maintenance_windows (system_id, starts_at);

-- Latency of one check from one vantage point over one hour: how many
-- probes, how many failed, and of those that succeeded the sum and maximum
-- latency (microseconds) and how many fell in each bucket of
-- monitor.LatencyBounds (b7: beyond the last). The engine adds to the row
-- of the current hour as it goes. WITHOUT ROWID: the key is the row's
-- place, stored once.
CREATE TABLE latency_rollups (
    check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    hour     TEXT NOT NULL,
    vantage  TEXT NOT NULL,
    probes   INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    sum_us   INTEGER NOT NULL,
    max_us   INTEGER NOT NULL,
    b0       INTEGER NOT NULL DEFAULT 0,
    b1       INTEGER NOT NULL DEFAULT 0,
    b2       INTEGER NOT NULL DEFAULT 0,
    b3       INTEGER NOT NULL DEFAULT 0,
    b4       INTEGER NOT NULL DEFAULT 0,
    b5       INTEGER NOT NULL DEFAULT 0,
    b6       INTEGER NOT NULL DEFAULT 0,
    b7       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (check_id, hour, vantage)
) WITHOUT ROWID;

-- An agent probing from another site, authenticated by an API token of the
-- agent role; it belongs to its token's agency (NULL: ministry-wide) and
-- its name is the vantage point's name in results and interruptions.
CREATE TABLE agents (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    site         TEXT NOT NULL DEFAULT '',
    agency_id    INTEGER REFERENCES agencies(id) ON DELETE RESTRICT,
    token_id     INTEGER NOT NULL UNIQUE REFERENCES api_tokens(id) ON DELETE RESTRICT,
    last_seen_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agents_agency ON agents (agency_id);

-- The batches an agent pushed that were accepted, so that a batch replayed
-- after a lost answer is accepted once.
CREATE TABLE agent_batches (
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    batch_seq   INTEGER NOT NULL,
    accepted_at TEXT NOT NULL,
    PRIMARY KEY (agent_id, batch_seq)
) WITHOUT ROWID;
