//! Signatures on input: the public keys a service's releases are signed with, the
//! signatures and attestations received with a release and their verdicts, and which
//! environments take only signed releases. Each change is a ledger leaf.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Tx;
use crate::catalog::Environment;
use crate::error::{Result, StoreError};
use crate::sql::{Row, params};
use crate::time::format;

/// A public key a service's releases may be signed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceKey {
    pub service: String,
    /// Hex SHA-256 of the key's SubjectPublicKeyInfo.
    pub fingerprint: String,
    /// `ed25519` or `ecdsa-p256-sha256`.
    pub algorithm: String,
    pub pem: String,
    pub added_at: String,
}

/// A signature or attestation to record, with its verdict.
#[derive(Clone, Debug)]
pub struct NewSignature<'a> {
    /// `signature` or `attestation`.
    pub kind: &'a str,
    /// `sbom` or `artifact` for a signature; the payload type of an attestation.
    pub target: &'a str,
    /// The signature or DSSE envelope as received.
    pub content: &'a [u8],
    pub content_sha256: &'a str,
    /// `verified`, `failed` or `no_key`.
    pub verdict: &'a str,
    /// The key that verified it.
    pub key_fingerprint: Option<&'a str>,
    /// An attestation's in-toto predicate type.
    pub predicate_type: Option<&'a str>,
    /// Why it failed, or what it says.
    pub detail: Option<&'a str>,
}

/// A recorded signature or attestation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub kind: String,
    pub target: String,
    pub content_sha256: String,
    pub verdict: String,
    pub key_fingerprint: Option<String>,
    pub predicate_type: Option<String>,
    pub detail: Option<String>,
    pub created_at: String,
}

fn service_key(mut r: Row) -> ServiceKey {
    ServiceKey {
        service: r.text(0),
        fingerprint: r.text(1),
        algorithm: r.text(2),
        pem: r.text(3),
        added_at: r.text(4),
    }
}

fn signature(mut r: Row) -> SignatureRecord {
    SignatureRecord {
        kind: r.text(0),
        target: r.text(1),
        content_sha256: r.text(2),
        verdict: r.text(3),
        key_fingerprint: r.opt_text(4),
        predicate_type: r.opt_text(5),
        detail: r.opt_text(6),
        created_at: r.text(7),
    }
}

