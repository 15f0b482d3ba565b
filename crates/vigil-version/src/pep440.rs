//! Version order of PyPI: PEP 440 as the `packaging` library's `Version` implements it,
//! plus the `LegacyVersion` fallback that `packaging` applied before release 22.0.
//!
//! The traps of PEP 440 that naive implementations fall into:
//!
//! - Trailing zeros of the release are insignificant (`1.0 == 1.0.0`), but only trailing
//!   ones (`1.0.1 > 1.0`), and numbers compare numerically with leading zeros ignored
//!   (`1.01 == 1.1`).
//! - The suffix order is not "pre-release, then release, then post-release" read left to
//!   right: `1.0.dev0 < 1.0a0.dev0 < 1.0a0 < 1.0a0.post0 < 1.0b0 < 1.0rc0 < 1.0 <
//!   1.0.post0.dev0 < 1.0.post0`. A dev release *with no pre- or post-release* sorts
//!   before every pre-release of its release, while `.devN` on a pre- or post-release
//!   sorts just before that pre- or post-release.
//! - Spellings are normalized: case is ignored, `v` may lead, `alpha`/`beta` are `a`/`b`,
//!   `c`/`pre`/`preview` are `rc`, `rev`/`r` are `post`, `1.0-1` is `1.0.post1`, a
//!   missing number is 0 (`1.0a == 1.0a0`), and `.`, `-` or `_` may (or may not) separate
//!   the parts: `1.0-ALPHA_1 == 1.0a1`. Parts may also follow each other with no
//!   separator at all (`1.0adev` is `1.0a0.dev0`), and a separator may trail a
//!   letter (`1.0a.` is `1.0a0`), so splitting on separators first goes wrong.
//! - An epoch outweighs everything (`1!0.1 > 2.0`).
//! - A local version sorts after its public version (`1.0+abc > 1.0`), and its segments
//!   compare numbers numerically, strings case-insensitively, a number above any string,
//!   and a longer local above its prefix.
//! - Until `packaging` 22.0, a string that is not PEP 440 still parsed, as a
//!   `LegacyVersion` in setuptools' old scheme that sorts before *every* PEP 440 version.
//!   PyPI and OSV data still carry such versions (`0.9-doduo`, `2013-01-21T20:33:09`,
//!   `trunk`), and the conformance data orders them, so they are accepted here with that
//!   order: the string is lowered and cut into digit runs, letter runs, `-` and other
//!   text; numbers are zero-padded to eight digits and then compared *as text* (so
//!   `123456789 < 20000000`); `pre`, `preview` and `rc` become `c`, `dev` becomes `@`
//!   (before every letter), `-` becomes `final-`; runs of zero numbers before a word and
//!   `final-` before a pre-release word are dropped, and `final` ends every version.
//!
//! Only strings that neither scheme can hold are rejected: those with whitespace inside,
//! control characters or non-ASCII characters. (`packaging` 22 and later rejects every
//! legacy string; the data needs them, so they are kept, below all PEP 440 versions.)
//!
//! # Key layout
//!
//! The first byte is [`LEGACY`] or [`PUBLIC`], so legacy versions sort first.
//!
//! A PEP 440 version is then: the epoch as a number; each release number after
//! [`RELEASE`], with trailing zeros dropped, and [`RELEASE_END`] (below [`RELEASE`], so a
//! shorter release sorts first); the pre-release slot, one of [`PRE_DEV_ONLY`] (a dev
//! release with no pre- or post-release) < [`PRE_A`] < [`PRE_B`] < [`PRE_RC`] (each with
//! its number) < [`PRE_NONE`]; the post-release slot, [`POST_NONE`] < [`POST`] and its
//! number; the dev slot, [`DEV`] and its number < [`DEV_NONE`]; then each local segment
//! as [`LOCAL_TEXT`] and its lowered text, or [`LOCAL_NUMBER`] and its number, and
//! [`LOCAL_END`], which sorts below both, so no local version and shorter local versions
//! sort first. This mirrors `packaging`'s sort key tuple slot by slot.
//!
//! A legacy version is its list of parts, each written as text (the bytes and a `00`
//! terminator): Python compares the list of strings element by element, and so does
//! `memcmp` on this, since every part byte is printable and above the terminator.

use std::cmp::Ordering;

use crate::Invalid;
use crate::key::KeyWriter;
use crate::lex::{digits_end, run_end};

/// First byte of a legacy (pre-PEP 440) version: below every PEP 440 version, as
/// `packaging` gives legacy versions the epoch -1.
const LEGACY: u8 = 0x01;
/// First byte of a PEP 440 version.
const PUBLIC: u8 = 0x02;

