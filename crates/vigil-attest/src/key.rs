//! Trusted public keys: read from PEM or DER `SubjectPublicKeyInfo`, kept in canonical form.
//!
//! Only two key types verify: Ed25519 (RFC 8410) and ECDSA on P-256. Every other
//! well-formed key is refused by name (`RSA`, `ECDSA P-384`, ...), so an operator who
//! pastes the wrong key learns which one they pasted. A private key is refused without
//! quoting it.
//!
//! The key is re-encoded canonically (the P-256 point uncompressed, as `openssl` and
//! cosign write it), and its fingerprint is the SHA-256 of that encoding, so the same key
//! has the same fingerprint however it arrived.

use std::fmt;

use sha2::{Digest as _, Sha256};
use spki::SubjectPublicKeyInfoRef;
use spki::der::asn1::ObjectIdentifier;
use spki::der::{Decode as _, Tag, Tagged as _};

use crate::{Algorithm, AttestError, b64};

const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Key algorithms that are refused, by OID, with the name the error shows.
const UNSUPPORTED_ALGORITHMS: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "RSA"),
    ("1.2.840.113549.1.1.10", "RSA-PSS"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.2.840.10046.2.1", "DH"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.3.101.113", "Ed448"),
    ("1.2.156.10197.1.301", "SM2"),
    ("2.16.840.1.101.3.4.3.17", "ML-DSA-44"),
    ("2.16.840.1.101.3.4.3.18", "ML-DSA-65"),
    ("2.16.840.1.101.3.4.3.19", "ML-DSA-87"),
];

/// Named elliptic curves other than P-256, by OID, with the name the error shows.
const UNSUPPORTED_CURVES: &[(&str, &str)] = &[
    ("1.3.132.0.34", "ECDSA P-384"),
    ("1.3.132.0.35", "ECDSA P-521"),
    ("1.3.132.0.33", "ECDSA P-224"),
    ("1.2.840.10045.3.1.1", "ECDSA P-192"),
    ("1.3.132.0.10", "ECDSA secp256k1"),
    ("1.3.36.3.3.2.8.1.1.7", "ECDSA brainpoolP256r1"),
    ("1.3.36.3.3.2.8.1.1.11", "ECDSA brainpoolP384r1"),
    ("1.3.36.3.3.2.8.1.1.13", "ECDSA brainpoolP512r1"),
    ("1.2.156.10197.1.301", "EC SM2"),
];

/// DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410), followed by the 32 key bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// DER prefix of a P-256 `SubjectPublicKeyInfo` (RFC 5480, named curve), followed by the
/// 65-byte uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Longest label quoted back in an error.
const MAX_QUOTED: usize = 64;

/// A public key a service trusts: Ed25519 or ECDSA P-256.
///
/// Built only by [`PublicKey::from_pem`] or [`PublicKey::from_spki_der`], so every value
/// is a valid point of a supported algorithm. Two keys are equal when their canonical
/// encodings are.
#[derive(Clone)]
pub struct PublicKey {
    pub(crate) verifier: Verifier,
    spki_der: Vec<u8>,
    fingerprint: String,
}

