//! Verification of the signatures that arrive with a release: detached signatures over an
//! SBOM or artifact, and DSSE envelopes carrying in-toto Statements.
//!
//! Algorithm only: no storage, no network, no file access. A service keeps a list of
//! trusted [`PublicKey`]s (PEM `PUBLIC KEY`, Ed25519 or ECDSA P-256) and asks whether
//! bytes it received were signed by one of them:
//!
//! - [`verify_blob`] and [`verify_blob_any`] check a detached signature, as
//!   `cosign sign-blob --key`, `openssl dgst -sha256 -sign` (P-256) or
//!   `openssl pkeyutl -sign -rawin` (Ed25519) make it, raw or base64.
//! - [`dsse::Envelope::parse`] and [`dsse::verify`] check a DSSE envelope, and
//!   [`intoto::Statement`] reads the in-toto Statement inside it.
//!
//! The traps this crate closes:
//!
//! - A DSSE signature covers `PAE(payloadType, payload)`, not the payload alone; a
//!   verifier that hashes the payload accepts a payload relabelled as another type.
//! - A DSSE `keyid` is an unauthenticated hint: it never selects or excludes a key.
//! - ECDSA signatures are malleable: `(r, n - s)` verifies wherever `(r, s)` does. Both
//!   are accepted, as OpenSSL and Go (so cosign) accept them; see [`verify_blob`]. Never
//!   identify a signature by its bytes.
//! - A small-order Ed25519 key would verify forged signatures; such keys are refused when
//!   read.
//! - A fingerprint is over the canonical key encoding, so one key has one fingerprint.
//! - A verified Statement is evidence only about artifacts whose digest it names
//!   ([`intoto::Statement::names_digest`]).

mod b64;
mod error;
mod json;
mod key;
mod verify;

pub mod dsse;
pub mod intoto;

use std::fmt;

pub use error::AttestError;
pub use key::PublicKey;
pub use verify::{verify_blob, verify_blob_any};

/// A signature algorithm this crate verifies, fixed by the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// Ed25519 (RFC 8032) over the message itself.
    Ed25519,
    /// ECDSA on NIST P-256 over the SHA-256 digest of the message.
    EcdsaP256Sha256,
}

impl Algorithm {
    /// The name shown to users and recorded in evidence: `ed25519` or `ecdsa-p256-sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "ed25519",
            Algorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Reads the name [`Algorithm::as_str`] writes.
    fn from_str(s: &str) -> Result<Algorithm, UnknownAlgorithm> {
        match s {
            "ed25519" => Ok(Algorithm::Ed25519),
            "ecdsa-p256-sha256" => Ok(Algorithm::EcdsaP256Sha256),
            _ => Err(UnknownAlgorithm(s.to_owned())),
        }
    }
}

/// A name that is not `ed25519` or `ecdsa-p256-sha256`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown signature algorithm {0:?} (expected ed25519 or ecdsa-p256-sha256)")]
pub struct UnknownAlgorithm(pub String);
