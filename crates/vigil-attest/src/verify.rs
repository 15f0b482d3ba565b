//! Signature checks: the forms a signature arrives in, and the one verification rule per
//! algorithm (documented on [`verify_blob`], which is public).

use crate::key::Verifier;
use crate::{Algorithm, AttestError, PublicKey, b64};

/// Verifies a detached signature over `message` with `key`.
///
/// # Forms
///
/// `signature` may be the raw signature bytes or base64 text of them: standard or URL-safe
/// alphabet, padded or not, with line breaks and a trailing newline allowed
/// (`cosign sign-blob` writes base64 of DER on one line; `openssl base64` wraps it at 64
/// columns). An ECDSA signature may be ASN.1 DER (what OpenSSL and cosign write) or the
/// fixed 64-byte `r || s`. Each reading that has the right shape is tried; that is safe
/// because each is a signature in its own right, and forging any of them is forging a
/// signature.
///
/// # Which signatures verify
///
/// - **Ed25519** verifies with RFC 8032's strict rules as `ed25519-dalek`'s
///   `verify_strict` applies them: `S` must be reduced and `R` must not have small order.
///   Signers never produce otherwise, and small-order keys are already refused when the
///   key is read.
/// - **ECDSA P-256** hashes the message with SHA-256. Both `s` and `n - s` verify (a
///   "high-S" signature is accepted): OpenSSL, Go's `crypto/ecdsa` and so cosign sign
///   with either and accept either, and refusing high S would refuse about half of what
///   OpenSSL signs. The price is malleability: from one valid signature anyone can make a
///   second valid one over the same message. Nothing here identifies a signature by its
///   bytes, so that gives an attacker nothing; callers must not identify signatures by
///   their bytes either.
///
/// # Errors
///
/// [`AttestError::MalformedSignature`] if `signature` is no signature of the key's
/// algorithm in any accepted form, [`AttestError::SignatureMismatch`] if it is one but
/// does not verify.
pub fn verify_blob(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), AttestError> {
    let candidates = candidates(key.algorithm(), signature)?;
    if candidates.iter().any(|c| verify_parsed(key, message, c)) {
        Ok(())
    } else {
        Err(AttestError::SignatureMismatch {
            fingerprint: key.fingerprint(),
            algorithm: key.algorithm(),
        })
    }
}

/// Verifies a detached signature with each key in turn, returning the index of the first
/// that verifies. `signature` is read as [`verify_blob`] reads it.
///
/// # Errors
///
/// [`AttestError::NoTrustedKeys`] if `keys` is empty; [`AttestError::MalformedSignature`]
/// if the signature has no accepted form for any key's algorithm;
/// [`AttestError::NoKeyVerifies`] otherwise when no key verifies.
pub fn verify_blob_any(
    keys: &[PublicKey],
    message: &[u8],
    signature: &[u8],
) -> Result<usize, AttestError> {
    if keys.is_empty() {
        return Err(AttestError::NoTrustedKeys);
    }
    let mut malformed = None;
    let mut well_formed_for_some_key = false;
    for (index, key) in keys.iter().enumerate() {
        match candidates(key.algorithm(), signature) {
            Ok(candidates) => {
                well_formed_for_some_key = true;
                if candidates.iter().any(|c| verify_parsed(key, message, c)) {
                    return Ok(index);
                }
            }
            Err(e) => {
                malformed.get_or_insert(e);
            }
        }
    }
    match malformed {
        Some(e) if !well_formed_for_some_key => Err(e),
        _ => Err(AttestError::NoKeyVerifies {
            keys: keys
                .iter()
                .map(|k| (k.fingerprint(), k.algorithm()))
                .collect(),
        }),
    }
}

/// Verifies one signature given as its decoded bytes (as a DSSE envelope carries it):
/// 64 bytes for Ed25519, DER or 64-byte `r || s` for ECDSA.
pub(crate) fn verify_raw(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    let mut found = Vec::with_capacity(1);
    read_signature(key.algorithm(), signature, &mut found);
    found.iter().any(|sig| verify_parsed(key, message, sig))
}

/// Every reading of `signature` that has the shape of a signature for `algorithm`: the
/// bytes as they are, then as base64 text.
fn candidates(algorithm: Algorithm, signature: &[u8]) -> Result<Vec<Parsed>, AttestError> {
    let mut found = Vec::with_capacity(2);
    read_signature(algorithm, signature, &mut found);
    let decoded = if signature.is_ascii() {
        b64::decode_text(signature).ok()
    } else {
        None
    };
    if let Some(decoded) = &decoded {
        read_signature(algorithm, decoded, &mut found);
    }
    if found.is_empty() {
        let expected = match algorithm {
            Algorithm::Ed25519 => "a 64-byte Ed25519 signature",
            Algorithm::EcdsaP256Sha256 => "an ECDSA P-256 signature (ASN.1 DER or 64-byte r||s)",
        };
        let reason = match decoded {
            Some(d) => format!(
                "got {} bytes of base64 text decoding to {} bytes, which is not {expected}",
                signature.len(),
                d.len()
            ),
            None => format!(
                "got {} bytes, which are neither {expected} nor base64 text of one",
                signature.len()
            ),
        };
        return Err(AttestError::MalformedSignature { algorithm, reason });
    }
    Ok(found)
}

fn verify_parsed(key: &PublicKey, message: &[u8], signature: &Parsed) -> bool {
    match (&key.verifier, signature) {
        (Verifier::Ed25519(key), Parsed::Ed25519(sig)) => key.verify_strict(message, sig).is_ok(),
        (Verifier::P256(key), Parsed::P256(sig)) => {
            p256::ecdsa::signature::Verifier::verify(key, message, sig).is_ok()
        }
        _ => false,
    }
}

/// A signature of the right shape for its algorithm, not yet verified.
enum Parsed {
    Ed25519(ed25519_dalek::Signature),
    P256(p256::ecdsa::Signature),
}

/// Adds to `out` each reading of `bytes` as a signature for `algorithm`. A 64-byte ECDSA
/// signature is `r || s`, unless those bytes also happen to be valid DER, when both
/// readings are kept.
fn read_signature(algorithm: Algorithm, bytes: &[u8], out: &mut Vec<Parsed>) {
    match algorithm {
        Algorithm::Ed25519 => {
            if let Ok(bytes) = <&[u8; 64]>::try_from(bytes) {
                out.push(Parsed::Ed25519(ed25519_dalek::Signature::from_bytes(bytes)));
            }
        }
        Algorithm::EcdsaP256Sha256 => {
            if bytes.len() == 64
                && let Ok(sig) = p256::ecdsa::Signature::from_slice(bytes)
            {
                out.push(Parsed::P256(sig));
            }
            if let Ok(sig) = p256::ecdsa::Signature::from_der(bytes) {
                out.push(Parsed::P256(sig));
            }
        }
    }
}