/// Before each release number that is kept.
const RELEASE: u8 = 0x11;
/// After the release numbers: below [`RELEASE`], so `1 < 1.0.1`.
const RELEASE_END: u8 = 0x10;

/// Pre-release slot of a dev release with neither pre- nor post-release: below every
/// pre-release, as `packaging` puts negative infinity there.
const PRE_DEV_ONLY: u8 = 0x20;
const PRE_A: u8 = 0x21;
const PRE_B: u8 = 0x22;
const PRE_RC: u8 = 0x23;
/// No pre-release: above every pre-release.
const PRE_NONE: u8 = 0x24;

/// No post-release: below every post-release.
const POST_NONE: u8 = 0x30;
const POST: u8 = 0x31;

const DEV: u8 = 0x40;
/// No dev release: above every dev release.
const DEV_NONE: u8 = 0x41;

/// End of the local segments: below both segment kinds.
const LOCAL_END: u8 = 0x50;
/// A local segment with a letter: below every numeric segment.
const LOCAL_TEXT: u8 = 0x51;
const LOCAL_NUMBER: u8 = 0x52;

/// A pre-release phase, after normalizing its spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    A,
    B,
    Rc,
}

/// Spellings of the pre-release phases. Where one spelling starts another (`a` and
/// `alpha`), the longest match is the only one the rest of a valid version can follow.
const PRE_WORDS: &[(&[u8], Phase)] = &[
    (b"alpha", Phase::A),
    (b"a", Phase::A),
    (b"beta", Phase::B),
    (b"b", Phase::B),
    (b"preview", Phase::Rc),
    (b"pre", Phase::Rc),
    (b"c", Phase::Rc),
    (b"rc", Phase::Rc),
];

/// Spellings of the post-release.
const POST_WORDS: &[(&[u8], ())] = &[(b"post", ()), (b"rev", ()), (b"r", ())];

/// Spelling of the dev release.
const DEV_WORDS: &[(&[u8], ())] = &[(b"dev", ())];

/// The parts of a PEP 440 version, as slices of the input. Numbers are digit strings;
/// an empty one is an implicit 0.
#[derive(Debug)]
struct Pep440<'a> {
    epoch: &'a [u8],
    /// The release numbers with their dots.
    release: &'a [u8],
    pre: Option<(Phase, &'a [u8])>,
    post: Option<&'a [u8]>,
    dev: Option<&'a [u8]>,
    /// The local segments with their separators, after the `+`.
    local: Option<&'a [u8]>,
}

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    check_characters(input)?;
    let s = input.as_bytes();
    match parse(s) {
        Some(version) => encode_pep440(&version, w),
        None => encode_legacy(s, w),
    }
    Ok(())
}

/// Rejects what neither PEP 440 nor a legacy version can hold: whitespace, control and
/// non-ASCII characters. Everything else is at least a legacy version.
fn check_characters(input: &str) -> Result<(), Invalid> {
    let Some(at) = input.bytes().position(|b| !b.is_ascii_graphic()) else {
        return Ok(());
    };
    // Every byte before `at` is ASCII, so `at` starts a character.
    let Some(c) = input.get(at..).and_then(|rest| rest.chars().next()) else {
        return Err(Invalid::at(at, "unexpected character"));
    };
    let what = if c.is_whitespace() {
        "whitespace"
    } else if c.is_control() {
        "control character"
    } else {
        "non-ASCII character"
    };
    Err(Invalid::at(
        at,
        format!("unexpected {what} \"{}\" in the version", c.escape_debug()),
    ))
}

