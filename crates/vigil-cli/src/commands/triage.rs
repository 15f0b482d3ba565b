//! Response: `vigil triage set|list|revoke`, `vigil team add|list|own`, `vigil catalog
//! import`, `vigil vex import|export`.

use std::process::ExitCode;

use vigil_engine::triage::{TriageInput, TriageOutcome};
use vigil_store::Decision;

use super::store;
use crate::cli::{
    CatalogImportArgs, FormatArgs, StoreArgs, TeamAddArgs, TeamOwnArgs, TriageListArgs,
    TriageRevokeArgs, TriageSetArgs, VexExportArgs, VexFormat, VexImportArgs,
};
use crate::output::{Format, count, print, print_json, table};

/// Who acts: the flag, else $USER.
pub(crate) fn actor(flag: Option<&str>) -> String {
    flag.map(str::to_owned)
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "cli".to_owned())
}

pub(crate) fn set(s: &StoreArgs, args: &TriageSetArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let expires_at = match (
        store::time("expires", args.expires.as_deref())?,
        args.for_days,
    ) {
        (Some(t), _) => Some(t),
        (None, Some(days)) => Some(engine.now() + time::Duration::days(i64::from(days))),
        (None, None) => None,
    };
    let out = engine.triage(&TriageInput {
        vulnerability: args.vulnerability.clone(),
        status: args.status.as_str().to_owned(),
        service: args.service.clone(),
        release: args.release.clone(),
        purl: args.purl.clone(),
        justification: args.justification.clone(),
        impact: args.impact.clone(),
        action: args.action.clone(),
        reason: args.reason.clone(),
        expires_at,
        actor: actor(args.actor.as_deref()),
        source: "cli",
    })?;
    report(&out, args.format, "recorded")
}

pub(crate) fn revoke(s: &StoreArgs, args: &TriageRevokeArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let out = engine.revoke_triage(
        args.id,
        &actor(args.actor.as_deref()),
        args.reason.as_deref(),
    )?;
    report(&out, args.format, "revoked")
}