/// The parsed key, ready to verify with.
#[derive(Clone)]
pub(crate) enum Verifier {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    /// Reads a key from PEM text holding one `-----BEGIN PUBLIC KEY-----` block (a
    /// `SubjectPublicKeyInfo`, as `openssl pkey -pubout` and `cosign generate-key-pair`
    /// write it). Text around the block is ignored.
    ///
    /// # Errors
    ///
    /// If the text has no PEM block or more than one, if the block is a private key, a
    /// certificate or some other object, if its base64 or DER is malformed, or if the key
    /// is not Ed25519 or P-256 ([`AttestError::UnsupportedKey`] names the type found).
    pub fn from_pem(text: &str) -> Result<PublicKey, AttestError> {
        // Some Windows editors save a byte order mark before the text.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let blocks = pem_blocks(text)?;
        if let Some(private) = blocks.iter().find(|b| b.label.contains("PRIVATE KEY")) {
            return Err(AttestError::PrivateKey {
                label: quote(private.label),
            });
        }
        let block = match blocks.as_slice() {
            [] => {
                return Err(AttestError::Pem(
                    "no PEM block found (expected a line -----BEGIN PUBLIC KEY-----)".to_owned(),
                ));
            }
            [block] => block,
            more => {
                return Err(AttestError::Pem(format!(
                    "the text holds {} PEM blocks; give one public key per entry",
                    more.len()
                )));
            }
        };
        match block.label {
            "PUBLIC KEY" => {}
            "RSA PUBLIC KEY" => {
                return Err(AttestError::UnsupportedKey {
                    key_type: "RSA".to_owned(),
                });
            }
            "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
                return Err(AttestError::Pem(
                    "this is a certificate, not a public key; extract its key with \
                     `openssl x509 -in CERT -pubkey -noout`"
                        .to_owned(),
                ));
            }
            other => {
                return Err(AttestError::Pem(format!(
                    "the PEM block is {:?}, expected \"PUBLIC KEY\"",
                    quote(other)
                )));
            }
        }
        if block.has_headers {
            return Err(AttestError::Pem(
                "the PEM block has headers (`Name: value` lines), which a public key never has"
                    .to_owned(),
            ));
        }
        let der = b64::decode_text(block.body.as_bytes())
            .map_err(|e| AttestError::Pem(format!("the PUBLIC KEY block is not base64: {e}")))?;
        PublicKey::from_spki_der(&der)
    }

    /// Reads a key from the DER encoding of a `SubjectPublicKeyInfo`.
    ///
    /// # Errors
    ///
    /// If the DER is malformed or has trailing bytes, if the key is not Ed25519 or P-256
    /// ([`AttestError::UnsupportedKey`] names the type found), or if its value is not a
    /// usable key: not a point of the curve, a small-order Ed25519 point, or a
    /// non-canonical Ed25519 encoding.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, AttestError> {
        let spki =
            SubjectPublicKeyInfoRef::from_der(der).map_err(|e| AttestError::Spki(e.to_string()))?;
        let oid = spki.algorithm.oid;
        let key_bits = || {
            spki.subject_public_key
                .as_bytes()
                .ok_or_else(|| AttestError::Spki("the key's BIT STRING has unused bits".to_owned()))
        };
        if oid == OID_ED25519 {
            let invalid = |reason: &str| AttestError::InvalidKey {
                algorithm: Algorithm::Ed25519,
                reason: reason.to_owned(),
            };
            if spki.algorithm.parameters.is_some() {
                return Err(invalid(
                    "the algorithm has parameters, which RFC 8410 says are absent",
                ));
            }
            let bytes: [u8; 32] = key_bits()?.try_into().map_err(|_| {
                invalid(&format!(
                    "the key is {} bytes, not 32",
                    spki.subject_public_key.raw_bytes().len()
                ))
            })?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|_| invalid("the key is not a point of the curve"))?;
            if key.to_edwards().compress().to_bytes() != bytes {
                return Err(invalid("the point is not in canonical encoding"));
            }
            if key.is_weak() {
                return Err(invalid(
                    "the point has small order, so any signature would verify",
                ));
            }
            let mut spki_der = ED25519_SPKI_PREFIX.to_vec();
            spki_der.extend_from_slice(&bytes);
            return Ok(PublicKey::new(Verifier::Ed25519(key), spki_der));
        }
        if oid == OID_EC_PUBLIC_KEY {
            let curve = match spki.algorithm.parameters {
                Some(params) if params.tag() == Tag::ObjectIdentifier => params
                    .decode_as::<ObjectIdentifier>()
                    .map_err(|e| AttestError::Spki(format!("the curve OID: {e}")))?,
                Some(params) if params.tag() == Tag::Sequence => {
                    return Err(AttestError::UnsupportedKey {
                        key_type: "EC with explicit curve parameters (name the curve instead)"
                            .to_owned(),
                    });
                }
                _ => {
                    return Err(AttestError::Spki(
                        "an EC key without a named curve".to_owned(),
                    ));
                }
            };
            if curve != OID_P256 {
                let name = UNSUPPORTED_CURVES
                    .iter()
                    .find(|(o, _)| curve.to_string() == *o)
                    .map_or_else(
                        || format!("EC on curve OID {curve}"),
                        |(_, n)| (*n).to_owned(),
                    );
                return Err(AttestError::UnsupportedKey { key_type: name });
            }
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bits()?).map_err(|_| {
                AttestError::InvalidKey {
                    algorithm: Algorithm::EcdsaP256Sha256,
                    reason: "the key is not a point of the curve".to_owned(),
                }
            })?;
            let mut spki_der = P256_SPKI_PREFIX.to_vec();
            spki_der.extend_from_slice(key.to_encoded_point(false).as_bytes());
            return Ok(PublicKey::new(Verifier::P256(key), spki_der));
        }
        let name = UNSUPPORTED_ALGORITHMS
            .iter()
            .find(|(o, _)| oid.to_string() == *o)
            .map_or_else(
                || format!("with algorithm OID {oid}"),
                |(_, n)| (*n).to_owned(),
            );
        Err(AttestError::UnsupportedKey { key_type: name })
    }

    fn new(verifier: Verifier, spki_der: Vec<u8>) -> PublicKey {
        let fingerprint = hex::encode(Sha256::digest(&spki_der));
        PublicKey {
            verifier,
            spki_der,
            fingerprint,
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.verifier {
            Verifier::Ed25519(_) => Algorithm::Ed25519,
            Verifier::P256(_) => Algorithm::EcdsaP256Sha256,
        }
    }

    /// Hex SHA-256 of the key's canonical `SubjectPublicKeyInfo` DER: a stable id for the
    /// key, shown to users and recorded in evidence. For a key that `openssl` wrote it
    /// equals `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// The same as [`PublicKey::fingerprint`], borrowed.
    pub fn fingerprint_str(&self) -> &str {
        &self.fingerprint
    }

    /// The key's canonical `SubjectPublicKeyInfo` DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key as a PEM `PUBLIC KEY` block with 64-column lines and a final newline.
    pub fn to_pem(&self) -> String {
        let body = b64::encode(&self.spki_der);
        let mut out = String::with_capacity(body.len() + body.len() / 64 + 60);
        out.push_str("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            // Base64 output is ASCII, so every chunk is valid UTF-8.
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.spki_der.hash(state);
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey(sha256:{} {})",
            self.fingerprint,
            self.algorithm()
        )
    }
}

