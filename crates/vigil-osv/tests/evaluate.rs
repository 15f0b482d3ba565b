//! Every evaluation rule, one line of record and one of expectation each, through the
//! `check` helper; and a property test against a naive evaluation.

use proptest::prelude::*;
use vigil_osv::{CompiledAdvisory, Hit, PackageKey, QueryVersion, Remedy, Unknown, Verdict};
use vigil_version::{Ecosystem, Scheme};

/// A record with one affected entry for `ecosystem`/`name`, with `body` as the rest of
/// the entry (ranges, versions) and `top` as extra top-level fields.
fn record(ecosystem: &str, name: &str, body: &str, top: &str) -> String {
    format!(
        r#"{{"id": "OSV-2024-1", "modified": "2024-01-01T00:00:00Z"{top},
            "affected": [{{"package": {{"ecosystem": "{ecosystem}", "name": "{name}"}}, {body}}}]}}"#
    )
}

/// Loads `record_json`, asks about `name` `version` in `ecosystem`, and compares a
/// one-line summary of the verdicts with `expect`.
fn check(record_json: &str, ecosystem: &str, name: &str, version: &str, expect: &str) {
    let osv = vigil_osv::from_json(record_json.as_bytes())
        .unwrap_or_else(|e| panic!("record rejected: {e}\n{record_json}"));
    let advisory = CompiledAdvisory::new(&osv);
    let eco: Ecosystem = ecosystem.parse().expect("ecosystem");
    let key = PackageKey::new(eco.clone(), name);
    let q = QueryVersion::new(&eco, version);
    let got: Vec<String> = advisory.check(&key, &q).map(summary).collect();
    let got = if got.is_empty() {
        "not affected".to_owned()
    } else {
        got.join("; ")
    };
    assert_eq!(got, expect, "{ecosystem} {name} {version}\n{record_json}");
}

/// The summary of a version expected to be unknown, for messages owned by another crate.
fn check_unknown(record_json: &str, ecosystem: &str, name: &str, version: &str) -> String {
    let osv = vigil_osv::from_json(record_json.as_bytes()).expect("record loads");
    let advisory = CompiledAdvisory::new(&osv);
    let eco: Ecosystem = ecosystem.parse().expect("ecosystem");
    let key = PackageKey::new(eco.clone(), name);
    let q = QueryVersion::new(&eco, version);
    advisory
        .check(&key, &q)
        .map(summary)
        .collect::<Vec<_>>()
        .join("; ")
}

fn summary(v: Verdict<'_>) -> String {
    match v {
        Verdict::Affected(Hit::Range {
            affected,
            range,
            introduced,
            remedy,
        }) => {
            let remedy = match remedy {
                Remedy::FixedIn(f) => {
                    let mut all: Vec<&str> = f.fixed().collect();
                    all.extend(f.limits());
                    format!("fixed in {}", all.join(", "))
                }
                Remedy::NoFixKnown { last_affected } => {
                    format!("no fix known, last affected {last_affected}")
                }
                Remedy::NoFixYet => "no fix yet".to_owned(),
            };
            format!("range {affected}.{range} from {introduced}, {remedy}")
        }
        Verdict::Affected(Hit::Version {
            affected,
            index,
            version,
        }) => format!("listed {affected}.{index} {version}"),
        Verdict::Unknown(Unknown::Range(u)) => format!("unknown: {u}"),
        Verdict::Unknown(Unknown::QueryVersion { range, error, .. }) => {
            format!("unknown: range {range}: {error}")
        }
    }
}

fn pypi(body: &str) -> String {
    record("PyPI", "example", body, "")
}

const SIMPLE: &str =
    r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "2.0"}]}]"#;

