//! Version order of RubyGems, as `Gem::Version#<=>` compares versions.
//!
//! RubyGems cuts a version into segments, runs of digits (numbers) and runs of ASCII
//! letters (strings), and compares them one by one. The traps of its rules:
//!
//! - Any letter makes a pre-release, which sorts before the release: `1.0.a < 1.0`,
//!   because a string sorts below every number and a missing segment counts as 0.
//! - `-` means `.pre.`: `1.0-1 == 1.0.pre.1 < 1.0`.
//! - Letters and digits split even without a dot: `1.0.a10 == 1.0.a.10 > 1.0.a9`.
//! - Strings compare as bytes, case-sensitively: `1.0.RC1 < 1.0.rc1` and `1.0.B < 1.0.a`.
//! - Comparison runs on the *canonical* segments: trailing zeros are dropped from the
//!   numeric part (the segments before the first string) and from the rest separately,
//!   so `1.0.0.a == 1.a` and `1.a.0 == 1.a`, but `1.a.0.b != 1.a.b` (a zero inside
//!   stays, and `0 > b`).
//! - Missing segments are 0, so the end of a version is not simply "smaller": it is
//!   below a number and above a string (`1.a < 1 < 1.1`). A run of zeros therefore
//!   sorts *below* the end when a string follows it (`1.a.0.b < 1.a`, since `b < 0`)
//!   and *above* it when a number follows (`1.a.0.1 > 1.a`).
//! - `1 == 1.0 == 1.0.0`: equal by `<=>` (only `eql?` tells them apart).
//!
//! Accepted versions are what `Gem::Version.correct?` accepts (digits first, then
//! letters, digits and dots, then optionally `-` and letters, digits, `-` and dots), with
//! one leniency the conformance data needs: letters may directly follow the first number
//! (`1beta`), which RubyGems itself rejects but orders like `1.beta`.
//!
//! # Key layout
//!
//! Each canonical segment is a token: [`STRING`] and its text, or [`NUMBER`] and its
//! number. A run of zeros and the segment after it is one more token, [`ZEROS_STRING`]
//! or [`ZEROS_NUMBER`] with the run's length, followed by that segment's token; the key
//! ends with [`END`]. The tags order as `STRING < ZEROS_STRING < END < ZEROS_NUMBER <
//! NUMBER`, which is how the things that can stand at one position compare (a string, a
//! zero then a string, the endless zeros of the end, a zero then a number, a non-zero
//! number). Two zero runs before strings: the shorter one meets a string first and sorts
//! first, so the length is written ascending; before numbers the shorter one meets a
//! number first and sorts last, so the length is written descending.

use crate::Invalid;
use crate::key::KeyWriter;
use crate::lex::{digits_end, run_end};

/// A string segment: below everything else at its position.
const STRING: u8 = 0x01;
/// A run of zeros followed by a string: below the end (the string loses to its zero).
const ZEROS_STRING: u8 = 0x02;
/// The end of the version: endless zeros.
const END: u8 = 0x03;
/// A run of zeros followed by a non-zero number: above the end.
const ZEROS_NUMBER: u8 = 0x04;
/// A non-zero number: above everything else at its position.
const NUMBER: u8 = 0x05;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    validate(input)?;
    let s = input.as_bytes();
    let mut segments = Canonical::default();
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let start = i;
        if b.is_ascii_digit() {
            i = digits_end(s, i);
            segments.number(w, &s[start..i]);
        } else if b.is_ascii_alphabetic() {
            i = run_end(s, i, u8::is_ascii_alphabetic);
            segments.string(w, &s[start..i]);
        } else {
            // RubyGems rewrites `-` as `.pre.`; dots only separate.
            if b == b'-' {
                segments.string(w, b"pre");
            }
            i += 1;
        }
    }
    w.tag(END);
    Ok(())
}

