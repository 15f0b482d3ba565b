//! Deployment gate policies in Rego, evaluated in-process with regorus.
//!
//! A [`Policy`] is built once from Rego sources, given as `(name, text)` pairs (this crate
//! reads no files), and evaluated against many input documents, from many threads. The
//! entry points are `data.vigil.gate.deny` and `data.vigil.gate.warn`: sets whose
//! elements are message strings or objects with `code`, `msg` and optional `advisory`
//! and `package`. A deployment is allowed exactly when `deny` is empty. The input
//! document's contract, the default policy and how to write and test a policy are in
//! `docs/gate.md`.
//!
//! What differs from OPA, and why:
//!
//! - Sources are Rego v1 (`if`, `contains`), as in OPA 1.0.
//! - A builtin's error (`time.parse_rfc3339_ns("soon")`) is an error, where OPA by
//!   default makes the expression undefined: in a `deny` rule, undefined would let the
//!   deployment through, so the gate fails closed instead.
//! - `print` output is gathered, never written to stderr: [`TestResult::output`] holds
//!   it for tests, and evaluation drops it.
//! - Regorus finds some faults (an unsafe variable, an unknown function, recursion,
//!   conflicting values of one rule) only when the rule is evaluated, so [`Policy::from_sources`] accepts a policy that
//!   [`Policy::evaluate`] or a test later reports.

mod decision;
mod error;
mod runner;

use std::fmt;
use std::sync::LazyLock;

use serde::Deserialize;

pub use decision::{Decision, POLICY_CODE, Reason};
pub use error::Error;
pub use runner::TestResult;

/// The most Rego source text, in bytes over all sources, that a policy may have.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// The package of the entry points.
pub const GATE_PACKAGE: &str = "vigil.gate";

/// The text of the default policy, `policies/default.rego`, which [`Policy::builtin`]
/// compiles.
pub const DEFAULT_POLICY: &str = include_str!("../../../policies/default.rego");

/// The name the default policy goes by in errors and test results.
pub const DEFAULT_POLICY_NAME: &str = "default.rego";

const DENY: &str = "data.vigil.gate.deny";
const WARN: &str = "data.vigil.gate.warn";

/// A compiled gate policy: parsed once, evaluated many times, `Send + Sync`.
///
/// Evaluation works on a clone of the parsed engine (regorus evaluates through
/// `&mut self`); a clone shares the parsed modules and takes well under a microsecond
/// (`benches/gate.rs`).
#[derive(Clone)]
pub struct Policy {
    engine: regorus::Engine,
    files: Vec<String>,
    has_warn: bool,
    tests: Vec<runner::TestRule>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("files", &self.files)
            .field("has_warn", &self.has_warn)
            .field("tests", &self.tests.len())
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// The default policy, `policies/default.rego`, built into the crate.
    pub fn builtin() -> Policy {
        static BUILTIN: LazyLock<Policy> = LazyLock::new(|| {
            Policy::from_sources(&[(DEFAULT_POLICY_NAME.to_owned(), DEFAULT_POLICY.to_owned())])
                // The tests build it; a failure here is a broken build, not bad input.
                .expect("the built-in policy compiles")
        });
        BUILTIN.clone()
    }

