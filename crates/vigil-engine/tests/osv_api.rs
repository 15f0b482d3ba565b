//! The OSV query API (`/v1/query`, `/v1/querybatch`, `/v1/vulns/{id}`) on every backend
//! (SQLite, and PostgreSQL when `VIGIL_TEST_PG_URL` is set), over the records in
//! `fixtures/osv_api`; and conformance: the queries osv-scanner sent to osv.dev (recorded
//! in its test cassettes) answered through `osv_querybatch` from the local advisory
//! databases, against the ids osv.dev returned.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vigil_engine::osv_api::{
    BatchQuery, BatchResponse, ErrorBody, OsvApiError, OsvLimits, Query, QueryResponse,
};
use vigil_engine::{AdvisoryInput, Engine};
use vigil_store::testing::{TestStore, stores};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv_api")
}

/// An engine on each backend with the fixtures imported.
fn engines(test: &str) -> Vec<(Engine, TestStore)> {
    stores(test)
        .into_iter()
        .map(|t| {
            let mut engine = Engine::new(t.reopen());
            let report = engine.import_path(&fixtures(), &mut |_, _| {}).unwrap();
            assert!(report.rejected.is_empty(), "{:?}", report.rejected);
            assert_eq!(report.outcome.stored, 10);
            (engine, t)
        })
        .collect()
}

fn query(body: Value) -> Query {
    Query::from_json(body.to_string().as_bytes()).unwrap()
}

fn answer(engine: &mut Engine, body: Value, limits: &OsvLimits) -> QueryResponse {
    engine
        .osv_query(&query(body.clone()), limits)
        .unwrap_or_else(|e| panic!("{body}: {e}"))
}

