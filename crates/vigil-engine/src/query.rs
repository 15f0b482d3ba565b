//! The questions: who is affected by an advisory (by its id or any alias), which
//! findings are exposed where, and a summary of the whole portfolio. Answers carry
//! the owner, severity, KEV listing and EPSS score, and the fix.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use vigil_store::{AffectedRow, Counts, FindingFilter, IntelImport, KevEntry, StoredAdvisory, Tx};

use crate::engine::Engine;
use crate::error::{EngineError, Result};

/// Exploit intelligence about an advisory, through its CVE ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Exploitation {
    /// The KEV entry of any of its CVEs.
    pub kev: Option<KevEntry>,
    /// The highest EPSS score among its CVEs: (CVE, score, percentile).
    pub epss: Option<(String, f64, f64)>,
}

/// An advisory as `affected` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct AdvisoryInfo {
    #[serde(flatten)]
    pub advisory: StoredAdvisory,
    pub severity: &'static str,
    #[serde(flatten)]
    pub exploitation: Exploitation,
}

/// A finding row with its advisory's exploitation.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    #[serde(flatten)]
    pub row: AffectedRow,
    pub severity: &'static str,
    pub kev: bool,
    pub epss: Option<f64>,
    /// When the fix is due in this environment: the start of the exposure (the service
    /// running the advisory there while Vigil knew it) plus the environment's SLA days.
    /// `None` for a release that runs nowhere.
    pub due: Option<String>,
    /// Past due, open, and not risk-accepted.
    pub overdue: bool,
}

/// The answer to `vigil affected ID`.
#[derive(Clone, Debug, Serialize)]
pub struct AffectedReport {
    pub query: String,
    pub advisories: Vec<AdvisoryInfo>,
    pub rows: Vec<FindingRow>,
}

/// Which findings to list, as the CLI and API filter them.
#[derive(Clone, Debug, Default)]
pub struct FindingQuery {
    pub environment: Option<String>,
    pub service: Option<String>,
    /// Only services of this application.
    pub application: Option<String>,
    pub min_severity_rank: i64,
    pub kev_only: bool,
    pub all_releases: bool,
    /// Only findings of this release (which then need not run anywhere).
    pub release_id: Option<i64>,
    /// Resolved findings too.
    pub include_resolved: bool,
    /// Only findings past their SLA due date.
    pub overdue_only: bool,
    /// Only findings of these advisory ids.
    pub advisories: Option<Vec<String>>,
    /// Only findings a triage decision rules out (`not_affected` or `fixed`).
    pub ruled_out_only: bool,
    /// Leave `due` and `overdue` unset: for lists that do not show them (a release's
    /// findings), whose due dates would cost a reading of every exposure of the services.
    pub skip_due_dates: bool,
    /// One page: (rows, rows skipped), ordered by severity (highest first), advisory,
    /// release, package version and environment. The store reads only that page where
    /// it can (not with `overdue_only`, nor `kev_only` with `all_releases`).
    pub page: Option<(usize, usize)>,
}

/// Findings exposed in one environment, by severity.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EnvironmentExposure {
    pub environment: String,
    pub services_running: usize,
    pub services_affected: usize,
    /// Open findings by severity name.
    pub findings: BTreeMap<&'static str, usize>,
    pub advisories: usize,
    pub kev_advisories: usize,
}

/// The portfolio summary.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub backend: String,
    pub counts: Counts,
    pub environments: Vec<EnvironmentExposure>,
    pub intel: Vec<IntelImport>,
    /// (base, ecosystem, cursor, synced at).
    pub feeds: Vec<(String, String, String, String)>,
    pub application: Option<String>,
}

