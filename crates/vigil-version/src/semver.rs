//! Version order of SemVer 2.0 and its npm, crates.io and Hex dialects; the scanner here
//! also reads Go and Pub versions, which share the grammar.
//!
//! SemVer precedence compares major, minor and patch numerically, then the pre-release,
//! and ignores build metadata. The traps of those rules:
//!
//! - A pre-release sorts *before* its release (`1.0.0-rc.1 < 1.0.0`), so "no pre-release"
//!   must sort after every pre-release rather than before it, as an absent suffix usually
//!   does.
//! - Pre-release identifiers made only of digits compare as numbers (`beta.2 < beta.11`),
//!   any other identifier compares as ASCII text (`r100 < r2`, `R2 < r100`), and a
//!   numeric identifier sorts below every textual one (`a.5 < a.b`). A shorter list of
//!   otherwise equal identifiers sorts first (`alpha < alpha.1`).
//! - Only the first `-` starts the pre-release; later hyphens belong to identifiers.
//!   `1.2.3-4-foo` has the one textual identifier `4-foo`, so it sorts *above*
//!   `1.2.3-5` (text beats numbers), where splitting on every `-` would put it below.
//! - Build metadata never changes the order: `1.0.0+a == 1.0.0+b == 1.0.0`, and
//!   `2.7.2+asdf < 3.0.0`.
//! - Numbers have no size limit in the grammar, and advisories do use 30-digit
//!   components, so no component is parsed into a machine integer.
//!
//! The key is the three numbers as [`KeyWriter::digits`], then either [`PRE`] followed by
//! the identifiers and [`END`], or [`RELEASE`], which sorts above [`PRE`]. Each identifier
//! is [`NUMERIC`] and its number, or [`TEXT`] and its bytes; [`NUMERIC`] sorts below
//! [`TEXT`], and [`END`] below both, so a list that is a prefix of another sorts first.
//! Build metadata is not written at all, which makes versions that differ only in it
//! equal. Missing minor and patch numbers are written as zero.
//!
//! What each dialect accepts, beyond the strict SemVer 2.0 grammar
//! (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`, identifiers of `[0-9A-Za-z-]`, none empty):
//!
//! - Everywhere, because OSV data and the conformance suite use it: a leading `v`
//!   (`v1.2.3 == 1.2.3`); a bare `1` or `1.2` meaning `1.0.0` and `1.2.0` (as Go's own
//!   `v1` and `v1.2` shorthands); numbers of any size; and numeric components after the
//!   third (`1.1.3.4.5`), which count as build metadata and so are ignored. Those extra
//!   components must be numbers and may only be followed by `+build`: in `1.2.3.4-rc1` it
//!   is unclear whose pre-release `rc1` is, so it is rejected rather than guessed.
//! - **SemVer** (OSV's generic `SEMVER` type, the most lenient): leading zeros, which do
//!   not change the value (`01.2.3 == 1.2.3`, pre-release `01 == 1`); and a short version
//!   with a suffix (`1.2-rc.1 == 1.2.0-rc.1`).
//! - **npm** (node-semver in loose mode, as npm reads package manifests): any run of
//!   `v`, `=` and ASCII whitespace before the number (`=v1.2.3`); leading zeros; a
//!   pre-release without its `-` after a full version (`1.2.3beta == 1.2.3-beta`); and
//!   node-semver's limit of 256 bytes. node-semver compares numeric identifiers above
//!   2^53 as floating point, so distinct huge identifiers can tie there; here they are
//!   compared exactly.
//! - **crates.io** (the `semver` crate) and **Hex** (Elixir's `Version`): nothing more;
//!   leading zeros are rejected in numbers and numeric pre-release identifiers, as both
//!   tools do, and short versions must be bare. Cargo orders build metadata as a last
//!   tie-break, but crates.io and version requirements treat versions that differ only in
//!   it as the same version, and so does the key.

use crate::Invalid;
use crate::key::KeyWriter;

