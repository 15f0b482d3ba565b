//! Loading the three real advisory databases, and scanning a 10,000-component SBOM
//! against them once the index is loaded (target: under 100 ms).
//!
//! `VIGIL_CONFORMANCE_DATA=../shared/data cargo bench -p vigil-engine --bench scan`

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use vigil_engine::advisories::{SourceLimits, load};
use vigil_match::Index;
use vigil_purl::Purl;
use vigil_sbom::{Bom, Component, Format};

const DATABASES: [&str; 3] = ["osv-db-go", "osv-db-pypa", "osv-db-rustsec"];

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("VIGIL_CONFORMANCE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.is_dir().then_some(dir)
}

fn load_all(data: &Path) -> (Index, usize) {
    let mut index = Index::new();
    let mut records = 0;
    for db in DATABASES {
        let report = load(
            &data.join(db),
            &mut index,
            &SourceLimits::default(),
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{db}: {e}"));
        records += report.records;
    }
    (index, records)
}

/// A BOM of `n` components shaped like a real portfolio's: every package the advisories
/// name, once, at a version spread so that some are affected and most are not; the rest
/// packages that no advisory names.
fn portfolio_bom(index: &Index, n: usize) -> Bom {
    let versions = [
        "0.1.0", "1.0.0", "1.2.3", "2.0.0", "2.31.0", "3.1.4", "10.0.0",
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut texts = Vec::new();
    for advisory in index.advisories() {
        for affected in &advisory.osv.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            let ty = match package.ecosystem.to_string().as_str() {
                "Go" => "golang",
                "PyPI" => "pypi",
                "crates.io" => "cargo",
                _ => continue,
            };
            if seen.insert((ty, package.name.clone())) {
                let version = versions[texts.len() % versions.len()];
                let v = if ty == "golang" {
                    format!("v{version}")
                } else {
                    version.to_owned()
                };
                texts.push(format!("pkg:{ty}/{}@{v}", package.name.replace(' ', "-")));
            }
        }
    }
    texts.truncate(n);
    let named = texts.len();
    for i in 0..n - named {
        let ty = ["pypi", "cargo", "npm"][i % 3];
        texts.push(format!("pkg:{ty}/unadvised-package-{i}@1.{}.0", i % 50));
    }
    let components = texts
        .iter()
        .filter_map(|t| t.parse::<Purl>().ok())
        .map(|purl| Component {
            name: purl.name().to_owned(),
            version: purl.version().map(str::to_owned),
            purl: Some(purl),
            ..Component::default()
        })
        .collect();
    Bom {
        format: Format::CycloneDxJson,
        spec_version: "1.6".to_owned(),
        serial_number: None,
        subject: None,
        tools: Vec::new(),
        timestamp: None,
        components,
        edges: Vec::new(),
        vulnerabilities: Vec::new(),
        unmatchable: Vec::new(),
        warnings: Vec::new(),
    }
}

fn main() {
    let Some(data) = data_dir() else {
        eprintln!(
            "SKIPPED scan benchmarks: set VIGIL_CONFORMANCE_DATA to the shared data directory"
        );
        return;
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();

    let (index, records) = load_all(&data);
    let mut group = c.benchmark_group("advisories");
    group.throughput(Throughput::Elements(records as u64));
    group.bench_function("load-go-pypa-rustsec", |b| {
        b.iter(|| black_box(load_all(&data).1))
    });
    group.finish();

    let bom = portfolio_bom(&index, 10_000);
    let findings = vigil_match::scan::scan(&index, &bom).findings.len();
    let named = bom
        .components
        .iter()
        .filter(|c| !c.name.starts_with("unadvised-package-"))
        .count();
    eprintln!(
        "scan: {} components ({named} named by an advisory), {} advisories, {findings} findings",
        bom.components.len(),
        index.len()
    );
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(bom.components.len() as u64));
    group.bench_function("10k-components", |b| {
        b.iter(|| black_box(vigil_match::scan::scan(&index, &bom).findings.len()))
    });
    group.finish();
    c.final_summary();
}