impl Engine {
    /// Every release affected by the advisory `id_or_alias` names (an OSV id, or a CVE
    /// or GHSA alias), where it runs now; with `all_releases`, also releases that run
    /// nowhere.
    pub fn affected(
        &mut self,
        id_or_alias: &str,
        all_releases: bool,
        application: Option<&str>,
    ) -> Result<AffectedReport> {
        let mut tx = self.store.read()?;
        let services = application_services(&mut tx, application)?;
        let ids = tx.resolve_advisory(id_or_alias)?;
        if ids.is_empty() {
            let count = tx.counts()?.advisories;
            return Err(EngineError::NotFound {
                what: format!("no advisory has the id or alias {id_or_alias}"),
                hint: Some(if count == 0 {
                    "the store has no advisories: run `vigil feed sync` or `vigil advisories import`".into()
                } else {
                    format!(
                        "the store holds {count} advisories; `vigil feed sync` fetches newer ones"
                    )
                }),
            });
        }
        let exploitation = exploitation(&mut tx, &ids)?;
        let mut advisories = Vec::new();
        for id in &ids {
            if let Some(advisory) = tx.advisory(id)? {
                advisories.push(AdvisoryInfo {
                    severity: crate::matching::rank_name(advisory.severity_rank),
                    exploitation: exploitation.get(id).cloned().unwrap_or_default(),
                    advisory,
                });
            }
        }
        let rows = tx.findings(&FindingFilter {
            advisories: Some(ids),
            all_releases,
            ..FindingFilter::default()
        })?;
        let mut rows: Vec<FindingRow> = rows
            .into_iter()
            .filter(|r| services.as_ref().is_none_or(|s| s.contains(&r.service)))
            .map(|row| finding_row(row, &exploitation))
            .collect();
        due_dates(&mut tx, &mut rows, self.clock.now())?;
        Ok(AffectedReport {
            query: id_or_alias.to_owned(),
            advisories,
            rows,
        })
    }

    /// Findings, filtered; by default the open findings of releases running now.
    pub fn findings(&mut self, q: &FindingQuery) -> Result<Vec<FindingRow>> {
        let mut tx = self.store.read()?;
        let services = application_services(&mut tx, q.application.as_deref())?;
        for (what, name) in [("environment", &q.environment), ("service", &q.service)] {
            if let Some(name) = name {
                let known = match what {
                    "environment" => tx.environment(name)?.is_some(),
                    _ => tx.service(name)?.is_some(),
                };
                if !known {
                    return Err(EngineError::NotFound {
                        what: format!("no {what} {name:?}"),
                        hint: Some(format!("`vigil status` lists every {what}")),
                    });
                }
            }
        }
        let in_store = q
            .page
            .filter(|_| !q.overdue_only && q.application.is_none());
        let mut advisories = q.advisories.clone();
        if q.kev_only && in_store.is_some() {
            // The KEV-listed advisories, so that the store pages their findings.
            let kev = tx.kev_advisory_ids()?;
            advisories = Some(match advisories {
                Some(given) => given
                    .into_iter()
                    .filter(|a| kev.binary_search(a).is_ok())
                    .collect(),
                None => kev,
            });
        }
        if advisories.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let rows = tx.findings(&FindingFilter {
            environment: q.environment.clone(),
            service: q.service.clone(),
            min_severity_rank: q.min_severity_rank,
            all_releases: q.all_releases || q.release_id.is_some(),
            release_id: q.release_id,
            include_resolved: q.include_resolved,
            advisories,
            ruled_out_only: q.ruled_out_only,
            page: in_store.map(|(rows, skip)| (as_i64(rows), as_i64(skip))),
        })?;
        let rows: Vec<AffectedRow> = rows
            .into_iter()
            .filter(|r| services.as_ref().is_none_or(|s| s.contains(&r.service)))
            .collect();
        let ids = distinct(rows.iter().map(|r| &r.advisory_id));
        let exploitation = exploitation(&mut tx, &ids)?;
        let mut rows: Vec<FindingRow> = rows
            .into_iter()
            .map(|row| finding_row(row, &exploitation))
            .filter(|r| !q.kev_only || r.kev)
            .collect();
        let now = self.clock.now();
        if !q.skip_due_dates || q.overdue_only {
            due_dates(&mut tx, &mut rows, now)?;
        }
        if q.overdue_only {
            rows.retain(|r| r.overdue);
        }
        if let (Some((take, skip)), None) = (q.page, in_store) {
            rows = rows.into_iter().skip(skip).take(take).collect();
        }
        Ok(rows)
    }

