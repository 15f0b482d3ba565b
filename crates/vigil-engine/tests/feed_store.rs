//! Feed sync into the store, on every backend: the first sync takes `all.zip` and
//! exposes a running release; the cursor is kept in the store, so the next sync fetches
//! only the listing and the changed record, whose narrower range resolves the finding.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use time::macros::datetime;
use vigil_engine::feed::{FeedConfig, SyncMode};
use vigil_engine::{DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
use vigil_store::testing::stores;

use support::{Bucket, Server};

fn lodash(modified: &str, fixed: &str) -> Vec<u8> {
    format!(
        r#"{{"id": "GHSA-35jh-r3h4-6jhm", "modified": "{modified}", "aliases": ["CVE-2021-23337"],
  "affected": [{{"package": {{"ecosystem": "npm", "name": "lodash"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
    .into_bytes()
}

fn express(modified: &str) -> Vec<u8> {
    format!(
        r#"{{"id": "GHSA-qw6h-vgh9-j6wx", "modified": "{modified}", "aliases": ["CVE-2024-43796"],
  "affected": [{{"package": {{"ecosystem": "npm", "name": "express"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "4.20.0"}}]}}]}}]}}"#
    )
    .into_bytes()
}

const SBOM: &[u8] = br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "components": [{"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}]}"#;

#[test]
fn sync_into_the_store_then_only_what_changed() {
    for t in stores("feed_store") {
        let backend = t.name();
        let mut bucket = Bucket::new();
        bucket.publish_json(
            "npm",
            vec![
                lodash("2024-01-01T00:00:00Z", "4.17.21"),
                express("2024-01-02T00:00:00Z"),
            ],
        );
        let server = Server::start(bucket.root());
        let work = tempfile::tempdir().unwrap();
        let mut config = FeedConfig::new(work.path());
        config.base = server.base.clone();
        config.ecosystems = vec!["npm".into()];
        config.timeout = Duration::from_secs(20);

        let clock = Arc::new(FixedClock::new(datetime!(2026-03-01 09:00 UTC)));
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom: SBOM,
                ..ReleaseInput::default()
            })
            .unwrap();
        engine
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
            .unwrap();

        let (sync, import) = engine.sync_feed(&config, &mut |_| {}).unwrap();
        assert_eq!(sync.ecosystems[0].mode, SyncMode::Full, "{backend}");
        assert_eq!(
            (import.outcome.stored, import.outcome.new_findings),
            (2, 1),
            "{backend}"
        );
        assert_eq!(import.outcome.exposures.len(), 1, "{backend}");
        assert_eq!(
            server.take_hits().keys().collect::<Vec<_>>(),
            ["npm/all.zip"]
        );

        // Another process, the same store: the cursor is there, nothing is new.
        let mut other = Engine::with_clock(t.reopen(), clock.clone());
        let (sync, import) = other.sync_feed(&config, &mut |_| {}).unwrap();
        assert_eq!(
            (sync.ecosystems[0].mode, import.outcome.stored),
            (SyncMode::Incremental, 0),
            "{backend}"
        );
        assert_eq!(
            server.take_hits(),
            BTreeMap::from([("npm/modified_id.csv".to_owned(), 1)])
        );

        // The advisory is corrected: 4.17.20 was never affected.
        bucket.publish_json("npm", vec![lodash("2024-06-01T00:00:00Z", "4.17.20")]);
        clock.set(datetime!(2026-03-02 09:00 UTC));
        let (_, import) = other.sync_feed(&config, &mut |_| {}).unwrap();
        assert_eq!(
            (import.outcome.stored, import.outcome.resolved),
            (1, 1),
            "{backend}"
        );
        assert_eq!(
            server.take_hits(),
            BTreeMap::from([
                ("npm/GHSA-35jh-r3h4-6jhm.json".to_owned(), 1),
                ("npm/modified_id.csv".to_owned(), 1)
            ])
        );
        let report = other.affected("CVE-2021-23337", true, None).unwrap();
        assert!(report.rows.is_empty(), "{backend}: {:?}", report.rows);
        let status = other.status(None).unwrap();
        assert_eq!(status.feeds.len(), 1);
        assert_eq!(
            status.feeds[0].2, "2024-06-01T00:00:00.000000Z",
            "{backend}"
        );
    }
}

#[test]
fn one_document_is_fetched_within_its_limit() {
    let mut bucket = Bucket::new();
    bucket.publish_json("npm", vec![express("2024-01-02T00:00:00Z")]);
    let server = Server::start(bucket.root());
    let url = format!("{}/npm/modified_id.csv", server.base);
    let bytes = vigil_engine::feed::fetch(&url, 1 << 20, Duration::from_secs(20)).unwrap();
    assert_eq!(bytes, b"2024-01-02T00:00:00Z,GHSA-qw6h-vgh9-j6wx\n");
    let err = vigil_engine::feed::fetch(&url, 10, Duration::from_secs(20)).unwrap_err();
    assert!(err.to_string().contains("max_download_bytes"), "{err}");
    let missing = format!("{}/npm/nothing.json", server.base);
    let err = vigil_engine::feed::fetch(&missing, 1 << 20, Duration::from_secs(20)).unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}
