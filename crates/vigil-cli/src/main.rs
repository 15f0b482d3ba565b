//! The `vigil` command-line binary: parses arguments and runs one command.
//!
//! Exit codes: 0 success, 1 a gate failed (`scan --fail-on`), 2 usage or input error
//! (including a request the store refuses, such as an unknown release), 3 the store, the
//! network or the system failed.

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
            let system = err.chain().any(|e| {
                e.downcast_ref::<vigil_engine::EngineError>()
                    .is_some_and(|e| !e.is_input())
                    || e.downcast_ref::<vigil_store::StoreError>()
                        .is_some_and(|e| !matches!(e, vigil_store::StoreError::Conflict(_)))
            });
            ExitCode::from(if system { 3 } else { 2 })
        }
    }
}
