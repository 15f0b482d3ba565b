//! Writing OpenVEX 0.2.0 JSON that validates against OpenVEX's JSON schema.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::product::{BomLink, Product, ProductId, VersionSpec};
use crate::time::format_timestamp;
use crate::{Document, Status};

/// What a `not_affected` statement without justification or impact statement is
/// written with, since OpenVEX requires one of the two.
pub const NO_IMPACT_STATEMENT: &str =
    "No justification or impact statement was given for this status.";

/// What an `affected` statement without action statement is written with, since
/// OpenVEX requires one.
pub const NO_ACTION_STATEMENT: &str = "No action statement was given for this status.";

#[derive(Serialize)]
struct OutDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: String,
    author: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tooling: Option<&'a str>,
    statements: Vec<OutStatement>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutStatement {
    vulnerability: OutVulnerability,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    products: Vec<OutProduct>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutVulnerability {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutProduct {
    #[serde(rename = "@id")]
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifiers: Option<OutIdentifiers>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    hashes: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subcomponents: Vec<OutSubcomponent>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutIdentifiers {
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe22: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe23: Option<String>,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
struct OutSubcomponent {
    #[serde(rename = "@id")]
    id: String,
}

/// Writes `doc` as an OpenVEX 0.2.0 document, pretty-printed JSON.
///
/// The output is a pure function of `doc`: the document is [normalized](Document::normalize)
/// first, and nothing comes from the clock. Where `doc` lacks what OpenVEX requires the
/// writer supplies it: the `@id` is `https://openvex.dev/docs/public/vex-<SHA-256 of the
/// rest>`, the author `Unknown Author`, the timestamp the latest of the statements' (or
/// 1970-01-01T00:00:00Z when nothing has one: set [`Document::timestamp`] first when the
/// time is known), the version 1, [`NO_IMPACT_STATEMENT`] and [`NO_ACTION_STATEMENT`].
/// A statement's timestamp is written when it differs from the document's, which
/// statements without one inherit.
///
/// OpenVEX names products by one IRI each, so some products change form: a CycloneDX
/// component of the source document is written as its purl, else as a BOM-link into the
/// source document when that has a serial number, else as its bom-ref; hashes of
/// algorithms OpenVEX does not name are left out. A product with
/// [`versions`](crate::Product::versions) cannot be said in OpenVEX at all: writing it
/// without them would widen the statement to every version, so it is left out of
/// `products` and named in `status_notes` instead.
pub fn write(doc: &Document) -> Vec<u8> {
    let mut doc = doc.clone();
    doc.normalize();
    let serial = doc.bom.as_ref().and_then(|b| b.serial.clone()).filter(|s| {
        s.strip_prefix("urn:uuid:")
            .is_some_and(crate::product::is_uuid)
    });
    let bom_version = doc.bom.as_ref().map_or(1, |b| b.version.max(1));
    let iri = |id: &ProductId| -> String {
        match id {
            ProductId::Component(c) => match (&c.purl, &serial) {
                (Some(p), _) => ProductId::from_purl(p.clone()).as_iri(),
                (None, Some(serial)) => BomLink {
                    serial: serial.to_ascii_lowercase(),
                    version: bom_version,
                    bom_ref: Some(c.bom_ref.clone()),
                }
                .to_string(),
                (None, None) => c.bom_ref.clone(),
            },
            other => other.as_iri(),
        }
    };

    let timestamp = doc
        .timestamp
        .or_else(|| doc.statements.iter().filter_map(|s| s.timestamp).max())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut statements: Vec<OutStatement> = Vec::with_capacity(doc.statements.len());
    for s in &doc.statements {
        let mut products: Vec<OutProduct> = Vec::new();
        let mut unsaid: Vec<String> = Vec::new();
        for p in &s.products {
            match &p.versions {
                Some(VersionSpec::Version(v)) => unsaid.push(format!("{} version {v}", iri(&p.id))),
                Some(VersionSpec::Range(r)) => unsaid.push(format!("{} versions {r}", iri(&p.id))),
                None => {
                    let out = product(p, &iri);
                    if !products.contains(&out) {
                        products.push(out);
                    }
                }
            }
        }
        let mut notes = s.status_notes.clone();
        if !unsaid.is_empty() {
            let note = format!(
                "Also about, but not expressible in OpenVEX: {}.",
                unsaid.join("; ")
            );
            notes = Some(match notes {
                Some(n) => format!("{n} {note}"),
                None => note,
            });
        }
        let impact_statement = match (&s.impact_statement, s.status, s.justification) {
            (Some(i), ..) => Some(i.clone()),
            (None, Status::NotAffected, None) => Some(NO_IMPACT_STATEMENT.to_owned()),
            (None, ..) => None,
        };
        let action_statement = match (&s.action_statement, s.status) {
            (Some(a), _) => Some(a.clone()),
            (None, Status::Affected) => Some(NO_ACTION_STATEMENT.to_owned()),
            (None, _) => None,
        };
        statements.push(OutStatement {
            vulnerability: OutVulnerability {
                name: s.vulnerability.name.clone(),
                aliases: s.vulnerability.aliases.clone(),
            },
            // A statement without a timestamp of its own takes the document's.
            timestamp: s
                .timestamp
                .filter(|t| *t != timestamp)
                .map(format_timestamp),
            products,
            status: s.status.as_str(),
            status_notes: notes,
            justification: s.justification.map(|j| j.as_str()),
            impact_statement,
            action_statement,
        });
    }
    // OpenVEX wants statements unique; equal ones can remain after products changed form.
    let mut seen = HashSet::new();
    let mut unique: Vec<OutStatement> = statements
        .into_iter()
        .rev()
        .filter(|s| seen.insert(s.clone()))
        .collect();
    unique.reverse();

    let mut out = OutDoc {
        context: "https://openvex.dev/ns/v0.2.0",
        id: doc.id.clone().unwrap_or_default(),
        author: doc.author.as_deref().unwrap_or("Unknown Author"),
        role: doc.role.as_deref(),
        timestamp: format_timestamp(timestamp),
        last_updated: doc.last_updated.map(format_timestamp),
        version: doc.version.unwrap_or(1).max(1),
        tooling: doc.tooling.as_deref(),
        statements: unique,
    };
    if out.id.is_empty() {
        let hash = Sha256::digest(to_json(&out));
        out.id = format!(
            "https://openvex.dev/docs/public/vex-{}",
            hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
    }
    let mut bytes = to_json(&out);
    bytes.push(b'\n');
    bytes
}

fn product(p: &Product, iri: &dyn Fn(&ProductId) -> String) -> OutProduct {
    let mut hashes = BTreeMap::new();
    for d in &p.hashes {
        if let Some(name) = d.openvex_name() {
            hashes.entry(name).or_insert_with(|| d.hex.clone());
        }
    }
    let ids = &p.identifiers;
    let identifiers = (!ids.is_empty()).then(|| OutIdentifiers {
        purl: ids.purl.as_ref().map(ToString::to_string),
        cpe22: ids.cpe22.clone(),
        cpe23: ids.cpe23.clone(),
    });
    let mut subcomponents: Vec<OutSubcomponent> = Vec::new();
    for s in &p.subcomponents {
        let out = OutSubcomponent { id: iri(s) };
        if !subcomponents.contains(&out) {
            subcomponents.push(out);
        }
    }
    OutProduct {
        id: iri(&p.id),
        identifiers,
        hashes,
        subcomponents,
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value)
        .expect("the output structs have string keys and no fallible fields")
}
