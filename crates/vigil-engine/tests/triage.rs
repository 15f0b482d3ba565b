//! Triage on every backend, with an injected clock: decisions of each scope, the
//! narrowest in effect, carry-over across three releases of a service while they hold
//! the same package version, a decision through an alias, revocation, and a risk
//! acceptance that expires and reopens its finding by itself.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

mod portfolio;

use portfolio::{Advisory, World};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_engine::triage::TriageInput;
use vigil_engine::{AdvisoryInput, EngineError, FindingQuery};

const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

/// (service, release, package, advisory, triage, resolution).
type FindingState = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// An advisory on npm `package` before `fixed`, critical, with a CVE alias.
fn advisory(id: &str, cve: &str, package: &str, fixed: &str) -> AdvisoryInput {
    Advisory {
        id,
        cve,
        package,
        fixed,
        vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        modified: "2026-01-01T00:00:00Z",
        published: "2026-01-01T00:00:00Z",
    }
    .input()
}

/// Worlds holding two advisories: lodash and minimist.
fn worlds(test: &str) -> Vec<World> {
    let mut worlds = portfolio::worlds(test, T0);
    for w in &mut worlds {
        w.engine
            .import_advisories(vec![
                advisory("GHSA-aaaa-aaaa-aaaa", "CVE-2026-0001", "lodash", "4.17.21"),
                advisory("GHSA-bbbb-bbbb-bbbb", "CVE-2026-0002", "minimist", "1.2.6"),
            ])
            .unwrap();
    }
    worlds
}

trait Findings {
    fn findings(&mut self) -> Vec<FindingState>;
    fn state(
        &mut self,
        service: &str,
        release: &str,
        advisory: &str,
    ) -> (Option<String>, Option<String>);
    fn exposed(&mut self) -> usize;
}

impl Findings for World {
    /// (service, release, package, advisory, triage, resolution) of every finding.
    fn findings(&mut self) -> Vec<FindingState> {
        let mut rows: Vec<_> = self
            .engine
            .findings(&FindingQuery {
                all_releases: true,
                include_resolved: true,
                ..FindingQuery::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.row.service,
                    r.row.release,
                    r.row.package,
                    r.row.advisory_id,
                    r.row.triage,
                    r.row.resolution,
                )
            })
            .collect();
        rows.sort();
        rows.dedup();
        rows
    }

    /// The triage and resolution of one finding.
    fn state(
        &mut self,
        service: &str,
        release: &str,
        advisory: &str,
    ) -> (Option<String>, Option<String>) {
        let f = self.findings();
        let row = f
            .iter()
            .find(|r| r.0 == service && r.1 == release && r.3 == advisory)
            .unwrap_or_else(|| panic!("no finding {service} {release} {advisory} in {f:?}"));
        (row.4.clone(), row.5.clone())
    }

    /// Open findings of what runs now.
    fn exposed(&mut self) -> usize {
        self.engine
            .findings(&FindingQuery::default())
            .unwrap()
            .len()
    }
}

