//! Security response headers: CSP, HSTS, X-Content-Type-Options, frame protection and
//! Referrer-Policy. Page-shaping headers are judged on successful HTML responses only;
//! an image needs no CSP.

use super::{csp_directive, csp_policies, success};
use crate::catalog::{
    CSP_MISSING, CSP_UNSAFE, FRAME, HSTS, NOSNIFF, REFERRER_MISSING, REFERRER_UNSAFE,
};
use crate::report::Observation;
use crate::response::Response;

/// The shortest HSTS max-age accepted: 180 days, the floor of common guidance (a year is
/// better; HSTS preload lists require one).
pub(crate) const MIN_HSTS_MAX_AGE: u64 = 180 * 24 * 60 * 60;

fn html_page(response: &Response) -> bool {
    success(response) && response.is_html()
}

/// CSP missing, or every enforced policy leaves scripts open.
pub(crate) fn csp(response: &Response) -> Vec<Observation> {
    if !html_page(response) {
        return Vec::new();
    }
    let policies = csp_policies(response);
    if policies.is_empty() {
        let evidence = if response
            .header("content-security-policy-report-only")
            .is_some()
        {
            "only Content-Security-Policy-Report-Only, which enforces nothing"
        } else {
            "no Content-Security-Policy header"
        };
        return vec![Observation::new(&CSP_MISSING, &response.url, evidence)];
    }
    // A script must pass every policy, so one strict policy is enough.
    let mut weaknesses = Vec::new();
    for policy in &policies {
        match script_weakness(policy) {
            Some(w) => weaknesses.push(w),
            None => return Vec::new(),
        }
    }
    vec![Observation::new(
        &CSP_UNSAFE,
        &response.url,
        weaknesses.join(" | "),
    )]
}

/// What leaves scripts open in one policy, or `None` when scripts are restricted.
fn script_weakness(policy: &str) -> Option<String> {
    let (name, tokens) = match csp_directive(policy, "script-src") {
        Some(t) => ("script-src", t),
        None => match csp_directive(policy, "default-src") {
            Some(t) => ("default-src", t),
            None => return Some("no script-src or default-src".to_owned()),
        },
    };
    let lower: Vec<String> = tokens.iter().map(|t| t.to_ascii_lowercase()).collect();
    let has = |t: &str| lower.iter().any(|x| x == t);
    let nonce_or_hash = lower.iter().any(|t| {
        ["'nonce-", "'sha256-", "'sha384-", "'sha512-"]
            .iter()
            .any(|p| t.starts_with(p))
    });
    // With 'strict-dynamic', browsers ignore host and scheme sources and 'unsafe-inline'.
    let strict_dynamic = has("'strict-dynamic'");
    let mut weak: Vec<&str> = Vec::new();
    if has("'unsafe-inline'") && !nonce_or_hash && !strict_dynamic {
        weak.push("'unsafe-inline'");
    }
    if has("'unsafe-eval'") {
        weak.push("'unsafe-eval'");
    }
    if !strict_dynamic {
        for source in &lower {
            if matches!(
                source.as_str(),
                "*" | "http:" | "https:" | "data:" | "blob:" | "http://*" | "https://*"
            ) {
                weak.push(source);
            }
        }
    }
    if weak.is_empty() {
        None
    } else {
        Some(format!("{name} {}", weak.join(" ")))
    }
}

/// HSTS missing or shorter than [`MIN_HSTS_MAX_AGE`] on an HTTPS response.
pub(crate) fn hsts(response: &Response) -> Vec<Observation> {
    if !response.is_https() || !(200..400).contains(&response.status) {
        return Vec::new();
    }
    let evidence = match response.header("strict-transport-security") {
        None => "no Strict-Transport-Security header".to_owned(),
        Some(value) => match max_age(value) {
            Some(age) if age >= MIN_HSTS_MAX_AGE => return Vec::new(),
            Some(age) => format!("max-age={age}, under 180 days ({MIN_HSTS_MAX_AGE})"),
            None => format!("Strict-Transport-Security: {value} (no valid max-age)"),
        },
    };
    vec![Observation::new(&HSTS, &response.url, evidence)]
}

