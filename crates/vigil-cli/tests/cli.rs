//! The `vigil` binary as users run it: output, JSON and exit codes.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `vigil` with `args` and `stdin`; returns exit code, stdout and stderr.
fn vigil(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigil runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the input");
    let out = child.wait_with_output().expect("vigil exits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// `vigil version cmp ECOSYSTEM A B` prints one symbol and exits 0.
fn cmp(ecosystem: &str, a: &str, b: &str) -> String {
    let (code, out, err) = vigil(&["version", "cmp", ecosystem, a, b], "");
    assert_eq!(code, 0, "stderr: {err}");
    out.trim().to_owned()
}

#[test]
fn cmp_uses_each_ecosystems_rules() {
    assert_eq!(cmp("Debian:12", "1.0~rc1-1", "1.0-1"), "<");
    assert_eq!(cmp("PyPI", "1.0", "1.0.0"), "=");
    assert_eq!(cmp("Maven", "2.17.1", "2.3.1"), ">");
    assert_eq!(cmp("Alpine:v3.19", "3.1.4-r15", "3.1.4-r5"), ">");
    assert_eq!(
        cmp("Red Hat:enterprise_linux:9::appstream", "1:1.0-1", "2.0-1"),
        ">"
    );
    assert_eq!(cmp("npm", "1.0.0-beta.10", "1.0.0-beta.9"), ">");
}

#[test]
fn cmp_json() {
    let (code, out, _) = vigil(
        &[
            "version", "cmp", "PyPI", "1.0rc1", "1.0", "--format", "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(out, @r#"
    {
      "ecosystem": "PyPI",
      "a": "1.0rc1",
      "b": "1.0",
      "result": "<"
    }
    "#);
}

#[test]
fn invalid_version_exits_2_and_names_it() {
    let (code, out, err) = vigil(&["version", "cmp", "PyPI", "1.0", "not a version"], "");
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains(r#"invalid PyPI version "not a version""#),
        "{err}"
    );
}

#[test]
fn unknown_ecosystem_suggests_the_spelling() {
    let (code, _, err) = vigil(&["version", "cmp", "pypi", "1", "2"], "");
    assert_eq!(code, 2);
    insta::assert_snapshot!(err.trim(), @r#"error: unknown ecosystem "pypi": expected an OSV ecosystem name such as PyPI, npm, Maven, Go, crates.io, Debian:12 or Alpine:v3.19 (OSV writes it "PyPI")"#);
}

#[test]
fn usage_error_exits_2() {
    let (code, _, _) = vigil(&["version", "cmp", "PyPI", "1.0"], "");
    assert_eq!(code, 2);
}

#[test]
fn sort_reads_stdin() {
    let (code, out, err) = vigil(
        &["version", "sort", "PyPI"],
        "1.0.post1\n1.0\n\n1.0rc1\n1.0.dev0\n1.0a1\n",
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out, @r"
    1.0.dev0
    1.0a1
    1.0rc1
    1.0
    1.0.post1
    ");
}

#[test]
fn sort_unique_reverse_json() {
    let (code, out, err) = vigil(
        &[
            "version",
            "sort",
            "Maven",
            "--unique",
            "--reverse",
            "--format",
            "json",
        ],
        "1.0\n1.0.0\n1.0-SNAPSHOT\n1-ga\n1.1\n",
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out, @r#"
    {
      "ecosystem": "Maven",
      "versions": [
        "1.1",
        "1.0",
        "1.0-SNAPSHOT"
      ]
    }
    "#);
}

#[test]
fn sort_names_the_bad_line() {
    let (code, _, err) = vigil(&["version", "sort", "npm"], "1.0.0\nbanana\n");
    assert_eq!(code, 2);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains(r#""banana""#), "{err}");
}

#[test]
fn sort_refuses_more_than_max_lines() {
    let (code, _, err) = vigil(
        &["version", "sort", "npm", "--max-lines", "2"],
        "1.0.0\n1.0.1\n1.0.2\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--max-lines"), "{err}");
}

#[test]
fn version_demo_runs() {
    let (code, out, err) = vigil(&["version", "demo"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3.0.9-1 < 3.0.11-1~deb12u1"), "{out}");
    let (code, out, _) = vigil(&["version", "demo", "--format", "json"], "");
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).expect("demo JSON parses");
    assert_eq!(json["histories"].as_array().map(Vec::len), Some(9));
}
