//! Parse and compare throughput per scheme, on the versions of the conformance fixtures.
//!
//! `cargo bench -p vigil-version --bench versions` (reads `VIGIL_CONFORMANCE_DATA`, or
//! `../shared/data` beside the repository). `scripts/bench-table` turns the results into
//! the table in BENCHMARKS.md.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use vigil_version::{Scheme, Version};

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("VIGIL_CONFORMANCE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.is_dir().then_some(dir)
}

fn main() {
    let Some(dir) = data_dir() else {
        eprintln!(
            "SKIPPED version benchmarks: set VIGIL_CONFORMANCE_DATA to the shared data directory"
        );
        return;
    };
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for scheme in Scheme::ALL {
        let comparisons = vigil_testkit::read_comparisons(
            &dir,
            vigil_testkit::version_fixture_files(scheme.name()),
        );
        let texts: Vec<String> = comparisons
            .iter()
            .flat_map(|c| [c.a.clone(), c.b.clone()])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let pairs: Result<Vec<(Version, Version)>, _> = comparisons
            .iter()
            .map(|c| Ok::<_, vigil_version::ParseError>((scheme.parse(&c.a)?, scheme.parse(&c.b)?)))
            .collect();
        let pairs = match pairs {
            Ok(pairs) => pairs,
            Err(e) => {
                eprintln!("SKIPPED {scheme}: a fixture version does not parse: {e}");
                continue;
            }
        };

        let mut group = c.benchmark_group(scheme.name());
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.bench_function("parse", |b| {
            b.iter(|| {
                for t in &texts {
                    black_box(scheme.parse(black_box(t)).ok());
                }
            })
        });
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function("compare", |b| {
            b.iter(|| {
                let mut less = 0usize;
                for (x, y) in &pairs {
                    less += usize::from(black_box(x) < black_box(y));
                }
                less
            })
        });
        group.finish();
    }
    c.final_summary();
}
