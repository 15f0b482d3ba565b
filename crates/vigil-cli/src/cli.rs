//! The command-line grammar: every command, flag and default, in one place.

use clap::{Args, Parser, Subcommand};

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
    /// Show what Vigil does, on bundled real-world data.
    Demo(DemoArgs),
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
