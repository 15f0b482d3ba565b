//! A policy's own tests, found and run as `opa test` does: every rule named `test_*`.
//!
//! Finding them reads the parsed modules through `regorus::unstable`, the only way regorus
//! exposes rule names; that API may change in any regorus release, which is why the
//! workspace pins regorus to one version.

use regorus::unstable::{Parser, Rule, RuleHead};
use regorus::{Engine, Value};
use serde::{Deserialize, Serialize};

/// The outcome of one test rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    /// The package that holds the test, without `data.`: `vigil.gate_test`.
    pub package: String,
    /// The rule's name: `test_kev_denied`.
    pub name: String,
    /// The source that first defines the rule.
    pub file: String,
    /// True when the rule is defined and not `false`, as in `opa test`.
    pub passed: bool,
    /// The evaluation error, when there was one (the test then failed).
    pub error: Option<String>,
    /// What the test's `print` calls wrote, each as `file:line: text`.
    pub output: Vec<String>,
}

/// A test rule found in the sources.
#[derive(Clone, Debug)]
pub(crate) struct TestRule {
    package: String,
    name: String,
    file: String,
    /// The rule's full path for evaluation: `data.vigil.gate_test.test_x`.
    path: String,
}

/// Names and files of the rules declared in each module, in source order: `(package
/// components, file, rule name)`. Only rules whose head is one plain name (not a ref
/// like `a.b`, and not a function) are listed.
pub(crate) fn declared_rules(
    engine: &mut Engine,
    packages: &[Vec<String>],
) -> Vec<(Vec<String>, String, String)> {
    let mut rules = Vec::new();
    for (module, package) in engine.get_modules().iter().zip(packages) {
        let file = module.package.span.source.file().to_string();
        for rule in &module.policy {
            let refr = match rule.as_ref() {
                Rule::Spec {
                    head: RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. },
                    ..
                } => refr,
                Rule::Default { refr, args, .. } if args.is_empty() => refr,
                Rule::Spec {
                    head: RuleHead::Func { .. },
                    ..
                }
                | Rule::Default { .. } => continue,
            };
            let Ok(components) = Parser::get_path_ref_components(refr) else {
                continue;
            };
            if let [name] = components.as_slice() {
                rules.push((package.clone(), file.clone(), name.text().to_owned()));
            }
        }
    }
    rules
}

/// The distinct `test_*` rules, in source order.
pub(crate) fn find_tests(declared: &[(Vec<String>, String, String)]) -> Vec<TestRule> {
    let mut tests: Vec<TestRule> = Vec::new();
    for (package, file, name) in declared {
        if !name.starts_with("test_") {
            continue;
        }
        let path = rule_path(package, name);
        // A rule with several bodies is one test.
        if tests.iter().any(|t| t.path == path) {
            continue;
        }
        tests.push(TestRule {
            package: package.join("."),
            name: name.clone(),
            file: file.clone(),
            path,
        });
    }
    tests
}

/// Evaluates each test on its own copy of the engine, with no input.
pub(crate) fn run(engine: &Engine, tests: &[TestRule]) -> Vec<TestResult> {
    tests
        .iter()
        .map(|test| {
            let mut engine = engine.clone();
            let (passed, error) = match engine.eval_rule(test.path.clone()) {
                Ok(Value::Undefined | Value::Bool(false)) => (false, None),
                Ok(_) => (true, None),
                Err(e) => (false, Some(crate::rego_message(&e))),
            };
            TestResult {
                package: test.package.clone(),
                name: test.name.clone(),
                file: test.file.clone(),
                passed,
                error,
                output: engine.take_prints().unwrap_or_default(),
            }
        })
        .collect()
}

/// The path regorus evaluates for a rule: `data.a.b.name`, with components that are not
/// plain identifiers in brackets (`data.a["1.0"].name`).
pub(crate) fn rule_path(package: &[String], name: &str) -> String {
    let mut path = String::from("data");
    for component in package.iter().map(String::as_str).chain([name]) {
        let plain = component
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && component
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain {
            path.push('.');
            path.push_str(component);
        } else {
            path.push('[');
            // A JSON string is a Rego string.
            path.push_str(&serde_json::Value::from(component).to_string());
            path.push(']');
        }
    }
    path
}
