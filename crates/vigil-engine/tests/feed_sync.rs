//! Feed sync against a real HTTP server: a bucket laid out as osv.dev's exporter writes it
//! (`ecosystems.txt`, `ECOSYSTEM/all.zip`, `ECOSYSTEM/modified_id.csv`, `ECOSYSTEM/ID.json`)
//! is built in a temporary directory and served over HTTP/1.1 on 127.0.0.1 by `tiny_http`,
//! which counts the requests for each path. The sink is an in-memory [`FeedSink`] that
//! keeps the newest copy of each record, as the store does.
//!
//! The small tests use hand-written records; the conformance test serves the Go and
//! RustSec databases from `VIGIL_CONFORMANCE_DATA`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vigil_engine::advisories::{Record, Rejected, SinkError};
use vigil_engine::feed::{self, FeedConfig, FeedError, FeedProgress, FeedSink, SyncMode};

mod support;

use support::{Bucket, Server};

fn hits(paths: &[(&str, usize)]) -> BTreeMap<String, usize> {
    paths.iter().map(|(p, n)| ((*p).to_owned(), *n)).collect()
}

// ---------------------------------------------------------------------------------------
// The sink

/// Keeps the newest copy of each record, as the store does.
#[derive(Default)]
struct MemorySink {
    /// id -> (modified, json, ecosystem)
    held: BTreeMap<String, (OffsetDateTime, Vec<u8>, String)>,
    /// Every record handed over, in order.
    stored: Vec<Record>,
    batches: usize,
    rejected: Vec<(String, Rejected)>,
    cursors: BTreeMap<String, OffsetDateTime>,
    cursor_writes: usize,
    /// Fail when this batch (counted from 1) arrives.
    fail_batch: Option<usize>,
}

impl FeedSink for MemorySink {
    fn cursor(&mut self, ecosystem: &str) -> Result<Option<OffsetDateTime>, SinkError> {
        Ok(self.cursors.get(ecosystem).copied())
    }

    fn records(&mut self, ecosystem: &str, batch: Vec<Record>) -> Result<(), SinkError> {
        self.batches += 1;
        if self.fail_batch == Some(self.batches) {
            return Err("the disk is full".into());
        }
        for record in batch {
            let modified = record.osv.modified.get();
            let id = record.osv.id.as_str().to_owned();
            if self.held.get(&id).is_none_or(|(m, ..)| *m < modified) {
                self.held
                    .insert(id, (modified, record.json.clone(), ecosystem.to_owned()));
            }
            self.stored.push(record);
        }
        Ok(())
    }

    fn rejected(&mut self, ecosystem: &str, rejected: Rejected) {
        self.rejected.push((ecosystem.to_owned(), rejected));
    }

