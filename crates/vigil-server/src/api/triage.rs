//! Triage over HTTP: decisions on findings (VEX statuses, and risk accepted until an
//! expiry) recorded, listed and revoked. Triagers and admins decide; any token reads.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_engine::triage::{TriageInput, TriageOutcome};

use super::model::{Name, Timestamp, Version, page_token};
use super::write::parse_time;
use super::{ApiJson, ApiPath, ApiQuery, created, page, require_every_environment};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// Longest `for_days`: ten years.
const MAX_FOR_DAYS: u32 = 3650;

/// A decision's status, as VEX names them, plus risk accepted until an expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TriageStatus {
    /// Being looked into; the finding stays open.
    UnderInvestigation,
    /// Affected; needs `action`. The finding stays open.
    Affected,
    /// Not affected; needs `justification` or `impact`. Closes the finding.
    NotAffected,
    /// Fixed; closes the finding.
    Fixed,
    /// The risk is accepted until `expires_at` (or `for_days`); needs `reason`. The
    /// finding stays open but is not overdue until then.
    RiskAccepted,
}

impl TriageStatus {
    #[cfg(test)]
    const ALL: [TriageStatus; 5] = [
        TriageStatus::UnderInvestigation,
        TriageStatus::Affected,
        TriageStatus::NotAffected,
        TriageStatus::Fixed,
        TriageStatus::RiskAccepted,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TriageStatus::UnderInvestigation => "under_investigation",
            TriageStatus::Affected => "affected",
            TriageStatus::NotAffected => "not_affected",
            TriageStatus::Fixed => "fixed",
            TriageStatus::RiskAccepted => "risk_accepted",
        }
    }
}

/// Why a component is not affected, as OpenVEX names the justifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    #[cfg(test)]
    const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

/// A decision to record. Its scope, narrowest first: `service`, `release` and `purl`
/// (one package of one release); `service` and `release` (every package of the release);
/// `service` and `purl` (that package in every release of the service, carried over
/// while releases keep its version); `service` (every release of it); `purl` (that
/// package everywhere); none (the advisory everywhere). On each finding the narrowest
/// decision in effect wins, and among equally narrow ones the latest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"vulnerability": "CVE-2021-23337", "status": "not_affected",
    "service": "checkout", "purl": "pkg:npm/lodash@4.17.20",
    "justification": "vulnerable_code_not_in_execute_path"}))]
pub(crate) struct TriageRequest {
    /// An advisory id or any alias of it (`GHSA-…`, `CVE-…`). A name no stored advisory
    /// has yet is kept, and applies when the advisory arrives.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]+$"
    )]
    vulnerability: String,
    status: TriageStatus,
    #[schema(value_type = Option<Name>)]
    service: Option<String>,
    /// A release version of `service`.
    #[schema(value_type = Option<Version>)]
    release: Option<String>,
    /// A package URL: with a version, that version; without, every version.
    #[schema(max_length = 2048)]
    purl: Option<String>,
    /// With `not_affected`.
    justification: Option<Justification>,
    /// With `not_affected`: why it does not affect the product.
    #[schema(max_length = 4096, pattern = r"\S")]
    impact: Option<String>,
    /// With `affected`: what is being done about it.
    #[schema(max_length = 4096, pattern = r"\S")]
    action: Option<String>,
    /// Why; required with `risk_accepted`.
    #[schema(max_length = 4096, pattern = r"\S")]
    reason: Option<String>,
    /// With `risk_accepted`: when the acceptance ends and the finding is open again.
    #[schema(value_type = Option<Timestamp>)]
    expires_at: Option<String>,
    /// With `risk_accepted`, instead of `expires_at`: days from now.
    #[schema(minimum = 1, maximum = 3650)]
    for_days: Option<u32>,
}

