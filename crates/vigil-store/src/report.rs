//! The questions the store answers in one query each: which findings (optionally of
//! given advisories) affect which releases where, and how big everything is.

use serde::Serialize;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Param, Row, params};

/// Which findings to list.
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    /// Only findings of these advisory ids.
    pub advisories: Option<Vec<String>>,
    pub environment: Option<String>,
    pub service: Option<String>,
    /// Only findings at or above this rank (0 none, 1 low, ... 4 critical).
    pub min_severity_rank: i64,
    /// Include releases that run nowhere now.
    pub all_releases: bool,
    /// Include resolved findings.
    pub include_resolved: bool,
    /// Only findings of this release.
    pub release_id: Option<i64>,
    /// Only findings a triage decision rules out (`not_affected` or `fixed`).
    pub ruled_out_only: bool,
    /// One page, (rows, rows skipped), in the order severity (highest first), advisory,
    /// release, package version and environment, which the index `findings_open_rank`
    /// serves for open findings; `None` for every row, ordered as [`Tx::findings`] says.
    pub page: Option<(i64, i64)>,
}

/// A finding with where it runs: one row per environment the release runs in, or one
/// with no environment for a release that runs nowhere.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AffectedRow {
    pub advisory_id: String,
    pub summary: Option<String>,
    pub environment: Option<String>,
    /// Since when the release runs in `environment`.
    pub running_since: Option<String>,
    pub service: String,
    pub owner: Option<String>,
    pub release_id: i64,
    pub release: String,
    pub purl: String,
    pub package_version_id: i64,
    pub ecosystem: String,
    pub package: String,
    pub version: String,
    pub installed: Option<String>,
    /// 0 the product itself, 1 direct, 2 transitive, 3 not stated.
    pub dependency: i64,
    /// JSON list of component names, where known.
    pub path: Option<String>,
    pub certainty: String,
    pub reason: Option<String>,
    pub fix: String,
    pub fixed: Option<String>,
    pub severity_rank: i64,
    pub severity_score: Option<f64>,
    pub first_seen: String,
    pub first_exposed: Option<String>,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    /// The status of the triage decision in effect, if any.
    pub triage: Option<String>,
    /// The id of that decision.
    pub decision_id: Option<i64>,
}

fn affected(mut r: Row) -> AffectedRow {
    AffectedRow {
        advisory_id: r.text(0),
        summary: r.opt_text(1),
        environment: r.opt_text(2),
        running_since: r.opt_text(3),
        service: r.text(4),
        owner: r.opt_text(5),
        release_id: r.int(6),
        release: r.text(7),
        purl: r.text(8),
        package_version_id: r.int(9),
        ecosystem: r.text(10),
        package: r.text(11),
        version: r.text(12),
        installed: r.opt_text(13),
        dependency: r.int(14),
        path: r.opt_text(15),
        certainty: r.text(16),
        reason: r.opt_text(17),
        fix: r.text(18),
        fixed: r.opt_text(19),
        severity_rank: r.int(20),
        severity_score: r.opt_real(21),
        first_seen: r.text(22),
        first_exposed: r.opt_text(23),
        resolved_at: r.opt_text(24),
        resolution: r.opt_text(25),
        triage: r.opt_text(26),
        decision_id: r.opt_int(27),
    }
}

/// Open findings of one advisory in one service's running release in one environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExposureCount {
    pub environment: String,
    pub service: String,
    pub advisory_id: String,
    pub severity_rank: i64,
    pub findings: i64,
}

/// How much the store holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub services: i64,
    pub applications: i64,
    pub environments: i64,
    pub releases: i64,
    pub package_versions: i64,
    pub release_packages: i64,
    pub deployments: i64,
    pub running: i64,
    pub advisories: i64,
    pub withdrawn_advisories: i64,
    pub findings: i64,
    pub open_findings: i64,
}

