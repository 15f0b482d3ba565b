//! Recording deployments: a release (named by service and version, or by an artifact
//! digest) went to an environment, or a service was removed from one. Events are only
//! appended; what runs is the latest event per environment and service.

use serde::Serialize;
use time::OffsetDateTime;
use vigil_store::{DeploymentEvent, Release, Tx};

use crate::changes::Change;
use crate::engine::{Engine, check_digest};
use crate::error::{EngineError, Result};

/// Which release was deployed.
#[derive(Clone, Copy, Debug)]
pub enum ReleaseRef<'a> {
    Version { service: &'a str, version: &'a str },
    Digest(&'a str),
}

/// A deployment to record.
#[derive(Clone, Debug)]
pub struct DeployInput<'a> {
    pub environment: &'a str,
    pub release: ReleaseRef<'a>,
    pub actor: Option<&'a str>,
    /// What reported it (`cli`, `api`, `argocd`, ...).
    pub source: Option<&'a str>,
    /// When it happened; now when not given.
    pub at: Option<OffsetDateTime>,
}

/// What recording a deployment or undeploy did.
#[derive(Clone, Debug, Serialize)]
pub struct DeployOutcome {
    pub deployment_id: i64,
    pub environment: String,
    pub service: String,
    /// The release deployed; `None` for an undeploy.
    pub version: Option<String>,
    pub at: String,
    /// False when a later event was already recorded: this one is history.
    pub current: bool,
    /// The version that ran before, where it changed.
    pub replaced: Option<String>,
    /// Open findings of the release deployed, by severity (critical first).
    pub exposure: Vec<(String, i64)>,
    /// Alerts written to the outbox.
    pub alerts: usize,
}

impl Engine {
    /// Records that a release went to an environment.
    pub fn deploy(&mut self, input: &DeployInput<'_>) -> Result<DeployOutcome> {
        self.check_name("environment", input.environment)?;
        if let ReleaseRef::Digest(d) = input.release {
            check_digest(d)?;
        }
        let now = self.clock.now();
        let at = input.at.unwrap_or(now);
        let mut tx = self.store.write()?;
        let release = find_release(&mut tx, input.release)?;
        crate::signatures::check_policy(&mut tx, input.environment, &release)?;
        let service_id = tx
            .service(&release.service)?
            .map(|s| s.id)
            .ok_or_else(|| EngineError::Invalid("the release's service vanished".into()))?;
        let environment_id = tx.upsert_environment(input.environment, now)?;
        let appended = tx.append_deployment(
            &DeploymentEvent {
                environment_id,
                service_id,
                release_id: Some(release.id),
                actor: input.actor,
                source: input.source,
                at,
            },
            now,
        )?;
        let replaced = version_of(&mut tx, appended.replaced)?;
        let exposure = exposure(&mut tx, release.id)?;
        let alerts = if appended.started {
            crate::alerts::for_deployment(&mut tx, appended.id, release.id, environment_id, now)?
        } else {
            0
        };
        let change = what_runs_changed(&mut tx, &[Some(release.id), appended.replaced])?;
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(DeployOutcome {
            deployment_id: appended.id,
            environment: input.environment.to_owned(),
            service: release.service,
            version: Some(release.version),
            at: vigil_store::time::format(at),
            current: appended.current,
            replaced,
            exposure,
            alerts,
        })
    }

    /// Records that `service` no longer runs in `environment`.
    pub fn undeploy(
        &mut self,
        environment: &str,
        service: &str,
        actor: Option<&str>,
        source: Option<&str>,
        at: Option<OffsetDateTime>,
    ) -> Result<DeployOutcome> {
        let now = self.clock.now();
        let at = at.unwrap_or(now);
        let mut tx = self.store.write()?;
        let env = tx
            .environment(environment)?
            .ok_or_else(|| EngineError::NotFound {
                what: format!("no environment {environment:?}"),
                hint: None,
            })?;
        let svc = tx.service(service)?.ok_or_else(|| EngineError::NotFound {
            what: format!("no service {service:?}"),
            hint: None,
        })?;
        if tx.running_release(env.id, svc.id)?.is_none() {
            return Err(EngineError::NotFound {
                what: format!("nothing of {service} runs in {environment}"),
                hint: Some("`vigil status` lists what runs where".into()),
            });
        }
        let appended = tx.append_deployment(
            &DeploymentEvent {
                environment_id: env.id,
                service_id: svc.id,
                release_id: None,
                actor,
                source,
                at,
            },
            now,
        )?;
        let replaced = version_of(&mut tx, appended.replaced)?;
        let change = what_runs_changed(&mut tx, &[appended.replaced])?;
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(DeployOutcome {
            deployment_id: appended.id,
            environment: environment.to_owned(),
            service: service.to_owned(),
            version: None,
            at: vigil_store::time::format(at),
            current: appended.current,
            replaced,
            exposure: Vec::new(),
            alerts: 0,
        })
    }
}

/// A deployment changes the answers about the advisories of the releases it starts or
/// stops: where they run, since when, their findings' exposure.
fn what_runs_changed(tx: &mut Tx<'_>, releases: &[Option<i64>]) -> Result<Change> {
    let mut advisories = std::collections::BTreeSet::new();
    for release in releases.iter().flatten() {
        for f in tx.findings_of_release(*release)? {
            advisories.insert(f.key.advisory_id);
        }
    }
    Ok(Change::Advisories(advisories))
}

fn version_of(tx: &mut Tx<'_>, release: Option<i64>) -> Result<Option<String>> {
    Ok(match release {
        Some(id) => tx.release_by_id(id)?.map(|r| r.version),
        None => None,
    })
}

/// Open findings of the release now running, counted by severity, highest first.
fn exposure(tx: &mut Tx<'_>, release: i64) -> Result<Vec<(String, i64)>> {
    Ok(tx
        .open_findings_by_rank(release)?
        .into_iter()
        .map(|(rank, n)| (crate::matching::rank_name(rank).to_owned(), n))
        .collect())
}

/// The release `r` names, or an error that says what is known instead.
pub(crate) fn find_release(tx: &mut Tx<'_>, r: ReleaseRef<'_>) -> Result<Release> {
    match r {
        ReleaseRef::Version { service, version } => {
            if let Some(release) = tx.release(service, version)? {
                return Ok(release);
            }
            let known: Vec<String> = tx
                .releases(Some(service))?
                .into_iter()
                .rev()
                .take(5)
                .map(|r| r.version)
                .collect();
            let hint = if tx.service(service)?.is_none() {
                "add it first with `vigil release add`".to_owned()
            } else {
                format!("its latest releases are {}", known.join(", "))
            };
            Err(EngineError::NotFound {
                what: format!("no release {service} {version}"),
                hint: Some(hint),
            })
        }
        ReleaseRef::Digest(digest) => {
            tx.release_by_digest(digest)?
                .ok_or_else(|| EngineError::NotFound {
                    what: format!("no release has the artifact digest {digest}"),
                    hint: Some(
                        "give the digest when adding the release: `vigil release add --digest`"
                            .into(),
                    ),
                })
        }
    }
}
