#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]
//! The HTTPS-only checks (HSTS, Secure cookies, mixed content, insecure form actions) on
//! recorded HTTPS exchanges: the test servers speak plain HTTP, and these checks need
//! only the response, not a TLS handshake.

use std::collections::BTreeSet;

use vigil_dast::{Limits, Response, passive_findings};

/// The check ids the passive checks find on `responses`.
fn check(responses: &[Response], expect: &[&str]) {
    let found: BTreeSet<&str> = passive_findings(responses, &Limits::default())
        .iter()
        .map(|f| f.check.id)
        .collect();
    assert_eq!(found, expect.iter().copied().collect::<BTreeSet<_>>());
}

/// An HTTPS HTML page with every header a page should have but HSTS.
fn page(url: &str, body: &str) -> Response {
    Response::get(url, 200)
        .with_header("content-type", "text/html; charset=utf-8")
        .with_header(
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        )
        .with_header("x-content-type-options", "nosniff")
        .with_header("referrer-policy", "no-referrer")
        .with_body(body)
}

#[test]
fn weak_https_pages() {
    let body = include_str!("fixtures/https-weak.html");
    let home = page("https://shop.example/", body)
        .with_header("set-cookie", "session=abc; Path=/; HttpOnly; SameSite=Lax");
    check(
        &[home],
        &[
            "hsts-missing",
            "cookie-no-secure",
            "mixed-content",
            "form-action-insecure",
        ],
    );
}

#[test]
fn well_configured_https_page() {
    let body = r#"<script src="/app.js"></script><img src="https://cdn.example/a.png">
        <form action="/search"></form><a href="http://elsewhere.example/">a link</a>"#;
    let home = page("https://shop.example/", body)
        .with_header(
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        )
        .with_header(
            "set-cookie",
            "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict",
        );
    check(&[home], &[]);
}

#[test]
fn hsts_too_short_is_one_finding_for_the_site() {
    let pages: Vec<Response> = (0..30)
        .map(|i| {
            page(&format!("https://shop.example/p/{i}"), "<p>x</p>")
                .with_header("strict-transport-security", "max-age=86400")
        })
        .collect();
    let findings = passive_findings(&pages, &Limits::default());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].check.id, "hsts-missing");
    assert_eq!(findings[0].url, "https://shop.example/");
    assert_eq!(findings[0].count, 30);
    assert_eq!(
        findings[0].pages.len(),
        Limits::default().max_pages_per_finding
    );
    assert_eq!(
        findings[0].evidence,
        "max-age=86400, under 180 days (15552000)"
    );
}
