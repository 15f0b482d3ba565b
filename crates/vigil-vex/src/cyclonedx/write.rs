//! Writing a CycloneDX 1.6 JSON VEX: a BOM of the referenced components and one
//! vulnerability per statement.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::read::SUBCOMPONENT_PROPERTY;
use crate::mapping::{RESPONSES, VersionStatus, justification_cdx, status_state};
use crate::openvex::write::to_json;
use crate::product::{Product, ProductId, VersionSpec};
use crate::time::format_timestamp;
use crate::{Document, Statement, Status};

#[derive(Serialize)]
struct OutBom {
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<OutMetadata>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<OutComponent>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<OutVulnerability>,
}

#[derive(Serialize)]
struct OutMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<OutName>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutName {
    name: String,
}

#[derive(Serialize)]
struct OutComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<OutHash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutHash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutVulnerability {
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<OutReference>,
    analysis: OutAnalysis,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    affects: Vec<OutAffect>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<OutProperty>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutReference {
    id: String,
    /// CycloneDX requires a source; the alias alone does not say which.
    source: BTreeMap<String, String>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutAnalysis {
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(rename = "lastUpdated", skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutAffect {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    versions: Vec<OutVersion>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutVersion {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<String>,
    status: &'static str,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutProperty {
    name: &'static str,
    value: String,
}

/// Writes `doc` as a CycloneDX 1.6 JSON VEX, pretty-printed.
///
/// The output is a pure function of `doc`: the document is
/// [normalized](Document::normalize) first, `serialNumber` is a UUID (version 8, RFC
/// 9562) made from the SHA-256 of the rest of the output, `version` is 1, and
/// `metadata.timestamp` is the document's timestamp (else the latest statement's).
///
/// Each statement becomes one vulnerability: `analysis.state` and `justification` by
/// the tables in `docs/vex.md`, keeping the CycloneDX values the statement was read with
/// where they say the same; `response` as read; `detail` the impact statement of a
/// `not_affected` statement, the action statement of an `affected` one, else the status
/// notes; `lastUpdated` the statement's timestamp where it differs from
/// `metadata.timestamp` (a statement without one reads back with the BOM's); aliases as
/// `references`. Products
/// named by a purl, a digest or a component of the source document are listed in
/// `components` (bom-ref the purl, the digest or the source bom-ref) and referenced
/// from `affects`; a BOM-link or any other id is referenced as written. A product's
/// [`versions`](crate::Product::versions) become `affects[].versions`. Subcomponents,
/// which CycloneDX has no field for, are kept in `vigil:openvex:subcomponent`
/// properties that this crate reads back.
pub fn write(doc: &Document) -> Vec<u8> {
    let mut doc = doc.clone();
    doc.normalize();

    let timestamp = doc
        .timestamp
        .or_else(|| doc.statements.iter().filter_map(|s| s.timestamp).max());
    let mut components: Vec<OutComponent> = Vec::new();
    let mut vulnerabilities: Vec<OutVulnerability> = Vec::new();
    for s in &doc.statements {
        for p in &s.products {
            add_component(&mut components, p);
        }
        vulnerabilities.push(vulnerability(s, timestamp));
    }
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    let mut seen = HashSet::new();
    let mut unique: Vec<OutVulnerability> = vulnerabilities
        .into_iter()
        .rev()
        .filter(|v| seen.insert(v.clone()))
        .collect();
    unique.reverse();

    let authors: Vec<OutName> = doc
        .author
        .iter()
        .map(|a| OutName { name: a.clone() })
        .collect();
    let metadata = (timestamp.is_some() || !authors.is_empty()).then(|| OutMetadata {
        timestamp: timestamp.map(format_timestamp),
        authors,
    });
    let mut out = OutBom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: String::new(),
        version: 1,
        metadata,
        components,
        vulnerabilities: unique,
    };
    out.serial_number = content_uuid(&to_json(&out));
    let mut bytes = to_json(&out);
    bytes.push(b'\n');
    bytes
}

/// `urn:uuid:` and a version 8 UUID from the first 16 bytes of the SHA-256 of `bytes`.
fn content_uuid(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The `ref` a product is referenced by.
fn reference(id: &ProductId) -> String {
    id.as_iri()
}

fn add_component(components: &mut Vec<OutComponent>, p: &Product) {
    let (bom_ref, name, version, purl, kind) = match &p.id {
        ProductId::Purl(purl)
        | ProductId::Digest {
            purl: Some(purl), ..
        } => (
            purl.to_string(),
            purl.name().to_owned(),
            purl.version().map(str::to_owned),
            Some(purl.to_string()),
            if matches!(purl.ty(), "oci" | "docker") {
                "container"
            } else {
                "library"
            },
        ),
        ProductId::Digest { digest, purl: None } => {
            (digest.to_string(), digest.to_string(), None, None, "file")
        }
        ProductId::Component(c) => (
            c.bom_ref.clone(),
            c.name.clone().unwrap_or_else(|| c.bom_ref.clone()),
            c.version.clone(),
            c.purl.as_ref().map(ToString::to_string),
            "application",
        ),
        ProductId::BomLink(_) | ProductId::Other(_) => return,
    };
    let mut hashes: Vec<OutHash> = Vec::new();
    let digests = p.hashes.iter().chain(match &p.id {
        ProductId::Digest { digest, purl: None } => Some(digest),
        _ => None,
    });
    for d in digests {
        if let Some(alg) = d.cyclonedx_name() {
            let h = OutHash {
                alg,
                content: d.hex.clone(),
            };
            if !hashes.contains(&h) {
                hashes.push(h);
            }
        }
    }
    let cpe = p
        .identifiers
        .cpe23
        .clone()
        .or_else(|| p.identifiers.cpe22.clone());
    if let Some(existing) = components.iter_mut().find(|c| c.bom_ref == bom_ref) {
        // CycloneDX has one hash list per component: the hashes of every product it
        // names are listed together.
        for h in hashes {
            if !existing.hashes.contains(&h) {
                existing.hashes.push(h);
            }
        }
        existing
            .hashes
            .sort_by(|a, b| (a.alg, &a.content).cmp(&(b.alg, &b.content)));
        if existing.cpe.is_none() {
            existing.cpe = cpe;
        }
        return;
    }
    hashes.sort_by(|a, b| (a.alg, &a.content).cmp(&(b.alg, &b.content)));
    components.push(OutComponent {
        kind,
        bom_ref,
        name,
        version,
        hashes,
        cpe,
        purl,
    });
}

fn vulnerability(s: &Statement, document_time: Option<OffsetDateTime>) -> OutVulnerability {
    let cdx = s.cdx.as_ref();
    let state = status_state(s.status, cdx.and_then(|c| c.state.as_deref())).to_owned();
    let justification = s
        .justification
        .map(|j| justification_cdx(j, cdx.and_then(|c| c.justification.as_deref())).to_owned());
    let response: Vec<String> = cdx
        .map(|c| {
            c.response
                .iter()
                .filter(|r| RESPONSES.iter().any(|(k, _)| k == r))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let detail = match s.status {
        Status::NotAffected => s.impact_statement.clone(),
        Status::Affected => s.action_statement.clone(),
        Status::Fixed | Status::UnderInvestigation => s.status_notes.clone(),
    };
    let version_status = VersionStatus::of(s.status).as_str();
    let mut affects: Vec<OutAffect> = Vec::new();
    let mut properties: Vec<OutProperty> = Vec::new();
    for p in &s.products {
        let r = reference(&p.id);
        let versions = match &p.versions {
            None => Vec::new(),
            Some(VersionSpec::Version(v)) => vec![OutVersion {
                version: Some(v.clone()),
                range: None,
                status: version_status,
            }],
            Some(VersionSpec::Range(range)) => vec![OutVersion {
                version: None,
                range: Some(range.clone()),
                status: version_status,
            }],
        };
        let a = OutAffect {
            reference: r.clone(),
            versions,
        };
        if !affects.contains(&a) {
            affects.push(a);
        }
        for sub in &p.subcomponents {
            let value = serde_json::to_string(&(r.as_str(), sub.as_iri()))
                .expect("a pair of strings serializes");
            let prop = OutProperty {
                name: SUBCOMPONENT_PROPERTY,
                value,
            };
            if !properties.contains(&prop) {
                properties.push(prop);
            }
        }
    }
    OutVulnerability {
        id: s.vulnerability.name.clone(),
        references: s
            .vulnerability
            .aliases
            .iter()
            .map(|a| OutReference {
                id: a.clone(),
                source: BTreeMap::new(),
            })
            .collect(),
        analysis: OutAnalysis {
            state,
            justification,
            response,
            detail,
            // The reader gives a vulnerability without analysis times the BOM's.
            last_updated: s
                .timestamp
                .filter(|t| Some(*t) != document_time)
                .map(format_timestamp),
        },
        affects,
        properties,
    }
}
