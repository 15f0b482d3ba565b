//! `vigil scan`: one SBOM against OSV advisories from directories, zips or files, with no
//! store, like grype or osv-scanner on an SBOM.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use vigil_engine::advisories::{self, SourceLimits};
use vigil_match::Index;
use vigil_match::scan::{Certainty, Dependency, Fix, ScanReport};
use vigil_osv::Rating;

use crate::cli::{ScanArgs, ScanFormat};
use crate::output::{print, print_json};
use crate::sarif;

pub(crate) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.sbom)
        .with_context(|| format!("reading SBOM {}", args.sbom.display()))?;
    let bom = vigil_sbom::parse(&bytes)
        .with_context(|| format!("reading SBOM {}", args.sbom.display()))?;
    if args.advisories.is_empty() {
        bail!(
            "no advisories given: pass --advisories with a directory, a zip (such as osv.dev's all.zip) or a file"
        );
    }
    let mut index = Index::new();
    for path in &args.advisories {
        load(path, &mut index, args.quiet)?;
    }
    let report = vigil_match::scan::scan(&index, &bom);
    if !args.quiet {
        for w in report.warnings.iter().take(5) {
            eprintln!("warning: {}: {w}", args.sbom.display());
        }
        if report.warnings.len() > 5 {
            eprintln!(
                "warning: ... and {} more (--format json lists them)",
                report.warnings.len() - 5
            );
        }
    }
    match args.format {
        ScanFormat::Table => {
            print(&render_table(&report))?;
            summarize(&report, &bom);
        }
        ScanFormat::Json => print_json(&report)?,
        ScanFormat::Sarif => print_json(&sarif::report(&report, &args.sbom))?,
    }
    let gate = args.fail_on.map(Rating::from);
    let over_gate = gate.is_some_and(|g| {
        report
            .findings
            .iter()
            .any(|f| f.rating().is_some_and(|r| r >= g))
    });
    Ok(if over_gate {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads one advisory source, with a progress bar on a terminal and a summary line.
fn load(path: &Path, index: &mut Index, quiet: bool) -> anyhow::Result<()> {
    let bar = crate::output::progress(quiet, format!("loading {}", path.display()));
    let report = advisories::load(path, index, &SourceLimits::default(), &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .with_context(|| format!("loading advisories from {}", path.display()))?;
    bar.finish_and_clear();
    if !quiet {
        eprintln!(
            "loaded {} advisories from {} ({} rejected)",
            report.records,
            path.display(),
            report.rejected.len()
        );
        for r in report.rejected.iter().take(5) {
            eprintln!("  rejected {}: {}", r.source, r.reason);
        }
        if report.rejected.len() > 5 {
            eprintln!("  ... and {} more", report.rejected.len() - 5);
        }
    }
    Ok(())
}

fn render_table(report: &ScanReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "No known vulnerabilities in {} packages.",
            report.packages
        );
        return out;
    }
    let rows: Vec<Vec<String>> = report.findings.iter().map(|f| row(f).to_vec()).collect();
    // Without a dependency graph every row would say "unknown": leave the column out.
    let all_unknown = report
        .findings
        .iter()
        .all(|f| f.dependency == Dependency::Unknown);
    let columns = if all_unknown { 5 } else { 6 };
    let header = [
        "PACKAGE",
        "VERSION",
        "ADVISORY",
        "SEVERITY",
        "FIXED IN",
        "DEPENDENCY",
    ];
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut r| {
            r.truncate(columns);
            r
        })
        .collect();
    out.push_str(&crate::output::table(&header[..columns], &rows));
    out
}

/// One table row: package (with the installed binary where the source package was
/// compared), version, advisory (with its CVE), severity, fix and dependency.
fn row(f: &vigil_match::scan::Finding) -> [String; 6] {
    let package = match &f.installed {
        Some(installed) => format!("{}/{} ({installed})", f.ecosystem, f.package),
        None => format!("{}/{}", f.ecosystem, f.package),
    };
    let advisory = match f.aliases.iter().find(|a| a.starts_with("CVE-")) {
        Some(cve) => format!("{} ({cve})", f.advisory),
        None => f.advisory.clone(),
    };
    let certainty = match f.certainty {
        Certainty::Affected => "",
        Certainty::Unknown { .. } => " (unevaluated)",
    };
    let severity = match &f.severity {
        Some(s) => match s.score {
            Some(score) => format!("{} {score:.1}", s.rating),
            None => s.rating.to_string(),
        },
        None => "-".to_owned(),
    };
    let fix = match &f.fix {
        Fix::FixedIn { versions } => versions.join(", "),
        Fix::NoFixKnown { .. } | Fix::NoFixYet => "no fix yet".to_owned(),
        Fix::NotListed => "not listed".to_owned(),
        Fix::Unknown => "?".to_owned(),
    };
    [
        package,
        f.version.clone(),
        format!("{advisory}{certainty}"),
        severity,
        fix,
        format!("{:?}", f.dependency).to_lowercase(),
    ]
}

/// The one-line summary on standard error, under the table.
fn summarize(report: &ScanReport, bom: &vigil_sbom::Bom) {
    let mut by_rating = std::collections::BTreeMap::<Rating, usize>::new();
    for f in &report.findings {
        if let Some(r) = f.rating() {
            *by_rating.entry(r).or_default() += 1;
        }
    }
    let counts: Vec<String> = by_rating
        .iter()
        .rev()
        .map(|(r, n)| format!("{n} {r}"))
        .collect();
    let affected: std::collections::BTreeSet<usize> =
        report.findings.iter().map(|f| f.component).collect();
    eprintln!(
        "\n{} finding{} in {} of {} packages{}{}",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        affected.len(),
        report.packages,
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        match bom.subject.as_ref() {
            Some(s) => format!(" of {}", s.name),
            None => String::new(),
        }
    );
    if !report.unmatchable.is_empty() {
        eprintln!(
            "{} package{} could not be matched (no package URL, or one with no OSV ecosystem); --format json lists {} with the reason",
            report.unmatchable.len(),
            if report.unmatchable.len() == 1 {
                ""
            } else {
                "s"
            },
            if report.unmatchable.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
}
