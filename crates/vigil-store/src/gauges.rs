//! Counts for monitoring: findings by environment, severity and state, and exposure
//! per environment. Read at each metrics scrape.

use serde::Serialize;

use crate::Tx;
use crate::error::Result;

/// Findings counted by where their release runs, severity and state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FindingCount {
    /// `None` for releases that run nowhere.
    pub environment: Option<String>,
    pub severity_rank: i64,
    /// `open` or `resolved`.
    pub state: String,
    pub findings: i64,
}

/// What runs in an environment and how much of it is affected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvironmentGauge {
    pub environment: String,
    pub services_running: i64,
    pub services_affected: i64,
    /// Distinct advisories with an open finding on a running release.
    pub advisories: i64,
}

impl Tx<'_> {
    pub fn finding_counts(&mut self) -> Result<Vec<FindingCount>> {
        Ok(self
            .c()
            .query(
                "SELECT e.name, f.severity_rank,
                        CASE WHEN f.resolved_at IS NULL THEN 'open' ELSE 'resolved' END AS state,
                        COUNT(*)
                 FROM findings f
                 LEFT JOIN running r ON r.release_id = f.release_id
                 LEFT JOIN environments e ON e.id = r.environment_id
                 GROUP BY e.name, f.severity_rank, state
                 ORDER BY e.name, f.severity_rank, state",
                &[],
            )?
            .into_iter()
            .map(|mut r| FindingCount {
                environment: r.opt_text(0),
                severity_rank: r.int(1),
                state: r.text(2),
                findings: r.int(3),
            })
            .collect())
    }

    pub fn environment_gauges(&mut self) -> Result<Vec<EnvironmentGauge>> {
        Ok(self
            .c()
            .query(
                "SELECT e.name, COUNT(DISTINCT r.service_id),
                        COUNT(DISTINCT CASE WHEN f.advisory_id IS NOT NULL THEN r.service_id END),
                        COUNT(DISTINCT f.advisory_id)
                 FROM environments e
                 LEFT JOIN running r ON r.environment_id = e.id
                 LEFT JOIN findings f ON f.release_id = r.release_id AND f.resolved_at IS NULL
                 GROUP BY e.name ORDER BY e.name",
                &[],
            )?
            .into_iter()
            .map(|mut r| EnvironmentGauge {
                environment: r.text(0),
                services_running: r.int(1),
                services_affected: r.int(2),
                advisories: r.int(3),
            })
            .collect())
    }
}
