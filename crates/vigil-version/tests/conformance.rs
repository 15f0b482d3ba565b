//! Conformance: every comparison line of osv-scalibr's per-ecosystem version fixtures
//! (most generated with the ecosystems' own tools) and osv.dev's Packagist cases holds.

use vigil_version::Scheme;

/// Fixture lines that no total order can satisfy, so no exact implementation passes them.
/// Each is checked to still fail, so the list cannot hide a regression elsewhere.
///
/// Packagist: `1.2.3.# = 1.2.3` and `1.2.3.# = 1.2.3.1` together imply `1.2.3 = 1.2.3.1`,
/// while the same data orders a release below the same release with a fourth component
/// (`1.20 < 1.20.1`). PHP's `version_compare` is not transitive around `#`. Vigil treats a
/// lone `#` component as absent, which satisfies the other `#` lines in both files.
///
/// Maven: the generated file lists each package's versions sorted by Maven's own
/// `ComparableVersion`, which is not transitive, and three chains in it close into cycles.
/// Lines 5773-5777 give `2.9.0.RC3 < 2.9.0 < 2.9.0-1 < 2.9.0.RC1 < 2.9.0.RC2`, forcing
/// `RC3 < RC1`; lines 2782-2787 force `1.0.0.RC8-beta < 1.0.0.RC7-3`; line 12642 needs
/// `1.1.0-01-glassfish < 1.1.0`, the opposite of line 5775's `2.9.0 < 2.9.0-1`. In each
/// chain the listed line is the one a sane order breaks (`maven.rs` explains the order).
const CONTRADICTORY: &[(Scheme, &str, &str)] = &[
    (Scheme::Packagist, "1.2.3.#", "1.2.3.1"),
    (Scheme::Maven, "2.9.0-1", "2.9.0.RC1"),
    (Scheme::Maven, "1.0.0-gradle-rework-beta3", "1.0.0.RC7-3"),
    (Scheme::Maven, "1.1.0-01-glassfish", "1.1.0.Beta1"),
];

fn check(scheme: Scheme) {
    let Some(dir) = vigil_testkit::conformance_dir(&format!("version ordering ({scheme})")) else {
        return;
    };
    let files = vigil_testkit::version_fixture_files(scheme.name());
    let comparisons = vigil_testkit::read_comparisons(&dir, files);
    let mut failures = Vec::new();
    let mut contradictory = 0;
    for c in &comparisons {
        if CONTRADICTORY.contains(&(scheme, c.a.as_str(), c.b.as_str())) {
            assert_ne!(
                scheme.compare(&c.a, &c.b).ok(),
                Some(c.expect),
                "{}: listed as contradictory but now holds; remove it from CONTRADICTORY",
                c.origin
            );
            contradictory += 1;
            continue;
        }
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
        "conformance {scheme}: {} comparison lines checked from {}, {} failed, {contradictory} self-contradictory lines excluded",
        comparisons.len() - contradictory,
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
