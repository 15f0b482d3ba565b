//! Reading the portfolio: releases, deployments, environments, services, advisories,
//! who is affected, findings, the summary, feed freshness and alerts.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{ApiPath, ApiQuery};
use vigil_engine::FindingQuery;

use super::model::*;
use super::page;
use crate::auth::{Permission, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// Releases, newest first.
#[utoipa::path(get, path = "/api/v1/releases", tag = "releases", params(ReleaseParams),
    responses((status = 200, body = ReleasePage)), security(("bearer" = [])))]
pub(crate) async fn list_releases(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<ReleaseParams>,
) -> ApiResult<Json<ReleasePage>> {
    who.require(Permission::Read)?;
    let service = p.service.clone();
    let mut releases = state
        .readers()
        .run(move |e| Ok(e.store().read()?.releases(service.as_deref())?))
        .await?;
    releases.sort_by_key(|r| std::cmp::Reverse(r.id));
    let (items, next) = page(&state, releases, p.page_size, p.page_token.as_deref())?;
    Ok(Json(ReleasePage {
        items: items.into_iter().map(ReleaseView::from).collect(),
        next_page_token: next,
    }))
}

/// One release, where it runs and its findings.
#[utoipa::path(get, path = "/api/v1/releases/{id}", tag = "releases",
    params(("id" = i64, Path, description = "The release id")),
    responses((status = 200, body = ReleaseDetail)), security(("bearer" = [])))]
pub(crate) async fn get_release(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ReleaseDetail>> {
    who.require(Permission::Read)?;
    let (release, running, findings) = state
        .readers()
        .run(move |e| {
            let (release, running) = {
                let mut tx = e.store().read()?;
                let release = tx.release_by_id(id)?;
                let running: Vec<_> = tx
                    .running()?
                    .into_iter()
                    .filter(|r| r.release_id == id)
                    .collect();
                (release, running)
            };
            let Some(release) = release else {
                return Ok((None, running, Vec::new()));
            };
            let findings = e.findings(&FindingQuery {
                release_id: Some(id),
                include_resolved: true,
                ..FindingQuery::default()
            })?;
            Ok((Some(release), running, findings))
        })
        .await?;
    let release = release.ok_or_else(|| {
        ApiError::not_found(format!(
            "no release has the id {id}; GET /api/v1/releases lists them"
        ))
    })?;
    Ok(Json(ReleaseDetail {
        release: release.into(),
        running: running
            .into_iter()
            .filter(|r| who.may_touch(&r.environment))
            .map(RunningView::from)
            .collect(),
        findings: dedup_findings(findings),
    }))
}

/// A release running in two environments has a row per environment; its detail lists
/// each finding once.
fn dedup_findings(rows: Vec<vigil_engine::FindingRow>) -> Vec<FindingView> {
    let mut seen = BTreeSet::new();
    rows.into_iter()
        .map(FindingView::from)
        .filter(|f| seen.insert(f.id.clone()))
        .map(|mut f| {
            // Where it runs, and so its due date, differ by environment.
            f.environment = None;
            f.running_since = None;
            f.due = None;
            f.overdue = false;
            f
        })
        .collect()
}

/// The deployment log, newest first.
#[utoipa::path(get, path = "/api/v1/deployments", tag = "deployments", params(DeploymentParams),
    responses((status = 200, body = DeploymentPage)), security(("bearer" = [])))]
pub(crate) async fn list_deployments(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<DeploymentParams>,
) -> ApiResult<Json<DeploymentPage>> {
    who.require(Permission::Read)?;
    let mut log = state
        .readers()
        .run(|e| Ok(e.store().read()?.deployments()?))
        .await?;
    log.retain(|d| {
        p.environment.as_ref().is_none_or(|e| &d.environment == e)
            && p.service.as_ref().is_none_or(|s| &d.service == s)
    });
    log.sort_by_key(|d| std::cmp::Reverse(d.id));
    let (items, next) = page(&state, log, p.page_size, p.page_token.as_deref())?;
    Ok(Json(DeploymentPage {
        items: items.into_iter().map(DeploymentView::from).collect(),
        next_page_token: next,
    }))
}

/// Environments and what runs in each.
#[utoipa::path(get, path = "/api/v1/environments", tag = "catalog",
    responses((status = 200, body = Vec<EnvironmentView>)), security(("bearer" = [])))]
