//! EPSS parse speed: a generated 300,000-row file in FIRST's format (comment line,
//! header, rows like `CVE-2024-123456,0.00043,0.12345`), plain and gzip-compressed, read
//! by `vigil_intel::parse_epss`. Criterion reports rows/s (`elem/s`).
//!
//! `cargo bench -p vigil-intel --bench epss`

use std::fmt::Write as _;
use std::io::Write as _;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;

const ROWS: usize = 300_000;

fn plain() -> Vec<u8> {
    let mut s = String::with_capacity(ROWS * 36);
    s.push_str("#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000\n");
    s.push_str("cve,epss,percentile\n");
    // A fixed linear congruential sequence: realistic spread of digits, same every run.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..ROWS {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let epss = (x >> 40) as f64 / f64::from(1u32 << 24);
        let pct = (x >> 16 & 0xff_ffff) as f64 / f64::from(1u32 << 24);
        let _ = writeln!(s, "CVE-{}-{:04},{epss:.5},{pct:.5}", 1999 + i % 27, i);
    }
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let plain = plain();
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&plain).expect("in-memory gzip");
    let gz = gz.finish().expect("in-memory gzip");
    let limits = vigil_intel::Limits::default();

    let mut group = c.benchmark_group("epss");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("parse_plain_300k", |b| {
        b.iter(|| {
            let scores = vigil_intel::parse_epss(&plain, &limits).expect("valid");
            assert_eq!(scores.scores.len(), ROWS);
        });
    });
    group.bench_function("parse_gzip_300k", |b| {
        b.iter(|| {
            let scores = vigil_intel::parse_epss(&gz, &limits).expect("valid");
            assert_eq!(scores.scores.len(), ROWS);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
