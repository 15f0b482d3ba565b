//! Ingest speed: a ≥ 50 MB CycloneDX JSON document built in memory from real BOMs
//! (the components of keycloak-10.0.2 and juice-shop from `cyclonedx-bom-examples`,
//! repeated with distinct bom-refs and purls), read by `vigil_sbom::parse` beside
//! `serde_json::from_slice::<serde_json::Value>` of the same bytes.
//!
//! `VIGIL_CONFORMANCE_DATA=../shared/data cargo bench -p vigil-sbom --bench ingest`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

const TARGET_BYTES: usize = 50 * 1024 * 1024;

/// The document, and how many components it has.
fn document() -> Option<(Vec<u8>, usize)> {
    let dir = vigil_testkit::conformance_dir("sbom-ingest-bench")?;
    let mut templates: Vec<Value> = Vec::new();
    for file in [
        "SBOM/keycloak-10.0.2/bom.json",
        "SBOM/juice-shop/v11.1.2/bom.json",
    ] {
        let text = vigil_testkit::read(&dir, &format!("cyclonedx-bom-examples/{file}"));
        let bom: Value = serde_json::from_str(&text).expect("example BOM is JSON");
        templates.extend(bom["components"].as_array().cloned().unwrap_or_default());
    }
    let template_bytes: usize = templates.iter().map(|c| c.to_string().len()).sum();
    let copies = TARGET_BYTES / template_bytes.max(1) + 1;
    let mut components = Vec::with_capacity(templates.len() * copies);
    let mut dependencies = Vec::new();
    for copy in 0..copies {
        let mut previous: Option<String> = None;
        for (i, t) in templates.iter().enumerate() {
            let mut c = t.clone();
            let bom_ref = format!("ref-{copy}-{i}");
            c["bom-ref"] = json!(bom_ref);
            if let Some(p) = c.get("purl").and_then(Value::as_str) {
                // A distinct, still valid purl: a qualifier naming the copy.
                let sep = if p.contains('?') { '&' } else { '?' };
                c["purl"] = json!(format!("{p}{sep}copy={copy}"));
            }
            if let Some(prev) = previous {
                dependencies.push(json!({"ref": prev, "dependsOn": [bom_ref.clone()]}));
            }
            previous = Some(bom_ref);
            components.push(c);
        }
    }
    let count = components.len();
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"timestamp": "2026-01-01T00:00:00Z", "component": {"type": "application", "name": "bench", "bom-ref": "root"}},
        "components": components,
        "dependencies": dependencies,
    });
    Some((serde_json::to_vec(&doc).expect("serialize"), count))
}

fn ingest(c: &mut Criterion) {
    let Some((bytes, count)) = document() else {
        return;
    };
    eprintln!(
        "ingest bench document: {:.1} MB, {count} components",
        bytes.len() as f64 / 1e6
    );
    let bom = vigil_sbom::parse(&bytes).expect("bench document parses");
    assert_eq!(bom.components.len(), count + 1);

    let mut g = c.benchmark_group("ingest-bytes");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("vigil_sbom::parse", |b| {
        b.iter(|| vigil_sbom::parse(std::hint::black_box(&bytes)).expect("parse"))
    });
    g.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(std::hint::black_box(&bytes)).expect("parse"))
    });
    g.finish();

    let mut g = c.benchmark_group("ingest-components");
    g.sample_size(10);
    g.throughput(Throughput::Elements(count as u64));
    g.bench_function("vigil_sbom::parse", |b| {
        b.iter(|| vigil_sbom::parse(std::hint::black_box(&bytes)).expect("parse"))
    });
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
