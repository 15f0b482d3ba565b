//! What a CycloneDX VEX document says that `vigil_sbom::Bom` does not keep: the BOM
//! version, the author, and per vulnerability its references (aliases), recommendation,
//! analysis timestamps, properties, and which `affects` entries have a `ref`.
//!
//! `vigil_sbom` reads the document first (format, spec version, components, analysis,
//! affects); this second, narrow pass reads the rest, from JSON with serde and from XML
//! with a pull parser, into the same [`Extras`], so both encodings say the same.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::Deserialize;

use crate::Error;

/// The fields read here, with vulnerabilities and their `affects` in document order,
/// including those `vigil_sbom` skips.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    /// The BOM `version` as written.
    pub(crate) version: Option<String>,
    pub(crate) author: Option<String>,
    pub(crate) vulnerabilities: Vec<VulnExtras>,
}

#[derive(Debug, Default)]
pub(crate) struct VulnExtras {
    /// Whether the vulnerability has a non-empty `id` (`vigil_sbom` skips those that do
    /// not, so this aligns the two lists).
    pub(crate) has_id: bool,
    pub(crate) references: Vec<String>,
    pub(crate) recommendation: Option<String>,
    pub(crate) first_issued: Option<String>,
    pub(crate) last_updated: Option<String>,
    pub(crate) properties: Vec<(String, String)>,
    /// Per `affects` entry, whether it has a non-empty `ref`.
    pub(crate) affects_with_ref: Vec<bool>,
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Deserialize)]
struct JDoc {
    #[serde(default)]
    version: Option<serde_json::Value>,
    #[serde(default)]
    metadata: Option<JMetadata>,
    #[serde(default)]
    vulnerabilities: Option<Vec<JVuln>>,
}

#[derive(Deserialize)]
struct JMetadata {
    #[serde(default)]
    authors: Option<Vec<JNamed>>,
    #[serde(default)]
    manufacturer: Option<JNamed>,
    #[serde(default)]
    manufacture: Option<JNamed>,
    #[serde(default)]
    supplier: Option<JNamed>,
}

#[derive(Deserialize)]
struct JNamed {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct JVuln {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    references: Option<Vec<JReference>>,
    #[serde(default)]
    recommendation: Option<String>,
    #[serde(default)]
    analysis: Option<JAnalysis>,
    #[serde(default)]
    properties: Option<Vec<JProperty>>,
    #[serde(default)]
    affects: Option<Vec<JAffect>>,
}

#[derive(Deserialize)]
struct JReference {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct JAnalysis {
    #[serde(rename = "firstIssued", default)]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated", default)]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct JProperty {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct JAffect {
    #[serde(rename = "ref", default)]
    reference: Option<String>,
}

pub(crate) fn json(bytes: &[u8]) -> Result<Extras, Error> {
    let text = crate::detect::trim_start(bytes);
    let mut de = serde_json::Deserializer::from_slice(text);
    let doc: JDoc = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        Error::Syntax {
            format: "CycloneDX JSON",
            at: format!(
                "{} (line {}, column {})",
                e.path(),
                inner.line(),
                inner.column()
            ),
            message: crate::detect::strip_position(&inner.to_string()),
        }
    })?;
    let version = doc.version.map(|v| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    let author = doc.metadata.and_then(|m| {
        m.authors
            .unwrap_or_default()
            .into_iter()
            .chain(m.manufacturer)
            .chain(m.manufacture)
            .chain(m.supplier)
            .find_map(|n| nonempty(n.name))
    });
    let vulnerabilities = doc
        .vulnerabilities
        .unwrap_or_default()
        .into_iter()
        .map(|v| VulnExtras {
            has_id: nonempty(v.id).is_some(),
            references: v
                .references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| nonempty(r.id))
                .collect(),
            recommendation: nonempty(v.recommendation),
            first_issued: v
                .analysis
                .as_ref()
                .and_then(|a| nonempty(a.first_issued.clone())),
            last_updated: v.analysis.and_then(|a| nonempty(a.last_updated)),
            properties: v
                .properties
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| Some((nonempty(p.name)?, p.value.unwrap_or_default())))
                .collect(),
            affects_with_ref: v
                .affects
                .unwrap_or_default()
                .into_iter()
                .map(|a| nonempty(a.reference).is_some())
                .collect(),
        })
        .collect();
    Ok(Extras {
        version,
        author,
        vulnerabilities,
    })
}

