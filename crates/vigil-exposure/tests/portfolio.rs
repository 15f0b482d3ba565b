//! A small portfolio with every number computed by hand: episodes, metrics by group, and the
//! monthly trend.
//!
//! Day n is 2025-01-01 00:00 UTC plus n days; `now` is day 70 (2025-03-12). January is days
//! 0 to 30, February 31 to 58, March from 59.
//!
//! Tracks (windows are `[from, to)`):
//! - prod/api, team payments: R1 [2, 10), R2 [10, 12), R3 [12, -).
//! - staging/api, team payments: R1 [1, 9), R2 [9, 11), R3 [11, -).
//! - prod/web, team platform: R10 [1, -).
//! - prod/batch, no team: R20 [1, -).
//! - prod/worker, team platform: R30 [3, 40), then undeployed.
//!
//! Policies: the default (critical 7, high 30, medium 90, low 180, KEV 3) and, for staging,
//! `high=3,medium=5`.
//!
//! Findings (advisory published on the day in brackets):
//! - F1 R1, GHSA-high [0], high, seen day 5 (imported day 5).
//! - F2 R2, GHSA-high, high, seen day 9 (v2 recorded day 9, still vulnerable).
//! - F3 R10, CVE-kev [15], critical, KEV, seen day 20.
//! - F4 R20, GHSA-accepted [unknown], high, seen day 3, accepted until day 100.
//! - F5 R20, GHSA-expired [1], high, seen day 3, accepted until day 30.
//! - F6 R3, GHSA-vex [11], medium, seen day 12, ruled out (VEX) day 20.
//! - F7 R30, GHSA-low [1], low, seen day 1.
//! - F8 R10, GHSA-march [62], critical, not KEV, seen day 60.
//!
//! Episodes (MTTD = start - published, at least 0; MTTR = end - start):
//! - E1 prod/api GHSA-high [5, 12): R1 gives [max(2,5), 10), R2 gives [max(10,9), 12);
//!   they touch, one episode. Due 5+30 = 35, met. MTTD 5, MTTR 7.
//! - E2 prod/api GHSA-vex [12, 20): ruled out mid-window. Due 12+90 = 102, met. MTTD 1,
//!   MTTR 8.
//! - E3 prod/batch GHSA-accepted [3, -): due 33 < 70 but accepted until 100: not
//!   overdue, neither met nor missed. No MTTD (no publication date). Age 67.
//! - E4 prod/batch GHSA-expired [3, -): acceptance ended day 30, due 33 < 70: overdue.
//!   MTTD 2. Age 67.
//! - E5 prod/web CVE-kev [20, -): critical 7 but KEV 3, due 23: overdue. MTTD 5. Age 50.
//! - E6 prod/web GHSA-march [60, -): due 67: overdue. MTTD 60-62 < 0, so 0. Age 10.
//! - E7 prod/worker GHSA-low [3, 40): window starts day 3, the undeploy ends it. Due 183,
//!   met. MTTD 2, MTTR 37.
//! - E8 staging/api GHSA-high [5, 11): R1 [5, 9) and R2 [9, 11) touch. Due 5+3 = 8 < 11,
//!   missed. MTTD 5, MTTR 6.
//! - E9 staging/api GHSA-vex [12, 20): due 12+5 = 17 < 20, missed. MTTD 1, MTTR 8.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use std::collections::BTreeMap;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_exposure::{
    AdvisoryFact, Backlog, DurationStats, Episode, FindingFact, Group, MetricsRow, OpenAge,
    SlaCompliance, SlaPolicies, Track, TrendRow, Window, episodes, metrics, trend,
};

const DAY: f64 = 86_400.0;

fn day(n: i64) -> OffsetDateTime {
    datetime!(2025-01-01 0:00 UTC) + Duration::days(n)
}

fn now() -> OffsetDateTime {
    day(70)
}

fn window(release_id: i64, from: i64, to: Option<i64>) -> Window {
    Window {
        release_id,
        from: day(from),
        to: to.map(day),
    }
}

