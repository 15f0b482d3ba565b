//! Version order of Packagist (Composer): PHP's `version_compare` on the version with
//! its `v` prefix removed, as osv.dev and osv-scalibr compare Packagist versions.
//!
//! `version_compare` canonicalizes a version into parts (`-`, `_`, `+` and other
//! punctuation separate parts, and so does every change between digits and letters:
//! `1.0rc1` is `1.0.rc.1`), then compares the parts one by one. The traps of its rules:
//!
//! - It is not SemVer: `1.0.0 > 1.0` (a version that goes on with a number is greater),
//!   while `1.0-beta < 1.0` and `1.0-pl1 > 1.0` (one that goes on with a word compares
//!   that word against a number).
//! - A word counts only by the *special form it starts with*, case-sensitively: `dev <
//!   alpha = a < beta = b < RC = rc < (a number) < pl = p`, and any other word is below
//!   `dev`. So `alpha == a == abc`, `beta == bugfix`, `patch == p == post`, but `BETA`,
//!   `Alpha`, `stable` and `final` are "other" words, below `dev`, and all equal.
//! - A word against a number compares the word with the number's special form, which
//!   sits between `rc` and `p`: `1.0.rc < 1.0.0 < 1.0.p`.
//! - Build metadata is not ignored: `1.0.0+bedrock` has the word `bedrock`, which
//!   starts with `b`, so it is a beta: `1.0.0+bedrock < 1.0.0`.
//! - Numbers compare numerically, of any size. (PHP itself saturates numbers at 2^63-1;
//!   the conformance data orders larger ones, so they are ordered here.)
//! - A leading `v` or `V` is removed (Composer removes it; `version_compare` would read
//!   `v` as an "other" word and sort `v2` below `1`).
//! - `#` is the special form PHP uses for "a number". The conformance data has a literal
//!   `#` part in its edge cases, with `1.2.3.# == 1.2.3`, `1.2.3.#.1 > 1.2.3` and
//!   `1.2.3.#.beta < 1.2.3`; a `#` part standing alone is therefore treated as absent.
//!   (The same data also has `1.2.3.# == 1.2.3.1`, which no order can satisfy together
//!   with `1.2.3.# == 1.2.3` and `1.2.3.1 > 1.2.3`: `version_compare` is not transitive
//!   there.)
//!
//! Rejected: whitespace, control and non-ASCII characters; a version that starts or ends
//! with a separator (for which `version_compare` is not even antisymmetric: `1.` is both
//! below and above `1.foo`); `#` other than as a part of its own after the first; and a
//! bare `v`. Runs of separators count as one, as in PHP.
//!
//! # Key layout
//!
//! Each part is one token: a word is only its tag, [`OTHER`] < [`DEV`] < [`ALPHA`] <
//! [`BETA`] < [`RC`] < [`PATCH`], since words of one special form are equal; a number is
//! [`NUMBER`] and the number, with [`NUMBER`] between [`RC`] and [`PATCH`]. The key ends
//! with [`END`], between [`RC`] and [`NUMBER`]: where one version has ended, PHP compares
//! the other's next part with the special form of a number, except that a number then
//! wins.

use crate::Invalid;
use crate::key::KeyWriter;
use crate::lex::{digits_end, run_end};

