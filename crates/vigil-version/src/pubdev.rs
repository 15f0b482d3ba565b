//! Version order of Dart's `pub_semver` (`Version.compareTo`), used by pub.dev.
//!
//! Pub reads SemVer's grammar but orders it its own way. The traps:
//!
//! - Build metadata is *ordered*, unlike SemVer: a version with build metadata sorts
//!   after the same version without (`1.0.0 < 1.0.0+build`), and build identifiers
//!   compare like pre-release ones (`1.2.3+1 < 1.2.3+2 < 1.2.3+a`, `1.2.3+1z < 1.2.3+9a`,
//!   `1.2.3+a < 1.2.3+a1`). The pre-release still decides first, so
//!   `1.0.0-pre < 1.0.0-pre+build < 1.0.0 < 1.0.0+build`.
//! - An identifier is a number exactly when Dart's `int.tryParse` accepts it, which is
//!   more than "all digits": leading zeros are dropped (`1.0.0-01 == 1.0.0-1`), a leading
//!   `-` makes a negative number (`1.0.0--1 < 1.0.0-0`), a `0x` or `0X` prefix makes a
//!   hexadecimal one (`1.0.0-0x10 == 1.0.0-16`), and values must fit in a 64-bit signed
//!   integer; positive hexadecimal up to `0xffffffffffffffff` is accepted and wraps to a
//!   negative value, as the Dart VM does (`0xffffffffffffffff == -1`). Digit strings too
//!   large for that stay text: they sort after every number and compare as ASCII.
//! - Text identifiers compare by code unit (ASCII here), so `R2 < r100 < r2`.
//!
//! What the conformance data (`pub-versions.txt`) shows and this module follows: all of
//! the build-metadata rules above; and the same leniencies as the other SemVer dialects,
//! which `pub_semver` itself would reject: a leading `v`, bare `1` or `1.2` meaning
//! `1.0.0` and `1.2.0`, numbers of any size (`pub_semver` stops at 64 bits), and numeric
//! components after the third. Those count as build metadata here too, so `1.1.3.4.5`
//! is `1.1.3+4.5`, which Pub orders. Leading zeros in numbers are accepted and ignored,
//! as `pub_semver` does.
//!
//! The key is the three numbers as [`KeyWriter::digits`], then [`PRE`] with the
//! pre-release identifiers and [`END`], or [`RELEASE`] (above [`PRE`]); then, only if
//! there is build metadata, [`BUILD`] and its identifiers. A version without build
//! metadata has nothing more, and a key that is a prefix of another sorts first, which
//! is exactly "no build metadata sorts first". Identifiers are [`NUMERIC`] and the number
//! as an unsigned integer with the sign bit flipped (so that negative numbers sort below
//! positive ones), or [`TEXT`] and the bytes.

use crate::Invalid;
use crate::key::KeyWriter;
use crate::semver::{self, Dialect, END, NUMERIC, PRE, RELEASE, TEXT};

/// Marker before the build metadata identifiers.
const BUILD: u8 = 0x01;

/// `pub_semver` takes leading zeros in every number; short versions only bare.
const PUB: Dialect = Dialect {
    leading_zeros: true,
    short_suffix: false,
    npm_loose: false,
};

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let parts = semver::scan(input, &PUB)?;
    parts.write_numbers(w);
    match parts.pre {
        Some(pre) => {
            w.tag(PRE);
            write_identifiers(pre, w);
            w.tag(END);
        }
        None => w.tag(RELEASE),
    }
    if parts.extra.is_some() || parts.build.is_some() {
        w.tag(BUILD);
        // Extra numeric components are the first build identifiers: `1.2.3.4+x` reads
        // as `1.2.3+4.x`.
        for list in [parts.extra, parts.build].into_iter().flatten() {
            write_identifiers(list, w);
        }
    }
    Ok(())
}

