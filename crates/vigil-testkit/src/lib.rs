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
            panic!("conformance suite {suite}: VIGIL_REQUIRE_CONFORMANCE=1 but VIGIL_CONFORMANCE_DATA is not set")
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
