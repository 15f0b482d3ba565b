#![no_main]
//! `vigil_attest::dsse::Envelope::parse` on arbitrary bytes, then `Statement::parse` on the
//! payload of any envelope that parses: never panics; an envelope that parses has 1 to 32
//! signatures, writes back to JSON that parses to the same envelope, and is checked with
//! trusted keys of both types; a Statement that parses names at least one digest.

use libfuzzer_sys::fuzz_target;
use vigil_attest::PublicKey;
use vigil_attest::dsse::{self, Envelope, MAX_SIGNATURES};
use vigil_attest::intoto::{STATEMENT_V0_1, STATEMENT_V1, Statement};

const P256: &str = include_str!("../../crates/vigil-attest/tests/fixtures/keys/p256.pub");
const ED25519: &str = include_str!("../../crates/vigil-attest/tests/fixtures/keys/ed25519.pub");

fuzz_target!(|data: &[u8]| {
    let Ok(envelope) = Envelope::parse(data) else {
        return;
    };
    assert!((1..=MAX_SIGNATURES).contains(&envelope.signatures.len()));
    assert!(
        envelope
            .signatures
            .iter()
            .all(|s| s.keyid.as_deref() != Some(""))
    );
    let json = envelope.to_json();
    let back = Envelope::parse(json.as_bytes())
        .unwrap_or_else(|e| panic!("{json:?} written from a parsed envelope fails: {e}"));
    assert_eq!(back, envelope);
    let pae = envelope.pae();
    assert!(pae.starts_with(b"DSSEv1 ") && pae.ends_with(&envelope.payload));

    // Signature bytes from the input reach the DER and r||s readers of both key types.
    let keys = [
        PublicKey::from_pem(P256).expect("fixture key"),
        PublicKey::from_pem(ED25519).expect("fixture key"),
    ];
    if let Ok(verified) = dsse::verify(&envelope, &keys) {
        assert!(!verified.key_fingerprints.is_empty());
        assert_eq!(verified.payload_type, envelope.payload_type);
    }

    if let Ok(statement) = Statement::parse(&envelope.payload) {
        assert!(
            statement.statement_type == STATEMENT_V1 || statement.statement_type == STATEMENT_V0_1
        );
        assert!(!statement.subjects.is_empty());
        for subject in &statement.subjects {
            assert!(!subject.digests.is_empty());
            for (algorithm, value) in &subject.digests {
                if !value.is_empty() {
                    assert!(statement.names_digest(algorithm, value));
                    assert!(statement.names_digest(algorithm, &value.to_ascii_uppercase()));
                }
            }
        }
        assert!(!statement.names_digest("sha256", ""));
    }
});
