//! Response over time: exposure episodes from the deployment log and the findings, SLA
//! due dates by environment, security performance metrics (MTTD, MTTR, open exposure
//! age, SLA compliance, backlog), SLA breach alerts, and expired risk acceptances.
//!
//! Findings whose advisory was withdrawn or stopped matching are left out: they were
//! never true. A finding ruled out by triage (not_affected, fixed) stops counting from
//! the instant it was ruled out. Triage is taken as it stands now, not replayed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use time::OffsetDateTime;
use vigil_exposure::{
    AdvisoryFact, Episode, FindingFact, Group, MetricsRow, SlaPolicies, SlaPolicy, Track, TrendRow,
    Window,
};
use vigil_store::{NewAlert, Tx};

use crate::engine::{Engine, sha256};
use crate::error::{EngineError, Result};

/// The facts episodes are computed from.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub tracks: Vec<Track>,
    pub findings: Vec<FindingFact>,
    pub advisories: Vec<AdvisoryFact>,
    pub policies: SlaPolicies,
}

fn parse_time(text: &str) -> Result<OffsetDateTime> {
    vigil_store::time::parse(text)
        .map_err(|e| EngineError::Conflict(format!("stored time {text:?} does not parse: {e}")))
}

/// The SLA policies: the defaults, and each environment's own.
pub(crate) fn policies(tx: &mut Tx<'_>) -> Result<SlaPolicies> {
    let mut policies = SlaPolicies::default();
    for e in tx.environments()? {
        if let Some(text) = e.sla {
            let policy: SlaPolicy = text.parse().map_err(|err| {
                EngineError::Conflict(format!(
                    "the stored SLA policy of {} ({text:?}) does not parse: {err}",
                    e.name
                ))
            })?;
            policies.per_environment.insert(e.name, policy);
        }
    }
    Ok(policies)
}

/// Which facts to load.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope<'a> {
    All,
    Services(&'a [i64]),
    /// The findings of these advisories, with the deployments of every service.
    Advisories(&'a [String]),
}

/// Loads the facts in `scope`.
pub(crate) fn facts(tx: &mut Tx<'_>, scope: Scope<'_>) -> Result<Facts> {
    let (services, advisory_ids) = match scope {
        Scope::All => (None, None),
        Scope::Services(ids) => (Some(ids), None),
        Scope::Advisories(ids) => (None, Some(ids)),
    };
    let mut tracks: BTreeMap<(String, String), Track> = BTreeMap::new();
    // The release running in each track, and since when.
    let mut open: HashMap<(String, String), (i64, OffsetDateTime)> = HashMap::new();
    for d in tx.deployment_facts(services)? {
        let at = parse_time(&d.at)?;
        let key = (d.environment.clone(), d.service.clone());
        let track = tracks.entry(key.clone()).or_insert_with(|| Track {
            environment: d.environment.clone(),
            service: d.service.clone(),
            team: d.owner.clone(),
            windows: Vec::new(),
        });
        match (open.get(&key).copied(), d.release_id) {
            // The same release again: it keeps running.
            (Some((running, _)), Some(release)) if running == release => {}
            (current, next) => {
                if let Some((release_id, from)) = current {
                    track.windows.push(Window {
                        release_id,
                        from,
                        to: Some(at),
                    });
                    open.remove(&key);
                }
                if let Some(release) = next {
                    open.insert(key, (release, at));
                }
            }
        }
    }
    for (key, (release_id, from)) in open {
        if let Some(track) = tracks.get_mut(&key) {
            track.windows.push(Window {
                release_id,
                from,
                to: None,
            });
        }
    }
    for track in tracks.values_mut() {
        track.windows.sort_by_key(|w| w.from);
    }

    let records = tx.finding_records(services, advisory_ids, true)?;
    let ids: Vec<String> = records
        .iter()
        .map(|r| r.advisory_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let exploitation = crate::query::exploitation(tx, &ids)?;
    let mut findings = Vec::with_capacity(records.len());
    for r in records {
        if matches!(r.resolution.as_deref(), Some("withdrawn" | "unmatched")) {
            continue;
        }
        let ruled_out_at = match (r.resolution.as_deref(), &r.resolved_at) {
            (Some("not_affected" | "fixed"), Some(at)) => Some(parse_time(at)?),
            _ => None,
        };
        let accepted_until = match (r.triage.as_deref(), &r.expires_at) {
            (Some("risk_accepted"), Some(at)) => Some(parse_time(at)?),
            _ => None,
        };
        findings.push(FindingFact {
            release_id: r.release_id,
            kev: exploitation
                .get(&r.advisory_id)
                .is_some_and(|x| x.kev.is_some()),
            advisory_id: r.advisory_id,
            purl: r.purl,
            ecosystem: r.ecosystem,
            severity_rank: r.severity_rank,
            first_seen: parse_time(&r.first_seen)?,
            ruled_out_at,
            accepted_until,
        });
    }
    let mut advisories = Vec::with_capacity(ids.len());
    for (id, published) in tx.advisory_published(&ids)? {
        advisories.push(AdvisoryFact {
            id,
            published: published.as_deref().map(parse_time).transpose()?,
        });
    }
    Ok(Facts {
        tracks: tracks.into_values().collect(),
        findings,
        advisories,
        policies: policies(tx)?,
    })
}

/// How to group and window `vigil metrics`.
#[derive(Clone, Debug)]
pub struct MetricsQuery {
    pub group: Group,
    /// Months from this instant to now, for the trend; no trend when `None`.
    pub trend_from: Option<OffsetDateTime>,
    pub environment: Option<String>,
    pub service: Option<String>,
    pub team: Option<String>,
}

impl Default for MetricsQuery {
    fn default() -> Self {
        MetricsQuery {
            group: Group::All,
            trend_from: None,
            environment: None,
            service: None,
            team: None,
        }
    }
}

/// The answer to `vigil metrics`.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsReport {
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
    pub group: Group,
    pub rows: Vec<MetricsRow>,
    pub trend: Option<Vec<TrendRow>>,
    pub policies: SlaPolicies,
}

/// Each environment's metrics and monthly trend.
#[derive(Clone, Debug, Serialize)]
pub struct EnvironmentTrends {
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
    /// One row per environment.
    pub rows: Vec<MetricsRow>,
    /// (environment, its months, oldest first).
    pub trends: Vec<(String, Vec<TrendRow>)>,
}

/// An SLA breach alert's body.
#[derive(Clone, Debug, Serialize)]
struct Breach<'a> {
    advisory: &'a str,
    severity: &'static str,
    kev: bool,
    #[serde(with = "time::serde::rfc3339")]
    exposed_since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    due: OffsetDateTime,
    packages: &'a [String],
}