fn max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|directive| {
        let (name, v) = directive.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

/// X-Content-Type-Options other than `nosniff` on a successful response.
pub(crate) fn nosniff(response: &Response) -> Vec<Observation> {
    if !success(response) {
        return Vec::new();
    }
    let evidence = match response.header("x-content-type-options") {
        Some(v) if v.trim().eq_ignore_ascii_case("nosniff") => return Vec::new(),
        Some(v) => format!("X-Content-Type-Options: {v}"),
        None => "no X-Content-Type-Options header".to_owned(),
    };
    vec![Observation::new(&NOSNIFF, &response.url, evidence)]
}

/// Neither X-Frame-Options DENY/SAMEORIGIN nor a CSP frame-ancestors on an HTML page.
pub(crate) fn frame(response: &Response) -> Vec<Observation> {
    if !html_page(response) {
        return Vec::new();
    }
    if csp_policies(response)
        .iter()
        .any(|p| csp_directive(p, "frame-ancestors").is_some())
    {
        return Vec::new();
    }
    let evidence = match response.header("x-frame-options") {
        Some(v)
            if v.trim().eq_ignore_ascii_case("deny")
                || v.trim().eq_ignore_ascii_case("sameorigin") =>
        {
            return Vec::new();
        }
        Some(v) => format!("X-Frame-Options: {v} (browsers ignore it) and no frame-ancestors"),
        None => "no X-Frame-Options and no CSP frame-ancestors".to_owned(),
    };
    vec![Observation::new(&FRAME, &response.url, evidence)]
}

const REFERRER_POLICIES: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// Referrer-Policy missing (or naming no policy), or `unsafe-url`, on an HTML page.
pub(crate) fn referrer(response: &Response) -> Vec<Observation> {
    if !html_page(response) {
        return Vec::new();
    }
    let values: Vec<&str> = response.headers_named("referrer-policy").collect();
    // Browsers take the last policy they know in the comma-separated list.
    let policy = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .rfind(|t| REFERRER_POLICIES.contains(&t.as_str()));
    match policy.as_deref() {
        Some("unsafe-url") => vec![Observation::new(
            &REFERRER_UNSAFE,
            &response.url,
            "Referrer-Policy: unsafe-url",
        )],
        Some(_) => Vec::new(),
        None if values.is_empty() => vec![Observation::new(
            &REFERRER_MISSING,
            &response.url,
            "no Referrer-Policy header",
        )],
        None => vec![Observation::new(
            &REFERRER_MISSING,
            &response.url,
            format!("Referrer-Policy: {} names no policy", values.join(", ")),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, headers: &[(&str, &str)]) -> Response {
        let mut r = Response::get(url, 200).with_header("content-type", "text/html; charset=utf-8");
        for (n, v) in headers {
            r = r.with_header(n, v);
        }
        r
    }

    /// The ids and evidence `check` gives for a page with `headers`.
    fn check(
        f: fn(&Response) -> Vec<Observation>,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Vec<(&'static str, String)> {
        f(&page(url, headers))
            .into_iter()
            .map(|o| (o.check.id, o.evidence))
            .collect()
    }

    fn ids(found: Vec<(&'static str, String)>) -> Vec<&'static str> {
        found.into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn csp_missing_and_report_only() {
        assert_eq!(ids(check(csp, "http://h/", &[])), ["csp-missing"]);
        let found = check(
            csp,
            "http://h/",
            &[("content-security-policy-report-only", "default-src 'self'")],
        );
        assert_eq!(
            found[0].1,
            "only Content-Security-Policy-Report-Only, which enforces nothing"
        );
    }

    #[test]
    fn csp_weak_script_sources() {
        let weak = |policy: &str| check(csp, "http://h/", &[("content-security-policy", policy)]);
        assert_eq!(weak("default-src 'self'"), []);
        assert_eq!(weak("script-src 'self' 'nonce-abc' 'unsafe-inline'"), []);
        assert_eq!(
            weak("script-src 'strict-dynamic' 'nonce-abc' https: 'unsafe-inline'"),
            []
        );
        assert_eq!(
            weak("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'"),
            [(
                "csp-unsafe",
                "script-src 'unsafe-inline' 'unsafe-eval'".to_owned()
            )]
        );
        assert_eq!(
            weak("default-src *"),
            [("csp-unsafe", "default-src *".to_owned())]
        );
        assert_eq!(
            weak("frame-ancestors 'none'"),
            [("csp-unsafe", "no script-src or default-src".to_owned())]
        );
        // Two policies: the strict one closes what the weak one leaves open.
        assert_eq!(weak("script-src *, script-src 'self'"), []);
    }

    #[test]
    fn csp_is_not_asked_of_non_html_or_errors() {
        let image = Response::get("http://h/i.png", 200).with_header("content-type", "image/png");
        assert!(csp(&image).is_empty());
        let error = Response::get("http://h/x", 404).with_header("content-type", "text/html");
        assert!(csp(&error).is_empty());
    }

    #[test]
    fn hsts_only_on_https() {
        assert_eq!(check(hsts, "http://h/", &[]), []);
        assert_eq!(ids(check(hsts, "https://h/", &[])), ["hsts-missing"]);
        assert_eq!(
            check(
                hsts,
                "https://h/",
                &[("strict-transport-security", "max-age=300")]
            ),
            [(
                "hsts-missing",
                "max-age=300, under 180 days (15552000)".to_owned()
            )]
        );
        assert_eq!(
            check(
                hsts,
                "https://h/",
                &[(
                    "strict-transport-security",
                    "max-age=\"31536000\"; includeSubDomains"
                )]
            ),
            []
        );
        assert_eq!(
            ids(check(
                hsts,
                "https://h/",
                &[("strict-transport-security", "includeSubDomains")]
            )),
            ["hsts-missing"]
        );
    }

    #[test]
    fn nosniff_values() {
        assert_eq!(
            check(
                nosniff,
                "http://h/",
                &[("x-content-type-options", " NoSniff ")]
            ),
            []
        );
        assert_eq!(
            ids(check(
                nosniff,
                "http://h/",
                &[("x-content-type-options", "sniff")]
            )),
            ["content-type-options"]
        );
        assert_eq!(
            ids(check(nosniff, "http://h/", &[])),
            ["content-type-options"]
        );
    }

    #[test]
    fn frame_protection_by_either_header() {
        assert_eq!(
            check(frame, "http://h/", &[("x-frame-options", "DENY")]),
            []
        );
        assert_eq!(
            check(frame, "http://h/", &[("x-frame-options", "sameorigin")]),
            []
        );
        assert_eq!(
            check(
                frame,
                "http://h/",
                &[("content-security-policy", "frame-ancestors 'self'")]
            ),
            []
        );
        assert_eq!(
            ids(check(
                frame,
                "http://h/",
                &[("x-frame-options", "ALLOW-FROM https://a")]
            )),
            ["frame-protection"]
        );
        assert_eq!(ids(check(frame, "http://h/", &[])), ["frame-protection"]);
    }

    #[test]
    fn referrer_policy_last_known_token_wins() {
        assert_eq!(
            check(referrer, "http://h/", &[("referrer-policy", "no-referrer")]),
            []
        );
        assert_eq!(
            check(
                referrer,
                "http://h/",
                &[("referrer-policy", "unsafe-url, strict-origin")]
            ),
            []
        );
        assert_eq!(
            ids(check(
                referrer,
                "http://h/",
                &[("referrer-policy", "no-referrer, unsafe-url")]
            )),
            ["referrer-policy-unsafe"]
        );
        assert_eq!(
            ids(check(referrer, "http://h/", &[])),
            ["referrer-policy-missing"]
        );
        assert_eq!(
            ids(check(
                referrer,
                "http://h/",
                &[("referrer-policy", "bogus")]
            )),
            ["referrer-policy-missing"]
        );
    }
}
