-- Running an incident (issue 6, SPEC §4.5): who is told, services run by
-- hand and what offices took in meanwhile, data lost, and the review with
-- its corrective actions.

-- Call lists (정/부 담당자). A row with a system is on that system's list;
-- with an agency and no system, on the agency's list (its head among
-- them); with neither, on the ministry's list, told when a grade-1 or -2
-- clock escalates. A contact is reached by email, by a signed webhook (an
-- SMS gateway or a messenger; the phone travels in the webhook's data), or
-- both. The webhook secret is written, never read back through the API.
CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY,
    agency_id      INTEGER REFERENCES agencies(id) ON DELETE CASCADE,
    system_id      INTEGER REFERENCES systems(id) ON DELETE CASCADE,
    role           TEXT NOT NULL CHECK (role IN ('primary', 'secondary', 'head', 'ministry')),
    name           TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    webhook_url    TEXT NOT NULL DEFAULT '',
    webhook_secret TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (system_id IS NULL OR agency_id IS NOT NULL),
    CHECK ((agency_id IS NULL) = (role = 'ministry')),
    CHECK (email <> '' OR webhook_url <> '')
);
CREATE INDEX contacts_agency ON contacts (agency_id, system_id);
CREATE INDEX contacts_system ON contacts (system_id);

-- The review (reviewed_at in 0012): what happened and why, and the reason
-- an admin gave to close it with manual items still outstanding.
ALTER TABLE incidents ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN cause TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN review_override TEXT NOT NULL DEFAULT '';

-- A service an incident switched into manual mode (오프라인 업무 전환),
-- since when and until when (ended_at NULL: still by hand), and the notice citizens
-- read on the public status page (the manual alternative: visit a 고용센터,
-- apply by fax).
CREATE TABLE incident_manual_modes (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE RESTRICT,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    notice      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, service_id)
);
CREATE INDEX incident_manual_modes_service ON incident_manual_modes (service_id);

-- What one office took by hand during the incident, and how many of those
-- have been entered back (incident.ManualBatch).
CREATE TABLE manual_batches (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
    service_id    INTEGER NOT NULL REFERENCES services(id) ON DELETE RESTRICT,
    office        TEXT NOT NULL,
    count         INTEGER NOT NULL CHECK (count > 0),
    first_receipt TEXT NOT NULL DEFAULT '',
    last_receipt  TEXT NOT NULL DEFAULT '',
    entered       INTEGER NOT NULL DEFAULT 0 CHECK (entered >= 0 AND entered <= count),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX manual_batches_incident ON manual_batches (incident_id, id);

-- The data-loss ledger: what data of which system and period was lost,
-- whether and from where it can be rebuilt, and when it was.
CREATE TABLE data_losses (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
    system_id    INTEGER NOT NULL REFERENCES systems(id) ON DELETE RESTRICT,
    what         TEXT NOT NULL,
    lost_from    TEXT NOT NULL,
    lost_to      TEXT NOT NULL,
    rebuild      TEXT NOT NULL CHECK (rebuild IN ('unknown', 'full', 'partial', 'none')),
    rebuild_from TEXT NOT NULL DEFAULT '',
    rebuilt_at   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX data_losses_incident ON data_losses (incident_id, id);

-- The review's corrective actions, each a task (④).
CREATE TABLE incident_tasks (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, task_id)
);
CREATE INDEX incident_tasks_task ON incident_tasks (task_id);
