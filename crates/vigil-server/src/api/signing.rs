//! Signatures on input: the keys each service's releases are signed with (admins manage
//! them), and the environments that take only signed releases.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Name;
use super::{ApiJson, ApiPath, created};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// A public key a service's releases may be signed with.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceKeyView {
    service: String,
    /// Hex SHA-256 of the key's SubjectPublicKeyInfo.
    fingerprint: String,
    /// `ed25519` or `ecdsa-p256-sha256`.
    algorithm: String,
    pem: String,
    added_at: String,
}

impl From<vigil_store::ServiceKey> for ServiceKeyView {
    fn from(k: vigil_store::ServiceKey) -> Self {
        ServiceKeyView {
            service: k.service,
            fingerprint: k.fingerprint,
            algorithm: k.algorithm,
            pem: k.pem,
            added_at: k.added_at,
        }
    }
}

/// A key to trust.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceKeyRequest {
    /// The public key, PEM `PUBLIC KEY` (as `cosign.pub`): Ed25519 or ECDSA P-256.
    pem: String,
}

/// The keys of a service.
#[utoipa::path(get, path = "/api/v1/services/{name}/keys", tag = "catalog",
    params(("name" = Name, Path, description = "The service")),
    responses((status = 200, body = [ServiceKeyView]),
        (status = 422, description = "not a valid service name")),
    security(("bearer" = [])))]
pub(crate) async fn list_service_keys(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Vec<ServiceKeyView>>> {
    who.require(Permission::Read)?;
    let keys = state
        .readers()
        .run(move |e| e.service_keys(Some(&name)))
        .await?;
    Ok(Json(keys.into_iter().map(ServiceKeyView::from).collect()))
}

/// Trusts a key for a service's releases (admin).
#[utoipa::path(post, path = "/api/v1/services/{name}/keys", tag = "catalog",
    params(("name" = Name, Path, description = "The service")),
    request_body = ServiceKeyRequest,
    responses((status = 201, body = ServiceKeyView)), security(("bearer" = [])))]
pub(crate) async fn add_service_key(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ServiceKeyRequest>,
) -> ApiResult<Response> {
    who.require(Permission::Admin)?;
    let key = state
        .writers()
        .run(move |e| e.add_service_key(&name, &body.pem))
        .await?;
    tracing::info!(service = %key.service, key = %key.fingerprint, by = %who.token_id, "service key added");
    Ok(created(ServiceKeyView::from(key)))
}

/// Stops trusting a key (admin).
#[utoipa::path(delete, path = "/api/v1/services/{name}/keys/{fingerprint}", tag = "catalog",
    params(("name" = Name, Path, description = "The service"),
        ("fingerprint" = String, Path, description = "The key's fingerprint")),
    responses((status = 204, description = "Removed")), security(("bearer" = [])))]
pub(crate) async fn remove_service_key(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((name, fingerprint)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    who.require(Permission::Admin)?;
    state
        .writers()
        .run(move |e| e.remove_service_key(&name, &fingerprint))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What to change in an environment's policy: at least one of the two (the document
/// says so with an `anyOf`, added by [`crate::openapi`]).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"require_signed": true, "sla": "critical=3,high=14,kev=1"}))]
pub(crate) struct PolicyRequest {
    /// Deploy only releases with a verified signature or attestation.
    require_signed: Option<bool>,
    /// Days to remediate by severity and for known-exploited advisories, as
    /// `critical=7,high=30,medium=90,low=180,unrated=90,kev=3`; keys left out keep the
    /// defaults, each value 1 to 3650. `default` drops the environment's own policy.
    #[schema(min_length = 1, max_length = 256, pattern = r"\S")]
    sla: Option<String>,
}

/// An environment's policy as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PolicyView {
    environment: String,
    /// Deploy only releases with a verified signature or attestation.
    require_signed: bool,
    /// The environment's own SLA policy, all six keys; absent when it uses the defaults.
    sla: Option<String>,
    /// The SLA policy its due dates are computed with: its own, or the defaults.
    sla_in_effect: String,
}

/// Sets an environment's policy (admin): whether it takes only signed releases, and its
/// SLA days to remediate. Creates the environment if new.
#[utoipa::path(put, path = "/api/v1/environments/{name}/policy", tag = "catalog",
    params(("name" = Name, Path, description = "The environment")),
    request_body = PolicyRequest,
    responses((status = 200, body = PolicyView),
        (status = 422, description = "Neither require_signed nor sla is given, or the SLA policy does not parse")),
    security(("bearer" = [])))]
pub(crate) async fn set_policy(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<PolicyRequest>,
) -> ApiResult<Json<PolicyView>> {
    who.require(Permission::Admin)?;
    if let Some(sla) = &body.sla
        && sla.trim().is_empty()
    {
        return Err(ApiError::unprocessable(format!(
            "sla {sla:?} is empty: give days by severity (\"critical=7,high=30\"), or \"default\""
        )));
    }
    if body.require_signed.is_none() && body.sla.is_none() {
        return Err(ApiError::unprocessable(
            "say what to set: require_signed (true or false), sla (\"critical=7,high=30\", or \"default\"), or both",
        ));
    }
    let environment = name.clone();
    let stored = state
        .writers()
        .run(move |e| {
            let sla = body
                .sla
                .as_deref()
                .map(|sla| (sla != "default").then_some(sla));
            e.set_environment_policy(&environment, body.require_signed, sla)
        })
        .await?;
    tracing::info!(environment = %name, by = %who.token_id, "environment policy set");
    let sla_in_effect = stored
        .sla
        .clone()
        .unwrap_or_else(|| vigil_exposure::SlaPolicy::default().to_string());
    Ok(Json(PolicyView {
        environment: stored.name,
        require_signed: stored.require_signed,
        sla: stored.sla,
        sla_in_effect,
    }))
}