/// A triage decision as stored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DecisionView {
    id: i64,
    /// The advisory id or alias the decision names.
    vulnerability: String,
    /// `finding`, `release`, `service`, `package` or `advisory`.
    scope: String,
    service: Option<String>,
    /// The release version, for the `finding` and `release` scopes.
    release: Option<String>,
    purl: Option<String>,
    status: String,
    justification: Option<String>,
    impact: Option<String>,
    action: Option<String>,
    /// When a risk acceptance ends.
    expires_at: Option<String>,
    reason: Option<String>,
    /// Who decided: the name of the token, or the user of the CLI.
    actor: String,
    /// Where the decision came from, as the engine records it.
    source: String,
    created_at: String,
    revoked_at: Option<String>,
    revoked_by: Option<String>,
    /// When the SLA sweep marked an expired risk acceptance as lapsed.
    lapsed_at: Option<String>,
    /// Not revoked, not lapsed and not expired: it may be in effect now.
    active: bool,
}

impl DecisionView {
    fn new(d: vigil_store::Decision, now: time::OffsetDateTime) -> DecisionView {
        let expired = d
            .expires_at
            .as_deref()
            .is_some_and(|t| vigil_store::time::parse(t).map_or(true, |at| at <= now));
        DecisionView {
            active: d.revoked_at.is_none() && d.lapsed_at.is_none() && !expired,
            id: d.id,
            vulnerability: d.vulnerability,
            scope: d.scope,
            service: d.service,
            release: d.release,
            purl: d.purl,
            status: d.status,
            justification: d.justification,
            impact: d.impact,
            action: d.action,
            expires_at: d.expires_at,
            reason: d.reason,
            actor: d.actor,
            source: d.source,
            created_at: d.created_at,
            revoked_at: d.revoked_at,
            revoked_by: d.revoked_by,
            lapsed_at: d.lapsed_at,
        }
    }
}

/// What recording or revoking a decision did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TriageOutcomeView {
    decision: DecisionView,
    /// Findings whose decision in effect changed.
    findings_changed: usize,
    /// Findings this decision is in effect on now (0 after a revocation).
    in_effect_on: usize,
}

impl TriageOutcomeView {
    fn new(o: TriageOutcome, now: time::OffsetDateTime) -> TriageOutcomeView {
        TriageOutcomeView {
            decision: DecisionView::new(o.decision, now),
            findings_changed: o.findings_changed,
            in_effect_on: o.in_effect_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DecisionPage {
    items: Vec<DecisionView>,
    /// Pass as `page_token` for the next page; absent on the last page.
    next_page_token: Option<String>,
}

/// Filters of `GET /api/v1/triage`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriageParams {
    /// Decisions about this advisory, by its id or any alias.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]+$"
    )]
    vulnerability: Option<String>,
    /// Decisions scoped to this service or one of its releases.
    #[param(value_type = Option<Name>)]
    service: Option<String>,
    /// Revoked, lapsed and expired decisions too (default: only those that may be in
    /// effect now).
    all: Option<bool>,
    /// 1 to the server's maximum (default 100).
    #[param(minimum = 1)]
    page_size: Option<usize>,
    #[param(schema_with = page_token)]
    page_token: Option<String>,
}

/// What a revocation says.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevokeParams {
    /// Why it is revoked; recorded in the ledger.
    #[param(max_length = 4096, pattern = r"\S")]
    reason: Option<String>,
}

/// Records a triage decision (triager or admin) and puts it in effect on the findings
/// where it is the narrowest. The actor is the token's name.
#[utoipa::path(post, path = "/api/v1/triage", tag = "triage",
    request_body = TriageRequest,
    responses((status = 201, description = "Recorded", body = TriageOutcomeView),
        (status = 404, description = "No such service or release"),
        (status = 422, description = "The statements do not fit the status (not_affected needs a justification or an impact, affected an action, risk_accepted a reason and a future expiry), or a name or package URL is not valid")),
    security(("bearer" = [])))]
