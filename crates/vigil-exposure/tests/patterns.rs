//! Recurring patterns over eighteen findings, every count by hand, with ties in each ranking.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use vigil_exposure::{PatternFact, Patterns, Severity, Tally, patterns};

/// (service, team, advisory, ecosystem, package, version, rank, release).
type Row = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
);

const FACTS: [Row; 18] = [
    // npm: lodash in a and b, lodash-es in a; a gets X through both packages.
    ("a", Some("t1"), "X", "npm", "lodash", "1", 3, 101),
    ("a", Some("t1"), "X", "npm", "lodash", "1", 3, 102),
    ("b", Some("t1"), "X", "npm", "lodash", "2", 3, 201),
    ("a", Some("t1"), "Y", "npm", "lodash", "1", 2, 101),
    ("a", Some("t1"), "X", "npm", "lodash-es", "1", 3, 101),
    // PyPI: django in a and c, requests in d, e and f.
    ("a", Some("t1"), "Z1", "PyPI", "django", "3", 4, 101),
    ("c", Some("t2"), "Z1", "PyPI", "django", "3", 4, 301),
    ("c", Some("t2"), "Z2", "PyPI", "django", "3", 1, 301),
    ("d", None, "W", "PyPI", "requests", "2", 2, 401),
    ("e", None, "W", "PyPI", "requests", "2", 2, 501),
    ("f", None, "W", "PyPI", "requests", "2", 2, 601),
    // Maven: log4j-core in a, b, c and d.
    (
        "a",
        Some("t1"),
        "L",
        "Maven",
        "log4j-core",
        "2.14.1",
        4,
        101,
    ),
    (
        "b",
        Some("t1"),
        "L",
        "Maven",
        "log4j-core",
        "2.14.1",
        4,
        201,
    ),
    (
        "c",
        Some("t2"),
        "L",
        "Maven",
        "log4j-core",
        "2.14.1",
        4,
        301,
    ),
    ("d", None, "L", "Maven", "log4j-core", "2.14.1", 4, 401),
    // Go: x/net in g and h.
    ("g", None, "G1", "Go", "x/net", "0.1.0", 0, 701),
    ("h", None, "G1", "Go", "x/net", "0.1.0", 0, 801),
    ("g", None, "G2", "Go", "x/net", "0.1.0", 0, 701),
];

fn facts() -> Vec<PatternFact> {
    FACTS
        .iter()
        .map(
            |&(service, team, advisory, ecosystem, package, version, rank, release)| PatternFact {
                service: service.into(),
                team: team.map(Into::into),
                advisory_id: advisory.into(),
                ecosystem: ecosystem.into(),
                package: package.into(),
                purl: format!("pkg:{ecosystem}/{package}@{version}"),
                severity_rank: rank,
                release_id: release,
            },
        )
        .collect()
}

/// findings, advisories, introductions, services, releases, packages, versions, severity.
fn tally(counts: [u64; 7], max_severity: Severity) -> Tally {
    let [
        findings,
        advisories,
        introductions,
        services,
        releases,
        packages,
        versions,
    ] = counts;
    Tally {
        findings,
        advisories,
        introductions,
        services,
        releases,
        packages,
        versions,
        max_severity,
    }
}

fn names(p: &Patterns) -> [Vec<String>; 4] {
    [
        p.packages.iter().map(|r| r.package.clone()).collect(),
        p.ecosystems.iter().map(|r| r.ecosystem.clone()).collect(),
        p.teams
            .iter()
            .map(|r| r.team.clone().unwrap_or_else(|| "(none)".into()))
            .collect(),
        p.spread.iter().map(|r| r.package.clone()).collect(),
    ]
}