fn input(vulnerability: &str, status: &str) -> TriageInput {
    TriageInput {
        vulnerability: vulnerability.into(),
        status: status.into(),
        actor: "alice".into(),
        ..TriageInput::default()
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn a_service_decision_carries_over_while_the_package_version_stays() {
    for mut w in worlds("triage_carry") {
        w.release(
            "checkout",
            "1.0.0",
            &[("lodash", "4.17.20"), ("minimist", "1.2.5")],
        );
        w.deploy("prod", "checkout", "1.0.0");
        assert_eq!(w.exposed(), 2);
        let out = w
            .engine
            .triage(&TriageInput {
                service: s("checkout"),
                purl: s("pkg:npm/lodash@4.17.20"),
                justification: s("vulnerable_code_not_in_execute_path"),
                reason: s("only the template helper is used"),
                ..input("CVE-2026-0001", "not_affected")
            })
            .unwrap();
        assert_eq!(out.decision.scope, "service");
        assert_eq!((out.findings_changed, out.in_effect_on), (1, 1));
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-aaaa-aaaa-aaaa"),
            (s("not_affected"), s("not_affected"))
        );
        assert_eq!(w.exposed(), 1, "the exposure shrinks");

        // 1.1.0 keeps lodash 4.17.20: the decision carries over.
        w.clock.advance(Duration::days(1));
        w.release(
            "checkout",
            "1.1.0",
            &[("lodash", "4.17.20"), ("minimist", "1.2.6")],
        );
        w.deploy("prod", "checkout", "1.1.0");
        assert_eq!(
            w.state("checkout", "1.1.0", "GHSA-aaaa-aaaa-aaaa"),
            (s("not_affected"), s("not_affected"))
        );
        assert_eq!(w.exposed(), 0);

        // 1.2.0 moves to lodash 4.17.19, still vulnerable: the decision stops applying.
        w.clock.advance(Duration::days(1));
        w.release(
            "checkout",
            "1.2.0",
            &[("lodash", "4.17.19"), ("minimist", "1.2.6")],
        );
        w.deploy("prod", "checkout", "1.2.0");
        assert_eq!(
            w.state("checkout", "1.2.0", "GHSA-aaaa-aaaa-aaaa"),
            (None, None)
        );
        assert_eq!(w.exposed(), 1);

        // Another service with the same package version is not covered.
        w.release("cart", "3.0.0", &[("lodash", "4.17.20")]);
        assert_eq!(
            w.state("cart", "3.0.0", "GHSA-aaaa-aaaa-aaaa"),
            (None, None)
        );
    }
}

#[test]
fn the_narrowest_decision_wins_and_revoking_falls_back() {
    for mut w in worlds("triage_narrow") {
        w.release("checkout", "1.0.0", &[("lodash", "4.17.20")]);
        w.release("cart", "3.0.0", &[("lodash", "4.17.20")]);
        w.deploy("prod", "checkout", "1.0.0");
        w.deploy("prod", "cart", "3.0.0");
        // Everywhere: under investigation (stated through the GHSA id).
        let everywhere = w
            .engine
            .triage(&input("GHSA-aaaa-aaaa-aaaa", "under_investigation"))
            .unwrap();
        assert_eq!(everywhere.decision.scope, "advisory");
        assert_eq!(everywhere.in_effect_on, 2);
        // One finding: affected, with an action.
        let one = w
            .engine
            .triage(&TriageInput {
                service: s("cart"),
                release: s("3.0.0"),
                purl: s("pkg:npm/lodash@4.17.20"),
                action: s("upgrade to 4.17.21 in the next sprint"),
                ..input("CVE-2026-0001", "affected")
            })
            .unwrap();
        assert_eq!(one.decision.scope, "finding");
        // A later, broader decision does not override the narrower one.
        w.clock.advance(Duration::minutes(1));
        w.engine
            .triage(&TriageInput {
                purl: s("pkg:npm/lodash"),
                impact: s("lodash is vendored and patched"),
                ..input("CVE-2026-0001", "not_affected")
            })
            .unwrap();
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-aaaa-aaaa-aaaa"),
            (s("not_affected"), s("not_affected"))
        );
        assert_eq!(
            w.state("cart", "3.0.0", "GHSA-aaaa-aaaa-aaaa"),
            (s("affected"), None)
        );
        // Revoking the finding's decision falls back to the package decision.
        let revoked = w
            .engine
            .revoke_triage(one.decision.id, "bob", Some("superseded"))
            .unwrap();
        assert_eq!(revoked.findings_changed, 1);
        assert_eq!(
            w.state("cart", "3.0.0", "GHSA-aaaa-aaaa-aaaa"),
            (s("not_affected"), s("not_affected"))
        );
        assert!(matches!(
            w.engine.revoke_triage(one.decision.id, "bob", None),
            Err(EngineError::Store(_))
        ));
        // The decisions are listed through either name.
        let listed = w
            .engine
            .triage_decisions(Some("CVE-2026-0001"), None, false)
            .unwrap();
        assert_eq!(listed.len(), 3);
        let active = w
            .engine
            .triage_decisions(Some("GHSA-aaaa-aaaa-aaaa"), None, true)
            .unwrap();
        assert_eq!(active.len(), 2);
    }
}

#[test]
fn an_expired_risk_acceptance_reopens_the_finding() {
    for mut w in worlds("triage_expiry") {
        w.release("checkout", "1.0.0", &[("minimist", "1.2.5")]);
        w.deploy("prod", "checkout", "1.0.0");
        let accepted = w
            .engine
            .triage(&TriageInput {
                service: s("checkout"),
                reason: s("internal tool, no untrusted input"),
                expires_at: Some(T0 + Duration::days(30)),
                ..input("CVE-2026-0002", "risk_accepted")
            })
            .unwrap();
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-bbbb-bbbb-bbbb"),
            (s("risk_accepted"), None)
        );
        // Accepted, the finding stays open (it is still exposed).
        assert_eq!(w.exposed(), 1);
        w.clock.advance(Duration::days(29));
        assert!(w.engine.lapse_acceptances().unwrap().is_empty());
        w.clock.advance(Duration::days(1));
        let lapsed = w.engine.lapse_acceptances().unwrap();
        assert_eq!(lapsed.len(), 1);
        assert_eq!(lapsed[0].id, accepted.decision.id);
        assert!(lapsed[0].lapsed_at.is_some());
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-bbbb-bbbb-bbbb"),
            (None, None)
        );
        assert!(w.engine.lapse_acceptances().unwrap().is_empty());
        // The lapse and the reopening are in the ledger.
        let kinds: Vec<String> = w
            .engine
            .store()
            .read()
            .unwrap()
            .ledger_leaves_under("triage/", 0, 100)
            .unwrap()
            .into_iter()
            .map(|l| l.kind)
            .collect();
        assert_eq!(kinds, ["triage", "triage.lapsed"]);
    }
}

