//! Version order of Debian's dpkg (Debian, Ubuntu): `[epoch:]upstream[-revision]`, compared
//! as `dpkg --compare-versions` compares them.
//!
//! The epoch is compared as a number, then the upstream version, then the revision, each with
//! dpkg's `verrevcmp`: the string is read as alternating runs of non-digits and digits; each
//! non-digit run is compared character by character with dpkg's weights, each digit run as a
//! number, and a string that runs out behaves as if it went on with empty runs.
//!
//! The traps a naive implementation falls into:
//!
//! - `~` sorts before everything, even before the end of the string: `1.0~rc1 < 1.0`, and
//!   `1.0~~ < 1.0~ < 1.0`.
//! - Letters sort before every other non-digit character, and the end of a non-digit run sits
//!   between `~` and the letters: `1.0a < 1.0+ < 1.0.`, and `1.0 < 1.0a`. So `1.0 < 1.0.0`:
//!   trailing zero components are *not* ignored.
//! - Digit runs are numbers: `1.010 == 1.10`, `1.9 < 1.10`; and a missing number is zero:
//!   `1a == 1a0`.
//! - The revision is everything after the *last* `-` (the upstream version may contain `-`);
//!   a missing revision equals the revision `0` (`1.0 == 1.0-0`), but *not* an empty one:
//!   dpkg refuses `1.0-`.
//! - A leading zero run is not nothing: `0.1 < .1` (the end of a run, weight 0, meets `.`),
//!   although the part `0` as a whole equals a missing part.
//! - The epoch is a number (`01:1 == 1:1`), at most `i32::MAX`, and outweighs everything
//!   after it: `1:0.1 > 9.9`. Only the first `:` ends it; later colons belong to the
//!   upstream version.
//! - Bytes outside ASCII are "other characters" with the weight dpkg gives them on amd64,
//!   where `char` is signed: their byte value, which puts them above the letters and below
//!   ASCII punctuation.
//!
//! What dpkg refuses (its "bad syntax" errors) is refused here too: whitespace inside the
//! version; an epoch that is empty, not a number, negative or above `i32::MAX`; nothing
//! after the epoch's `:`; an empty upstream version or revision. What dpkg only warns about
//! (a version not starting with a digit, characters outside `[A-Za-z0-9.+~:-]`) is accepted
//! and compared as dpkg compares it. A NUL byte is refused: dpkg reads C strings and can
//! never be handed one.
//!
//! The key is the epoch ([`KeyWriter::uint`]), then the upstream version and the revision,
//! each as its (non-digit run, number) pairs and [`END`]:
//!
//! - In a non-digit run, `~` is [`TILDE`], a letter is its ASCII byte, and a non-ASCII byte
//!   is itself (`0x80..=0xF4`, the bytes UTF-8 uses). Other ASCII characters take the bytes
//!   UTF-8 never uses, in ASCII order: `+ , - . / :` one byte each, the rarer ones below `+`
//!   or above `:` a prefix byte and themselves. The run ends with [`RUN_END`], which sorts
//!   above `~` and below everything else, as dpkg's weight 0 for the end of a run does.
//!   Then comes the number via [`KeyWriter::digits`] (an empty digit run is 0).
//! - A part that has run out compares as an endless supply of empty pairs ("", 0). Against
//!   any pair with a non-digit run, that is just a byte between `~` and the other
//!   characters, [`END`]. But the first pair of a part can have an empty run (the part
//!   starts with a digit), so the first pair is written by what it starts with instead:
//!   [`LEAD_NUMBER`] and the number when it is not zero; when it is zero, [`ZERO_TILDE`]
//!   or [`ZERO_OTHER`] by whether the next pair starts with `~`, so that against an ended
//!   part it falls on the right side of [`END`] (`1.0-0~ < 1.0 < 1.0-0.1`), and against a
//!   part starting with a non-digit on the right side of that (`0.1 < .1`, `0~ > ~`). A
//!   part that is nothing but zeros equals a missing part and writes only [`END`].

use crate::Invalid;
use crate::key::KeyWriter;
use crate::lex::digits_end;

