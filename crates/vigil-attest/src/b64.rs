//! Base64 as signers write it: standard or URL-safe alphabet, padded or not.
//!
//! DSSE lets signers use either alphabet and verifiers must accept both; padding is left
//! to the encoder, so it is optional here. The alphabet is told by its two distinct
//! characters (`+/` against `-_`); a string mixing both is refused. Bits left over after
//! the last full byte must be zero, as every conforming encoder writes them, so one byte
//! string has exactly one accepted spelling per alphabet and padding choice.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const CONFIG: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);

/// Decodes `text` in whichever alphabet it is written.
pub(crate) fn decode(text: &[u8]) -> Result<Vec<u8>, String> {
    let url_safe = text.iter().any(|&b| b == b'-' || b == b'_');
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    engine.decode(text).map_err(|e| match e {
        base64::DecodeError::InvalidByte(offset, byte) => {
            format!(
                "invalid base64 character {:?} at offset {offset}",
                char::from(byte)
            )
        }
        base64::DecodeError::InvalidLength(len) => {
            format!("invalid base64 length {len} (one character too many or too few)")
        }
        base64::DecodeError::InvalidLastSymbol(offset, byte) => format!(
            "invalid last base64 character {:?} at offset {offset} (its unused bits are not zero)",
            char::from(byte)
        ),
        base64::DecodeError::InvalidPadding => "invalid base64 padding".to_owned(),
    })
}

/// Decodes base64 text that may be broken into lines or end with a newline, as a
/// signature file is (`openssl base64` wraps at 64 columns; cosign writes one line).
pub(crate) fn decode_text(text: &[u8]) -> Result<Vec<u8>, String> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err("no base64 text".to_owned());
    }
    decode(&compact)
}

/// Standard base64 with padding, as PEM and DSSE producers write it.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expect: Result<&[u8], &str>) {
        let got = decode(text.as_bytes());
        match expect {
            Ok(bytes) => assert_eq!(got.as_deref(), Ok(bytes), "{text}"),
            Err(message) => assert_eq!(got, Err(message.to_owned()), "{text}"),
        }
    }

    #[test]
    fn both_alphabets_with_and_without_padding() {
        check("aGVsbG8gd29ybGQ=", Ok(b"hello world"));
        check("aGVsbG8gd29ybGQ", Ok(b"hello world"));
        check("-_8=", Ok(&[0xfb, 0xff]));
        check("-_8", Ok(&[0xfb, 0xff]));
        check("+/8=", Ok(&[0xfb, 0xff]));
        check("+/8", Ok(&[0xfb, 0xff]));
        check("", Ok(b""));
    }

    #[test]
    fn refuses_mixed_alphabets_and_stray_bits() {
        check("+_8=", Err("invalid base64 character '+' at offset 0"));
        check(
            "aGVsbG8gd29ybGR=",
            Err("invalid last base64 character 'R' at offset 14 (its unused bits are not zero)"),
        );
        check(
            "a",
            Err("invalid base64 length 1 (one character too many or too few)"),
        );
        check("aGVs bG8=", Err("invalid base64 character ' ' at offset 4"));
    }

    #[test]
    fn text_may_wrap_and_end_with_a_newline() {
        assert_eq!(
            decode_text(b"aGVsbG8g\nd29ybGQ=\n").as_deref(),
            Ok(&b"hello world"[..])
        );
        assert_eq!(
            decode_text(b"aGVsbG8gd29ybGQ=\r\n").as_deref(),
            Ok(&b"hello world"[..])
        );
        assert!(decode_text(b" \n").is_err());
    }
}
