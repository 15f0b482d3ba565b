//! The core loop on the store, on every backend (SQLite, and PostgreSQL when
//! `VIGIL_TEST_PG_URL` is set): a release is added and deployed, an advisory arrives
//! and exposes it, the fixed release is deployed and the finding resolves; alias
//! lookup, undeploy, withdrawal, idempotence and the errors a user meets.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::sync::Arc;

use time::OffsetDateTime;
use time::macros::datetime;
use vigil_engine::{
    AdvisoryInput, DeployInput, Engine, EngineError, FindingQuery, FixedClock, ReleaseInput,
    ReleaseRef,
};
use vigil_store::testing::{TestStore, stores};

const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

fn sbom(lodash: &str) -> Vec<u8> {
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {{"component": {{"type": "application", "name": "checkout", "bom-ref": "app"}}}},
  "components": [
    {{"type": "library", "name": "express", "version": "4.21.2", "purl": "pkg:npm/express@4.21.2", "bom-ref": "express"}},
    {{"type": "library", "name": "lodash", "version": "{lodash}", "purl": "pkg:npm/lodash@{lodash}", "bom-ref": "lodash"}}
  ],
  "dependencies": [
    {{"ref": "app", "dependsOn": ["express"]}},
    {{"ref": "express", "dependsOn": ["lodash"]}}
  ]}}"#
    )
    .into_bytes()
}

/// GHSA-35jh-r3h4-6jhm as OSV publishes it, shortened: lodash before 4.17.21.
fn lodash_advisory(modified: &str, withdrawn: Option<&str>) -> AdvisoryInput {
    let withdrawn = withdrawn
        .map(|w| format!(r#""withdrawn": "{w}","#))
        .unwrap_or_default();
    let json = format!(
        r#"{{"schema_version": "1.6.0", "id": "GHSA-35jh-r3h4-6jhm", "modified": "{modified}",
  "published": "2021-05-06T16:05:51Z", {withdrawn}
  "aliases": ["CVE-2021-23337"], "summary": "Command Injection in lodash",
  "severity": [{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}}],
  "affected": [{{"package": {{"ecosystem": "npm", "name": "lodash"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "4.17.21"}}]}}]}}]}}"#
    );
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.into_bytes(),
        source: Some("test".into()),
    }
}

struct World {
    engine: Engine,
    clock: Arc<FixedClock>,
    _store: TestStore,
}

fn worlds(test: &str) -> Vec<World> {
    stores(test)
        .into_iter()
        .map(|t| {
            let clock = Arc::new(FixedClock::new(T0));
            World {
                engine: Engine::with_clock(t.reopen(), clock.clone()),
                clock,
                _store: t,
            }
        })
        .collect()
}

fn add(w: &mut World, version: &str, lodash: &str, digest: Option<String>) -> usize {
    w.engine
        .add_release(&ReleaseInput {
            service: "checkout",
            version,
            sbom: &sbom(lodash),
            digests: digest.into_iter().collect(),
            commit: Some("0a1b2c"),
            owner: Some("payments"),
            ..ReleaseInput::default()
        })
        .unwrap()
        .findings
}

fn deploy(w: &mut World, env: &str, version: &str, at: OffsetDateTime) {
    w.engine
        .deploy(&DeployInput {
            environment: env,
            release: ReleaseRef::Version {
                service: "checkout",
                version,
            },
            actor: Some("argocd"),
            source: Some("test"),
            at: Some(at),
        })
        .unwrap();
}

