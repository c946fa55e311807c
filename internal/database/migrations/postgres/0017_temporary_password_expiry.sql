-- A sign-in with the right password given by someone else too long ago
-- (auth.Settings.TemporaryPasswordValid) is an outcome of its own in the
-- security report.
ALTER TABLE login_events DROP CONSTRAINT login_events_outcome_check,
    ADD CONSTRAINT login_events_outcome_check
    CHECK (outcome IN ('ok', 'bad_password', 'unknown_user', 'locked', 'inactive', 'disabled', 'temporary_expired'));