/// Checks the grammar of `Gem::Version.correct?`: `[0-9]+(\.[0-9a-zA-Z]+)*` then
/// optionally `-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*`, letting letters follow the first
/// digits directly.
fn validate(input: &str) -> Result<(), Invalid> {
    let s = input.as_bytes();
    if !s.first().is_some_and(u8::is_ascii_digit) {
        return Err(Invalid::at(
            0,
            format!("a version starts with a digit, not {}", found(input, 0)),
        ));
    }
    // After the first `-`, segments may also hold `-`.
    let mut pre_release = false;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let next = s.get(i + 1).copied();
        let segment_char = |c: u8| c.is_ascii_alphanumeric() || (pre_release && c == b'-');
        match b {
            b if b.is_ascii_alphanumeric() => {}
            b'-' if pre_release => {}
            b'-' => {
                if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-') {
                    return Err(Invalid::at(
                        i + 1,
                        format!(
                            "expected a letter, digit or \"-\" after \"-\" but found {}",
                            found(input, i + 1)
                        ),
                    ));
                }
                pre_release = true;
            }
            b'.' => {
                if !next.is_some_and(segment_char) {
                    let expected = if pre_release {
                        "a letter, digit or \"-\""
                    } else {
                        "a letter or digit"
                    };
                    return Err(Invalid::at(
                        i + 1,
                        format!(
                            "expected {expected} after \".\" but found {}",
                            found(input, i + 1)
                        ),
                    ));
                }
            }
            _ => {
                return Err(Invalid::at(
                    i,
                    format!(
                        "unexpected {}: versions hold letters, digits, \".\" and \"-\"",
                        found(input, i)
                    ),
                ));
            }
        }
        i += 1;
    }
    Ok(())
}

/// The character at byte `at` of `input`, quoted, or "the end". Callers pass offsets
/// with only ASCII before them, so `at` starts a character.
fn found(input: &str, at: usize) -> String {
    match input.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("\"{}\"", c.escape_debug()),
        None => "the end".to_owned(),
    }
}

/// Writes canonical segments as they are scanned, holding back runs of zeros until it
/// is known whether they are trailing (dropped) and what follows them.
#[derive(Debug, Default)]
struct Canonical {
    /// Whether a string has been seen: the numeric part is over.
    in_strings: bool,
    /// Zero segments not yet written.
    zeros: usize,
}

impl Canonical {
    fn number(&mut self, w: &mut KeyWriter, digits: &[u8]) {
        if digits.iter().all(|&d| d == b'0') {
            self.zeros += 1;
            return;
        }
        if self.zeros > 0 {
            w.tag(ZEROS_NUMBER);
            // More zeros before the number sort lower: write the length descending.
            w.uint(u64::from(u16::MAX - self.run()));
            self.zeros = 0;
        }
        w.tag(NUMBER);
        w.digits(digits);
    }

    fn string(&mut self, w: &mut KeyWriter, text: &[u8]) {
        if !self.in_strings {
            // The zeros ending the numeric part are trailing zeros: dropped.
            self.in_strings = true;
            self.zeros = 0;
        } else if self.zeros > 0 {
            w.tag(ZEROS_STRING);
            w.uint(u64::from(self.run()));
            self.zeros = 0;
        }
        w.tag(STRING);
        w.text(text);
    }

