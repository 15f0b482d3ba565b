//! SPDX 2.2/2.3 (JSON and tag-value) and SPDX 3.0 JSON-LD, read into the normalized
//! [`Bom`].
//!
//! The two SPDX 2 encodings are read into the same raw structs and converted by one
//! function. Packages become components; files and snippets are not components, and
//! relationships that touch them are left out of the graph. The subject is what the
//! document `DESCRIBES`.
//!
//! As for CycloneDX, a document is rejected only where it is unusable; a field that is
//! wrong but not needed to read the rest is read leniently and recorded in
//! [`Bom::warnings`] (see [`convert`] and the crate README).

pub(crate) mod json;
pub(crate) mod tag;
pub(crate) mod v3;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::jsonutil::{BorrowedStr, Str, timestamp};
use crate::source::SourceHints;
use crate::{
    Bom, Component, Edge, EdgeKind, Error, Format, Hash, Limits, Subject, Tool, Warning, derive,
};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawDoc<'a> {
    #[serde(rename = "spdxVersion", borrow, default)]
    pub(crate) spdx_version: Option<Str<'a>>,
    #[serde(rename = "SPDXID", borrow, default)]
    pub(crate) spdx_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
    #[serde(rename = "documentNamespace", borrow, default)]
    pub(crate) namespace: Option<Str<'a>>,
    #[serde(rename = "creationInfo", borrow, default)]
    pub(crate) creation_info: RawCreationInfo<'a>,
    #[serde(rename = "documentDescribes", borrow, default)]
    pub(crate) describes: Vec<BorrowedStr<'a>>,
    #[serde(borrow, default)]
    pub(crate) packages: Vec<RawPackage<'a>>,
    /// Files and snippets: not components, but relationships may name them.
    #[serde(borrow, default)]
    pub(crate) files: Vec<RawElement<'a>>,
    #[serde(borrow, default)]
    pub(crate) snippets: Vec<RawElement<'a>>,
    #[serde(borrow, default)]
    pub(crate) relationships: Vec<RawRelationship<'a>>,
    /// Leniencies the tag-value reader applied to lines it could not read as their tag
    /// says; JSON leaves this empty.
    #[serde(skip)]
    pub(crate) warnings: Vec<Warning>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawCreationInfo<'a> {
    /// The `Created:` line, for tag-value; 0 for JSON.
    #[serde(skip)]
    pub(crate) created_line: usize,
    #[serde(borrow, default)]
    pub(crate) created: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) creators: Vec<BorrowedStr<'a>>,
}

/// A file or snippet: only its SPDXID is read.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawElement<'a> {
    #[serde(rename = "SPDXID", borrow, default)]
    pub(crate) spdx_id: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawPackage<'a> {
    /// The line the package starts on (`PackageName:`), for tag-value; 0 for JSON.
    #[serde(skip)]
    pub(crate) line: usize,
    /// The package's `SPDXID:` line, for tag-value.
    #[serde(skip)]
    pub(crate) spdx_id_line: usize,
    #[serde(rename = "SPDXID", borrow, default)]
    pub(crate) spdx_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
    #[serde(rename = "versionInfo", borrow, default)]
    pub(crate) version: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) supplier: Option<Str<'a>>,
    #[serde(rename = "licenseConcluded", borrow, default)]
    pub(crate) license_concluded: Option<Str<'a>>,
    #[serde(rename = "licenseDeclared", borrow, default)]
    pub(crate) license_declared: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) checksums: Vec<RawChecksum<'a>>,
    #[serde(rename = "externalRefs", borrow, default)]
    pub(crate) external_refs: Vec<RawExternalRef<'a>>,
    #[serde(rename = "sourceInfo", borrow, default)]
    pub(crate) source_info: Option<Str<'a>>,
    #[serde(rename = "primaryPackagePurpose", borrow, default)]
    pub(crate) purpose: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawChecksum<'a> {
    /// The `PackageChecksum:` line, for tag-value; 0 for JSON.
    #[serde(skip)]
    pub(crate) line: usize,
    #[serde(borrow, default)]
    pub(crate) algorithm: Option<Str<'a>>,
    #[serde(rename = "checksumValue", borrow, default)]
    pub(crate) value: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawExternalRef<'a> {
    #[serde(rename = "referenceCategory", borrow, default)]
    pub(crate) category: Option<Str<'a>>,
    #[serde(rename = "referenceType", borrow, default)]
    pub(crate) kind: Option<Str<'a>>,
    #[serde(rename = "referenceLocator", borrow, default)]
    pub(crate) locator: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawRelationship<'a> {
    /// The `Relationship:` line, for tag-value; 0 for JSON.
    #[serde(skip)]
    pub(crate) line: usize,
    #[serde(rename = "spdxElementId", borrow, default)]
    pub(crate) from: Option<Str<'a>>,
    #[serde(rename = "relationshipType", borrow, default)]
    pub(crate) kind: Option<Str<'a>>,
    #[serde(rename = "relatedSpdxElement", borrow, default)]
    pub(crate) to: Option<Str<'a>>,
}

