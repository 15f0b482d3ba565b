//! Signals from the running system on every backend: reports re-imported close what is
//! gone and keep triage on what stays; scanner vulnerability results merge with Vigil's
//! own findings; Falco alerts correlate by digest, Kubernetes names and hostname, dedupe
//! by uuid, and rise when the release has a KEV-listed exposure; inventories show drift;
//! signals are due by the environment's SLA; all of it is ledgered and alerted.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

mod portfolio;

use portfolio::{Advisory, day, worlds};
use vigil_engine::runtime::{
    ReportInput, RuntimeAlertInput, SignalTriage, VulnerabilityResult, Workload,
};
use vigil_engine::{EngineError, ReleaseInput};
use vigil_store::{NewSignal, SignalFilter};

const KEV: &str = r#"{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.03.01",
  "dateReleased": "2026-03-01T00:00:00Z", "count": 1, "vulnerabilities": [{
    "cveID": "CVE-2021-23337", "vendorProject": "x", "product": "y", "vulnerabilityName": "z",
    "dateAdded": "2026-03-01", "shortDescription": "d", "requiredAction": "a",
    "dueDate": "2026-03-22", "knownRansomwareCampaignUse": "Unknown", "notes": ""}]}"#;

const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";

fn issue(fingerprint: &str, rule: &str, rank: i64) -> NewSignal {
    NewSignal {
        fingerprint: fingerprint.into(),
        rule: rule.into(),
        title: format!("{rule} at {fingerprint}"),
        severity_rank: rank,
        location: Some(format!("https://shop.example/{fingerprint}")),
        ..NewSignal::default()
    }
}

/// checkout 1.0.0 (lodash 4.17.20, digest sha256:aa…) in production and staging, and
/// cart 2.0.0 (digest sha256:bb…) in production; lodash's advisory is KEV-listed.
fn world(test: &str) -> Vec<portfolio::World> {
    let mut worlds = worlds(test, day(0));
    for w in &mut worlds {
        w.engine
            .import_advisories(vec![
                Advisory {
                    id: "GHSA-35jh-r3h4-6jhm",
                    cve: "CVE-2021-23337",
                    package: "lodash",
                    fixed: "4.17.21",
                    vector: Some(HIGH),
                    modified: "2024-01-01T00:00:00Z",
                    published: "2021-02-15T00:00:00Z",
                }
                .input(),
            ])
            .unwrap();
        w.engine.import_kev(KEV.as_bytes(), None).unwrap();
        for (service, version, digest, lodash) in [
            ("checkout", "1.0.0", "aa", "4.17.20"),
            ("cart", "2.0.0", "bb", "4.17.21"),
            ("cart", "2.1.0", "cc", "4.17.21"),
        ] {
            w.engine
                .add_release(&ReleaseInput {
                    service,
                    version,
                    sbom: &portfolio::npm_sbom(&[("lodash", lodash)]),
                    digests: vec![format!("sha256:{}", digest.repeat(32))],
                    owner: Some("payments"),
                    ..ReleaseInput::default()
                })
                .unwrap();
        }
        w.deploy("production", "checkout", "1.0.0");
        w.deploy("staging", "checkout", "1.0.0");
        w.deploy("production", "cart", "2.0.0");
    }
    worlds
}

