//! The console's pages: each handler reads what it shows on an engine from the pool,
//! keeps what the user's token may see, and renders its template.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vigil_engine::triage::TriageInput;
use vigil_engine::{FindingQuery, FindingRow};

use super::chart::{self, Series};
use super::session::{User, check_origin};
use super::{ConsoleError, render, snapshot};
use crate::auth::Permission;
use crate::state::AppState;

type PageResult = Result<Response, ConsoleError>;

/// Rows per page of the findings list, and services per page of the matrix.
const PAGE_ROWS: usize = 100;
const MATRIX_ROWS: usize = 50;
/// Affected rows a search lists; the API's `/api/v1/affected/{id}` gives every one.
const SEARCH_ROWS: usize = 500;

/// Severity names, highest first, as the tables order their columns.
pub(crate) const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "unrated"];

/// What every signed-in page shows around its content.
pub(crate) struct Chrome {
    pub(crate) name: String,
    pub(crate) role: &'static str,
    /// "every environment", or the list the token is limited to.
    pub(crate) scope: String,
    pub(crate) csrf: String,
    pub(crate) active: &'static str,
}

impl Chrome {
    fn new(user: &User, active: &'static str) -> Chrome {
        Chrome {
            name: user.principal.name.clone(),
            role: user.principal.role.as_str(),
            scope: user
                .principal
                .environments
                .as_ref()
                .map_or_else(|| "every environment".to_owned(), |e| e.join(", ")),
            csrf: user.csrf.clone(),
            active,
        }
    }
}

fn days(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "–".to_owned(), |s| format!("{:.1} d", s / 86_400.0))
}

/// `2026-03-11T13:25:00Z` as `2026-03-11 13:25`.
pub(crate) fn short_time(t: &str) -> String {
    let t = t.trim_end_matches('Z');
    match t.split_once('T') {
        Some((date, time)) => format!("{date} {}", time.get(..5).unwrap_or(time)),
        None => t.to_owned(),
    }
}

fn short_opt(t: Option<&str>) -> String {
    t.map(short_time).unwrap_or_default()
}

/// A query string value, percent-encoded.
fn enc(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------------------
// Dashboard

#[derive(askama::Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    total_open: usize,
    environments: Vec<EnvironmentRow>,
    kev_total: usize,
    kev: Vec<FindingItem>,
    overdue_total: u64,
    charts: Vec<ChartView>,
    months: Vec<String>,
    feeds: Vec<FeedRow>,
    metrics_as_of: String,
}

struct EnvironmentRow {
    name: String,
    counts: [usize; 5],
    total: usize,
    services_running: usize,
    services_affected: usize,
    kev_advisories: usize,
    overdue: u64,
    sla: String,
    mttr: String,
    mttd: String,
}

struct ChartView {
    title: &'static str,
    svg: String,
    /// (series name, the value of each month as shown).
    table: Vec<(String, Vec<String>)>,
}

struct FeedRow {
    name: String,
    detail: String,
    at: String,
}

