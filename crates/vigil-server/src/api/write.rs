//! Recording evidence (releases and deployments, by publishers) and managing tokens (by
//! admins).

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};

use super::{ApiJson, ApiPath};
use axum::http::header;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use vigil_engine::{DeployInput, ReleaseInput, ReleaseRef};

use super::created;
use super::model::*;
use crate::auth::{self, CreatedToken, Permission, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// A release as received, in either form.
struct ReleaseUpload {
    service: String,
    version: String,
    sbom: Vec<u8>,
    digests: Vec<String>,
    commit: Option<String>,
    repository: Option<String>,
    builder: Option<String>,
    built_at: Option<String>,
    owner: Option<String>,
    sbom_signatures: Vec<Vec<u8>>,
    artifact: Option<Vec<u8>>,
    artifact_signatures: Vec<Vec<u8>>,
    attestations: Vec<Vec<u8>>,
}

/// Records a release with its SBOM, matched against every stored advisory. The same
/// SBOM for the same version again changes nothing (200); a different SBOM for a stored
/// version is refused (409).
#[utoipa::path(post, path = "/api/v1/releases", tag = "releases",
    request_body(content(
        (ReleaseRequest = "application/json"),
        (ReleaseForm = "multipart/form-data"))),
    responses(
        (status = 201, description = "Recorded", body = ReleaseOutcomeView),
        (status = 200, description = "Already recorded with this SBOM", body = ReleaseOutcomeView)),
    security(("bearer" = [])))]
pub(crate) async fn create_release(
    State(state): State<AppState>,
    Auth(who): Auth,
    request: Request,
) -> ApiResult<Response> {
    who.require(Permission::Publish)?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let upload = if content_type.starts_with("multipart/form-data") {
        let form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::bad_request(format!("the multipart form: {e}")))?;
        from_form(form).await?
    } else if content_type.starts_with("application/json") {
        let Json(r) = Json::<ReleaseRequest>::from_request(request, &state)
            .await
            .map_err(ApiError::from)?;
        ReleaseUpload {
            service: r.service,
            version: r.version,
            sbom: r.sbom.get().as_bytes().to_vec(),
            digests: r.digests,
            commit: r.commit,
            repository: r.repository,
            builder: r.builder,
            built_at: r.built_at,
            owner: r.owner,
            sbom_signatures: r
                .sbom_signatures
                .into_iter()
                .map(String::into_bytes)
                .collect(),
            artifact: None,
            artifact_signatures: Vec::new(),
            attestations: r
                .attestations
                .iter()
                .map(|a| a.get().as_bytes().to_vec())
                .collect(),
        }
    } else {
        return Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "post the release as application/json (the SBOM in `sbom`) or multipart/form-data (the SBOM as the file part `sbom`)",
        ));
    };
    let built_at = upload
        .built_at
        .as_deref()
        .map(|t| parse_time("built_at", t))
        .transpose()?;
    let outcome = state
        .writers()
        .run(move |e| {
            e.add_release(&ReleaseInput {
                service: &upload.service,
                version: &upload.version,
                sbom: &upload.sbom,
                digests: upload.digests.clone(),
                commit: upload.commit.as_deref(),
                repository: upload.repository.as_deref(),
                builder: upload.builder.as_deref(),
                built_at,
                owner: upload.owner.as_deref(),
                signatures: vigil_engine::signatures::SignatureInput {
                    sbom: upload.sbom_signatures.iter().map(Vec::as_slice).collect(),
                    artifact: upload.artifact.as_deref(),
                    artifact_signatures: upload
                        .artifact_signatures
                        .iter()
                        .map(Vec::as_slice)
                        .collect(),
                    attestations: upload.attestations.iter().map(Vec::as_slice).collect(),
                },
            })
        })
        .await?;
    let was_new = outcome.created;
    let view = ReleaseOutcomeView::from(outcome);
    Ok(if was_new {
        created(view)
    } else {
        axum::response::IntoResponse::into_response(Json(view))
    })
}

async fn from_form(mut form: Multipart) -> ApiResult<ReleaseUpload> {
    let mut fields: std::collections::HashMap<String, String> = Default::default();
    let mut digests = Vec::new();
    let mut sbom = None;
    let (mut sbom_signatures, mut artifact_signatures, mut attestations) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut artifact = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("the multipart form: {e}")))?
    {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::bad_request(format!("form field {name}: {e}")))?;
        match name.as_str() {
            "sbom" => sbom = Some(bytes.to_vec()),
            "sbom_signature" => sbom_signatures.push(bytes.to_vec()),
            "artifact" => artifact = Some(bytes.to_vec()),
            "artifact_signature" => artifact_signatures.push(bytes.to_vec()),
            "attestation" => attestations.push(bytes.to_vec()),
            "digest" | "digests" => digests.push(text(&name, &bytes)?),
            "service" | "version" | "commit" | "repository" | "builder" | "built_at" | "owner" => {
                fields.insert(name.clone(), text(&name, &bytes)?);
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form field {other:?}: the fields are service, version, sbom (a file), digest, commit, repository, builder, built_at, owner, sbom_signature, artifact, artifact_signature and attestation"
                )));
            }
        }
    }
    let mut need = |k: &str| {
        fields
            .remove(k)
            .ok_or_else(|| ApiError::bad_request(format!("the form has no {k} field")))
    };
    let service = need("service")?;
    let version = need("version")?;
    let sbom = sbom.ok_or_else(|| ApiError::bad_request("the form has no sbom file part"))?;
    Ok(ReleaseUpload {
        service,
        version,
        sbom,
        digests,
        commit: fields.remove("commit"),
        repository: fields.remove("repository"),
        builder: fields.remove("builder"),
        built_at: fields.remove("built_at"),
        owner: fields.remove("owner"),
        sbom_signatures,
        artifact,
        artifact_signatures,
        attestations,
    })
}

