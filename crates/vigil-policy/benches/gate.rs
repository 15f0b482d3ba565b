//! Gate evaluation speed: the default policy, and the default with every example beside
//! it, on an input of 200 findings (a mix of severities, KEV, triage and overdue; 24
//! denied, 19 warned); the conversion of that input to regorus's values alone; building
//! a policy; and the clone of the engine that every evaluation makes.
//!
//! `cargo bench -p vigil-policy --bench gate`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_policy::Policy;

const FINDINGS: usize = 200;

/// A prod input with `n` findings; the same every run.
fn input(n: usize) -> Value {
    let severities = ["critical", "high", "medium", "low", "unrated"];
    let findings = (0..n)
        .map(|i| {
            let triage = match i % 4 {
                0 => Value::Null,
                1 => json!({"status": "under_investigation", "justification": null, "impact": null, "action": null,
                            "reason": null, "actor": "alice", "at": "2026-12-01T09:00:00Z",
                            "expires": null, "scope": "service"}),
                2 => json!({"status": "not_affected", "justification": "vulnerable_code_not_present", "impact": null,
                            "action": null, "reason": "not linked", "actor": "bob",
                            "at": "2026-12-02T09:00:00Z", "expires": null, "scope": "package"}),
                _ => json!({"status": "risk_accepted", "justification": null, "impact": null, "action": null,
                            "reason": "behind the WAF", "actor": "carol", "at": "2026-11-01T09:00:00Z",
                            "expires": "2027-01-15T09:00:00Z", "scope": "service"}),
            };
            json!({
                "advisory": format!("GHSA-{i:04}-bench-0000"),
                "aliases": [format!("CVE-2026-{:05}", 10_000 + i)],
                "summary": "A flaw found for the benchmark",
                "severity": severities[i % 5],
                "severity_score": 9.8 - (i % 5) as f64 * 2.0,
                "kev": i % 23 == 0,
                "epss": if i % 7 == 0 { Value::Null } else { json!((i % 100) as f64 / 100.0) },
                "package": {
                    "purl": format!("pkg:npm/package-{}@1.{}.0", i % 60, i % 9),
                    "ecosystem": "npm",
                    "name": format!("package-{}", i % 60),
                    "version": format!("1.{}.0", i % 9),
                },
                "dependency": if i % 3 == 0 { "direct" } else { "transitive" },
                "certainty": "affected",
                "fix": {"state": "fixed_in", "versions": [format!("1.{}.1", i % 9)]},
                "triage": triage,
                "due": "2026-12-20T09:00:00Z",
                "overdue": i % 11 == 0,
            })
        })
        .collect::<Vec<_>>();
    json!({
        "now": "2026-12-06T10:00:00Z",
        "environment": {"name": "prod", "require_signed": true,
                        "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3}},
        "service": {"name": "checkout", "owner": "payments"},
        "release": {"version": "1.4.2", "commit": "abc123", "sbom_sha256": "00",
                    "digests": ["sha256:00"], "recorded_at": "2026-12-01T09:00:00Z",
                    "signed": true, "signatures": []},
        "findings": findings,
    })
}

/// Every `.rego` file in `policies/` and `policies/examples/`, tests included.
fn all_policies() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies");
    let mut sources = Vec::new();
    for dir in [root.to_owned(), format!("{root}/examples")] {
        for entry in std::fs::read_dir(&dir).expect("policies directory") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "rego") {
                let text = std::fs::read_to_string(&path).expect("policy file");
                sources.push((path.display().to_string(), text));
            }
        }
    }
    sources.sort();
    sources
}

fn bench(c: &mut Criterion) {
    let builtin = Policy::builtin();
    let all = Policy::from_sources(&all_policies()).expect("the policies compile");
    let big = input(FINDINGS);
    let empty = input(0);
    let decision = builtin.evaluate(&big).expect("evaluates");
    assert_eq!((decision.deny.len(), decision.warn.len()), (24, 19));

    let mut group = c.benchmark_group("gate");
    group.bench_function("default, 200 findings", |b| {
        b.iter(|| builtin.evaluate(black_box(&big)).expect("evaluates"));
    });
    group.bench_function("default, no findings", |b| {
        b.iter(|| builtin.evaluate(black_box(&empty)).expect("evaluates"));
    });
    group.bench_function("default and examples, 200 findings", |b| {
        b.iter(|| all.evaluate(black_box(&big)).expect("evaluates"));
    });
    // The part of an evaluation that is not Rego: the serde_json input converted to
    // regorus's values.
    group.bench_function("input conversion alone, 200 findings", |b| {
        b.iter(|| regorus::Value::deserialize(black_box(&big)).expect("converts"));
    });
    group.bench_function("clone of the built policy", |b| {
        b.iter(|| black_box(&builtin).clone());
    });
    let default = [(
        vigil_policy::DEFAULT_POLICY_NAME.to_owned(),
        vigil_policy::DEFAULT_POLICY.to_owned(),
    )];
    group.bench_function("build the default policy", |b| {
        b.iter(|| Policy::from_sources(black_box(&default)).expect("compiles"));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
