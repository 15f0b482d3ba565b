//! History on every backend, with an injected clock: exposure at a past instant from the
//! deployment log, the advisory as known then (an earlier revision) and triage as it
//! stood then; where a vulnerable package version entered and left a service, with its
//! commits and exposure windows; recurring patterns.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

mod portfolio;

use portfolio::{Advisory, DAY0, day, worlds};
use time::{Duration, OffsetDateTime};
use vigil_engine::AdvisoryInput;
use vigil_engine::triage::TriageInput;

/// GHSA-35jh-r3h4-6jhm, shortened: lodash before `fixed`, as modified at `modified`.
fn lodash(modified: &str, fixed: &str) -> AdvisoryInput {
    Advisory {
        id: "GHSA-35jh-r3h4-6jhm",
        cve: "CVE-2021-23337",
        package: "lodash",
        fixed,
        vector: None,
        modified,
        published: "2026-03-01T00:00:00Z",
    }
    .input()
}

#[test]
fn exposure_at_a_past_instant_uses_what_was_known_then() {
    for mut w in worlds("history_at", DAY0) {
        w.at(1);
        w.release_at(
            "checkout",
            "1.0.0",
            Some("aaa111"),
            &[("lodash", "4.17.20")],
        );
        w.deploy("prod", "checkout", "1.0.0");
        // Day 2: the advisory says everything before 4.17.21 is affected.
        w.at(2);
        w.engine
            .import_advisories(vec![lodash("2026-03-02T00:00:00Z", "4.17.21")])
            .unwrap();
        // Day 4: triage rules it out for this service.
        w.at(4);
        w.engine
            .triage(&TriageInput {
                vulnerability: "CVE-2021-23337".into(),
                status: "not_affected".into(),
                service: Some("checkout".into()),
                justification: Some("vulnerable_code_not_in_execute_path".into()),
                actor: "alice".into(),
                ..TriageInput::default()
            })
            .unwrap();
        // Day 6: the advisory is corrected: only versions before 4.17.19 were affected.
        w.at(6);
        w.engine
            .import_advisories(vec![lodash("2026-03-06T00:00:00Z", "4.17.19")])
            .unwrap();
        w.at(9);

        // Before the advisory arrived: not known.
        let a = w
            .engine
            .affected_at("CVE-2021-23337", day(1) + Duration::hours(12))
            .unwrap();
        assert!(!a.advisories[0].known);
        assert_eq!(a.exposed, 0);
        // Day 3: known, affected, running, untriaged.
        let a = w.engine.affected_at("CVE-2021-23337", day(3)).unwrap();
        assert!(a.advisories[0].known);
        assert_eq!(
            a.advisories[0].modified.as_deref(),
            Some("2026-03-02T00:00:00Z")
        );
        assert_eq!(a.exposed, 1);
        assert_eq!(a.rows[0].environment, "prod");
        assert_eq!(a.rows[0].release, "1.0.0");
        assert_eq!(a.rows[0].purl, "pkg:npm/lodash@4.17.20");
        assert_eq!(a.rows[0].triage, None);
        // Day 5: still affected by the advisory then, but ruled out by triage then.
        let a = w.engine.affected_at("GHSA-35jh-r3h4-6jhm", day(5)).unwrap();
        assert_eq!(a.rows.len(), 1);
        assert!(a.rows[0].ruled_out);
        assert_eq!(a.exposed, 0);
        // Day 7: the corrected advisory no longer names 4.17.20.
        let a = w.engine.affected_at("CVE-2021-23337", day(7)).unwrap();
        assert_eq!(
            a.advisories[0].modified.as_deref(),
            Some("2026-03-06T00:00:00Z")
        );
        assert!(a.rows.is_empty());
        // Before anything was deployed: nothing ran.
        let a = w.engine.affected_at("CVE-2021-23337", day(0)).unwrap();
        assert!(a.rows.is_empty());
    }
}

#[test]
fn root_cause_names_the_releases_and_commits_and_the_windows() {
    for mut w in worlds("history_root", DAY0) {
        w.engine
            .import_advisories(vec![lodash("2026-03-01T00:00:00Z", "4.17.21")])
            .unwrap();
        w.at(1);
        w.release_at("checkout", "1.0.0", Some("c1"), &[("lodash", "4.17.21")]);
        w.deploy("prod", "checkout", "1.0.0");
        // Day 2: a downgrade brings the vulnerable version in.
        w.at(2);
        w.release_at("checkout", "1.1.0", Some("c2"), &[("lodash", "4.17.20")]);
        w.deploy("staging", "checkout", "1.1.0");
        w.at(3);
        w.deploy("prod", "checkout", "1.1.0");
        w.at(5);
        w.release_at(
            "checkout",
            "1.2.0",
            Some("c3"),
            &[("lodash", "4.17.20"), ("ms", "2.1.3")],
        );
        w.deploy("prod", "checkout", "1.2.0");
        // Day 8: the fix.
        w.at(8);
        w.release_at(
            "checkout",
            "1.3.0",
            Some("c4"),
            &[("lodash", "4.17.21"), ("ms", "2.1.3")],
        );
        w.deploy("prod", "checkout", "1.3.0");
        w.at(10);
        let rc = w.engine.root_cause("CVE-2021-23337", None).unwrap();
        assert_eq!(rc.origins.len(), 1, "{:?}", rc.origins);
        let o = &rc.origins[0];
        assert_eq!(o.lineage.purl, "pkg:npm/lodash@4.17.20");
        assert_eq!(o.lineage.entered.version, "1.1.0");
        assert_eq!(o.lineage.entered.commit.as_deref(), Some("c2"));
        let left = o.lineage.left.as_ref().unwrap();
        assert_eq!(
            (left.version.as_str(), left.commit.as_deref()),
            ("1.3.0", Some("c4"))
        );
        assert_eq!(o.lineage.replaced_by, ["pkg:npm/lodash@4.17.21"]);
        let windows: Vec<(String, OffsetDateTime, Option<OffsetDateTime>, Vec<String>)> = o
            .windows
            .iter()
            .map(|w| (w.environment.clone(), w.from, w.to, w.releases.clone()))
            .collect();
        assert_eq!(
            windows,
            [
                (
                    "prod".to_owned(),
                    day(3),
                    Some(day(8)),
                    vec!["1.1.0".to_owned(), "1.2.0".to_owned()]
                ),
                ("staging".to_owned(), day(2), None, vec!["1.1.0".to_owned()]),
            ]
        );
        assert!(w.engine.root_cause("CVE-2021-23337", Some("nope")).is_err());
        assert!(w.engine.root_cause("CVE-0000-0000", None).is_err());

        let p = w.engine.patterns(5).unwrap();
        assert_eq!(p.packages.len(), 1);
        assert_eq!(p.packages[0].package, "lodash");
        assert_eq!(p.packages[0].tally.services, 1);
        assert_eq!(p.teams[0].team.as_deref(), Some("payments"));
    }
}