fn text(name: &str, bytes: &[u8]) -> ApiResult<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request(format!("form field {name} is not UTF-8 text")))
}

/// An RFC 3339 time of the years 0001 to 9998, as written: converted to UTC, as it is
/// stored, it stays within the years RFC 3339 can write (a time of 9999-12-31 with a
/// negative offset is in the year 10000).
pub(super) fn parse_time(what: &str, t: &str) -> ApiResult<time::OffsetDateTime> {
    let at = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map_err(|e| ApiError::bad_request(format!("{what} {t:?} is not an RFC 3339 time: {e}")))?;
    if !(1..=9998).contains(&at.year()) {
        return Err(ApiError::bad_request(format!(
            "{what} {t:?} is outside the years 0001 to 9998"
        )));
    }
    Ok(at)
}

/// Records that a release went to an environment: by service and version, or by an
/// artifact digest.
#[utoipa::path(post, path = "/api/v1/deployments", tag = "deployments",
    request_body = DeploymentRequest,
    responses((status = 201, body = DeployOutcomeView)), security(("bearer" = [])))]
pub(crate) async fn create_deployment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(d): ApiJson<DeploymentRequest>,
) -> ApiResult<Response> {
    let release = match (&d.service, &d.version, &d.digest) {
        (Some(s), Some(v), None) => Target::Version(s.clone(), v.clone()),
        (None, None, Some(digest)) => Target::Digest(digest.clone()),
        (Some(_), None, Some(digest)) => Target::Digest(digest.clone()),
        _ => {
            return Err(ApiError::bad_request(
                "name the release by service and version, or by digest",
            ));
        }
    };
    let at = d.at.as_deref().map(|t| parse_time("at", t)).transpose()?;
    deploy(
        &state,
        &who,
        d.environment,
        release,
        at,
        d.actor,
        d.source.unwrap_or_else(|| "api".to_owned()),
    )
    .await
}

enum Target {
    Version(String, String),
    Digest(String),
}

async fn deploy(
    state: &AppState,
    who: &Principal,
    environment: String,
    release: Target,
    at: Option<time::OffsetDateTime>,
    actor: Option<String>,
    source: String,
) -> ApiResult<Response> {
    who.require(Permission::Publish)?;
    who.require_environment(&environment)?;
    let actor = actor.unwrap_or_else(|| who.name.clone());
    let outcome = state
        .writers()
        .run(move |e| {
            e.deploy(&DeployInput {
                environment: &environment,
                release: match &release {
                    Target::Version(service, version) => ReleaseRef::Version { service, version },
                    Target::Digest(d) => ReleaseRef::Digest(d),
                },
                actor: Some(&actor),
                source: Some(&source),
                at,
            })
        })
        .await?;
    if outcome.alerts > 0 {
        state.alerts_waiting();
    }
    Ok(created(DeployOutcomeView::from(outcome)))
}

/// Records that a service no longer runs in an environment.
#[utoipa::path(post, path = "/api/v1/undeployments", tag = "deployments",
    request_body = UndeploymentRequest,
    responses((status = 201, body = DeployOutcomeView)), security(("bearer" = [])))]
pub(crate) async fn create_undeployment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(d): ApiJson<UndeploymentRequest>,
) -> ApiResult<Response> {
    who.require(Permission::Publish)?;
    who.require_environment(&d.environment)?;
    let at = d.at.as_deref().map(|t| parse_time("at", t)).transpose()?;
    let actor = d.actor.unwrap_or_else(|| who.name.clone());
    let source = d.source.unwrap_or_else(|| "api".to_owned());
    let outcome = state
        .writers()
        .run(move |e| e.undeploy(&d.environment, &d.service, Some(&actor), Some(&source), at))
        .await?;
    Ok(created(DeployOutcomeView::from(outcome)))
}

/// An Argo CD notification: the Application resource, as the template
/// `{"app": {{toJson .app}}}` renders it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"app": {
    "metadata": {"name": "checkout", "annotations": {"vigil.dev/environment": "staging"}},
    "status": {"summary": {"images": ["registry.example/checkout:2.4.1"]},
        "operationState": {"finishedAt": "2026-03-01T11:00:00Z"}}}}))]
