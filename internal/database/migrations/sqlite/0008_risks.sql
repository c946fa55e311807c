-- Risks (issue 4 ②, SPEC §4.2): entries of the plan's risk catalogue, each
-- belonging to one agency and, optionally, to a facility and/or one of the
-- agency's systems, rated likelihood × impact before and after controls.
-- kind and sub_kind are keys of the catalogue in internal/risk (checked
-- there, so that the catalogue can grow without a migration). A facility or
-- system with entries cannot be deleted until its entries are.

CREATE TABLE risks (
    id                  INTEGER PRIMARY KEY,
    agency_id           INTEGER NOT NULL REFERENCES agencies(id) ON DELETE RESTRICT,
    facility_id         INTEGER REFERENCES facilities(id) ON DELETE RESTRICT,
    system_id           INTEGER REFERENCES systems(id) ON DELETE RESTRICT,
    kind                TEXT NOT NULL,
    sub_kind            TEXT NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    likelihood          INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact              INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    controls            TEXT NOT NULL DEFAULT '',
    owner               TEXT NOT NULL DEFAULT '',
    residual_likelihood INTEGER NOT NULL CHECK (residual_likelihood BETWEEN 1 AND 5),
    residual_impact     INTEGER NOT NULL CHECK (residual_impact BETWEEN 1 AND 5),
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mitigating', 'accepted', 'closed')),
    source              TEXT NOT NULL DEFAULT '',
    review_date         TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX risks_agency ON risks (agency_id);
CREATE INDEX risks_facility ON risks (facility_id);
CREATE INDEX risks_system ON risks (system_id);
