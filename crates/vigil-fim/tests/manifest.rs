#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]
//! Reading manifests: the fixture reads and writes back, and each impossible manifest
//! is refused with a message that says where and what.

use vigil_fim::{CompareOptions, Limits, Manifest, compare};

const FIXTURE: &str = include_str!("fixtures/manifest.json");

/// Replaces `from` (which must be in the fixture) with `to`, reads the result and
/// expects `error`.
fn check_rejected(from: &str, to: &str, error: &str) {
    assert!(FIXTURE.contains(from), "{from}");
    let json = FIXTURE.replacen(from, to, 1);
    let got = Manifest::from_json(json.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(got.to_string(), error);
}

#[test]
fn the_fixture_reads_and_writes_back_in_canonical_form() {
    let manifest = Manifest::from_json(FIXTURE.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(manifest.root, "/srv/payments-api");
    assert_eq!(manifest.totals().files, 2);
    let json = manifest.to_json();
    let again = Manifest::from_json(&json, &Limits::default()).unwrap();
    assert_eq!(again, manifest);
    assert_eq!(again.to_json(), json);
    let text = String::from_utf8(json).unwrap();
    assert!(text.starts_with(r#"{"format":"vigil-fim-manifest/1","root":"/srv/payments-api","created":"2026-01-05T09:01:00Z","exclude":["logs/**"],"totals":{"entries":6,"files":2,"bytes":21},"entries":[{"path":".","kind":"dir","size":0,"mode":"0755","#), "{text}");
    assert!(compare(&manifest, &again, &CompareOptions { mtime: true }).is_clean());
}

#[test]
fn impossible_manifests_are_refused() {
    check_rejected(
        r#""format": "vigil-fim-manifest/1""#,
        r#""format": "aide""#,
        r#"manifest: format: "aide" is not "vigil-fim-manifest/1""#,
    );
    check_rejected(
        r#""path": "run.sock""#,
        r#""path": "run/x.sock""#,
        "manifest: entries[5] (run/x.sock): its directory, run, has no entry of kind dir",
    );
    check_rejected(
        r#""path": "caf\\xe9""#,
        r#""path": "bin/app/x""#,
        "manifest: entries[3] (bin/app/x): its directory, bin/app, has no entry of kind dir",
    );
    check_rejected(
        r#""path": "current""#,
        r#""path": "a""#,
        "manifest: entries[4] (a): entries are sorted by path and unique, and this comes after caf\\xe9",
    );
    check_rejected(
        r#""path": "current""#,
        r#""path": "caf\\xe9""#,
        "manifest: entries[4] (caf\\xe9): entries are sorted by path and unique, and this comes after caf\\xe9",
    );
    check_rejected(
        r#""bytes": 21"#,
        r#""bytes": 20"#,
        "manifest: totals: Totals { entries: 6, files: 2, bytes: 20 } does not count the entries, which make Totals { entries: 6, files: 2, bytes: 21 }",
    );
    check_rejected(
        r#"{"path": ".", "kind": "dir""#,
        r#"{"path": ".", "kind": "file""#,
        "manifest: entries: the first entry is the root, \".\", a directory",
    );
}

#[test]
fn impossible_entries_are_refused_with_their_line() {
    let cases = [
        (
            r#""path": "bin/app""#,
            r#""path": "bin/../app""#,
            "a relative path has no empty, '.' or '..' component",
        ),
        (
            r#""path": "caf\\xe9""#,
            r#""path": "caf\\xE9""#,
            "not in the escaped form",
        ),
        (
            r#""mode": "4755""#,
            r#""mode": "755""#,
            "a mode is four octal digits",
        ),
        (
            r#""mode": "4755""#,
            r#""mode": 493"#,
            "invalid type: integer `493`, expected a string",
        ),
        (
            r#""sha256": "e3b0"#,
            r#""sha256": "E3B0"#,
            "a SHA-256 digest is 64 lowercase hex digits",
        ),
        (
            r#""target": "bin/app""#,
            r#""target": "bin/ap""#,
            "a symlink's size is the length of its target, 6, not 7",
        ),
        (
            r#""inode": 7}"#,
            r#""inode": 7, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#,
            "sha256 is only on files",
        ),
        (
            r#""kind": "other""#,
            r#""kind": "fifo""#,
            r#"kind "fifo" is none of file, dir, symlink, other"#,
        ),
        (
            r#""mtime": "@400000000000.000000001""#,
            r#""mtime": "@0.000000001""#,
            "not the canonical spelling of this time, 1970-01-01T00:00:00.000000001Z",
        ),
        (
            r#""inode": 2}"#,
            r#""inode": 2, "owner": "root"}"#,
            "unknown field `owner`",
        ),
    ];
    for (from, to, message) in cases {
        assert!(FIXTURE.contains(from), "{from}");
        let json = FIXTURE.replacen(from, to, 1);
        let error = Manifest::from_json(json.as_bytes(), &Limits::default())
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("manifest: line "), "{error}");
        assert!(error.contains(message), "{to}: {error}");
    }
}

#[test]
fn manifest_limits() {
    let small = Limits {
        max_manifest_bytes: 100,
        ..Limits::default()
    };
    let error = Manifest::from_json(FIXTURE.as_bytes(), &small)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("manifest size exceeds the limit Limits::max_manifest_bytes = 100 ("),
        "{error}"
    );
    let few = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let error = Manifest::from_json(FIXTURE.as_bytes(), &few)
        .unwrap_err()
        .to_string();
    assert!(
        error
            .starts_with("number of entries exceeds the limit Limits::max_entries = 5 (6 entries)"),
        "{error}"
    );
    let short = Limits {
        max_path_bytes: 6,
        ..Limits::default()
    };
    let error = Manifest::from_json(FIXTURE.as_bytes(), &short)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "path length exceeds the limit Limits::max_path_bytes = 6 at entries[2] (7 bytes)"
        ),
        "{error}"
    );
}
