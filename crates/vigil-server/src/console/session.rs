//! Console sessions: signing in with an API token makes a session, whose random secret
//! is the `vigil_session` cookie (HttpOnly, SameSite=Strict) and whose SHA-256 the store
//! keeps with the token and a CSRF token. Every form carries the CSRF token; a POST
//! without the right one, or from another origin, is refused. The sign-in form itself is
//! protected by a double-submit cookie.

use axum::extract::{FromRequestParts, OriginalUri, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use serde::Deserialize;

use super::{ConsoleError, render};
use crate::auth::{self, Permission, Principal};
use crate::state::AppState;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "vigil_session";
/// The sign-in form's double-submit cookie.
const LOGIN_COOKIE: &str = "vigil_login";

/// A signed-in user of the console.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) principal: Principal,
    /// The session's CSRF token, put in every form.
    pub(crate) csrf: String,
}

impl User {
    /// Whether the user may record triage decisions from the console: the role allows
    /// it, and the token covers every environment (as the API requires).
    pub(crate) fn may_triage(&self) -> bool {
        Permission::Triage.allows(self.principal.role) && self.principal.environments.is_none()
    }

    /// Refuses a form whose CSRF token is not the session's.
    pub(crate) fn check_csrf(&self, given: &str) -> Result<(), ConsoleError> {
        if constant_time_eq(given.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(ConsoleError::new(
                StatusCode::FORBIDDEN,
                "The form is stale or did not come from this console: reload the page and try again.",
            ))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The name a console cookie has on this server. Served over HTTPS (`[console]
/// secure_cookie`) it takes the `__Host-` prefix, with which browsers accept it only
/// `Secure`, for `Path=/` and without a `Domain`: a sibling host or a plain-HTTP page
/// cannot set it, so neither the session nor the sign-in form's CSRF cookie can be
/// planted.
fn cookie_name(state: &AppState, base: &str) -> String {
    if state.config().console.secure_cookie {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

fn set_cookie(state: &AppState, base: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if state.config().console.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    let name = cookie_name(state, base);
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Refuses a request whose `Origin` (or, without one, `Referer`) names another site
/// than the one it was sent to. Browsers send `Origin` on every cross-site POST.
pub(crate) fn check_origin(headers: &HeaderMap) -> Result<(), ConsoleError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    let (Some(host), Some(origin)) = (host, origin) else {
        return Ok(());
    };
    let authority = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    if origin == "null" || !authority.eq_ignore_ascii_case(host) {
        return Err(ConsoleError::new(
            StatusCode::FORBIDDEN,
            "This form was sent from another site; the console takes forms from its own pages only.",
        ));
    }
    Ok(())
}

impl FromRequestParts<AppState> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let next = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |u| u.0.clone());
        let to_login = || {
            let target = next
                .path_and_query()
                .map_or("/", axum::http::uri::PathAndQuery::as_str);
            let url = if target == "/" {
                "/login".to_owned()
            } else {
                format!(
                    "/login?next={}",
                    percent_encoding::utf8_percent_encode(
                        target,
                        percent_encoding::NON_ALPHANUMERIC
                    )
                )
            };
            Redirect::to(&url).into_response()
        };
        let Some(secret) = cookie(&parts.headers, &cookie_name(state, SESSION_COOKIE)) else {
            return Err(to_login());
        };
        let hash = auth::hash(secret);
        let now = state.now();
        let session = state
            .readers()
            .run(move |e| Ok(e.store().read()?.session(&hash, now)?))
            .await
            .map_err(|e| ConsoleError::from(e).into_response())?;
        let Some(session) = session else {
            return Err(to_login());
        };
        let Some(principal) = Principal::from_token(session.token) else {
            return Err(to_login());
        };
        state
            .0
            .limiter
            .check(&principal.token_id)
            .map_err(|e| ConsoleError::from(e).into_response())?;
        Ok(User {
            principal,
            csrf: session.csrf,
        })
    }
}

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

/// Only a path of this console: never another site. Browsers drop tabs and newlines
/// from URLs and read `\\` as `/`, so a path with either, or with any control or space
/// character, is not taken.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2048
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            n
        }
        _ => "/",
    }
}

/// The sign-in form.
pub(crate) async fn login_form(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let csrf = random_hex();
    let page = LoginPage {
        csrf: &csrf,
        next: safe_next(q.next.as_deref()),
        error: None,
    };
    let mut response = render(&page);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LOGIN_COOKIE, &csrf, 3600),
    );
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    token: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Signs in: checks the token, makes a session and sets its cookie.
pub(crate) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    check_origin(&headers)?;
    let expected = cookie(&headers, &cookie_name(&state, LOGIN_COOKIE)).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(ConsoleError::new(
            StatusCode::FORBIDDEN,
            "The sign-in form is stale or did not come from this console: open /login again.",
        ));
    }
    let next = safe_next(Some(&form.next)).to_owned();
    let token = form.token.trim().to_owned();
    let principal = if token.is_empty() || token.len() > 200 {
        None
    } else {
        state.authenticate(&token).await.ok()
    };
    let Some(principal) = principal else {
        // Failed attempts share a rate limit; a valid token is never held up by them.
        state
            .0
            .limiter
            .check("console-sign-in-failures")
            .map_err(ConsoleError::from)?;
        let csrf = random_hex();
        let page = LoginPage {
            csrf: &csrf,
            next: &next,
            error: Some(
                "That token is unknown or revoked. Paste an API token made with `vigil token create`.",
            ),
        };
        let mut response = render(&page);
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, LOGIN_COOKIE, &csrf, 3600),
        );
        return Ok(response);
    };
    let secret = random_hex();
    let csrf = random_hex();
    let hours = state.config().console.session_hours;
    let now = state.now();
    let expires = now + time::Duration::hours(i64::try_from(hours).unwrap_or(12));
    let (hash, token_id) = (auth::hash(&secret), principal.token_id.clone());
    state
        .writers()
        .run(move |e| {
            let mut tx = e.store().write()?;
            tx.insert_session(&hash, &token_id, &csrf, now, expires)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    tracing::info!(token = %principal.token_id, role = principal.role.as_str(), "console: signed in");
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, &secret, hours * 3600),
    );
    headers.append(header::SET_COOKIE, set_cookie(&state, LOGIN_COOKIE, "", 0));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Signs out: ends the session and clears its cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    axum::extract::Form(form): axum::extract::Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    check_origin(&headers)?;
    user.check_csrf(&form.csrf)?;
    if let Some(secret) = cookie(&headers, &cookie_name(&state, SESSION_COOKIE)) {
        let hash = auth::hash(secret);
        state
            .writers()
            .run(move |e| {
                let mut tx = e.store().write()?;
                tx.delete_session(&hash)?;
                tx.commit()?;
                Ok(())
            })
            .await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0),
    );
    Ok(response)
}