/// A word that starts with no special form: below `dev`.
const OTHER: u8 = 0x01;
const DEV: u8 = 0x02;
/// `alpha` or `a`.
const ALPHA: u8 = 0x03;
/// `beta` or `b`.
const BETA: u8 = 0x04;
/// `RC` or `rc`.
const RC: u8 = 0x05;
/// The end of the version: above words up to `rc`, below a number and `p`.
const END: u8 = 0x06;
const NUMBER: u8 = 0x07;
/// `pl` or `p`: above numbers.
const PATCH: u8 = 0x08;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let bytes = input.as_bytes();
    if let Some(at) = bytes.iter().position(|b| !b.is_ascii_graphic()) {
        return Err(bad_character(input, at));
    }
    let offset = usize::from(matches!(bytes.first(), Some(b'v' | b'V')));
    let s = bytes.get(offset..).unwrap_or_default();
    if s.is_empty() {
        return Err(Invalid::new("nothing after the \"v\" prefix"));
    }
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let start = i;
        if b.is_ascii_digit() {
            i = digits_end(s, i);
            w.tag(NUMBER);
            w.digits(&s[start..i]);
        } else if b.is_ascii_alphabetic() {
            i = run_end(s, i, u8::is_ascii_alphabetic);
            w.tag(word_tag(&s[start..i]));
        } else if b == b'#' && i > 0 {
            // A `#` part is absent (see the module notes); what follows must separate it.
            i += 1;
            if s.get(i).is_some_and(|&c| !is_separator(c)) {
                return Err(lone_hash(offset + i - 1));
            }
        } else {
            return Err(Invalid::at(
                offset + i,
                format!(
                    "a version starts with a letter or digit, not \"{}\"",
                    char::from(b)
                ),
            ));
        }
        match s.get(i) {
            None => break,
            Some(&b'#') => return Err(lone_hash(offset + i)),
            // Digits and letters part on their own.
            Some(c) if c.is_ascii_alphanumeric() => {}
            Some(&c) => {
                let separators = i;
                i = run_end(s, i, |&b| is_separator(b));
                if i == s.len() {
                    return Err(Invalid::at(
                        offset + separators,
                        format!("unexpected \"{}\" at the end of the version", char::from(c)),
                    ));
                }
            }
        }
    }
    w.tag(END);
    Ok(())
}

/// The tag of a word: the first special form it starts with, case-sensitively, in
/// `version_compare`'s order (`dev`, `alpha`, `a`, `beta`, `b`, `RC`, `rc`, `#`, `pl`,
/// `p`; the longer forms only repeat the shorter ones' rank).
fn word_tag(word: &[u8]) -> u8 {
    if word.starts_with(b"dev") {
        DEV
    } else if word.starts_with(b"a") {
        ALPHA
    } else if word.starts_with(b"b") {
        BETA
    } else if word.starts_with(b"RC") || word.starts_with(b"rc") {
        RC
    } else if word.starts_with(b"p") {
        PATCH
    } else {
        OTHER
    }
}

/// Punctuation other than `#` separates parts. (Only printable ASCII gets this far.)
fn is_separator(b: u8) -> bool {
    !b.is_ascii_alphanumeric() && b != b'#'
}

fn lone_hash(at: usize) -> Invalid {
    Invalid::at(at, "\"#\" must stand alone between separators")
}

