//! Conformance: every comparison line of osv-scalibr's per-ecosystem version fixtures
//! (most generated with the ecosystems' own tools) and osv.dev's Packagist cases holds.

use vigil_version::Scheme;

fn check(scheme: Scheme) {
    let Some(dir) = vigil_testkit::conformance_dir(&format!("version ordering ({scheme})")) else {
        return;
    };
    let files = vigil_testkit::version_fixture_files(scheme.name());
    let comparisons = vigil_testkit::read_comparisons(&dir, files);
    let mut failures = Vec::new();
    for c in &comparisons {
        match scheme.compare(&c.a, &c.b) {
            Ok(got) if got == c.expect => {}
            Ok(got) => failures.push(format!(
                "{}: {} {:?} {}  (got {got:?})",
                c.origin, c.a, c.expect, c.b
            )),
            Err(e) => failures.push(format!(
                "{}: {} {:?} {}  ({e})",
                c.origin, c.a, c.expect, c.b
            )),
        }
    }
    eprintln!(
        "conformance {scheme}: {} comparison lines checked from {}, {} failed",
        comparisons.len(),
        files.join(", "),
        failures.len()
    );
    assert!(
        !comparisons.is_empty(),
        "no comparison lines found for {scheme}"
    );
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(40).map(String::as_str).collect();
        panic!(
            "{} of {} {scheme} comparisons failed; the first ones:\n{}",
            failures.len(),
            comparisons.len(),
            shown.join("\n")
        );
    }
}

#[test]
fn semver() {
    check(Scheme::SemVer);
}

#[test]
fn npm() {
    check(Scheme::Npm);
}

#[test]
fn crates_io() {
    check(Scheme::Cargo);
}

#[test]
fn go() {
    check(Scheme::Go);
}

#[test]
fn hex() {
    check(Scheme::Hex);
}

#[test]
fn pub_dev() {
    check(Scheme::Pub);
}

#[test]
fn nuget() {
    check(Scheme::NuGet);
}

#[test]
fn pypi() {
    check(Scheme::PyPI);
}

#[test]
fn maven() {
    check(Scheme::Maven);
}

#[test]
fn rubygems() {
    check(Scheme::RubyGems);
}

#[test]
fn packagist() {
    check(Scheme::Packagist);
}

#[test]
fn debian() {
    check(Scheme::Dpkg);
}

#[test]
fn red_hat() {
    check(Scheme::Rpm);
}

#[test]
fn alpine() {
    check(Scheme::Apk);
}

#[test]
fn cran() {
    check(Scheme::Cran);
}

#[test]
fn hackage() {
    check(Scheme::Hackage);
}
