//! Percent-encoding as ECMA-427 §5.4 defines it for purl components.

use std::fmt::{self, Write};

/// Characters a canonical purl never percent-encodes inside a component: the
/// alphanumerics, the punctuation `.-_~`, and the colon, which §5.4 says is never
/// encoded "whether used as a Separator Character or otherwise".
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':')
}

/// Writes `s` percent-encoded: every UTF-8 byte outside the unreserved set becomes
/// `%XX` with upper-case hex digits (RFC 3986's normal form), so each decoded string has
/// exactly one canonical spelling.
pub(crate) fn encode(s: &str, out: &mut impl Write) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if is_unreserved(b) {
            continue;
        }
        // A run of unreserved bytes is ASCII, so it starts and ends on char boundaries;
        // between two escaped bytes of one character the run is empty and `start` may
        // be inside the character, so it must not be sliced.
        if start < i {
            out.write_str(&s[start..i])?;
        }
        out.write_char('%')?;
        out.write_char(char::from(HEX[usize::from(b >> 4)]))?;
        out.write_char(char::from(HEX[usize::from(b & 0xF)]))?;
        start = i + 1;
    }
    out.write_str(&s[start..])
}

/// Decodes `%XX` escapes. A `%` not followed by two hex digits, or escapes that decode
/// to invalid UTF-8, are errors rather than being passed through: a purl that cannot be
/// decoded unambiguously cannot name a package exactly.
pub(crate) fn decode(s: &str) -> Result<String, &'static str> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|&b| hex_value(b));
            let lo = bytes.get(i + 2).and_then(|&b| hex_value(b));
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err("has a '%' not followed by two hex digits");
            };
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-decodes to invalid UTF-8")
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        encode(s, &mut out).unwrap();
        out
    }

    #[test]
    fn encodes_everything_but_the_unreserved_set() {
        let cases = [
            ("abcXYZ019", "abcXYZ019"),
            (".-_~:", ".-_~:"),
            ("a b", "a%20b"),
            ("@/?#&=+%,", "%40%2F%3F%23%26%3D%2B%25%2C"),
            ("é", "%C3%A9"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(enc(raw), want, "encoding {raw:?}");
        }
    }

    #[test]
    fn decodes_and_rejects_broken_escapes() {
        let cases: [(&str, Result<&str, ()>); 8] = [
            ("a%20b", Ok("a b")),
            ("%40angular", Ok("@angular")),
            ("%c3%a9", Ok("é")),
            ("plain+text", Ok("plain+text")),
            ("100%", Err(())),
            ("%4", Err(())),
            ("%zz", Err(())),
            ("%FF", Err(())),
        ];
        for (raw, want) in cases {
            assert_eq!(
                decode(raw).map_err(|_| ()),
                want.map(str::to_owned),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn decode_inverts_encode() {
        for s in ["a b/c@d", "100%", "ü:ß", "%41"] {
            assert_eq!(decode(&enc(s)).unwrap(), s);
        }
    }
}
