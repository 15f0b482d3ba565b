//! CycloneDX 1.2–1.7, JSON and XML, read into the normalized [`Bom`].
//!
//! Both encodings are read into the same raw structs (the JSON reader with serde, the
//! XML reader by hand) and converted by one function, so they cannot disagree. The raw
//! structs hold only what Vigil uses; serde skips everything else without building it.
//!
//! Vigil is no schema validator. It rejects a document only where it is unusable: no
//! `bomFormat` or a wrong one, an unsupported `specVersion`, malformed JSON or XML, a
//! limit reached. Everything else that is wrong in one field is read leniently, because
//! refusing a whole SBOM loses every finding in it: each leniency is recorded in
//! [`Bom::warnings`] with where it is (a component without a name, an unknown component
//! type, an empty or duplicated `bom-ref`, a dependency without a `ref`, a malformed
//! serial number or timestamp, a hash that is not hex of the algorithm's length, a
//! license with neither id, name nor expression, a vulnerability without an id).
//! Missing component types, properties without names and everything the reader skips
//! pass without a warning.

pub(crate) mod json;
pub(crate) mod xml;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::Deserialize;

use crate::jsonutil::{BorrowedStr, OneOrMany, Str, timestamp};
use crate::source::SourceHints;
use crate::{
    Affect, AffectedVersion, Analysis, Bom, Component, Edge, EdgeKind, Error, Format, Hash, Limits,
    Rating, Subject, Tool, Vulnerability, Warning, derive,
};

pub(crate) const SUPPORTED: &str = "1.2, 1.3, 1.4, 1.5, 1.6, 1.7";

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawBom<'a> {
    #[serde(rename = "bomFormat", borrow, default)]
    pub(crate) bom_format: Option<Str<'a>>,
    #[serde(rename = "specVersion", borrow, default)]
    pub(crate) spec_version: Option<Str<'a>>,
    #[serde(rename = "serialNumber", borrow, default)]
    pub(crate) serial_number: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) metadata: Option<RawMetadata<'a>>,
    #[serde(borrow, default)]
    pub(crate) components: Vec<RawComponent<'a>>,
    #[serde(borrow, default)]
    pub(crate) dependencies: Vec<RawDependency<'a>>,
    #[serde(borrow, default)]
    pub(crate) vulnerabilities: Vec<RawVulnerability<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawMetadata<'a> {
    #[serde(borrow, default)]
    pub(crate) timestamp: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) tools: RawTools<'a>,
    #[serde(borrow, default)]
    pub(crate) component: Option<RawComponent<'a>>,
}