    fn set_cursor(&mut self, ecosystem: &str, cursor: OffsetDateTime) -> Result<(), SinkError> {
        self.cursor_writes += 1;
        self.cursors.insert(ecosystem.to_owned(), cursor);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Running a sync

/// What the progress callback saw.
#[derive(Debug, Default)]
struct Seen {
    started: Vec<(String, SyncMode)>,
    finished: Vec<String>,
    most_bytes: u64,
    last_records: BTreeMap<String, (u64, u64)>,
}

fn config(server: &Server, work: &Path, ecosystems: &[&str]) -> FeedConfig {
    let mut config = FeedConfig::new(work);
    config.base = server.base.clone();
    config.ecosystems = ecosystems.iter().map(|e| (*e).to_owned()).collect();
    config.timeout = Duration::from_secs(20);
    config.batch_size = 100;
    config
}

fn run(config: &FeedConfig, sink: &mut MemorySink) -> (Result<feed::SyncReport, FeedError>, Seen) {
    let mut seen = Seen::default();
    let result = feed::sync(config, sink, &mut |event| match event {
        FeedProgress::Started { ecosystem, mode } => {
            seen.started.push((ecosystem.to_owned(), mode));
        }
        FeedProgress::Downloaded { bytes, .. } => seen.most_bytes = seen.most_bytes.max(bytes),
        FeedProgress::Records {
            ecosystem,
            done,
            total,
        } => {
            seen.last_records
                .insert(ecosystem.to_owned(), (done, total));
        }
        FeedProgress::Finished { ecosystem, report } => {
            assert_eq!(report.ecosystem, ecosystem);
            seen.finished.push(ecosystem.to_owned());
        }
        _ => {}
    });
    (result, seen)
}

fn at(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).expect("test timestamp")
}

/// A Rocky Linux advisory; its id has a `:`, its ecosystem a space.
fn rocky(id: &str, modified: &str, fixed: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"{id}","modified":"{modified}","affected":[{{"package":{{"ecosystem":"Rocky Linux:9","name":"openssl"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    )
    .into_bytes()
}

const ROCKY: &str = "Rocky Linux";

/// A bucket with two valid Rocky Linux records and one invalid one.
fn small_bucket() -> Bucket {
    let mut bucket = Bucket::new();
    bucket.publish_json(
        ROCKY,
        vec![
            rocky("RLSA-2024:0001", "2024-01-01T00:00:00Z", "1:3.0.7-1.el9"),
            rocky("RLSA-2024:0002", "2024-02-01T00:00:00.5Z", "1:3.0.7-2.el9"),
        ],
    );
    bucket.publish(
        ROCKY,
        &[(
            "RLSA-2024:0003",
            "2024-01-15T00:00:00Z",
            br#"{"id":"RLSA-2024:0003","modified":"2024-01-15T00:00:00Z","affected":"openssl"}"#
                .to_vec(),
        )],
    );
    bucket
}

// ---------------------------------------------------------------------------------------
// Tests with hand-written records

#[test]
fn full_then_incremental_then_nothing_new() {
    let mut bucket = small_bucket();
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let config = config(&server, work.path(), &[ROCKY]);
    let mut sink = MemorySink::default();

    // First sync: all.zip, every record, the cursor at the newest.
    let (report, seen) = run(&config, &mut sink);
    let report = report.unwrap();
    let eco = &report.ecosystems[0];
    assert_eq!(
        (eco.mode, eco.stored, eco.rejected, eco.unchanged),
        (SyncMode::Full, 2, 1, 0)
    );
    assert_eq!(eco.previous_cursor, None);
    assert_eq!(eco.cursor, Some(at("2024-02-01T00:00:00.5Z")));
    assert_eq!(sink.cursors[ROCKY], at("2024-02-01T00:00:00.5Z"));
    assert_eq!(
        eco.bytes,
        std::fs::metadata(bucket.file(ROCKY, "all.zip"))
            .unwrap()
            .len()
    );
    assert_eq!(server.take_hits(), hits(&[("Rocky Linux/all.zip", 1)]));
    assert_eq!(
        sink.held["RLSA-2024:0001"].1,
        rocky("RLSA-2024:0001", "2024-01-01T00:00:00Z", "1:3.0.7-1.el9"),
        "the record's bytes are kept as published"
    );
    let (ecosystem, rejected) = &sink.rejected[0];
    assert_eq!(ecosystem, ROCKY);
    assert_eq!(
        rejected.source,
        format!("{}/Rocky%20Linux/all.zip!RLSA-2024:0003.json", server.base)
    );
    assert!(rejected.reason.contains("affected"), "{rejected:?}");
    assert_eq!(seen.started, [(ROCKY.to_owned(), SyncMode::Full)]);
    assert_eq!(seen.finished, [ROCKY]);
    assert_eq!(seen.last_records[ROCKY], (3, 3));
    assert_eq!(seen.most_bytes, eco.bytes);

    // Publish: one record rewritten, one new in the cursor's own second, one whose file
    // holds another id, and a line that is not a listing line.
    bucket.publish_json(
        ROCKY,
        vec![
            rocky("RLSA-2024:0001", "2024-03-01T00:00:00Z", "1:3.0.7-9.el9"),
            rocky("RLSA-2024:0004", "2024-02-01T00:00:00.75Z", "1:3.0.7-4.el9"),
        ],
    );
    bucket.publish(
        ROCKY,
        &[(
            "RLSA-2024:0005",
            "2024-03-02T00:00:00Z",
            rocky("RLSA-2024:0006", "2024-03-02T00:00:00Z", "1"),
        )],
    );
    bucket.add_csv_line(ROCKY, "yesterday,RLSA-2024:0009");
    sink.rejected.clear();
    sink.stored.clear();

    let (report, seen) = run(&config, &mut sink);
    let report = report.unwrap();
    let eco = &report.ecosystems[0];
    assert_eq!(
        (eco.mode, eco.stored, eco.rejected, eco.unchanged),
        (SyncMode::Incremental, 2, 2, 1),
        "0002 is at the cursor, so unchanged; 0003 is older, so never read"
    );
    assert_eq!(eco.previous_cursor, Some(at("2024-02-01T00:00:00.5Z")));
    assert_eq!(eco.cursor, Some(at("2024-03-02T00:00:00Z")));
    assert_eq!(sink.cursors[ROCKY], at("2024-03-02T00:00:00Z"));
    assert_eq!(
        server.take_hits(),
        hits(&[
            ("Rocky Linux/modified_id.csv", 1),
            ("Rocky Linux/RLSA-2024:0001.json", 1),
            ("Rocky Linux/RLSA-2024:0004.json", 1),
            ("Rocky Linux/RLSA-2024:0005.json", 1),
        ])
    );
    let stored: Vec<&str> = sink.stored.iter().map(|r| r.osv.id.as_str()).collect();
    assert_eq!(stored, ["RLSA-2024:0001", "RLSA-2024:0004"]);
    assert_eq!(
        sink.held["RLSA-2024:0001"].0,
        at("2024-03-01T00:00:00Z"),
        "the rewritten record replaced the old one"
    );
    assert_eq!(
        sink.stored[0].source,
        format!("{}/Rocky%20Linux/RLSA-2024%3A0001.json", server.base)
    );
    let reasons: Vec<(&str, &str)> = sink
        .rejected
        .iter()
        .map(|(_, r)| (r.source.as_str(), r.reason.as_str()))
        .collect();
    let csv = format!("{}/Rocky%20Linux/modified_id.csv line 1", server.base);
    let mismatch = format!("{}/Rocky%20Linux/RLSA-2024%3A0005.json", server.base);
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].0, csv);
    assert!(reasons[0].1.contains("\"yesterday\""), "{reasons:?}");
    assert_eq!(reasons[1].0, mismatch);
    assert_eq!(
        reasons[1].1,
        "the record's id is RLSA-2024:0006, not the RLSA-2024:0005 that modified_id.csv lists"
    );
    assert_eq!(seen.last_records[ROCKY], (3, 3));

    // Nothing new: only the listing is fetched, and the cursor is not written.
    let writes = sink.cursor_writes;
    sink.rejected.clear();
    let (report, _) = run(&config, &mut sink);
    let eco = &report.unwrap().ecosystems[0];
    assert_eq!((eco.mode, eco.stored), (SyncMode::Incremental, 0));
    assert_eq!(eco.cursor, Some(at("2024-03-02T00:00:00Z")));
    assert_eq!(sink.cursor_writes, writes);
    assert_eq!(
        server.take_hits(),
        hits(&[("Rocky Linux/modified_id.csv", 1)])
    );
}

#[test]
fn every_ecosystem_listed_is_synced_when_none_is_named() {
    let mut bucket = small_bucket();
    // Records with no ecosystem are exported under `[EMPTY]`.
    bucket.publish_json(
        "[EMPTY]",
        vec![
            br#"{"id":"GHSA-2222-3333-4444","modified":"2024-05-01T00:00:00Z","withdrawn":"2024-05-01T00:00:00Z"}"#
                .to_vec(),
        ],
    );
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let mut sink = MemorySink::default();
    let (report, _) = run(&config(&server, work.path(), &[]), &mut sink);
    let report = report.unwrap();
    let synced: Vec<(&str, usize)> = report
        .ecosystems
        .iter()
        .map(|e| (e.ecosystem.as_str(), e.stored))
        .collect();
    assert_eq!(synced, [("Rocky Linux", 2), ("[EMPTY]", 1)]);
    assert_eq!(sink.cursors["[EMPTY]"], at("2024-05-01T00:00:00Z"));
    assert_eq!(
        server.take_hits(),
        hits(&[
            ("Rocky Linux/all.zip", 1),
            ("[EMPTY]/all.zip", 1),
            ("ecosystems.txt", 1)
        ])
    );
}

#[test]
fn a_corrupt_all_zip_is_an_error_and_the_cursor_stays() {
    let bucket = small_bucket();
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let config = config(&server, work.path(), &[ROCKY]);
    let zip = bucket.file(ROCKY, "all.zip");
    let whole = std::fs::read(&zip).unwrap();
    let url = format!("{}/Rocky%20Linux/all.zip", server.base);
    for broken in [
        &whole[..whole.len() - 30],
        b"<html>Service Unavailable</html>",
    ] {
        std::fs::write(&zip, broken).unwrap();
        let mut sink = MemorySink::default();
        let err = run(&config, &mut sink).0.unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{url}: not a readable zip archive")),
            "{err}"
        );
        assert!(sink.cursors.is_empty());
        assert_eq!(sink.cursor_writes, 0);
        assert!(sink.stored.is_empty());
    }
    // The download's temporary file is gone.
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);
}

#[test]
fn an_oversize_download_stops_at_the_limit() {
    let mut bucket = Bucket::new();
    let records: Vec<Vec<u8>> = (0..50)
        .map(|i| rocky(&format!("RLSA-2024:{i:04}"), "2024-01-01T00:00:00Z", "1"))
        .collect();
    bucket.publish_json(ROCKY, records);
    let size = std::fs::metadata(bucket.file(ROCKY, "all.zip"))
        .unwrap()
        .len();
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let mut config = config(&server, work.path(), &[ROCKY]);
    config.max_download_bytes = size / 2;
    let expected = format!(
        "GET {}/Rocky%20Linux/all.zip: the response is over the limit of {} bytes; \
         raise max_download_bytes to fetch it",
        server.base,
        size / 2
    );
    // With a Content-Length the download is refused before it starts; without one it
    // stops when the limit is passed.
    for chunked in [false, true] {
        server.options.lock().unwrap().chunked = chunked;
        let mut sink = MemorySink::default();
        let (result, seen) = run(&config, &mut sink);
        assert_eq!(
            result.unwrap_err().to_string(),
            expected,
            "chunked: {chunked}"
        );
        assert!(seen.most_bytes <= size / 2, "{seen:?}");
        assert!(sink.stored.is_empty() && sink.cursors.is_empty());
    }
    // The whole archive comes in chunked when the limit allows it.
    config.max_download_bytes = size;
    let mut sink = MemorySink::default();
    let report = run(&config, &mut sink).0.unwrap();
    assert_eq!(report.ecosystems[0].stored, 50);
    assert_eq!(report.ecosystems[0].bytes, size);
}

#[test]
fn a_zip_bomb_entry_stops_at_the_ratio_limit() {
    let mut bucket = small_bucket();
    let mut bomb = rocky("RLSA-2024:9999", "2024-01-01T00:00:00Z", "1");
    bomb.truncate(bomb.len() - 1);
    bomb.extend(br#","details":""#);
    bomb.extend(std::iter::repeat_n(b'a', 900_000));
    bomb.extend(br#""}"#);
    bucket.publish(ROCKY, &[("RLSA-2024:9999", "2024-01-01T00:00:00Z", bomb)]);
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let mut sink = MemorySink::default();
    let err = run(&config(&server, work.path(), &[ROCKY]), &mut sink)
        .0
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "{}/Rocky%20Linux/all.zip!RLSA-2024:9999.json: the compression ratio",
            server.base
        )) && text.ends_with("raise max_compression_ratio to read it"),
        "{text}"
    );
    assert!(sink.cursors.is_empty());
}

