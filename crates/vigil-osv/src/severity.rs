//! One severity per advisory (and per affected entry that has its own): a score and a
//! rating computed from the record's CVSS vectors, or its database's own rating.
//!
//! Scores come from the RustSec `cvss` crate, checked against reference scores from
//! FIRST's calculators (see `tests/severity.rs`): CVSS v3.0 and v3.1 base scores with
//! each version's rounding, CVSS v4.0 scores by the specification's macro-vector
//! method (the CVSS-B, -BT, -BE or -BTE score, as the vector's metrics make it), and
//! CVSS v2 base scores. Ratings follow each version's table (v2: NVD's Low < 4.0 <=
//! Medium < 7.0 <= High; v3 and v4: None 0.0, Low, Medium, High, Critical >= 9.0).
//!
//! Preference, when a record gives several: CVSS v4, then v3, then v2, then Ubuntu's
//! priority, then `database_specific.severity` (GitHub's `LOW`, `MODERATE`, `HIGH`,
//! `CRITICAL`), which has no score and says so through [`SeveritySource`].

use std::fmt;

use serde::Serialize;

use crate::model::{JsonObject, SeverityScore, SeverityType};

/// A qualitative rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    None,
    /// Ubuntu's lowest priority.
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rating::None => "none",
            Rating::Negligible => "negligible",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        })
    }
}

/// Where a severity came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum SeveritySource {
    CvssV4,
    CvssV3,
    CvssV2,
    /// Ubuntu's priority: a rating without a score.
    Ubuntu,
    /// The record's `database_specific.severity`: a rating without a score.
    DatabaseSpecific,
}

/// The severity of an advisory or of one affected entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Severity {
    /// The CVSS score; `None` for ratings without one.
    pub score: Option<f32>,
    pub rating: Rating,
    pub source: SeveritySource,
    /// The vector or value the severity was computed from, as written.
    pub from: String,
}

/// Why a severity entry could not be scored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("severity {value:?}: {reason}")]
pub struct SeverityError {
    pub value: String,
    pub reason: String,
}

/// Scores one `severity[]` entry.
pub fn score(entry: &SeverityScore) -> Result<Severity, SeverityError> {
    let err = |reason: String| SeverityError {
        value: entry.score.clone(),
        reason,
    };
    let (score, rating, source) = match entry.kind {
        SeverityType::CvssV3 => {
            let v: cvss::v3::Vector = entry.score.parse().map_err(|e| err(format!("{e}")))?;
            let s = v.base_score().value();
            (Some(s), cvss_rating(s), SeveritySource::CvssV3)
        }
        SeverityType::CvssV4 => {
            let v: cvss::v4::Vector = entry.score.parse().map_err(|e| err(format!("{e}")))?;
            let s = v.score().value();
            (Some(s), cvss_rating(s), SeveritySource::CvssV4)
        }
        SeverityType::CvssV2 => {
            let v: cvss::v2::Vector = entry.score.parse().map_err(|e| err(format!("{e}")))?;
            let s = v.score().value();
            let rating = if s < 4.0 {
                Rating::Low
            } else if s < 7.0 {
                Rating::Medium
            } else {
                Rating::High
            };
            (Some(s), rating, SeveritySource::CvssV2)
        }
        SeverityType::Ubuntu => {
            let rating = match entry.score.as_str() {
                "negligible" => Rating::Negligible,
                "low" => Rating::Low,
                "medium" => Rating::Medium,
                "high" => Rating::High,
                "critical" => Rating::Critical,
                other => return Err(err(format!("unknown Ubuntu priority {other:?}"))),
            };
            (None, rating, SeveritySource::Ubuntu)
        }
    };
    Ok(Severity {
        // Scores have one decimal; f32 holds every one of them exactly enough to print.
        score: score.map(|s| s as f32),
        rating,
        source,
        from: entry.score.clone(),
    })
}

/// CVSS v3 and v4 qualitative ratings (FIRST's specification tables).
fn cvss_rating(score: f64) -> Rating {
    if score < 0.1 {
        Rating::None
    } else if score < 4.0 {
        Rating::Low
    } else if score < 7.0 {
        Rating::Medium
    } else if score < 9.0 {
        Rating::High
    } else {
        Rating::Critical
    }
}

fn preference(source: SeveritySource) -> u8 {
    match source {
        SeveritySource::CvssV4 => 0,
        SeveritySource::CvssV3 => 1,
        SeveritySource::CvssV2 => 2,
        SeveritySource::Ubuntu => 3,
        SeveritySource::DatabaseSpecific => 4,
    }
}

/// The preferred severity among `entries`, falling back to `database_specific.severity`.
/// Entries that do not score are skipped; the record's validation already checked their
/// shape.
pub fn assess(
    entries: &[SeverityScore],
    database_specific: Option<&JsonObject>,
) -> Option<Severity> {
    entries
        .iter()
        .filter_map(|e| score(e).ok())
        .min_by_key(|s| preference(s.source))
        .or_else(|| database_specific.and_then(database_rating))
}

/// GitHub's (and others') `database_specific.severity` word.
fn database_rating(db: &JsonObject) -> Option<Severity> {
    let word = db.get("severity")?.as_str()?;
    let rating = match word.to_ascii_uppercase().as_str() {
        "NONE" => Rating::None,
        "NEGLIGIBLE" => Rating::Negligible,
        "LOW" => Rating::Low,
        "MODERATE" | "MEDIUM" => Rating::Medium,
        "HIGH" | "IMPORTANT" => Rating::High,
        "CRITICAL" => Rating::Critical,
        _ => return None,
    };
    Some(Severity {
        score: None,
        rating,
        source: SeveritySource::DatabaseSpecific,
        from: word.to_owned(),
    })
}

impl crate::model::Osv {
    /// The advisory's severity: its own `severity` list, else its
    /// `database_specific.severity`.
    pub fn severity_assessment(&self) -> Option<Severity> {
        assess(
            self.severity.as_deref().unwrap_or_default(),
            self.database_specific.as_ref(),
        )
    }
}

impl crate::model::Affected {
    /// The entry's own severity, when it gives one (in `severity` or in
    /// `database_specific.severity`).
    pub fn severity_assessment(&self) -> Option<Severity> {
        assess(
            self.severity.as_deref().unwrap_or_default(),
            self.database_specific.as_ref(),
        )
    }
}