fn ids(response: &QueryResponse) -> Vec<String> {
    response
        .vulns
        .iter()
        .map(|raw| {
            let v: Value = serde_json::from_str(raw.get()).unwrap();
            v["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// `POST /v1/query` with `body` answers the records `expect`, in one page.
fn check(engine: &mut Engine, body: Value, expect: &[&str]) {
    let response = answer(engine, body.clone(), &OsvLimits::default());
    assert_eq!(ids(&response), expect, "{body}");
    assert_eq!(response.next_page_token, None, "{body}");
}

/// `POST /v1/query` with `body` is refused as invalid, with a message containing `says`.
fn invalid(engine: &mut Engine, body: Value, says: &str) {
    let err = engine
        .osv_query(&query(body.clone()), &OsvLimits::default())
        .unwrap_err();
    assert_invalid(&err, says, &body.to_string());
}

fn assert_invalid(err: &OsvApiError, says: &str, what: &str) {
    assert!(
        matches!(err, OsvApiError::InvalidArgument(_)),
        "{what}: {err:?}"
    );
    assert_eq!((err.code(), err.http_status()), (3, 400), "{what}");
    let body = err.body();
    assert_eq!(body.code, 3);
    assert!(body.message.contains(says), "{what}: {:?}", body.message);
}

const JINJA_3_1_4: [&str; 2] = ["GHSA-cpwx-vrp4-4pq7", "GHSA-q2x7-8rv6-6q7h"];

#[test]
fn package_and_version() {
    for (mut e, t) in engines("osv_api_package_and_version") {
        let e = &mut e;
        eprintln!("{}", t.name());
        let pypi = |name: &str, version: &str| json!({"package": {"name": name, "ecosystem": "PyPI"}, "version": version});
        check(e, pypi("jinja2", "3.1.4"), &JINJA_3_1_4);
        check(
            e,
            pypi("jinja2", "3.1.3"),
            &[
                "GHSA-cpwx-vrp4-4pq7",
                "GHSA-h75v-3vvj-5mfj",
                "GHSA-q2x7-8rv6-6q7h",
            ],
        );
        check(e, pypi("jinja2", "3.1.6"), &[]);
        // PEP 503 names and PEP 440 versions, as the ecosystem compares them.
        check(e, pypi("Jinja2", "3.1.4.0"), &JINJA_3_1_4);
        check(e, pypi("jinja2", "3.1.6rc1"), &["GHSA-cpwx-vrp4-4pq7"]);
        check(e, pypi("flask", "3.0.0"), &[]);
        let go = |version: &str| json!({"package": {"name": "golang.org/x/net", "ecosystem": "Go"}, "version": version});
        check(e, go("v0.32.0"), &["GO-2024-3333"]);
        check(e, go("0.32.0"), &["GO-2024-3333"]);
        check(e, go("v0.33.0"), &[]);
        let maven = |version: &str| json!({"package": {"name": "org.apache.logging.log4j:log4j-core", "ecosystem": "Maven"}, "version": version});
        check(e, maven("2.14.1"), &["GHSA-jfh8-c2jp-5v3q"]);
        check(e, maven("2.3"), &["GHSA-jfh8-c2jp-5v3q"]);
        check(e, maven("2.12.4"), &[]);
        // osv.dev looks a name without an ecosystem up in every ecosystem.
        check(
            e,
            json!({"package": {"name": "jinja2"}, "version": "3.1.4"}),
            &JINJA_3_1_4,
        );
    }
}

#[test]
fn distribution_releases() {
    for (mut e, _t) in engines("osv_api_distribution_releases") {
        let e = &mut e;
        let openssl = |ecosystem: &str, version: &str| json!({"package": {"name": "openssl", "ecosystem": ecosystem}, "version": version});
        check(e, openssl("Debian:12", "3.0.14-1~deb12u1"), &["DSA-5764-1"]);
        check(e, openssl("Debian:12", "3.0.14-1~deb12u2"), &[]);
        check(e, openssl("Debian:11", "1.1.1w-0+deb11u1"), &["DLA-3942-1"]);
        // Without a release, records of every release answer.
        check(
            e,
            openssl("Debian", "1.1.1w-0+deb11u1"),
            &["DLA-3942-1", "DSA-5764-1"],
        );
        // osv.dev strips Ubuntu's `LTS` and `Pro` variants from records' ecosystems.
        check(
            e,
            openssl("Ubuntu:22.04", "3.0.2-0ubuntu1.17"),
            &["UBUNTU-CVE-2024-6119"],
        );
        check(
            e,
            openssl("Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.17"),
            &["UBUNTU-CVE-2024-6119"],
        );
        check(e, openssl("Ubuntu:22.04", "3.0.2-0ubuntu1.18"), &[]);
        check(
            e,
            openssl("Ubuntu:18.04", "1.1.1-1ubuntu2.1~18.04.23"),
            &["UBUNTU-CVE-2024-6119"],
        );
        check(e, openssl("Ubuntu:20.04", "1.1.1f-1ubuntu2"), &[]);
        // Without a version: the records naming the package in that release.
        check(
            e,
            json!({"package": {"name": "openssl", "ecosystem": "Debian:12"}}),
            &["DSA-5764-1"],
        );
        check(
            e,
            json!({"package": {"name": "openssl", "ecosystem": "Debian"}}),
            &["DLA-3942-1", "DSA-5764-1"],
        );
    }
}

#[test]
fn purls() {
    for (mut e, _t) in engines("osv_api_purls") {
        let e = &mut e;
        let purl = |p: &str| json!({"package": {"purl": p}});
        // osv.dev's own examples.
        check(e, purl("pkg:pypi/jinja2@3.1.4"), &JINJA_3_1_4);
        check(
            e,
            json!({"package": {"purl": "pkg:pypi/jinja2"}, "version": "3.1.4"}),
            &JINJA_3_1_4,
        );
        check(
            e,
            purl("pkg:npm/%40babel/traverse@7.23.0"),
            &["GHSA-67hx-6x53-jw92"],
        );
        check(e, purl("pkg:npm/%40babel/traverse@7.23.2"), &[]);
        check(
            e,
            purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            &["GHSA-jfh8-c2jp-5v3q"],
        );
        check(
            e,
            purl("pkg:golang/golang.org/x/net@v0.30.0"),
            &["GO-2024-3333"],
        );
        check(
            e,
            purl("pkg:deb/debian/openssl@3.0.14-1~deb12u1?arch=amd64&distro=debian-12"),
            &["DSA-5764-1"],
        );
        // Without a version: every record naming the package, as osv.dev answers.
        check(e, purl("pkg:pypi/jinja2"), &{
            let mut all = JINJA_3_1_4.to_vec();
            all.insert(1, "GHSA-h75v-3vvj-5mfj");
            all
        });
        // A type with no OSV ecosystem: nothing, and no error, as osv.dev answers.
        check(e, purl("pkg:generic/openssl@3.0.0"), &[]);
    }
}

#[test]
fn without_version_every_record_naming_the_package() {
    for (mut e, _t) in engines("osv_api_without_version") {
        let e = &mut e;
        check(
            e,
            json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}}),
            &[
                "GHSA-cpwx-vrp4-4pq7",
                "GHSA-h75v-3vvj-5mfj",
                "GHSA-q2x7-8rv6-6q7h",
            ],
        );
        check(
            e,
            json!({"package": {"name": "golang.org/x/net", "ecosystem": "Go"}, "version": ""}),
            &["GO-2024-3333"],
        );
        check(
            e,
            json!({"package": {"name": "jinja2", "ecosystem": "npm"}}),
            &[],
        );
    }
}

#[test]
fn answers_carry_the_stored_records_and_serialize_as_osv_dev_does() {
    for (mut e, _t) in engines("osv_api_answers") {
        let response = answer(
            &mut e,
            json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.4"}),
            &OsvLimits::default(),
        );
        // Each record exactly as stored: one is pretty-printed, one compact.
        for (raw, id) in response.vulns.iter().zip(JINJA_3_1_4) {
            let file = std::fs::read_to_string(fixtures().join(format!("{id}.json"))).unwrap();
            assert_eq!(raw.get(), file.trim_end());
        }
        let text = serde_json::to_string(&response).unwrap();
        assert!(text.starts_with(r#"{"vulns":[{"#), "{text}");
        assert!(!text.contains("next_page_token"));
        // Nothing matches: `{}`, which pip-audit reads as "no vulnerabilities".
        let none = answer(
            &mut e,
            json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.6"}),
            &OsvLimits::default(),
        );
        assert_eq!(serde_json::to_string(&none).unwrap(), "{}");
    }
}

#[test]
fn withdrawn_records_answer_only_by_id() {
    for (mut e, _t) in engines("osv_api_withdrawn") {
        // PYSEC-2024-999 names every jinja2 version, but is withdrawn.
        check(
            &mut e,
            json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.6"}),
            &[],
        );
        let stored = e.osv_vuln("PYSEC-2024-999").unwrap().unwrap();
        let file = std::fs::read(fixtures().join("PYSEC-2024-999.json")).unwrap();
        assert_eq!(stored, file);
    }
}

#[test]
fn vulns_by_id_not_alias() {
    for (mut e, _t) in engines("osv_api_vulns") {
        let stored = e.osv_vuln("GHSA-cpwx-vrp4-4pq7").unwrap().unwrap();
        let file = std::fs::read(fixtures().join("GHSA-cpwx-vrp4-4pq7.json")).unwrap();
        assert_eq!(stored, file);
        assert_eq!(e.osv_vuln("CVE-2025-27516").unwrap(), None);
        assert_eq!(e.osv_vuln("GHSA-0000-0000-0000").unwrap(), None);
        assert_eq!(e.osv_vuln("ghsa-cpwx-vrp4-4pq7").unwrap(), None);
        assert_invalid(&e.osv_vuln("").unwrap_err(), "empty", "empty id");
        assert_invalid(
            &e.osv_vuln(&"X".repeat(5000)).unwrap_err(),
            "longer than",
            "long id",
        );
        let body = ErrorBody::vuln_not_found("CVE-2025-27516");
        assert_eq!(body.code, 5);
        assert!(body.message.contains("not aliases"), "{}", body.message);
    }
}

#[test]
fn batch() {
    for (mut e, _t) in engines("osv_api_batch") {
        // As osv-scanner sends it.
        let body = json!({"queries": [
            {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.4"},
            {"package": {"name": "left-pad", "ecosystem": "npm"}, "version": "1.3.0"},
            {"package": {"name": "golang.org/x/net", "ecosystem": "Go"}, "version": "v0.32.0"},
            {"package": {"purl": "pkg:pypi/jinja2@3.1.3"}},
            {"package": {"name": "openssl", "ecosystem": "Debian:12"}},
        ]});
        let batch = BatchQuery::from_json(body.to_string().as_bytes()).unwrap();
        let response = e.osv_querybatch(&batch, &OsvLimits::default()).unwrap();
        let text = serde_json::to_value(&response).unwrap();
        assert_eq!(
            text,
            json!({"results": [
                {"vulns": [
                    {"id": "GHSA-cpwx-vrp4-4pq7", "modified": "2025-03-05T20:40:14.521346Z"},
                    {"id": "GHSA-q2x7-8rv6-6q7h", "modified": "2025-01-08T16:18:23.125Z"},
                ]},
                {},
                {"vulns": [{"id": "GO-2024-3333", "modified": "2024-12-18T20:39:45Z"}]},
                {"vulns": [
                    {"id": "GHSA-cpwx-vrp4-4pq7", "modified": "2025-03-05T20:40:14.521346Z"},
                    {"id": "GHSA-h75v-3vvj-5mfj", "modified": "2024-05-20T17:58:39Z"},
                    {"id": "GHSA-q2x7-8rv6-6q7h", "modified": "2025-01-08T16:18:23.125Z"},
                ]},
                {"vulns": [{"id": "DSA-5764-1", "modified": "2024-09-04T05:01:03.523789Z"}]},
            ]})
        );
        let back: BatchResponse = serde_json::from_value(text).unwrap();
        assert_eq!(back, response);
        let empty = e
            .osv_querybatch(&BatchQuery::default(), &OsvLimits::default())
            .unwrap();
        assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"results":[]}"#);
    }
}

#[test]
fn pages() {
    for (mut e, _t) in engines("osv_api_pages") {
        let jinja = json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}});
        let all = [
            "GHSA-cpwx-vrp4-4pq7",
            "GHSA-h75v-3vvj-5mfj",
            "GHSA-q2x7-8rv6-6q7h",
        ];
        // By count, then by bytes (a page holds at least one record).
        for limits in [
            OsvLimits {
                page_size: 2,
                ..OsvLimits::default()
            },
            OsvLimits {
                page_bytes: 1,
                ..OsvLimits::default()
            },
        ] {
            let mut got = Vec::new();
            let mut pages = 0;
            let mut body = jinja.clone();
            loop {
                let response = answer(&mut e, body.clone(), &limits);
                pages += 1;
                assert!(!response.vulns.is_empty());
                got.extend(ids(&response));
                match response.next_page_token {
                    Some(token) => body["page_token"] = json!(token),
                    None => break,
                }
            }
            assert_eq!(got, all, "{limits:?}");
            assert_eq!(pages, if limits.page_size == 2 { 2 } else { 3 });
        }
        // A batch pages each query; past `batch_total` ids, pages shrink.
        let limits = OsvLimits {
            batch_page_size: 2,
            batch_total: 2,
            batch_page_size_over_total: 1,
            ..OsvLimits::default()
        };
        let mut batch = BatchQuery {
            queries: vec![query(jinja.clone()); 3],
        };
        let first = e.osv_querybatch(&batch, &limits).unwrap();
        let sizes: Vec<usize> = first.results.iter().map(|r| r.vulns.len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        // osv-scanner sends the queries with a token again, and appends.
        let mut got: Vec<Vec<String>> = first
            .results
            .iter()
            .map(|r| r.vulns.iter().map(|v| v.id.clone()).collect())
            .collect();
        let mut pending: Vec<usize> = (0..3).collect();
        let mut tokens: Vec<Option<String>> = first
            .results
            .iter()
            .map(|r| r.next_page_token.clone())
            .collect();
        while !pending.is_empty() {
            pending.retain(|&i| tokens[i].is_some());
            batch.queries = pending
                .iter()
                .map(|&i| {
                    let mut q = query(jinja.clone());
                    q.page_token.clone_from(&tokens[i]);
                    q
                })
                .collect();
            if batch.queries.is_empty() {
                break;
            }
            let next = e.osv_querybatch(&batch, &limits).unwrap();
            for (&i, r) in pending.iter().zip(&next.results) {
                got[i].extend(r.vulns.iter().map(|v| v.id.clone()));
                tokens[i].clone_from(&r.next_page_token);
            }
        }
        for g in got {
            assert_eq!(g, all);
        }
        invalid(
            &mut e,
            json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "page_token": "not a token"}),
            "page_token",
        );
    }
}