#[test]
fn a_decision_before_the_release_applies_when_it_arrives_and_undeploy_keeps_it() {
    for mut w in worlds("triage_before") {
        w.engine
            .triage(&TriageInput {
                purl: s("pkg:npm/minimist@1.2.5"),
                status: "fixed".into(),
                reason: s("backported patch in our mirror"),
                ..input("GHSA-bbbb-bbbb-bbbb", "fixed")
            })
            .unwrap();
        w.release("checkout", "1.0.0", &[("minimist", "1.2.5")]);
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-bbbb-bbbb-bbbb"),
            (s("fixed"), s("fixed"))
        );
        // Deploying a release whose finding is ruled out exposes nothing.
        w.deploy("prod", "checkout", "1.0.0");
        assert_eq!(w.exposed(), 0);
    }
}

#[test]
fn bad_decisions_are_refused_and_leave_nothing() {
    for mut w in worlds("triage_bad") {
        w.release("checkout", "1.0.0", &[("minimist", "1.2.5")]);
        for (bad, why) in [
            (input("CVE-2026-0002", "maybe"), "unknown triage status"),
            (
                input("CVE-2026-0002", "not_affected"),
                "needs a justification",
            ),
            (
                input("CVE-2026-0002", "affected"),
                "needs an action statement",
            ),
            (input("CVE-2026-0002", "risk_accepted"), "needs an expiry"),
            (
                TriageInput {
                    expires_at: Some(T0 - Duration::days(1)),
                    reason: s("x"),
                    ..input("CVE-2026-0002", "risk_accepted")
                },
                "not in the future",
            ),
            (
                TriageInput {
                    justification: s("because"),
                    ..input("CVE-2026-0002", "not_affected")
                },
                "unknown justification",
            ),
            (
                TriageInput {
                    purl: s("not a purl"),
                    ..input("CVE-2026-0002", "under_investigation")
                },
                "package URL",
            ),
            (
                TriageInput {
                    service: s("nope"),
                    ..input("CVE-2026-0002", "under_investigation")
                },
                "no service",
            ),
            (
                input("CVE 2026", "under_investigation"),
                "not an advisory id",
            ),
        ] {
            let e = w.engine.triage(&bad).unwrap_err().to_string();
            assert!(e.contains(why), "{e} lacks {why}");
        }
        assert!(
            w.engine
                .triage_decisions(None, None, false)
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn a_withdrawn_advisory_does_not_come_back_when_its_decision_is_revoked() {
    for mut w in worlds("triage_withdrawn") {
        w.release("checkout", "1.0.0", &[("minimist", "1.2.5")]);
        w.deploy("prod", "checkout", "1.0.0");
        let d = w
            .engine
            .triage(&TriageInput {
                justification: s("vulnerable_code_not_present"),
                ..input("CVE-2026-0002", "not_affected")
            })
            .unwrap();
        // The advisory is withdrawn while its finding is ruled out.
        let json = r#"{"schema_version": "1.6.0", "id": "GHSA-bbbb-bbbb-bbbb", "modified": "2026-02-01T00:00:00Z",
  "published": "2026-01-01T00:00:00Z", "withdrawn": "2026-02-01T00:00:00Z", "aliases": ["CVE-2026-0002"],
  "affected": [{"package": {"ecosystem": "npm", "name": "minimist"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.6"}]}]}]}"#;
        w.engine
            .import_advisories(vec![AdvisoryInput {
                osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
                json: json.as_bytes().to_vec(),
                source: None,
            }])
            .unwrap();
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-bbbb-bbbb-bbbb"),
            (s("not_affected"), s("withdrawn"))
        );
        w.engine.revoke_triage(d.decision.id, "bob", None).unwrap();
        assert_eq!(
            w.state("checkout", "1.0.0", "GHSA-bbbb-bbbb-bbbb"),
            (None, s("withdrawn"))
        );
        assert_eq!(w.exposed(), 0);
    }
}
