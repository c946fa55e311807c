-- One row counting committed changes to the systems' recovery points (a
-- report that stored a run, a move received), so that the latest state of
-- every system can be cached until the next change, across every tower
-- instance sharing the database: the backup page then reads one row, not
-- 10,000 systems' points.
CREATE TABLE backup_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO backup_state (id, version) VALUES (1, 0);
