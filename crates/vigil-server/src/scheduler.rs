//! The scheduler: OSV feed sync (every 10 minutes by default), KEV and EPSS imports
//! (daily), and the SLA sweep (every minute), which lapses expired risk acceptances and
//! writes an alert for each exposure past its due date. One process on a store runs them
//! at a time: the holder of the `scheduler`
//! leader lock (a PostgreSQL advisory lock, or a lock file beside an SQLite store),
//! which another replica takes over when the holder dies. When each job is due is read
//! from its last run in the store, so a new leader keeps the schedule.
//!
//! Jobs run one after another, never two at once. A job commits in batches; stopping
//! the process mid-job loses at most the batch in flight, and the next run resumes from
//! the stored cursors.

use std::time::{Duration, Instant};

use tokio::sync::watch;
use vigil_engine::feed::FeedConfig;
use vigil_engine::{Engine, EngineError};
use vigil_store::{Leader, Location, Store};

use crate::metrics::JobLabels;
use crate::state::AppState;

/// How often a process that is not the leader tries to become it, and how often the
/// leader looks for due jobs.
const TICK: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Job {
    Osv,
    Kev,
    Epss,
    Sweep,
}

impl Job {
    fn name(self) -> &'static str {
        match self {
            Job::Osv => "osv",
            Job::Kev => "kev",
            Job::Epss => "epss",
            Job::Sweep => "sla_sweep",
        }
    }

    fn interval(self, state: &AppState) -> u64 {
        let s = &state.config().scheduler;
        match self {
            Job::Osv => s.osv_interval_secs,
            Job::Kev => s.kev_interval_secs,
            Job::Epss => s.epss_interval_secs,
            Job::Sweep => state.config().response.sweep_interval_secs,
        }
    }
}

/// A name for this process in job records.
fn runner() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".to_owned());
    format!("{host}/{}", std::process::id())
}

