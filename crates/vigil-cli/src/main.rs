//! The `vigil` command-line binary: parses arguments and runs one command.
//!
//! Exit codes: 0 success, 1 a gate failed (`scan --fail-on`), 2 usage or input error.

mod cli;
mod commands;
mod output;
mod sarif;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