/// The XML pass. `vigil_sbom` has read the same bytes already, so they are well-formed
/// UTF-8 XML within its depth limit.
pub(crate) fn xml(bytes: &[u8]) -> Result<Extras, Error> {
    let syntax = |e: &dyn std::fmt::Display| Error::Syntax {
        format: "CycloneDX XML",
        at: "(document)".to_owned(),
        message: e.to_string(),
    };
    let text = std::str::from_utf8(crate::detect::trim_start(bytes)).map_err(|e| syntax(&e))?;
    let mut reader = Reader::from_str(text);
    let mut out = Extras::default();
    let mut path: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut property_name: Option<String> = None;
    let mut manufacturer: Option<String> = None;
    let mut supplier: Option<String> = None;
    loop {
        let event = reader.read_event().map_err(|e| syntax(&e))?;
        let (start, empty) = match event {
            Event::Start(s) => (Some(s), false),
            Event::Empty(s) => (Some(s), true),
            Event::End(_) => {
                end(
                    &path,
                    buf.trim(),
                    &mut out,
                    &mut property_name,
                    &mut manufacturer,
                    &mut supplier,
                );
                path.pop();
                buf.clear();
                continue;
            }
            Event::Text(t) => {
                buf.push_str(&t.decode().map_err(|e| syntax(&e))?);
                continue;
            }
            Event::CData(t) => {
                buf.push_str(&t.decode().map_err(|e| syntax(&e))?);
                continue;
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| syntax(&e))? {
                    buf.push(c);
                } else {
                    let name = r.decode().map_err(|e| syntax(&e))?;
                    buf.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""));
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(start) = start else { continue };
        let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        buf.clear();
        path.push(name);
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match p.as_slice() {
            ["bom"] => {
                for a in start.attributes() {
                    let a = a.map_err(|e| syntax(&e))?;
                    if a.key.local_name().as_ref() == b"version" {
                        out.version = Some(
                            a.unescape_value()
                                .map_err(|e| syntax(&e))?
                                .trim()
                                .to_owned(),
                        );
                    }
                }
            }
            ["bom", "vulnerabilities", "vulnerability"] => {
                out.vulnerabilities.push(VulnExtras::default())
            }
            [
                "bom",
                "vulnerabilities",
                "vulnerability",
                "affects",
                "target",
            ] => {
                if let Some(v) = out.vulnerabilities.last_mut() {
                    v.affects_with_ref.push(false);
                }
            }
            [
                "bom",
                "vulnerabilities",
                "vulnerability",
                "properties",
                "property",
            ] => {
                property_name = None;
                for a in start.attributes() {
                    let a = a.map_err(|e| syntax(&e))?;
                    if a.key.local_name().as_ref() == b"name" {
                        property_name = nonempty(Some(
                            a.unescape_value().map_err(|e| syntax(&e))?.into_owned(),
                        ));
                    }
                }
            }
            _ => {}
        }
        if empty {
            end(
                &path,
                "",
                &mut out,
                &mut property_name,
                &mut manufacturer,
                &mut supplier,
            );
            path.pop();
        }
    }
    if out.author.is_none() {
        out.author = manufacturer.or(supplier);
    }
    Ok(out)
}

/// Takes the text of the element that `path` ends in, where it is one this pass reads.
fn end(
    path: &[String],
    text: &str,
    out: &mut Extras,
    property_name: &mut Option<String>,
    manufacturer: &mut Option<String>,
    supplier: &mut Option<String>,
) {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let value = nonempty(Some(text.to_owned()));
    match p.as_slice() {
        ["bom", "metadata", "authors", "author", "name"] => {
            out.author = out.author.take().or(value)
        }
        ["bom", "metadata", "manufacturer" | "manufacture", "name"] => {
            *manufacturer = manufacturer.take().or(value);
        }
        ["bom", "metadata", "supplier", "name"] => *supplier = supplier.take().or(value),
        ["bom", "vulnerabilities", "vulnerability", rest @ ..] => {
            let Some(v) = out.vulnerabilities.last_mut() else {
                return;
            };
            match rest {
                ["id"] => v.has_id = value.is_some(),
                ["references", "reference", "id"] => v.references.extend(value),
                ["recommendation"] => v.recommendation = value,
                ["analysis", "firstIssued"] => v.first_issued = value,
                ["analysis", "lastUpdated"] => v.last_updated = value,
                ["properties", "property"] => {
                    if let Some(name) = property_name.take() {
                        v.properties.push((name, text.to_owned()));
                    }
                }
                ["affects", "target", "ref"] => {
                    if let Some(last) = v.affects_with_ref.last_mut() {
                        *last = value.is_some();
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}
