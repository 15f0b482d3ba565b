//! Signatures on input: the keys each service's releases are signed with, the checking
//! of the detached signatures (Ed25519, ECDSA P-256, as cosign makes them) and DSSE
//! attestations that come with a release, and the environments that take only signed
//! releases. Verdicts are recorded, and ledgered, in the release's transaction.

use std::collections::HashSet;

use serde::Serialize;
use time::OffsetDateTime;
use vigil_attest::dsse::Envelope;
use vigil_attest::intoto::Statement;
use vigil_attest::{AttestError, PublicKey};
use vigil_store::{NewSignature, ServiceKey, SignatureRecord, Tx};

use crate::engine::{Engine, sha256};
use crate::error::{EngineError, Result};

/// Largest signature or attestation taken with a release.
pub const MAX_SIGNATURE_BYTES: usize = 4 << 20;
/// Most signatures and attestations with one release.
pub const MAX_SIGNATURES: usize = 32;

/// What came with a release to show who built it.
#[derive(Clone, Debug, Default)]
pub struct SignatureInput<'a> {
    /// Detached signatures over the SBOM bytes (raw, or base64 as cosign writes them).
    pub sbom: Vec<&'a [u8]>,
    /// The artifact's bytes, when signatures over it come along; its SHA-256 becomes
    /// an artifact digest of the release.
    pub artifact: Option<&'a [u8]>,
    /// Detached signatures over the artifact bytes.
    pub artifact_signatures: Vec<&'a [u8]>,
    /// DSSE envelopes: in-toto attestations such as SLSA provenance. One is verified
    /// when a service key signed it and its Statement names the SBOM or an artifact
    /// digest of the release.
    pub attestations: Vec<&'a [u8]>,
}

impl SignatureInput<'_> {
    pub fn is_empty(&self) -> bool {
        self.sbom.is_empty() && self.artifact_signatures.is_empty() && self.attestations.is_empty()
    }

    /// Checks sizes and counts before anything is stored.
    pub(crate) fn check(&self) -> Result<()> {
        let all = self
            .sbom
            .iter()
            .chain(&self.artifact_signatures)
            .chain(&self.attestations);
        if all.clone().count() > MAX_SIGNATURES {
            return Err(EngineError::Invalid(format!(
                "{} signatures and attestations came with the release; the limit is {MAX_SIGNATURES}",
                all.count()
            )));
        }
        for s in all {
            if s.len() > MAX_SIGNATURE_BYTES {
                return Err(EngineError::Invalid(format!(
                    "a signature or attestation of {} bytes is larger than the limit of {MAX_SIGNATURE_BYTES}",
                    s.len()
                )));
            }
        }
        if !self.artifact_signatures.is_empty() && self.artifact.is_none() {
            return Err(EngineError::Invalid(
                "an artifact signature needs the artifact's bytes to be checked against (--artifact FILE)".into(),
            ));
        }
        // A malformed envelope is bad input, refused before anything is stored; a
        // well-formed one that does not verify is recorded as failed.
        for (i, a) in self.attestations.iter().enumerate() {
            Envelope::parse(a)
                .map_err(|e| EngineError::Invalid(format!("attestation {}: {e}", i + 1)))?;
        }
        Ok(())
    }
}

/// The signing state of a release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// At least one signature or attestation verified with a service key, and none failed.
    Signed,
    /// Nothing verified and nothing failed: no signature, or none that could be checked.
    Unsigned,
    /// A signature or attestation failed.
    Bad,
}

impl Verdict {
    pub fn of(records: &[SignatureRecord]) -> Verdict {
        if records.iter().any(|r| r.verdict == "failed") {
            Verdict::Bad
        } else if records.iter().any(|r| r.verdict == "verified") {
            Verdict::Signed
        } else {
            Verdict::Unsigned
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Signed => "signed",
            Verdict::Unsigned => "unsigned",
            Verdict::Bad => "bad",
        }
    }
}

/// The release signatures are checked against.
pub(crate) struct Signed<'a> {
    pub(crate) release_id: i64,
    pub(crate) service: &'a str,
    pub(crate) sbom: &'a [u8],
    pub(crate) sbom_sha256: &'a str,
    /// Its artifact digests (`sha256:...`).
    pub(crate) digests: &'a [String],
}

