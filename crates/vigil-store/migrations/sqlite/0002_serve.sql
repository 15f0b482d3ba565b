-- What `vigil serve` keeps: API tokens, the alert outbox with its deliveries to sinks,
-- and the last run of each scheduled job.

-- Only the SHA-256 of each token's secret is kept; the token is shown once, at creation.
-- environments: a JSON array of the environments the token may touch, NULL for all.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    environments TEXT,
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT,
    revoked_at TEXT
);

-- The outbox: an alert is written in the transaction that causes it. body is the JSON
-- list of advisories. routed turns 1 once deliveries to the matching sinks exist.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    alert_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    environment TEXT NOT NULL,
    service TEXT NOT NULL,
    version TEXT NOT NULL,
    team TEXT,
    severity_rank INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    routed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_unrouted ON alerts (id) WHERE routed = 0;

-- One row per alert and sink. state: pending, delivered or failed (given up).
-- A claimed delivery has next_attempt_at moved past the attempt's timeout, so a
-- process that dies mid-attempt leaves it to be retried.
CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    sink TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (alert_id, sink)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE state = 'pending';

-- The latest run of each scheduled job (osv, kev, epss).
CREATE TABLE job_runs (
    job TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    ok INTEGER,
    duration_ms INTEGER,
    summary TEXT,
    error TEXT,
    runner TEXT,
    last_success_at TEXT
);