fn track(environment: &str, service: &str, team: Option<&str>, windows: Vec<Window>) -> Track {
    Track {
        environment: environment.into(),
        service: service.into(),
        team: team.map(Into::into),
        windows,
    }
}

struct F {
    release: i64,
    advisory: &'static str,
    purl: &'static str,
    rank: i64,
    kev: bool,
    seen: i64,
    ruled_out: Option<i64>,
    accepted: Option<i64>,
}

impl F {
    fn fact(&self) -> FindingFact {
        FindingFact {
            release_id: self.release,
            advisory_id: self.advisory.into(),
            purl: self.purl.into(),
            ecosystem: "npm".into(),
            severity_rank: self.rank,
            kev: self.kev,
            first_seen: day(self.seen),
            ruled_out_at: self.ruled_out.map(day),
            accepted_until: self.accepted.map(day),
        }
    }
}

const LODASH: &str = "pkg:npm/lodash@4.17.20";

fn tracks() -> Vec<Track> {
    vec![
        track(
            "prod",
            "api",
            Some("payments"),
            vec![
                window(1, 2, Some(10)),
                window(2, 10, Some(12)),
                window(3, 12, None),
            ],
        ),
        track(
            "staging",
            "api",
            Some("payments"),
            vec![
                window(1, 1, Some(9)),
                window(2, 9, Some(11)),
                window(3, 11, None),
            ],
        ),
        track("prod", "web", Some("platform"), vec![window(10, 1, None)]),
        track("prod", "batch", None, vec![window(20, 1, None)]),
        track(
            "prod",
            "worker",
            Some("platform"),
            vec![window(30, 3, Some(40))],
        ),
    ]
}

fn findings() -> Vec<FindingFact> {
    let f = |release, advisory, purl, rank, seen| F {
        release,
        advisory,
        purl,
        rank,
        kev: false,
        seen,
        ruled_out: None,
        accepted: None,
    };
    [
        f(1, "GHSA-high", LODASH, 3, 5),
        f(2, "GHSA-high", LODASH, 3, 9),
        F {
            kev: true,
            ..f(
                10,
                "CVE-kev",
                "pkg:maven/org.apache/log4j-core@2.14.1",
                4,
                20,
            )
        },
        F {
            accepted: Some(100),
            ..f(20, "GHSA-accepted", "pkg:pypi/django@3.2.0", 3, 3)
        },
        F {
            accepted: Some(30),
            ..f(20, "GHSA-expired", "pkg:pypi/requests@2.19.0", 3, 3)
        },
        F {
            ruled_out: Some(20),
            ..f(3, "GHSA-vex", "pkg:npm/express@4.17.0", 2, 12)
        },
        f(30, "GHSA-low", "pkg:golang/golang.org/x/net@v0.1.0", 1, 1),
        f(10, "GHSA-march", "pkg:npm/minimist@1.2.5", 4, 60),
    ]
    .iter()
    .map(F::fact)
    .collect()
}

fn advisories() -> Vec<AdvisoryFact> {
    [
        ("GHSA-high", Some(0)),
        ("CVE-kev", Some(15)),
        ("GHSA-accepted", None),
        ("GHSA-expired", Some(1)),
        ("GHSA-vex", Some(11)),
        ("GHSA-low", Some(1)),
        ("GHSA-march", Some(62)),
    ]
    .into_iter()
    .map(|(id, published)| AdvisoryFact {
        id: id.into(),
        published: published.map(day),
    })
    .collect()
}

fn policies() -> SlaPolicies {
    SlaPolicies {
        default: Default::default(),
        per_environment: BTreeMap::from([("staging".into(), "high=3,medium=5".parse().unwrap())]),
    }
}

fn portfolio() -> Vec<Episode> {
    episodes(&tracks(), &findings(), &policies(), now())
}

/// One expected episode: (environment, service, advisory, start, end, releases, due,
/// accepted until, overdue).
type Expect = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    &'static [i64],
    i64,
    Option<i64>,
    bool,
);

