//! What the test files share: a one-line summary of a statement, the fields a round trip
//! must keep, the documented changes each writer makes, and the JSON schemas.

#![allow(dead_code, reason = "each test file uses part of the support module")]

use std::path::Path;

use vigil_vex::{
    BomLink, Document, Product, ProductId, Statement, Status, VersionSpec, cyclonedx, openvex,
};

/// `CVE-1 not_affected component_not_present: pkg:a@1 {pkg:sub@2}; pkg:b@1 @range vers:x`.
pub(crate) fn summary(s: &Statement) -> String {
    let products: Vec<String> = s.products.iter().map(product_summary).collect();
    format!(
        "{} {} {}: {}",
        s.vulnerability.name,
        s.status,
        s.justification.map_or("-", |j| j.as_str()),
        products.join("; ")
    )
}

pub(crate) fn product_summary(p: &Product) -> String {
    let mut out = p.id.as_iri();
    match &p.versions {
        Some(VersionSpec::Version(v)) => out.push_str(&format!(" @version {v}")),
        Some(VersionSpec::Range(r)) => out.push_str(&format!(" @range {r}")),
        None => {}
    }
    if !p.subcomponents.is_empty() {
        let subs: Vec<String> = p.subcomponents.iter().map(ProductId::as_iri).collect();
        out.push_str(&format!(" {{{}}}", subs.join(", ")));
    }
    out
}

/// What a round trip must keep of a statement, order-independent where the formats are.
#[derive(Debug, PartialEq)]
pub(crate) struct Core {
    pub(crate) name: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) status: Status,
    pub(crate) justification: Option<vigil_vex::Justification>,
    pub(crate) timestamp: Option<time::OffsetDateTime>,
    /// (id, versions, sorted subcomponents), sorted.
    pub(crate) products: Vec<(String, String, Option<VersionSpec>, Vec<String>)>,
}

pub(crate) fn core(doc: &Document) -> Vec<Core> {
    doc.statements
        .iter()
        .map(|s| {
            let mut aliases = s.vulnerability.aliases.clone();
            aliases.sort();
            let mut products: Vec<_> = s
                .products
                .iter()
                .map(|p| {
                    let mut subs: Vec<String> =
                        p.subcomponents.iter().map(|x| format!("{x:?}")).collect();
                    subs.sort();
                    (
                        p.id.as_iri(),
                        format!("{:?}", p.id),
                        p.versions.clone(),
                        subs,
                    )
                })
                .collect();
            products.sort();
            products.dedup();
            Core {
                name: s.vulnerability.name.clone(),
                aliases,
                status: s.status,
                justification: s.justification,
                timestamp: s.timestamp,
                products,
            }
        })
        .collect()
}

/// The id OpenVEX writes for `id` in `doc`: a CycloneDX component becomes its purl, else
/// a BOM-link into `doc`, else its bom-ref.
fn openvex_id(doc: &Document, id: &ProductId) -> ProductId {
    let ProductId::Component(c) = id else {
        return id.clone();
    };
    if let Some(p) = &c.purl {
        return ProductId::from_purl(p.clone());
    }
    let serial = doc
        .bom
        .as_ref()
        .and_then(|b| b.serial.clone())
        .filter(|s| s.starts_with("urn:uuid:"));
    match serial {
        Some(serial) => ProductId::BomLink(BomLink {
            serial: serial.to_ascii_lowercase(),
            version: doc.bom.as_ref().map_or(1, |b| b.version.max(1)),
            bom_ref: Some(c.bom_ref.clone()),
        }),
        None => ProductId::parse(&c.bom_ref).0,
    }
}

/// `doc` as reading its OpenVEX output gives it back, by the rules `openvex::write`
/// documents: components renamed, products with versions left out (named in the notes).
pub(crate) fn expected_after_openvex(doc: &Document) -> Document {
    let mut d = doc.clone();
    let written = doc
        .timestamp
        .or_else(|| doc.statements.iter().filter_map(|s| s.timestamp).max())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    for s in &mut d.statements {
        s.timestamp = s.timestamp.or(Some(written));
        s.products.retain(|p| p.versions.is_none());
        for p in &mut s.products {
            p.id = openvex_id(doc, &p.id);
            for sub in &mut p.subcomponents {
                *sub = openvex_id(doc, sub);
            }
        }
    }
    d.normalize();
    d
}