/// Checks and records the signatures of a release, skipping any recorded before (by
/// the SHA-256 of their bytes). Returns every record of the release.
pub(crate) fn record(
    tx: &mut Tx<'_>,
    release: &Signed<'_>,
    input: &SignatureInput<'_>,
    now: OffsetDateTime,
) -> Result<Vec<SignatureRecord>> {
    let Signed {
        release_id,
        service,
        sbom,
        sbom_sha256,
        digests,
    } = *release;
    if input.is_empty() {
        return Ok(tx.release_signatures(release_id)?);
    }
    let keys = keys_of(tx, service)?;
    let seen: HashSet<String> = tx
        .release_signatures(release_id)?
        .into_iter()
        .map(|r| r.content_sha256)
        .collect();
    let add = |tx: &mut Tx<'_>, s: NewSignature<'_>| -> Result<()> {
        if !seen.contains(s.content_sha256) {
            tx.add_release_signature(release_id, &s, now)?;
        }
        Ok(())
    };
    let blobs = input.sbom.iter().map(|s| ("sbom", sbom, *s)).chain(
        input
            .artifact_signatures
            .iter()
            .map(|s| ("artifact", input.artifact.unwrap_or_default(), *s)),
    );
    for (target, message, signature) in blobs {
        let content_sha256 = sha256(signature);
        let (verdict, key, detail) = match vigil_attest::verify_blob_any(&keys, message, signature)
        {
            Ok(i) => ("verified", keys.get(i).map(PublicKey::fingerprint), None),
            Err(AttestError::NoTrustedKeys) => ("no_key", None, Some(no_key(service))),
            Err(e) => ("failed", None, Some(e.to_string())),
        };
        add(
            tx,
            NewSignature {
                kind: "signature",
                target,
                content: signature,
                content_sha256: &content_sha256,
                verdict,
                key_fingerprint: key.as_deref(),
                predicate_type: None,
                detail: detail.as_deref(),
            },
        )?;
    }
    for bytes in &input.attestations {
        let envelope = Envelope::parse(bytes)
            .map_err(|e| EngineError::Invalid(format!("an attestation: {e}")))?;
        let content_sha256 = sha256(bytes);
        let statement = Statement::from_envelope(&envelope).ok();
        let predicate_type = statement.as_ref().map(|s| s.predicate_type.clone());
        let (verdict, key, detail) = match vigil_attest::dsse::verify(&envelope, &keys) {
            Err(AttestError::NoTrustedKeys) => ("no_key", None, Some(no_key(service))),
            Err(e) => ("failed", None, Some(e.to_string())),
            Ok(v) => {
                let key = v.key_fingerprints.first().cloned();
                match &statement {
                    Some(s) if !names_release(s, sbom_sha256, digests) => (
                        "failed",
                        key,
                        Some(
                            "the attestation is signed, but its subjects name neither the SBOM nor an artifact digest of this release"
                                .to_owned(),
                        ),
                    ),
                    Some(_) => ("verified", key, None),
                    // Signed, but nothing in it says which artifact it is about: it
                    // cannot vouch for this release.
                    None => (
                        "failed",
                        key,
                        Some(format!(
                            "the envelope is signed, but its payload ({}) is not an in-toto Statement naming this release",
                            envelope.payload_type
                        )),
                    ),
                }
            }
        };
        add(
            tx,
            NewSignature {
                kind: "attestation",
                target: &envelope.payload_type,
                content: bytes,
                content_sha256: &content_sha256,
                verdict,
                key_fingerprint: key.as_deref(),
                predicate_type: predicate_type.as_deref(),
                detail: detail.as_deref(),
            },
        )?;
    }
    Ok(tx.release_signatures(release_id)?)
}

fn no_key(service: &str) -> String {
    format!(
        "service {service} has no signing key to check it with; add one with `vigil service key add`"
    )
}

/// Whether an in-toto Statement is about this release: it names the SBOM's SHA-256 or
/// one of the release's artifact digests.
fn names_release(s: &Statement, sbom_sha256: &str, digests: &[String]) -> bool {
    s.names_digest("sha256", sbom_sha256)
        || digests.iter().any(|d| {
            d.split_once(':')
                .is_some_and(|(alg, hex)| s.names_digest(alg, hex))
        })
}