#[test]
fn an_unknown_ecosystem_is_named_with_what_the_feed_lists() {
    let bucket = small_bucket();
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let mut sink = MemorySink::default();
    let err = run(&config(&server, work.path(), &["Cargo"]), &mut sink)
        .0
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no such ecosystem in the feed at {}: Cargo; ecosystems.txt lists Rocky Linux",
            server.base
        )
    );
    assert_eq!(
        server.take_hits(),
        hits(&[("Cargo/all.zip", 1), ("ecosystems.txt", 1)])
    );
    let err = run(&config(&server, work.path(), &["Rocky Linux:9"]), &mut sink)
        .0
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("(releases are exported under their ecosystem: sync Rocky Linux)"),
        "{err}"
    );
}

#[test]
fn a_failed_batch_is_fetched_again_next_time() {
    let mut bucket = Bucket::new();
    let records: Vec<Vec<u8>> = (0..5)
        .map(|i| {
            rocky(
                &format!("RLSA-2024:{i:04}"),
                &format!("2024-01-0{}T00:00:00Z", i + 1),
                "1",
            )
        })
        .collect();
    bucket.publish_json(ROCKY, records);
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let mut config = config(&server, work.path(), &[ROCKY]);
    config.batch_size = 2;
    let mut sink = MemorySink {
        fail_batch: Some(2),
        ..MemorySink::default()
    };
    let err = run(&config, &mut sink).0.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Rocky Linux: the sink failed to store records"
    );
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("the disk is full"));
    assert_eq!(sink.stored.len(), 2, "the first batch was stored");
    assert!(sink.cursors.is_empty(), "the cursor did not move");

    // The next sync starts over, and storing again is harmless.
    sink.fail_batch = None;
    let report = run(&config, &mut sink).0.unwrap();
    assert_eq!(report.ecosystems[0].mode, SyncMode::Full);
    assert_eq!(report.ecosystems[0].stored, 5);
    assert_eq!(sink.held.len(), 5);
    assert_eq!(sink.cursors[ROCKY], at("2024-01-05T00:00:00Z"));
}