/// `~` in a non-digit run: below the end of the run and below the end of the part.
const TILDE: u8 = 0x01;
/// Ends a non-digit run (dpkg's weight 0), before the run's number: above `~`, below every
/// other character. It never starts a pair, so it never meets the part-start tags below.
const RUN_END: u8 = 0x02;
/// A part starting with a zero number, whose next run starts with `~`: below [`END`].
const ZERO_TILDE: u8 = 0x03;
/// The end of a version part: above `~`, below any other character and any number.
const END: u8 = 0x04;
/// A part starting with a zero number, whose next run starts with anything but `~`: above
/// [`END`], below a part starting with a non-zero number.
const ZERO_OTHER: u8 = 0x05;
/// A part starting with a non-zero number, then the number: below a part starting with
/// a letter or another non-digit character.
const LEAD_NUMBER: u8 = 0x06;
/// Prefix of an ASCII character below `+` (other than a letter or digit), then the
/// character. The bytes from 0xF5 up never occur in UTF-8, so this and the single-byte
/// codes of `+ , - . / :` (0xF6..=0xFB) sort above every non-ASCII byte, as dpkg has it.
const OTHER_LOW: u8 = 0xF5;
/// Prefix of an ASCII character above `:` (other than a letter or `~`), then the character.
const OTHER_HIGH: u8 = 0xFC;

/// dpkg's epochs are C `int`s.
const MAX_EPOCH: u64 = i32::MAX as u64;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let s = input.as_bytes();
    if let Some(at) = s.iter().position(|&b| is_c_space(b)) {
        return Err(Invalid::at(at, "whitespace inside the version"));
    }
    if let Some(at) = s.iter().position(|&b| b == 0) {
        return Err(Invalid::at(at, "NUL byte in the version"));
    }

    // The epoch ends at the first colon; any later colon is part of the upstream version.
    let (epoch, rest, rest_at) = match s.iter().position(|&b| b == b':') {
        Some(colon) => {
            let epoch = parse_epoch(&s[..colon])?;
            let rest = &s[colon + 1..];
            if rest.is_empty() {
                return Err(Invalid::at(colon, "nothing after the epoch's \":\""));
            }
            (epoch, rest, colon + 1)
        }
        None => (0, s, 0),
    };

    // The revision starts after the last hyphen, so the upstream version may contain some.
    let (upstream, revision): (&[u8], &[u8]) = match rest.iter().rposition(|&b| b == b'-') {
        Some(hyphen) => {
            if hyphen + 1 == rest.len() {
                return Err(Invalid::at(
                    rest_at + hyphen,
                    "empty revision after the last \"-\"",
                ));
            }
            if hyphen == 0 {
                return Err(Invalid::at(rest_at, "empty upstream version before \"-\""));
            }
            (&rest[..hyphen], &rest[hyphen + 1..])
        }
        None => (rest, b""),
    };

    w.uint(epoch);
    encode_part(upstream, w);
    encode_part(revision, w);
    Ok(())
}

/// `isspace` in the C locale, which is what dpkg's "embedded spaces" check uses.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// Reads the epoch the way dpkg does, with `strtol`: an optional sign, then decimal digits
/// that must reach the colon, then range checks.
fn parse_epoch(field: &[u8]) -> Result<u64, Invalid> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, field),
    };
    if field.is_empty() {
        return Err(Invalid::at(0, "empty epoch before \":\""));
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        let shown = String::from_utf8_lossy(field);
        return Err(Invalid::at(0, format!("epoch {shown:?} is not a number")));
    }
    let significant = match digits.iter().position(|&d| d != b'0') {
        Some(start) => &digits[start..],
        None => &[][..],
    };
    if negative && !significant.is_empty() {
        return Err(Invalid::at(0, "negative epoch"));
    }
    // Ten digits fit in a u64 with room to spare; anything longer is too big anyway.
    let too_big = || Invalid::at(0, format!("epoch is above the maximum {MAX_EPOCH}"));
    if significant.len() > 10 {
        return Err(too_big());
    }
    let value = significant
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    if value > MAX_EPOCH {
        return Err(too_big());
    }
    Ok(value)
}

