//! The OSV record as the schema defines it: plain data with serde, nothing evaluated.
//!
//! Field types follow the schema exactly: where the schema allows `null` (`aliases`,
//! `affected`, `references`, both `severity` fields) a `null` reads as absent; everywhere
//! else `null` is a type error, as it is for the schema. Only the top-level object rejects
//! unknown fields (`additionalProperties: false`); nested objects keep or ignore extra
//! fields as the schema allows, and the free-form objects (`database_specific`,
//! `ecosystem_specific`) are kept whole as JSON.
//!
//! Values whose syntax the schema fixes are newtypes that cannot hold a bad value
//! ([`AdvisoryId`], [`Timestamp`], [`EcosystemName`], [`Event`]). Rules that span
//! several fields (a range needs an `introduced` event, `GIT` ranges need a `repo`, ...)
//! are checked by [`crate::validate`] after reading, so the error can name the field.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vigil_version::Ecosystem;

/// A free-form JSON object (`database_specific`, `ecosystem_specific`), kept as read.
pub type JsonObject = Map<String, Value>;

/// One OSV record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Osv {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_version: Option<String>,
    pub id: AdvisoryId,
    pub modified: Timestamp,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<Timestamp>,
    /// When set, the record was withdrawn: it still loads, but matches nothing.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub withdrawn: Option<Timestamp>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
    /// `Some` when the record has a top-level `severity` key, even `null` (read as an
    /// empty list): the schema then forbids `affected[].severity`.
    #[serde(
        default,
        deserialize_with = "key_present",
        skip_serializing_if = "Option::is_none"
    )]
    pub severity: Option<Vec<SeverityScore>>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<Credit>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub database_specific: Option<JsonObject>,
}

/// One `affected[]` entry: a package and the versions of it that are affected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Absent only for entries that describe a repository through `GIT` ranges.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub package: Option<Package>,
    /// `null` reads as absent; an empty list is kept, because the schema treats a
    /// present list differently from an absent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Vec<SeverityScore>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Affected versions, enumerated as the ecosystem writes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ecosystem_specific: Option<JsonObject>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub database_specific: Option<JsonObject>,
}

/// The package an `affected[]` entry is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: EcosystemName,
    /// The name exactly as the record writes it; [`crate::PackageKey`] normalizes it.
    pub name: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub purl: Option<String>,
}

/// One range of affected versions: a timeline of events in one version order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// The repository a `GIT` range's commits belong to (required for `GIT`).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub repo: Option<String>,
    /// The events in the order the record lists them; evaluation sorts them.
    pub events: Vec<Event>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub database_specific: Option<JsonObject>,
}

/// The version order a range's events are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RangeType {
    /// SemVer 2.0 order, whatever the ecosystem.
    #[serde(rename = "SEMVER")]
    SemVer,
    /// The ecosystem's own version order.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// Git commits; containment needs the repository's graph, so Vigil matches such
    /// ranges only through the enumerated `versions`.
    #[serde(rename = "GIT")]
    Git,
}

impl fmt::Display for RangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RangeType::SemVer => "SEMVER",
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Git => "GIT",
        })
    }
}

/// One event of a range. The version bounds mean:
///
/// - `introduced`: the first affected version, **inclusive**; `"0"` means "from the
///   beginning".
/// - `fixed`: the first version that is no longer affected, **exclusive**.
/// - `last_affected`: the last affected version, **inclusive**.
/// - `limit`: an upper bound on the whole range, **exclusive**; a value containing `*`
///   means no limit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    /// The event's version string, as written.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// The event's key in the record (`introduced`, `fixed`, `last_affected`, `limit`).
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Introduced(_) => EventKind::Introduced,
            Event::Fixed(_) => EventKind::Fixed,
            Event::LastAffected(_) => EventKind::LastAffected,
            Event::Limit(_) => EventKind::Limit,
        }
    }
}

/// The four kinds of range events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

