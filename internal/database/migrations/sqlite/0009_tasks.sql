-- Tasks (issue 4, 1-4 이행과제 선정): each agency's implementation tasks,
-- the records they name, and the proposals users dismissed.
--
-- due is a calendar date, YYYY-MM-DD, so that text order is date order.
-- proposal_key names the proposal a task was accepted from ('' for a task
-- written by hand); while the task exists the proposal stays decided, and
-- the partial unique index keeps one proposal from being accepted twice.
-- A system or facility a task names cannot be deleted until the task lets
-- go of it (RESTRICT): a link vanishing in a cascade would leave no trace
-- in the audit log.
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    agency_id    INTEGER NOT NULL REFERENCES agencies(id) ON DELETE RESTRICT,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    term         TEXT NOT NULL CHECK (term IN ('short', 'mid_long')),
    owner        TEXT NOT NULL DEFAULT '',
    due          TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
    criterion    TEXT NOT NULL,
    template     TEXT NOT NULL DEFAULT '',
    proposal_key TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tasks_agency ON tasks (agency_id, due);
CREATE UNIQUE INDEX tasks_proposal ON tasks (agency_id, proposal_key) WHERE proposal_key <> '';

CREATE TABLE task_systems (
    task_id   INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE RESTRICT,
    PRIMARY KEY (task_id, system_id)
);
CREATE INDEX task_systems_system ON task_systems (system_id);

CREATE TABLE task_facilities (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
    PRIMARY KEY (task_id, facility_id)
);
CREATE INDEX task_facilities_facility ON task_facilities (facility_id);

-- A proposal a user dismissed, with the reason: it stays away while the
-- facts it rests on (fingerprint) are the same. Proposals themselves are
-- computed, never stored; summary is what the proposal said when dismissed.
CREATE TABLE proposal_dismissals (
    id           INTEGER PRIMARY KEY,
    agency_id    INTEGER NOT NULL REFERENCES agencies(id) ON DELETE RESTRICT,
    proposal_key TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL DEFAULT '',
    UNIQUE (agency_id, proposal_key)
);
