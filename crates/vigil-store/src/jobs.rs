//! Scheduled jobs (OSV sync, KEV and EPSS imports): the latest run of each, so that any
//! replica can say how fresh the data is and whether the last attempt failed.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Row, params};
use crate::time::format;

/// The latest run of a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobRun {
    pub job: String,
    pub started_at: String,
    /// `None` while it runs (or if its runner died).
    pub finished_at: Option<String>,
    pub ok: Option<bool>,
    pub duration_ms: Option<i64>,
    /// What it did, as JSON.
    pub summary: Option<String>,
    pub error: Option<String>,
    /// The process that ran it.
    pub runner: Option<String>,
    /// When it last finished without error.
    pub last_success_at: Option<String>,
}

fn run(mut r: Row) -> JobRun {
    JobRun {
        job: r.text(0),
        started_at: r.text(1),
        finished_at: r.opt_text(2),
        ok: r.opt_int(3).map(|v| v != 0),
        duration_ms: r.opt_int(4),
        summary: r.opt_text(5),
        error: r.opt_text(6),
        runner: r.opt_text(7),
        last_success_at: r.opt_text(8),
    }
}

impl Tx<'_> {
    /// Records that `job` started.
    pub fn job_started(&mut self, job: &str, runner: &str, now: OffsetDateTime) -> Result<()> {
        self.c().execute(
            "INSERT INTO job_runs (job, started_at, runner) VALUES (?, ?, ?)
             ON CONFLICT (job) DO UPDATE SET started_at = excluded.started_at,
                 finished_at = NULL, ok = NULL, duration_ms = NULL, summary = NULL,
                 error = NULL, runner = excluded.runner",
            params![job, format(now).as_str(), runner],
        )?;
        Ok(())
    }

    /// Records how `job` ended: `Ok(summary JSON)` or `Err(message)`.
    pub fn job_finished(
        &mut self,
        job: &str,
        result: std::result::Result<&str, &str>,
        duration_ms: i64,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = format(now);
        let (ok, summary, error) = match result {
            Ok(s) => (true, Some(s), None),
            Err(e) => (false, None, Some(e)),
        };
        self.c().execute(
            "UPDATE job_runs SET finished_at = ?, ok = ?, duration_ms = ?, summary = ?, error = ?,
                 last_success_at = CASE WHEN ? = 1 THEN ? ELSE last_success_at END
             WHERE job = ?",
            params![
                now.as_str(),
                ok,
                duration_ms,
                summary,
                error,
                ok,
                now.as_str(),
                job
            ],
        )?;
        Ok(())
    }

    /// The latest run of every job.
    pub fn job_runs(&mut self) -> Result<Vec<JobRun>> {
        Ok(self
            .c()
            .query(
                "SELECT job, started_at, finished_at, ok, duration_ms, summary, error, runner,
                        last_success_at FROM job_runs ORDER BY job",
                &[],
            )?
            .into_iter()
            .map(run)
            .collect())
    }
}
