//! DSSE envelopes made by securesystemslib over OpenSSL keys (`tests/fixtures/make.sh`),
//! holding in-toto Statements with SLSA provenance: each verifies with the keys that
//! signed it and no other, and not once its payload, type or signature changes.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

use std::path::PathBuf;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use vigil_attest::dsse::{self, Envelope};
use vigil_attest::intoto::{self, Statement};
use vigil_attest::{AttestError, PublicKey};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn key(name: &str) -> PublicKey {
    PublicKey::from_pem(&String::from_utf8(fixture(&format!("keys/{name}.pub"))).unwrap()).unwrap()
}

fn envelope(name: &str) -> Envelope {
    Envelope::parse(&fixture(name)).unwrap()
}

/// The fingerprints that verified `envelope` with `keys`, or the error's text.
fn verified_by(envelope: &Envelope, keys: &[PublicKey]) -> Result<Vec<String>, String> {
    dsse::verify(envelope, keys)
        .map(|v| {
            assert_eq!(v.payload_type, envelope.payload_type);
            v.key_fingerprints
        })
        .map_err(|e| e.to_string())
}

/// Up to 64 positions spread evenly over `0..len`, first and last included: enough to
/// change bytes in every part of a payload while keeping the test quick in a debug build.
fn spread(len: usize) -> impl Iterator<Item = usize> {
    let step = len.div_ceil(63).max(1);
    (0..len).step_by(step).chain(len.checked_sub(1))
}

/// Envelope fixtures and the keys that signed them.
const ENVELOPES: &[(&str, &[&str])] = &[
    ("provenance.p256.dsse.json", &["p256"]),
    ("provenance.ed25519.dsse.json", &["ed25519"]),
    ("provenance.both.dsse.json", &["p256", "ed25519"]),
    ("provenance-v0.2.p256.dsse.json", &["p256"]),
];

const ALL_KEYS: [&str; 4] = ["p256", "p256-other", "ed25519", "ed25519-other"];

#[test]
fn every_envelope_verifies_with_its_keys_only() {
    for &(file, signers) in ENVELOPES {
        let envelope = envelope(file);
        assert_eq!(envelope.payload_type, intoto::PAYLOAD_TYPE, "{file}");
        assert_eq!(envelope.signatures.len(), signers.len(), "{file}");
        for name in ALL_KEYS {
            let got = verified_by(&envelope, &[key(name)]);
            if signers.contains(&name) {
                assert_eq!(got, Ok(vec![key(name).fingerprint()]), "{file} with {name}");
            } else {
                let key = key(name);
                assert_eq!(
                    got,
                    Err(format!(
                        "no signature of the DSSE envelope ({} signatures) verifies with any of \
                         the 1 trusted keys: sha256:{} ({})",
                        signers.len(),
                        key.fingerprint(),
                        key.algorithm()
                    )),
                    "{file} with {name}"
                );
            }
        }
        // All keys at once: exactly the signers verify, reported in the order of the keys.
        let keys: Vec<PublicKey> = ALL_KEYS.iter().map(|n| key(n)).collect();
        let expect: Vec<String> = ALL_KEYS
            .iter()
            .filter(|n| signers.contains(n))
            .map(|n| key(n).fingerprint())
            .collect();
        assert_eq!(verified_by(&envelope, &keys), Ok(expect), "{file}");
    }
}

#[test]
fn an_envelope_signed_by_two_keys_verifies_with_either() {
    let envelope = envelope("provenance.both.dsse.json");
    let (p256, ed25519) = (key("p256"), key("ed25519"));
    assert_eq!(
        verified_by(&envelope, std::slice::from_ref(&p256)),
        Ok(vec![p256.fingerprint()])
    );
    assert_eq!(
        verified_by(&envelope, std::slice::from_ref(&ed25519)),
        Ok(vec![ed25519.fingerprint()])
    );
    assert_eq!(
        verified_by(
            &envelope,
            &[ed25519.clone(), key("p256-other"), p256.clone()]
        ),
        Ok(vec![ed25519.fingerprint(), p256.fingerprint()])
    );
    // One bad signature does not spoil the other.
    let mut one_broken = envelope.clone();
    one_broken.signatures[0].sig[10] ^= 1;
    assert_eq!(
        verified_by(&one_broken, &[p256.clone(), ed25519.clone()]),
        Ok(vec![ed25519.fingerprint()])
    );
}

