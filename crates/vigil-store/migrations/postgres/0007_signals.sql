-- Signals from the running system, tied to the environment, service and release they
-- concern: issues found by DAST, by scanner reports (SARIF, ZAP, Nikto, and vulnerability
-- results of Trivy or Grype that no finding of Vigil's own covers), drift and file
-- integrity changes; runtime alerts (Falco); the runtime inventory; file integrity
-- baselines.

-- An issue, open until a newer report or inventory no longer has it (resolution 'gone')
-- or a triage decision rules it out. kind: dast, sarif, zap, nikto, trivy, grype, drift,
-- fim. source: what a report of the kind covers, so that reports of different sources do
-- not close each other's issues (the tool for scanner reports, the site for DAST, the
-- host and root for file integrity; empty for an inventory, which covers its whole
-- environment). fingerprint: its identity among the issues of one kind, environment,
-- service and source (service_id 0 when none is known: drift of an image no release
-- produced).
CREATE TABLE signals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    environment_id BIGINT NOT NULL REFERENCES environments (id),
    service_id BIGINT NOT NULL,
    release_id BIGINT REFERENCES releases (id),
    source TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    rule TEXT NOT NULL,
    title TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    cwe TEXT,
    location TEXT,
    evidence TEXT,
    fix TEXT,
    tool TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT,
    triage TEXT,
    justification TEXT,
    impact TEXT,
    action TEXT,
    reason TEXT,
    expires_at TEXT,
    decided_by TEXT,
    decided_at TEXT,
    UNIQUE (kind, environment_id, service_id, source, fingerprint)
);
CREATE INDEX signals_open ON signals (environment_id, service_id) WHERE resolved_at IS NULL;

-- Falco alerts as received, deduplicated by uuid, with what they were tied to and how
-- (correlated_by: digest, kubernetes, hostname; NULL when nothing matched).
CREATE TABLE runtime_alerts (
    uuid TEXT PRIMARY KEY,
    environment_id BIGINT REFERENCES environments (id),
    service_id BIGINT REFERENCES services (id),
    release_id BIGINT REFERENCES releases (id),
    correlated_by TEXT,
    rule TEXT NOT NULL,
    priority TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    output TEXT NOT NULL,
    event_time TEXT NOT NULL,
    hostname TEXT,
    source TEXT,
    tags TEXT,
    output_fields TEXT NOT NULL,
    linked TEXT,
    received_at TEXT NOT NULL
);
CREATE INDEX runtime_alerts_received ON runtime_alerts (received_at);

-- How runtime events name environments and services: a hostname, a Kubernetes namespace
-- or a pod label value, mapped to an environment and optionally a service.
CREATE TABLE runtime_mappings (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    environment TEXT NOT NULL,
    service TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);

-- File integrity baselines of a release's files: the manifest (JSON, as vigil-fim writes
-- it), addressed by its SHA-256.
CREATE TABLE fim_baselines (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    release_id BIGINT NOT NULL REFERENCES releases (id),
    root TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    manifest BYTEA NOT NULL,
    files BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX fim_baselines_release ON fim_baselines (release_id);
