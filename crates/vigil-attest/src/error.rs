//! The one error type of the crate: every message says what is wrong with which input.

use crate::Algorithm;

/// Why a key, signature, envelope or statement was refused.
///
/// Messages quote the offending value where it is short and safe to show (never key
/// material beyond a fingerprint), and say what would be accepted instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttestError {
    /// The text is not one PEM block of a public key.
    #[error("not a PEM public key: {0}")]
    Pem(String),
    /// The PEM text holds a private key, which has no place in a verifier.
    #[error(
        "this is a private key (PEM label {label:?}), not a public key; give the public key \
         instead (`openssl pkey -in KEY -pubout` prints it)"
    )]
    PrivateKey {
        /// The label of the PEM block, such as `EC PRIVATE KEY`.
        label: String,
    },
    /// The bytes are not a DER `SubjectPublicKeyInfo`.
    #[error("not a DER SubjectPublicKeyInfo: {0}")]
    Spki(String),
    /// A well-formed key of a type this crate does not verify with.
    #[error("unsupported key type {key_type} (only Ed25519 and ECDSA P-256 are accepted)")]
    UnsupportedKey {
        /// What the key is, such as `RSA` or `ECDSA P-384`.
        key_type: String,
    },
    /// A key of a supported type whose value is not a usable public key.
    #[error("invalid {algorithm} public key: {reason}")]
    InvalidKey {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature bytes are not a signature of the key's algorithm in any accepted form.
    #[error("malformed {algorithm} signature: {reason}")]
    MalformedSignature {
        /// The algorithm of the key it was checked with.
        algorithm: Algorithm,
        /// What is wrong with it.
        reason: String,
    },
    /// A well-formed signature that the key did not make over this message.
    #[error("signature does not verify with key sha256:{fingerprint} ({algorithm})")]
    SignatureMismatch {
        /// The key's fingerprint (hex SHA-256 of its SubjectPublicKeyInfo DER).
        fingerprint: String,
        /// The key's algorithm.
        algorithm: Algorithm,
    },
    /// No key of several verified the signature.
    #[error("signature does not verify with any of the {} trusted keys: {}", keys.len(), key_list(keys))]
    NoKeyVerifies {
        /// Fingerprint and algorithm of each key tried, in order.
        keys: Vec<(String, Algorithm)>,
    },
    /// Verification was asked for with an empty list of trusted keys.
    #[error("no trusted keys were given, so nothing can verify")]
    NoTrustedKeys,
    /// The envelope is larger than [`crate::dsse::MAX_ENVELOPE_BYTES`].
    #[error("DSSE envelope is {len} bytes, over the limit of {limit} bytes")]
    EnvelopeTooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a DSSE JSON envelope.
    #[error("not a DSSE envelope: {0}")]
    Envelope(String),
    /// No signature of the envelope verified with any trusted key.
    #[error(
        "no signature of the DSSE envelope ({signatures} signatures) verifies with any of the {} \
         trusted keys: {}",
        keys.len(),
        key_list(keys)
    )]
    EnvelopeUnverified {
        /// How many signatures the envelope has.
        signatures: usize,
        /// Fingerprint and algorithm of each key tried, in order.
        keys: Vec<(String, Algorithm)>,
    },
    /// The envelope's payload is not of the type the caller reads.
    #[error("DSSE payloadType is {found:?}, expected {expected:?}")]
    PayloadType {
        /// The envelope's `payloadType`.
        found: String,
        /// The type that was expected.
        expected: &'static str,
    },
    /// The payload is not an in-toto Statement.
    #[error("not an in-toto Statement: {0}")]
    Statement(String),
}

fn key_list(keys: &[(String, Algorithm)]) -> String {
    let mut out = String::new();
    for (i, (fingerprint, algorithm)) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("sha256:");
        out.push_str(fingerprint);
        out.push_str(" (");
        out.push_str(algorithm.as_str());
        out.push(')');
    }
    out
}