    /// Builds a policy from Rego v1 sources, each `(name, text)`; the name is what
    /// errors and test results call the file.
    ///
    /// # Errors
    /// No sources, more than [`MAX_SOURCE_BYTES`] in all, a name given twice, a source
    /// that does not parse, no source declaring `package vigil.gate`, no `deny` rule in
    /// that package, or modules that do not compile.
    pub fn from_sources(sources: &[(String, String)]) -> Result<Policy, Error> {
        if sources.is_empty() {
            return Err(Error::NoSources);
        }
        let total = sources.iter().map(|(_, text)| text.len()).sum::<usize>();
        if total > MAX_SOURCE_BYTES {
            return Err(Error::TooLarge {
                total,
                limit: MAX_SOURCE_BYTES,
            });
        }
        let mut engine = regorus::Engine::new();
        // Print output is the caller's to show; a library writes nothing to stderr.
        engine.set_gather_prints(true);
        let mut files = Vec::with_capacity(sources.len());
        for (name, text) in sources {
            if files.contains(name) {
                return Err(Error::DuplicateName { name: name.clone() });
            }
            engine.add_policy(name.clone(), text.clone()).map_err(|e| {
                let message = rego_message(&e);
                Error::Parse {
                    line: error_line(&message, name),
                    file: name.clone(),
                    message,
                }
            })?;
            files.push(name.clone());
        }

        let packages = engine
            .get_policy_package_components()
            .map_err(|e| Error::Parse {
                file: files.join(", "),
                line: None,
                message: rego_message(&e),
            })?
            .into_iter()
            .map(|p| p.components)
            .collect::<Vec<_>>();
        let gate = GATE_PACKAGE.split('.').collect::<Vec<_>>();
        let gate_files = files
            .iter()
            .zip(&packages)
            .filter(|(_, package)| *package == &gate)
            .map(|(file, _)| file.clone())
            .collect::<Vec<_>>();
        if gate_files.is_empty() {
            return Err(Error::NoGatePackage {
                declared: files
                    .iter()
                    .zip(&packages)
                    .map(|(file, package)| (file.clone(), package.join(".")))
                    .collect(),
            });
        }
        let declared = runner::declared_rules(&mut engine, &packages);
        let gate_rule = |name: &str| {
            declared
                .iter()
                .any(|(package, _, rule)| *package == gate && rule == name)
        };
        if !gate_rule("deny") {
            return Err(Error::NoDenyRule { files: gate_files });
        }
        let has_warn = gate_rule("warn");
        let tests = runner::find_tests(&declared);

        // Analyse the modules now, once, rather than in every clone at evaluation.
        engine
            .eval_bool_query("true".to_owned(), false)
            .map_err(|e| Error::Compile {
                message: rego_message(&e),
            })?;
        Ok(Policy {
            engine,
            files,
            has_warn,
            tests,
        })
    }

    /// The names of the sources, in the order given.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Evaluates `deny` and `warn` against an input document (see `docs/gate.md`).
    ///
    /// # Errors
    /// An input that is not a JSON object; an evaluation error in Rego; an entry point
    /// that is not a set, or holds an element that is not a reason.
    pub fn evaluate(&self, input: &serde_json::Value) -> Result<Decision, Error> {
        if !input.is_object() {
            return Err(Error::Input {
                message: format!(
                    "must be a JSON object, not {}",
                    match input {
                        serde_json::Value::Null => "null",
                        serde_json::Value::Bool(_) => "a boolean",
                        serde_json::Value::Number(_) => "a number",
                        serde_json::Value::String(_) => "a string",
                        serde_json::Value::Array(_) => "an array",
                        serde_json::Value::Object(_) => "an object",
                    }
                ),
            });
        }
        let input = regorus::Value::deserialize(input).map_err(|e| Error::Input {
            message: e.to_string(),
        })?;
        let mut engine = self.engine.clone();
        engine.set_input(input);
        let mut eval = |rule: &str| {
            engine
                .eval_rule(rule.to_owned())
                .map_err(|e| Error::Evaluate {
                    rule: rule.to_owned(),
                    message: rego_message(&e),
                })
        };
        let deny = decision::reasons(DENY, &eval(DENY)?)?;
        let warn = if self.has_warn {
            decision::reasons(WARN, &eval(WARN)?)?
        } else {
            Vec::new()
        };
        Ok(Decision {
            allow: deny.is_empty(),
            deny,
            warn,
        })
    }

    /// Runs every `test_*` rule of every package, each on its own, with no input, as
    /// `opa test` does. A test passes when its rule is defined and not `false`.
    pub fn run_tests(&self) -> Vec<TestResult> {
        runner::run(&self.engine, &self.tests)
    }
}

/// A regorus error as text that follows a colon: its messages start on a new line with
/// `--> file:line:col` and a snippet; others get a space.
pub(crate) fn rego_message(error: &dyn fmt::Display) -> String {
    let text = format!("{error:#}");
    if text.starts_with('\n') {
        text.trim_end().to_owned()
    } else {
        format!(" {}", text.trim_end())
    }
}

/// The line in a regorus message's `--> file:line:col`, when it names `file`.
fn error_line(message: &str, file: &str) -> Option<u32> {
    let after = message.split_once(&format!("--> {file}:"))?.1;
    let digits = after
        .find(|c: char| !c.is_ascii_digit())
        .map_or(after, |end| &after[..end]);
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Policy>();
    }

    #[test]
    fn error_line_reads_the_named_file() {
        let message = "\n--> a.rego:12:5\n   |\n12 | x :=\n";
        assert_eq!(error_line(message, "a.rego"), Some(12));
        assert_eq!(error_line(message, "b.rego"), None);
    }

    #[test]
    fn rule_paths_bracket_what_is_not_a_name() {
        let package = vec!["vigil".to_owned(), "1.0".to_owned()];
        assert_eq!(
            runner::rule_path(&package, "test_x"),
            r#"data.vigil["1.0"].test_x"#
        );
    }
}