fn bad_character(input: &str, at: usize) -> Invalid {
    // Every byte before `at` is ASCII, so `at` starts a character.
    let Some(c) = input.get(at..).and_then(|rest| rest.chars().next()) else {
        return Invalid::at(at, "unexpected character");
    };
    let what = if c.is_whitespace() {
        "whitespace"
    } else if c.is_control() {
        "control character"
    } else {
        "non-ASCII character"
    };
    Invalid::at(
        at,
        format!("unexpected {what} \"{}\" in the version", c.escape_debug()),
    )
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
            ("1.0.0", ">", "1.0"),
            ("1.10", ">", "1.9"),
            ("1.0-dev", "<", "1.0-alpha"),
            ("1.0alpha", "=", "1.0a"),
            ("1.0a", "=", "1.0-abc"),
            ("1.0-beta", "=", "1.0-bugfix"),
            ("1.0b1", "<", "1.0RC1"),
            ("1.0RC1", "=", "1.0rc1"),
            ("1.0rc1", "=", "1.0.rc.1"),
            ("1.0rc1", "=", "1.0-RC-1"),
            ("1.0rc1", "<", "1.0"),
            ("1.0", "<", "1.0pl1"),
            ("1.0p1", "=", "1.0-patch1"),
            ("1.0.post1", ">", "1.0.9"),
            ("1.0-BETA", "<", "1.0-dev"),
            ("1.0-BETA", "=", "1.0-stable"),
            ("1.0-Alpha", "=", "1.0-final"),
            ("1.0.rc", "<", "1.0.0"),
            ("1.0.0", "<", "1.0.p"),
            ("1.0.0+bedrock", "<", "1.0.0"),
            ("1.0.0+bedrock", "=", "1.0.0-beta"),
            ("1.0_1", "=", "1.0.1"),
            ("1.0..1", "=", "1.0.1"),
            ("1.0-.1", "=", "1.0.1"),
            ("1.0/1", "=", "1.0.1"),
            ("1.01", "=", "1.1"),
            ("v1.0", "=", "1.0"),
            ("V1.0", "=", "v1.0"),
            ("v2", ">", "1"),
            ("dev-main", "<", "0.0.1"),
            ("dev-main", "=", "dev-feature"),
            (
                "999999999999999999999999999991",
                "<",
                "999999999999999999999999999999",
            ),
            // Literal `#` parts, as in the conformance data's edge cases.
            ("1.2.3.#", "=", "1.2.3"),
            ("1.2.3.#.1", ">", "1.2.3"),
            ("1.2.3.#.p3", ">", "1.2.3"),
            ("1.2.3.#.beta", "<", "1.2.3"),
        ];
        check_all(Scheme::Packagist, &cases);
    }

    #[test]
    fn rejects_what_version_compare_cannot_order() {
        let cases = [
            ("v", "nothing after the \"v\" prefix"),
            (
                "-1.0",
                "a version starts with a letter or digit, not \"-\" (at byte 0)",
            ),
            (
                "v.1",
                "a version starts with a letter or digit, not \".\" (at byte 1)",
            ),
            (
                "1.0.",
                "unexpected \".\" at the end of the version (at byte 3)",
            ),
            (
                "1.0-+",
                "unexpected \"-\" at the end of the version (at byte 3)",
            ),
            (
                "#1",
                "a version starts with a letter or digit, not \"#\" (at byte 0)",
            ),
            (
                "1#",
                "\"#\" must stand alone between separators (at byte 1)",
            ),
            (
                "1.#a",
                "\"#\" must stand alone between separators (at byte 2)",
            ),
            (
                "1.0 beta",
                "unexpected whitespace \" \" in the version (at byte 3)",
            ),
            (
                "1.0\tb",
                "unexpected whitespace \"\\t\" in the version (at byte 3)",
            ),
            (
                "1.0\u{7f}",
                "unexpected control character \"\\u{7f}\" in the version (at byte 3)",
            ),
            (
                "1.0-ß",
                "unexpected non-ASCII character \"ß\" in the version (at byte 4)",
            ),
        ];
        rejects_all(Scheme::Packagist, &cases);
    }

    // ---- Reference comparator -------------------------------------------------------
    //
    // PHP's `php_version_compare` as its C source does it, on strings: canonicalize,
    // split on dots, compare part by part, and compare what is left of the longer version
    // against `#N#` by recursion. Numbers are compared at any size instead of through
    // `strtol`. Versions with `#` are left out: PHP's `#` equals every number, so no
    // order holds for them.

    fn canonicalize(v: &str) -> String {
        let b = v.as_bytes();
        let mut out: Vec<u8> = Vec::new();
        let Some((&first, rest)) = b.split_first() else {
            return String::new();
        };
        out.push(first);
        let mut prev = first;
        let digit = |c: u8| c.is_ascii_digit();
        let non_digit = |c: u8| !c.is_ascii_digit() && c != b'.';
        for &c in rest {
            let last_dot = out.last() == Some(&b'.');
            if matches!(c, b'-' | b'_' | b'+') {
                if !last_dot {
                    out.push(b'.');
                }
            } else if (non_digit(prev) && digit(c)) || (digit(prev) && non_digit(c)) {
                if !last_dot {
                    out.push(b'.');
                }
                out.push(c);
            } else if !c.is_ascii_alphanumeric() {
                if !last_dot {
                    out.push(b'.');
                }
            } else {
                out.push(c);
            }
            prev = c;
        }
        String::from_utf8(out).unwrap_or_default()
    }

    fn special(form: &str) -> i32 {
        let forms = [
            ("dev", 0),
            ("alpha", 1),
            ("a", 1),
            ("beta", 2),
            ("b", 2),
            ("RC", 3),
            ("rc", 3),
            ("#", 4),
            ("pl", 5),
            ("p", 5),
        ];
        forms
            .iter()
            .find(|(name, _)| form.starts_with(name))
            .map_or(-1, |&(_, order)| order)
    }

    fn php_compare(v1: &str, v2: &str) -> Ordering {
        if v1.is_empty() || v2.is_empty() {
            return (!v1.is_empty()).cmp(&!v2.is_empty());
        }
        let c1 = if v1.starts_with('#') {
            v1.to_owned()
        } else {
            canonicalize(v1)
        };
        let c2 = if v2.starts_with('#') {
            v2.to_owned()
        } else {
            canonicalize(v2)
        };
        let p1: Vec<&str> = c1.split('.').collect();
        let p2: Vec<&str> = c2.split('.').collect();
        let is_num = |p: &str| p.starts_with(|c: char| c.is_ascii_digit());
        let num = |p: &str| {
            let d = p.trim_start_matches('0');
            (d.len(), d.to_owned())
        };
        for (a, b) in p1.iter().zip(&p2) {
            let order = match (is_num(a), is_num(b)) {
                (true, true) => num(a).cmp(&num(b)),
                (false, false) => special(a).cmp(&special(b)),
                (true, false) => special("#N#").cmp(&special(b)),
                (false, true) => special(a).cmp(&special("#N#")),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        let n = p1.len().min(p2.len());
        if p1.len() > n {
            if is_num(p1[n]) {
                return Ordering::Greater;
            }
            return php_compare(&p1[n..].join("."), "#N#");
        }
        if p2.len() > n {
            if is_num(p2[n]) {
                return Ordering::Less;
            }
            return php_compare("#N#", &p2[n..].join("."));
        }
        Ordering::Equal
    }

    /// Whether a version is accepted, by the rules in the module notes, leaving out those
    /// with `#`.
    fn ref_valid(v: &str) -> bool {
        let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
        !v.is_empty()
            && !v.contains('#')
            && v.bytes().all(|b| b.is_ascii_graphic())
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric())
    }

    fn ref_cmp(a: &str, b: &str) -> Option<Ordering> {
        if !ref_valid(a) || !ref_valid(b) {
            return None;
        }
        let a = a.strip_prefix(['v', 'V']).unwrap_or(a);
        let b = b.strip_prefix(['v', 'V']).unwrap_or(b);
        Some(php_compare(a, b))
    }

    fn version() -> BoxedStrategy<String> {
        let part = prop_oneof![
            4 => prop_oneof!["0", "00", "1", "2", "10", "[0-9]{20}"],
            3 => prop_oneof![
                "dev", "alpha", "a", "beta", "b", "RC", "rc", "pl", "p", "patch", "BETA",
                "Alpha", "stable", "foo", "bedrock"
            ],
            2 => "(alpha|beta|rc|RC|p|dev|x)[0-9]",
        ];
        let sep = prop_oneof![4 => Just("."), 1 => Just("-"), 1 => Just("_"), 1 => Just("+"), 1 => Just("..")];
        let structured = (
            prop_oneof![4 => Just(""), 1 => Just("v"), 1 => Just("V")],
            "[0-9]{1,2}",
            proptest::collection::vec((sep, part), 0..5),
        )
            .prop_map(|(v, first, rest)| {
                let mut s = format!("{v}{first}");
                for (sep, part) in rest {
                    s += sep;
                    s += &part;
                }
                s
            });
        prop_oneof![
            6 => structured.boxed(),
            2 => "[0-9a-zA-Z][0-9a-zA-Z._+/-]{0,10}".boxed(),
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
                if !v.contains('#') {
                    assert_accepts_iff(Scheme::Packagist, v, ref_valid(v))?;
                }
            }
            assert_matches_reference(Scheme::Packagist, a, b, ref_cmp)?;
        }

        #[test]
        fn comparison_is_antisymmetric(a in version(), b in version()) {
            assert_antisymmetric(&a, &b, |x, y| Scheme::Packagist.compare(x, y).ok())?;
            assert_antisymmetric(a.trim(), b.trim(), ref_cmp)?;
        }

        #[test]
        fn comparison_is_transitive(a in version(), b in version(), c in version()) {
            assert_key_sort_agrees(Scheme::Packagist, [a.trim(), b.trim(), c.trim()], ref_cmp)?;
        }

        #[test]
        fn equal_keys_iff_reference_equal(a in version(), b in version()) {
            assert_equal_iff_keys_equal(Scheme::Packagist, a.trim(), b.trim(), ref_cmp)?;
        }
    }
}
