//! Version order of Maven's `ComparableVersion`, as Maven 3.8.6 implements it: the release
//! that produced the conformance fixtures, and the model of the POM reference's "Version
//! Order Specification" (3.8.7 and later parse `.X1` as `-X1`; see the end).
//!
//! # How Maven reads a version
//!
//! Maven accepts every string. It lowercases it, then splits it into items at `.` and `-`
//! and at every switch between digits and other characters. A `-` and a switch both open a
//! *sub-list* that holds everything after them, so `1.2-rc1` is `[1, 2, [rc, [1]]]`. An
//! empty item (`1..2`, `-1`) is the number `0`. Each list then drops its trailing "null"
//! items (`0`, and the empty qualifier that `ga`, `final` and `release` stand for), and a
//! sub-list left empty disappears, so `1.0.0-0.ga == 1` and `1.0-1 == 1-1`.
//!
//! Two lists compare item by item. Different kinds rank qualifier < sub-list < number, so
//! `1.rc < 1-rc < 1-1 < 1.1`. Numbers compare by value, qualifiers by rank (`alpha < beta <
//! milestone < rc = cr < snapshot < "" < sp`, then unknown qualifiers in lexical order,
//! case-insensitively). When one version runs out, the rest of the other is compared with
//! "nothing": the first item that is not null decides (`1-rc < 1 < 1-sp`, `1 < 1.1`).
//!
//! # Traps
//!
//! - `a`, `b` and `m` mean `alpha`, `beta` and `milestone` only when a digit follows
//!   directly: `1a1 == 1-alpha-1`, but `1-a` is the unknown qualifier `a`, after the release.
//! - `1.0a == 1-a`: the zero before a sub-list is trailing in its list and dropped.
//! - Numbers have no size limit, and leading zeros do not count (`1.01 == 1.1`). But Maven
//!   strips leading zeros only when a non-zero digit follows, then classes numbers by their
//!   length (int up to 9 digits, long up to 18, big beyond) and ranks the classes before the
//!   values. So a run of 10 or more zeros is a "long zero" that is still null (`1.0000000000
//!   == 1`) yet ranks above every number of up to 9 digits: `1.0000000000.1 > 1.999999999`.
//!   We reproduce that.
//! - The comparator is not transitive. Compared with "nothing", a sub-list or a zero counts
//!   for whatever follows it, but compared with a qualifier it always wins. So Maven says
//!   `1.xyz < 1-alpha`, while also `1-alpha < 1 < 1.xyz`; and `1.0.0.Alpha1 >
//!   1.0.0.Final-redhat-1` while `1.0.0.Alpha1 < 1.0.0.Final < 1.0.0.Final-redhat-1`. A key
//!   is a total order, so it has to break such cycles (next section).
//!
//! # The key
//!
//! Sub-lists are always the last item of their parent, so a version is a flat sequence of
//! items and sub-list starts, and Maven's comparison is a lexicographic one on it, except
//! where one version ends. The key writes one tag per item, with payloads for numbers and
//! unknown qualifiers, and [`END`] after the last item.
//!
//! Every item also carries its *sign*: how the rest of the version from that item on
//! compares with "nothing". Numbers above zero, `sp` and unknown qualifiers are higher,
//! `alpha` to `snapshot` lower; a null item or a sub-list start takes the sign of the first
//! item after it that is neither (after trimming, one always exists). Tags rank the sign
//! first, then Maven's kind order, then the value:
//!
//! | tag | item |
//! | --- | --- |
//! | [`ALPHA`] .. [`SNAPSHOT`] | the known qualifiers below the release |
//! | [`NULL_LOWER`], [`LIST_LOWER`], [`ZERO_LOWER`] | `""`, sub-list start, zero, before a lower rest |
//! | [`END`] | the end of the version |
//! | [`NULL_HIGHER`], [`SP`], [`UNKNOWN`] | `""` before a higher rest, `sp`, unknown qualifiers (text follows) |
//! | [`LIST_HIGHER`] | a sub-list start before a higher rest |
//! | [`NUMBER`] | a number (its value follows), or a zero before a higher rest |
//!
//! Comparisons with the end of a version are therefore always Maven's, and so is every
//! comparison of two items with the same sign. Where the signs differ but Maven's kind or
//! class order points the other way, the key follows the signs, which is what comparing
//! both versions with their common prefix says. These are the only pairs where the key
//! departs from Maven's pairwise answer, and each is part of a cycle in Maven's own answers:
//!
//! - a lower-signed sub-list start or zero against a higher-signed qualifier: `1-alpha <
//!   1.xyz` and `1.0.alpha < 1.xyz` (Maven: `>`);
//! - a lower-signed zero against a higher-signed sub-list start: `2.9.0.RC1 < 2.9.0-1`,
//!   `1.0.0.Alpha1 < 1.0.0.Final-redhat-1` (Maven: `>`);
//! - a lower-signed long or big zero against a higher-signed number of a smaller class:
//!   `1.0000000000.alpha < 1.5` (Maven: `>`).
//!
//! Each needs a qualifier that does not start a part (one after a `.`, or one that starts
//! the version) in one of the two versions. On versions without such qualifiers and
//! without all-null parts the key is exactly Maven; the tests check that against a
//! reference that follows Maven's source.
//!
//! One more departure makes the key agree with the conformance data: sub-list starts with
//! nothing but null items between them count as one, so `1-ga-1 == 1-0-1 == 1-1`. Maven
//! keeps the empty sub-list and says `1-0-1 < 1-1`; the POM reference's trimming rule and
//! the fixtures say equal.
//!
//! Three lines of the Maven fixtures are cycle pairs of the second kind, and the key
//! disagrees with them: `2.9.0-1 < 2.9.0.RC1`, `1.0.0-gradle-rework-beta3 < 1.0.0.RC7-3`
//! and `1.1.0-01-glassfish < 1.1.0.Beta1`. No sensible total order can satisfy them: the
//! first comes right after `2.9.0.RC3 < 2.9.0` and `2.9.0 < 2.9.0-1`, so together they
//! would put `2.9.0.RC3` before `2.9.0.RC1`; the lines before the second put
//! `1.0.0.RC8-beta` before `1.0.0.RC7-3`; the third, with `1.1.0.Beta1 < 1.1.0.Final`, needs
//! `1.1.0-01-glassfish < 1.1.0`, the opposite of `2.9.0 < 2.9.0-1`.
//!
//! Unknown qualifiers are lowercased as Java's `String.toLowerCase` does (one character at a
//! time, so a word-final capital sigma becomes `σ` where Java writes `ς`) and compared in
//! UTF-16 code-unit order, as Java's `String.compareTo` does. Java's `Character.isDigit`
//! also accepts non-ASCII decimal digits; here only `0`-`9` are digits, and other digits
//! are qualifier text.
//!
//! Maven 3.8.7 and later start a sub-list at a qualifier that follows a `.` and is followed
//! by a digit or the end (`1.0.RC1 == 1.0-RC1` there), which the fixtures, generated with
//! 3.8.6, contradict; we follow 3.8.6.