#[test]
fn a_changed_payload_type_breaks_every_signature() {
    for &(file, signers) in ENVELOPES {
        let keys: Vec<PublicKey> = signers.iter().map(|n| key(n)).collect();
        for payload_type in [
            "application/vnd.in-toto+jsonx",
            "application/json",
            "",
            "application/vnd.in-toto+JSON",
        ] {
            let mut envelope = envelope(file);
            envelope.payload_type = payload_type.to_owned();
            assert!(
                verified_by(&envelope, &keys).is_err(),
                "{file} as {payload_type:?}"
            );
        }
    }
    // And so it does when the change is made in the JSON, before parsing.
    let text = String::from_utf8(fixture("provenance.p256.dsse.json")).unwrap();
    let relabelled = text.replace(
        "application/vnd.in-toto+json",
        "application/vnd.in-toto+jsom",
    );
    let envelope = Envelope::parse(relabelled.as_bytes()).unwrap();
    assert!(verified_by(&envelope, &[key("p256")]).is_err());
}

#[test]
fn one_changed_byte_of_payload_or_signature_breaks_it() {
    for &(file, signers) in ENVELOPES {
        let keys: Vec<PublicKey> = signers.iter().map(|n| key(n)).collect();
        let original = envelope(file);
        assert!(verified_by(&original, &keys).is_ok());
        for i in spread(original.payload.len()) {
            let mut changed = original.clone();
            changed.payload[i] ^= 0x01;
            assert!(
                verified_by(&changed, &keys).is_err(),
                "{file} payload byte {i}"
            );
        }
        let mut longer = original.clone();
        longer.payload.push(b' ');
        assert!(
            verified_by(&longer, &keys).is_err(),
            "{file} with a space added"
        );
        // Each signature alone, with each of its bytes changed.
        for s in 0..original.signatures.len() {
            for i in 0..original.signatures[s].sig.len() {
                let mut changed = original.clone();
                changed.signatures = vec![changed.signatures[s].clone()];
                changed.signatures[0].sig[i] ^= 0x01;
                assert!(
                    verified_by(&changed, &keys).is_err(),
                    "{file} signature {s} byte {i}"
                );
            }
        }
    }
}

