//! The one error type of the crate: which policy file, which rule, what is wrong.

/// Why a policy could not be built or evaluated.
///
/// Rego's own messages (from regorus) carry the file, line and column and the line of
/// source with a caret under the fault; they are kept whole in `message`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No sources were given.
    #[error("no policy sources given: a gate policy needs at least one .rego file")]
    NoSources,

    /// The sources together are larger than [`MAX_SOURCE_BYTES`](crate::MAX_SOURCE_BYTES).
    #[error(
        "policy sources are {total} bytes in all, over the limit of {limit} bytes; a gate policy should be a few files of rules"
    )]
    TooLarge { total: usize, limit: usize },

    /// Two sources have the same name, so an error could not say which one it is in.
    #[error("policy source name {name:?} is given twice; give each file its own name")]
    DuplicateName { name: String },

    /// A source is not valid Rego (v1 syntax).
    #[error("policy {file} does not parse{}:{message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Parse {
        file: String,
        /// 1-based line of the fault, when regorus names one.
        line: Option<u32>,
        message: String,
    },

    /// No source declares `package vigil.gate`, where the entry points live.
    #[error(
        "no policy file declares `package vigil.gate`, which must hold the gate's `deny` (and optional `warn`) rules; the files given declare: {}",
        declared.iter().map(|(file, package)| format!("{file}: package {package}")).collect::<Vec<_>>().join(", ")
    )]
    NoGatePackage {
        /// Each file given, with the package it declares.
        declared: Vec<(String, String)>,
    },

    /// `package vigil.gate` is declared but has no `deny` rule.
    #[error(
        "package vigil.gate (in {}) declares no `deny` rule; write one, such as `deny contains msg if {{ ... }}`, even if it never holds",
        files.join(", ")
    )]
    NoDenyRule {
        /// The files that declare `package vigil.gate`.
        files: Vec<String>,
    },

    /// The sources parse but do not compile: a variable used before it is defined,
    /// an import of nothing.
    #[error("policy does not compile:{message}")]
    Compile { message: String },

    /// The input document is not a JSON object, or regorus cannot take it.
    #[error("gate input document: {message}")]
    Input { message: String },

    /// Evaluating a rule failed: a builtin's error, a rule conflict, an unsafe variable.
    #[error("evaluating {rule}:{message}")]
    Evaluate {
        /// The rule evaluated, such as `data.vigil.gate.deny`.
        rule: String,
        message: String,
    },

    /// An entry point evaluated to something other than a set.
    #[error(
        "{rule} is {found}, not a set; write it as a multi-value rule: `{name} contains reason if {{ ... }}`",
        name = rule.rsplit('.').next().unwrap_or(rule.as_str())
    )]
    NotASet {
        rule: String,
        /// What it was, with its value: `a boolean (true)`.
        found: String,
    },

    /// An element of `deny` or `warn` is neither a message string nor a reason object.
    #[error(
        "{rule} holds {element}, which is not a reason: {problem}; a reason is a string, or an object with string `code` and `msg` and optional string `advisory` and `package`"
    )]
    Shape {
        rule: String,
        /// The element as JSON, cut to a few hundred characters.
        element: String,
        problem: String,
    },
}