    /// The open findings of what runs now whose advisory is in CISA's KEV catalog,
    /// found from the exposure's advisories rather than from every finding.
    pub fn kev_exposure(&mut self) -> Result<Vec<FindingRow>> {
        let mut tx = self.store.read()?;
        let exposure = tx.exposure()?;
        let ids = distinct(exposure.iter().map(|r| &r.advisory_id));
        let exploitation = exploitation(&mut tx, &ids)?;
        let kev: Vec<String> = ids
            .into_iter()
            .filter(|id| exploitation.get(id).is_some_and(|x| x.kev.is_some()))
            .collect();
        if kev.is_empty() {
            return Ok(Vec::new());
        }
        let rows = tx.findings(&FindingFilter {
            advisories: Some(kev),
            ..FindingFilter::default()
        })?;
        let mut rows: Vec<FindingRow> = rows
            .into_iter()
            .map(|row| finding_row(row, &exploitation))
            .collect();
        due_dates(&mut tx, &mut rows, self.clock.now())?;
        Ok(rows)
    }

    /// The portfolio summary, optionally for one application's services.
    pub fn status(&mut self, application: Option<&str>) -> Result<Status> {
        let backend = self.store.backend().to_string();
        let mut tx = self.store.read()?;
        let services = application_services(&mut tx, application)?;
        let keep = |s: &String| services.as_ref().is_none_or(|set| set.contains(s));
        let mut environments: BTreeMap<String, EnvironmentExposure> = BTreeMap::new();
        for e in tx.environments()? {
            environments.insert(
                e.name.clone(),
                EnvironmentExposure {
                    environment: e.name,
                    ..EnvironmentExposure::default()
                },
            );
        }
        for r in tx.running()?.iter().filter(|r| keep(&r.service)) {
            if let Some(e) = environments.get_mut(&r.environment) {
                e.services_running += 1;
            }
        }
        let exposure = tx.exposure()?;
        let ids = distinct(exposure.iter().map(|r| &r.advisory_id));
        let exploitation = exploitation(&mut tx, &ids)?;
        let mut seen: HashMap<String, (HashSet<String>, HashSet<String>)> = HashMap::new();
        for x in exposure.iter().filter(|r| keep(&r.service)) {
            if let Some(e) = environments.get_mut(&x.environment) {
                *e.findings
                    .entry(crate::matching::rank_name(x.severity_rank))
                    .or_default() += x.findings as usize;
                let (services, advisories) = seen.entry(x.environment.clone()).or_default();
                services.insert(x.service.clone());
                if advisories.insert(x.advisory_id.clone()) {
                    e.advisories += 1;
                    if exploitation
                        .get(&x.advisory_id)
                        .is_some_and(|x| x.kev.is_some())
                    {
                        e.kev_advisories += 1;
                    }
                }
                e.services_affected = services.len();
            }
        }
        Ok(Status {
            backend,
            counts: tx.counts()?,
            environments: environments.into_values().collect(),
            intel: tx.intel_imports()?,
            feeds: tx.feed_cursors()?,
            application: application.map(str::to_owned),
        })
    }
}

/// Each of `ids` once, sorted.
fn distinct<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<String> {
    ids.cloned().collect::<BTreeSet<_>>().into_iter().collect()
}

/// The services of `application`, or `None` for no filter.
pub(crate) fn application_services(
    tx: &mut Tx<'_>,
    application: Option<&str>,
) -> Result<Option<HashSet<String>>> {
    let Some(name) = application else {
        return Ok(None);
    };
    match tx.application(name)? {
        Some(app) => Ok(Some(app.services.into_iter().collect())),
        None => {
            let known: Vec<String> = tx.applications()?.into_iter().map(|a| a.name).collect();
            Err(EngineError::NotFound {
                what: format!("no application {name:?}"),
                hint: Some(if known.is_empty() {
                    "define one with `vigil app add NAME --service S`".into()
                } else {
                    format!("known applications: {}", known.join(", "))
                }),
            })
        }
    }
}

