//! Intelligence in: `advisories import|show`, `feed sync`, `kev import`, `epss import`,
//! and `rematch`.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;
use vigil_engine::feed::{FeedConfig, FeedProgress, SyncMode};
use vigil_engine::{EngineError, ImportReport};

use super::evidence::read_bounded;
use super::store;
use crate::cli::{
    AdvisoriesImportArgs, AdvisoryShowArgs, FeedSyncArgs, IntelImportArgs, QuietArgs, StoreArgs,
};
use crate::output::{Format, count, print, print_json, progress, table};

pub(crate) fn import(
    store_args: &StoreArgs,
    args: &AdvisoriesImportArgs,
) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(store_args)?;
    let mut total = ImportReport::default();
    for path in &args.paths {
        let bar = progress(args.quiet.quiet, format!("importing {}", path.display()));
        let report = engine.import_path(path, &mut |done, all| {
            bar.set_length(all);
            bar.set_position(done);
        })?;
        bar.finish_and_clear();
        total.records += report.records;
        total.rejected.extend(report.rejected);
        total.outcome.add(report.outcome);
    }
    print_import(&total, args.quiet.format)?;
    Ok(ExitCode::SUCCESS)
}

fn print_import(report: &ImportReport, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(report),
        Format::Table => {
            let o = &report.outcome;
            let mut text = format!(
                "{} read: {} stored, {} unchanged, {} rejected; {} ({} new), {} resolved\n",
                count(report.records, "advisory"),
                o.stored,
                o.unchanged,
                report.rejected.len(),
                count(o.findings, "finding"),
                o.new_findings,
                o.resolved,
            );
            for r in report.rejected.iter().take(5) {
                text.push_str(&format!("  rejected {}: {}\n", r.source, r.reason));
            }
            if report.rejected.len() > 5 {
                text.push_str(&format!(
                    "  ... and {} more (--format json lists them all)\n",
                    report.rejected.len() - 5
                ));
            }
            if !o.exposures.is_empty() {
                text.push_str("Newly exposed where it runs:\n");
                let rows: Vec<Vec<String>> = o
                    .exposures
                    .iter()
                    .map(|e| {
                        vec![
                            e.advisory.clone(),
                            e.environment.clone(),
                            e.service.clone(),
                            e.version.clone(),
                        ]
                    })
                    .collect();
                text.push_str(&table(
                    &["ADVISORY", "ENVIRONMENT", "SERVICE", "RELEASE"],
                    &rows,
                ));
            }
            print(&text)
        }
    }
}

