//! The ledger on every backend: each accepted event is a leaf appended in the
//! transaction of its change; checkpoints are signed and consistent; proofs verify; and
//! tampering with the stored log (an edited, deleted, inserted or swapped leaf, a
//! truncated log) is found and named by `verify_ledger`. Concurrent writers on one
//! store keep indexes dense.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use time::macros::datetime;
use vigil_engine::ledger::VerifyReport;
use vigil_engine::{AdvisoryInput, DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
use vigil_ledger::checkpoint::Checkpoint;
use vigil_ledger::note::NoteSigner;
use vigil_store::testing::{TestStore, stores};
use vigil_store::{Location, NewToken};

const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

fn sbom(lodash: &str) -> Vec<u8> {
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {{"component": {{"type": "application", "name": "checkout", "bom-ref": "app"}}}},
  "components": [
    {{"type": "library", "name": "lodash", "version": "{lodash}", "purl": "pkg:npm/lodash@{lodash}", "bom-ref": "lodash"}}
  ]}}"#
    )
    .into_bytes()
}

fn advisory() -> AdvisoryInput {
    let json = r#"{"schema_version": "1.6.0", "id": "GHSA-35jh-r3h4-6jhm", "modified": "2024-01-01T00:00:00Z",
  "published": "2021-05-06T16:05:51Z", "aliases": ["CVE-2021-23337"],
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#;
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.as_bytes().to_vec(),
        source: Some("test".into()),
    }
}

struct World {
    engine: Engine,
    key: NoteSigner,
    clock: Arc<FixedClock>,
    store: TestStore,
}

fn worlds(test: &str) -> Vec<World> {
    stores(test)
        .into_iter()
        .map(|t| {
            let clock = Arc::new(FixedClock::new(T0));
            let key = NoteSigner::generate("vigil-test").unwrap();
            let mut store = t.reopen();
            store.set_ledger_signer(Some(vigil_engine::ledger::signer(
                NoteSigner::from_skey(&key.to_skey()).unwrap(),
                Some("example.com/vigil-test".into()),
                Duration::ZERO,
            )));
            World {
                engine: Engine::with_clock(store, clock.clone()),
                key,
                clock,
                store: t,
            }
        })
        .collect()
}

fn add(w: &mut World, version: &str, lodash: &str) {
    w.engine
        .add_release(&ReleaseInput {
            service: "checkout",
            version,
            sbom: &sbom(lodash),
            digests: vec![format!("sha256:{}", "ab".repeat(32))]
                .into_iter()
                .filter(|_| version == "1.0.0")
                .collect(),
            commit: Some("0a1b2c"),
            ..ReleaseInput::default()
        })
        .unwrap();
}

fn deploy(w: &mut World, version: Option<&str>, at: OffsetDateTime) {
    match version {
        Some(version) => {
            w.engine
                .deploy(&DeployInput {
                    environment: "production",
                    release: ReleaseRef::Version {
                        service: "checkout",
                        version,
                    },
                    actor: Some("ci"),
                    source: Some("test"),
                    at: Some(at),
                })
                .unwrap();
        }
        None => {
            w.engine
                .undeploy("production", "checkout", Some("ci"), Some("test"), Some(at))
                .unwrap();
        }
    }
}

