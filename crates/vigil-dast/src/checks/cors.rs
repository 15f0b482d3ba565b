//! CORS that lets any site read responses with the user's cookies.
//!
//! The scan sends `Origin: `[`PROBE_ORIGIN`] with its request for the base URL; a server
//! that answers with that origin in Access-Control-Allow-Origin and
//! `Access-Control-Allow-Credentials: true` would do the same for an attacker's site.

use crate::catalog::{CORS_REFLECTED, CORS_WILDCARD};
use crate::report::Observation;
use crate::response::Response;

/// The made-up origin sent to see whether it is reflected. `.example` is reserved
/// (RFC 2606), so no real site can be it.
pub(crate) const PROBE_ORIGIN: &str = "https://vigil-dast-cors-probe.example";

/// Credentials allowed together with `*` or with an Origin the server cannot trust.
pub(crate) fn cors(response: &Response) -> Vec<Observation> {
    let credentials = response
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if !credentials {
        return Vec::new();
    }
    let Some(allowed) = response
        .header("access-control-allow-origin")
        .map(str::trim)
    else {
        return Vec::new();
    };
    let evidence = format!(
        "Access-Control-Allow-Origin: {allowed} with Access-Control-Allow-Credentials: true"
    );
    if allowed == "*" {
        return vec![Observation::new(&CORS_WILDCARD, &response.url, evidence)];
    }
    match response.request_header("origin") {
        Some(sent) if sent.eq_ignore_ascii_case(allowed) => vec![Observation::new(
            &CORS_REFLECTED,
            &response.url,
            format!("Origin {sent} sent; {evidence}"),
        )],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(origin: Option<&str>, headers: &[(&str, &str)], expect: &[&str]) {
        let mut response = Response::get("http://h/", 200);
        if let Some(o) = origin {
            response
                .request_headers
                .push(("origin".to_owned(), o.to_owned()));
        }
        for (n, v) in headers {
            response = response.with_header(n, v);
        }
        let found: Vec<&str> = cors(&response).into_iter().map(|o| o.check.id).collect();
        assert_eq!(found, expect, "{origin:?} {headers:?}");
    }

    #[test]
    fn reflected_origin_with_credentials() {
        let reflected = [
            ("access-control-allow-origin", PROBE_ORIGIN),
            ("access-control-allow-credentials", "true"),
        ];
        check(
            Some(PROBE_ORIGIN),
            &reflected,
            &["cors-credentials-reflected"],
        );
        // Without our Origin sent, an echo cannot be told from an allowlist entry.
        check(None, &reflected, &[]);
        check(
            Some(PROBE_ORIGIN),
            &[("access-control-allow-origin", PROBE_ORIGIN)],
            &[],
        );
    }

    #[test]
    fn wildcard_with_credentials() {
        check(
            None,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "TRUE"),
            ],
            &["cors-credentials-wildcard"],
        );
        check(None, &[("access-control-allow-origin", "*")], &[]);
    }

    #[test]
    fn allowlisted_origin_is_fine() {
        check(
            Some(PROBE_ORIGIN),
            &[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-credentials", "true"),
            ],
            &[],
        );
    }
}
