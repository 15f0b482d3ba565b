//! Episodes edge by edge: gaps, rollbacks, triage, acceptance and instants after `now`.
//! Day n is 2025-01-01 00:00 UTC plus n days.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use time::macros::datetime;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};
use vigil_exposure::{
    AdvisoryFact, Episode, FindingFact, Group, SlaPolicies, Track, Window, episodes, metrics,
};

fn day(n: i64) -> OffsetDateTime {
    datetime!(2025-01-01 0:00 UTC) + Duration::days(n)
}

fn track(windows: &[(i64, i64, Option<i64>)]) -> Track {
    Track {
        environment: "prod".into(),
        service: "api".into(),
        team: None,
        windows: windows
            .iter()
            .map(|&(release_id, from, to)| Window {
                release_id,
                from: day(from),
                to: to.map(day),
            })
            .collect(),
    }
}

fn finding(release_id: i64, purl: &str, seen: i64) -> FindingFact {
    FindingFact {
        release_id,
        advisory_id: "GHSA-1".into(),
        purl: purl.into(),
        ecosystem: "npm".into(),
        severity_rank: 2,
        kev: false,
        first_seen: day(seen),
        ruled_out_at: None,
        accepted_until: None,
    }
}

/// (start, end, releases) of each episode, in days.
fn check(
    windows: &[(i64, i64, Option<i64>)],
    findings: &[FindingFact],
    now: i64,
    expect: &[(i64, Option<i64>, &[i64])],
) -> Vec<Episode> {
    let got = episodes(
        &[track(windows)],
        findings,
        &SlaPolicies::default(),
        day(now),
    );
    let spans: Vec<_> = got
        .iter()
        .map(|e| {
            (
                (e.start - day(0)).whole_days(),
                e.end.map(|end| (end - day(0)).whole_days()),
                e.releases.as_slice(),
            )
        })
        .collect();
    assert_eq!(spans, expect);
    got
}

#[test]
fn a_release_without_the_advisory_between_two_with_it_makes_two_episodes() {
    // R1 [0, 10) vulnerable, R2 [10, 20) fixed, R3 [20, -) vulnerable again (the
    // same package version back).
    let got = check(
        &[(1, 0, Some(10)), (2, 10, Some(20)), (3, 20, None)],
        &[finding(1, "pkg:npm/a@1", 0), finding(3, "pkg:npm/a@1", 19)],
        30,
        &[(0, Some(10), &[1]), (20, None, &[3])],
    );
    assert!(got[0].first);
    assert!(!got[1].first);
    // Only the first episode counts for time to detect: published day 0, so 0 days.
    let advisories = [AdvisoryFact {
        id: "GHSA-1".into(),
        published: Some(day(0)),
    }];
    let rows = metrics(&got, &advisories, day(30), Group::All);
    assert_eq!(rows[0].mttd.count, 1);
    assert_eq!(rows[0].mttd.mean_seconds, Some(0.0));
}

#[test]
fn a_match_recorded_before_the_deployment_starts_with_it() {
    check(
        &[(1, 4, None)],
        &[finding(1, "pkg:npm/a@1", 1)],
        10,
        &[(4, None, &[1])],
    );
}

#[test]
fn a_rollback_is_one_episode_naming_each_release_once() {
    // R1, then R2, then R1 again, all vulnerable.
    check(
        &[(1, 0, Some(5)), (2, 5, Some(8)), (1, 8, None)],
        &[finding(1, "pkg:npm/a@1", 0), finding(2, "pkg:npm/a@2", 0)],
        10,
        &[(0, None, &[1, 2])],
    );
}

#[test]
fn two_packages_of_one_release_with_the_same_advisory_are_one_episode() {
    // a@1 from day 1 to 4 (ruled out), b@1 from day 3: the union is [1, -).
    let mut a = finding(1, "pkg:npm/a@1", 1);
    a.ruled_out_at = Some(day(4));
    let got = check(
        &[(1, 0, None)],
        &[a, finding(1, "pkg:npm/b@1", 3)],
        10,
        &[(1, None, &[1])],
    );
    assert_eq!(got[0].purls, ["pkg:npm/a@1", "pkg:npm/b@1"]);
}