pub(crate) const SUPPORTED: &str = "SPDX-2.2, SPDX-2.3 (and SPDX-2.1, read the same way)";

/// `Organization: Acme <a@b>` → `Acme <a@b>`; `NOASSERTION` → none.
fn agent(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .strip_prefix("Organization:")
        .or_else(|| s.strip_prefix("Person:"))
        .or_else(|| s.strip_prefix("Tool:"))
        .unwrap_or(s)
        .trim();
    (!s.is_empty() && s != "NOASSERTION" && s != "NONE").then(|| s.to_owned())
}

/// `Tool: syft-1.18.1` → syft, 1.18.1; `Tool: spdx-maven-plugin` → no version.
pub(crate) fn tool(creator: &str) -> Option<Tool> {
    let t = creator.trim().strip_prefix("Tool:")?.trim();
    if t.is_empty() {
        return None;
    }
    let split = t
        .char_indices()
        .filter(|&(_, c)| c == '-')
        .map(|(i, _)| i)
        .find(|&i| {
            let rest = t[i + 1..].trim_start_matches('v');
            rest.starts_with(|c: char| c.is_ascii_digit())
        });
    Some(match split {
        Some(i) => Tool {
            vendor: None,
            name: t[..i].to_owned(),
            version: Some(t[i + 1..].to_owned()),
        },
        None => Tool {
            vendor: None,
            name: t.to_owned(),
            version: None,
        },
    })
}

fn license(s: &Option<Str<'_>>) -> Option<String> {
    let s = s.as_deref()?.trim();
    (!s.is_empty() && s != "NOASSERTION" && s != "NONE").then(|| s.to_owned())
}

/// The edge an SPDX 2 relationship type stands for, oriented from dependent to
/// dependency (container to contained), or `None` for relationships that are not part
/// of the dependency graph.
pub(crate) fn edge_kind(kind: &str) -> Option<(EdgeKind, bool)> {
    let reversed = true;
    Some(match kind {
        "DEPENDS_ON" | "HAS_PREREQUISITE" => (EdgeKind::DependsOn, !reversed),
        "DEPENDENCY_OF"
        | "RUNTIME_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF"
        | "PREREQUISITE_FOR" => (EdgeKind::DependsOn, reversed),
        "DEV_DEPENDENCY_OF" | "BUILD_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => {
            (EdgeKind::DevDependsOn, reversed)
        }
        "OPTIONAL_DEPENDENCY_OF" => (EdgeKind::OptionalDependsOn, reversed),
        "CONTAINS" => (EdgeKind::Contains, !reversed),
        "CONTAINED_BY" | "PACKAGE_OF" => (EdgeKind::Contains, reversed),
        "STATIC_LINK" | "DYNAMIC_LINK" => (EdgeKind::Other, !reversed),
        _ => return None,
    })
}

/// The trimmed value, or `None` when it is missing or blank.
fn present<'s>(s: &'s Option<Str<'_>>) -> Option<&'s str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An element another document defines (`DocumentRef-other:SPDXRef-x`), or the `NONE`
/// and `NOASSERTION` a relationship may name instead of an element.
fn outside_element(id: &str) -> bool {
    id == "NONE" || id == "NOASSERTION" || (id.starts_with("DocumentRef-") && id.contains(':'))
}

/// Where something is: the JSON path, or for tag-value (`line > 0`) the line and tag.
fn loc(line: usize, tag: &str, path: impl FnOnce() -> String) -> String {
    if line > 0 {
        format!("line {line}: {tag}")
    } else {
        path()
    }
}

/// Names a component's name from its purl when the document gives none, with the
/// warning that says so (the same as for CycloneDX).
pub(crate) fn name_from_purl(c: &mut Component) -> String {
    match &c.purl {
        Some(p) if !p.name().is_empty() => {
            c.name = p.name().to_owned();
            format!("no name; the purl's name {:?} is used", c.name)
        }
        _ => "no name and no usable purl: kept with an empty name".to_owned(),
    }
}

