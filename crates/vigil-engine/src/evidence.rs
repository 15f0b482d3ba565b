//! Evidence bundles: one JSON file holding what an auditor needs about one release (its
//! record, SBOM bytes, signature verdicts, every deployment of its service, its findings
//! with their history), the ledger leaves behind all of it with inclusion proofs to one
//! signed checkpoint, and that checkpoint. [`verify_bundle`] checks a bundle offline,
//! with no store, and says what it proved. The format is in `docs/evidence-bundle.md`.

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use vigil_ledger::note::NoteVerifier;
use vigil_ledger::{Hash, verify_inclusion};
use vigil_store::Release;

use crate::engine::{Engine, sha256};
use crate::error::{EngineError, Result};

/// The `format` of bundles this build writes and reads.
pub const BUNDLE_FORMAT: &str = "vigil-evidence-bundle/1";

/// Largest bundle [`verify_bundle`] reads.
pub const MAX_BUNDLE_BYTES: usize = 1 << 30;

/// An evidence bundle, as written to the file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub exported_at: String,
    pub service: String,
    pub version: String,
    /// The signed checkpoint (a C2SP signed note) every proof leads to.
    pub checkpoint: String,
    /// The release as the store holds it.
    pub release: Release,
    pub sbom: SbomBlob,
    /// Signatures and attestations received with the release, with their verdicts.
    pub signatures: Vec<BundleSignature>,
    /// Every deployment event of the service, oldest first by time.
    pub deployments: Vec<vigil_store::Deployment>,
    /// The release's findings: each finding's subject and the indexes of its leaves.
    pub findings: Vec<BundleFinding>,
    /// Every leaf the records above rest on, with its inclusion proof.
    pub leaves: Vec<BundleLeaf>,
}

/// The SBOM bytes as received.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SbomBlob {
    pub sha256: String,
    pub base64: String,
}

/// A signature or attestation as received, with the verdict Vigil recorded.
// No `deny_unknown_fields`: serde does not support it together with `flatten`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleSignature {
    #[serde(flatten)]
    pub record: vigil_store::SignatureRecord,
    /// The signature or DSSE envelope bytes, base64.
    pub base64: String,
}

/// A finding and its history.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleFinding {
    pub subject: String,
    /// The leaves recording its states, oldest first.
    pub leaves: Vec<u64>,
}

/// A ledger leaf with its inclusion proof in the checkpoint's tree.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleLeaf {
    pub index: u64,
    /// The leaf's bytes: the event as RFC 8785 canonical JSON.
    pub data: String,
    /// Hex hashes, from the leaf up (RFC 9162 order).
    pub proof: Vec<String>,
}