/// `tools`: an array of tools (1.2–1.4, deprecated since), or an object of
/// `components` and `services` (1.5+).
#[derive(Debug, Default)]
pub(crate) struct RawTools<'a>(pub(crate) Vec<RawTool<'a>>);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawTool<'a> {
    #[serde(borrow, default)]
    pub(crate) vendor: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) group: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) author: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) publisher: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) version: Option<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawTools<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawTools<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of tools or an object of components and services")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = seq.next_element()? {
                    out.push(t);
                }
                Ok(RawTools(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(BorrowedStr(key)) = map.next_key()? {
                    if key == "components" || key == "services" {
                        out.extend(map.next_value::<Vec<RawTool<'a>>>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(RawTools(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawComponent<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(crate) kind: Option<Str<'a>>,
    #[serde(rename = "bom-ref", borrow, default)]
    pub(crate) bom_ref: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) group: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) version: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) purl: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) cpe: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) publisher: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) supplier: Option<RawOrg<'a>>,
    #[serde(borrow, default)]
    pub(crate) hashes: Vec<RawHash<'a>>,
    #[serde(borrow, default)]
    pub(crate) licenses: Vec<RawLicenseChoice<'a>>,
    #[serde(borrow, default)]
    pub(crate) properties: Vec<RawProperty<'a>>,
    #[serde(borrow, default)]
    pub(crate) components: Vec<RawComponent<'a>>,
    #[serde(borrow, default)]
    pub(crate) tags: Vec<BorrowedStr<'a>>,
    #[serde(borrow, default)]
    pub(crate) evidence: Option<RawEvidence<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawOrg<'a> {
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawHash<'a> {
    #[serde(borrow)]
    pub(crate) alg: Str<'a>,
    #[serde(borrow)]
    pub(crate) content: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawLicenseChoice<'a> {
    #[serde(borrow, default)]
    pub(crate) license: Option<RawLicense<'a>>,
    #[serde(borrow, default)]
    pub(crate) expression: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawLicense<'a> {
    #[serde(borrow, default)]
    pub(crate) id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawProperty<'a> {
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) value: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawEvidence<'a> {
    #[serde(borrow, default)]
    pub(crate) identity: OneOrMany<RawIdentity<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawIdentity<'a> {
    #[serde(borrow, default)]
    pub(crate) methods: Vec<RawMethod<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawMethod<'a> {
    #[serde(borrow, default)]
    pub(crate) technique: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) value: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawDependency<'a> {
    #[serde(rename = "ref", borrow, default)]
    pub(crate) reference: Option<Str<'a>>,
    #[serde(rename = "dependsOn", borrow, default)]
    pub(crate) depends_on: Vec<BorrowedStr<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawVulnerability<'a> {
    #[serde(rename = "bom-ref", borrow, default)]
    pub(crate) bom_ref: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) source: Option<RawSource<'a>>,
    #[serde(borrow, default)]
    pub(crate) ratings: Vec<RawRating<'a>>,
    #[serde(borrow, default)]
    pub(crate) analysis: Option<RawAnalysis<'a>>,
    #[serde(borrow, default)]
    pub(crate) affects: Vec<RawAffect<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawSource<'a> {
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) url: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawRating<'a> {
    #[serde(borrow, default)]
    pub(crate) source: Option<RawSource<'a>>,
    #[serde(default)]
    pub(crate) score: Option<f64>,
    #[serde(borrow, default)]
    pub(crate) severity: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) method: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) vector: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawAnalysis<'a> {
    #[serde(borrow, default)]
    pub(crate) state: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) justification: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) response: Vec<BorrowedStr<'a>>,
    #[serde(borrow, default)]
    pub(crate) detail: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawAffect<'a> {
    #[serde(rename = "ref", borrow, default)]
    pub(crate) reference: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) versions: Vec<RawAffectedVersion<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawAffectedVersion<'a> {
    #[serde(borrow, default)]
    pub(crate) version: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) range: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) status: Option<Str<'a>>,
}

/// Every component `type` of CycloneDX 1.2–1.7.
const COMPONENT_TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];

