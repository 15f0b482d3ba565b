//! `Policy::run_tests` finds every `test_*` rule and reports each as `opa test` would:
//! failing tests fail, errors are kept, print output is gathered.
#![allow(clippy::unwrap_used, reason = "tests")]

use vigil_policy::{Policy, TestResult};

const GATE: &str = r#"package vigil.gate

import rego.v1

deny contains "always" if input.deny_everything
"#;

const TESTS: &str = r#"package vigil.gate_test

import rego.v1

import data.vigil.gate

test_passes if count(gate.deny) == 0

test_fails if count(gate.deny) == 1

test_fails_with_input if {
	count(gate.deny) == 0 with input as {"deny_everything": true}
}

test_undefined if input.nothing

test_false := false

test_value := 7

test_errors if {
	x := 1 / 0
	x > 0
}

test_prints if {
	print("checked", count(gate.deny))
}

# Two bodies are one rule: it passes when either holds, as in OPA.
test_two_bodies if false

test_two_bodies if true

# Not tests: another prefix, and a function.
check_not_run if false

test_function(x) := x
"#;

/// `name: pass|FAIL [error] [printed]` for each result.
fn summary(results: &[TestResult]) -> Vec<String> {
    results
        .iter()
        .map(|r| {
            let mut line = format!(
                "{} {}.{}: {}",
                r.file,
                r.package,
                r.name,
                if r.passed { "pass" } else { "FAIL" }
            );
            if let Some(error) = &r.error {
                let last = error.lines().last().unwrap_or_default();
                line.push_str(&format!(" [{last}]"));
            }
            if !r.output.is_empty() {
                line.push_str(&format!(" {:?}", r.output));
            }
            line
        })
        .collect()
}

#[test]
fn each_test_rule_is_run_and_reported() {
    let policy = Policy::from_sources(&[
        ("gate.rego".to_owned(), GATE.to_owned()),
        ("gate_test.rego".to_owned(), TESTS.to_owned()),
    ])
    .unwrap();
    let results = policy.run_tests();
    assert_eq!(
        summary(&results),
        [
            "gate_test.rego vigil.gate_test.test_passes: pass",
            "gate_test.rego vigil.gate_test.test_fails: FAIL",
            "gate_test.rego vigil.gate_test.test_fails_with_input: FAIL",
            "gate_test.rego vigil.gate_test.test_undefined: FAIL",
            "gate_test.rego vigil.gate_test.test_false: FAIL",
            "gate_test.rego vigil.gate_test.test_value: pass",
            "gate_test.rego vigil.gate_test.test_errors: FAIL [error: divide by zero]",
            r#"gate_test.rego vigil.gate_test.test_prints: pass ["gate_test.rego:27: checked 0"]"#,
            "gate_test.rego vigil.gate_test.test_two_bodies: pass",
        ]
    );
    let error = results[6].error.as_deref().unwrap();
    assert!(error.contains("--> gate_test.rego:22:"), "{error}");
}

#[test]
fn a_failing_test_beside_the_default_policy_fails() {
    let failing = r#"package vigil.gate_test.mine

import rego.v1

import data.vigil.gate

# Wrong on purpose: the default policy denies an untriaged critical finding.
test_critical_is_allowed if {
	count(gate.deny) == 0 with input as {
		"environment": {"require_signed": false},
		"findings": [{"advisory": "GHSA-x", "severity": "critical", "kev": false, "triage": null, "package": {"purl": "pkg:npm/a@1.0.0"}}],
	}
}
"#;
    let policy = Policy::from_sources(&[
        (
            "default.rego".to_owned(),
            vigil_policy::DEFAULT_POLICY.to_owned(),
        ),
        ("mine_test.rego".to_owned(), failing.to_owned()),
    ])
    .unwrap();
    assert_eq!(
        summary(&policy.run_tests()),
        ["mine_test.rego vigil.gate_test.mine.test_critical_is_allowed: FAIL"]
    );
}

#[test]
fn a_policy_without_tests_has_no_results() {
    assert_eq!(Policy::builtin().run_tests(), []);
}

#[test]
fn tests_in_a_quoted_package_are_run() {
    let tests = r#"package vigil["gate-tests"]

import rego.v1

test_ok if true
"#;
    let policy = Policy::from_sources(&[
        ("gate.rego".to_owned(), GATE.to_owned()),
        ("t.rego".to_owned(), tests.to_owned()),
    ])
    .unwrap();
    assert_eq!(
        summary(&policy.run_tests()),
        ["t.rego vigil.gate-tests.test_ok: pass"]
    );
}
