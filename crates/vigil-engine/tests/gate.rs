//! The deployment gate on every backend: the built-in policy denies an untriaged
//! critical finding until triage decides it, denies an unsigned release where the
//! environment takes only signed ones, and warns of overdue findings; the policies in
//! the repository's policies/ directory compile and their own tests pass.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::path::PathBuf;
use std::sync::Arc;

use time::Duration;
use time::macros::datetime;
use vigil_engine::triage::TriageInput;
use vigil_engine::{AdvisoryInput, DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
use vigil_store::testing::stores;

fn advisory() -> AdvisoryInput {
    let json = r#"{"schema_version": "1.6.0", "id": "GHSA-cccc-cccc-cccc", "modified": "2026-03-01T00:00:00Z",
  "published": "2026-03-01T00:00:00Z", "aliases": ["CVE-2026-0003"], "summary": "qs prototype pollution",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{"package": {"ecosystem": "npm", "name": "qs"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "6.10.3"}]}]}]}"#;
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.as_bytes().to_vec(),
        source: Some("test".into()),
    }
}

const SBOM: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [{"type": "library", "name": "qs", "version": "6.10.1", "purl": "pkg:npm/qs@6.10.1"}]}"#;

#[test]
fn the_builtin_policy_denies_untriaged_critical_and_unsigned() {
    for t in stores("gate") {
        let clock = Arc::new(FixedClock::new(datetime!(2026-03-02 00:00 UTC)));
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        engine.import_advisories(vec![advisory()]).unwrap();
        engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom: SBOM.as_bytes(),
                ..ReleaseInput::default()
            })
            .unwrap();
        let answer = engine.gate("prod", "checkout", "1.0.0", None).unwrap();
        assert!(!answer.decision.allow);
        let codes: Vec<&str> = answer
            .decision
            .deny
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(codes, ["untriaged_critical"]);
        assert_eq!(
            answer.decision.deny[0].advisory.as_deref(),
            Some("GHSA-cccc-cccc-cccc")
        );
        // The input document as documented: due now + 7 days (critical), not overdue.
        let f = &answer.input["findings"][0];
        assert_eq!(f["severity"], "critical");
        assert_eq!(f["package"]["purl"], "pkg:npm/qs@6.10.1");
        assert_eq!(f["due"], "2026-03-09T00:00:00Z");
        assert_eq!(f["overdue"], false);
        assert_eq!(f["triage"], serde_json::Value::Null);
        assert_eq!(answer.input["environment"]["sla_days"]["critical"], 7);

        // Triage decides it: affected, with an action. Allowed.
        engine
            .triage(&TriageInput {
                vulnerability: "CVE-2026-0003".into(),
                status: "affected".into(),
                service: Some("checkout".into()),
                action: Some("upgrade qs in 1.0.1, due this week".into()),
                actor: "dana".into(),
                ..TriageInput::default()
            })
            .unwrap();
        let answer = engine.gate("prod", "checkout", "1.0.0", None).unwrap();
        assert!(answer.decision.allow, "{:?}", answer.decision);
        assert_eq!(answer.input["findings"][0]["triage"]["status"], "affected");

        // A risk acceptance that has expired no longer counts, lapsed or not.
        let accepted = engine
            .triage(&TriageInput {
                vulnerability: "CVE-2026-0003".into(),
                status: "risk_accepted".into(),
                service: Some("checkout".into()),
                release: Some("1.0.0".into()),
                reason: Some("behind the WAF".into()),
                expires_at: Some(datetime!(2026-03-03 00:00 UTC)),
                actor: "dana".into(),
                ..TriageInput::default()
            })
            .unwrap();
        assert_eq!(
            engine
                .gate("prod", "checkout", "1.0.0", None)
                .unwrap()
                .input["findings"][0]["triage"]["status"],
            "risk_accepted"
        );
        clock.advance(Duration::days(2));
        let answer = engine.gate("prod", "checkout", "1.0.0", None).unwrap();
        assert!(!answer.decision.allow);
        assert_eq!(
            answer.input["findings"][0]["triage"],
            serde_json::Value::Null
        );
        engine
            .revoke_triage(accepted.decision.id, "dana", None)
            .unwrap();
        clock.set(datetime!(2026-03-02 00:00 UTC));

        // Deployed, then 8 days on: overdue, a warning only.
        engine
            .deploy(&DeployInput {
                environment: "prod",
                release: ReleaseRef::Version {
                    service: "checkout",
                    version: "1.0.0",
                },
                actor: None,
                source: None,
                at: None,
            })
            .unwrap();
        clock.advance(Duration::days(8));
        let answer = engine.gate("prod", "checkout", "1.0.0", None).unwrap();
        assert!(answer.decision.allow);
        let warns: Vec<&str> = answer
            .decision
            .warn
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(warns, ["sla_overdue"]);

        // An environment that takes only signed releases denies it.
        engine.set_require_signed("prod", true).unwrap();
        let answer = engine.gate("prod", "checkout", "1.0.0", None).unwrap();
        let codes: Vec<&str> = answer
            .decision
            .deny
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(codes, ["unsigned_release"]);

        assert!(engine.gate("prod", "checkout", "9.9.9", None).is_err());
    }
}

#[test]
fn the_repository_policies_compile_and_pass_their_tests() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let sources = vigil_engine::gate::read_policy(&dir).unwrap();
    assert!(sources.len() >= 10, "{sources:?}");
    let policy = vigil_engine::gate::compile(&sources).unwrap();
    let results = policy.run_tests();
    assert!(results.len() >= 30);
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(vigil_engine::gate::read_policy(&dir.join("nope")).is_err());
}
