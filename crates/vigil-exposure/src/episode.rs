//! Exposure episodes: the maximal intervals during which a service in an environment ran a
//! release carrying an advisory that Vigil knew of, with their SLA due dates.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::{FindingFact, Severity, SlaPolicies, SlaPolicy, Track};

/// One maximal interval of exposure of one track (environment and service) to one
/// advisory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Episode {
    pub environment: String,
    pub service: String,
    pub team: Option<String>,
    pub advisory_id: String,
    /// The highest rank among the findings that carried the advisory in the episode.
    pub severity_rank: i64,
    /// Any finding of the episode is in CISA's KEV catalog.
    pub kev: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// Exclusive; `None` while the episode is open at `now`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub end: Option<OffsetDateTime>,
    /// The releases that carried the advisory, in the order they began to.
    pub releases: Vec<i64>,
    /// The vulnerable package versions, sorted.
    pub purls: Vec<String>,
    /// The earliest episode of this advisory in this track.
    pub first: bool,
    /// `start` plus the days the environment's policy gives this severity and KEV status.
    #[serde(with = "time::serde::rfc3339")]
    pub due: OffsetDateTime,
    /// For an open episode whose every finding carrying the advisory at `now` has its risk
    /// accepted past `now`: the earliest of those acceptances' ends. Otherwise `None`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_until: Option<OffsetDateTime>,
    /// Open, not accepted, and `due` is before `now`.
    pub overdue: bool,
}

impl Episode {
    /// The episode is still open at the `now` it was computed for.
    pub fn is_open(&self) -> bool {
        self.end.is_none()
    }

    /// The severity of `severity_rank`.
    pub fn severity(&self) -> Severity {
        Severity::from_rank(self.severity_rank)
    }
}

/// One finding carrying its advisory within one deployment window.
struct Piece<'a> {
    start: OffsetDateTime,
    /// `None`: still carried at `now`.
    end: Option<OffsetDateTime>,
    finding: &'a FindingFact,
}

/// The exposure episodes of every track, as of `now`.
///
/// Within a window `[from, to)` of release R, an advisory is carried over the union, across
/// R's findings of that advisory, of `[max(from, first_seen), min(to, ruled_out_at))`.
/// Those intervals, across all of a track's windows, are merged where they overlap or
/// touch (R1 replaced by R2 with both carrying the advisory is one episode), and each
/// merged interval is an episode.
///
/// Nothing after `now` has happened yet: an interval that starts after `now` is left out,
/// and one that ends after `now` is open. Each episode's due date comes from the policy of
/// its track's environment (see [`SlaPolicy::days`]); a due date past the largest
/// representable instant is that instant.
///
/// Episodes are sorted by environment, service, advisory and start (then end, open last).
///
/// Preconditions: one track per environment and service. Windows need not be sorted for
/// the result to be right; overlapping windows are merged like consecutive ones.
pub fn episodes(
    tracks: &[Track],
    findings: &[FindingFact],
    policies: &SlaPolicies,
    now: OffsetDateTime,
) -> Vec<Episode> {
    let mut by_release: BTreeMap<i64, Vec<&FindingFact>> = BTreeMap::new();
    for finding in findings {
        by_release
            .entry(finding.release_id)
            .or_default()
            .push(finding);
    }

    let mut out = Vec::new();
    for track in tracks {
        let policy = policies.for_environment(&track.environment);
        let mut by_advisory: BTreeMap<&str, Vec<Piece<'_>>> = BTreeMap::new();
        for window in &track.windows {
            let Some(carried) = by_release.get(&window.release_id) else {
                continue;
            };
            for &finding in carried {
                let start = window.from.max(finding.first_seen);
                if start > now {
                    continue;
                }
                let end = earliest(window.to, finding.ruled_out_at).filter(|end| *end <= now);
                if end.is_some_and(|end| end <= start) {
                    continue;
                }
                by_advisory
                    .entry(&finding.advisory_id)
                    .or_default()
                    .push(Piece {
                        start,
                        end,
                        finding,
                    });
            }
        }

        for (advisory, mut pieces) in by_advisory {
            pieces.sort_by(|a, b| {
                (a.start, a.finding.release_id, &a.finding.purl).cmp(&(
                    b.start,
                    b.finding.release_id,
                    &b.finding.purl,
                ))
            });
            let mut first = true;
            let mut group: Vec<Piece<'_>> = Vec::new();
            let mut group_end: Option<OffsetDateTime> = None;
            for piece in pieces {
                if !group.is_empty() && group_end.is_some_and(|end| piece.start > end) {
                    out.push(episode(
                        track, advisory, &group, group_end, first, policy, now,
                    ));
                    first = false;
                    group.clear();
                }
                group_end = if group.is_empty() {
                    piece.end
                } else {
                    latest(group_end, piece.end)
                };
                group.push(piece);
            }
            if !group.is_empty() {
                out.push(episode(
                    track, advisory, &group, group_end, first, policy, now,
                ));
            }
        }
    }
    out.sort_by(compare);
    out
}

fn episode(
    track: &Track,
    advisory: &str,
    group: &[Piece<'_>],
    end: Option<OffsetDateTime>,
    first: bool,
    policy: &SlaPolicy,
    now: OffsetDateTime,
) -> Episode {
    // `group` is sorted by start and not empty.
    let start = group.iter().map(|p| p.start).min().unwrap_or(now);
    let severity_rank = group
        .iter()
        .map(|p| p.finding.severity_rank)
        .max()
        .unwrap_or(0);
    let kev = group.iter().any(|p| p.finding.kev);
    let mut releases = Vec::new();
    for piece in group {
        if !releases.contains(&piece.finding.release_id) {
            releases.push(piece.finding.release_id);
        }
    }
    let purls: BTreeSet<&str> = group.iter().map(|p| p.finding.purl.as_str()).collect();
    let days = policy.days(severity_rank, kev);
    let due = start
        .checked_add(Duration::days(i64::from(days)))
        .unwrap_or_else(|| PrimitiveDateTime::MAX.assume_utc());
    let accepted_until = if end.is_none() {
        accepted(group.iter().filter(|p| p.end.is_none()), now)
    } else {
        None
    };
    Episode {
        environment: track.environment.clone(),
        service: track.service.clone(),
        team: track.team.clone(),
        advisory_id: advisory.to_owned(),
        severity_rank,
        kev,
        start,
        end,
        releases,
        purls: purls.into_iter().map(str::to_owned).collect(),
        first,
        due,
        overdue: end.is_none() && accepted_until.is_none() && due < now,
        accepted_until,
    }
}

/// The earliest acceptance end among the live pieces if every one is accepted past `now`.
fn accepted<'a, 'b: 'a>(
    live: impl Iterator<Item = &'a Piece<'b>>,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let mut until: Option<OffsetDateTime> = None;
    for piece in live {
        let mine = piece.finding.accepted_until.filter(|u| *u > now)?;
        until = Some(until.map_or(mine, |u| u.min(mine)));
    }
    until
}

/// The earlier of two ends, `None` being no end.
fn earliest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The later of two ends, `None` being no end.
fn latest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    }
}

/// Orders ends with `None` (open) after every instant.
pub(crate) fn compare_end(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn compare(a: &Episode, b: &Episode) -> Ordering {
    (&a.environment, &a.service, &a.advisory_id, a.start)
        .cmp(&(&b.environment, &b.service, &b.advisory_id, b.start))
        .then_with(|| compare_end(a.end, b.end))
        .then_with(|| a.releases.cmp(&b.releases))
        .then_with(|| a.purls.cmp(&b.purls))
}
