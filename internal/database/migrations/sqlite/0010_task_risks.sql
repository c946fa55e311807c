-- The risk entries a task treats (issue 4, 1-4 이행과제: tasks link
-- systems, facilities and risks). A risk a task names cannot be deleted
-- until the task lets go of it (RESTRICT), as with its systems and
-- facilities: a link vanishing in a cascade would leave no trace in the
-- audit log.
CREATE TABLE task_risks (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    risk_id INTEGER NOT NULL REFERENCES risks(id) ON DELETE RESTRICT,
    PRIMARY KEY (task_id, risk_id)
);
CREATE INDEX task_risks_risk ON task_risks (risk_id);
