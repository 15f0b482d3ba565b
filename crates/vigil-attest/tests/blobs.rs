//! Keys and detached signatures made by OpenSSL (`tests/fixtures/make.sh`): each signature
//! verifies with its key in every form a signer writes it, with no other key, and not
//! once any byte of the message or signature changes.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

use std::path::PathBuf;

use vigil_attest::{Algorithm, AttestError, PublicKey, verify_blob, verify_blob_any};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn key(name: &str) -> PublicKey {
    PublicKey::from_pem(&fixture_text(&format!("keys/{name}.pub"))).unwrap()
}

/// The error `from_pem` gives for `text`.
#[track_caller]
fn pem_error(text: &str) -> String {
    match PublicKey::from_pem(text) {
        Ok(key) => panic!("{text:?} read as {key:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn keys_read_as_openssl_wrote_them() {
    for (name, algorithm) in [
        ("p256", Algorithm::EcdsaP256Sha256),
        ("p256-other", Algorithm::EcdsaP256Sha256),
        ("ed25519", Algorithm::Ed25519),
        ("ed25519-other", Algorithm::Ed25519),
    ] {
        let key = key(name);
        assert_eq!(key.algorithm(), algorithm, "{name}");
        // openssl writes the canonical form, 64-column PEM with a final newline.
        assert_eq!(
            key.to_pem(),
            fixture_text(&format!("keys/{name}.pub")),
            "{name}"
        );
        assert_eq!(PublicKey::from_pem(&key.to_pem()).unwrap(), key, "{name}");
        // As a Windows editor may save it: a byte order mark and CRLF line ends.
        let windows = format!("\u{feff}{}", key.to_pem().replace('\n', "\r\n"));
        assert_eq!(PublicKey::from_pem(&windows).unwrap(), key, "{name}");
    }
    for name in ["p256", "ed25519"] {
        let key = key(name);
        let der = fixture(&format!("keys/{name}.der"));
        assert_eq!(key.spki_der(), der.as_slice(), "{name}");
        assert_eq!(PublicKey::from_spki_der(&der).unwrap(), key, "{name}");
        // `openssl pkey -pubin -outform DER | sha256sum` gives the same fingerprint.
        let fingerprint = fixture_text(&format!("keys/{name}.fingerprint"));
        assert_eq!(key.fingerprint(), fingerprint.trim(), "{name}");
        assert_eq!(key.fingerprint_str(), fingerprint.trim(), "{name}");
        assert_eq!(
            key.to_string(),
            format!("sha256:{} ({})", key.fingerprint(), key.algorithm())
        );
    }
    assert_ne!(key("p256").fingerprint(), key("p256-other").fingerprint());
}

#[test]
fn a_compressed_point_is_the_same_key_with_the_same_fingerprint() {
    let compressed = key("p256-compressed");
    assert_eq!(compressed, key("p256"));
    assert_eq!(compressed.fingerprint(), key("p256").fingerprint());
    let message = fixture("sbom.cdx.json");
    verify_blob(&compressed, &message, &fixture("sbom.cdx.json.p256.sig")).unwrap();
}

#[test]
fn unsupported_keys_are_refused_by_name() {
    for (name, message) in [
        (
            "rsa",
            "unsupported key type RSA (only Ed25519 and ECDSA P-256 are accepted)",
        ),
        (
            "rsa-pkcs1",
            "unsupported key type RSA (only Ed25519 and ECDSA P-256 are accepted)",
        ),
        (
            "p384",
            "unsupported key type ECDSA P-384 (only Ed25519 and ECDSA P-256 are accepted)",
        ),
        (
            "secp256k1",
            "unsupported key type ECDSA secp256k1 (only Ed25519 and ECDSA P-256 are accepted)",
        ),
        (
            "ed448",
            "unsupported key type Ed448 (only Ed25519 and ECDSA P-256 are accepted)",
        ),
        (
            "p256-explicit",
            "unsupported key type EC with explicit curve parameters (name the curve instead) \
             (only Ed25519 and ECDSA P-256 are accepted)",
        ),
    ] {
        let err = PublicKey::from_pem(&fixture_text(&format!("keys/{name}.pub"))).unwrap_err();
        assert!(
            matches!(err, AttestError::UnsupportedKey { .. }),
            "{name}: {err:?}"
        );
        assert_eq!(err.to_string(), message, "{name}");
    }
}

#[test]
fn garbage_pem_gives_clear_errors() {
    let p256 = fixture_text("keys/p256.pub");
    let body: String = p256.lines().filter(|l| !l.starts_with("-----")).collect();
    for (text, message) in [
        (
            "",
            "not a PEM public key: no PEM block found (expected a line -----BEGIN PUBLIC KEY-----)",
        ),
        (
            "hello world",
            "not a PEM public key: no PEM block found (expected a line -----BEGIN PUBLIC KEY-----)",
        ),
        (
            &body,
            "not a PEM public key: no PEM block found (expected a line -----BEGIN PUBLIC KEY-----)",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\nMFkw\n",
            "not a PEM public key: the block \"PUBLIC KEY\" that begins on line 1 has no END line",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\nMFkw!!\n-----END PUBLIC KEY-----\n",
            "not a PEM public key: the PUBLIC KEY block is not base64: invalid base64 character '!' at offset 4",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
            "not a PEM public key: the PUBLIC KEY block is not base64: no base64 text",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\naGVsbG8gd29ybGQ=\n-----END PUBLIC KEY-----\n",
            "not a DER SubjectPublicKeyInfo: unexpected ASN.1 DER tag: expected SEQUENCE, got APPLICATION [8] (constructed)",
        ),
        (
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "not a PEM public key: this is a certificate, not a public key; extract its key with \
             `openssl x509 -in CERT -pubkey -noout`",
        ),
        (
            "-----BEGIN SSH2 PUBLIC KEY-----\nAAAA\n-----END SSH2 PUBLIC KEY-----\n",
            "not a PEM public key: the PEM block is \"SSH2 PUBLIC KEY\", expected \"PUBLIC KEY\"",
        ),
        (
            "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n",
            "this is a private key (PEM label \"EC PRIVATE KEY\"), not a public key; give the \
             public key instead (`openssl pkey -in KEY -pubout` prints it)",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\nMFkw\n-----END PUBLIC KEY-----\n",
            "not a PEM public key: the PEM block has headers (`Name: value` lines), which a \
             public key never has",
        ),
    ] {
        assert_eq!(pem_error(text), message, "{text:?}");
    }
    // Two keys in one entry are refused rather than one of them silently picked.
    let two = format!("{p256}{}", fixture_text("keys/ed25519.pub"));
    assert_eq!(
        pem_error(&two),
        "not a PEM public key: the text holds 2 PEM blocks; give one public key per entry"
    );
    // A private key next to a public key is named as such, and never quoted.
    let with_private =
        format!("{p256}-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
    let message = pem_error(&with_private);
    assert!(
        message.starts_with("this is a private key (PEM label \"PRIVATE KEY\")"),
        "{message}"
    );
    assert!(!message.contains("c2VjcmV0"), "{message}");
}

#[test]
fn garbage_der_gives_clear_errors() {
    let der = fixture("keys/ed25519.der");
    let mut trailing = der.clone();
    trailing.push(0);
    for (bytes, message) in [
        (
            &[][..],
            "not a DER SubjectPublicKeyInfo: ASN.1 DER message is incomplete: expected 1, actual 0 at DER byte 0",
        ),
        (
            &trailing[..],
            "not a DER SubjectPublicKeyInfo: trailing data at end of DER message: decoded 44 bytes, 1 bytes remaining at DER byte 44",
        ),
        (
            &der[..43],
            "not a DER SubjectPublicKeyInfo: ASN.1 DER message is incomplete: expected 44, actual 43 at DER byte 2",
        ),
    ] {
        assert_eq!(
            PublicKey::from_spki_der(bytes).unwrap_err().to_string(),
            message
        );
    }
    // The small-order point (0, 1) of edwards25519, which any signature would verify with.
    let mut weak = der[..12].to_vec();
    weak.extend_from_slice(&{
        let mut y = [0u8; 32];
        y[0] = 1;
        y
    });
    assert_eq!(
        PublicKey::from_spki_der(&weak).unwrap_err().to_string(),
        "invalid ed25519 public key: the point has small order, so any signature would verify"
    );
    // A P-256 point off the curve.
    let mut off_curve = fixture("keys/p256.der");
    let last = off_curve.len() - 1;
    off_curve[last] ^= 1;
    assert_eq!(
        PublicKey::from_spki_der(&off_curve)
            .unwrap_err()
            .to_string(),
        "invalid ecdsa-p256-sha256 public key: the key is not a point of the curve"
    );
}

/// Up to 64 positions spread evenly over `0..len`, first and last included: enough to
/// change bytes in every part of a file while keeping the test quick in a debug build.
fn spread(len: usize) -> impl Iterator<Item = usize> {
    let step = len.div_ceil(63).max(1);
    (0..len).step_by(step).chain(len.checked_sub(1))
}

/// Every signature fixture: signed file, signature file, key that made it.
const SIGNATURES: &[(&str, &str, &str)] = &[
    ("sbom.cdx.json", "sbom.cdx.json.p256.sig", "p256"),
    ("sbom.cdx.json", "sbom.cdx.json.p256.sig.b64", "p256"),
    ("sbom.cdx.json", "sbom.cdx.json.p256.sig.wrapped", "p256"),
    ("sbom.cdx.json", "sbom.cdx.json.ed25519.sig", "ed25519"),
    ("sbom.cdx.json", "sbom.cdx.json.ed25519.sig.b64", "ed25519"),
    ("artifact.tar.gz", "artifact.tar.gz.p256.sig", "p256"),
    ("artifact.tar.gz", "artifact.tar.gz.p256.sig.b64", "p256"),
    (
        "artifact.tar.gz",
        "artifact.tar.gz.p256.sig.wrapped",
        "p256",
    ),
    ("artifact.tar.gz", "artifact.tar.gz.ed25519.sig", "ed25519"),
    (
        "artifact.tar.gz",
        "artifact.tar.gz.ed25519.sig.b64",
        "ed25519",
    ),
];

#[test]
fn every_signature_verifies_with_its_key_only() {
    let all = ["p256", "p256-other", "ed25519", "ed25519-other"];
    for &(file, sig, signer) in SIGNATURES {
        let message = fixture(file);
        let signature = fixture(sig);
        for name in all {
            let result = verify_blob(&key(name), &message, &signature);
            if name == signer {
                result.unwrap_or_else(|e| panic!("{sig} with {name}: {e}"));
            } else {
                assert!(result.is_err(), "{sig} verified with {name}");
            }
        }
    }
}

#[test]
fn base64_text_may_end_with_a_newline_or_not() {
    let message = fixture("sbom.cdx.json");
    for (sig, signer) in [
        ("sbom.cdx.json.p256.sig.b64", "p256"),
        ("sbom.cdx.json.ed25519.sig.b64", "ed25519"),
    ] {
        let text = String::from_utf8(fixture(sig)).unwrap();
        let bare = text.trim_end();
        for variant in [bare.to_owned(), format!("{bare}\n"), format!("{bare}\r\n")] {
            verify_blob(&key(signer), &message, variant.as_bytes()).unwrap();
        }
    }
}

#[test]
fn a_wrong_key_of_the_same_type_says_which_key_failed() {
    let other = key("p256-other");
    let err = verify_blob(
        &other,
        &fixture("sbom.cdx.json"),
        &fixture("sbom.cdx.json.p256.sig.b64"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "signature does not verify with key sha256:{} (ecdsa-p256-sha256)",
            other.fingerprint()
        )
    );
    let other = key("ed25519-other");
    let err = verify_blob(
        &other,
        &fixture("sbom.cdx.json"),
        &fixture("sbom.cdx.json.ed25519.sig"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "signature does not verify with key sha256:{} (ed25519)",
            other.fingerprint()
        )
    );
}

#[test]
fn a_signature_of_the_other_algorithm_is_malformed_for_the_key() {
    let message = fixture("sbom.cdx.json");
    let der = fixture("sbom.cdx.json.p256.sig");
    let err = verify_blob(&key("ed25519"), &message, &der).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "malformed ed25519 signature: got {} bytes, which are neither a 64-byte Ed25519 \
             signature nor base64 text of one",
            der.len()
        )
    );
    let err = verify_blob(
        &key("ed25519"),
        &message,
        &fixture("sbom.cdx.json.p256.sig.b64"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "malformed ed25519 signature: got 96 bytes of base64 text decoding to {} bytes, \
             which is not a 64-byte Ed25519 signature",
            der.len()
        )
    );
    let err = verify_blob(&key("p256"), &message, b"not a signature\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed ecdsa-p256-sha256 signature: got 16 bytes, which are neither an ECDSA P-256 \
         signature (ASN.1 DER or 64-byte r||s) nor base64 text of one"
    );
    // A raw Ed25519 signature is 64 bytes, the size of a P-256 r||s, so it is read as one
    // and fails to verify rather than being malformed.
    let err = verify_blob(
        &key("p256"),
        &message,
        &fixture("sbom.cdx.json.ed25519.sig"),
    )
    .unwrap_err();
    assert!(
        matches!(err, AttestError::SignatureMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn one_changed_byte_of_message_or_signature_breaks_it() {
    for &(file, sig, signer) in SIGNATURES {
        // The raw signatures stand for their encodings: every base64 reading is checked by
        // the same code after decoding.
        if sig.ends_with(".b64") || sig.ends_with(".wrapped") {
            continue;
        }
        let key = key(signer);
        let message = fixture(file);
        let signature = fixture(sig);
        for i in spread(message.len()) {
            let mut changed = message.clone();
            changed[i] ^= 0x01;
            assert!(
                verify_blob(&key, &changed, &signature).is_err(),
                "{file} byte {i}"
            );
        }
        for i in 0..signature.len() {
            let mut changed = signature.clone();
            changed[i] ^= 0x01;
            assert!(
                verify_blob(&key, &message, &changed).is_err(),
                "{sig} byte {i}"
            );
        }
        let mut longer = message.clone();
        longer.push(b'\n');
        assert!(
            verify_blob(&key, &longer, &signature).is_err(),
            "{file} with a newline added"
        );
        assert!(
            verify_blob(&key, &message[..message.len() - 1], &signature).is_err(),
            "{file} cut"
        );
    }
}

#[test]
fn one_changed_character_of_base64_text_breaks_it() {
    for &(file, sig, signer) in SIGNATURES {
        if !sig.ends_with(".b64") {
            continue;
        }
        let key = key(signer);
        let message = fixture(file);
        let text = fixture(sig);
        for i in 0..text.len() {
            if text[i].is_ascii_whitespace() {
                continue;
            }
            let mut changed = text.clone();
            changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
            assert!(
                verify_blob(&key, &message, &changed).is_err(),
                "{sig} character {i}"
            );
        }
    }
}

#[test]
fn verify_blob_any_names_the_key_that_verified() {
    let keys = [
        key("ed25519-other"),
        key("p256-other"),
        key("p256"),
        key("ed25519"),
    ];
    let message = fixture("artifact.tar.gz");
    assert_eq!(
        verify_blob_any(&keys, &message, &fixture("artifact.tar.gz.p256.sig.b64")).unwrap(),
        2
    );
    assert_eq!(
        verify_blob_any(&keys, &message, &fixture("artifact.tar.gz.ed25519.sig")).unwrap(),
        3
    );

    let untrusted = [key("ed25519-other"), key("p256-other")];
    let err =
        verify_blob_any(&untrusted, &message, &fixture("artifact.tar.gz.p256.sig")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "signature does not verify with any of the 2 trusted keys: sha256:{} (ed25519), sha256:{} (ecdsa-p256-sha256)",
            untrusted[0].fingerprint(),
            untrusted[1].fingerprint()
        )
    );
    let err = verify_blob_any(&[], &message, &fixture("artifact.tar.gz.p256.sig")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no trusted keys were given, so nothing can verify"
    );
    // A signature no key can even read reports why.
    let err = verify_blob_any(&untrusted, &message, b"").unwrap_err();
    assert!(
        matches!(err, AttestError::MalformedSignature { .. }),
        "{err:?}"
    );
}