/// Parses a PEP 440 version, or gives `None` when `s` is not one. This walks the bytes
/// the way `packaging`'s regular expression matches them: where the expression could
/// backtrack, the choice made here is the only one that can lead to a match.
fn parse(s: &[u8]) -> Option<Pep440<'_>> {
    let start = usize::from(matches!(s.first(), Some(b'v' | b'V')));
    let first = digits_end(s, start);
    if first == start {
        return None;
    }
    let (epoch, release_start) = if s.get(first) == Some(&b'!') {
        (s.get(start..first)?, first + 1)
    } else {
        (&s[..0], start)
    };
    let mut i = digits_end(s, release_start);
    if i == release_start {
        return None;
    }
    // A dot followed by a digit always continues the release: nothing after the release
    // may start that way.
    while s.get(i) == Some(&b'.') && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits_end(s, i + 1);
    }
    let release = s.get(release_start..i)?;

    let pre = letter_part(s, i, PRE_WORDS).map(|(phase, n, end)| {
        i = end;
        (phase, n)
    });
    let post = post_part(s, i).map(|(n, end)| {
        i = end;
        n
    });
    let dev = letter_part(s, i, DEV_WORDS).map(|((), n, end)| {
        i = end;
        n
    });
    let local = if s.get(i) == Some(&b'+') {
        let local_start = i + 1;
        let mut j = local_start;
        loop {
            let end = alphanumeric_end(s, j);
            if end == j {
                return None;
            }
            j = end;
            let more = s.get(j).copied().is_some_and(is_separator)
                && s.get(j + 1).is_some_and(u8::is_ascii_alphanumeric);
            if !more {
                break;
            }
            j += 1;
        }
        i = j;
        Some(s.get(local_start..j)?)
    } else {
        None
    };
    if i != s.len() {
        return None;
    }
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// Matches `[-_.]? WORD [-_.]? [0-9]*` at `i`: a pre-release, post-release or dev part.
/// Gives the word's meaning, the digits (maybe empty) and where the part ends.
///
/// The separator after the word is taken even when no number follows (`1.0a.` is
/// valid): every part that can come next may start without a separator, so taking it
/// never loses a match, and it is required before a second separator (`1.0a-.dev1`).
fn letter_part<'a, K: Copy>(
    s: &'a [u8],
    i: usize,
    words: &[(&[u8], K)],
) -> Option<(K, &'a [u8], usize)> {
    let mut j = i;
    if s.get(j).copied().is_some_and(is_separator) {
        j += 1;
    }
    let rest = s.get(j..)?;
    // Most versions end here or go on with `+`: skip the word search.
    if !rest.first()?.is_ascii_alphabetic() {
        return None;
    }
    let (kind, len) = words
        .iter()
        .filter(|(word, _)| starts_with_ignore_case(rest, word))
        .max_by_key(|(word, _)| word.len())
        .map(|&(word, kind)| (kind, word.len()))?;
    let mut k = j + len;
    if s.get(k).copied().is_some_and(is_separator) {
        k += 1;
    }
    let end = digits_end(s, k);
    Some((kind, s.get(k..end)?, end))
}

/// Matches a post-release at `i`: the implicit `-N` form or a spelled-out one.
fn post_part(s: &[u8], i: usize) -> Option<(&[u8], usize)> {
    if s.get(i) == Some(&b'-') {
        let end = digits_end(s, i + 1);
        if end > i + 1 {
            return Some((s.get(i + 1..end)?, end));
        }
    }
    letter_part(s, i, POST_WORDS).map(|((), n, end)| (n, end))
}

fn encode_pep440(v: &Pep440<'_>, w: &mut KeyWriter) {
    w.tag(PUBLIC);
    w.digits(v.epoch);

    // Write every release number, then cut the trailing zeros off again.
    let mut keep = w.len();
    for number in v.release.split(|&b| b == b'.') {
        w.tag(RELEASE);
        w.digits(number);
        if number.iter().any(|&d| d != b'0') {
            keep = w.len();
        }
    }
    w.truncate(keep);
    w.tag(RELEASE_END);

    match v.pre {
        Some((phase, n)) => {
            w.tag(match phase {
                Phase::A => PRE_A,
                Phase::B => PRE_B,
                Phase::Rc => PRE_RC,
            });
            w.digits(n);
        }
        None if v.post.is_none() && v.dev.is_some() => w.tag(PRE_DEV_ONLY),
        None => w.tag(PRE_NONE),
    }
    match v.post {
        Some(n) => {
            w.tag(POST);
            w.digits(n);
        }
        None => w.tag(POST_NONE),
    }
    match v.dev {
        Some(n) => {
            w.tag(DEV);
            w.digits(n);
        }
        None => w.tag(DEV_NONE),
    }
    if let Some(local) = v.local {
        for segment in local.split(|&b| is_separator(b)) {
            if segment.iter().all(u8::is_ascii_digit) {
                w.tag(LOCAL_NUMBER);
                w.digits(segment);
            } else {
                w.tag(LOCAL_TEXT);
                w.text_lowercase(segment);
            }
        }
    }
    w.tag(LOCAL_END);
}

