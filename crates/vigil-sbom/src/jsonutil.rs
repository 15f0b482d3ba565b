//! What the JSON readers share: the nesting-depth check, errors that say where, and
//! serde helpers for the shapes specs allow in more than one form.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

use crate::error::line_of;
use crate::{Error, Format, Limits};

/// A string borrowed from the document where it has no escapes.
pub(crate) type Str<'a> = Cow<'a, str>;

/// Fails when arrays and objects nest deeper than `limits.max_depth`, before serde
/// recurses into them.
pub(crate) fn check_depth(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        match bytes[i] {
            b'"' => {
                // Skip the string: to the next unescaped quote.
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(limits.depth_error("JSON nesting", line_of(bytes, i)));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Deserializes `bytes` as `T`. On failure the document is read again, tracking the
/// path, so the error names the field (`components[3].hashes[0].content`) and the line:
/// the fast path pays nothing for it.
pub(crate) fn from_slice<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    format: Format,
) -> Result<T, Error> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(pe) => pe.path().to_string(),
                Ok(_) => ".".to_owned(),
            };
            let at = format!("{path} (line {}, column {})", e.line(), e.column());
            let message = strip_position(&e.to_string());
            if e.is_syntax() || e.is_eof() {
                Err(Error::syntax(format, at, message))
            } else {
                Err(Error::invalid(format, at, message))
            }
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A value the spec allows as one item or an array of them (CycloneDX evidence
/// `identity` was an object in 1.5 and is an array since 1.6).
#[derive(Debug)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or an array of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
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
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A string or an array of strings (SPDX 3's `to`, `rootElement` in some producers).
#[derive(Debug, Default)]
pub(crate) struct Strings<'a>(pub(crate) Vec<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Strings<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Strings<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Strings(vec![Cow::Borrowed(v)]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Strings(vec![Cow::Owned(v.to_owned())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(BorrowedStr(v)) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Strings(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A `Cow<str>` that borrows when it can, for use inside custom visitors.
#[derive(Debug)]
pub(crate) struct BorrowedStr<'a>(pub(crate) Str<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for BorrowedStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = BorrowedStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// RFC 3339 timestamp to UTC.
pub(crate) fn timestamp(s: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| format!("{s:?} is not an RFC 3339 date-time: {e}"))
}