#[test]
fn invalid_requests_say_what_to_fix() {
    for (mut e, _t) in engines("osv_api_invalid") {
        let e = &mut e;
        // osv.dev's own example of an invalid query.
        invalid(
            e,
            json!({"package": {"purl": "pkg:pypi/jinja2@3.1.4"}, "version": "3.1.4"}),
            "version is given twice",
        );
        invalid(
            e,
            json!({"package": {"purl": "pkg:pypi/jinja2", "name": "jinja2"}}),
            "package.name is given with package.purl",
        );
        invalid(
            e,
            json!({"package": {"purl": "pkg:pypi/jinja2", "ecosystem": "PyPI"}}),
            "package.ecosystem is given with package.purl",
        );
        invalid(
            e,
            json!({"package": {"purl": "jinja2@3.1.4"}}),
            "is not a package URL",
        );
        invalid(
            e,
            json!({"package": {"purl": "pkg:maven/log4j-core@2.14.1"}}),
            "namespace",
        );
        invalid(
            e,
            json!({"package": {"name": "jinja2", "ecosystem": "pypi"}, "version": "3.1.4"}),
            r#"unknown ecosystem "pypi": spell it as OSV does"#,
        );
        invalid(
            e,
            json!({"commit": "6879efc2c1596d11a6a6ad296f80063b558d5e0f"}),
            "commit queries are not supported",
        );
        invalid(
            e,
            json!({"package": {"name": "https://github.com/curl/curl.git", "ecosystem": "GIT"}, "version": "8.5.0"}),
            "GIT ecosystem is not supported",
        );
        invalid(e, json!({}), "names no package");
        invalid(e, json!({"version": "3.1.4"}), "names no package");
        invalid(
            e,
            json!({"package": {"ecosystem": "PyPI"}, "version": "3.1.4"}),
            "names no package",
        );
        invalid(
            e,
            json!({"package": {"name": "jinja2"}}),
            "package.ecosystem is needed",
        );
        invalid(
            e,
            json!({"package": {"name": "x".repeat(3000), "ecosystem": "npm"}}),
            "package.name is 3000 bytes long; the limit is 2048",
        );
        // Bodies that are not queries.
        let err = Query::from_json(br#"{"packages": {"name": "jinja2"}}"#).unwrap_err();
        assert_invalid(&err, "unknown field `packages`", "misspelt field");
        let err = BatchQuery::from_json(b"[]").unwrap_err();
        assert_invalid(&err, "not an OSV batch query", "array body");
        // A batch fails as a whole, naming the query at fault.
        let batch = BatchQuery {
            queries: vec![
                query(
                    json!({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.4"}),
                ),
                query(json!({"commit": "17b30e96476be70b8773b2b807bab857fd3ceb39"})),
            ],
        };
        let err = e.osv_querybatch(&batch, &OsvLimits::default()).unwrap_err();
        assert_invalid(&err, "queries[1]: commit queries", "batch");
        let batch = BatchQuery {
            queries: vec![Query::default(); 1001],
        };
        let err = e.osv_querybatch(&batch, &OsvLimits::default()).unwrap_err();
        assert_invalid(
            &err,
            "the batch has 1001 queries; the limit is 1000",
            "1001",
        );
    }
}

#[test]
fn internal_errors_tell_the_client_little() {
    let err = OsvApiError::StoredRecord {
        id: "GHSA-1".into(),
        reason: "line 1: expected value".into(),
    };
    assert_eq!((err.code(), err.http_status()), (13, 500));
    let body = serde_json::to_value(err.body()).unwrap();
    assert_eq!(
        body,
        json!({"code": 13, "message": "internal error; the server log has the details"})
    );
    assert!(err.to_string().contains("GHSA-1"));
}

/// Another process stores a newer version of a record that no longer names a package;
/// an engine that compiled the old one answers from the store's version.
#[test]
fn records_changed_by_another_process() {
    let record = |modified: &str, name: &str, withdrawn: bool| {
        let withdrawn = if withdrawn {
            r#""withdrawn": "2024-03-01T00:00:00Z","#
        } else {
            ""
        };
        let json = format!(
            r#"{{"id": "GHSA-aaaa-bbbb-cccc", "modified": "{modified}", {withdrawn}
            "affected": [{{"package": {{"ecosystem": "npm", "name": "{name}"}},
            "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}]}}]}}]}}"#
        );
        AdvisoryInput {
            osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
            json: json.into_bytes(),
            source: None,
        }
    };
    let npm =
        |name: &str| json!({"package": {"name": name, "ecosystem": "npm"}, "version": "1.0.0"});
    for t in stores("osv_api_other_process") {
        let mut server = Engine::new(t.reopen());
        let mut other = Engine::new(t.reopen());
        other
            .import_advisories(vec![record("2024-01-01T00:00:00Z", "left-pad", false)])
            .unwrap();
        check(&mut server, npm("left-pad"), &["GHSA-aaaa-bbbb-cccc"]);
        other
            .import_advisories(vec![record("2024-02-01T00:00:00Z", "lodash", false)])
            .unwrap();
        check(&mut server, npm("left-pad"), &[]);
        check(&mut server, npm("lodash"), &["GHSA-aaaa-bbbb-cccc"]);
        other
            .import_advisories(vec![record("2024-03-01T00:00:00Z", "lodash", true)])
            .unwrap();
        check(&mut server, npm("lodash"), &[]);
        check(
            &mut server,
            json!({"package": {"name": "lodash", "ecosystem": "npm"}}),
            &[],
        );
    }
}

// ---------------------------------------------------------------------------------------
// Conformance

struct Recorded {
    query: Query,
    expected: BTreeSet<String>,
}

fn recorded(data: &Path) -> Vec<Recorded> {
    let text = vigil_testkit::read(data, "osv-scanner/querybatch-expected.json");
    let doc: Value = serde_json::from_str(&text).expect("querybatch-expected.json parses");
    doc["entries"]
        .as_array()
        .expect("entries is a list")
        .iter()
        .map(|e| Recorded {
            // Every query osv-scanner sent reads as a `Query`.
            query: serde_json::from_value(e["query"].clone())
                .unwrap_or_else(|err| panic!("{}: {err}", e["query"])),
            expected: e["vuln_ids"]
                .as_array()
                .expect("vuln_ids is a list")
                .iter()
                .map(|v| v.as_str().expect("ids are strings").to_owned())
                .collect(),
        })
        .collect()
}

fn ecosystem(q: &Query) -> Option<&str> {
    q.package.as_ref()?.ecosystem.as_deref()
}

/// Answers `queries` through `osv_querybatch` as osv-scanner does: batches of at most
/// 1000, and queries with a `next_page_token` sent again until they have none.
fn querybatch(engine: &mut Engine, queries: &[Query]) -> Vec<BTreeSet<String>> {
    let mut out = vec![BTreeSet::new(); queries.len()];
    for (chunk_at, chunk) in queries.chunks(1000).enumerate() {
        let mut pending: Vec<(usize, Query)> = chunk
            .iter()
            .enumerate()
            .map(|(i, q)| (chunk_at * 1000 + i, q.clone()))
            .collect();
        while !pending.is_empty() {
            let batch = BatchQuery {
                queries: pending.iter().map(|(_, q)| q.clone()).collect(),
            };
            let response = engine
                .osv_querybatch(&batch, &OsvLimits::default())
                .unwrap();
            assert_eq!(response.results.len(), pending.len());
            let mut next = Vec::new();
            for ((i, mut q), result) in pending.into_iter().zip(response.results) {
                out[i].extend(result.vulns.into_iter().map(|v| v.id));
                if let Some(token) = result.next_page_token {
                    q.page_token = Some(token);
                    next.push((i, q));
                }
            }
            pending = next;
        }
    }
    out
}

/// The comparison rules of `querybatch.rs`, through the store: an expected id is met by
/// a record with that id or alias; an expected id no local record has is "not in the
/// snapshot"; a record found that osv.dev returned for no query at all is "newer than
/// the recordings". Go must agree exactly; PyPI and crates.io print their agreement.
#[test]
fn querybatch_agrees_with_osv_dev() {
    let Some(data) = vigil_testkit::conformance_dir("osv.dev API querybatch") else {
        return;
    };
    let all = recorded(&data);
    let t = vigil_store::testing::sqlite("osv_api_conformance");
    let mut engine = Engine::new(t.reopen());
    // PyPA's database is YAML, slow to read in a debug build; it files records by
    // package, so only the folders of the packages queried are imported.
    let pypi: BTreeSet<&str> = all
        .iter()
        .filter(|r| ecosystem(&r.query) == Some("PyPI"))
        .filter_map(|r| r.query.package.as_ref()?.name.as_deref())
        .collect();
    let mut sources = vec![data.join("osv-db-go"), data.join("osv-db-rustsec")];
    sources.extend(
        pypi.iter()
            .map(|name| data.join("osv-db-pypa/vulns").join(name))
            .filter(|dir| dir.is_dir()),
    );
    let mut records = 0;
    for source in &sources {
        let report = engine
            .import_path(source, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        records += report.records;
    }
    eprintln!(
        "conformance osv_api: {records} records of osv-db-go, osv-db-rustsec and {} osv-db-pypa folders",
        sources.len() - 2
    );

    // Vigil has no commit or repository index: such queries are refused, one by one.
    let (unsupported, supported): (Vec<&Recorded>, Vec<&Recorded>) = all
        .iter()
        .partition(|r| r.query.commit.is_some() || ecosystem(&r.query) == Some("GIT"));
    assert!(!unsupported.is_empty());
    for r in &unsupported {
        let err = engine
            .osv_query(&r.query, &OsvLimits::default())
            .unwrap_err();
        assert_invalid(&err, "not supported", &format!("{:?}", r.query));
    }

    let queries: Vec<Query> = supported.iter().map(|r| r.query.clone()).collect();
    let answers = querybatch(&mut engine, &queries);
    let returned_anywhere: BTreeSet<&str> = all
        .iter()
        .flat_map(|r| r.expected.iter().map(String::as_str))
        .collect();
    // Every name a local record goes by: its id and its aliases.
    let mut names = |id: &str| -> BTreeSet<String> {
        let json = engine
            .osv_vuln(id)
            .unwrap()
            .expect("a matched id is stored");
        let record: Value = serde_json::from_slice(&json).unwrap();
        let aliases = record["aliases"].as_array().cloned().unwrap_or_default();
        std::iter::once(id.to_owned())
            .chain(aliases.iter().filter_map(|a| a.as_str().map(str::to_owned)))
            .collect()
    };
    // Whether a local record has this id or alias.
    let mut lookup = t.reopen();
    let mut known = |id: &str| -> bool {
        !lookup
            .read()
            .unwrap()
            .resolve_advisory(id)
            .unwrap()
            .is_empty()
    };
    for (eco, db) in [
        ("Go", "osv-db-go"),
        ("PyPI", "osv-db-pypa"),
        ("crates.io", "osv-db-rustsec"),
    ] {
        let (mut checked, mut agree, mut not_in_snapshot, mut newer) = (0, 0, 0, 0);
        let mut differences = Vec::new();
        for (r, got) in supported.iter().zip(&answers) {
            if ecosystem(&r.query) != Some(eco) {
                continue;
            }
            checked += 1;
            let got_names: BTreeSet<String> = got.iter().flat_map(|g| names(g)).collect();
            let mut missing = Vec::new();
            for e in &r.expected {
                if !known(e) {
                    not_in_snapshot += 1;
                } else if !got_names.contains(e) {
                    missing.push(e.as_str());
                }
            }
            let mut extra = Vec::new();
            for g in got {
                if names(g).iter().any(|n| r.expected.contains(n)) {
                    continue;
                }
                if returned_anywhere.contains(g.as_str()) {
                    extra.push(g.as_str());
                } else {
                    newer += 1;
                }
            }
            if missing.is_empty() && extra.is_empty() {
                agree += 1;
            } else {
                let p = r.query.package.as_ref().unwrap();
                differences.push(format!(
                    "{eco} {}@{}: only osv.dev {missing:?}, only Vigil {extra:?}",
                    p.name.as_deref().unwrap_or_default(),
                    r.query.version.as_deref().unwrap_or_default()
                ));
            }
        }
        eprintln!(
            "conformance osv_api querybatch {eco}: {checked} queries against {db}, {agree} agree; \
             {not_in_snapshot} expected ids not in the snapshot, \
             {newer} matches of records newer than the recordings"
        );
        for d in &differences {
            eprintln!("  differs: {d}");
        }
        if eco == "Go" {
            assert!(checked > 0, "no Go queries in querybatch-expected.json");
            assert!(differences.is_empty(), "Go answers differ from osv.dev's");
        }
    }
    // The store holds only Go, PyPI and crates.io records: no other query meets one.
    for (r, got) in supported.iter().zip(&answers) {
        if !matches!(ecosystem(&r.query), Some("Go" | "PyPI" | "crates.io")) {
            assert!(got.is_empty(), "{:?}: {got:?}", r.query);
        }
    }
}
