#![no_main]
//! `vigil_attest::PublicKey::from_pem` on arbitrary UTF-8, and the same bytes as a detached
//! signature: never panics; a key that reads writes PEM and DER that read back to the same
//! key, with a 64-hex-digit fingerprint.

use libfuzzer_sys::fuzz_target;
use vigil_attest::{PublicKey, verify_blob};

const P256: &str = include_str!("../../crates/vigil-attest/tests/fixtures/keys/p256.pub");
const ED25519: &str = include_str!("../../crates/vigil-attest/tests/fixtures/keys/ed25519.pub");

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes as a signature, raw or base64, for both key types.
    for pem in [P256, ED25519] {
        let key = PublicKey::from_pem(pem).expect("fixture key");
        let _ = verify_blob(&key, b"fuzz", data);
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(key) = PublicKey::from_pem(text) else {
        return;
    };
    let pem = key.to_pem();
    let from_pem = PublicKey::from_pem(&pem)
        .unwrap_or_else(|e| panic!("{text:?} written as {pem:?}, which fails: {e}"));
    assert_eq!(from_pem, key);
    assert_eq!(
        PublicKey::from_spki_der(key.spki_der()).expect("own DER reads"),
        key
    );
    let fingerprint = key.fingerprint();
    assert_eq!(fingerprint.len(), 64);
    assert!(
        fingerprint
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(from_pem.fingerprint(), fingerprint);
});
