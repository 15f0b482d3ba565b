//! Property tests: whatever is signed, with whichever key of either type, verifies in
//! every accepted encoding, and stops verifying when the message changes.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

use base64::Engine as _;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use proptest::prelude::*;
use vigil_attest::dsse::{self, Envelope, EnvelopeSignature};
use vigil_attest::{Algorithm, PublicKey, verify_blob, verify_blob_any};

/// A signing key of either type, built from 32 random bytes.
#[derive(Debug, Clone)]
enum Signer {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl Signer {
    /// The public key, encoded by the signing crate rather than by vigil-attest.
    fn public(&self) -> PublicKey {
        let der = match self {
            Signer::Ed25519(k) => k.verifying_key().to_public_key_der().unwrap(),
            Signer::P256(k) => p256::pkcs8::EncodePublicKey::to_public_key_der(
                &p256::PublicKey::from(k.verifying_key()),
            )
            .unwrap(),
        };
        PublicKey::from_spki_der(der.as_bytes()).unwrap()
    }

    /// The signature as its signer's usual tool writes it: raw 64 bytes for Ed25519,
    /// DER for ECDSA.
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Signer::Ed25519(k) => ed25519_dalek::Signer::sign(k, message).to_bytes().to_vec(),
            Signer::P256(k) => {
                let sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(k, message);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }
}

fn signer() -> impl Strategy<Value = Signer> {
    prop_oneof![
        any::<[u8; 32]>()
            .prop_map(|seed| Signer::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))),
        // A seed of zero or at least the group order is no P-256 key; those are vanishingly rare.
        any::<[u8; 32]>().prop_filter_map("not a P-256 scalar", |seed| {
            p256::ecdsa::SigningKey::from_slice(&seed)
                .ok()
                .map(Signer::P256)
        }),
    ]
}

// Case counts are modest because P-256 arithmetic is slow in the unoptimised test build;
// PROPTEST_CASES does not override them.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn detached_signatures_round_trip(signer in signer(), message in proptest::collection::vec(any::<u8>(), 0..512)) {
        let key = signer.public();
        prop_assert_eq!(PublicKey::from_pem(&key.to_pem()).unwrap(), key.clone());
        let raw = signer.sign(&message);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        for form in [raw.clone(), b64.clone().into_bytes(), format!("{b64}\n").into_bytes(), url.into_bytes()] {
            prop_assert!(verify_blob(&key, &message, &form).is_ok());
        }
        if let Signer::P256(_) = signer {
            let fixed = p256::ecdsa::Signature::from_der(&raw).unwrap().to_bytes().to_vec();
            prop_assert!(verify_blob(&key, &message, &fixed).is_ok());
        }
        let mut changed = message.clone();
        changed.push(0);
        prop_assert!(verify_blob(&key, &changed, &raw).is_err());
        if !message.is_empty() {
            let mut changed = message.clone();
            changed[0] ^= 0x20;
            prop_assert!(verify_blob(&key, &changed, &raw).is_err());
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn verify_blob_any_finds_the_signer_among_others(
        signers in proptest::collection::vec(signer(), 1..5),
        which in any::<prop::sample::Index>(),
        message in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let keys: Vec<PublicKey> = signers.iter().map(Signer::public).collect();
        let signed_by = which.index(signers.len());
        let signature = signers[signed_by].sign(&message);
        let found = verify_blob_any(&keys, &message, &signature).unwrap();
        // Random keys are distinct, so the first key that verifies is the signer.
        prop_assert_eq!(found, signed_by);
    }

    #[test]
    fn envelopes_round_trip(
        signers in proptest::collection::vec(signer(), 1..4),
        payload_type in "[ -~]{0,40}",
        payload in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let pae = dsse::pae(&payload_type, &payload);
        let signatures: Vec<serde_json::Value> = signers
            .iter()
            .map(|s| serde_json::json!({"keyid": "", "sig": base64::engine::general_purpose::STANDARD.encode(s.sign(&pae))}))
            .collect();
        let json = serde_json::json!({
            "payloadType": payload_type,
            "payload": base64::engine::general_purpose::STANDARD.encode(&payload),
            "signatures": signatures,
        });
        let envelope = Envelope::parse(json.to_string().as_bytes()).unwrap();
        prop_assert_eq!(&envelope.payload, &payload);
        prop_assert_eq!(&envelope.payload_type, &payload_type);
        let keys: Vec<PublicKey> = signers.iter().map(Signer::public).collect();
        let verified = dsse::verify(&envelope, &keys).unwrap();
        let fingerprints: Vec<String> = keys.iter().map(PublicKey::fingerprint).collect();
        prop_assert_eq!(verified.key_fingerprints, fingerprints);
        // Each key alone verifies its own signature.
        for key in &keys {
            prop_assert!(dsse::verify(&envelope, std::slice::from_ref(key)).is_ok());
        }
        // A different type breaks every signature.
        let mut relabelled = envelope.clone();
        relabelled.payload_type.push('x');
        prop_assert!(dsse::verify(&relabelled, &keys).is_err());
        // A signature over the bare payload is not a DSSE signature.
        let bare = Envelope {
            signatures: vec![EnvelopeSignature { keyid: None, sig: signers[0].sign(&payload) }],
            ..envelope
        };
        prop_assert!(dsse::verify(&bare, &keys).is_err());
    }
}

#[test]
fn algorithm_names_round_trip() {
    for algorithm in [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256] {
        assert_eq!(algorithm.to_string().parse::<Algorithm>(), Ok(algorithm));
    }
    assert_eq!(Algorithm::Ed25519.to_string(), "ed25519");
    assert_eq!(Algorithm::EcdsaP256Sha256.to_string(), "ecdsa-p256-sha256");
    assert_eq!(
        "rsa".parse::<Algorithm>().unwrap_err().to_string(),
        "unknown signature algorithm \"rsa\" (expected ed25519 or ecdsa-p256-sha256)"
    );
}