pub(crate) struct ArgoNotification {
    #[schema(value_type = Object)]
    pub(crate) app: serde_json::Value,
}

/// Records a deployment from an Argo CD notification webhook. The service is the
/// Application's `vigil.dev/service` annotation or its name; the environment its
/// `vigil.dev/environment` annotation, or the destination's name or namespace; the
/// release the first image of `status.summary.images` whose digest Vigil knows, else
/// the `vigil.dev/version` annotation or the first image's tag. An Application that
/// names none of these is refused with 422.
#[utoipa::path(post, path = "/api/v1/deployments/argocd", tag = "deployments",
    request_body = ArgoNotification,
    responses((status = 201, body = DeployOutcomeView)), security(("bearer" = [])))]
pub(crate) async fn argocd(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(n): ApiJson<ArgoNotification>,
) -> ApiResult<Response> {
    let app = &n.app;
    let s = |path: &[&str]| -> Option<String> {
        let mut v = app;
        for p in path {
            v = v.get(p)?;
        }
        v.as_str().map(str::to_owned).filter(|s| !s.is_empty())
    };
    let annotation = |k: &str| s(&["metadata", "annotations", k]);
    let service = annotation("vigil.dev/service")
        .or_else(|| s(&["metadata", "name"]))
        .ok_or_else(|| ApiError::unprocessable("app.metadata.name is missing"))?;
    let environment = annotation("vigil.dev/environment")
        .or_else(|| s(&["spec", "destination", "name"]))
        .or_else(|| s(&["spec", "destination", "namespace"]))
        .ok_or_else(|| {
            ApiError::unprocessable(
                "no environment: set the annotation vigil.dev/environment on the Application, or a destination name or namespace",
            )
        })?;
    let images: Vec<String> = app
        .pointer("/status/summary/images")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let at = s(&["status", "operationState", "finishedAt"])
        .as_deref()
        .map(|t| parse_time("status.operationState.finishedAt", t))
        .transpose()?;
    // A digest Vigil knows names the release exactly.
    let digests: Vec<String> = images
        .iter()
        .filter_map(|i| i.split_once('@').map(|(_, d)| d.to_owned()))
        .collect();
    let known = if digests.is_empty() {
        None
    } else {
        state
            .readers()
            .run(move |e| {
                let mut tx = e.store().read()?;
                for d in &digests {
                    if tx.release_by_digest(d)?.is_some() {
                        return Ok(Some(d.clone()));
                    }
                }
                Ok(None)
            })
            .await?
    };
    let target = match known {
        Some(d) => Target::Digest(d),
        None => {
            let version = annotation("vigil.dev/version")
                .or_else(|| images.iter().find_map(|i| image_tag(i)))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "no release: no image digest is known to Vigil and there is no vigil.dev/version annotation or image tag",
                    )
                })?;
            Target::Version(service, version)
        }
    };
    deploy(
        &state,
        &who,
        environment,
        target,
        at,
        None,
        "argocd".to_owned(),
    )
    .await
}

/// The tag of an image reference (`registry:5000/app:1.2.3` → `1.2.3`).
fn image_tag(image: &str) -> Option<String> {
    let name = image.split('@').next()?;
    let last = name.rsplit('/').next()?;
    last.split_once(':').map(|(_, t)| t.to_owned())
}

/// Every token (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenView>)), security(("bearer" = [])))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<TokenView>>> {
    who.require(Permission::Admin)?;
    let tokens = state
        .readers()
        .run(|e| Ok(e.store().read()?.tokens()?))
        .await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

/// Creates a token; its secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenRequest,
    responses((status = 201, body = CreatedToken)), security(("bearer" = [])))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(r): ApiJson<TokenRequest>,
) -> ApiResult<Response> {
    who.require(Permission::Admin)?;
    let now = state.now();
    let by = who.token_id.clone();
    let made = state
        .writers()
        .run(move |e| {
            let mut tx = e.store().write()?;
            let made = auth::create(&mut tx, &r.name, r.role, r.environments, Some(&by), now)
                .map_err(|e| vigil_engine::EngineError::Invalid(e.message))?;
            tx.commit()?;
            Ok(made)
        })
        .await?;
    tracing::info!(token = %made.id, role = made.role.as_str(), by = %who.token_id, "token created");
    Ok(created(made))
}

/// Revokes a token at once, on every replica.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token id (tok_…)")),
    responses((status = 200, body = TokenView)), security(("bearer" = [])))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<TokenView>> {
    who.require(Permission::Admin)?;
    let now = state.now();
    let token = state
        .writers()
        .run(move |e| {
            let mut tx = e.store().write()?;
            tx.revoke_token(&id, now)?;
            let token = tx.token(&id)?;
            tx.notify(auth::TOKENS_CHANNEL, &id)?;
            tx.commit()?;
            Ok(token)
        })
        .await?
        .ok_or_else(|| {
            ApiError::not_found("no token has this id; GET /api/v1/tokens lists them")
        })?;
    state.tokens_changed();
    tracing::info!(token = %token.id, by = %who.token_id, "token revoked");
    Ok(Json(TokenView::from(token)))
}