impl Engine {
    /// The evidence bundle of `service` at `version`, proved to the latest checkpoint
    /// (signed now if the ledger grew and a key is configured).
    pub fn export_evidence(&mut self, service: &str, version: &str) -> Result<Bundle> {
        if self.store.ledger_signer().is_some() {
            self.checkpoint()?;
        }
        let now = vigil_store::time::format(self.now());
        let mut tx = self.store.read()?;
        let checkpoint = tx
            .latest_checkpoint()?
            .ok_or_else(|| EngineError::NotFound {
                what: "no checkpoint is signed yet, so nothing can be proved".into(),
                hint: Some(
                    "configure a ledger key (`vigil init`) and run `vigil ledger checkpoint`"
                        .into(),
                ),
            })?;
        let release = tx
            .release(service, version)?
            .ok_or_else(|| EngineError::NotFound {
                what: format!("no release {service} {version}"),
                hint: Some(format!(
                    "list them with `vigil release list --service {service}`"
                )),
            })?;
        let sbom = tx.sbom(&release.sbom_sha256)?.ok_or_else(|| {
            EngineError::Conflict(format!(
                "the SBOM {} of {service} {version} is missing from the store",
                release.sbom_sha256
            ))
        })?;
        let mut contents = tx.release_signature_contents(release.id)?;
        let signatures: Vec<BundleSignature> = tx
            .release_signatures(release.id)?
            .into_iter()
            .filter_map(|record| {
                let content = contents.remove(&record.content_sha256)?;
                Some(BundleSignature {
                    record,
                    base64: base64::engine::general_purpose::STANDARD.encode(content),
                })
            })
            .collect();
        let deployments: Vec<_> = tx
            .deployments()?
            .into_iter()
            .filter(|d| d.service == service)
            .collect();
        // Only leaves in the checkpoint's tree, and only those whose data says they are
        // about this service and release (a subject alone is ambiguous when names hold
        // `@` or `/`).
        let size = checkpoint.size;
        let about = |l: &vigil_store::Leaf, of_release: bool| -> bool {
            let Ok(v) = serde_json::from_slice::<Json>(&l.data) else {
                return false;
            };
            l.index < size
                && v["data"]["service"] == service
                && (!of_release || v["data"]["version"] == version)
        };
        let mut leaves: Vec<vigil_store::Leaf> = tx
            .ledger_leaves_of(&vigil_store::release_subject(service, version))?
            .into_iter()
            .filter(|l| about(l, true))
            .collect();
        for d in &deployments {
            leaves.extend(
                tx.ledger_leaves_of(&format!("deployment/{}", d.id))?
                    .into_iter()
                    .filter(|l| about(l, false)),
            );
        }
        let finding_leaves: Vec<_> = tx
            .ledger_leaves_under(&format!("finding/{service}@{version}/"), 0, u64::MAX)?
            .into_iter()
            .filter(|l| about(l, true))
            .collect();
        let mut findings: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut advisories = HashSet::new();
        for l in &finding_leaves {
            findings.entry(l.subject.clone()).or_default().push(l.index);
            if let Some(id) = l.subject.rsplit('/').next() {
                advisories.insert(id.to_owned());
            }
        }
        // The triage decisions the findings were under, with their revocation or lapse.
        let decisions: std::collections::BTreeSet<i64> = finding_leaves
            .iter()
            .filter_map(|l| serde_json::from_slice::<Json>(&l.data).ok())
            .filter_map(|v| v["data"]["decision"].as_i64())
            .collect();
        leaves.extend(finding_leaves);
        for id in decisions {
            leaves.extend(
                tx.ledger_leaves_of(&format!("triage/{id}"))?
                    .into_iter()
                    .filter(|l| l.index < size),
            );
        }
        for id in advisories {
            leaves.extend(
                tx.ledger_leaves_of(&format!("advisory/{id}"))?
                    .into_iter()
                    .filter(|l| l.index < size),
            );
        }
        leaves.sort_by_key(|l| l.index);
        leaves.dedup_by_key(|l| l.index);
        if !leaves.iter().any(|l| l.kind == "release") {
            return Err(EngineError::Conflict(format!(
                "the latest checkpoint ({size} leaves) was signed before {service} {version} was recorded; sign one with `vigil ledger checkpoint` and export again"
            )));
        }
        // Records whose leaves came after the checkpoint wait for the next one: a bundle
        // holds nothing it cannot prove.
        let subjects: HashSet<&str> = leaves.iter().map(|l| l.subject.as_str()).collect();
        let deployments: Vec<_> = deployments
            .into_iter()
            .filter(|d| subjects.contains(format!("deployment/{}", d.id).as_str()))
            .collect();
        let mut release = release;
        let proved: Vec<Json> = leaves
            .iter()
            .filter(|l| l.kind == "release.digest" || l.kind == "release.signature")
            .filter_map(|l| serde_json::from_slice::<Json>(&l.data).ok())
            .collect();
        release.digests.retain(|d| {
            proved
                .iter()
                .any(|v| v["kind"] == "release.digest" && v["data"]["digest"] == d.as_str())
        });
        let signatures: Vec<BundleSignature> = signatures
            .into_iter()
            .filter(|s| {
                proved.iter().any(|v| {
                    v["kind"] == "release.signature"
                        && v["data"]["content_sha256"] == s.record.content_sha256.as_str()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(leaves.len());
        for l in leaves {
            let proof = tx.ledger_inclusion_proof(l.index, size)?;
            out.push(BundleLeaf {
                index: l.index,
                data: String::from_utf8(l.data).map_err(|_| {
                    EngineError::Conflict(format!("ledger leaf {} is not UTF-8", l.index))
                })?,
                proof: proof.iter().map(hex::encode).collect(),
            });
        }
        Ok(Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            exported_at: now,
            service: service.to_owned(),
            version: version.to_owned(),
            checkpoint: checkpoint.note,
            sbom: SbomBlob {
                sha256: release.sbom_sha256.clone(),
                base64: base64::engine::general_purpose::STANDARD.encode(&sbom),
            },
            release,
            signatures,
            deployments,
            findings: findings
                .into_iter()
                .map(|(subject, leaves)| BundleFinding { subject, leaves })
                .collect(),
            leaves: out,
        })
    }
}

/// What a bundle proved.
#[derive(Clone, Debug, Serialize)]
pub struct BundleReport {
    pub service: String,
    pub version: String,
    /// The checkpoint's origin line, tree size and root (hex).
    pub origin: String,
    pub tree_size: u64,
    pub root: String,
    /// The keys whose signatures on the checkpoint verified.
    pub signed_by: Vec<String>,
    pub leaves: usize,
    /// When the release was recorded, and its SBOM's SHA-256 (which the bytes match).
    pub recorded_at: String,
    pub sbom_sha256: String,
    pub sbom_bytes: usize,
    pub commit: Option<String>,
    pub digests: Vec<String>,
    /// The signatures and attestations, with the verdicts recorded when they arrived.
    pub signatures: Vec<vigil_store::SignatureRecord>,
    /// Where and when the release ran: from its deployment to the next deployment
    /// event of the service in that environment (`None`: still running at export).
    pub ran: Vec<RunWindow>,
    pub findings: Vec<FindingHistory>,
}

/// One stretch of time a release ran in an environment.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RunWindow {
    pub environment: String,
    pub from: String,
    pub until: Option<String>,
    /// What replaced it: a version, or `undeployed`.
    pub replaced_by: Option<String>,
}

/// A finding's proved states, oldest first.
#[derive(Clone, Debug, Serialize)]
pub struct FindingHistory {
    pub advisory: String,
    pub purl: String,
    /// (time recorded, state, resolution).
    pub states: Vec<(String, String, Option<String>)>,
}

/// Why a bundle does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("not an evidence bundle: {0}")]
    Format(String),
    #[error("the checkpoint does not verify: {0}")]
    Checkpoint(String),
    #[error("leaf {index}: {reason}")]
    Leaf { index: u64, reason: String },
    #[error("{0}")]
    Mismatch(String),
}

fn mismatch(what: String) -> BundleError {
    BundleError::Mismatch(what)
}

/// Verifies a bundle with no store: the checkpoint's signature with `verifiers`, every
/// leaf's inclusion proof against the checkpoint's root, and every record in the bundle
/// against the leaves. Returns what was proved.
pub fn verify_bundle(
    bytes: &[u8],
    verifiers: &[NoteVerifier],
) -> std::result::Result<BundleReport, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::Format(format!(
            "{} bytes is more than the limit of {MAX_BUNDLE_BYTES}",
            bytes.len()
        )));
    }
    let bundle: Bundle =
        serde_json::from_slice(bytes).map_err(|e| BundleError::Format(e.to_string()))?;
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError::Format(format!(
            "format {:?}; this Vigil reads {BUNDLE_FORMAT:?}",
            bundle.format
        )));
    }
    let (cp, note) = vigil_ledger::checkpoint::open(bundle.checkpoint.as_bytes(), verifiers)
        .map_err(|e| BundleError::Checkpoint(e.to_string()))?;
    let signed_by: Vec<String> = note
        .signatures()
        .iter()
        .filter(|s| {
            verifiers
                .iter()
                .any(|v| v.name() == s.name && v.key_id() == s.key_id)
        })
        .map(|s| s.name.clone())
        .collect();

    // Every leaf is in the signed tree, and is canonical JSON of the documented shape.
    let mut events: BTreeMap<u64, Json> = BTreeMap::new();
    for leaf in &bundle.leaves {
        let fail = |reason: String| BundleError::Leaf {
            index: leaf.index,
            reason,
        };
        let proof = leaf
            .proof
            .iter()
            .map(|h| parse_hash(h))
            .collect::<Option<Vec<Hash>>>()
            .ok_or_else(|| fail("a proof hash is not 64 hex digits".into()))?;
        verify_inclusion(
            &vigil_ledger::leaf_hash(leaf.data.as_bytes()),
            leaf.index,
            cp.size,
            &proof,
            &cp.root,
        )
        .map_err(|e| fail(format!("not in the checkpoint's tree: {e}")))?;
        let value: Json =
            serde_json::from_str(&leaf.data).map_err(|e| fail(format!("not JSON: {e}")))?;
        let canonical = vigil_ledger::canonical::to_vec(&value)
            .map_err(|e| fail(format!("not canonical JSON: {e}")))?;
        if canonical != leaf.data.as_bytes() {
            return Err(fail("not RFC 8785 canonical JSON".into()));
        }
        if value["v"] != 1 {
            return Err(fail(format!("leaf format {} is not 1", value["v"])));
        }
        if events.insert(leaf.index, value).is_some() {
            return Err(fail("listed twice".into()));
        }
    }
    let (service, version) = (&bundle.service, &bundle.version);
    // The leaves about `subject` that say, in their data, that they are about this
    // service (and, with `of_release`, this version): a subject alone can be ambiguous
    // when names hold `@` or `/`.
    let by_subject = |subject: &str, of_release: bool| -> Vec<(u64, &Json)> {
        events
            .iter()
            .filter(|(_, v)| {
                v["subject"] == subject
                    && v["data"]["service"] == service.as_str()
                    && (!of_release || v["data"]["version"] == version.as_str())
            })
            .map(|(i, v)| (*i, v))
            .collect()
    };

    // The release record, its SBOM bytes and digests.
    let r = &bundle.release;
    if (&r.service, &r.version) != (service, version) {
        return Err(mismatch(format!(
            "the release record is {} {}, not {service} {version}",
            r.service, r.version
        )));
    }
    let release_subject = vigil_store::release_subject(service, version);
    let release_leaves = by_subject(&release_subject, true);
    let Some((_, ingested)) = release_leaves.iter().find(|(_, v)| v["kind"] == "release") else {
        return Err(mismatch(format!(
            "no leaf records the release {service} {version}"
        )));
    };
    let d = &ingested["data"];
    for (field, stored) in [
        ("service", Some(r.service.as_str())),
        ("version", Some(r.version.as_str())),
        ("sbom_sha256", Some(r.sbom_sha256.as_str())),
        ("commit", r.commit.as_deref()),
        ("repository", r.repository.as_deref()),
        ("builder", r.builder.as_deref()),
        ("built_at", r.built_at.as_deref()),
    ] {
        if d[field].as_str() != stored {
            return Err(mismatch(format!(
                "the release record's {field} {stored:?} is not what the ledger recorded ({})",
                d[field]
            )));
        }
    }
    let sbom = base64::engine::general_purpose::STANDARD
        .decode(&bundle.sbom.base64)
        .map_err(|e| BundleError::Format(format!("sbom.base64: {e}")))?;
    let sbom_sha256 = sha256(&sbom);
    if sbom_sha256 != r.sbom_sha256 || bundle.sbom.sha256 != r.sbom_sha256 {
        return Err(mismatch(format!(
            "the SBOM bytes hash to {sbom_sha256}, but the ledger recorded {}",
            r.sbom_sha256
        )));
    }
    let recorded_digests: HashSet<&str> = release_leaves
        .iter()
        .filter(|(_, v)| v["kind"] == "release.digest")
        .filter_map(|(_, v)| v["data"]["digest"].as_str())
        .collect();
    for digest in &r.digests {
        if !recorded_digests.contains(digest.as_str()) {
            return Err(mismatch(format!(
                "no leaf records the artifact digest {digest}"
            )));
        }
    }

    // Signatures: each one's bytes and verdict are what the ledger recorded.
    let mut signatures = Vec::new();
    for s in &bundle.signatures {
        let content = base64::engine::general_purpose::STANDARD
            .decode(&s.base64)
            .map_err(|e| BundleError::Format(format!("signatures[].base64: {e}")))?;
        let digest = sha256(&content);
        // Every field the report shows must be the ledger's.
        let r = &s.record;
        let recorded = release_leaves.iter().any(|(_, v)| {
            let d = &v["data"];
            v["kind"] == "release.signature"
                && d["content_sha256"].as_str() == Some(digest.as_str())
                && d["kind"].as_str() == Some(r.kind.as_str())
                && d["target"].as_str() == Some(r.target.as_str())
                && d["verdict"].as_str() == Some(r.verdict.as_str())
                && d["key_fingerprint"].as_str() == r.key_fingerprint.as_deref()
                && d["predicate_type"].as_str() == r.predicate_type.as_deref()
                && d["detail"].as_str() == r.detail.as_deref()
        });
        if !recorded || digest != s.record.content_sha256 {
            return Err(mismatch(format!(
                "no leaf records the {} {digest} with verdict {}",
                s.record.kind, s.record.verdict
            )));
        }
        signatures.push(s.record.clone());
    }

    // Deployments: each one in the bundle is the one the ledger recorded.
    let mut runs: BTreeMap<&str, Vec<DeploymentAt<'_>>> = BTreeMap::new();
    for dep in &bundle.deployments {
        let leaf = by_subject(&format!("deployment/{}", dep.id), false);
        let Some(&(index, v)) = leaf.first() else {
            return Err(mismatch(format!("no leaf records deployment {}", dep.id)));
        };
        let data = &v["data"];
        if data["environment"].as_str() != Some(&dep.environment)
            || data["service"].as_str() != Some(&dep.service)
            || data["version"].as_str() != dep.version.as_deref()
            || data["at"].as_str() != Some(&dep.at)
        {
            return Err(mismatch(format!(
                "deployment {} in the bundle is not what the ledger recorded ({})",
                dep.id, data
            )));
        }
        if &dep.service != service {
            return Err(mismatch(format!(
                "deployment {} is of service {}, not {service}",
                dep.id, dep.service
            )));
        }
        runs.entry(dep.environment.as_str()).or_default().push((
            dep.at.as_str(),
            index,
            dep.version.as_deref(),
        ));
    }
    let mut ran = Vec::new();
    for (environment, mut events) in runs {
        // In the order they happened; events of one instant in the order recorded.
        events.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        let mut open: Option<&str> = None;
        for (at, _, v) in events {
            match (open, v == Some(version.as_str())) {
                (None, true) => open = Some(at),
                (Some(_), true) => {}
                (Some(from), false) => {
                    ran.push(RunWindow {
                        environment: environment.to_owned(),
                        from: from.to_owned(),
                        until: Some(at.to_owned()),
                        replaced_by: Some(v.unwrap_or("undeployed").to_owned()),
                    });
                    open = None;
                }
                (None, false) => {}
            }
        }
        if let Some(from) = open {
            ran.push(RunWindow {
                environment: environment.to_owned(),
                from: from.to_owned(),
                until: None,
                replaced_by: None,
            });
        }
    }

    // Findings: each history is the ledger's, in order.
    let mut findings = Vec::new();
    for f in &bundle.findings {
        if !f
            .subject
            .starts_with(&format!("finding/{service}@{version}/"))
        {
            return Err(mismatch(format!(
                "finding {} is not of {service} {version}",
                f.subject
            )));
        }
        let recorded: Vec<u64> = by_subject(&f.subject, true)
            .iter()
            .map(|(i, _)| *i)
            .collect();
        if recorded.is_empty() || recorded != f.leaves {
            return Err(mismatch(format!(
                "the history of {} lists leaves {:?}, but the bundle's leaves about it are {recorded:?}",
                f.subject, f.leaves
            )));
        }
        let mut states = Vec::new();
        let (mut advisory, mut purl) = (String::new(), String::new());
        for i in &f.leaves {
            let v = &events[i];
            let data = &v["data"];
            advisory = data["advisory"].as_str().unwrap_or_default().to_owned();
            purl = data["purl"].as_str().unwrap_or_default().to_owned();
            let mut state = match (data["state"].as_str(), data["first_exposed"].as_str()) {
                (Some("open"), Some(since)) => format!("exposed since {since}"),
                (Some("open"), None) => "found, not running anywhere".to_owned(),
                (Some(other), _) => other.to_owned(),
                (None, _) => "unknown".to_owned(),
            };
            if let (Some(triage), Some(decision)) =
                (data["triage"].as_str(), data["decision"].as_i64())
            {
                state.push_str(&format!(", triaged {triage} (decision {decision})"));
            }
            states.push((
                v["time"].as_str().unwrap_or_default().to_owned(),
                state,
                data["resolution"].as_str().map(str::to_owned),
            ));
        }
        findings.push(FindingHistory {
            advisory,
            purl,
            states,
        });
    }

    Ok(BundleReport {
        service: service.clone(),
        version: version.clone(),
        origin: cp.origin,
        tree_size: cp.size,
        root: hex::encode(cp.root),
        signed_by,
        leaves: bundle.leaves.len(),
        recorded_at: ingested["time"].as_str().unwrap_or_default().to_owned(),
        sbom_sha256,
        sbom_bytes: sbom.len(),
        commit: r.commit.clone(),
        digests: r.digests.clone(),
        signatures,
        ran,
        findings,
    })
}

/// A deployment event of the service: when, its leaf index, and the version (`None`:
/// an undeployment).
type DeploymentAt<'a> = (&'a str, u64, Option<&'a str>);

fn parse_hash(text: &str) -> Option<Hash> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}
