//! Version order of RPM (Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE):
//! `[epoch:]version[-release]`, compared with `rpmvercmp` as rpm 4.15 and later do.
//!
//! The epoch is compared as a number, then the version, then the release. `rpmvercmp` skips
//! separators and compares what is left segment by segment: a segment is a maximal run of
//! ASCII digits or of ASCII letters, or one `~` or `^`.
//!
//! The traps a naive implementation falls into:
//!
//! - Separators are not compared at all, and any byte that is not an ASCII letter, digit,
//!   `~` or `^` is a separator, non-ASCII included: `1.0 == 1_0 == 1..0`, `1.1.α == 1.1.β`,
//!   and a trailing separator is nothing (`1. == 1`).
//! - Digit and letter runs split segments even without a separator: `1a == 1.a`,
//!   `1.0a1 == 1.0.a.1`.
//! - `~` sorts before everything, even the end: `1.0~rc1 < 1.0`. `^` sorts after the end
//!   but before any further segment: `1.0 < 1.0^git1 < 1.0.1`.
//! - A numeric segment beats an alphabetic one (`1.1 > 1.a`); numbers compare as numbers of
//!   any length with leading zeros ignored (`1.01 == 1.1`); letters compare by byte, so
//!   case matters (`1.B < 1.a`).
//! - When one side runs out of segments, the side with segments left is newer:
//!   `1.0 < 1.0.0`, `1.0 < 1.0a`.
//! - The epoch is only the leading digits when a `:` follows them (`1.m+e2:1` has no
//!   epoch; `:1` has the epoch 0), and the release starts after the *last* `-`, as rpm's
//!   own EVR parser splits them.
//! - A version without a release sorts before the same version with any release, even an
//!   empty one: `1 < 1- < 1-0`. (rpm's own `rpmverCmp` skips the release when either side
//!   lacks one; OSV's Red Hat data and osv-scalibr order them, and so does Vigil, so that
//!   the order is total and a range bound without a release stays below its releases.)
//!
//! rpm compares any string, so every input is accepted.
//!
//! The key is the epoch ([`KeyWriter::digits`]), the version's segments and [`END`], then
//! [`NO_RELEASE`], or [`RELEASE`] followed by the release's segments and [`END`]. Each
//! segment is one tag that orders the segment kinds as `rpmvercmp` does,
//! `~` ([`TILDE`]) < end ([`END`]) < `^` ([`CARET`]) < letters ([`ALPHA`]) < digits
//! ([`NUMBER`]), followed for letters by their bytes ([`KeyWriter::text`]) and for digits by
//! their value ([`KeyWriter::digits`]).

use crate::Invalid;
use crate::key::KeyWriter;
use crate::lex::run_end;

/// A `~` segment: older than everything, the end included.
const TILDE: u8 = 0x01;
/// The end of the version or release: older than anything but `~`.
const END: u8 = 0x02;
/// A `^` segment: newer than the end, older than any letter or digit segment.
const CARET: u8 = 0x03;
/// A run of ASCII letters, compared by bytes.
const ALPHA: u8 = 0x04;
/// A run of ASCII digits, compared as a number; beats letters.
const NUMBER: u8 = 0x05;

/// After the version: there is no release.
const NO_RELEASE: u8 = 0x01;
/// After the version: a release follows, sorting after [`NO_RELEASE`].
const RELEASE: u8 = 0x02;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let s = input.as_bytes();

    // rpm takes the leading digits as the epoch only when a colon follows them.
    let digits_end = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let (epoch, rest): (&[u8], &[u8]) = match s.get(digits_end) {
        Some(b':') => (&s[..digits_end], &s[digits_end + 1..]),
        _ => (b"", s),
    };
    // An empty epoch is the epoch 0, which is what `digits` makes of no digits.
    w.digits(epoch);

    match rest.iter().rposition(|&b| b == b'-') {
        Some(hyphen) => {
            encode_segments(&rest[..hyphen], w);
            w.tag(RELEASE);
            encode_segments(&rest[hyphen + 1..], w);
        }
        None => {
            encode_segments(rest, w);
            w.tag(NO_RELEASE);
        }
    }
    Ok(())
}

