//! No input makes a reader panic: every fixture cut short at many points, and fixtures
//! with random bytes changed, are read or refused with an error, in every format.
//! (The fuzz targets in `fuzz/` search further; this runs with every `cargo test`.)

#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

mod support;

use proptest::prelude::*;
use vigil_reports::{Format, Limits};

const FIXTURES: &[&str] = &[
    "zap-2.15-report.json",
    "trivy-0.56-image.json",
    "grype-0.80-image.json",
    "nikto-2.5.json",
    "nikto-2.1.6.json",
    "semgrep-1.187-target.sarif",
    "codeql-2.19-javascript.sarif",
    "sarif-edge-cases.sarif",
    "falco/falco-alerts.ndjson",
    "falco/falcosidekick-array.json",
];

/// Reads `bytes` as every format and as Falco alerts; results are thrown away, and a
/// report that is read has its items within the limit.
fn read_all_ways(bytes: &[u8]) {
    let limits = Limits {
        max_items: 1_000,
        ..Limits::default()
    };
    let _ = vigil_reports::detect(bytes);
    for format in Format::ALL {
        if let Ok(report) = vigil_reports::parse(format, bytes, &limits) {
            assert!(report.items.len() <= 1_000);
            for w in report.weaknesses() {
                assert_eq!(w.fingerprint.value.len(), 64);
            }
        }
    }
    if let Ok(alerts) = vigil_reports::parse_falco(bytes, &limits) {
        for a in alerts {
            assert_eq!(a.uuid.len(), 36);
            let _ = (
                a.container_image_digest(),
                a.k8s_pod_labels(),
                a.container_image(),
            );
        }
    }
}

#[test]
fn truncated_fixtures_never_panic() {
    for name in FIXTURES {
        let bytes = support::fixture(name);
        let step = (bytes.len() / 400).max(1);
        for end in (0..bytes.len()).step_by(step) {
            read_all_ways(&bytes[..end]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = support::fixture(FIXTURES[which]);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        read_all_ways(&bytes);
    }

    #[test]
    fn structural_bytes_never_panic(text in "[\\[\\]{}\":,0-9a-z \\\\n]{0,200}") {
        read_all_ways(text.as_bytes());
    }
}