/// The keys a service's releases may be signed with.
fn keys_of(tx: &mut Tx<'_>, service: &str) -> Result<Vec<PublicKey>> {
    tx.service_keys(Some(service))?
        .into_iter()
        .map(|k| {
            PublicKey::from_pem(&k.pem).map_err(|e| {
                EngineError::Conflict(format!(
                    "the stored key {} of service {service} does not parse: {e}",
                    k.fingerprint
                ))
            })
        })
        .collect()
}

/// Refuses a deployment of an unsigned or badly signed release to an environment that
/// takes only signed ones.
pub(crate) fn check_policy(
    tx: &mut Tx<'_>,
    environment: &str,
    release: &vigil_store::Release,
) -> Result<()> {
    let Some(env) = tx.environment(environment)? else {
        return Ok(());
    };
    if !env.require_signed {
        return Ok(());
    }
    let verdict = Verdict::of(&tx.release_signatures(release.id)?);
    if verdict == Verdict::Signed {
        return Ok(());
    }
    let why = match verdict {
        Verdict::Bad => "a signature or attestation of it failed to verify",
        _ => "no signature or attestation of it verified with a key of its service",
    };
    Err(EngineError::Conflict(format!(
        "{environment} takes only signed releases, and {} {} is not: {why}; add a signature made with a key of `vigil service key list --service {}` (vigil release add ... --sbom-signature FILE)",
        release.service, release.version, release.service
    )))
}

impl Engine {
    /// Adds a public key (PEM) that releases of `service` may be signed with.
    pub fn add_service_key(&mut self, service: &str, pem: &str) -> Result<ServiceKey> {
        self.check_name("service", service)?;
        if pem.len() > 64 * 1024 {
            return Err(EngineError::Invalid(format!(
                "the key is {} bytes long; a public key is a few hundred",
                pem.len()
            )));
        }
        let key = PublicKey::from_pem(pem).map_err(|e| EngineError::Invalid(e.to_string()))?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        let service_id = tx.upsert_service(service, None, now)?;
        let fingerprint = key.fingerprint();
        tx.add_service_key(
            service_id,
            &fingerprint,
            key.algorithm().as_str(),
            &key.to_pem(),
            now,
        )?;
        let stored = tx
            .service_keys(Some(service))?
            .into_iter()
            .find(|k| k.fingerprint == fingerprint)
            .ok_or_else(|| EngineError::Conflict("the key was not stored".into()))?;
        tx.commit()?;
        Ok(stored)
    }

    /// Removes a key from a service, by fingerprint.
    pub fn remove_service_key(&mut self, service: &str, fingerprint: &str) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        let s = tx.service(service)?.ok_or_else(|| EngineError::NotFound {
            what: format!("no service {service}"),
            hint: None,
        })?;
        if !tx.remove_service_key(s.id, fingerprint, now)? {
            return Err(EngineError::NotFound {
                what: format!("service {service} has no key {fingerprint}"),
                hint: Some(format!(
                    "list them with `vigil service key list --service {service}`"
                )),
            });
        }
        tx.commit()?;
        Ok(())
    }

    /// The keys of one service, or of all.
    pub fn service_keys(&mut self, service: Option<&str>) -> Result<Vec<ServiceKey>> {
        if let Some(name) = service {
            self.check_name("service", name)?;
        }
        Ok(self.store.read()?.service_keys(service)?)
    }

    /// Sets whether `environment` takes only signed releases (creating it if new).
    pub fn set_require_signed(&mut self, environment: &str, required: bool) -> Result<()> {
        self.set_environment_policy(environment, Some(required), None)?;
        Ok(())
    }

    /// The signatures and attestations recorded for a release, with its verdict.
    pub fn release_signatures(
        &mut self,
        service: &str,
        version: &str,
    ) -> Result<(Verdict, Vec<SignatureRecord>)> {
        let mut tx = self.store.read()?;
        let release = tx
            .release(service, version)?
            .ok_or_else(|| EngineError::NotFound {
                what: format!("no release {service} {version}"),
                hint: None,
            })?;
        let records = tx.release_signatures(release.id)?;
        Ok((Verdict::of(&records), records))
    }
}
