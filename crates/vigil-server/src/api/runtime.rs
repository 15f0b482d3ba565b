//! Signals from the running system over HTTP: the runtime inventory (drift), issues
//! from reports and checks listed and triaged, runtime alerts and the mappings that tie
//! runtime names to environments and services, and file integrity changes.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_engine::runtime::{DriftOutcome, ReportInput, ReportOutcome, SignalRow, SignalTriage};
use vigil_store::{SignalFilter, SignalSync};

use super::model::{Name, Timestamp, Version, page_token};
use super::write::parse_time;
use super::{ApiJson, ApiPath, ApiQuery, document_body, off_runtime, page};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// A document another tool writes, which may be a JSON object or array (a list of pods or
/// workloads, Falco alerts).
pub(crate) struct ObjectOrArray;

impl utoipa::PartialSchema for ObjectOrArray {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Object, Type::Array]))
            .into()
    }
}

impl ToSchema for ObjectOrArray {}

/// What a report or an inventory did to the issues of its scope, by signal id.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SyncView {
    /// New issues.
    opened: Vec<i64>,
    /// Issues gone before and back now; their triage is kept.
    reopened: Vec<i64>,
    /// Issues still there; their triage is kept.
    kept: Vec<i64>,
    /// Issues no longer there.
    closed: Vec<i64>,
}

impl From<SignalSync> for SyncView {
    fn from(s: SignalSync) -> SyncView {
        SyncView {
            opened: s.opened,
            reopened: s.reopened,
            kept: s.kept,
            closed: s.closed,
        }
    }
}

/// What comparing an inventory with the deployment log found.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DriftView {
    environment: String,
    /// Workloads read from the inventory.
    workloads: usize,
    /// Workloads whose image digest a recorded release produced.
    matched: usize,
    signals: SyncView,
    /// Whether new drift went to the outbox as alerts.
    alerted: bool,
}

impl From<DriftOutcome> for DriftView {
    fn from(d: DriftOutcome) -> DriftView {
        DriftView {
            environment: d.environment,
            workloads: d.workloads,
            matched: d.matched,
            signals: d.sync.into(),
            alerted: d.alerted,
        }
    }
}

/// What recording a report or a check did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportView {
    kind: String,
    environment: String,
    service: String,
    /// The release the issues are tied to, when one is known.
    release: Option<String>,
    signals: SyncView,
    /// Vulnerability results a finding of Vigil's own already covers.
    corroborated: usize,
    alerted: bool,
}

impl From<ReportOutcome> for ReportView {
    fn from(r: ReportOutcome) -> ReportView {
        ReportView {
            kind: r.kind,
            environment: r.environment,
            service: r.service,
            release: r.release,
            signals: r.sync.into(),
            corroborated: r.corroborated,
            alerted: r.alerted,
        }
    }
}

/// An issue found by DAST, a scanner report, drift or a file integrity check.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignalView {
    id: i64,
    /// `dast`, `sarif`, `zap`, `nikto`, `trivy`, `grype`, `drift` or `fim`.
    kind: String,
    environment: String,
    service: Option<String>,
    owner: Option<String>,
    release: Option<String>,
    /// The check, rule or advisory id.
    rule: String,
    title: String,
    severity: String,
    /// CWE numbers, comma separated.
    cwe: Option<String>,
    location: Option<String>,
    evidence: Option<String>,
    fix: Option<String>,
    tool: String,
    first_seen: String,
    last_seen: String,
    resolved_at: Option<String>,
    /// `gone` when a newer report no longer has it, or the triage status that closed it.
    resolution: Option<String>,
    triage: Option<String>,
    justification: Option<String>,
    impact: Option<String>,
    action: Option<String>,
    reason: Option<String>,
    expires_at: Option<String>,
    decided_by: Option<String>,
    /// When the environment's SLA wants it fixed.
    due: Option<String>,
    overdue: bool,
}

