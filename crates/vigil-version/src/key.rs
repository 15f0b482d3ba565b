//! Order-preserving byte keys: every ecosystem's version order, encoded so that comparing
//! two keys byte by byte (`memcmp`) gives exactly the ecosystem's comparison.
//!
//! A key is a sequence of tokens. Each scheme writes a *tag* byte of its own before every
//! token, chosen so that the tags alone order token kinds the way the ecosystem does, then
//! the token's payload in one of the encodings below. Every payload encoding is
//! *prefix-free*: no encoding of one value is a proper prefix of the encoding of another,
//! so the byte after a payload is always the next tag and comparison never runs past a
//! token boundary into the wrong field.
//!
//! - [`KeyWriter::digits`] and [`KeyWriter::uint`]: a non-negative integer of any size.
//!   Values that fit in a `u64` are one length byte (`0..=8`, the count of significant
//!   big-endian bytes) followed by those bytes. Longer decimal numbers are `0x09`, their
//!   digit count as a big-endian `u16`, then the digits. Leading zeros never matter.
//! - [`KeyWriter::text`]: any bytes, then a terminator that sorts before every content
//!   byte, so `"a" < "ab"`. Content bytes `0x00` and `0x01` are escaped as `01 01` and
//!   `01 02`; the terminator is `00`.
//!
//! Keys can be stored as they are (SQLite `BLOB` and PostgreSQL `bytea` both compare with
//! `memcmp`), which lets a database answer "versions between these bounds" from an index.

use smallvec::SmallVec;

/// Key bytes kept inline before spilling to the heap; most real versions fit.
const INLINE: usize = 24;

/// The encoded order of one version. Compare with `Ord`; equal keys are equal versions.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Key(SmallVec<[u8; INLINE]>);

