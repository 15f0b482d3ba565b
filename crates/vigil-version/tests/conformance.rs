//! Conformance: every comparison line of osv-scalibr's per-ecosystem version fixtures
//! (generated from the ecosystems' own tools) and osv.dev's Packagist cases must hold.
//!
//! Lines are `A <op> B` with `<op>` one of `<`, `=`, `>`; empty lines and lines starting
//! with `# ` or `// ` are comments.

use std::cmp::Ordering;

use vigil_version::Scheme;

const SEMANTIC: &str = "osv-scalibr-semantic";

fn check(scheme: Scheme, files: &[&str]) {
    let suite = format!("version ordering ({scheme})");
    let Some(dir) = vigil_testkit::conformance_dir(&suite) else {
        return;
    };
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for file in files {
        let text = vigil_testkit::read(&dir, file);
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with("# ") || line.starts_with("// ") {
                continue;
            }
            let parts: Vec<&str> = line.split(' ').collect();
            let [a, op, b] = parts[..] else {
                panic!("{file}:{}: not `A <op> B`: {line:?}", n + 1);
            };
            let expect = match op {
                "<" => Ordering::Less,
                "=" => Ordering::Equal,
                ">" => Ordering::Greater,
                _ => panic!("{file}:{}: unknown operator {op:?}", n + 1),
            };
            checked += 1;
            match scheme.compare(a, b) {
                Ok(got) if got == expect => {}
                Ok(got) => failures.push(format!("{file}:{}: {line}  (got {got:?})", n + 1)),
                Err(e) => failures.push(format!("{file}:{}: {line}  ({e})", n + 1)),
            }
        }
    }
    eprintln!(
        "conformance {scheme}: {checked} comparison lines checked from {}, {} failed",
        files.join(", "),
        failures.len()
    );
    assert!(checked > 0, "no comparison lines found for {scheme}");
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(40).map(String::as_str).collect();
        panic!(
            "{} of {checked} {scheme} comparisons failed; the first ones:\n{}",
            failures.len(),
            shown.join("\n")
        );
    }
}

fn semantic(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("{SEMANTIC}/{n}")).collect()
}

fn run(scheme: Scheme, names: &[&str]) {
    let files = semantic(names);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    check(scheme, &files);
}

#[test]
fn semver() {
    run(Scheme::SemVer, &["semver-versions.txt"]);
}

#[test]
fn npm() {
    run(Scheme::Npm, &["semver-versions.txt"]);
}

#[test]
fn crates_io() {
    run(Scheme::Cargo, &["semver-versions.txt"]);
}

#[test]
fn go() {
    run(Scheme::Go, &["semver-versions.txt"]);
}

#[test]
fn hex() {
    run(Scheme::Hex, &["semver-versions.txt"]);
}

#[test]
fn pub_dev() {
    run(Scheme::Pub, &["pub-versions.txt"]);
}

#[test]
fn nuget() {
    run(Scheme::NuGet, &["nuget-versions.txt"]);
}

#[test]
fn pypi() {
    run(Scheme::PyPI, &["pypi-versions.txt", "pypi-versions-generated.txt"]);
}

#[test]
fn maven() {
    run(Scheme::Maven, &["maven-versions.txt", "maven-versions-generated.txt"]);
}

#[test]
fn rubygems() {
    run(Scheme::RubyGems, &["rubygems-versions.txt", "rubygems-versions-generated.txt"]);
}

#[test]
fn packagist() {
    let files = semantic(&["packagist-versions.txt", "packagist-versions-generated.txt"]);
    let mut files: Vec<&str> = files.iter().map(String::as_str).collect();
    files.push("osv-dev/osv/ecosystems/testdata/packagist_test_cases.txt");
    check(Scheme::Packagist, &files);
}

#[test]
fn debian() {
    run(Scheme::Dpkg, &["debian-versions.txt", "debian-versions-generated.txt"]);
}

#[test]
fn red_hat() {
    run(Scheme::Rpm, &["redhat-versions.txt"]);
}

#[test]
fn alpine() {
    run(Scheme::Apk, &["alpine-versions.txt", "alpine-versions-generated.txt"]);
}

#[test]
fn cran() {
    run(Scheme::Cran, &["cran-versions.txt", "cran-versions-generated.txt"]);
}

#[test]
fn hackage() {
    run(Scheme::Hackage, &["hackage-versions.txt"]);
}
