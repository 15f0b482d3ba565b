//! What the integration tests share: reading fixtures, and one line per item that says
//! what a test expects of it.

#![allow(dead_code, reason = "each test binary uses part of the support module")]

use std::path::PathBuf;

use vigil_reports::{Item, Location, Report, Vulnerability, Weakness};

pub(crate) fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// One line per item, in the report's order.
pub(crate) fn summary(report: &Report) -> Vec<String> {
    report
        .items
        .iter()
        .map(|item| match item {
            Item::Vulnerability(v) => vulnerability(v),
            Item::Weakness(w) => weakness(w),
        })
        .collect()
}

/// `ID (aliases) purl|name@version [ecosystem] fixed: … severity (rating) cvss score
/// @ target`.
pub(crate) fn vulnerability(v: &Vulnerability) -> String {
    let package = match &v.package.purl {
        Some(p) => p.to_string(),
        None => format!(
            "{}@{}",
            v.package.name,
            v.package.version.as_deref().unwrap_or("?")
        ),
    };
    let ecosystem = v
        .package
        .ecosystem
        .as_ref()
        .map_or("-".to_owned(), ToString::to_string);
    let aliases = if v.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", v.aliases.join(", "))
    };
    let score = v
        .cvss
        .as_ref()
        .and_then(|c| c.score)
        .map_or("-".to_owned(), |s| format!("{s:.1}"));
    format!(
        "{}{aliases} {package} [{ecosystem}] fixed: {} {} ({}) cvss {score} @ {}",
        v.id,
        if v.fixed_versions.is_empty() {
            "-".to_owned()
        } else {
            v.fixed_versions.join(", ")
        },
        v.severity,
        v.rating.as_deref().unwrap_or("-"),
        v.target.as_deref().unwrap_or("-"),
    )
}

/// `RULE severity (rating) cwe:… location fp:12-hex(tool|derived)[ suppressed]`.
pub(crate) fn weakness(w: &Weakness) -> String {
    let location = match &w.location {
        Some(Location::Source {
            uri, line, column, ..
        }) => format!(
            "{uri}:{}:{}",
            line.map_or("-".to_owned(), |l| l.to_string()),
            column.map_or("-".to_owned(), |c| c.to_string())
        ),
        Some(Location::Web {
            url, method, param, ..
        }) => format!(
            "{} {url}{}",
            method.as_deref().unwrap_or("-"),
            param
                .as_ref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default()
        ),
        Some(Location::Logical { name }) => format!("logical {name}"),
        None => "nowhere".to_owned(),
    };
    let cwe = if w.cwe.is_empty() {
        "-".to_owned()
    } else {
        w.cwe
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{} {} ({}) cwe:{cwe} {location} fp:{}({}){}",
        w.rule_id,
        w.severity,
        w.rating.as_deref().unwrap_or("-"),
        &w.fingerprint.value[..12],
        if w.fingerprint.from_tool {
            "tool"
        } else {
            "derived"
        },
        if w.suppressed { " suppressed" } else { "" }
    )
}
