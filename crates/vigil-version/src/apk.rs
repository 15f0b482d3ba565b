//! Version order of Alpine's apk-tools (Alpine, Wolfi, Chainguard):
//! `number{.number}[letter]{_suffix[number]}[~hash][-rN]`, compared token by token as
//! apk-tools' `apk_version_compare` does.
//!
//! apk splits a version into typed tokens (first number, `.`-number, letter, suffix, suffix
//! number, commit hash, revision, end, invalid) and walks both versions in step. While the
//! token types agree, the token values decide; at the first pair of different types, the
//! side with a pre-release suffix is older, otherwise the side whose token type comes later
//! in that list is older (so the end is older than any further component).
//!
//! The traps a naive implementation falls into:
//!
//! - Numbers after the first compare as numbers only when neither has a leading zero;
//!   otherwise apk compares the digit strings: `1.01 < 1.1`, `1.001 < 1.01`, `1.0 < 1.00`,
//!   `1.010 < 1.09`. The first number is always numeric: `006 > 1.0.0`.
//! - Suffix order is `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`:
//!   a pre-release suffix sorts below the end (`1.2_rc1 < 1.2`), a post-release suffix
//!   above it (`1.2 < 1.2_p1`), and unknown suffixes are invalid. The suffix number is a
//!   token of its own, so a suffix without one is older than with 0: `1.2_rc < 1.2_rc0`.
//! - The letter is one lower-case letter after the numbers: `1.0 < 1.0a < 1.0b < 1.0.1`.
//!   A letter directly after the numbers is not a suffix: `6.6.2_p1 < 6.6.2p1`.
//! - The revision `-rN` compares last and numerically (`1-r1 == 1-r01`); its absence is the
//!   end, older than any revision (`1.0 < 1.0-r0`). A commit hash `~hex` before it
//!   compares as text, and having one is newer than not (`1.0 < 1.0~abc`).
//! - apk compares any string (`apk version -t` never refuses), and what it cannot read is
//!   an *invalid* token that ends the comparison: two versions that agree up to the point
//!   where both turn invalid are equal (`1-ruff2 == 1-ruff1`), and an invalid tail sorts
//!   below the end (`1.2_blah < 1.2`, `1.2.0A < 1.2.0`) though above a pre-release suffix.
//!   Vigil therefore accepts every string.
//!
//! apk-tools changed these rules over time (the 2.10 line behind most of OSV's Alpine data,
//! 2.14, 3.x). Vigil follows the current tokenizer, with the leniencies of the 2.x line that
//! real Alpine versions and the conformance data need:
//!
//! - digits right after the letter are a number of their own, compared numerically
//!   (`5.7.1p1-r0 < 5.7.1p1-r1`; apk 3 calls `p1` invalid);
//! - a missing number (a version that does not start with a digit, or a `.` not followed
//!   by one) is an *empty* component: it sorts just above an invalid token, below the end
//!   and any real component, but comparison goes on after it (`0.r1 < 0r2`,
//!   `0..1..0 < 0..1..1`, `a < b`);
//! - `-r` with no digits is the revision 0 (`1-r == 1-r0`);
//! - the revision must end the version: a `-` that does not start a well-formed final
//!   revision makes the version invalid from that `-` (`1-r0-1 == 1-r-2 == 1--x`).
//!
//! Where apk-tools 2.10 and the current tokenizer disagree on well-formed versions, Vigil
//! follows the current one: 2.10 weighed a leading-zero component by its count of zeros
//! (`1.0 > 1.00` there), and when such a component ended the version it ranked a
//! pre-release above it (`1.0_rc1 > 1.0` there). Numbers are compared at any length (apk
//! reads them into 64-bit integers).
//!
//! The key is the tokens, each a tag byte and its value, ended by [`END`] or [`INVALID`].
//! The tag order is the order of token types at the first difference:
//! pre-release suffix < invalid < empty < end < revision < hash < suffix number <
//! post-release suffix < letter digits < letter < `.`-number with leading zero <
//! `.`-number < first number. Pre- and post-release suffixes take separate tags so that a
//! pre-release sorts below everything; within one type the value decides, so suffixes
//! carry their rank, numbers [`KeyWriter::digits`], and leading-zero numbers and hashes
//! [`KeyWriter::text`]. All leading-zero numbers sort below all others, exactly as apk's
//! string comparison puts them, so the two tags for `.`-numbers are adjacent.

