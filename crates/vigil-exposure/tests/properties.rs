//! Property tests: episodes agree with a point-by-point reference, never overlap, stay inside
//! the deployment windows; metrics and trend counts add up.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_exposure::{
    AdvisoryFact, Episode, FindingFact, Group, MetricsRow, SlaPolicies, Track, Window, episodes,
    metrics, trend,
};

/// Instants are whole units after a base near the end of January, so cases span three
/// months.
const UNIT_HOURS: i64 = 5;
const ADVISORIES: [&str; 3] = ["A", "B", "C"];

fn at(units: i64) -> OffsetDateTime {
    datetime!(2025-01-30 0:00 UTC) + Duration::hours(units * UNIT_HOURS)
}

/// Half a unit after `at(units)`: between any two instants of a case.
fn between(halves: i64) -> OffsetDateTime {
    datetime!(2025-01-30 0:00 UTC) + Duration::minutes(halves * UNIT_HOURS * 30)
}

#[derive(Clone, Debug)]
struct Case {
    tracks: Vec<Track>,
    findings: Vec<FindingFact>,
    advisories: Vec<AdvisoryFact>,
    policies: SlaPolicies,
    /// In halves of a unit, so `now` may fall between instants or on one.
    now_halves: i64,
}

impl Case {
    fn now(&self) -> OffsetDateTime {
        between(self.now_halves)
    }

    fn episodes(&self) -> Vec<Episode> {
        episodes(&self.tracks, &self.findings, &self.policies, self.now())
    }
}

fn windows() -> impl Strategy<Value = Vec<Window>> {
    (
        prop::collection::vec((0i64..4, 1i64..40, 1i64..=4), 0..6),
        any::<bool>(),
    )
        .prop_map(|(segments, last_open)| {
            let mut t = 0;
            let mut windows: Vec<Window> = segments
                .into_iter()
                .map(|(gap, len, release_id)| {
                    let from = t + gap;
                    t = from + len;
                    Window {
                        release_id,
                        from: at(from),
                        to: Some(at(t)),
                    }
                })
                .collect();
            if last_open && let Some(last) = windows.last_mut() {
                last.to = None;
            }
            windows
        })
}

fn tracks() -> impl Strategy<Value = Vec<Track>> {
    let keys = vec![
        ("prod", "api"),
        ("prod", "web"),
        ("staging", "api"),
        ("staging", "web"),
    ];
    prop::sample::subsequence(keys, 1..=4).prop_flat_map(|keys| {
        let n = keys.len();
        (
            Just(keys),
            prop::collection::vec(
                (
                    windows(),
                    prop::sample::select(vec![None, Some("t1"), Some("t2")]),
                ),
                n,
            ),
        )
            .prop_map(|(keys, parts)| {
                keys.into_iter()
                    .zip(parts)
                    .map(|((environment, service), (windows, team))| Track {
                        environment: environment.into(),
                        service: service.into(),
                        team: team.map(Into::into),
                        windows,
                    })
                    .collect()
            })
    })
}

fn findings() -> impl Strategy<Value = Vec<FindingFact>> {
    prop::collection::vec(
        (
            1i64..=4,
            prop::sample::select(ADVISORIES.to_vec()),
            prop::sample::select(vec!["pkg:npm/a@1", "pkg:npm/b@2"]),
            0i64..=4,
            any::<bool>(),
            0i64..200,
            prop::option::of(0i64..220),
            prop::option::of(0i64..250),
        ),
        0..12,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(
                |(release_id, advisory, purl, rank, kev, seen, ruled_out, accepted)| FindingFact {
                    release_id,
                    advisory_id: advisory.into(),
                    purl: purl.into(),
                    ecosystem: "npm".into(),
                    severity_rank: rank,
                    kev,
                    first_seen: at(seen),
                    ruled_out_at: ruled_out.map(at),
                    accepted_until: accepted.map(at),
                },
            )
            .collect()
    })
}