#[test]
fn episodes_of_the_portfolio() {
    let expect: [Expect; 9] = [
        (
            "prod",
            "api",
            "GHSA-high",
            5,
            Some(12),
            &[1, 2],
            35,
            None,
            false,
        ),
        (
            "prod",
            "api",
            "GHSA-vex",
            12,
            Some(20),
            &[3],
            102,
            None,
            false,
        ),
        (
            "prod",
            "batch",
            "GHSA-accepted",
            3,
            None,
            &[20],
            33,
            Some(100),
            false,
        ),
        (
            "prod",
            "batch",
            "GHSA-expired",
            3,
            None,
            &[20],
            33,
            None,
            true,
        ),
        ("prod", "web", "CVE-kev", 20, None, &[10], 23, None, true),
        ("prod", "web", "GHSA-march", 60, None, &[10], 67, None, true),
        (
            "prod",
            "worker",
            "GHSA-low",
            3,
            Some(40),
            &[30],
            183,
            None,
            false,
        ),
        (
            "staging",
            "api",
            "GHSA-high",
            5,
            Some(11),
            &[1, 2],
            8,
            None,
            false,
        ),
        (
            "staging",
            "api",
            "GHSA-vex",
            12,
            Some(20),
            &[3],
            17,
            None,
            false,
        ),
    ];
    let got = portfolio();
    for e in &got {
        assert!(e.first, "each track has one episode per advisory: {e:?}");
    }
    let got: Vec<_> = got
        .iter()
        .map(|e| {
            (
                e.environment.as_str(),
                e.service.as_str(),
                e.advisory_id.as_str(),
                days_since_base(e.start),
                e.end.map(days_since_base),
                e.releases.as_slice(),
                days_since_base(e.due),
                e.accepted_until.map(days_since_base),
                e.overdue,
            )
        })
        .collect();
    assert_eq!(got, expect);
}

#[test]
fn episode_details() {
    let all = portfolio();
    let e1 = &all[0];
    assert_eq!(e1.purls, [LODASH]);
    assert_eq!((e1.severity_rank, e1.kev), (3, false));
    assert_eq!(e1.team.as_deref(), Some("payments"));
    let e5 = &all[4];
    assert_eq!((e5.severity_rank, e5.kev), (4, true));
    assert_eq!(all[3].team, None);
}

#[test]
fn episodes_serialize_with_rfc3339_times() {
    let json = serde_json::to_value(&portfolio()[2]).unwrap();
    assert_eq!(json["start"], "2025-01-04T00:00:00Z");
    assert_eq!(json["end"], serde_json::Value::Null);
    assert_eq!(json["due"], "2025-02-03T00:00:00Z");
    assert_eq!(json["accepted_until"], "2025-04-11T00:00:00Z");
    assert_eq!(json["overdue"], false);
}

fn days_since_base(t: OffsetDateTime) -> i64 {
    let d = t - day(0);
    assert_eq!(d.whole_seconds() % 86_400, 0, "{t} is not a whole day");
    d.whole_days()
}

fn stats(count: u64, mean_days: f64, median_days: f64) -> DurationStats {
    DurationStats {
        count,
        mean_seconds: Some(mean_days * DAY),
        median_seconds: Some(median_days * DAY),
    }
}

fn open(count: u64, mean_days: f64, max_days: f64) -> OpenAge {
    OpenAge {
        count,
        mean_seconds: Some(mean_days * DAY),
        max_seconds: Some(max_days * DAY),
    }
}

fn sla(met: u64, missed: u64, overdue: u64, accepted: u64) -> SlaCompliance {
    SlaCompliance {
        met,
        missed,
        overdue,
        accepted,
        ratio: Some(met as f64 / (met + missed) as f64),
    }
}

