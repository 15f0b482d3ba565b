//! The store commands as users run them: the demo against its written expectations
//! (demo/expected.md), a release's life through the CLI, the errors and exit codes, and
//! an import killed part way that leaves a consistent store and resumes.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");

/// Runs `vigil` in `cwd`; returns exit code, stdout and stderr.
fn vigil(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .current_dir(cwd)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_DATA_DIR")
        .output()
        .expect("vigil runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// Runs `vigil ... --format json` and parses its output; the command must succeed.
fn json(cwd: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = vigil(cwd, &all);
    assert_eq!(code, 0, "vigil {args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("vigil {args:?}: {e}: {out}"))
}

fn triples(rows: &Value) -> BTreeSet<(String, String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["environment"].as_str().unwrap_or("-").to_owned(),
                format!(
                    "{} {}",
                    r["service"].as_str().unwrap(),
                    r["release"].as_str().unwrap()
                ),
                r["advisory_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn the_demo_shows_what_demo_expected_md_says() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, table, err) = vigil(tmp.path(), &["demo", "--no-serve"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("demo", table);

    let dir = ["--data-dir", "vigil-demo"];
    let exposed = json(tmp.path(), &[&dir[..], &["findings"]].concat());
    // Section 3 of demo/expected.md: the 11 exposures at the final state.
    assert_eq!(
        triples(&exposed),
        set(&[
            ("production", "payments-api 1.4.2", "GHSA-jfh8-c2jp-5v3q"),
            ("production", "payments-api 1.4.2", "GHSA-7rjr-3q55-vv33"),
            ("production", "payments-api 1.4.2", "GHSA-mjmj-j48q-9wg2"),
            ("production", "checkout 2.4.0", "GHSA-qwcr-r2fm-qrc7"),
            ("production", "catalog 3.1.0", "PYSEC-2023-74"),
            ("production", "catalog 3.1.0", "GHSA-h5c8-rqwp-cp95"),
            ("production", "gateway 1.9.0", "GO-2020-0017"),
            ("staging", "payments-api 1.5.0", "GHSA-mjmj-j48q-9wg2"),
            ("staging", "catalog 3.2.0", "GHSA-h5c8-rqwp-cp95"),
            ("staging", "gateway 1.9.0", "GO-2020-0017"),
            ("staging", "search-indexer 0.8.0", "RUSTSEC-2024-0336"),
        ])
    );
    let kev = json(tmp.path(), &[&dir[..], &["findings", "--kev"]].concat());
    let kev: BTreeSet<_> = triples(&kev).into_iter().map(|t| t.2).collect();
    assert_eq!(
        kev,
        BTreeSet::from([
            "GHSA-7rjr-3q55-vv33".to_owned(),
            "GHSA-jfh8-c2jp-5v3q".to_owned()
        ])
    );

    // Section 1: every (release, advisory) pair, deployed or not, and no other.
    let all = json(
        tmp.path(),
        &[&dir[..], &["findings", "--all-releases"]].concat(),
    );
    let pairs: BTreeSet<(String, String)> =
        triples(&all).into_iter().map(|(_, r, a)| (r, a)).collect();
    let expected: BTreeSet<(String, String)> = [
        ("checkout 2.3.0", "GHSA-35jh-r3h4-6jhm"),
        ("checkout 2.3.0", "GHSA-qwcr-r2fm-qrc7"),
        ("checkout 2.4.0", "GHSA-qwcr-r2fm-qrc7"),
        ("payments-api 1.4.2", "GHSA-jfh8-c2jp-5v3q"),
        ("payments-api 1.4.2", "GHSA-7rjr-3q55-vv33"),
        ("payments-api 1.4.2", "GHSA-mjmj-j48q-9wg2"),
        ("payments-api 1.5.0", "GHSA-mjmj-j48q-9wg2"),
        ("catalog 3.1.0", "PYSEC-2023-74"),
        ("catalog 3.1.0", "GHSA-h5c8-rqwp-cp95"),
        ("catalog 3.2.0", "GHSA-h5c8-rqwp-cp95"),
        ("gateway 1.8.0", "GO-2020-0017"),
        ("gateway 1.8.0", "GO-2023-2102"),
        ("gateway 1.9.0", "GO-2020-0017"),
        ("search-indexer 0.7.0", "RUSTSEC-2024-0003"),
        ("search-indexer 0.7.0", "DEBIAN-CVE-2023-4911"),
        ("search-indexer 0.8.0", "RUSTSEC-2024-0336"),
    ]
    .iter()
    .map(|(r, a)| ((*r).to_owned(), (*a).to_owned()))
    .collect();
    assert_eq!(pairs, expected);
    // Two binary packages of one source package: two rows for DEBIAN-CVE-2023-4911.
    let glibc = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["advisory_id"] == "DEBIAN-CVE-2023-4911")
        .count();
    assert_eq!(glibc, 2);

    // KEV through `upstream`, and the undeploy resolved production's search-indexer.
    let report = json(
        tmp.path(),
        &[&dir[..], &["affected", "CVE-2023-4911", "--all-releases"]].concat(),
    );
    assert_eq!(report["advisories"][0]["kev"]["cve_id"], "CVE-2023-4911");
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["resolved_at"] == "2026-02-24T07:55:00Z"),
        "{report}"
    );
    let storefront = json(
        tmp.path(),
        &[&dir[..], &["status", "--app", "storefront"]].concat(),
    );
    let production = &storefront["environments"][0];
    assert_eq!(production["environment"], "production");
    assert_eq!(production["advisories"], 4, "{storefront}");

    // A second run replaces the demo store; a directory that is not one is left alone.
    let (code, _, err) = vigil(tmp.path(), &["demo", "--no-serve", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    std::fs::create_dir(tmp.path().join("mine")).unwrap();
    std::fs::write(tmp.path().join("mine/notes.txt"), "keep").unwrap();
    let (code, _, err) = vigil(tmp.path(), &["demo", "--no-serve", "--dir", "mine"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("mine exists and is not a Vigil demo store"),
        "{err}"
    );
    assert!(tmp.path().join("mine/notes.txt").exists());
}

fn demo_file(relative: &str) -> String {
    PathBuf::from(DEMO).join(relative).display().to_string()
}

#[test]
fn a_release_through_the_cli_from_added_to_resolved() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let init = json(cwd, &["init"]);
    assert_eq!(init["backend"], "SQLite");
    assert!(cwd.join("vigil-data/vigil.db").is_file());

    let advisories = json(
        cwd,
        &["advisories", "import", "-q", &demo_file("advisories")],
    );
    assert_eq!(advisories["stored"], 12);
    let sbom = demo_file("sboms/payments-api-1.4.2.spdx.json");
    let digest = format!("sha256:{}", "1f".repeat(32));
    let added = json(
        cwd,
        &[
            "release",
            "add",
            "--service",
            "payments-api",
            "--version",
            "1.4.2",
            "--sbom",
            &sbom,
            "--digest",
            &digest,
            "--owner",
            "payments",
            "--commit",
            "9fceb02",
        ],
    );
    assert_eq!(added["created"], true);
    assert_eq!(added["findings"], 3);
    let again = json(
        cwd,
        &[
            "release",
            "add",
            "--service",
            "payments-api",
            "--version",
            "1.4.2",
            "--sbom",
            &sbom,
        ],
    );
    assert_eq!(
        again["created"], false,
        "the same SBOM again changes nothing"
    );

    let deployed = json(
        cwd,
        &[
            "deploy",
            "--env",
            "production",
            "--digest",
            &digest,
            "--at",
            "2026-03-01T10:00:00+01:00",
        ],
    );
    assert_eq!(deployed["version"], "1.4.2");
    assert_eq!(deployed["at"], "2026-03-01T09:00:00Z");
    let kev = json(cwd, &["kev", "import", &demo_file("kev.json")]);
    assert_eq!(kev["records"], 3);
    let epss = json(cwd, &["epss", "import", &demo_file("epss.csv")]);
    assert_eq!(epss["records"], 11);
    let affected = json(cwd, &["affected", "CVE-2021-44228"]);
    assert_eq!(affected["advisories"][0]["kev"]["date_added"], "2021-12-10");
    assert!(affected["advisories"][0]["epss"][1].as_f64().unwrap() > 0.9);
    let rows = affected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["environment"], "production");
    assert_eq!(rows[0]["owner"], "payments");
    assert_eq!(
        rows[0]["fixed"], "2.15.0",
        "the fix of the range that matched"
    );
    let critical = json(cwd, &["findings", "--min-severity", "critical"]);
    assert_eq!(critical.as_array().unwrap().len(), 2);
    let kev_only = json(cwd, &["findings", "--kev"]);
    assert_eq!(
        kev_only.as_array().unwrap().len(),
        2,
        "both log4j advisories are in KEV"
    );
    let (code, _, err) = vigil(cwd, &["kev", "import", &demo_file("epss.csv")]);
    assert_eq!(code, 2, "a CSV is not a KEV catalog: {err}");
    let kev_after = json(cwd, &["findings", "--kev"]);
    assert_eq!(
        kev_after, kev_only,
        "a failed import leaves the catalog as it was"
    );

    json(
        cwd,
        &[
            "undeploy",
            "--env",
            "production",
            "--service",
            "payments-api",
        ],
    );
    let affected = json(cwd, &["affected", "GHSA-jfh8-c2jp-5v3q"]);
    assert!(affected["rows"].as_array().unwrap().is_empty());
    let status = json(cwd, &["status"]);
    assert_eq!(status["counts"]["open_findings"], 0);
    assert_eq!(status["counts"]["deployments"], 2);

    json(
        cwd,
        &["app", "add", "payments", "--service", "payments-api"],
    );
    let apps = json(cwd, &["app", "list"]);
    assert_eq!(apps[0]["services"][0], "payments-api");
    let rematch = json(cwd, &["rematch", "-q"]);
    assert_eq!(rematch["advisories"], 12);
    assert_eq!(rematch["new_findings"], 0);
}

#[test]
fn mistakes_exit_2_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let sbom = demo_file("sboms/gateway-1.8.0.cdx.json");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "deploy",
                "--env",
                "prod",
                "--service",
                "gateway",
                "--version",
                "1.8.0",
            ],
            "error: no release gateway 1.8.0; add it first with `vigil release add`",
        ),
        (
            &[
                "release",
                "add",
                "--service",
                "gateway",
                "--version",
                "1.8.0",
                "--sbom",
                "missing.json",
            ],
            "error: reading missing.json",
        ),
        (
            &[
                "release",
                "add",
                "--service",
                "gateway",
                "--version",
                "1.8.0",
                "--sbom",
                &sbom,
                "--digest",
                "sha256:xyz",
            ],
            "error: digest \"sha256:xyz\" is not 64 lower-case hex digits",
        ),
        (
            &[
                "release",
                "add",
                "--service",
                " gateway",
                "--version",
                "1.8.0",
                "--sbom",
                &sbom,
            ],
            "error: the service name \" gateway\" has surrounding spaces or control characters",
        ),
        (
            &[
                "undeploy",
                "--env",
                "prod",
                "--service",
                "gateway",
                "--at",
                "yesterday",
            ],
            "error: --at \"yesterday\" is not an RFC 3339 time",
        ),
        (
            &["affected", "CVE-2021-44228"],
            "error: no advisory has the id or alias CVE-2021-44228; the store has no advisories",
        ),
        (
            &["findings", "--env", "prod"],
            "error: no environment \"prod\"",
        ),
        (
            &["status", "--app", "shop"],
            "error: no application \"shop\"",
        ),
    ];
    for (args, expect) in cases {
        let (code, _, err) = vigil(cwd, args);
        assert_eq!(code, 2, "vigil {args:?}: {err}");
        assert!(
            err.starts_with(expect),
            "vigil {args:?}:\n{err}\nexpected: {expect}"
        );
    }
    let (code, _, err) = vigil(
        cwd,
        &[
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "status",
        ],
    );
    assert_eq!(
        code, 3,
        "an unreachable database is not the user's input: {err}"
    );
    assert!(!err.contains("nobody@"), "the URL is not printed: {err}");
}