/// Marker after the numbers of a pre-release: below [`RELEASE`], so `1.0.0-x < 1.0.0`.
pub(crate) const PRE: u8 = 0x01;
/// Marker after the numbers of a release.
pub(crate) const RELEASE: u8 = 0x02;
/// End of an identifier list: below both identifier tags, so shorter lists sort first.
pub(crate) const END: u8 = 0x00;
/// Tag of a numeric identifier: numbers sort below text.
pub(crate) const NUMERIC: u8 = 0x01;
/// Tag of a textual identifier.
pub(crate) const TEXT: u8 = 0x02;

/// node-semver rejects longer version strings outright.
const NPM_MAX_LEN: usize = 256;

/// The leniencies one dialect's tool allows beyond the strict grammar.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dialect {
    /// Numbers and numeric pre-release identifiers may have leading zeros, which are
    /// ignored.
    pub(crate) leading_zeros: bool,
    /// A short version (`1.2`) may carry a pre-release or build metadata.
    pub(crate) short_suffix: bool,
    /// node-semver's loose mode: a `[v=\s]*` prefix, an optional `-` before the
    /// pre-release, and the 256-byte limit.
    pub(crate) npm_loose: bool,
}

/// OSV's generic SemVer: lenient, since it is applied to many ecosystems' versions.
const SEMVER: Dialect = Dialect {
    leading_zeros: true,
    short_suffix: true,
    npm_loose: false,
};

const NPM: Dialect = Dialect {
    leading_zeros: true,
    short_suffix: false,
    npm_loose: true,
};

/// The `semver` crate and Elixir's `Version`: the strict grammar plus what OSV data needs.
pub(crate) const STRICT: Dialect = Dialect {
    leading_zeros: false,
    short_suffix: false,
    npm_loose: false,
};

pub(crate) fn encode_semver(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    encode_with(input, w, &SEMVER)
}

pub(crate) fn encode_npm(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    encode_with(input, w, &NPM)
}

pub(crate) fn encode_cargo(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    encode_with(input, w, &STRICT)
}

pub(crate) fn encode_hex(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    encode_with(input, w, &STRICT)
}

/// Writes the SemVer precedence key of `input`, read with `dialect`'s leniencies.
pub(crate) fn encode_with(
    input: &str,
    w: &mut KeyWriter,
    dialect: &Dialect,
) -> Result<(), Invalid> {
    let parts = scan(input, dialect)?;
    parts.write_numbers(w);
    match parts.pre {
        Some(pre) => {
            w.tag(PRE);
            for id in identifiers(pre) {
                if id.iter().all(u8::is_ascii_digit) {
                    w.tag(NUMERIC);
                    w.digits(id);
                } else {
                    w.tag(TEXT);
                    w.text(id);
                }
            }
            w.tag(END);
        }
        None => w.tag(RELEASE),
    }
    Ok(())
}

/// A version split into its validated pieces, borrowed from the input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts<'a> {
    /// Major, minor and patch digits; an empty slice is a missing number, which is zero.
    pub(crate) numbers: [&'a [u8]; 3],
    /// The dot-separated pre-release identifiers, without the `-`.
    pub(crate) pre: Option<&'a [u8]>,
    /// Numeric components after the third, dot-separated, without the first `.`: they
    /// count as the first build metadata identifiers.
    pub(crate) extra: Option<&'a [u8]>,
    /// The dot-separated build metadata identifiers, without the `+`.
    pub(crate) build: Option<&'a [u8]>,
}

impl Parts<'_> {
    /// Writes major, minor and patch, a missing one as zero.
    pub(crate) fn write_numbers(&self, w: &mut KeyWriter) {
        for number in self.numbers {
            w.digits(number);
        }
    }
}

/// The identifiers of a validated dot-separated list.
pub(crate) fn identifiers(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    list.split(|&b| b == b'.')
}

/// Which suffix a list of identifiers belongs to, for its rules and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Pre,
    Build,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Pre => "pre-release",
            Section::Build => "build metadata",
        }
    }
}

const NUMBER_NAMES: [&str; 3] = ["major", "minor", "patch"];

