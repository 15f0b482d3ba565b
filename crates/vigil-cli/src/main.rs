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

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Given on the command line (not a default): these override the configuration file.
    let given = |id: &str| {
        matches!(
            matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    let explicit = commands::Explicit {
        data_dir: given("data_dir"),
        database_url: given("database_url"),
    };
    match commands::run(cli, explicit) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            let system = err.chain().any(|e| {
                e.downcast_ref::<vigil_engine::EngineError>()
                    .is_some_and(|e| !e.is_input())
                    || e.downcast_ref::<vigil_store::StoreError>()
                        .is_some_and(|e| {
                            !matches!(
                                e,
                                vigil_store::StoreError::Conflict(_)
                                    | vigil_store::StoreError::Input(_)
                            )
                        })
            });
            ExitCode::from(if system { 3 } else { 2 })
        }
    }
}
