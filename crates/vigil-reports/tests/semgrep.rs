//! A real `semgrep` run over `fixtures/semgrep-target/` with the local rules in
//! `fixtures/semgrep-rules.yml`, its SARIF read and checked against what semgrep itself
//! reports in its own JSON output, against the findings the target was written to
//! have, and against the SARIF saved from semgrep 1.187.0 in `fixtures/`.
//!
//! semgrep comes from PyPI (`pip install semgrep==1.187.0`); the test runs the one named
//! by `VIGIL_SEMGREP`, else `semgrep` on the PATH. Without one it prints
//! `SKIPPED semgrep: …` and passes, unless `VIGIL_REQUIRE_SEMGREP=1` (CI), which makes
//! a missing semgrep fail. It runs offline: local rules, `--metrics=off`, no version
//! check.

#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{fixture, fixture_path, summary};
use vigil_reports::{Format, Limits, Location, Severity};

/// The semgrep to run, with its version, or `None` after saying why the test is skipped.
fn semgrep() -> Option<(PathBuf, String)> {
    let required = std::env::var("VIGIL_REQUIRE_SEMGREP").is_ok_and(|v| v == "1");
    let program =
        std::env::var_os("VIGIL_SEMGREP").map_or_else(|| PathBuf::from("semgrep"), PathBuf::from);
    let version = Command::new(&program)
        .arg("--version")
        .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
        .output();
    match version {
        Ok(out) if out.status.success() => Some((
            program,
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        )),
        other => {
            let why = match other {
                Ok(out) => format!(
                    "`{} --version` failed: {}",
                    program.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                Err(e) => format!("cannot run {}: {e}", program.display()),
            };
            assert!(
                !required,
                "VIGIL_REQUIRE_SEMGREP=1 but {why}; install it with `pip install semgrep==1.187.0` or set VIGIL_SEMGREP"
            );
            eprintln!(
                "SKIPPED semgrep: {why}; install it with `pip install semgrep==1.187.0` or set VIGIL_SEMGREP to run this test"
            );
            None
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn semgrep_sarif_is_read_as_semgrep_reports_it() {
    let Some((program, version)) = semgrep() else {
        return;
    };
    // Semgrep skips paths under `tests/` by default and scans only files git tracks,
    // so the target is scanned from a copy outside the repository.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    copy_dir(&fixture_path("semgrep-target"), &target);
    let rules = dir.path().join("rules.yml");
    std::fs::copy(fixture_path("semgrep-rules.yml"), &rules).unwrap();
    let sarif_path = dir.path().join("out.sarif");
    let json_path = dir.path().join("out.json");
    let out = Command::new(&program)
        .current_dir(&target)
        .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
        .env("SEMGREP_SEND_METRICS", "off")
        .arg("scan")
        .arg("--config")
        .arg("../rules.yml")
        .arg("--no-rewrite-rule-ids")
        .arg("--metrics=off")
        .arg("--disable-version-check")
        .arg(format!("--sarif-output={}", sarif_path.display()))
        .arg(format!("--json-output={}", json_path.display()))
        .arg(".")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "semgrep failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let sarif = std::fs::read(&sarif_path).unwrap();
    assert_eq!(vigil_reports::detect(&sarif), Some(Format::Sarif));
    let report = vigil_reports::parse(Format::Sarif, &sarif, &Limits::default()).unwrap();
    assert!(report.tool.name.starts_with("Semgrep"), "{:?}", report.tool);
    assert_eq!(report.tool.version.as_deref(), Some(version.as_str()));

    // What semgrep says it found, in its own JSON.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let semgrep_says: BTreeSet<(String, String, u64, u64)> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check_id"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["col"].as_u64().unwrap(),
            )
        })
        .collect();
    let we_read: BTreeSet<(String, String, u64, u64)> = report
        .weaknesses()
        .map(|w| match &w.location {
            Some(Location::Source {
                uri,
                line: Some(line),
                column: Some(column),
                ..
            }) => (
                w.rule_id.clone(),
                uri.clone(),
                u64::from(*line),
                u64::from(*column),
            ),
            other => panic!("{}: location {other:?}", w.rule_id),
        })
        .collect();
    assert_eq!(we_read, semgrep_says);
    assert_eq!(report.items.len(), semgrep_says.len());

    // What the target was written to contain: one finding per rule, none in safe.py.
    let expected: Vec<(&str, &str, u32, Severity, Vec<u32>)> = vec![
        (
            "js-inner-html",
            "web/render.js",
            3,
            Severity::Medium,
            vec![79],
        ),
        (
            "python-eval-input",
            "app/views.py",
            9,
            Severity::Critical,
            vec![95],
        ),
        (
            "python-subprocess-shell",
            "app/views.py",
            13,
            Severity::Medium,
            vec![78],
        ),
        (
            "python-weak-hash",
            "app/views.py",
            18,
            Severity::Low,
            vec![328],
        ),
    ];
    let mut got: Vec<(&str, &str, u32, Severity, Vec<u32>)> = report
        .weaknesses()
        .map(|w| {
            let Some(Location::Source { uri, line, .. }) = &w.location else {
                unreachable!("checked above")
            };
            (
                w.rule_id.as_str(),
                uri.as_str(),
                line.unwrap(),
                w.severity,
                w.cwe.clone(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);

    // The saved fixture is this same run, as far as what was found goes.
    let saved = vigil_reports::parse(
        Format::Sarif,
        &fixture("semgrep-1.187-target.sarif"),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(summary(&report), summary(&saved));
}