pub(crate) async fn record_triage(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<TriageRequest>,
) -> ApiResult<Response> {
    who.require(Permission::Triage)?;
    require_every_environment(&who, "a triage decision")?;
    let expires_at = match (body.expires_at.as_deref(), body.for_days) {
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable(
                "give expires_at or for_days, not both",
            ));
        }
        (Some(t), None) => Some(parse_time("expires_at", t)?),
        (None, Some(days)) => {
            if !(1..=MAX_FOR_DAYS).contains(&days) {
                return Err(ApiError::unprocessable(format!(
                    "for_days {days}: give 1 to {MAX_FOR_DAYS} days"
                )));
            }
            Some(state.now() + time::Duration::days(i64::from(days)))
        }
        (None, None) => None,
    };
    let input = TriageInput {
        vulnerability: body.vulnerability,
        status: body.status.as_str().to_owned(),
        service: body.service,
        release: body.release,
        purl: body.purl,
        justification: body.justification.map(|j| j.as_str().to_owned()),
        impact: body.impact,
        action: body.action,
        reason: body.reason,
        expires_at,
        actor: who.name.clone(),
        source: "api",
    };
    let outcome = state.writers().run(move |e| e.triage(&input)).await?;
    tracing::info!(decision = outcome.decision.id, vulnerability = %outcome.decision.vulnerability,
        status = %outcome.decision.status, by = %who.token_id, "triage decision recorded");
    Ok(created(TriageOutcomeView::new(outcome, state.now())))
}

/// Triage decisions, newest first; by default only those that may be in effect now.
#[utoipa::path(get, path = "/api/v1/triage", tag = "triage", params(TriageParams),
    responses((status = 200, body = DecisionPage),
        (status = 404, description = "No such service"),
        (status = 422, description = "Not an advisory id or alias")),
    security(("bearer" = [])))]
pub(crate) async fn list_triage(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<TriageParams>,
) -> ApiResult<Json<DecisionPage>> {
    who.require(Permission::Read)?;
    let (vulnerability, service) = (p.vulnerability.clone(), p.service.clone());
    let active = !p.all.unwrap_or(false);
    let mut decisions = state
        .readers()
        .run(move |e| e.triage_decisions(vulnerability.as_deref(), service.as_deref(), active))
        .await?;
    decisions.reverse();
    let (items, next) = page(&state, decisions, p.page_size, p.page_token.as_deref())?;
    let now = state.now();
    Ok(Json(DecisionPage {
        items: items
            .into_iter()
            .map(|d| DecisionView::new(d, now))
            .collect(),
        next_page_token: next,
    }))
}

/// Revokes a decision (triager or admin): the findings it was in effect on fall back to
/// the next narrowest decision, or to none.
#[utoipa::path(delete, path = "/api/v1/triage/{id}", tag = "triage",
    params(("id" = i64, Path, description = "The decision's id"), RevokeParams),
    responses((status = 200, description = "Revoked", body = TriageOutcomeView),
        (status = 404, description = "No decision has this id"),
        (status = 409, description = "The decision was already revoked"),
        (status = 422, description = "The reason is empty or too long")),
    security(("bearer" = [])))]
pub(crate) async fn revoke_triage(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<RevokeParams>,
) -> ApiResult<Json<TriageOutcomeView>> {
    who.require(Permission::Triage)?;
    require_every_environment(&who, "a triage decision")?;
    let actor = who.name.clone();
    let outcome = state
        .writers()
        .run(move |e| e.revoke_triage(id, &actor, p.reason.as_deref()))
        .await?;
    tracing::info!(decision = id, by = %who.token_id, "triage decision revoked");
    Ok(Json(TriageOutcomeView::new(outcome, state.now())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statuses_and_justifications_are_the_engines() {
        let statuses: Vec<&str> = TriageStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(statuses, vigil_engine::triage::STATUSES);
        let justifications: Vec<&str> = Justification::ALL.iter().map(|j| j.as_str()).collect();
        assert_eq!(justifications, vigil_engine::triage::JUSTIFICATIONS);
        for s in TriageStatus::ALL {
            let parsed: TriageStatus = serde_json::from_value(s.as_str().into()).unwrap();
            assert_eq!(parsed, s);
        }
        for j in Justification::ALL {
            let parsed: Justification = serde_json::from_value(j.as_str().into()).unwrap();
            assert_eq!(parsed, j);
        }
    }
}