/// Writes a legacy version's parts. The input holds only printable ASCII (checked
/// before), so every part byte is above the text terminator.
fn encode_legacy(s: &[u8], w: &mut KeyWriter) {
    w.tag(LEGACY);
    let mut tail = LegacyTail::default();
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let start = i;
        if b.is_ascii_digit() {
            i = digits_end(s, i);
            tail.number(w, &s[start..i]);
        } else if b.is_ascii_alphabetic() {
            i = run_end(s, i, u8::is_ascii_alphabetic);
            let word = &s[start..i];
            let word: &[u8] = if word.eq_ignore_ascii_case(b"pre")
                || word.eq_ignore_ascii_case(b"preview")
                || word.eq_ignore_ascii_case(b"rc")
            {
                b"c"
            } else if word.eq_ignore_ascii_case(b"dev") {
                b"@"
            } else {
                word
            };
            tail.word(w, word);
        } else if b == b'.' {
            // Dots only separate.
            i += 1;
        } else if b == b'-' {
            i += 1;
            tail.final_dash();
        } else {
            // Any other run of characters is a part of its own.
            i = run_end(s, i, |&c| {
                !(c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
            });
            tail.word(w, &s[start..i]);
        }
    }
    tail.word(w, b"final");
}

/// The legacy parts that a later part may still remove, not yet written: `packaging`
/// drops the zero numbers (`00000000`) that end the list when a word part comes, and the
/// `*final-` parts that end it when a pre-release word (one below `*final`) comes. As
/// zeros are dropped by every word, including `*final-`, the pending parts are always
/// some `*final-` parts followed by some zeros.
#[derive(Debug, Default)]
struct LegacyTail {
    final_dashes: usize,
    zeros: usize,
}

impl LegacyTail {
    /// A number part: zero-padded to eight digits, compared as text.
    fn number(&mut self, w: &mut KeyWriter, digits: &[u8]) {
        if digits.len() <= 8 && digits.iter().all(|&d| d == b'0') {
            self.zeros += 1;
            return;
        }
        self.flush(w);
        for _ in digits.len()..8 {
            w.tag(b'0');
        }
        for &d in digits {
            w.tag(d);
        }
        w.tag(0);
    }

    /// A `-`, which is the word `final-`: it drops the zeros before it and waits.
    fn final_dash(&mut self) {
        self.zeros = 0;
        self.final_dashes += 1;
    }

    /// Any other word part (`*` and the lowered word).
    fn word(&mut self, w: &mut KeyWriter, word: &[u8]) {
        let pre_release = word
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(b"final".iter().copied())
            == Ordering::Less;
        // The `final-` parts go only if they end the list, that is, with no zeros after.
        if pre_release && self.zeros == 0 {
            self.final_dashes = 0;
        }
        self.zeros = 0;
        self.flush(w);
        w.tag(b'*');
        for &b in word {
            w.tag(b.to_ascii_lowercase());
        }
        w.tag(0);
    }

    /// Writes the pending parts: they stay.
    fn flush(&mut self, w: &mut KeyWriter) {
        for _ in 0..self.final_dashes {
            for &b in b"*final-\0" {
                w.tag(b);
            }
        }
        for _ in 0..self.zeros {
            for &b in b"00000000\0" {
                w.tag(b);
            }
        }
        self.final_dashes = 0;
        self.zeros = 0;
    }
}

