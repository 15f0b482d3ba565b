//! The web console at `/`: server-rendered pages (askama templates compiled into the
//! binary) with a little JavaScript, every asset embedded, nothing loaded from another
//! host. A user signs in with an API token; what the pages show and allow follows the
//! token's role and environments, as the API does.

mod chart;
mod pages;
mod session;
mod snapshot;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) use snapshot::Snapshots;

/// The largest form the console reads: a triage decision's texts are at most 4 KiB each.
const MAX_FORM_BYTES: usize = 32 * 1024;

/// The console's routes; none when `[console] enabled` is false.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    if !state.config().console.enabled {
        return Router::new();
    }
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/search", get(pages::search))
        .route("/services", get(pages::services))
        .route("/releases/{id}", get(pages::release))
        .route("/releases/{id}/evidence", get(pages::evidence))
        .route("/findings", get(pages::findings))
        .route("/findings/triage", post(pages::triage))
        .route("/ledger", get(pages::ledger))
        .route("/console/assets/{name}", get(asset))
        // Console forms are small; this keeps an unauthenticated POST to /login from
        // making the server read the API's much larger bodies.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(axum::middleware::map_response(secure_headers))
}

/// What every console response carries: a strict content security policy (scripts and
/// styles from the console itself only, no framing), and no caching of pages.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

const CSS: &str = include_str!("../../assets/console.css");
const JS: &str = include_str!("../../assets/console.js");

/// The embedded stylesheet and script.
async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return ConsoleError::new(StatusCode::NOT_FOUND, "No such asset.").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Renders a template to a `text/html` response; a template that fails to render is a
/// 500 page.
pub(crate) fn render<T: askama::Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console: a page did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "the page did not render; the server log has the reason",
            )
                .into_response()
        }
    }
}

/// An error shown as a page.
#[derive(Debug)]
pub(crate) struct ConsoleError {
    status: StatusCode,
    message: String,
    /// Seconds to wait, for a 429.
    retry_after: Option<u64>,
}

impl ConsoleError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ConsoleError {
        ConsoleError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> ConsoleError {
        ConsoleError {
            retry_after: e.retry_after,
            ..ConsoleError::new(e.status, e.message)
        }
    }
}

impl From<vigil_engine::EngineError> for ConsoleError {
    fn from(e: vigil_engine::EngineError) -> ConsoleError {
        ApiError::from(e).into()
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            status: self.status.as_u16(),
            reason: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
        };
        let mut response = render(&page);
        *response.status_mut() = self.status;
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
