//! `vigil scan` on SBOMs made by real producers (syft, trivy), against advisories the
//! tests write: findings, source-package matching, SARIF, gates and errors.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vigil-sbom/tests/fixtures")
        .join(name)
}

/// A directory with one OSV record per `(id, ecosystem, package, introduced, fixed)`.
fn advisories(records: &[(&str, &str, &str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (id, ecosystem, package, introduced, fixed) in records {
        let record = serde_json::json!({
            "id": id,
            "modified": "2024-06-01T00:00:00Z",
            "aliases": [format!("CVE-2024-{}", id.len())],
            "summary": format!("{package} is vulnerable"),
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{
                "package": {"ecosystem": ecosystem, "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": introduced}, {"fixed": fixed}]}]
            }]
        });
        std::fs::write(dir.path().join(format!("{id}.json")), record.to_string())
            .expect("record written");
    }
    dir
}

fn scan(sbom: &Path, advisories: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("scan")
        .arg(sbom)
        .arg("--advisories")
        .arg(advisories)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("vigil runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_findings(sbom: &str, dir: &Path) -> Vec<serde_json::Value> {
    let (code, out, err) = scan(&fixture(sbom), dir, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    report["findings"].as_array().cloned().unwrap_or_default()
}

/// Debian advisories name source packages: bsdutils is built from util-linux, cpp from
/// gcc-defaults. syft and trivy record that differently; both must match.
#[test]
fn os_packages_match_on_their_source_package() {
    let dir = advisories(&[
        (
            "DLA-0001-1",
            "Debian:12",
            "util-linux",
            "0",
            "2.38.1-5+deb12u1",
        ),
        ("DLA-0002-1", "Debian:12", "gcc-defaults", "0", "1.206"),
        (
            "DLA-0003-1",
            "Debian:11",
            "util-linux",
            "0",
            "2.38.1-5+deb12u1",
        ),
    ]);
    for sbom in [
        "syft-debian.cdx.json",
        "trivy-debian.cdx.json",
        "syft-debian.spdx.json",
    ] {
        let findings = json_findings(sbom, dir.path());
        let got: Vec<(String, String, String)> = findings
            .iter()
            .map(|f| {
                (
                    f["advisory"].as_str().unwrap_or("").to_owned(),
                    f["package"].as_str().unwrap_or("").to_owned(),
                    f["version"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert!(
            got.contains(&("DLA-0001-1".into(), "util-linux".into(), "2.38.1-5".into())),
            "{sbom}: {got:?}"
        );
        assert!(
            got.iter()
                .any(|(a, p, _)| a == "DLA-0002-1" && p == "gcc-defaults"),
            "{sbom}: {got:?}"
        );
        // An advisory for another Debian release does not apply.
        assert!(
            !got.iter().any(|(a, _, _)| a == "DLA-0003-1"),
            "{sbom}: {got:?}"
        );
        assert!(findings.iter().all(|f| f["via_source"] == true), "{sbom}");
        // The installed binary is named beside the source package it was matched as.
        let util_linux = findings.iter().find(|f| f["package"] == "util-linux");
        assert_eq!(
            util_linux.and_then(|f| f["installed"].as_str()),
            Some("bsdutils 1:2.38.1-5+b1"),
            "{sbom}"
        );
    }
}

#[test]
fn table_gate_and_sarif() {
    let dir = advisories(&[(
        "RUSTSEC-2021-0003",
        "crates.io",
        "smallvec",
        "0.6.3",
        "1.6.1",
    )]);
    let sbom = fixture("trivy-project.cdx.json");

    let (code, out, _) = scan(&sbom, dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(out.contains("crates.io/smallvec  1.6.0"), "{out}");
    assert!(out.contains("critical 9.8"), "{out}");
    assert!(out.contains("1.6.1"), "{out}");

    assert_eq!(scan(&sbom, dir.path(), &["--fail-on", "critical"]).0, 1);
    let none = advisories(&[]);
    assert_eq!(scan(&sbom, none.path(), &["--fail-on", "low"]).0, 0);

    let (code, out, _) = scan(&sbom, dir.path(), &["--format", "sarif"]);
    assert_eq!(code, 0);
    let sarif: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["results"][0]["ruleId"], "RUSTSEC-2021-0003");
    assert_eq!(run["results"][0]["level"], "error");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["properties"]["security-severity"],
        "9.8"
    );
    assert!(
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("trivy-project.cdx.json"))
    );
}

#[test]
fn bad_inputs_exit_2_and_say_what() {
    let dir = advisories(&[]);
    let not_sbom = dir.path().join("notes.txt");
    std::fs::write(&not_sbom, "hello").expect("file written");
    let (code, _, err) = scan(&not_sbom, dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("reading SBOM"), "{err}");

    let (code, _, err) = scan(
        &fixture("trivy-project.cdx.json"),
        Path::new("/nonexistent"),
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /nonexistent"), "{err}");
}