impl From<SignalRow> for SignalView {
    fn from(r: SignalRow) -> SignalView {
        let s = r.signal;
        SignalView {
            id: s.id,
            kind: s.kind,
            environment: s.environment,
            service: s.service,
            owner: s.owner,
            release: s.release,
            rule: s.rule,
            title: s.title,
            severity: r.severity.to_owned(),
            cwe: s.cwe,
            location: s.location,
            evidence: s.evidence,
            fix: s.fix,
            tool: s.tool,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            resolved_at: s.resolved_at,
            resolution: s.resolution,
            triage: s.triage,
            justification: s.justification,
            impact: s.impact,
            action: s.action,
            reason: s.reason,
            expires_at: s.expires_at,
            decided_by: s.decided_by,
            due: r.due,
            overdue: r.overdue,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignalPage {
    items: Vec<SignalView>,
    next_page_token: Option<String>,
}

/// What found an issue.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SignalKind {
    Dast,
    Sarif,
    Zap,
    Nikto,
    Trivy,
    Grype,
    Drift,
    Fim,
}

impl SignalKind {
    fn as_str(self) -> &'static str {
        match self {
            SignalKind::Dast => "dast",
            SignalKind::Sarif => "sarif",
            SignalKind::Zap => "zap",
            SignalKind::Nikto => "nikto",
            SignalKind::Trivy => "trivy",
            SignalKind::Grype => "grype",
            SignalKind::Drift => "drift",
            SignalKind::Fim => "fim",
        }
    }
}

/// Filters of `GET /api/v1/signals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignalParams {
    #[param(value_type = Option<Name>)]
    environment: Option<String>,
    #[param(value_type = Option<Name>)]
    service: Option<String>,
    #[param(inline)]
    kind: Option<SignalKind>,
    /// Closed issues too.
    all: Option<bool>,
    #[param(minimum = 1)]
    page_size: Option<usize>,
    #[param(schema_with = page_token)]
    page_token: Option<String>,
}

/// Issues from the running system, highest severity first; by default the open ones.
#[utoipa::path(get, path = "/api/v1/signals", tag = "signals", params(SignalParams),
    responses((status = 200, body = SignalPage)), security(("bearer" = [])))]
pub(crate) async fn list_signals(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<SignalParams>,
) -> ApiResult<Json<SignalPage>> {
    who.require(Permission::Read)?;
    if let Some(env) = &p.environment {
        who.require_environment(env)?;
    }
    let filter = SignalFilter {
        environment: p.environment.clone(),
        service: p.service.clone(),
        kind: p.kind.map(|k| k.as_str().to_owned()),
        include_resolved: p.all.unwrap_or(false),
    };
    let rows = state.readers().run(move |e| e.signals(&filter)).await?;
    let rows: Vec<SignalView> = rows
        .into_iter()
        .filter(|r| who.may_touch(&r.signal.environment))
        .map(SignalView::from)
        .collect();
    let (items, next) = page(&state, rows, p.page_size, p.page_token.as_deref())?;
    Ok(Json(SignalPage {
        items,
        next_page_token: next,
    }))
}

/// A triage decision on an issue, with the statuses and rules of decisions on findings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "risk_accepted", "reason": "behind the WAF until 2.5.0", "expires_at": "2030-01-01T00:00:00Z"}))]
pub(crate) struct SignalTriageRequest {
    /// `affected` needs `action`, `not_affected` needs `justification` or `impact` and
    /// closes the issue, `fixed` closes it, `risk_accepted` needs `reason` and a future
    /// `expires_at`.
    status: super::triage::TriageStatus,
    justification: Option<super::triage::Justification>,
    #[schema(max_length = 4096, pattern = r"\S")]
    impact: Option<String>,
    #[schema(max_length = 4096, pattern = r"\S")]
    action: Option<String>,
    #[schema(max_length = 4096, pattern = r"\S")]
    reason: Option<String>,
    #[schema(value_type = Option<Timestamp>)]
    expires_at: Option<String>,
}

/// Records a triage decision on an issue (triager or admin, for its environment).
#[utoipa::path(post, path = "/api/v1/signals/{id}/triage", tag = "signals",
    params(("id" = i64, Path, description = "The signal id")),
    request_body = SignalTriageRequest,
    responses((status = 200, description = "Recorded", body = SignalView),
        (status = 404, description = "No such signal")),
    security(("bearer" = [])))]