/// `count` small OSV records for made-up npm packages, one file each.
fn synthetic_advisories(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..count {
        let json = format!(
            r#"{{"id": "CVE-2026-1{i:05}", "modified": "2026-01-01T00:00:00Z",
  "affected": [{{"package": {{"ecosystem": "npm", "name": "pkg-{}"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "1.{}.0"}}]}}]}}]}}"#,
            i % 700,
            i % 13 + 1
        );
        std::fs::write(dir.join(format!("CVE-2026-1{i:05}.json")), json).unwrap();
    }
}

fn stored_advisories(data: &Path) -> i64 {
    let mut store =
        vigil_store::Store::open(&vigil_store::Location::Sqlite(data.to_owned())).unwrap();
    let mut tx = store.read().unwrap();
    tx.counts().unwrap().advisories
}

#[test]
fn an_import_killed_part_way_leaves_whole_batches_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("osv");
    synthetic_advisories(&source, 6_000);
    let data = tmp.path().join("vigil-data");
    // A release for the advisories to match, so every batch also writes findings.
    let sbom = tmp.path().join("bom.json");
    let components: Vec<String> = (0..700)
        .map(|i| format!(r#"{{"type": "library", "name": "pkg-{i}", "version": "1.0.0", "purl": "pkg:npm/pkg-{i}@1.0.0"}}"#))
        .collect();
    std::fs::write(
        &sbom,
        format!(r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{}]}}"#, components.join(",")),
    )
    .unwrap();
    json(
        tmp.path(),
        &[
            "release",
            "add",
            "--service",
            "s",
            "--version",
            "1",
            "--sbom",
            "bom.json",
        ],
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["advisories", "import", "-q", "osv"])
        .current_dir(tmp.path())
        .env_remove("VIGIL_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once at least one batch is committed and before the last is.
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        seen = stored_advisories(&data);
        if seen > 0 {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    let after_kill = stored_advisories(&data);
    println!(
        "crash test: killed ({status}) with {after_kill} of 6000 advisories committed (first seen {seen})"
    );
    assert_eq!(
        after_kill % 500,
        0,
        "only whole batches are stored: {after_kill}"
    );

    // The store is consistent: its findings are exactly those of the advisories stored.
    let findings = json(tmp.path(), &["findings", "--all-releases"]);
    let ids: BTreeSet<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["advisory_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len() as i64,
        after_kill,
        "one finding per stored advisory"
    );

    // Importing again resumes: stored records are skipped, the rest stored.
    let resumed = json(tmp.path(), &["advisories", "import", "-q", "osv"]);
    assert_eq!(resumed["stored"].as_i64().unwrap(), 6_000 - after_kill);
    assert_eq!(resumed["unchanged"].as_i64().unwrap(), after_kill);
    assert_eq!(stored_advisories(&data), 6_000);
    let findings = json(tmp.path(), &["findings", "--all-releases"]);
    assert_eq!(findings.as_array().unwrap().len(), 6_000);
}

#[test]
fn bench_runs_small_and_reports_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "bench",
            "--scale",
            "1000",
            "--repetitions",
            "2",
            "--format",
            "json",
        ])
        .current_dir(tmp.path())
        .env_remove("VIGIL_CONFORMANCE_DATA")
        .env_remove("VIGIL_BENCH_PG_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["backend"], "SQLite");
    assert_eq!(report["config"]["releases"], 10);
    assert!(
        report["sizes"]["releases"].as_i64().unwrap() >= 10,
        "{report}"
    );
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress.contains("targets:"),
        "the figures go to stderr: {progress}"
    );
}

