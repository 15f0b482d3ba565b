//! Signatures on input, on every backend: detached signatures made by OpenSSL (as
//! cosign makes them) and DSSE attestations made by securesystemslib, checked against a
//! service's keys; verdicts recorded and ledgered; environments that take only signed
//! releases refuse the others; evidence bundles carry the signatures and verify
//! offline, and fail with one byte changed. The fixtures are vigil-attest's, made by
//! those tools (see its tests/fixtures/make.sh).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::macros::datetime;
use vigil_engine::signatures::{SignatureInput, Verdict};
use vigil_engine::{DeployInput, Engine, EngineError, FixedClock, ReleaseInput, ReleaseRef};
use vigil_ledger::note::NoteSigner;
use vigil_store::testing::stores;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vigil-attest/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn text_of(name: &str) -> String {
    text(name).trim().to_owned()
}

struct World {
    engine: Engine,
    key: NoteSigner,
    _store: vigil_store::testing::TestStore,
}

fn worlds(test: &str) -> Vec<World> {
    stores(test)
        .into_iter()
        .map(|t| {
            let key = NoteSigner::generate("vigil-test").unwrap();
            let mut store = t.reopen();
            store.set_ledger_signer(Some(vigil_engine::ledger::signer(
                NoteSigner::from_skey(&key.to_skey()).unwrap(),
                None,
                Duration::ZERO,
            )));
            let clock = Arc::new(FixedClock::new(datetime!(2026-03-01 09:00 UTC)));
            World {
                engine: Engine::with_clock(store, clock),
                key,
                _store: t,
            }
        })
        .collect()
}

fn add(
    w: &mut World,
    version: &str,
    sbom: &[u8],
    signatures: SignatureInput<'_>,
) -> Result<vigil_engine::ReleaseOutcome, EngineError> {
    w.engine.add_release(&ReleaseInput {
        service: "billing-api",
        version,
        sbom,
        signatures,
        ..ReleaseInput::default()
    })
}

fn deploy(w: &mut World, env: &str, version: &str) -> Result<(), EngineError> {
    w.engine
        .deploy(&DeployInput {
            environment: env,
            release: ReleaseRef::Version {
                service: "billing-api",
                version,
            },
            actor: None,
            source: Some("test"),
            at: None,
        })
        .map(|_| ())
}