#[test]
fn a_gap_between_triage_and_a_new_match_makes_two_episodes() {
    // a@1 ruled out day 4; b@1 matched day 6.
    let mut a = finding(1, "pkg:npm/a@1", 1);
    a.ruled_out_at = Some(day(4));
    let got = check(
        &[(1, 0, None)],
        &[a, finding(1, "pkg:npm/b@1", 6)],
        10,
        &[(1, Some(4), &[1]), (6, None, &[1])],
    );
    assert_eq!(got[0].purls, ["pkg:npm/a@1"]);
    assert_eq!(got[1].purls, ["pkg:npm/b@1"]);
}

#[test]
fn triage_before_the_window_leaves_nothing() {
    let mut a = finding(1, "pkg:npm/a@1", 0);
    a.ruled_out_at = Some(day(2));
    check(&[(1, 2, None)], &[a], 10, &[]);
}

#[test]
fn nothing_after_now_has_happened() {
    // The window ends and the triage applies after now: open. A match after now: absent.
    let mut a = finding(1, "pkg:npm/a@1", 1);
    a.ruled_out_at = Some(day(12));
    check(&[(1, 0, Some(15))], &[a], 10, &[(1, None, &[1])]);
    check(&[(1, 0, None)], &[finding(1, "pkg:npm/a@1", 11)], 10, &[]);
    // Ending exactly at now is closed; starting exactly at now is open.
    check(
        &[(1, 0, Some(10))],
        &[finding(1, "pkg:npm/a@1", 1)],
        10,
        &[(1, Some(10), &[1])],
    );
    check(
        &[(1, 0, None)],
        &[finding(1, "pkg:npm/a@1", 10)],
        10,
        &[(10, None, &[1])],
    );
}

#[test]
fn the_highest_severity_and_any_kev_set_the_due_date() {
    // R1 medium (90 days) from day 0, R2 high (30) from day 5: one episode, due 0 + 30.
    let mut high = finding(2, "pkg:npm/a@2", 0);
    high.severity_rank = 3;
    let got = check(
        &[(1, 0, Some(5)), (2, 5, None)],
        &[finding(1, "pkg:npm/a@1", 0), high.clone()],
        10,
        &[(0, None, &[1, 2])],
    );
    assert_eq!(got[0].severity_rank, 3);
    assert_eq!(got[0].due, day(30));
    // KEV on R2's finding: min(30, 3) = 3 days, so overdue on day 10.
    high.kev = true;
    let got = check(
        &[(1, 0, Some(5)), (2, 5, None)],
        &[finding(1, "pkg:npm/a@1", 0), high],
        10,
        &[(0, None, &[1, 2])],
    );
    assert!(got[0].kev);
    assert_eq!(got[0].due, day(3));
    assert!(got[0].overdue);
}

#[test]
fn acceptance_needs_every_finding_carrying_the_advisory_now() {
    let mut a = finding(1, "pkg:npm/a@1", 0);
    a.accepted_until = Some(day(200));
    let mut b = finding(1, "pkg:npm/b@1", 0);
    // b is not accepted: the episode is not, and it is overdue (due day 90).
    let got = check(
        &[(1, 0, None)],
        &[a.clone(), b.clone()],
        100,
        &[(0, None, &[1])],
    );
    assert_eq!(got[0].accepted_until, None);
    assert!(got[0].overdue);
    // Both accepted: until the earlier end.
    b.accepted_until = Some(day(150));
    let got = check(
        &[(1, 0, None)],
        &[a.clone(), b.clone()],
        100,
        &[(0, None, &[1])],
    );
    assert_eq!(got[0].accepted_until, Some(day(150)));
    assert!(!got[0].overdue);
    // An acceptance that ends exactly now has ended.
    b.accepted_until = Some(day(100));
    let got = check(
        &[(1, 0, None)],
        &[a.clone(), b.clone()],
        100,
        &[(0, None, &[1])],
    );
    assert_eq!(got[0].accepted_until, None);
    assert!(got[0].overdue);
    // b's release no longer runs: only a carries the advisory now, and a is accepted.
    b.release_id = 2;
    let got = check(
        &[(2, 0, Some(50)), (1, 50, None)],
        &[a, b],
        100,
        &[(0, None, &[2, 1])],
    );
    assert_eq!(got[0].accepted_until, Some(day(200)));
}

