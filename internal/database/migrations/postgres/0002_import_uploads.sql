-- Files uploaded for an import, kept between the preview and the apply so
-- that a browser without JavaScript need not send them twice, and so that
-- any tower instance sharing the database can apply them.
CREATE TABLE import_uploads (
    token       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    data        BYTEA NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (token, seq)
);
CREATE INDEX import_uploads_created ON import_uploads (created_at);
