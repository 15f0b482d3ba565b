//! The built-in default policy on hand-built inputs: exactly the expected reasons.
#![allow(clippy::unwrap_used, reason = "tests")]

use serde_json::{Value, json};
use vigil_policy::{Decision, Policy};

/// The input document of `docs/gate.md`: a signed release in prod with one finding,
/// triaged not_affected.
fn base() -> Value {
    serde_json::from_str(include_str!("fixtures/input.json")).unwrap()
}

/// The base's finding with `changes` merged in (one level deep for objects).
fn finding(changes: Value) -> Value {
    let mut finding = base()["findings"][0].clone();
    merge(&mut finding, changes);
    finding
}

fn merge(target: &mut Value, changes: Value) {
    match (target, changes) {
        (Value::Object(target), Value::Object(changes)) => {
            for (key, value) in changes {
                match target.get_mut(&key) {
                    Some(slot) if slot.is_object() && value.is_object() => merge(slot, value),
                    _ => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, changes) => *target = changes,
    }
}

/// One line per reason: `deny CODE ADVISORY PACKAGE: MESSAGE`, and `allow` or `deny` first.
fn render(decision: &Decision) -> String {
    let mut lines = vec![if decision.allow { "allow" } else { "deny" }.to_owned()];
    for (kind, reasons) in [("deny", &decision.deny), ("warn", &decision.warn)] {
        for r in reasons {
            lines.push(format!(
                "{kind} {} {} {}: {}",
                r.code,
                r.advisory.as_deref().unwrap_or("-"),
                r.package.as_deref().unwrap_or("-"),
                r.message
            ));
        }
    }
    lines.join("\n")
}

/// Evaluates the default policy on the base input with `changes` merged in, and compares
/// the rendered decision with `expect`.
#[track_caller]
fn check(changes: Value, expect: &str) {
    let mut input = base();
    merge(&mut input, changes);
    let decision = Policy::builtin().evaluate(&input).unwrap();
    assert_eq!(decision.allow, decision.deny.is_empty());
    assert_eq!(render(&decision), expect.trim());
}

const CRITICAL_MSG: &str = "GHSA-35jh-r3h4-6jhm in pkg:npm/lodash@4.17.20 (severity critical) is untriaged: upgrade the package or record a triage decision";

#[test]
fn triaged_finding_in_signed_release_is_allowed() {
    check(json!({}), "allow");
}

#[test]
fn no_findings_is_allowed() {
    check(json!({"findings": []}), "allow");
}

#[test]
fn untriaged_critical_is_denied() {
    check(
        json!({"findings": [finding(json!({"severity": "critical", "triage": null}))]}),
        &format!(
            "deny\ndeny untriaged_critical GHSA-35jh-r3h4-6jhm pkg:npm/lodash@4.17.20: {CRITICAL_MSG}"
        ),
    );
}

#[test]
fn critical_under_investigation_is_denied() {
    check(
        json!({"findings": [finding(json!({"severity": "critical", "triage": {"status": "under_investigation"}}))]}),
        &format!(
            "deny\ndeny untriaged_critical GHSA-35jh-r3h4-6jhm pkg:npm/lodash@4.17.20: {CRITICAL_MSG}"
        ),
    );
}

#[test]
fn critical_triaged_affected_is_allowed() {
    check(
        json!({"findings": [finding(json!({"severity": "critical", "triage": {"status": "affected", "action": "upgrade on Monday"}}))]}),
        "allow",
    );
}

#[test]
fn untriaged_high_is_allowed() {
    check(
        json!({"findings": [finding(json!({"triage": null}))]}),
        "allow",
    );
}

#[test]
fn kev_is_denied_once_whatever_its_severity() {
    check(
        json!({"findings": [
            finding(json!({"kev": true, "severity": "critical", "triage": null})),
            finding(json!({"kev": true, "severity": "low", "triage": null, "advisory": "GHSA-p6mc-m468-83gw"})),
        ]}),
        "deny
deny untriaged_kev GHSA-35jh-r3h4-6jhm pkg:npm/lodash@4.17.20: GHSA-35jh-r3h4-6jhm in pkg:npm/lodash@4.17.20 (severity critical) is on CISA's known exploited list and untriaged: upgrade the package or record a triage decision
deny untriaged_kev GHSA-p6mc-m468-83gw pkg:npm/lodash@4.17.20: GHSA-p6mc-m468-83gw in pkg:npm/lodash@4.17.20 (severity low) is on CISA's known exploited list and untriaged: upgrade the package or record a triage decision",
    );
}

#[test]
fn unsigned_release_is_denied_where_required() {
    check(
        json!({"release": {"signed": false, "signatures": []}}),
        "deny
deny unsigned_release - -: release 1.4.2 of checkout has no verified signature or attestation, and environment prod requires one: sign the release and record the signature",
    );
    check(
        json!({"environment": {"name": "dev", "require_signed": false}, "release": {"signed": false}}),
        "allow",
    );
}

#[test]
fn missing_signed_field_is_denied_where_required() {
    let mut input = base();
    input["release"].as_object_mut().unwrap().remove("signed");
    let decision = Policy::builtin().evaluate(&input).unwrap();
    assert_eq!(
        decision
            .deny
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>(),
        ["unsigned_release"]
    );
}

#[test]
fn overdue_finding_warns_without_denying() {
    check(
        json!({"findings": [finding(json!({"triage": null, "due": "2026-12-01T09:00:00Z", "overdue": true}))]}),
        "allow
warn sla_overdue GHSA-35jh-r3h4-6jhm pkg:npm/lodash@4.17.20: GHSA-35jh-r3h4-6jhm in pkg:npm/lodash@4.17.20 (severity high) was due for remediation by 2026-12-01T09:00:00Z",
    );
}

#[test]
fn reasons_are_sorted_by_code_advisory_and_package() {
    let zlib = json!({"purl": "pkg:deb/debian/zlib@1.2.13?distro=debian-12"});
    check(
        json!({
            "release": {"signed": false},
            "findings": [
                finding(json!({"advisory": "GHSA-b", "severity": "critical", "triage": null, "package": zlib})),
                finding(json!({"advisory": "GHSA-b", "severity": "critical", "triage": null})),
                finding(json!({"advisory": "GHSA-a", "severity": "critical", "triage": null, "overdue": true, "due": "2026-12-05T00:00:00Z"})),
                finding(json!({"advisory": "CVE-2026-0001", "kev": true, "triage": null})),
            ]
        }),
        "deny
deny unsigned_release - -: release 1.4.2 of checkout has no verified signature or attestation, and environment prod requires one: sign the release and record the signature
deny untriaged_critical GHSA-a pkg:npm/lodash@4.17.20: GHSA-a in pkg:npm/lodash@4.17.20 (severity critical) is untriaged: upgrade the package or record a triage decision
deny untriaged_critical GHSA-b pkg:deb/debian/zlib@1.2.13?distro=debian-12: GHSA-b in pkg:deb/debian/zlib@1.2.13?distro=debian-12 (severity critical) is untriaged: upgrade the package or record a triage decision
deny untriaged_critical GHSA-b pkg:npm/lodash@4.17.20: GHSA-b in pkg:npm/lodash@4.17.20 (severity critical) is untriaged: upgrade the package or record a triage decision
deny untriaged_kev CVE-2026-0001 pkg:npm/lodash@4.17.20: CVE-2026-0001 in pkg:npm/lodash@4.17.20 (severity high) is on CISA's known exploited list and untriaged: upgrade the package or record a triage decision
warn sla_overdue GHSA-a pkg:npm/lodash@4.17.20: GHSA-a in pkg:npm/lodash@4.17.20 (severity critical) was due for remediation by 2026-12-05T00:00:00Z",
    );
}

#[test]
fn the_builtin_policy_is_the_file_in_policies() {
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/default.rego"
    ))
    .unwrap();
    assert_eq!(vigil_policy::DEFAULT_POLICY, on_disk);
    assert_eq!(
        Policy::builtin().files(),
        [vigil_policy::DEFAULT_POLICY_NAME]
    );
}

#[test]
fn evaluates_from_many_threads_at_once() {
    let policy = Policy::builtin();
    let mut input = base();
    merge(
        &mut input,
        json!({"findings": [finding(json!({"severity": "critical", "triage": null}))]}),
    );
    let expected = policy.evaluate(&input).unwrap();
    assert!(!expected.allow);
    std::thread::scope(|scope| {
        let handles = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    (0..50)
                        .map(|_| policy.evaluate(&input).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect::<Vec<_>>();
        for handle in handles {
            for decision in handle.join().unwrap() {
                assert_eq!(decision, expected);
            }
        }
    });
}