/// Writes one version part (upstream version or revision) as (non-digit run, number) pairs
/// and [`END`].
fn encode_part(s: &[u8], w: &mut KeyWriter) {
    let lead = digits_end(s, 0);
    let mut i = 0;
    if lead > 0 {
        // The first pair has an empty non-digit run; see the module documentation.
        let digits = &s[..lead];
        if digits.iter().any(|&d| d != b'0') {
            w.tag(LEAD_NUMBER);
            w.digits(digits);
        } else if let Some(&next) = s.get(lead) {
            w.tag(if next == b'~' { ZERO_TILDE } else { ZERO_OTHER });
        }
        i = lead;
    }
    while i < s.len() {
        while let Some(&c) = s.get(i).filter(|c| !c.is_ascii_digit()) {
            encode_char(c, w);
            i += 1;
        }
        w.tag(RUN_END);
        let end = digits_end(s, i);
        w.digits(&s[i..end]);
        i = end;
    }
    w.tag(END);
}

/// One character of a non-digit run, by dpkg's weight: `~` < letters < non-ASCII < others.
fn encode_char(c: u8, w: &mut KeyWriter) {
    match c {
        b'~' => w.tag(TILDE),
        b'A'..=b'Z' | b'a'..=b'z' => w.tag(c),
        // On amd64 dpkg sees these as negative chars and weighs them `c + 256`, that is the
        // byte value itself. UTF-8 never holds 0xF5..=0xFF, the bytes used below.
        0x80..=0xFF => w.tag(c),
        // The other ASCII characters, weighed `c + 256`: above all of the above, in ASCII
        // order. The common ones take one byte.
        b'+' => w.tag(0xF6),
        b',' => w.tag(0xF7),
        b'-' => w.tag(0xF8),
        b'.' => w.tag(0xF9),
        b'/' => w.tag(0xFA),
        b':' => w.tag(0xFB),
        _ => {
            w.tag(if c < b'+' { OTHER_LOW } else { OTHER_HIGH });
            w.tag(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::testing::{
        assert_accepts_iff, assert_antisymmetric, assert_equal_iff_keys_equal,
        assert_matches_reference, assert_transitive, check_with_reference, pair, triple,
    };
    use crate::{ParseError, Scheme};

    /// Asserts `a <op> b` in both directions, both by key and by the reference comparator.
    #[track_caller]
    fn check(a: &str, op: &str, b: &str) {
        check_with_reference(Scheme::Dpkg, a, op, b, compare);
    }

    fn rejects(v: &str, reason: &str) {
        match Scheme::Dpkg.parse(v) {
            Err(ParseError::Invalid { reason: got, .. }) => {
                assert_eq!(got, reason, "reason for rejecting {v:?}")
            }
            other => panic!("{v:?} should be rejected with {reason:?}, got {other:?}"),
        }
        assert!(reference::parse(v).is_err(), "reference accepts {v:?}");
    }

    #[test]
    fn tilde_sorts_before_everything() {
        check("1.0~rc1", "<", "1.0");
        check("1.0~~", "<", "1.0~");
        check("1.0~", "<", "1.0");
        check("1.0~rc1", "<", "1.0~rc2");
        check("1.0~rc1~git1", "<", "1.0~rc1");
        check("1.2.3-1~deb7u1", "<", "1.2.3-1");
        check("~", "<", "0");
        check("0~", "<", "0");
    }

    #[test]
    fn letters_before_other_characters() {
        check("1.0a", "<", "1.0+");
        check("1.0+", "<", "1.0.");
        check("1.0Z", "<", "1.0a");
        check("1.0", "<", "1.0a");
        check("1.0", "<", "1.0.0");
        check(
            "2.7.4+reloaded2-13ubuntu1",
            "<",
            "2.7.4+reloaded2-13+deb9u1",
        );
        check("1.0é", ">", "1.0z");
        check("1.0é", "<", "1.0+");
        check("1.0é", "<", "1.0!");
        check("1!", "<", "1+");
        check("1+", "<", "1,");
        check("1,", "<", "1-a-1");
        check("1-a-1", "<", "1.");
        check("1.", "<", "1/");
        check("0:1/", "<", "0:1:");
        check("0:1:", "<", "0:1;");
        check("0:1;", "<", "0:1\x7f");
    }

    #[test]
    fn numbers_and_missing_parts() {
        check("1.010", "=", "1.10");
        check("1.9", "<", "1.10");
        check("1a", "=", "1a0");
        check("1.0", "=", "1.0-0");
        check("1.0", "=", "1.0-00");
        check("1.0-0", "<", "1.0-a");
        check("1.0-0", "<", "1.0-0.1");
        check("0", "=", "00");
        check("0.1", "<", ".1");
        check("0.1", ">", "0");
        check("1-0~", "<", "1");
        check("1-~", "<", "1-0~");
        check("1.0-0~", "<", "1.0");
        check("1.0", "<", "1.0-0.1");
        check("0~", ">", "~");
        check("0~", "<", "0a");
        check("0a", "<", "1");
        check("00a", "=", "0a");
        check("1~", "<", "1");
        check("12345678901234567890123", ">", "12345678901234567890122");
    }

    #[test]
    fn epochs_and_revisions() {
        check("1:0.1", ">", "9.9");
        check("01:1", "=", "1:1");
        check("0:1.0", "=", "1.0");
        check("+1:1", "=", "1:1");
        check("-0:1", "=", "1");
        check("1:2:3", ">", "1:2");
        check("1.0-1-1", ">", "1.0-1");
        check("1.0-1-1", "<", "1.0-1-2");
        check("2147483647:1", ">", "2147483646:9");
    }

    #[test]
    fn rejects_bad_syntax() {
        rejects(":1", "empty epoch before \":\"");
        rejects("a:1", "epoch \"a\" is not a number");
        rejects("1a:1", "epoch \"1a\" is not a number");
        rejects("+:1", "epoch \"+\" is not a number");
        rejects("-1:1", "negative epoch");
        rejects("2147483648:1", "epoch is above the maximum 2147483647");
        rejects(
            "99999999999999999999999:1",
            "epoch is above the maximum 2147483647",
        );
        rejects("1:", "nothing after the epoch's \":\"");
        rejects("1.0-", "empty revision after the last \"-\"");
        rejects("-1", "empty upstream version before \"-\"");
        rejects("1:-1", "empty upstream version before \"-\"");
        rejects("1.0 1", "whitespace inside the version");
        rejects("1.0\t1", "whitespace inside the version");
        rejects("1\0", "NUL byte in the version");
    }

    #[test]
    fn error_offsets_point_at_the_problem() {
        match Scheme::Dpkg.parse("1:2.0-") {
            Err(ParseError::Invalid { at, .. }) => assert_eq!(at, Some(5)),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    /// A direct transcription of dpkg's `parseversion` and `verrevcmp`, working on the
    /// strings: the oracle the keys are checked against.
    mod reference {
        use std::cmp::Ordering;

        pub(super) struct Parsed<'a> {
            epoch: u64,
            upstream: &'a [u8],
            revision: &'a [u8],
        }

        pub(super) fn parse(v: &str) -> Result<Parsed<'_>, ()> {
            let v = v.trim();
            let s = v.as_bytes();
            if s.is_empty()
                || s.iter()
                    .any(|b| b.is_ascii_whitespace() || *b == 0x0B || *b == 0)
            {
                return Err(());
            }
            let (epoch, rest) = match v.split_once(':') {
                Some((e, rest)) => {
                    let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(());
                    }
                    let value = digits.trim_start_matches('0');
                    if value.len() > 10 {
                        return Err(());
                    }
                    let value: u64 = if value.is_empty() {
                        0
                    } else {
                        value.parse().map_err(|_| ())?
                    };
                    if (e.starts_with('-') && value != 0) || value > i32::MAX as u64 {
                        return Err(());
                    }
                    if rest.is_empty() {
                        return Err(());
                    }
                    (value, rest)
                }
                None => (0, v),
            };
            let (upstream, revision) = match rest.rsplit_once('-') {
                Some((u, r)) if u.is_empty() || r.is_empty() => return Err(()),
                Some((u, r)) => (u, r),
                None => (rest, ""),
            };
            Ok(Parsed {
                epoch,
                upstream: upstream.as_bytes(),
                revision: revision.as_bytes(),
            })
        }

        /// dpkg's `order()`, with `char` signed as on amd64; 0 stands for the end.
        fn order(c: u8) -> i32 {
            match c {
                0 => 0,
                b'0'..=b'9' => 0,
                b'A'..=b'Z' | b'a'..=b'z' => i32::from(c),
                b'~' => -1,
                // (c as i8) + 256 for bytes at or above 0x80.
                0x80..=0xFF => i32::from(c as i8) + 256,
                _ => i32::from(c) + 256,
            }
        }

        fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
            let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
            let (mut i, mut j) = (0, 0);
            while at(a, i) != 0 || at(b, j) != 0 {
                let mut first_diff = 0i32;
                while (at(a, i) != 0 && !at(a, i).is_ascii_digit())
                    || (at(b, j) != 0 && !at(b, j).is_ascii_digit())
                {
                    let (ac, bc) = (order(at(a, i)), order(at(b, j)));
                    if ac != bc {
                        return ac.cmp(&bc);
                    }
                    i += 1;
                    j += 1;
                }
                while at(a, i) == b'0' {
                    i += 1;
                }
                while at(b, j) == b'0' {
                    j += 1;
                }
                while at(a, i).is_ascii_digit() && at(b, j).is_ascii_digit() {
                    if first_diff == 0 {
                        first_diff = i32::from(at(a, i)) - i32::from(at(b, j));
                    }
                    i += 1;
                    j += 1;
                }
                if at(a, i).is_ascii_digit() {
                    return Ordering::Greater;
                }
                if at(b, j).is_ascii_digit() {
                    return Ordering::Less;
                }
                if first_diff != 0 {
                    return first_diff.cmp(&0);
                }
            }
            Ordering::Equal
        }

        pub(super) fn compare(a: &str, b: &str) -> Result<Ordering, ()> {
            let (a, b) = (parse(a)?, parse(b)?);
            Ok(a.epoch
                .cmp(&b.epoch)
                .then_with(|| verrevcmp(a.upstream, b.upstream))
                .then_with(|| verrevcmp(a.revision, b.revision)))
        }
    }

    /// Realistic Debian versions and their edge cases, from a small alphabet so that
    /// generated versions often share prefixes and tie.
    fn version() -> impl Strategy<Value = String> {
        let part = "[0-9a-zA-Z.+~]{0,3}";
        prop_oneof![
            // Typical: digits, dots, letters, plus and tilde suffixes, Debian revisions.
            (
                prop::option::of("[0-3]{1,2}:"),
                "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}",
                part,
                prop::option::of("-[0-9]{1,2}(\\+deb[0-9]{1,2}u[0-9])?(~[a-z0-9]{0,3})?"),
            )
                .prop_map(|(e, v, tail, r)| format!(
                    "{}{v}{tail}{}",
                    e.unwrap_or_default(),
                    r.unwrap_or_default()
                )),
            // Dense edge cases: zeros, tildes, empty runs, dots, colons, hyphens.
            "([0-2]:)?[0~.a+]{1,6}(-[0~.a+]{1,4})?",
            // Anything at all, including non-ASCII and bad syntax, which must not panic.
            "\\PC{0,12}",
            any::<String>(),
        ]
    }

    /// Tokens of this ecosystem to append to a cut-off version, so that generated pairs and
    /// triples share prefixes and their comparison reaches the later tokens.
    const TAIL: &str = "([0-9]{1,2}|[.~+a-cZ:é]|-[0-9a~]{0,2}){0,3}";

    /// The reference comparator, declining where it rejects a version.
    fn compare(a: &str, b: &str) -> Option<Ordering> {
        reference::compare(a, b).ok()
    }

    proptest! {
        #[test]
        fn keys_order_like_dpkg((a, b) in pair(version, TAIL)) {
            for v in [&a, &b] {
                assert_accepts_iff(Scheme::Dpkg, v, reference::parse(v).is_ok())?;
            }
            assert_matches_reference(Scheme::Dpkg, &a, &b, compare)?;
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
            assert_equal_iff_keys_equal(Scheme::Dpkg, &a, &b, compare)?;
        }
    }
}