#[test]
fn signed_releases_verify_and_the_policy_refuses_the_rest() {
    for mut w in worlds("signatures_policy") {
        let backend = w.engine.store().backend();
        let sbom = fixture("sbom.cdx.json");

        // No key yet: the signature cannot be checked, and the release is unsigned.
        let sig = fixture("sbom.cdx.json.p256.sig.b64");
        let out = add(
            &mut w,
            "2.4.0",
            &sbom,
            SignatureInput {
                sbom: vec![&sig],
                ..SignatureInput::default()
            },
        )
        .unwrap();
        assert_eq!(out.signature_verdict, Verdict::Unsigned, "{backend}");
        assert_eq!(out.signatures[0].verdict, "no_key", "{backend}");

        w.engine
            .add_service_key("billing-api", &text("keys/p256.pub"))
            .unwrap();
        let ed = w
            .engine
            .add_service_key("billing-api", &text("keys/ed25519.pub"))
            .unwrap();
        assert_eq!(ed.algorithm, "ed25519");
        assert_eq!(
            ed.fingerprint,
            text("keys/ed25519.fingerprint").trim(),
            "{backend}"
        );

        // The same SBOM as 2.4.1, with every kind of signature: all verify.
        let (artifact, artifact_sig) = (
            fixture("artifact.tar.gz"),
            fixture("artifact.tar.gz.ed25519.sig"),
        );
        let provenance = fixture("provenance.p256.dsse.json");
        let raw_sig = fixture("sbom.cdx.json.p256.sig");
        let out = add(
            &mut w,
            "2.4.1",
            &sbom,
            SignatureInput {
                sbom: vec![&sig, &raw_sig],
                artifact: Some(&artifact),
                artifact_signatures: vec![&artifact_sig],
                attestations: vec![&provenance],
            },
        )
        .unwrap();
        let verdicts: Vec<(&str, &str, &str)> = out
            .signatures
            .iter()
            .map(|s| (s.kind.as_str(), s.target.as_str(), s.verdict.as_str()))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("signature", "sbom", "verified"),
                ("signature", "sbom", "verified"),
                ("signature", "artifact", "verified"),
                ("attestation", "application/vnd.in-toto+json", "verified"),
            ],
            "{backend}"
        );
        assert_eq!(out.signature_verdict, Verdict::Signed, "{backend}");
        assert_eq!(
            out.signatures[3].predicate_type.as_deref(),
            Some("https://slsa.dev/provenance/v1")
        );
        // The artifact's digest is recorded with the release.
        assert!(out.release.digests.contains(
            &"sha256:8f1ae0467f6b2a0ea90c2d6b715e484261c826dda752185655c5ff5be8534846".to_owned()
        ));

        // A changed SBOM under the old signature: the signature fails, the release is bad;
        // the provenance names neither this SBOM nor an artifact of it, so it fails too.
        let mut changed = sbom.clone();
        let at = changed.iter().position(|&b| b == b'2').unwrap();
        changed[at] = b'3';
        let out = add(
            &mut w,
            "2.4.2",
            &changed,
            SignatureInput {
                sbom: vec![&sig],
                attestations: vec![&provenance],
                ..SignatureInput::default()
            },
        )
        .unwrap();
        assert_eq!(out.signature_verdict, Verdict::Bad, "{backend}");
        assert_eq!(out.signatures[0].verdict, "failed");
        assert_eq!(out.signatures[1].verdict, "failed");
        assert!(
            out.signatures[1]
                .detail
                .as_deref()
                .unwrap()
                .contains("name neither"),
            "{:?}",
            out.signatures[1].detail
        );

        // Production takes only signed releases.
        w.engine.set_require_signed("production", true).unwrap();
        for version in ["2.4.0", "2.4.2"] {
            let err = deploy(&mut w, "production", version).unwrap_err();
            assert!(
                matches!(&err, EngineError::Conflict(m) if m.contains("takes only signed releases")),
                "{backend}: {err}"
            );
        }
        deploy(&mut w, "staging", "2.4.2").unwrap();
        deploy(&mut w, "production", "2.4.1").unwrap();
        let deployed: Vec<(String, Option<String>)> = w
            .engine
            .store()
            .read()
            .unwrap()
            .deployments()
            .unwrap()
            .into_iter()
            .map(|d| (d.environment, d.version))
            .collect();
        assert_eq!(
            deployed,
            [
                ("staging".to_owned(), Some("2.4.2".to_owned())),
                ("production".to_owned(), Some("2.4.1".to_owned())),
            ],
            "{backend}: a refused deployment leaves nothing behind"
        );

        // Verdicts, keys and the policy are ledgered; the log verifies.
        let kinds: Vec<String> = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaf_range(0, 1000)
            .unwrap()
            .into_iter()
            .map(|l| l.kind)
            .collect();
        for kind in [
            "release.signature",
            "service.key.added",
            "environment.policy",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "{backend}: no {kind} leaf");
        }
        let report = w.engine.verify_ledger(&[w.key.verifier()]).unwrap();
        assert!(report.ok, "{backend}: {:?}", report.problems);

        // The evidence bundle of 2.4.1 carries the four signatures and verifies offline.
        let bundle = w.engine.export_evidence("billing-api", "2.4.1").unwrap();
        assert_eq!(bundle.signatures.len(), 4);
        let bytes = serde_json::to_vec_pretty(&bundle).unwrap();
        let proved = vigil_engine::evidence::verify_bundle(&bytes, &[w.key.verifier()]).unwrap();
        assert_eq!(proved.signatures.len(), 4);
        assert_eq!(proved.ran.len(), 1);
        assert_eq!(proved.ran[0].environment, "production");
        assert!(proved.ran[0].until.is_none());

        // One byte changed anywhere that matters, and it no longer verifies; so does a
        // signature record claiming another key than the ledger recorded.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (p256, ed) = (
            text_of("keys/p256.fingerprint"),
            text_of("keys/ed25519.fingerprint"),
        );
        for (from, to) in [
            (p256.as_str(), ed.as_str()),
            ("\"production\"", "\"producti0n\""),
            ("\"verified\"", "\"verifiEd\""),
            (
                bundle.release.sbom_sha256.as_str(),
                &bundle.release.sbom_sha256.replacen('2', "3", 1),
            ),
        ] {
            let tampered = text.replacen(from, to, 1);
            assert_ne!(tampered, text);
            assert!(
                vigil_engine::evidence::verify_bundle(tampered.as_bytes(), &[w.key.verifier()])
                    .is_err(),
                "{backend}: {from} -> {to} went unnoticed"
            );
        }
        // And with another log's key, nothing verifies.
        let other = NoteSigner::generate("vigil-test").unwrap().verifier();
        assert!(vigil_engine::evidence::verify_bundle(&bytes, &[other]).is_err());
    }
}