fn finding_row(row: AffectedRow, exploitation: &HashMap<String, Exploitation>) -> FindingRow {
    let x = exploitation.get(&row.advisory_id);
    FindingRow {
        severity: crate::matching::rank_name(row.severity_rank),
        kev: x.is_some_and(|x| x.kev.is_some()),
        epss: x.and_then(|x| x.epss.as_ref()).map(|e| e.1),
        row,
        due: None,
        overdue: false,
    }
}

/// Sets each open row's due date and whether it is overdue, from the open exposure
/// episode of its environment, service and advisory.
pub(crate) fn due_dates(
    tx: &mut Tx<'_>,
    rows: &mut [FindingRow],
    now: time::OffsetDateTime,
) -> Result<()> {
    let open_rows = rows
        .iter()
        .filter(|r| r.row.environment.is_some() && r.row.resolved_at.is_none());
    let names = distinct(open_rows.clone().map(|r| &r.row.service));
    let advisories = distinct(open_rows.map(|r| &r.row.advisory_id));
    if names.is_empty() {
        return Ok(());
    }
    // Whichever of the two is the narrower load: few advisories (an `affected` answer)
    // or few services (a filtered findings list).
    let f = if advisories.len() <= names.len() {
        crate::response::facts(tx, crate::response::Scope::Advisories(&advisories))?
    } else {
        let mut ids = Vec::with_capacity(names.len());
        for name in &names {
            if let Some(s) = tx.service(name)? {
                ids.push(s.id);
            }
        }
        crate::response::facts(tx, crate::response::Scope::Services(&ids))?
    };
    let open: HashMap<(String, String, String), vigil_exposure::Episode> =
        vigil_exposure::episodes(&f.tracks, &f.findings, &f.policies, now)
            .into_iter()
            .filter(|e| e.end.is_none())
            .map(|e| {
                (
                    (
                        e.environment.clone(),
                        e.service.clone(),
                        e.advisory_id.clone(),
                    ),
                    e,
                )
            })
            .collect();
    for r in rows.iter_mut().filter(|r| r.row.resolved_at.is_none()) {
        let Some(env) = &r.row.environment else {
            continue;
        };
        if let Some(e) = open.get(&(
            env.clone(),
            r.row.service.clone(),
            r.row.advisory_id.clone(),
        )) {
            r.due = Some(vigil_store::time::format(e.due));
            r.overdue = e.overdue;
        }
    }
    Ok(())
}

/// KEV and EPSS for each advisory, through its own id and its aliases that are CVEs.
pub(crate) fn exploitation(
    tx: &mut Tx<'_>,
    ids: &[String],
) -> Result<HashMap<String, Exploitation>> {
    let mut cves: HashMap<String, BTreeSet<String>> = HashMap::new();
    for id in ids {
        if id.starts_with("CVE-") {
            cves.entry(id.clone()).or_default().insert(id.clone());
        }
    }
    for (id, alias) in tx.aliases_for(ids)? {
        if alias.starts_with("CVE-") {
            cves.entry(id).or_default().insert(alias);
        }
    }
    let all: Vec<String> = cves
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let kev: HashMap<String, KevEntry> = tx
        .kev_for(&all)?
        .into_iter()
        .map(|k| (k.cve_id.clone(), k))
        .collect();
    let epss: HashMap<String, (f64, f64)> = tx
        .epss_for(&all)?
        .into_iter()
        .map(|(cve, s, p)| (cve, (s, p)))
        .collect();
    Ok(cves
        .into_iter()
        .map(|(id, cves)| {
            let kev = cves.iter().find_map(|c| kev.get(c).cloned());
            let epss = cves
                .iter()
                .filter_map(|c| epss.get(c).map(|&(s, p)| (c.clone(), s, p)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            (id, Exploitation { kev, epss })
        })
        .collect())
}