/// (environment, release, first exposed) for each row of `affected CVE-2021-23337`.
fn affected(w: &mut World, all: bool) -> Vec<(Option<String>, String, Option<String>)> {
    w.engine
        .affected("CVE-2021-23337", all, None)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.row.environment, r.row.release, r.row.first_exposed))
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn release_deploy_advisory_exposure_fix_resolved() {
    for mut w in worlds("core_loop") {
        let backend = w.engine.store().backend();
        assert_eq!(add(&mut w, "1.0.0", "4.17.20", None), 0, "{backend}");
        deploy(
            &mut w,
            "production",
            "1.0.0",
            datetime!(2026-03-02 10:00 UTC),
        );
        deploy(&mut w, "staging", "1.0.0", datetime!(2026-03-02 09:00 UTC));

        // The advisory arrives: both environments are exposed from now.
        w.clock.set(datetime!(2026-03-05 12:00 UTC));
        let out = w
            .engine
            .import_advisories(vec![lodash_advisory("2024-01-01T00:00:00Z", None)])
            .unwrap();
        assert_eq!((out.stored, out.new_findings), (1, 1), "{backend}");
        let envs: Vec<_> = out
            .exposures
            .iter()
            .map(|e| e.environment.as_str())
            .collect();
        assert_eq!(envs, ["production", "staging"], "{backend}");
        assert_eq!(
            affected(&mut w, false),
            [
                (s("production"), "1.0.0".into(), s("2026-03-05T12:00:00Z")),
                (s("staging"), "1.0.0".into(), s("2026-03-05T12:00:00Z")),
            ],
            "{backend}"
        );
        let report = w
            .engine
            .affected("GHSA-35jh-r3h4-6jhm", false, None)
            .unwrap();
        let row = &report.rows[0].row;
        assert_eq!(row.owner.as_deref(), Some("payments"));
        assert_eq!(row.fixed.as_deref(), Some("4.17.21"));
        assert_eq!(row.dependency, 2, "lodash comes in through express");
        assert_eq!(
            row.path.as_deref(),
            Some(r#"["checkout","express","lodash"]"#)
        );
        assert_eq!(report.advisories[0].severity, "high");

        // The fix is built and reaches production; staging still runs 1.0.0.
        w.clock.set(datetime!(2026-03-06 08:00 UTC));
        assert_eq!(add(&mut w, "1.0.1", "4.17.21", None), 0, "{backend}");
        deploy(
            &mut w,
            "production",
            "1.0.1",
            datetime!(2026-03-06 09:00 UTC),
        );
        assert_eq!(
            affected(&mut w, false),
            [(s("staging"), "1.0.0".into(), s("2026-03-05T12:00:00Z"))],
            "{backend}"
        );

        // Staging is undeployed: nothing runs 1.0.0, the finding is resolved.
        w.engine
            .undeploy(
                "staging",
                "checkout",
                Some("ops"),
                None,
                Some(datetime!(2026-03-07 09:00 UTC)),
            )
            .unwrap();
        assert!(affected(&mut w, false).is_empty(), "{backend}");
        assert_eq!(
            affected(&mut w, true),
            [(None, "1.0.0".into(), s("2026-03-05T12:00:00Z"))],
            "{backend}: --all-releases keeps releases that run nowhere"
        );
        let status = w.engine.status(None).unwrap();
        assert_eq!(status.counts.open_findings, 0, "{backend}");
        assert_eq!(status.counts.deployments, 4);
    }
}

#[test]
fn a_new_release_is_matched_against_stored_advisories_and_deployment_exposes_it() {
    for mut w in worlds("new_release") {
        let backend = w.engine.store().backend();
        w.engine
            .import_advisories(vec![lodash_advisory("2024-01-01T00:00:00Z", None)])
            .unwrap();
        let digest = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(
            add(&mut w, "1.0.0", "4.17.20", Some(digest.clone())),
            1,
            "{backend}"
        );
        assert!(affected(&mut w, false).is_empty(), "not deployed yet");
        w.engine
            .deploy(&DeployInput {
                environment: "production",
                release: ReleaseRef::Digest(&digest),
                actor: None,
                source: None,
                at: Some(datetime!(2026-03-02 10:00 UTC)),
            })
            .unwrap();
        assert_eq!(
            affected(&mut w, false),
            [(s("production"), "1.0.0".into(), s("2026-03-02T10:00:00Z"))],
            "{backend}"
        );
        let findings = w
            .engine
            .findings(&FindingQuery {
                min_severity_rank: 3,
                ..FindingQuery::default()
            })
            .unwrap();
        assert_eq!(findings.len(), 1);
        let findings = w
            .engine
            .findings(&FindingQuery {
                min_severity_rank: 4,
                ..FindingQuery::default()
            })
            .unwrap();
        assert!(
            findings.is_empty(),
            "{backend}: the advisory is high, not critical"
        );
    }
}

#[test]
fn a_withdrawn_advisory_resolves_its_findings_and_an_older_record_changes_nothing() {
    for mut w in worlds("withdrawn") {
        let backend = w.engine.store().backend();
        add(&mut w, "1.0.0", "4.17.20", None);
        deploy(
            &mut w,
            "production",
            "1.0.0",
            datetime!(2026-03-02 10:00 UTC),
        );
        w.engine
            .import_advisories(vec![lodash_advisory("2024-01-01T00:00:00Z", None)])
            .unwrap();
        let older = w
            .engine
            .import_advisories(vec![lodash_advisory(
                "2023-01-01T00:00:00Z",
                Some("2023-01-01T00:00:00Z"),
            )])
            .unwrap();
        assert_eq!((older.stored, older.unchanged), (0, 1), "{backend}");
        assert_eq!(affected(&mut w, false).len(), 1);

        let out = w
            .engine
            .import_advisories(vec![lodash_advisory(
                "2024-06-01T00:00:00Z",
                Some("2024-06-01T00:00:00Z"),
            )])
            .unwrap();
        assert_eq!((out.stored, out.resolved), (1, 1), "{backend}");
        assert!(affected(&mut w, false).is_empty(), "{backend}");

        // Reinstated: the finding reopens.
        let out = w
            .engine
            .import_advisories(vec![lodash_advisory("2024-07-01T00:00:00Z", None)])
            .unwrap();
        assert_eq!(out.new_findings, 1, "{backend}");
        assert_eq!(affected(&mut w, false).len(), 1, "{backend}");

        // A full rematch confirms what is there and changes nothing.
        let re = w.engine.rematch(&mut |_, _| {}).unwrap();
        assert_eq!(
            (re.advisories, re.findings, re.new_findings, re.resolved),
            (1, 1, 0, 0)
        );
    }
}

#[test]
fn the_same_release_again_is_idempotent_and_a_changed_one_is_refused() {
    for mut w in worlds("idempotent") {
        let backend = w.engine.store().backend();
        add(&mut w, "1.0.0", "4.17.20", None);
        let before = w.engine.status(None).unwrap().counts;
        let again = w
            .engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom: &sbom("4.17.20"),
                ..ReleaseInput::default()
            })
            .unwrap();
        assert!(!again.created, "{backend}");
        assert_eq!(w.engine.status(None).unwrap().counts, before, "{backend}");

        let err = w
            .engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom: &sbom("4.17.21"),
                ..ReleaseInput::default()
            })
            .unwrap_err();
        assert!(matches!(err, EngineError::Conflict(_)), "{backend}: {err}");
        assert!(
            err.to_string().contains("give the new build a new version"),
            "{err}"
        );
        assert_eq!(
            w.engine.status(None).unwrap().counts,
            before,
            "{backend}: nothing half-stored"
        );
    }
}

