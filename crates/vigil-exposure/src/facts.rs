//! The facts the store supplies: deployment windows, findings with their triage, advisories.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One release running in one environment over `[from, to)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub release_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// Exclusive; `None` while the release still runs.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
}

/// One service in one environment: its deployment windows, sorted by `from`, not
/// overlapping. A release replaced by another ends its window where the next begins; an
/// undeploy ends a window with no successor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    pub environment: String,
    pub service: String,
    /// The owning team, if the service has one.
    #[serde(default)]
    pub team: Option<String>,
    pub windows: Vec<Window>,
}

/// A package version of a release matched by an advisory, with its triage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFact {
    pub release_id: i64,
    pub advisory_id: String,
    /// The package version, as a package URL with version.
    pub purl: String,
    pub ecosystem: String,
    /// 4 critical, 3 high, 2 medium, 1 low, 0 unrated.
    pub severity_rank: i64,
    /// The advisory is in CISA's Known Exploited Vulnerabilities catalog.
    pub kev: bool,
    /// When Vigil first recorded the match.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// Ruled out by triage (not_affected or fixed) from this instant.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ruled_out_at: Option<OffsetDateTime>,
    /// Risk accepted until this instant.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub accepted_until: Option<OffsetDateTime>,
}

/// An advisory's publication date, for time to detect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisoryFact {
    pub id: String,
    /// OSV `published`, when the record has one.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub published: Option<OffsetDateTime>,
}