pub(crate) async fn triage_signal(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SignalTriageRequest>,
) -> ApiResult<Json<SignalView>> {
    who.require(Permission::Triage)?;
    let environment = state
        .readers()
        .run(move |e| Ok(e.store().read()?.signal(id)?.map(|s| s.environment)))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no signal has the id {id}; GET /api/v1/signals lists them"
            ))
        })?;
    who.require_environment(&environment)?;
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|t| parse_time("expires_at", t))
        .transpose()?;
    let t = SignalTriage {
        status: body.status.as_str().to_owned(),
        justification: body.justification.map(|j| j.as_str().to_owned()),
        impact: body.impact,
        action: body.action,
        reason: body.reason,
        expires_at,
        actor: who.name.clone(),
    };
    let row = state
        .writers()
        .run(move |e| {
            e.triage_signal(id, &t)?;
            let rows = e.signals(&SignalFilter {
                include_resolved: true,
                ..SignalFilter::default()
            })?;
            rows.into_iter().find(|r| r.signal.id == id).ok_or_else(|| {
                vigil_engine::EngineError::NotFound {
                    what: format!("no signal {id}"),
                    hint: None,
                }
            })
        })
        .await?;
    Ok(Json(row.into()))
}

/// Where an inventory is from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct InventoryParams {
    /// The environment the workloads run in.
    #[param(value_type = Name)]
    environment: String,
}

/// The runtime inventory: `kubectl get pods -o json`, or a list of workloads. Compared
/// with the deployment log, images no release produced, services running another
/// release than the one deployed, and deployments with nothing running are drift; drift
/// found before and gone now is closed. Publisher or admin, for the environment.
#[utoipa::path(post, path = "/api/v1/inventory", tag = "signals", params(InventoryParams),
    request_body(content = ObjectOrArray, content_type = "application/json",
        description = "`kubectl get pods -o json` output, or `[{\"name\", \"namespace\", \"service\", \"version\", \"image\", \"digest\", \"labels\"}]`"),
    responses((status = 200, description = "Compared", body = DriftView)),
    security(("bearer" = [])))]
pub(crate) async fn inventory(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<InventoryParams>,
    request: Request,
) -> ApiResult<Json<DriftView>> {
    who.require(Permission::Publish)?;
    who.require_environment(&p.environment)?;
    let bytes = document_body(request, &state, &["application/json"], "inventory").await?;
    let workloads =
        off_runtime(move || Ok(vigil_engine::runtime::parse_inventory(&bytes)?)).await?;
    let env = p.environment.clone();
    let outcome = state
        .writers()
        .run(move |e| e.record_inventory(&env, &workloads))
        .await?;
    state.alerts_waiting();
    Ok(Json(outcome.into()))
}

/// How a file changed.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// A file integrity change, as `vigil fim check` reports it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FimChange {
    /// The path under the checked root.
    #[schema(min_length = 1, max_length = 4096)]
    path: String,
    change: ChangeKind,
    /// What changed: `content`, `mode`, `owner`, `size`, `kind`, `target`, `mtime`.
    #[serde(default)]
    what: Vec<String>,
}

/// File integrity changes of a service's files in an environment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FimChangesRequest {
    #[schema(value_type = Name)]
    environment: String,
    #[schema(value_type = Name)]
    service: String,
    /// The release checked; by default the one running in the environment.
    #[schema(value_type = Option<Version>)]
    version: Option<String>,
    /// The checker and its version.
    #[schema(max_length = 200)]
    tool: Option<String>,
    /// What was checked, e.g. `host:/srv/checkout`: changes reported from other sources
    /// (other hosts) are not closed by this report.
    #[serde(default)]
    #[schema(max_length = 4096)]
    source: String,
    #[schema(max_items = 100000)]
    changes: Vec<FimChange>,
}

/// Records the changes a file integrity check found as issues of the service in the
/// environment; changes reported before and not now are closed. Publisher or admin.
#[utoipa::path(post, path = "/api/v1/fim/changes", tag = "signals",
    request_body = FimChangesRequest,
    responses((status = 200, description = "Recorded", body = ReportView),
        (status = 404, description = "No such service or release")),
    security(("bearer" = [])))]
