//! The one model every report is read into: a [`Report`] of [`Item`]s, each a
//! [`Vulnerability`] in a package or a [`Weakness`] in code or a web application.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use vigil_purl::Purl;
use vigil_version::Ecosystem;

use crate::Error;

/// The report formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// SARIF 2.1.0, from any producer (Semgrep, CodeQL, …).
    Sarif,
    /// ZAP's traditional JSON report.
    Zap,
    /// Trivy's JSON report, `SchemaVersion` 2.
    Trivy,
    /// Grype's JSON report.
    Grype,
    /// Nikto's JSON output.
    Nikto,
}

impl Format {
    /// Every format, in the order of their names.
    pub const ALL: [Format; 5] = [
        Format::Grype,
        Format::Nikto,
        Format::Sarif,
        Format::Trivy,
        Format::Zap,
    ];

    /// The format named `name`: `sarif`, `zap`, `trivy`, `grype` or `nikto`, in any case.
    ///
    /// # Errors
    /// [`Error::UnknownFormatName`] for any other name.
    pub fn parse(name: &str) -> Result<Format, Error> {
        let wanted = name.trim();
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::UnknownFormatName {
                name: name.to_owned(),
            })
    }

    /// The name [`Format::parse`] reads: `sarif`, `zap`, `trivy`, `grype`, `nikto`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::Zap => "zap",
            Format::Trivy => "trivy",
            Format::Grype => "grype",
            Format::Nikto => "nikto",
        }
    }

    /// The name errors use: `SARIF`, `ZAP JSON`, `Trivy JSON`, `Grype JSON`, `Nikto JSON`.
    pub fn title(self) -> &'static str {
        match self {
            Format::Sarif => "SARIF",
            Format::Zap => "ZAP JSON",
            Format::Trivy => "Trivy JSON",
            Format::Grype => "Grype JSON",
            Format::Nikto => "Nikto JSON",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Format::parse(s)
    }
}

/// One scanner report, read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub format: Format,
    /// The scanner that wrote the report.
    pub tool: Tool,
    /// What was scanned, where the report says: an image, a directory, a site.
    pub artifact: Option<Artifact>,
    /// The findings, in the order of the report.
    pub items: Vec<Item>,
    /// What was read but not taken, one sentence each (results of kind `pass`,
    /// placeholder fingerprints, misconfigurations in a Trivy report, …).
    pub warnings: Vec<String>,
}

impl Report {
    /// The vulnerabilities among the items.
    pub fn vulnerabilities(&self) -> impl Iterator<Item = &Vulnerability> {
        self.items.iter().filter_map(Item::as_vulnerability)
    }

    /// The weaknesses among the items.
    pub fn weaknesses(&self) -> impl Iterator<Item = &Weakness> {
        self.items.iter().filter_map(Item::as_weakness)
    }
}

/// The scanner, as it names itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `Semgrep OSS`, `CodeQL`, `ZAP`, `Trivy`, `grype`, `Nikto`.
    pub name: String,
    /// The version, when the report gives it.
    pub version: Option<String>,
}

/// What a scanner scanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Artifact {
    /// As the user named it: `registry.example/shop/api:1.4.2`, `.`, `https://shop.example`.
    pub name: String,
    /// The scanner's word for it: `container_image`, `filesystem`, `image`, `directory`.
    pub kind: Option<String>,
    /// The image's manifest digest (`sha256:…`), when the report gives one.
    pub digest: Option<String>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[allow(
    clippy::large_enum_variant,
    reason = "items are read into a Vec once and mostly vulnerabilities; boxing buys nothing"
)]
pub enum Item {
    /// A known vulnerability (an advisory) in a package: Trivy and Grype.
    Vulnerability(Vulnerability),
    /// A weakness found in code or in a running application: SARIF, ZAP and Nikto.
    Weakness(Weakness),
}

impl Item {
    /// The vulnerability, if this item is one.
    pub fn as_vulnerability(&self) -> Option<&Vulnerability> {
        match self {
            Item::Vulnerability(v) => Some(v),
            Item::Weakness(_) => None,
        }
    }

    /// The weakness, if this item is one.
    pub fn as_weakness(&self) -> Option<&Weakness> {
        match self {
            Item::Weakness(w) => Some(w),
            Item::Vulnerability(_) => None,
        }
    }
}