pub(crate) async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let jobs: Vec<Job> = [Job::Osv, Job::Kev, Job::Epss, Job::Sweep]
        .into_iter()
        .filter(|j| j.interval(&state) > 0)
        .collect();
    if jobs.is_empty() {
        tracing::info!("scheduler: every job is disabled");
        return;
    }
    let location = state.location().clone();
    let mut leader: Option<Leader> = None;
    let mut engine: Option<Engine> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        // Lead, or try to.
        let held = match leader.take() {
            Some(mut l) => {
                let (l, ok) = blocking(move || {
                    let ok = l.still_held();
                    (l, ok)
                })
                .await;
                if ok {
                    Some(l)
                } else {
                    tracing::warn!("scheduler: lost the leader lock");
                    None
                }
            }
            None => {
                let loc = location.clone();
                match blocking(move || Leader::try_acquire(&loc, "scheduler")).await {
                    Ok(Some(l)) => {
                        tracing::info!("scheduler: this process runs the scheduled syncs");
                        Some(l)
                    }
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(error = %e, "scheduler: cannot take the leader lock");
                        None
                    }
                }
            }
        };
        leader = held;
        if leader.is_some() {
            for job in &jobs {
                if *stop.borrow() {
                    return;
                }
                match due(&state, &location, *job, &mut engine).await {
                    Ok(true) => run_job(&state, &location, *job, &mut engine).await,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(job = job.name(), error = %e, "scheduler: cannot read the job's last run");
                        engine = None;
                    }
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stop.changed() => {}
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn open(
    location: &Location,
    state: &AppState,
    engine: &mut Option<Engine>,
) -> Result<Engine, EngineError> {
    match engine.take() {
        Some(e) => Ok(e),
        None => Ok(state.engine(Store::open(location)?)),
    }
}

/// Whether `job` is due: never run, or its last start is an interval ago.
async fn due(
    state: &AppState,
    location: &Location,
    job: Job,
    engine: &mut Option<Engine>,
) -> Result<bool, EngineError> {
    let name = job.name();
    let (loc, st, held) = (location.clone(), state.clone(), engine.take());
    let (e, runs) = blocking(move || {
        let mut held = held;
        let mut e = open(&loc, &st, &mut held)?;
        let runs = e.store().read().and_then(|mut tx| tx.job_runs());
        Ok::<_, EngineError>((e, runs))
    })
    .await?;
    *engine = Some(e);
    let now = state.now();
    let interval = time::Duration::seconds(i64::try_from(job.interval(state)).unwrap_or(i64::MAX));
    Ok(match runs?.into_iter().find(|r| r.job == name) {
        None => true,
        Some(r) => match vigil_store::time::parse(&r.started_at) {
            Ok(at) => now - at >= interval,
            Err(_) => true,
        },
    })
}

async fn run_job(state: &AppState, location: &Location, job: Job, engine: &mut Option<Engine>) {
    let (loc, st, held) = (location.clone(), state.clone(), engine.take());
    let opened = blocking(move || {
        let mut held = held;
        open(&loc, &st, &mut held)
    })
    .await;
    let e = match opened {
        Ok(e) => e,
        Err(err) => {
            tracing::warn!(job = job.name(), error = %err, "scheduler: cannot open the store");
            return;
        }
    };
    let config = state.config().clone();
    let now = state.now();
    let started = Instant::now();
    let me = runner();
    let work_dir = match location {
        Location::Sqlite(dir) => dir.join("feeds"),
        Location::Postgres { .. } => std::env::temp_dir().join("vigil-feeds"),
    };
    // The sweep runs every minute: it is logged when it did something.
    if job == Job::Sweep {
        tracing::debug!(job = job.name(), "scheduler: job started");
    } else {
        tracing::info!(job = job.name(), "scheduler: job started");
    }
    let (e, result) = blocking(move || {
        let mut e = e;
        let result = (|| -> Result<serde_json::Value, EngineError> {
            {
                let mut tx = e.store().write()?;
                tx.job_started(job.name(), &me, now)?;
                tx.commit()?;
            }
            let summary = match job {
                Job::Osv => {
                    std::fs::create_dir_all(&work_dir).map_err(|err| {
                        EngineError::Invalid(format!("creating {}: {err}", work_dir.display()))
                    })?;
                    let mut feed = FeedConfig::new(&work_dir);
                    feed.base.clone_from(&config.scheduler.osv_url);
                    feed.ecosystems.clone_from(&config.scheduler.osv_ecosystems);
                    let (sync, import) = e.sync_feed(&feed, &mut |_| {})?;
                    serde_json::json!({
                        "ecosystems": sync.ecosystems.len(),
                        "records": import.records,
                        "stored": import.outcome.stored,
                        "rejected": import.rejected.len(),
                        "new_findings": import.outcome.new_findings,
                        "resolved": import.outcome.resolved,
                        "alerts": import.outcome.alerts,
                    })
                }
                Job::Kev => {
                    let url = &config.scheduler.kev_url;
                    let bytes = fetch(url, e.limits.intel.max_decompressed_bytes)?;
                    let n = e.import_kev(&bytes, Some(url))?;
                    serde_json::json!({ "records": n })
                }
                Job::Epss => {
                    let url = &config.scheduler.epss_url;
                    let bytes = fetch(url, e.limits.intel.max_decompressed_bytes)?;
                    let n = e.import_epss(&bytes, Some(url))?;
                    serde_json::json!({ "records": n })
                }
                Job::Sweep => {
                    let (lapsed, alerts) = e.sla_sweep()?;
                    serde_json::json!({ "lapsed": lapsed, "alerts": alerts })
                }
            };
            Ok(summary)
        })();
        let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let text = match &result {
            Ok(v) => Ok(v.to_string()),
            Err(err) => Err(err.to_string()),
        };
        let end = e.now();
        let recorded = e.store().write().and_then(|mut tx| {
            tx.job_finished(
                job.name(),
                text.as_ref().map(String::as_str).map_err(String::as_str),
                ms,
                end,
            )?;
            tx.commit()
        });
        if let Err(err) = recorded {
            tracing::warn!(job = job.name(), error = %err, "scheduler: cannot record the job's end");
        }
        (e, result)
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let ok = result.is_ok();
    state
        .0
        .metrics
        .jobs
        .get_or_create(&JobLabels {
            job: job.name().to_owned(),
            result: if ok { "ok" } else { "error" }.to_owned(),
        })
        .observe(elapsed);
    match result {
        Ok(summary) => {
            let idle = job == Job::Sweep
                && summary
                    .as_object()
                    .is_some_and(|m| m.values().all(|v| v == 0));
            if idle {
                tracing::debug!(job = job.name(), seconds = elapsed, %summary, "scheduler: job finished");
            } else {
                tracing::info!(job = job.name(), seconds = elapsed, %summary, "scheduler: job finished");
            }
            if summary
                .get("alerts")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
                > 0
            {
                state.alerts_waiting();
            }
            *engine = Some(e);
        }
        Err(err) => {
            tracing::warn!(job = job.name(), seconds = elapsed, error = %err, "scheduler: job failed");
            // The connection may be what failed: a new one next time.
            if err.is_input() {
                *engine = Some(e);
            }
        }
    }
}

/// A KEV or EPSS source: an http(s) URL, or a file (a local mirror).
fn fetch(source: &str, limit: u64) -> Result<Vec<u8>, EngineError> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return Ok(vigil_engine::feed::fetch(
            source,
            limit,
            Duration::from_secs(60),
        )?);
    }
    let path = source.strip_prefix("file://").unwrap_or(source);
    let meta = std::fs::metadata(path)
        .map_err(|e| EngineError::Invalid(format!("reading {path}: {e}")))?;
    if meta.len() > limit {
        return Err(EngineError::Invalid(format!(
            "{path} is {} bytes, over the limit of {limit}",
            meta.len()
        )));
    }
    std::fs::read(path).map_err(|e| EngineError::Invalid(format!("reading {path}: {e}")))
}
