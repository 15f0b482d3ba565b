//! An OSV-compatible query API — `POST /v1/query`, `POST /v1/querybatch`, `GET
//! /v1/vulns/{id}` — answered from Vigil's advisory store as the public OSV service
//! answers, so that osv-scanner, pip-audit and other OSV clients can use Vigil as a
//! private mirror. They expose advisories only, never the portfolio. OSV clients send
//! no token: with `osv_api.public = true` the operator opens these three to anyone;
//! otherwise they need a token like every other endpoint.
//!
//! Errors take osv.dev's shape, `{"code": N, "message": "..."}`, which OSV clients read.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use vigil_engine::EngineError;
use vigil_engine::osv_api::{BatchQuery, ErrorBody, OsvApiError, OsvLimits, Query};

use crate::auth::Permission;
use crate::error::ApiError;
use crate::state::{AppState, MaybeAuth};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/query", post(query))
        .route("/v1/querybatch", post(querybatch))
        .route("/v1/vulns/{id}", get(vuln))
}

/// Public when the operator opened the OSV API; else any valid token.
fn allowed(state: &AppState, who: &MaybeAuth) -> Result<(), ApiError> {
    if state.config().osv_api.public {
        return Ok(());
    }
    match &who.0 {
        Some(p) => p.require(Permission::Read),
        None => Err(ApiError::unauthorized(
            "the OSV API needs a bearer token unless the operator sets osv_api.public = true",
        )),
    }
}

fn osv_error(e: &OsvApiError) -> Response {
    if e.code() != 3 {
        tracing::error!(error = %e, "OSV API request failed");
    }
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(e.body())).into_response()
}

/// The engine's failure to run the request at all (the pool, the store connection).
fn failed(e: ApiError) -> Response {
    let body = ErrorBody {
        code: 13,
        message: e.message,
    };
    (e.status, Json(body)).into_response()
}

async fn query(State(state): State<AppState>, who: MaybeAuth, body: Bytes) -> Response {
    if let Err(e) = allowed(&state, &who) {
        return e.into_response();
    }
    let q = match Query::from_json(&body) {
        Ok(q) => q,
        Err(e) => return osv_error(&e),
    };
    let answer = state
        .readers()
        .run(move |engine| Ok(engine.osv_query(&q, &OsvLimits::default())))
        .await;
    match answer {
        Ok(Ok(r)) => Json(r).into_response(),
        Ok(Err(e)) => osv_error(&e),
        Err(e) => failed(e),
    }
}

async fn querybatch(State(state): State<AppState>, who: MaybeAuth, body: Bytes) -> Response {
    if let Err(e) = allowed(&state, &who) {
        return e.into_response();
    }
    let q = match BatchQuery::from_json(&body) {
        Ok(q) => q,
        Err(e) => return osv_error(&e),
    };
    let answer = state
        .readers()
        .run(move |engine| Ok(engine.osv_querybatch(&q, &OsvLimits::default())))
        .await;
    match answer {
        Ok(Ok(r)) => Json(r).into_response(),
        Ok(Err(e)) => osv_error(&e),
        Err(e) => failed(e),
    }
}

async fn vuln(
    State(state): State<AppState>,
    who: MaybeAuth,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    if let Err(e) = allowed(&state, &who) {
        return e.into_response();
    }
    let key = id.clone();
    let answer = state
        .readers()
        .run(move |engine| Ok::<_, EngineError>(engine.osv_vuln(&key)))
        .await;
    match answer {
        Ok(Ok(Some(json))) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response(),
        Ok(Ok(None)) => {
            (StatusCode::NOT_FOUND, Json(ErrorBody::vuln_not_found(&id))).into_response()
        }
        Ok(Err(e)) => osv_error(&e),
        Err(e) => failed(e),
    }
}