/// `doc` as reading its CycloneDX output gives it back: justifications only on
/// `not_affected`, and a statement without a timestamp takes the document's.
pub(crate) fn expected_after_cyclonedx(doc: &Document) -> Document {
    let mut d = doc.clone();
    let fallback = doc
        .timestamp
        .or_else(|| doc.statements.iter().filter_map(|s| s.timestamp).max());
    for s in &mut d.statements {
        if s.status != Status::NotAffected {
            s.justification = None;
        }
        for p in &mut s.products {
            // A component needs a name; the writer uses the bom-ref when there is none.
            if let ProductId::Component(c) = &mut p.id
                && c.name.is_none()
            {
                c.name = Some(c.bom_ref.clone());
            }
        }
        if s.timestamp.is_none() {
            s.timestamp = fallback;
        }
    }
    d.normalize();
    d
}

/// Writes `doc` both ways, reads each back, and checks that the statements survive as
/// documented and that writing again gives the same bytes.
pub(crate) fn check_round_trips(doc: &Document, label: &str) -> Result<(), String> {
    let ov = openvex::write(doc);
    let back = vigil_vex::parse(&ov).map_err(|e| format!("{label}: OpenVEX output: {e}"))?;
    let want = core(&expected_after_openvex(doc));
    let got = core(&back);
    if got != want {
        return Err(format!(
            "{label}: OpenVEX round trip differs\n got: {got:#?}\nwant: {want:#?}\n{}",
            String::from_utf8_lossy(&ov)
        ));
    }
    if openvex::write(&back) != ov {
        return Err(format!("{label}: OpenVEX output is not a fixed point"));
    }
    let cdx = cyclonedx::write(doc);
    let back = vigil_vex::parse(&cdx).map_err(|e| format!("{label}: CycloneDX output: {e}"))?;
    let want = core(&expected_after_cyclonedx(doc));
    let got = core(&back);
    if got != want {
        return Err(format!(
            "{label}: CycloneDX round trip differs\n got: {got:#?}\nwant: {want:#?}\n{}",
            String::from_utf8_lossy(&cdx)
        ));
    }
    if cyclonedx::write(&back) != cdx {
        return Err(format!(
            "{label}: CycloneDX output is not a fixed point:\n{}\n{}",
            String::from_utf8_lossy(&cdx),
            String::from_utf8_lossy(&cyclonedx::write(&back))
        ));
    }
    Ok(())
}

/// The OpenVEX and CycloneDX 1.6 JSON schemas, compiled.
pub(crate) struct Schemas {
    schemas: boon::Schemas,
    openvex: boon::SchemaIndex,
    cyclonedx: boon::SchemaIndex,
}

fn load(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Schemas {
    /// From the conformance data directory.
    pub(crate) fn load(data: &Path) -> Schemas {
        let mut compiler = boon::Compiler::new();
        let mut schemas = boon::Schemas::new();
        let openvex_url = "https://github.com/openvex/spec/openvex_json_schema_0.2.0.json";
        compiler
            .add_resource(
                openvex_url,
                load(&data.join("openvex/spec/openvex_json_schema.json")),
            )
            .expect("OpenVEX schema resource");
        let cdx = data.join("cyclonedx-spec/schema");
        for name in [
            "bom-1.6.schema.json",
            "spdx.schema.json",
            "jsf-0.82.schema.json",
        ] {
            compiler
                .add_resource(
                    &format!("http://cyclonedx.org/schema/{name}"),
                    load(&cdx.join(name)),
                )
                .expect("CycloneDX schema resource");
        }
        let openvex = compiler
            .compile(openvex_url, &mut schemas)
            .unwrap_or_else(|e| panic!("compiling the OpenVEX schema: {e}"));
        let cyclonedx = compiler
            .compile(
                "http://cyclonedx.org/schema/bom-1.6.schema.json",
                &mut schemas,
            )
            .unwrap_or_else(|e| panic!("compiling the CycloneDX schema: {e:#}"));
        Schemas {
            schemas,
            openvex,
            cyclonedx,
        }
    }

    pub(crate) fn check_openvex(&self, bytes: &[u8]) -> Result<(), String> {
        self.check(bytes, self.openvex)
    }

    pub(crate) fn check_cyclonedx(&self, bytes: &[u8]) -> Result<(), String> {
        self.check(bytes, self.cyclonedx)
    }

    fn check(&self, bytes: &[u8], index: boon::SchemaIndex) -> Result<(), String> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        self.schemas
            .validate(&value, index)
            .map_err(|e| format!("{e:#}\n{}", String::from_utf8_lossy(bytes)))
    }
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
pub(crate) fn files(dir: &Path, exts: &[&str]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
