//! What a scan may do: its target, how far and how fast it crawls, and the size limits on
//! everything it reads.

use std::time::Duration;

use crate::Error;

/// The User-Agent a scan sends unless told otherwise. Its first product token,
/// `vigil-dast`, is the name robots.txt groups are matched against.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "Vigil-DAST/",
    env!("CARGO_PKG_VERSION"),
    " (passive baseline scan)"
);

/// One scan's settings. [`ScanConfig::new`] gives the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanConfig {
    /// The base URL: the crawl starts here and stays on its origin (scheme, host, port).
    pub url: String,
    /// Links followed from the base URL, at most. Default 3: the base page is depth 0,
    /// the pages it links to depth 1, and so on.
    pub max_depth: u32,
    /// Requests sent in all (robots.txt, probes and pages alike). Default 200.
    pub max_requests: u32,
    /// Requests started per second, at most. Default 10.
    pub requests_per_second: u32,
    /// The longest one request may take, connecting and reading the body included.
    /// Default 10 seconds.
    pub timeout: Duration,
    /// Whether robots.txt is fetched and its Disallow rules for this scanner (or `*`)
    /// obeyed for every request. Default true.
    pub respect_robots: bool,
    /// The User-Agent header. Default [`DEFAULT_USER_AGENT`].
    pub user_agent: String,
    /// Whether the scan sends requests beyond the crawl: the Origin header on the base
    /// URL (CORS), the one TRACE, requests for exposed files and backup copies, and
    /// requests for pages that should not exist (error pages). Default true; false checks
    /// only what the crawl fetches.
    pub probes: bool,
    /// Size limits.
    pub limits: Limits,
}

impl ScanConfig {
    /// The defaults for a scan of `url`.
    pub fn new(url: impl Into<String>) -> ScanConfig {
        ScanConfig {
            url: url.into(),
            max_depth: 3,
            max_requests: 200,
            requests_per_second: 10,
            timeout: Duration::from_secs(10),
            respect_robots: true,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            probes: true,
            limits: Limits::default(),
        }
    }

    /// The product token robots.txt groups are matched against: the User-Agent up to its
    /// first `/` or space, in lowercase (`vigil-dast` by default).
    pub fn robots_token(&self) -> String {
        self.user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let invalid = |setting, reason: &str| {
            Err(Error::InvalidConfig {
                setting,
                reason: reason.to_owned(),
            })
        };
        if self.max_requests == 0 {
            return invalid("max_requests", "must be at least 1");
        }
        if self.requests_per_second == 0 {
            return invalid("requests_per_second", "must be at least 1");
        }
        if self.timeout.is_zero() {
            return invalid("timeout", "must be more than zero");
        }
        if self.user_agent.trim().is_empty()
            || self.user_agent.len() > 256
            || !self.user_agent.bytes().all(|b| (0x20..0x7f).contains(&b))
        {
            return invalid("user_agent", "must be 1 to 256 printable ASCII characters");
        }
        if self.limits.max_body_bytes == 0 {
            return invalid("limits.max_body_bytes", "must be at least 1");
        }
        if self.limits.max_url_len < 16 {
            return invalid("limits.max_url_len", "must be at least 16");
        }
        if self.url.len() > self.limits.max_url_len {
            return Err(Error::InvalidUrl {
                url: self.url.chars().take(80).collect(),
                reason: format!(
                    "{} bytes long, over limits.max_url_len ({})",
                    self.url.len(),
                    self.limits.max_url_len
                ),
            });
        }
        Ok(())
    }
}

/// The most the scanner reads or keeps of anything a server sends. Every field has a
/// default; a larger site needs none of them raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a response body read; the rest is not read and the response counts as
    /// truncated (checks see the first part). Default 1 MiB.
    pub max_body_bytes: u64,
    /// Bytes of robots.txt read (RFC 9309 asks for at least 500 KiB). Default 512 KiB.
    pub max_robots_bytes: u64,
    /// Length of a URL the crawler follows; longer links are skipped. Default 2,048.
    pub max_url_len: usize,
    /// Tags read from one HTML page. Default 20,000.
    pub max_tags_per_page: usize,
    /// Links taken from one page. Default 500.
    pub max_links_per_page: usize,
    /// URLs waiting to be fetched. Default 5,000.
    pub max_queue: usize,
    /// Characters of evidence kept per finding. Default 200.
    pub max_evidence_chars: usize,
    /// Pages listed on one finding (its count goes on). Default 20.
    pub max_pages_per_finding: usize,
    /// Crawled files whose backup copies are requested. Default 10.
    pub max_backup_files: usize,
    /// Forms, skipped URLs and errors kept in the report, each. Default 100.
    pub max_report_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            max_robots_bytes: 512 * 1024,
            max_url_len: 2048,
            max_tags_per_page: 20_000,
            max_links_per_page: 500,
            max_queue: 5_000,
            max_evidence_chars: 200,
            max_pages_per_finding: 20,
            max_backup_files: 10,
            max_report_entries: 100,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_token_is_the_first_product_token() {
        assert_eq!(ScanConfig::new("http://x/").robots_token(), "vigil-dast");
        let mut config = ScanConfig::new("http://x/");
        config.user_agent = "MyScanner 2.0".to_owned();
        assert_eq!(config.robots_token(), "myscanner");
    }

    #[test]
    fn zero_rate_is_refused() {
        let mut config = ScanConfig::new("http://x/");
        config.requests_per_second = 0;
        let err = config.validate().unwrap_err().to_string();
        assert_eq!(err, "scan setting requests_per_second: must be at least 1");
    }
}