/// Splits and validates a SemVer-shaped version, walking its bytes once.
pub(crate) fn scan<'a>(input: &'a str, dialect: &Dialect) -> Result<Parts<'a>, Invalid> {
    let s = input.as_bytes();
    if dialect.npm_loose && s.len() > NPM_MAX_LEN {
        return Err(Invalid::new(format!(
            "longer than {NPM_MAX_LEN} bytes, the most node-semver accepts"
        )));
    }
    let mut i = if dialect.npm_loose {
        s.iter()
            .position(|&b| !(b == b'v' || b == b'=' || is_js_ascii_space(b)))
            .unwrap_or(s.len())
    } else {
        usize::from(s.first() == Some(&b'v'))
    };

    let mut parts = Parts {
        numbers: [&[]; 3],
        pre: None,
        extra: None,
        build: None,
    };
    let mut count = 0;
    for (slot, name) in parts.numbers.iter_mut().zip(NUMBER_NAMES) {
        let start = i;
        i = skip_digits(s, i);
        let number = s.get(start..i).unwrap_or_default();
        if number.is_empty() {
            return Err(expected_number(input, start, count > 0));
        }
        if !dialect.leading_zeros && has_leading_zero(number) {
            return Err(Invalid::at(
                start,
                format!("{name} version {} has a leading zero", quote(number)),
            ));
        }
        *slot = number;
        count += 1;
        if count < 3 && s.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }

    if count < 3 {
        match s.get(i) {
            None => return Ok(parts),
            Some(b'-' | b'+') if dialect.short_suffix => {}
            Some(b'-') => {
                return Err(Invalid::at(
                    i,
                    "a pre-release needs all three of major.minor.patch",
                ));
            }
            Some(b'+') => {
                return Err(Invalid::at(
                    i,
                    "build metadata needs all three of major.minor.patch",
                ));
            }
            Some(_) => return Err(unexpected(input, i, "after the version numbers")),
        }
    } else if s.get(i) == Some(&b'.') {
        let start = i + 1;
        i = skip_extra_numbers(input, start)?;
        parts.extra = s.get(start..i);
        if s.get(i) == Some(&b'-') {
            return Err(Invalid::at(
                i,
                "a pre-release cannot follow a fourth version number",
            ));
        }
    }

    let pre_start = match s.get(i) {
        Some(b'-') => Some(i + 1),
        Some(b) if dialect.npm_loose && parts.extra.is_none() && b.is_ascii_alphabetic() => Some(i),
        _ => None,
    };
    if let Some(start) = pre_start {
        i = scan_identifiers(input, start, Section::Pre, dialect)?;
        parts.pre = s.get(start..i);
    }
    if s.get(i) == Some(&b'+') {
        let start = i + 1;
        i = scan_identifiers(input, start, Section::Build, dialect)?;
        parts.build = s.get(start..i);
    }
    if i < s.len() {
        return Err(unexpected(input, i, "after the version numbers"));
    }
    Ok(parts)
}

/// Validates a dot-separated identifier list starting at `start` and returns where it
/// ends: at the end of the input, or for a pre-release also at a `+`.
pub(crate) fn scan_identifiers(
    input: &str,
    start: usize,
    section: Section,
    dialect: &Dialect,
) -> Result<usize, Invalid> {
    let s = input.as_bytes();
    let mut i = start;
    loop {
        let id_start = i;
        while s
            .get(i)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-')
        {
            i += 1;
        }
        let id = s.get(id_start..i).unwrap_or_default();
        if id.is_empty() {
            return Err(match s.get(i) {
                None | Some(b'.' | b'+') => {
                    Invalid::at(i, format!("empty {} identifier", section.name()))
                }
                Some(_) => unexpected(input, i, section_phrase(section)),
            });
        }
        if section == Section::Pre
            && !dialect.leading_zeros
            && has_leading_zero(id)
            && id.iter().all(u8::is_ascii_digit)
        {
            return Err(Invalid::at(
                id_start,
                format!(
                    "numeric pre-release identifier {} has a leading zero",
                    quote(id)
                ),
            ));
        }
        match s.get(i) {
            Some(b'.') => i += 1,
            None => return Ok(i),
            Some(b'+') if section == Section::Pre => return Ok(i),
            Some(_) => return Err(unexpected(input, i, section_phrase(section))),
        }
    }
}

