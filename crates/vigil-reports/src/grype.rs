//! Grype's JSON report (`grype <image> -o json`): every entry of `matches[]`, with the
//! vulnerability, its related vulnerabilities as aliases, the matched artifact (its purl,
//! else one built from its type and the scanned distro) and how it was matched.
//!
//! The score is the vulnerability's own CVSS entry (the `Primary` one when typed, the
//! newest version otherwise), else a related vulnerability's. A severity of `Unknown`
//! falls back to a related vulnerability's rating (NVD's, usually). Ignored matches
//! (`ignoredMatches`) are not read.

use serde::Deserialize;
use serde_json::Value;

use crate::json::{Text, nullable};
use crate::model::{Artifact, Cvss, Format, Item, Report, Severity, Tool, Vulnerability};
use crate::package::{Seen, distro_qualifier, grype_kind, package};
use crate::{Error, Limits, cwe};

const FORMAT: &str = "Grype JSON";

#[derive(Deserialize)]
struct GrypeReport {
    #[serde(default, deserialize_with = "nullable")]
    matches: Vec<Match>,
    source: Option<Source>,
    distro: Option<Distro>,
    descriptor: Option<Descriptor>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    ty: Option<String>,
    target: Option<Value>,
}

#[derive(Deserialize)]
struct Distro {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Descriptor {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Match {
    vulnerability: Metadata,
    #[serde(default, deserialize_with = "nullable")]
    related_vulnerabilities: Vec<Metadata>,
    #[serde(default, deserialize_with = "nullable")]
    match_details: Vec<MatchDetail>,
    artifact: GrypeArtifact,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    id: String,
    data_source: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    cvss: Vec<GrypeCvss>,
    fix: Option<Fix>,
    #[serde(default, deserialize_with = "nullable")]
    cwes: Vec<GrypeCwe>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrypeCvss {
    source: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    version: Option<Text>,
    vector: Option<String>,
    metrics: Option<Metrics>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Fix {
    #[serde(default, deserialize_with = "nullable")]
    versions: Vec<String>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct GrypeCwe {
    cwe: Option<String>,
}

#[derive(Deserialize)]
struct MatchDetail {
    #[serde(rename = "type")]
    ty: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrypeArtifact {
    name: String,
    version: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    locations: Vec<GrypeLocation>,
    purl: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrypeLocation {
    path: Option<String>,
    #[serde(rename = "layerID")]
    layer_id: Option<String>,
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let report: GrypeReport = crate::json::from_slice(bytes, FORMAT)?;
    limits.check_items(FORMAT, "match count", report.matches.len())?;
    let mut warnings = Vec::new();
    let distro_name = report.distro.as_ref().and_then(|d| d.name.as_deref());
    let distro = report
        .distro
        .as_ref()
        .and_then(|d| distro_qualifier(d.name.as_deref()?, d.version.as_deref()?));
    let mut items = Vec::with_capacity(report.matches.len());
    for (m, found) in report.matches.iter().enumerate() {
        let at = || format!("matches[{m}]");
        let a = &found.artifact;
        let kind = a.ty.as_deref().and_then(|t| grype_kind(t, distro_name));
        let os_package = kind.is_some_and(|k| k.namespace.is_some());
        let package = package(
            Seen {
                name: &a.name,
                version: a.version.as_deref(),
                purl: a.purl.as_deref(),
                kind,
                distro: if os_package { distro.clone() } else { None },
            },
            &mut warnings,
            at,
        );
        let v = &found.vulnerability;
        let related = &found.related_vulnerabilities;
        let own = v.severity.as_deref().and_then(Severity::from_word);
        let (severity, rating) = match own {
            Some(s) => (s, v.severity.clone()),
            None => related
                .iter()
                .find_map(|r| {
                    let word = r.severity.as_deref()?;
                    Some((Severity::from_word(word)?, Some(word.to_owned())))
                })
                .unwrap_or((Severity::Unrated, v.severity.clone())),
        };
        let mut aliases: Vec<String> = Vec::new();
        for r in related {
            if r.id != v.id && !aliases.contains(&r.id) {
                aliases.push(r.id.clone());
            }
        }
        let cwe = cwe::normalize(
            std::iter::once(v)
                .chain(related)
                .flat_map(|x| &x.cwes)
                .filter_map(|c| cwe::parse(c.cwe.as_deref()?, true))
                .collect(),
        );
        let location = a.locations.first();
        items.push(Item::Vulnerability(Vulnerability {
            id: v.id.clone(),
            aliases,
            package,
            fixed_versions: v
                .fix
                .as_ref()
                .map(|f| f.versions.clone())
                .unwrap_or_default(),
            fix_state: v.fix.as_ref().and_then(|f| f.state.clone()),
            severity,
            rating,
            cvss: cvss(&v.cvss, v.data_source.as_deref()).or_else(|| {
                related
                    .iter()
                    .find_map(|r| cvss(&r.cvss, r.data_source.as_deref()))
            }),
            cwe,
            title: None,
            description: v
                .description
                .clone()
                .or_else(|| related.iter().find_map(|r| r.description.clone())),
            url: v.data_source.clone(),
            target: location.and_then(|l| l.path.clone()),
            layer: location.and_then(|l| l.layer_id.clone()),
            match_type: found.match_details.first().and_then(|d| d.ty.clone()),
        }));
    }
    let descriptor = report.descriptor.as_ref();
    Ok(Report {
        format: Format::Grype,
        tool: Tool {
            name: descriptor
                .and_then(|d| d.name.clone())
                .unwrap_or_else(|| "grype".to_owned()),
            version: descriptor.and_then(|d| d.version.clone()),
        },
        artifact: report.source.as_ref().and_then(artifact),
        items,
        warnings,
    })
}

/// The scanned source: an image's `userInput` and manifest digest, or the path scanned.
fn artifact(source: &Source) -> Option<Artifact> {
    let (name, digest) = match source.target.as_ref()? {
        Value::String(s) => (s.clone(), None),
        Value::Object(o) => {
            let name = o
                .get("userInput")
                .or_else(|| o.get("path"))
                .and_then(Value::as_str)?
                .to_owned();
            let digest = o
                .get("manifestDigest")
                .and_then(Value::as_str)
                .map(str::to_owned);
            (name, digest)
        }
        _ => return None,
    };
    Some(Artifact {
        name,
        kind: source.ty.clone(),
        digest,
    })
}

/// The preferred CVSS entry: typed `Primary` first, then the newest CVSS version.
fn cvss(entries: &[GrypeCvss], data_source: Option<&str>) -> Option<Cvss> {
    let version = |c: &GrypeCvss| -> f64 {
        c.version
            .as_ref()
            .and_then(|v| v.as_str().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let best = entries.iter().max_by(|a, b| {
        let primary = |c: &GrypeCvss| c.ty.as_deref() == Some("Primary");
        primary(a)
            .cmp(&primary(b))
            .then(version(a).total_cmp(&version(b)))
    })?;
    Some(Cvss {
        score: best.metrics.as_ref().and_then(|m| m.base_score),
        vector: best.vector.clone(),
        source: best
            .source
            .clone()
            .or_else(|| data_source.map(str::to_owned)),
    })
}
