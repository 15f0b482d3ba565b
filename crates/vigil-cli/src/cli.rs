//! The command-line grammar: every command, flag and default, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

/// Vigil: which running services are affected by a vulnerability, since when, who owns
/// them, what fixes them, and the evidence that proves it.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compare and sort versions exactly as each package ecosystem does.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Scan an SBOM against OSV advisories, with no store.
    ///
    /// Example: vigil scan bom.json --advisories all.zip --fail-on high
    Scan(ScanArgs),
    /// Show what Vigil does, on bundled real-world data.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The SBOM: CycloneDX (JSON or XML, 1.2-1.7) or SPDX (2.2/2.3 JSON or tag-value,
    /// 3.0 JSON-LD).
    pub(crate) sbom: PathBuf,
    /// OSV advisories: a directory of .json/.yaml records, a zip such as osv.dev's
    /// all.zip, or one file. Repeat for several sources.
    #[arg(long, short, required = true)]
    pub(crate) advisories: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ScanFormat,
    /// Exit with code 1 when a finding at or above this severity exists.
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<GateSeverity>,
    /// No progress or summary on standard error.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// How `vigil scan` prints its findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScanFormat {
    /// A table for people.
    #[default]
    Table,
    /// The full report as JSON.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
}

/// A severity threshold for `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GateSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl From<GateSeverity> for vigil_osv::Rating {
    fn from(g: GateSeverity) -> Self {
        match g {
            GateSeverity::Low => vigil_osv::Rating::Low,
            GateSeverity::Medium => vigil_osv::Rating::Medium,
            GateSeverity::High => vigil_osv::Rating::High,
            GateSeverity::Critical => vigil_osv::Rating::Critical,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Compare two versions: prints `<`, `=` or `>`.
    ///
    /// Example: vigil version cmp Debian:12 1.0~rc1-1 1.0-1
    Cmp(CmpArgs),
    /// Sort versions read from standard input, one per line, ascending.
    ///
    /// Example: printf '1.0\n1.0rc1\n1.0.post1\n' | vigil version sort PyPI
    Sort(SortArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CmpArgs {
    /// An OSV ecosystem name, such as PyPI, npm, Maven, Go, crates.io, Debian:12,
    /// Ubuntu:22.04:LTS, Alpine:v3.19 or Red Hat.
    pub(crate) ecosystem: String,
    /// The first version.
    pub(crate) a: String,
    /// The second version.
    pub(crate) b: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct SortArgs {
    /// An OSV ecosystem name, such as PyPI, npm, Maven, Go, crates.io, Debian:12,
    /// Ubuntu:22.04:LTS, Alpine:v3.19 or Red Hat.
    pub(crate) ecosystem: String,
    /// Sort newest first.
    #[arg(long, short)]
    pub(crate) reverse: bool,
    /// Print each distinct version once (the first spelling seen of equal versions).
    #[arg(long, short)]
    pub(crate) unique: bool,
    /// Refuse input with more lines than this.
    #[arg(long, default_value_t = 10_000_000)]
    pub(crate) max_lines: usize,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}