impl EventKind {
    /// The event's key as the record writes it.
    pub fn key(self) -> &'static str {
        match self {
            EventKind::Introduced => "introduced",
            EventKind::Fixed => "fixed",
            EventKind::LastAffected => "last_affected",
            EventKind::Limit => "limit",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// An event object as written: the schema's `oneOf` needs exactly one of the four keys
/// to hold a string. Other keys are allowed and ignored.
#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawEvent::deserialize(d)?;
        let mut found = Vec::with_capacity(1);
        if let Some(v) = raw.introduced {
            found.push(Event::Introduced(v));
        }
        if let Some(v) = raw.fixed {
            found.push(Event::Fixed(v));
        }
        if let Some(v) = raw.last_affected {
            found.push(Event::LastAffected(v));
        }
        if let Some(v) = raw.limit {
            found.push(Event::Limit(v));
        }
        if found.len() == 1 {
            return Ok(found.remove(0));
        }
        if found.is_empty() {
            return Err(D::Error::custom(
                "an event needs one of \"introduced\", \"fixed\", \"last_affected\" or \"limit\"",
            ));
        }
        let keys: Vec<&str> = found.iter().map(|e| e.kind().key()).collect();
        Err(D::Error::custom(format!(
            "an event holds exactly one of \"introduced\", \"fixed\", \"last_affected\" or \"limit\", this one has {}",
            keys.join(" and ")
        )))
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.kind().key(), self.version())?;
        map.end()
    }
}

/// A `severity[]` entry: a scoring method and its score string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    #[serde(rename = "type")]
    pub kind: SeverityType,
    pub score: String,
}

/// The scoring methods the schema defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeverityType {
    #[serde(rename = "CVSS_V2")]
    CvssV2,
    #[serde(rename = "CVSS_V3")]
    CvssV3,
    #[serde(rename = "CVSS_V4")]
    CvssV4,
    /// Ubuntu's priority, lower-case (`negligible` ... `critical`).
    Ubuntu,
}

/// A `references[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: ReferenceType,
    pub url: String,
}

/// The reference types the schema defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReferenceType {
    Advisory,
    Article,
    Detection,
    Discussion,
    Report,
    Fix,
    Introduced,
    Git,
    Package,
    Evidence,
    Web,
}

/// A `credits[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<String>,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<CreditType>,
}

/// The credit types the schema defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreditType {
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

/// The home-database prefixes the schema lists for `id` (`GHSA-`, `PYSEC-`, ...);
/// `x_` marks a private, unregistered database.
pub const ID_PREFIXES: &[&str] = &[
    "ASB-A",
    "PUB-A",
    "ALPINE",
    "ALSA",
    "ALBA",
    "ALEA",
    "AZL",
    "BELL",
    "BIT",
    "CGA",
    "CLEANSTART",
    "CLSA",
    "CURL",
    "CVE",
    "DEBIAN",
    "DHI",
    "DRUPAL",
    "DSA",
    "DLA",
    "ELA",
    "DTSA",
    "ECHO",
    "EEF",
    "FreeBSD",
    "GHSA",
    "GO",
    "GSD",
    "HSEC",
    "JLSEC",
    "KUBE",
    "LBSEC",
    "LSN",
    "MAL",
    "MINI",
    "MGASA",
    "OESA",
    "OSEC",
    "OSV",
    "openSUSE-SU",
    "PHSA",
    "PSF",
    "PYSEC",
    "RHBA",
    "RHEA",
    "RHSA",
    "RLSA",
    "RXSA",
    "RSEC",
    "ROOT",
    "RUSTSEC",
    "SUSE-SU",
    "SUSE-RU",
    "SUSE-FU",
    "SUSE-OU",
    "UBUNTU",
    "USN",
    "V8",
];

/// An advisory id whose prefix names a home database the schema knows
/// (`^(x_|(PREFIX)-)`, matched case-sensitively as the schema's pattern is).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdvisoryId(String);

