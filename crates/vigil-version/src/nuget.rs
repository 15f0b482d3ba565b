//! Version order of NuGet (`NuGetVersion` compared with `VersionComparer.Default`).
//!
//! NuGet versions are SemVer 2.0 with a .NET past. The traps of its rules:
//!
//! - There are up to *four* numbers (`major.minor.patch.revision`), and a missing one is
//!   zero: `1.0 == 1.0.0 == 1.0.0.0`, while `1.0.0.1 > 1.0.0`. Leading zeros are
//!   allowed and ignored (`1.0.01 == 1.0.1.0`).
//! - Release labels (the pre-release) compare *case-insensitively*:
//!   `1.0.0-BETA == 1.0.0-beta`, unlike SemVer, where `BETA < beta`.
//! - A label is a number when .NET's `int.TryParse` accepts it, and then compares by
//!   value: a 32-bit signed integer, so `-1` is a number below `0` (`1.0.0--1 <
//!   1.0.0-0`), and digit strings beyond 2147483647 are *text*, which sorts after every
//!   number and compares character by character (`1.0.0-10000000000 <
//!   1.0.0-9999999999`). Numbers sort below text; a shorter label list sorts first.
//! - Build metadata is ignored (`1.0.0+AA == 1.0.0`), so `1.0.0-beta+zz < 1.0.0+aa`.
//!
//! Grammar: one to four numbers, each digits only; then optionally `-` and release
//! labels; then optionally `+` and metadata. Labels and metadata identifiers are
//! `[0-9A-Za-z-]`, none empty, and a label of digits only has no leading zero (`0` is
//! fine, `01` is not; `-01` is the number -1), as in NuGet. Deliberate differences from
//! NuGet's parser: a fifth number is rejected, as NuGet does; empty numbers (`1..2`,
//! `1.`, `.1`), which NuGet reads as zeros, are rejected as not being versions; numbers
//! of any size are compared exactly, where NuGet's own parser silently wraps numbers past
//! 2^31 (the conformance data compares 30-digit numbers); and a `v` prefix is rejected,
//! as NuGet does. NuGet's `Compare` and `Equals` disagree on numeric labels written
//! differently (`-0` and `0` compare equal but are not `Equals`); the key follows
//! `Compare`, since that is the order ranges use.
//!
//! The key is four [`KeyWriter::digits`], then [`PRE`] with the labels and [`END`], or
//! [`RELEASE`], which sorts above [`PRE`]. A label is [`NUMERIC`] and its value with the
//! sign bit flipped (so negative numbers sort first), or [`TEXT`] and its bytes lowered,
//! which orders exactly as NuGet's upper-casing comparison does: only letters change
//! case, and all of them sort above digits and `-` either way.

use crate::Invalid;
use crate::key::KeyWriter;
use crate::semver::{
    self, END, NUMERIC, PRE, RELEASE, STRICT, Section, TEXT, expected_number, unexpected,
};

/// NuGet compares four numbers; missing ones are zero.
const NUMBERS: usize = 4;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let s = input.as_bytes();
    let mut i = 0;
    let mut count = 0;
    loop {
        let start = i;
        i = semver::skip_digits(s, i);
        if i == start {
            return Err(expected_number(input, start, count > 0));
        }
        w.digits(s.get(start..i).unwrap_or_default());
        count += 1;
        if s.get(i) != Some(&b'.') {
            break;
        }
        if count == NUMBERS {
            return Err(Invalid::at(i, "more than four version numbers"));
        }
        i += 1;
    }
    for _ in count..NUMBERS {
        w.uint(0);
    }

    match s.get(i) {
        Some(b'-') => {
            let start = i + 1;
            // Labels follow the strict SemVer rules: no empty ones, no leading zeros.
            i = semver::scan_identifiers(input, start, Section::Pre, &STRICT)?;
            w.tag(PRE);
            for label in semver::identifiers(s.get(start..i).unwrap_or_default()) {
                match dotnet_int(label) {
                    Some(n) => {
                        w.tag(NUMERIC);
                        w.uint(u64::from(n.cast_unsigned() ^ (1 << 31)));
                    }
                    None => {
                        w.tag(TEXT);
                        w.text_lowercase(label);
                    }
                }
            }
            w.tag(END);
        }
        None | Some(b'+') => w.tag(RELEASE),
        Some(_) => return Err(unexpected(input, i, "after the version numbers")),
    }
    if s.get(i) == Some(&b'+') {
        i = semver::scan_identifiers(input, i + 1, Section::Build, &STRICT)?;
    }
    if i < s.len() {
        return Err(unexpected(input, i, "after the version numbers"));
    }
    Ok(())
}

