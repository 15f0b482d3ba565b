//! One scan: robots.txt, the base page, the probes, a breadth-first crawl of the origin,
//! then backup copies of the files it found.
//!
//! Every request goes through [`Scanner::fetch`], which enforces robots.txt and the request
//! budget, so no probe can bypass either.

use std::collections::{BTreeSet, VecDeque};

use time::OffsetDateTime;
use url::Url;

use crate::Error;
use crate::checks;
use crate::checks::cors::PROBE_ORIGIN;
use crate::checks::probes::{self, Baseline, EXPOSED, NOT_FOUND_PATH, TRACE_HEADER};
use crate::client::{Client, SendError};
use crate::config::{Limits, ScanConfig};
use crate::html::{self, Tag};
use crate::report::{Findings, Form, Observation, Report, SkipReason, Skipped};
use crate::response::{Method, Response};
use crate::robots::Robots;

/// The query added to the base URL to provoke an error page.
const ERROR_QUERY: &str = "vigil_dast=%27%22%3C%3E%25";

/// Redirects of robots.txt followed on the origin (RFC 9309 asks for at least five).
const ROBOTS_REDIRECTS: usize = 5;

/// Scans the site at `config.url`: crawls it within the configured limits, runs every
/// check, and returns what it found and what it did.
///
/// Sends only GET requests, and one TRACE to the base URL when `config.probes` is on;
/// never a request that changes state, and no form is submitted. Blocks until done: at
/// most `max_requests` requests, paced at `requests_per_second`, each within `timeout`.
///
/// # Errors
///
/// [`Error::InvalidUrl`] or [`Error::InvalidConfig`] for settings it refuses, and
/// [`Error::Unreachable`] when the site gives no HTTP response at all (robots.txt or the
/// base URL): a scan that checked nothing never looks clean. Failures of later requests
/// are listed in [`Report::errors`].
pub fn scan(config: &ScanConfig) -> Result<Report, Error> {
    config.validate()?;
    let base = target(&config.url)?;
    let started = OffsetDateTime::now_utc();
    let mut scanner = Scanner::new(config, base);
    scanner.run()?;
    Ok(scanner.finish(started))
}

/// The base URL, checked: http or https, a host, no credentials; the fragment dropped.
fn target(url: &str) -> Result<Url, Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let mut parsed = Url::parse(url.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("only http:// and https:// URLs can be scanned"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "credentials in the URL are not sent; scan a URL without them",
        ));
    }
    parsed.set_fragment(None);
    Ok(parsed)
}

struct Scanner<'a> {
    config: &'a ScanConfig,
    limits: &'a Limits,
    base: Url,
    client: Client,
    robots: Robots,
    findings: Findings,
    pages: Vec<String>,
    /// The URLs in `pages`.
    fetched: BTreeSet<String>,
    /// How the site answers for a missing page, once the probes have asked.
    baseline: Option<Baseline>,
    /// Every URL queued or fetched by the crawl, so each is fetched once.
    seen: BTreeSet<String>,
    queue: VecDeque<(Url, u32)>,
    forms: Vec<Form>,
    skipped: Vec<Skipped>,
    skipped_total: usize,
    errors: Vec<String>,
    limit_reached: bool,
    /// Paths of crawled files whose backup copies are probed (see `backup_worthy`).
    backup_sources: Vec<String>,
}