/// The core loop, with a token made and revoked: (kind, subject) of every leaf.
fn run_story(w: &mut World) -> Vec<(String, String)> {
    add(w, "1.0.0", "4.17.20");
    deploy(w, Some("1.0.0"), datetime!(2026-03-02 10:00 UTC));
    w.clock.set(datetime!(2026-03-05 12:00 UTC));
    w.engine.import_advisories(vec![advisory()]).unwrap();
    add(w, "1.1.0", "4.17.21");
    deploy(w, Some("1.1.0"), datetime!(2026-03-06 10:00 UTC));
    deploy(w, None, datetime!(2026-03-07 10:00 UTC));
    let mut tx = w.engine.store().write().unwrap();
    tx.insert_token(
        &NewToken {
            id: "tok1",
            name: "ci",
            role: "publisher",
            environments: None,
            secret_sha256: &"00".repeat(32),
            created_by: Some("test"),
        },
        T0,
    )
    .unwrap();
    tx.commit().unwrap();
    let mut tx = w.engine.store().write().unwrap();
    assert!(tx.revoke_token("tok1", T0).unwrap());
    tx.commit().unwrap();
    let mut tx = w.engine.store().read().unwrap();
    tx.ledger_leaf_range(0, 1000)
        .unwrap()
        .into_iter()
        .map(|l| (l.kind, l.subject))
        .collect()
}

fn verify(w: &mut World) -> VerifyReport {
    w.engine.verify_ledger(&[w.key.verifier()]).unwrap()
}

#[test]
fn every_accepted_event_is_a_leaf_and_proves() {
    for mut w in worlds("ledger_story") {
        let backend = w.engine.store().backend();
        let leaves = run_story(&mut w);
        let kinds: Vec<&str> = leaves.iter().map(|(k, _)| k.as_str()).collect();
        let purl = "pkg:npm/lodash@4.17.20";
        let finding = format!("finding/checkout@1.0.0/{purl}/GHSA-35jh-r3h4-6jhm");
        for (kind, subject) in [
            ("release", "release/checkout@1.0.0"),
            ("release.digest", "release/checkout@1.0.0"),
            ("deployment", "deployment/1"),
            ("advisory", "advisory/GHSA-35jh-r3h4-6jhm"),
            ("finding", finding.as_str()),
            ("release", "release/checkout@1.1.0"),
            ("deployment", "deployment/2"),
            ("undeployment", "deployment/3"),
            ("token.created", "token/tok1"),
            ("token.revoked", "token/tok1"),
        ] {
            assert!(
                leaves.iter().any(|(k, s)| k == kind && s == subject),
                "{backend}: no {kind} leaf about {subject} in {kinds:?}"
            );
        }
        // The finding opened with the advisory and resolved when 1.0.0 stopped running.
        let states: Vec<String> = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaves_of(&finding)
            .unwrap()
            .iter()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_slice(&l.data).unwrap();
                v["data"]["state"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(states, ["open", "resolved"], "{backend}");
        // Every leaf's time is the engine's clock, the digest's too.
        let digest = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaves_of("release/checkout@1.0.0")
            .unwrap()
            .into_iter()
            .find(|l| l.kind == "release.digest")
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&digest.data).unwrap();
        assert_eq!(v["time"], "2026-03-01T09:00:00Z", "{backend}");

        let report = verify(&mut w);
        assert!(report.ok, "{backend}: {:?}", report.problems);
        assert_eq!(report.leaves, leaves.len() as u64, "{backend}");
        // Every commit signed a checkpoint; each verifies and extends the one before.
        let checkpoints = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_checkpoints()
            .unwrap();
        assert!(checkpoints.len() >= 7, "{backend}: {}", checkpoints.len());
        assert_eq!(report.verified_checkpoints, checkpoints.len(), "{backend}");
        for pair in checkpoints.windows(2) {
            let p = w
                .engine
                .consistency_proof(pair[0].size, pair[1].size)
                .unwrap();
            vigil_ledger::verify_consistency(
                p.size1,
                p.size2,
                &p.proof,
                &pair[0].root,
                &pair[1].root,
            )
            .unwrap();
        }
        // Each event's leaves prove into the latest checkpoint, whose note verifies with
        // the public key alone.
        let latest = checkpoints.last().unwrap();
        let (cp, _) =
            vigil_ledger::checkpoint::open(latest.note.as_bytes(), &[w.key.verifier()]).unwrap();
        assert_eq!(cp.origin, "example.com/vigil-test");
        assert_eq!((cp.size, cp.root), (latest.size, latest.root));
        for p in w
            .engine
            .event_proofs("release/checkout@1.0.0", None)
            .unwrap()
        {
            vigil_ledger::verify_inclusion(&p.leaf_hash, p.index, p.tree_size, &p.proof, &cp.root)
                .unwrap();
            assert_eq!(vigil_ledger::leaf_hash(p.data.as_bytes()), p.leaf_hash);
        }
        // The leaf data is canonical JSON with the documented envelope.
        let first = w.engine.leaf_proof(0, None).unwrap();
        let v: serde_json::Value = serde_json::from_str(&first.data).unwrap();
        assert_eq!(
            vigil_ledger::canonical::to_vec(&v).unwrap(),
            first.data.as_bytes(),
            "{backend}"
        );
        assert_eq!(v["v"], 1);
        assert_eq!(v["kind"], "release");
        assert_eq!(
            v["data"]["sbom_sha256"],
            vigil_engine::sha256(&sbom("4.17.20"))
        );
    }
}