pub(crate) async fn list_environments(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<EnvironmentView>>> {
    who.require(Permission::Read)?;
    let (envs, running) = state
        .readers()
        .run(|e| {
            let mut tx = e.store().read()?;
            Ok((tx.environments()?, tx.running()?))
        })
        .await?;
    Ok(Json(
        envs.into_iter()
            .map(|env| EnvironmentView {
                running: running
                    .iter()
                    .filter(|r| r.environment == env.name)
                    .cloned()
                    .map(RunningView::from)
                    .collect(),
                name: env.name,
                created_at: env.created_at,
            })
            .collect(),
    ))
}

/// Services, their owners and where they run.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog",
    responses((status = 200, body = Vec<ServiceView>)), security(("bearer" = [])))]
pub(crate) async fn list_services(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<ServiceView>>> {
    who.require(Permission::Read)?;
    Ok(Json(services(&state, None).await?))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{name}", tag = "catalog",
    params(("name" = String, Path, description = "The service name")),
    responses((status = 200, body = ServiceView)), security(("bearer" = [])))]
pub(crate) async fn get_service(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<ServiceView>> {
    who.require(Permission::Read)?;
    services(&state, Some(name.clone()))
        .await?
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no service {name:?}; GET /api/v1/services lists them"
            ))
        })
}

pub(super) async fn services(
    state: &AppState,
    only: Option<String>,
) -> ApiResult<Vec<ServiceView>> {
    let (services, running) = state
        .readers()
        .run(move |e| {
            let mut tx = e.store().read()?;
            let services = match &only {
                Some(name) => tx.service(name)?.into_iter().collect(),
                None => tx.services()?,
            };
            Ok((services, tx.running()?))
        })
        .await?;
    Ok(services
        .into_iter()
        .map(|s| ServiceView {
            running: running
                .iter()
                .filter(|r| r.service == s.name)
                .cloned()
                .map(RunningView::from)
                .collect(),
            name: s.name,
            owner: s.owner,
            created_at: s.created_at,
        })
        .collect())
}

/// An advisory by its id or any alias, with its OSV record.
#[utoipa::path(get, path = "/api/v1/advisories/{id}", tag = "advisories",
    params(("id" = String, Path, description = "An OSV id, or an alias such as a CVE id", example = "CVE-2021-44228")),
    responses((status = 200, body = AdvisoryView)), security(("bearer" = [])))]
pub(crate) async fn get_advisory(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AdvisoryView>> {
    who.require(Permission::Read)?;
    let query = id.clone();
    let found = state
        .readers()
        .run(move |e| {
            let mut tx = e.store().read()?;
            let ids = tx.resolve_advisory(&query)?;
            // The id itself first, then aliases.
            let first = ids.iter().find(|i| **i == query).or(ids.first()).cloned();
            let Some(first) = first else {
                return Ok(None);
            };
            let advisory = tx.advisory(&first)?;
            let json = tx.advisory_json(&first)?;
            let mut cves: Vec<String> = advisory
                .iter()
                .flat_map(|a| a.aliases.iter().cloned())
                .chain(std::iter::once(first.clone()))
                .filter(|a| a.starts_with("CVE-"))
                .collect();
            cves.sort();
            cves.dedup();
            let kev = tx.kev_for(&cves)?.into_iter().next();
            let epss = tx
                .epss_for(&cves)?
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let also: Vec<String> = ids.into_iter().filter(|i| *i != first).collect();
            Ok(advisory.zip(json).map(|(a, j)| (a, j, kev, epss, also)))
        })
        .await?;
    let Some((a, json, kev, epss, also)) = found else {
        return Err(ApiError::not_found(format!(
            "no advisory has the id or alias {id}"
        )));
    };
    let text = String::from_utf8(json)
        .map_err(|_| ApiError::internal("the stored OSV record is not UTF-8"))?;
    let osv = serde_json::value::RawValue::from_string(text)
        .map_err(|e| ApiError::internal(format!("the stored OSV record is not JSON: {e}")))?;
    Ok(Json(AdvisoryView {
        severity: vigil_engine::matching::rank_name(a.severity_rank).to_owned(),
        id: a.id,
        modified: a.modified,
        published: a.published,
        withdrawn: a.withdrawn,
        summary: a.summary,
        severity_score: a.severity_score,
        severity_vector: a.severity_vector,
        content_sha256: a.content_sha256,
        source: a.source,
        imported_at: a.imported_at,
        aliases: a.aliases,
        kev: kev.map(KevView::from),
        epss: epss.map(|(cve_id, score, percentile)| EpssView {
            cve_id,
            score,
            percentile,
        }),
        osv,
        also,
    }))
}

/// Who is affected by an advisory (by id or alias): every environment, service and
/// release, now.
#[utoipa::path(get, path = "/api/v1/affected/{id}", tag = "advisories",
    params(("id" = String, Path, description = "An OSV id, or an alias such as a CVE id", example = "CVE-2021-44228"), AffectedParams),
    responses((status = 200, body = AffectedView)), security(("bearer" = [])))]