fn is_separator(b: u8) -> bool {
    matches!(b, b'.' | b'-' | b'_')
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn alphanumeric_end(s: &[u8], i: usize) -> usize {
    run_end(s, i, u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;
    use crate::testing::{
        assert_accepts_iff, assert_antisymmetric, assert_equal_iff_keys_equal,
        assert_key_sort_agrees, assert_matches_reference, check_all, rejects_all, try_key,
    };
    use proptest::prelude::*;
    use std::rc::Rc;

    #[test]
    fn orders_notable_cases() {
        let cases = [
            // Release numbers: numeric, trailing zeros insignificant.
            ("1.0", "=", "1.0.0"),
            ("1", "=", "1.0.0.0"),
            ("1.01", "=", "1.1"),
            ("1.0.1", ">", "1.0"),
            ("1.10", ">", "1.9"),
            ("0", "=", "0.0"),
            ("0", "<", "0.0.1"),
            ("99999999999999999999999", ">", "99999999999999999999998"),
            // The suffix order.
            ("1.0.dev0", "<", "1.0a0.dev0"),
            ("1.0a0.dev0", "<", "1.0a0"),
            ("1.0a0", "<", "1.0a0.post0"),
            ("1.0a0.post0", "<", "1.0b0"),
            ("1.0b0", "<", "1.0rc0"),
            ("1.0rc0", "<", "1.0"),
            ("1.0", "<", "1.0.post0.dev0"),
            ("1.0.post0.dev0", "<", "1.0.post0"),
            ("1.0.post0", "<", "1.0.1.dev0"),
            ("1.0.dev5", "<", "1.0a0"),
            ("1.0.dev5", ">", "0.9.post9"),
            ("1.0a1.post2.dev3", "<", "1.0a1.post2"),
            // Spellings and separators.
            ("1.0-ALPHA_1", "=", "1.0a1"),
            ("1.0alpha1", "=", "1.0a1"),
            ("1.0.beta.2", "=", "1.0b2"),
            ("1.0c1", "=", "1.0rc1"),
            ("1.0pre1", "=", "1.0rc1"),
            ("1.0-preview-1", "=", "1.0rc1"),
            ("1.0-1", "=", "1.0.post1"),
            ("1.0-r1", "=", "1.0.post1"),
            ("1.0rev1", "=", "1.0.post1"),
            ("1.0.POST_1", "=", "1.0.post1"),
            ("1.0a", "=", "1.0a0"),
            ("1.0.post", "=", "1.0.post0"),
            ("1.0dev", "=", "1.0.dev0"),
            ("v1.0", "=", "1.0"),
            ("V1.0", "=", "1.0"),
            ("1.0adev", "=", "1.0a0.dev0"),
            ("1.0arev2", "=", "1.0a0.post2"),
            ("1.0a-1", "=", "1.0a1"),
            ("1.0a--1", "=", "1.0a0.post1"),
            ("1.0a.", "=", "1.0a0"),
            ("1.0a-.dev1", "=", "1.0a0.dev1"),
            ("1.0a1-1", "=", "1.0a1.post1"),
            ("1.0.dev-3", "=", "1.0.dev3"),
            ("1.0a007", "=", "1.0a7"),
            // Epochs.
            ("1!0.1", ">", "2.0"),
            ("0!1.0", "=", "1.0"),
            ("1!1.0", "<", "2!0.1"),
            // Local versions.
            ("1.0+abc", ">", "1.0"),
            ("1.0+abc", "<", "1.0.post0"),
            ("1.0+abc", "=", "1.0+ABC"),
            ("1.0+1", ">", "1.0+abc"),
            ("1.0+10", ">", "1.0+9"),
            ("1.0+007", "=", "1.0+7"),
            ("1.0+abc.5", "<", "1.0+abc.5.0"),
            ("1.0+abc-5", "=", "1.0+abc_5"),
            ("1.0+abc", "<", "1.0+abd"),
            ("1.0+ab", "<", "1.0+abc"),
            ("1.0+a1", "<", "1.0+0"),
            ("1.0.0+x", "=", "1.0+x"),
            // Legacy versions: below every PEP 440 version, setuptools' old order.
            ("0.9-ivysaur", "<", "0.0.1"),
            ("trunk", "<", "0"),
            ("0.1-bulbasaur", "<", "0.1-charmander"),
            ("1.0-final", "<", "1.0-final-1"),
            ("1.0.dev-a", "<", "1.0-a"),
            ("1.0.0-x", "=", "1.0-x"),
            ("1.0.0-x", "=", "1.00-X"),
            ("20000000x", ">", "123456789x"),
            ("1.0-pre-x", "=", "1.0-c-x"),
            ("a3", "<", "b1"),
            ("2013-01-21T20:33:09+0100", "<", "2013-01-23T17:11:52+0100"),
        ];
        check_all(Scheme::PyPI, &cases);
    }

    #[test]
    fn rejects_what_no_version_can_hold() {
        let cases = [
            (
                "1.0 beta",
                "unexpected whitespace \" \" in the version (at byte 3)",
            ),
            (
                "1.0\u{1}",
                "unexpected control character \"\\u{1}\" in the version (at byte 3)",
            ),
            (
                "1.0é",
                "unexpected non-ASCII character \"é\" in the version (at byte 3)",
            ),
            (
                "v1.\u{3000}0",
                "unexpected whitespace \"\\u{3000}\" in the version (at byte 3)",
            ),
        ];
        rejects_all(Scheme::PyPI, &cases);
    }

    #[test]
    fn tells_pep440_from_legacy() {
        for v in [
            "1.0",
            "1!2.3a4.post5.dev6+x.7",
            "v1.0-1",
            "1.0a.",
            "1.0+a-b_c.d",
        ] {
            assert!(parse(v.as_bytes()).is_some(), "{v} is PEP 440");
        }
        for v in [
            "1.0-",
            "1.0.",
            "1.0.-a",
            "1.0+",
            "1.0+a..b",
            "1.0+a.",
            "!1.0",
            "1!",
            "1.0a1a1",
            "1.0.post1a1",
            "1.0.dev1.post1",
            "1.0-1-1",
            "vv1.0",
            "1.0x",
            "1.0.*",
        ] {
            assert!(parse(v.as_bytes()).is_none(), "{v} is legacy");
        }
    }

    // ---- Reference comparator -------------------------------------------------------
    //
    // `packaging`'s algorithm, written directly on strings: its regular expression is run
    // by a small backtracking matcher (alternatives in the expression's order, greedy
    // quantifiers), then its `_cmpkey` tuple is built and compared. Legacy versions follow
    // `packaging` 21's `_legacy_cmpkey` with lists of strings.

    /// A matcher state: the position and the capture groups' spans.
    #[derive(Clone, Debug, Default)]
    struct St {
        pos: usize,
        caps: [Option<(usize, usize)>; 10],
    }

    /// A pattern gives every way it can match from a state, in the order a backtracking
    /// regular expression engine tries them.
    type Pat = Rc<dyn Fn(&[u8], &St) -> Vec<St>>;

    fn class(f: fn(u8) -> bool) -> Pat {
        Rc::new(move |s: &[u8], st: &St| match s.get(st.pos) {
            Some(&b) if f(b) => vec![St {
                pos: st.pos + 1,
                ..st.clone()
            }],
            _ => vec![],
        })
    }

    fn lit(text: &'static str) -> Pat {
        Rc::new(move |s: &[u8], st: &St| {
            if s[st.pos..].starts_with(text.as_bytes()) {
                vec![St {
                    pos: st.pos + text.len(),
                    ..st.clone()
                }]
            } else {
                vec![]
            }
        })
    }

    fn seq(parts: Vec<Pat>) -> Pat {
        Rc::new(move |s: &[u8], st: &St| {
            let mut states = vec![st.clone()];
            for p in &parts {
                states = states.iter().flat_map(|x| p(s, x)).collect();
            }
            states
        })
    }

    fn alt(options: Vec<Pat>) -> Pat {
        Rc::new(move |s: &[u8], st: &St| options.iter().flat_map(|p| p(s, st)).collect())
    }

    fn opt(p: Pat) -> Pat {
        Rc::new(move |s: &[u8], st: &St| {
            let mut out = p(s, st);
            out.push(st.clone());
            out
        })
    }

    fn star(p: Pat) -> Pat {
        fn go(p: &Pat, s: &[u8], st: &St) -> Vec<St> {
            let mut out = Vec::new();
            for next in p(s, st) {
                if next.pos > st.pos {
                    out.extend(go(p, s, &next));
                }
            }
            out.push(st.clone());
            out
        }
        Rc::new(move |s: &[u8], st: &St| go(&p, s, st))
    }

    fn plus(p: Pat) -> Pat {
        seq(vec![p.clone(), star(p)])
    }

    fn cap(index: usize, p: Pat) -> Pat {
        Rc::new(move |s: &[u8], st: &St| {
            p(s, st)
                .into_iter()
                .map(|mut x| {
                    x.caps[index] = Some((st.pos, x.pos));
                    x
                })
                .collect()
        })
    }

    /// `packaging`'s VERSION_PATTERN, on lowered input, anchored at both ends.
    fn version_pattern() -> Pat {
        let digit = || class(|b| b.is_ascii_digit());
        let num = || plus(digit());
        let sep = || opt(class(|b| matches!(b, b'-' | b'_' | b'.')));
        let words = |ws: &[&'static str]| alt(ws.iter().map(|w| lit(w)).collect());
        let alnum = || plus(class(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        seq(vec![
            opt(lit("v")),
            opt(seq(vec![cap(0, num()), lit("!")])),
            cap(1, seq(vec![num(), star(seq(vec![lit("."), num()]))])),
            opt(seq(vec![
                sep(),
                cap(
                    2,
                    words(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]),
                ),
                sep(),
                opt(cap(3, num())),
            ])),
            opt(alt(vec![
                seq(vec![lit("-"), cap(4, num())]),
                seq(vec![
                    sep(),
                    cap(5, words(&["post", "rev", "r"])),
                    sep(),
                    opt(cap(6, num())),
                ]),
            ])),
            opt(seq(vec![
                sep(),
                cap(7, lit("dev")),
                sep(),
                opt(cap(8, num())),
            ])),
            opt(seq(vec![
                lit("+"),
                cap(
                    9,
                    seq(vec![
                        alnum(),
                        star(seq(vec![
                            class(|b| matches!(b, b'-' | b'_' | b'.')),
                            alnum(),
                        ])),
                    ]),
                ),
            ])),
        ])
    }

    /// A number of any size, ordered numerically.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Big(usize, String);

    fn big(digits: &str) -> Big {
        let d = digits.trim_start_matches('0');
        Big(d.len(), d.to_owned())
    }

    /// `packaging`'s Infinity and NegativeInfinity around a value.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Inf<T> {
        Neg,
        Val(T),
        Pos,
    }

    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum LocalPart {
        Text(String),
        Number(Big),
    }

    /// The sort key tuple; legacy versions (epoch -1) come first.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum RefKey {
        Legacy(Vec<String>),
        Pep440(Box<RefPep440>),
    }

    /// `packaging`'s `_cmpkey`, slot by slot in its order.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct RefPep440 {
        epoch: Big,
        release: Vec<Big>,
        pre: Inf<(String, Big)>,
        post: Inf<(String, Big)>,
        dev: Inf<(String, Big)>,
        local: Inf<Vec<LocalPart>>,
    }

    fn letter(l: &str, n: Option<&str>) -> (String, Big) {
        let l = match l {
            "alpha" => "a",
            "beta" => "b",
            "c" | "pre" | "preview" => "rc",
            "rev" | "r" => "post",
            other => other,
        };
        (l.to_owned(), big(n.unwrap_or("0")))
    }

    fn ref_key(version: &str) -> Option<RefKey> {
        if version.chars().any(|c| !c.is_ascii_graphic()) {
            return None;
        }
        let lower = version.to_ascii_lowercase();
        let s = lower.as_bytes();
        let m = version_pattern()(s, &St::default())
            .into_iter()
            .find(|st| st.pos == s.len());
        let Some(m) = m else {
            return Some(RefKey::Legacy(legacy_parts(&lower)));
        };
        let get = |i: usize| m.caps[i].map(|(a, b)| &lower[a..b]);
        let mut release: Vec<Big> = get(1).unwrap_or("0").split('.').map(big).collect();
        while release.last().is_some_and(|n| n.0 == 0) {
            release.pop();
        }
        let pre = get(2).map(|l| letter(l, get(3)));
        let post = match (get(4), get(5)) {
            (Some(n), _) => Some(("post".to_owned(), big(n))),
            (None, Some(l)) => Some(letter(l, get(6))),
            (None, None) => None,
        };
        let dev = get(7).map(|l| letter(l, get(8)));
        let pre = match (&pre, &post, &dev) {
            (None, None, Some(_)) => Inf::Neg,
            (None, _, _) => Inf::Pos,
            (Some(p), _, _) => Inf::Val(p.clone()),
        };
        let local = match get(9) {
            None => Inf::Neg,
            Some(l) => Inf::Val(
                l.split(['.', '-', '_'])
                    .map(|part| {
                        if part.bytes().all(|b| b.is_ascii_digit()) {
                            LocalPart::Number(big(part))
                        } else {
                            LocalPart::Text(part.to_owned())
                        }
                    })
                    .collect(),
            ),
        };
        Some(RefKey::Pep440(Box::new(RefPep440 {
            epoch: big(get(0).unwrap_or("0")),
            release,
            pre,
            post: post.map_or(Inf::Neg, Inf::Val),
            dev: dev.map_or(Inf::Pos, Inf::Val),
            local,
        })))
    }

    /// `packaging` 21's `_legacy_cmpkey` parts, on the lowered string.
    fn legacy_parts(lower: &str) -> Vec<String> {
        // re.split(r"(\d+|[a-z]+|\.|-)"): the matches and the text between them.
        let mut pieces: Vec<String> = Vec::new();
        let mut between = String::new();
        let chars: Vec<char> = lower.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let run = |f: fn(&char) -> bool| chars[i..].iter().take_while(|c| f(c)).count();
            let len = if c.is_ascii_digit() {
                run(|c| c.is_ascii_digit())
            } else if c.is_ascii_lowercase() {
                run(|c| c.is_ascii_lowercase())
            } else if c == '.' || c == '-' {
                1
            } else {
                between.push(c);
                i += 1;
                continue;
            };
            pieces.push(std::mem::take(&mut between));
            pieces.push(chars[i..i + len].iter().collect());
            i += len;
        }
        pieces.push(between);

        let mut parts: Vec<String> = Vec::new();
        let mapped = pieces.into_iter().filter_map(|p| {
            let p = match p.as_str() {
                "pre" | "preview" | "rc" => "c".to_owned(),
                "-" => "final-".to_owned(),
                "dev" => "@".to_owned(),
                _ => p,
            };
            if p.is_empty() || p == "." {
                None
            } else if p.starts_with(|c: char| c.is_ascii_digit()) {
                Some(format!("{p:0>8}"))
            } else {
                Some(format!("*{p}"))
            }
        });
        for part in mapped.chain(["*final".to_owned()]) {
            if part.starts_with('*') {
                if part.as_str() < "*final" {
                    while parts.last().is_some_and(|p| p == "*final-") {
                        parts.pop();
                    }
                }
                while parts.last().is_some_and(|p| p == "00000000") {
                    parts.pop();
                }
            }
            parts.push(part);
        }
        parts
    }

    fn ref_cmp(a: &str, b: &str) -> Option<Ordering> {
        Some(ref_key(a)?.cmp(&ref_key(b)?))
    }

    /// Realistic versions in many spellings, legacy-looking strings and junk.
    fn version() -> BoxedStrategy<String> {
        let num = || prop_oneof!["[0-3]", "0[0-2]", "1[0-9]", "[0-9]{20,22}"];
        let sep = || prop_oneof!["", "", ".", "-", "_"];
        let pre_word = prop_oneof![
            Just("a"),
            Just("alpha"),
            Just("b"),
            Just("BETA"),
            Just("c"),
            Just("rc"),
            Just("pre"),
            Just("preview")
        ];
        let post_word = prop_oneof![Just("post"), Just("rev"), Just("r"), Just("POST")];
        let opt_num = || prop_oneof![Just(String::new()), num()];
        let structured = (
            prop_oneof!["", "", "v", "V"],
            prop_oneof![Just(String::new()), num().prop_map(|n| format!("{n}!"))],
            proptest::collection::vec(num(), 1..5).prop_map(|r| r.join(".")),
            proptest::option::of((sep(), pre_word, sep(), opt_num())),
            proptest::option::weighted(
                0.4,
                prop_oneof![
                    num().prop_map(|n| format!("-{n}")),
                    (sep(), post_word, sep(), opt_num())
                        .prop_map(|(a, w, b, n)| format!("{a}{w}{b}{n}")),
                ],
            ),
            proptest::option::weighted(0.4, (sep(), prop_oneof!["dev", "DEV"], sep(), opt_num())),
            proptest::option::weighted(0.3, "[a-cA-C0-2]{1,3}([-_.][a-c0-2]{1,3}){0,2}"),
        )
            .prop_map(|(v, epoch, release, pre, post, dev, local)| {
                let mut s = format!("{v}{epoch}{release}");
                if let Some((a, w, b, n)) = pre {
                    s += &format!("{a}{w}{b}{n}");
                }
                if let Some(p) = post {
                    s += &p;
                }
                if let Some((a, w, b, n)) = dev {
                    s += &format!("{a}{w}{b}{n}");
                }
                if let Some(l) = local {
                    s += &format!("+{l}");
                }
                s
            });
        prop_oneof![
            6 => structured.boxed(),
            // Legacy-looking: words and numbers with any separators.
            3 => "[0-9]{1,2}([-.:+_]?(0|00000000|000000000|[0-9]{1,9}|a|b|c|rc|pre|dev|final|post|p|x|zz|T)){0,5}",
            1 => "[ -~]{1,10}",
            1 => any::<String>(),
        ]
        .boxed()
    }

    fn trimmed(v: &str) -> &str {
        v.trim()
    }

    /// The reference on what `Scheme::parse` sees: the trimmed input.
    fn ref_cmp_trimmed(a: &str, b: &str) -> Option<Ordering> {
        ref_cmp(trimmed(a), trimmed(b))
    }

    proptest! {
        #[test]
        fn key_order_matches_reference(a in version(), b in version()) {
            let (a, b) = (trimmed(&a), trimmed(&b));
            if a.is_empty() || b.is_empty() {
                return Ok(());
            }
            for v in [a, b] {
                assert_accepts_iff(Scheme::PyPI, v, ref_key(v).is_some())?;
            }
            assert_matches_reference(Scheme::PyPI, a, b, ref_cmp)?;
        }

        #[test]
        fn comparison_is_antisymmetric(a in version(), b in version()) {
            assert_antisymmetric(&a, &b, |x, y| Scheme::PyPI.compare(x, y).ok())?;
            assert_antisymmetric(trimmed(&a), trimmed(&b), ref_cmp)?;
        }

        #[test]
        fn comparison_is_transitive(a in version(), b in version(), c in version()) {
            // Sorted by key, the reference must agree pairwise, so its order is the
            // same total order on these three.
            assert_key_sort_agrees(Scheme::PyPI, [&a, &b, &c], ref_cmp_trimmed)?;
        }

        #[test]
        fn equal_keys_iff_reference_equal(a in version(), b in version()) {
            assert_equal_iff_keys_equal(Scheme::PyPI, &a, &b, ref_cmp_trimmed)?;
        }

        /// Same version, different spelling: equal keys.
        #[test]
        fn respellings_are_equal(v in version()) {
            if let Some(k) = try_key(Scheme::PyPI, &v) {
                let upper = v.to_ascii_uppercase();
                if ref_cmp(trimmed(&v), trimmed(&upper)) == Some(Ordering::Equal) {
                    prop_assert_eq!(Some(k), try_key(Scheme::PyPI, &upper));
                }
            }
        }
    }
}