pub(crate) async fn fim_changes(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<FimChangesRequest>,
) -> ApiResult<Json<ReportView>> {
    who.require(Permission::Publish)?;
    who.require_environment(&body.environment)?;
    let issues = body
        .changes
        .iter()
        .map(|c| vigil_engine::runtime::fim_issue(&c.path, c.change.as_str(), &c.what))
        .collect::<Result<Vec<_>, String>>()
        .map_err(ApiError::unprocessable)?;
    let tool = body.tool.unwrap_or_else(|| "vigil fim".to_owned());
    let outcome = state
        .writers()
        .run(move |e| {
            e.record_report(ReportInput {
                kind: "fim",
                tool: &tool,
                environment: &body.environment,
                service: &body.service,
                version: body.version.as_deref(),
                source: &body.source,
                issues,
                vulnerabilities: Vec::new(),
            })
        })
        .await?;
    state.alerts_waiting();
    Ok(Json(outcome.into()))
}

/// What a runtime mapping names.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MappingKind {
    /// A node's or container's hostname.
    Hostname,
    /// A Kubernetes namespace.
    Namespace,
    /// The value of an app label (`app.kubernetes.io/name`, `app.kubernetes.io/instance`,
    /// `app`, `k8s-app`).
    Label,
}

impl MappingKind {
    fn as_str(self) -> &'static str {
        match self {
            MappingKind::Hostname => "hostname",
            MappingKind::Namespace => "namespace",
            MappingKind::Label => "label",
        }
    }

    fn parse(s: &str) -> Option<MappingKind> {
        [
            MappingKind::Hostname,
            MappingKind::Namespace,
            MappingKind::Label,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A runtime name tied to an environment and optionally a service.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingView {
    kind: MappingKind,
    #[schema(value_type = Name)]
    name: String,
    #[schema(value_type = Name)]
    environment: String,
    #[schema(value_type = Option<Name>)]
    service: Option<String>,
}

/// The mappings that tie runtime names to environments and services.
#[utoipa::path(get, path = "/api/v1/runtime/mappings", tag = "signals",
    responses((status = 200, body = Vec<MappingView>)), security(("bearer" = [])))]
pub(crate) async fn list_mappings(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<MappingView>>> {
    who.require(Permission::Read)?;
    let rows = state
        .readers()
        .run(|e| Ok(e.store().read()?.runtime_mappings()?))
        .await?;
    Ok(Json(
        rows.into_iter()
            .filter(|m| who.may_touch(&m.environment))
            .filter_map(|m| {
                Some(MappingView {
                    kind: MappingKind::parse(&m.kind)?,
                    name: m.name,
                    environment: m.environment,
                    service: m.service,
                })
            })
            .collect(),
    ))
}

/// Ties a hostname, Kubernetes namespace or app label value to an environment (and a
/// service), for correlating runtime alerts and inventories. Admin, for the environment
/// it maps to and the one it was mapped to before.
#[utoipa::path(put, path = "/api/v1/runtime/mappings", tag = "signals",
    request_body = MappingView,
    responses((status = 200, description = "Recorded", body = MappingView),
        (status = 404, description = "No such service")),
    security(("bearer" = [])))]
pub(crate) async fn put_mapping(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(m): ApiJson<MappingView>,
) -> ApiResult<Json<MappingView>> {
    who.require(Permission::Admin)?;
    who.require_environment(&m.environment)?;
    let (kind, name, env, service) = (
        m.kind.as_str(),
        m.name.clone(),
        m.environment.clone(),
        m.service.clone(),
    );
    change_mapping(&state, &who, kind, name.clone(), move |e| {
        e.map_runtime(kind, &name, &env, service.as_deref())
    })
    .await?;
    Ok(Json(m))
}

/// Makes `change` to the mapping of `name` unless it maps now to an environment `who`
/// may not touch (moving or removing it needs that environment too): then 403, and
/// nothing changes. Checked in the same write as the change.
async fn change_mapping(
    state: &AppState,
    who: &crate::auth::Principal,
    kind: &'static str,
    name: String,
    change: impl FnOnce(&mut vigil_engine::Engine) -> vigil_engine::Result<()> + Send + 'static,
) -> ApiResult<()> {
    let scope = who.clone();
    let refused = state
        .writers()
        .run(move |e| {
            let now = e
                .store()
                .read()?
                .runtime_mappings()?
                .into_iter()
                .find(|m| m.kind == kind && m.name == name)
                .map(|m| m.environment);
            if let Some(now) = now
                && !scope.may_touch(&now)
            {
                return Ok(Some(now));
            }
            change(e)?;
            Ok(None)
        })
        .await?;
    match refused {
        Some(env) => who.require_environment(&env),
        None => Ok(()),
    }
}