pub(crate) fn show(store_args: &StoreArgs, args: &AdvisoryShowArgs) -> anyhow::Result<ExitCode> {
    let mut store = store::open(store_args)?;
    let mut tx = store.read()?;
    let ids = tx.resolve_advisory(&args.id)?;
    if ids.is_empty() {
        return Err(EngineError::NotFound {
            what: format!("no advisory has the id or alias {}", args.id),
            hint: None,
        }
        .into());
    }
    if args.raw {
        let mut docs = Vec::new();
        for id in &ids {
            if let Some(json) = tx.advisory_json(id)? {
                docs.push(serde_json::from_slice::<serde_json::Value>(&json)?);
            }
        }
        print_json(&if docs.len() == 1 {
            docs.remove(0)
        } else {
            serde_json::Value::Array(docs)
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut advisories = Vec::new();
    for id in &ids {
        advisories.extend(tx.advisory(id)?);
    }
    match args.format {
        Format::Json => print_json(&advisories)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = advisories
                .iter()
                .map(|a| {
                    vec![
                        a.id.clone(),
                        vigil_engine::matching::rank_name(a.severity_rank).to_owned(),
                        a.modified.clone(),
                        a.aliases.join(", "),
                        a.summary.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print(&table(
                &["ADVISORY", "SEVERITY", "MODIFIED", "ALIASES", "SUMMARY"],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct EcosystemSync {
    ecosystem: String,
    mode: &'static str,
    stored: usize,
    rejected: usize,
    unchanged: usize,
    cursor: Option<String>,
    bytes: u64,
    seconds: f64,
}

#[derive(Serialize)]
struct FeedSync {
    base: String,
    ecosystems: Vec<EcosystemSync>,
    #[serde(flatten)]
    import: ImportReport,
}

pub(crate) fn feed_sync(store_args: &StoreArgs, args: &FeedSyncArgs) -> anyhow::Result<ExitCode> {
    let work = match &store_args.database_url {
        Some(_) => std::env::temp_dir(),
        None => store_args.data_dir.join("feeds"),
    };
    std::fs::create_dir_all(&work)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", work.display()))?;
    let mut config = FeedConfig::new(&work);
    config.base.clone_from(&args.base);
    config.ecosystems.clone_from(&args.ecosystem);
    let mut engine = store::engine(store_args)?;
    let quiet = args.quiet.quiet;
    let mut bars: HashMap<String, indicatif::ProgressBar> = HashMap::new();
    let (sync, import) = engine.sync_feed(&config, &mut |event| match event {
        FeedProgress::Started { ecosystem, mode } => {
            let what = match mode {
                SyncMode::Full => "downloading",
                SyncMode::Incremental => "updating",
            };
            bars.insert(
                ecosystem.to_owned(),
                progress(quiet, format!("{what} {ecosystem}")),
            );
        }
        FeedProgress::Downloaded {
            ecosystem,
            bytes,
            total,
        } => {
            if let Some(bar) = bars.get(ecosystem) {
                bar.set_length(total.unwrap_or(bytes));
                bar.set_position(bytes);
            }
        }
        FeedProgress::Records {
            ecosystem,
            done,
            total,
        } => {
            if let Some(bar) = bars.get(ecosystem) {
                bar.set_message(format!("storing {ecosystem}"));
                bar.set_length(total);
                bar.set_position(done);
            }
        }
        FeedProgress::Finished { ecosystem, report } => {
            if let Some(bar) = bars.remove(ecosystem) {
                bar.finish_and_clear();
            }
            if !quiet {
                eprintln!(
                    "{ecosystem}: {} stored, {} unchanged, {} rejected",
                    report.stored, report.unchanged, report.rejected
                );
            }
        }
        _ => {}
    })?;
    let result = FeedSync {
        base: config.base.clone(),
        ecosystems: sync
            .ecosystems
            .iter()
            .map(|e| EcosystemSync {
                ecosystem: e.ecosystem.clone(),
                mode: match e.mode {
                    SyncMode::Full => "full",
                    SyncMode::Incremental => "incremental",
                },
                stored: e.stored,
                rejected: e.rejected,
                unchanged: e.unchanged,
                cursor: e.cursor.map(vigil_store::time::format_micros),
                bytes: e.bytes,
                seconds: e.duration.as_secs_f64(),
            })
            .collect(),
        import,
    };
    match args.quiet.format {
        Format::Json => print_json(&result)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = result
                .ecosystems
                .iter()
                .map(|e| {
                    vec![
                        e.ecosystem.clone(),
                        e.mode.to_owned(),
                        e.stored.to_string(),
                        e.unchanged.to_string(),
                        e.rejected.to_string(),
                        e.cursor.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            let mut text = table(
                &[
                    "ECOSYSTEM",
                    "SYNC",
                    "STORED",
                    "UNCHANGED",
                    "REJECTED",
                    "CURSOR",
                ],
                &rows,
            );
            text.push_str(&format!(
                "{} ({} new), {} resolved\n",
                count(result.import.outcome.findings, "finding"),
                result.import.outcome.new_findings,
                result.import.outcome.resolved
            ));
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a KEV or EPSS source: a file, or an http(s) URL.
fn fetch(source: &str, limit: u64) -> anyhow::Result<Vec<u8>> {
    if source.starts_with("http://") || source.starts_with("https://") {
        Ok(vigil_engine::feed::fetch(
            source,
            limit,
            Duration::from_secs(60),
        )?)
    } else {
        read_bounded(std::path::Path::new(source), limit as usize)
    }
}

#[derive(Serialize)]
struct IntelImported {
    feed: &'static str,
    source: String,
    records: usize,
}

pub(crate) fn kev(store_args: &StoreArgs, args: &IntelImportArgs) -> anyhow::Result<ExitCode> {
    let limits = vigil_intel::Limits::default();
    let bytes = fetch(&args.source, limits.max_decompressed_bytes)?;
    let mut engine = store::engine(store_args)?;
    let records = engine.import_kev(&bytes, Some(&args.source))?;
    intel_done("kev", &args.source, records, args.format)
}

pub(crate) fn epss(store_args: &StoreArgs, args: &IntelImportArgs) -> anyhow::Result<ExitCode> {
    let limits = vigil_intel::Limits::default();
    let bytes = fetch(&args.source, limits.max_decompressed_bytes)?;
    let mut engine = store::engine(store_args)?;
    let records = engine.import_epss(&bytes, Some(&args.source))?;
    intel_done("epss", &args.source, records, args.format)
}

fn intel_done(
    feed: &'static str,
    source: &str,
    records: usize,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let done = IntelImported {
        feed,
        source: source.to_owned(),
        records,
    };
    match format {
        Format::Json => print_json(&done)?,
        Format::Table => print(&format!(
            "{}: {} imported from {source}; they replace the previous import\n",
            feed.to_uppercase(),
            count(records, "entry")
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn rematch(store_args: &StoreArgs, args: &QuietArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(store_args)?;
    let bar = progress(args.quiet, "rematching advisories".into());
    let outcome = engine.rematch(&mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    match args.format {
        Format::Json => print_json(&outcome)?,
        Format::Table => print(&format!(
            "{} evaluated with {}: {} ({} new), {} resolved\n",
            count(outcome.advisories, "advisory"),
            outcome.matcher,
            count(outcome.findings, "finding"),
            outcome.new_findings,
            outcome.resolved
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}