#[test]
fn introduced_is_inclusive_and_fixed_exclusive() {
    let r = pypi(SIMPLE);
    check(&r, "PyPI", "example", "0.9", "not affected");
    check(
        &r,
        "PyPI",
        "example",
        "1.0",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.0.0",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.9.9",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(
        &r,
        "PyPI",
        "example",
        "2.0rc1",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(&r, "PyPI", "example", "2.0", "not affected");
    check(&r, "PyPI", "example", "2.0.0", "not affected");
    check(&r, "PyPI", "example", "2.0.post1", "not affected");
}

#[test]
fn versions_compare_in_the_ecosystem_order_not_as_strings() {
    let r = pypi(SIMPLE);
    // "1.10" > "1.9" in PEP 440, though not as strings.
    check(
        &r,
        "PyPI",
        "example",
        "1.10",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(&r, "PyPI", "example", "10.0", "not affected");
}

#[test]
fn package_names_are_normalized() {
    let r = record("PyPI", "Example_Pkg", SIMPLE, "");
    check(
        &r,
        "PyPI",
        "example-pkg",
        "1.5",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(
        &r,
        "PyPI",
        "EXAMPLE.pkg",
        "1.5",
        "range 0.0 from 1.0, fixed in 2.0",
    );
    check(&r, "PyPI", "other", "1.5", "not affected");
    check(&r, "npm", "Example_Pkg", "1.5", "not affected");
}

#[test]
fn unsorted_events_are_sorted_by_version() {
    let r = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [
            {"fixed": "3.0.21"}, {"introduced": "4.0.1"}, {"fixed": "4.0.5"}, {"introduced": "0"}]}]"#,
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.0",
        "range 0.0 from 0, fixed in 3.0.21, 4.0.5",
    );
    check(&r, "PyPI", "example", "3.0.21", "not affected");
    check(&r, "PyPI", "example", "4.0", "not affected");
    check(
        &r,
        "PyPI",
        "example",
        "4.0.1",
        "range 0.0 from 4.0.1, fixed in 4.0.5",
    );
    check(&r, "PyPI", "example", "4.0.5", "not affected");
}

#[test]
fn introduced_zero_is_the_beginning() {
    let r = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.2"}, {"introduced": "0"}]}]"#,
    );
    check(
        &r,
        "PyPI",
        "example",
        "0.0.1.dev0",
        "range 0.0 from 0, fixed in 1.2",
    );
    check(
        &r,
        "PyPI",
        "example",
        "0!0.0",
        "range 0.0 from 0, fixed in 1.2",
    );
    check(&r, "PyPI", "example", "1.2", "not affected");
}

#[test]
fn no_fix_yet_affects_every_later_version() {
    let r = pypi(r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}]}]"#);
    check(&r, "PyPI", "example", "1.0", "not affected");
    check(
        &r,
        "PyPI",
        "example",
        "2.0",
        "range 0.0 from 2.0, no fix yet",
    );
    check(
        &r,
        "PyPI",
        "example",
        "99.0",
        "range 0.0 from 2.0, no fix yet",
    );
}

#[test]
fn last_affected_is_inclusive_and_names_no_fix() {
    let r = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "2.1.214"}]}]"#,
    );
    check(
        &r,
        "PyPI",
        "example",
        "2.1.214",
        "range 0.0 from 0, no fix known, last affected 2.1.214",
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.0",
        "range 0.0 from 0, no fix known, last affected 2.1.214",
    );
    check(&r, "PyPI", "example", "2.1.215", "not affected");
    // Exactly one version.
    let one = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"last_affected": "1.5"}, {"introduced": "1.5"}]}]"#,
    );
    check(
        &one,
        "PyPI",
        "example",
        "1.5",
        "range 0.0 from 1.5, no fix known, last affected 1.5",
    );
    check(&one, "PyPI", "example", "1.5.1", "not affected");
    check(&one, "PyPI", "example", "1.4", "not affected");
}

#[test]
fn limit_is_exclusive_and_star_is_no_limit() {
    let r = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"limit": "1.5"}]}]"#,
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.4",
        "range 0.0 from 1.0, fixed in 1.5",
    );
    check(&r, "PyPI", "example", "1.5", "not affected");
    let star = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"limit": "*"}]}]"#,
    );
    check(
        &star,
        "PyPI",
        "example",
        "100",
        "range 0.0 from 1.0, no fix yet",
    );
    // Several limits: below any of them is enough.
    let two = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"limit": "1.5"}, {"limit": "3.0"}]}]"#,
    );
    check(
        &two,
        "PyPI",
        "example",
        "2.0",
        "range 0.0 from 1.0, fixed in 3.0",
    );
    check(&two, "PyPI", "example", "3.0", "not affected");
}

