//! Test support shared by every crate: where the conformance data is, and what to do
//! when it is not there.
//!
//! Conformance suites read other projects' test data from the directory named by
//! `VIGIL_CONFORMANCE_DATA`. Without it a suite prints why it is skipped and passes, so a
//! plain `cargo test` works anywhere; with `VIGIL_REQUIRE_CONFORMANCE=1` (set by CI) a
//! missing directory or file fails the suite instead, so CI cannot skip one silently.

use std::path::{Path, PathBuf};

/// The conformance data directory, or `None` after printing why the calling suite is
/// skipped.
///
/// # Panics
/// When `VIGIL_REQUIRE_CONFORMANCE=1` and the data is missing.
pub fn conformance_dir(suite: &str) -> Option<PathBuf> {
    let required = std::env::var("VIGIL_REQUIRE_CONFORMANCE").is_ok_and(|v| v == "1");
    match std::env::var_os("VIGIL_CONFORMANCE_DATA") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.is_dir(),
                "VIGIL_CONFORMANCE_DATA={} is not a directory",
                dir.display()
            );
            Some(dir)
        }
        None if required => {
            panic!(
                "conformance suite {suite}: VIGIL_REQUIRE_CONFORMANCE=1 but VIGIL_CONFORMANCE_DATA is not set"
            )
        }
        None => {
            eprintln!(
                "SKIPPED conformance suite {suite}: set VIGIL_CONFORMANCE_DATA to the shared data directory (../shared/data) to run it"
            );
            None
        }
    }
}

/// Reads a conformance file, with the path in the panic message when it is missing.
pub fn read(dir: &Path, relative: &str) -> String {
    let path = dir.join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading conformance file {}: {e}", path.display()))
}

/// The version-ordering fixtures for each scheme (by `Scheme::name`), as paths under the
/// conformance directory: osv-scalibr's per-ecosystem files, mapped to ecosystems as its
/// own test does, plus osv.dev's Packagist cases.
pub fn version_fixture_files(scheme: &str) -> &'static [&'static str] {
    macro_rules! files {
        ($($f:literal),*) => { &[$(concat!("osv-scalibr-semantic/", $f)),*] };
    }
    match scheme {
        "SemVer" | "npm" | "crates.io" | "Go" | "Hex" => files!("semver-versions.txt"),
        "Pub" => files!("pub-versions.txt"),
        "NuGet" => files!("nuget-versions.txt"),
        "PyPI" => files!("pypi-versions.txt", "pypi-versions-generated.txt"),
        "Maven" => files!("maven-versions.txt", "maven-versions-generated.txt"),
        "RubyGems" => files!("rubygems-versions.txt", "rubygems-versions-generated.txt"),
        "Packagist" => &[
            "osv-scalibr-semantic/packagist-versions.txt",
            "osv-scalibr-semantic/packagist-versions-generated.txt",
            "osv-dev/osv/ecosystems/testdata/packagist_test_cases.txt",
        ],
        "dpkg" => files!("debian-versions.txt", "debian-versions-generated.txt"),
        "RPM" => files!("redhat-versions.txt"),
        "apk" => files!("alpine-versions.txt", "alpine-versions-generated.txt"),
        "CRAN" => files!("cran-versions.txt", "cran-versions-generated.txt"),
        "Hackage" => files!("hackage-versions.txt"),
        _ => &[],
    }
}

/// One `A <op> B` line of a version-ordering fixture.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub expect: std::cmp::Ordering,
    /// `file:line`, for messages.
    pub origin: String,
}

/// Reads every comparison line of `files`. Empty lines and lines starting with `# ` or
/// `// ` are comments.
///
/// # Panics
/// On a line that is not `A <op> B`: the fixture format is part of the contract.
pub fn read_comparisons(dir: &Path, files: &[&str]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for file in files {
        let text = read(dir, file);
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with("# ") || line.starts_with("// ") {
                continue;
            }
            let origin = format!("{file}:{}", n + 1);
            let parts: Vec<&str> = line.split(' ').collect();
            let [a, op, b] = parts[..] else {
                panic!("{origin}: not `A <op> B`: {line:?}");
            };
            let expect = match op {
                "<" => std::cmp::Ordering::Less,
                "=" => std::cmp::Ordering::Equal,
                ">" => std::cmp::Ordering::Greater,
                _ => panic!("{origin}: unknown operator {op:?}"),
            };
            out.push(Comparison {
                a: a.to_owned(),
                b: b.to_owned(),
                expect,
                origin,
            });
        }
    }
    out
}