#[test]
fn diff_of_two_demo_releases() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = vigil(tmp.path(), &["demo", "--no-serve"]);
    assert_eq!(code, 0, "{err}");
    let d = json(
        tmp.path(),
        &[
            "--data-dir",
            "vigil-demo",
            "diff",
            "--service",
            "checkout",
            "2.3.0",
            "2.4.0",
        ],
    );
    // checkout 2.4.0 dropped its two copies of lodash for one, 4.17.21.
    let names = |k: &str| -> Vec<(String, String, String)> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["from"].as_str().unwrap_or("-").to_owned(),
                    c["to"].as_str().unwrap_or("-").to_owned(),
                )
            })
            .collect()
    };
    let t = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(names("added"), [t("lodash", "-", "4.17.21")]);
    assert_eq!(
        names("removed"),
        [t("lodash", "4.17.20", "-"), t("lodash", "4.18.1", "-")]
    );
    assert_eq!(names("upgraded"), [t("checkout", "2.3.0", "2.4.0")]);
    assert_eq!(d["unchanged"], 116);
    let (code, _, err) = vigil(
        tmp.path(),
        &[
            "--data-dir",
            "vigil-demo",
            "diff",
            "--service",
            "checkout",
            "2.3.0",
            "7.0.0",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no release checkout 7.0.0"), "{err}");
}
