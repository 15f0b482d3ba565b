//! Signals from the running system: `vigil signals list|triage`, `vigil inventory`,
//! `vigil runtime map|mappings|alerts`.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use vigil_engine::runtime::{SignalRow, SignalTriage};
use vigil_store::SignalFilter;

use super::store;
use super::triage::actor;
use crate::cli::{
    FormatArgs, ImportArgs, InventoryArgs, RuntimeAlertsArgs, RuntimeFalcoArgs, RuntimeMapArgs,
    RuntimeUnmapArgs, SignalTriageArgs, SignalsListArgs, StoreArgs,
};
use crate::output::{Format, count, print, print_json, table};

fn rows_table(rows: &[SignalRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let s = &r.signal;
            vec![
                s.id.to_string(),
                s.kind.clone(),
                s.environment.clone(),
                s.service.clone().unwrap_or_else(|| "-".into()),
                s.release.clone().unwrap_or_else(|| "-".into()),
                r.severity.to_owned(),
                s.rule.clone(),
                s.title.chars().take(60).collect(),
                s.resolution
                    .clone()
                    .map_or_else(|| "open".to_owned(), |x| format!("closed: {x}")),
                s.triage.clone().unwrap_or_else(|| "-".into()),
                match (&r.due, r.overdue) {
                    (Some(d), true) => format!("{} OVERDUE", &d[..10.min(d.len())]),
                    (Some(d), false) => d[..10.min(d.len())].to_owned(),
                    (None, _) => "-".into(),
                },
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "KIND",
            "ENVIRONMENT",
            "SERVICE",
            "RELEASE",
            "SEVERITY",
            "RULE",
            "TITLE",
            "STATE",
            "TRIAGE",
            "DUE",
        ],
        &cells,
    )
}