impl Tx<'_> {
    /// Findings with where they run, ordered by severity (highest first), advisory,
    /// environment, service, release and package; or one page of them (see
    /// [`FindingFilter::page`]).
    pub fn findings(&mut self, filter: &FindingFilter) -> Result<Vec<AffectedRow>> {
        let mut conditions = vec!["f.severity_rank >= ?"];
        let mut params: Vec<Param<'_>> = vec![Param::Int(filter.min_severity_rank)];
        if let Some(ids) = &filter.advisories {
            conditions.push("f.advisory_id = ANY(?)");
            params.push(Param::Texts(ids));
        }
        // Names are resolved to ids first, so that both databases start from the few
        // releases they select rather than from every finding.
        if let Some(env) = &filter.environment {
            conditions.push("ru.environment_id = (SELECT id FROM environments WHERE name = ?)");
            params.push(Param::Text(env));
        }
        if let Some(service) = &filter.service {
            conditions.push("r.service_id = (SELECT id FROM services WHERE name = ?)");
            params.push(Param::Text(service));
        }
        if let Some(id) = filter.release_id {
            conditions.push("f.release_id = ?");
            params.push(Param::Int(id));
        }
        if filter.ruled_out_only {
            conditions.push("f.triage IN ('not_affected', 'fixed')");
        }
        if !filter.all_releases && filter.advisories.is_some() {
            // Implied by the join with `running`, but checked on each of an advisory's
            // findings as it is read, before the joins: SQLite otherwise joins a popular
            // advisory's findings of every release with their packages first (2.2 times
            // slower). Not without advisories: there it turns SQLite's ordered walk of a
            // page of findings into a sort of them all.
            conditions.push("f.release_id IN (SELECT release_id FROM running)");
        }
        if !filter.include_resolved {
            conditions.push(if filter.all_releases {
                "(f.resolved_at IS NULL OR f.resolution = 'undeployed')"
            } else {
                "f.resolved_at IS NULL"
            });
        }
        let sql =
            format!(
            "SELECT f.advisory_id, a.summary, e.name, ru.since, s.name, s.owner, r.id, r.version,
                 pv.purl, pv.id, pv.ecosystem, pv.name, pv.version, pv.installed, rp.dependency,
                 rp.path, f.certainty, f.reason, f.fix, f.fixed, f.severity_rank, f.severity_score,
                 f.first_seen, f.first_exposed, f.resolved_at, f.resolution, f.triage,
                 f.decision_id
             FROM findings f
             JOIN advisories a ON a.id = f.advisory_id
             JOIN releases r ON r.id = f.release_id
             JOIN services s ON s.id = r.service_id
             JOIN package_versions pv ON pv.id = f.package_version_id
             JOIN release_packages rp ON rp.release_id = f.release_id
                 AND rp.package_version_id = f.package_version_id
             {running} running ru ON ru.release_id = f.release_id
             LEFT JOIN environments e ON e.id = ru.environment_id
             WHERE {}",
            conditions.join(" AND "),
            running = if filter.all_releases { "LEFT JOIN" } else { "JOIN" },
        );
        if let Some((limit, offset)) = filter.page {
            let sql = format!(
                "{sql} ORDER BY f.severity_rank DESC, f.advisory_id, f.release_id,
                     f.package_version_id, ru.environment_id LIMIT ? OFFSET ?"
            );
            params.push(Param::Int(limit));
            params.push(Param::Int(offset));
            return Ok(self
                .c()
                .query(&sql, &params)?
                .into_iter()
                .map(affected)
                .collect());
        }
        let mut rows: Vec<AffectedRow> = self
            .c()
            .query(&sql, &params)?
            .into_iter()
            .map(affected)
            .collect();
        // Sorted here rather than in SQL: SQLite runs a list filter once per element.
        rows.sort_by(|a, b| {
            b.severity_rank
                .cmp(&a.severity_rank)
                .then_with(|| a.advisory_id.cmp(&b.advisory_id))
                .then_with(|| a.environment.cmp(&b.environment))
                .then_with(|| a.service.cmp(&b.service))
                .then_with(|| a.release_id.cmp(&b.release_id))
                .then_with(|| a.purl.cmp(&b.purl))
        });
        Ok(rows)
    }

    /// Open findings of one release: (severity rank, findings), highest rank first.
    pub fn open_findings_by_rank(&mut self, release_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(self
            .c()
            .query(
                "SELECT severity_rank, COUNT(*) FROM findings
                 WHERE release_id = ? AND resolved_at IS NULL
                 GROUP BY severity_rank ORDER BY severity_rank DESC",
                params![release_id],
            )?
            .into_iter()
            .map(|r| (r.int(0), r.int(1)))
            .collect())
    }

    /// Open findings of each of `release_ids`: (release id, severity rank, findings).
    pub fn open_findings_of_releases(
        &mut self,
        release_ids: &[i64],
    ) -> Result<Vec<(i64, i64, i64)>> {
        let mut out: Vec<(i64, i64, i64)> = self
            .c()
            .query(
                "SELECT release_id, severity_rank, COUNT(*) FROM findings
                 WHERE release_id = ANY(?) AND resolved_at IS NULL
                 GROUP BY release_id, severity_rank",
                &[Param::Ints(release_ids)],
            )?
            .into_iter()
            .map(|r| (r.int(0), r.int(1), r.int(2)))
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    /// Open findings of what runs now, counted by environment, service, advisory and
    /// severity.
    pub fn exposure(&mut self) -> Result<Vec<ExposureCount>> {
        Ok(self
            .c()
            .query(
                "SELECT e.name, s.name, f.advisory_id, f.severity_rank, COUNT(*)
                 FROM findings f
                 JOIN running ru ON ru.release_id = f.release_id
                 JOIN environments e ON e.id = ru.environment_id
                 JOIN services s ON s.id = ru.service_id
                 WHERE f.resolved_at IS NULL
                 GROUP BY e.name, s.name, f.advisory_id, f.severity_rank",
                &[],
            )?
            .into_iter()
            .map(|mut r| ExposureCount {
                environment: r.text(0),
                service: r.text(1),
                advisory_id: r.text(2),
                severity_rank: r.int(3),
                findings: r.int(4),
            })
            .collect())
    }

    /// Row counts of the main tables.
    pub fn counts(&mut self) -> Result<Counts> {
        let mut count = |sql: &str| self.c().query_int(sql, &[]);
        Ok(Counts {
            services: count("SELECT COUNT(*) FROM services")?,
            applications: count("SELECT COUNT(*) FROM applications")?,
            environments: count("SELECT COUNT(*) FROM environments")?,
            releases: count("SELECT COUNT(*) FROM releases")?,
            package_versions: count("SELECT COUNT(*) FROM package_versions")?,
            release_packages: count("SELECT COUNT(*) FROM release_packages")?,
            deployments: count("SELECT COUNT(*) FROM deployments")?,
            running: count("SELECT COUNT(*) FROM running")?,
            advisories: count("SELECT COUNT(*) FROM advisories")?,
            withdrawn_advisories: count(
                "SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL",
            )?,
            findings: count("SELECT COUNT(*) FROM findings")?,
            open_findings: count("SELECT COUNT(*) FROM findings WHERE resolved_at IS NULL")?,
        })
    }
}
