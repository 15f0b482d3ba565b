//! Paths and symlink targets as text: UTF-8 where the bytes are UTF-8, with a lossless
//! escape for the bytes that are not.
//!
//! Unix names are bytes. JSON strings are Unicode. The escape keeps every valid UTF-8
//! sequence as it is, writes a backslash as `\\` and each byte that is not part of a
//! valid UTF-8 sequence as `\xNN` (two lowercase hex digits). Only that one spelling is
//! accepted back, so text and bytes map one to one: `caf\xe9` is the Latin-1 name
//! `café`, and `café` the UTF-8 one.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Writes `bytes` in the escaped form.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Reads the escaped form back into bytes; `None` unless `text` is exactly what
/// [`escape`] writes for some bytes.
pub(crate) fn unescape(text: &str) -> Option<Vec<u8>> {
    if !text.contains('\\') {
        return Some(text.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b != b'\\' {
            out.push(b);
            rest = tail;
            continue;
        }
        match tail {
            [b'\\', tail @ ..] => {
                out.push(b'\\');
                rest = tail;
            }
            [b'x', hi, lo, tail @ ..] => {
                let hex = [*hi, *lo];
                let hex = std::str::from_utf8(&hex).ok()?;
                if hex.bytes().any(|c| c.is_ascii_uppercase()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                rest = tail;
            }
            _ => return None,
        }
    }
    // `\xNN` sequences that spell valid UTF-8 (or a backslash) have another spelling:
    // only the one escape() writes is accepted.
    (escape(&out) == text).then_some(out)
}

/// Why a string is not a valid [`RelPath`] or [`LinkTarget`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?}: {reason}")]
pub struct PathError {
    text: String,
    reason: &'static str,
}

fn path_error(text: &str, reason: &'static str) -> PathError {
    PathError {
        text: text.chars().take(200).collect(),
        reason,
    }
}

/// A path relative to the root of a tree, `/`-separated, in the escaped form (see the
/// module). `.` is the root itself; no other path has an empty, `.` or `..` component.
///
/// Paths order component by component (`a` < `a/b` < `a b`), so a parent always
/// comes before what is in it, and the root before everything.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RelPath(String);

impl RelPath {
    /// The root of the tree, `.`.
    pub fn root() -> RelPath {
        RelPath(".".to_owned())
    }

    /// Whether this is the root, `.`.
    pub fn is_root(&self) -> bool {
        self.0 == "."
    }

    /// The escaped text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path's bytes, unescaped (`.` for the root).
    pub fn to_bytes(&self) -> Vec<u8> {
        // The invariant: the text is escape() of some bytes.
        unescape(&self.0).unwrap_or_default()
    }

    /// The path of `name` in this directory. `name` is one component: not empty, no
    /// `/`, no NUL, not `.` or `..`.
    pub fn join(&self, name: &[u8]) -> Result<RelPath, PathError> {
        let component = escape(name);
        if name.is_empty() || name == b"." || name == b".." {
            return Err(path_error(&component, "not a file name"));
        }
        if name.contains(&b'/') || name.contains(&0) {
            return Err(path_error(&component, "a file name has no '/' and no NUL"));
        }
        if self.is_root() {
            Ok(RelPath(component))
        } else {
            Ok(RelPath(format!("{}/{component}", self.0)))
        }
    }

    /// The directory this path is in; `None` for the root.
    pub fn parent(&self) -> Option<RelPath> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rsplit_once('/') {
            Some((parent, _)) => RelPath(parent.to_owned()),
            None => RelPath::root(),
        })
    }

    /// Levels below the root: 0 for the root, 1 for `a`, 2 for `a/b`.
    pub fn depth(&self) -> usize {
        if self.is_root() {
            0
        } else {
            self.0.bytes().filter(|&b| b == b'/').count() + 1
        }
    }
}

impl FromStr for RelPath {
    type Err = PathError;

    fn from_str(text: &str) -> Result<RelPath, PathError> {
        if text == "." {
            return Ok(RelPath::root());
        }
        let Some(bytes) = unescape(text) else {
            return Err(path_error(
                text,
                "not in the escaped form: a backslash is written \\\\, a byte that is not UTF-8 \\xNN in lowercase hex, and nothing else is escaped",
            ));
        };
        if bytes.contains(&0) {
            return Err(path_error(text, "a path has no NUL byte"));
        }
        if bytes.first() == Some(&b'/') {
            return Err(path_error(text, "a relative path does not start with '/'"));
        }
        for component in bytes.split(|&b| b == b'/') {
            if component.is_empty() || component == b"." || component == b".." {
                return Err(path_error(
                    text,
                    "a relative path has no empty, '.' or '..' component (the root is \".\")",
                ));
            }
        }
        Ok(RelPath(text.to_owned()))
    }
}