impl<'a> Scanner<'a> {
    fn new(config: &'a ScanConfig, base: Url) -> Scanner<'a> {
        Scanner {
            config,
            limits: &config.limits,
            base,
            client: Client::new(config),
            robots: Robots::allow_all(),
            findings: Findings::default(),
            pages: Vec::new(),
            fetched: BTreeSet::new(),
            baseline: None,
            seen: BTreeSet::new(),
            queue: VecDeque::new(),
            forms: Vec::new(),
            skipped: Vec::new(),
            skipped_total: 0,
            errors: Vec::new(),
            limit_reached: false,
            backup_sources: Vec::new(),
        }
    }

    fn run(&mut self) -> Result<(), Error> {
        if self.config.respect_robots {
            self.robots = self.read_robots()?;
        }
        let base = self.base.clone();
        self.seen.insert(base.to_string());
        let origin = [("origin", PROBE_ORIGIN)];
        let headers: &[(&str, &str)] = if self.config.probes { &origin } else { &[] };
        match self.client_send(Method::Get, &base, headers) {
            Ok(Some(response)) => self.process(&response, 0),
            Ok(None) => {}
            Err(reason) => {
                return Err(Error::Unreachable {
                    url: base.to_string(),
                    reason,
                });
            }
        }
        if self.config.probes {
            self.probe();
        }
        self.crawl();
        if self.config.probes {
            self.probe_backups();
        }
        Ok(())
    }

    fn finish(self, started: OffsetDateTime) -> Report {
        Report {
            target: self.base.to_string(),
            started,
            finished: OffsetDateTime::now_utc(),
            requests: self.client.sent(),
            pages: self.pages,
            forms: self.forms,
            skipped: self.skipped,
            skipped_total: self.skipped_total,
            errors: self.errors,
            limit_reached: self.limit_reached,
            findings: self.findings.into_sorted(),
        }
    }

    /// robots.txt, following redirects on the origin. 4xx (and redirects elsewhere) mean
    /// no rules; 5xx means everything is disallowed (RFC 9309 section 2.3.1).
    fn read_robots(&mut self) -> Result<Robots, Error> {
        let mut url = self
            .base
            .join("/robots.txt")
            .map_err(|e| Error::InvalidUrl {
                url: self.base.to_string(),
                reason: e.to_string(),
            })?;
        for _ in 0..=ROBOTS_REDIRECTS {
            let response = match self.client.send(Method::Get, url.as_str(), &[]) {
                Ok(r) => r,
                Err(SendError::Budget) => {
                    self.limit_reached = true;
                    return Ok(Robots::allow_all());
                }
                Err(SendError::Transport(reason)) => {
                    return Err(Error::Unreachable {
                        url: url.to_string(),
                        reason,
                    });
                }
            };
            self.record_page(&response);
            match response.status {
                200..=299 => {
                    let len = usize::try_from(self.limits.max_robots_bytes).unwrap_or(usize::MAX);
                    let body = response.body.get(..len).unwrap_or(&response.body);
                    return Ok(Robots::parse(
                        &String::from_utf8_lossy(body),
                        &self.config.robots_token(),
                    ));
                }
                300..=399 => {
                    let next = response
                        .header("location")
                        .and_then(|l| url.join(l).ok())
                        .filter(|n| n.origin() == self.base.origin());
                    match next {
                        Some(next) => url = next,
                        None => return Ok(Robots::allow_all()),
                    }
                }
                500..=599 => return Ok(Robots::disallow_all()),
                _ => return Ok(Robots::allow_all()),
            }
        }
        Ok(Robots::allow_all())
    }

    /// The requests beyond the crawl: the not-found baseline, TRACE, exposed files and a
    /// query that may provoke an error page.
    fn probe(&mut self) {
        let base = self.base.clone();
        let mut not_found = base.clone();
        not_found.set_path(NOT_FOUND_PATH);
        not_found.set_query(None);
        // Without a baseline a 200 cannot be told from a soft 404: no file probes then.
        let response = self.fetch(Method::Get, &not_found, &[]);
        if let Some(response) = &response {
            self.judge(response);
        }
        self.baseline = response.map(|r| Baseline::learn(&r, NOT_FOUND_PATH));
        if let Some(response) = self.fetch(Method::Trace, &base, &[TRACE_HEADER]) {
            self.observe(probes::trace(&response));
        }
        if let Some(baseline) = self.baseline.clone() {
            self.probe_files(&baseline);
        }
        let mut odd = base;
        odd.set_query(Some(ERROR_QUERY));
        if let Some(response) = self.fetch(Method::Get, &odd, &[]) {
            self.judge(&response);
        }
    }

    /// Exposed files at the root, and beside the base URL when it is deeper.
    fn probe_files(&mut self, baseline: &Baseline) {
        let mut dirs: BTreeSet<Url> = BTreeSet::new();
        dirs.extend(self.base.join("/").ok());
        dirs.extend(self.base.join("./").ok());
        for dir in &dirs {
            for exposed in EXPOSED {
                let Ok(url) = dir.join(exposed.path) else {
                    continue;
                };
                if let Some(response) = self.fetch(Method::Get, &url, &[]) {
                    self.observe(exposed.judge(&response, url.path(), baseline));
                    self.judge(&response);
                }
            }
        }
    }

    /// Breadth-first over the queue until it is empty or the budget is spent.
    fn crawl(&mut self) {
        while let Some((url, depth)) = self.queue.pop_front() {
            if !self.client.has_budget() {
                self.limit_reached = true;
                self.skip(&url, SkipReason::Limit);
                let rest: Vec<Url> = self.queue.drain(..).map(|(u, _)| u).collect();
                for url in rest {
                    self.skip(&url, SkipReason::Limit);
                }
                return;
            }
            if let Some(response) = self.fetch(Method::Get, &url, &[]) {
                self.process(&response, depth);
            }
        }
    }

    /// Backup copies of the files the crawl found, judged against the baseline.
    fn probe_backups(&mut self) {
        let Some(baseline) = self.baseline.clone() else {
            return;
        };
        let sources = std::mem::take(&mut self.backup_sources);
        for source in sources {
            for path in probes::backup_paths(&source) {
                // Set, not joined: a path starting `//` must not become a host.
                let mut url = self.base.clone();
                url.set_path(&path);
                url.set_query(None);
                if let Some(response) = self.fetch(Method::Get, &url, &[]) {
                    self.observe(probes::backup(&response, url.path(), &baseline));
                    self.judge(&response);
                }
            }
        }
    }

    /// Runs the passive checks on a response and queues its links at `depth + 1`.
    fn process(&mut self, response: &Response, depth: u32) {
        let tags = if response.is_html() {
            html::tags(&response.text(), self.limits.max_tags_per_page)
        } else {
            Vec::new()
        };
        for observation in checks::passive(response, &tags) {
            self.add(observation);
        }
        let Ok(page) = Url::parse(&response.url) else {
            return;
        };
        if response.status == 200
            && self.backup_sources.len() < self.limits.max_backup_files
            && probes::backup_worthy(page.path())
            && !self.backup_sources.iter().any(|p| p == page.path())
        {
            self.backup_sources.push(page.path().to_owned());
        }
        // A redirect on the origin is followed as the same page, not a deeper one.
        if (300..400).contains(&response.status)
            && let Some(location) = response.header("location")
        {
            self.enqueue(&page, location, depth);
        }
        self.links(&page, &tags, depth);
    }

    fn links(&mut self, page: &Url, tags: &[Tag], depth: u32) {
        let base = tags
            .iter()
            .find(|t| t.name == "base")
            .and_then(|t| t.attr("href"))
            .and_then(|href| page.join(href).ok())
            .unwrap_or_else(|| page.clone());
        let mut taken = 0;
        for tag in tags {
            if taken >= self.limits.max_links_per_page {
                break;
            }
            let href = match tag.name.as_str() {
                "a" | "area" | "link" => tag.attr("href"),
                "script" | "img" | "iframe" | "frame" => tag.attr("src"),
                "form" => {
                    self.form(&base, page, tag);
                    None
                }
                _ => None,
            };
            if let Some(href) = href {
                taken += 1;
                self.enqueue(&base, href, depth + 1);
            }
        }
    }

    fn form(&mut self, base: &Url, page: &Url, tag: &Tag) {
        if self.forms.len() >= self.limits.max_report_entries {
            return;
        }
        let action = tag
            .attr("action")
            .filter(|a| !a.trim().is_empty())
            .and_then(|a| base.join(a).ok())
            .unwrap_or_else(|| page.clone());
        self.forms.push(Form {
            page: page.to_string(),
            action: action.to_string(),
            method: tag
                .attr("method")
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(|| "get".to_owned()),
        });
    }

    /// Queues `href` (resolved against `base`) at `depth`, or records why not.
    fn enqueue(&mut self, base: &Url, href: &str, depth: u32) {
        let Ok(mut url) = base.join(href) else {
            return;
        };
        // mailto:, javascript:, data: and the like are not pages.
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        url.set_fragment(None);
        let key = url.to_string();
        if self.seen.contains(&key) {
            return;
        }
        let reason = if url.origin() != self.base.origin() {
            Some(SkipReason::OffOrigin)
        } else if key.len() > self.limits.max_url_len {
            Some(SkipReason::BadUrl)
        } else if depth > self.config.max_depth {
            Some(SkipReason::Depth)
        } else if self.queue.len() >= self.limits.max_queue {
            Some(SkipReason::Limit)
        } else {
            None
        };
        self.seen.insert(key);
        match reason {
            Some(reason) => self.skip(&url, reason),
            None => self.queue.push_back((url, depth)),
        }
    }

    /// Sends a request unless it is off the origin, or robots.txt or the budget forbids it. `None` when it was not
    /// sent or got no response (recorded either way).
    fn fetch(&mut self, method: Method, url: &Url, headers: &[(&str, &str)]) -> Option<Response> {
        match self.client_send(method, url, headers) {
            Ok(response) => response,
            Err(reason) => {
                if self.errors.len() < self.limits.max_report_entries {
                    self.errors
                        .push(format!("{} {url}: {reason}", method.as_str()));
                }
                None
            }
        }
    }

    /// `Ok(None)` when robots.txt or the budget stopped the request, `Err` when it got no
    /// response.
    fn client_send(
        &mut self,
        method: Method,
        url: &Url,
        headers: &[(&str, &str)],
    ) -> Result<Option<Response>, String> {
        // Every request passes here, so this is what keeps the scan on the origin, whatever
        // a page, a redirect or a crafted path (`//other.host/`) led to.
        if url.origin() != self.base.origin() {
            self.skip(url, SkipReason::OffOrigin);
            return Ok(None);
        }
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        if !self.robots.allowed(&path) {
            self.skip(url, SkipReason::Robots);
            return Ok(None);
        }
        match self.client.send(method, url.as_str(), headers) {
            Ok(response) => {
                self.record_page(&response);
                Ok(Some(response))
            }
            Err(SendError::Budget) => {
                self.limit_reached = true;
                self.skip(url, SkipReason::Limit);
                Ok(None)
            }
            Err(SendError::Transport(reason)) => Err(reason),
        }
    }

    fn record_page(&mut self, response: &Response) {
        if self.fetched.insert(response.url.clone()) {
            self.pages.push(response.url.clone());
        }
    }

    fn skip(&mut self, url: &Url, reason: SkipReason) {
        self.skipped_total += 1;
        if self.skipped.len() < self.limits.max_report_entries {
            self.skipped.push(Skipped {
                url: url.as_str().chars().take(self.limits.max_url_len).collect(),
                reason,
            });
        }
    }

    /// Runs the passive checks on a probe's response (its links are not followed).
    fn judge(&mut self, response: &Response) {
        let tags = if response.is_html() {
            html::tags(&response.text(), self.limits.max_tags_per_page)
        } else {
            Vec::new()
        };
        for observation in checks::passive(response, &tags) {
            self.add(observation);
        }
    }

    fn observe(&mut self, observation: Option<Observation>) {
        if let Some(o) = observation {
            self.add(o);
        }
    }

    fn add(&mut self, observation: Observation) {
        self.findings.add(
            observation,
            self.limits.max_pages_per_finding,
            self.limits.max_evidence_chars,
        );
    }
}
