-- The inventory: agencies, facilities, systems, their endpoints, the services
-- they support and the dependencies between them (SPEC §3), and the figures
-- the plan itself declares, kept so that records can be checked against them.

CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    short_name  TEXT NOT NULL DEFAULT '',
    parent_id   INTEGER REFERENCES agencies(id) ON DELETE RESTRICT,
    contact     TEXT NOT NULL DEFAULT '',
    sample      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE facilities (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    operator        TEXT NOT NULL CHECK (operator IN ('nirs', 'self', 'private')),
    operator_name   TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    conditions      TEXT NOT NULL DEFAULT '{}',
    findings        TEXT NOT NULL DEFAULT '',
    surveyed        INTEGER NOT NULL DEFAULT 0,
    sample          INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE systems (
    id                  INTEGER PRIMARY KEY,
    agency_id           INTEGER NOT NULL REFERENCES agencies(id) ON DELETE RESTRICT,
    name                TEXT NOT NULL,
    grade               INTEGER CHECK (grade BETWEEN 1 AND 4),
    score_impact        REAL,
    score_users         REAL,
    score_spread        REAL,
    users               INTEGER,
    description         TEXT NOT NULL DEFAULT '',
    critical_functions  TEXT NOT NULL DEFAULT '',
    primary_facility_id INTEGER REFERENCES facilities(id) ON DELETE RESTRICT,
    dr_facility_id      INTEGER REFERENCES facilities(id) ON DELETE RESTRICT,
    dr_performance      TEXT NOT NULL DEFAULT 'unknown' CHECK (dr_performance IN ('unknown', 'none', 'partial', 'similar')),
    dr_note             TEXT NOT NULL DEFAULT '',
    redundancy_power    TEXT NOT NULL DEFAULT 'unknown' CHECK (redundancy_power IN ('unknown', 'none', 'yes')),
    redundancy_network  TEXT NOT NULL DEFAULT 'unknown' CHECK (redundancy_network IN ('unknown', 'none', 'yes')),
    redundancy_web      TEXT NOT NULL DEFAULT 'unknown' CHECK (redundancy_web IN ('unknown', 'none', 'yes')),
    redundancy_was      TEXT NOT NULL DEFAULT 'unknown' CHECK (redundancy_was IN ('unknown', 'none', 'yes')),
    redundancy_db       TEXT NOT NULL DEFAULT 'unknown' CHECK (redundancy_db IN ('unknown', 'none', 'yes')),
    redundancy_storage  TEXT NOT NULL DEFAULT 'unknown' CHECK (redundancy_storage IN ('unknown', 'none', 'yes')),
    backup_full_every   INTEGER,
    backup_incr_every   INTEGER,
    offsite_method      TEXT NOT NULL DEFAULT 'unknown',
    offsite_every       INTEGER,
    rto_disaster        INTEGER,
    rpo_disaster        INTEGER,
    rto_failure         INTEGER,
    rpo_failure         INTEGER,
    manual              TEXT NOT NULL DEFAULT 'unknown' CHECK (manual IN ('unknown', 'none', 'yes')),
    manual_fallback     TEXT NOT NULL DEFAULT '',
    owner_primary       TEXT NOT NULL DEFAULT '',
    owner_secondary     TEXT NOT NULL DEFAULT '',
    vendor              TEXT NOT NULL DEFAULT '',
    surveyed            INTEGER NOT NULL DEFAULT 0,
    sample              INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (agency_id, name)
);
CREATE INDEX systems_primary_facility ON systems (primary_facility_id);
CREATE INDEX systems_dr_facility ON systems (dr_facility_id);

CREATE TABLE endpoints (
    id          INTEGER PRIMARY KEY,
    system_id   INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('http', 'tcp', 'dns', 'tls')),
    target      TEXT NOT NULL,
    UNIQUE (system_id, target)
);

CREATE TABLE services (
    id                  INTEGER PRIMARY KEY,
    agency_id           INTEGER NOT NULL REFERENCES agencies(id) ON DELETE RESTRICT,
    name                TEXT NOT NULL,
    audience            TEXT NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'internal')),
    description         TEXT NOT NULL DEFAULT '',
    mtpd                INTEGER,
    rto                 INTEGER,
    rpo                 INTEGER,
    manual_workaround   TEXT NOT NULL DEFAULT '',
    sample              INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (agency_id, name)
);

CREATE TABLE service_systems (
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    system_id   INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, system_id)
);
CREATE INDEX service_systems_system ON service_systems (system_id);

CREATE TABLE dependencies (
    id              INTEGER PRIMARY KEY,
    from_system_id  INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    to_system_id    INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL DEFAULT 'interface' CHECK (kind IN ('interface', 'auth', 'database', 'network', 'other')),
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    UNIQUE (from_system_id, to_system_id),
    CHECK (from_system_id <> to_system_id)
);
CREATE INDEX dependencies_to ON dependencies (to_system_id);

-- Figures a source document states (the plan's tables), checked against the
-- records by the data-quality report. No agency and no facility means the
-- figure is for the whole ministry.
CREATE TABLE declared_figures (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    agency_id   INTEGER REFERENCES agencies(id) ON DELETE CASCADE,
    facility_id INTEGER REFERENCES facilities(id) ON DELETE CASCADE,
    metric      TEXT NOT NULL,
    value       REAL NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);

-- One row counting committed changes to the inventory, so that figures
-- computed from all of it can be cached until the next change, across every
-- tower instance sharing the database.
CREATE TABLE inventory_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO inventory_state (id, version) VALUES (1, 0);
