//! SPDX 3.0 JSON-LD: the flat `@graph` of elements, read with serde into one struct
//! that holds the fields of every element type Vigil uses.
//!
//! Packages are `software_Package` and its subclasses `ai_AIPackage` and
//! `dataset_DatasetPackage`; the purl is `software_packageUrl` or an
//! `externalIdentifier` of type `packageUrl`; licenses are reached through
//! `hasConcludedLicense`/`hasDeclaredLicense` relationships; the subject is the
//! `rootElement` of the document or of its `software_Sbom`, and what it `describes`.
//! The JSON-LD is read as the SPDX serialization writes it, with compact names from the
//! SPDX context; Vigil does no general JSON-LD expansion.
//!
//! As for SPDX 2, only an unsupported version, malformed JSON, a wrong JSON type or a
//! reached limit rejects the document. A package without a name or spdxId, a malformed
//! hash or `created`, a duplicate spdxId and a relationship that names no element are
//! read leniently, each with a [`Warning`].

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::jsonutil::{Str, Strings, check_depth, from_slice, timestamp};
use crate::spdx::{name_from_purl, tool};
use crate::{
    Bom, Component, Edge, EdgeKind, Error, Format, Hash, Limits, Subject, Tool, Warning, derive,
};

const FORMAT: Format = Format::Spdx3JsonLd;

#[derive(Debug, Deserialize)]
struct RawDoc<'a> {
    #[serde(rename = "@context", default)]
    context: Option<serde_json::Value>,
    #[serde(rename = "@graph", borrow, default)]
    graph: Vec<El<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct El<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Str<'a>>,
    #[serde(rename = "spdxId", borrow, default)]
    spdx_id: Option<Str<'a>>,
    #[serde(rename = "@id", borrow, default)]
    at_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(rename = "software_packageVersion", borrow, default)]
    version: Option<Str<'a>>,
    #[serde(rename = "software_packageUrl", borrow, default)]
    purl: Option<Str<'a>>,
    #[serde(rename = "software_primaryPurpose", borrow, default)]
    purpose: Option<Str<'a>>,
    #[serde(rename = "externalIdentifier", borrow, default)]
    external_identifier: Vec<ExternalIdentifier<'a>>,
    #[serde(rename = "verifiedUsing", borrow, default)]
    verified_using: Vec<IntegrityMethod<'a>>,
    #[serde(rename = "suppliedBy", borrow, default)]
    supplied_by: Option<Str<'a>>,
    #[serde(rename = "relationshipType", borrow, default)]
    relationship_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    scope: Option<Str<'a>>,
    #[serde(borrow, default)]
    from: Option<Str<'a>>,
    #[serde(borrow, default)]
    to: Strings<'a>,
    #[serde(rename = "rootElement", borrow, default)]
    root_element: Strings<'a>,
    #[serde(borrow, default)]
    created: Option<Str<'a>>,
    #[serde(rename = "specVersion", borrow, default)]
    spec_version: Option<Str<'a>>,
    #[serde(rename = "simplelicensing_licenseExpression", borrow, default)]
    license_expression: Option<Str<'a>>,
    /// The SpdxDocument's `import`: `ExternalMap`s of the elements it uses from other
    /// documents, which relationships may name. Read loosely, as a value.
    #[serde(default)]
    import: Option<serde_json::Value>,
}

/// An element SPDX itself defines, which no document need contain: a listed license
/// (`https://spdx.org/licenses/MIT`) or an individual such as `NoAssertionElement`.
fn spdx_defined(id: &str) -> bool {
    [
        "https://spdx.org/licenses/",
        "http://spdx.org/licenses/",
        "https://spdx.org/rdf/",
        "http://spdx.org/rdf/",
    ]
    .iter()
    .any(|p| id.starts_with(p))
        || [
            "NoAssertionElement",
            "NoneElement",
            "NoAssertionLicense",
            "NoneLicense",
        ]
        .iter()
        .any(|n| id.ends_with(n))
}

