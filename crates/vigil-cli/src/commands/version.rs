//! `vigil version cmp` and `vigil version sort`.

use std::cmp::Ordering;
use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;
use vigil_version::{Scheme, Version, ecosystem::Family};

use crate::cli::{CmpArgs, SortArgs};
use crate::output::{Format, print, print_json};

/// The scheme of an OSV ecosystem name, with a hint when only the case is wrong.
pub(crate) fn scheme_of(ecosystem: &str) -> anyhow::Result<Scheme> {
    match ecosystem.parse::<Scheme>() {
        Ok(scheme) => Ok(scheme),
        Err(err) => {
            let family = ecosystem.split(':').next().unwrap_or(ecosystem);
            let hint = Family::all()
                .find(|f| f.name().eq_ignore_ascii_case(family))
                .map(|f| format!(" (OSV writes it \"{}\")", f.name()))
                .unwrap_or_default();
            bail!("{err}{hint}")
        }
    }
}

/// `<`, `=` or `>`.
pub(crate) fn symbol(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

#[derive(Serialize)]
struct CmpOutput<'a> {
    ecosystem: &'a str,
    a: &'a str,
    b: &'a str,
    result: &'static str,
}

pub(crate) fn cmp(args: &CmpArgs) -> anyhow::Result<ExitCode> {
    let scheme = scheme_of(&args.ecosystem)?;
    let ordering = scheme.compare(&args.a, &args.b)?;
    let result = symbol(ordering);
    match args.format {
        Format::Table => print(&format!("{result}\n"))?,
        Format::Json => print_json(&CmpOutput {
            ecosystem: &args.ecosystem,
            a: &args.a,
            b: &args.b,
            result,
        })?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct SortOutput<'a> {
    ecosystem: &'a str,
    versions: Vec<&'a str>,
}

pub(crate) fn sort(args: &SortArgs) -> anyhow::Result<ExitCode> {
    let scheme = scheme_of(&args.ecosystem)?;
    let mut parsed: Vec<(Version, String)> = Vec::new();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("reading standard input, line {}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        if parsed.len() == args.max_lines {
            bail!(
                "standard input has more than {} versions; raise --max-lines to sort more",
                args.max_lines
            );
        }
        let version = scheme
            .parse(&line)
            .with_context(|| format!("standard input, line {}", n + 1))?;
        parsed.push((version, line.trim().to_owned()));
    }
    // A stable sort keeps equal versions in input order.
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    if args.unique {
        parsed.dedup_by(|later, first| later.0 == first.0);
    }
    if args.reverse {
        parsed.reverse();
    }
    match args.format {
        Format::Table => {
            let mut out = String::new();
            for (_, text) in &parsed {
                out.push_str(text);
                out.push('\n');
            }
            print(&out)?;
        }
        Format::Json => print_json(&SortOutput {
            ecosystem: &args.ecosystem,
            versions: parsed.iter().map(|(_, text)| text.as_str()).collect(),
        })?,
    }
    Ok(ExitCode::SUCCESS)
}
