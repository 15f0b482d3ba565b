-- The evidence store: catalog, releases and their packages, deployments, advisories,
-- exploit intelligence and findings. Timestamps are UTC RFC 3339 text with whole
-- seconds ("2026-03-03T10:00:00Z"), which sorts as it reads.

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    owner TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE application_services (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    PRIMARY KEY (application_id, service_id)
);

CREATE TABLE environments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- SBOMs as received, addressed by the SHA-256 of their bytes.
CREATE TABLE sboms (
    sha256 TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services (id),
    version TEXT NOT NULL,
    sbom_sha256 TEXT NOT NULL REFERENCES sboms (sha256),
    commit_sha TEXT,
    repository TEXT,
    builder TEXT,
    built_at TEXT,
    components INTEGER NOT NULL,
    packages INTEGER NOT NULL,
    unmatchable INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (service_id, version)
);

CREATE TABLE release_digests (
    digest TEXT PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id)
);
CREATE INDEX release_digests_release ON release_digests (release_id);

-- One row per distinct package URL (with version) seen in any release. `pkg` is the
-- match key, "family/normalized-name", shared with advisory_packages; `ecosystem`,
-- `name` and `version` are what OSV compares (the source package for OS packages).
CREATE TABLE package_versions (
    id INTEGER PRIMARY KEY,
    purl TEXT NOT NULL UNIQUE,
    pkg TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    installed TEXT
);
CREATE INDEX package_versions_pkg ON package_versions (pkg);

-- dependency: 0 the product itself, 1 direct, 2 transitive, 3 not stated.
CREATE TABLE release_packages (
    release_id INTEGER NOT NULL REFERENCES releases (id),
    package_version_id INTEGER NOT NULL REFERENCES package_versions (id),
    dependency INTEGER NOT NULL,
    path TEXT,
    PRIMARY KEY (release_id, package_version_id)
) WITHOUT ROWID;
CREATE INDEX release_packages_package ON release_packages (package_version_id);

-- Append-only: a row with no release_id is an undeploy.
CREATE TABLE deployments (
    id INTEGER PRIMARY KEY,
    environment_id INTEGER NOT NULL REFERENCES environments (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    release_id INTEGER REFERENCES releases (id),
    actor TEXT,
    source TEXT,
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX deployments_env_service ON deployments (environment_id, service_id, at);
CREATE INDEX deployments_release ON deployments (release_id);

-- What runs now: the latest deployment event per environment and service, kept in the
-- same transaction as the event.
CREATE TABLE running (
    environment_id INTEGER NOT NULL REFERENCES environments (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    release_id INTEGER NOT NULL REFERENCES releases (id),
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    since TEXT NOT NULL,
    PRIMARY KEY (environment_id, service_id)
);
CREATE INDEX running_release ON running (release_id);

CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    published TEXT,
    withdrawn TEXT,
    summary TEXT,
    severity_rank INTEGER NOT NULL,
    severity_score REAL,
    severity_vector TEXT,
    content_sha256 TEXT NOT NULL,
    json BLOB NOT NULL,
    source TEXT,
    imported_at TEXT NOT NULL
);

CREATE TABLE advisory_aliases (
    alias TEXT NOT NULL,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    PRIMARY KEY (alias, advisory_id)
);
CREATE INDEX advisory_aliases_advisory ON advisory_aliases (advisory_id);

CREATE TABLE advisory_packages (
    pkg TEXT NOT NULL,
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    PRIMARY KEY (pkg, advisory_id)
);
CREATE INDEX advisory_packages_advisory ON advisory_packages (advisory_id);

CREATE TABLE kev (
    cve_id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    name TEXT NOT NULL,
    date_added TEXT NOT NULL,
    due_date TEXT,
    ransomware TEXT,
    required_action TEXT
);

CREATE TABLE epss (
    cve_id TEXT PRIMARY KEY,
    score REAL NOT NULL,
    percentile REAL NOT NULL
);

-- The last import of each whole feed (kev, epss): its own version and when.
CREATE TABLE intel_imports (
    feed TEXT PRIMARY KEY,
    version TEXT,
    records INTEGER NOT NULL,
    source TEXT,
    imported_at TEXT NOT NULL
);

-- How far an OSV feed sync got, per base URL and ecosystem.
CREATE TABLE feed_cursors (
    base TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    cursor TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (base, ecosystem)
);

-- A package version of a release matched by an advisory. certainty: 'affected' or
-- 'unknown' (the advisory names the package but a range could not be evaluated).
-- resolution: 'undeployed', 'withdrawn' or 'unmatched' once resolved.
CREATE TABLE findings (
    release_id INTEGER NOT NULL REFERENCES releases (id),
    package_version_id INTEGER NOT NULL REFERENCES package_versions (id),
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    matched TEXT NOT NULL,
    certainty TEXT NOT NULL,
    reason TEXT,
    fix TEXT NOT NULL,
    fixed TEXT,
    severity_rank INTEGER NOT NULL,
    severity_score REAL,
    first_seen TEXT NOT NULL,
    first_exposed TEXT,
    resolved_at TEXT,
    resolution TEXT,
    matcher TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (release_id, package_version_id, advisory_id)
) WITHOUT ROWID;
CREATE INDEX findings_advisory ON findings (advisory_id);
