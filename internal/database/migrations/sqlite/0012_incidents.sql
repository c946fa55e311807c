-- Incidents (issue 6, SPEC §4.5): an outage from its first signal to its
-- review. An incident belongs to one agency (an event that strikes several
-- agencies, a data centre's fire, is an incident of each: each agency runs
-- its own response, and sees only its own). Incidents are evidence: they
-- are never deleted, and their systems cannot be deleted from under them.

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    agency_id       INTEGER NOT NULL REFERENCES agencies(id) ON DELETE RESTRICT,
    state           TEXT NOT NULL CHECK (state IN ('detected', 'declared', 'mitigated', 'resolved', 'reviewed')),
    -- The severity of the highest grade affected, unless a person set it
    -- with a reason (severity_reason not empty).
    severity        TEXT NOT NULL CHECK (severity IN ('national', 'major', 'moderate', 'minor')),
    severity_reason TEXT NOT NULL DEFAULT '',
    -- What opened it: the tower's monitoring, a person's report, another
    -- monitor's alert.
    source          TEXT NOT NULL CHECK (source IN ('monitor', 'report', 'alert')),
    detected_at     TEXT NOT NULL,
    -- The agency's first report (a person's report or declaration).
    reported_at     TEXT,
    declared_at     TEXT,
    mitigated_at    TEXT,
    resolved_at     TEXT,
    reviewed_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    updated_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_agency ON incidents (agency_id, detected_at);
CREATE INDEX incidents_open ON incidents (agency_id) WHERE state IN ('detected', 'declared', 'mitigated');

-- The systems an incident affects, each with its RTO clock: down since
-- down_at, restored at restored_at (NULL while down), against the RTO it
-- had when it went down (NULL: none), and the last warning stage sent
-- (incident.Stage: 0 none, 1 half, 2 80 %, 3 breached).
CREATE TABLE incident_systems (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
    system_id   INTEGER NOT NULL REFERENCES systems(id) ON DELETE RESTRICT,
    down_at     TEXT NOT NULL,
    restored_at TEXT,
    rto_minutes INTEGER,
    warned      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, system_id)
);
CREATE INDEX incident_systems_system ON incident_systems (system_id);

-- The timeline: every signal, state change, notification and person's
-- entry, with its author and time. It is never rewritten.
CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    system_id   INTEGER,
    author      TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident_events is append-only');
END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident_events is append-only');
END;
