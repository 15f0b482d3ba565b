//! The checks themselves, each a small function from a response to what it shows.
//!
//! Passive checks ([`passive`]) look at any GET response the crawl or a probe brought
//! back. Probe checks (`probes`) judge the answers to requests made for them: exposed
//! files, backup copies, TRACE.

mod cookies;
pub(crate) mod cors;
mod disclosure;
mod errors;
mod headers;
mod listing;
mod mixed;
pub(crate) mod probes;

use crate::html::Tag;
use crate::report::Observation;
use crate::response::{Method, Response};

type Passive = fn(&Response) -> Vec<Observation>;

/// Every passive check, in catalogue order.
const PASSIVE: &[Passive] = &[
    headers::csp,
    headers::hsts,
    headers::nosniff,
    headers::frame,
    headers::referrer,
    cookies::cookies,
    disclosure::server,
    disclosure::framework,
    cors::cors,
    listing::listing,
    errors::errors,
];

/// What the passive checks see in `response`, whose HTML start tags are `tags` (none for
/// a body that is not HTML). Only GET responses are judged: the TRACE echo is the TRACE
/// check's business.
pub(crate) fn passive(response: &Response, tags: &[Tag]) -> Vec<Observation> {
    if response.method != Method::Get {
        return Vec::new();
    }
    let mut found: Vec<Observation> = PASSIVE.iter().flat_map(|check| check(response)).collect();
    found.extend(mixed::mixed_content(response, tags));
    found.extend(mixed::form_actions(response, tags));
    found
}

/// Whether the status is 2xx.
fn success(response: &Response) -> bool {
    (200..300).contains(&response.status)
}

/// The lines of `text` with leading whitespace and HTML tags stripped, so `<br>  at x`
/// reads as `at x`.
fn plain_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|line| {
        let mut line = line.trim_start();
        while let Some(rest) = line.strip_prefix('<') {
            match rest.find('>') {
                Some(end) => line = rest[end + 1..].trim_start(),
                None => break,
            }
        }
        line
    })
}

/// The CSP policies a response enforces: every Content-Security-Policy header, split at
/// commas (a comma separates policies). Report-only policies enforce nothing.
fn csp_policies(response: &Response) -> Vec<&str> {
    response
        .headers_named("content-security-policy")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// The tokens of `directive` in `policy` (lowercase name), or `None` without it. The first
/// occurrence of a directive counts, as in browsers.
fn csp_directive<'a>(policy: &'a str, directive: &str) -> Option<Vec<&'a str>> {
    policy.split(';').find_map(|d| {
        let mut tokens = d.split_ascii_whitespace();
        let name = tokens.next()?;
        name.eq_ignore_ascii_case(directive)
            .then(|| tokens.collect())
    })
}

/// `text` without HTML tags, whitespace runs made one space.
fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // A tag before punctuation (`<b>Fatal error</b>:`) leaves no space before it.
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :", ":")
        .replace(" ,", ",")
}
