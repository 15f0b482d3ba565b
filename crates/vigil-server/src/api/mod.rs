//! The REST API under `/api/v1`: every handler checks the caller's permission, runs on
//! an engine from the pool, and answers with the types in [`model`].

mod gate;
mod history;
pub mod model;
mod owners;
mod portfolio;
mod response;
mod runtime;
mod signing;
mod triage;
mod vex;
mod write;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub(crate) use gate::*;
pub(crate) use history::*;
pub(crate) use owners::*;
pub(crate) use portfolio::*;
pub(crate) use response::*;
pub(crate) use runtime::*;
pub(crate) use signing::*;
pub(crate) use triage::*;
pub(crate) use vex::*;
pub(crate) use write::*;

/// `Json` whose rejections answer in the API's error shape, and which takes only an
/// object: serde would also read a struct from an array of its fields in order
/// (`[true, "high=14"]`), which no request body of the API is.
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        // The content type, the size limit and the syntax, as `Json` checks them.
        let Json(raw) = Json::<Box<serde_json::value::RawValue>>::from_request(req, state).await?;
        if !raw.get().starts_with('{') {
            return Err(ApiError::unprocessable(
                "the request body: a JSON object is expected",
            ));
        }
        let Json(value) = Json::<T>::from_bytes(raw.get().as_bytes())?;
        Ok(ApiJson(value))
    }
}

/// `Query` whose rejections answer in the API's error shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub(crate) struct ApiQuery<T>(pub(crate) T);

/// `Path` whose rejections answer in the API's error shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub(crate) struct ApiPath<T>(pub(crate) T);

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        let status = r.status();
        let code = match status.as_u16() {
            413 => "payload_too_large",
            415 => "unsupported_media_type",
            422 => "unprocessable",
            _ => "bad_request",
        };
        ApiError::new(status, code, format!("the request body: {}", r.body_text()))
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::bad_request(format!("the query string: {}", r.body_text()))
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> ApiError {
        ApiError::bad_request(format!("the path: {}", r.body_text()))
    }
}

/// A page of `items`: `page_token` is the offset to start at, as a previous page gave.
pub(crate) fn page<T>(
    state: &AppState,
    items: Vec<T>,
    size: Option<usize>,
    token: Option<&str>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let max = state.config().api.max_page_size;
    let size = size.unwrap_or(100.min(max));
    if size == 0 || size > max {
        return Err(ApiError::bad_request(format!(
            "page_size must be 1 to {max}"
        )));
    }
    let start = match token {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| {
            ApiError::bad_request("page_token is not one this server gave; start without it")
        })?,
    };
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let next = (start.saturating_add(size) < total).then(|| (start + size).to_string());
    Ok((items, next))
}

/// `201 Created` with a JSON body.
pub(crate) fn created<T: serde::Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is alive", body = model::Health)))]
pub(crate) async fn healthz() -> Json<model::Health> {
    Json(model::Health {
        status: "ok".to_owned(),
    })
}

/// Readiness: the store answers and the server is not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = model::Health),
        (status = 503, description = "Not ready", body = crate::error::ErrorBody)))]
pub(crate) async fn readyz(State(state): State<AppState>) -> ApiResult<Json<model::Health>> {
    if !state.is_ready() {
        return Err(ApiError::unavailable(
            "the server is starting or shutting down",
        ));
    }
    state
        .readers()
        .run(|engine| {
            let mut tx = engine.store().read()?;
            tx.ping()?;
            Ok(())
        })
        .await
        .map_err(|e| ApiError::unavailable(format!("the store does not answer: {}", e.message)))?;
    Ok(Json(model::Health {
        status: "ok".to_owned(),
    }))
}

/// The body of a request that posts a document as it is (a VEX document, a catalog
/// file), within the server's body limit: 415 unless its content type is one of
/// `accepted`, naming them.
pub(crate) async fn document_body(
    request: Request,
    state: &AppState,
    accepted: &[&str],
    what: &str,
) -> ApiResult<Bytes> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !accepted.contains(&essence) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "post the {what} as it is, with the content type {}",
                accepted.join(", ")
            ),
        ));
    }
    Bytes::from_request(request, state).await.map_err(|e| {
        let status = e.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "payload_too_large"
        } else {
            "bad_request"
        };
        ApiError::new(status, code, format!("the request body: {}", e.body_text()))
    })
}

/// Runs CPU-bound work, such as parsing a posted document of many megabytes, on the
/// blocking pool, so that the async workers keep answering other requests meanwhile.
pub(crate) async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("parsing the request failed: {e}")))?
}

/// Refuses a token limited to some environments: `what` applies in every environment.
pub(crate) fn require_every_environment(who: &Principal, what: &str) -> ApiResult<()> {
    match &who.environments {
        None => Ok(()),
        Some(envs) => Err(ApiError::forbidden(format!(
            "token {} may touch only the environments {}; {what} applies in every environment, so it needs a token for every environment",
            who.token_id,
            envs.join(", ")
        ))),
    }
}