/// The dashboard: exposure by environment and severity, KEV-listed exposure, SLA
/// breaches, MTTD and MTTR by month, and how fresh the feeds are.
pub(crate) async fn dashboard(State(state): State<AppState>, user: User) -> PageResult {
    let snap = snapshot::dashboard(&state).await?;
    let (cursors, intel, jobs) = state
        .readers()
        .run(|e| {
            let mut tx = e.store().read()?;
            Ok((tx.feed_cursors()?, tx.intel_imports()?, tx.job_runs()?))
        })
        .await?;
    let who = &user.principal;
    let metrics: BTreeMap<&str, &vigil_exposure::MetricsRow> = snap
        .trends
        .rows
        .iter()
        .filter_map(|r| r.key.as_deref().map(|k| (k, r)))
        .collect();
    let environments: Vec<EnvironmentRow> = snap
        .status
        .environments
        .iter()
        .filter(|e| who.may_touch(&e.environment))
        .map(|e| {
            let counts = SEVERITIES.map(|s| e.findings.get(s).copied().unwrap_or(0));
            let m = metrics.get(e.environment.as_str());
            EnvironmentRow {
                name: e.environment.clone(),
                total: counts.iter().sum(),
                counts,
                services_running: e.services_running,
                services_affected: e.services_affected,
                kev_advisories: e.kev_advisories,
                overdue: m.map_or(0, |m| m.sla.overdue),
                sla: m
                    .and_then(|m| m.sla.ratio)
                    .map_or_else(|| "–".to_owned(), |r| format!("{:.0} %", r * 100.0)),
                mttr: days(m.and_then(|m| m.mttr.mean_seconds)),
                mttd: days(m.and_then(|m| m.mttd.mean_seconds)),
            }
        })
        .collect();
    let kev: Vec<FindingItem> = snap
        .kev
        .iter()
        .filter(|f| {
            f.row
                .environment
                .as_deref()
                .is_some_and(|e| who.may_touch(e))
        })
        .cloned()
        .map(FindingItem::from)
        .collect();
    let trends: Vec<&(String, Vec<vigil_exposure::TrendRow>)> = snap
        .trends
        .trends
        .iter()
        .filter(|(env, _)| who.may_touch(env))
        .collect();
    let months: Vec<String> = trends
        .first()
        .map(|(_, rows)| rows.iter().map(|r| r.month.clone()).collect())
        .unwrap_or_default();
    let chart_of = |id: &'static str,
                    title: &'static str,
                    unit: &'static str,
                    value: &dyn Fn(&vigil_exposure::TrendRow) -> Option<f64>| {
        let series: Vec<Series> = trends
            .iter()
            .map(|(env, rows)| Series {
                name: env.clone(),
                values: rows.iter().map(value).collect(),
            })
            .collect();
        let table = series
            .iter()
            .map(|s| {
                let cells = s
                    .values
                    .iter()
                    .map(|v| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}")))
                    .collect();
                (s.name.clone(), cells)
            })
            .collect();
        ChartView {
            title,
            svg: chart::line_chart(id, title, unit, &months, &series),
            table,
        }
    };
    let charts = vec![
        chart_of(
            "open",
            "Open exposures at the end of each month",
            "exposures",
            &|r| Some(r.open_at_end as f64),
        ),
        chart_of(
            "mttr",
            "Mean time to remediate, by month resolved",
            "days",
            &|r| r.mttr.mean_seconds.map(|s| s / 86_400.0),
        ),
        chart_of(
            "mttd",
            "Mean time to detect, by month detected",
            "days",
            &|r| r.mttd.mean_seconds.map(|s| s / 86_400.0),
        ),
    ];
    let mut feeds: Vec<FeedRow> = cursors
        .into_iter()
        .map(|(base, ecosystem, cursor, synced_at)| FeedRow {
            name: format!("OSV {ecosystem}"),
            detail: format!("{base}, up to {}", short_time(&cursor)),
            at: short_time(&synced_at),
        })
        .collect();
    feeds.extend(intel.into_iter().map(|i| FeedRow {
        name: i.feed.to_uppercase(),
        detail: format!(
            "{} records{}",
            i.records,
            i.version.map(|v| format!(", version {v}")).unwrap_or_default()
        ),
        at: short_time(&i.imported_at),
    }));
    feeds.extend(jobs.into_iter().map(|j| FeedRow {
        detail: match (j.ok, &j.error) {
            (Some(true), _) => "last run succeeded".to_owned(),
            (Some(false), Some(e)) => format!("last run failed: {e}"),
            (Some(false), None) => "last run failed".to_owned(),
            (None, _) => "running".to_owned(),
        },
        name: format!("job {}", j.job),
        at: short_opt(j.last_success_at.as_deref()),
    }));
    let page = DashboardPage {
        chrome: Chrome::new(&user, "dashboard"),
        total_open: environments.iter().map(|e| e.total).sum(),
        overdue_total: environments.iter().map(|e| e.overdue).sum(),
        environments,
        kev_total: kev.len(),
        kev: kev.into_iter().take(20).collect(),
        charts,
        months,
        feeds,
        metrics_as_of: short_time(&vigil_store::time::format(snap.trends.now)),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------
// Findings, as every page lists them

/// A finding as the tables show it.
#[derive(Clone)]
struct FindingItem {
    /// `release:package version:advisory`, as the API names findings.
    id: String,
    advisory: String,
    summary: String,
    severity: &'static str,
    kev: bool,
    epss: String,
    environment: String,
    service: String,
    owner: String,
    release_id: i64,
    release: String,
    package: String,
    version: String,
    purl: String,
    path: String,
    fixed: String,
    running_since: String,
    due: String,
    overdue: bool,
    triage: String,
    state: String,
}

impl From<FindingRow> for FindingItem {
    fn from(f: FindingRow) -> FindingItem {
        let r = f.row;
        FindingItem {
            id: format!(
                "{}:{}:{}",
                r.release_id, r.package_version_id, r.advisory_id
            ),
            summary: r.summary.unwrap_or_default(),
            severity: f.severity,
            kev: f.kev,
            epss: f.epss.map(|e| format!("{e:.3}")).unwrap_or_default(),
            environment: r.environment.unwrap_or_default(),
            service: r.service,
            owner: r.owner.unwrap_or_default(),
            release_id: r.release_id,
            release: r.release,
            package: r.package,
            version: r.version,
            path: dependency_path(r.dependency, r.path.as_deref()),
            purl: r.purl,
            fixed: r.fixed.unwrap_or_else(|| "no fix".to_owned()),
            running_since: short_opt(r.running_since.as_deref()),
            due: f.due.as_deref().map(short_time).unwrap_or_default(),
            overdue: f.overdue,
            triage: r.triage.unwrap_or_default(),
            state: match (&r.resolved_at, &r.resolution) {
                (None, _) => "open".to_owned(),
                (Some(_), Some(how)) => format!("resolved: {how}"),
                (Some(_), None) => "resolved".to_owned(),
            },
            advisory: r.advisory_id,
        }
    }
}

/// How a package is depended on, with the path from the product where the SBOM gives
/// one: `direct`, `transitive: app → express → body-parser`.
fn dependency_path(dependency: i64, path: Option<&str>) -> String {
    let kind = match dependency {
        0 => "the product",
        1 => "direct",
        2 => "transitive",
        _ => "not stated",
    };
    let names: Vec<String> = path
        .and_then(|p| serde_json::from_str::<Vec<String>>(p).ok())
        .unwrap_or_default();
    if names.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", names.join(" → "))
    }
}

// ---------------------------------------------------------------------------------------
// Search

#[derive(askama::Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    searched: bool,
    advisories: Vec<AdvisoryCard>,
    /// The first [`SEARCH_ROWS`] affected rows; the summary above them counts all.
    affected: Vec<FindingItem>,
    affected_total: usize,
    environments: Vec<String>,
    services: Vec<(String, String)>,
    not_affected: Vec<RulingRow>,
}