fn case() -> impl Strategy<Value = Case> {
    (
        tracks(),
        findings(),
        prop::collection::vec(prop::option::of(-20i64..200), 3),
        0i64..440,
    )
        .prop_map(|(tracks, findings, published, now_halves)| Case {
            tracks,
            findings,
            advisories: ADVISORIES
                .iter()
                .zip(published)
                .map(|(id, published)| AdvisoryFact {
                    id: (*id).into(),
                    published: published.map(at),
                })
                .collect(),
            policies: SlaPolicies {
                default: Default::default(),
                per_environment: BTreeMap::from([(
                    "staging".into(),
                    "critical=1,high=2,medium=3,low=4,unrated=5,kev=1"
                        .parse()
                        .unwrap(),
                )]),
            },
            now_halves,
        })
}

/// The reference: does the track carry the advisory at `t`, by the definition.
fn carried(case: &Case, track: &Track, advisory: &str, t: OffsetDateTime) -> bool {
    track.windows.iter().any(|w| {
        w.from <= t
            && w.to.is_none_or(|to| t < to)
            && case.findings.iter().any(|f| {
                f.release_id == w.release_id
                    && f.advisory_id == advisory
                    && f.first_seen <= t
                    && f.ruled_out_at.is_none_or(|r| t < r)
            })
    })
}

fn covers(e: &Episode, t: OffsetDateTime) -> bool {
    e.start <= t && e.end.is_none_or(|end| t < end)
}

fn in_some_window(track: &Track, t: OffsetDateTime) -> bool {
    track
        .windows
        .iter()
        .any(|w| w.from <= t && w.to.is_none_or(|to| t < to))
}