#[test]
fn metrics_of_the_whole_portfolio() {
    let rows = metrics(&portfolio(), &advisories(), now(), Group::All);
    assert_eq!(
        rows,
        [MetricsRow {
            group: Group::All,
            key: None,
            episodes: 9,
            // E1 5, E2 1, E4 2, E5 5, E6 0, E7 2, E8 5, E9 1 (E3 has no publication date):
            // sorted 0 1 1 2 2 5 5 5, sum 21, mean 21/8 = 2.625, median (2+2)/2.
            mttd: stats(8, 2.625, 2.0),
            // E1 7, E2 8, E7 37, E8 6, E9 8: sorted 6 7 8 8 37, sum 66, mean 13.2.
            mttr: stats(5, 13.2, 8.0),
            // E3 67, E4 67, E5 50, E6 10: sum 194, mean 48.5, max 67.
            open: open(4, 48.5, 67.0),
            // Met E1 E2 E7; missed E8 E9 (late) and E4 E5 E6 (overdue); E3 accepted.
            sla: sla(3, 5, 3, 1),
            // E3 E4 high, E5 E6 critical.
            backlog: Backlog {
                critical: 2,
                high: 2,
                ..Backlog::default()
            },
        }]
    );
    assert_eq!(rows[0].sla.ratio, Some(0.375));
    assert_eq!(rows[0].mttr.mean_seconds, Some(1_140_480.0));
}

#[test]
fn metrics_by_environment() {
    let rows = metrics(&portfolio(), &advisories(), now(), Group::Environment);
    let keys: Vec<_> = rows.iter().map(|r| r.key.as_deref()).collect();
    assert_eq!(keys, [Some("prod"), Some("staging")]);
    let (prod, staging) = (&rows[0], &rows[1]);

    assert_eq!(prod.episodes, 7);
    // E1 5, E2 1, E4 2, E5 5, E6 0, E7 2: sorted 0 1 2 2 5 5, sum 15, mean 2.5, median 2.
    assert_eq!(prod.mttd, stats(6, 2.5, 2.0));
    // E1 7, E2 8, E7 37: sum 52, mean 52/3 days = 1 497 600 s exactly, median 8.
    assert_eq!(
        prod.mttr,
        DurationStats {
            count: 3,
            mean_seconds: Some(1_497_600.0),
            median_seconds: Some(8.0 * DAY),
        }
    );
    assert_eq!(prod.open, open(4, 48.5, 67.0));
    assert_eq!(prod.sla, sla(3, 3, 3, 1));
    assert_eq!(prod.sla.ratio, Some(0.5));

    // Staging's shorter policy: both episodes missed, by the same dates that meet prod's.
    assert_eq!(staging.episodes, 2);
    // E8 5, E9 1.
    assert_eq!(staging.mttd, stats(2, 3.0, 3.0));
    // E8 6, E9 8.
    assert_eq!(staging.mttr, stats(2, 7.0, 7.0));
    assert_eq!(staging.open, OpenAge::default());
    assert_eq!(staging.sla, sla(0, 2, 0, 0));
    assert_eq!(staging.backlog, Backlog::default());
}

#[test]
fn metrics_by_team() {
    let rows = metrics(&portfolio(), &advisories(), now(), Group::Team);
    let keys: Vec<_> = rows.iter().map(|r| r.key.as_deref()).collect();
    assert_eq!(keys, [None, Some("payments"), Some("platform")]);
    let (none, payments, platform) = (&rows[0], &rows[1], &rows[2]);

    // prod/batch: E3 accepted, E4 overdue.
    assert_eq!(none.group, Group::Team);
    assert_eq!(none.episodes, 2);
    assert_eq!(none.mttd, stats(1, 2.0, 2.0));
    assert_eq!(none.mttr, DurationStats::default());
    assert_eq!(none.open, open(2, 67.0, 67.0));
    assert_eq!(none.sla, sla(0, 1, 1, 1));
    assert_eq!(none.sla.ratio, Some(0.0));
    assert_eq!(none.backlog.high, 2);

    // api in both environments: E1 E2 E8 E9.
    assert_eq!(payments.episodes, 4);
    // 5 1 5 1.
    assert_eq!(payments.mttd, stats(4, 3.0, 3.0));
    // 7 8 6 8: sum 29, mean 7.25, median (7+8)/2.
    assert_eq!(payments.mttr, stats(4, 7.25, 7.5));
    assert_eq!(payments.sla, sla(2, 2, 0, 0));
    assert_eq!(payments.backlog.total(), 0);

    // web and worker: E5 E6 E7.
    assert_eq!(platform.episodes, 3);
    // 5 0 2: sum 7, mean 7/3 days = 201 600 s exactly, median 2.
    assert_eq!(
        platform.mttd,
        DurationStats {
            count: 3,
            mean_seconds: Some(201_600.0),
            median_seconds: Some(2.0 * DAY),
        }
    );
    assert_eq!(platform.mttr, stats(1, 37.0, 37.0));
    // E5 50, E6 10.
    assert_eq!(platform.open, open(2, 30.0, 50.0));
    assert_eq!(platform.sla, sla(1, 2, 2, 0));
    assert_eq!(platform.backlog.critical, 2);
}

