//! SLA policies: days to remediate by severity and KEV, per environment, and their text form.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::PolicyError;

/// The longest remediation time a policy accepts, in days (ten years).
pub const MAX_DAYS: u32 = 3650;

/// A severity as the store ranks it: 4 critical, 3 high, 2 medium, 1 low, 0 unrated.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Unrated,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The severity of a stored rank. Ranks other than 1 to 4 are unrated, as the engine
    /// names them.
    pub fn from_rank(rank: i64) -> Self {
        match rank {
            4 => Self::Critical,
            3 => Self::High,
            2 => Self::Medium,
            1 => Self::Low,
            _ => Self::Unrated,
        }
    }

    /// The lowercase name: `critical`, `high`, `medium`, `low` or `unrated`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Unrated => "unrated",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Days to remediate an exposure, by severity, and for advisories in CISA's KEV catalog.
///
/// The text form is `critical=7,high=30,medium=90,low=180,unrated=90,kev=3`; any subset
/// of the keys overrides the defaults. Every value is from 1 to [`MAX_DAYS`]; both
/// [`FromStr`] and deserialization refuse anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPolicy")]
pub struct SlaPolicy {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub unrated: u32,
    /// Applies when the advisory is known exploited, if shorter than the severity's.
    pub kev: u32,
}

impl Default for SlaPolicy {
    /// Critical 7 days, high 30, medium 90, low 180, unrated 90, KEV 3.
    fn default() -> Self {
        Self {
            critical: 7,
            high: 30,
            medium: 90,
            low: 180,
            unrated: 90,
            kev: 3,
        }
    }
}

const KEYS: &str = "critical, high, medium, low, unrated, kev";

impl SlaPolicy {
    /// Days to remediate an exposure of this severity rank: the severity's days, or the
    /// KEV days if the advisory is known exploited and that is shorter.
    pub fn days(&self, severity_rank: i64, kev: bool) -> u32 {
        let days = self.days_for(Severity::from_rank(severity_rank));
        if kev { days.min(self.kev) } else { days }
    }

    /// Days to remediate an exposure of this severity, KEV aside.
    pub fn days_for(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Unrated => self.unrated,
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut u32> {
        match key {
            "critical" => Some(&mut self.critical),
            "high" => Some(&mut self.high),
            "medium" => Some(&mut self.medium),
            "low" => Some(&mut self.low),
            "unrated" => Some(&mut self.unrated),
            "kev" => Some(&mut self.kev),
            _ => None,
        }
    }

    fn entries(&self) -> [(&'static str, u32); 6] {
        [
            ("critical", self.critical),
            ("high", self.high),
            ("medium", self.medium),
            ("low", self.low),
            ("unrated", self.unrated),
            ("kev", self.kev),
        ]
    }
}

impl FromStr for SlaPolicy {
    type Err = PolicyError;

    /// Parses `key=days` entries separated by commas; blanks around entries are allowed,
    /// and an empty string is the default policy.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut policy = Self::default();
        if input.trim().is_empty() {
            return Ok(policy);
        }
        let mut seen: Vec<&str> = Vec::new();
        for (index, part) in input.split(',').enumerate() {
            let entry = index + 1;
            let part = part.trim();
            if part.is_empty() {
                return Err(PolicyError::EmptyEntry {
                    input: input.to_owned(),
                    entry,
                });
            }
            let Some((key, value)) = part.split_once('=') else {
                return Err(PolicyError::MissingEquals {
                    input: input.to_owned(),
                    entry,
                    part: part.to_owned(),
                });
            };
            let (key, value) = (key.trim(), value.trim());
            let Some(slot) = policy.slot(key) else {
                return Err(PolicyError::UnknownKey {
                    input: input.to_owned(),
                    entry,
                    key: key.to_owned(),
                    keys: KEYS,
                });
            };
            if seen.contains(&key) {
                return Err(PolicyError::DuplicateKey {
                    input: input.to_owned(),
                    entry,
                    key: key.to_owned(),
                });
            }
            seen.push(key);
            let days: u32 = value.parse().map_err(|_| PolicyError::NotANumber {
                input: input.to_owned(),
                entry,
                key: key.to_owned(),
                value: value.to_owned(),
            })?;
            if !valid_days(days) {
                return Err(PolicyError::OutOfRange {
                    input: input.to_owned(),
                    key: key.to_owned(),
                    days,
                    max: MAX_DAYS,
                });
            }
            *slot = days;
        }
        Ok(policy)
    }
}

fn valid_days(days: u32) -> bool {
    (1..=MAX_DAYS).contains(&days)
}

impl fmt::Display for SlaPolicy {
    /// All six keys, in the order `critical, high, medium, low, unrated, kev`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (key, days)) in self.entries().into_iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{key}={days}")?;
        }
        Ok(())
    }
}

/// The shape a policy is deserialized from: any subset of the keys, the rest defaults.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    critical: Option<u32>,
    high: Option<u32>,
    medium: Option<u32>,
    low: Option<u32>,
    unrated: Option<u32>,
    kev: Option<u32>,
}

impl TryFrom<RawPolicy> for SlaPolicy {
    type Error = PolicyError;

    fn try_from(raw: RawPolicy) -> Result<Self, Self::Error> {
        let mut policy = Self::default();
        let given = [
            ("critical", raw.critical),
            ("high", raw.high),
            ("medium", raw.medium),
            ("low", raw.low),
            ("unrated", raw.unrated),
            ("kev", raw.kev),
        ];
        for (key, days) in given {
            let Some(days) = days else { continue };
            if !valid_days(days) {
                return Err(PolicyError::OutOfRange {
                    input: format!("{key} = {days}"),
                    key: key.to_owned(),
                    days,
                    max: MAX_DAYS,
                });
            }
            if let Some(slot) = policy.slot(key) {
                *slot = days;
            }
        }
        Ok(policy)
    }
}

/// The default policy and the environments that have their own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicies {
    pub default: SlaPolicy,
    /// Policies by environment name; an environment not listed uses `default`.
    pub per_environment: BTreeMap<String, SlaPolicy>,
}

impl SlaPolicies {
    /// The policy of an environment: its own if it has one, else the default.
    pub fn for_environment(&self, environment: &str) -> &SlaPolicy {
        self.per_environment
            .get(environment)
            .unwrap_or(&self.default)
    }
}
