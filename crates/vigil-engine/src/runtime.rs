//! Signals from the running system, tied back to the release that runs: scanner reports
//! and DAST results as issues of an environment and service (re-imports close what is
//! gone and keep triage on what stays; vulnerability results that Vigil's own findings
//! already cover are counted, not duplicated), runtime alerts correlated by image
//! digest, Kubernetes names or hostname, the runtime inventory compared with the
//! deployment log (drift), and file integrity baselines and changes. New issues and
//! runtime alerts go out through the outbox to the owning team.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use time::OffsetDateTime;
use vigil_store::{
    FimBaseline, NewAlert, NewRuntimeAlert, NewSignal, Signal, SignalDecision, SignalFilter,
    SignalScope, SignalSync, Tx,
};

use crate::engine::{Engine, sha256};
use crate::error::{EngineError, Result};
use crate::{FindingQuery, FindingRow};

/// Kinds of issue a report may carry.
pub const REPORT_KINDS: [&str; 7] = ["dast", "sarif", "zap", "nikto", "trivy", "grype", "fim"];

/// Most issues one report may carry.
pub const MAX_REPORT_ITEMS: usize = 100_000;

/// A vulnerability a scanner (Trivy, Grype) reports in a package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VulnerabilityResult {
    /// The advisory id as the scanner names it (`CVE-…`, `GHSA-…`).
    pub id: String,
    pub aliases: Vec<String>,
    pub purl: Option<String>,
    pub package: String,
    pub version: String,
    pub severity_rank: i64,
    pub title: String,
    pub fixed: Option<String>,
}

/// A report about what runs in one environment: issues, and vulnerability results.
#[derive(Clone, Debug, Default)]
pub struct ReportInput<'a> {
    /// One of [`REPORT_KINDS`].
    pub kind: &'a str,
    /// The tool and its version, as the report names them.
    pub tool: &'a str,
    pub environment: &'a str,
    pub service: &'a str,
    /// The release; by default the one running in `environment`.
    pub version: Option<&'a str>,
    /// What the report covers, so that reports of other sources of the same kind do
    /// not close its issues: the tool's name for scanner reports, the site for DAST,
    /// the host and root for file integrity.
    pub source: &'a str,
    pub issues: Vec<NewSignal>,
    pub vulnerabilities: Vec<VulnerabilityResult>,
}

/// What recording a report did.
#[derive(Clone, Debug, Serialize)]
pub struct ReportOutcome {
    pub kind: String,
    pub environment: String,
    pub service: String,
    /// The release the issues are tied to, if one is known.
    pub release: Option<String>,
    #[serde(flatten)]
    pub sync: SignalSync,
    /// Vulnerability results that a finding of Vigil's own already covers.
    pub corroborated: usize,
    /// Whether an alert went to the outbox.
    pub alerted: bool,
}

/// A Falco alert, with what correlation reads of its fields.
#[derive(Clone, Debug, Default)]
pub struct RuntimeAlertInput {
    pub uuid: String,
    pub rule: String,
    pub priority: String,
    pub output: String,
    /// RFC 3339.
    pub time: String,
    pub hostname: Option<String>,
    pub source: Option<String>,
    pub tags: Vec<String>,
    /// The alert's `output_fields` object, as JSON.
    pub output_fields: String,
    pub image_digest: Option<String>,
    /// The container image's repository (`registry.example/shop/payments-api`).
    pub image: Option<String>,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub labels: Vec<(String, String)>,
}

/// What recording a runtime alert did.
#[derive(Clone, Debug, Serialize)]
pub struct RuntimeOutcome {
    pub uuid: String,
    /// False when an alert with this uuid was recorded already.
    pub stored: bool,
    pub environment: Option<String>,
    pub service: Option<String>,
    pub release: Option<String>,
    /// `digest`, `kubernetes` or `hostname`.
    pub correlated_by: Option<String>,
    pub severity: &'static str,
    /// KEV-listed advisories open on the same release, which raised the severity.
    pub linked: Vec<String>,
    pub alerted: bool,
}

/// A workload of the runtime inventory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workload {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    pub image: Option<String>,
    /// `sha256:…` of the image that runs.
    pub digest: Option<String>,
    /// The service, where the inventory says it.
    pub service: Option<String>,
    /// The release version, where the inventory says it.
    pub version: Option<String>,
}

/// What comparing an inventory with the deployment log found.
#[derive(Clone, Debug, Serialize)]
pub struct DriftOutcome {
    pub environment: String,
    pub workloads: usize,
    /// Workloads tied to a recorded release.
    pub matched: usize,
    #[serde(flatten)]
    pub sync: SignalSync,
    pub alerted: bool,
}

/// A signal with its severity's name and its due date by the environment's SLA.
#[derive(Clone, Debug, Serialize)]
pub struct SignalRow {
    #[serde(flatten)]
    pub signal: Signal,
    pub severity: &'static str,
    pub due: Option<String>,
    /// Open, past due and not risk-accepted.
    pub overdue: bool,
}

/// A triage decision on a signal.
#[derive(Clone, Debug, Default)]
pub struct SignalTriage {
    pub status: String,
    pub justification: Option<String>,
    pub impact: Option<String>,
    pub action: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub actor: String,
}

/// A signal with its severity's name and its due date by the environment's SLA policy,
/// counted from when it was first seen.
fn signal_row(s: Signal, policies: &vigil_exposure::SlaPolicies, now: OffsetDateTime) -> SignalRow {
    let days = policies
        .for_environment(&s.environment)
        .days(s.severity_rank, false);
    let due = vigil_store::time::parse(&s.first_seen)
        .ok()
        .map(|t| t + time::Duration::days(i64::from(days)));
    let accepted = s.triage.as_deref() == Some("risk_accepted")
        && s.expires_at
            .as_deref()
            .and_then(|t| vigil_store::time::parse(t).ok())
            .is_some_and(|t| t > now);
    let overdue = s.resolved_at.is_none() && !accepted && due.is_some_and(|d| d <= now);
    SignalRow {
        severity: crate::matching::rank_name(s.severity_rank),
        due: due.map(vigil_store::time::format),
        overdue,
        signal: s,
    }
}

