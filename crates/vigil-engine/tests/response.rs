//! Response over time on every backend, with an injected clock: SLA due dates per
//! environment, MTTD and MTTR from the deployment log and the findings, exactly; a
//! finding ruled out by VEX ends its exposure; overdue findings and their breach alerts
//! (once each, to the owning team); a risk acceptance pauses the SLA until it expires.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

mod portfolio;

use portfolio::{Advisory, DAY0, day, worlds};
use vigil_engine::response::MetricsQuery;
use vigil_engine::triage::TriageInput;
use vigil_engine::{AdvisoryInput, FindingQuery};
use vigil_exposure::Group;

const DAY: i64 = 86_400;

/// An advisory on npm `package` before `fixed`, published on day 0, of `vector`'s severity.
fn advisory(id: &str, cve: &str, package: &str, fixed: &str, vector: &str) -> AdvisoryInput {
    Advisory {
        id,
        cve,
        package,
        fixed,
        vector: Some(vector),
        modified: "2026-03-01T00:00:00Z",
        published: "2026-03-01T00:00:00Z",
    }
    .input()
}

/// 7.5, high.
const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
/// 9.8, critical.
const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

fn kev(cve: &str) -> Vec<u8> {
    format!(
        r#"{{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.03.01",
  "dateReleased": "2026-03-01T00:00:00Z", "count": 1, "vulnerabilities": [{{
    "cveID": "{cve}", "vendorProject": "x", "product": "y", "vulnerabilityName": "z",
    "dateAdded": "2026-03-01", "shortDescription": "d", "requiredAction": "a",
    "dueDate": "2026-03-22", "knownRansomwareCampaignUse": "Unknown", "notes": ""}}]}}"#
    )
    .into_bytes()
}

fn seconds(days: i64) -> Option<f64> {
    Some((days * DAY) as f64)
}

#[test]
fn mttd_mttr_and_sla_come_out_exactly() {
    for mut w in worlds("response_exact", DAY0) {
        // Day 2: v1 (lodash 4.17.20) goes to production; nothing is known about it yet.
        w.at(2);
        w.release("checkout", "1.0.0", &[("lodash", "4.17.20")]);
        w.deploy("prod", "checkout", "1.0.0");
        // Day 5: the advisory, published on day 0, is imported: detected 5 days after
        // publication. High: due 30 days later, day 35.
        w.at(5);
        w.engine
            .import_advisories(vec![advisory(
                "GHSA-aaaa-aaaa-aaaa",
                "CVE-2026-0001",
                "lodash",
                "4.17.21",
                HIGH,
            )])
            .unwrap();
        let rows = w.engine.findings(&FindingQuery::default()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].due.as_deref(), Some("2026-04-05T00:00:00Z"));
        assert!(!rows[0].overdue);
        // Day 10: v2, still vulnerable, replaces v1: the same exposure goes on.
        w.at(10);
        w.release(
            "checkout",
            "1.1.0",
            &[("lodash", "4.17.20"), ("ms", "2.1.3")],
        );
        w.deploy("prod", "checkout", "1.1.0");
        let rows = w.engine.findings(&FindingQuery::default()).unwrap();
        assert_eq!(rows[0].due.as_deref(), Some("2026-04-05T00:00:00Z"));
        // Day 12: v3 with the fix: resolved 7 days after detection, within the SLA.
        w.at(12);
        w.release(
            "checkout",
            "1.2.0",
            &[("lodash", "4.17.21"), ("ms", "2.1.3")],
        );
        w.deploy("prod", "checkout", "1.2.0");
        w.at(20);
        let m = w.engine.metrics(&MetricsQuery::default()).unwrap();
        let all = &m.rows[0];
        assert_eq!(all.episodes, 1);
        assert_eq!(all.mttd.count, 1);
        assert_eq!(all.mttd.mean_seconds, seconds(5));
        assert_eq!(all.mttr.count, 1);
        assert_eq!(all.mttr.mean_seconds, seconds(7));
        assert_eq!(all.mttr.median_seconds, seconds(7));
        assert_eq!((all.sla.met, all.sla.missed), (1, 0));
        assert_eq!(all.sla.ratio, Some(1.0));
        assert_eq!(all.open.count, 0);
        assert_eq!(all.backlog.total(), 0);
        // By team: the owner.
        let by_team = w
            .engine
            .metrics(&MetricsQuery {
                group: Group::Team,
                ..MetricsQuery::default()
            })
            .unwrap();
        assert_eq!(by_team.rows.len(), 1);
        assert_eq!(by_team.rows[0].key.as_deref(), Some("payments"));
        // The trend: March holds the detection and the fix.
        let trend = w
            .engine
            .metrics(&MetricsQuery {
                trend_from: Some(DAY0),
                ..MetricsQuery::default()
            })
            .unwrap()
            .trend
            .unwrap();
        assert_eq!(trend.len(), 1);
        assert_eq!((trend[0].detected, trend[0].resolved), (1, 1));
    }
}