/// The `externalSpdxId`s of an `import` value.
fn imported<'v>(import: &'v serde_json::Value, out: &mut HashSet<&'v str>) {
    match import {
        serde_json::Value::Array(items) => items.iter().for_each(|i| imported(i, out)),
        serde_json::Value::Object(map) => {
            if let Some(id) = map.get("externalSpdxId").and_then(|v| v.as_str()) {
                out.insert(id.trim());
            }
        }
        _ => {}
    }
}

#[derive(Debug, Default, Deserialize)]
struct ExternalIdentifier<'a> {
    #[serde(rename = "externalIdentifierType", borrow, default)]
    kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    identifier: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct IntegrityMethod<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    algorithm: Option<Str<'a>>,
    #[serde(rename = "hashValue", borrow, default)]
    hash_value: Option<Str<'a>>,
}

fn is_package(kind: &str) -> bool {
    matches!(
        kind,
        "software_Package" | "ai_AIPackage" | "dataset_DatasetPackage"
    )
}

fn edge_kind(relationship: &str, scope: Option<&str>) -> Option<(EdgeKind, bool)> {
    let dev = matches!(scope, Some("development" | "build" | "test"));
    Some(match relationship {
        "dependsOn" | "hasProvidedDependency" if dev => (EdgeKind::DevDependsOn, false),
        "dependsOn" | "hasProvidedDependency" | "hasPrerequisite" => (EdgeKind::DependsOn, false),
        "hasOptionalDependency" => (EdgeKind::OptionalDependsOn, false),
        "contains" => (EdgeKind::Contains, false),
        "hasStaticLink" | "hasDynamicLink" => (EdgeKind::Other, false),
        _ => return None,
    })
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    let bytes = crate::detect::strip_bom(bytes);
    check_depth(bytes, limits)?;
    let raw: RawDoc<'_> = from_slice(bytes, FORMAT)?;
    let context_version = raw.context.as_ref().and_then(|c| {
        let s = match c {
            serde_json::Value::String(s) => s.as_str(),
            serde_json::Value::Array(a) => a
                .iter()
                .find_map(|v| v.as_str().filter(|s| s.contains("spdx.org/rdf/3")))?,
            _ => return None,
        };
        let rest = &s[s.find("spdx.org/rdf/")? + "spdx.org/rdf/".len()..];
        Some(rest.split('/').next()?.to_owned())
    });
    let spec_version = raw
        .graph
        .iter()
        .find(|e| e.kind.as_deref() == Some("CreationInfo"))
        .and_then(|e| e.spec_version.as_deref())
        .map(str::to_owned)
        .or(context_version)
        .unwrap_or_default();
    if !spec_version.starts_with("3.0") {
        return Err(Error::UnsupportedVersion {
            format: FORMAT,
            version: spec_version,
            supported: "3.0, 3.0.1",
        });
    }
    // The first element of an id is the one references resolve to.
    let mut by_id: HashMap<&str, &El<'_>> = HashMap::with_capacity(raw.graph.len());
    let mut imports: HashSet<&str> = HashSet::new();
    for e in &raw.graph {
        if let Some(id) = element_id(e) {
            by_id.entry(id).or_insert(e);
        }
        if let Some(import) = &e.import {
            imported(import, &mut imports);
        }
    }

    let mut warnings = Vec::new();
    let mut components: Vec<Component> = Vec::new();
    let mut unmatchable = Vec::new();
    // Each component's index into `@graph`, for warnings that name two of them.
    let mut positions = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, e) in raw.graph.iter().enumerate() {
        if !e.kind.as_deref().is_some_and(is_package) {
            continue;
        }
        limits.check_components(components.len() + 1, || format!("@graph[{i}]"))?;
        let at = |field: &str| format!("@graph[{i}].{field}");
        let id = element_id(e);
        if id.is_none() {
            warnings.push(Warning::new(
                at("spdxId"),
                "no spdxId: the package is kept, but no relationship can name it",
            ));
        }
        let mut hashes = Vec::new();
        for (j, m) in e.verified_using.iter().enumerate() {
            if m.kind.as_deref() != Some("Hash") {
                continue;
            }
            let at = || at(&format!("verifiedUsing[{j}]"));
            let value = |v: &Option<Str<'_>>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            let (Some(alg), Some(value)) = (value(&m.algorithm), value(&m.hash_value)) else {
                warnings.push(Warning::new(
                    at(),
                    "a Hash needs an algorithm and a hashValue: hash ignored",
                ));
                continue;
            };
            match Hash::new(&alg, &value) {
                Ok(h) => hashes.push(h),
                Err(m) => warnings.push(Warning::new(at(), format!("{m}: hash ignored"))),
            }
        }
        let mut purl = e.purl.as_deref();
        let mut cpes = Vec::new();
        for x in &e.external_identifier {
            match (x.kind.as_deref(), x.identifier.as_deref()) {
                (Some("packageUrl"), Some(p)) => {
                    purl.get_or_insert(p);
                }
                (Some("cpe23" | "cpe22"), Some(c)) => cpes.push(c.trim().to_owned()),
                _ => {}
            }
        }
        let supplier = e
            .supplied_by
            .as_deref()
            .and_then(|s| by_id.get(s))
            .and_then(|a| a.name.as_deref())
            .map(str::to_owned);
        let mut c = Component {
            bom_ref: id.map(str::to_owned),
            name: e.name.as_deref().map(str::trim).unwrap_or("").to_owned(),
            version: e
                .version
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            kind: e.purpose.as_deref().map(str::to_owned),
            hashes,
            supplier,
            cpes,
            ..Component::default()
        };
        let index = components.len();
        if let Some(reason) = derive::resolve(&mut c, purl, None) {
            unmatchable.push((index, reason));
        }
        if c.name.is_empty() {
            let message = name_from_purl(&mut c);
            warnings.push(Warning::new(at("name"), message));
        }
        if let Some(id) = id {
            match ids.entry(id) {
                Entry::Vacant(v) => {
                    v.insert(index);
                }
                // Both packages are kept; relationships resolve to the first.
                Entry::Occupied(o) => {
                    let first = *o.get();
                    warnings.push(Warning::new(
                        at("spdxId"),
                        format!(
                            "{id:?} names both @graph[{}] ({:?}) and @graph[{i}] ({:?}): both are kept, and relationships resolve to the first",
                            positions[first], components[first].name, c.name
                        ),
                    ));
                }
            }
        }
        positions.push(i);
        c.source = c
            .purl
            .as_ref()
            .and_then(|p| crate::source::from_purl(p, c.version.as_deref()));
        components.push(c);
    }

    let mut roots: Vec<usize> = Vec::new();
    let add_root = |id: &str, roots: &mut Vec<usize>| {
        // A root may be an Sbom whose own roots are the packages.
        let mut stack = vec![id];
        let mut seen = 0;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 1024 {
                break;
            }
            if let Some(&i) = ids.get(id) {
                if !roots.contains(&i) {
                    roots.push(i);
                }
            } else if let Some(e) = by_id.get(id)
                && e.kind.as_deref() == Some("software_Sbom")
            {
                stack.extend(e.root_element.0.iter().map(|r| r.as_ref()));
            }
        }
    };
    let mut document = None;
    for e in &raw.graph {
        if e.kind.as_deref() == Some("SpdxDocument") {
            document = Some(e);
            for r in &e.root_element.0 {
                add_root(r, &mut roots);
            }
        }
    }
    let known = |id: &str| by_id.contains_key(id) || imports.contains(id) || spdx_defined(id);
    let mut edges = Vec::new();
    for (i, e) in raw.graph.iter().enumerate() {
        let is_relationship = matches!(
            e.kind.as_deref(),
            Some("Relationship" | "LifecycleScopedRelationship")
        );
        if !is_relationship && e.relationship_type.is_none() {
            continue;
        }
        let at = |field: &str| format!("@graph[{i}].{field}");
        let rel = e.relationship_type.as_deref().map(str::trim).unwrap_or("");
        let from = e.from.as_deref().map(str::trim).unwrap_or("");
        let missing = [
            ("relationshipType", rel.is_empty()),
            ("from", from.is_empty()),
            ("to", e.to.0.iter().all(|t| t.trim().is_empty())),
        ];
        if let Some((field, _)) = missing.iter().find(|(_, m)| *m) {
            warnings.push(Warning::new(
                at(field),
                format!("a Relationship needs a {field}: the relationship is skipped"),
            ));
            continue;
        }
        if !known(from) {
            warnings.push(Warning::new(
                at("from"),
                format!("{from:?} names no element of the document: the relationship is skipped"),
            ));
            continue;
        }
        let licensing = matches!(rel, "hasConcludedLicense" | "hasDeclaredLicense");
        for (k, to) in e.to.0.iter().enumerate() {
            let to = to.trim();
            if !known(to) {
                warnings.push(Warning::new(
                    at(&format!("to[{k}]")),
                    format!("{to:?} names no element of the document: skipped"),
                ));
                continue;
            }
            if rel == "describes" {
                add_root(to, &mut roots);
                continue;
            }
            let Some(&a) = ids.get(from) else { continue };
            if licensing {
                let text = by_id
                    .get(to)
                    .and_then(|l| l.license_expression.as_deref().or(l.name.as_deref()))
                    .map(str::to_owned);
                if let Some(l) = text.filter(|l| l != "NoAssertionLicense" && l != "NOASSERTION")
                    && !components[a].licenses.contains(&l)
                {
                    components[a].licenses.push(l);
                }
                continue;
            }
            let (Some((kind, _)), Some(&b)) = (edge_kind(rel, e.scope.as_deref()), ids.get(to))
            else {
                continue;
            };
            edges.push(Edge {
                from: a,
                to: b,
                kind,
            });
        }
    }
    let creation_info = raw
        .graph
        .iter()
        .position(|e| e.kind.as_deref() == Some("CreationInfo"));
    let timestamp = match creation_info.and_then(|i| Some((i, raw.graph[i].created.as_deref()?))) {
        Some((i, t)) => match timestamp(t) {
            Ok(t) => Some(t),
            Err(m) => {
                warnings.push(Warning::new(
                    format!("@graph[{i}].created"),
                    format!("{m}: no timestamp is kept"),
                ));
                None
            }
        },
        None => None,
    };
    let mut tools: Vec<Tool> = raw
        .graph
        .iter()
        .filter(|e| e.kind.as_deref() == Some("Tool"))
        .filter_map(|e| e.name.as_deref())
        .filter_map(|n| tool(&format!("Tool: {n}")))
        .collect();
    let mut seen = Vec::new();
    tools.retain(|t| {
        let new = !seen.contains(t);
        if new {
            seen.push(t.clone());
        }
        new
    });
    let subject = match roots.first() {
        Some(&first) => Some(Subject {
            name: components[first].name.clone(),
            version: components[first].version.clone(),
            hashes: components[first].hashes.clone(),
            components: roots,
        }),
        None => document.and_then(|d| d.name.as_deref()).map(|n| Subject {
            name: n.to_owned(),
            version: None,
            hashes: Vec::new(),
            components: Vec::new(),
        }),
    };
    Ok(Bom {
        format: FORMAT,
        spec_version,
        serial_number: document
            .and_then(|d| d.spdx_id.as_deref())
            .map(str::to_owned),
        subject,
        tools,
        timestamp,
        components,
        edges,
        vulnerabilities: Vec::new(),
        unmatchable,
        warnings,
    })
}

/// An element's `spdxId`, or its `@id`, which the SPDX context makes the same.
fn element_id<'e>(e: &'e El<'_>) -> Option<&'e str> {
    [&e.spdx_id, &e.at_id]
        .into_iter()
        .filter_map(|id| id.as_deref().map(str::trim))
        .find(|id| !id.is_empty())
}
