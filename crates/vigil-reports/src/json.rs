//! What the readers share: one pass over the bytes that enforces the nesting and string
//! limits before serde sees them, deserialization with errors that name the JSON path,
//! and serde helpers for the loose typing scanners write (numbers as strings and back).

use std::fmt;

use serde::Deserialize as _;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use crate::{Error, Limits};

/// Fails when arrays and objects nest deeper than `limits.max_depth` or a string is
/// longer than `limits.max_string_bytes`, before serde recurses or allocates.
pub(crate) fn prescan(bytes: &[u8], limits: &Limits, format: &'static str) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                let len = i.min(n).saturating_sub(start + 1);
                if len > limits.max_string_bytes {
                    return Err(Error::LimitExceeded {
                        format,
                        limit: "max_string_bytes",
                        what: "string length in bytes",
                        found: len,
                        max: limits.max_string_bytes,
                        at: format!(" at {}", position(bytes, start)),
                    });
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(Error::LimitExceeded {
                        format,
                        limit: "max_depth",
                        what: "JSON nesting depth",
                        found: depth,
                        max: limits.max_depth,
                        at: format!(" at {}", position(bytes, i)),
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// `line L, column C` (both from 1) of byte `offset`.
pub(crate) fn position(bytes: &[u8], offset: usize) -> String {
    let (line, column) = line_column(bytes, offset);
    format!("line {line}, column {column}")
}

/// The line and column (both from 1) of byte `offset`.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, column)
}

/// Deserializes all of `bytes` as one `T`; an error names the JSON path
/// (`Results[2].Vulnerabilities[0].PkgName`) and the line and column.
pub(crate) fn from_slice<T: DeserializeOwned>(
    bytes: &[u8],
    format: &'static str,
) -> Result<T, Error> {
    value_at(bytes, 0, bytes.len(), format, "")
}

/// Deserializes `whole[start..end]` as one `T`, for one value of a stream. `prefix` is
/// put before the path in errors (`alert 3.priority`), and lines and columns count in
/// `whole`.
pub(crate) fn value_at<T: DeserializeOwned>(
    whole: &[u8],
    start: usize,
    end: usize,
    format: &'static str,
    prefix: &str,
) -> Result<T, Error> {
    let slice = &whole[start..end];
    let mut de = serde_json::Deserializer::from_slice(slice);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        // serde_path_to_error writes `.` for the root and `?` for a step it cannot name.
        let raw = e.path().to_string();
        let path = raw.trim_end_matches('?').trim_end_matches('.');
        let at = match (prefix.is_empty(), path.is_empty()) {
            (true, true) => "the top level".to_owned(),
            (true, false) => path.to_owned(),
            (false, true) => prefix.to_owned(),
            (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
            (false, false) => format!("{prefix}.{path}"),
        };
        json_error(format, &at, e.inner(), whole, start)
    })?;
    de.end()
        .map_err(|e| json_error(format, "after the document", &e, whole, start))?;
    Ok(value)
}

/// The error, with serde_json's line and column (which count in the slice that starts
/// at `start`) moved to count in `whole`.
pub(crate) fn json_error(
    format: &'static str,
    path: &str,
    e: &serde_json::Error,
    whole: &[u8],
    start: usize,
) -> Error {
    let at = if e.line() == 0 {
        path.to_owned()
    } else {
        let (line0, column0) = line_column(whole, start);
        let (line, column) = if e.line() == 1 {
            (line0, column0 + e.column() - 1)
        } else {
            (line0 + e.line() - 1, e.column())
        };
        format!("{path} (line {line}, column {column})")
    };
    let message = strip_position(&e.to_string());
    if e.is_syntax() || e.is_eof() {
        Error::Syntax {
            format,
            at,
            message,
        }
    } else {
        Error::Invalid {
            format,
            at,
            message,
        }
    }
}

/// serde_json's message without its trailing ` at line L column C`, which `at` has.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The document without a UTF-8 byte order mark, which serde_json does not accept.
/// Leading whitespace stays, so that line numbers in errors are the file's.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The document without a UTF-8 byte order mark and leading whitespace.
pub(crate) fn trim_start(bytes: &[u8]) -> &[u8] {
    let bytes = strip_bom(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// A copy of `bytes` without the commas that stand right before a closing `]` or `}`
/// (outside strings), as Nikto 2.1.6's JSON writer leaves them.
pub(crate) fn without_trailing_commas(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        let b = bytes[i];
        match b {
            b'"' => {
                let start = i;
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                let end = (i + 1).min(n);
                out.extend_from_slice(&bytes[start..end]);
                i = end;
                continue;
            }
            b',' => {
                let next = bytes[i + 1..]
                    .iter()
                    .find(|c| !c.is_ascii_whitespace())
                    .copied();
                if !matches!(next, Some(b']' | b'}')) {
                    out.push(b);
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

/// A scalar that scanners write as a string or a number (ZAP's `"riskcode": "3"`,
/// Nikto's `"id": 999986` or `"id": "999986"`), kept as its text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) String);

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value written as one item or an array of them (ZAP's `site` in old reports).
#[derive(Debug)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or an array of objects")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(OneOrMany(out))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let one = T::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOrMany(vec![one]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// `null` or absent read as the type's default: Go writes nil slices and maps as `null`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prescan_limits_depth_and_strings() {
        let limits = Limits {
            max_depth: 2,
            max_string_bytes: 4,
            ..Limits::default()
        };
        assert!(prescan(br#"{"a":[1]}"#, &limits, "X").is_ok());
        let e = prescan(b"{\"a\":\n[[1]]}", &limits, "X").unwrap_err();
        assert_eq!(
            e.to_string(),
            "X: JSON nesting depth 3 exceeds the limit Limits::max_depth = 2 at line 2, column 2; if the report is trusted, raise the limit"
        );
        let e = prescan(br#"{"abcde":1}"#, &limits, "X").unwrap_err();
        assert!(e.to_string().contains("string length in bytes 5"), "{e}");
        // Brackets inside strings do not count, escaped quotes do not end them.
        assert!(prescan(br#"{"[\"[":1}"#, &limits, "X").is_ok());
    }

    #[test]
    fn trailing_commas_are_dropped_outside_strings() {
        let fixed = without_trailing_commas(br#"{"a":[{"b":"x,]"},],"c":1,}"#);
        assert_eq!(fixed, br#"{"a":[{"b":"x,]"}],"c":1}"#);
    }

    #[test]
    fn positions_count_from_one() {
        assert_eq!(position(b"ab\ncd", 4), "line 2, column 2");
        assert_eq!(position(b"ab", 0), "line 1, column 1");
    }
}