impl TryFrom<String> for RelPath {
    type Error = PathError;

    fn try_from(text: String) -> Result<RelPath, PathError> {
        text.parse()
    }
}

impl From<RelPath> for String {
    fn from(path: RelPath) -> String {
        path.0
    }
}

impl Ord for RelPath {
    fn cmp(&self, other: &RelPath) -> Ordering {
        // '/' sorts below every other byte (paths have no NUL), which is the same as
        // comparing component by component.
        fn key(b: u8) -> u8 {
            if b == b'/' { 0 } else { b }
        }
        match (self.is_root(), other.is_root()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.0.bytes().map(key).cmp(other.0.bytes().map(key)),
        }
    }
}

impl PartialOrd for RelPath {
    fn partial_cmp(&self, other: &RelPath) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// What a symlink points at, as stored in the link (absolute or relative, never
/// resolved), in the escaped form of the module. Not empty, no NUL.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LinkTarget(String);

impl LinkTarget {
    /// The target of a link as read from the file system.
    pub fn from_bytes(bytes: &[u8]) -> Result<LinkTarget, PathError> {
        if bytes.is_empty() || bytes.contains(&0) {
            return Err(path_error(
                &escape(bytes),
                "a link target is not empty and has no NUL",
            ));
        }
        Ok(LinkTarget(escape(bytes)))
    }

    /// The escaped text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The target's bytes, unescaped.
    pub fn to_bytes(&self) -> Vec<u8> {
        unescape(&self.0).unwrap_or_default()
    }

    /// Bytes in the target, unescaped (what `lstat` reports as a symlink's size).
    pub fn len(&self) -> usize {
        self.to_bytes().len()
    }

    /// Never true: a link target is not empty. Here for the `len` convention.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for LinkTarget {
    type Err = PathError;

    fn from_str(text: &str) -> Result<LinkTarget, PathError> {
        match unescape(text) {
            Some(bytes) => LinkTarget::from_bytes(&bytes),
            None => Err(path_error(text, "not in the escaped form")),
        }
    }
}

impl TryFrom<String> for LinkTarget {
    type Error = PathError;

    fn try_from(text: String) -> Result<LinkTarget, PathError> {
        text.parse()
    }
}

impl From<LinkTarget> for String {
    fn from(target: LinkTarget) -> String {
        target.0
    }
}

impl fmt::Display for LinkTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LinkTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], text: &str) {
        assert_eq!(escape(bytes), text);
        assert_eq!(unescape(text).as_deref(), Some(bytes));
    }

    #[test]
    fn escapes_only_what_is_not_utf8_and_the_backslash() {
        check(b"plain/name.txt", "plain/name.txt");
        check("café".as_bytes(), "café");
        check(b"caf\xe9", "caf\\xe9");
        check(b"a\\b", "a\\\\b");
        check(b"\xff\xfe", "\\xff\\xfe");
        check(b"\xe2\x82", "\\xe2\\x82"); // a truncated euro sign
    }

    #[test]
    fn rejects_other_spellings() {
        for text in [
            "\\x41",
            "\\xE9",
            "\\",
            "\\n",
            "a\\x2fb",
            "\\xc3\\xa9",
            "\\x5c",
        ] {
            assert_eq!(unescape(text), None, "{text}");
        }
    }

    #[test]
    fn relative_paths_are_checked() {
        for bad in [
            "", "/a", "a/", "a//b", "./a", "a/..", "a/./b", "..", "a\\x00b",
        ] {
            assert!(bad.parse::<RelPath>().is_err(), "{bad:?}");
        }
        for good in [".", "a", "a/b", ".hidden/x", "a..b", "caf\\xe9/x"] {
            assert_eq!(
                good.parse::<RelPath>().map(String::from),
                Ok(good.to_owned())
            );
        }
    }

    #[test]
    fn paths_order_component_by_component() {
        let mut paths: Vec<RelPath> = ["a b", "a/b", "a", "-x", ".", "a.txt", "a/b/c", "b"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        paths.sort();
        let order: Vec<&str> = paths.iter().map(RelPath::as_str).collect();
        assert_eq!(order, [".", "-x", "a", "a/b", "a/b/c", "a b", "a.txt", "b"]);
    }

    #[test]
    fn join_and_parent() {
        let a = RelPath::root().join(b"a").unwrap();
        let ab = a.join(b"b\xff").unwrap();
        assert_eq!(ab.as_str(), "a/b\\xff");
        assert_eq!(ab.to_bytes(), b"a/b\xff");
        assert_eq!(ab.parent(), Some(a.clone()));
        assert_eq!(a.parent(), Some(RelPath::root()));
        assert_eq!(RelPath::root().parent(), None);
        assert_eq!(ab.depth(), 2);
        assert!(a.join(b"..").is_err());
        assert!(a.join(b"x/y").is_err());
    }
}
