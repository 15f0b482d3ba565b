//! SPDX 2.2/2.3 (JSON and tag-value) and SPDX 3.0 JSON-LD, read into the normalized
//! [`Bom`].
//!
//! The two SPDX 2 encodings are read into the same raw structs and converted by one
//! function. Packages become components; files and snippets are not components, and
//! relationships that touch them are left out of the graph. The subject is what the
//! document `DESCRIBES`.

pub(crate) mod json;
pub(crate) mod tag;
pub(crate) mod v3;

use std::collections::HashMap;

use serde::Deserialize;

use crate::jsonutil::{BorrowedStr, Str, timestamp};
use crate::source::SourceHints;
use crate::{Bom, Component, Edge, EdgeKind, Error, Format, Hash, Limits, Subject, Tool, derive};

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
    #[serde(borrow, default)]
    pub(crate) relationships: Vec<RawRelationship<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawCreationInfo<'a> {
    #[serde(borrow, default)]
    pub(crate) created: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) creators: Vec<BorrowedStr<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawPackage<'a> {
    /// The line the package starts on, for tag-value; 0 for JSON.
    #[serde(skip)]
    pub(crate) line: usize,
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
    #[serde(borrow)]
    pub(crate) algorithm: Str<'a>,
    #[serde(rename = "checksumValue", borrow)]
    pub(crate) value: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawExternalRef<'a> {
    #[serde(rename = "referenceCategory", borrow)]
    pub(crate) category: Str<'a>,
    #[serde(rename = "referenceType", borrow)]
    pub(crate) kind: Str<'a>,
    #[serde(rename = "referenceLocator", borrow)]
    pub(crate) locator: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawRelationship<'a> {
    #[serde(rename = "spdxElementId", borrow)]
    pub(crate) from: Str<'a>,
    #[serde(rename = "relationshipType", borrow)]
    pub(crate) kind: Str<'a>,
    #[serde(rename = "relatedSpdxElement", borrow)]
    pub(crate) to: Str<'a>,
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

/// Converts a raw SPDX 2 document of either encoding.
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
    let timestamp = match raw.creation_info.created.as_deref() {
        Some(t) => {
            Some(timestamp(t).map_err(|e| Error::invalid(format, "creationInfo.created", e))?)
        }
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
        let at = |field: &str| {
            if p.line > 0 {
                format!("line {}: package {field}", p.line)
            } else {
                format!("packages[{i}].{field}")
            }
        };
        let name = match p.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => return Err(Error::invalid(format, at("name"), "a package needs a name")),
        };
        let Some(id) = p
            .spdx_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Err(Error::invalid(
                format,
                at("SPDXID"),
                "a package needs an SPDXID",
            ));
        };
        let mut hashes = Vec::with_capacity(p.checksums.len());
        for (j, h) in p.checksums.iter().enumerate() {
            hashes.push(
                Hash::new(&h.algorithm, h.value.trim())
                    .map_err(|m| Error::invalid(format, at(&format!("checksums[{j}]")), m))?,
            );
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
        for r in &p.external_refs {
            let category = r.category.trim();
            match (category, r.kind.trim()) {
                ("PACKAGE-MANAGER" | "PACKAGE_MANAGER", "purl") => {
                    purl.get_or_insert(r.locator.trim());
                }
                ("SECURITY", "cpe23Type" | "cpe22Type") => cpes.push(r.locator.trim().to_owned()),
                _ => {}
            }
        }
        let mut c = Component {
            bom_ref: Some(id.to_owned()),
            name,
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
        let mut hints = SourceHints::default();
        if let Some(info) = p.source_info.as_deref() {
            hints.source_info(info);
        }
        c.source = hints.resolve(c.purl.as_ref(), c.version.as_deref());
        components.push(c);
    }

    let ids: HashMap<&str, usize> = components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.bom_ref.as_deref().map(|r| (r, i)))
        .collect();
    let document_id = raw.spdx_id.as_deref().unwrap_or("SPDXRef-DOCUMENT").trim();
    let mut roots: Vec<usize> = Vec::new();
    let add_root = |id: &str, roots: &mut Vec<usize>| {
        if let Some(&i) = ids.get(id)
            && !roots.contains(&i)
        {
            roots.push(i);
        }
    };
    for d in &raw.describes {
        add_root(d.0.trim(), &mut roots);
    }
    let mut edges = Vec::new();
    for r in &raw.relationships {
        let (from, kind, to) = (r.from.trim(), r.kind.trim(), r.to.trim());
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
        warnings: Vec::new(),
    })
}
