//! `GET /metrics` in the OpenMetrics text format that Prometheus scrapes: what the
//! process observed (request durations by route, sync durations, alert deliveries) and
//! what the store holds, read at scrape time (findings by environment, severity and
//! state; exposure; advisories; feed age; outbox backlog). The gauges computed from
//! exposure episodes (overdue findings, SLA compliance, MTTR, MTTD, open exposure age,
//! backlog) cost more to compute; a computation is reused by the scrapes of the next
//! `[response] metrics_max_age_secs`.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RouteLabels {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct JobLabels {
    pub(crate) job: String,
    pub(crate) result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobName {
    job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct SinkLabels {
    pub(crate) sink: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    sink: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FindingLabels {
    environment: String,
    severity: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EnvironmentLabels {
    environment: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BacklogLabels {
    environment: String,
    severity: String,
}

fn duration_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

fn job_histogram() -> Histogram {
    Histogram::new([0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0])
}

/// Every metric the server exposes.
pub(crate) struct Metrics {
    registry: Registry,
    pub(crate) http: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub(crate) jobs: Family<JobLabels, Histogram, fn() -> Histogram>,
    pub(crate) delivered: Family<SinkLabels, Counter>,
    pub(crate) delivery_failures: Family<SinkLabels, Counter>,
    findings: Family<FindingLabels, Gauge>,
    services_running: Family<EnvironmentLabels, Gauge>,
    services_affected: Family<EnvironmentLabels, Gauge>,
    advisories_exposed: Family<EnvironmentLabels, Gauge>,
    advisories: Gauge,
    advisories_withdrawn: Gauge,
    job_age: Family<JobName, Gauge<f64, AtomicU64>>,
    job_last_ok: Family<JobName, Gauge>,
    outbox_unrouted: Gauge,
    outbox_deliveries: Family<DeliveryLabels, Gauge>,
    pub(crate) answer_lookups: Family<crate::answers::LookupLabels, Counter>,
    pub(crate) answer_bytes: Gauge,
    findings_overdue: Family<EnvironmentLabels, Gauge>,
    sla_compliance: Family<EnvironmentLabels, Gauge<f64, AtomicU64>>,
    mttr: Family<EnvironmentLabels, Gauge<f64, AtomicU64>>,
    mttd: Family<EnvironmentLabels, Gauge<f64, AtomicU64>>,
    open_age_max: Family<EnvironmentLabels, Gauge<f64, AtomicU64>>,
    backlog: Family<BacklogLabels, Gauge>,
    /// The last computation of the exposure gauges, and when it was made. Held while one
    /// is made, so that scrapes at once make one.
    response: tokio::sync::Mutex<Option<(Instant, Arc<ResponseGauges>)>>,
    /// Scrapes refresh the store gauges one at a time.
    scrape: Mutex<()>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// What the store says, read for one scrape.
#[derive(Debug, Default)]
pub(crate) struct StoreGauges {
    pub(crate) findings: Vec<vigil_store::FindingCount>,
    pub(crate) environments: Vec<vigil_store::EnvironmentGauge>,
    pub(crate) advisories: i64,
    pub(crate) advisories_withdrawn: i64,
    pub(crate) jobs: Vec<vigil_store::JobRun>,
    pub(crate) outbox: vigil_store::OutboxCounts,
    pub(crate) response: Arc<ResponseGauges>,
}

/// The gauges computed from exposure episodes, per environment.
#[derive(Debug, Default)]
pub(crate) struct ResponseGauges {
    /// Every environment in the store: each gets its counts, zeros included.
    environments: BTreeSet<String>,
    /// Open findings past their due date, as `GET /api/v1/findings?overdue=true` lists
    /// them, by environment.
    overdue: HashMap<String, i64>,
    /// The metrics of each environment that has episodes.
    rows: Vec<vigil_exposure::MetricsRow>,
}

impl ResponseGauges {
    /// Computes them as of the engine's now.
    fn read(e: &mut vigil_engine::Engine) -> Result<ResponseGauges, vigil_engine::EngineError> {
        let environments = e
            .store()
            .read()?
            .environments()?
            .into_iter()
            .map(|env| env.name)
            .collect();
        let mut overdue: HashMap<String, i64> = HashMap::new();
        let rows = e.findings(&vigil_engine::FindingQuery {
            overdue_only: true,
            ..vigil_engine::FindingQuery::default()
        })?;
        for row in rows {
            if let Some(env) = row.row.environment {
                *overdue.entry(env).or_default() += 1;
            }
        }
        let report = e.metrics(&vigil_engine::response::MetricsQuery {
            group: vigil_exposure::Group::Environment,
            ..vigil_engine::response::MetricsQuery::default()
        })?;
        Ok(ResponseGauges {
            environments,
            overdue,
            rows: report.rows,
        })
    }
}

/// The exposure gauges: the last computation if it is younger than `[response]
/// metrics_max_age_secs`, else a new one.
pub(crate) async fn response_gauges(
    state: &crate::state::AppState,
) -> crate::error::ApiResult<Arc<ResponseGauges>> {
    let max_age = Duration::from_secs(state.config().response.metrics_max_age_secs);
    let mut last = state.0.metrics.response.lock().await;
    if let Some((at, gauges)) = last.as_ref()
        && at.elapsed() < max_age
    {
        return Ok(Arc::clone(gauges));
    }
    let gauges = Arc::new(state.readers().run(ResponseGauges::read).await?);
    *last = Some((Instant::now(), Arc::clone(&gauges)));
    Ok(gauges)
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("vigil");
        let http = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            duration_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request durations by method, route and status",
            http.clone(),
        );
        let jobs =
            Family::<JobLabels, Histogram, fn() -> Histogram>::new_with_constructor(job_histogram);
        registry.register(
            "sync_duration_seconds",
            "Scheduled job durations (osv, kev, epss, sla_sweep) run by this process, by result",
            jobs.clone(),
        );
        let delivered = Family::<SinkLabels, Counter>::default();
        registry.register(
            "alert_deliveries",
            "Alert deliveries this process completed, by sink",
            delivered.clone(),
        );
        let delivery_failures = Family::<SinkLabels, Counter>::default();
        registry.register(
            "alert_delivery_failures",
            "Failed alert delivery attempts by this process, by sink",
            delivery_failures.clone(),
        );
        let findings = Family::<FindingLabels, Gauge>::default();
        registry.register(
            "findings",
            "Findings by environment where the release runs (none: runs nowhere), severity and state",
            findings.clone(),
        );
        let services_running = Family::<EnvironmentLabels, Gauge>::default();
        registry.register(
            "services_running",
            "Services running per environment",
            services_running.clone(),
        );
        let services_affected = Family::<EnvironmentLabels, Gauge>::default();
        registry.register(
            "services_affected",
            "Services running a release with open findings, per environment",
            services_affected.clone(),
        );
        let advisories_exposed = Family::<EnvironmentLabels, Gauge>::default();
        registry.register(
            "advisories_exposed",
            "Distinct advisories with an open finding on a running release, per environment",
            advisories_exposed.clone(),
        );
        let advisories = Gauge::default();
        registry.register("advisories", "Advisories stored", advisories.clone());
        let advisories_withdrawn = Gauge::default();
        registry.register(
            "advisories_withdrawn",
            "Advisories stored that are withdrawn",
            advisories_withdrawn.clone(),
        );
        let job_age = Family::<JobName, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "feed_age_seconds",
            "Seconds since each scheduled job (osv, kev, epss) last succeeded",
            job_age.clone(),
        );
        let job_last_ok = Family::<JobName, Gauge>::default();
        registry.register(
            "feed_last_run_ok",
            "1 if the latest run of each scheduled job succeeded, 0 if it failed",
            job_last_ok.clone(),
        );
        let outbox_unrouted = Gauge::default();
        registry.register(
            "outbox_unrouted_alerts",
            "Alerts not yet routed to sinks",
            outbox_unrouted.clone(),
        );
        let outbox_deliveries = Family::<DeliveryLabels, Gauge>::default();
        registry.register(
            "outbox_deliveries",
            "Alert deliveries by sink and state (pending is the backlog)",
            outbox_deliveries.clone(),
        );
        let answer_lookups = Family::<crate::answers::LookupLabels, Counter>::default();
        registry.register(
            "affected_cache_lookups",
            "Answers of /api/v1/affected asked for, by whether one was kept (hit) or made (miss)",
            answer_lookups.clone(),
        );
        let answer_bytes = Gauge::default();
        registry.register(
            "affected_cache_bytes",
            "Memory held by kept answers of /api/v1/affected",
            answer_bytes.clone(),
        );
        let findings_overdue = Family::<EnvironmentLabels, Gauge>::default();
        registry.register(
            "findings_overdue",
            "Open findings past their SLA due date and not risk-accepted, per environment",
            findings_overdue.clone(),
        );
        let sla_compliance = Family::<EnvironmentLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "sla_compliance_ratio",
            "Exposure episodes that met their SLA over those met or missed, per environment; absent when none is either",
            sla_compliance.clone(),
        );
        let mttr = Family::<EnvironmentLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "mttr_seconds",
            "Mean time to remediate: start to end of each closed exposure episode, per environment",
            mttr.clone(),
        );
        let mttd = Family::<EnvironmentLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "mttd_seconds",
            "Mean time to detect: advisory published to exposure known, per environment",
            mttd.clone(),
        );
        let open_age_max = Family::<EnvironmentLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "exposure_open_age_max_seconds",
            "Age of the oldest open exposure episode, per environment",
            open_age_max.clone(),
        );
        let backlog = Family::<BacklogLabels, Gauge>::default();
        registry.register(
            "backlog",
            "Open exposure episodes by environment and severity, accepted ones included",
            backlog.clone(),
        );
        Metrics {
            registry,
            findings_overdue,
            sla_compliance,
            mttr,
            mttd,
            open_age_max,
            backlog,
            response: tokio::sync::Mutex::new(None),
            answer_lookups,
            answer_bytes,
            http,
            jobs,
            delivered,
            delivery_failures,
            findings,
            services_running,
            services_affected,
            advisories_exposed,
            advisories,
            advisories_withdrawn,
            job_age,
            job_last_ok,
            outbox_unrouted,
            outbox_deliveries,
            scrape: Mutex::new(()),
        }
    }

    /// The exposition text, with the store gauges set from `g`.
    pub(crate) fn render(&self, g: StoreGauges, now: time::OffsetDateTime) -> String {
        let _one = self.scrape.lock();
        self.findings.clear();
        for f in g.findings {
            self.findings
                .get_or_create(&FindingLabels {
                    environment: f.environment.unwrap_or_else(|| "none".to_owned()),
                    severity: vigil_engine::matching::rank_name(f.severity_rank).to_owned(),
                    state: f.state,
                })
                .inc_by(f.findings);
        }
        self.services_running.clear();
        self.services_affected.clear();
        self.advisories_exposed.clear();
        for e in g.environments {
            let l = EnvironmentLabels {
                environment: e.environment,
            };
            self.services_running
                .get_or_create(&l)
                .set(e.services_running);
            self.services_affected
                .get_or_create(&l)
                .set(e.services_affected);
            self.advisories_exposed.get_or_create(&l).set(e.advisories);
        }
        self.advisories.set(g.advisories);
        self.advisories_withdrawn.set(g.advisories_withdrawn);
        self.job_age.clear();
        self.job_last_ok.clear();
        for j in g.jobs {
            let l = JobName { job: j.job };
            if let Some(at) = j
                .last_success_at
                .as_deref()
                .and_then(|t| vigil_store::time::parse(t).ok())
            {
                self.job_age
                    .get_or_create(&l)
                    .set((now - at).as_seconds_f64().max(0.0));
            }
            if let Some(ok) = j.ok {
                self.job_last_ok.get_or_create(&l).set(i64::from(ok));
            }
        }
        self.outbox_unrouted.set(g.outbox.unrouted);
        self.outbox_deliveries.clear();
        for (sink, state, n) in g.outbox.deliveries {
            self.outbox_deliveries
                .get_or_create(&DeliveryLabels { sink, state })
                .set(n);
        }
        self.set_response(&g.response);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    fn set_response(&self, g: &ResponseGauges) {
        self.findings_overdue.clear();
        self.sla_compliance.clear();
        self.mttr.clear();
        self.mttd.clear();
        self.open_age_max.clear();
        self.backlog.clear();
        let env = |name: &str| EnvironmentLabels {
            environment: name.to_owned(),
        };
        let rows: HashMap<&str, &vigil_exposure::MetricsRow> = g
            .rows
            .iter()
            .filter_map(|r| r.key.as_deref().map(|k| (k, r)))
            .collect();
        let names: BTreeSet<&str> = g
            .environments
            .iter()
            .map(String::as_str)
            .chain(rows.keys().copied())
            .collect();
        for name in names {
            let l = env(name);
            self.findings_overdue
                .get_or_create(&l)
                .set(g.overdue.get(name).copied().unwrap_or(0));
            let row = rows.get(name);
            let backlog = row.map(|r| r.backlog.clone()).unwrap_or_default();
            for (severity, n) in [
                ("critical", backlog.critical),
                ("high", backlog.high),
                ("medium", backlog.medium),
                ("low", backlog.low),
                ("unrated", backlog.unrated),
            ] {
                self.backlog
                    .get_or_create(&BacklogLabels {
                        environment: name.to_owned(),
                        severity: severity.to_owned(),
                    })
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
            }
            let Some(row) = row else {
                continue;
            };
            // A mean or ratio of nothing has no sample rather than a made-up value.
            for (family, value) in [
                (&self.sla_compliance, row.sla.ratio),
                (&self.mttr, row.mttr.mean_seconds),
                (&self.mttd, row.mttd.mean_seconds),
                (&self.open_age_max, row.open.max_seconds),
            ] {
                if let Some(v) = value {
                    family.get_or_create(&l).set(v);
                }
            }
        }
    }
}
