//! `vigil version demo`: the version tools on bundled real-world version histories.

use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;

use super::version::{scheme_of, symbol};
use crate::cli::FormatArgs;
use crate::output::{Format, print, print_json};

/// Real version histories and known traps, written for this project.
const DATA: &str = include_str!("../../demo/versions.txt");

#[derive(Serialize)]
struct History {
    ecosystem: String,
    package: String,
    sorted: Vec<String>,
}

#[derive(Serialize)]
struct Trap {
    ecosystem: String,
    a: String,
    b: String,
    result: &'static str,
    string_comparison: &'static str,
}

#[derive(Serialize, Default)]
struct Demo {
    histories: Vec<History>,
    traps: Vec<Trap>,
}

pub(crate) fn run(args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let demo = build(DATA)?;
    match args.format {
        Format::Json => print_json(&demo)?,
        Format::Table => print(&render_text(&demo))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Sorts every history and compares every trap of the demo data.
fn build(data: &str) -> anyhow::Result<Demo> {
    let mut demo = Demo::default();
    let mut section: Option<(String, String)> = None;
    let mut versions: Vec<String> = Vec::new();
    for (n, line) in data.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(&mut demo, section.take(), &mut versions)?;
            if header != "traps" {
                let (ecosystem, package) = header
                    .rsplit_once(' ')
                    .with_context(|| format!("demo data line {n}: expected [ECOSYSTEM PACKAGE]"))?;
                section = Some((ecosystem.to_owned(), package.to_owned()));
            }
            continue;
        }
        if section.is_some() {
            versions.push(line.to_owned());
            continue;
        }
        // A trap line: the ecosystem may contain spaces, the two versions do not.
        let mut parts = line.rsplitn(3, ' ');
        let (Some(b), Some(a), Some(ecosystem)) = (parts.next(), parts.next(), parts.next()) else {
            bail!("demo data line {n}: expected ECOSYSTEM A B");
        };
        let ordering = scheme_of(ecosystem)?
            .compare(a, b)
            .with_context(|| format!("demo data line {n}"))?;
        demo.traps.push(Trap {
            ecosystem: ecosystem.to_owned(),
            a: a.to_owned(),
            b: b.to_owned(),
            result: symbol(ordering),
            string_comparison: symbol(a.cmp(b)),
        });
    }
    flush(&mut demo, section, &mut versions)?;
    Ok(demo)
}

fn flush(
    demo: &mut Demo,
    section: Option<(String, String)>,
    versions: &mut Vec<String>,
) -> anyhow::Result<()> {
    let Some((ecosystem, package)) = section else {
        return Ok(());
    };
    let scheme = scheme_of(&ecosystem)?;
    let mut parsed = versions
        .drain(..)
        .map(|v| Ok((scheme.parse(&v)?, v)))
        .collect::<Result<Vec<_>, vigil_version::ParseError>>()
        .with_context(|| format!("demo data for {ecosystem} {package}"))?;
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    demo.histories.push(History {
        ecosystem,
        package,
        sorted: parsed.into_iter().map(|(_, v)| v).collect(),
    });
    Ok(())
}

fn render_text(demo: &Demo) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Vigil orders versions exactly as each ecosystem's own tool does.\n"
    );
    let _ = writeln!(out, "Real release histories, sorted oldest to newest:\n");
    for h in &demo.histories {
        let _ = writeln!(out, "  {} {}", h.ecosystem, h.package);
        let _ = writeln!(out, "    {}\n", h.sorted.join(" < "));
    }
    let _ = writeln!(
        out,
        "Comparisons that a plain string or SemVer comparison gets wrong:\n"
    );
    let width = demo
        .traps
        .iter()
        .map(|t| t.ecosystem.len())
        .max()
        .unwrap_or(0);
    for t in &demo.traps {
        let note = if t.result == t.string_comparison {
            String::new()
        } else {
            format!("   (string comparison: {})", t.string_comparison)
        };
        let _ = writeln!(
            out,
            "  {:width$}  {} {} {}{note}",
            t.ecosystem, t.a, t.result, t.b
        );
    }
    let wrong = demo
        .traps
        .iter()
        .filter(|t| t.result != t.string_comparison)
        .count();
    let _ = writeln!(
        out,
        "\n{wrong} of {} comparisons above differ from a string comparison.",
        demo.traps.len()
    );
    let _ = writeln!(out, "\nTry next:");
    let _ = writeln!(out, "  vigil version cmp Debian:12 1.0~rc1-1 1.0-1");
    let _ = writeln!(
        out,
        "  printf '1.0\\n1.0rc1\\n1.0.post1\\n1.0.dev0\\n' | vigil version sort PyPI"
    );
    let _ = writeln!(
        out,
        "  vigil version sort Maven --format json < versions.txt"
    );
    let _ = writeln!(
        out,
        "  vigil scan bom.json --advisories all.zip   # an SBOM against osv.dev's advisories"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_builds() {
        let demo = build(DATA).unwrap();
        assert_eq!(demo.histories.len(), 9);
        assert!(demo.traps.iter().any(|t| t.result != t.string_comparison));
    }
}
