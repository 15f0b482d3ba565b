-- Response: the teams that own services, triage decisions (from people and from VEX
-- documents) and the effective decision on each finding, SLA policies per environment,
-- and earlier versions of advisories, for exposure at a past instant.

-- contacts: a JSON object (email, slack, pager, url, ...). source: 'cli', 'api' or
-- 'backstage:<file>'.
CREATE TABLE teams (
    name TEXT PRIMARY KEY,
    title TEXT,
    contacts TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- VEX documents as received, addressed by the SHA-256 of their bytes.
CREATE TABLE vex_documents (
    sha256 TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    statements INTEGER NOT NULL,
    actor TEXT,
    imported_at TEXT NOT NULL
);

-- Triage decisions, append-only but for revocation and lapse. Scope, from narrowest:
-- a release (and with purl, one finding), a service (with purl, one package version or
-- package in every release of it), a package (purl) everywhere, or the advisory
-- everywhere. vulnerability is the advisory id or alias as stated. status is a VEX
-- status (under_investigation, affected, not_affected, fixed) or risk_accepted, which
-- has expires_at; lapsed_at records when an acceptance expired and stopped applying.
-- source: 'cli', 'api' or 'vex:<sha256>'.
CREATE TABLE triage_decisions (
    id INTEGER PRIMARY KEY,
    vulnerability TEXT NOT NULL,
    scope TEXT NOT NULL,
    release_id INTEGER REFERENCES releases (id),
    service_id INTEGER REFERENCES services (id),
    purl TEXT,
    status TEXT NOT NULL,
    justification TEXT,
    impact TEXT,
    action TEXT,
    expires_at TEXT,
    reason TEXT,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    lapsed_at TEXT
);
CREATE INDEX triage_decisions_vulnerability ON triage_decisions (vulnerability);

-- The decision in effect on each finding: its status and id. A finding that not_affected
-- or fixed rules out is resolved with that resolution.
ALTER TABLE findings ADD COLUMN triage TEXT;
ALTER TABLE findings ADD COLUMN decision_id INTEGER;
CREATE INDEX findings_decision ON findings (decision_id) WHERE decision_id IS NOT NULL;

-- The SBOM's own identity (CycloneDX serialNumber, SPDX namespace), which VEX documents
-- name releases by (BOM-links).
ALTER TABLE releases ADD COLUMN sbom_serial TEXT;
CREATE INDEX releases_sbom_serial ON releases (sbom_serial);

-- Days to remediate by severity for this environment ("critical=7,high=30,..."); NULL
-- takes the defaults.
ALTER TABLE environments ADD COLUMN sla TEXT;

-- Advisory versions that a newer one replaced: [imported_at, replaced_at) is when each
-- was the one Vigil knew.
CREATE TABLE advisory_revisions (
    advisory_id TEXT NOT NULL,
    modified TEXT NOT NULL,
    withdrawn TEXT,
    content_sha256 TEXT NOT NULL,
    json BLOB NOT NULL,
    imported_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    PRIMARY KEY (advisory_id, replaced_at, content_sha256)
);
