//! The store's behaviour, the same on every backend: each test runs on SQLite and, when
//! `VIGIL_TEST_PG_URL` is set, on PostgreSQL in a schema of its own.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use time::OffsetDateTime;
use time::macros::datetime;
use vigil_store::testing::{TestStore, stores};
use vigil_store::{
    AdvisoryRecord, DeploymentEvent, FindingFilter, FindingKey, KevEntry, NewFinding, NewPackage,
    NewRelease, Resolution, Store, StoreError,
};

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);
const T1: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);
const T2: OffsetDateTime = datetime!(2026-03-03 10:00 UTC);

fn each(test: &str, f: impl Fn(&mut Store, &TestStore)) {
    for mut t in stores(test) {
        let mut store = t.reopen();
        f(&mut store, &t);
        // The fixture's own connection must see the same committed state.
        t.store.read().unwrap().counts().unwrap();
    }
}

fn package<'a>(purl: &'a str, name: &'a str, version: &'a str) -> NewPackage<'a> {
    NewPackage {
        purl,
        pkg: name,
        ecosystem: "npm",
        name,
        version,
        installed: None,
        dependency: 1,
        path: None,
    }
}

/// A service `checkout` with release `version` holding lodash at `lodash`.
fn release(store: &mut Store, version: &str, lodash: &str) -> (i64, i64) {
    let mut tx = store.write().unwrap();
    let service = tx.upsert_service("checkout", Some("payments"), T0).unwrap();
    tx.put_sbom(&format!("sha-{version}"), "cyclonedx", b"{}", T0)
        .unwrap();
    let id = tx
        .insert_release(
            &NewRelease {
                service_id: service,
                version,
                sbom_sha256: &format!("sha-{version}"),
                commit: Some("abc123"),
                repository: None,
                builder: None,
                built_at: None,
                components: 1,
                packages: 1,
                unmatchable: 0,
                sbom_serial: None,
            },
            T0,
        )
        .unwrap();
    let purl = format!("pkg:npm/lodash@{lodash}");
    let pv = tx
        .insert_release_packages(id, &[package(&purl, "npm/lodash", lodash)])
        .unwrap()[0];
    tx.commit().unwrap();
    (id, pv)
}

fn advisory(store: &mut Store, id: &str, aliases: &[String]) {
    let mut tx = store.write().unwrap();
    tx.put_advisory(
        &AdvisoryRecord {
            id,
            modified: T0,
            published: None,
            withdrawn: None,
            summary: Some("prototype pollution"),
            severity_rank: 3,
            severity_score: Some(7.4),
            severity_vector: None,
            content_sha256: "c0ffee",
            json: br#"{"id":"x"}"#,
            source: None,
            aliases,
            pkgs: &["npm/lodash".to_owned()],
        },
        T0,
    )
    .unwrap();
    tx.commit().unwrap();
}

fn finding(store: &mut Store, release: i64, pv: i64, id: &str, now: OffsetDateTime) {
    let mut tx = store.write().unwrap();
    tx.upsert_findings(
        &[NewFinding {
            key: FindingKey {
                release_id: release,
                package_version_id: pv,
                advisory_id: id.to_owned(),
            },
            matched: "affected[0].ranges[0]",
            certainty: "affected",
            reason: None,
            fix: "fixed_in",
            fixed: Some("4.17.21"),
            severity_rank: 3,
            severity_score: Some(7.4),
        }],
        "test",
        now,
    )
    .unwrap();
    tx.commit().unwrap();
}

fn deploy(store: &mut Store, env: &str, release: Option<i64>, at: OffsetDateTime) {
    let mut tx = store.write().unwrap();
    let environment_id = tx.upsert_environment(env, at).unwrap();
    let service_id = tx.service("checkout").unwrap().unwrap().id;
    tx.append_deployment(
        &DeploymentEvent {
            environment_id,
            service_id,
            release_id: release,
            actor: Some("ci"),
            source: Some("test"),
            at,
        },
        at,
    )
    .unwrap();
    tx.commit().unwrap();
}

fn exposed(store: &mut Store) -> Vec<(String, String, Option<String>)> {
    store
        .read()
        .unwrap()
        .findings(&FindingFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.environment.unwrap_or_default(),
                r.release,
                r.first_exposed,
            )
        })
        .collect()
}