fn section_phrase(section: Section) -> &'static str {
    match section {
        Section::Pre => "in the pre-release",
        Section::Build => "in the build metadata",
    }
}

/// Skips `N(.N)*` of numeric components after the third and returns where they end.
fn skip_extra_numbers(input: &str, start: usize) -> Result<usize, Invalid> {
    let s = input.as_bytes();
    let mut i = start;
    loop {
        let n = i;
        i = skip_digits(s, i);
        if i == n {
            return Err(expected_number(input, i, true));
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
        } else {
            return Ok(i);
        }
    }
}

/// The index of the first non-digit at or after `i`.
pub(crate) fn skip_digits(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// `"0"` is fine; `"01"` (and `"0a"`, which callers exclude when it matters) is not.
fn has_leading_zero(s: &[u8]) -> bool {
    s.len() > 1 && s.first() == Some(&b'0')
}

/// The whitespace a JavaScript `\s` matches, restricted to ASCII.
fn is_js_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The rejection for a missing number at `at`.
pub(crate) fn expected_number(input: &str, at: usize, after_dot: bool) -> Invalid {
    let context = if after_dot { " after \".\"" } else { "" };
    match char_at(input, at) {
        Some(c) => Invalid::at(
            at,
            format!("expected a number{context} but found {}", quote_char(c)),
        ),
        None => Invalid::at(
            at,
            format!("expected a number{context} but the version ends"),
        ),
    }
}

/// The rejection for a character that cannot appear at `at`.
pub(crate) fn unexpected(input: &str, at: usize, context: &str) -> Invalid {
    match char_at(input, at) {
        Some(c) => Invalid::at(at, format!("unexpected {} {context}", quote_char(c))),
        None => Invalid::at(at, format!("unexpected end {context}")),
    }
}

/// The character starting at byte `at`, if `at` is a character boundary inside `input`.
fn char_at(input: &str, at: usize) -> Option<char> {
    input.get(at..).and_then(|rest| rest.chars().next())
}

fn quote_char(c: char) -> String {
    format!("\"{}\"", c.escape_debug())
}

/// Quotes validated ASCII bytes for a message.
pub(crate) fn quote(bytes: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(bytes).escape_debug())
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{
        Shape, assert_consistent_triple, check, check_all, rejects, shaped_triples,
    };

    const FAMILY: [Scheme; 4] = [Scheme::SemVer, Scheme::Npm, Scheme::Cargo, Scheme::Hex];

    #[test]
    fn precedence_in_every_dialect() {
        let cases = [
            ("1.0.0-alpha", "<", "1.0.0-alpha.1"),
            ("1.0.0-alpha.1", "<", "1.0.0-alpha.beta"),
            ("1.0.0-alpha.beta", "<", "1.0.0-beta"),
            ("1.0.0-beta.2", "<", "1.0.0-beta.11"),
            ("1.0.0-rc.1", "<", "1.0.0"),
            ("1.0.0", "<", "1.0.1"),
            ("1.9.0", "<", "1.10.0"),
            ("1.2.3-5", "<", "1.2.3-4-foo"),
            ("1.2.3-4-foo", "<", "1.2.3"),
            ("1.2.3-Z", "<", "1.2.3-a"),
            ("1.2.3-r100", "<", "1.2.3-r2"),
            ("1.2.3-9", "<", "1.2.3--"),
            ("1.2.3--", "<", "1.2.3-0a"),
            ("1.2.3-x.9", "<", "1.2.3-x.10"),
            (
                "1.2.3-x.99999999999999999999",
                "<",
                "1.2.3-x.100000000000000000000",
            ),
            ("1.2.3-x.100000000000000000000", "<", "1.2.3-x.a"),
            ("1.0.0+zzz", "=", "1.0.0"),
            ("1.0.0-rc.1+b.1", "=", "1.0.0-rc.1+b.2"),
            ("2.7.2+asdf", "<", "3.0.0"),
            ("v1.2.3", "=", "1.2.3"),
            ("1", "=", "1.0.0"),
            ("1.2", "=", "v1.2.0"),
            ("1.2.3.4.5", "=", "1.2.3"),
            ("1.2.3.4", "=", "1.2.3+99"),
            ("1.2.3.4+x", "=", "1.2.3"),
            ("1.2.3.4", "<", "1.2.4-0"),
            (
                "18446744073709551616.0.0",
                ">",
                "18446744073709551615.99999999999999999999.0",
            ),
            (
                "999999999999999999999999999991",
                "<",
                "999999999999999999999999999999",
            ),
        ];
        for scheme in FAMILY {
            check_all(scheme, &cases);
        }
    }

    #[test]
    fn dialect_leniencies() {
        // OSV's SemVer: leading zeros mean nothing, short versions may carry suffixes.
        check(Scheme::SemVer, "01.02.003", "=", "1.2.3");
        check(Scheme::SemVer, "1.2.3-01", "=", "1.2.3-1");
        check(Scheme::SemVer, "1.2-rc.1", "=", "1.2.0-rc.1");
        check(Scheme::SemVer, "1+build", "=", "1.0.0");
        // npm reads versions in node-semver's loose mode.
        check(Scheme::Npm, "=v1.2.3", "=", "1.2.3");
        check(Scheme::Npm, "= v 1.2.3", "=", "1.2.3");
        check(Scheme::Npm, "v=1.2.3-01", "=", "1.2.3-1");
        check(Scheme::Npm, "1.2.3beta.1", "=", "1.2.3-beta.1");
        check(Scheme::Npm, "1.2.3beta", "<", "1.2.3");
        check(Scheme::Npm, "001.2.3", "=", "1.2.3");
    }

    #[test]
    fn rejected_inputs() {
        let everywhere = [
            ("x", "expected a number but found \"x\" (at byte 0)"),
            (
                "1..2",
                "expected a number after \".\" but found \".\" (at byte 2)",
            ),
            (
                "1.2.",
                "expected a number after \".\" but the version ends (at byte 4)",
            ),
            (
                "1.2.3.",
                "expected a number after \".\" but the version ends (at byte 6)",
            ),
            (
                "1.2.3.x",
                "expected a number after \".\" but found \"x\" (at byte 6)",
            ),
            ("1.2.3-", "empty pre-release identifier (at byte 6)"),
            ("1.2.3-a..b", "empty pre-release identifier (at byte 8)"),
            ("1.2.3-a.", "empty pre-release identifier (at byte 8)"),
            ("1.2.3+", "empty build metadata identifier (at byte 6)"),
            ("1.2.3-+b", "empty pre-release identifier (at byte 6)"),
            (
                "1.2.3+a+b",
                "unexpected \"+\" in the build metadata (at byte 7)",
            ),
            (
                "1.2.3-a_b",
                "unexpected \"_\" in the pre-release (at byte 7)",
            ),
            ("1.2.3-é", "unexpected \"é\" in the pre-release (at byte 6)"),
            (
                "1.2.3 x",
                "unexpected \" \" after the version numbers (at byte 5)",
            ),
            (
                "1.2.3.4-rc1",
                "a pre-release cannot follow a fourth version number (at byte 7)",
            ),
            (
                "1.2x",
                "unexpected \"x\" after the version numbers (at byte 3)",
            ),
        ];
        for scheme in FAMILY {
            for (input, reason) in everywhere {
                rejects(scheme, input, reason);
            }
        }
        for scheme in [Scheme::SemVer, Scheme::Cargo, Scheme::Hex] {
            rejects(
                scheme,
                "1.2.3beta",
                "unexpected \"b\" after the version numbers (at byte 5)",
            );
            rejects(
                scheme,
                "=1.2.3",
                "expected a number but found \"=\" (at byte 0)",
            );
        }
        for scheme in [Scheme::Cargo, Scheme::Hex] {
            rejects(
                scheme,
                "1.02.3",
                "minor version \"02\" has a leading zero (at byte 2)",
            );
            rejects(
                scheme,
                "1.2.3-rc.01",
                "numeric pre-release identifier \"01\" has a leading zero (at byte 9)",
            );
            rejects(
                scheme,
                "1.2-rc.1",
                "a pre-release needs all three of major.minor.patch (at byte 3)",
            );
        }
        rejects(
            Scheme::Npm,
            "1+b",
            "build metadata needs all three of major.minor.patch (at byte 1)",
        );
        let long = format!("1.2.3-{}", "a".repeat(251));
        rejects(
            Scheme::Npm,
            &long,
            "longer than 256 bytes, the most node-semver accepts",
        );
        // Leading zeros in build metadata are fine everywhere.
        check(Scheme::Cargo, "1.2.3+001", "=", "1.2.3");
        check(Scheme::Hex, "1.2.3.04", "=", "1.2.3");
    }

    /// A version as the SemVer specification describes it, parsed with string splitting.
    #[derive(Debug)]
    struct RefVersion {
        numbers: Vec<String>,
        pre: Option<Vec<String>>,
    }

    #[derive(Clone, Copy)]
    struct RefDialect {
        leading_zeros: bool,
        short_suffix: bool,
        npm: bool,
    }

    fn ref_dialect(scheme: Scheme) -> RefDialect {
        match scheme {
            Scheme::SemVer => RefDialect {
                leading_zeros: true,
                short_suffix: true,
                npm: false,
            },
            Scheme::Npm => RefDialect {
                leading_zeros: true,
                short_suffix: false,
                npm: true,
            },
            _ => RefDialect {
                leading_zeros: false,
                short_suffix: false,
                npm: false,
            },
        }
    }

    fn valid_identifiers(list: &str) -> bool {
        list.split('.')
            .all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    }

    fn is_number(s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
    }

    /// The reference reading: strip the prefix, cut off `+build`, cut the numbers from the
    /// pre-release, then check each piece.
    fn ref_parse(input: &str, d: RefDialect) -> Option<RefVersion> {
        if d.npm && input.len() > 256 {
            return None;
        }
        let rest = if d.npm {
            input.trim_start_matches(|c: char| {
                c == 'v' || c == '=' || matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
            })
        } else {
            input.strip_prefix('v').unwrap_or(input)
        };
        let (rest, build) = match rest.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (rest, None),
        };
        if build.is_some_and(|b| !valid_identifiers(b)) {
            return None;
        }
        let core_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (core, tail) = rest.split_at(core_end);
        let components: Vec<&str> = core.split('.').collect();
        if !components.iter().all(|c| is_number(c)) {
            return None;
        }
        let pre = if tail.is_empty() {
            None
        } else if let Some(p) = tail.strip_prefix('-') {
            Some(p)
        } else if d.npm
            && components.len() == 3
            && tail.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            Some(tail)
        } else {
            return None;
        };
        if components.len() > 3 && pre.is_some() {
            return None;
        }
        if components.len() < 3 && (pre.is_some() || build.is_some()) && !d.short_suffix {
            return None;
        }
        let main = &components[..components.len().min(3)];
        if !d.leading_zeros && main.iter().any(|c| c.len() > 1 && c.starts_with('0')) {
            return None;
        }
        let pre = match pre {
            None => None,
            Some(p) => {
                if !valid_identifiers(p) {
                    return None;
                }
                let ids: Vec<String> = p.split('.').map(str::to_owned).collect();
                if !d.leading_zeros
                    && ids
                        .iter()
                        .any(|id| is_number(id) && id.len() > 1 && id.starts_with('0'))
                {
                    return None;
                }
                Some(ids)
            }
        };
        let mut numbers: Vec<String> = main.iter().map(|c| (*c).to_owned()).collect();
        numbers.resize(3, "0".to_owned());
        Some(RefVersion { numbers, pre })
    }

    fn cmp_numbers(a: &str, b: &str) -> Ordering {
        let a = a.trim_start_matches('0');
        let b = b.trim_start_matches('0');
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }

    /// SemVer 2.0 precedence, rule by rule (section 11 of the specification).
    fn ref_cmp(a: &RefVersion, b: &RefVersion) -> Ordering {
        for (x, y) in a.numbers.iter().zip(&b.numbers) {
            let c = cmp_numbers(x, y);
            if c != Ordering::Equal {
                return c;
            }
        }
        match (&a.pre, &b.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => {
                for (p, q) in x.iter().zip(y) {
                    let c = match (is_number(p), is_number(q)) {
                        (true, true) => cmp_numbers(p, q),
                        (true, false) => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        (false, false) => p.as_bytes().cmp(q.as_bytes()),
                    };
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                x.len().cmp(&y.len())
            }
        }
    }

    fn shape() -> Shape {
        Shape {
            number: prop_oneof![
                6 => Just("1".to_owned()),
                3 => Just("0".to_owned()),
                1 => Just("10".to_owned()),
                1 => Just("01".to_owned()),
                1 => Just("18446744073709551616".to_owned()),
                1 => Just("99999999999999999999".to_owned()),
                1 => "[0-9]{1,3}",
            ]
            .boxed(),
            count: prop_oneof![1 => 1..=2usize, 8 => Just(3usize), 1 => 4..=5usize].boxed(),
            identifier: prop_oneof![
                3 => Just("alpha".to_owned()),
                1 => Just("alpha1".to_owned()),
                1 => Just("alphA".to_owned()),
                1 => Just("a".to_owned()),
                2 => Just("beta".to_owned()),
                3 => Just("0".to_owned()),
                3 => Just("1".to_owned()),
                2 => Just("10".to_owned()),
                1 => Just("01".to_owned()),
                1 => Just("-".to_owned()),
                1 => Just("a-b".to_owned()),
                1 => Just("A".to_owned()),
                1 => Just("4-foo".to_owned()),
                1 => Just("99999999999999999999".to_owned()),
                1 => Just("100000000000000000000".to_owned()),
                1 => "[0-9A-Za-z-]{1,3}",
                1 => Just(String::new()),
            ]
            .boxed(),
            prefix: prop_oneof![8 => Just(""), 3 => Just("v"), 1 => Just("="), 1 => Just("=v ")]
                .boxed(),
            separator: prop_oneof![6 => Just("-"), 2 => Just(""), 1 => Just("--")].boxed(),
        }
    }

    /// The reference reading of a trimmed version, in `scheme`'s dialect.
    fn reference(scheme: Scheme, s: &str) -> Option<RefVersion> {
        if s.is_empty() {
            None
        } else {
            ref_parse(s, ref_dialect(scheme))
        }
    }

    /// Checks every pair of accepted versions, and transitivity when all three are.
    fn properties(scheme: Scheme, versions: [&str; 3]) -> Result<(), TestCaseError> {
        assert_consistent_triple(scheme, versions, |s| reference(scheme, s), ref_cmp)
    }

    proptest! {
        #[test]
        fn semver_matches_reference([a, b, c] in shaped_triples(shape())) {
            properties(Scheme::SemVer, [&a, &b, &c])?;
        }

        #[test]
        fn npm_matches_reference([a, b, c] in shaped_triples(shape())) {
            properties(Scheme::Npm, [&a, &b, &c])?;
        }

        #[test]
        fn cargo_matches_reference([a, b, c] in shaped_triples(shape())) {
            properties(Scheme::Cargo, [&a, &b, &c])?;
        }

        #[test]
        fn hex_matches_reference([a, b, c] in shaped_triples(shape())) {
            properties(Scheme::Hex, [&a, &b, &c])?;
        }

        /// Whatever the input, every scheme read by this module family answers without
        /// panicking.
        #[test]
        fn no_input_panics(s in "[v=0-9a-zA-Z.+_ xX-]{0,300}|\\PC{0,40}") {
            for scheme in [
                Scheme::SemVer,
                Scheme::Npm,
                Scheme::Cargo,
                Scheme::Hex,
                Scheme::Go,
                Scheme::Pub,
                Scheme::NuGet,
            ] {
                let _ = scheme.parse(&s);
            }
        }
    }
}
