//! `GET /metrics` in the OpenMetrics text format that Prometheus scrapes: what the
//! process observed (request durations by route, sync durations, alert deliveries) and
//! what the store holds, read at scrape time (findings by environment, severity and
//! state; exposure; advisories; feed age; outbox backlog).

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

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
            "Scheduled sync durations (osv, kev, epss) run by this process, by result",
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
        Metrics {
            registry,
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
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