pub(crate) async fn affected(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<AffectedParams>,
) -> ApiResult<Response> {
    who.require(Permission::Read)?;
    let key = crate::answers::Key {
        id,
        all_releases: p.all_releases.unwrap_or(false),
        application: p.app,
        environments: who.environments.clone().map(|mut envs| {
            envs.sort();
            envs.dedup();
            envs
        }),
    };
    let answers = std::sync::Arc::clone(&state.0.answers);
    let body = answers
        .get(key.clone(), || make_affected(&state, &who, key))
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The answer of `affected` as sent, with the advisories it is about.
async fn make_affected(
    state: &AppState,
    who: &Principal,
    key: crate::answers::Key,
) -> ApiResult<crate::answers::Answer> {
    let (id, all, app) = (key.id, key.all_releases, key.application);
    let report = state
        .readers()
        .run(move |e| e.affected(&id, all, app.as_deref()))
        .await?;
    let advisories: Vec<String> = report
        .advisories
        .iter()
        .map(|a| a.advisory.id.clone())
        .collect();
    let findings: Vec<FindingView> = report
        .rows
        .into_iter()
        .map(FindingView::from)
        .filter(|f| f.environment.as_deref().is_none_or(|e| who.may_touch(e)))
        .collect();
    let environments: BTreeSet<String> = findings
        .iter()
        .filter_map(|f| f.environment.clone())
        .collect();
    let services: BTreeSet<String> = findings
        .iter()
        .filter(|f| f.environment.is_some())
        .map(|f| f.service.clone())
        .collect();
    let view = AffectedView {
        query: report.query,
        advisories: report
            .advisories
            .into_iter()
            .map(AdvisorySummary::from)
            .collect(),
        findings,
        environments: environments.into_iter().collect(),
        services: services.into_iter().collect(),
    };
    let body = serde_json::to_vec(&view)
        .map_err(|e| ApiError::internal(format!("the answer does not serialize: {e}")))?;
    Ok(crate::answers::Answer {
        body: body.into(),
        advisories,
    })
}

/// Findings, filtered as `vigil findings` filters them; by default the open findings of
/// releases running now, highest severity first.
#[utoipa::path(get, path = "/api/v1/findings", tag = "findings", params(FindingParams),
    responses((status = 200, body = FindingPage)), security(("bearer" = [])))]
pub(crate) async fn findings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<FindingParams>,
) -> ApiResult<Json<FindingPage>> {
    who.require(Permission::Read)?;
    if let Some(env) = &p.environment {
        who.require_environment(env)?;
    }
    let min = match p.min_severity.as_deref() {
        None => 0,
        Some(s) => severity_rank(s)?,
    };
    let q = FindingQuery {
        environment: p.environment.clone(),
        service: p.service.clone(),
        application: p.app.clone(),
        min_severity_rank: min,
        kev_only: p.kev.unwrap_or(false),
        all_releases: p.all_releases.unwrap_or(false),
        overdue_only: p.overdue.unwrap_or(false),
        ..FindingQuery::default()
    };
    let rows = state.readers().run(move |e| e.findings(&q)).await?;
    let rows: Vec<FindingView> = rows
        .into_iter()
        .map(FindingView::from)
        .filter(|f| f.environment.as_deref().is_none_or(|e| who.may_touch(e)))
        .collect();
    let (items, next) = page(&state, rows, p.page_size, p.page_token.as_deref())?;
    Ok(Json(FindingPage {
        items,
        next_page_token: next,
    }))
}

pub(crate) fn severity_rank(s: &str) -> ApiResult<i64> {
    match s {
        "critical" => Ok(4),
        "high" => Ok(3),
        "medium" => Ok(2),
        "low" => Ok(1),
        "unrated" => Ok(0),
        _ => Err(ApiError::bad_request(format!(
            "min_severity {s:?}: use critical, high, medium, low or unrated"
        ))),
    }
}

/// A summary of the portfolio: what runs where, and its exposure.
#[utoipa::path(get, path = "/api/v1/status", tag = "findings", params(StatusParams),
    responses((status = 200, body = StatusView)), security(("bearer" = [])))]
pub(crate) async fn status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<StatusParams>,
) -> ApiResult<Json<StatusView>> {
    who.require(Permission::Read)?;
    let s = state
        .readers()
        .run(move |e| e.status(p.app.as_deref()))
        .await?;
    Ok(Json(StatusView {
        backend: s.backend,
        counts: s.counts.into(),
        environments: s
            .environments
            .into_iter()
            .map(|e| EnvironmentExposureView {
                environment: e.environment,
                services_running: e.services_running,
                services_affected: e.services_affected,
                findings: e
                    .findings
                    .into_iter()
                    .map(|(severity, n)| SeverityCount {
                        severity: severity.to_owned(),
                        findings: i64::try_from(n).unwrap_or(i64::MAX),
                    })
                    .collect(),
                advisories: e.advisories,
                kev_advisories: e.kev_advisories,
            })
            .collect(),
        application: s.application,
    }))
}