fn owned(s: &Option<Str<'_>>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn is_uuid_urn(s: &str) -> bool {
    let Some(u) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = u.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// State of one conversion.
struct Builder<'r, 'a> {
    limits: &'r Limits,
    components: Vec<Component>,
    edges: Vec<Edge>,
    unmatchable: Vec<(usize, String)>,
    warnings: Vec<Warning>,
    /// Where each component is in the document (`components[3]`), for warnings.
    locations: Vec<String>,
    /// cdxgen's source components: their index and the binary names they were built into.
    cdxgen_sources: Vec<(usize, Vec<&'r str>)>,
    _raw: std::marker::PhantomData<&'a ()>,
}

impl<'r, 'a: 'r> Builder<'r, 'a> {
    fn component(
        &mut self,
        raw: &'r RawComponent<'a>,
        at: &dyn Fn() -> String,
        depth: usize,
    ) -> Result<usize, Error> {
        if depth > self.limits.max_depth {
            return Err(self.limits.depth_error("component nesting", at()));
        }
        self.limits
            .check_components(self.components.len() + 1, at)?;
        let mut warnings = Vec::new();
        let mut warn = |field: &str, message: String| {
            warnings.push(Warning::new(format!("{}.{field}", at()), message));
        };

        let name = raw.name.as_deref().map(str::trim).unwrap_or("").to_owned();
        let kind = match raw.kind.as_deref().map(str::trim) {
            Some("") => {
                warn("type", "empty component type: ignored".into());
                None
            }
            Some(kind) if !COMPONENT_TYPES.contains(&kind) => {
                warn(
                    "type",
                    format!(
                        "unknown component type {kind:?}, kept as written; known: {}",
                        COMPONENT_TYPES.join(", ")
                    ),
                );
                Some(kind.to_owned())
            }
            Some(kind) => Some(kind.to_owned()),
            None => None,
        };
        if raw.bom_ref.as_deref().is_some_and(|r| r.trim().is_empty()) {
            warn(
                "bom-ref",
                "empty bom-ref: ignored, nothing can reference the component by it".into(),
            );
        }
        let mut hashes = Vec::with_capacity(raw.hashes.len());
        for (i, h) in raw.hashes.iter().enumerate() {
            match Hash::new(&h.alg, h.content.trim()) {
                Err(m) => warn(&format!("hashes[{i}]"), format!("{m}: hash ignored")),
                Ok(hash) if !hash.algorithm.is_cyclonedx() => warn(
                    &format!("hashes[{i}].alg"),
                    format!("unknown hash algorithm {:?}: hash ignored", h.alg),
                ),
                Ok(hash) => hashes.push(hash),
            }
        }
        let mut licenses = Vec::new();
        for (i, l) in raw.licenses.iter().enumerate() {
            let before = licenses.len();
            if let Some(e) = owned(&l.expression) {
                licenses.push(e);
            }
            if let Some(lic) = &l.license
                && let Some(s) = owned(&lic.id).or_else(|| owned(&lic.name))
            {
                licenses.push(s);
            }
            if licenses.len() == before {
                warn(
                    &format!("licenses[{i}]"),
                    "a license needs an id, a name or an expression: license ignored".into(),
                );
            }
        }
        let mut hints = SourceHints::default();
        let mut cpes: Vec<String> = owned(&raw.cpe).into_iter().collect();
        let mut package_type = None;
        for p in &raw.properties {
            let (Some(name), Some(value)) = (p.name.as_deref(), p.value.as_deref()) else {
                continue;
            };
            hints.property(name, value);
            match name {
                "syft:package:type" | "aquasecurity:trivy:PkgType" => package_type = Some(value),
                "syft:cpe23" => cpes.push(value.to_owned()),
                _ => {}
            }
        }
        let mut c = Component {
            bom_ref: owned(&raw.bom_ref),
            name,
            group: owned(&raw.group),
            version: owned(&raw.version),
            kind,
            hashes,
            licenses,
            supplier: raw
                .supplier
                .as_ref()
                .and_then(|s| owned(&s.name))
                .or_else(|| owned(&raw.publisher)),
            cpes,
            ..Component::default()
        };
        let index = self.components.len();
        if let Some(reason) = derive::resolve(&mut c, raw.purl.as_deref(), package_type) {
            self.unmatchable.push((index, reason));
        }
        if c.name.is_empty() {
            // Matching goes by purl, so a component without a name but with a purl loses
            // nothing; one with neither is already unmatchable, by `resolve`.
            let message = match &c.purl {
                Some(p) if !p.name().is_empty() => {
                    c.name = p.name().to_owned();
                    format!("no name; the purl's name {:?} is used", c.name)
                }
                _ => "no name and no usable purl: kept with an empty name".to_owned(),
            };
            warn("name", message);
        }
        self.warnings.append(&mut warnings);
        c.source = hints.resolve(c.purl.as_ref(), c.version.as_deref());
        if raw.tags.iter().any(|t| t.0 == "source") {
            let binaries: Vec<&str> = raw
                .evidence
                .iter()
                .flat_map(|e| &e.identity.0)
                .flat_map(|i| &i.methods)
                .filter(|m| m.technique.as_deref() == Some("filename"))
                .filter_map(|m| m.value.as_deref())
                .collect();
            if !binaries.is_empty() {
                self.cdxgen_sources.push((index, binaries));
            }
        }
        self.components.push(c);
        self.locations.push(at());
        for (i, child) in raw.components.iter().enumerate() {
            let child_at = || format!("{}.components[{i}]", at());
            let child_index = self.component(child, &child_at, depth + 1)?;
            self.edges.push(Edge {
                from: index,
                to: child_index,
                kind: EdgeKind::Contains,
            });
        }
        Ok(index)
    }

    /// cdxgen lists a distribution's source packages as components tagged `source`
    /// whose identity evidence names the binaries built from them.
    fn link_cdxgen_sources(&mut self) {
        for (src, binaries) in std::mem::take(&mut self.cdxgen_sources) {
            let (name, version, ty, ns) = {
                let s = &self.components[src];
                let p = s.purl.as_ref();
                (
                    s.name.clone(),
                    s.version.clone(),
                    p.map(|p| p.ty().to_owned()),
                    p.and_then(|p| p.namespace().map(str::to_owned)),
                )
            };
            for c in &mut self.components {
                let same_repo = c.purl.as_ref().map(|p| p.ty().to_owned()) == ty
                    && c.purl
                        .as_ref()
                        .and_then(|p| p.namespace().map(str::to_owned))
                        == ns;
                if c.source.is_none() && same_repo && binaries.contains(&c.name.as_str()) {
                    c.source = Some(crate::SourcePackage {
                        name: name.clone(),
                        version: version.clone(),
                    });
                }
            }
        }
    }
}

/// Converts a raw CycloneDX document of either encoding.
pub(crate) fn convert(raw: &RawBom<'_>, format: Format, limits: &Limits) -> Result<Bom, Error> {
    match raw.bom_format.as_deref() {
        Some("CycloneDX") => {}
        Some(other) => {
            return Err(Error::invalid(
                format,
                "bomFormat",
                format!("{other:?} is not \"CycloneDX\""),
            ));
        }
        None if format == Format::CycloneDxXml => {}
        None => {
            return Err(Error::invalid(
                format,
                "bomFormat",
                "missing; a CycloneDX document has \"bomFormat\": \"CycloneDX\"",
            ));
        }
    }
    let spec_version = raw.spec_version.as_deref().unwrap_or("").trim().to_owned();
    if !matches!(
        spec_version.as_str(),
        "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7"
    ) {
        return Err(Error::UnsupportedVersion {
            format,
            version: spec_version,
            supported: SUPPORTED,
        });
    }
    let mut b = Builder {
        limits,
        components: Vec::with_capacity(raw.components.len() + 1),
        edges: Vec::new(),
        unmatchable: Vec::new(),
        warnings: Vec::new(),
        locations: Vec::new(),
        cdxgen_sources: Vec::new(),
        _raw: std::marker::PhantomData,
    };
    // Kept as written: it identifies the document, and nothing is matched on it.
    let serial_number = owned(&raw.serial_number);
    if let Some(s) = &serial_number
        && !is_uuid_urn(s)
    {
        b.warnings.push(Warning::new(
            "serialNumber",
            format!("{s:?} is not a urn:uuid: URN; kept as written"),
        ));
    }
    let mut subject = None;
    let mut tools = Vec::new();
    let mut ts = None;
    if let Some(m) = &raw.metadata {
        if let Some(t) = m.timestamp.as_deref() {
            match timestamp(t) {
                Ok(t) => ts = Some(t),
                Err(e) => b.warnings.push(Warning::new(
                    "metadata.timestamp",
                    format!("{e}: no timestamp is kept"),
                )),
            }
        }
        for t in &m.tools.0 {
            if let Some(name) = owned(&t.name) {
                tools.push(Tool {
                    vendor: owned(&t.vendor)
                        .or_else(|| owned(&t.group))
                        .or_else(|| owned(&t.author))
                        .or_else(|| owned(&t.publisher)),
                    name,
                    version: owned(&t.version),
                });
            }
        }
        if let Some(c) = &m.component {
            let index = b.component(c, &|| "metadata.component".to_owned(), 1)?;
            let sc = &b.components[index];
            subject = Some(Subject {
                name: sc.name.clone(),
                version: sc.version.clone(),
                hashes: sc.hashes.clone(),
                components: vec![index],
            });
        }
    }
    for (i, c) in raw.components.iter().enumerate() {
        b.component(c, &|| format!("components[{i}]"), 1)?;
    }
    b.link_cdxgen_sources();

    let mut warnings = std::mem::take(&mut b.warnings);
    let mut refs: HashMap<&str, usize> = HashMap::with_capacity(b.components.len());
    for (i, c) in b.components.iter().enumerate() {
        let Some(r) = &c.bom_ref else { continue };
        match refs.entry(r.as_str()) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            // Both components are kept; references resolve to the first, as they would
            // in a reader that indexes refs as it goes.
            Entry::Occupied(e) => {
                let first = *e.get();
                warnings.push(Warning::new(
                    format!("{}.bom-ref", b.locations[i]),
                    format!(
                        "{r:?} names both {} ({:?}) and {} ({:?}): both are kept, and references to it resolve to the first",
                        b.locations[first], b.components[first].name, b.locations[i], c.name
                    ),
                ));
            }
        }
    }
    let mut edges = std::mem::take(&mut b.edges);
    for (i, d) in raw.dependencies.iter().enumerate() {
        let Some(from) = d
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        else {
            warnings.push(Warning::new(
                format!("dependencies[{i}].ref"),
                "a dependency needs a non-empty ref: the entry is ignored",
            ));
            continue;
        };
        // References to services or to other BOMs have no component here.
        let Some(&from) = refs.get(from) else {
            continue;
        };
        for (j, to) in d.depends_on.iter().enumerate() {
            if to.0.trim().is_empty() {
                warnings.push(Warning::new(
                    format!("dependencies[{i}].dependsOn[{j}]"),
                    "an empty ref: ignored",
                ));
            } else if let Some(&to) = refs.get(to.0.trim()) {
                edges.push(Edge {
                    from,
                    to,
                    kind: EdgeKind::DependsOn,
                });
            }
        }
    }
    let mut vulnerabilities = Vec::with_capacity(raw.vulnerabilities.len());
    for (i, v) in raw.vulnerabilities.iter().enumerate() {
        let Some(id) = owned(&v.id) else {
            warnings.push(Warning::new(
                format!("vulnerabilities[{i}].id"),
                "a vulnerability needs an id: the vulnerability is ignored",
            ));
            continue;
        };
        vulnerabilities.push(Vulnerability {
            bom_ref: owned(&v.bom_ref),
            id,
            source_name: v.source.as_ref().and_then(|s| owned(&s.name)),
            source_url: v.source.as_ref().and_then(|s| owned(&s.url)),
            ratings: v
                .ratings
                .iter()
                .map(|r| Rating {
                    source: r.source.as_ref().and_then(|s| owned(&s.name)),
                    score: r.score,
                    severity: owned(&r.severity),
                    method: owned(&r.method),
                    vector: owned(&r.vector),
                })
                .collect(),
            analysis: v.analysis.as_ref().map(|a| Analysis {
                state: owned(&a.state),
                justification: owned(&a.justification),
                response: a.response.iter().map(|r| r.0.trim().to_owned()).collect(),
                detail: owned(&a.detail),
            }),
            affects: v
                .affects
                .iter()
                .filter_map(|a| {
                    let reference = owned(&a.reference)?;
                    Some(Affect {
                        component: refs.get(reference.as_str()).copied(),
                        reference,
                        versions: a
                            .versions
                            .iter()
                            .map(|v| AffectedVersion {
                                version: owned(&v.version),
                                range: owned(&v.range),
                                status: owned(&v.status),
                            })
                            .collect(),
                    })
                })
                .collect(),
        });
    }
    drop(refs);
    Ok(Bom {
        format,
        spec_version,
        serial_number,
        subject,
        tools,
        timestamp: ts,
        components: b.components,
        edges,
        vulnerabilities,
        unmatchable: b.unmatchable,
        warnings,
    })
}