impl fmt::Display for PublicKey {
    /// `sha256:<fingerprint> (<algorithm>)`, as error messages show keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{} ({})", self.fingerprint, self.algorithm())
    }
}

impl std::str::FromStr for PublicKey {
    type Err = AttestError;

    fn from_str(text: &str) -> Result<PublicKey, AttestError> {
        PublicKey::from_pem(text)
    }
}

/// One `-----BEGIN label-----` ... `-----END label-----` block of PEM text.
struct PemBlock<'a> {
    label: &'a str,
    /// The base64 lines, joined by newlines.
    body: String,
    /// Whether RFC 1421 headers (`Proc-Type: ...`) precede the body.
    has_headers: bool,
}

/// Finds every PEM block in `text`; text outside blocks is ignored (RFC 7468 allows it).
fn pem_blocks(text: &str) -> Result<Vec<PemBlock<'_>>, AttestError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((begin_line, line)) = lines.next() {
        let Some(label) = line
            .trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        else {
            continue;
        };
        let mut body = String::new();
        let mut has_headers = false;
        let mut closed = false;
        for (_, line) in lines.by_ref() {
            let line = line.trim();
            if let Some(end) = line
                .strip_prefix("-----END ")
                .and_then(|rest| rest.strip_suffix("-----"))
            {
                if end != label {
                    return Err(AttestError::Pem(format!(
                        "the block that begins {:?} ends {:?}",
                        quote(label),
                        quote(end)
                    )));
                }
                closed = true;
                break;
            }
            if line.contains(':') {
                has_headers = true;
                continue;
            }
            body.push_str(line);
            body.push('\n');
        }
        if !closed {
            return Err(AttestError::Pem(format!(
                "the block {:?} that begins on line {} has no END line",
                quote(label),
                begin_line + 1
            )));
        }
        blocks.push(PemBlock {
            label,
            body,
            has_headers,
        });
    }
    Ok(blocks)
}

/// `s`, cut to [`MAX_QUOTED`] characters, for quoting untrusted text in an error.
fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED) {
        Some((at, _)) => format!("{}...", &s[..at]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_cuts_long_text_on_a_character_boundary() {
        assert_eq!(quote("PUBLIC KEY"), "PUBLIC KEY");
        let long = "é".repeat(100);
        assert_eq!(quote(&long), format!("{}...", "é".repeat(64)));
    }

    #[test]
    fn pem_blocks_are_found_among_other_text() {
        let text = "explanatory text\n-----BEGIN A-----\nQUJD\n-----END A-----\nmore\n\
                    -----BEGIN B-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\nREVG\r\n-----END B-----\r\n";
        let blocks = pem_blocks(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            (
                blocks[0].label,
                blocks[0].body.as_str(),
                blocks[0].has_headers
            ),
            ("A", "QUJD\n", false)
        );
        assert_eq!(
            (
                blocks[1].label,
                blocks[1].body.as_str(),
                blocks[1].has_headers
            ),
            ("B", "\nREVG\n", true)
        );
    }

    #[test]
    fn pem_blocks_must_close_with_their_own_label() {
        let err = pem_blocks("-----BEGIN A-----\nQUJD\n").err().unwrap();
        assert_eq!(
            err.to_string(),
            "not a PEM public key: the block \"A\" that begins on line 1 has no END line"
        );
        let err = pem_blocks("-----BEGIN A-----\nQUJD\n-----END B-----\n")
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "not a PEM public key: the block that begins \"A\" ends \"B\""
        );
    }
}