/// How fresh the advisories and exploit intelligence are: OSV cursors, the last KEV and
/// EPSS imports, and the last run of each scheduled job.
#[utoipa::path(get, path = "/api/v1/feeds", tag = "feeds",
    responses((status = 200, body = FeedStatusView)), security(("bearer" = [])))]
pub(crate) async fn feeds(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<FeedStatusView>> {
    who.require(Permission::Read)?;
    let (cursors, intel, jobs) = state
        .readers()
        .run(|e| {
            let mut tx = e.store().read()?;
            Ok((tx.feed_cursors()?, tx.intel_imports()?, tx.job_runs()?))
        })
        .await?;
    let now = state.now();
    let age = |t: &str| {
        vigil_store::time::parse(t)
            .ok()
            .map(|at| (now - at).whole_seconds())
    };
    Ok(Json(FeedStatusView {
        osv: cursors
            .into_iter()
            .map(|(base, ecosystem, cursor, synced_at)| FeedCursorView {
                base,
                ecosystem,
                cursor,
                synced_at,
            })
            .collect(),
        intel: intel
            .into_iter()
            .map(|i| IntelImportView {
                age_seconds: age(&i.imported_at),
                feed: i.feed,
                version: i.version,
                records: i.records,
                source: i.source,
                imported_at: i.imported_at,
            })
            .collect(),
        jobs: jobs
            .into_iter()
            .map(|j| JobView {
                age_seconds: j.last_success_at.as_deref().and_then(age),
                job: j.job,
                started_at: j.started_at,
                finished_at: j.finished_at,
                ok: j.ok,
                duration_ms: j.duration_ms,
                summary: j.summary.and_then(|s| serde_json::from_str(&s).ok()),
                error: j.error,
                runner: j.runner,
                last_success_at: j.last_success_at,
            })
            .collect(),
    }))
}

/// Alerts from the outbox, newest first, with their deliveries to each sink.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(PageParams),
    responses((status = 200, body = AlertPage)), security(("bearer" = [])))]
pub(crate) async fn alerts(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<AlertPage>> {
    who.require(Permission::Read)?;
    let max = state.config().api.max_page_size;
    let size = p.page_size.unwrap_or(100.min(max));
    if size == 0 || size > max {
        return Err(ApiError::bad_request(format!(
            "page_size must be 1 to {max}"
        )));
    }
    let before = match p.page_token.as_deref() {
        None => None,
        Some(t) => Some(t.parse::<i64>().map_err(|_| {
            ApiError::bad_request("page_token is not one this server gave; start without it")
        })?),
    };
    let limit = i64::try_from(size).unwrap_or(i64::MAX).saturating_add(1);
    let (mut alerts, deliveries) = state
        .readers()
        .run(move |e| {
            let mut tx = e.store().read()?;
            let alerts = tx.alerts(before, limit)?;
            let ids: Vec<i64> = alerts.iter().map(|a| a.id).collect();
            let deliveries = tx.deliveries_of(&ids)?;
            Ok((alerts, deliveries))
        })
        .await?;
    let next = (alerts.len() > size).then(|| {
        alerts.truncate(size);
        alerts.last().map(|a| a.id.to_string()).unwrap_or_default()
    });
    let items = alerts
        .into_iter()
        .filter(|a| who.may_touch(&a.environment))
        .map(|a| AlertView {
            advisories: crate::outbox::advisories(&a.kind, &a.body)
                .into_iter()
                .map(AlertAdvisoryView::from)
                .collect(),
            deliveries: deliveries
                .iter()
                .filter(|d| d.alert_id == a.id)
                .map(|d| DeliveryView {
                    sink: d.sink.clone(),
                    state: d.state.clone(),
                    attempts: d.attempts,
                    next_attempt_at: d.next_attempt_at.clone(),
                    last_status: d.last_status,
                    last_error: d.last_error.clone(),
                    delivered_at: d.delivered_at.clone(),
                })
                .collect(),
            severity: vigil_engine::matching::rank_name(a.severity_rank).to_owned(),
            id: a.id,
            key: a.key,
            kind: a.kind,
            environment: a.environment,
            service: a.service,
            version: a.version,
            team: a.team,
            created_at: a.created_at,
        })
        .collect();
    Ok(Json(AlertPage {
        items,
        next_page_token: next,
    }))
}