#[test]
fn several_ranges_and_several_entries() {
    let r = pypi(
        r#""ranges": [
            {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.1"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.2"}]}]"#,
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.0.5",
        "range 0.0 from 1.0, fixed in 1.1",
    );
    check(
        &r,
        "PyPI",
        "example",
        "2.1",
        "range 0.1 from 2.0, fixed in 2.2",
    );
    check(&r, "PyPI", "example", "1.5", "not affected");
    let two_entries = r#"{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-01T00:00:00Z", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "example"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "2.0"}]}]},
        {"package": {"ecosystem": "PyPI", "name": "example"}, "versions": ["1.5", "3.0"]},
        {"package": {"ecosystem": "PyPI", "name": "other"}, "versions": ["1.5"]}]}"#;
    check(
        two_entries,
        "PyPI",
        "example",
        "1.5",
        "range 0.0 from 1.0, fixed in 2.0; listed 1.0 1.5",
    );
    check(two_entries, "PyPI", "example", "3.0.0", "listed 1.1 3.0");
    check(two_entries, "PyPI", "other", "1.5", "listed 2.0 1.5");
}

#[test]
fn versions_only_compare_as_versions_or_exact_strings() {
    let r = pypi(r#""versions": ["1.0", "4.36.-1", "2.0"]"#);
    check(&r, "PyPI", "example", "1.0.0", "listed 0.0 1.0");
    check(&r, "PyPI", "example", "2.0", "listed 0.2 2.0");
    check(&r, "PyPI", "example", "4.36.-1", "listed 0.1 4.36.-1");
    check(&r, "PyPI", "example", "4.36", "not affected");
}

#[test]
fn adjacent_and_empty_pairs_in_one_range() {
    // PyPA's pyspark: [0, 3.1.1) ∪ [3.1.1, 3.1.3) ∪ [3.2.0, 3.2.2).
    let r = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.1"},
            {"introduced": "3.2.0"}, {"fixed": "3.2.2"}, {"introduced": "3.1.1"}, {"fixed": "3.1.3"}]}]"#,
    );
    check(
        &r,
        "PyPI",
        "example",
        "3.1.1",
        "range 0.0 from 3.1.1, fixed in 3.1.3, 3.2.2",
    );
    check(&r, "PyPI", "example", "3.1.3", "not affected");
    // RustSec's `introduced: 45.0.0, fixed: 45.0.0`: empty.
    let empty = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "44.0.2"},
            {"introduced": "45.0.0"}, {"fixed": "45.0.0"}]}]"#,
    );
    check(&empty, "PyPI", "example", "45.0.0", "not affected");
    check(&empty, "PyPI", "example", "46", "not affected");
    // 45.0.0 is outside the range too, so it is listed as a way out.
    check(
        &empty,
        "PyPI",
        "example",
        "44",
        "range 0.0 from 0, fixed in 44.0.2, 45.0.0",
    );
}

#[test]
fn semver_ranges_use_semver_whatever_the_ecosystem() {
    // `1.0.0-rc.1` is a SemVer pre-release of 1.0.0, below it.
    let r = record(
        "PyPI",
        "example",
        r#""ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.0"}]}]"#,
        "",
    );
    check(
        &r,
        "PyPI",
        "example",
        "1.1.0",
        "range 0.0 from 1.0.0, fixed in 1.2.0",
    );
    check(&r, "PyPI", "example", "1.0.0-rc.1", "not affected");
    let unknown = check_unknown(&r, "PyPI", "example", "not.a.version");
    assert!(
        unknown.starts_with("unknown: range 0: invalid SemVer version"),
        "{unknown}"
    );
}

