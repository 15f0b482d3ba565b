//! Every policy under `policies/` compiles and its own Rego tests pass: the default
//! policy alone, the examples together, each example alone, and the whole tree (what
//! `vigil gate test policies` reads).
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vigil_policy::{Policy, TestResult};

fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

/// The `.rego` files directly in `dir`, sorted, as `(path under policies/, text)`.
fn rego_files(dir: &Path) -> Vec<(String, String)> {
    let root = policies_dir();
    let mut files = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rego"))
        .map(|path| {
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect::<Vec<_>>();
    files.sort();
    assert!(!files.is_empty(), "no .rego files in {}", dir.display());
    files
}

/// Builds a policy from `sources`, runs its tests, and fails listing every failure.
fn run(what: &str, sources: &[(String, String)]) -> Vec<TestResult> {
    let policy = Policy::from_sources(sources).unwrap_or_else(|e| panic!("{what}: {e}"));
    let results = policy.run_tests();
    let failed = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "  {} {}.{}: error {:?}, printed {:?}",
                r.file, r.package, r.name, r.error, r.output
            )
        })
        .collect::<Vec<_>>();
    assert!(
        failed.is_empty(),
        "{what}: tests failed:\n{}",
        failed.join("\n")
    );
    println!("{what}: {} tests passed", results.len());
    results
}

/// The files that hold at least one test.
fn files_with_tests(results: &[TestResult]) -> BTreeSet<&str> {
    results.iter().map(|r| r.file.as_str()).collect()
}

/// Every `_test.rego` file among `sources` holds tests that ran.
fn assert_every_test_file_ran(sources: &[(String, String)], results: &[TestResult]) {
    let ran = files_with_tests(results);
    for (name, _) in sources {
        if name.ends_with("_test.rego") {
            assert!(ran.contains(name.as_str()), "no test of {name} ran");
        }
    }
}

#[test]
fn default_policy_alone() {
    let sources = rego_files(&policies_dir());
    let results = run("policies/", &sources);
    assert_every_test_file_ran(&sources, &results);
    assert_eq!(
        files_with_tests(&results),
        BTreeSet::from(["default_test.rego"])
    );
    assert!(results.len() >= 10, "{results:?}");
}

#[test]
fn examples_together() {
    let sources = rego_files(&policies_dir().join("examples"));
    let results = run("policies/examples/", &sources);
    assert_every_test_file_ran(&sources, &results);
}

#[test]
fn each_example_alone_with_its_tests() {
    let sources = rego_files(&policies_dir().join("examples"));
    let policies = sources
        .iter()
        .filter(|(name, _)| !name.ends_with("_test.rego"))
        .collect::<Vec<_>>();
    assert!(policies.len() >= 4, "{policies:?}");
    for (name, text) in policies {
        let test_name = name.replace(".rego", "_test.rego");
        let test = sources
            .iter()
            .find(|(n, _)| *n == test_name)
            .unwrap_or_else(|| panic!("{name} has no {test_name}"));
        assert!(
            text.starts_with("# Example: "),
            "{name} should open with a comment saying what it enforces"
        );
        let pair = [(name.clone(), text.clone()), test.clone()];
        let results = run(name, &pair);
        assert!(results.len() >= 3, "{name}: {results:?}");
        assert_every_test_file_ran(&pair, &results);
    }
}

#[test]
fn the_whole_tree() {
    let mut sources = rego_files(&policies_dir());
    sources.extend(rego_files(&policies_dir().join("examples")));
    let results = run("policies/ and policies/examples/", &sources);
    assert_every_test_file_ran(&sources, &results);
}
