//! Published answers and documented decisions: the DSSE protocol's own PAE example and
//! signed envelope; ECDSA signatures verify in both their low-S and high-S forms; an
//! Ed25519 signature's `S` must be reduced.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

use std::path::PathBuf;

use base64::Engine as _;
use vigil_attest::dsse::{self, Envelope};
use vigil_attest::{Algorithm, PublicKey, verify_blob};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[track_caller]
fn check_pae(payload_type: &str, payload: &[u8], expect: &[u8]) {
    assert_eq!(
        dsse::pae(payload_type, payload),
        expect,
        "{:?}",
        String::from_utf8_lossy(expect)
    );
}

#[test]
fn pae_known_answers() {
    // The example in the DSSE protocol document.
    check_pae(
        "http://example.com/HelloWorld",
        b"hello world",
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
    check_pae("", b"", b"DSSEv1 0  0 ");
    // Lengths count bytes, not characters.
    check_pae("é", b"\x00\xff", b"DSSEv1 2 \xc3\xa9 2 \x00\xff");
    check_pae(
        "t",
        &[b'x'; 1000],
        &[&b"DSSEv1 1 t 1000 "[..], &[b'x'; 1000]].concat(),
    );
}

/// The P-256 key of the DSSE protocol document's example, as the uncompressed point
/// `04 || X || Y` of its decimal `X` and `Y`.
const SPEC_POINT: &str = "0467cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f70954c0390d238\
                          0c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74";

/// The envelope the DSSE protocol document gives for its example (signature `r || s`).
const SPEC_ENVELOPE: &str = r#"{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;

fn spec_key() -> PublicKey {
    // SubjectPublicKeyInfo for a named-curve P-256 key (RFC 5480), written out by hand so
    // this test does not lean on the crate's own encoder.
    let mut der = hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap();
    der.extend(hex::decode(SPEC_POINT).unwrap());
    PublicKey::from_spki_der(&der).unwrap()
}

#[test]
fn the_dsse_spec_example_verifies() {
    let envelope = Envelope::parse(SPEC_ENVELOPE.as_bytes()).unwrap();
    assert_eq!(envelope.payload, b"hello world");
    assert_eq!(
        envelope.pae(),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    let key = spec_key();
    assert_eq!(key.algorithm(), Algorithm::EcdsaP256Sha256);
    let verified = dsse::verify(&envelope, std::slice::from_ref(&key)).unwrap();
    assert_eq!(verified.payload_type, "http://example.com/HelloWorld");
    assert_eq!(verified.key_fingerprints, [key.fingerprint()]);
    // The same signature, detached, over the PAE.
    verify_blob(&key, &envelope.pae(), &envelope.signatures[0].sig).unwrap();
    assert!(verify_blob(&key, b"hello world", &envelope.signatures[0].sig).is_err());
}

fn p256_key() -> PublicKey {
    PublicKey::from_pem(&String::from_utf8(fixture("keys/p256.pub")).unwrap()).unwrap()
}

/// `signature` with `s` replaced by `n - s`.
fn flip_s(signature: &p256::ecdsa::Signature) -> p256::ecdsa::Signature {
    let (r, s) = signature.split_scalars();
    p256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap()
}

/// Decision: a high-S ECDSA signature verifies. OpenSSL signs with either S and accepts
/// either (make.sh checks both fixtures with `openssl dgst -verify`), and so do Go's
/// crypto/ecdsa and cosign; refusing high S would refuse about half of what they sign.
#[test]
fn ecdsa_verifies_with_low_and_high_s_as_openssl_does() {
    let key = p256_key();
    let message = fixture("sbom.cdx.json");
    let low_der = fixture("sbom.cdx.json.p256-low-s.sig");
    let high_der = fixture("sbom.cdx.json.p256-high-s.sig");
    let low = p256::ecdsa::Signature::from_der(&low_der).unwrap();
    let high = p256::ecdsa::Signature::from_der(&high_der).unwrap();
    // The fixtures are what their names say: one signature in its two forms.
    assert!(low.normalize_s().is_none(), "low-S fixture has high S");
    assert_eq!(high.normalize_s(), Some(low));
    assert_eq!(flip_s(&low), high);
    for (form, signature) in [
        ("low-S DER", low_der.clone()),
        ("high-S DER", high_der.clone()),
        ("low-S r||s", low.to_bytes().to_vec()),
        ("high-S r||s", high.to_bytes().to_vec()),
        (
            "high-S DER base64",
            base64::engine::general_purpose::STANDARD
                .encode(&high_der)
                .into_bytes(),
        ),
    ] {
        verify_blob(&key, &message, &signature).unwrap_or_else(|e| panic!("{form}: {e}"));
    }
    // Both forms are still bound to the message.
    let mut changed = message.clone();
    changed[0] ^= 1;
    assert!(verify_blob(&key, &changed, &high_der).is_err());
}

#[test]
fn a_dsse_signature_verifies_in_its_other_s_form_too() {
    let key = p256_key();
    let mut envelope = Envelope::parse(&fixture("provenance.p256.dsse.json")).unwrap();
    let original = p256::ecdsa::Signature::from_der(&envelope.signatures[0].sig).unwrap();
    envelope.signatures[0].sig = flip_s(&original).to_der().as_bytes().to_vec();
    assert_ne!(flip_s(&original), original);
    let verified = dsse::verify(&envelope, std::slice::from_ref(&key)).unwrap();
    assert_eq!(verified.key_fingerprints, [key.fingerprint()]);
}

/// The order of the Ed25519 group, little-endian (RFC 8032, section 5.1).
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Ed25519 is not malleable the way ECDSA is: `S + L` is the same scalar as `S`, but RFC
/// 8032 requires `S < L`, so the second spelling of the OpenSSL signature is refused.
#[test]
fn ed25519_refuses_an_unreduced_s() {
    let key =
        PublicKey::from_pem(&String::from_utf8(fixture("keys/ed25519.pub")).unwrap()).unwrap();
    let message = fixture("sbom.cdx.json");
    let signature = fixture("sbom.cdx.json.ed25519.sig");
    verify_blob(&key, &message, &signature).unwrap();
    let mut unreduced = signature.clone();
    let mut carry = 0u16;
    for (byte, l) in unreduced[32..].iter_mut().zip(ED25519_L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    // S < L < 2^253, so S + L < 2^254 fits the 32 bytes with no carry out.
    assert_eq!(carry, 0);
    assert_ne!(unreduced, signature);
    let err = verify_blob(&key, &message, &unreduced).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "signature does not verify with key sha256:{} (ed25519)",
            key.fingerprint()
        )
    );
}