#[test]
fn metrics_by_service() {
    let rows = metrics(&portfolio(), &advisories(), now(), Group::Service);
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.key.as_deref().unwrap(), r.episodes))
        .collect();
    assert_eq!(got, [("api", 4), ("batch", 2), ("web", 2), ("worker", 1)]);
}

#[test]
fn metrics_of_nothing() {
    let rows = metrics(&[], &[], now(), Group::All);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].episodes, 0);
    assert_eq!(rows[0].sla.ratio, None);
    assert_eq!(rows[0].mttd.mean_seconds, None);
    assert!(metrics(&[], &[], now(), Group::Team).is_empty());
}

#[test]
fn trend_over_three_months() {
    let rows = trend(
        &portfolio(),
        &advisories(),
        day(0),
        datetime!(2025-06-30 0:00 UTC),
        now(),
    );
    let none = DurationStats::default();
    assert_eq!(
        rows,
        [
            TrendRow {
                month: "2025-01".into(),
                start: datetime!(2025-01-01 0:00 UTC),
                // Started in January: E1 E2 E3 E4 E5 E7 E8 E9.
                detected: 8,
                // Ended in January: E1 (12) E2 (20) E8 (11) E9 (20).
                resolved: 4,
                // 7 8 6 8.
                mttr: stats(4, 7.25, 7.5),
                // First episodes started in January with a publication date:
                // E1 5, E2 1, E4 2, E5 5, E7 2, E8 5, E9 1: sorted 1 1 2 2 5 5 5, sum 21.
                mttd: stats(7, 3.0, 2.0),
                // E3 E4 E5 E7.
                open_at_end: 4,
            },
            TrendRow {
                month: "2025-02".into(),
                start: datetime!(2025-02-01 0:00 UTC),
                detected: 0,
                // E7, undeployed day 40 (February 10).
                resolved: 1,
                mttr: stats(1, 37.0, 37.0),
                mttd: none.clone(),
                // 4 + 0 - 1: E3 E4 E5.
                open_at_end: 3,
            },
            TrendRow {
                month: "2025-03".into(),
                start: datetime!(2025-03-01 0:00 UTC),
                // E6, day 60 (March 2).
                detected: 1,
                resolved: 0,
                mttr: none,
                // E6: published after it started, so 0.
                mttd: stats(1, 0.0, 0.0),
                // The current month: open at now, E3 E4 E5 E6.
                open_at_end: 4,
            },
        ]
    );
}

#[test]
fn trend_of_part_of_the_range() {
    // A range inside one month, given with an offset: still that whole UTC month.
    let rows = trend(
        &portfolio(),
        &advisories(),
        datetime!(2025-02-10 12:00 +05:00),
        datetime!(2025-02-11 0:00 UTC),
        now(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].month, "2025-02");
    assert_eq!(rows[0].open_at_end, 3);
    // An offset that puts the instant in the previous UTC month.
    let rows = trend(
        &portfolio(),
        &advisories(),
        datetime!(2025-02-01 3:00 +05:00),
        datetime!(2025-02-01 3:00 +05:00),
        now(),
    );
    assert_eq!(rows[0].month, "2025-01");
    // From after to: nothing.
    assert!(trend(&portfolio(), &advisories(), day(40), day(0), now()).is_empty());
}
