//! RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON value signs and
//! hashes as.
//!
//! The work is done by the `serde_json_canonicalizer` crate (ECMAScript number formatting
//! through `ryu-js`, keys sorted by UTF-16 code units, `JSON.stringify` string escaping);
//! this module adds the input check the RFC requires of the data.
//!
//! RFC 8785 section 3.1 says JSON number data "MUST be expressible as IEEE 754
//! double-precision values". A `serde_json::Value` holds floats as doubles already, but
//! holds integers as `u64`/`i64`, and an integer beyond 2^53 may have no exact double:
//! canonicalizing it would silently print a different number (9007199254740993 as
//! 9007199254740992). Such integers are rejected ([`CanonicalError::InexactNumber`]);
//! integers a double holds exactly, however large, are accepted and print as ECMAScript
//! prints them (2^60 as `1152921504606847000`). Applications with
//! larger integers should carry them as strings, as the RFC's Appendix D recommends.
//! NaN and infinities cannot occur: `serde_json::Value` cannot hold them.

use serde_json::Value;

/// Why a value has no canonical form.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum CanonicalError {
    /// An integer with no exact IEEE 754 double.
    #[error(
        "{path}: the integer {number} has no exact IEEE 754 double; RFC 8785 requires numbers a double can hold (carry larger integers as strings)"
    )]
    InexactNumber {
        /// Where, as a JSON pointer (`""` for the whole value).
        path: String,
        /// The number as given.
        number: String,
    },
    /// The serializer failed.
    #[error("canonical serialization failed: {0}")]
    Serialize(String),
}

/// RFC 8785 (JSON Canonicalization Scheme) serialization of a JSON value.
///
/// Precondition: every number is expressible as an IEEE 754 double (see the module docs),
/// else [`CanonicalError::InexactNumber`] with its JSON pointer.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(512);
    if write_plain(value, &mut out) {
        return Ok(out);
    }
    check_numbers(value, &mut String::new())?;
    serde_json_canonicalizer::to_vec(value).map_err(|e| CanonicalError::Serialize(e.to_string()))
}

/// The largest integer magnitude whose decimal form RFC 8785 writes as plain digits
/// (beyond it ECMAScript may print a rounded or exponent form).
const PLAIN_INTEGER: u64 = 1 << 53;

/// Writes `value` when it holds only null, booleans, integers of magnitude at most 2^53,
/// strings, arrays, and objects with ASCII keys: for these, RFC 8785's form is the
/// compact one with keys sorted by bytes (ASCII bytes sort as UTF-16 code units do), and
/// strings escaped as `JSON.stringify` escapes them, which `serde_json` does too (the
/// short escapes, `\u00xx` in lower-case hex for other control characters, everything
/// else as is). The store's ledger leaves are such values, and this is several times
/// faster than the general path. Returns false, leaving `out` unspecified, at anything
/// else.
fn write_plain(value: &Value, out: &mut Vec<u8>) -> bool {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64().filter(|u| *u <= PLAIN_INTEGER) {
                out.extend_from_slice(u.to_string().as_bytes());
            } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= PLAIN_INTEGER) {
                out.extend_from_slice(i.to_string().as_bytes());
            } else {
                return false;
            }
        }
        Value::String(text) => {
            if serde_json::to_writer(&mut *out, text).is_err() {
                return false;
            }
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if !write_plain(item, out) {
                    return false;
                }
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            if !keys.iter().all(|k| k.is_ascii()) {
                return false;
            }
            keys.sort_unstable();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if serde_json::to_writer(&mut *out, key).is_err() {
                    return false;
                }
                out.push(b':');
                if !map.get(key).is_some_and(|v| write_plain(v, out)) {
                    return false;
                }
            }
            out.push(b'}');
        }
    }
    true
}

fn check_numbers(value: &Value, path: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Number(n) => {
            let exact = if let Some(u) = n.as_u64() {
                exact_u64(u)
            } else if let Some(i) = n.as_i64() {
                exact_u64(i.unsigned_abs())
            } else {
                true
            };
            if !exact {
                return Err(CanonicalError::InexactNumber {
                    path: path.clone(),
                    number: n.to_string(),
                });
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// Whether a double holds `u` exactly: at most 53 significant bits.
fn exact_u64(u: u64) -> bool {
    u == 0 || 64 - u.leading_zeros() - u.trailing_zeros() <= 53
}

#[cfg(test)]
mod plain_tests {
    #![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::{to_vec, write_plain};

    fn general(v: &Value) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(v).unwrap()
    }

    fn plain_values() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(1i64 << 53)..=(1i64 << 53)).prop_map(|i| json!(i)),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x7f\\u{80}-\\u{10ffff}]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[ -~]{0,8}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        /// The fast path writes exactly what the general RFC 8785 serializer writes.
        #[test]
        fn the_plain_path_agrees_with_the_general_one(v in plain_values()) {
            let mut out = Vec::new();
            prop_assert!(write_plain(&v, &mut out));
            prop_assert_eq!(&out, &general(&v));
            prop_assert_eq!(to_vec(&v).unwrap(), out);
        }
    }

    #[test]
    fn what_the_plain_path_leaves_to_the_general_one() {
        for v in [
            json!({"é": 1}),
            json!(1.5),
            json!(9007199254740993u64),
            json!([{"a": 1e21}]),
        ] {
            assert!(!write_plain(&v, &mut Vec::new()), "{v}");
        }
        assert_eq!(
            to_vec(&json!({"é": 1, "a": 1.5})).unwrap(),
            general(&json!({"é": 1, "a": 1.5}))
        );
        assert_eq!(
            to_vec(&json!({"c\u{1}\n\"": "\u{7f}\u{2028}"})).unwrap(),
            general(&json!({"c\u{1}\n\"": "\u{7f}\u{2028}"}))
        );
    }
}