/// The rank of a Falco priority: Emergency, Alert and Critical are critical; Error high;
/// Warning medium; Notice low; Informational and Debug unrated.
pub fn priority_rank(priority: &str) -> i64 {
    match priority.to_ascii_lowercase().as_str() {
        "emergency" | "alert" | "critical" => 4,
        "error" => 3,
        "warning" => 2,
        "notice" => 1,
        _ => 0,
    }
}

/// A signal's alert entry, as the outbox's sinks read it.
#[derive(Clone, Debug, Serialize)]
struct AlertEntry<'a> {
    id: String,
    title: &'a str,
    severity: &'static str,
    location: Option<&'a str>,
    kev: bool,
}

fn alert_entries(tx: &mut Tx<'_>, ids: &[i64]) -> Result<(i64, String)> {
    let mut signals = Vec::new();
    for id in ids {
        if let Some(s) = tx.signal(*id)? {
            signals.push(s);
        }
    }
    let rank = signals.iter().map(|s| s.severity_rank).max().unwrap_or(0);
    let entries: Vec<AlertEntry<'_>> = signals
        .iter()
        .map(|s| AlertEntry {
            id: format!("{} {}", s.kind, s.rule),
            title: &s.title,
            severity: crate::matching::rank_name(s.severity_rank),
            location: s.location.as_deref(),
            kev: false,
        })
        .collect();
    let body = serde_json::to_string(&entries)
        .map_err(|e| EngineError::Invalid(format!("an alert does not encode: {e}")))?;
    Ok((rank, body))
}

