//! Findings: a package version of a release matched by an advisory, with the matcher's
//! answer (what matched, what fixes it), the severity, and the lifecycle timestamps:
//! first seen, first exposed (running somewhere while affected) and resolved.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::ledger::FINDING_RETURNING;
use crate::sql::{Param, Row, params};
use crate::time::format;

/// Identifies a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FindingKey {
    pub release_id: i64,
    pub package_version_id: i64,
    pub advisory_id: String,
}

/// A matcher's answer, to store.
#[derive(Clone, Debug)]
pub struct NewFinding<'a> {
    pub key: FindingKey,
    /// `affected[0].ranges[1]` or `affected[0].versions[3]`.
    pub matched: &'a str,
    /// `affected`, or `unknown` when a range could not be evaluated.
    pub certainty: &'a str,
    pub reason: Option<&'a str>,
    /// `fixed_in`, `no_fix_known`, `no_fix_yet`, `not_listed` or `unknown`.
    pub fix: &'a str,
    /// Versions that fix it, comma separated, ascending; or the last affected version.
    pub fixed: Option<&'a str>,
    pub severity_rank: i64,
    pub severity_score: Option<f64>,
}

/// Why a finding closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// The release runs nowhere any more.
    Undeployed,
    /// The advisory was withdrawn.
    Withdrawn,
    /// The advisory no longer matches (its ranges changed).
    Unmatched,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Undeployed => "undeployed",
            Resolution::Withdrawn => "withdrawn",
            Resolution::Unmatched => "unmatched",
        }
    }
}

/// A finding's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FindingState {
    pub key: FindingKey,
    pub first_seen: String,
    pub first_exposed: Option<String>,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    pub matcher: String,
}

fn state(mut r: Row) -> FindingState {
    FindingState {
        key: FindingKey {
            release_id: r.int(0),
            package_version_id: r.int(1),
            advisory_id: r.text(2),
        },
        first_seen: r.text(3),
        first_exposed: r.opt_text(4),
        resolved_at: r.opt_text(5),
        resolution: r.opt_text(6),
        matcher: r.text(7),
    }
}

const STATE_COLUMNS: &str = "release_id, package_version_id, advisory_id, first_seen, \
     first_exposed, resolved_at, resolution, matcher";

impl Tx<'_> {
    /// Stores findings: new ones are first seen `now`, known ones take the new answer
    /// and keep their history (a known finding whose answer is unchanged is not written
    /// at all, so a rematch that changes nothing writes nothing); one closed because the advisory was withdrawn or stopped
    /// matching reopens. Findings of releases running now are exposed from `now`.
    pub fn upsert_findings(
        &mut self,
        findings: &[NewFinding<'_>],
        matcher: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        if findings.is_empty() {
            return Ok(());
        }
        let now = format(now);
        // Findings of releases running now are exposed from now: worked out here, so
        // that the insert writes each row once.
        let mut running = std::collections::HashSet::new();
        self.c()
            .query_each("SELECT DISTINCT release_id FROM running", &[], &mut |r| {
                running.insert(r.int(0));
                Ok(())
            })?;
        let mut rows = Vec::with_capacity(findings.len() * 14);
        for f in findings {
            let exposed = running.contains(&f.key.release_id).then_some(now.as_str());
            rows.extend_from_slice(params![
                f.key.release_id,
                f.key.package_version_id,
                f.key.advisory_id.as_str(),
                f.matched,
                f.certainty,
                f.reason,
                f.fix,
                f.fixed,
                f.severity_rank,
                f.severity_score,
                now.as_str(),
                exposed,
                matcher,
                now.as_str()
            ]);
        }
        let mut changed = Vec::new();
        self.c().insert_many_returning(
            "findings (release_id, package_version_id, advisory_id, matched, certainty, reason, fix,
                 fixed, severity_rank, severity_score, first_seen, first_exposed, matcher,
                 updated_at)",
            14,
            &rows,
            &format!("ON CONFLICT (release_id, package_version_id, advisory_id) DO UPDATE SET
                 matched = excluded.matched, certainty = excluded.certainty,
                 reason = excluded.reason, fix = excluded.fix, fixed = excluded.fixed,
                 severity_rank = excluded.severity_rank, severity_score = excluded.severity_score,
                 matcher = excluded.matcher, updated_at = excluded.updated_at,
                 first_exposed = COALESCE(findings.first_exposed, excluded.first_exposed),
                 resolved_at = CASE WHEN findings.resolution IN ('withdrawn', 'unmatched')
                     THEN NULL ELSE findings.resolved_at END,
                 resolution = CASE WHEN findings.resolution IN ('withdrawn', 'unmatched')
                     THEN NULL ELSE findings.resolution END
             WHERE findings.matched IS DISTINCT FROM excluded.matched
                 OR findings.certainty IS DISTINCT FROM excluded.certainty
                 OR findings.reason IS DISTINCT FROM excluded.reason
                 OR findings.fix IS DISTINCT FROM excluded.fix
                 OR findings.fixed IS DISTINCT FROM excluded.fixed
                 OR findings.severity_rank IS DISTINCT FROM excluded.severity_rank
                 OR findings.severity_score IS DISTINCT FROM excluded.severity_score
                 OR findings.matcher IS DISTINCT FROM excluded.matcher
                 OR (findings.first_exposed IS NULL AND excluded.first_exposed IS NOT NULL)
                 OR findings.resolution IN ('withdrawn', 'unmatched')
             {FINDING_RETURNING}"),
            &mut |r| {
                changed.push(r);
                Ok(())
            },
        )?;
        for r in changed {
            self.ledger_finding(r, &now);
        }
        Ok(())
    }

    /// Closes findings with `resolution` at `at`: open ones, and those closed only
    /// because their release stopped running or triage ruled them out.
    pub fn resolve_findings(
        &mut self,
        keys: &[FindingKey],
        resolution: Resolution,
        at: OffsetDateTime,
    ) -> Result<u64> {
        let at = format(at);
        let mut n = 0;
        let sql = format!(
            "UPDATE findings SET resolved_at = ?, resolution = ?, updated_at = ?
             WHERE release_id = ? AND package_version_id = ? AND advisory_id = ?
               AND (resolved_at IS NULL
                    OR resolution IN ('undeployed', 'not_affected', 'fixed')) {}",
            FINDING_RETURNING
        );
        for k in keys {
            let changed = self.c().query(
                &sql,
                params![
                    at.as_str(),
                    resolution.as_str(),
                    at.as_str(),
                    k.release_id,
                    k.package_version_id,
                    k.advisory_id.as_str()
                ],
            )?;
            for r in changed {
                n += 1;
                self.ledger_finding(r, &at);
            }
        }
        Ok(n)
    }

    /// Every finding of advisory `id`, open or not.
    pub fn findings_of_advisory(&mut self, id: &str) -> Result<Vec<FindingState>> {
        self.states_where("advisory_id = ?", params![id])
    }

    /// Every finding of release `id`, open or not.
    pub fn findings_of_release(&mut self, id: i64) -> Result<Vec<FindingState>> {
        self.states_where("release_id = ?", params![id])
    }

    fn states_where(&mut self, condition: &str, params: &[Param<'_>]) -> Result<Vec<FindingState>> {
        let sql = format!("SELECT {STATE_COLUMNS} FROM findings WHERE {condition}");
        Ok(self
            .c()
            .query(&sql, params)?
            .into_iter()
            .map(state)
            .collect())
    }
}