impl Engine {
    /// Security performance metrics: MTTD, MTTR, open exposure age, SLA compliance and
    /// backlog, grouped, and by month if asked.
    pub fn metrics(&mut self, q: &MetricsQuery) -> Result<MetricsReport> {
        let now = self.clock.now();
        let mut tx = self.store.read()?;
        let f = facts(&mut tx, Scope::All)?;
        drop(tx);
        let episodes: Vec<Episode> =
            vigil_exposure::episodes(&f.tracks, &f.findings, &f.policies, now)
                .into_iter()
                .filter(|e| q.environment.as_ref().is_none_or(|v| &e.environment == v))
                .filter(|e| q.service.as_ref().is_none_or(|v| &e.service == v))
                .filter(|e| q.team.as_ref().is_none_or(|v| e.team.as_ref() == Some(v)))
                .collect();
        let rows = vigil_exposure::metrics(&episodes, &f.advisories, now, q.group);
        let trend = q
            .trend_from
            .map(|from| vigil_exposure::trend(&episodes, &f.advisories, from, now, now));
        Ok(MetricsReport {
            now,
            group: q.group,
            rows,
            trend,
            policies: f.policies,
        })
    }

    /// The metrics of each environment with its monthly trend from `from`, from one
    /// reading of the store: what the web console's dashboard charts.
    pub fn environment_trends(&mut self, from: OffsetDateTime) -> Result<EnvironmentTrends> {
        let now = self.clock.now();
        let mut tx = self.store.read()?;
        let f = facts(&mut tx, Scope::All)?;
        drop(tx);
        let episodes = vigil_exposure::episodes(&f.tracks, &f.findings, &f.policies, now);
        let rows = vigil_exposure::metrics(&episodes, &f.advisories, now, Group::Environment);
        let mut by_environment: BTreeMap<&str, Vec<Episode>> = BTreeMap::new();
        for e in &episodes {
            by_environment
                .entry(e.environment.as_str())
                .or_default()
                .push(e.clone());
        }
        let trends = by_environment
            .into_iter()
            .map(|(env, episodes)| {
                let trend = vigil_exposure::trend(&episodes, &f.advisories, from, now, now);
                (env.to_owned(), trend)
            })
            .collect();
        Ok(EnvironmentTrends { now, rows, trends })
    }