use crate::Invalid;
use crate::key::KeyWriter;
use crate::lex::run_end;

/// `_alpha`, `_beta`, `_pre`, `_rc`, then the suffix's rank byte.
const PRE_SUFFIX: u8 = 0x01;
/// Something apk cannot read; ends the key.
const INVALID: u8 = 0x02;
/// A missing number: at the start, or after a `.`.
const EMPTY: u8 = 0x03;
/// The end of the version; ends the key.
const END: u8 = 0x04;
/// `-rN`, then the number.
const REVISION: u8 = 0x05;
/// `~hash`, then the hex digits as text.
const HASH: u8 = 0x06;
/// The number after a suffix.
const SUFFIX_NUMBER: u8 = 0x07;
/// `_cvs`, `_svn`, `_git`, `_hg`, `_p`, then the suffix's rank byte.
const POST_SUFFIX: u8 = 0x08;
/// The digits right after the letter, as a number.
const LETTER_DIGITS: u8 = 0x09;
/// The letter, then its byte.
const LETTER: u8 = 0x0A;
/// A `.`-number with a leading zero, then its digits as text.
const ZERO_LED: u8 = 0x0B;
/// A `.`-number without a leading zero, then its value.
const NUMBER: u8 = 0x0C;
/// The first number, then its value.
const FIRST: u8 = 0x0D;

/// Where the tokenizer stands: the type of the last token, which decides what may follow.
/// The order matters: apk allows a token only after types up to some point.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    /// After the first number (or the empty one).
    Number,
    Letter,
    LetterDigits,
    Suffix,
    SuffixNumber,
    Hash,
}

