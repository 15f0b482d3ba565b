//! Root cause: the release that brought a package version in and the one that took it out,
//! across a package that leaves and comes back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use std::collections::BTreeSet;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_exposure::{Lineage, ReleaseFacts, ReleaseRef, root_cause};

const OLD: &str = "pkg:npm/lodash@4.17.20";
const NEW: &str = "pkg:npm/lodash@4.17.21";
const EXPRESS: &str = "pkg:npm/express@4.18.2";

fn day(n: i64) -> OffsetDateTime {
    datetime!(2025-01-01 0:00 UTC) + Duration::days(n)
}

/// Release `id` is version `1.<id>`, commit `c<id>`, recorded on day `id`.
fn release(id: i64, purls: &[&str]) -> ReleaseFacts {
    ReleaseFacts {
        release_id: id,
        version: format!("1.{id}"),
        commit: Some(format!("c{id}")),
        recorded_at: day(id),
        purls: purls.iter().map(|p| p.to_string()).collect::<BTreeSet<_>>(),
    }
}

fn at(id: i64) -> ReleaseRef {
    ReleaseRef {
        release_id: id,
        version: format!("1.{id}"),
        commit: Some(format!("c{id}")),
        recorded_at: day(id),
    }
}

/// 1 and 2 carry lodash 4.17.20; 3 and 4 upgrade to 4.17.21; 5 and 6 downgrade back to
/// 4.17.20 (two runs); 7 drops lodash.
fn history() -> Vec<ReleaseFacts> {
    vec![
        release(1, &[OLD, EXPRESS]),
        release(2, &[OLD, EXPRESS]),
        release(3, &[NEW, EXPRESS]),
        release(4, &[NEW, EXPRESS]),
        release(5, &[OLD, EXPRESS]),
        release(6, &[OLD, EXPRESS]),
        release(7, &[EXPRESS]),
    ]
}

fn lineage(entered: i64, left: Option<i64>, replaced_by: &[&str]) -> Option<Lineage> {
    Some(Lineage {
        purl: OLD.into(),
        package: "pkg:npm/lodash".into(),
        entered: at(entered),
        left: left.map(at),
        replaced_by: replaced_by.iter().map(|p| p.to_string()).collect(),
    })
}

#[test]
fn the_first_run() {
    // Asked at the release that brought it in, or one later in the same run.
    assert_eq!(root_cause(&history(), OLD, 1), lineage(1, Some(3), &[NEW]));
    assert_eq!(root_cause(&history(), OLD, 2), lineage(1, Some(3), &[NEW]));
}

#[test]
fn the_second_run() {
    // It came back in 5; 7 dropped the package, so nothing replaced it.
    assert_eq!(root_cause(&history(), OLD, 5), lineage(5, Some(7), &[]));
    assert_eq!(root_cause(&history(), OLD, 6), lineage(5, Some(7), &[]));
}

#[test]
fn still_present_in_the_newest_release() {
    let history = &history()[..6];
    assert_eq!(root_cause(history, OLD, 6), lineage(5, None, &[]));
}

#[test]
fn present_from_the_first_release() {
    let got = root_cause(&history(), EXPRESS, 4).unwrap();
    assert_eq!((got.entered, got.left), (at(1), None));
}

#[test]
fn not_there_or_no_such_release() {
    assert_eq!(root_cause(&history(), OLD, 3), None);
    assert_eq!(root_cause(&history(), OLD, 99), None);
    assert_eq!(root_cause(&[], OLD, 1), None);
}

#[test]
fn releases_are_taken_in_recorded_order() {
    let mut shuffled = history();
    shuffled.reverse();
    shuffled.swap(0, 3);
    assert_eq!(root_cause(&shuffled, OLD, 2), lineage(1, Some(3), &[NEW]));
    assert_eq!(root_cause(&shuffled, OLD, 6), lineage(5, Some(7), &[]));
}

#[test]
fn every_other_version_of_the_package_in_the_release_that_left() {
    let other = "pkg:npm/lodash@4.17.19";
    let history = [
        release(1, &[OLD]),
        release(2, &[NEW, other, "pkg:npm/lodash.merge@4.6.2"]),
    ];
    assert_eq!(
        root_cause(&history, OLD, 1),
        lineage(1, Some(2), &[other, NEW])
    );
}

#[test]
fn lineage_serializes_with_rfc3339_times() {
    let json = serde_json::to_value(root_cause(&history(), OLD, 2).unwrap()).unwrap();
    assert_eq!(json["entered"]["recorded_at"], "2025-01-02T00:00:00Z");
    assert_eq!(json["left"]["version"], "1.3");
    assert_eq!(json["replaced_by"][0], NEW);
}
