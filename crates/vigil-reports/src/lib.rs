//! Scanner reports read into one model, and Falco alerts.
//!
//! Teams already run scanners; Vigil imports what they find instead of asking them to
//! stop. [`parse`] reads a report of a [`Format`] into a [`Report`] of [`Item`]s:
//!
//! - SARIF 2.1.0 from any producer (Semgrep, CodeQL, …), ZAP's JSON report and Nikto's
//!   JSON output become [`Weakness`]es: a rule, a message, a [`Severity`], CWEs, a
//!   [`Location`] in a file or a web application, and a stable [`Fingerprint`];
//! - Trivy's and Grype's JSON reports become [`Vulnerability`]s: an advisory id with its
//!   aliases in a [`Package`] identified by purl and OSV ecosystem, with fixed
//!   versions, severity and CVSS, so that they merge with Vigil's own findings by
//!   advisory and package ([`Vulnerability::merge_key`]).
//!
//! [`detect`] tells the format from the bytes. [`parse_falco`] reads the alerts Falco
//! and falcosidekick send ([`FalcoAlert`]), with helpers for the container image digest
//! and the Kubernetes namespace, pod and labels that tie an alert to a deployment.
//!
//! The crate is pure: it reads the bytes it is given, within [`Limits`] (document size,
//! items, string length, nesting depth). Bad input is an [`Error`] that names the format
//! and the JSON path; no input panics. `docs/reports.md` lists the fields read and how
//! severities and CWEs map.
//!
//! ```
//! use vigil_reports::{Format, Item, Limits, Severity};
//!
//! let zap = br#"{"@programName": "ZAP", "@version": "2.15.0", "site": [{
//!   "@name": "https://shop.example", "alerts": [{
//!     "pluginid": "10038", "alertRef": "10038-1",
//!     "name": "Content Security Policy (CSP) Header Not Set",
//!     "riskcode": "2", "confidence": "3", "cweid": "693", "wascid": "15",
//!     "desc": "<p>The header is missing.</p>", "solution": "<p>Set it.</p>",
//!     "instances": [{"uri": "https://shop.example/", "method": "GET", "param": "", "evidence": ""}]
//!   }]}]}"#;
//! assert_eq!(vigil_reports::detect(zap), Some(Format::Zap));
//! let report = vigil_reports::parse(Format::Zap, zap, &Limits::default())?;
//! let Item::Weakness(w) = &report.items[0] else { unreachable!() };
//! assert_eq!((w.rule_id.as_str(), w.severity, w.cwe.as_slice()), ("10038-1", Severity::Medium, &[693][..]));
//! # Ok::<(), vigil_reports::Error>(())
//! ```

mod cwe;
mod detect;
mod error;
mod falco;
mod fingerprint;
mod grype;
mod json;
mod limits;
mod model;
mod nikto;
mod package;
mod sarif;
mod text;
mod trivy;
mod zap;

pub use detect::detect;
pub use error::Error;
pub use falco::{FalcoAlert, Priority, UnknownPriority, parse_falco};
pub use limits::Limits;
pub use model::{
    Artifact, Cvss, Fingerprint, Format, Item, Location, Package, Report, Severity, Tool,
    Vulnerability, Weakness,
};

/// Reads a report of `format` within `limits`.
///
/// # Errors
/// When the document is over a limit, is not well-formed JSON, is another kind of
/// document, or has a value the format does not allow where the reader needs it. The
/// error names the format and the JSON path.
pub fn parse(format: Format, bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let title = format.title();
    limits.check_size(title, bytes.len())?;
    json::prescan(bytes, limits, title)?;
    let text = json::strip_bom(bytes);
    match json::trim_start(text).first() {
        None => {
            return Err(Error::WrongFormat {
                format: title,
                found: "an empty document".into(),
            });
        }
        Some(b'[') if format != Format::Nikto => {
            return Err(Error::WrongFormat {
                format: title,
                found: "a JSON array; the report is one object".into(),
            });
        }
        Some(b'{' | b'[') => {}
        Some(_) => {
            return Err(Error::WrongFormat {
                format: title,
                found: "text that is not a JSON object".into(),
            });
        }
    }
    if let Some(other) = detect(text).filter(|d| *d != format) {
        return Err(Error::WrongFormat {
            format: title,
            found: format!("it looks like a {} report", other.title()),
        });
    }
    match format {
        Format::Sarif => sarif::parse(text, limits),
        Format::Zap => zap::parse(text, limits),
        Format::Trivy => trivy::parse(text, limits),
        Format::Grype => grype::parse(text, limits),
        Format::Nikto => nikto::parse(text, limits),
    }
}