impl AdvisoryId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AdvisoryId {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let known = s.starts_with("x_")
            || ID_PREFIXES
                .iter()
                .any(|p| s.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')));
        if known {
            Ok(AdvisoryId(s))
        } else {
            Err(format!(
                "id {s:?} does not start with a home database prefix the OSV schema lists (such as GHSA-, PYSEC-, GO-, RUSTSEC-, CVE-) or x_"
            ))
        }
    }
}

impl FromStr for AdvisoryId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        AdvisoryId::try_from(s.to_owned())
    }
}

impl From<AdvisoryId> for String {
    fn from(id: AdvisoryId) -> String {
        id.0
    }
}

impl fmt::Display for AdvisoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An RFC 3339 timestamp in UTC, written with a `Z` offset as the schema's pattern
/// requires (`2024-01-02T03:04:05Z`, fractions of a second allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn get(self) -> OffsetDateTime {
        self.0
    }
}

impl TryFrom<String> for Timestamp {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for Timestamp {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        // The schema's pattern: date `T` time, optional fraction, `Z`. RFC 3339 also
        // allows `t`, `z`, a space or a numeric offset; the schema does not.
        let b = s.as_bytes();
        let shape_ok = b.len() >= 20
            && b[10] == b'T'
            && b.last() == Some(&b'Z')
            && b[..19].iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            })
            && match &b[19..b.len() - 1] {
                [] => true,
                [b'.', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
                _ => false,
            };
        if !shape_ok {
            return Err(format!(
                "timestamp {s:?} is not RFC 3339 UTC as the OSV schema writes it (YYYY-MM-DDTHH:MM:SS[.fraction]Z)"
            ));
        }
        OffsetDateTime::parse(s, &Rfc3339)
            .map(Timestamp)
            .map_err(|e| format!("timestamp {s:?} is not a valid RFC 3339 date and time: {e}"))
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

/// An `affected[].package.ecosystem` string: an OSV ecosystem with its optional suffix
/// (`PyPI`, `Debian:12`), or `GIT` (a repository, named by URL).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum EcosystemName {
    Known(Ecosystem),
    /// `GIT`, with the suffix after `:` if any.
    Git(Option<String>),
}

impl EcosystemName {
    /// The ecosystem, unless this is `GIT`.
    pub fn ecosystem(&self) -> Option<&Ecosystem> {
        match self {
            EcosystemName::Known(e) => Some(e),
            EcosystemName::Git(_) => None,
        }
    }
}

impl TryFrom<String> for EcosystemName {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for EcosystemName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (family, suffix) = match s.split_once(':') {
            Some((f, rest)) => (f, Some(rest)),
            None => (s, None),
        };
        // The schema's suffix is `:.+`, and `.` does not match a line break.
        if suffix.is_some_and(|r| r.is_empty() || r.contains(['\n', '\r'])) {
            return Err(format!(
                "ecosystem {s:?} has an empty or multi-line suffix after ':'"
            ));
        }
        if family == "GIT" {
            return Ok(EcosystemName::Git(suffix.map(str::to_owned)));
        }
        s.parse::<Ecosystem>()
            .map(EcosystemName::Known)
            .map_err(|_| {
                format!(
                    "unknown ecosystem {s:?}: the OSV schema lists the ecosystems by exact name, such as PyPI, npm, Go, crates.io, Maven, Debian:12"
                )
            })
    }
}

impl From<EcosystemName> for String {
    fn from(e: EcosystemName) -> String {
        e.to_string()
    }
}

impl fmt::Display for EcosystemName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcosystemName::Known(e) => write!(f, "{e}"),
            EcosystemName::Git(None) => f.write_str("GIT"),
            EcosystemName::Git(Some(s)) => write!(f, "GIT:{s}"),
        }
    }
}

/// Deserializes a field that may be absent (`#[serde(default)]` gives `None`) but, when
/// present, must not be `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Deserializes a list the schema allows to be `null`, reading `null` as empty.
fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Deserializes a list whose mere presence matters: `null` gives `Some(empty)`.
fn key_present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Some(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default()))
}