#[test]
fn bad_input_is_refused_with_what_to_do_and_leaves_nothing_behind() {
    for mut w in worlds("bad_input") {
        let backend = w.engine.store().backend();
        let err = w
            .engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom:
                    b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": 7}",
                ..ReleaseInput::default()
            })
            .unwrap_err();
        assert!(matches!(err, EngineError::Sbom(_)), "{backend}: {err}");
        assert_eq!(
            w.engine.status(None).unwrap().counts.services,
            0,
            "{backend}"
        );

        add(&mut w, "1.0.0", "4.17.20", None);
        let err = w
            .engine
            .deploy(&DeployInput {
                environment: "production",
                release: ReleaseRef::Version {
                    service: "checkout",
                    version: "9.9.9",
                },
                actor: None,
                source: None,
                at: None,
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no release checkout 9.9.9; its latest releases are 1.0.0",
            "{backend}"
        );
        let err = w
            .engine
            .undeploy("production", "checkout", None, None, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no environment \"production\"",
            "{backend}"
        );
        let err = w.engine.affected("CVE-2099-0001", false, None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("no advisory has the id or alias CVE-2099-0001")
        );
        let err = w
            .engine
            .affected("CVE-2021-23337", false, Some("shop"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no application \"shop\"; define one with `vigil app add NAME --service S`"
        );
    }
}

/// An advisory for `pkg-{n}` before 2.0.0.
fn numbered_advisory(n: usize) -> AdvisoryInput {
    let json = format!(
        r#"{{"id": "CVE-2026-2{n:04}", "modified": "2026-01-01T00:00:00Z",
  "affected": [{{"package": {{"ecosystem": "npm", "name": "pkg-{n}"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "2.0.0"}}]}}]}}]}}"#
    );
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.into_bytes(),
        source: None,
    }
}

