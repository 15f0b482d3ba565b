//! Tree throughput: appending leaves through a `Frontier`, rebuilding a million-leaf
//! `MemoryTree`, planning an inclusion proof in a ten-million-leaf log, and verifying one.
//!
//! `cargo bench -p vigil-ledger --bench ledger`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput};
use vigil_ledger::{Frontier, Hash, MemoryTree, inclusion_plan, leaf_hash, verify_inclusion};

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut g = c.benchmark_group("append");
    g.throughput(Throughput::Elements(1));
    g.bench_function("leaf_hash + Frontier::append", |b| {
        let mut frontier = Frontier::empty();
        let mut completed = Vec::with_capacity(64);
        let mut i = 0u64;
        b.iter(|| {
            completed.clear();
            frontier.append(leaf_hash(&i.to_be_bytes()), &mut completed);
            i += 1;
            black_box(completed.len())
        });
    });
    g.finish();

    let million = leaves(1_000_000);
    let mut g = c.benchmark_group("memory_tree");
    g.sample_size(10);
    g.throughput(Throughput::Elements(million.len() as u64));
    g.bench_function("from_leaf_hashes 1,000,000", |b| {
        b.iter_batched(
            || million.clone(),
            |l| black_box(MemoryTree::from_leaf_hashes(l).size()),
            BatchSize::LargeInput,
        );
    });
    g.finish();

    let mut g = c.benchmark_group("proofs");
    let size = 10_000_000u64;
    let mut index = 0u64;
    g.bench_function("inclusion_plan at size 10,000,000", |b| {
        b.iter(|| {
            index = (index + 7_919) % size;
            black_box(inclusion_plan(index, size).map(|p| p.needs().len()))
        });
    });
    let tree = MemoryTree::from_leaf_hashes(million);
    let size = tree.size();
    let root = tree.root(size).unwrap_or_default();
    let cases: Vec<(u64, Hash, Vec<Hash>)> = (0..64u64)
        .map(|k| {
            let i = k * 15_485 % size;
            let leaf = tree
                .node(vigil_ledger::NodeId { level: 0, index: i })
                .unwrap_or_default();
            (i, leaf, tree.inclusion_proof(i, size).unwrap_or_default())
        })
        .collect();
    let mut k = 0;
    g.bench_function("verify_inclusion at size 1,000,000", |b| {
        b.iter(|| {
            let (i, leaf, proof) = &cases[k % cases.len()];
            k += 1;
            black_box(verify_inclusion(leaf, *i, size, proof, &root).is_ok())
        });
    });
    g.finish();

    // A finding leaf as the store writes it: canonical JSON by the plain path, and by
    // the general RFC 8785 serializer it falls back to.
    let leaf = serde_json::json!({
        "v": 1, "kind": "finding", "time": "2026-03-05T12:00:00Z",
        "subject": "finding/checkout@2.4.0/pkg:npm/lodash@4.17.20/GHSA-35jh-r3h4-6jhm",
        "data": {"service": "checkout", "version": "2.4.0", "purl": "pkg:npm/lodash@4.17.20",
            "advisory": "GHSA-35jh-r3h4-6jhm", "state": "open", "certainty": "affected",
            "fix": "fixed_in", "fixed": "4.17.21", "severity_rank": 3,
            "first_seen": "2026-03-05T12:00:00Z", "first_exposed": "2026-03-05T12:00:00Z",
            "resolved_at": null, "resolution": null},
    });
    let mut g = c.benchmark_group("canonical");
    g.bench_function("a finding leaf, vigil_ledger::canonical::to_vec", |b| {
        b.iter(|| black_box(vigil_ledger::canonical::to_vec(&leaf).map(|v| v.len())))
    });
    g.bench_function("a finding leaf, serde_json_canonicalizer::to_vec", |b| {
        b.iter(|| black_box(serde_json_canonicalizer::to_vec(&leaf).map(|v| v.len())))
    });
    g.finish();
    c.final_summary();
}