#[test]
fn a_malformed_attestation_is_refused_and_leaves_nothing() {
    for mut w in worlds("signatures_malformed") {
        let backend = w.engine.store().backend();
        let err = add(
            &mut w,
            "1.0.0",
            &fixture("sbom.cdx.json"),
            SignatureInput {
                attestations: vec![b"{\"payloadType\": 1}"],
                ..SignatureInput::default()
            },
        )
        .unwrap_err();
        assert!(matches!(err, EngineError::Invalid(_)), "{backend}: {err}");
        assert!(err.to_string().contains("attestation 1"), "{err}");
        let mut tx = w.engine.store().read().unwrap();
        assert!(tx.release("billing-api", "1.0.0").unwrap().is_none());
        assert_eq!(tx.ledger_size().unwrap(), 0, "{backend}");
    }
}

#[test]
fn unsupported_keys_are_refused_with_the_reason() {
    for mut w in worlds("signatures_keys") {
        let err = w
            .engine
            .add_service_key("billing-api", &text("keys/rsa.pub"))
            .unwrap_err();
        assert!(err.to_string().contains("RSA"), "{err}");
        assert!(w.engine.service_keys(None).unwrap().is_empty());
    }
}

#[test]
fn a_signed_envelope_about_nothing_does_not_sign_a_release() {
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    // SubjectPublicKeyInfo of an Ed25519 key: a fixed prefix, then the 32 key bytes.
    let mut spki = hex::decode("302a300506032b6570032100").unwrap();
    spki.extend_from_slice(key.verifying_key().as_bytes());
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        b64.encode(&spki)
    );
    let (payload_type, payload) = ("text/plain", b"ship it".as_slice());
    let signature = key.sign(&vigil_attest::dsse::pae(payload_type, payload));
    let envelope = serde_json::json!({
        "payloadType": payload_type,
        "payload": b64.encode(payload),
        "signatures": [{"keyid": "", "sig": b64.encode(signature.to_bytes())}],
    })
    .to_string();
    for mut w in worlds("signatures_not_intoto") {
        let backend = w.engine.store().backend();
        w.engine.add_service_key("billing-api", &pem).unwrap();
        let out = add(
            &mut w,
            "1.0.0",
            &fixture("sbom.cdx.json"),
            SignatureInput {
                attestations: vec![envelope.as_bytes()],
                ..SignatureInput::default()
            },
        )
        .unwrap();
        assert_eq!(out.signatures[0].verdict, "failed", "{backend}");
        assert!(
            out.signatures[0].key_fingerprint.is_some(),
            "{backend}: the signature itself verified"
        );
        assert_eq!(out.signature_verdict, Verdict::Bad, "{backend}");
    }
}