/// Writes one `signal` alert for the issues `sync` opened or reopened.
#[allow(clippy::too_many_arguments, reason = "what an alert names")]
fn alert_new(
    tx: &mut Tx<'_>,
    sync: &SignalSync,
    kind: &str,
    environment: &str,
    service: &str,
    version: &str,
    team: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool> {
    let mut ids: Vec<i64> = sync.opened.iter().chain(&sync.reopened).copied().collect();
    if ids.is_empty() {
        return Ok(false);
    }
    ids.sort_unstable();
    let (rank, body) = alert_entries(tx, &ids)?;
    let key = format!(
        "signal:{kind}:{environment}:{service}:{}",
        sha256(format!("{ids:?}{}", vigil_store::time::format(now)).as_bytes())
    );
    tx.insert_alert(
        &NewAlert {
            key: &key,
            kind: "signal",
            environment,
            service,
            version,
            team,
            severity_rank: rank,
            body: &body,
        },
        now,
    )?;
    Ok(true)
}

/// The purl without qualifiers and subpath, for comparing packages.
fn bare_purl(purl: &str) -> &str {
    purl.split(['?', '#']).next().unwrap_or(purl)
}

impl Engine {
    /// Records a report's issues about one service in one environment, replacing the
    /// issues of the same kind an earlier report gave there.
    pub fn record_report(&mut self, input: ReportInput<'_>) -> Result<ReportOutcome> {
        if !REPORT_KINDS.contains(&input.kind) {
            return Err(EngineError::Invalid(format!(
                "unknown report kind {:?}; use one of {}",
                input.kind,
                REPORT_KINDS.join(", ")
            )));
        }
        let items = input.issues.len() + input.vulnerabilities.len();
        if items > MAX_REPORT_ITEMS {
            return Err(EngineError::Invalid(format!(
                "the report holds {items} issues; the limit is {MAX_REPORT_ITEMS}"
            )));
        }
        self.check_name("environment", input.environment)?;
        let now = self.clock.now();
        // Vigil's own findings of the release, to merge vulnerability results with.
        let (service_id, owner, release) = {
            let mut tx = self.store.read()?;
            let service = tx
                .service(input.service)?
                .ok_or_else(|| EngineError::NotFound {
                    what: format!("no service {:?}", input.service),
                    hint: Some("`vigil release add` records its releases first".into()),
                })?;
            let release =
                match input.version {
                    Some(v) => Some(tx.release(input.service, v)?.ok_or_else(|| {
                        EngineError::NotFound {
                            what: format!("no release {} {v}", input.service),
                            hint: Some(format!(
                                "`vigil release list --service {}` lists them",
                                input.service
                            )),
                        }
                    })?),
                    None => {
                        let running = tx.running()?.into_iter().find(|r| {
                            r.environment == input.environment && r.service == input.service
                        });
                        match running {
                            Some(r) => tx.release_by_id(r.release_id)?,
                            None => None,
                        }
                    }
                };
            (service.id, service.owner, release)
        };
        let mut covered: Vec<(BTreeSet<String>, String, String, String)> = Vec::new();
        if let Some(r) = &release
            && !input.vulnerabilities.is_empty()
        {
            for f in self.findings(&FindingQuery {
                release_id: Some(r.id),
                include_resolved: true,
                skip_due_dates: true,
                ..FindingQuery::default()
            })? {
                let mut names: BTreeSet<String> = BTreeSet::new();
                names.insert(f.row.advisory_id.clone());
                covered.push((
                    names,
                    bare_purl(&f.row.purl).to_owned(),
                    f.row.package.clone(),
                    f.row.version.clone(),
                ));
            }
            let mut tx = self.store.read()?;
            let ids: Vec<String> = covered
                .iter()
                .flat_map(|c| c.0.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let aliases = tx.aliases_for(&ids)?;
            for (id, alias) in aliases {
                for c in covered.iter_mut().filter(|c| c.0.contains(&id)) {
                    c.0.insert(alias.clone());
                }
            }
        }
        let mut corroborated = 0;
        let mut issues = input.issues;
        for v in input.vulnerabilities {
            let names: BTreeSet<&str> = std::iter::once(v.id.as_str())
                .chain(v.aliases.iter().map(String::as_str))
                .collect();
            let same_package = |c: &(BTreeSet<String>, String, String, String)| match &v.purl {
                Some(p) => bare_purl(p).eq_ignore_ascii_case(&c.1),
                None => c.2 == v.package && c.3 == v.version,
            };
            if covered
                .iter()
                .any(|c| same_package(c) && names.iter().any(|n| c.0.contains(*n)))
            {
                corroborated += 1;
                continue;
            }
            let package = v
                .purl
                .clone()
                .unwrap_or_else(|| format!("{}@{}", v.package, v.version));
            issues.push(NewSignal {
                fingerprint: format!("vulnerability:{}:{}", v.id, bare_purl(&package)),
                rule: v.id.clone(),
                title: if v.title.is_empty() {
                    format!("{} in {} {}", v.id, v.package, v.version)
                } else {
                    v.title.clone()
                },
                severity_rank: v.severity_rank,
                cwe: None,
                location: Some(package),
                evidence: None,
                fix: v.fixed.map(|f| format!("upgrade {} to {f}", v.package)),
            });
        }
        let release_id = release.as_ref().map(|r| r.id);
        let items: Vec<(i64, Option<i64>, NewSignal)> = issues
            .into_iter()
            .map(|i| (service_id, release_id, i))
            .collect();
        let mut tx = self.store.write()?;
        let env_id = tx.upsert_environment(input.environment, now)?;
        let sync = tx.sync_signals(
            SignalScope {
                kind: input.kind,
                environment_id: env_id,
                service_id: Some(service_id),
                source: input.source,
            },
            &items,
            input.tool,
            now,
        )?;
        let version = release.as_ref().map_or("-", |r| r.version.as_str());
        let alerted = alert_new(
            &mut tx,
            &sync,
            input.kind,
            input.environment,
            input.service,
            version,
            owner.as_deref(),
            now,
        )?;
        tx.commit()?;
        Ok(ReportOutcome {
            kind: input.kind.to_owned(),
            environment: input.environment.to_owned(),
            service: input.service.to_owned(),
            release: release.map(|r| r.version),
            sync,
            corroborated,
            alerted,
        })
    }

    /// One signal, with its due date.
    pub fn signal_row(&mut self, id: i64) -> Result<SignalRow> {
        let now = self.clock.now();
        let mut tx = self.store.read()?;
        let policies = crate::response::policies(&mut tx)?;
        let s = tx.signal(id)?.ok_or_else(|| EngineError::NotFound {
            what: format!("no signal {id}"),
            hint: Some("`vigil signals list` lists them".into()),
        })?;
        Ok(signal_row(s, &policies, now))
    }

    /// Signals, filtered, with due dates by each environment's SLA policy. A filter
    /// naming an environment or service that does not exist is an error.
    pub fn signals(&mut self, filter: &SignalFilter) -> Result<Vec<SignalRow>> {
        let now = self.clock.now();
        let mut tx = self.store.read()?;
        if let Some(env) = &filter.environment
            && tx.environment(env)?.is_none()
        {
            return Err(EngineError::NotFound {
                what: format!("no environment {env:?}"),
                hint: Some("`vigil status` lists every environment".into()),
            });
        }
        if let Some(service) = &filter.service
            && tx.service(service)?.is_none()
        {
            return Err(EngineError::NotFound {
                what: format!("no service {service:?}"),
                hint: Some("`vigil status` lists every service".into()),
            });
        }
        let policies = crate::response::policies(&mut tx)?;
        let rows = tx.signals(filter)?;
        Ok(rows
            .into_iter()
            .map(|s| signal_row(s, &policies, now))
            .collect())
    }

    /// Records a triage decision on a signal, checked as decisions on findings are.
    pub fn triage_signal(&mut self, id: i64, t: &SignalTriage) -> Result<Signal> {
        let now = self.clock.now();
        crate::triage::check_statements(
            &t.status,
            t.justification.as_deref(),
            t.impact.as_deref(),
            t.action.as_deref(),
            t.reason.as_deref(),
            t.expires_at,
            now,
        )?;
        let mut tx = self.store.write()?;
        if tx.signal(id)?.is_none() {
            return Err(EngineError::NotFound {
                what: format!("no signal {id}"),
                hint: Some("`vigil signals` lists them".into()),
            });
        }
        let s = tx.decide_signal(
            id,
            &SignalDecision {
                status: &t.status,
                justification: t.justification.as_deref(),
                impact: t.impact.as_deref(),
                action: t.action.as_deref(),
                reason: t.reason.as_deref(),
                expires_at: t.expires_at,
                actor: &t.actor,
            },
            now,
        )?;
        tx.commit()?;
        Ok(s)
    }

    /// Records Falco alerts, each tied to the environment, service and release it
    /// concerns where its fields tell; one transaction for all of them.
    pub fn record_runtime_alerts(
        &mut self,
        alerts: &[RuntimeAlertInput],
    ) -> Result<Vec<RuntimeOutcome>> {
        let now = self.clock.now();
        let correlations = {
            let mut tx = self.store.read()?;
            let mappings = tx.runtime_mappings()?;
            let environments: BTreeSet<String> =
                tx.environments()?.into_iter().map(|e| e.name).collect();
            let services: BTreeSet<String> = tx.services()?.into_iter().map(|s| s.name).collect();
            let running = tx.running()?;
            let mut out = Vec::with_capacity(alerts.len());
            for a in alerts {
                out.push(correlate(
                    &mut tx,
                    a,
                    &mappings,
                    &environments,
                    &services,
                    &running,
                )?);
            }
            out
        };
        // KEV-listed advisories open on each release concerned.
        let mut kev: HashMap<i64, Vec<String>> = HashMap::new();
        for c in &correlations {
            if let Some(id) = c.release_id
                && !kev.contains_key(&id)
            {
                let rows: Vec<FindingRow> = self.findings(&FindingQuery {
                    release_id: Some(id),
                    skip_due_dates: true,
                    ..FindingQuery::default()
                })?;
                let ids: BTreeSet<String> = rows
                    .into_iter()
                    .filter(|r| r.kev && r.row.resolved_at.is_none())
                    .map(|r| r.row.advisory_id)
                    .collect();
                kev.insert(id, ids.into_iter().collect());
            }
        }
        let mut tx = self.store.write()?;
        let mut out = Vec::with_capacity(alerts.len());
        for (a, c) in alerts.iter().zip(correlations) {
            let linked = c
                .release_id
                .and_then(|id| kev.get(&id).cloned())
                .unwrap_or_default();
            let base = priority_rank(&a.priority);
            let rank = if linked.is_empty() {
                base
            } else {
                (base + 1).min(4)
            };
            let environment_id = match &c.environment {
                Some(e) => Some(tx.upsert_environment(e, now)?),
                None => None,
            };
            let service = match &c.service {
                Some(s) => tx.service(s)?,
                None => None,
            };
            let tags = serde_json::to_string(&a.tags).ok();
            let linked_json = (!linked.is_empty())
                .then(|| serde_json::to_string(&linked).ok())
                .flatten();
            let stored = tx.insert_runtime_alert(
                &NewRuntimeAlert {
                    uuid: &a.uuid,
                    environment_id,
                    service_id: service.as_ref().map(|s| s.id),
                    release_id: c.release_id,
                    correlated_by: c.by,
                    rule: &a.rule,
                    priority: &a.priority,
                    severity_rank: rank,
                    output: &a.output,
                    event_time: &a.time,
                    hostname: a.hostname.as_deref(),
                    source: a.source.as_deref(),
                    tags: tags.as_deref(),
                    output_fields: &a.output_fields,
                    linked: linked_json.as_deref(),
                },
                now,
            )?;
            let mut alerted = false;
            if stored {
                #[derive(Serialize)]
                struct Entry<'a> {
                    id: String,
                    title: &'a str,
                    severity: &'static str,
                    location: Option<String>,
                    kev: bool,
                    linked: &'a [String],
                }
                let body = serde_json::to_string(&[Entry {
                    id: format!("falco {}", a.rule),
                    title: &a.output,
                    severity: crate::matching::rank_name(rank),
                    location: a
                        .hostname
                        .clone()
                        .or_else(|| a.pod.clone())
                        .or_else(|| a.image_digest.clone()),
                    kev: !linked.is_empty(),
                    linked: &linked,
                }])
                .map_err(|e| EngineError::Invalid(format!("an alert does not encode: {e}")))?;
                tx.insert_alert(
                    &NewAlert {
                        key: &format!("runtime:{}", a.uuid),
                        kind: "runtime",
                        environment: c.environment.as_deref().unwrap_or("unknown"),
                        service: c.service.as_deref().unwrap_or("unknown"),
                        version: c.version.as_deref().unwrap_or("-"),
                        team: service.as_ref().and_then(|s| s.owner.as_deref()),
                        severity_rank: rank,
                        body: &body,
                    },
                    now,
                )?;
                alerted = true;
            }
            if !stored {
                // Seen before: say what it was tied to then.
                if let Some(kept) = tx.runtime_alert(&a.uuid)? {
                    out.push(RuntimeOutcome {
                        uuid: a.uuid.clone(),
                        stored,
                        environment: kept.environment,
                        service: kept.service,
                        release: kept.release,
                        correlated_by: kept.correlated_by,
                        severity: crate::matching::rank_name(kept.severity_rank),
                        linked: kept
                            .linked
                            .and_then(|l| serde_json::from_str(&l).ok())
                            .unwrap_or_default(),
                        alerted,
                    });
                    continue;
                }
            }
            out.push(RuntimeOutcome {
                uuid: a.uuid.clone(),
                stored,
                environment: c.environment,
                service: c.service,
                release: c.version,
                correlated_by: c.by.map(str::to_owned),
                severity: crate::matching::rank_name(rank),
                linked,
                alerted,
            });
        }
        tx.commit()?;
        Ok(out)
    }

    /// Ties a runtime name (`hostname`, `namespace` or `label` value) to an environment
    /// and optionally a service, for correlating runtime alerts and inventories.
    pub fn map_runtime(
        &mut self,
        kind: &str,
        name: &str,
        environment: &str,
        service: Option<&str>,
    ) -> Result<()> {
        check_mapping_kind(kind)?;
        self.check_name("name", name)?;
        self.check_name("environment", environment)?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        if let Some(s) = service
            && tx.service(s)?.is_none()
        {
            return Err(EngineError::NotFound {
                what: format!("no service {s:?}"),
                hint: None,
            });
        }
        tx.set_runtime_mapping(kind, name, environment, service, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Removes the mapping of a runtime name. Alerts already tied by it keep their
    /// environment and release; later ones are correlated without it.
    pub fn unmap_runtime(&mut self, kind: &str, name: &str) -> Result<()> {
        check_mapping_kind(kind)?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        if !tx.delete_runtime_mapping(kind, name, now)? {
            return Err(EngineError::NotFound {
                what: format!("no {kind} mapping {name:?}"),
                hint: Some("`vigil runtime mappings` lists them".to_owned()),
            });
        }
        tx.commit()?;
        Ok(())
    }

    /// Compares what runs in `environment` with the deployment log: images no release
    /// produced, services running another release than the one deployed, and
    /// deployments with nothing running are drift, replacing the environment's drift
    /// found before.
    pub fn record_inventory(
        &mut self,
        environment: &str,
        workloads: &[Workload],
    ) -> Result<DriftOutcome> {
        if workloads.len() > MAX_REPORT_ITEMS {
            return Err(EngineError::Invalid(format!(
                "the inventory lists {} workloads; the limit is {MAX_REPORT_ITEMS}",
                workloads.len()
            )));
        }
        self.check_name("environment", environment)?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        let env_id = tx.upsert_environment(environment, now)?;
        let mappings = tx.runtime_mappings()?;
        let services: BTreeMap<String, vigil_store::Service> = tx
            .services()?
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect();
        let running: Vec<vigil_store::Running> = tx
            .running()?
            .into_iter()
            .filter(|r| r.environment == environment)
            .collect();
        let mut items: Vec<(i64, Option<i64>, NewSignal)> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut matched = 0;
        for w in workloads {
            let place = match &w.namespace {
                Some(ns) => format!("{ns}/{}", w.name),
                None => w.name.clone(),
            };
            let image = w.image.clone().unwrap_or_default();
            let named = workload_service(w, &mappings, &services);
            let release = match &w.digest {
                Some(d) => tx.release_by_digest(d)?,
                None => None,
            };
            let (service, version) = match (&release, &named) {
                (Some(r), _) => (Some(r.service.clone()), Some(r.version.clone())),
                (None, Some(s)) => (Some(s.clone()), w.version.clone()),
                (None, None) => (None, w.version.clone()),
            };
            if release.is_some() {
                matched += 1;
            }
            if let (Some(digest), None) = (&w.digest, &release) {
                let sid = service
                    .as_ref()
                    .and_then(|s| services.get(s))
                    .map_or(0, |s| s.id);
                items.push((
                    sid,
                    None,
                    NewSignal {
                        fingerprint: format!("unknown_digest:{digest}"),
                        rule: "drift.unknown_digest".into(),
                        title: format!("{place} runs an image no recorded release produced"),
                        severity_rank: 3,
                        location: Some(format!("{place} {image}@{digest}")),
                        evidence: Some(digest.clone()),
                        fix: Some("Deploy a recorded release, or record the release that built this image (vigil release add --digest).".into()),
                        ..NewSignal::default()
                    },
                ));
            }
            let Some(service) = service else { continue };
            seen.insert(service.clone());
            let Some(sid) = services.get(&service).map(|s| s.id) else {
                continue;
            };
            let deployed = running.iter().find(|r| r.service == service);
            match (deployed, version) {
                (None, Some(v)) => items.push((
                    sid,
                    release.as_ref().map(|r| r.id),
                    NewSignal {
                        fingerprint: format!("not_deployed:{service}:{v}"),
                        rule: "drift.not_deployed".into(),
                        title: format!(
                            "{service} {v} runs in {environment} ({place}), but no deployment of it there is recorded"
                        ),
                        severity_rank: 3,
                        location: Some(place.clone()),
                        fix: Some("Record the deployment (vigil deploy), or stop what runs without one.".into()),
                        ..NewSignal::default()
                    },
                )),
                (Some(d), Some(v)) if d.version != v => items.push((
                    sid,
                    release.as_ref().map(|r| r.id),
                    NewSignal {
                        fingerprint: format!("version_mismatch:{service}:{v}"),
                        rule: "drift.version_mismatch".into(),
                        title: format!(
                            "{service} runs {v} in {environment} ({place}); the deployed release is {}",
                            d.version
                        ),
                        severity_rank: 2,
                        location: Some(place.clone()),
                        evidence: Some(format!("running {v}, deployed {}", d.version)),
                        fix: Some("Redeploy the recorded release, or record the deployment that happened.".into()),
                        ..NewSignal::default()
                    },
                )),
                _ => {}
            }
        }
        for r in running.iter().filter(|r| !seen.contains(&r.service)) {
            let Some(sid) = services.get(&r.service).map(|s| s.id) else {
                continue;
            };
            items.push((
                sid,
                Some(r.release_id),
                NewSignal {
                    fingerprint: format!("missing:{}", r.service),
                    rule: "drift.missing".into(),
                    title: format!(
                        "{} {} is deployed to {environment}, but nothing in the inventory runs it",
                        r.service, r.version
                    ),
                    severity_rank: 2,
                    location: Some(r.service.clone()),
                    fix: Some("Find out why it is not running, or record its undeployment (vigil undeploy).".into()),
                    ..NewSignal::default()
                },
            ));
        }
        let sync = tx.sync_signals(
            SignalScope {
                kind: "drift",
                environment_id: env_id,
                service_id: None,
                source: "",
            },
            &items,
            "vigil inventory",
            now,
        )?;
        // One alert per service with new drift (the owner differs by service).
        let mut alerted = false;
        let new: BTreeSet<i64> = sync.opened.iter().chain(&sync.reopened).copied().collect();
        let mut by_service: BTreeMap<Option<String>, Vec<i64>> = BTreeMap::new();
        for id in &new {
            if let Some(s) = tx.signal(*id)? {
                by_service.entry(s.service).or_default().push(*id);
            }
        }
        for (service, ids) in by_service {
            let owner = service
                .as_ref()
                .and_then(|s| services.get(s))
                .and_then(|s| s.owner.clone());
            let part = SignalSync {
                opened: ids,
                ..SignalSync::default()
            };
            alerted |= alert_new(
                &mut tx,
                &part,
                "drift",
                environment,
                service.as_deref().unwrap_or("unknown"),
                "-",
                owner.as_deref(),
                now,
            )?;
        }
        tx.commit()?;
        Ok(DriftOutcome {
            environment: environment.to_owned(),
            workloads: workloads.len(),
            matched,
            sync,
            alerted,
        })
    }

    /// Records a file integrity baseline (a manifest as `vigil-fim` writes it) of a
    /// release; returns its id.
    pub fn record_fim_baseline(
        &mut self,
        service: &str,
        version: &str,
        root: &str,
        manifest: &[u8],
        files: i64,
        bytes: i64,
    ) -> Result<i64> {
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        let release = tx
            .release(service, version)?
            .ok_or_else(|| EngineError::NotFound {
                what: format!("no release {service} {version}"),
                hint: Some(format!(
                    "`vigil release list --service {service}` lists them"
                )),
            })?;
        let id = tx.insert_fim_baseline(
            release.id,
            root,
            manifest,
            &sha256(manifest),
            files,
            bytes,
            now,
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The latest file integrity baseline of a release, with its manifest.
    pub fn fim_baseline(
        &mut self,
        service: &str,
        version: &str,
    ) -> Result<Option<(FimBaseline, Vec<u8>)>> {
        let mut tx = self.store.read()?;
        let release = tx
            .release(service, version)?
            .ok_or_else(|| EngineError::NotFound {
                what: format!("no release {service} {version}"),
                hint: None,
            })?;
        Ok(tx.fim_baseline(release.id)?)
    }
}

/// Where a runtime alert comes from, as far as its fields tell.
struct Correlation {
    environment: Option<String>,
    service: Option<String>,
    version: Option<String>,
    release_id: Option<i64>,
    by: Option<&'static str>,
}

/// The labels that name a workload's application, in order of preference.
const APP_LABELS: [&str; 4] = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app",
    "k8s-app",
];

fn check_mapping_kind(kind: &str) -> Result<()> {
    if ["hostname", "namespace", "label"].contains(&kind) {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "unknown mapping kind {kind:?}; use hostname, namespace or label"
        )))
    }
}

fn mapped<'m>(
    mappings: &'m [vigil_store::RuntimeMapping],
    kind: &str,
    name: &str,
) -> Option<&'m vigil_store::RuntimeMapping> {
    mappings.iter().find(|m| m.kind == kind && m.name == name)
}