#[test]
fn kev_and_environment_policies_set_due_dates_and_breaches_alert_once() {
    for mut w in worlds("response_sla", DAY0) {
        w.engine.import_kev(&kev("CVE-2026-0002"), None).unwrap();
        w.engine
            .set_environment_sla("staging", Some("critical=20,kev=10"))
            .unwrap();
        assert!(
            w.engine
                .set_environment_sla("staging", Some("critical=seven"))
                .is_err()
        );
        w.engine
            .import_advisories(vec![advisory(
                "GHSA-bbbb-bbbb-bbbb",
                "CVE-2026-0002",
                "minimist",
                "1.2.6",
                CRITICAL,
            )])
            .unwrap();
        // Day 1: the vulnerable release goes to staging and production.
        w.at(1);
        w.release("checkout", "1.0.0", &[("minimist", "1.2.5")]);
        w.deploy("staging", "checkout", "1.0.0");
        w.deploy("prod", "checkout", "1.0.0");
        let rows = w.engine.findings(&FindingQuery::default()).unwrap();
        let due: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.row.environment.clone().unwrap(), r.due.clone().unwrap()))
            .collect();
        // Production: KEV-listed, 3 days. Staging: its own KEV policy, 10 days.
        assert_eq!(
            due,
            [
                ("prod".to_owned(), "2026-03-05T00:00:00Z".to_owned()),
                ("staging".to_owned(), "2026-03-12T00:00:00Z".to_owned())
            ]
        );
        // Day 4: not yet past due (due is the instant, not before it).
        w.at(4);
        assert_eq!(w.engine.sla_sweep().unwrap(), (0, 0));
        // Day 6: production is overdue: one breach alert, to the owner; a second sweep
        // adds none.
        w.at(6);
        let overdue = w
            .engine
            .findings(&FindingQuery {
                overdue_only: true,
                ..FindingQuery::default()
            })
            .unwrap();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].row.environment.as_deref(), Some("prod"));
        assert_eq!(w.engine.sla_sweep().unwrap(), (0, 1));
        assert_eq!(w.engine.sla_sweep().unwrap(), (0, 0));
        let alerts = w.engine.store().read().unwrap().alerts(None, 10).unwrap();
        let breach: Vec<_> = alerts.iter().filter(|a| a.kind == "sla_breach").collect();
        assert_eq!(breach.len(), 1);
        assert_eq!(breach[0].environment, "prod");
        assert_eq!(breach[0].team.as_deref(), Some("payments"));
        assert!(
            breach[0].body.contains("2026-03-05T00:00:00Z"),
            "{}",
            breach[0].body
        );
        // A risk acceptance until day 30 takes it off the overdue list; on day 30 it
        // lapses, the finding reopens and is overdue again.
        w.engine
            .triage(&TriageInput {
                vulnerability: "CVE-2026-0002".into(),
                status: "risk_accepted".into(),
                service: Some("checkout".into()),
                reason: Some("WAF rule blocks the vector".into()),
                expires_at: Some(day(30)),
                actor: "carol".into(),
                ..TriageInput::default()
            })
            .unwrap();
        let accepted = w
            .engine
            .findings(&FindingQuery {
                overdue_only: true,
                ..FindingQuery::default()
            })
            .unwrap();
        assert!(accepted.is_empty());
        let m = w.engine.metrics(&MetricsQuery::default()).unwrap();
        assert_eq!(m.rows[0].sla.accepted, 2);
        w.at(30);
        assert_eq!(w.engine.sla_sweep().unwrap().0, 1);
        let again = w
            .engine
            .findings(&FindingQuery {
                overdue_only: true,
                ..FindingQuery::default()
            })
            .unwrap();
        assert_eq!(again.len(), 2);
        // VEX rules it out on day 31: the exposure ends then; MTTR is 30 days.
        w.at(31);
        w.engine
            .triage(&TriageInput {
                vulnerability: "GHSA-bbbb-bbbb-bbbb".into(),
                status: "not_affected".into(),
                justification: Some("vulnerable_code_not_in_execute_path".into()),
                actor: "carol".into(),
                ..TriageInput::default()
            })
            .unwrap();
        w.at(40);
        let m = w
            .engine
            .metrics(&MetricsQuery {
                group: Group::Environment,
                ..MetricsQuery::default()
            })
            .unwrap();
        let prod = m
            .rows
            .iter()
            .find(|r| r.key.as_deref() == Some("prod"))
            .unwrap();
        assert_eq!(prod.mttr.mean_seconds, seconds(30));
        assert_eq!(prod.mttd.mean_seconds, seconds(1));
        assert_eq!((prod.sla.met, prod.sla.missed), (0, 1));
        assert_eq!(prod.open.count, 0);
    }
}