#[test]
fn rankings_with_ties_broken_by_name() {
    let p = patterns(&facts(), 10);
    assert_eq!(
        names(&p),
        [
            // Introductions: log4j-core 4; django, lodash, requests, x/net 3; lodash-es 1.
            vec![
                "log4j-core",
                "django",
                "lodash",
                "requests",
                "x/net",
                "lodash-es"
            ],
            // PyPI 6, Maven 4, Go 3 and npm 3 (a gets X twice but it is one introduction).
            vec!["PyPI", "Maven", "Go", "npm"],
            // No team 7, t1 6, t2 3.
            vec!["(none)", "t1", "t2"],
            // Services: log4j-core 4, requests 3; django, lodash, x/net 2; lodash-es 1.
            vec![
                "log4j-core",
                "requests",
                "django",
                "lodash",
                "x/net",
                "lodash-es"
            ],
        ]
        .map(|v| v.into_iter().map(String::from).collect::<Vec<_>>())
    );
}

#[test]
fn top_keeps_the_first_of_each_ranking() {
    let p = patterns(&facts(), 3);
    assert_eq!(
        names(&p),
        [
            vec!["log4j-core", "django", "lodash"],
            vec!["PyPI", "Maven", "Go"],
            vec!["(none)", "t1", "t2"],
            vec!["log4j-core", "requests", "django"],
        ]
        .map(|v| v.into_iter().map(String::from).collect::<Vec<_>>())
    );
    let p = patterns(&facts(), 0);
    assert!(p.packages.is_empty() && p.ecosystems.is_empty() && p.teams.is_empty());
    assert_eq!(p.total.findings, 18);
}

#[test]
fn counts() {
    let p = patterns(&facts(), 10);
    // Everything: advisories X Y Z1 Z2 W L G1 G2; introductions 6 + 3 + 7 by team; services
    // a to h; releases 101 102 201 301 401 501 601 701 801; packages lodash, lodash-es,
    // django, requests, log4j-core, x/net; versions lodash 1 and 2 and one of each other.
    assert_eq!(p.total, tally([18, 8, 16, 8, 9, 6, 7], Severity::Critical));

    let lodash = p.packages.iter().find(|r| r.package == "lodash").unwrap();
    assert_eq!(lodash.ecosystem, "npm");
    // Facts 1 to 4: X and Y; (a,X) (b,X) (a,Y); a b; 101 102 201; versions 1 and 2.
    assert_eq!(lodash.tally, tally([4, 2, 3, 2, 3, 1, 2], Severity::High));

    let npm = &p.ecosystems[3];
    // lodash and lodash-es: (a,X) through both counts once.
    assert_eq!(npm.tally, tally([5, 2, 3, 2, 3, 2, 3], Severity::High));

    let go = &p.ecosystems[2];
    assert_eq!(go.tally, tally([3, 2, 3, 2, 2, 1, 1], Severity::Unrated));

    let t1 = &p.teams[1];
    assert_eq!(t1.team.as_deref(), Some("t1"));
    // X Y Z1 L; (a,X) (b,X) (a,Y) (a,Z1) (a,L) (b,L); a b; 101 102 201; lodash,
    // lodash-es, django, log4j-core; lodash 1 and 2, lodash-es, django, log4j-core.
    assert_eq!(t1.tally, tally([8, 4, 6, 2, 3, 4, 5], Severity::Critical));
}

#[test]
fn the_same_name_in_two_ecosystems_is_two_packages() {
    let mut facts = facts();
    let mut twin = facts[0].clone();
    twin.ecosystem = "PyPI".into();
    twin.purl = "pkg:pypi/lodash@1".into();
    facts.push(twin);
    let p = patterns(&facts, 10);
    let lodash: Vec<_> = p
        .packages
        .iter()
        .filter(|r| r.package == "lodash")
        .map(|r| (r.ecosystem.as_str(), r.tally.introductions))
        .collect();
    assert_eq!(lodash, [("npm", 3), ("PyPI", 1)]);
}

#[test]
fn patterns_serialize_flat() {
    let p = patterns(&facts(), 1);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["packages"][0]["package"], "log4j-core");
    assert_eq!(json["packages"][0]["introductions"], 4);
    assert_eq!(json["packages"][0]["max_severity"], "critical");
    assert_eq!(json["teams"][0]["team"], serde_json::Value::Null);
}