#[test]
fn http_errors_name_the_url_and_the_status() {
    let bucket = small_bucket();
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    server
        .options
        .lock()
        .unwrap()
        .status
        .insert("Rocky Linux/all.zip".to_owned(), 503);
    let mut sink = MemorySink::default();
    let err = run(&config(&server, work.path(), &[ROCKY]), &mut sink)
        .0
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("GET {}/Rocky%20Linux/all.zip: HTTP 503", server.base)
    );

    // A record that fails with a server error fails the sync, and the cursor stays.
    server.options.lock().unwrap().status.clear();
    run(&config(&server, work.path(), &[ROCKY]), &mut sink)
        .0
        .unwrap();
    let cursor = sink.cursors[ROCKY];
    let mut bucket = bucket;
    bucket.publish_json(
        ROCKY,
        vec![rocky("RLSA-2024:0007", "2024-06-01T00:00:00Z", "1")],
    );
    server
        .options
        .lock()
        .unwrap()
        .status
        .insert("Rocky Linux/RLSA-2024:0007.json".to_owned(), 500);
    let err = run(&config(&server, work.path(), &[ROCKY]), &mut sink)
        .0
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "GET {}/Rocky%20Linux/RLSA-2024%3A0007.json: HTTP 500",
            server.base
        )
    );
    assert_eq!(sink.cursors[ROCKY], cursor);
}