fn numbered_sbom(packages: std::ops::Range<usize>) -> Vec<u8> {
    let components: Vec<String> = packages
        .map(|i| {
            format!(
                r#"{{"type": "library", "name": "pkg-{i}", "version": "1.0.0", "purl": "pkg:npm/pkg-{i}@1.0.0"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{}]}}"#,
        components.join(",")
    )
    .into_bytes()
}

#[test]
fn concurrent_releases_and_advisories_miss_no_finding() {
    // Two processes' worth of writers on one store: one adds releases, the other
    // advisories for their packages, interleaved. Whatever the order, every release ends
    // with a finding for every advisory naming one of its packages.
    for t in stores("concurrent") {
        let backend = t.name();
        let releases = {
            let mut engine = Engine::new(t.reopen());
            std::thread::scope(|scope| {
                let mut writer = Engine::new(t.reopen());
                let handle = scope.spawn(move || {
                    for i in 0..20 {
                        writer
                            .import_advisories(vec![
                                numbered_advisory(i),
                                numbered_advisory(i + 20),
                            ])
                            .unwrap();
                    }
                });
                for r in 0..20 {
                    engine
                        .add_release(&ReleaseInput {
                            service: "svc",
                            version: &format!("1.0.{r}"),
                            sbom: &numbered_sbom(r * 2..r * 2 + 2),
                            ..ReleaseInput::default()
                        })
                        .unwrap();
                }
                handle.join().unwrap();
            });
            engine
        };
        let mut engine = releases;
        let findings = engine
            .findings(&FindingQuery {
                all_releases: true,
                ..FindingQuery::default()
            })
            .unwrap();
        assert_eq!(
            findings.len(),
            40,
            "{backend}: one finding per package of each release"
        );
    }
}

#[test]
fn a_process_never_matches_with_an_advisory_another_process_has_replaced() {
    for t in stores("stale_cache") {
        let backend = t.name();
        let mut a = Engine::new(t.reopen());
        let mut b = Engine::new(t.reopen());
        a.import_advisories(vec![lodash_advisory("2024-01-01T00:00:00Z", None)])
            .unwrap();
        // `a` compiles the advisory for this release and keeps it.
        let add = |e: &mut Engine, version: &str| {
            e.add_release(&ReleaseInput {
                service: "checkout",
                version,
                sbom: &sbom("4.17.20"),
                ..ReleaseInput::default()
            })
            .unwrap()
            .findings
        };
        assert_eq!(add(&mut a, "1.0.0"), 1, "{backend}");
        // Another process withdraws it.
        b.import_advisories(vec![lodash_advisory(
            "2024-06-01T00:00:00Z",
            Some("2024-06-01T00:00:00Z"),
        )])
        .unwrap();
        assert_eq!(
            add(&mut a, "1.0.1"),
            0,
            "{backend}: the withdrawn version is used"
        );
    }
}

#[test]
fn a_process_never_matches_with_an_advisory_another_process_moved_to_another_package() {
    for t in stores("moved_cache") {
        let backend = t.name();
        let mut a = Engine::new(t.reopen());
        let mut b = Engine::new(t.reopen());
        a.import_advisories(vec![lodash_advisory("2024-01-01T00:00:00Z", None)])
            .unwrap();
        let add = |e: &mut Engine, version: &str| {
            e.add_release(&ReleaseInput {
                service: "checkout",
                version,
                sbom: &sbom("4.17.20"),
                ..ReleaseInput::default()
            })
            .unwrap()
            .findings
        };
        assert_eq!(add(&mut a, "1.0.0"), 1, "{backend}");
        // Another process stores a version that names another package: the store no
        // longer lists it for lodash, so `a` never looks at its cached copy's version.
        let moved = lodash_advisory("2024-06-01T00:00:00Z", None);
        let json = String::from_utf8(moved.json)
            .unwrap()
            .replace(r#""name": "lodash""#, r#""name": "lodash-es""#);
        b.import_advisories(vec![AdvisoryInput {
            osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
            json: json.into_bytes(),
            source: Some("test".into()),
        }])
        .unwrap();
        assert_eq!(
            add(&mut a, "1.0.1"),
            0,
            "{backend}: a cached advisory that no longer names lodash matched it"
        );
    }
}
