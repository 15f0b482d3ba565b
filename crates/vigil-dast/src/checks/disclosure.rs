//! Version and framework disclosure in response headers.

use crate::catalog::{FRAMEWORK, SERVER_VERSION};
use crate::report::Observation;
use crate::response::Response;

/// Headers whose only purpose is to name the stack behind the site.
const FRAMEWORK_HEADERS: &[&str] = &[
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
];

/// Whether `value` carries a version: a digit after `/` (`nginx/1.25.3`), or digits
/// around a dot (`Microsoft-IIS 10.0`).
fn has_version(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'/' && w[1].is_ascii_digit())
        || bytes
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
}

/// A Server header with a version in it.
pub(crate) fn server(response: &Response) -> Vec<Observation> {
    response
        .headers_named("server")
        .filter(|v| has_version(v))
        .take(1)
        .map(|v| {
            Observation::new(&SERVER_VERSION, &response.url, format!("Server: {v}")).param("server")
        })
        .collect()
}

/// Any of [`FRAMEWORK_HEADERS`] with a value.
pub(crate) fn framework(response: &Response) -> Vec<Observation> {
    FRAMEWORK_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.header(name)?.trim();
            (!value.is_empty()).then(|| {
                Observation::new(&FRAMEWORK, &response.url, format!("{name}: {value}")).param(*name)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&Response) -> Vec<Observation>, header: (&str, &str), expect: Option<&str>) {
        let response = Response::get("http://h/", 200).with_header(header.0, header.1);
        let found: Vec<String> = f(&response).into_iter().map(|o| o.evidence).collect();
        assert_eq!(
            found,
            expect.into_iter().map(str::to_owned).collect::<Vec<_>>(),
            "{header:?}"
        );
    }

    #[test]
    fn server_versions() {
        check(
            server,
            ("server", "Apache/2.4.41 (Ubuntu)"),
            Some("Server: Apache/2.4.41 (Ubuntu)"),
        );
        check(
            server,
            ("server", "Werkzeug/3.0.1 Python/3.12.1"),
            Some("Server: Werkzeug/3.0.1 Python/3.12.1"),
        );
        check(
            server,
            ("server", "Microsoft-IIS 10.0"),
            Some("Server: Microsoft-IIS 10.0"),
        );
        check(server, ("server", "nginx"), None);
        check(server, ("server", "cloudflare"), None);
        check(server, ("server", "AmazonS3"), None);
    }

    #[test]
    fn framework_headers() {
        check(
            framework,
            ("x-powered-by", "Express"),
            Some("x-powered-by: Express"),
        );
        check(
            framework,
            ("x-aspnet-version", "4.0.30319"),
            Some("x-aspnet-version: 4.0.30319"),
        );
        check(framework, ("x-powered-by", " "), None);
        check(framework, ("x-request-id", "abc"), None);
    }
}