/// Runs `sql` on the store behind the engine's back, as an attacker with database
/// access would.
fn tamper(store: &TestStore, sql: &str) {
    store.tamper(sql);
}

/// Problems as (kind, index).
fn problems(r: &VerifyReport) -> Vec<(&'static str, Option<u64>)> {
    r.problems.iter().map(|p| (p.kind, p.index)).collect()
}

fn tampered(test: &str, sql: &str, check: impl Fn(&str, &VerifyReport)) {
    for mut w in worlds(test) {
        let backend = w.engine.store().backend().to_string();
        run_story(&mut w);
        assert!(verify(&mut w).ok, "{backend}: before tampering");
        tamper(&w.store, sql);
        let report = verify(&mut w);
        assert!(!report.ok, "{backend}: {sql} went unnoticed");
        check(&backend, &report);
    }
}

#[test]
fn an_edited_leaf_is_named() {
    for mut w in worlds("ledger_edit") {
        let backend = w.engine.store().backend().to_string();
        run_story(&mut w);
        let leaf = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaf(2)
            .unwrap()
            .unwrap();
        let edited = String::from_utf8(leaf.data)
            .unwrap()
            .replace("ci", "someone-else");
        let sql = match w.store.location {
            Location::Sqlite(_) => format!(
                "UPDATE ledger_leaves SET data = CAST('{}' AS BLOB) WHERE idx = 2",
                edited.replace('\'', "''")
            ),
            Location::Postgres { .. } => format!(
                "UPDATE ledger_leaves SET data = convert_to('{}', 'UTF8') WHERE idx = 2",
                edited.replace('\'', "''")
            ),
        };
        tamper(&w.store, &sql);
        let report = verify(&mut w);
        assert!(!report.ok, "{backend}");
        assert!(
            problems(&report).contains(&("edited", Some(2))),
            "{backend}: {:?}",
            report.problems
        );
        // Every checkpoint that covers leaf 2 no longer matches.
        assert!(
            report.problems.iter().any(|p| p.kind == "checkpoint"),
            "{backend}: {:?}",
            report.problems
        );
    }
}

#[test]
fn a_deleted_leaf_is_named() {
    tampered(
        "ledger_delete",
        "DELETE FROM ledger_leaves WHERE idx = 3",
        |b, r| {
            assert!(
                problems(r).contains(&("deleted", Some(3))),
                "{b}: {:?}",
                r.problems
            );
        },
    );
}

#[test]
fn swapped_leaves_are_named() {
    tampered(
        "ledger_swap",
        "UPDATE ledger_leaves SET idx = -1 WHERE idx = 1;
         UPDATE ledger_leaves SET idx = 1 WHERE idx = 4;
         UPDATE ledger_leaves SET idx = 4 WHERE idx = -1;",
        |b, r| {
            let p = problems(r);
            assert!(p.contains(&("moved", Some(1))), "{b}: {:?}", r.problems);
            assert!(p.contains(&("moved", Some(4))), "{b}: {:?}", r.problems);
            assert!(
                r.problems[0]
                    .message
                    .contains("holds the event recorded at index 4"),
                "{b}: {}",
                r.problems[0].message
            );
        },
    );
}