use crate::Invalid;
use crate::key::KeyWriter;

/// `alpha`, and `a` directly followed by a digit.
const ALPHA: u8 = 0x10;
/// `beta`, and `b` directly followed by a digit.
const BETA: u8 = 0x11;
/// `milestone`, and `m` directly followed by a digit.
const MILESTONE: u8 = 0x12;
/// `rc` and `cr`.
const RC: u8 = 0x13;
/// `snapshot`.
const SNAPSHOT: u8 = 0x14;
/// The empty qualifier (`ga`, `final`, `release`) inside a part, before a lower rest.
const NULL_LOWER: u8 = 0x15;
/// A sub-list start before a lower rest.
const LIST_LOWER: u8 = 0x16;
/// A zero inside a part, before a lower rest; its number class follows as for [`NUMBER`].
const ZERO_LOWER: u8 = 0x17;
/// The end of the version: above every item whose rest is lower, below every other.
const END: u8 = 0x18;
/// The empty qualifier inside a part, before a higher rest.
const NULL_HIGHER: u8 = 0x19;
/// `sp`, the only known qualifier after the release.
const SP: u8 = 0x1a;
/// An unknown qualifier; its lowercased text follows.
const UNKNOWN: u8 = 0x1b;
/// A sub-list start before a higher rest.
const LIST_HIGHER: u8 = 0x1c;
/// A number; its value follows. Zero before a higher rest is a number too.
const NUMBER: u8 = 0x1d;

/// Written after a number payload to place a long or big zero just above every value of
/// the class below. Every tag is below it, so it also beats "that value, then anything".
const ABOVE: u8 = 0xff;
/// The largest number Maven stores in an `int` item (9 digits).
const INT_MAX: u64 = 999_999_999;
/// The largest number Maven stores in a `long` item (18 digits).
const LONG_MAX: u64 = 999_999_999_999_999_999;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let mut lexer = Lexer::new(input.as_bytes());
    // Whether sub-list starts were seen since the last decisive item. Only null items lie
    // between them, so all but the last open all-null parts, which count as none: one start
    // is written once the sign of the rest is known, none if the version ends first.
    let mut lists = false;
    // Null items of the current part since the last decisive item, and where they start:
    // replayed once the sign is known, dropped if a sub-list or the end follows.
    let mut nulls = 0usize;
    let mut nulls_from = lexer;
    loop {
        let before = lexer;
        let Some(token) = lexer.next() else { break };
        match classify(token) {
            Item::List => {
                lists = true;
                nulls = 0;
            }
            // The run's kinds are read again from the lexer, so nothing is stored.
            Item::Null(_) => {
                if nulls == 0 {
                    nulls_from = before;
                }
                nulls += 1;
            }
            decisive => {
                let higher = decisive.is_higher();
                if lists {
                    w.tag(if higher { LIST_HIGHER } else { LIST_LOWER });
                    lists = false;
                }
                let mut replay = nulls_from;
                for _ in 0..nulls {
                    if let Some(Item::Null(null)) = replay.next().map(classify) {
                        write_null(w, null, higher);
                    }
                }
                nulls = 0;
                write_decisive(w, decisive);
            }
        }
    }
    w.tag(END);
    Ok(())
}

