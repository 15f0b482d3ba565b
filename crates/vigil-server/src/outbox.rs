//! The dispatcher: routes new alerts to the sinks whose routes match, then delivers
//! pending deliveries, retrying failures with exponential backoff until the give-up
//! window passes. Claims are leases in the store, so replicas on one PostgreSQL share
//! the work without sending an alert twice to a sink, and a delivery claimed by a
//! process that dies is retried when its lease ends. Delivery is at least once: a
//! process that dies after the sink accepted an alert but before recording it sends it
//! again, with the same idempotency key.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use vigil_engine::{Engine, EngineError};
use vigil_store::{Store, StoredAlert};

use crate::metrics::SinkLabels;
use crate::sinks::{Alert, AlertAdvisory, AlertKind, Sink, SinkConfig};
use crate::state::AppState;

/// Deliveries claimed at a time.
const CLAIM: i64 = 16;
/// Alerts routed at a time.
const ROUTE: i64 = 200;

pub(crate) async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let config = state.config().clone();
    let timeout = Duration::from_secs(config.outbox.timeout_secs.max(1));
    let mut sinks: Vec<(SinkConfig, Arc<Sink>)> = Vec::new();
    for c in &config.sinks {
        match Sink::new(c, timeout) {
            Ok(s) => sinks.push((c.clone(), Arc::new(s))),
            Err(e) => tracing::error!(sink = %c.name, error = %e, "outbox: sink not usable"),
        }
    }
    if sinks.is_empty() {
        tracing::info!("outbox: no sinks configured; alerts are recorded and listed only");
    }
    let poll = Duration::from_millis(config.outbox.poll_interval_ms.max(10));
    let mut engine: Option<Engine> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        let busy = match step(&state, &sinks, &mut engine).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: dispatch failed; retrying");
                engine = None;
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = state.0.outbox_wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

