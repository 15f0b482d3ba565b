//! Reading OpenVEX 0.0.1 and 0.2.0, JSON and YAML.
//!
//! The two versions differ in shape, and real documents mix them: 0.0.1 writes the
//! vulnerability and each product as a plain string and lists `subcomponents` on the
//! statement; 0.2.0 writes objects (`{"name": ...}`, `{"@id": ..., "subcomponents":
//! [...]}`). Both shapes are accepted whatever `@context` says. Fields Vigil does not
//! keep (`supplier`, `action_statement_timestamp`, a vulnerability's `@id` and
//! `description`, statement `@id`, `version` and `last_updated`) are skipped.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::product::{Digest, Identifiers, Product, ProductId};
use crate::time::parse_timestamp;
use crate::{
    Document, Error, Format, Justification, Limits, OpenVexSpec, Statement, Status, Vulnerability,
    Warning,
};

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an OpenVEX document (an object with @context and statements)")]
struct RawDoc {
    #[serde(rename = "@context", default)]
    context: Option<String>,
    /// `id` is what go-vex's early YAML wrote.
    #[serde(rename = "@id", alias = "id", default)]
    id: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    last_updated: Option<String>,
    #[serde(default)]
    version: Option<RawVersion>,
    #[serde(default)]
    tooling: Option<String>,
    #[serde(default)]
    statements: Option<Vec<RawStatement>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawStatement {
    #[serde(default)]
    vulnerability: Option<StrOr<RawVulnerability>>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    products: Option<Vec<StrOr<RawProduct>>>,
    /// 0.0.1: the subcomponents of every product of the statement.
    #[serde(default)]
    subcomponents: Option<Vec<StrOr<RawComponent>>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    action_statement: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawVulnerability {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawComponent {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    identifiers: Option<RawIdentifiers>,
    #[serde(default)]
    hashes: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawProduct {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    identifiers: Option<RawIdentifiers>,
    #[serde(default)]
    hashes: Option<BTreeMap<String, String>>,
    #[serde(default)]
    subcomponents: Option<Vec<StrOr<RawComponent>>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawIdentifiers {
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    cpe22: Option<String>,
    #[serde(default)]
    cpe23: Option<String>,
}

/// A value written as a plain string (0.0.1) or as an object (0.2.0).
#[derive(Debug)]
enum StrOr<T> {
    Str(String),
    Obj(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StrOr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = StrOr<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOr::Str(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(StrOr::Obj)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `version`: a number (0.2.0) or a string of digits (0.0.1 documents write `"1"`).
#[derive(Debug)]
enum RawVersion {
    Number(u64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number or a string of digits")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(RawVersion::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawVersion::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(RawVersion::Text(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawVersion::Text(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

fn path_text(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." || s.is_empty() {
        "(document)".to_owned()
    } else {
        s
    }
}

/// Reads an OpenVEX document from JSON (`yaml` false) or YAML.
pub(crate) fn parse(bytes: &[u8], yaml: bool, limits: &Limits) -> Result<Document, Error> {
    let raw: RawDoc = if yaml {
        let mut path = None;
        serde_saphyr::with_deserializer_from_slice(bytes, |de| {
            serde_path_to_error::deserialize::<_, RawDoc>(de).map_err(|e| {
                path = Some(path_text(e.path()));
                e.into_inner()
            })
        })
        .map_err(|e| Error::Syntax {
            format: "OpenVEX YAML",
            at: path.unwrap_or_else(|| "(document)".to_owned()),
            message: e.to_string(),
        })?
    } else {
        let text = crate::detect::trim_start(bytes);
        let mut de = serde_json::Deserializer::from_slice(text);
        let raw = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let inner = e.inner();
            Error::Syntax {
                format: "OpenVEX JSON",
                at: format!(
                    "{} (line {}, column {})",
                    path_text(e.path()),
                    inner.line(),
                    inner.column()
                ),
                message: crate::detect::strip_position(&inner.to_string()),
            }
        })?;
        de.end().map_err(|e| Error::Syntax {
            format: "OpenVEX JSON",
            at: format!("line {}, column {}", e.line(), e.column()),
            message: crate::detect::strip_position(&e.to_string()),
        })?;
        raw
    };
    convert(raw, limits)
}

/// `Some(trimmed)` unless empty.
fn text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn spec_of(context: Option<&str>, warnings: &mut Vec<Warning>) -> Result<OpenVexSpec, Error> {
    let Some(context) = context else {
        warnings.push(Warning::new(
            "@context",
            "missing; read as OpenVEX 0.0.1, which the spec makes the default",
        ));
        return Ok(OpenVexSpec::V0_0_1);
    };
    let c = context.trim().trim_end_matches('/');
    let Some(rest) = c
        .strip_prefix("https://openvex.dev/ns")
        .or_else(|| c.strip_prefix("http://openvex.dev/ns"))
    else {
        return Err(Error::invalid(
            "@context",
            format!("{context:?} is not OpenVEX's; it is https://openvex.dev/ns/v0.2.0"),
        ));
    };
    match rest {
        "" | "/v0.0.1" => Ok(OpenVexSpec::V0_0_1),
        "/v0.2.0" => Ok(OpenVexSpec::V0_2_0),
        _ => Err(Error::UnsupportedVersion {
            format: "OpenVEX",
            version: context.to_owned(),
            at: "@context",
            supported: "https://openvex.dev/ns (0.0.1), https://openvex.dev/ns/v0.0.1, https://openvex.dev/ns/v0.2.0",
        }),
    }
}

fn convert(raw: RawDoc, limits: &Limits) -> Result<Document, Error> {
    let mut warnings = Vec::new();
    if raw.context.is_none() && raw.statements.is_none() {
        return Err(Error::UnknownFormat {
            found: "a document with neither @context nor statements".into(),
        });
    }
    let spec = spec_of(raw.context.as_deref(), &mut warnings)?;
    let timestamp = raw
        .timestamp
        .as_deref()
        .map(|t| parse_timestamp(t).map_err(|m| Error::invalid("timestamp", m)))
        .transpose()?;
    let last_updated = raw
        .last_updated
        .as_deref()
        .map(|t| parse_timestamp(t).map_err(|m| Error::invalid("last_updated", m)))
        .transpose()?;
    let version = match raw.version {
        None => None,
        Some(RawVersion::Number(n)) => Some(n),
        Some(RawVersion::Text(t)) => Some(t.trim().parse::<u64>().map_err(|_| {
            Error::invalid(
                "version",
                format!("{t:?} is not a whole number of 0 or more"),
            )
        })?),
    };
    if version == Some(0) {
        warnings.push(Warning::new(
            "version",
            "0; OpenVEX document versions start at 1; kept",
        ));
    }
    let id = text(raw.id);
    let author = text(raw.author);
    for (field, missing) in [
        ("@id", id.is_none()),
        ("author", author.is_none()),
        ("timestamp", timestamp.is_none()),
        ("version", version.is_none()),
    ] {
        if missing {
            warnings.push(Warning::new(
                field,
                "missing, though OpenVEX requires it; the document is read without it",
            ));
        }
    }
    let raw_statements = raw.statements.unwrap_or_default();
    limits.check_statements(raw_statements.len())?;
    if raw_statements.is_empty() {
        warnings.push(Warning::new(
            "statements",
            "empty: the document states nothing",
        ));
    }
    let mut statements = Vec::with_capacity(raw_statements.len());
    for (i, s) in raw_statements.into_iter().enumerate() {
        statements.push(statement(
            s,
            &format!("statements[{i}]"),
            timestamp,
            &mut warnings,
        )?);
    }
    Ok(Document {
        format: Format::OpenVex { spec },
        id,
        author,
        role: text(raw.role),
        timestamp,
        last_updated,
        version,
        tooling: text(raw.tooling),
        statements,
        bom: None,
        warnings,
    })
}

fn statement(
    raw: RawStatement,
    at: &str,
    doc_timestamp: Option<time::OffsetDateTime>,
    warnings: &mut Vec<Warning>,
) -> Result<Statement, Error> {
    let vulnerability = match raw.vulnerability {
        None => {
            return Err(Error::invalid(
                format!("{at}.vulnerability"),
                "missing; every statement names a vulnerability",
            ));
        }
        Some(StrOr::Str(name)) => Vulnerability {
            name: name.trim().to_owned(),
            aliases: Vec::new(),
        },
        Some(StrOr::Obj(v)) => Vulnerability {
            name: v.name.unwrap_or_default().trim().to_owned(),
            aliases: dedup(
                v.aliases
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty()),
            ),
        },
    };
    if vulnerability.name.is_empty() {
        return Err(Error::invalid(
            format!("{at}.vulnerability.name"),
            "missing or empty; every statement names a vulnerability",
        ));
    }
    let status: Status = match raw.status.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(Error::invalid(
                format!("{at}.status"),
                "missing; every statement has one of not_affected, affected, fixed, under_investigation",
            ));
        }
        Some(s) => s.parse().map_err(|e: crate::UnknownLabel| {
            Error::invalid(format!("{at}.status"), e.to_string())
        })?,
    };
    let justification: Option<Justification> = match text(raw.justification) {
        None => None,
        Some(j) => Some(j.parse().map_err(|e: crate::UnknownLabel| {
            Error::invalid(format!("{at}.justification"), e.to_string())
        })?),
    };
    let timestamp = match raw.timestamp.as_deref() {
        Some(t) => {
            Some(parse_timestamp(t).map_err(|m| Error::invalid(format!("{at}.timestamp"), m))?)
        }
        None => doc_timestamp,
    };
    let shared_subcomponents: Vec<ProductId> = raw
        .subcomponents
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(k, c)| subcomponent(c, &format!("{at}.subcomponents[{k}]"), warnings))
        .collect::<Result<_, _>>()?;
    let mut products: Vec<Product> = Vec::new();
    for (j, p) in raw.products.unwrap_or_default().into_iter().enumerate() {
        let mut p = product(p, &format!("{at}.products[{j}]"), warnings)?;
        for s in &shared_subcomponents {
            if !p.subcomponents.contains(s) {
                p.subcomponents.push(s.clone());
            }
        }
        if !products.contains(&p) {
            products.push(p);
        }
    }
    if products.is_empty() && !shared_subcomponents.is_empty() {
        warnings.push(Warning::new(
            format!("{at}.subcomponents"),
            "subcomponents of no product: the statement names no product, so they are not kept",
        ));
    }
    let s = Statement {
        vulnerability,
        products,
        status,
        justification,
        impact_statement: text(raw.impact_statement),
        action_statement: text(raw.action_statement),
        status_notes: text(raw.status_notes),
        timestamp,
        cdx: None,
    };
    check_statement(&s, at, warnings);
    Ok(s)
}

/// The minimum VEX requirements that OpenVEX makes a producer's duty and that real
/// documents break: each is a warning, never a rejection.
pub(crate) fn check_statement(s: &Statement, at: &str, warnings: &mut Vec<Warning>) {
    if s.products.is_empty() {
        warnings.push(Warning::new(
            at,
            "names no product; kept, and it applies to nothing until something supplies one",
        ));
    }
    match s.status {
        Status::NotAffected if s.justification.is_none() && s.impact_statement.is_none() => {
            warnings.push(Warning::new(
                at,
                "not_affected without justification or impact_statement, which VEX requires; kept",
            ));
        }
        Status::Affected if s.action_statement.is_none() => warnings.push(Warning::new(
            at,
            "affected without action_statement, which VEX requires; kept",
        )),
        _ => {}
    }
    if let Some(j) = s.justification
        && s.status != Status::NotAffected
    {
        warnings.push(Warning::new(
            format!("{at}.justification"),
            format!(
                "{j} on a {} statement; justifications explain not_affected; kept",
                s.status
            ),
        ));
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn id_of(s: &str, at: &str, warnings: &mut Vec<Warning>) -> ProductId {
    let (id, why) = ProductId::parse(s);
    if let Some(why) = why {
        warnings.push(Warning::new(at, why));
    }
    id
}

/// A component's id, identifiers and hashes.
fn component(
    raw: RawComponent,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Result<(ProductId, Identifiers, Vec<Digest>), Error> {
    let mut identifiers = Identifiers::default();
    if let Some(ids) = raw.identifiers {
        if let Some(p) = text(ids.purl) {
            match p.parse() {
                Ok(purl) => identifiers.purl = Some(purl),
                Err(e) => warnings.push(Warning::new(
                    format!("{at}.identifiers.purl"),
                    format!("{e}; the identifier is not kept"),
                )),
            }
        }
        identifiers.cpe22 = text(ids.cpe22);
        identifiers.cpe23 = text(ids.cpe23);
    }
    let mut hashes = Vec::new();
    for (alg, hex) in raw.hashes.unwrap_or_default() {
        match Digest::new(&alg, hex.trim()) {
            Ok(d) => {
                if d.openvex_name().is_none() {
                    warnings.push(Warning::new(
                        format!("{at}.hashes.{alg}"),
                        "not one of OpenVEX's hash names; kept",
                    ));
                }
                if !hashes.contains(&d) {
                    hashes.push(d);
                }
            }
            Err(e) => warnings.push(Warning::new(
                format!("{at}.hashes.{alg}"),
                format!("{e}; the hash is not kept"),
            )),
        }
    }
    let id = match text(raw.id) {
        Some(s) => id_of(&s, &format!("{at}.@id"), warnings),
        // Without an @id the product is named by its identifiers, the purl first.
        None => {
            if let Some(p) = identifiers.purl.take() {
                ProductId::from_purl(p)
            } else if let Some(c) = identifiers.cpe23.take() {
                ProductId::Other(c)
            } else if let Some(c) = identifiers.cpe22.take() {
                ProductId::Other(c)
            } else if let Some(i) = hashes.iter().position(Digest::is_known) {
                let digest = hashes.remove(i);
                ProductId::Digest { digest, purl: None }
            } else {
                return Err(Error::invalid(
                    at,
                    "has no @id, identifiers or hash of a known algorithm: nothing names the product",
                ));
            }
        }
    };
    Ok((id, identifiers, hashes))
}

fn subcomponent(
    raw: StrOr<RawComponent>,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Result<ProductId, Error> {
    match raw {
        StrOr::Str(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Err(Error::invalid(at, "an empty subcomponent id"));
            }
            Ok(id_of(s, at, warnings))
        }
        StrOr::Obj(c) => {
            let (id, identifiers, hashes) = component(c, at, warnings)?;
            if !identifiers.is_empty() || !hashes.is_empty() {
                warnings.push(Warning::new(
                    at,
                    "a subcomponent's identifiers and hashes besides its id are not kept",
                ));
            }
            Ok(id)
        }
    }
}

fn product(
    raw: StrOr<RawProduct>,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Product, Error> {
    match raw {
        StrOr::Str(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Err(Error::invalid(at, "an empty product id"));
            }
            Ok(Product::new(id_of(s, at, warnings)))
        }
        StrOr::Obj(p) => {
            let c = RawComponent {
                id: p.id,
                identifiers: p.identifiers,
                hashes: p.hashes,
            };
            let (id, identifiers, hashes) = component(c, at, warnings)?;
            let mut subcomponents: Vec<ProductId> = Vec::new();
            for (k, s) in p.subcomponents.unwrap_or_default().into_iter().enumerate() {
                let s = subcomponent(s, &format!("{at}.subcomponents[{k}]"), warnings)?;
                if !subcomponents.contains(&s) {
                    subcomponents.push(s);
                }
            }
            Ok(Product {
                id,
                identifiers,
                hashes,
                subcomponents,
                versions: None,
            })
        }
    }
}