/// The value .NET's `int.TryParse` gives a label: an optional sign and decimal digits
/// (leading zeros allowed) whose value fits in an `i32`.
fn dotnet_int(label: &[u8]) -> Option<i32> {
    let (negative, digits) = match label.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, label),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude * 10 + i64::from(b - b'0');
        if magnitude > 1 << 31 {
            return None;
        }
    }
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{Shape, assert_consistent_triple, check_all, rejects_all, shaped_triples};

    #[test]
    fn notable_orderings() {
        let cases = [
            ("1", "=", "1.0.0.0"),
            ("1.2", "=", "1.2.0"),
            ("001.002", "=", "1.2.0.0"),
            ("1.0.0", "<", "1.0.0.1"),
            ("1.0.0.1-alpha", ">", "1.0.0"),
            ("1.0.0.1-alpha", "<", "1.0.0.1"),
            ("1.0.0-BETA", "=", "1.0.0-beta"),
            ("1.0.0-Beta.X", "=", "1.0.0-bEtA.x+Meta"),
            ("1.0.0-beta", "<", "1.0.0-beta.1"),
            ("1.0.0-beta.2", "<", "1.0.0-beta.10"),
            ("1.0.0-beta.10", "<", "1.0.0-beta.a"),
            ("1.0.0-beta.Z", "<", "1.0.0-beta.zz"),
            ("1.0.0--1", "<", "1.0.0-0"),
            ("1.0.0--0", "=", "1.0.0-0"),
            ("1.0.0--01", "=", "1.0.0--1"),
            ("1.0.0-2147483647", "<", "1.0.0-2147483648"),
            ("1.0.0--2147483648", "<", "1.0.0--2147483647"),
            ("1.0.0-10000000000", "<", "1.0.0-9999999999"),
            ("1.0.0-9999999999", "<", "1.0.0-a"),
            ("1.0.0--", "<", "1.0.0-0a"),
            ("1.0.0-beta+zz", "<", "1.0.0+aa"),
            ("1.0.0+AA", "=", "1.0.0"),
            ("1.0.0+01.002", "=", "1.0.0"),
            (
                "99999999999999999999999.0",
                ">",
                "99999999999999999999998.99999999999999999999",
            ),
        ];
        check_all(Scheme::NuGet, &cases);
    }

    #[test]
    fn rejected_inputs() {
        let cases = [
            ("v1.0.0", "expected a number but found \"v\" (at byte 0)"),
            (".1", "expected a number but found \".\" (at byte 0)"),
            (
                "1..2",
                "expected a number after \".\" but found \".\" (at byte 2)",
            ),
            (
                "1.",
                "expected a number after \".\" but the version ends (at byte 2)",
            ),
            ("1.2.3.4.5", "more than four version numbers (at byte 7)"),
            ("1.0.0-", "empty pre-release identifier (at byte 6)"),
            ("1.0.0-a..b", "empty pre-release identifier (at byte 8)"),
            (
                "1.0.0-01",
                "numeric pre-release identifier \"01\" has a leading zero (at byte 6)",
            ),
            ("1.0.0+", "empty build metadata identifier (at byte 6)"),
            (
                "1.0.0+a+b",
                "unexpected \"+\" in the build metadata (at byte 7)",
            ),
            (
                "1.0.0-a_b",
                "unexpected \"_\" in the pre-release (at byte 7)",
            ),
            (
                "1.0.0beta",
                "unexpected \"b\" after the version numbers (at byte 5)",
            ),
            (
                "1.0 .0",
                "unexpected \" \" after the version numbers (at byte 3)",
            ),
        ];
        rejects_all(Scheme::NuGet, &cases);
    }

    /// `ParseSections` followed by the checks of `NuGetVersion.TryParse`, written with
    /// string operations, minus the leniencies this crate documents as rejected.
    #[derive(Debug)]
    struct NuGetVersion {
        numbers: Vec<String>,
        labels: Option<Vec<String>>,
    }

    fn valid_part(s: &str, leading_zeros: bool) -> bool {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && (leading_zeros
                || !(s.len() > 1 && s.starts_with('0') && s.chars().all(|c| c.is_ascii_digit())))
    }

    fn nuget_parse(input: &str) -> Option<NuGetVersion> {
        let version_end = input.find(['-', '+']).unwrap_or(input.len());
        let (version, rest) = input.split_at(version_end);
        let (labels, metadata) = match rest.strip_prefix('-') {
            Some(r) => match r.split_once('+') {
                Some((l, m)) => (Some(l), Some(m)),
                None => (Some(r), None),
            },
            None => (None, rest.strip_prefix('+')),
        };
        let numbers: Vec<String> = version.split('.').map(str::to_owned).collect();
        if numbers.len() > 4
            || numbers
                .iter()
                .any(|n| n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()))
        {
            return None;
        }
        if let Some(l) = labels
            && !l.split('.').all(|p| valid_part(p, false))
        {
            return None;
        }
        if let Some(m) = metadata
            && !m.split('.').all(|p| valid_part(p, true))
        {
            return None;
        }
        let mut numbers = numbers;
        numbers.resize(4, "0".to_owned());
        Some(NuGetVersion {
            numbers,
            labels: labels.map(|l| l.split('.').map(str::to_owned).collect()),
        })
    }

    fn cmp_numbers(a: &str, b: &str) -> Ordering {
        let a = a.trim_start_matches('0');
        let b = b.trim_start_matches('0');
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }

    /// `VersionComparer.CompareRelease`: `int.TryParse`, then OrdinalIgnoreCase.
    fn compare_release(a: &str, b: &str) -> Ordering {
        match (a.parse::<i32>().ok(), b.parse::<i32>().ok()) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.to_ascii_uppercase().cmp(&b.to_ascii_uppercase()),
        }
    }

    /// `VersionComparer.Compare` in the default mode.
    fn nuget_compare(a: &NuGetVersion, b: &NuGetVersion) -> Ordering {
        for (x, y) in a.numbers.iter().zip(&b.numbers) {
            let c = cmp_numbers(x, y);
            if c != Ordering::Equal {
                return c;
            }
        }
        match (&a.labels, &b.labels) {
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
            (Some(x), Some(y)) => {
                for i in 0..x.len().max(y.len()) {
                    let c = match (x.get(i), y.get(i)) {
                        (None, _) => return Ordering::Less,
                        (_, None) => return Ordering::Greater,
                        (Some(p), Some(q)) => compare_release(p, q),
                    };
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                Ordering::Equal
            }
        }
    }

    fn shape() -> Shape {
        Shape {
            number: prop_oneof![
                6 => Just("1".to_owned()),
                3 => Just("0".to_owned()),
                1 => Just("01".to_owned()),
                1 => Just("99999999999999999999".to_owned()),
                1 => "[0-9]{1,3}",
            ]
            .boxed(),
            count: prop_oneof![2 => 1..=2usize, 4 => Just(3usize), 3 => Just(4usize), 1 => Just(5usize)]
                .boxed(),
            identifier: prop_oneof![
                3 => Just("0".to_owned()),
                3 => Just("1".to_owned()),
                1 => Just("01".to_owned()),
                1 => Just("-1".to_owned()),
                1 => Just("-0".to_owned()),
                1 => Just("-01".to_owned()),
                1 => Just("2147483647".to_owned()),
                1 => Just("2147483648".to_owned()),
                1 => Just("-2147483648".to_owned()),
                1 => Just("-2147483649".to_owned()),
                1 => Just("10000000000".to_owned()),
                1 => Just("9999999999".to_owned()),
                2 => Just("beta".to_owned()),
                2 => Just("BETA".to_owned()),
                1 => Just("Beta2".to_owned()),
                1 => Just("-".to_owned()),
                1 => Just("x".to_owned()),
                1 => "[0-9A-Za-z-]{1,3}",
                1 => Just(String::new()),
            ]
            .boxed(),
            prefix: prop_oneof![8 => Just(""), 1 => Just("v")].boxed(),
            separator: prop_oneof![8 => Just("-"), 1 => Just("")].boxed(),
        }
    }

    proptest! {
        #[test]
        fn dotnet_int_matches_reference(s in "[-+]?[0-9]{0,12}") {
            prop_assert_eq!(super::dotnet_int(s.as_bytes()), s.parse::<i32>().ok(), "{:?}", s);
        }

        #[test]
        fn matches_nuget_reference([a, b, c] in shaped_triples(shape())) {
            assert_consistent_triple(Scheme::NuGet, [&a, &b, &c], nuget_parse, nuget_compare)?;
        }
    }
}