fn open(w: &mut portfolio::World, kind: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = w
        .engine
        .signals(&SignalFilter {
            kind: Some(kind.into()),
            ..SignalFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| (r.signal.environment, r.signal.fingerprint))
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_newer_report_closes_what_is_gone_and_keeps_triage_on_what_stays() {
    for mut w in world("runtime_reimport") {
        let name = w.engine.store().backend().to_string();
        let report = |issues: Vec<NewSignal>| ReportInput {
            kind: "dast",
            tool: "vigil-dast 0.1.0",
            environment: "production",
            service: "checkout",
            issues,
            ..ReportInput::default()
        };
        let first = w
            .engine
            .record_report(report(vec![
                issue("csp", "csp-missing", 2),
                issue("hsts", "hsts-missing", 2),
                issue("git", "git-exposed", 3),
            ]))
            .unwrap();
        assert_eq!(first.sync.opened.len(), 3, "{name}");
        assert_eq!(
            first.release.as_deref(),
            Some("1.0.0"),
            "{name}: the release that runs"
        );
        assert!(first.alerted);
        let csp = first.sync.opened[0];
        w.at(1);
        w.engine
            .triage_signal(
                csp,
                &SignalTriage {
                    status: "risk_accepted".into(),
                    reason: Some("the CSP ships with the next release".into()),
                    expires_at: Some(day(20)),
                    actor: "alice".into(),
                    ..SignalTriage::default()
                },
            )
            .unwrap();
        // A bad decision is refused as on findings.
        let refused = w.engine.triage_signal(
            csp,
            &SignalTriage {
                status: "not_affected".into(),
                actor: "alice".into(),
                ..SignalTriage::default()
            },
        );
        assert!(
            refused.is_err(),
            "{name}: not_affected needs a justification"
        );
        w.at(2);
        let second = w
            .engine
            .record_report(report(vec![issue("csp", "csp-missing", 2)]))
            .unwrap();
        assert_eq!(second.sync.kept, vec![csp], "{name}");
        assert_eq!(second.sync.closed.len(), 2, "{name}: hsts and git are gone");
        assert!(second.sync.opened.is_empty() && !second.alerted);
        let rows = w.engine.signals(&SignalFilter::default()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].signal.triage.as_deref(),
            Some("risk_accepted"),
            "{name}: kept"
        );
        assert!(!rows[0].overdue, "{name}: accepted until day 20");
        // Back again: reopened, not a new issue.
        let third = w
            .engine
            .record_report(report(vec![
                issue("csp", "csp-missing", 2),
                issue("git", "git-exposed", 3),
            ]))
            .unwrap();
        assert_eq!(third.sync.reopened.len(), 1, "{name}");
        assert!(third.sync.opened.is_empty());
        // Ruled out by triage, it stays closed when a later report still has it.
        let git = third.sync.reopened[0];
        w.engine
            .triage_signal(
                git,
                &SignalTriage {
                    status: "not_affected".into(),
                    justification: Some("vulnerable_code_not_present".into()),
                    actor: "bob".into(),
                    ..SignalTriage::default()
                },
            )
            .unwrap();
        let fourth = w
            .engine
            .record_report(report(vec![
                issue("csp", "csp-missing", 2),
                issue("git", "git-exposed", 3),
            ]))
            .unwrap();
        assert!(
            fourth.sync.reopened.is_empty() && fourth.sync.opened.is_empty(),
            "{name}"
        );
        assert_eq!(
            open(&mut w, "dast").len(),
            1,
            "{name}: only the CSP is open"
        );
        // Due by the SLA: medium is 90 days; past them and past the acceptance, overdue.
        w.at(95);
        let rows = w.engine.signals(&SignalFilter::default()).unwrap();
        assert!(rows[0].overdue, "{name}: {:?}", rows[0]);
        assert_eq!(rows[0].due.as_deref(), Some("2026-05-30T00:00:00Z"));
        // Every change is a ledger leaf.
        let leaves = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaves_of(&format!("signal/{csp}"))
            .unwrap();
        assert!(
            leaves.len() >= 2,
            "{name}: opened and triaged: {}",
            leaves.len()
        );
    }
}

#[test]
fn scanner_vulnerabilities_merge_with_vigils_findings() {
    for mut w in world("runtime_merge") {
        let name = w.engine.store().backend().to_string();
        let outcome = w
            .engine
            .record_report(ReportInput {
                kind: "trivy",
                tool: "Trivy 0.56.2",
                environment: "production",
                service: "checkout",
                vulnerabilities: vec![
                    // Vigil's own finding, by alias and purl: counted, not duplicated.
                    VulnerabilityResult {
                        id: "CVE-2021-23337".into(),
                        purl: Some("pkg:npm/lodash@4.17.20".into()),
                        package: "lodash".into(),
                        version: "4.17.20".into(),
                        severity_rank: 3,
                        ..VulnerabilityResult::default()
                    },
                    // One Vigil does not know: an issue.
                    VulnerabilityResult {
                        id: "CVE-2099-0001".into(),
                        package: "openssl".into(),
                        version: "3.0.1".into(),
                        severity_rank: 4,
                        fixed: Some("3.0.2".into()),
                        ..VulnerabilityResult::default()
                    },
                ],
                ..ReportInput::default()
            })
            .unwrap();
        assert_eq!(outcome.corroborated, 1, "{name}");
        assert_eq!(outcome.sync.opened.len(), 1, "{name}");
        let rows = w.engine.signals(&SignalFilter::default()).unwrap();
        assert_eq!(rows[0].signal.rule, "CVE-2099-0001");
        assert_eq!(rows[0].signal.location.as_deref(), Some("openssl@3.0.1"));
        assert_eq!(rows[0].severity, "critical");
    }
}

fn falco(uuid: &str) -> RuntimeAlertInput {
    RuntimeAlertInput {
        uuid: uuid.into(),
        rule: "Terminal shell in container".into(),
        priority: "Notice".into(),
        output: "A shell was spawned in a container".into(),
        time: "2026-03-01T10:00:00.123456789Z".into(),
        output_fields: "{}".into(),
        ..RuntimeAlertInput::default()
    }
}

#[test]
fn falco_alerts_correlate_to_the_release_that_runs() {
    for mut w in world("runtime_falco") {
        let name = w.engine.store().backend().to_string();
        w.engine
            .map_runtime("hostname", "node-7", "staging", Some("checkout"))
            .unwrap();
        let alerts = vec![
            // By digest: cart 2.0.0 runs only in production.
            RuntimeAlertInput {
                image_digest: Some(format!("sha256:{}", "bb".repeat(32))),
                ..falco("a1")
            },
            // By namespace (an environment's name) and the app label: checkout, whose
            // release has a KEV-listed finding, so Notice rises to medium.
            RuntimeAlertInput {
                namespace: Some("production".into()),
                labels: vec![("app.kubernetes.io/name".into(), "checkout".into())],
                ..falco("a2")
            },
            // By hostname mapping.
            RuntimeAlertInput {
                hostname: Some("node-7".into()),
                ..falco("a3")
            },
            // Nothing known: stored, not tied.
            RuntimeAlertInput {
                hostname: Some("laptop".into()),
                ..falco("a4")
            },
            // The same uuid again: recorded once.
            RuntimeAlertInput {
                image_digest: Some(format!("sha256:{}", "bb".repeat(32))),
                ..falco("a1")
            },
        ];
        let out = w.engine.record_runtime_alerts(&alerts).unwrap();
        let view: Vec<_> = out
            .iter()
            .map(|o| {
                (
                    o.environment.as_deref(),
                    o.service.as_deref(),
                    o.release.as_deref(),
                    o.correlated_by.as_deref(),
                    o.severity,
                    o.stored,
                )
            })
            .collect();
        assert_eq!(
            view,
            vec![
                (
                    Some("production"),
                    Some("cart"),
                    Some("2.0.0"),
                    Some("digest"),
                    "low",
                    true
                ),
                (
                    Some("production"),
                    Some("checkout"),
                    Some("1.0.0"),
                    Some("kubernetes"),
                    "medium",
                    true
                ),
                (
                    Some("staging"),
                    Some("checkout"),
                    Some("1.0.0"),
                    Some("hostname"),
                    "medium",
                    true
                ),
                (None, None, None, None, "low", true),
                (
                    Some("production"),
                    Some("cart"),
                    Some("2.0.0"),
                    Some("digest"),
                    "low",
                    false
                ),
            ],
            "{name}"
        );
        assert_eq!(
            out[1].linked,
            vec!["GHSA-35jh-r3h4-6jhm".to_owned()],
            "{name}"
        );
        let mut tx = w.engine.store().read().unwrap();
        assert_eq!(tx.runtime_alerts(100, None).unwrap().len(), 4, "{name}");
        let staging = tx.runtime_alerts(1, Some(&["staging".to_owned()])).unwrap();
        assert_eq!(
            staging.len(),
            1,
            "{name}: the newest of staging, not of all"
        );
        assert_eq!(staging[0].environment.as_deref(), Some("staging"));
        assert_eq!(
            tx.ledger_leaves_of("runtime/a1").unwrap().len(),
            1,
            "{name}"
        );
        drop(tx);
        // Without its mapping, the host ties nothing; the alert tied by it stays tied.
        w.engine.unmap_runtime("hostname", "node-7").unwrap();
        assert!(matches!(
            w.engine.unmap_runtime("hostname", "node-7"),
            Err(EngineError::NotFound { .. })
        ));
        assert!(matches!(
            w.engine.unmap_runtime("pod", "node-7"),
            Err(EngineError::Invalid(_))
        ));
        let later = RuntimeAlertInput {
            hostname: Some("node-7".into()),
            ..falco("a5")
        };
        let out = w.engine.record_runtime_alerts(&[later]).unwrap();
        assert_eq!(out[0].environment, None, "{name}");
        let mut tx = w.engine.store().read().unwrap();
        let a3 = tx.runtime_alerts(100, None).unwrap();
        let a3 = a3.iter().find(|a| a.uuid == "a3").unwrap();
        assert_eq!(a3.environment.as_deref(), Some("staging"), "{name}");
        assert_eq!(
            tx.ledger_leaves_of("runtime-mapping/hostname/node-7")
                .unwrap()
                .len(),
            2,
            "{name}: the mapping and its removal are ledgered"
        );
    }
}

#[test]
fn an_inventory_shows_drift_and_a_later_one_closes_it() {
    for mut w in world("runtime_drift") {
        let name = w.engine.store().backend().to_string();
        let pod = |name: &str, digest: &str| Workload {
            name: name.into(),
            namespace: Some("shop".into()),
            image: Some(format!("registry.example/{name}")),
            digest: Some(format!("sha256:{}", digest.repeat(32))),
            ..Workload::default()
        };
        // checkout runs the recorded release; cart runs 2.1.0, recorded but deployed
        // nowhere; an unknown image runs too. Nothing is missing.
        let out = w
            .engine
            .record_inventory(
                "production",
                &[
                    pod("checkout-5d9", "aa"),
                    pod("cart-77f", "cc"),
                    pod("miner", "ee"),
                ],
            )
            .unwrap();
        assert_eq!(out.matched, 2, "{name}");
        let mut drift = open(&mut w, "drift");
        drift.iter_mut().for_each(|d| d.1.truncate(30));
        assert_eq!(
            drift,
            vec![
                ("production".into(), "unknown_digest:sha256:eeeeeeee".into()),
                ("production".into(), "version_mismatch:cart:2.1.0".into()),
            ],
            "{name}"
        );
        assert!(out.alerted);
        // Fixed: cart back on its deployed release, the miner gone, but checkout missing.
        let out = w
            .engine
            .record_inventory("production", &[pod("cart-77f", "bb")])
            .unwrap();
        assert_eq!(out.sync.closed.len(), 2, "{name}");
        assert_eq!(
            open(&mut w, "drift"),
            vec![("production".into(), "missing:checkout".into())],
            "{name}"
        );
        // A plain list with versions works too.
        let out = w
            .engine
            .record_inventory(
                "staging",
                &[Workload {
                    name: "checkout".into(),
                    service: Some("checkout".into()),
                    version: Some("0.9.0".into()),
                    ..Workload::default()
                }],
            )
            .unwrap();
        assert_eq!(out.sync.opened.len(), 1, "{name}");
        let staging: Vec<_> = open(&mut w, "drift")
            .into_iter()
            .filter(|(e, _)| e == "staging")
            .collect();
        assert_eq!(
            staging,
            vec![("staging".into(), "version_mismatch:checkout:0.9.0".into())]
        );
    }
}

#[test]
fn file_integrity_baselines_are_kept_and_ledgered() {
    for mut w in world("runtime_fim") {
        let name = w.engine.store().backend().to_string();
        let manifest = br#"{"root": "/srv/checkout", "entries": []}"#;
        let id = w
            .engine
            .record_fim_baseline("checkout", "1.0.0", "/srv/checkout", manifest, 0, 0)
            .unwrap();
        let (b, bytes) = w.engine.fim_baseline("checkout", "1.0.0").unwrap().unwrap();
        assert_eq!((b.id, bytes.as_slice()), (id, &manifest[..]), "{name}");
        assert_eq!(b.manifest_sha256, vigil_engine::sha256(manifest));
        let leaves = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaves_of("fim/checkout@1.0.0")
            .unwrap();
        assert_eq!(leaves.len(), 1, "{name}");
        assert!(w.engine.fim_baseline("checkout", "9.9.9").is_err());
    }
}

#[test]
fn sources_keep_their_own_issues_and_rulings_hold_until_it_gets_worse() {
    for mut w in world("runtime_sources") {
        let name = w.engine.store().backend().to_string();
        let report = |source: &'static str, issues: Vec<NewSignal>| ReportInput {
            kind: "sarif",
            tool: source,
            environment: "production",
            service: "checkout",
            source,
            issues,
            ..ReportInput::default()
        };
        let semgrep = w
            .engine
            .record_report(report(
                "Semgrep",
                vec![issue("a", "eval", 2), issue("b", "xss", 2)],
            ))
            .unwrap();
        // Another tool's report of the same kind closes none of Semgrep's issues.
        let codeql = w
            .engine
            .record_report(report("CodeQL", vec![issue("c", "sqli", 3)]))
            .unwrap();
        assert!(codeql.sync.closed.is_empty(), "{name}: {:?}", codeql.sync);
        assert_eq!(open(&mut w, "sarif").len(), 3, "{name}");
        // Gone, then ruled out, then back: it stays ruled out.
        let gone = w
            .engine
            .record_report(report("Semgrep", vec![issue("a", "eval", 2)]))
            .unwrap();
        assert_eq!(gone.sync.closed, vec![semgrep.sync.opened[1]], "{name}");
        w.engine
            .triage_signal(
                semgrep.sync.opened[1],
                &SignalTriage {
                    status: "not_affected".into(),
                    justification: Some("vulnerable_code_not_in_execute_path".into()),
                    actor: "alice".into(),
                    ..SignalTriage::default()
                },
            )
            .unwrap();
        let back = w
            .engine
            .record_report(report(
                "Semgrep",
                vec![issue("a", "eval", 2), issue("b", "xss", 2)],
            ))
            .unwrap();
        assert!(back.sync.reopened.is_empty(), "{name}: {:?}", back.sync);
        assert_eq!(open(&mut w, "sarif").len(), 2, "{name}");
        // Worse than when it was ruled out: open again, without the ruling.
        let worse = w
            .engine
            .record_report(report(
                "Semgrep",
                vec![issue("a", "eval", 2), issue("b", "xss", 4)],
            ))
            .unwrap();
        assert_eq!(worse.sync.reopened, vec![semgrep.sync.opened[1]], "{name}");
        assert!(worse.alerted);
        let rows = w.engine.signals(&SignalFilter::default()).unwrap();
        let b = rows
            .iter()
            .find(|r| r.signal.id == semgrep.sync.opened[1])
            .unwrap();
        assert_eq!(
            (b.signal.triage.as_deref(), b.severity),
            (None, "critical"),
            "{name}"
        );
    }
}