impl Tx<'_> {
    /// Adds a key to a service; false when the service had it already.
    pub fn add_service_key(
        &mut self,
        service_id: i64,
        fingerprint: &str,
        algorithm: &str,
        pem: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let now = format(now);
        let n = self.c().execute(
            "INSERT INTO service_keys (service_id, fingerprint, algorithm, pem, added_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (service_id, fingerprint) DO NOTHING",
            params![service_id, fingerprint, algorithm, pem, now.as_str()],
        )?;
        if n > 0 {
            let service = self.service_name(service_id)?;
            self.ledger_event(
                "service.key.added",
                format!("service/{service}"),
                &now,
                serde_json::json!({
                    "service": service,
                    "fingerprint": fingerprint,
                    "algorithm": algorithm,
                    "pem": pem,
                }),
            );
        }
        Ok(n > 0)
    }

    /// Removes a key from a service; false when it did not have it.
    pub fn remove_service_key(
        &mut self,
        service_id: i64,
        fingerprint: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let n = self.c().execute(
            "DELETE FROM service_keys WHERE service_id = ? AND fingerprint = ?",
            params![service_id, fingerprint],
        )?;
        if n > 0 {
            let service = self.service_name(service_id)?;
            self.ledger_event(
                "service.key.removed",
                format!("service/{service}"),
                &format(now),
                serde_json::json!({ "service": service, "fingerprint": fingerprint }),
            );
        }
        Ok(n > 0)
    }

    /// The keys of a service, or of every service, by service then fingerprint.
    pub fn service_keys(&mut self, service: Option<&str>) -> Result<Vec<ServiceKey>> {
        let sql = "SELECT s.name, k.fingerprint, k.algorithm, k.pem, k.added_at
                   FROM service_keys k JOIN services s ON s.id = k.service_id";
        let rows = match service {
            Some(name) => self.c().query(
                &format!("{sql} WHERE s.name = ? ORDER BY s.name, k.fingerprint"),
                params![name],
            )?,
            None => self
                .c()
                .query(&format!("{sql} ORDER BY s.name, k.fingerprint"), &[])?,
        };
        Ok(rows.into_iter().map(service_key).collect())
    }

    /// Records a signature or attestation of a release, with its verdict.
    pub fn add_release_signature(
        &mut self,
        release_id: i64,
        s: &NewSignature<'_>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = format(now);
        self.c().execute(
            "INSERT INTO release_signatures (release_id, kind, target, content, content_sha256,
                 verdict, key_fingerprint, predicate_type, detail, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                release_id,
                s.kind,
                s.target,
                s.content,
                s.content_sha256,
                s.verdict,
                s.key_fingerprint,
                s.predicate_type,
                s.detail,
                now.as_str()
            ],
        )?;
        let release = self
            .release_by_id(release_id)?
            .ok_or_else(|| StoreError::Input(format!("no release has id {release_id}")))?;
        self.ledger_event(
            "release.signature",
            crate::ledger::release_subject(&release.service, &release.version),
            &now,
            serde_json::json!({
                "service": release.service,
                "version": release.version,
                "kind": s.kind,
                "target": s.target,
                "content_sha256": s.content_sha256,
                "verdict": s.verdict,
                "key_fingerprint": s.key_fingerprint,
                "predicate_type": s.predicate_type,
                "detail": s.detail,
            }),
        );
        Ok(())
    }

    /// The signatures and attestations recorded for a release, oldest first.
    pub fn release_signatures(&mut self, release_id: i64) -> Result<Vec<SignatureRecord>> {
        Ok(self
            .c()
            .query(
                "SELECT kind, target, content_sha256, verdict, key_fingerprint, predicate_type,
                     detail, created_at
                 FROM release_signatures WHERE release_id = ? ORDER BY id",
                params![release_id],
            )?
            .into_iter()
            .map(signature)
            .collect())
    }

    /// The bytes of a release's signatures and attestations, as received, by the hex
    /// SHA-256 of the bytes.
    pub fn release_signature_contents(
        &mut self,
        release_id: i64,
    ) -> Result<std::collections::HashMap<String, Vec<u8>>> {
        Ok(self
            .c()
            .query(
                "SELECT content_sha256, content FROM release_signatures WHERE release_id = ?",
                params![release_id],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.blob(1)))
            .collect())
    }

    /// Sets an environment's policy: whether it takes only signed releases, and its SLA
    /// policy text (`Some(None)`: the defaults). What is not given stays. The change is
    /// one ledger leaf with the policy as it now stands.
    pub fn set_environment_policy(
        &mut self,
        environment_id: i64,
        require_signed: Option<bool>,
        sla: Option<Option<&str>>,
        now: OffsetDateTime,
    ) -> Result<Environment> {
        let mut row = self
            .c()
            .query_opt(
                "UPDATE environments SET
                     require_signed = CASE WHEN ? THEN ? ELSE require_signed END,
                     sla = CASE WHEN ? THEN ? ELSE sla END
                 WHERE id = ? RETURNING id, name, created_at, require_signed, sla",
                params![
                    require_signed.is_some(),
                    require_signed.unwrap_or(false),
                    sla.is_some(),
                    sla.flatten(),
                    environment_id
                ],
            )?
            .ok_or_else(|| StoreError::Input(format!("no environment has id {environment_id}")))?;
        let env = Environment {
            id: row.int(0),
            name: row.text(1),
            created_at: row.text(2),
            require_signed: row.int(3) != 0,
            sla: row.opt_text(4),
        };
        self.ledger_event(
            "environment.policy",
            format!("environment/{}", env.name),
            &format(now),
            serde_json::json!({
                "environment": env.name,
                "require_signed": env.require_signed,
                "sla": env.sla,
            }),
        );
        Ok(env)
    }

    fn service_name(&mut self, id: i64) -> Result<String> {
        self.c()
            .query_opt("SELECT name FROM services WHERE id = ?", params![id])?
            .map(|mut r| r.text(0))
            .ok_or_else(|| StoreError::Input(format!("no service has id {id}")))
    }
}