#[test]
fn go_versions_drop_their_v_for_semver_ranges() {
    let r = record(
        "Go",
        "github.com/gin-gonic/gin",
        r#""ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.6.0"}]}]"#,
        "",
    );
    check(
        &r,
        "Go",
        "github.com/gin-gonic/gin",
        "v1.5.0",
        "range 0.0 from 0, fixed in 1.6.0",
    );
    check(
        &r,
        "Go",
        "github.com/gin-gonic/gin",
        "v1.6.0",
        "not affected",
    );
    check(
        &r,
        "Go",
        "github.com/Gin-Gonic/gin",
        "v1.5.0",
        "not affected",
    );
}

#[test]
fn git_ranges_match_only_through_versions() {
    let hash = "e818b74be2170fbe957a07b0da4401c2b694b3b8";
    let r = record(
        "PyPI",
        "example",
        &format!(
            r#""ranges": [{{"type": "GIT", "repo": "https://example.invalid/r", "events": [{{"introduced": "0"}}, {{"fixed": "{hash}"}}]}}], "versions": ["1.0"]"#
        ),
        "",
    );
    check(&r, "PyPI", "example", "1.0", "listed 0.0 1.0");
    check(&r, "PyPI", "example", "0.5", "not affected");
    check(&r, "PyPI", "example", hash, "not affected");
}

#[test]
fn withdrawn_records_load_but_match_nothing() {
    let r = record(
        "PyPI",
        "example",
        SIMPLE,
        r#", "withdrawn": "2024-02-01T00:00:00Z""#,
    );
    check(&r, "PyPI", "example", "1.5", "not affected");
}

#[test]
fn an_unparseable_event_makes_the_range_unknown_not_unaffected() {
    let r = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "not a version"}]}]"#,
    );
    let expect = "unknown: affected[0].ranges[0]: range cannot be evaluated: events[1].fixed: invalid PyPI version \"not a version\": unexpected whitespace \" \" in the version (at byte 3)";
    check(&r, "PyPI", "example", "1.5", expect);
    check(&r, "PyPI", "example", "0.1", expect);
    // Another range or the list still answers.
    let mixed = pypi(
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "bad version"}]},
                      {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.5"}]}]"#,
    );
    check(
        &mixed,
        "PyPI",
        "example",
        "0.1",
        "range 0.1 from 0, fixed in 0.5",
    );
    let osv = vigil_osv::from_json(mixed.as_bytes()).expect("loads");
    assert_eq!(CompiledAdvisory::new(&osv).diagnostics().count(), 1);
}

#[test]
fn ecosystems_without_an_order_use_exact_strings() {
    let r = record(
        "Linux",
        "Kernel",
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "6.1"}]}], "versions": ["6.0"]"#,
        "",
    );
    check(&r, "Linux", "Kernel", "6.0", "listed 0.0 6.0");
    check(
        &r,
        "Linux",
        "Kernel",
        "5.0",
        "unknown: affected[0].ranges[0]: range cannot be evaluated: ecosystem Linux has no version order, so only its listed versions match",
    );
}

#[test]
fn releases_of_a_distribution() {
    let r = record(
        "Debian:12",
        "openssl",
        r#""ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]"#,
        "",
    );
    check(
        &r,
        "Debian:12",
        "openssl",
        "3.0.11-1~deb12u1",
        "range 0.0 from 0, fixed in 3.0.11-1~deb12u2",
    );
    check(
        &r,
        "Debian:12",
        "openssl",
        "3.0.11-1~deb12u2",
        "not affected",
    );
    check(&r, "Debian:11", "openssl", "1.1.1", "not affected");
    check(
        &r,
        "Debian",
        "openssl",
        "3.0.11-1~deb12u1",
        "range 0.0 from 0, fixed in 3.0.11-1~deb12u2",
    );
}