/// A severity as Vigil ranks it. Each format's own scale maps onto it as
/// `docs/reports.md` tabulates; the scanner's own word is kept beside it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The scanner gave no rating, or one that is not a risk (ZAP's Informational,
    /// SARIF's `none`).
    #[default]
    Unrated,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The lowercase name: `critical`, `high`, `medium`, `low` or `unrated`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Unrated => "unrated",
        }
    }

    /// The rating of a CVSS-like score from 0.0 to 10.0, in the bands of CVSS v3 (and
    /// of GitHub's `security-severity`): 9.0 and up critical, 7.0 high, 4.0 medium,
    /// above 0.0 low. `None` for a score outside 0 to 10.
    pub fn from_score(score: f64) -> Option<Severity> {
        if !(0.0..=10.0).contains(&score) {
            return None;
        }
        Some(if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Unrated
        })
    }

    /// A scanner's severity word: `CRITICAL`, `High`, `moderate`, `medium`, `low`,
    /// `negligible` (low), in any case. `None` for anything else (`UNKNOWN`).
    pub fn from_word(word: &str) -> Option<Severity> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "negligible" => Severity::Low,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A package, as the scanner identified it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The name as the ecosystem writes it: `org.apache.logging.log4j:log4j-core` for
    /// Maven, `@babel/core` for npm, the binary package name for distributions.
    pub name: String,
    /// The installed version.
    pub version: Option<String>,
    /// The OSV ecosystem (`npm`, `PyPI`, `Debian:12`, `Alpine:v3.19`, …), from the purl
    /// or from the scanner's package type and the scanned OS; `None` where OSV has no
    /// ecosystem for it (CentOS, Amazon Linux, binaries).
    #[serde(serialize_with = "display_opt")]
    pub ecosystem: Option<Ecosystem>,
    /// The package URL: the report's own when it has one, else one built from the
    /// package type, name, version and OS.
    pub purl: Option<Purl>,
}

/// A CVSS score and vector, as the scanner reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cvss {
    /// The base score.
    pub score: Option<f64>,
    /// The vector: `CVSS:3.1/AV:N/…`, `CVSS:4.0/…`, or a v2 vector.
    pub vector: Option<String>,
    /// Whose score: `nvd`, `ghsa`, `redhat`, or a Grype data source URL.
    pub source: Option<String>,
}

/// A known vulnerability in a package.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vulnerability {
    /// The advisory id as the scanner names it: `CVE-2024-45590`, `GHSA-…`, `DLA-…`.
    pub id: String,
    /// Other ids of the same vulnerability: Grype's related vulnerabilities, Trivy's
    /// vendor ids. Never `id` itself.
    pub aliases: Vec<String>,
    pub package: Package,
    /// The versions that fix it, as the scanner lists them.
    pub fixed_versions: Vec<String>,
    /// The scanner's fix state: Trivy's `Status` (`fixed`, `affected`, `will_not_fix`,
    /// …), Grype's `fix.state` (`fixed`, `not-fixed`, `wont-fix`, `unknown`).
    pub fix_state: Option<String>,
    pub severity: Severity,
    /// The severity as the scanner wrote it (`MEDIUM`, `Negligible`, `UNKNOWN`).
    pub rating: Option<String>,
    pub cvss: Option<Cvss>,
    /// CWE numbers the scanner attaches (Trivy's `CweIDs`, Grype's `cwes`).
    pub cwe: Vec<u32>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Where the scanner sends readers: Trivy's `PrimaryURL`, Grype's `dataSource`.
    pub url: Option<String>,
    /// Where in the artifact the package was found: Trivy's result target
    /// (`app/package-lock.json`, `alpine:3.19 (alpine 3.19.1)`), Grype's first location.
    pub target: Option<String>,
    /// The image layer it was found in (digest or diff id), when the report says.
    pub layer: Option<String>,
    /// How Grype matched it (`exact-direct-match`, `exact-indirect-match`, `cpe-match`).
    pub match_type: Option<String>,
}