/// The suffixes apk knows with their rank; 5 would be "no suffix".
const SUFFIXES: [(&[u8], u8); 9] = [
    (b"alpha", 1),
    (b"beta", 2),
    (b"pre", 3),
    (b"rc", 4),
    (b"cvs", 6),
    (b"svn", 7),
    (b"git", 8),
    (b"hg", 9),
    (b"p", 10),
];

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let s = input.as_bytes();
    let first = run_end(s, 0, u8::is_ascii_digit);
    if first == 0 {
        w.tag(EMPTY);
    } else {
        w.tag(FIRST);
        w.digits(&s[..first]);
    }
    let mut state = State::Number;
    let mut i = first;
    loop {
        let Some(&c) = s.get(i) else {
            w.tag(END);
            return Ok(());
        };
        match c {
            b'a'..=b'z' if state == State::Number => {
                w.tag(LETTER);
                w.tag(c);
                i += 1;
                state = State::Letter;
            }
            b'.' if state == State::Number => {
                let end = run_end(s, i + 1, u8::is_ascii_digit);
                let digits = &s[i + 1..end];
                match digits.first() {
                    None => w.tag(EMPTY),
                    Some(b'0') => {
                        w.tag(ZERO_LED);
                        w.text(digits);
                    }
                    Some(_) => {
                        w.tag(NUMBER);
                        w.digits(digits);
                    }
                }
                i = end;
            }
            b'0'..=b'9' if matches!(state, State::Letter | State::Suffix) => {
                let end = run_end(s, i, u8::is_ascii_digit);
                let (tag, next) = if state == State::Letter {
                    (LETTER_DIGITS, State::LetterDigits)
                } else {
                    (SUFFIX_NUMBER, State::SuffixNumber)
                };
                w.tag(tag);
                w.digits(&s[i..end]);
                i = end;
                state = next;
            }
            b'_' if state <= State::SuffixNumber => {
                let end = run_end(s, i + 1, u8::is_ascii_lowercase);
                let name = &s[i + 1..end];
                let Some(&(_, rank)) = SUFFIXES.iter().find(|(known, _)| *known == name) else {
                    break;
                };
                w.tag(if rank < 5 { PRE_SUFFIX } else { POST_SUFFIX });
                w.tag(rank);
                i = end;
                state = State::Suffix;
            }
            b'~' if state < State::Hash => {
                let end = run_end(s, i + 1, |b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                if end == i + 1 {
                    break;
                }
                w.tag(HASH);
                w.text(&s[i + 1..end]);
                i = end;
                state = State::Hash;
            }
            b'-' if s.get(i + 1) == Some(&b'r') => {
                // The revision must end the version; anything after it makes the version
                // invalid from the `-` on.
                let end = run_end(s, i + 2, u8::is_ascii_digit);
                if end != s.len() {
                    break;
                }
                w.tag(REVISION);
                w.digits(&s[i + 2..end]);
                w.tag(END);
                return Ok(());
            }
            _ => break,
        }
    }
    // apk stops at the first token it cannot read: what follows never matters.
    w.tag(INVALID);
    Ok(())
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
        check_with_reference(Scheme::Apk, a, op, b, compare);
    }

    #[test]
    fn numbers() {
        check("1.2.3", "<", "1.2.10");
        check("006", ">", "1.0.0");
        check("006", "=", "6");
        check("1.01", "<", "1.1");
        check("1.001", "<", "1.01");
        check("1.0", "<", "1.00");
        check("1.010", "<", "1.09");
        check("1.0", "<", "1.0.0");
        check("1.2", "<", "1.2.0");
        check(
            "1.99999999999999999999999",
            ">",
            "1.99999999999999999999998",
        );
    }

    #[test]
    fn suffixes() {
        check("1.2_alpha", "<", "1.2_beta");
        check("1.2_beta", "<", "1.2_pre");
        check("1.2_pre", "<", "1.2_rc");
        check("1.2_rc1", "<", "1.2");
        check("1.2", "<", "1.2_cvs");
        check("1.2_cvs", "<", "1.2_svn");
        check("1.2_svn", "<", "1.2_git");
        check("1.2_git", "<", "1.2_hg");
        check("1.2_hg", "<", "1.2_p");
        check("1.2_p", "<", "1.2_p1");
        check("1.2_rc", "<", "1.2_rc0");
        check("1.0_rc1", "<", "1.0");
        check("0.1.0_alpha_pre2", "<", "0.1.0_alpha");
        check("1.2_p1", "<", "1.2_p1_p1");
        check("1.2_p1", "<", "1.2_p_p");
        check("1.2_rc1", "<", "1.2_blah");
    }

    #[test]
    fn letters_hashes_and_revisions() {
        check("1.0", "<", "1.0a");
        check("1.0a", "<", "1.0b");
        check("1.0b", "<", "1.0.1");
        check("6.6.2_p1", "<", "6.6.2p1");
        check("6.6.2p1", "<", "6.6.2p2");
        check("5.7.1p1-r0", "<", "5.7.1p1-r1");
        check("1.0", "<", "1.0-r0");
        check("1-r1", "=", "1-r01");
        check("1-r", "=", "1-r0");
        check("1.0-r9", "<", "1.0-r10");
        check("1.0~abc", ">", "1.0");
        check("1.0~abc", "<", "1.0~abd");
        check("1.0~abc-r1", ">", "1.0~abc");
        check("1.0_git1~abc", "<", "1.0_git2");
    }

    #[test]
    fn invalid_tails() {
        check("1-ruff2", "=", "1-ruff1");
        check("1-ruff2", "=", "1--ruff1");
        check("1-r0-1", "=", "1-r-2");
        check("1 ", "=", "1");
        check("1", ">", "1-ruff");
        check("1.2", ">", "1.2_blah");
        check("1.2.0A", "<", "1.2.0");
        check("1.2.0A", "<", "1.2.0d");
        check("1.0~", "<", "1.0");
        check("1.0~XYZ", "=", "1.0~");
        check("1.0a.1", "=", "1.0a_x");
        check("1.0ab", ">", "1.0");
        check("1.0ab", "<", "1.0a");
        check("1.0_rc1", "<", "1.0_x");
    }

    #[test]
    fn empty_components() {
        check("0.r1", "<", "0r2");
        check("0..1..0", "<", "0..1..1");
        check("0..8", ">", "0...8");
        check("1.", "<", "1");
        check("1.", ">", "1.X");
        check(".1", "<", "1");
        check(".2", ">", ".1");
        check("a", "<", "b");
        check("a", "<", "0");
        check("_rc1", "<", "a");
    }

    /// A direct port of apk-tools' tokenizer and comparison loop (`token_first`,
    /// `token_next`, `token_cmp`, `apk_version_compare`), with the leniencies the module
    /// documents, working on the strings: the oracle the keys are checked against.
    mod reference {
        use std::cmp::Ordering;

        /// Token types in apk's order; `Empty` sits between `End` and `Invalid`.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
        enum T {
            Initial,
            Digit,
            Letter,
            LetterDigits,
            Suffix,
            SuffixNo,
            Hash,
            Revision,
            End,
            Empty,
            Invalid,
        }

        struct Token<'a> {
            kind: T,
            value: &'a str,
        }

        fn suffix_rank(name: &str) -> Option<u8> {
            Some(match name {
                "alpha" => 1,
                "beta" => 2,
                "pre" => 3,
                "rc" => 4,
                "cvs" => 6,
                "svn" => 7,
                "git" => 8,
                "hg" => 9,
                "p" => 10,
                _ => return None,
            })
        }

        fn span(s: &str, class: impl Fn(char) -> bool) -> usize {
            s.find(|c: char| !class(c)).unwrap_or(s.len())
        }

        fn tokens(v: &str) -> Vec<Token<'_>> {
            let v = v.trim();
            let mut out = Vec::new();
            let n = span(v, |c| c.is_ascii_digit());
            let mut prev = if n == 0 { T::Digit } else { T::Initial };
            out.push(Token {
                kind: if n == 0 { T::Empty } else { T::Initial },
                value: &v[..n],
            });
            let mut rest = &v[n..];
            loop {
                let Some(c) = rest.chars().next() else {
                    out.push(Token {
                        kind: T::End,
                        value: "",
                    });
                    return out;
                };
                let (kind, value, after) = match c {
                    'a'..='z' if prev <= T::Digit => (T::Letter, &rest[..1], &rest[1..]),
                    '.' if prev <= T::Digit => {
                        let n = 1 + span(&rest[1..], |c| c.is_ascii_digit());
                        let kind = if n == 1 { T::Empty } else { T::Digit };
                        (kind, &rest[1..n], &rest[n..])
                    }
                    '0'..='9' if prev == T::Letter || prev == T::Suffix => {
                        let n = span(rest, |c| c.is_ascii_digit());
                        let kind = if prev == T::Letter {
                            T::LetterDigits
                        } else {
                            T::SuffixNo
                        };
                        (kind, &rest[..n], &rest[n..])
                    }
                    '_' if prev <= T::SuffixNo => {
                        let n = 1 + span(&rest[1..], |c| c.is_ascii_lowercase());
                        if suffix_rank(&rest[1..n]).is_none() {
                            break;
                        }
                        (T::Suffix, &rest[1..n], &rest[n..])
                    }
                    '~' if prev < T::Hash => {
                        let n = 1 + span(&rest[1..], |c| matches!(c, '0'..='9' | 'a'..='f'));
                        if n == 1 {
                            break;
                        }
                        (T::Hash, &rest[1..n], &rest[n..])
                    }
                    '-' if rest.starts_with("-r")
                        && rest[2..].bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        (T::Revision, &rest[2..], "")
                    }
                    _ => break,
                };
                out.push(Token { kind, value });
                // An empty component reads on as a number would.
                prev = if kind == T::Empty { T::Digit } else { kind };
                rest = after;
            }
            out.push(Token {
                kind: T::Invalid,
                value: "",
            });
            out
        }

        fn numeric(a: &str, b: &str) -> Ordering {
            let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }

        /// apk's `token_cmp` for two tokens of the same type.
        fn token_cmp(kind: T, a: &str, b: &str) -> Ordering {
            match kind {
                T::Digit if a.starts_with('0') || b.starts_with('0') => a.cmp(b),
                T::Initial | T::Digit | T::LetterDigits | T::SuffixNo | T::Revision => {
                    numeric(a, b)
                }
                T::Suffix => suffix_rank(a).cmp(&suffix_rank(b)),
                T::Empty | T::End | T::Invalid => Ordering::Equal,
                T::Letter | T::Hash => a.cmp(b),
            }
        }

        fn is_pre_release(t: &Token<'_>) -> bool {
            t.kind == T::Suffix && suffix_rank(t.value).is_some_and(|r| r < 5)
        }

        pub(super) fn compare(a: &str, b: &str) -> Ordering {
            let (ta, tb) = (tokens(a), tokens(b));
            for (x, y) in ta.iter().zip(&tb) {
                if x.kind != y.kind {
                    if is_pre_release(x) {
                        return Ordering::Less;
                    }
                    if is_pre_release(y) {
                        return Ordering::Greater;
                    }
                    // The later token type is the older version.
                    return y.kind.cmp(&x.kind);
                }
                if matches!(x.kind, T::End | T::Invalid) {
                    return Ordering::Equal;
                }
                let r = token_cmp(x.kind, x.value, y.value);
                if r != Ordering::Equal {
                    return r;
                }
            }
            unreachable!("token lists end with End or Invalid");
        }
    }

    /// Realistic Alpine versions and their edge cases, from small alphabets so that
    /// generated versions often share prefixes and tie.
    fn version() -> impl Strategy<Value = String> {
        prop_oneof![
            // Typical: dotted numbers, a letter, suffixes, a hash and a revision.
            (
                "[0-9]{1,3}(\\.0?[0-9]{1,2}){0,3}",
                "[a-c]?",
                "(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}",
                "(~[0-9a-f]{1,3})?",
                "(-r[0-9]{1,2})?",
            )
                .prop_map(|(n, l, s, h, r)| format!("{n}{l}{s}{h}{r}")),
            // Dense edge cases: zeros, dots, letters, digits after letters, junk.
            "[0-2.a_r~-]{1,8}",
            "[0-9]{1,2}(\\.0{0,2}[0-9]?){0,3}(_rc|_p|p|a)?[0-9]?(-r[0-9]?)?",
            // Anything at all, which must not panic.
            "\\PC{0,12}",
            any::<String>(),
        ]
    }

    /// Tokens of this ecosystem to append to a cut-off version, so that generated pairs and
    /// triples share prefixes and their comparison reaches the later tokens.
    const TAIL: &str = "(\\.0{0,2}[0-9]?|[a-c]|[0-9]|_(alpha|rc|p|cvs|x)[0-9]?|~[0-9a-f]{0,2}|-r[0-9]?|[.A_~-]){0,3}";

    /// The reference comparator, declining where it rejects a version.
    fn compare(a: &str, b: &str) -> Option<Ordering> {
        Some(reference::compare(a, b))
    }

    proptest! {
        #[test]
        fn keys_order_like_apk((a, b) in pair(version, TAIL)) {
            assert_matches_reference(Scheme::Apk, &a, &b, compare)?;
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
            assert_equal_iff_keys_equal(Scheme::Apk, &a, &b, compare)?;
        }

        #[test]
        fn every_string_is_accepted(v in "\\PC{1,40}") {
            assert_accepts_unless_blank(Scheme::Apk, &v, |_| true)?;
        }
    }
}