/// The service a workload runs: as the inventory says, by a label mapping, by a label
/// naming a service, or by its name when that is a service's.
fn workload_service(
    w: &Workload,
    mappings: &[vigil_store::RuntimeMapping],
    services: &BTreeMap<String, vigil_store::Service>,
) -> Option<String> {
    if let Some(s) = &w.service {
        return Some(s.clone());
    }
    label_service(&w.labels, mappings, |s| services.contains_key(s))
        .or_else(|| services.contains_key(&w.name).then(|| w.name.clone()))
}

fn label_service(
    labels: &[(String, String)],
    mappings: &[vigil_store::RuntimeMapping],
    is_service: impl Fn(&str) -> bool,
) -> Option<String> {
    for key in APP_LABELS {
        if let Some((_, value)) = labels.iter().find(|(k, _)| k == key) {
            if let Some(s) = mapped(mappings, "label", value).and_then(|m| m.service.clone()) {
                return Some(s);
            }
            if is_service(value) {
                return Some(value.clone());
            }
        }
    }
    None
}

/// The Deployment a pod belongs to, from its name `NAME-<template hash>-<id>`, both
/// suffixes made of Kubernetes' generated-name alphabet (no vowels, no 0, 1, 3); `None`
/// for other pods (a DaemonSet's `NAME-<id>`, a StatefulSet's `NAME-0`).
fn deployment_of_pod(pod: &str) -> Option<&str> {
    const ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";
    let generated = |s: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&s.len()) && s.chars().all(|c| ALPHABET.contains(c))
    };
    let mut parts = pod.rsplitn(3, '-');
    let id = parts.next()?;
    let hash = parts.next()?;
    let name = parts.next()?;
    (generated(id, 5..=5) && generated(hash, 6..=10)).then_some(name)
}

