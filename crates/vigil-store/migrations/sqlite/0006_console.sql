-- Web console sessions. A session is made by signing in with an API token and lasts
-- until it expires, is signed out, or its token is revoked. id_sha256 is the SHA-256 of
-- the cookie's secret (the secret itself is never stored); csrf is the token every form
-- of the session must carry.
CREATE TABLE console_sessions (
    id_sha256 TEXT PRIMARY KEY,
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

-- The console lists open findings a page at a time, highest severity first: this index
-- gives that order, so a page reads its rows rather than sorting every open finding.
CREATE INDEX findings_open_rank ON findings (severity_rank DESC, advisory_id, release_id, package_version_id)
    WHERE resolved_at IS NULL;