    /// Sets an environment's SLA policy (creating the environment if new); `None`
    /// restores the defaults.
    pub fn set_environment_sla(&mut self, environment: &str, policy: Option<&str>) -> Result<()> {
        self.set_environment_policy(environment, None, Some(policy))?;
        Ok(())
    }

    /// Sets an environment's policy in one change (creating the environment if new):
    /// whether it takes only signed releases, and its SLA policy (`Some(None)`: the
    /// defaults). What is not given stays. The SLA policy is checked first, so a bad one
    /// changes nothing.
    pub fn set_environment_policy(
        &mut self,
        environment: &str,
        require_signed: Option<bool>,
        sla: Option<Option<&str>>,
    ) -> Result<vigil_store::Environment> {
        self.check_name("environment", environment)?;
        let text = sla
            .map(|policy| {
                policy
                    .map(|p| {
                        p.parse::<SlaPolicy>()
                            .map(|p| p.to_string())
                            .map_err(|e| EngineError::Invalid(format!("SLA policy {p:?}: {e}")))
                    })
                    .transpose()
            })
            .transpose()?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        let id = tx.upsert_environment(environment, now)?;
        let env = tx.set_environment_policy(
            id,
            require_signed,
            text.as_ref().map(|t| t.as_deref()),
            now,
        )?;
        // Due dates in cached answers change with the SLA policy.
        let change = if sla.is_some() {
            crate::changes::Change::Everything
        } else {
            crate::changes::Change::Advisories(Default::default())
        };
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(env)
    }

    /// The periodic response work: lapses expired risk acceptances (their findings
    /// reopen), then writes one alert per overdue episode to the outbox, routed to the
    /// owning team. Returns (acceptances lapsed, breach alerts written).
    pub fn sla_sweep(&mut self) -> Result<(usize, usize)> {
        let mut lapsed = self.lapse_acceptances()?.len();
        let now = self.clock.now();
        {
            // Risk acceptances on signals from the running system end the same way.
            let mut tx = self.store.write()?;
            lapsed += tx.lapse_signal_acceptances(now)?.len();
            tx.commit()?;
        }
        let overdue: Vec<Episode> = {
            let mut tx = self.store.read()?;
            let f = facts(&mut tx, Scope::All)?;
            vigil_exposure::episodes(&f.tracks, &f.findings, &f.policies, now)
                .into_iter()
                .filter(|e| e.overdue)
                .collect()
        };
        if overdue.is_empty() {
            return Ok((lapsed, 0));
        }
        let mut tx = self.store.write()?;
        let running: HashMap<(String, String), String> = tx
            .running()?
            .into_iter()
            .map(|r| ((r.environment, r.service), r.version))
            .collect();
        let mut written = 0;
        for e in &overdue {
            let identity = format!(
                "sla\n{}\n{}\n{}\n{}",
                e.environment,
                e.service,
                e.advisory_id,
                vigil_store::time::format(e.start)
            );
            let key = format!("vigil-{}", &sha256(identity.as_bytes())[..32]);
            let version = running
                .get(&(e.environment.clone(), e.service.clone()))
                .cloned()
                .unwrap_or_default();
            let body = serde_json::to_string(&[Breach {
                advisory: &e.advisory_id,
                severity: e.severity().name(),
                kev: e.kev,
                exposed_since: e.start,
                due: e.due,
                packages: &e.purls,
            }])
            .map_err(|err| EngineError::Invalid(format!("alert body: {err}")))?;
            if tx.insert_alert(
                &NewAlert {
                    key: &key,
                    kind: "sla_breach",
                    environment: &e.environment,
                    service: &e.service,
                    version: &version,
                    team: e.team.as_deref(),
                    severity_rank: e.severity_rank,
                    body: &body,
                },
                now,
            )? {
                written += 1;
            }
        }
        if written > 0 {
            tx.notify(crate::alerts::ALERTS_CHANNEL, "")?;
        }
        tx.commit()?;
        Ok((lapsed, written))
    }
}