/// The specification's `IncludedInRanges` for one range, done the naive way: sort the
/// events by comparing strings in `scheme` each time, then scan them in groups of equal
/// versions, where an `introduced` and a `fixed` at the same version cancel out.
fn naive(scheme: Scheme, events: &[(u8, String)], limits: &[String], v: &str) -> bool {
    let cmp = |a: &str, b: &str| {
        if a == "0" {
            std::cmp::Ordering::Less
        } else {
            scheme.compare(a, b).expect("generated versions parse")
        }
    };
    if !limits.is_empty() && !limits.iter().any(|l| cmp(v, l).is_lt()) {
        return false;
    }
    let mut sorted: Vec<&(u8, String)> = events.iter().collect();
    sorted.sort_by(|a, b| match (a.1.as_str(), b.1.as_str()) {
        ("0", "0") => std::cmp::Ordering::Equal,
        ("0", _) if a.0 == 0 => std::cmp::Ordering::Less,
        (_, "0") if b.0 == 0 => std::cmp::Ordering::Greater,
        (x, y) => scheme.compare(x, y).expect("parse"),
    });
    let mut vulnerable = false;
    let mut i = 0;
    while i < sorted.len() {
        let at = &sorted[i].1;
        let group: Vec<&(u8, String)> = sorted[i..]
            .iter()
            .take_while(|e| {
                e.1 == *at
                    || (e.1 != "0"
                        && at != "0"
                        && scheme.compare(&e.1, at).is_ok_and(|o| o.is_eq()))
            })
            .copied()
            .collect();
        i += group.len();
        let zero = at == "0" && group.iter().all(|e| e.0 == 0);
        let reached = zero || cmp(at, v).is_le();
        let intro = reached && group.iter().any(|e| e.0 == 0);
        let fixed = reached && group.iter().any(|e| e.0 == 1);
        match (intro, fixed) {
            (true, false) => vulnerable = true,
            (false, true) => vulnerable = false,
            _ => {}
        }
        if !zero && cmp(at, v).is_lt() && group.iter().any(|e| e.0 == 2) {
            vulnerable = false;
        }
    }
    vulnerable
}

fn version_strategy() -> impl Strategy<Value = String> {
    (0u8..6, 0u8..4).prop_map(|(a, b)| format!("{a}.{b}"))
}

proptest! {
    #[test]
    fn compiled_evaluation_equals_the_naive_scan(
        intro in prop::collection::vec(version_strategy(), 1..4),
        ends in prop::collection::vec(version_strategy(), 0..4),
        use_last_affected in any::<bool>(),
        zero in any::<bool>(),
        limits in prop::collection::vec(version_strategy(), 0..2),
        order in any::<u64>(),
        probe in version_strategy(),
    ) {
        let end_kind = if use_last_affected { 2u8 } else { 1u8 };
        let mut events: Vec<(u8, String)> = intro.into_iter().map(|v| (0u8, v)).collect();
        if zero {
            events.push((0, "0".to_owned()));
        }
        events.extend(ends.into_iter().map(|v| (end_kind, v)));
        // Shuffle deterministically by `order`.
        let n = events.len();
        for i in (1..n).rev() {
            let j = (order.wrapping_mul(6364136223846793005).wrapping_add(i as u64) >> 33) as usize % (i + 1);
            events.swap(i, j);
        }
        let key = |k: u8| ["introduced", "fixed", "last_affected"][k as usize];
        let mut listed: Vec<String> = events.iter().map(|(k, v)| format!(r#"{{"{}": "{v}"}}"#, key(*k))).collect();
        listed.extend(limits.iter().map(|l| format!(r#"{{"limit": "{l}"}}"#)));
        let body = format!(r#""ranges": [{{"type": "ECOSYSTEM", "events": [{}]}}]"#, listed.join(", "));
        let json = pypi(&body);
        let osv = vigil_osv::from_json(json.as_bytes()).expect("generated record loads");
        let advisory = CompiledAdvisory::new(&osv);
        let eco: Ecosystem = "PyPI".parse().expect("PyPI");
        let key = PackageKey::new(eco.clone(), "example");
        let q = QueryVersion::new(&eco, &probe);
        let got = advisory.is_affected(&key, &q);
        let expect = naive(Scheme::PyPI, &events, &limits, &probe);
        prop_assert_eq!(got, expect, "{}\nprobe {}", json, probe);
    }
}