/// One raw token of Maven's parser, before aliases and trimming.
#[derive(Clone, Copy, Debug)]
enum Token<'a> {
    /// A run of ASCII digits; empty for the `0` Maven puts in an empty place.
    Number(&'a [u8]),
    /// A run of other bytes, and whether a digit follows it directly.
    Text(&'a [u8], bool),
    /// The start of a sub-list: a `-`, or a switch between digits and other characters.
    List,
}

/// Maven's tokenizer, as a copyable cursor so that a run of tokens can be read again.
#[derive(Clone, Copy, Debug)]
struct Lexer<'a> {
    input: &'a [u8],
    /// The next byte to look at.
    at: usize,
    /// Where the current token started.
    start: usize,
    /// Whether the last byte looked at was a digit. Like Maven, a separator leaves it alone.
    digit: bool,
    /// A sub-list start is owed right after the token just returned.
    list_owed: bool,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8]) -> Self {
        Lexer {
            input,
            at: 0,
            start: 0,
            digit: false,
            list_owed: false,
        }
    }

    fn slice(&self, from: usize, to: usize) -> &'a [u8] {
        self.input.get(from..to).unwrap_or_default()
    }

    /// The token that ends at `end` (a separator or the end of the input).
    fn item(&self, end: usize) -> Token<'a> {
        let text = self.slice(self.start, end);
        if text.is_empty() || self.digit {
            Token::Number(text)
        } else {
            Token::Text(text, false)
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if self.list_owed {
            self.list_owed = false;
            return Some(Token::List);
        }
        while let Some(&byte) = self.input.get(self.at) {
            let at = self.at;
            self.at += 1;
            match byte {
                b'.' | b'-' => {
                    let token = self.item(at);
                    self.start = at + 1;
                    self.list_owed = byte == b'-';
                    return Some(token);
                }
                b'0'..=b'9' => {
                    let was_digit = std::mem::replace(&mut self.digit, true);
                    if !was_digit && at > self.start {
                        let token = Token::Text(self.slice(self.start, at), true);
                        self.start = at;
                        self.list_owed = true;
                        return Some(token);
                    }
                }
                _ => {
                    let was_digit = std::mem::replace(&mut self.digit, false);
                    if was_digit && at > self.start {
                        let token = Token::Number(self.slice(self.start, at));
                        self.start = at;
                        self.list_owed = true;
                        return Some(token);
                    }
                }
            }
        }
        if self.start < self.input.len() {
            let token = self.item(self.input.len());
            self.start = self.input.len();
            return Some(token);
        }
        None
    }
}

/// Maven's number classes for a zero: which Java type holds it decides its rank.
#[derive(Clone, Copy, Debug)]
enum Zero {
    /// Up to 9 digits: an `int` zero, the ordinary one.
    Int,
    /// 10 to 18 zeros: a `long` zero, above every `int`.
    Long,
    /// 19 or more zeros: a `BigInteger` zero, above every `long`.
    Big,
}

#[derive(Clone, Copy, Debug)]
enum Null {
    Zero(Zero),
    /// The empty qualifier: `ga`, `final`, `release`.
    Release,
}

/// A token after aliases: either decisive against "nothing", or not.
#[derive(Clone, Copy, Debug)]
enum Item<'a> {
    List,
    Null(Null),
    /// A number above zero, without leading zeros.
    Number(&'a [u8]),
    /// A known qualifier other than the release, as its tag.
    Known(u8),
    Unknown(&'a [u8]),
}

impl Item<'_> {
    /// Whether a decisive item ranks above "nothing".
    fn is_higher(self) -> bool {
        match self {
            Item::Known(tag) => tag > END,
            Item::Number(_) | Item::Unknown(_) => true,
            Item::List | Item::Null(_) => false,
        }
    }
}

fn classify(token: Token<'_>) -> Item<'_> {
    match token {
        Token::List => Item::List,
        Token::Number(digits) => match digits.iter().position(|&d| d != b'0') {
            Some(first) => Item::Number(digits.get(first..).unwrap_or_default()),
            // Maven keeps an all-zero run as it is, so its length picks the class.
            None => Item::Null(Null::Zero(match digits.len() {
                0..=9 => Zero::Int,
                10..=18 => Zero::Long,
                _ => Zero::Big,
            })),
        },
        Token::Text(text, digit_follows) => qualifier(text, digit_follows),
    }
}

fn qualifier(text: &[u8], digit_follows: bool) -> Item<'_> {
    if digit_follows && text.len() == 1 {
        match text.first().map(u8::to_ascii_lowercase) {
            Some(b'a') => return Item::Known(ALPHA),
            Some(b'b') => return Item::Known(BETA),
            Some(b'm') => return Item::Known(MILESTONE),
            _ => {}
        }
    }
    const NAMES: [(&[u8], Option<u8>); 10] = [
        (b"alpha", Some(ALPHA)),
        (b"beta", Some(BETA)),
        (b"milestone", Some(MILESTONE)),
        (b"rc", Some(RC)),
        (b"cr", Some(RC)),
        (b"snapshot", Some(SNAPSHOT)),
        (b"ga", None),
        (b"final", None),
        (b"release", None),
        (b"sp", Some(SP)),
    ];
    for (name, tag) in NAMES {
        if text.eq_ignore_ascii_case(name) {
            return match tag {
                Some(tag) => Item::Known(tag),
                None => Item::Null(Null::Release),
            };
        }
    }
    Item::Unknown(text)
}

