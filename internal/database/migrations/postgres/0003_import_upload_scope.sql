-- An upload belongs to whoever uploaded it: it is applied only in the same
-- scope (the ministry, or one agency), so that a token seen by someone else
-- applies nothing. Uploads kept before this have no known uploader and are
-- dropped; they would have expired within the hour anyway.
DELETE FROM import_uploads;
ALTER TABLE import_uploads ADD COLUMN all_agencies BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE import_uploads ADD COLUMN agency_id BIGINT NOT NULL DEFAULT 0;
