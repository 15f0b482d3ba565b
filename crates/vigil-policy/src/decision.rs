//! The gate's answer, and how the values of `deny` and `warn` become [`Reason`]s.

use regorus::Value;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The code of a reason that a policy gave as a bare message string.
pub const POLICY_CODE: &str = "policy";

/// The gate's answer for one input document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// True exactly when `deny` is empty.
    pub allow: bool,
    /// Why the deployment must not go ahead; sorted by code, advisory, package, message.
    pub deny: Vec<Reason>,
    /// What should be looked at but does not block; sorted as `deny` is.
    pub warn: Vec<Reason>,
}

/// One element of `deny` or `warn`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reason {
    /// A stable identifier for the rule that fired (`untriaged_kev`), or
    /// [`POLICY_CODE`] when the policy gave only a message.
    pub code: String,
    /// What is wrong and what to do, for a person.
    pub message: String,
    /// The advisory the reason is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    /// The package (a purl, in the default policy) the reason is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

/// Reads the value of an entry point (`rule` names it for errors) into sorted, distinct
/// reasons. An undefined value (a rule whose every body failed) is an empty set.
pub(crate) fn reasons(rule: &str, value: &Value) -> Result<Vec<Reason>, Error> {
    let set = match value {
        Value::Set(set) => set,
        Value::Undefined => return Ok(Vec::new()),
        other => {
            return Err(Error::NotASet {
                rule: rule.to_owned(),
                found: describe(other),
            });
        }
    };
    let mut reasons = set
        .iter_sorted()
        .map(|element| reason(rule, element))
        .collect::<Result<Vec<_>, _>>()?;
    reasons.sort_by(|a, b| {
        (&a.code, &a.advisory, &a.package, &a.message).cmp(&(
            &b.code,
            &b.advisory,
            &b.package,
            &b.message,
        ))
    });
    // A string and an object can spell the same reason.
    reasons.dedup();
    Ok(reasons)
}

fn reason(rule: &str, element: &Value) -> Result<Reason, Error> {
    let shape = |problem: String| Error::Shape {
        rule: rule.to_owned(),
        element: excerpt(element),
        problem,
    };
    let object = match element {
        Value::String(message) => {
            return Ok(Reason {
                code: POLICY_CODE.to_owned(),
                message: message.to_string(),
                advisory: None,
                package: None,
            });
        }
        Value::Object(object) => object,
        other => return Err(shape(format!("it is {}", kind(other)))),
    };
    let mut code = None;
    let mut message = None;
    let mut advisory = None;
    let mut package = None;
    for (key, value) in object.iter_sorted() {
        let Value::String(key) = key else {
            return Err(shape(format!("key {key} is not a string")));
        };
        let slot = match key.as_ref() {
            "code" => &mut code,
            "msg" => &mut message,
            "advisory" => &mut advisory,
            "package" => &mut package,
            other => {
                return Err(shape(format!(
                    "key {other:?} is not one of code, msg, advisory, package"
                )));
            }
        };
        *slot = match value {
            Value::String(s) => Some(s.to_string()),
            Value::Null if matches!(key.as_ref(), "advisory" | "package") => None,
            other => return Err(shape(format!("{key} is {}, not a string", kind(other)))),
        };
    }
    let code = code.ok_or_else(|| shape("it has no `code`".to_owned()))?;
    if code.is_empty() {
        return Err(shape("`code` is empty".to_owned()));
    }
    let message = message.ok_or_else(|| shape("it has no `msg`".to_owned()))?;
    Ok(Reason {
        code,
        message,
        advisory,
        package,
    })
}

/// The kind of a value, for messages: `a number`.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Set(_) => "a set",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
    }
}

/// The kind of a value and the value: `a boolean (true)`.
fn describe(value: &Value) -> String {
    format!("{} ({})", kind(value), excerpt(value))
}

/// A value as JSON (sets as arrays), cut to at most 200 characters.
fn excerpt(value: &Value) -> String {
    const MAX: usize = 200;
    let text = value.to_string();
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}
