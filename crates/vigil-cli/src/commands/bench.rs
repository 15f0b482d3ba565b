//! `vigil bench`: the scale benchmark of `vigil-bench`, its progress and figures on
//! standard error as it runs, the report on standard output.

use std::process::ExitCode;

use vigil_bench::{BenchConfig, StoreTarget};

use crate::cli::BenchArgs;
use crate::output::{Format, print_json};

pub(crate) fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let mut config = BenchConfig::scaled(args.scale);
    config.seed = args.seed;
    config.repetitions = args.repetitions;
    config.rematch = !args.no_rematch;
    config.keep = args.keep;
    config.real_advisories.clone_from(&args.real_advisories);
    config.store = match (&args.postgres, &args.dir) {
        (Some(url), _) => StoreTarget::Postgres {
            url: url.clone(),
            schema: None,
        },
        (None, dir) => StoreTarget::Sqlite { dir: dir.clone() },
    };
    // The running account (progress, then the figures) is the table; with --format
    // json it goes to stderr, so that stdout holds the report alone.
    let report = match args.format {
        Format::Table => vigil_bench::run(&config, &mut std::io::stdout())?,
        Format::Json => vigil_bench::run(&config, &mut std::io::stderr())?,
    };
    if args.format == Format::Json {
        print_json(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}
