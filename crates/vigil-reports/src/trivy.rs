//! Trivy's JSON report (`trivy image --format json`, `SchemaVersion` 2): every entry of
//! `Results[].Vulnerabilities[]`. Misconfigurations, secrets and licenses in the same
//! report are not vulnerabilities in packages; they are counted in a warning.
//!
//! The package's purl is `PkgIdentifier.PURL` when Trivy gives it (since 0.45), else it
//! is built from the result's `Type` (and for OS packages the `Metadata.OS` release).
//! The score is the CVSS entry of the `SeveritySource` vendor, else NVD's, else the first
//! vendor's, preferring v4.0 over v3 over v2 within it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::json::nullable;
use crate::model::{Artifact, Cvss, Format, Item, Report, Severity, Tool, Vulnerability};
use crate::package::{Seen, distro_qualifier, package, trivy_kind};
use crate::{Error, Limits, cwe};

const FORMAT: &str = "Trivy JSON";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyReport {
    schema_version: Option<i64>,
    artifact_name: Option<String>,
    artifact_type: Option<String>,
    metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "nullable")]
    results: Vec<TrivyResult>,
    trivy: Option<TrivyInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyInfo {
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    #[serde(rename = "OS")]
    os: Option<Os>,
    #[serde(default, deserialize_with = "nullable")]
    repo_digests: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Os {
    family: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyResult {
    target: Option<String>,
    class: Option<String>,
    #[serde(rename = "Type")]
    ty: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    vulnerabilities: Vec<Detected>,
    #[serde(default, deserialize_with = "nullable")]
    misconfigurations: Vec<serde::de::IgnoredAny>,
    #[serde(default, deserialize_with = "nullable")]
    secrets: Vec<serde::de::IgnoredAny>,
    #[serde(default, deserialize_with = "nullable")]
    licenses: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Detected {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: String,
    #[serde(rename = "VendorIDs", default, deserialize_with = "nullable")]
    vendor_ids: Vec<String>,
    pkg_name: String,
    pkg_path: Option<String>,
    pkg_identifier: Option<PkgIdentifier>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    status: Option<String>,
    layer: Option<Layer>,
    severity_source: Option<String>,
    #[serde(rename = "PrimaryURL")]
    primary_url: Option<String>,
    title: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    #[serde(rename = "CweIDs", default, deserialize_with = "nullable")]
    cwe_ids: Vec<String>,
    #[serde(rename = "CVSS", default, deserialize_with = "nullable")]
    cvss: BTreeMap<String, CvssEntry>,
}

#[derive(Deserialize)]
struct PkgIdentifier {
    #[serde(rename = "PURL")]
    purl: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Layer {
    digest: Option<String>,
    #[serde(rename = "DiffID")]
    diff_id: Option<String>,
}

#[derive(Deserialize, Clone)]
struct CvssEntry {
    #[serde(rename = "V2Vector")]
    v2_vector: Option<String>,
    #[serde(rename = "V3Vector")]
    v3_vector: Option<String>,
    #[serde(rename = "V40Vector")]
    v40_vector: Option<String>,
    #[serde(rename = "V2Score")]
    v2_score: Option<f64>,
    #[serde(rename = "V3Score")]
    v3_score: Option<f64>,
    #[serde(rename = "V40Score")]
    v40_score: Option<f64>,
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let report: TrivyReport = crate::json::from_slice(bytes, FORMAT)?;
    let mut warnings = Vec::new();
    match report.schema_version {
        Some(2) => {}
        Some(v) => {
            return Err(Error::invalid(
                FORMAT,
                "SchemaVersion",
                format!("unsupported SchemaVersion {v}; only 2 (Trivy 0.20 and later) is read"),
            ));
        }
        None => warnings.push("no SchemaVersion; read as SchemaVersion 2".to_owned()),
    }
    let count: usize = report.results.iter().map(|r| r.vulnerabilities.len()).sum();
    limits.check_items(FORMAT, "vulnerability count", count)?;
    let os = report.metadata.as_ref().and_then(|m| m.os.as_ref());
    let distro = os.and_then(|os| distro_qualifier(os.family.as_deref()?, os.name.as_deref()?));
    let mut items = Vec::with_capacity(count);
    let (mut misconfigurations, mut secrets, mut licenses) = (0, 0, 0);
    for (r, result) in report.results.iter().enumerate() {
        misconfigurations += result.misconfigurations.len();
        secrets += result.secrets.len();
        licenses += result.licenses.len();
        let os_result = result.class.as_deref() == Some("os-pkgs");
        let kind = result.ty.as_deref().and_then(trivy_kind);
        for (v, d) in result.vulnerabilities.iter().enumerate() {
            let at = || format!("Results[{r}].Vulnerabilities[{v}]");
            let seen = Seen {
                name: &d.pkg_name,
                version: d.installed_version.as_deref(),
                purl: d.pkg_identifier.as_ref().and_then(|p| p.purl.as_deref()),
                kind,
                distro: if os_result { distro.clone() } else { None },
            };
            let package = package(seen, &mut warnings, at);
            let rating = d.severity.clone();
            let severity = rating
                .as_deref()
                .and_then(Severity::from_word)
                .unwrap_or(Severity::Unrated);
            let target = match (&d.pkg_path, &result.target) {
                (Some(path), _) if !path.is_empty() => Some(path.clone()),
                (_, target) => target.clone(),
            };
            items.push(Item::Vulnerability(Vulnerability {
                id: d.vulnerability_id.clone(),
                aliases: d
                    .vendor_ids
                    .iter()
                    .filter(|a| **a != d.vulnerability_id)
                    .cloned()
                    .collect(),
                package,
                fixed_versions: d
                    .fixed_version
                    .as_deref()
                    .map(|f| {
                        f.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                fix_state: d.status.clone(),
                severity,
                rating,
                cvss: cvss(&d.cvss, d.severity_source.as_deref()),
                cwe: cwe::normalize(
                    d.cwe_ids
                        .iter()
                        .filter_map(|c| cwe::parse(c, true))
                        .collect(),
                ),
                title: d.title.clone(),
                description: d.description.clone(),
                url: d.primary_url.clone(),
                target,
                layer: d
                    .layer
                    .as_ref()
                    .and_then(|l| l.digest.clone().or_else(|| l.diff_id.clone())),
                match_type: None,
            }));
        }
    }
    for (n, what) in [
        (misconfigurations, "misconfiguration(s)"),
        (secrets, "secret(s)"),
        (licenses, "license finding(s)"),
    ] {
        if n > 0 {
            warnings.push(format!(
                "{n} {what} not read: only vulnerabilities are imported"
            ));
        }
    }
    let artifact = report.artifact_name.clone().map(|name| Artifact {
        name,
        kind: report.artifact_type.clone(),
        digest: report
            .metadata
            .as_ref()
            .and_then(|m| m.repo_digests.first())
            .and_then(|d| d.rsplit_once('@'))
            .map(|(_, digest)| digest.to_owned()),
    });
    Ok(Report {
        format: Format::Trivy,
        tool: Tool {
            name: "Trivy".to_owned(),
            version: report.trivy.and_then(|t| t.version),
        },
        artifact,
        items,
        warnings,
    })
}

fn cvss(entries: &BTreeMap<String, CvssEntry>, source: Option<&str>) -> Option<Cvss> {
    let (vendor, entry) = source
        .and_then(|s| entries.get_key_value(s))
        .or_else(|| entries.get_key_value("nvd"))
        .or_else(|| entries.iter().next())?;
    let (score, vector) = if entry.v40_vector.is_some() || entry.v40_score.is_some() {
        (entry.v40_score, entry.v40_vector.clone())
    } else if entry.v3_vector.is_some() || entry.v3_score.is_some() {
        (entry.v3_score, entry.v3_vector.clone())
    } else {
        (entry.v2_score, entry.v2_vector.clone())
    };
    if score.is_none() && vector.is_none() {
        return None;
    }
    Some(Cvss {
        score,
        vector,
        source: Some(vendor.clone()),
    })
}