/// Removes the mapping of a hostname, namespace or app label value. Alerts already tied
/// by it keep what they were tied to. Admin, for the environment it maps to.
#[utoipa::path(delete, path = "/api/v1/runtime/mappings/{kind}/{name}", tag = "signals",
    params(("kind" = MappingKind, Path, description = "What the name is"),
        ("name" = Name, Path, description = "The hostname, namespace or label value")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such mapping")),
    security(("bearer" = [])))]
pub(crate) async fn delete_mapping(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((kind, name)): ApiPath<(MappingKind, String)>,
) -> ApiResult<StatusCode> {
    who.require(Permission::Admin)?;
    let kind = kind.as_str();
    change_mapping(&state, &who, kind, name.clone(), move |e| {
        e.unmap_runtime(kind, &name)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A runtime alert as stored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RuntimeAlertView {
    uuid: String,
    environment: Option<String>,
    service: Option<String>,
    release: Option<String>,
    /// `digest`, `kubernetes` or `hostname`; absent when nothing matched.
    correlated_by: Option<String>,
    rule: String,
    priority: String,
    /// The priority's severity, one level higher when the release has an open
    /// KEV-listed finding.
    severity: String,
    output: String,
    time: String,
    hostname: Option<String>,
    source: Option<String>,
    tags: Vec<String>,
    #[schema(value_type = Object)]
    output_fields: serde_json::Value,
    /// KEV-listed advisories open on the same release.
    linked: Vec<String>,
    received_at: String,
}

impl From<vigil_store::RuntimeAlert> for RuntimeAlertView {
    fn from(a: vigil_store::RuntimeAlert) -> RuntimeAlertView {
        let list = |s: Option<&str>| {
            s.and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
                .unwrap_or_default()
        };
        RuntimeAlertView {
            tags: list(a.tags.as_deref()),
            linked: list(a.linked.as_deref()),
            output_fields: serde_json::from_str(&a.output_fields)
                .unwrap_or(serde_json::Value::Null),
            severity: vigil_engine::matching::rank_name(a.severity_rank).to_owned(),
            uuid: a.uuid,
            environment: a.environment,
            service: a.service,
            release: a.release,
            correlated_by: a.correlated_by,
            rule: a.rule,
            priority: a.priority,
            output: a.output,
            time: a.event_time,
            hostname: a.hostname,
            source: a.source,
            received_at: a.received_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuntimeAlertParams {
    /// The newest this many (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Runtime alerts, newest first. A token limited to environments sees those of its
/// environments only.
#[utoipa::path(get, path = "/api/v1/runtime/alerts", tag = "signals", params(RuntimeAlertParams),
    responses((status = 200, body = Vec<RuntimeAlertView>)), security(("bearer" = [])))]
pub(crate) async fn runtime_alerts(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<RuntimeAlertParams>,
) -> ApiResult<Json<Vec<RuntimeAlertView>>> {
    who.require(Permission::Read)?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be 1 to 1000"));
    }
    let envs = who.environments.clone();
    let rows = state
        .readers()
        .run(move |e| Ok(e.store().read()?.runtime_alerts(limit, envs.as_deref())?))
        .await?;
    Ok(Json(rows.into_iter().map(RuntimeAlertView::from).collect()))
}

/// Where a report is from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportParams {
    /// `sarif`, `zap`, `trivy`, `grype` or `nikto`; by default recognised from the
    /// document.
    #[param(max_length = 16)]
    format: Option<String>,
    #[param(value_type = Name)]
    environment: String,
    #[param(value_type = Name)]
    service: String,
    /// The release; by default the one running in the environment.
    #[param(value_type = Option<Version>)]
    version: Option<String>,
}

/// A scanner's report about a service in an environment: SARIF 2.1.0 (Semgrep, CodeQL,
/// …), ZAP JSON, Nikto JSON (weaknesses, as issues), Trivy and Grype JSON
/// (vulnerability results, merged with Vigil's own findings). A newer report of the same
/// kind closes the issues it no longer has and keeps triage on those it has. Publisher
/// or admin, for the environment.
#[utoipa::path(post, path = "/api/v1/reports", tag = "signals", params(ReportParams),
    request_body(content = Object, content_type = "application/json",
        description = "The report as the tool wrote it"),
    responses((status = 200, description = "Recorded", body = ReportView),
        (status = 404, description = "No such service or release")),
    security(("bearer" = [])))]
pub(crate) async fn import_report(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<ReportParams>,
    request: Request,
) -> ApiResult<Json<ReportView>> {
    who.require(Permission::Publish)?;
    who.require_environment(&p.environment)?;
    let bytes = document_body(
        request,
        &state,
        &["application/json", "application/sarif+json"],
        "report",
    )
    .await?;
    let named = p.format.clone();
    let report = off_runtime(move || {
        let format = match named.as_deref() {
            Some(name) => vigil_reports::Format::parse(name)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?,
            None => vigil_reports::detect(&bytes).ok_or_else(|| {
                ApiError::unprocessable(
                    "the report's format is not recognised; name it with format= (sarif, zap, trivy, grype, nikto)",
                )
            })?,
        };
        vigil_reports::parse(format, &bytes, &vigil_reports::Limits::default())
            .map_err(|e| ApiError::unprocessable(e.to_string()))
    })
    .await?;
    let outcome = state
        .writers()
        .run(move |e| e.import_report(&report, &p.environment, &p.service, p.version.as_deref()))
        .await?;
    state.alerts_waiting();
    Ok(Json(outcome.into()))
}

/// What recording a runtime alert did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RuntimeOutcomeView {
    uuid: String,
    /// False when an alert with this uuid was recorded before.
    stored: bool,
    environment: Option<String>,
    service: Option<String>,
    release: Option<String>,
    correlated_by: Option<String>,
    severity: String,
    linked: Vec<String>,
    alerted: bool,
}