/// Converts a raw SPDX 2 document of either encoding.
///
/// Rejected only where the document is unusable: an unsupported `spdxVersion` or a
/// reached limit (malformed JSON or tag-value, and wrong JSON types, are rejected by the
/// readers). Everything else that is wrong in one field is read leniently, with a
/// [`Warning`]: a package without a name or SPDXID, a malformed checksum or external
/// reference, a malformed `created`, a duplicate SPDXID, a relationship that is
/// incomplete or names no element of the document.
pub(crate) fn convert(raw: &RawDoc<'_>, format: Format, limits: &Limits) -> Result<Bom, Error> {
    let spec_version = raw.spdx_version.as_deref().unwrap_or("").trim().to_owned();
    if !matches!(spec_version.as_str(), "SPDX-2.1" | "SPDX-2.2" | "SPDX-2.3") {
        return Err(Error::UnsupportedVersion {
            format,
            version: spec_version,
            supported: SUPPORTED,
        });
    }
    limits.check_components(raw.packages.len(), || "packages".to_owned())?;
    let mut warnings: Vec<Warning> = raw.warnings.clone();
    let timestamp = match raw.creation_info.created.as_deref() {
        Some(t) => match timestamp(t) {
            Ok(t) => Some(t),
            Err(e) => {
                warnings.push(Warning::new(
                    loc(raw.creation_info.created_line, "Created", || {
                        "creationInfo.created".to_owned()
                    }),
                    format!("{e}: no timestamp is kept"),
                ));
                None
            }
        },
        None => None,
    };
    let tools = raw
        .creation_info
        .creators
        .iter()
        .filter_map(|c| tool(&c.0))
        .collect();

    let mut components = Vec::with_capacity(raw.packages.len());
    let mut unmatchable = Vec::new();
    for (i, p) in raw.packages.iter().enumerate() {
        let path = |field: &str| format!("packages[{i}].{field}");
        let id = present(&p.spdx_id);
        if id.is_none() {
            warnings.push(Warning::new(
                loc(p.line, "PackageName", || path("SPDXID")),
                "no SPDXID: the package is kept, but no relationship can name it",
            ));
        }
        let mut hashes = Vec::with_capacity(p.checksums.len());
        for (j, h) in p.checksums.iter().enumerate() {
            let at = || {
                loc(h.line, "PackageChecksum", || {
                    path(&format!("checksums[{j}]"))
                })
            };
            let (Some(algorithm), Some(value)) = (present(&h.algorithm), present(&h.value)) else {
                warnings.push(Warning::new(
                    at(),
                    "a checksum needs an algorithm and a checksumValue: checksum ignored",
                ));
                continue;
            };
            match Hash::new(algorithm, value) {
                Ok(hash) => hashes.push(hash),
                Err(m) => warnings.push(Warning::new(at(), format!("{m}: checksum ignored"))),
            }
        }
        let mut licenses: Vec<String> = Vec::new();
        for l in [license(&p.license_concluded), license(&p.license_declared)]
            .into_iter()
            .flatten()
        {
            if !licenses.contains(&l) {
                licenses.push(l);
            }
        }
        let mut purl = None;
        let mut cpes = Vec::new();
        for (j, r) in p.external_refs.iter().enumerate() {
            let (Some(category), Some(kind), Some(locator)) =
                (present(&r.category), present(&r.kind), present(&r.locator))
            else {
                warnings.push(Warning::new(
                    path(&format!("externalRefs[{j}]")),
                    "an external reference needs a referenceCategory, a referenceType and a referenceLocator: ignored",
                ));
                continue;
            };
            match (category, kind) {
                ("PACKAGE-MANAGER" | "PACKAGE_MANAGER", "purl") => {
                    purl.get_or_insert(locator);
                }
                ("SECURITY", "cpe23Type" | "cpe22Type") => cpes.push(locator.to_owned()),
                _ => {}
            }
        }
        let mut c = Component {
            bom_ref: id.map(str::to_owned),
            name: present(&p.name).unwrap_or("").to_owned(),
            version: p
                .version
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "NOASSERTION")
                .map(str::to_owned),
            kind: p.purpose.as_deref().map(str::trim).map(str::to_owned),
            hashes,
            licenses,
            supplier: p.supplier.as_deref().and_then(agent),
            cpes,
            ..Component::default()
        };
        if let Some(reason) = derive::resolve(&mut c, purl, None) {
            unmatchable.push((i, reason));
        }
        if c.name.is_empty() {
            // Matching goes by purl, so a package without a name but with a purl loses
            // nothing; one with neither is already unmatchable, by `resolve`.
            let message = name_from_purl(&mut c);
            warnings.push(Warning::new(
                loc(p.line, "PackageName", || path("name")),
                message,
            ));
        }
        let mut hints = SourceHints::default();
        if let Some(info) = p.source_info.as_deref() {
            hints.source_info(info);
        }
        c.source = hints.resolve(c.purl.as_ref(), c.version.as_deref());
        components.push(c);
    }

    // Where each package is, for warnings that name two of them.
    let place = |i: usize| {
        let p = &raw.packages[i];
        if p.line > 0 {
            format!("the package at line {}", p.line)
        } else {
            format!("packages[{i}]")
        }
    };
    let mut ids: HashMap<&str, usize> = HashMap::with_capacity(components.len());
    for (i, c) in components.iter().enumerate() {
        let Some(id) = c.bom_ref.as_deref() else {
            continue;
        };
        match ids.entry(id) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            // Both packages are kept; relationships resolve to the first.
            Entry::Occupied(e) => {
                let first = *e.get();
                let p = &raw.packages[i];
                warnings.push(Warning::new(
                    loc(p.spdx_id_line, "SPDXID", || format!("packages[{i}].SPDXID")),
                    format!(
                        "{id:?} names both {} ({:?}) and {} ({:?}): both are kept, and relationships resolve to the first",
                        place(first),
                        components[first].name,
                        place(i),
                        c.name
                    ),
                ));
            }
        }
    }
    let document_id = raw.spdx_id.as_deref().unwrap_or("SPDXRef-DOCUMENT").trim();
    let other_ids: HashSet<&str> = raw
        .files
        .iter()
        .chain(&raw.snippets)
        .filter_map(|e| present(&e.spdx_id))
        .chain([document_id])
        .collect();
    let known = |id: &str| ids.contains_key(id) || other_ids.contains(id) || outside_element(id);
    let mut roots: Vec<usize> = Vec::new();
    let add_root = |id: &str, roots: &mut Vec<usize>| {
        if let Some(&i) = ids.get(id)
            && !roots.contains(&i)
        {
            roots.push(i);
        }
    };
    for (i, d) in raw.describes.iter().enumerate() {
        let id = d.0.trim();
        if known(id) {
            add_root(id, &mut roots);
        } else {
            warnings.push(Warning::new(
                format!("documentDescribes[{i}]"),
                format!("{id:?} names no element of the document: ignored"),
            ));
        }
    }
    let mut edges = Vec::new();
    for (i, r) in raw.relationships.iter().enumerate() {
        let at = |field: &str| {
            loc(r.line, "Relationship", || {
                format!("relationships[{i}]{field}")
            })
        };
        let (from, kind, to) = (present(&r.from), present(&r.kind), present(&r.to));
        let (Some(from), Some(kind), Some(to)) = (from, kind, to) else {
            let missing: Vec<&str> = [
                ("spdxElementId", from),
                ("relationshipType", kind),
                ("relatedSpdxElement", to),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(f, _)| f)
            .collect();
            warnings.push(Warning::new(
                at(""),
                format!(
                    "no {}: the relationship is skipped",
                    missing.join(" and no ")
                ),
            ));
            continue;
        };
        let unknown: Vec<(&str, &str)> = [("spdxElementId", from), ("relatedSpdxElement", to)]
            .into_iter()
            .filter(|(_, id)| !known(id))
            .collect();
        match unknown.as_slice() {
            [] => {}
            [(field, id)] => {
                warnings.push(Warning::new(
                    at(&format!(".{field}")),
                    format!("{id:?} names no element of the document: the relationship is skipped"),
                ));
                continue;
            }
            _ => {
                warnings.push(Warning::new(
                    at(""),
                    format!(
                        "{from:?} and {to:?} name no element of the document: the relationship is skipped"
                    ),
                ));
                continue;
            }
        }
        match kind {
            "DESCRIBES" if from == document_id => add_root(to, &mut roots),
            "DESCRIBED_BY" if to == document_id => add_root(from, &mut roots),
            _ => {
                let (Some((kind, reversed)), Some(&a), Some(&b)) =
                    (edge_kind(kind), ids.get(from), ids.get(to))
                else {
                    continue;
                };
                let (from, to) = if reversed { (b, a) } else { (a, b) };
                edges.push(Edge { from, to, kind });
            }
        }
    }
    drop(ids);
    let subject = match roots.first() {
        Some(&first) => Some(Subject {
            name: components[first].name.clone(),
            version: components[first].version.clone(),
            hashes: components[first].hashes.clone(),
            components: roots,
        }),
        None => raw.name.as_deref().map(|n| Subject {
            name: n.trim().to_owned(),
            version: None,
            hashes: Vec::new(),
            components: Vec::new(),
        }),
    };
    Ok(Bom {
        format,
        spec_version,
        serial_number: raw.namespace.as_deref().map(|s| s.trim().to_owned()),
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
