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
    check_numbers(value, &mut String::new())?;
    serde_json_canonicalizer::to_vec(value).map_err(|e| CanonicalError::Serialize(e.to_string()))
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