#[test]
fn a_release_is_stored_with_its_packages_and_found_by_digest() {
    each("release_digest", |store, t| {
        let (id, _) = release(store, "1.0.0", "4.17.20");
        let mut tx = store.write().unwrap();
        tx.add_digest(id, "sha256:aaaa", T0).unwrap();
        // The same digest again is fine; on another release it is a conflict.
        tx.add_digest(id, "sha256:aaaa", T0).unwrap();
        tx.commit().unwrap();
        let (other, _) = release(store, "1.1.0", "4.17.21");
        let mut tx = store.write().unwrap();
        let err = tx.add_digest(other, "sha256:aaaa", T0).unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m == "digest sha256:aaaa already belongs to checkout 1.0.0"),
            "{}: {err}",
            t.name()
        );
        drop(tx);
        let mut tx = store.read().unwrap();
        let r = tx.release_by_digest("sha256:aaaa").unwrap().unwrap();
        assert_eq!(
            (r.service.as_str(), r.version.as_str()),
            ("checkout", "1.0.0")
        );
        assert_eq!(r.digests, ["sha256:aaaa"]);
        assert_eq!(r.commit.as_deref(), Some("abc123"));
        assert_eq!(tx.sbom("sha-1.0.0").unwrap().as_deref(), Some(&b"{}"[..]));
        let pvs = tx.release_package_versions(id).unwrap();
        assert_eq!(pvs.len(), 1);
        assert_eq!(pvs[0].purl, "pkg:npm/lodash@4.17.20");
        let counts = tx.counts().unwrap();
        assert_eq!(
            (counts.releases, counts.package_versions),
            (2, 2),
            "{}",
            t.name()
        );
    });
}

#[test]
fn a_transaction_dropped_without_commit_leaves_nothing() {
    each("rollback", |store, t| {
        let mut tx = store.write().unwrap();
        tx.upsert_service("ghost", None, T0).unwrap();
        drop(tx);
        assert!(
            store.read().unwrap().service("ghost").unwrap().is_none(),
            "{}",
            t.name()
        );
    });
}

#[test]
fn owners_are_kept_unless_replaced() {
    each("owners", |store, t| {
        let mut tx = store.write().unwrap();
        let a = tx.upsert_service("api", Some("team-a"), T0).unwrap();
        let b = tx.upsert_service("api", None, T1).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            tx.service("api").unwrap().unwrap().owner.as_deref(),
            Some("team-a")
        );
        tx.upsert_service("api", Some("team-b"), T1).unwrap();
        assert_eq!(
            tx.service("api").unwrap().unwrap().owner.as_deref(),
            Some("team-b"),
            "{}",
            t.name()
        );
        let web = tx.upsert_service("web", None, T0).unwrap();
        tx.add_application("shop", &[a, web], T0).unwrap();
        tx.add_application("shop", &[a], T0).unwrap();
        let apps = tx.applications().unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].services, ["api", "web"]);
    });
}

#[test]
fn deployment_moves_exposure_and_resolves_when_nothing_runs_the_release() {
    each("exposure", |store, t| {
        let (old, old_pv) = release(store, "1.0.0", "4.17.20");
        let (new, _) = release(store, "1.1.0", "4.17.21");
        advisory(store, "GHSA-p6mc-m468-83gw", &["CVE-2020-8203".to_owned()]);
        finding(store, old, old_pv, "GHSA-p6mc-m468-83gw", T0);
        assert!(exposed(store).is_empty(), "{}: nothing runs yet", t.name());

        deploy(store, "prod", Some(old), T1);
        deploy(store, "staging", Some(old), T1);
        let rows = exposed(store);
        assert_eq!(
            rows,
            [
                (
                    "prod".into(),
                    "1.0.0".into(),
                    Some("2026-03-02T10:00:00Z".into())
                ),
                (
                    "staging".into(),
                    "1.0.0".into(),
                    Some("2026-03-02T10:00:00Z".into())
                ),
            ],
            "{}",
            t.name()
        );

        // The fix reaches prod: staging still runs the old release, so it stays open.
        deploy(store, "prod", Some(new), T2);
        assert_eq!(exposed(store).len(), 1, "{}", t.name());
        let states = store.read().unwrap().findings_of_release(old).unwrap();
        assert_eq!(states[0].resolved_at, None);

        // Undeployed from staging too: resolved, and kept with --all-releases.
        deploy(store, "staging", None, T2);
        assert!(exposed(store).is_empty(), "{}", t.name());
        let states = store.read().unwrap().findings_of_release(old).unwrap();
        assert_eq!(
            states[0].resolved_at.as_deref(),
            Some("2026-03-03T10:00:00Z")
        );
        assert_eq!(states[0].resolution.as_deref(), Some("undeployed"));
        let all = store
            .read()
            .unwrap()
            .findings(&FindingFilter {
                all_releases: true,
                ..FindingFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].environment, None);

        // A rollback reopens it and keeps the first exposure.
        deploy(store, "prod", Some(old), datetime!(2026-03-04 10:00 UTC));
        let states = store.read().unwrap().findings_of_release(old).unwrap();
        assert_eq!(states[0].resolved_at, None, "{}", t.name());
        assert_eq!(
            states[0].first_exposed.as_deref(),
            Some("2026-03-02T10:00:00Z")
        );
        let running = store.read().unwrap().running().unwrap();
        assert_eq!(running.len(), 1);
        assert_eq!(running[0].since, "2026-03-04T10:00:00Z");
    });
}

#[test]
fn an_older_event_is_history_and_does_not_change_what_runs() {
    each("history", |store, t| {
        let (old, _) = release(store, "1.0.0", "4.17.20");
        let (new, _) = release(store, "1.1.0", "4.17.21");
        deploy(store, "prod", Some(new), T2);
        deploy(store, "prod", Some(old), T1);
        let running = store.read().unwrap().running().unwrap();
        assert_eq!(running[0].version, "1.1.0", "{}", t.name());
        let log = store.read().unwrap().deployments().unwrap();
        let versions: Vec<_> = log.iter().map(|d| d.version.clone().unwrap()).collect();
        assert_eq!(versions, ["1.0.0", "1.1.0"]);
    });
}

