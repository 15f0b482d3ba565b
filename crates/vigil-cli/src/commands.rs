//! Command implementations, one module per command group.

mod demo;
mod scan;
mod version;

use std::process::ExitCode;

use crate::cli::{Cli, Command, VersionCommand};

/// Runs the parsed command. `Err` means a usage or input error (exit code 2).
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Version(VersionCommand::Cmp(args)) => version::cmp(&args),
        Command::Version(VersionCommand::Sort(args)) => version::sort(&args),
        Command::Scan(args) => scan::run(&args),
        Command::Demo(args) => demo::run(&args),
    }
}
