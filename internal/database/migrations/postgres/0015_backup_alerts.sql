-- What people were told of a system's backups (issue 7): one row per
-- system and subject — a check (full, incremental, offsite, restore_test,
-- last_run) or an exposure ("exposure:facility_loss") — while it stands,
-- so a finding is told once when it appears, not at every look, and again
-- only once it cleared and came back.
CREATE TABLE backup_alerts (
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    subject   TEXT NOT NULL,
    status    TEXT NOT NULL,
    since     TEXT NOT NULL,
    PRIMARY KEY (system_id, subject)
);