pub(crate) fn list(s: &StoreArgs, args: &SignalsListArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine_now(s)?;
    let mut rows = engine.signals(&SignalFilter {
        environment: args.env.clone(),
        service: args.service.clone(),
        kind: args.kind.clone(),
        include_resolved: args.all,
    })?;
    if args.overdue {
        rows.retain(|r| r.overdue);
    }
    match args.format {
        Format::Json => print_json(&rows)?,
        Format::Table if rows.is_empty() => print("No signals match.\n")?,
        Format::Table => print(&rows_table(&rows))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn triage(s: &StoreArgs, args: &SignalTriageArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let expires_at = match (
        store::time("expires", args.expires.as_deref())?,
        args.for_days,
    ) {
        (Some(t), _) => Some(t),
        (None, Some(days)) => Some(engine.now() + time::Duration::days(i64::from(days))),
        (None, None) => None,
    };
    let signal = engine.triage_signal(
        args.id,
        &SignalTriage {
            status: args.status.as_str().to_owned(),
            justification: args.justification.clone(),
            impact: args.impact.clone(),
            action: args.action.clone(),
            reason: args.reason.clone(),
            expires_at,
            actor: actor(args.actor.as_deref()),
        },
    )?;
    match args.format {
        Format::Json => print_json(&signal)?,
        Format::Table => print(&format!(
            "Signal {} ({} {} in {}): {}{}.\n",
            signal.id,
            signal.kind,
            signal.rule,
            signal.environment,
            signal.triage.as_deref().unwrap_or("-"),
            signal
                .resolution
                .as_deref()
                .map(|r| format!(", closed ({r})"))
                .unwrap_or_default()
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a file, or standard input for `-`, within `limit` bytes.
pub(crate) fn read_input(path: &std::path::Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?)
    };
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > limit {
        anyhow::bail!("{} is over the limit of {limit} bytes", path.display());
    }
    Ok(bytes)
}

pub(crate) fn inventory(s: &StoreArgs, args: &InventoryArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_input(&args.file, vigil_engine::runtime::MAX_INVENTORY_BYTES)?;
    let workloads = vigil_engine::runtime::parse_inventory(&bytes)?;
    let mut engine = store::engine(s)?;
    let out = engine.record_inventory(&args.env, &workloads)?;
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table => {
            let mut text = format!(
                "{} read in {}, {} tied to a recorded release. Drift: {} new, {} back, {} still there, {} gone.\n",
                count(out.workloads, "workload"),
                out.environment,
                out.matched,
                out.sync.opened.len(),
                out.sync.reopened.len(),
                out.sync.kept.len(),
                out.sync.closed.len()
            );
            let rows = engine.signals(&SignalFilter {
                environment: Some(args.env.clone()),
                kind: Some("drift".into()),
                ..SignalFilter::default()
            })?;
            if !rows.is_empty() {
                text.push('\n');
                text.push_str(&rows_table(&rows));
            }
            print(&text)?;
        }
    }
    // Drift is an exit-code worthy finding for scripts.
    Ok(
        if out.sync.opened.is_empty() && out.sync.reopened.is_empty() && out.sync.kept.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

pub(crate) fn map(s: &StoreArgs, args: &RuntimeMapArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    engine.map_runtime(&args.kind, &args.name, &args.env, args.service.as_deref())?;
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "kind": args.kind, "name": args.name, "environment": args.env, "service": args.service,
        }))?,
        Format::Table => print(&format!(
            "{} {:?} is now {}{}.\n",
            args.kind,
            args.name,
            args.env,
            args.service
                .as_deref()
                .map(|s| format!(", service {s}"))
                .unwrap_or_default()
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn unmap(s: &StoreArgs, args: &RuntimeUnmapArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    engine.unmap_runtime(&args.kind, &args.name)?;
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "kind": args.kind, "name": args.name, "removed": true,
        }))?,
        Format::Table => print(&format!(
            "{} {:?} is no longer mapped.\n",
            args.kind, args.name
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn mappings(s: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let rows = engine.store().read()?.runtime_mappings()?;
    match args.format {
        Format::Json => print_json(&rows)?,
        Format::Table if rows.is_empty() => print("No runtime mappings.\n")?,
        Format::Table => print(&table(
            &["KIND", "NAME", "ENVIRONMENT", "SERVICE", "UPDATED"],
            &rows
                .iter()
                .map(|m| {
                    vec![
                        m.kind.clone(),
                        m.name.clone(),
                        m.environment.clone(),
                        m.service.clone().unwrap_or_else(|| "-".into()),
                        m.updated_at.clone(),
                    ]
                })
                .collect::<Vec<_>>(),
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn alerts(s: &StoreArgs, args: &RuntimeAlertsArgs) -> anyhow::Result<ExitCode> {
    if !(1..=10_000).contains(&args.limit) {
        anyhow::bail!("--limit must be 1 to 10000");
    }
    let mut engine = store::engine(s)?;
    let rows = engine.store().read()?.runtime_alerts(args.limit, None)?;
    match args.format {
        Format::Json => print_json(&rows)?,
        Format::Table if rows.is_empty() => print("No runtime alerts.\n")?,
        Format::Table => print(&table(
            &[
                "TIME",
                "PRIORITY",
                "SEVERITY",
                "RULE",
                "ENVIRONMENT",
                "SERVICE",
                "RELEASE",
                "BY",
                "KEV",
            ],
            &rows
                .iter()
                .map(|a| {
                    vec![
                        a.event_time.clone(),
                        a.priority.clone(),
                        vigil_engine::matching::rank_name(a.severity_rank).to_owned(),
                        a.rule.clone(),
                        a.environment.clone().unwrap_or_else(|| "-".into()),
                        a.service.clone().unwrap_or_else(|| "-".into()),
                        a.release.clone().unwrap_or_else(|| "-".into()),
                        a.correlated_by.clone().unwrap_or_else(|| "-".into()),
                        a.linked.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect::<Vec<_>>(),
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn import(s: &StoreArgs, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let limits = vigil_reports::Limits::default();
    let bytes = read_input(&args.file, limits.max_document_bytes)?;
    let format = if args.kind == "auto" {
        vigil_reports::detect(&bytes).with_context(|| {
            format!(
                "{}: the format is not recognised; name it: sarif, zap, trivy, grype or nikto",
                args.file.display()
            )
        })?
    } else {
        vigil_reports::Format::parse(&args.kind)?
    };
    let report = vigil_reports::parse(format, &bytes, &limits)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let mut engine = store::engine(s)?;
    let out = engine.import_report(&report, &args.env, &args.service, args.version.as_deref())?;
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table => {
            let mut text = format!(
                "{} ({}, {} items) for {} in {}{}: {} new, {} back, {} still there, {} gone; {} already known to Vigil.\n",
                args.file.display(),
                format.name(),
                report.items.len(),
                out.service,
                out.environment,
                out.release
                    .as_deref()
                    .map(|v| format!(" ({v})"))
                    .unwrap_or_default(),
                out.sync.opened.len(),
                out.sync.reopened.len(),
                out.sync.kept.len(),
                out.sync.closed.len(),
                count(out.corroborated, "vulnerability result"),
            );
            for w in &report.warnings {
                text.push_str(&format!("  warning: {w}\n"));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn falco(s: &StoreArgs, args: &RuntimeFalcoArgs) -> anyhow::Result<ExitCode> {
    let limits = vigil_reports::Limits::default();
    let bytes = read_input(&args.file, limits.max_document_bytes)?;
    let alerts = vigil_reports::parse_falco(&bytes, &limits)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let inputs: Vec<_> = alerts
        .iter()
        .map(vigil_engine::runtime::falco_input)
        .collect();
    let mut engine = store::engine(s)?;
    let out = engine.record_runtime_alerts(&inputs)?;
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table => print(&table(
            &[
                "UUID",
                "STORED",
                "SEVERITY",
                "ENVIRONMENT",
                "SERVICE",
                "RELEASE",
                "BY",
                "KEV",
            ],
            &out.iter()
                .map(|o| {
                    vec![
                        o.uuid.clone(),
                        if o.stored { "new" } else { "seen before" }.to_owned(),
                        o.severity.to_owned(),
                        o.environment.clone().unwrap_or_else(|| "-".into()),
                        o.service.clone().unwrap_or_else(|| "-".into()),
                        o.release.clone().unwrap_or_else(|| "-".into()),
                        o.correlated_by.clone().unwrap_or_else(|| "-".into()),
                        if o.linked.is_empty() {
                            "-".into()
                        } else {
                            o.linked.join(",")
                        },
                    ]
                })
                .collect::<Vec<_>>(),
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}