#[test]
fn the_listing_is_read_within_its_limit() {
    let bucket = small_bucket();
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let mut sink = MemorySink::default();
    let mut config = config(&server, work.path(), &[ROCKY]);
    run(&config, &mut sink).0.unwrap();
    config.max_index_bytes = 20;
    for chunked in [false, true] {
        server.options.lock().unwrap().chunked = chunked;
        let err = run(&config, &mut sink).0.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "GET {}/Rocky%20Linux/modified_id.csv: the response is over the limit of 20 \
                 bytes; raise max_index_bytes to fetch it",
                server.base
            )
        );
    }
}

// ---------------------------------------------------------------------------------------
// Conformance: the Go and RustSec databases

/// The records of one database directory: (file name, bytes), sorted.
fn database(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("database directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("database file name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("reading a database record"))
        })
        .collect();
    files.sort();
    files
}

/// The record with its `modified` rewritten.
fn republished(json: &[u8], modified: &str) -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(json).expect("database record is JSON");
    value["modified"] = modified.into();
    serde_json::to_vec_pretty(&value).expect("writing a record")
}

#[test]
fn conformance_go_and_rustsec_feeds() {
    let Some(data) = vigil_testkit::conformance_dir("osv-db-go") else {
        return;
    };
    let sources = [
        ("Go", data.join("osv-db-go/osv")),
        ("crates.io", data.join("osv-db-rustsec/crates")),
    ];
    let mut bucket = Bucket::new();
    // The fastest level keeps building thousands of entries quick in a debug build.
    bucket.compression_level = Some(1);
    let mut expected: BTreeMap<&str, (usize, usize, OffsetDateTime)> = BTreeMap::new();
    let mut published: BTreeMap<&str, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for (ecosystem, dir) in &sources {
        let files = database(dir);
        assert!(!files.is_empty(), "{}: no records", dir.display());
        // What a valid record is, and the newest `modified`, as the OSV loader says.
        let (mut valid, mut invalid) = (0, 0);
        let mut newest = OffsetDateTime::UNIX_EPOCH.replace_year(1).unwrap();
        for (_, json) in &files {
            match vigil_osv::from_json(json) {
                Ok(osv) => {
                    valid += 1;
                    newest = newest.max(osv.modified.get());
                }
                Err(_) => invalid += 1,
            }
        }
        expected.insert(ecosystem, (valid, invalid, newest));
        bucket.publish_json(ecosystem, files.iter().map(|(_, j)| j.clone()).collect());
        published.insert(ecosystem, files);
    }
    let server = Server::start(bucket.root());
    let work = tempfile::tempdir().unwrap();
    let config = config(&server, work.path(), &[]);
    let mut sink = MemorySink::default();

    // First sync: every record of both databases from their all.zip.
    let (report, seen) = run(&config, &mut sink);
    let report = report.unwrap();
    for eco in &report.ecosystems {
        let (valid, invalid, newest) = expected[eco.ecosystem.as_str()];
        assert_eq!(eco.mode, SyncMode::Full);
        assert_eq!((eco.stored, eco.rejected), (valid, invalid), "{eco:?}");
        assert_eq!(eco.cursor, Some(newest), "{}", eco.ecosystem);
        assert_eq!(sink.cursors[&eco.ecosystem], newest);
        let (done, total) = seen.last_records[&eco.ecosystem];
        assert_eq!((done, total), (total, (valid + invalid) as u64));
    }
    assert_eq!(
        server.take_hits(),
        hits(&[
            ("Go/all.zip", 1),
            ("crates.io/all.zip", 1),
            ("ecosystems.txt", 1)
        ])
    );
    for (ecosystem, files) in &published {
        for (name, json) in files {
            let id = name.trim_end_matches(".json");
            if let Some((_, held, eco)) = sink.held.get(id) {
                assert_eq!(held, json, "{id}: stored as published");
                assert_eq!(eco, ecosystem);
            } else {
                assert!(
                    sink.rejected
                        .iter()
                        .any(|(_, r)| r.source.ends_with(name.as_str())),
                    "{id} was neither stored nor rejected"
                );
            }
        }
    }
    let first_rejected = sink.rejected.len();
    let first_stored = sink.stored.len();

    // Publish a few rewritten records; the next sync fetches exactly those.
    let picks: [(&str, &[usize]); 2] = [("Go", &[0, 1000, 4000]), ("crates.io", &[7, 700])];
    let mut changed = Vec::new();
    for (ecosystem, indexes) in picks {
        let mut records = Vec::new();
        for (n, &i) in indexes.iter().enumerate() {
            let (name, json) = &published[ecosystem][i];
            let modified = format!("2030-01-01T00:00:0{n}Z");
            records.push(republished(json, &modified));
            changed.push((ecosystem, name.clone(), modified));
        }
        bucket.publish_json(ecosystem, records);
    }
    sink.stored.clear();
    let report = run(&config, &mut sink).0.unwrap();
    let mut want: Vec<(String, usize)> = vec![
        ("Go/modified_id.csv".to_owned(), 1),
        ("crates.io/modified_id.csv".to_owned(), 1),
        ("ecosystems.txt".to_owned(), 1),
    ];
    want.extend(
        changed
            .iter()
            .map(|(e, name, _)| (format!("{e}/{name}"), 1)),
    );
    assert_eq!(server.take_hits(), want.into_iter().collect());
    for eco in &report.ecosystems {
        let count = changed.iter().filter(|c| c.0 == eco.ecosystem).count();
        assert_eq!(
            (eco.mode, eco.stored, eco.rejected),
            (SyncMode::Incremental, count, 0),
            "{eco:?}"
        );
        let newest = format!("2030-01-01T00:00:0{}Z", count - 1);
        assert_eq!(eco.cursor, Some(at(&newest)));
    }
    for (_, name, modified) in &changed {
        let id = name.trim_end_matches(".json");
        assert_eq!(sink.held[id].0, at(modified), "{id} was replaced");
    }
    assert_eq!(sink.stored.len(), changed.len());

    // Nothing new: only the listings.
    let mut named = config.clone();
    named.ecosystems = vec!["Go".to_owned(), "crates.io".to_owned()];
    let report = run(&named, &mut sink).0.unwrap();
    assert!(report.ecosystems.iter().all(|e| e.stored == 0));
    assert_eq!(
        server.take_hits(),
        hits(&[("Go/modified_id.csv", 1), ("crates.io/modified_id.csv", 1)])
    );

    println!(
        "conformance feed sync: {} records served as all.zip for Go and crates.io, {} stored, \
         {} rejected; {} republished records fetched alone by the incremental sync; a sync \
         with nothing new fetched only the two listings",
        published.values().map(Vec::len).sum::<usize>(),
        first_stored,
        first_rejected,
        changed.len()
    );
    for (ecosystem, rejected) in sink.rejected.iter().take(10) {
        println!(
            "  rejected ({ecosystem}) {}: {}",
            rejected.source, rejected.reason
        );
    }
}
