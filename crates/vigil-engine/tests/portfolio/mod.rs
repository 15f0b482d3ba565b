//! A small npm portfolio for the response tests (triage, SLAs and metrics, history): SBOMs
//! and advisories made to measure, and an engine on every backend with a clock the test
//! moves.
#![allow(dead_code, reason = "each test file uses part of it")]

use std::sync::Arc;

use time::OffsetDateTime;
use vigil_engine::{AdvisoryInput, DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
use vigil_store::testing::{TestStore, stores};

/// Day 0 of the scenarios.
pub(crate) const DAY0: OffsetDateTime = time::macros::datetime!(2026-03-01 00:00 UTC);

/// Midnight `n` days after day 0.
pub(crate) fn day(n: i64) -> OffsetDateTime {
    DAY0 + time::Duration::days(n)
}

/// A CycloneDX SBOM of npm packages (name, version).
pub(crate) fn npm_sbom(packages: &[(&str, &str)]) -> Vec<u8> {
    let list: Vec<String> = packages
        .iter()
        .map(|(name, version)| {
            format!(
                r#"{{"type": "library", "name": "{name}", "version": "{version}", "purl": "pkg:npm/{name}@{version}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{}]}}"#,
        list.join(",")
    )
    .into_bytes()
}

/// An OSV advisory on npm `package` before `fixed`, with a CVE alias.
pub(crate) struct Advisory<'a> {
    pub(crate) id: &'a str,
    pub(crate) cve: &'a str,
    pub(crate) package: &'a str,
    pub(crate) fixed: &'a str,
    /// A CVSS v3.1 vector, or none (unrated).
    pub(crate) vector: Option<&'a str>,
    pub(crate) modified: &'a str,
    pub(crate) published: &'a str,
}

impl Advisory<'_> {
    pub(crate) fn input(&self) -> AdvisoryInput {
        let severity = self
            .vector
            .map(|v| format!(r#""severity": [{{"type": "CVSS_V3", "score": "{v}"}}],"#))
            .unwrap_or_default();
        let json = format!(
            r#"{{"schema_version": "1.6.0", "id": "{}", "modified": "{}",
  "published": "{}", "aliases": ["{}"], "summary": "{} issue", {severity}
  "affected": [{{"package": {{"ecosystem": "npm", "name": "{}"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "{}"}}]}}]}}]}}"#,
            self.id,
            self.modified,
            self.published,
            self.cve,
            self.package,
            self.package,
            self.fixed
        );
        AdvisoryInput {
            osv: vigil_osv::from_json(json.as_bytes()).expect("the advisory is valid OSV"),
            json: json.into_bytes(),
            source: Some("test".into()),
        }
    }
}

/// An engine on one backend, with the clock it reads.
pub(crate) struct World {
    pub(crate) engine: Engine,
    pub(crate) clock: Arc<FixedClock>,
    _store: TestStore,
}

/// One world per backend available, the clock at `start`.
pub(crate) fn worlds(test: &str, start: OffsetDateTime) -> Vec<World> {
    stores(test)
        .into_iter()
        .map(|t| {
            let clock = Arc::new(FixedClock::new(start));
            World {
                engine: Engine::with_clock(t.reopen(), clock.clone()),
                clock,
                _store: t,
            }
        })
        .collect()
}

impl World {
    /// Moves the clock to midnight of day `n`.
    pub(crate) fn at(&mut self, n: i64) {
        self.clock.set(day(n));
    }

    /// Records a release of npm `packages`, owned by `payments`, with `commit`.
    pub(crate) fn release_at(
        &mut self,
        service: &str,
        version: &str,
        commit: Option<&str>,
        packages: &[(&str, &str)],
    ) {
        self.engine
            .add_release(&ReleaseInput {
                service,
                version,
                sbom: &npm_sbom(packages),
                commit,
                owner: Some("payments"),
                ..ReleaseInput::default()
            })
            .expect("the release is recorded");
    }

    pub(crate) fn release(&mut self, service: &str, version: &str, packages: &[(&str, &str)]) {
        self.release_at(service, version, None, packages);
    }

    /// Deploys a release now.
    pub(crate) fn deploy(&mut self, env: &str, service: &str, version: &str) {
        self.engine
            .deploy(&DeployInput {
                environment: env,
                release: ReleaseRef::Version { service, version },
                actor: None,
                source: None,
                at: None,
            })
            .expect("the deployment is recorded");
    }
}