/// One round: route what is new, deliver what is due. Returns how much it did.
async fn step(
    state: &AppState,
    sinks: &[(SinkConfig, Arc<Sink>)],
    engine: &mut Option<Engine>,
) -> Result<usize, EngineError> {
    let held = engine.take();
    let location = state.location().clone();
    let clock = Arc::clone(&state.0.clock);
    let config = state.config().outbox.clone();
    let routes: Vec<SinkConfig> = sinks.iter().map(|(c, _)| c.clone()).collect();
    let now = state.now();
    let lease = time::Duration::seconds(
        i64::try_from(config.timeout_secs.saturating_mul(2).saturating_add(5)).unwrap_or(60),
    );
    let (e, claimed) = tokio::task::spawn_blocking(move || {
        let mut e = match held {
            Some(e) => e,
            None => match Store::open(&location) {
                Ok(store) => Engine::with_clock(store, clock),
                Err(err) => return (None, Err(EngineError::from(err))),
            },
        };
        let result = (|| -> Result<Vec<(vigil_store::Delivery, StoredAlert)>, EngineError> {
            let mut tx = e.store().write()?;
            for stored in tx.unrouted_alerts(ROUTE)? {
                let alert = to_alert(&stored);
                let names: Vec<&str> = routes
                    .iter()
                    .filter(|r| r.routes(&alert))
                    .map(|r| r.name.as_str())
                    .collect();
                tx.route_alert(stored.id, &names, now)?;
            }
            tx.commit()?;
            if routes.is_empty() {
                return Ok(Vec::new());
            }
            let mut tx = e.store().write()?;
            let claimed = tx.claim_deliveries(now, now + lease, CLAIM)?;
            tx.commit()?;
            Ok(claimed)
        })();
        (Some(e), result)
    })
    .await
    .map_err(|err| EngineError::Invalid(format!("the dispatcher panicked: {err}")))?;
    *engine = e;
    let claimed = claimed?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let by_name: HashMap<&str, &Arc<Sink>> =
        sinks.iter().map(|(c, s)| (c.name.as_str(), s)).collect();
    let mut results = Vec::with_capacity(claimed.len());
    // Deliveries go out side by side, each on a blocking thread.
    let mut tasks = Vec::new();
    for (d, stored) in claimed {
        let Some(sink) = by_name.get(d.sink.as_str()).map(|s| Arc::clone(s)) else {
            // A sink removed from the configuration: its deliveries wait for it.
            results.push((
                d,
                Err((None, "no sink of this name is configured".to_owned(), None)),
            ));
            continue;
        };
        let alert = to_alert(&stored);
        tasks.push((d, tokio::task::spawn_blocking(move || sink.deliver(&alert))));
    }
    for (d, task) in tasks {
        let outcome = match task.await {
            Ok(Ok(ok)) => Ok(ok.status),
            Ok(Err(err)) => Err((err.status, err.message, err.retry_after)),
            Err(err) => Err((None, format!("the delivery panicked: {err}"), None)),
        };
        results.push((d, outcome));
    }
    let n = results.len();
    let base = Duration::from_secs(config.backoff_base_secs.max(1));
    let max = Duration::from_secs(config.backoff_max_secs.max(1));
    let give_up = time::Duration::hours(i64::try_from(config.give_up_after_hours).unwrap_or(72));
    let metrics = state.clone();
    let mut e = engine
        .take()
        .ok_or_else(|| EngineError::Invalid("no engine".into()))?;
    let (e, recorded) = tokio::task::spawn_blocking(move || {
        let result = (|| -> Result<(), EngineError> {
            let now = metrics.now();
            let mut tx = e.store().write()?;
            for (d, outcome) in results {
                let labels = SinkLabels {
                    sink: d.sink.clone(),
                };
                match outcome {
                    Ok(status) => {
                        tx.delivery_succeeded(d.id, status, now)?;
                        metrics.0.metrics.delivered.get_or_create(&labels).inc();
                        tracing::info!(sink = %d.sink, alert = d.alert_id, status, "outbox: delivered");
                    }
                    Err((status, message, retry_after)) => {
                        metrics.0.metrics.delivery_failures.get_or_create(&labels).inc();
                        let created = vigil_store::time::parse(&d.created_at).unwrap_or(now);
                        let attempt = u32::try_from(d.attempts).unwrap_or(u32::MAX);
                        let wait = crate::sinks::backoff(attempt, base, max)
                            .max(retry_after.unwrap_or_default());
                        let wait = time::Duration::try_from(wait).unwrap_or(time::Duration::MINUTE);
                        let retry = (now - created < give_up).then_some(now + wait);
                        if retry.is_none() {
                            tracing::error!(sink = %d.sink, alert = d.alert_id, attempts = d.attempts, error = %message, "outbox: giving up on a delivery");
                        } else {
                            tracing::warn!(sink = %d.sink, alert = d.alert_id, attempts = d.attempts, error = %message, "outbox: delivery failed; will retry");
                        }
                        tx.delivery_failed(d.id, status, &message, retry)?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })();
        (e, result)
    })
    .await
    .map_err(|err| EngineError::Invalid(format!("the dispatcher panicked: {err}")))?;
    *engine = Some(e);
    recorded?;
    Ok(n)
}

/// The body of an SLA breach alert, as the engine writes it: one entry per overdue
/// exposure.
#[derive(serde::Deserialize)]
struct Breach {
    advisory: String,
    severity: String,
    kev: bool,
    exposed_since: String,
    due: String,
    packages: Vec<String>,
}

/// An entry of a signal or runtime alert's body, as the engine writes it.
#[derive(serde::Deserialize)]
struct SignalEntry {
    id: String,
    title: String,
    severity: String,
    location: Option<String>,
    kev: bool,
    /// Runtime alerts: the KEV-listed advisories open on the same release.
    #[serde(default)]
    linked: Vec<String>,
}

/// The advisories of a stored alert's body, whichever kind it is. A body that does not
/// parse gives none.
pub(crate) fn advisories(kind: &str, body: &str) -> Vec<AlertAdvisory> {
    if kind == "signal" || kind == "runtime" {
        let entries: Vec<SignalEntry> = serde_json::from_str(body).unwrap_or_default();
        return entries
            .into_iter()
            .map(|e| AlertAdvisory {
                id: e.id,
                aliases: e.linked,
                summary: Some(e.title),
                severity: e.severity,
                package: e.location.unwrap_or_default(),
                fixed: None,
                kev: e.kev,
                exposed_since: None,
                due: None,
            })
            .collect();
    }
    if kind == "sla_breach" {
        let breaches: Vec<Breach> = serde_json::from_str(body).unwrap_or_default();
        return breaches
            .into_iter()
            .map(|b| AlertAdvisory {
                id: b.advisory,
                aliases: Vec::new(),
                summary: None,
                severity: b.severity,
                package: b.packages.join(", "),
                fixed: None,
                kev: b.kev,
                exposed_since: Some(b.exposed_since),
                due: Some(b.due),
            })
            .collect();
    }
    let advisories: Vec<vigil_engine::AlertAdvisory> =
        serde_json::from_str(body).unwrap_or_default();
    advisories
        .into_iter()
        .map(|x| AlertAdvisory {
            id: x.id,
            aliases: x.aliases,
            summary: x.summary,
            severity: x.severity,
            package: x.package,
            fixed: x.fixed,
            kev: x.kev,
            exposed_since: None,
            due: None,
        })
        .collect()
}

/// A stored alert as sinks see it.
pub(crate) fn to_alert(a: &StoredAlert) -> Alert {
    Alert {
        id: a.id,
        key: a.key.clone(),
        kind: match a.kind.as_str() {
            "deployment" => AlertKind::Deployment,
            "sla_breach" => AlertKind::SlaBreach,
            "signal" => AlertKind::Signal,
            "runtime" => AlertKind::Runtime,
            _ => AlertKind::Advisory,
        },
        created_at: vigil_store::time::parse(&a.created_at)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        environment: a.environment.clone(),
        service: a.service.clone(),
        version: a.version.clone(),
        team: a.team.clone(),
        severity: vigil_engine::matching::rank_name(a.severity_rank).to_owned(),
        severity_rank: a.severity_rank,
        advisories: advisories(&a.kind, &a.body),
    }
}
