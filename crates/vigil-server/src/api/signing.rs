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
use crate::error::ApiResult;
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

/// An environment's policy.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyView {
    /// Deploy only releases with a verified signature or attestation.
    require_signed: bool,
}

/// Sets an environment's policy (admin); creates the environment if new.
#[utoipa::path(put, path = "/api/v1/environments/{name}/policy", tag = "catalog",
    params(("name" = Name, Path, description = "The environment")),
    request_body = PolicyView,
    responses((status = 200, body = PolicyView)), security(("bearer" = [])))]
pub(crate) async fn set_policy(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<PolicyView>,
) -> ApiResult<Json<PolicyView>> {
    who.require(Permission::Admin)?;
    let required = body.require_signed;
    state
        .writers()
        .run(move |e| e.set_require_signed(&name, required))
        .await?;
    Ok(Json(PolicyView {
        require_signed: required,
    }))
}