/// Writes the segments `rpmvercmp` sees in `s`, then [`END`].
fn encode_segments(s: &[u8], w: &mut KeyWriter) {
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        match c {
            b'~' => {
                w.tag(TILDE);
                i += 1;
            }
            b'^' => {
                w.tag(CARET);
                i += 1;
            }
            b'0'..=b'9' => {
                let end = run_end(s, i, u8::is_ascii_digit);
                w.tag(NUMBER);
                w.digits(&s[i..end]);
                i = end;
            }
            b'A'..=b'Z' | b'a'..=b'z' => {
                let end = run_end(s, i, u8::is_ascii_alphabetic);
                w.tag(ALPHA);
                w.text(&s[i..end]);
                i = end;
            }
            // Every other byte separates segments and is otherwise ignored.
            _ => i += 1,
        }
    }
    w.tag(END);
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{
        assert_accepts_unless_blank, assert_antisymmetric, assert_equal_iff_keys_equal,
        assert_matches_reference, assert_transitive, check_with_reference, pair, triple,
    };

    /// Asserts `a <op> b` in both directions, both by key and by the reference comparator.
    #[track_caller]
    fn check(a: &str, op: &str, b: &str) {
        check_with_reference(Scheme::Rpm, a, op, b, compare);
    }

    #[test]
    fn separators_are_ignored() {
        check("1.0", "=", "1_0");
        check("1.0", "=", "1..0");
        check("1.", "=", "1");
        check("1.1.α", "=", "1.1.β");
        check("1a", "=", "1.a");
        check("1.0a1", "=", "1.0.a.1");
        check("1-1.", "=", "1-1");
    }

    #[test]
    fn tilde_and_caret() {
        check("1.0~rc1", "<", "1.0");
        check("1.0~rc1", "<", "1.0~rc2");
        check("1.0~~", "<", "1.0~");
        check("1.0", "<", "1.0^");
        check("1.0^", "<", "1.0^git1");
        check("1.0^git1", "<", "1.0.1");
        check("1.0^git1", "<", "1.01");
        check("1.0^20160101^git1", "<", "1.0^20160102");
        check("1.0^git1~pre", "<", "1.0^git1");
        check("1.0~rc1^git1", ">", "1.0~rc1");
    }

    #[test]
    fn segments() {
        check("1.1", ">", "1.a");
        check("1.01", "=", "1.1");
        check("1.B", "<", "1.a");
        check("1.0", "<", "1.0.0");
        check("1.0", "<", "1.0a");
        check("1.a", "<", "1.ab");
        check("1.ab", "<", "1.b");
        check("10", ">", "9");
        check("100000000000000000000000", ">", "99999999999999999999999");
        check("0:3.10.0-229.el7", "<", "0:3.10.0-229.1.2.ael7b");
    }

    #[test]
    fn epochs_and_releases() {
        check("1:1", ">", "9");
        check("01:2", "=", "1:2");
        check(":1", "=", "1");
        check("0:1", "=", "1");
        check("a:1", "<", "a:2");
        check("a:1", "<", "1");
        check("1.m+e2:1", "<", "4.m+e1:1");
        check("1", "<", "1-");
        check("1", "<", "1-0");
        check("1-", "=", "1-.");
        check("1-1", "<", "1-1.1");
        check("1-2-3", ">", "1-2-2");
        check("1-2-3", "<", "1-3-1");
    }

    /// A direct transcription of rpm's EVR split and `rpmvercmp`, working on the strings:
    /// the oracle the keys are checked against.
    mod reference {
        use std::cmp::Ordering;

        fn is_sep(c: u8) -> bool {
            !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
        }

        pub(super) fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
            if a == b {
                return Ordering::Equal;
            }
            let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
            let (mut i, mut j) = (0, 0);
            while i < a.len() || j < b.len() {
                while i < a.len() && is_sep(a[i]) {
                    i += 1;
                }
                while j < b.len() && is_sep(b[j]) {
                    j += 1;
                }
                if at(a, i) == b'~' || at(b, j) == b'~' {
                    if at(a, i) != b'~' {
                        return Ordering::Greater;
                    }
                    if at(b, j) != b'~' {
                        return Ordering::Less;
                    }
                    i += 1;
                    j += 1;
                    continue;
                }
                if at(a, i) == b'^' || at(b, j) == b'^' {
                    if i == a.len() {
                        return Ordering::Less;
                    }
                    if j == b.len() {
                        return Ordering::Greater;
                    }
                    if at(a, i) != b'^' {
                        return Ordering::Greater;
                    }
                    if at(b, j) != b'^' {
                        return Ordering::Less;
                    }
                    i += 1;
                    j += 1;
                    continue;
                }
                if i == a.len() || j == b.len() {
                    break;
                }
                let (si, sj) = (i, j);
                let numeric = a[i].is_ascii_digit();
                let class: fn(&u8) -> bool = if numeric {
                    u8::is_ascii_digit
                } else {
                    u8::is_ascii_alphabetic
                };
                while i < a.len() && class(&a[i]) {
                    i += 1;
                }
                while j < b.len() && class(&b[j]) {
                    j += 1;
                }
                let (mut x, mut y) = (&a[si..i], &b[sj..j]);
                if y.is_empty() {
                    return if numeric {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                if numeric {
                    while x.first() == Some(&b'0') {
                        x = &x[1..];
                    }
                    while y.first() == Some(&b'0') {
                        y = &y[1..];
                    }
                    if x.len() != y.len() {
                        return x.len().cmp(&y.len());
                    }
                }
                if x != y {
                    return x.cmp(y);
                }
            }
            match (i == a.len(), j == b.len()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                _ => Ordering::Greater,
            }
        }

        fn parse(v: &str) -> (&[u8], &[u8], Option<&[u8]>) {
            let s = v.trim().as_bytes();
            let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
            let (epoch, rest): (&[u8], &[u8]) = if s.get(digits) == Some(&b':') {
                let e = &s[..digits];
                (if e.is_empty() { b"0" } else { e }, &s[digits + 1..])
            } else {
                (b"0", s)
            };
            match rest.iter().rposition(|&b| b == b'-') {
                Some(h) => (epoch, &rest[..h], Some(&rest[h + 1..])),
                None => (epoch, rest, None),
            }
        }

        pub(super) fn compare(a: &str, b: &str) -> Ordering {
            let (ea, va, ra) = parse(a);
            let (eb, vb, rb) = parse(b);
            rpmvercmp(ea, eb)
                .then_with(|| rpmvercmp(va, vb))
                .then_with(|| match (ra, rb) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(ra), Some(rb)) => rpmvercmp(ra, rb),
                })
        }
    }

    /// Realistic RPM versions and their edge cases, from small alphabets so that generated
    /// versions often share prefixes and tie.
    fn version() -> impl Strategy<Value = String> {
        prop_oneof![
            // Typical: epoch, dotted version, release with dist tag, pre- and post-releases.
            (
                prop::option::of("[0-2]{1,2}:"),
                "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}",
                "([~^](rc|git|beta)?[0-9]{0,2})?",
                prop::option::of("-[0-9]{1,3}(\\.el[7-9](_[0-9])?)?(\\.[0-9a-z]{1,3})?"),
            )
                .prop_map(|(e, v, pre, r)| format!(
                    "{}{v}{pre}{}",
                    e.unwrap_or_default(),
                    r.unwrap_or_default()
                )),
            // Dense edge cases: separators, tildes, carets, case, colons and hyphens.
            "[0a.A~^_:-]{1,8}",
            // Anything at all, which must not panic.
            "\\PC{0,12}",
            any::<String>(),
        ]
    }

    /// Tokens of this ecosystem to append to a cut-off version, so that generated pairs and
    /// triples share prefixes and their comparison reaches the later tokens.
    const TAIL: &str = "([0-9]{1,2}|[a-cA.~^_:é]|-[0-9a~^]{0,2}){0,3}";

    /// The reference comparator, declining where it rejects a version.
    fn compare(a: &str, b: &str) -> Option<Ordering> {
        Some(reference::compare(a, b))
    }

    proptest! {
        #[test]
        fn keys_order_like_rpmvercmp((a, b) in pair(version, TAIL)) {
            assert_matches_reference(Scheme::Rpm, &a, &b, compare)?;
        }

        #[test]
        fn reference_is_antisymmetric((a, b) in pair(version, TAIL)) {
            assert_antisymmetric(&a, &b, compare)?;
        }

        #[test]
        fn reference_is_transitive((a, b, c) in triple(version, TAIL)) {
            assert_transitive(&a, &b, &c, compare)?;
        }

        #[test]
        fn equal_keys_iff_reference_equal((a, b) in pair(version, TAIL)) {
            assert_equal_iff_keys_equal(Scheme::Rpm, &a, &b, compare)?;
        }

        #[test]
        fn every_string_is_accepted(v in "\\PC{1,40}") {
            assert_accepts_unless_blank(Scheme::Rpm, &v, |_| true)?;
        }
    }
}
