//! A passive DAST baseline scanner, in the spirit of ZAP's baseline scan: it crawls a
//! running web application within strict bounds and checks what comes back (security
//! headers, cookie flags, version disclosure, CORS, directory listings, exposed files,
//! TRACE, stack traces and debug pages, mixed content).
//!
//! [`scan`] runs a scan and returns a [`Report`] whose [`Finding`]s each name a [`Check`]
//! from the catalogue ([`checks`]) with its id, CWE, severity and fix. The crawl stays on
//! the base URL's origin, honours robots.txt, stops at a depth and a request budget, and
//! is paced. It sends GET requests, and one TRACE to the base URL; nothing that changes
//! state, and forms are recorded, never submitted. `docs/dast.md` describes every check.
//!
//! Checks can also be run on responses recorded elsewhere ([`passive_findings`]).
//!
//! ```
//! let response = vigil_dast::Response::get("https://shop.example/", 200)
//!     .with_header("content-type", "text/html")
//!     .with_header("server", "Apache/2.4.41 (Ubuntu)");
//! let findings = vigil_dast::passive_findings(&[response], &vigil_dast::Limits::default());
//! assert!(findings.iter().any(|f| f.check.id == "server-version"));
//! assert!(findings.iter().any(|f| f.check.id == "hsts-missing"));
//! ```

mod catalog;
mod checks;
mod client;
mod config;
mod error;
pub mod html;
mod report;
mod response;
pub mod robots;
mod scan;

pub use catalog::{Check, Scope, Severity, check, checks};
pub use config::{DEFAULT_USER_AGENT, Limits, ScanConfig};
pub use error::Error;
pub use report::{Finding, Form, Report, SkipReason, Skipped};
pub use response::{Method, Response};
pub use scan::scan;

/// The passive checks' findings on `responses` (recorded GET responses; others are
/// ignored), deduplicated as a scan does. Probe-only checks (exposed files, backups,
/// TRACE) need the scanner's own requests and are not run.
pub fn passive_findings(responses: &[Response], limits: &Limits) -> Vec<Finding> {
    let mut findings = report::Findings::default();
    for response in responses {
        let tags = if response.is_html() {
            html::tags(&response.text(), limits.max_tags_per_page)
        } else {
            Vec::new()
        };
        for observation in checks::passive(response, &tags) {
            findings.add(
                observation,
                limits.max_pages_per_finding,
                limits.max_evidence_chars,
            );
        }
    }
    findings.into_sorted()
}
