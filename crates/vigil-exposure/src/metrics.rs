//! Security performance metrics over episodes: time to detect, time to remediate, open
//! exposure age, SLA compliance and the open backlog, for the whole portfolio or by group.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::stats::nanos_to_seconds_f64;
use crate::{AdvisoryFact, DurationStats, Episode, Severity};

/// How [`metrics`] groups episodes into rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// One row for every episode.
    All,
    /// One row per environment.
    Environment,
    /// One row per service, across environments.
    Service,
    /// One row per owning team, and one (key `None`) for services without a team.
    Team,
}

impl Group {
    fn key(self, episode: &Episode) -> Option<&str> {
        match self {
            Self::All => None,
            Self::Environment => Some(&episode.environment),
            Self::Service => Some(&episode.service),
            Self::Team => episode.team.as_deref(),
        }
    }
}

/// The metrics of one group of episodes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricsRow {
    pub group: Group,
    /// The environment, service or team; `None` for [`Group::All`], and for the services
    /// without a team under [`Group::Team`].
    pub key: Option<String>,
    /// Episodes in the group, open and closed.
    pub episodes: u64,
    /// Time to detect: `start - published` of each `first` episode whose advisory has a
    /// publication date, negative values counted as 0.
    pub mttd: DurationStats,
    /// Time to remediate: `end - start` of each closed episode.
    pub mttr: DurationStats,
    pub open: OpenAge,
    pub sla: SlaCompliance,
    /// Open episodes by severity, accepted ones included.
    pub backlog: Backlog,
}

/// The age (`now - start`) of open episodes, accepted ones included.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OpenAge {
    pub count: u64,
    /// `None` when `count` is 0.
    pub mean_seconds: Option<f64>,
    /// `None` when `count` is 0.
    pub max_seconds: Option<f64>,
}

/// Episodes that met or missed their due date.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SlaCompliance {
    /// Closed with `end <= due`.
    pub met: u64,
    /// Closed with `end > due`, plus open and overdue.
    pub missed: u64,
    /// Open and overdue (included in `missed`).
    pub overdue: u64,
    /// Open with the risk accepted past `now`: neither met nor missed.
    pub accepted: u64,
    /// `met / (met + missed)`; `None` when both are 0.
    pub ratio: Option<f64>,
}

/// Open episodes by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub unrated: u64,
}

impl Backlog {
    fn add(&mut self, severity: Severity) {
        let slot = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Unrated => &mut self.unrated,
        };
        *slot += 1;
    }

    /// All open episodes.
    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low + self.unrated
    }
}

/// The metrics of `episodes` as of `now`, one row per group key, sorted by key (`None`
/// first). [`Group::All`] always gives exactly one row; the other groups give a row only
/// for keys that have episodes.
///
/// `now` must be the instant the episodes were computed for: it only enters the open
/// exposure age, while `overdue` and `accepted_until` are taken from the episodes.
/// Advisories are looked up by id for their publication date; when an id is listed twice,
/// the first is used.
pub fn metrics(
    episodes: &[Episode],
    advisories: &[AdvisoryFact],
    now: OffsetDateTime,
    group: Group,
) -> Vec<MetricsRow> {
    let published = publication_dates(advisories);
    let mut groups: BTreeMap<Option<&str>, Vec<&Episode>> = BTreeMap::new();
    if group == Group::All {
        groups.insert(None, Vec::new());
    }
    for episode in episodes {
        groups.entry(group.key(episode)).or_default().push(episode);
    }
    groups
        .into_iter()
        .map(|(key, members)| row(group, key, &members, &published, now))
        .collect()
}

/// Publication dates by advisory id (`None`: the record has none), the first listing of
/// an id winning.
pub(crate) fn publication_dates(
    advisories: &[AdvisoryFact],
) -> HashMap<&str, Option<OffsetDateTime>> {
    let mut published = HashMap::new();
    for advisory in advisories {
        published
            .entry(advisory.id.as_str())
            .or_insert(advisory.published);
    }
    published
}

fn row(
    group: Group,
    key: Option<&str>,
    episodes: &[&Episode],
    published: &HashMap<&str, Option<OffsetDateTime>>,
    now: OffsetDateTime,
) -> MetricsRow {
    let mut open_ages = Vec::new();
    let mut sla = SlaCompliance::default();
    let mut backlog = Backlog::default();
    for episode in episodes {
        match episode.end {
            Some(end) if end <= episode.due => sla.met += 1,
            Some(_) => sla.missed += 1,
            None => {
                open_ages.push(now - episode.start);
                backlog.add(episode.severity());
                if episode.overdue {
                    sla.missed += 1;
                    sla.overdue += 1;
                } else if episode.accepted_until.is_some() {
                    sla.accepted += 1;
                }
            }
        }
    }
    let judged = sla.met + sla.missed;
    sla.ratio = (judged > 0).then(|| sla.met as f64 / judged as f64);

    MetricsRow {
        group,
        key: key.map(str::to_owned),
        episodes: episodes.len() as u64,
        mttd: DurationStats::of(detection_times(episodes.iter().copied(), published)),
        mttr: DurationStats::of(
            episodes
                .iter()
                .filter_map(|e| e.end.map(|end| end - e.start))
                .collect(),
        ),
        open: open_age(open_ages),
        sla,
        backlog,
    }
}

/// `start - published`, at least 0, of each `first` episode whose advisory has a known
/// publication date.
pub(crate) fn detection_times<'a>(
    episodes: impl Iterator<Item = &'a Episode>,
    published: &HashMap<&str, Option<OffsetDateTime>>,
) -> Vec<Duration> {
    episodes
        .filter(|e| e.first)
        .filter_map(|e| {
            let published = published.get(e.advisory_id.as_str()).copied().flatten()?;
            Some((e.start - published).max(Duration::ZERO))
        })
        .collect()
}

fn open_age(ages: Vec<Duration>) -> OpenAge {
    let count = ages.len();
    if count == 0 {
        return OpenAge::default();
    }
    let total: i128 = ages.iter().map(|d| d.whole_nanoseconds()).sum();
    let max = ages
        .iter()
        .map(|d| d.whole_nanoseconds())
        .max()
        .unwrap_or(0);
    OpenAge {
        count: count as u64,
        mean_seconds: Some(nanos_to_seconds_f64(total, count as i128)),
        max_seconds: Some(nanos_to_seconds_f64(max, 1)),
    }
}