impl Key {
    /// The key's bytes, for storage. `Key::from_bytes(k.as_bytes())` gives `k` back.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Rebuilds a key from bytes written by [`Key::as_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Key(SmallVec::from_slice(bytes))
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(")?;
        for b in self.0.iter() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// The smallest 20-digit number: from here on numbers take the big form.
const TEN_POW_19: u64 = 10_000_000_000_000_000_000;

/// Tag byte of a big integer payload: sorts after every `u64` length byte (`0..=8`).
const BIG: u8 = 0x09;

/// Builds a [`Key`] token by token.
#[derive(Debug, Default)]
pub(crate) struct KeyWriter {
    buf: SmallVec<[u8; INLINE]>,
}

impl KeyWriter {
    pub(crate) fn new() -> Self {
        KeyWriter::default()
    }

    /// Appends one raw byte: a tag, or a marker such as "end of release part".
    #[inline]
    pub(crate) fn tag(&mut self, tag: u8) {
        self.buf.push(tag);
    }

    /// Appends an integer, ordered numerically.
    #[inline]
    pub(crate) fn uint(&mut self, n: u64) {
        if n >= TEN_POW_19 {
            // 20-digit values take the big-number form, as `digits` gives them.
            self.digits(n.to_string().as_bytes());
            return;
        }
        self.small(n);
    }

    /// A number below `TEN_POW_19`: its significant byte count, then its bytes.
    #[inline]
    fn small(&mut self, n: u64) {
        let bytes = n.to_be_bytes();
        let skip = (n.leading_zeros() / 8) as usize;
        // skip is 8 for zero: zero is the single length byte 0.
        self.buf.push((8 - skip) as u8);
        self.buf.extend_from_slice(&bytes[skip..]);
    }

    /// Appends a decimal number given as ASCII digits, ordered numerically, whatever its
    /// length. Leading zeros are ignored, so `"007"` and `"7"` encode the same.
    ///
    /// Precondition: `digits` holds only `b'0'..=b'9'`, and at most `u16::MAX` of them
    /// once leading zeros are stripped (the crate's input length limit guarantees it).
    pub(crate) fn digits(&mut self, digits: &[u8]) {
        debug_assert!(
            digits.iter().all(u8::is_ascii_digit),
            "not digits: {digits:?}"
        );
        let start = digits
            .iter()
            .position(|&d| d != b'0')
            .unwrap_or(digits.len());
        let significant = &digits[start..];
        if significant.len() <= 19 {
            // Every number of up to 19 digits fits in a u64, below TEN_POW_19.
            let n = significant
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
            self.small(n);
        } else {
            let len = u16::try_from(significant.len()).unwrap_or(u16::MAX);
            self.buf.push(BIG);
            self.buf.extend_from_slice(&len.to_be_bytes());
            self.buf.extend_from_slice(significant);
        }
    }

    /// Appends bytes compared lexicographically, shorter before longer when one is a
    /// prefix of the other.
    pub(crate) fn text(&mut self, text: &[u8]) {
        for &b in text {
            match b {
                0x00 => self.buf.extend_from_slice(&[0x01, 0x01]),
                0x01 => self.buf.extend_from_slice(&[0x01, 0x02]),
                _ => self.buf.push(b),
            }
        }
        self.buf.push(0x00);
    }

    /// Like [`KeyWriter::text`], with ASCII letters lowered first, for ecosystems whose
    /// comparison ignores case.
    pub(crate) fn text_lowercase(&mut self, text: &[u8]) {
        for &b in text {
            match b {
                0x00 => self.buf.extend_from_slice(&[0x01, 0x01]),
                0x01 => self.buf.extend_from_slice(&[0x01, 0x02]),
                _ => self.buf.push(b.to_ascii_lowercase()),
            }
        }
        self.buf.push(0x00);
    }

    /// Removes trailing bytes back to `len`, for schemes that drop trailing tokens which
    /// turn out to be equal to "nothing" (such as trailing `.0` components).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// The number of bytes written so far, to pass to [`KeyWriter::truncate`] later.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn finish(self) -> Key {
        Key(self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn num(digits: &str) -> Key {
        let mut w = KeyWriter::new();
        w.digits(digits.as_bytes());
        w.finish()
    }

    fn text(s: &[u8]) -> Key {
        let mut w = KeyWriter::new();
        w.text(s);
        w.finish()
    }

    /// Compares two digit strings as numbers of any size, the slow and obvious way.
    fn naive_cmp_digits(a: &str, b: &str) -> std::cmp::Ordering {
        let a = a.trim_start_matches('0');
        let b = b.trim_start_matches('0');
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }

    #[test]
    fn numbers_at_the_u64_boundary() {
        let max = u64::MAX.to_string();
        assert!(num("9999999999999999999") < num(&max));
        assert!(num(&max) < num("18446744073709551616"));
        assert!(num("18446744073709551616") < num("99999999999999999999"));
        assert!(num("99999999999999999999") < num("100000000000000000000"));
        assert_eq!(num("0"), num(""));
        assert_eq!(num("000123"), num("123"));
    }

    proptest! {
        #[test]
        fn digits_order_like_numbers(a in "[0-9]{0,45}", b in "[0-9]{0,45}") {
            prop_assert_eq!(num(&a).cmp(&num(&b)), naive_cmp_digits(&a, &b));
        }

        #[test]
        fn uint_matches_digits(n: u64) {
            let mut w = KeyWriter::new();
            w.uint(n);
            prop_assert_eq!(w.finish(), num(&n.to_string()));
        }

        #[test]
        fn text_orders_like_bytes(a in proptest::collection::vec(any::<u8>(), 0..12),
                                  b in proptest::collection::vec(any::<u8>(), 0..12)) {
            prop_assert_eq!(text(&a).cmp(&text(&b)), a.cmp(&b));
        }

        /// Prefix-freedom: a token followed by anything orders exactly as the tokens do.
        #[test]
        fn tokens_are_prefix_free(a in "[0-9]{0,25}", b in "[0-9]{0,25}",
                                  ta in proptest::collection::vec(any::<u8>(), 0..6),
                                  tb in proptest::collection::vec(any::<u8>(), 0..6)) {
            let key = |d: &str, t: &[u8]| {
                let mut w = KeyWriter::new();
                w.digits(d.as_bytes());
                w.text(t);
                w.finish()
            };
            let expect = naive_cmp_digits(&a, &b).then_with(|| ta.cmp(&tb));
            prop_assert_eq!(key(&a, &ta).cmp(&key(&b, &tb)), expect);
        }
    }
}
