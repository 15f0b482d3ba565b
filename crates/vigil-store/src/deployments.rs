//! The deployment log, append-only, and what runs now: the latest event per environment
//! and service, kept in the same transaction as the event. Exposure timestamps of
//! findings move with it: a release that starts running exposes its open findings, and
//! one that runs nowhere any more resolves them.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::ledger::FINDING_RETURNING;
use crate::sql::{Row, params};
use crate::time::format;

/// An event to append: `release_id` `None` is an undeploy.
#[derive(Clone, Debug)]
pub struct DeploymentEvent<'a> {
    pub environment_id: i64,
    pub service_id: i64,
    pub release_id: Option<i64>,
    pub actor: Option<&'a str>,
    /// What reported it: `cli`, `api`, `argocd`, a pipeline name.
    pub source: Option<&'a str>,
    pub at: OffsetDateTime,
}

/// A stored deployment event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Deployment {
    pub id: i64,
    pub environment: String,
    pub service: String,
    /// `None` for an undeploy.
    pub version: Option<String>,
    pub actor: Option<String>,
    pub source: Option<String>,
    pub at: String,
    pub recorded_at: String,
}

/// A release running in an environment now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Running {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub release_id: i64,
    /// When this release started running there.
    pub since: String,
}

/// What appending an event changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    pub id: i64,
    /// False when an event with a later time was already recorded for this environment
    /// and service: the event is history and what runs is unchanged.
    pub current: bool,
    /// The release that ran before, where it changed.
    pub replaced: Option<i64>,
    /// True when the event started a release running that did not run there before.
    pub started: bool,
}

