//! The raw facts that exposure over time is computed from: the deployment log by
//! environment and service, every finding with its triage, and releases with their
//! package versions in recorded order.

use crate::Tx;
use crate::error::Result;
use crate::sql::{Param, params};

/// One deployment event, in order, with the service's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentFact {
    pub environment: String,
    pub service: String,
    pub service_id: i64,
    pub owner: Option<String>,
    /// `None` for an undeploy.
    pub release_id: Option<i64>,
    pub at: String,
}

/// One finding with what exposure needs.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingRecord {
    pub release_id: i64,
    pub service: String,
    pub owner: Option<String>,
    pub advisory_id: String,
    pub purl: String,
    pub ecosystem: String,
    pub package: String,
    pub severity_rank: i64,
    pub first_seen: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    pub triage: Option<String>,
    /// The expiry of the decision in effect (a risk acceptance's end).
    pub expires_at: Option<String>,
}

/// A release with its package URLs, for lineage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseRecord {
    pub id: i64,
    pub version: String,
    pub commit: Option<String>,
    pub created_at: String,
    pub purls: Vec<String>,
}

impl Tx<'_> {
    /// The deployment log ordered by environment, service and time; of `services` only,
    /// when given.
    pub fn deployment_facts(&mut self, services: Option<&[i64]>) -> Result<Vec<DeploymentFact>> {
        let (filter, p): (&str, Vec<Param<'_>>) = match services {
            Some(ids) => ("WHERE d.service_id = ANY(?)", vec![Param::Ints(ids)]),
            None => ("", Vec::new()),
        };
        let sql = format!(
            "SELECT e.name, s.name, s.id, s.owner, d.release_id, d.at, d.id
             FROM deployments d
             JOIN environments e ON e.id = d.environment_id
             JOIN services s ON s.id = d.service_id
             {filter}"
        );
        let mut rows: Vec<(DeploymentFact, i64)> = self
            .c()
            .query(&sql, &p)?
            .into_iter()
            .map(|mut r| {
                (
                    DeploymentFact {
                        environment: r.text(0),
                        service: r.text(1),
                        service_id: r.int(2),
                        owner: r.opt_text(3),
                        release_id: r.opt_int(4),
                        at: r.text(5),
                    },
                    r.int(6),
                )
            })
            .collect();
        // Sorted here: SQLite runs a list filter once per element.
        rows.sort_by(|(a, ai), (b, bi)| {
            (&a.environment, &a.service, &a.at, ai).cmp(&(&b.environment, &b.service, &b.at, bi))
        });
        Ok(rows.into_iter().map(|(d, _)| d).collect())
    }

    /// Every finding (of `services` only, or of `advisories` only, when given), with its
    /// triage; with `deployed_only`, only findings of releases that were ever deployed,
    /// the only ones an exposure can come from.
    pub fn finding_records(
        &mut self,
        services: Option<&[i64]>,
        advisories: Option<&[String]>,
        deployed_only: bool,
    ) -> Result<Vec<FindingRecord>> {
        let (mut conditions, p): (Vec<&str>, Vec<Param<'_>>) = match (services, advisories) {
            (Some(ids), _) => (vec!["r.service_id = ANY(?)"], vec![Param::Ints(ids)]),
            (None, Some(ids)) => (vec!["f.advisory_id = ANY(?)"], vec![Param::Texts(ids)]),
            (None, None) => (Vec::new(), Vec::new()),
        };
        if deployed_only {
            // Of a few services, checked on each of their findings: as an `IN` list, SQLite
            // walked every deployed release's findings to keep the services' few (31 ms
            // for one service's page, 2.4 ms so). Else a list, which SQLite probes with an
            // advisory's index, or checks each finding against: reading all findings at
            // full scale took 0.16 s with it, 3.0 s without.
            conditions.push(if services.is_some() {
                "EXISTS (SELECT 1 FROM deployments dd WHERE dd.release_id = f.release_id)"
            } else {
                "f.release_id IN (SELECT release_id FROM deployments WHERE release_id IS NOT NULL)"
            });
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT f.release_id, s.name, s.owner, f.advisory_id, pv.purl, pv.ecosystem, pv.name,
                 f.severity_rank, f.first_seen, f.resolved_at, f.resolution, f.triage, d.expires_at
             FROM findings f
             JOIN releases r ON r.id = f.release_id
             JOIN services s ON s.id = r.service_id
             JOIN package_versions pv ON pv.id = f.package_version_id
             LEFT JOIN triage_decisions d ON d.id = f.decision_id
             {filter}"
        );
        let mut out = Vec::new();
        self.c().query_each(&sql, &p, &mut |mut r| {
            out.push(FindingRecord {
                release_id: r.int(0),
                service: r.text(1),
                owner: r.opt_text(2),
                advisory_id: r.text(3),
                purl: r.text(4),
                ecosystem: r.text(5),
                package: r.text(6),
                severity_rank: r.int(7),
                first_seen: r.text(8),
                resolved_at: r.opt_text(9),
                resolution: r.opt_text(10),
                triage: r.opt_text(11),
                expires_at: r.opt_text(12),
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// (id, published) of each of `ids` that is stored.
    pub fn advisory_published(&mut self, ids: &[String]) -> Result<Vec<(String, Option<String>)>> {
        Ok(self
            .c()
            .query(
                "SELECT id, published FROM advisories WHERE id = ANY(?)",
                &[Param::Texts(ids)],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.opt_text(1)))
            .collect())
    }

    /// The releases of one service in recorded order, each with its package URLs.
    pub fn release_records(&mut self, service_id: i64) -> Result<Vec<ReleaseRecord>> {
        let mut releases: Vec<ReleaseRecord> = self
            .c()
            .query(
                "SELECT id, version, commit_sha, created_at FROM releases
                 WHERE service_id = ? ORDER BY created_at, id",
                params![service_id],
            )?
            .into_iter()
            .map(|mut r| ReleaseRecord {
                id: r.int(0),
                version: r.text(1),
                commit: r.opt_text(2),
                created_at: r.text(3),
                purls: Vec::new(),
            })
            .collect();
        let index: std::collections::HashMap<i64, usize> = releases
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();
        self.c().query_each(
            "SELECT rp.release_id, pv.purl FROM release_packages rp
             JOIN releases r ON r.id = rp.release_id
             JOIN package_versions pv ON pv.id = rp.package_version_id
             WHERE r.service_id = ?",
            params![service_id],
            &mut |mut r| {
                if let Some(&i) = index.get(&r.int(0)) {
                    releases[i].purls.push(r.text(1));
                }
                Ok(())
            },
        )?;
        Ok(releases)
    }
}