fn of<'a>(all: &'a [Episode], track: &Track, advisory: &str) -> Vec<&'a Episode> {
    all.iter()
        .filter(|e| {
            e.environment == track.environment
                && e.service == track.service
                && e.advisory_id == advisory
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn episodes_are_exactly_the_instants_the_advisory_is_carried(case in case()) {
        let all = case.episodes();
        for track in &case.tracks {
            for advisory in ADVISORIES {
                let mine = of(&all, track, advisory);
                // Every instant of the case and every instant between two, up to now.
                for halves in 0..=case.now_halves {
                    let t = between(halves);
                    let covering = mine.iter().filter(|e| covers(e, t)).count();
                    prop_assert_eq!(
                        covering,
                        usize::from(carried(&case, track, advisory, t)),
                        "{} {} {} at {}: {:#?}", track.environment, track.service, advisory, t, mine
                    );
                }
                prop_assert!(!carried(&case, track, advisory, case.now()) || mine.last().is_some_and(|e| e.end.is_none()));
            }
        }
    }

    #[test]
    fn episodes_never_overlap_nor_touch_and_the_earliest_is_first(case in case()) {
        let all = case.episodes();
        for track in &case.tracks {
            for advisory in ADVISORIES {
                let mine = of(&all, track, advisory);
                for pair in mine.windows(2) {
                    let end = pair[0].end;
                    prop_assert!(end.is_some_and(|end| end < pair[1].start), "{:#?}", pair);
                }
                let firsts: Vec<bool> = mine.iter().map(|e| e.first).collect();
                if !firsts.is_empty() {
                    prop_assert!(firsts[0]);
                    prop_assert!(firsts[1..].iter().all(|f| !f));
                }
            }
        }
    }

    #[test]
    fn every_episode_lies_inside_the_union_of_its_windows(case in case()) {
        let all = case.episodes();
        let now = case.now();
        for e in &all {
            let track = case
                .tracks
                .iter()
                .find(|t| t.environment == e.environment && t.service == e.service)
                .unwrap();
            prop_assert!(e.start <= now);
            prop_assert!(e.end.is_none_or(|end| e.start < end && end <= now));
            prop_assert!(in_some_window(track, e.start));
            let mut t = e.start;
            while t < e.end.unwrap_or(now) {
                prop_assert!(in_some_window(track, t), "{:#?} at {}", e, t);
                t += Duration::minutes(UNIT_HOURS * 30);
            }
            if let Some(end) = e.end {
                prop_assert!(in_some_window(track, end - Duration::nanoseconds(1)));
            }
        }
    }

    #[test]
    fn due_dates_overdue_and_acceptance_follow_their_definitions(case in case()) {
        let now = case.now();
        for e in case.episodes() {
            let days = case.policies.for_environment(&e.environment).days(e.severity_rank, e.kev);
            prop_assert_eq!(e.due, e.start + Duration::days(days.into()));
            prop_assert_eq!(e.overdue, e.end.is_none() && e.accepted_until.is_none() && e.due < now);
            prop_assert!(e.accepted_until.is_none_or(|u| u > now && e.end.is_none()));
            prop_assert!(!e.releases.is_empty() && !e.purls.is_empty());
        }
    }

    #[test]
    fn metrics_counts_add_up(case in case()) {
        let all = case.episodes();
        let now = case.now();
        let whole = metrics(&all, &case.advisories, now, Group::All);
        prop_assert_eq!(whole.len(), 1);
        let w = &whole[0];
        let n = all.len() as u64;
        prop_assert_eq!(w.episodes, n);
        prop_assert_eq!(w.mttr.count + w.open.count, n);
        let open_in_time = all
            .iter()
            .filter(|e| e.end.is_none() && !e.overdue && e.accepted_until.is_none())
            .count() as u64;
        prop_assert_eq!(w.sla.met + w.sla.missed + w.sla.accepted + open_in_time, n);
        prop_assert!(w.sla.overdue <= w.sla.missed);
        prop_assert_eq!(w.backlog.total(), w.open.count);
        let published: BTreeSet<&str> = case
            .advisories
            .iter()
            .filter(|a| a.published.is_some())
            .map(|a| a.id.as_str())
            .collect();
        let detectable = all
            .iter()
            .filter(|e| e.first && published.contains(e.advisory_id.as_str()))
            .count() as u64;
        prop_assert_eq!(w.mttd.count, detectable);
        if let Some(ratio) = w.sla.ratio {
            prop_assert_eq!(ratio, w.sla.met as f64 / (w.sla.met + w.sla.missed) as f64);
        }

        for group in [Group::Environment, Group::Service, Group::Team] {
            let rows = metrics(&all, &case.advisories, now, group);
            let sum = |f: fn(&MetricsRow) -> u64| rows.iter().map(f).sum::<u64>();
            prop_assert_eq!(sum(|r| r.episodes), w.episodes);
            prop_assert_eq!(sum(|r| r.mttd.count), w.mttd.count);
            prop_assert_eq!(sum(|r| r.mttr.count), w.mttr.count);
            prop_assert_eq!(sum(|r| r.open.count), w.open.count);
            prop_assert_eq!(sum(|r| r.sla.met), w.sla.met);
            prop_assert_eq!(sum(|r| r.sla.missed), w.sla.missed);
            prop_assert_eq!(sum(|r| r.sla.overdue), w.sla.overdue);
            prop_assert_eq!(sum(|r| r.sla.accepted), w.sla.accepted);
            prop_assert_eq!(sum(|r| r.backlog.critical), w.backlog.critical);
            prop_assert_eq!(sum(|r| r.backlog.unrated), w.backlog.unrated);
            prop_assert!(rows.iter().all(|r| r.episodes > 0 && r.group == group));
            let keys: Vec<_> = rows.iter().map(|r| &r.key).collect();
            prop_assert!(keys.windows(2).all(|k| k[0] < k[1]));
        }
    }

    #[test]
    fn trend_counts_add_up(case in case()) {
        let all = case.episodes();
        let now = case.now();
        let rows = trend(&all, &case.advisories, at(0), at(1000), now);
        // The base is in January and every case ends before April.
        prop_assert!((1..=3).contains(&rows.len()));
        prop_assert_eq!(&rows[0].month, "2025-01");
        let mut open = 0;
        for row in &rows {
            prop_assert_eq!(row.open_at_end, open + row.detected - row.resolved);
            prop_assert_eq!(row.mttr.count, row.resolved);
            open = row.open_at_end;
        }
        prop_assert_eq!(rows.iter().map(|r| r.detected).sum::<u64>(), all.len() as u64);
        prop_assert_eq!(
            rows.iter().map(|r| r.resolved).sum::<u64>(),
            all.iter().filter(|e| e.end.is_some()).count() as u64
        );
        prop_assert_eq!(open, all.iter().filter(|e| e.end.is_none()).count() as u64);
        let whole = &metrics(&all, &case.advisories, now, Group::All)[0];
        prop_assert_eq!(rows.iter().map(|r| r.mttd.count).sum::<u64>(), whole.mttd.count);
    }
}