fn write_null(w: &mut KeyWriter, null: Null, higher: bool) {
    match null {
        Null::Release => w.tag(if higher { NULL_HIGHER } else { NULL_LOWER }),
        Null::Zero(zero) => {
            w.tag(if higher { NUMBER } else { ZERO_LOWER });
            match zero {
                Zero::Int => w.uint(0),
                Zero::Long => {
                    w.uint(INT_MAX);
                    w.tag(ABOVE);
                }
                Zero::Big => {
                    w.uint(LONG_MAX);
                    w.tag(ABOVE);
                }
            }
        }
    }
}

fn write_decisive(w: &mut KeyWriter, item: Item<'_>) {
    match item {
        Item::Number(digits) => {
            w.tag(NUMBER);
            w.digits(digits);
        }
        Item::Known(tag) => w.tag(tag),
        Item::Unknown(text) => {
            w.tag(UNKNOWN);
            write_text(w, text);
        }
        Item::List | Item::Null(_) => {}
    }
}

/// Writes a qualifier lowercased, in Java's UTF-16 order, as [`KeyWriter::text`] would.
///
/// UTF-8 byte order is code point order, which differs from UTF-16 order only in that
/// UTF-16 puts U+E000..=U+FFFF after the supplementary planes (their surrogates are
/// 0xD800..). Those characters get a 0xF5 byte first, above every UTF-8 lead byte.
fn write_text(w: &mut KeyWriter, text: &[u8]) {
    let Some(text) = std::str::from_utf8(text).ok().filter(|t| !t.is_ascii()) else {
        // Tokens split only at ASCII bytes, so `from_utf8` cannot fail; ASCII is the
        // common case and needs no transcoding.
        w.text_lowercase(text);
        return;
    };
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{e000}'..='\u{ffff}').contains(&c) {
            w.tag(0xf5);
        }
        let mut utf8 = [0u8; 4];
        for &b in c.encode_utf8(&mut utf8).as_bytes() {
            // The same escapes as `KeyWriter::text`, so both paths agree on ASCII.
            match b {
                0x00 => {
                    w.tag(0x01);
                    w.tag(0x01);
                }
                0x01 => {
                    w.tag(0x01);
                    w.tag(0x02);
                }
                _ => w.tag(b),
            }
        }
    }
    w.tag(0x00);
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::testing::{
        assert_accepted_and_matches, assert_accepts_unless_blank, assert_antisymmetric,
        assert_equal_iff_keys_equal, assert_transitive, check,
    };
    use crate::{ParseError, Scheme};

    #[test]
    fn numbers_compare_by_value() {
        check(Scheme::Maven, "1", "<", "2");
        check(Scheme::Maven, "1.9", "<", "1.10");
        check(Scheme::Maven, "1.01", "=", "1.1");
        check(Scheme::Maven, "1", "=", "1.0.0");
        check(Scheme::Maven, "1.0", "=", "1-0");
        check(Scheme::Maven, "0", "=", "0.0.0");
        check(Scheme::Maven, "1.2", "<", "1.2.0.1");
        check(
            Scheme::Maven,
            "9223372036854775807",
            "<",
            "9223372036854775808",
        );
        check(
            Scheme::Maven,
            "1.12345678901234567890",
            ">",
            "1.1234567890123456789",
        );
        check(Scheme::Maven, "1.00000000000000000000000000001", "=", "1.1");
        // Empty places are zeros.
        check(Scheme::Maven, "1..2", "=", "1.0.2");
        check(Scheme::Maven, ".1", "=", "0.1");
        check(Scheme::Maven, "1.", "=", "1");
        check(Scheme::Maven, "1-", "=", "1");
        check(Scheme::Maven, "-", "=", "0");
    }

    #[test]
    fn long_and_big_zeros_rank_by_their_java_type() {
        // Maven keeps a run of zeros whole, so its length picks int, long or BigInteger.
        check(Scheme::Maven, "1.0000000000", "=", "1");
        check(Scheme::Maven, "1.0000000000.1", ">", "1.999999999");
        check(Scheme::Maven, "1.0000000000.1", "<", "1.1000000000");
        check(Scheme::Maven, "1.0000000000.1", "<", "1.00000000000.2");
        check(
            Scheme::Maven,
            "1.0000000000000000000.1",
            ">",
            "1.999999999999999999",
        );
        check(
            Scheme::Maven,
            "1.0000000000000000000.1",
            "<",
            "1.1000000000000000000",
        );
        check(Scheme::Maven, "1.000000000.1", "=", "1.0.1");
    }

    #[test]
    fn qualifiers() {
        let ordered = [
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-abd",
            "1-1",
            "1.1",
        ];
        for pair in ordered.windows(2) {
            check(Scheme::Maven, pair[0], "<", pair[1]);
        }
        check(Scheme::Maven, "1-cr", "=", "1-rc");
        check(Scheme::Maven, "1-ga", "=", "1");
        check(Scheme::Maven, "1.final", "=", "1");
        check(Scheme::Maven, "1-RELEASE", "=", "1");
        check(Scheme::Maven, "1-Alpha-1", "=", "1a1");
        check(Scheme::Maven, "1b2", "=", "1-beta-2");
        check(Scheme::Maven, "1M3", "=", "1.0-milestone-3");
        // Without a digit after it, `a` is an unknown qualifier, after the release.
        check(Scheme::Maven, "1-a", ">", "1");
        check(Scheme::Maven, "1-a-1", ">", "1a1");
        check(Scheme::Maven, "1-FOO", "=", "1-foo");
        check(Scheme::Maven, "1.0-SNAPSHOT", "<", "1.0");
        check(Scheme::Maven, "1.0-alpha-1-SNAPSHOT", "<", "1.0-alpha-1");
        check(Scheme::Maven, "1.0.RC1", "<", "1.0");
        check(Scheme::Maven, "1.0.0.Final", "=", "1");
    }

    #[test]
    fn separators_rank_dot_qualifier_hyphen_qualifier_hyphen_number_dot_number() {
        check(Scheme::Maven, "1.rc", "<", "1-rc");
        check(Scheme::Maven, "1-rc", "<", "1-1");
        check(Scheme::Maven, "1-1", "<", "1.1");
        check(Scheme::Maven, "1.xyz", "<", "1-xyz");
        check(Scheme::Maven, "1a", "=", "1-a");
        check(Scheme::Maven, "1.0a", "=", "1-a");
        check(Scheme::Maven, "1.0-1", "=", "1-1");
        check(Scheme::Maven, "2.0-1", "<", "2.0.1");
        check(Scheme::Maven, "2.0.1", "<", "2.0.1-xyz");
        check(Scheme::Maven, "2.0.1-xyz", "<", "2.0.1-123");
        check(
            Scheme::Maven,
            "1-1.foo-bar-1-baz-0.1",
            "=",
            "1-1.foo-bar1baz-.1",
        );
    }

    /// Where Maven's answers form a cycle, the key keeps every comparison with the common
    /// prefix and follows it for the pair (module docs, "The key").
    #[test]
    fn cycles_follow_the_comparison_with_the_common_prefix() {
        // (a, prefix, b): Maven says a < prefix < b, yet a > b.
        for (a, prefix, b) in [
            ("1-alpha", "1", "1.xyz"),
            ("1.0.alpha", "1", "1.xyz"),
            ("1.0.alpha", "1", "1-sp"),
            ("2.9.0.RC1", "2.9.0", "2.9.0-1"),
            ("1.0.0.Alpha1", "1.0.0.Final", "1.0.0.Final-redhat-1"),
            ("1.0000000000.alpha", "1", "1.5"),
            ("0-alpha", "0", "xyz"),
        ] {
            assert_eq!(
                maven_cmp(a, prefix, Parts::AsMaven),
                Ordering::Less,
                "{a} vs {prefix}"
            );
            assert_eq!(
                maven_cmp(prefix, b, Parts::AsMaven),
                Ordering::Less,
                "{prefix} vs {b}"
            );
            assert_eq!(
                maven_cmp(a, b, Parts::AsMaven),
                Ordering::Greater,
                "{a} vs {b}"
            );
            check(Scheme::Maven, a, "<", prefix);
            check(Scheme::Maven, prefix, "<", b);
            check(Scheme::Maven, a, "<", b);
        }
    }

    /// Maven says `1-ga-1 < 1-1`; the POM reference's trimming rule and the conformance
    /// data say equal, and so do we: a part with nothing but nulls counts as no part.
    #[test]
    fn all_null_parts_vanish() {
        check(Scheme::Maven, "1-ga-1", "=", "1-1");
        check(Scheme::Maven, "1-0-1", "=", "1-1");
        check(Scheme::Maven, "1--1", "=", "1-1");
        check(Scheme::Maven, "0-0-alpha", "=", "0-alpha");
        assert_eq!(
            maven_cmp("1-ga-1", "1-1", Parts::AsMaven),
            Ordering::Less,
            "the faithful reference shows the deviation"
        );
    }

    #[test]
    fn non_ascii_qualifiers_lowercase_and_order_like_java() {
        check(Scheme::Maven, "1-É", "=", "1-é");
        check(Scheme::Maven, "1-é", ">", "1-z");
        // UTF-16 puts U+FF41 (fullwidth a) after U+10428 (a Deseret letter).
        check(Scheme::Maven, "1-\u{ff41}", ">", "1-\u{10428}");
        check(Scheme::Maven, "1-\u{ff21}", "=", "1-\u{ff41}");
        check(Scheme::Maven, "1-\u{10400}", "=", "1-\u{10428}");
        check(Scheme::Maven, "1-\u{130}", "=", "1-i\u{307}");
    }

    #[test]
    fn every_string_is_a_version() {
        for v in [
            "alpha",
            "!",
            "a b",
            "\u{0}",
            "1.2.3.4.5.6.7.8.9.10",
            "ÿ",
            "--..--",
        ] {
            assert!(Scheme::Maven.parse(v).is_ok(), "{v:?}");
        }
        // The longest input, with runs of null items that are read twice.
        let long = "0.-a1".repeat(204) + "0000";
        assert_eq!(long.len(), 1024);
        assert!(Scheme::Maven.parse(&long).is_ok());
        for other in [
            long.replace("a1", "b1"),
            long.replace("-a", "-x"),
            "1".to_owned(),
        ] {
            let want = maven_cmp(&long, &other, Parts::Collapsed);
            check(
                Scheme::Maven,
                &long,
                [">", "=", "<"][(1 - want as i32) as usize],
                &other,
            );
        }
        check(Scheme::Maven, "\u{0}", "<", "\u{1}");
        check(Scheme::Maven, "\u{1}", "<", "\u{2}");
    }

    #[test]
    fn rejected_inputs() {
        let empty = Scheme::Maven.parse("  ").unwrap_err();
        assert_eq!(
            empty,
            ParseError::Empty {
                scheme: Scheme::Maven
            }
        );
        assert_eq!(empty.to_string(), "empty Maven version");
        let long = "1.".repeat(513);
        let too_long = Scheme::Maven.parse(&long).unwrap_err();
        assert_eq!(
            too_long.to_string(),
            "Maven version is 1026 bytes long; versions are limited to 1024 bytes"
        );
    }

    // ---------------------------------------------------------------------------------
    // Reference comparator: Maven 3.8.6's `ComparableVersion`, item lists and all, working
    // on the strings. The only choice it offers is `Parts::Collapsed`, the documented
    // departure for all-null parts.
    // ---------------------------------------------------------------------------------

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Parts {
        /// Exactly as Maven 3.8.6.
        AsMaven,
        /// A sub-list whose own items are all gone is replaced by its sub-list.
        Collapsed,
    }

    #[derive(Clone, Debug, PartialEq, Eq)]
    enum Ref {
        /// Java type (0 int, 1 long, 2 BigInteger) and the digits without leading zeros.
        Number(u8, String),
        /// A qualifier after aliases.
        Text(String),
        List(Vec<Ref>),
    }

    const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

    fn parse_item(digit: bool, buf: &str, digit_follows: bool) -> Ref {
        if digit {
            // Maven strips leading zeros only if a non-zero digit follows.
            let stripped = match buf.find(|c| c != '0') {
                Some(i) => &buf[i..],
                None if buf.is_empty() => "0",
                None => buf,
            };
            let class = match stripped.len() {
                0..=9 => 0,
                10..=18 => 1,
                _ => 2,
            };
            return Ref::Number(class, stripped.trim_start_matches('0').to_owned());
        }
        let mut value = buf;
        if digit_follows && buf.chars().count() == 1 {
            value = match buf {
                "a" => "alpha",
                "b" => "beta",
                "m" => "milestone",
                other => other,
            };
        }
        let value = match value {
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        Ref::Text(value.to_owned())
    }

    fn is_null(item: &Ref) -> bool {
        match item {
            Ref::Number(_, digits) => digits.is_empty(),
            Ref::Text(text) => text.is_empty(),
            Ref::List(list) => list.is_empty(),
        }
    }

    fn normalize(list: &mut Vec<Ref>) {
        let mut i = list.len();
        while i > 0 {
            i -= 1;
            if is_null(&list[i]) {
                list.remove(i);
            } else if !matches!(list[i], Ref::List(_)) {
                break;
            }
        }
    }

    fn parse_ref(version: &str, parts: Parts) -> Vec<Ref> {
        let lower: Vec<char> = version.to_lowercase().chars().collect();
        let text = |from: usize, to: usize| lower[from..to].iter().collect::<String>();
        let mut stack: Vec<Vec<Ref>> = vec![Vec::new()];
        let mut digit = false;
        let mut start = 0;
        for (i, &c) in lower.iter().enumerate() {
            let list = stack.len() - 1;
            if c == '.' || c == '-' {
                let item = if i == start {
                    Ref::Number(0, String::new())
                } else {
                    parse_item(digit, &text(start, i), false)
                };
                stack[list].push(item);
                start = i + 1;
                if c == '-' {
                    stack.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !digit && i > start {
                    stack[list].push(parse_item(false, &text(start, i), true));
                    start = i;
                    stack.push(Vec::new());
                }
                digit = true;
            } else {
                if digit && i > start {
                    stack[list].push(parse_item(true, &text(start, i), false));
                    start = i;
                    stack.push(Vec::new());
                }
                digit = false;
            }
        }
        if lower.len() > start {
            let item = parse_item(digit, &text(start, lower.len()), false);
            stack.last_mut().expect("the top list").push(item);
        }
        // Each sub-list is the last item of its parent; normalize from the innermost out.
        let mut list = stack.pop().expect("the top list");
        normalize(&mut list);
        while let Some(mut parent) = stack.pop() {
            match (parts, list.as_slice()) {
                (Parts::Collapsed, [Ref::List(_)]) => parent.extend(list),
                _ => parent.push(Ref::List(list)),
            }
            normalize(&mut parent);
            list = parent;
        }
        list
    }

    /// `comparableQualifier`: a known qualifier's index, or "7-" and the text, compared as
    /// Java strings (UTF-16 code units).
    fn qualifier_key(text: &str) -> Vec<u16> {
        match QUALIFIERS.iter().position(|q| *q == text) {
            Some(i) => i.to_string().encode_utf16().collect(),
            None => format!("7-{text}").encode_utf16().collect(),
        }
    }

    fn cmp_number(a: &str, b: &str) -> Ordering {
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }

    /// `Item.compareTo(other)`, with `None` for Java's null.
    fn cmp_item(item: &Ref, other: Option<&Ref>) -> Ordering {
        use Ref::*;
        match (item, other) {
            (Number(_, d), None) if d.is_empty() => Ordering::Equal,
            (Number(..), None) => Ordering::Greater,
            (Number(ca, a), Some(Number(cb, b))) => ca.cmp(cb).then_with(|| cmp_number(a, b)),
            (Number(..), Some(_)) => Ordering::Greater,
            (Text(t), None) => qualifier_key(t).cmp(&qualifier_key("")),
            (Text(_), Some(Number(..) | List(_))) => Ordering::Less,
            (Text(a), Some(Text(b))) => qualifier_key(a).cmp(&qualifier_key(b)),
            (List(items), None) => items
                .iter()
                .map(|i| cmp_item(i, None))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
            (List(_), Some(Number(..))) => Ordering::Less,
            (List(_), Some(Text(_))) => Ordering::Greater,
            (List(a), Some(List(b))) => cmp_lists(a, b),
        }
    }

    fn cmp_lists(a: &[Ref], b: &[Ref]) -> Ordering {
        for i in 0..a.len().max(b.len()) {
            let order = match (a.get(i), b.get(i)) {
                (Some(l), r) => cmp_item(l, r),
                (None, Some(r)) => cmp_item(r, None).reverse(),
                (None, None) => Ordering::Equal,
            };
            if order.is_ne() {
                return order;
            }
        }
        Ordering::Equal
    }

    fn maven_cmp(a: &str, b: &str, parts: Parts) -> Ordering {
        cmp_lists(&parse_ref(a, parts), &parse_ref(b, parts))
    }

    #[test]
    fn reference_agrees_with_the_notable_cases() {
        for (a, b, want) in [
            ("1.0-alpha-1", "1.0", Ordering::Less),
            ("1.0-SNAPSHOT", "1.0", Ordering::Less),
            ("1a1", "1-alpha-1", Ordering::Equal),
            (
                "1-1.foo-bar-1-baz-0.1",
                "1-1.foo-bar1baz-.1",
                Ordering::Equal,
            ),
            ("1.0000000000.1", "1.5", Ordering::Greater),
            ("1.xyz", "1-alpha", Ordering::Less),
            ("2.9.0-1", "2.9.0.RC1", Ordering::Less),
            ("1-0-1", "1-1", Ordering::Less),
        ] {
            assert_eq!(maven_cmp(a, b, Parts::AsMaven), want, "{a} vs {b}");
        }
    }

    // ---------------------------------------------------------------------------------
    // Generators.
    // ---------------------------------------------------------------------------------

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => (0u32..4).prop_map(|n| n.to_string()),
            1 => Just("00".to_owned()),
            1 => Just("0000000000".to_owned()),
            1 => "[1-9][0-9]{8,10}",
            1 => "[1-9][0-9]{17,20}",
        ]
    }

    fn positive() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (1u32..4).prop_map(|n| n.to_string()),
            1 => "0?[1-9][0-9]{0,20}",
        ]
    }

    /// Dot-separated numbers whose last one is not zero.
    fn numbers() -> impl Strategy<Value = String> {
        (proptest::collection::vec(number(), 0..3), positive()).prop_map(|(mut n, last)| {
            n.push(last);
            n.join(".")
        })
    }

    fn qualifier() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "alpha",
            "Beta",
            "milestone",
            "RC",
            "cr",
            "SNAPSHOT",
            "sp",
            "xyz",
            "foo",
            "Foo",
            "redhat",
            "a",
            "b",
            "m",
            "c",
        ])
    }

    /// One part after the first: `-numbers`, or a qualifier (after `-`, or directly after
    /// a digit) optionally followed by numbers (directly, or after `.`).
    fn part() -> impl Strategy<Value = (bool, String)> {
        prop_oneof![
            numbers().prop_map(|n| (true, format!("-{n}"))),
            (
                any::<bool>(),
                qualifier(),
                prop_oneof![
                    Just(String::new()),
                    positive(),
                    numbers().prop_map(|n| format!(".{n}"))
                ],
            )
                .prop_map(|(hyphen, q, rest)| (
                    hyphen,
                    format!("{}{q}{rest}", if hyphen { "-" } else { "" })
                )),
        ]
    }

    /// Versions on which Maven's comparator is consistent: they start with a number,
    /// every qualifier starts a part (after `-` or a digit, never after `.`), and no part
    /// between hyphens is all nulls. A trailing null qualifier, which trimming removes,
    /// may end them.
    fn consistent_version() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(number(), 1..4),
            proptest::collection::vec(part(), 0..4),
            proptest::sample::select(vec!["", "", "", "-ga", ".Final", "-RELEASE"]),
        )
            .prop_map(|(first, parts, tail)| {
                let mut v = first.join(".");
                for (hyphen, part) in parts {
                    // A qualifier glued to letters would be a different qualifier.
                    let glued_to_letters = !hyphen && !v.ends_with(|c: char| c.is_ascii_digit());
                    if glued_to_letters {
                        v.push('-');
                    }
                    v.push_str(&part);
                }
                v.push_str(tail);
                v
            })
    }

    /// Anything: consistent versions with Maven's corner cases glued on, and junk.
    fn any_version() -> impl Strategy<Value = String> {
        let alphabet = proptest::sample::select(vec![
            '.',
            '-',
            '-',
            '0',
            '1',
            '2',
            '9',
            'a',
            'A',
            'b',
            'm',
            'z',
            'r',
            'c',
            ' ',
            '_',
            '\u{0}',
            '\u{1}',
            'é',
            'É',
            '\u{130}',
            '\u{212a}',
            '\u{ff21}',
            '\u{ff41}',
            '\u{10400}',
            '\u{10428}',
            '中',
        ]);
        prop_oneof![
            3 => consistent_version(),
            3 => (
                consistent_version(),
                proptest::sample::select(vec![
                    ".xyz", ".alpha", ".0.alpha", ".0.RC1", "-0-1", "-ga-1", ".sp", "-0-alpha",
                    ".ga.1", ".ga.alpha", "--", ".Final-redhat-1",
                ]),
                consistent_version(),
            )
                .prop_map(|(a, glue, b)| format!("{a}{glue}{b}")),
            2 => proptest::collection::vec(alphabet, 1..14).prop_map(String::from_iter),
            1 => "[0-9a-zA-Z.\\-]{1,16}",
        ]
    }

    /// The reference on what `Scheme::parse` sees: the trimmed input.
    fn reference(a: &str, b: &str, parts: Parts) -> Ordering {
        maven_cmp(a.trim(), b.trim(), parts)
    }

    fn key_cmp(a: &str, b: &str) -> Option<Ordering> {
        Scheme::Maven.compare(a, b).ok()
    }

    proptest! {
        /// (a) On versions where Maven's comparator is consistent, the key is Maven.
        #[test]
        fn key_order_is_mavens(a in consistent_version(), b in consistent_version()) {
            assert_accepted_and_matches(Scheme::Maven, &a, &b, |x, y| Some(maven_cmp(x, y, Parts::AsMaven)))?;
        }

        /// (b) Swapping the operands reverses the order.
        #[test]
        fn antisymmetric(a in any_version(), b in any_version()) {
            assert_antisymmetric(&a, &b, key_cmp)?;
        }

        /// (c) The order is transitive, also where Maven's is not.
        #[test]
        fn transitive(a in any_version(), b in any_version(), c in any_version()) {
            assert_transitive(&a, &b, &c, key_cmp)?;
        }

        /// (d) Keys are equal exactly when Maven says equal (all-null parts collapsed).
        #[test]
        fn equal_keys_are_equal_versions(a in any_version(), b in any_version()) {
            assert_equal_iff_keys_equal(Scheme::Maven, &a, &b, |x, y| Some(reference(x, y, Parts::Collapsed)))?;
        }

        /// Equal versions: the same version spelled differently has the same key.
        #[test]
        fn respellings_are_equal(v in consistent_version()) {
            let respelled = v.to_uppercase() + ".0-0";
            prop_assert_eq!(key_cmp(&v, &respelled), Some(Ordering::Equal), "{} vs {}", v, respelled);
        }

        /// No input panics.
        #[test]
        fn any_string_parses(s in "\\PC{0,40}") {
            assert_accepts_unless_blank(Scheme::Maven, &s, |_| true)?;
        }
    }
}
