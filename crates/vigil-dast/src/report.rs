//! What a scan found and did: findings deduplicated per check and site or URL, and the
//! record of the crawl.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::OffsetDateTime;

use crate::catalog::{Check, Scope, checks};

/// One problem, found on one or more responses.
///
/// A check about the whole site (a missing header, a cookie flag) gives one finding per
/// site and header or cookie name, however many pages show it: [`Finding::count`] says
/// how many did and [`Finding::pages`] lists the first of them. A check about one URL
/// gives one finding per URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check that found it.
    pub check: &'static Check,
    /// For a site-wide check, the site's root (`https://example.com/`); otherwise the URL
    /// where it was found. Together with the check id and `param` it identifies the
    /// finding across scans.
    pub url: String,
    /// The header or cookie concerned, where there is one (`x-powered-by`, `session`).
    pub param: Option<String>,
    /// What was seen, short: a header's value, the line of a stack trace, the names in an
    /// exposed `.env` (never their values).
    pub evidence: String,
    /// How many distinct pages showed it.
    pub count: usize,
    /// The first pages that showed it, up to
    /// [`Limits::max_pages_per_finding`](crate::Limits::max_pages_per_finding).
    pub pages: Vec<String>,
}

/// A form seen on a page. Forms are recorded, never submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Form {
    /// The page the form is on.
    pub page: String,
    /// Where it would submit, resolved against the page.
    pub action: String,
    /// Its method, lowercase (`get` when not given).
    pub method: String,
}

/// Why a URL the crawl came across was not fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// robots.txt disallows it.
    Robots,
    /// Another scheme, host or port (a link or a redirect).
    OffOrigin,
    /// Deeper than `max_depth`.
    Depth,
    /// Longer than `max_url_len`, or not a URL.
    BadUrl,
    /// The queue was full, or `max_requests` was reached before its turn.
    Limit,
}

/// A URL the crawl did not fetch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The URL (cut to the URL limit).
    pub url: String,
    /// Why.
    pub reason: SkipReason,
}

/// The result of one scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The base URL scanned, normalized.
    pub target: String,
    /// When the scan started (system clock).
    #[serde(with = "time::serde::rfc3339")]
    pub started: OffsetDateTime,
    /// When it finished.
    #[serde(with = "time::serde::rfc3339")]
    pub finished: OffsetDateTime,
    /// Requests sent, of every kind.
    pub requests: u32,
    /// The URLs fetched, in order, each once (TRACE's second request to the base URL is
    /// not listed again).
    pub pages: Vec<String>,
    /// Forms seen (not submitted), the first
    /// [`Limits::max_report_entries`](crate::Limits::max_report_entries).
    pub forms: Vec<Form>,
    /// URLs found and not fetched, the first `max_report_entries`.
    pub skipped: Vec<Skipped>,
    /// How many URLs were skipped in all.
    pub skipped_total: usize,
    /// Requests that got no response (timeouts, refused connections), the first
    /// `max_report_entries`. The scan goes on without them.
    pub errors: Vec<String>,
    /// Whether `max_requests` stopped the scan before it had done everything.
    pub limit_reached: bool,
    /// What was found, most severe first.
    pub findings: Vec<Finding>,
}

/// A check's verdict on one response, before deduplication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Observation {
    pub(crate) check: &'static Check,
    pub(crate) url: String,
    pub(crate) param: Option<String>,
    pub(crate) evidence: String,
}

impl Observation {
    pub(crate) fn new(check: &'static Check, url: &str, evidence: impl Into<String>) -> Self {
        Observation {
            check,
            url: url.to_owned(),
            param: None,
            evidence: evidence.into(),
        }
    }

    pub(crate) fn param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }
}

/// Gathers observations into findings, one per check, site-or-URL and parameter.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    by_key: BTreeMap<(&'static str, String, Option<String>), Entry>,
}

#[derive(Debug)]
struct Entry {
    finding: Finding,
    seen: BTreeSet<String>,
}

impl Findings {
    pub(crate) fn add(&mut self, observation: Observation, max_pages: usize, max_evidence: usize) {
        let Observation {
            check,
            url,
            param,
            evidence,
        } = observation;
        let key_url = match check.scope {
            Scope::Site => site_root(&url),
            Scope::Page => url.clone(),
        };
        let entry = self
            .by_key
            .entry((check.id, key_url.clone(), param.clone()))
            .or_insert_with(|| Entry {
                finding: Finding {
                    check,
                    url: key_url,
                    param,
                    evidence: bounded(&evidence, max_evidence),
                    count: 0,
                    pages: Vec::new(),
                },
                seen: BTreeSet::new(),
            });
        if entry.seen.insert(url.clone()) {
            entry.finding.count += 1;
            if entry.finding.pages.len() < max_pages {
                entry.finding.pages.push(url);
            }
        }
    }

    /// The findings, most severe first, then in catalogue order, then by URL.
    pub(crate) fn into_sorted(self) -> Vec<Finding> {
        let position = |check: &Check| checks().iter().position(|c| c.id == check.id);
        let mut findings: Vec<Finding> = self.by_key.into_values().map(|e| e.finding).collect();
        findings.sort_by(|a, b| {
            b.check
                .severity
                .cmp(&a.check.severity)
                .then_with(|| position(a.check).cmp(&position(b.check)))
                .then_with(|| a.url.cmp(&b.url))
                .then_with(|| a.param.cmp(&b.param))
        });
        findings
    }
}

/// `scheme://host[:port]/` of `url`, or `url` itself when it does not parse.
pub(crate) fn site_root(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}/", u.origin().ascii_serialization()),
        Err(_) => url.to_owned(),
    }
}

/// `text` on one line, cut to `max` characters with `…` marking the cut.
pub(crate) fn bounded(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CSP_MISSING, EXPOSED_ENV};

    #[test]
    fn site_wide_observations_become_one_finding_listing_pages() {
        let mut findings = Findings::default();
        for i in 0..50 {
            let url = format!("https://example.com/page/{i}");
            findings.add(Observation::new(&CSP_MISSING, &url, "no header"), 3, 100);
        }
        // The same page again does not count twice.
        findings.add(
            Observation::new(&CSP_MISSING, "https://example.com/page/0", "no header"),
            3,
            100,
        );
        let findings = findings.into_sorted();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].url, "https://example.com/");
        assert_eq!(findings[0].count, 50);
        assert_eq!(
            findings[0].pages,
            [
                "https://example.com/page/0",
                "https://example.com/page/1",
                "https://example.com/page/2"
            ]
        );
    }

    #[test]
    fn page_observations_stay_per_url() {
        let mut findings = Findings::default();
        findings.add(Observation::new(&EXPOSED_ENV, "http://h/.env", "A"), 3, 100);
        findings.add(
            Observation::new(&EXPOSED_ENV, "http://h/app/.env", "A"),
            3,
            100,
        );
        findings.add(Observation::new(&CSP_MISSING, "http://h/", "x"), 3, 100);
        let ids: Vec<(&str, String)> = findings
            .into_sorted()
            .into_iter()
            .map(|f| (f.check.id, f.url))
            .collect();
        assert_eq!(
            ids,
            [
                ("exposed-env", "http://h/.env".to_owned()),
                ("exposed-env", "http://h/app/.env".to_owned()),
                ("csp-missing", "http://h/".to_owned()),
            ]
        );
    }

    #[test]
    fn evidence_is_one_bounded_line() {
        assert_eq!(bounded("a\n  b\tc", 10), "a b c");
        assert_eq!(bounded("abcdefghij", 5), "abcd…");
    }
}