    /// The pending run's length. Versions are at most 1024 bytes, so it fits.
    fn run(&self) -> u16 {
        u16::try_from(self.zeros).unwrap_or(u16::MAX)
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{
        assert_accepts_iff, assert_antisymmetric, assert_equal_iff_keys_equal,
        assert_key_sort_agrees, assert_matches_reference, check_all, rejects_all,
    };

    #[test]
    fn orders_notable_cases() {
        let cases = [
            ("3.10", ">", "3.2"),
            ("1", "=", "1.0.0"),
            ("1.01", "=", "1.1"),
            ("1.0.a", "<", "1.0"),
            ("1.0.a", "=", "1.a"),
            ("1.0.0.a", "=", "1.a"),
            ("1.a.0", "=", "1.a"),
            ("1.a.0.0", "=", "1.a"),
            ("0.9", "<", "1.0.a"),
            ("1.0.a10", ">", "1.0.a9"),
            ("1.0.a10", "=", "1.0.a.10"),
            ("1.0.b1", ">", "1.0.a.2"),
            ("1.0-1", "=", "1.0.pre.1"),
            ("1.0-1", "<", "1.0"),
            ("1.0-rc1", "=", "1.0.pre.rc1"),
            ("1.0--", "=", "1.0.pre.pre"),
            ("1.0.RC1", "<", "1.0.rc1"),
            ("1.0.B", "<", "1.0.a"),
            ("1.0.a", "<", "1.0.ab"),
            // Zero runs before strings and numbers, against the end.
            ("1.a.0.b", "<", "1.a"),
            ("1.a.0.b", ">", "1.a.b"),
            ("1.a.0.0.b", ">", "1.a.0.b"),
            ("1.a.0.1", ">", "1.a"),
            ("1.a.0.1", "<", "1.a.1"),
            ("1.a.0.0.1", "<", "1.a.0.1"),
            ("1.a.0.b", "<", "1.a.0.1"),
            ("1.a.0.0.1", ">", "1.a.0.b"),
            ("1.0.1", ">", "1"),
            ("1.0.0.1", "<", "1.0.1"),
            ("1.a", "<", "1.0.0.1"),
            // Numbers of any size.
            (
                "999999999999999999999999999991",
                "<",
                "999999999999999999999999999999",
            ),
            // The leniency the data needs.
            ("1beta", "=", "1.beta"),
            ("1beta", "<", "1"),
        ];
        check_all(Scheme::RubyGems, &cases);
    }

    #[test]
    fn rejects_malformed_versions() {
        let cases = [
            ("a1", "a version starts with a digit, not \"a\" (at byte 0)"),
            (".1", "a version starts with a digit, not \".\" (at byte 0)"),
            (
                "1..2",
                "expected a letter or digit after \".\" but found \".\" (at byte 2)",
            ),
            (
                "1.",
                "expected a letter or digit after \".\" but found the end (at byte 2)",
            ),
            (
                "1.-a",
                "expected a letter or digit after \".\" but found \"-\" (at byte 2)",
            ),
            (
                "1.0-",
                "expected a letter, digit or \"-\" after \"-\" but found the end (at byte 4)",
            ),
            (
                "1.0-.a",
                "expected a letter, digit or \"-\" after \"-\" but found \".\" (at byte 4)",
            ),
            (
                "1.0-a.",
                "expected a letter, digit or \"-\" after \".\" but found the end (at byte 6)",
            ),
            (
                "1.0+b",
                "unexpected \"+\": versions hold letters, digits, \".\" and \"-\" (at byte 3)",
            ),
            (
                "1.0 a",
                "unexpected \" \": versions hold letters, digits, \".\" and \"-\" (at byte 3)",
            ),
            (
                "1.é",
                "expected a letter or digit after \".\" but found \"é\" (at byte 2)",
            ),
        ];
        rejects_all(Scheme::RubyGems, &cases);
        for ok in ["1.0-a-", "1.0-a.-b", "1.0--", "1.0-a.b-c.0", "0"] {
            assert!(Scheme::RubyGems.parse(ok).is_ok(), "{ok} is correct");
        }
    }

    // ---- Reference comparator -------------------------------------------------------
    //
    // `Gem::Version` as its Ruby source does it: check `correct?` (with the leniency),
    // rewrite `-` as `.pre.`, scan segments, build the canonical segments, and compare
    // them with missing segments as 0.

    #[derive(Clone, Debug, PartialEq, Eq)]
    enum Seg {
        Num(String),
        Str(String),
    }

    fn is_zero(s: &Seg) -> bool {
        matches!(s, Seg::Num(n) if n.is_empty())
    }

    fn correct(v: &str) -> bool {
        let (release, pre) = match v.split_once('-') {
            Some((r, p)) => (r, Some(p)),
            None => (v, None),
        };
        let mut parts = release.split('.');
        let first_ok = parts.next().is_some_and(|p| {
            p.starts_with(|c: char| c.is_ascii_digit())
                && p.chars().all(|c| c.is_ascii_alphanumeric())
        });
        let rest_ok = parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
        let pre_ok = pre.is_none_or(|p| {
            p.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        });
        first_ok && rest_ok && pre_ok
    }

    fn canonical(v: &str) -> Vec<Seg> {
        let v = v.replace('-', ".pre.");
        let mut segs = Vec::new();
        let chars: Vec<char> = v.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                let n = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let digits: String = chars[i..i + n].iter().collect();
                segs.push(Seg::Num(digits.trim_start_matches('0').to_owned()));
                i += n;
            } else if chars[i].is_ascii_alphabetic() {
                let n = chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                segs.push(Seg::Str(chars[i..i + n].iter().collect()));
                i += n;
            } else {
                i += 1;
            }
        }
        let split = segs
            .iter()
            .position(|s| matches!(s, Seg::Str(_)))
            .unwrap_or(segs.len());
        let mut strings = segs.split_off(split);
        while segs.last().is_some_and(is_zero) {
            segs.pop();
        }
        while strings.last().is_some_and(is_zero) {
            strings.pop();
        }
        segs.extend(strings);
        segs
    }

    fn ref_cmp(a: &str, b: &str) -> Option<Ordering> {
        if !correct(a) || !correct(b) {
            return None;
        }
        let (a, b) = (canonical(a), canonical(b));
        let zero = Seg::Num(String::new());
        for i in 0..a.len().max(b.len()) {
            let l = a.get(i).unwrap_or(&zero);
            let r = b.get(i).unwrap_or(&zero);
            let order = match (l, r) {
                (Seg::Num(x), Seg::Num(y)) => x.len().cmp(&y.len()).then(x.cmp(y)),
                (Seg::Str(x), Seg::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if order != Ordering::Equal {
                return Some(order);
            }
        }
        Some(Ordering::Equal)
    }

    fn version() -> BoxedStrategy<String> {
        let segment = prop_oneof![
            4 => prop_oneof!["0", "00", "1", "2", "10", "[0-9]{20}"],
            2 => prop_oneof!["a", "b", "pre", "rc", "RC", "beta", "B", "z"],
            2 => "(a|b|rc|pre)[0-9]",
            1 => "[0-9](a|rc)",
        ];
        let structured = (
            "[0-9]{1,2}",
            proptest::collection::vec(segment.clone(), 0..5),
            proptest::option::weighted(0.3, proptest::collection::vec(segment, 1..3)),
        )
            .prop_map(|(first, rest, pre)| {
                let mut s = first;
                for seg in rest {
                    s += ".";
                    s += &seg;
                }
                if let Some(pre) = pre {
                    s += "-";
                    s += &pre.join(".");
                }
                s
            });
        prop_oneof![
            6 => structured.boxed(),
            2 => "[0-9][0-9a-zA-Z.-]{0,10}".boxed(),
            1 => "[ -~]{1,8}".boxed(),
            1 => any::<String>().boxed(),
        ]
        .boxed()
    }

    proptest! {
        #[test]
        fn key_order_matches_reference(a in version(), b in version()) {
            let (a, b) = (a.trim(), b.trim());
            if a.is_empty() || b.is_empty() {
                return Ok(());
            }
            for v in [a, b] {
                assert_accepts_iff(Scheme::RubyGems, v, correct(v))?;
            }
            assert_matches_reference(Scheme::RubyGems, a, b, ref_cmp)?;
        }

        #[test]
        fn comparison_is_antisymmetric(a in version(), b in version()) {
            assert_antisymmetric(&a, &b, |x, y| Scheme::RubyGems.compare(x, y).ok())?;
            assert_antisymmetric(a.trim(), b.trim(), ref_cmp)?;
        }

        #[test]
        fn comparison_is_transitive(a in version(), b in version(), c in version()) {
            assert_key_sort_agrees(Scheme::RubyGems, [a.trim(), b.trim(), c.trim()], ref_cmp)?;
        }

        #[test]
        fn equal_keys_iff_reference_equal(a in version(), b in version()) {
            assert_equal_iff_keys_equal(Scheme::RubyGems, a.trim(), b.trim(), ref_cmp)?;
        }
    }
}
