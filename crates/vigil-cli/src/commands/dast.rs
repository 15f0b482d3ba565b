//! `vigil dast`: a passive baseline scan of a running web application, its results
//! recorded as issues of the service in the environment.

use std::process::ExitCode;

use serde::Serialize;
use vigil_dast::{ScanConfig, Severity};
use vigil_engine::runtime::{ReportInput, ReportOutcome};
use vigil_store::NewSignal;

use super::store;
use crate::cli::{DastArgs, StoreArgs};
use crate::output::{Format, count, print, print_json, table};

/// `scheme://host[:port]` of a URL.
fn site_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            )
        }
        None => url.to_owned(),
    }
}

/// Vigil's severity rank of a check's severity.
fn rank(s: Severity) -> i64 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

#[derive(Serialize)]
struct DastOutput {
    report: vigil_dast::Report,
    recorded: Option<ReportOutcome>,
}

pub(crate) fn run(s: &StoreArgs, args: &DastArgs) -> anyhow::Result<ExitCode> {
    let fail_on = match args.fail_on.as_str() {
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        other => anyhow::bail!("--fail-on {other:?}: use low, medium or high"),
    };
    let mut config = ScanConfig::new(args.url.clone());
    config.max_depth = args.depth;
    config.max_requests = args.max_requests;
    config.requests_per_second = args.rate.max(1);
    config.respect_robots = !args.ignore_robots;
    config.probes = !args.no_probes;
    // The service and release must exist before a scan is worth its requests.
    let mut engine = store::engine(s)?;
    if !args.dry_run {
        let mut tx = engine.store().read()?;
        if tx.service(&args.service)?.is_none() {
            anyhow::bail!(vigil_engine::EngineError::NotFound {
                what: format!("no service {:?}", args.service),
                hint: Some("`vigil release add` records its releases first".into()),
            });
        }
    }
    let report = vigil_dast::scan(&config)?;
    let issues: Vec<NewSignal> = report
        .findings
        .iter()
        .map(|f| NewSignal {
            fingerprint: format!(
                "{}|{}|{}",
                f.check.id,
                f.url,
                f.param.as_deref().unwrap_or("")
            ),
            rule: f.check.id.to_owned(),
            title: f.check.title.to_owned(),
            severity_rank: rank(f.check.severity),
            cwe: Some(f.check.cwe.to_string()),
            location: Some(match &f.param {
                Some(p) => format!("{} ({p})", f.url),
                None => f.url.clone(),
            }),
            evidence: (!f.evidence.is_empty()).then(|| f.evidence.clone()),
            fix: Some(f.check.fix.to_owned()),
        })
        .collect();
    let worst = issues.iter().map(|i| i.severity_rank).max().unwrap_or(0);
    // The site scanned: a scan of another site of the service keeps its own issues.
    let site = site_of(&report.target);
    let recorded = if args.dry_run {
        None
    } else {
        Some(engine.record_report(ReportInput {
            kind: "dast",
            tool: concat!("vigil-dast ", env!("CARGO_PKG_VERSION")),
            environment: &args.env,
            service: &args.service,
            version: args.version.as_deref(),
            source: &site,
            issues,
            vulnerabilities: Vec::new(),
        })?)
    };
    let out = DastOutput { report, recorded };
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table => {
            let r = &out.report;
            let mut text = format!(
                "{}: {} sent, {} fetched, {}.\n",
                r.target,
                count(r.requests as usize, "request"),
                count(r.pages.len(), "page"),
                count(r.findings.len(), "finding")
            );
            if !r.findings.is_empty() {
                let rows: Vec<Vec<String>> = r
                    .findings
                    .iter()
                    .map(|f| {
                        vec![
                            format!("{:?}", f.check.severity).to_lowercase(),
                            f.check.id.to_owned(),
                            format!("CWE-{}", f.check.cwe),
                            f.url.clone(),
                            f.param.clone().unwrap_or_else(|| "-".into()),
                            f.evidence.chars().take(60).collect(),
                        ]
                    })
                    .collect();
                text.push('\n');
                text.push_str(&table(
                    &["SEVERITY", "CHECK", "CWE", "WHERE", "PARAM", "EVIDENCE"],
                    &rows,
                ));
            }
            if let Some(rec) = &out.recorded {
                text.push_str(&format!(
                    "\nRecorded for {} in {}{}: {} new, {} back, {} still there, {} gone.\n",
                    rec.service,
                    rec.environment,
                    rec.release
                        .as_deref()
                        .map(|v| format!(" ({v})"))
                        .unwrap_or_default(),
                    rec.sync.opened.len(),
                    rec.sync.reopened.len(),
                    rec.sync.kept.len(),
                    rec.sync.closed.len()
                ));
            }
            print(&text)?;
        }
    }
    Ok(if worst >= fail_on {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