#[test]
fn a_closed_episode_is_never_accepted_nor_overdue() {
    let mut a = finding(1, "pkg:npm/a@1", 0);
    a.accepted_until = Some(day(500));
    let got = check(&[(1, 0, Some(100))], &[a], 400, &[(0, Some(100), &[1])]);
    assert_eq!(got[0].accepted_until, None);
    assert!(!got[0].overdue);
}

#[test]
fn episodes_are_sorted_by_environment_service_advisory_and_start() {
    let mut tracks = vec![track(&[(1, 0, None)]), track(&[(2, 0, None)])];
    tracks[0].service = "web".into();
    tracks[1].environment = "dev".into();
    let mut b = finding(1, "pkg:npm/a@1", 3);
    b.advisory_id = "CVE-0".into();
    let findings = [
        finding(1, "pkg:npm/a@1", 2),
        b,
        finding(2, "pkg:npm/a@1", 1),
    ];
    let got = episodes(&tracks, &findings, &SlaPolicies::default(), day(10));
    let keys: Vec<_> = got
        .iter()
        .map(|e| {
            (
                e.environment.as_str(),
                e.service.as_str(),
                e.advisory_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("dev", "api", "GHSA-1"),
            ("prod", "web", "CVE-0"),
            ("prod", "web", "GHSA-1")
        ]
    );
}

#[test]
fn a_due_date_past_the_last_representable_instant_is_that_instant() {
    let end = PrimitiveDateTime::MAX.assume_utc();
    let start = end - Duration::days(1);
    let got = episodes(
        &[Track {
            windows: vec![Window {
                release_id: 1,
                from: start,
                to: None,
            }],
            ..track(&[])
        }],
        &[FindingFact {
            first_seen: start,
            ..finding(1, "pkg:npm/a@1", 0)
        }],
        &SlaPolicies::default(),
        end,
    );
    assert_eq!(got[0].due, end);
}

#[test]
fn facts_deserialize_from_json() {
    let track: Track = serde_json::from_str(
        r#"{"environment": "prod", "service": "api", "team": "payments",
            "windows": [{"release_id": 1, "from": "2025-01-01T00:00:00Z",
                         "to": "2025-01-05T12:00:00+02:00"},
                        {"release_id": 2, "from": "2025-01-05T10:00:00Z"}]}"#,
    )
    .unwrap();
    assert_eq!(track.windows[0].to, Some(datetime!(2025-01-05 10:00 UTC)));
    assert_eq!(track.windows[1].to, None);
    let finding: FindingFact = serde_json::from_str(
        r#"{"release_id": 1, "advisory_id": "GHSA-1", "purl": "pkg:npm/a@1",
            "ecosystem": "npm", "severity_rank": 3, "kev": false,
            "first_seen": "2025-01-02T00:00:00Z", "ruled_out_at": null}"#,
    )
    .unwrap();
    assert_eq!(finding.first_seen, day(1));
    assert_eq!(finding.accepted_until, None);
}

#[test]
fn closing_on_the_due_date_meets_the_sla_and_a_second_later_misses_it() {
    // High, seen day 0: due day 30.
    let mut high = finding(1, "pkg:npm/a@1", 0);
    high.severity_rank = 3;
    let sla = |end: OffsetDateTime| {
        let track = Track {
            windows: vec![Window {
                release_id: 1,
                from: day(0),
                to: Some(end),
            }],
            ..track(&[])
        };
        let got = episodes(&[track], &[high.clone()], &SlaPolicies::default(), day(40));
        assert_eq!(got[0].due, day(30));
        let row = &metrics(&got, &[], day(40), Group::All)[0];
        (row.sla.met, row.sla.missed)
    };
    assert_eq!(sla(day(30)), (1, 0));
    assert_eq!(sla(day(30) + Duration::seconds(1)), (0, 1));
}

#[test]
fn an_advisory_listed_twice_takes_its_first_publication_date() {
    let got = check(
        &[(1, 0, None)],
        &[finding(1, "pkg:npm/a@1", 5)],
        10,
        &[(5, None, &[1])],
    );
    let advisories = [
        AdvisoryFact {
            id: "GHSA-1".into(),
            published: Some(day(3)),
        },
        AdvisoryFact {
            id: "GHSA-1".into(),
            published: Some(day(0)),
        },
    ];
    let row = &metrics(&got, &advisories, day(10), Group::All)[0];
    assert_eq!(row.mttd.mean_seconds, Some(2.0 * 86_400.0));
}