#[test]
fn an_inserted_leaf_is_named() {
    // A leaf slipped in at index 2, the later ones renumbered to make room.
    tampered(
        "ledger_insert",
        "UPDATE ledger_leaves SET idx = idx + 1000000 WHERE idx >= 2;
         UPDATE ledger_leaves SET idx = idx - 999999 WHERE idx >= 1000000;
         INSERT INTO ledger_leaves (idx, kind, subject, data)
             SELECT 2, kind, 'deployment/99', data FROM ledger_leaves WHERE idx = 0;",
        |b, r| {
            let p = problems(r);
            assert!(
                p.contains(&("moved", Some(3))),
                "{b}: leaves after the insertion hold earlier events: {:?}",
                r.problems
            );
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.message.contains("inserted before them")),
                "{b}: {:?}",
                r.problems
            );
        },
    );
}

#[test]
fn a_leaf_appended_behind_the_log_is_named() {
    tampered(
        "ledger_append",
        "INSERT INTO ledger_leaves (idx, kind, subject, data)
             SELECT idx + 1, kind, subject, data FROM ledger_leaves
             WHERE idx = (SELECT MAX(idx) FROM ledger_leaves)",
        |b, r| {
            let last = r.leaves - 1;
            assert!(
                problems(r).contains(&("moved", Some(last)))
                    || problems(r).contains(&("inserted", Some(last))),
                "{b}: {:?}",
                r.problems
            );
        },
    );
}

#[test]
fn a_truncated_log_is_named() {
    tampered(
        "ledger_truncate",
        "DELETE FROM ledger_leaves WHERE idx >= 5; DELETE FROM ledger_nodes WHERE node >= 5 AND node < 281474976710656;",
        |b, r| {
            assert!(
                r.problems.iter().any(|p| p.kind == "truncated"),
                "{b}: {:?}",
                r.problems
            );
        },
    );
}

#[test]
fn a_forged_checkpoint_is_named() {
    tampered(
        "ledger_forge",
        "UPDATE ledger_checkpoints SET note = REPLACE(note, 'example.com', 'evil.example') WHERE size = (SELECT MAX(size) FROM ledger_checkpoints)",
        |b, r| {
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.kind == "checkpoint" && p.message.contains("does not verify")),
                "{b}: {:?}",
                r.problems
            );
        },
    );
}