#[test]
fn keyid_is_a_hint_that_neither_selects_nor_excludes_keys() {
    let text = String::from_utf8(fixture("provenance.both.dsse.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for sig in json["signatures"].as_array_mut().unwrap() {
        sig["keyid"] = serde_json::Value::String("some other key".to_owned());
    }
    let envelope = Envelope::parse(json.to_string().as_bytes()).unwrap();
    assert_eq!(
        envelope.signatures[0].keyid.as_deref(),
        Some("some other key")
    );
    assert_eq!(
        verified_by(&envelope, &[key("ed25519")]),
        Ok(vec![key("ed25519").fingerprint()])
    );
    for sig in json["signatures"].as_array_mut().unwrap() {
        sig.as_object_mut().unwrap().remove("keyid");
    }
    let envelope = Envelope::parse(json.to_string().as_bytes()).unwrap();
    assert_eq!(envelope.signatures[1].keyid, None);
    assert_eq!(
        verified_by(&envelope, &[key("p256")]),
        Ok(vec![key("p256").fingerprint()])
    );
}

#[test]
fn url_safe_and_unpadded_base64_read_the_same() {
    let text = String::from_utf8(fixture("provenance.both.dsse.json")).unwrap();
    let original = Envelope::parse(text.as_bytes()).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    json["payload"] = url.encode(&original.payload).into();
    for (sig, parsed) in json["signatures"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(&original.signatures)
    {
        sig["sig"] = url.encode(&parsed.sig).into();
    }
    let reencoded = Envelope::parse(json.to_string().as_bytes()).unwrap();
    assert_eq!(reencoded, original);
    assert_eq!(
        verified_by(&reencoded, &[key("p256"), key("ed25519")])
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn the_statements_read_as_written() {
    let artifact = hex::encode(Sha256::digest(fixture("artifact.tar.gz")));
    let sbom = hex::encode(Sha256::digest(fixture("sbom.cdx.json")));

    let v1 = Statement::from_envelope(&envelope("provenance.both.dsse.json")).unwrap();
    assert_eq!(v1.statement_type, intoto::STATEMENT_V1);
    assert_eq!(v1.predicate_type, "https://slsa.dev/provenance/v1");
    let names: Vec<&str> = v1.subjects.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["billing-api-2.4.1.tar.gz", "billing-api-2.4.1.cdx.json"]
    );
    assert!(v1.names_digest("sha256", &artifact));
    assert!(v1.names_digest("sha256", &artifact.to_uppercase()));
    assert!(v1.names_digest("sha256", &sbom));
    assert!(!v1.names_digest("sha512", &artifact));
    assert!(!v1.names_digest("sha256", &hex::encode(Sha256::digest(b"something else"))));
    assert_eq!(
        v1.predicate["runDetails"]["builder"]["id"],
        "https://ci.example.com/builders/release@v3"
    );

    let v01 = Statement::from_envelope(&envelope("provenance-v0.2.p256.dsse.json")).unwrap();
    assert_eq!(v01.statement_type, intoto::STATEMENT_V0_1);
    assert_eq!(v01.predicate_type, "https://slsa.dev/provenance/v0.2");
    assert!(v01.names_digest("sha256", &artifact));
    assert!(!v01.names_digest("sha256", &sbom));

    // Each fixture's payload parses the same with or without the payload type check.
    for &(file, _) in ENVELOPES {
        let envelope = envelope(file);
        assert_eq!(
            Statement::parse(&envelope.payload).unwrap(),
            Statement::from_envelope(&envelope).unwrap()
        );
    }
}

#[test]
fn a_statement_is_read_only_from_an_in_toto_payload_type() {
    let mut envelope = envelope("provenance.p256.dsse.json");
    envelope.payload_type = "application/vnd.example+json".to_owned();
    let err = Statement::from_envelope(&envelope).unwrap_err();
    assert!(matches!(err, AttestError::PayloadType { .. }));
    assert_eq!(
        err.to_string(),
        "DSSE payloadType is \"application/vnd.example+json\", expected \"application/vnd.in-toto+json\""
    );
}

#[test]
fn garbage_json_gives_clear_errors() {
    for (json, message) in [
        (
            "",
            "not a DSSE envelope: EOF while parsing a value at line 1 column 0",
        ),
        (
            "not json",
            "not a DSSE envelope: expected ident at line 1 column 2",
        ),
        (
            "{}",
            "not a DSSE envelope: missing field `payloadType` at line 1 column 2",
        ),
        (
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30="}"#,
            "not a DSSE envelope: missing field `signatures` at line 1 column 63",
        ),
        (
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":{}}"#,
            "not a DSSE envelope: signatures: invalid type: map, expected an array of at most 32 signatures at line 1 column 76",
        ),
        (
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"e30=","keyid":3}]}"#,
            "not a DSSE envelope: signatures[0].keyid: invalid type: integer `3`, expected a string at line 1 column 100",
        ),
    ] {
        assert_eq!(
            Envelope::parse(json.as_bytes()).unwrap_err().to_string(),
            message,
            "{json}"
        );
    }
    // A well-formed envelope whose payload is not a Statement.
    let mut envelope = envelope("provenance.p256.dsse.json");
    envelope.payload = b"{\"_type\": \"https://in-toto.io/Statement/v1\"}".to_vec();
    assert_eq!(
        Statement::from_envelope(&envelope).unwrap_err().to_string(),
        "not an in-toto Statement: missing field `subject` at line 1 column 44"
    );
    envelope.payload = b"\xff".to_vec();
    assert_eq!(
        Statement::from_envelope(&envelope).unwrap_err().to_string(),
        "not an in-toto Statement: expected value at line 1 column 1"
    );
}

#[test]
fn verify_needs_keys_and_signatures() {
    let mut envelope = envelope("provenance.p256.dsse.json");
    assert_eq!(
        verified_by(&envelope, &[]),
        Err("no trusted keys were given, so nothing can verify".to_owned())
    );
    envelope.signatures.clear();
    assert_eq!(
        verified_by(&envelope, &[key("p256")]),
        Err("not a DSSE envelope: signatures: the list is empty".to_owned())
    );
}
