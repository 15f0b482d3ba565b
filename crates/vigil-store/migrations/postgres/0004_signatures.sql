-- Signatures on input: the public keys each service's releases are signed with, the
-- signatures and attestations received with each release and their verdicts, and the
-- environments that take only signed releases.

CREATE TABLE service_keys (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    -- Hex SHA-256 of the key's SubjectPublicKeyInfo (DER).
    fingerprint TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    pem TEXT NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (service_id, fingerprint)
);

-- kind: 'signature' (detached, over the SBOM or the artifact) or 'attestation' (DSSE).
-- target: 'sbom' or 'artifact' for signatures; the payload type for attestations.
-- verdict: 'verified', 'failed' or 'no_key' (the service has no key to check it with).
CREATE TABLE release_signatures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    release_id BIGINT NOT NULL REFERENCES releases (id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    content BYTEA NOT NULL,
    content_sha256 TEXT NOT NULL,
    verdict TEXT NOT NULL,
    key_fingerprint TEXT,
    predicate_type TEXT,
    detail TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX release_signatures_release ON release_signatures (release_id);

ALTER TABLE environments ADD COLUMN require_signed BIGINT NOT NULL DEFAULT 0;
