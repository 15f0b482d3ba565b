//! The examples in `docs/gate.md` are true: its policy and test pass, and its answer is
//! what the default policy gives.
#![allow(clippy::unwrap_used, reason = "tests")]

use vigil_policy::Policy;

fn gate_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/gate.md")).unwrap()
}

/// The fenced blocks of `language` in the document, in order.
fn blocks(doc: &str, language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    doc.split(fence.as_str())
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_policy_and_test_in_the_docs_pass() {
    let rego = blocks(&gate_md(), "rego");
    assert_eq!(rego.len(), 2, "{rego:?}");
    let policy = Policy::from_sources(&[
        ("policy.rego".to_owned(), rego[0].clone()),
        ("policy_test.rego".to_owned(), rego[1].clone()),
    ])
    .unwrap();
    let results = policy.run_tests();
    assert_eq!(results.len(), 1);
    assert!(results[0].passed, "{results:?}");
    let decision = policy
        .evaluate(&serde_json::json!({"release": {"commit": null}, "findings": []}))
        .unwrap();
    assert_eq!(decision.warn[0].message, "the release names no commit");
}

#[test]
fn the_answer_in_the_docs_is_the_default_policys() {
    let doc = gate_md();
    let answer: serde_json::Value = serde_json::from_str(&blocks(&doc, "json")[0]).unwrap();
    // The documented input, with its finding untriaged and known exploited.
    let mut input: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/input.json")).unwrap();
    input["findings"][0]["kev"] = true.into();
    input["findings"][0]["triage"] = serde_json::Value::Null;
    let decision = Policy::builtin().evaluate(&input).unwrap();
    assert_eq!(serde_json::to_value(&decision).unwrap(), answer);
}

#[test]
fn every_example_is_in_the_docs() {
    let doc = gate_md();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/examples");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rego") && !name.ends_with("_test.rego") {
            assert!(
                doc.contains(&format!("| `{name}` |")),
                "{name} is not in docs/gate.md"
            );
        }
    }
}