fn report(out: &TriageOutcome, format: Format, what: &str) -> anyhow::Result<ExitCode> {
    match format {
        Format::Json => print_json(out)?,
        Format::Table => print(&format!(
            "Decision {} {what}: {} {} ({}). {} changed; in effect on {}.\n",
            out.decision.id,
            out.decision.vulnerability,
            out.decision.status,
            scope_text(&out.decision),
            count(out.findings_changed, "finding"),
            count(out.in_effect_on, "finding"),
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A decision's scope in words: `checkout 1.2.0 pkg:npm/lodash@4.17.20`, `every release
/// of checkout`, `pkg:npm/lodash everywhere`, `everywhere`.
pub(crate) fn scope_text(d: &Decision) -> String {
    let purl = d.purl.as_deref();
    match (d.service.as_deref(), d.release.as_deref(), purl) {
        (Some(s), Some(r), Some(p)) => format!("{s} {r}, {p}"),
        (Some(s), Some(r), None) => format!("{s} {r}"),
        (Some(s), None, Some(p)) => format!("{p} in every release of {s}"),
        (Some(s), None, None) => format!("every release of {s}"),
        (None, _, Some(p)) => format!("{p} everywhere"),
        (None, _, None) => "everywhere".to_owned(),
    }
}

pub(crate) fn list(s: &StoreArgs, args: &TriageListArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine_now(s)?;
    let decisions = engine.triage_decisions(
        args.vulnerability.as_deref(),
        args.service.as_deref(),
        !args.all,
    )?;
    match args.format {
        Format::Json => print_json(&decisions)?,
        Format::Table => {
            if decisions.is_empty() {
                print("No triage decisions match.\n")?;
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = decisions
                .iter()
                .map(|d| {
                    let state = if d.revoked_at.is_some() {
                        "revoked".to_owned()
                    } else if d.lapsed_at.is_some() {
                        "lapsed".to_owned()
                    } else {
                        d.expires_at
                            .as_deref()
                            .map_or_else(|| "-".to_owned(), |e| format!("until {e}"))
                    };
                    vec![
                        d.id.to_string(),
                        d.vulnerability.clone(),
                        d.status.clone(),
                        d.justification
                            .clone()
                            .or_else(|| d.action.clone())
                            .or_else(|| d.impact.clone())
                            .unwrap_or_else(|| "-".into()),
                        scope_text(d),
                        state,
                        d.actor.clone(),
                        d.created_at.clone(),
                        d.source.chars().take(20).collect(),
                    ]
                })
                .collect();
            print(&table(
                &[
                    "ID",
                    "ADVISORY",
                    "STATUS",
                    "STATEMENT",
                    "SCOPE",
                    "STATE",
                    "ACTOR",
                    "AT",
                    "SOURCE",
                ],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn team_add(s: &StoreArgs, args: &TeamAddArgs) -> anyhow::Result<ExitCode> {
    let mut contacts = serde_json::Map::new();
    for (key, value) in [
        ("email", &args.email),
        ("slack", &args.slack),
        ("pager", &args.pager),
        ("url", &args.url),
    ] {
        if let Some(v) = value {
            contacts.insert(key.into(), v.clone().into());
        }
    }
    let mut engine = store::engine(s)?;
    engine.put_team(&args.name, args.title.as_deref(), &contacts.into(), "cli")?;
    eprintln!("team {} saved", args.name);
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn team_list(s: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let teams = engine.teams()?;
    match args.format {
        Format::Json => print_json(&teams)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = teams
                .iter()
                .map(|t| {
                    let contacts = t
                        .contacts
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| match v.as_str() {
                                    Some(text) => format!("{k}: {text}"),
                                    None => format!("{k}: {v}"),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    vec![
                        t.name.clone(),
                        if contacts.is_empty() {
                            "-".into()
                        } else {
                            contacts
                        },
                        if t.services.is_empty() {
                            "-".into()
                        } else {
                            t.services.join(", ")
                        },
                    ]
                })
                .collect();
            print(&table(&["TEAM", "CONTACTS", "SERVICES"], &rows))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn team_own(s: &StoreArgs, args: &TeamOwnArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    for service in &args.service {
        engine.set_owner(service, &args.team)?;
    }
    eprintln!("{} owns {}", args.team, args.service.join(", "));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn catalog_import(s: &StoreArgs, args: &CatalogImportArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let report = engine.import_backstage(&args.path)?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let mut text = format!(
                "Read {}: {} with an owner, {}; {} skipped.\n",
                count(report.files, "file"),
                count(report.owners.len(), "service"),
                count(report.teams.len(), "team"),
                count(report.skipped.len(), "entity"),
            );
            for (service, team) in &report.owners {
                text.push_str(&format!("  {service} → {team}\n"));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Largest VEX document read.
const MAX_VEX: usize = 16 * 1024 * 1024;

pub(crate) fn vex_import(s: &StoreArgs, args: &VexImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = super::evidence::read_bounded(&args.file, MAX_VEX)?;
    let mut engine = store::engine(s)?;
    let report = engine.import_vex(&bytes, &actor(args.actor.as_deref()))?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let mut text = if report.new {
                format!(
                    "{} ({}{}): {} in, {} recorded, {} changed.\n",
                    args.file.display(),
                    report.format,
                    report
                        .author
                        .as_deref()
                        .map(|a| format!(", by {a}"))
                        .unwrap_or_default(),
                    count(report.statements, "statement"),
                    count(report.decisions.len(), "decision"),
                    count(report.findings_changed, "finding"),
                )
            } else {
                format!(
                    "{} was imported before (sha256 {}); nothing recorded again.\n",
                    args.file.display(),
                    report.sha256
                )
            };
            for d in &report.decisions {
                let scope = match (&d.service, &d.release, &d.purl) {
                    (Some(s), Some(r), Some(p)) => format!("{s} {r}, {p}"),
                    (Some(s), Some(r), None) => format!("{s} {r}"),
                    (Some(s), None, Some(p)) => format!("{p} in every release of {s}"),
                    (Some(s), None, None) => format!("every release of {s}"),
                    (None, _, Some(p)) => format!("{p} everywhere"),
                    (None, _, None) => "everywhere".into(),
                };
                text.push_str(&format!("  {} {}: {scope}\n", d.vulnerability, d.status));
            }
            for (at, why) in &report.skipped {
                text.push_str(&format!("  not applied: {at}: {why}\n"));
            }
            for w in &report.warnings {
                text.push_str(&format!("  warning: {w}\n"));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn vex_export(s: &StoreArgs, args: &VexExportArgs) -> anyhow::Result<ExitCode> {
    use vigil_engine::vex::{VexFormat as Out, VexScope};
    let scope = match (&args.service, &args.version) {
        (Some(service), Some(version)) => VexScope::Release {
            service: service.clone(),
            version: version.clone(),
        },
        (Some(service), None) => VexScope::Service(service.clone()),
        _ => VexScope::Portfolio,
    };
    let format = match args.vex_format {
        VexFormat::Openvex => Out::OpenVex,
        VexFormat::Cyclonedx => Out::CycloneDx,
    };
    let mut engine = store::engine(s)?;
    let bytes = engine.export_vex(&scope, format)?;
    if args.output.as_os_str() == "-" {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.write_all(b"\n")?;
    } else {
        super::ledger::write_file(&args.output, &bytes)?;
        eprintln!("wrote {} ({} bytes)", args.output.display(), bytes.len());
    }
    Ok(ExitCode::SUCCESS)
}