fn write_identifiers(list: &[u8], w: &mut KeyWriter) {
    for id in semver::identifiers(list) {
        match dart_int(id) {
            Some(n) => {
                w.tag(NUMERIC);
                // Flipping the sign bit maps i64 order onto u64 order.
                w.uint(n.cast_unsigned() ^ (1 << 63));
            }
            None => {
                w.tag(TEXT);
                w.text(id);
            }
        }
    }
}

/// The value Dart's `int.tryParse` (on the VM, without a radix) gives `id`, if any:
/// an optional sign, then decimal digits fitting in an `i64`, or `0x`/`0X` and
/// hexadecimal digits fitting in a `u64` (read as the `i64` with the same bits) when
/// positive, or with a magnitude of at most 2^63 when negative.
fn dart_int(id: &[u8]) -> Option<i64> {
    let (negative, unsigned) = match id.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, id),
    };
    let (radix, digits) = match unsigned {
        [b'0', x, hex @ ..] if *x | 0x20 == b'x' => (16, hex),
        _ => (10, unsigned),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &b in digits {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' if radix == 16 => b - b'a' + 10,
            b'A'..=b'F' if radix == 16 => b - b'A' + 10,
            _ => return None,
        };
        magnitude = magnitude
            .checked_mul(radix)?
            .checked_add(u64::from(digit))?;
    }
    const SIGN: u64 = 1 << 63;
    match (negative, radix) {
        // -2^63 is the one magnitude that does not fit as positive.
        (true, _) if magnitude <= SIGN => Some(magnitude.cast_signed().wrapping_neg()),
        (true, _) => None,
        (false, 16) => Some(magnitude.cast_signed()),
        (false, _) => i64::try_from(magnitude).ok(),
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{Shape, assert_consistent_triple, check_all, rejects_all, shaped_triples};

    #[test]
    fn build_metadata_is_ordered() {
        let cases = [
            ("1.0.0-pre", "<", "1.0.0-pre+build"),
            ("1.0.0-pre+build", "<", "1.0.0-pre.0"),
            ("1.0.0-pre+zzz", "<", "1.0.0"),
            ("1.0.0", "<", "1.0.0+0"),
            ("1.0.0+0", "<", "1.0.0+0.0"),
            ("1.0.0+9", "<", "1.0.0+10"),
            ("1.0.0+10", "<", "1.0.0+1a"),
            ("1.0.0+build", "<", "1.0.0+otherbuild"),
            ("1.0.0+build", "<", "1.0.1"),
            ("1.0.0+b", "=", "v1.0.0+b"),
            ("1.1.3.4.5", "=", "1.1.3+4.5"),
            ("1.1.3.4+x", "=", "1.1.3+4.x"),
            ("1.1.3.4", ">", "1.1.3"),
        ];
        check_all(Scheme::Pub, &cases);
    }

    #[test]
    fn identifiers_are_numbers_as_dart_reads_them() {
        let cases = [
            ("1.0.0-01", "=", "1.0.0-1"),
            ("1.0.0+007", "=", "1.0.0+7"),
            ("1.0.0--1", "<", "1.0.0-0"),
            ("1.0.0--0", "=", "1.0.0-0"),
            ("1.0.0-0x10", "=", "1.0.0-16"),
            ("1.0.0-0X1f", "=", "1.0.0-31"),
            ("1.0.0--0x10", "=", "1.0.0--16"),
            ("1.0.0-0xffffffffffffffff", "=", "1.0.0--1"),
            (
                "1.0.0-0x8000000000000000",
                "=",
                "1.0.0--9223372036854775808",
            ),
            (
                "1.0.0--9223372036854775808",
                "<",
                "1.0.0--9223372036854775807",
            ),
            (
                "1.0.0-9223372036854775807",
                "<",
                "1.0.0-9223372036854775808",
            ),
            // Too large for 64 bits: text, compared as ASCII.
            (
                "1.0.0-9223372036854775808",
                ">",
                "1.0.0-10000000000000000000",
            ),
            ("1.0.0-0x10000000000000000", ">", "1.0.0-0x1"),
            ("1.0.0-9223372036854775808", "<", "1.0.0-a"),
            ("1.0.0-0x", ">", "1.0.0-99"),
            ("1.0.0-0xg", ">", "1.0.0-0x"),
            ("1.0.0--", ">", "1.0.0-5"),
            ("1.0.0-R2", "<", "1.0.0-r100"),
            ("1.0.0-r100", "<", "1.0.0-r2"),
        ];
        check_all(Scheme::Pub, &cases);
    }

    #[test]
    fn rejected_inputs() {
        let cases = [
            ("1.2.3+", "empty build metadata identifier (at byte 6)"),
            (
                "1.2.3-a+b+c",
                "unexpected \"+\" in the build metadata (at byte 9)",
            ),
            (
                "1.2+b",
                "build metadata needs all three of major.minor.patch (at byte 3)",
            ),
            ("=1.2.3", "expected a number but found \"=\" (at byte 0)"),
            (
                "1.2.3.4-pre",
                "a pre-release cannot follow a fourth version number (at byte 7)",
            ),
        ];
        rejects_all(Scheme::Pub, &cases);
    }

    /// Dart's `int.tryParse` on the VM, written with Rust's wide integer parsing.
    fn dart_try_parse(s: &str) -> Option<i64> {
        let (negative, rest) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let hex = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X"));
        let (radix, digits) = match hex {
            Some(h) => (16, h),
            None => (10, rest),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let magnitude = i128::from_str_radix(digits, radix).ok()?;
        let value = if negative { -magnitude } else { magnitude };
        if radix == 16 && !negative && value <= i128::from(u64::MAX) {
            // The VM keeps the low 64 bits of positive hexadecimal input.
            return Some(u64::try_from(value).ok()?.cast_signed());
        }
        i64::try_from(value).ok()
    }

    #[derive(Debug, PartialEq)]
    enum Part {
        Int(i64),
        Str(String),
    }

    #[derive(Debug)]
    struct PubVersion {
        numbers: Vec<String>,
        pre: Vec<Part>,
        build: Vec<Part>,
    }

    fn split_parts(text: &str) -> Vec<Part> {
        text.split('.')
            .map(|p| match dart_try_parse(p) {
                Some(n) => Part::Int(n),
                None => Part::Str(p.to_owned()),
            })
            .collect()
    }

    fn valid_list(list: &str) -> bool {
        list.split('.')
            .all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    }

    /// `pub_semver`'s `completeVersion` pattern, checked by hand, with the leniencies
    /// this crate documents (`v`, bare short versions, extra components as build).
    fn pub_parse(input: &str) -> Option<PubVersion> {
        let s = input.strip_prefix('v').unwrap_or(input);
        let core_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (core, tail) = s.split_at(core_end);
        let components: Vec<&str> = core.split('.').collect();
        if components.iter().any(|c| c.is_empty()) {
            return None;
        }
        if components.len() < 3 && !tail.is_empty() {
            return None;
        }
        let (pre, build) = match tail.split_once('+') {
            Some((p, b)) => (p, Some(b)),
            None => (tail, None),
        };
        let pre = match pre {
            "" => None,
            p => Some(p.strip_prefix('-')?),
        };
        if components.len() > 3 && pre.is_some() {
            return None;
        }
        if pre.is_some_and(|p| !valid_list(p)) || build.is_some_and(|b| !valid_list(b)) {
            return None;
        }
        let mut numbers: Vec<String> = components.iter().take(3).map(|c| (*c).to_owned()).collect();
        numbers.resize(3, "0".to_owned());
        let extra: Vec<&str> = components.iter().skip(3).copied().collect();
        let build_text = match (extra.is_empty(), build) {
            (true, None) => None,
            (true, Some(b)) => Some(b.to_owned()),
            (false, None) => Some(extra.join(".")),
            (false, Some(b)) => Some(format!("{}.{b}", extra.join("."))),
        };
        Some(PubVersion {
            numbers,
            pre: pre.map(split_parts).unwrap_or_default(),
            build: build_text.as_deref().map(split_parts).unwrap_or_default(),
        })
    }

    fn cmp_numbers(a: &str, b: &str) -> Ordering {
        let a = a.trim_start_matches('0');
        let b = b.trim_start_matches('0');
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }

    /// `Version._compareLists`.
    fn compare_lists(a: &[Part], b: &[Part]) -> Ordering {
        for i in 0..a.len().max(b.len()) {
            let (x, y) = (a.get(i), b.get(i));
            if x == y {
                continue;
            }
            return match (x, y) {
                (None, _) => Ordering::Less,
                (_, None) => Ordering::Greater,
                (Some(Part::Int(x)), Some(Part::Int(y))) => x.cmp(y),
                (Some(Part::Int(_)), Some(Part::Str(_))) => Ordering::Less,
                (Some(Part::Str(_)), Some(Part::Int(_))) => Ordering::Greater,
                (Some(Part::Str(x)), Some(Part::Str(y))) => x.cmp(y),
            };
        }
        Ordering::Equal
    }

    /// `Version.compareTo`.
    fn pub_compare(a: &PubVersion, b: &PubVersion) -> Ordering {
        for (x, y) in a.numbers.iter().zip(&b.numbers) {
            let c = cmp_numbers(x, y);
            if c != Ordering::Equal {
                return c;
            }
        }
        match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let c = compare_lists(&a.pre, &b.pre);
        if c != Ordering::Equal {
            return c;
        }
        match (a.build.is_empty(), b.build.is_empty()) {
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        compare_lists(&a.build, &b.build)
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
            count: prop_oneof![1 => 1..=2usize, 8 => Just(3usize), 1 => 4..=5usize].boxed(),
            identifier: prop_oneof![
                3 => Just("0".to_owned()),
                3 => Just("1".to_owned()),
                1 => Just("01".to_owned()),
                1 => Just("10".to_owned()),
                1 => Just("-1".to_owned()),
                1 => Just("-0".to_owned()),
                1 => Just("0x10".to_owned()),
                1 => Just("0X1f".to_owned()),
                1 => Just("16".to_owned()),
                1 => Just("-0x8000000000000000".to_owned()),
                1 => Just("0xffffffffffffffff".to_owned()),
                1 => Just("0x10000000000000000".to_owned()),
                1 => Just("9223372036854775807".to_owned()),
                1 => Just("9223372036854775808".to_owned()),
                1 => Just("-9223372036854775808".to_owned()),
                1 => Just("-9223372036854775809".to_owned()),
                1 => Just("0x".to_owned()),
                1 => Just("-".to_owned()),
                2 => Just("build".to_owned()),
                1 => Just("b".to_owned()),
                1 => Just("B".to_owned()),
                1 => Just("9a".to_owned()),
                1 => "[0-9A-Za-z-]{1,3}",
                1 => Just(String::new()),
            ]
            .boxed(),
            prefix: prop_oneof![6 => Just(""), 2 => Just("v")].boxed(),
            separator: prop_oneof![8 => Just("-"), 1 => Just("")].boxed(),
        }
    }

    proptest! {
        #[test]
        fn dart_int_matches_reference(s in "[-+]?(0[xX])?[0-9a-fA-Fx-]{0,20}") {
            prop_assert_eq!(super::dart_int(s.as_bytes()), dart_try_parse(&s), "{:?}", s);
        }

        #[test]
        fn matches_pub_semver_reference([a, b, c] in shaped_triples(shape())) {
            assert_consistent_triple(Scheme::Pub, [&a, &b, &c], pub_parse, pub_compare)?;
        }
    }
}