impl Tx<'_> {
    /// Appends a deployment event and updates what runs and the exposure of findings.
    pub fn append_deployment(
        &mut self,
        e: &DeploymentEvent<'_>,
        now: OffsetDateTime,
    ) -> Result<Appended> {
        self.conn.lock(crate::sql::Lock::Deployments)?;
        let at = format(e.at);
        let id = self.c().query_int(
            "INSERT INTO deployments (environment_id, service_id, release_id, actor, source, at, recorded_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            params![
                e.environment_id,
                e.service_id,
                e.release_id,
                e.actor,
                e.source,
                at.as_str(),
                format(now).as_str()
            ],
        )?;
        let now = format(now);
        self.ledger_deployment(id, e, &at, &now)?;
        let latest = self.c().query_int(
            "SELECT id FROM deployments WHERE environment_id = ? AND service_id = ?
             ORDER BY at DESC, id DESC LIMIT 1",
            params![e.environment_id, e.service_id],
        )?;
        if latest != id {
            return Ok(Appended {
                id,
                current: false,
                replaced: None,
                started: false,
            });
        }
        let before = self
            .c()
            .query_opt(
                "SELECT release_id FROM running WHERE environment_id = ? AND service_id = ?",
                params![e.environment_id, e.service_id],
            )?
            .map(|r| r.int(0));
        match e.release_id {
            Some(release) if before == Some(release) => {
                // The same release again: it keeps running since it first started.
                self.c().execute(
                    "UPDATE running SET deployment_id = ? WHERE environment_id = ? AND service_id = ?",
                    params![id, e.environment_id, e.service_id],
                )?;
            }
            Some(release) => {
                self.c().execute(
                    "INSERT INTO running (environment_id, service_id, release_id, deployment_id, since)
                     VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (environment_id, service_id) DO UPDATE SET
                         release_id = excluded.release_id, deployment_id = excluded.deployment_id,
                         since = excluded.since",
                    params![e.environment_id, e.service_id, release, id, at.as_str()],
                )?;
                self.expose_release(release, &at, &now)?;
            }
            None => {
                self.c().execute(
                    "DELETE FROM running WHERE environment_id = ? AND service_id = ?",
                    params![e.environment_id, e.service_id],
                )?;
            }
        }
        let replaced = before.filter(|&b| Some(b) != e.release_id);
        if let Some(old) = replaced {
            let still = self.c().query_int(
                "SELECT COUNT(*) FROM running WHERE release_id = ?",
                params![old],
            )?;
            if still == 0 {
                let sql = format!(
                    "UPDATE findings SET resolved_at = ?, resolution = 'undeployed'
                     WHERE release_id = ? AND resolved_at IS NULL AND first_exposed IS NOT NULL
                     {FINDING_RETURNING}"
                );
                for r in self.c().query(&sql, params![at.as_str(), old])? {
                    self.ledger_finding(r, &now);
                }
            }
        }
        Ok(Appended {
            id,
            current: true,
            replaced,
            started: e.release_id.is_some() && before != e.release_id,
        })
    }

    /// A release started running at `at`: its open findings are exposed from then (or
    /// from when they were found, if later), and findings closed only because it had
    /// stopped running reopen.
    fn expose_release(&mut self, release: i64, at: &str, now: &str) -> Result<()> {
        let reopen = format!(
            "UPDATE findings SET resolved_at = NULL, resolution = NULL
             WHERE release_id = ? AND resolution = 'undeployed' {FINDING_RETURNING}"
        );
        let mut changed = self.c().query(&reopen, params![release])?;
        let expose = format!(
            "UPDATE findings SET first_exposed = CASE WHEN first_seen > ? THEN first_seen ELSE ? END
             WHERE release_id = ? AND first_exposed IS NULL AND resolved_at IS NULL
             {FINDING_RETURNING}"
        );
        changed.extend(self.c().query(&expose, params![at, at, release])?);
        for r in changed {
            self.ledger_finding(r, now);
        }
        Ok(())
    }

    /// Queues the ledger leaf of deployment `id`, with names rather than row ids.
    fn ledger_deployment(
        &mut self,
        id: i64,
        e: &DeploymentEvent<'_>,
        at: &str,
        now: &str,
    ) -> Result<()> {
        let mut names = self
            .c()
            .query_opt(
                "SELECT e.name, s.name, r.version FROM environments e, services s
                 LEFT JOIN releases r ON r.id = ?
                 WHERE e.id = ? AND s.id = ?",
                params![e.release_id, e.environment_id, e.service_id],
            )?
            .ok_or_else(|| {
                crate::error::StoreError::Input(format!(
                    "no environment {} or service {}",
                    e.environment_id, e.service_id
                ))
            })?;
        let (environment, service, version) = (names.text(0), names.text(1), names.opt_text(2));
        let kind = if version.is_some() {
            "deployment"
        } else {
            "undeployment"
        };
        self.ledger_event(
            kind,
            format!("deployment/{id}"),
            now,
            serde_json::json!({
                "id": id,
                "environment": environment,
                "service": service,
                "version": version,
                "actor": e.actor,
                "source": e.source,
                "at": at,
            }),
        );
        Ok(())
    }

    /// The release running in `environment` for `service`, if any.
    pub fn running_release(&mut self, environment_id: i64, service_id: i64) -> Result<Option<i64>> {
        Ok(self
            .c()
            .query_opt(
                "SELECT release_id FROM running WHERE environment_id = ? AND service_id = ?",
                params![environment_id, service_id],
            )?
            .map(|r| r.int(0)))
    }

    /// What runs now, by environment and service.
    pub fn running(&mut self) -> Result<Vec<Running>> {
        Ok(self
            .c()
            .query(
                "SELECT e.name, s.name, r.version, r.id, ru.since FROM running ru
                 JOIN environments e ON e.id = ru.environment_id
                 JOIN services s ON s.id = ru.service_id
                 JOIN releases r ON r.id = ru.release_id
                 ORDER BY e.name, s.name",
                &[],
            )?
            .into_iter()
            .map(|mut r| Running {
                environment: r.text(0),
                service: r.text(1),
                version: r.text(2),
                release_id: r.int(3),
                since: r.text(4),
            })
            .collect())
    }

    /// The deployment log, oldest first.
    /// The deployment log of one service, in time order.
    pub fn deployments_of(&mut self, service: &str) -> Result<Vec<Deployment>> {
        Ok(self
            .c()
            .query(
                "SELECT d.id, e.name, s.name, r.version, d.actor, d.source, d.at, d.recorded_at
                 FROM deployments d
                 JOIN environments e ON e.id = d.environment_id
                 JOIN services s ON s.id = d.service_id
                 LEFT JOIN releases r ON r.id = d.release_id
                 WHERE d.service_id = (SELECT id FROM services WHERE name = ?)
                 ORDER BY d.at, d.id",
                params![service],
            )?
            .into_iter()
            .map(deployment)
            .collect())
    }

    pub fn deployments(&mut self) -> Result<Vec<Deployment>> {
        Ok(self
            .c()
            .query(
                "SELECT d.id, e.name, s.name, r.version, d.actor, d.source, d.at, d.recorded_at
                 FROM deployments d
                 JOIN environments e ON e.id = d.environment_id
                 JOIN services s ON s.id = d.service_id
                 LEFT JOIN releases r ON r.id = d.release_id
                 ORDER BY d.at, d.id",
                &[],
            )?
            .into_iter()
            .map(deployment)
            .collect())
    }
}

fn deployment(mut r: Row) -> Deployment {
    Deployment {
        id: r.int(0),
        environment: r.text(1),
        service: r.text(2),
        version: r.opt_text(3),
        actor: r.opt_text(4),
        source: r.opt_text(5),
        at: r.text(6),
        recorded_at: r.text(7),
    }
}
