//! Report reading speed: the fixtures' items repeated into large documents (a Trivy
//! report of 50,000 vulnerabilities, a CodeQL SARIF of 50,000 results, 20,000 Falco
//! alerts as newline-delimited JSON), read by `vigil_reports`. Criterion reports items/s
//! (`elem/s`).
//!
//! `cargo bench -p vigil-reports --bench reports`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use vigil_reports::{Format, Limits};

const ITEMS: usize = 50_000;
const ALERTS: usize = 20_000;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the fixture exists");
    serde_json::from_slice(&bytes).expect("the fixture is JSON")
}

/// `list` repeated to `n` entries, each copy's `key` made distinct by its index.
fn repeat(list: &[Value], n: usize, vary: impl Fn(&mut Value, usize)) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut v = list[i % list.len()].clone();
            vary(&mut v, i);
            v
        })
        .collect()
}

fn trivy() -> Vec<u8> {
    let mut doc = fixture("trivy-0.56-image.json");
    let vulns: Vec<Value> = doc["Results"]
        .as_array()
        .expect("Results")
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().cloned().unwrap_or_default())
        .collect();
    let many = repeat(&vulns, ITEMS, |v, i| {
        v["VulnerabilityID"] = Value::from(format!("CVE-2024-{i:05}"));
    });
    doc["Results"] = serde_json::json!([{
        "Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm",
        "Vulnerabilities": many
    }]);
    serde_json::to_vec(&doc).expect("serializes")
}

fn sarif() -> Vec<u8> {
    let mut doc = fixture("codeql-2.19-javascript.sarif");
    let results = doc["runs"][0]["results"]
        .as_array()
        .cloned()
        .expect("results");
    let many = repeat(&results, ITEMS, |r, i| {
        r["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(i + 1);
        r["partialFingerprints"]["primaryLocationLineHash"] = Value::from(format!("{i:016x}:1"));
    });
    doc["runs"][0]["results"] = Value::Array(many);
    serde_json::to_vec(&doc).expect("serializes")
}

fn falco() -> Vec<u8> {
    let alert = fixture("falco/falco-0.38-shell-in-container.json");
    let mut out = Vec::new();
    for i in 0..ALERTS {
        let mut a = alert.clone();
        a["output_fields"]["proc.tty"] = Value::from(i);
        out.extend(serde_json::to_vec(&a).expect("serializes"));
        out.push(b'\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    for (name, format, doc) in [
        ("trivy_50k", Format::Trivy, trivy()),
        ("sarif_50k", Format::Sarif, sarif()),
    ] {
        group.throughput(Throughput::Elements(ITEMS as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let report = vigil_reports::parse(format, &doc, &limits).expect("valid");
                assert_eq!(report.items.len(), ITEMS);
            });
        });
    }
    let alerts = falco();
    group.throughput(Throughput::Elements(ALERTS as u64));
    group.bench_function("falco_ndjson_20k", |b| {
        b.iter(|| {
            let read = vigil_reports::parse_falco(&alerts, &limits).expect("valid");
            assert_eq!(read.len(), ALERTS);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