/// The findings the console pages through: the store reads each page in the order
/// severity, advisory, release, package version, environment, and the pages together
/// are the whole list, on every backend; KEV-only and overdue-only pages agree too.
#[test]
fn findings_pages_read_from_the_store_add_up_to_the_whole_list() {
    for mut w in worlds("findings_pages", day(0)) {
        let name = w.engine.store().backend().to_string();
        let advisories = [
            (
                "GHSA-aaaa-aaaa-aaaa",
                "CVE-2024-0001",
                "lodash",
                "4.17.21",
                Some(CRITICAL),
            ),
            (
                "GHSA-bbbb-bbbb-bbbb",
                "CVE-2024-0002",
                "express",
                "4.19.0",
                Some(HIGH),
            ),
            ("GHSA-cccc-cccc-cccc", "CVE-2024-0003", "qs", "6.11.0", None),
        ];
        w.engine
            .import_advisories(
                advisories
                    .iter()
                    .map(|(id, cve, package, fixed, vector)| {
                        Advisory {
                            id,
                            cve,
                            package,
                            fixed,
                            vector: *vector,
                            modified: "2024-01-01T00:00:00Z",
                            published: "2024-01-01T00:00:00Z",
                        }
                        .input()
                    })
                    .collect(),
            )
            .unwrap();
        w.engine.import_kev(&kev("CVE-2024-0002"), None).unwrap();
        for (service, version) in [
            ("checkout", "1.0.0"),
            ("cart", "2.0.0"),
            ("search", "0.1.0"),
        ] {
            w.release(
                service,
                version,
                &[
                    ("lodash", "4.17.20"),
                    ("express", "4.18.2"),
                    ("qs", "6.10.0"),
                ],
            );
            for env in ["production", "staging"] {
                w.deploy(env, service, version);
            }
        }
        // Day 40: the critical and high findings are past their SLA, the unrated not.
        w.at(40);
        let key = |r: &vigil_engine::FindingRow| {
            (
                std::cmp::Reverse(r.row.severity_rank),
                r.row.advisory_id.clone(),
                r.row.release_id,
                r.row.package_version_id,
                r.row.environment.clone(),
            )
        };
        for (kev_only, overdue_only) in [(false, false), (true, false), (false, true)] {
            let base = FindingQuery {
                kev_only,
                overdue_only,
                ..FindingQuery::default()
            };
            let mut all = w.engine.findings(&base).unwrap();
            all.sort_by_key(key);
            let expected: Vec<_> = all.iter().map(key).collect();
            let mut paged = Vec::new();
            for skip in (0..expected.len() + 4).step_by(4) {
                let page = w
                    .engine
                    .findings(&FindingQuery {
                        page: Some((4, skip)),
                        ..base.clone()
                    })
                    .unwrap();
                assert!(page.len() <= 4, "{name}");
                paged.extend(page.iter().map(key));
            }
            if overdue_only {
                // Rows over their SLA, paged after the due dates are known.
                paged.sort();
            }
            assert_eq!(
                paged, expected,
                "{name}: kev {kev_only}, overdue {overdue_only}"
            );
        }
        let all = w.engine.findings(&FindingQuery::default()).unwrap();
        assert_eq!(
            all.len(),
            18,
            "{name}: 3 advisories × 3 releases × 2 environments"
        );
        let kev = w
            .engine
            .findings(&FindingQuery {
                kev_only: true,
                page: Some((100, 0)),
                ..FindingQuery::default()
            })
            .unwrap();
        assert_eq!(kev.len(), 6, "{name}");
        assert!(
            kev.iter()
                .all(|r| r.row.advisory_id == "GHSA-bbbb-bbbb-bbbb")
        );
    }
}
