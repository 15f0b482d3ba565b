//! The deployment gate over HTTP: may this release go to this environment? The policy
//! (built in, or `[gate] policy_dir`) was compiled at start; the engine builds the input
//! document from the store (`docs/gate.md`) and the policy answers.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::model::{Name, Version};
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::state::{AppState, Auth};

/// The deployment asked about.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"environment": "production", "service": "checkout", "version": "2.4.1"}))]
pub(crate) struct GateRequest {
    #[schema(value_type = Name)]
    environment: String,
    #[schema(value_type = Name)]
    service: String,
    #[schema(value_type = Version)]
    version: String,
}

/// One reason to deny or warn.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GateReasonView {
    /// A stable identifier of the rule that fired (`untriaged_kev`), or `policy` when
    /// the policy gave only a message.
    code: String,
    /// What is wrong and what to do.
    message: String,
    /// The advisory the reason is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    advisory: Option<String>,
    /// The package (a purl, in the built-in policy) the reason is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
}

impl From<vigil_policy::Reason> for GateReasonView {
    fn from(r: vigil_policy::Reason) -> Self {
        GateReasonView {
            code: r.code,
            message: r.message,
            advisory: r.advisory,
            package: r.package,
        }
    }
}

/// The gate's answer: `allow` exactly when `deny` is empty.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GateAnswerView {
    environment: String,
    service: String,
    version: String,
    /// The policy files evaluated; `["default.rego"]` for the built-in policy.
    policy: Vec<String>,
    allow: bool,
    /// Why the deployment must not go ahead; sorted by code, advisory, package, message.
    deny: Vec<GateReasonView>,
    /// What should be looked at but does not block.
    warn: Vec<GateReasonView>,
    /// The input document the policy was given, as `docs/gate.md` describes it.
    #[schema(value_type = Object)]
    input: serde_json::Value,
}

/// Asks the deployment gate whether `service` `version` may go to `environment` now.
/// The answer is 200 whether it allows or denies; a pipeline reads `allow`. Any token
/// may ask about the environments it may touch.
#[utoipa::path(post, path = "/api/v1/gate", tag = "gate", request_body = GateRequest,
    responses(
        (status = 200, description = "The answer, allow or deny", body = GateAnswerView),
        (status = 404, description = "No such release", body = crate::error::ErrorBody),
        (status = 422, description = "A name or version the engine does not accept, or a policy that fails on this input", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn gate(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(r): ApiJson<GateRequest>,
) -> ApiResult<Json<GateAnswerView>> {
    who.require(Permission::Read)?;
    who.require_environment(&r.environment)?;
    let policy = Arc::clone(state.gate_policy());
    let answer = state
        .readers()
        .run(move |e| e.gate(&r.environment, &r.service, &r.version, Some(&policy)))
        .await?;
    Ok(Json(GateAnswerView {
        environment: answer.environment,
        service: answer.service,
        version: answer.version,
        policy: answer.policy,
        allow: answer.decision.allow,
        deny: answer
            .decision
            .deny
            .into_iter()
            .map(GateReasonView::from)
            .collect(),
        warn: answer
            .decision
            .warn
            .into_iter()
            .map(GateReasonView::from)
            .collect(),
        input: answer.input,
    }))
}