fn correlate(
    tx: &mut Tx<'_>,
    a: &RuntimeAlertInput,
    mappings: &[vigil_store::RuntimeMapping],
    environments: &BTreeSet<String>,
    services: &BTreeSet<String>,
    running: &[vigil_store::Running],
) -> Result<Correlation> {
    // The environment: the namespace's mapping, a namespace named like an environment,
    // or the hostname's mapping.
    let host = a
        .hostname
        .as_deref()
        .and_then(|h| mapped(mappings, "hostname", h));
    let mut environment = a
        .namespace
        .as_deref()
        .and_then(|ns| {
            mapped(mappings, "namespace", ns)
                .map(|m| m.environment.clone())
                .or_else(|| environments.contains(ns).then(|| ns.to_owned()))
        })
        .or_else(|| host.map(|m| m.environment.clone()));
    let mut by = None;
    // The release: by the image's digest first.
    if let Some(digest) = &a.image_digest
        && let Some(r) = tx.release_by_digest(digest)?
    {
        if environment.is_none() {
            let envs: Vec<&vigil_store::Running> =
                running.iter().filter(|x| x.release_id == r.id).collect();
            if let [only] = envs.as_slice() {
                environment = Some(only.environment.clone());
            }
        }
        return Ok(Correlation {
            environment,
            service: Some(r.service),
            version: Some(r.version),
            release_id: Some(r.id),
            by: Some("digest"),
        });
    }
    // Else the service from the pod's labels, the pod's name (a Deployment's pods are
    // `NAME-<hash>-<id>`), the image's name, or the hostname; and what runs there.
    let mut service = label_service(&a.labels, mappings, |s| services.contains(s))
        .or_else(|| {
            let name = deployment_of_pod(a.pod.as_deref()?)?;
            services.contains(name).then(|| name.to_owned())
        })
        .or_else(|| {
            let image = a.image.as_deref()?;
            let name = image.rsplit('/').next()?;
            let name = name.split([':', '@']).next()?;
            services.contains(name).then(|| name.to_owned())
        });
    if service.is_some() {
        by = Some("kubernetes");
    } else if let Some(m) = host
        && let Some(s) = &m.service
    {
        service = Some(s.clone());
        by = Some("hostname");
    }
    let deployed = match (&environment, &service) {
        (Some(e), Some(s)) => running
            .iter()
            .find(|r| &r.environment == e && &r.service == s),
        _ => None,
    };
    if by.is_none() && environment.is_some() {
        by = Some(if host.is_some() && a.namespace.is_none() {
            "hostname"
        } else {
            "kubernetes"
        });
    }
    Ok(Correlation {
        environment,
        service,
        version: deployed.map(|r| r.version.clone()),
        release_id: deployed.map(|r| r.release_id),
        by,
    })
}