impl Vulnerability {
    /// What identifies this vulnerability among Vigil's findings: the advisory id and
    /// the package (its purl without qualifiers, else ecosystem, name and version), so
    /// that a scanner's finding and Vigil's own for the same advisory and package merge.
    pub fn merge_key(&self) -> (String, String) {
        let package = match &self.package.purl {
            Some(purl) => {
                let mut bare = Purl::builder(purl.ty(), purl.name());
                if let Some(ns) = purl.namespace() {
                    bare = bare.namespace(ns);
                }
                if let Some(v) = purl.version() {
                    bare = bare.version(v);
                }
                bare.build()
                    .map_or_else(|_| purl.to_string(), |p| p.to_string())
            }
            None => format!(
                "{}/{}@{}",
                self.package
                    .ecosystem
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                self.package.name,
                self.package.version.as_deref().unwrap_or("")
            ),
        };
        (self.id.clone(), package)
    }
}

/// A weakness found by a code scanner or a web scanner.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Weakness {
    /// The rule or check that found it: a SARIF rule id, ZAP's `alertRef` (else
    /// `pluginid`), Nikto's test id.
    pub rule_id: String,
    /// The rule's short name: SARIF's short description, ZAP's alert name.
    pub title: Option<String>,
    /// What is wrong here, in the scanner's words (HTML tags removed).
    pub message: String,
    pub severity: Severity,
    /// The severity as the scanner gave it: `security-severity 9.1`, `level error`,
    /// `riskcode 2 (Medium)`.
    pub rating: Option<String>,
    /// CWE numbers, from the rule's tags, properties, relationships and taxa (SARIF)
    /// or `cweid` (ZAP); sorted, without repeats.
    pub cwe: Vec<u32>,
    pub location: Option<Location>,
    pub fingerprint: Fingerprint,
    /// How to fix it: SARIF rule help, ZAP's solution.
    pub help: Option<String>,
    /// Where to read more.
    pub help_uri: Option<String>,
    /// The rule's tags (SARIF `properties.tags`), ZAP's `WASC-<id>`, Nikto's
    /// `OSVDB-<id>`.
    pub tags: Vec<String>,
    /// How sure the scanner is: SARIF rule `precision` (`very-high` … `low`), ZAP
    /// confidence (`confirmed`, `high`, `medium`, `low`, `false-positive`).
    pub precision: Option<String>,
    /// The scanner or a reviewer marked it as not to act on: SARIF suppressions
    /// (accepted or without status), ZAP's False Positive confidence.
    pub suppressed: bool,
}

/// Where a weakness is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Location {
    /// In a file.
    Source {
        /// The file's URI as the report writes it, usually relative to the
        /// repository root (`src/app/views.py`).
        uri: String,
        /// Lines and columns count from 1.
        line: Option<u32>,
        column: Option<u32>,
        end_line: Option<u32>,
        /// The code, when the report quotes it.
        snippet: Option<String>,
    },
    /// In a web application.
    Web {
        /// The URL requested (ZAP), or the path and the host it was found on (Nikto).
        url: String,
        /// The site or host:port scanned, where the report gives it separately.
        host: Option<String>,
        method: Option<String>,
        /// The request parameter (ZAP).
        param: Option<String>,
        /// What in the response shows it (ZAP).
        evidence: Option<String>,
    },
    /// A logical place only: a function, a package (SARIF `logicalLocations`).
    Logical { name: String },
}

/// What identifies one weakness across scans: a SHA-256 (64 lower-case hex digits) over
/// the tool name, the rule id and either the tool's own fingerprints or the location.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Fingerprint {
    pub value: String,
    /// True when it was made from the tool's own fingerprints (SARIF `fingerprints` or
    /// `partialFingerprints`), false when derived from the rule and the location.
    pub from_tool: bool,
}

fn display_opt<T: fmt::Display, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()).unwrap(), f);
            assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        }
        assert_eq!(Format::parse(" SARIF ").unwrap(), Format::Sarif);
        assert_eq!(
            Format::parse("csv").unwrap_err().to_string(),
            "unknown report format \"csv\"; expected one of sarif, zap, trivy, grype, nikto"
        );
    }

    #[test]
    fn scores_fall_in_cvss_bands() {
        let check = |score, want| assert_eq!(Severity::from_score(score), want, "{score}");
        check(10.0, Some(Severity::Critical));
        check(9.0, Some(Severity::Critical));
        check(8.9, Some(Severity::High));
        check(7.0, Some(Severity::High));
        check(6.9, Some(Severity::Medium));
        check(4.0, Some(Severity::Medium));
        check(0.1, Some(Severity::Low));
        check(0.0, Some(Severity::Unrated));
        check(-1.0, None);
        check(10.5, None);
        check(f64::NAN, None);
    }
}
