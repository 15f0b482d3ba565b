//! `vigil bench`: the scale benchmark of `vigil-bench`, its progress and figures on
//! standard error as it runs, the report on standard output.

use std::process::ExitCode;

use vigil_bench::{BenchConfig, StoreTarget};

use crate::cli::BenchArgs;
use crate::output::{Format, print_json};

pub(crate) fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    if let Some(leaves) = args.ledger {
        return ledger(args, leaves);
    }
    if args.console
        && let Some(dir) = &args.dir
    {
        return super::bench_console::run(dir, args.repetitions, args.format);
    }
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

/// `vigil bench --ledger N`: the ledger's three targets, with progress on standard error.
fn ledger(args: &BenchArgs, leaves: u64) -> anyhow::Result<ExitCode> {
    let config = vigil_bench::ledger::LedgerBenchConfig {
        leaves,
        batch: args.ledger_batch,
        verify_at: 1_000_000,
        proofs: args.repetitions.max(1000),
        dir: args.dir.clone(),
        seed: args.seed,
    };
    let mut last = std::time::Instant::now();
    let report = vigil_bench::ledger::run_ledger(&config, &mut |n| {
        if last.elapsed().as_secs() >= 5 || n == leaves {
            last = std::time::Instant::now();
            eprintln!("ledger: {n} of {leaves} leaves appended");
        }
    })?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
            crate::output::print(&format!(
                "ledger benchmark (SQLite, synchronous=FULL, {} leaves per transaction, a checkpoint signed per transaction)\n\
                 appends:   {} leaves in {:.1} s = {:.0} leaves/s (target >= 20,000: {})\n\
                 verify:    {} leaves in {:.2} s, {} (target < 10 s at 1,000,000: {})\n\
                 proof:     inclusion proof read and checked at {} leaves: median {:.3} ms, p95 {:.3} ms, max {:.3} ms over {} (target < 1 ms: {})\n\
                 store:     {:.0} MB on disk, {} bytes per leaf's data, {} checkpoints\n",
                report.batch,
                report.leaves,
                report.append_secs,
                report.leaves_per_sec,
                verdict(report.leaves_per_sec >= 20_000.0),
                report.verify_leaves,
                report.verify_secs,
                if report.verify_ok {
                    "no problem found"
                } else {
                    "PROBLEMS FOUND"
                },
                verdict(
                    report.verify_ok
                        && (report.verify_leaves < 1_000_000 || report.verify_secs < 10.0)
                ),
                report.leaves,
                report.proof.median_ms,
                report.proof.p95_ms,
                report.proof.max_ms,
                report.proof.samples,
                verdict(report.proof.p95_ms < 1.0),
                report.store_bytes as f64 / 1e6,
                report.leaf_bytes,
                report.checkpoints,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