/// The issue a file integrity change is: content changes are high, others medium.
pub fn fim_issue(
    path: &str,
    change: &str,
    what: &[String],
) -> std::result::Result<NewSignal, String> {
    let (rule, rank, title) = match change {
        "added" => ("fim.added", 2, format!("{path} was added")),
        "removed" => ("fim.removed", 2, format!("{path} was removed")),
        "changed" => {
            let content = what.iter().any(|w| w == "content" || w == "kind");
            let how = if what.is_empty() {
                "changed".to_owned()
            } else {
                format!("changed ({})", what.join(", "))
            };
            (
                "fim.changed",
                if content { 3 } else { 2 },
                format!("{path} {how}"),
            )
        }
        other => {
            return Err(format!(
                "change {other:?} of {path:?}: use added, removed or changed"
            ));
        }
    };
    Ok(NewSignal {
        // What changed is part of its identity: a file whose mode change was ruled out
        // and whose content then changes is a new issue.
        fingerprint: format!("{change}:{}:{path}", what.join(",")),
        rule: rule.to_owned(),
        title,
        severity_rank: rank,
        cwe: Some("494".to_owned()),
        location: Some(path.to_owned()),
        evidence: (!what.is_empty()).then(|| what.join(",")),
        fix: Some("Find out who changed the file; redeploy the release, or record a new baseline if the change is intended.".to_owned()),
    })
}

