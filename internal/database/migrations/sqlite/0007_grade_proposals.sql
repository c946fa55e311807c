-- Grade-change proposals (issue 4, plan 1-1 등급 조정): someone who may edit
-- a system proposes another grade with a reason; a ministry admin approves
-- (the grade is set on the system in the same transaction) or rejects with a
-- note; the proposer may withdraw it while it waits.
--
-- from_grade is the system's grade when the proposal was made (NULL: none
-- recorded); approval is refused when the system's grade has moved since.
-- Who proposed and who decided are kept as the audit log names actors (kind,
-- id, name), since a proposal may come from a person or a script token.
-- Deleting a system deletes its proposals first, each as an audited change
-- (grading.DeleteProposalsOf); RESTRICT makes a path that forgot to fail
-- rather than let them vanish unaudited in a cascade.
-- At most one proposal per system waits at a time (the partial index).
CREATE TABLE grade_proposals (
    id               INTEGER PRIMARY KEY,
    system_id        INTEGER NOT NULL REFERENCES systems(id) ON DELETE RESTRICT,
    from_grade       INTEGER CHECK (from_grade BETWEEN 1 AND 4),
    to_grade         INTEGER NOT NULL CHECK (to_grade BETWEEN 1 AND 4),
    reason           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    proposed_by_kind TEXT NOT NULL,
    proposed_by_id   INTEGER NOT NULL DEFAULT 0,
    proposed_by_name TEXT NOT NULL,
    proposed_at      TEXT NOT NULL,
    decided_by_kind  TEXT NOT NULL DEFAULT '',
    decided_by_id    INTEGER NOT NULL DEFAULT 0,
    decided_by_name  TEXT NOT NULL DEFAULT '',
    decided_at       TEXT,
    decision_note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX grade_proposals_system ON grade_proposals (system_id, id);
CREATE UNIQUE INDEX grade_proposals_one_pending ON grade_proposals (system_id) WHERE status = 'pending';