/// Falco alerts, as Falco's `http_output` or falcosidekick's webhook sends them (one
/// JSON object), or several (a JSON array, or newline-delimited objects). Each is tied
/// to the environment, service and release it concerns (by image digest, Kubernetes
/// namespace and app labels, or hostname), kept once per uuid, ledgered, and alerted to
/// the owning team. Publisher or admin, for every environment (alerts may concern any).
#[utoipa::path(post, path = "/api/v1/runtime/falco", tag = "signals",
    request_body(content = ObjectOrArray, content_type = "application/json",
        description = "Falco's JSON alert output: output, priority, rule, time, output_fields, hostname, source, tags, uuid; one alert, or an array of them"),
    responses((status = 200, description = "Recorded", body = Vec<RuntimeOutcomeView>)),
    security(("bearer" = [])))]
pub(crate) async fn falco(
    State(state): State<AppState>,
    Auth(who): Auth,
    request: Request,
) -> ApiResult<Json<Vec<RuntimeOutcomeView>>> {
    who.require(Permission::Publish)?;
    super::require_every_environment(&who, "a runtime alert")?;
    let bytes = document_body(
        request,
        &state,
        &["application/json", "application/x-ndjson"],
        "Falco alert",
    )
    .await?;
    let inputs = off_runtime(move || {
        let alerts = vigil_reports::parse_falco(&bytes, &vigil_reports::Limits::default())
            .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        Ok(alerts
            .iter()
            .map(vigil_engine::runtime::falco_input)
            .collect::<Vec<_>>())
    })
    .await?;
    let out = state
        .writers()
        .run(move |e| e.record_runtime_alerts(&inputs))
        .await?;
    state.alerts_waiting();
    Ok(Json(
        out.into_iter()
            .map(|o| RuntimeOutcomeView {
                uuid: o.uuid,
                stored: o.stored,
                environment: o.environment,
                service: o.service,
                release: o.release,
                correlated_by: o.correlated_by,
                severity: o.severity.to_owned(),
                linked: o.linked,
                alerted: o.alerted,
            })
            .collect(),
    ))
}
