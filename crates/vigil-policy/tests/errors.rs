//! Bad policies and bad inputs give errors that say which file, line or rule, and what to
//! do.
#![allow(clippy::unwrap_used, reason = "tests")]

use serde_json::json;
use vigil_policy::{Error, Policy, Reason};

fn sources(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
        .collect()
}

/// The error of building a policy from `files`.
fn build_error(files: &[(&str, &str)]) -> Error {
    Policy::from_sources(&sources(files)).unwrap_err()
}

/// A policy of one file in package vigil.gate with `rules` after the header.
fn gate(rules: &str) -> Policy {
    let text = format!("package vigil.gate\n\nimport rego.v1\n\n{rules}\n");
    Policy::from_sources(&sources(&[("gate.rego", &text)])).unwrap()
}

/// The error of evaluating a one-file gate policy on `{}`.
fn evaluate_error(rules: &str) -> Error {
    gate(rules).evaluate(&json!({})).unwrap_err()
}

#[test]
fn no_sources() {
    let e = build_error(&[]);
    assert!(matches!(e, Error::NoSources));
    insta::assert_snapshot!(e, @"no policy sources given: a gate policy needs at least one .rego file");
}

#[test]
fn sources_over_one_mebibyte() {
    let comment = format!("# {}\n", "x".repeat(1000));
    let big = format!("package vigil.gate\n{}", comment.repeat(1048));
    assert!(big.len() > vigil_policy::MAX_SOURCE_BYTES);
    let e = build_error(&[("big.rego", &big)]);
    insta::assert_snapshot!(e, @"policy sources are 1051163 bytes in all, over the limit of 1048576 bytes; a gate policy should be a few files of rules");
    // The limit is over all sources together.
    let half = &big[..big.len() / 2];
    let e = build_error(&[("a.rego", half), ("b.rego", half)]);
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

#[test]
fn duplicate_names() {
    let text = "package vigil.gate\n\ndeny contains 1 if false\n";
    let e = build_error(&[("a.rego", text), ("a.rego", text)]);
    insta::assert_snapshot!(e, @r#"policy source name "a.rego" is given twice; give each file its own name"#);
}

#[test]
fn parse_error_names_file_and_line() {
    let e = build_error(&[
        (
            "ok.rego",
            "package vigil.gate\n\ndeny contains 1 if false\n",
        ),
        (
            "broken.rego",
            "package vigil.gate\n\nimport rego.v1\n\ndeny contains msg if {\n    msg := sprintf(\"%s\" [input.x])\n}\n",
        ),
    ]);
    let Error::Parse { file, line, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!((file.as_str(), *line), ("broken.rego", Some(6)));
    // regorus's own wording: it points at the line, if not always at the fault.
    insta::assert_snapshot!(e, @r#"
    policy broken.rego does not parse (line 6):
    --> broken.rego:6:9
      |
    6 |     msg := sprintf("%s" [input.x])
      |         ^
    error: expecting `}` while parsing set
    "#);
}

#[test]
fn rego_v0_syntax_is_a_parse_error() {
    let e = build_error(&[(
        "old.rego",
        "package vigil.gate\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n",
    )]);
    assert!(
        matches!(&e, Error::Parse { file, .. } if file == "old.rego"),
        "{e}"
    );
}

#[test]
fn no_gate_package_names_the_files() {
    let e = build_error(&[
        (
            "a.rego",
            "package acme.gate\n\nimport rego.v1\n\ndeny contains 1 if false\n",
        ),
        ("b_test.rego", "package vigil.gate_test\n"),
    ]);
    insta::assert_snapshot!(e, @"no policy file declares `package vigil.gate`, which must hold the gate's `deny` (and optional `warn`) rules; the files given declare: a.rego: package acme.gate, b_test.rego: package vigil.gate_test");
}

#[test]
fn no_deny_rule() {
    let e = build_error(&[
        (
            "a.rego",
            "package vigil.gate\n\nimport rego.v1\n\nwarn contains \"w\" if true\n",
        ),
        ("b.rego", "package vigil.gate\n\ndenny := 1\n"),
    ]);
    insta::assert_snapshot!(e, @"package vigil.gate (in a.rego, b.rego) declares no `deny` rule; write one, such as `deny contains msg if { ... }`, even if it never holds");
}

#[test]
fn evaluation_error_names_rule_file_and_line() {
    let e =
        evaluate_error("deny contains msg if {\n    msg := sprintf(\"%d\", [1 / count([])])\n}");
    insta::assert_snapshot!(e, @r#"
    evaluating data.vigil.gate.deny:
    --> gate.rego:6:29
      |
    6 |     msg := sprintf("%d", [1 / count([])])
      |                             ^
    error: divide by zero
    "#);
}

#[test]
fn builtin_errors_fail_closed() {
    // OPA would make the body undefined and so allow; the gate reports the error.
    let policy = gate("deny contains \"expired\" if time.parse_rfc3339_ns(input.now) < 0");
    let e = policy.evaluate(&json!({"now": "soon"})).unwrap_err();
    let Error::Evaluate { rule, message } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(rule, "data.vigil.gate.deny");
    // regorus names no line for a builtin's error.
    assert_eq!(message, " Failed to parse datetime: premature end of input");
    assert!(
        policy
            .evaluate(&json!({"now": "2026-12-06T10:00:00Z"}))
            .unwrap()
            .allow
    );
}

#[test]
fn conflicting_rule_values_are_an_evaluation_error() {
    let e = evaluate_error(
        "deny contains \"x\" if false\n\nlimit := 1\n\nlimit := 2\n\nwarn contains limit if true",
    );
    let Error::Evaluate { rule, message } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(rule, "data.vigil.gate.warn");
    assert!(
        message.contains("rule conflicts with rule at gate.rego:7:1"),
        "{message}"
    );
}

#[test]
fn entry_point_that_is_not_a_set() {
    insta::assert_snapshot!(evaluate_error("deny := true"), @"data.vigil.gate.deny is a boolean (true), not a set; write it as a multi-value rule: `deny contains reason if { ... }`");
    insta::assert_snapshot!(evaluate_error("deny := [\"a\"]"), @r#"data.vigil.gate.deny is an array (["a"]), not a set; write it as a multi-value rule: `deny contains reason if { ... }`"#);
    insta::assert_snapshot!(evaluate_error("deny contains \"x\" if false\n\nwarn := {\"code\": \"a\"}"), @r#"data.vigil.gate.warn is an object ({"code":"a"}), not a set; write it as a multi-value rule: `warn contains reason if { ... }`"#);
}

#[test]
fn elements_of_the_wrong_shape() {
    let cases = [
        ("deny contains 3 if true", "it is a number"),
        ("deny contains {\"msg\": \"m\"} if true", "it has no `code`"),
        ("deny contains {\"code\": \"c\"} if true", "it has no `msg`"),
        (
            "deny contains {\"code\": \"\", \"msg\": \"m\"} if true",
            "`code` is empty",
        ),
        (
            "deny contains {\"code\": \"c\", \"msg\": 1} if true",
            "msg is a number, not a string",
        ),
        (
            "deny contains {\"code\": null, \"msg\": \"m\"} if true",
            "code is null, not a string",
        ),
        (
            "deny contains {\"code\": \"c\", \"msg\": \"m\", \"severity\": \"high\"} if true",
            "key \"severity\" is not one of code, msg, advisory, package",
        ),
        (
            "deny contains {\"code\": \"c\", \"msg\": \"m\", 1: 2} if true",
            "key 1 is not a string",
        ),
    ];
    for (rule, problem) in cases {
        let e = evaluate_error(rule);
        let Error::Shape { problem: got, .. } = &e else {
            panic!("{rule}: {e:?}")
        };
        assert_eq!(got, problem, "{rule}");
    }
    insta::assert_snapshot!(evaluate_error("deny contains {\"code\": \"c\"} if true"), @r#"data.vigil.gate.deny holds {"code":"c"}, which is not a reason: it has no `msg`; a reason is a string, or an object with string `code` and `msg` and optional string `advisory` and `package`"#);
}

#[test]
fn a_long_element_is_cut_in_the_message() {
    let e = evaluate_error(&format!("deny contains [\"{}\"] if true", "y".repeat(500)));
    let Error::Shape { element, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(element.chars().count(), 203, "{element}");
    assert!(element.ends_with("..."));
}

#[test]
fn strings_and_objects_are_reasons() {
    let policy = gate(
        r#"deny contains "plain message" if true

deny contains {"code": "policy", "msg": "plain message"} if true

deny contains {"code": "c", "msg": "m", "advisory": null, "package": "pkg:npm/a@1"} if true

warn contains {"code": "w", "msg": "look", "advisory": "GHSA-x"} if true"#,
    );
    let decision = policy.evaluate(&json!({})).unwrap();
    let reason =
        |code: &str, message: &str, advisory: Option<&str>, package: Option<&str>| Reason {
            code: code.to_owned(),
            message: message.to_owned(),
            advisory: advisory.map(str::to_owned),
            package: package.map(str::to_owned),
        };
    assert!(!decision.allow);
    // The string and the object that say the same thing are one reason.
    assert_eq!(
        decision.deny,
        [
            reason("c", "m", None, Some("pkg:npm/a@1")),
            reason("policy", "plain message", None, None),
        ]
    );
    assert_eq!(decision.warn, [reason("w", "look", Some("GHSA-x"), None)]);
}

#[test]
fn warn_is_optional() {
    let decision = gate("deny contains \"x\" if input.x")
        .evaluate(&json!({}))
        .unwrap();
    assert!(decision.allow);
    assert!(decision.warn.is_empty());
}

#[test]
fn the_input_must_be_an_object() {
    let policy = Policy::builtin();
    for (input, found) in [
        (json!(null), "null"),
        (json!([1]), "an array"),
        (json!("x"), "a string"),
    ] {
        let e = policy.evaluate(&input).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("gate input document: must be a JSON object, not {found}")
        );
    }
}

#[test]
fn regorus_line_limits_are_parse_errors() {
    let long = format!(
        "package vigil.gate\n\nimport rego.v1\n\ndeny contains \"{}\" if false\n",
        "a".repeat(1100)
    );
    let e = build_error(&[("long.rego", &long)]);
    let Error::Parse {
        file,
        line,
        message,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((file.as_str(), *line), ("long.rego", Some(5)));
    assert!(
        message.ends_with("error: line exceeds maximum column width of 1024"),
        "{message}"
    );
}

#[test]
fn a_variable_used_before_its_definition_does_not_compile() {
    let e = build_error(&[(
        "g.rego",
        "package vigil.gate\n\nimport rego.v1\n\ndeny contains x if {\n    x := y\n    y := 1\n}\n",
    )]);
    assert!(matches!(e, Error::Compile { .. }), "{e:?}");
    insta::assert_snapshot!(e, @r"
    policy does not compile:
    --> g.rego:6:10
      |
    6 |     x := y
      |          ^
    error: var `y` used before definition below.
    --> g.rego:7:5
      |
    7 |     y := 1
      |     ^
    definition:
    ");
}