struct AdvisoryCard {
    id: String,
    summary: String,
    severity: &'static str,
    score: String,
    aliases: String,
    published: String,
    withdrawn: String,
    kev: String,
    epss: String,
}

struct RulingRow {
    environment: String,
    service: String,
    release_id: i64,
    release: String,
    package: String,
    version: String,
    status: String,
    statement: String,
    by: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// An advisory id or alias: where it is exposed now, with owners and fixes, and where a
/// VEX statement or triage decision rules it out.
pub(crate) async fn search(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<SearchQuery>,
) -> PageResult {
    let q = p.q.trim().to_owned();
    let mut page = SearchPage {
        chrome: Chrome::new(&user, "search"),
        q: q.clone(),
        searched: !q.is_empty(),
        advisories: Vec::new(),
        affected: Vec::new(),
        affected_total: 0,
        environments: Vec::new(),
        services: Vec::new(),
        not_affected: Vec::new(),
    };
    if q.is_empty() {
        return Ok(render(&page));
    }
    if q.len() > 256 || q.chars().any(char::is_control) {
        return Err(ConsoleError::new(
            StatusCode::BAD_REQUEST,
            "An advisory id is at most 256 printable characters.",
        ));
    }
    let query = q.clone();
    let found = state
        .readers()
        .run(move |e| {
            let report = match e.affected(&query, false, None) {
                Ok(r) => r,
                Err(vigil_engine::EngineError::NotFound { .. }) => return Ok(None),
                Err(other) => return Err(other),
            };
            let ids: Vec<String> = report
                .advisories
                .iter()
                .map(|a| a.advisory.id.clone())
                .collect();
            let ruled: Vec<FindingRow> = e.findings(&FindingQuery {
                advisories: Some(ids),
                include_resolved: true,
                ruled_out_only: true,
                ..FindingQuery::default()
            })?;
            let mut decisions = BTreeMap::new();
            let mut tx = e.store().read()?;
            for id in ruled.iter().filter_map(|f| f.row.decision_id) {
                if let std::collections::btree_map::Entry::Vacant(slot) = decisions.entry(id)
                    && let Some(d) = tx.decision(id)?
                {
                    slot.insert(d);
                }
            }
            Ok(Some((report, ruled, decisions)))
        })
        .await?;
    let Some((report, ruled, decisions)) = found else {
        let mut response = render(&page);
        *response.status_mut() = StatusCode::NOT_FOUND;
        return Ok(response);
    };
    let who = &user.principal;
    page.advisories = report
        .advisories
        .into_iter()
        .map(|a| AdvisoryCard {
            severity: a.severity,
            score: a
                .advisory
                .severity_score
                .map(|s| format!("{s:.1}"))
                .unwrap_or_default(),
            aliases: a.advisory.aliases.join(", "),
            published: short_opt(a.advisory.published.as_deref()),
            withdrawn: short_opt(a.advisory.withdrawn.as_deref()),
            kev: a
                .exploitation
                .kev
                .map(|k| format!("listed {}", k.date_added))
                .unwrap_or_default(),
            epss: a
                .exploitation
                .epss
                .map(|(_, score, pct)| format!("{score:.3} (percentile {:.0})", pct * 100.0))
                .unwrap_or_default(),
            summary: a.advisory.summary.unwrap_or_default(),
            id: a.advisory.id,
        })
        .collect();
    page.affected = report
        .rows
        .into_iter()
        .filter(|f| {
            f.row
                .environment
                .as_deref()
                .is_some_and(|e| who.may_touch(e))
        })
        .map(FindingItem::from)
        .collect();
    page.environments = page
        .affected
        .iter()
        .map(|f| f.environment.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    page.services = page
        .affected
        .iter()
        .map(|f| (f.service.clone(), f.owner.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    page.affected_total = page.affected.len();
    page.affected.truncate(SEARCH_ROWS);
    page.not_affected = ruled
        .into_iter()
        .filter(|f| {
            f.row
                .environment
                .as_deref()
                .is_some_and(|e| who.may_touch(e))
        })
        .map(|f| {
            let d = f.row.decision_id.and_then(|id| decisions.get(&id));
            let statement = d
                .map(|d| {
                    [d.justification.as_deref(), d.impact.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(": ")
                })
                .unwrap_or_default();
            let r = f.row;
            RulingRow {
                environment: r.environment.unwrap_or_default(),
                service: r.service,
                release_id: r.release_id,
                release: r.release,
                package: r.package,
                version: r.version,
                status: r.triage.unwrap_or_default(),
                statement,
                by: d
                    .map(|d| format!("{} ({})", d.actor, d.source))
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------
// Services × environments

#[derive(askama::Template)]
#[template(path = "services.html")]
struct ServicesPage {
    chrome: Chrome,
    q: String,
    environments: Vec<String>,
    rows: Vec<ServiceRow>,
    total: usize,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

struct ServiceRow {
    name: String,
    owner: String,
    latest: Option<(i64, String)>,
    releases: usize,
    cells: Vec<Option<Cell>>,
}

struct Cell {
    release_id: i64,
    version: String,
    since: String,
    /// Open findings by severity, highest first.
    counts: [i64; 5],
    /// Releases of the service recorded after this one: how far it is behind the latest.
    behind: usize,
}

impl Cell {
    fn open(&self) -> i64 {
        self.counts.iter().sum()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ServicesQuery {
    #[serde(default)]
    q: String,
    page: Option<usize>,
}

/// Which release of each service runs in each environment, its open findings by
/// severity, and how many releases it is behind the service's latest.
pub(crate) async fn services(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<ServicesQuery>,
) -> PageResult {
    let q = p.q.trim().to_owned();
    let page_no = p.page.unwrap_or(1).clamp(1, 100_000);
    let who = user.principal.clone();
    let filter = q.to_lowercase();
    let (environments, rows, total) = state
        .readers()
        .run(move |e| {
            let mut tx = e.store().read()?;
            let environments: Vec<String> = tx
                .environments()?
                .into_iter()
                .map(|e| e.name)
                .filter(|e| who.may_touch(e))
                .collect();
            let mut services = tx.services()?;
            services.retain(|s| filter.is_empty() || s.name.to_lowercase().contains(&filter));
            services.sort_by(|a, b| a.name.cmp(&b.name));
            let total = services.len();
            let last_page = total.div_ceil(MATRIX_ROWS).max(1);
            let shown: Vec<_> = services
                .into_iter()
                .skip((page_no.min(last_page) - 1) * MATRIX_ROWS)
                .take(MATRIX_ROWS)
                .collect();
            let names: BTreeSet<&str> = shown.iter().map(|s| s.name.as_str()).collect();
            let running: Vec<_> = tx
                .running()?
                .into_iter()
                .filter(|r| names.contains(r.service.as_str()))
                .collect();
            let ids: Vec<i64> = running.iter().map(|r| r.release_id).collect();
            let mut counts: BTreeMap<i64, [i64; 5]> = BTreeMap::new();
            for (release, rank, n) in tx.open_findings_of_releases(&ids)? {
                let slot = usize::try_from(4 - rank.clamp(0, 4)).unwrap_or(4);
                counts.entry(release).or_default()[slot] += n;
            }
            let mut rows = Vec::with_capacity(shown.len());
            for s in shown {
                let releases = tx.releases(Some(&s.name))?;
                let latest = releases.iter().max_by_key(|r| r.id);
                let cells = environments
                    .iter()
                    .map(|env| {
                        running
                            .iter()
                            .find(|r| &r.environment == env && r.service == s.name)
                            .map(|r| Cell {
                                release_id: r.release_id,
                                version: r.version.clone(),
                                since: short_time(&r.since),
                                counts: counts.get(&r.release_id).copied().unwrap_or_default(),
                                behind: releases.iter().filter(|x| x.id > r.release_id).count(),
                            })
                    })
                    .collect();
                rows.push(ServiceRow {
                    latest: latest.map(|r| (r.id, r.version.clone())),
                    releases: releases.len(),
                    name: s.name,
                    owner: s.owner.unwrap_or_default(),
                    cells,
                });
            }
            Ok((environments, rows, total))
        })
        .await?;
    let pages = total.div_ceil(MATRIX_ROWS).max(1);
    let page_no = page_no.min(pages);
    let link = |n: usize| format!("/services?q={}&page={n}", enc(&q));
    let page = ServicesPage {
        chrome: Chrome::new(&user, "services"),
        environments,
        rows,
        total,
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        q,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------
// Release

#[derive(askama::Template)]
#[template(path = "release.html")]
struct ReleasePage {
    chrome: Chrome,
    id: i64,
    service: String,
    version: String,
    owner: String,
    facts: Vec<(&'static str, String)>,
    digests: Vec<String>,
    q: String,
    components: Vec<ComponentRow>,
    components_total: usize,
    findings: Vec<FindingItem>,
    timeline: Vec<TimelineRow>,
    running: Vec<(String, String)>,
    signatures: Vec<SignatureRow>,
    may_export: bool,
}

struct ComponentRow {
    name: String,
    version: String,
    ecosystem: String,
    purl: String,
    path: String,
    findings: usize,
}

struct TimelineRow {
    at: String,
    environment: String,
    what: String,
    actor: String,
    this: bool,
}

struct SignatureRow {
    kind: String,
    target: String,
    verdict: String,
    key: String,
    detail: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReleaseQuery {
    #[serde(default)]
    q: String,
}

/// One release: its components with their dependency paths, findings, where and when
/// it ran, its signature verdicts, and its evidence bundle.
pub(crate) async fn release(
    State(state): State<AppState>,
    user: User,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(p): Query<ReleaseQuery>,
) -> PageResult {
    let id: i64 = id
        .parse()
        .map_err(|_| ConsoleError::new(StatusCode::NOT_FOUND, format!("No release {id:?}.")))?;
    let found = state
        .readers()
        .run(move |e| {
            let mut tx = e.store().read()?;
            let Some(release) = tx.release_by_id(id)? else {
                return Ok(None);
            };
            let owner = tx.service(&release.service)?.and_then(|s| s.owner);
            let components = tx.release_components(id)?;
            let signatures = tx.release_signatures(id)?;
            let log = tx.deployments_of(&release.service)?;
            let running: Vec<_> = tx
                .running()?
                .into_iter()
                .filter(|r| r.release_id == id)
                .collect();
            drop(tx);
            let findings = e.findings(&FindingQuery {
                release_id: Some(id),
                include_resolved: true,
                skip_due_dates: true,
                ..FindingQuery::default()
            })?;
            Ok(Some((
                release, owner, components, signatures, log, running, findings,
            )))
        })
        .await?;
    let Some((release, owner, components, signatures, log, running, findings)) = found else {
        return Err(ConsoleError::new(
            StatusCode::NOT_FOUND,
            format!("No release has the id {id}."),
        ));
    };
    let who = &user.principal;
    // A release running in two environments has a finding row for each; list it once,
    // preferring a row of an environment the token may see. What a row says of another
    // environment (which, since when, due) is left out, as in the API.
    let mut findings = findings;
    findings.sort_by_key(|f| {
        !f.row
            .environment
            .as_deref()
            .is_none_or(|e| who.may_touch(e))
    });
    let mut seen = BTreeSet::new();
    let findings: Vec<FindingItem> = findings
        .into_iter()
        .map(|f| {
            let hidden = !f
                .row
                .environment
                .as_deref()
                .is_none_or(|e| who.may_touch(e));
            let mut item = FindingItem::from(f);
            if hidden {
                item.environment.clear();
                item.running_since.clear();
                item.due.clear();
                item.overdue = false;
            }
            item
        })
        .filter(|f| seen.insert(f.id.clone()))
        .collect();
    let mut per_purl: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.state == "open") {
        *per_purl.entry(f.purl.as_str()).or_default() += 1;
    }
    let q = p.q.trim().to_lowercase();
    let components_total = components.len();
    let components: Vec<ComponentRow> = components
        .into_iter()
        .filter(|c| {
            q.is_empty() || c.purl.to_lowercase().contains(&q) || c.name.to_lowercase().contains(&q)
        })
        .map(|c| ComponentRow {
            findings: per_purl.get(c.purl.as_str()).copied().unwrap_or(0),
            path: dependency_path(c.dependency, c.path.as_deref()),
            name: c.name,
            version: c.version,
            ecosystem: c.ecosystem,
            purl: c.purl,
        })
        .collect();
    // The service's deployment log, oldest first, with what this release did in it.
    let mut timeline = Vec::new();
    let mut current: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut log = log;
    log.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    for d in log.into_iter().filter(|d| who.may_touch(&d.environment)) {
        let before = current
            .insert(d.environment.clone(), d.version.clone())
            .flatten();
        let is_this = d.version.as_deref() == Some(release.version.as_str());
        let was_this = before.as_deref() == Some(release.version.as_str());
        if !is_this && !was_this {
            continue;
        }
        let what = match (&d.version, is_this) {
            (Some(v), true) => match &before {
                Some(b) if b != v => format!("deployed {v}, replacing {b}"),
                _ => format!("deployed {v}"),
            },
            (Some(v), false) => format!("replaced by {v}"),
            (None, _) => "undeployed".to_owned(),
        };
        timeline.push(TimelineRow {
            at: short_time(&d.at),
            environment: d.environment,
            what,
            actor: d.actor.unwrap_or_default(),
            this: is_this,
        });
    }
    let mut facts = vec![("Recorded", short_time(&release.created_at))];
    if let Some(b) = &release.built_at {
        facts.push(("Built", short_time(b)));
    }
    if let Some(c) = &release.commit {
        facts.push(("Commit", c.clone()));
    }
    if let Some(r) = &release.repository {
        facts.push(("Repository", r.clone()));
    }
    if let Some(b) = &release.builder {
        facts.push(("Builder", b.clone()));
    }
    facts.push((
        "Components",
        format!(
            "{} ({} packages, {} not matchable)",
            release.components, release.packages, release.unmatchable
        ),
    ));
    let page = ReleasePage {
        chrome: Chrome::new(&user, "services"),
        id,
        owner: owner.unwrap_or_default(),
        facts,
        digests: release.digests.clone(),
        q: p.q.trim().to_owned(),
        components,
        components_total,
        findings,
        timeline,
        running: running
            .into_iter()
            .filter(|r| who.may_touch(&r.environment))
            .map(|r| (r.environment, short_time(&r.since)))
            .collect(),
        signatures: signatures
            .into_iter()
            .map(|s| SignatureRow {
                kind: s.kind,
                target: s.target,
                verdict: s.verdict,
                key: s.key_fingerprint.unwrap_or_default(),
                detail: s.detail.unwrap_or_default(),
            })
            .collect(),
        may_export: who.environments.is_none(),
        service: release.service,
        version: release.version,
    };
    Ok(render(&page))
}

/// The release's evidence bundle, as `vigil evidence export` writes it.
pub(crate) async fn evidence(
    State(state): State<AppState>,
    user: User,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    if user.principal.environments.is_some() {
        return Err(ConsoleError::new(
            StatusCode::FORBIDDEN,
            "An evidence bundle holds the release's deployments in every environment; your token is limited to some.",
        ));
    }
    let id: i64 = id
        .parse()
        .map_err(|_| ConsoleError::new(StatusCode::NOT_FOUND, format!("No release {id:?}.")))?;
    let bundle = state
        .writers()
        .run(move |e| {
            let release = e.store().read()?.release_by_id(id)?.ok_or_else(|| {
                vigil_engine::EngineError::NotFound {
                    what: format!("no release has the id {id}"),
                    hint: None,
                }
            })?;
            let bundle = e.export_evidence(&release.service, &release.version)?;
            Ok((release.service, release.version, bundle))
        })
        .await?;
    let (service, version, bundle) = bundle;
    let body = serde_json::to_vec_pretty(&bundle).map_err(|e| {
        ConsoleError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the bundle does not serialize: {e}"),
        )
    })?;
    let file: String = format!("{service}-{version}.evidence.json")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// Findings and triage

#[derive(askama::Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    chrome: Chrome,
    f: FindingsQuery,
    environments: Vec<String>,
    rows: Vec<FindingItem>,
    /// The numbers of the first and last rows shown, from 1.
    first: usize,
    last: usize,
    prev: Option<String>,
    next: Option<String>,
    may_triage: bool,
    /// Where a triage form returns to: this page.
    back: String,
    notice: Option<String>,
    tomorrow: String,
}

/// The findings filters, as `vigil findings` has them.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct FindingsQuery {
    #[serde(default)]
    environment: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    min_severity: String,
    #[serde(default)]
    kev: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    all_releases: Option<String>,
    page: Option<usize>,
    /// A decision just recorded, to confirm.
    recorded: Option<i64>,
}

impl FindingsQuery {
    fn query_string(&self, page: Option<usize>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("environment", &self.environment),
            ("service", &self.service),
            ("min_severity", &self.min_severity),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", enc(v)));
            }
        }
        for (k, v) in [
            ("kev", &self.kev),
            ("overdue", &self.overdue),
            ("all_releases", &self.all_releases),
        ] {
            if v.is_some() {
                parts.push(format!("{k}=on"));
            }
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

/// Findings filtered as `vigil findings` filters them, and triage for those who may.
pub(crate) async fn findings(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<FindingsQuery>,
) -> PageResult {
    let who = user.principal.clone();
    if !f.environment.is_empty() && !who.may_touch(&f.environment) {
        return Err(ConsoleError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Your token may see only the environments {}.",
                who.environments.as_deref().unwrap_or_default().join(", ")
            ),
        ));
    }
    let min = match f.min_severity.as_str() {
        "" => 0,
        s => crate::api::severity_rank(s).map_err(ConsoleError::from)?,
    };
    // Pages past this are not a list anyone reads; it bounds the offset.
    let page_no = f.page.unwrap_or(1).clamp(1, 100_000);
    let mut environment = (!f.environment.is_empty()).then(|| f.environment.clone());
    // A token limited to one environment lists that one (which may not exist yet).
    let implied = match (&environment, who.environments.as_deref()) {
        (None, Some([only])) => {
            environment = Some(only.clone());
            true
        }
        _ => false,
    };
    // The store reads one page unless rows must be dropped after it: those of
    // environments a token limited to several may not see.
    let in_store = environment.is_some() || who.environments.is_none();
    let window = (PAGE_ROWS + 1, (page_no - 1) * PAGE_ROWS);
    let q = FindingQuery {
        environment,
        service: (!f.service.is_empty()).then(|| f.service.clone()),
        min_severity_rank: min,
        kev_only: f.kev.is_some(),
        overdue_only: f.overdue.is_some(),
        all_releases: f.all_releases.is_some(),
        page: in_store.then_some(window),
        ..FindingQuery::default()
    };
    let recorded = f.recorded;
    let (environments, rows, decision) = state
        .readers()
        .run(move |e| {
            let rows = match e.findings(&q) {
                Err(vigil_engine::EngineError::NotFound { .. }) if implied => Vec::new(),
                other => other?,
            };
            let mut tx = e.store().read()?;
            let environments: Vec<String> = tx
                .environments()?
                .into_iter()
                .map(|e| e.name)
                .filter(|e| who.may_touch(e))
                .collect();
            let decision = match recorded {
                Some(id) => tx.decision(id)?,
                None => None,
            };
            let mut rows: Vec<FindingRow> = rows
                .into_iter()
                .filter(|r| {
                    r.row
                        .environment
                        .as_deref()
                        .is_none_or(|e| who.may_touch(e))
                })
                .collect();
            if !in_store {
                rows = rows.into_iter().skip(window.1).take(window.0).collect();
            }
            Ok((environments, rows, decision))
        })
        .await?;
    let more = rows.len() > PAGE_ROWS;
    let rows: Vec<FindingItem> = rows
        .into_iter()
        .take(PAGE_ROWS)
        .map(FindingItem::from)
        .collect();
    let first = (page_no - 1) * PAGE_ROWS + 1;
    let last = first + rows.len().saturating_sub(1);
    let link = |n: usize| format!("/findings?{}", f.query_string(Some(n)));
    let notice = decision.map(|d| {
        let scope = match (&d.service, &d.release) {
            (Some(s), Some(r)) => format!(" for {s} {r}"),
            (Some(s), None) => format!(" for {s}"),
            _ => String::new(),
        };
        format!(
            "Decision {} recorded: {} on {}{scope}.",
            d.id, d.status, d.vulnerability
        )
    });
    let tomorrow = (state.now() + time::Duration::days(1)).date().to_string();
    let page = FindingsPage {
        chrome: Chrome::new(&user, "findings"),
        environments,
        rows,
        first,
        last,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: more.then(|| link(page_no + 1)),
        may_triage: user.may_triage(),
        back: format!("/findings?{}", f.query_string(Some(page_no))),
        notice,
        tomorrow,
        f,
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TriageForm {
    #[serde(default)]
    csrf: String,
    /// `release:package version:advisory`.
    finding: String,
    status: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    /// `YYYY-MM-DD`: a risk acceptance ends at the start of that day, UTC.
    #[serde(default)]
    expires: String,
    #[serde(default)]
    back: String,
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Records a decision on one finding (its release, package and advisory), as
/// `vigil triage set --service S --release V --purl P` does.
pub(crate) async fn triage(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    axum::extract::Form(form): axum::extract::Form<TriageForm>,
) -> PageResult {
    check_origin(&headers)?;
    user.check_csrf(&form.csrf)?;
    user.principal
        .require(Permission::Triage)
        .map_err(ConsoleError::from)?;
    if user.principal.environments.is_some() {
        return Err(ConsoleError::new(
            StatusCode::FORBIDDEN,
            "A triage decision holds in every environment; your token is limited to some.",
        ));
    }
    let bad = |m: String| ConsoleError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let mut parts = form.finding.splitn(3, ':');
    let (Some(release_id), Some(package_id), Some(advisory)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(format!(
            "{:?} is not a finding of this console.",
            form.finding
        )));
    };
    let (Ok(release_id), Ok(package_id)) = (release_id.parse::<i64>(), package_id.parse::<i64>())
    else {
        return Err(bad(format!(
            "{:?} is not a finding of this console.",
            form.finding
        )));
    };
    let expires_at = match non_empty(&form.expires) {
        None => None,
        Some(day) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let date = time::Date::parse(&day, &format)
                .map_err(|_| bad(format!("Accept until {day:?}: give a date as YYYY-MM-DD.")))?;
            Some(date.midnight().assume_utc())
        }
    };
    let advisory = advisory.to_owned();
    let status = form.status.clone();
    let actor = user.principal.name.clone();
    let (justification, impact, action, reason) = (
        non_empty(&form.justification),
        non_empty(&form.impact),
        non_empty(&form.action),
        non_empty(&form.reason),
    );
    let outcome = state
        .writers()
        .run(move |e| {
            let finding = e
                .findings(&FindingQuery {
                    release_id: Some(release_id),
                    include_resolved: true,
                    advisories: Some(vec![advisory.clone()]),
                    ..FindingQuery::default()
                })?
                .into_iter()
                .find(|f| f.row.package_version_id == package_id)
                .ok_or_else(|| vigil_engine::EngineError::NotFound {
                    what: format!("no finding {release_id}:{package_id}:{advisory}"),
                    hint: None,
                })?;
            e.triage(&TriageInput {
                vulnerability: advisory,
                status,
                service: Some(finding.row.service),
                release: Some(finding.row.release),
                purl: Some(finding.row.purl),
                justification,
                impact,
                action,
                reason,
                expires_at,
                actor,
                source: "console",
            })
        })
        .await?;
    tracing::info!(decision = outcome.decision.id, vulnerability = %outcome.decision.vulnerability,
        status = %outcome.decision.status, by = %user.principal.token_id, "console: triage decision recorded");
    let back = if form.back.starts_with("/findings") && !form.back.contains("//") {
        form.back.clone()
    } else {
        "/findings?".to_owned()
    };
    let back = back
        .split('&')
        .filter(|p| !p.starts_with("recorded=") && !p.contains("?recorded="))
        .collect::<Vec<_>>()
        .join("&");
    let sep = if back.ends_with('?') {
        ""
    } else if back.contains('?') {
        "&"
    } else {
        "?"
    };
    Ok(Redirect::to(&format!("{back}{sep}recorded={}", outcome.decision.id)).into_response())
}

// ---------------------------------------------------------------------------------------
// Ledger

#[derive(askama::Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    checkpoint: Option<CheckpointView>,
    vkey: String,
    event: String,
    proofs: Vec<ProofView>,
    problem: Option<String>,
    recent: Vec<(u64, String, String)>,
}

struct CheckpointView {
    size: u64,
    root: String,
    note: String,
    signed_at: String,
    /// Whether the note's signature verifies with this server's key: `None` when the
    /// server has no key to check with.
    signature: Option<bool>,
    /// What is wrong with the checkpoint, if anything.
    warning: Option<String>,
}

/// The tree a stored checkpoint commits to: the size and root its signed note states,
/// checked with the server's key when it has one. Proofs are checked against these,
/// never against the stored columns alone, which a writer to the database could change.
struct SignedTree {
    size: u64,
    root: vigil_ledger::Hash,
    signature: Option<bool>,
    problem: Option<String>,
}

fn signed_tree(
    cp: &vigil_store::StoredCheckpoint,
    verifier: Option<&vigil_ledger::note::NoteVerifier>,
) -> SignedTree {
    use vigil_ledger::checkpoint::{Checkpoint, open};
    let stored = |signature, problem| SignedTree {
        size: cp.size,
        root: cp.root,
        signature,
        problem: Some(problem),
    };
    let parsed = match verifier {
        Some(v) => match open(cp.note.as_bytes(), std::slice::from_ref(v)) {
            Ok((c, _)) => (c, Some(true)),
            Err(e) => {
                return stored(
                    Some(false),
                    format!(
                        "The checkpoint's signature does not verify with this server's key: {e}. No proof against it is accepted."
                    ),
                );
            }
        },
        None => match vigil_ledger::note::Note::parse(cp.note.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|n| Checkpoint::parse(n.text()).map_err(|e| e.to_string()))
        {
            Ok(c) => (c, None),
            Err(e) => {
                return stored(
                    Some(false),
                    format!("The checkpoint's note does not parse: {e}."),
                );
            }
        },
    };
    let (c, signature) = parsed;
    let differs = c.size != cp.size || c.root != cp.root;
    SignedTree {
        size: c.size,
        root: c.root,
        signature,
        problem: differs.then(|| {
            "The stored size or root differs from what the signed note states; proofs are checked against the signed note.".to_owned()
        }),
    }
}

struct ProofView {
    index: u64,
    kind: String,
    subject: String,
    data: String,
    leaf_hash: String,
    proof: Vec<String>,
    computed_root: String,
    verified: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LedgerQuery {
    #[serde(default)]
    event: String,
}

/// The latest checkpoint, the latest leaves, and the inclusion proof of any event (by
/// leaf index or subject) checked against the checkpoint's root.
pub(crate) async fn ledger(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<LedgerQuery>,
) -> PageResult {
    let event = p.event.trim().to_owned();
    if event.len() > 1024 {
        return Err(ConsoleError::new(
            StatusCode::BAD_REQUEST,
            "An event subject is at most 1,024 characters.",
        ));
    }
    let verifier = state.signer().map(|s| s.key().verifier());
    let check_with = verifier.clone();
    let asked = event.clone();
    let (checkpoint, recent, proofs) = state
        .readers()
        .run(move |e| {
            let checkpoint = e
                .latest_checkpoint()?
                .map(|cp| (signed_tree(&cp, check_with.as_ref()), cp));
            let mut tx = e.store().read()?;
            let size = tx.ledger_size()?;
            let recent = tx.ledger_leaf_range(size.saturating_sub(15), 15)?;
            drop(tx);
            let proofs = match (&checkpoint, asked.as_str()) {
                (None, _) | (_, "") => Ok(Vec::new()),
                (Some((tree, _)), text) => match text.parse::<u64>() {
                    Ok(index) => e.leaf_proof(index, Some(tree.size)).map(|p| vec![p]),
                    Err(_) => e.event_proofs(text, Some(tree.size)),
                },
            };
            Ok((checkpoint, recent, proofs))
        })
        .await?;
    let (proofs, problem) = match proofs {
        Ok(p) => (p, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let problem = problem.or_else(|| {
        (checkpoint.is_none() && !event.is_empty())
            .then(|| "No checkpoint is signed yet, so nothing can be proved.".to_owned())
    });
    let proofs = match &checkpoint {
        None => Vec::new(),
        Some((tree, _)) => proofs
            .into_iter()
            .map(|p| {
                let computed =
                    vigil_ledger::root_from_inclusion(&p.leaf_hash, p.index, tree.size, &p.proof);
                let recomputed_leaf = vigil_ledger::leaf_hash(p.data.as_bytes());
                ProofView {
                    verified: tree.signature != Some(false)
                        && recomputed_leaf == p.leaf_hash
                        && computed.as_ref().is_ok_and(|r| *r == tree.root),
                    computed_root: computed.map_or_else(|e| e.to_string(), hex::encode),
                    index: p.index,
                    kind: p.kind,
                    subject: p.subject,
                    leaf_hash: hex::encode(p.leaf_hash),
                    proof: p.proof.iter().map(hex::encode).collect(),
                    data: p.data,
                }
            })
            .collect(),
    };
    let page = LedgerPage {
        chrome: Chrome::new(&user, "ledger"),
        vkey: verifier.as_ref().map(|v| v.to_vkey()).unwrap_or_default(),
        checkpoint: checkpoint.map(|(tree, cp)| CheckpointView {
            signature: tree.signature,
            size: tree.size,
            root: hex::encode(tree.root),
            warning: tree.problem,
            note: cp.note,
            signed_at: short_time(&cp.signed_at),
        }),
        event,
        proofs,
        problem,
        recent: recent
            .into_iter()
            .rev()
            .map(|l| (l.index, l.kind, l.subject))
            .collect(),
    };
    Ok(render(&page))
}