#[test]
fn concurrent_writers_keep_indexes_dense() {
    for t in stores("ledger_concurrent") {
        let backend = t.name();
        let key = NoteSigner::generate("vigil-test").unwrap();
        let skey = key.to_skey();
        let threads: Vec<_> = (0..4)
            .map(|n| {
                let mut store = t.reopen();
                let skey = skey.clone();
                std::thread::spawn(move || {
                    store.set_ledger_signer(Some(vigil_engine::ledger::signer(
                        NoteSigner::from_skey(&skey).unwrap(),
                        None,
                        Duration::ZERO,
                    )));
                    for i in 0..15 {
                        let mut tx = store.write().unwrap();
                        let id = format!("t{n}-{i}");
                        tx.insert_token(
                            &NewToken {
                                id: &id,
                                name: "load",
                                role: "reader",
                                environments: None,
                                secret_sha256: &vigil_engine::sha256(id.as_bytes()),
                                created_by: None,
                            },
                            T0,
                        )
                        .unwrap();
                        tx.commit().unwrap();
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().unwrap();
        }
        let mut engine = Engine::new(t.reopen());
        let report = engine.verify_ledger(&[key.verifier()]).unwrap();
        assert!(report.ok, "{backend}: {:?}", report.problems);
        assert_eq!(report.leaves, 60, "{backend}");
        let mut tx = engine.store().read().unwrap();
        let indexes: Vec<u64> = tx
            .ledger_leaf_range(0, 100)
            .unwrap()
            .iter()
            .map(|l| l.index)
            .collect();
        assert_eq!(indexes, (0..60).collect::<Vec<u64>>(), "{backend}");
        let latest = tx.latest_checkpoint().unwrap().unwrap();
        assert_eq!(latest.size, 60, "{backend}");
        let text = latest.note.split("\n\n").next().unwrap().to_owned() + "\n";
        assert_eq!(Checkpoint::parse(&text).unwrap().size, 60);
    }
}

#[test]
fn the_log_refuses_to_sign_a_history_that_contradicts_its_checkpoint() {
    for mut w in worlds("ledger_refuse") {
        let backend = w.engine.store().backend();
        add(&mut w, "1.0.0", "4.17.20");
        // Two leaves (the release and its digest), signed. Someone rewrites the stored
        // hash of the subtree over both (level 1, index 0: node 2^48), which the next
        // append builds on: the new tree cannot be signed consistently with the signed
        // checkpoint, so the write is refused whole.
        assert_eq!(w.engine.store().read().unwrap().ledger_size().unwrap(), 2);
        tamper(
            &w.store,
            "UPDATE ledger_nodes SET hash = (SELECT hash FROM ledger_nodes WHERE node = 0)
             WHERE node = 281474976710656",
        );
        let err = w
            .engine
            .deploy(&DeployInput {
                environment: "production",
                release: ReleaseRef::Version {
                    service: "checkout",
                    version: "1.0.0",
                },
                actor: None,
                source: None,
                at: None,
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("refusing to sign"),
            "{backend}: {err}"
        );
        assert!(
            w.engine
                .store()
                .read()
                .unwrap()
                .deployments()
                .unwrap()
                .is_empty(),
            "{backend}: the refused write left a deployment"
        );
    }
}

#[test]
fn commits_sign_at_most_once_per_interval_and_the_rest_on_request() {
    for t in stores("ledger_interval") {
        let backend = t.name();
        let key = NoteSigner::generate("vigil-test").unwrap();
        let mut store = t.reopen();
        store.set_ledger_signer(Some(vigil_engine::ledger::signer(
            key,
            None,
            Duration::from_secs(3600),
        )));
        let mut engine = Engine::new(store);
        for v in ["1.0.0", "1.1.0", "1.2.0"] {
            engine
                .add_release(&ReleaseInput {
                    service: "checkout",
                    version: v,
                    sbom: &sbom("4.17.20"),
                    ..ReleaseInput::default()
                })
                .unwrap();
        }
        let signed = engine.store().read().unwrap().ledger_checkpoints().unwrap();
        assert_eq!(
            signed.len(),
            1,
            "{backend}: the first commit signs, the next wait"
        );
        let size = engine.store().read().unwrap().ledger_size().unwrap();
        assert!(signed[0].size < size, "{backend}");
        // The server's timer (or `vigil ledger checkpoint`) signs the rest.
        let cp = engine.checkpoint().unwrap().unwrap();
        assert_eq!(cp.size, size, "{backend}");
        assert!(
            engine.checkpoint().unwrap().is_none(),
            "{backend}: nothing new to sign"
        );
    }
}

#[test]
fn a_leaf_moved_to_another_subject_is_named() {
    // The subject column is what proofs and bundles look events up by: a row relabelled
    // to hide an event from them is named, though its data is untouched.
    tampered(
        "ledger_relabel",
        "UPDATE ledger_leaves SET subject = 'release/other@9.9.9' WHERE idx = 0",
        |b, r| {
            assert!(
                problems(r).contains(&("edited", Some(0))),
                "{b}: {:?}",
                r.problems
            );
            assert!(!r.own_key, "{b}: a key was given");
        },
    );
}