/// Largest inventory document read.
pub const MAX_INVENTORY_BYTES: usize = 64 * 1024 * 1024;

/// Reads a runtime inventory: `kubectl get pods -o json` (a `List` or `PodList` of pods,
/// or one pod), or a plain JSON list of workloads (`name`, and any of `namespace`,
/// `service`, `version`, `image`, `digest`, `labels`), or an object with such a list in
/// `workloads`. A pod's image digest comes from its container statuses' `imageID`
/// (`docker-pullable://repo@sha256:…`, `repo@sha256:…`) or from an image reference
/// pinned by digest; each container of a pod is a workload.
pub fn parse_inventory(bytes: &[u8]) -> Result<Vec<Workload>> {
    if bytes.len() > MAX_INVENTORY_BYTES {
        return Err(EngineError::Invalid(format!(
            "the inventory is {} bytes; the limit is {MAX_INVENTORY_BYTES}",
            bytes.len()
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| EngineError::Invalid(format!("the inventory is not JSON: {e}")))?;
    let items: Vec<serde_json::Value> = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) => {
            if let Some(serde_json::Value::Array(items)) = o.remove("items") {
                items
            } else if let Some(serde_json::Value::Array(items)) = o.remove("workloads") {
                items
            } else if o.get("kind").and_then(|k| k.as_str()) == Some("Pod") {
                vec![serde_json::Value::Object(o)]
            } else {
                return Err(EngineError::Invalid(
                    "the inventory is neither `kubectl get pods -o json` output nor a list of workloads (an array, or an object with `items` or `workloads`)".into(),
                ));
            }
        }
        _ => {
            return Err(EngineError::Invalid(
                "the inventory must be a JSON array or object".into(),
            ));
        }
    };
    if items.len() > MAX_REPORT_ITEMS {
        return Err(EngineError::Invalid(format!(
            "the inventory lists {} items; the limit is {MAX_REPORT_ITEMS}",
            items.len()
        )));
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |what: &str| EngineError::Invalid(format!("inventory item {i}: {what}"));
        if item.get("spec").is_some() || item.get("kind").and_then(|k| k.as_str()) == Some("Pod") {
            out.extend(pod_workloads(item).map_err(|e| at(&e))?);
        } else {
            let text = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let name = text("name")
                .or_else(|| text("service"))
                .ok_or_else(|| at("a workload needs a `name` or a `service`"))?;
            let image = text("image");
            let digest = text("digest")
                .map(|d| d.to_ascii_lowercase())
                .or_else(|| image.as_deref().and_then(pinned_digest));
            if let Some(d) = &digest {
                check_digest(d).map_err(|e| at(&e))?;
            }
            out.push(Workload {
                name,
                namespace: text("namespace"),
                labels: labels(item.get("labels")),
                image,
                digest,
                service: text("service"),
                version: text("version"),
            });
        }
    }
    Ok(out)
}

fn labels(v: Option<&serde_json::Value>) -> Vec<(String, String)> {
    v.and_then(|l| l.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn check_digest(d: &str) -> std::result::Result<(), String> {
    let hex = d
        .strip_prefix("sha256:")
        .ok_or_else(|| format!("digest {d:?} is not sha256:<64 hex digits>"))?;
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!("digest {d:?} is not sha256:<64 hex digits>"))
    }
}

/// `sha256:…` of an image reference or `imageID` pinned by digest.
fn pinned_digest(reference: &str) -> Option<String> {
    let (_, digest) = reference
        .rsplit_once('@')
        .or_else(|| reference.starts_with("sha256:").then_some(("", reference)))?;
    check_digest(digest)
        .ok()
        .map(|()| digest.to_ascii_lowercase())
}

fn pod_workloads(pod: &serde_json::Value) -> std::result::Result<Vec<Workload>, String> {
    // A pod that has finished (a Job's, an evicted one) runs nothing.
    let phase = pod
        .get("status")
        .and_then(|s| s.get("phase"))
        .and_then(|p| p.as_str());
    if matches!(phase, Some("Succeeded" | "Failed")) {
        return Ok(Vec::new());
    }
    let meta = pod.get("metadata");
    let text = |v: Option<&serde_json::Value>, k: &str| {
        v.and_then(|m| m.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let name = text(meta, "name").ok_or("a pod without metadata.name")?;
    let namespace = text(meta, "namespace");
    let labels = labels(meta.and_then(|m| m.get("labels")));
    let statuses: Vec<&serde_json::Value> = pod
        .get("status")
        .and_then(|s| s.get("containerStatuses"))
        .and_then(|s| s.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let containers = pod
        .get("spec")
        .and_then(|s| s.get("containers"))
        .and_then(|c| c.as_array())
        .ok_or("a pod without spec.containers")?;
    let mut out = Vec::new();
    for c in containers {
        let cname = c.get("name").and_then(|v| v.as_str()).unwrap_or_default();
        let image = c.get("image").and_then(|v| v.as_str()).map(str::to_owned);
        let status = statuses
            .iter()
            .find(|s| s.get("name").and_then(|v| v.as_str()) == Some(cname));
        let digest = status
            .and_then(|s| s.get("imageID"))
            .and_then(|v| v.as_str())
            .and_then(pinned_digest)
            .or_else(|| image.as_deref().and_then(pinned_digest));
        out.push(Workload {
            name: if containers.len() > 1 {
                format!("{name}/{cname}")
            } else {
                name.clone()
            },
            namespace: namespace.clone(),
            labels: labels.clone(),
            image,
            digest,
            service: None,
            version: None,
        });
    }
    Ok(out)
}

/// The rank of a report's severity.
fn report_rank(s: vigil_reports::Severity) -> i64 {
    match s {
        vigil_reports::Severity::Critical => 4,
        vigil_reports::Severity::High => 3,
        vigil_reports::Severity::Medium => 2,
        vigil_reports::Severity::Low => 1,
        vigil_reports::Severity::Unrated => 0,
    }
}

/// A scanner report's items as issues and vulnerability results, and the tool that
/// wrote it (`Semgrep 1.90.0`). Suppressed SARIF results are left out.
pub fn report_items(
    report: &vigil_reports::Report,
) -> (String, Vec<NewSignal>, Vec<VulnerabilityResult>) {
    let tool = match &report.tool.version {
        Some(v) => format!("{} {v}", report.tool.name),
        None => report.tool.name.clone(),
    };
    let mut issues = Vec::new();
    let mut vulnerabilities = Vec::new();
    for item in &report.items {
        match item {
            vigil_reports::Item::Vulnerability(v) => vulnerabilities.push(VulnerabilityResult {
                id: v.id.clone(),
                aliases: v.aliases.clone(),
                purl: v.package.purl.as_ref().map(ToString::to_string),
                package: v.package.name.clone(),
                version: v.package.version.clone().unwrap_or_default(),
                severity_rank: report_rank(v.severity),
                title: v.title.clone().unwrap_or_default(),
                fixed: (!v.fixed_versions.is_empty()).then(|| v.fixed_versions.join(", ")),
            }),
            vigil_reports::Item::Weakness(w) if w.suppressed => {}
            vigil_reports::Item::Weakness(w) => {
                let (location, evidence) = match &w.location {
                    Some(vigil_reports::Location::Source {
                        uri, line, snippet, ..
                    }) => (
                        Some(match line {
                            Some(l) => format!("{uri}:{l}"),
                            None => uri.clone(),
                        }),
                        snippet.clone(),
                    ),
                    Some(vigil_reports::Location::Web {
                        url,
                        method,
                        param,
                        evidence,
                        ..
                    }) => {
                        let mut at = String::new();
                        if let Some(m) = method {
                            at.push_str(m);
                            at.push(' ');
                        }
                        at.push_str(url);
                        if let Some(p) = param {
                            at.push_str(&format!(" ({p})"));
                        }
                        (Some(at), evidence.clone())
                    }
                    Some(vigil_reports::Location::Logical { name }) => (Some(name.clone()), None),
                    None => (None, None),
                };
                let cwe = (!w.cwe.is_empty()).then(|| {
                    w.cwe
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                });
                issues.push(NewSignal {
                    fingerprint: w.fingerprint.value.clone(),
                    rule: w.rule_id.clone(),
                    title: w
                        .title
                        .clone()
                        .unwrap_or_else(|| w.message.lines().next().unwrap_or_default().to_owned()),
                    severity_rank: report_rank(w.severity),
                    cwe,
                    location,
                    evidence: evidence.or_else(|| Some(w.message.clone())),
                    fix: w.help.clone().or_else(|| w.help_uri.clone()),
                });
            }
        }
    }
    (tool, issues, vulnerabilities)
}

/// A Falco alert as correlation reads it.
pub fn falco_input(a: &vigil_reports::FalcoAlert) -> RuntimeAlertInput {
    RuntimeAlertInput {
        uuid: a.uuid.clone(),
        rule: a.rule.clone(),
        priority: a.priority.name().to_owned(),
        output: a.output.clone(),
        time: vigil_store::time::format(a.time),
        hostname: a.hostname.clone(),
        source: a.source.clone(),
        tags: a.tags.clone(),
        output_fields: serde_json::to_string(&a.output_fields).unwrap_or_else(|_| "{}".into()),
        image_digest: a.container_image_digest(),
        image: a.field_str("container.image.repository").map(str::to_owned),
        namespace: a.k8s_namespace().map(str::to_owned),
        pod: a.k8s_pod().map(str::to_owned),
        labels: a.k8s_pod_labels().into_iter().collect(),
    }
}

impl Engine {
    /// Records a scanner report (SARIF, ZAP, Nikto, Trivy, Grype) about a service in an
    /// environment: weaknesses as issues, vulnerability results merged with Vigil's own
    /// findings.
    pub fn import_report(
        &mut self,
        report: &vigil_reports::Report,
        environment: &str,
        service: &str,
        version: Option<&str>,
    ) -> Result<ReportOutcome> {
        let (tool, issues, vulnerabilities) = report_items(report);
        self.record_report(ReportInput {
            kind: report.format.name(),
            tool: &tool,
            environment,
            service,
            version,
            source: &report.tool.name,
            issues,
            vulnerabilities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deployment_pods_name_their_deployment() {
        assert_eq!(
            deployment_of_pod("payments-api-7c5ddbdf54-zw8wz"),
            Some("payments-api")
        );
        assert_eq!(
            deployment_of_pod("api-gateway-7d9f8b6c4-x2x7q"),
            Some("api-gateway")
        );
        for other in [
            "api-proxy-x7k2p",
            "api-db-0",
            "api-migrate-abcde",
            "api",
            "a-b-c",
        ] {
            assert_eq!(deployment_of_pod(other), None, "{other}");
        }
    }

    #[test]
    fn kubectl_pods_and_plain_lists_are_read() {
        let pods = br#"{"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "checkout-5d9", "namespace": "shop", "labels": {"app.kubernetes.io/name": "checkout"}},
           "spec": {"containers": [{"name": "app", "image": "registry.example/checkout:1.0.0"}]},
           "status": {"containerStatuses": [{"name": "app", "imageID": "docker-pullable://registry.example/checkout@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}}]}"#;
        let w = parse_inventory(pods).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].name, "checkout-5d9");
        assert_eq!(w[0].namespace.as_deref(), Some("shop"));
        assert_eq!(
            w[0].digest.as_deref(),
            Some(&*format!("sha256:{}", "a".repeat(64)))
        );
        assert_eq!(w[0].labels[0].1, "checkout");
        let plain = br#"[{"service": "cart", "version": "2.0.0"}, {"name": "x", "image": "r/x@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}]"#;
        let w = parse_inventory(plain).unwrap();
        assert_eq!(w[0].name, "cart");
        assert_eq!(
            w[1].digest.as_deref(),
            Some(&*format!("sha256:{}", "b".repeat(64)))
        );
        for bad in [
            &b"3"[..],
            b"{}",
            b"[{}]",
            b"[{\"name\": \"x\", \"digest\": \"md5:1\"}]",
            b"not json",
        ] {
            assert!(
                parse_inventory(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