#[test]
fn a_finding_found_while_running_is_exposed_at_once() {
    each("exposed_at_once", |store, t| {
        let (id, pv) = release(store, "1.0.0", "4.17.20");
        deploy(store, "prod", Some(id), T0);
        advisory(store, "GHSA-p6mc-m468-83gw", &[]);
        finding(store, id, pv, "GHSA-p6mc-m468-83gw", T2);
        let rows = exposed(store);
        assert_eq!(
            rows,
            [(
                "prod".into(),
                "1.0.0".into(),
                Some("2026-03-03T10:00:00Z".into())
            )],
            "{}",
            t.name()
        );
        // Withdrawn, then matched again: it reopens.
        let key = FindingKey {
            release_id: id,
            package_version_id: pv,
            advisory_id: "GHSA-p6mc-m468-83gw".into(),
        };
        let mut tx = store.write().unwrap();
        assert_eq!(
            tx.resolve_findings(std::slice::from_ref(&key), Resolution::Withdrawn, T2)
                .unwrap(),
            1
        );
        tx.commit().unwrap();
        assert!(exposed(store).is_empty());
        finding(store, id, pv, "GHSA-p6mc-m468-83gw", T2);
        assert_eq!(exposed(store).len(), 1, "{}", t.name());
    });
}

#[test]
fn aliases_resolve_to_every_advisory_that_names_them() {
    each("aliases", |store, t| {
        advisory(store, "GHSA-p6mc-m468-83gw", &["CVE-2020-8203".to_owned()]);
        advisory(store, "SNYK-JS-LODASH-1", &["CVE-2020-8203".to_owned()]);
        advisory(store, "CVE-2020-8203", &["GHSA-p6mc-m468-83gw".to_owned()]);
        let mut tx = store.read().unwrap();
        assert_eq!(
            tx.resolve_advisory("CVE-2020-8203").unwrap(),
            ["CVE-2020-8203", "GHSA-p6mc-m468-83gw", "SNYK-JS-LODASH-1"],
            "{}",
            t.name()
        );
        assert_eq!(
            tx.resolve_advisory("GHSA-p6mc-m468-83gw").unwrap(),
            ["CVE-2020-8203", "GHSA-p6mc-m468-83gw"]
        );
        assert!(tx.resolve_advisory("CVE-1999-0001").unwrap().is_empty());
        let a = tx.advisory("GHSA-p6mc-m468-83gw").unwrap().unwrap();
        assert_eq!(a.modified, "2026-03-01T10:00:00.000000Z");
        assert_eq!(a.aliases, ["CVE-2020-8203"]);
        let named = tx
            .advisory_versions_for(&["npm/lodash".to_owned()])
            .unwrap();
        assert_eq!(named.len(), 3);
        assert_eq!(named[0].1, "2026-03-01T10:00:00.000000Z");
    });
}

#[test]
fn kev_and_epss_are_replaced_whole() {
    each("intel", |store, t| {
        let entry = |cve: &str| KevEntry {
            cve_id: cve.into(),
            vendor: "Apache".into(),
            product: "Log4j2".into(),
            name: "Log4Shell".into(),
            date_added: "2021-12-10".into(),
            due_date: Some("2021-12-24".into()),
            ransomware: Some("Known".into()),
            required_action: None,
        };
        let mut tx = store.write().unwrap();
        tx.replace_kev(
            &[entry("CVE-2021-44228"), entry("CVE-2021-45046")],
            Some("2026.03.01"),
            None,
            T0,
        )
        .unwrap();
        tx.replace_kev(&[entry("CVE-2021-44228")], Some("2026.03.02"), None, T1)
            .unwrap();
        let scores: Vec<(String, f64, f64)> = (0..2000)
            .map(|i| (format!("CVE-2026-{i:05}"), 0.5, 0.9))
            .collect();
        tx.replace_epss(&scores, Some("2026-03-02"), None, T1)
            .unwrap();
        tx.commit().unwrap();
        let mut tx = store.read().unwrap();
        let kev = tx
            .kev_for(&["CVE-2021-44228".into(), "CVE-2021-45046".into()])
            .unwrap();
        assert_eq!(kev.len(), 1, "{}", t.name());
        let epss = tx.epss_for(&["CVE-2026-01999".into()]).unwrap();
        assert_eq!(epss, [("CVE-2026-01999".into(), 0.5, 0.9)]);
        let imports = tx.intel_imports().unwrap();
        assert_eq!(imports.len(), 2);
        assert_eq!(
            (imports[0].feed.as_str(), imports[0].records),
            ("epss", 2000)
        );
    });
}

#[test]
fn reopening_a_migrated_store_runs_no_migration_again() {
    each("reopen", |store, t| {
        release(store, "1.0.0", "4.17.20");
        let mut again = t.reopen();
        assert_eq!(again.read().unwrap().counts().unwrap().releases, 1);
    });
}
