//! Evidence in: `vigil release add|list`, `deploy`, `undeploy`, `app add|list`.

use std::process::ExitCode;

use anyhow::Context;
use vigil_engine::{DeployInput, DeployOutcome, EngineError, ReleaseInput, ReleaseRef};

use super::store;
use crate::cli::{
    AppAddArgs, DeployArgs, FormatArgs, ReleaseAddArgs, ReleaseListArgs, StoreArgs, UndeployArgs,
};
use crate::output::{Format, count, print, print_json, table};

pub(crate) fn release_add(
    store_args: &StoreArgs,
    args: &ReleaseAddArgs,
) -> anyhow::Result<ExitCode> {
    let sbom = read_bounded(&args.sbom, vigil_sbom::Limits::default().max_document_bytes)?;
    let built_at = store::time("built-at", args.built_at.as_deref())?;
    let limit = vigil_engine::signatures::MAX_SIGNATURE_BYTES;
    let read_all = |paths: &[std::path::PathBuf]| -> anyhow::Result<Vec<Vec<u8>>> {
        paths.iter().map(|p| read_bounded(p, limit)).collect()
    };
    let sbom_signatures = read_all(&args.sbom_signature)?;
    let artifact_signatures = read_all(&args.artifact_signature)?;
    let attestations = read_all(&args.attestation)?;
    let artifact = args
        .artifact
        .as_deref()
        .map(|p| read_bounded(p, 1 << 30))
        .transpose()?;
    let mut engine = store::engine(store_args)?;
    let outcome = engine.add_release(&ReleaseInput {
        service: &args.service,
        version: &args.version,
        sbom: &sbom,
        digests: args.digest.clone(),
        commit: args.commit.as_deref(),
        repository: args.repo.as_deref(),
        builder: args.builder.as_deref(),
        built_at,
        owner: args.owner.as_deref(),
        signatures: vigil_engine::signatures::SignatureInput {
            sbom: sbom_signatures.iter().map(Vec::as_slice).collect(),
            artifact: artifact.as_deref(),
            artifact_signatures: artifact_signatures.iter().map(Vec::as_slice).collect(),
            attestations: attestations.iter().map(Vec::as_slice).collect(),
        },
    })?;
    match args.format {
        Format::Json => print_json(&outcome)?,
        Format::Table => {
            let r = &outcome.release;
            let mut text = format!(
                "{} {} {}: {} from a {} SBOM ({}), {}",
                r.service,
                r.version,
                if outcome.created {
                    "added"
                } else {
                    "was already stored with this SBOM"
                },
                count(outcome.packages, "package"),
                outcome.sbom_format,
                &r.sbom_sha256[..12],
                count(outcome.findings, "finding"),
            );
            if !outcome.advisories.is_empty() {
                text.push_str(&format!(" ({})", outcome.advisories.join(", ")));
            }
            text.push('\n');
            for s in &outcome.signatures {
                text.push_str(&format!(
                    "{} of the {}: {}{}\n",
                    s.kind,
                    s.target,
                    s.verdict,
                    s.detail
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ));
            }
            if !outcome.signatures.is_empty() {
                text.push_str(&format!(
                    "The release is {}.\n",
                    outcome.signature_verdict.as_str()
                ));
            }
            if !outcome.unmatchable.is_empty() {
                text.push_str(&format!(
                    "{} could not be matched; --format json lists them\n",
                    count(outcome.unmatchable.len(), "package")
                ));
            }
            text.push_str(&format!(
                "Next: vigil deploy --env ENV --service {} --version {}\n",
                r.service, r.version
            ));
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn release_list(
    store_args: &StoreArgs,
    args: &ReleaseListArgs,
) -> anyhow::Result<ExitCode> {
    let mut store = store::open(store_args)?;
    let mut tx = store.read()?;
    let releases = tx.releases(args.service.as_deref())?;
    let running = tx.running()?;
    drop(tx);
    match args.format {
        Format::Json => print_json(&releases)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = releases
                .iter()
                .map(|r| {
                    let envs: Vec<&str> = running
                        .iter()
                        .filter(|x| x.release_id == r.id)
                        .map(|x| x.environment.as_str())
                        .collect();
                    vec![
                        r.service.clone(),
                        r.version.clone(),
                        r.packages.to_string(),
                        r.created_at.clone(),
                        if envs.is_empty() {
                            "-".into()
                        } else {
                            envs.join(", ")
                        },
                    ]
                })
                .collect();
            print(&table(
                &["SERVICE", "VERSION", "PACKAGES", "ADDED", "RUNNING IN"],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn deploy(store_args: &StoreArgs, args: &DeployArgs) -> anyhow::Result<ExitCode> {
    let at = store::time("at", args.at.as_deref())?;
    let release = match (&args.digest, &args.service, &args.version) {
        (Some(d), _, _) => ReleaseRef::Digest(d),
        (None, Some(service), Some(version)) => ReleaseRef::Version { service, version },
        _ => {
            return Err(EngineError::Invalid(
                "name the release with --service and --version, or with --digest".into(),
            )
            .into());
        }
    };
    let mut engine = store::engine(store_args)?;
    let outcome = engine.deploy(&DeployInput {
        environment: &args.env,
        release,
        actor: args.actor.as_deref(),
        source: Some("cli"),
        at,
    })?;
    report_deployment(&outcome, args.format)
}

pub(crate) fn undeploy(store_args: &StoreArgs, args: &UndeployArgs) -> anyhow::Result<ExitCode> {
    let at = store::time("at", args.at.as_deref())?;
    let mut engine = store::engine(store_args)?;
    let outcome = engine.undeploy(
        &args.env,
        &args.service,
        args.actor.as_deref(),
        Some("cli"),
        at,
    )?;
    report_deployment(&outcome, args.format)
}

fn report_deployment(outcome: &DeployOutcome, format: Format) -> anyhow::Result<ExitCode> {
    match format {
        Format::Json => print_json(outcome)?,
        Format::Table => {
            let what = match &outcome.version {
                Some(v) => format!(
                    "{} {v} deployed to {} at {}",
                    outcome.service, outcome.environment, outcome.at
                ),
                None => format!(
                    "{} removed from {} at {}",
                    outcome.service, outcome.environment, outcome.at
                ),
            };
            let mut text = what;
            if let Some(old) = &outcome.replaced {
                text.push_str(&format!(" (was {old})"));
            }
            if !outcome.current {
                text.push_str(
                    "; a later event is already recorded, so this one is history and what runs is unchanged",
                );
            }
            text.push('\n');
            if outcome.version.is_some() {
                if outcome.exposure.is_empty() {
                    text.push_str("No open findings there.\n");
                } else {
                    let parts: Vec<String> = outcome
                        .exposure
                        .iter()
                        .map(|(severity, n)| format!("{n} {severity}"))
                        .collect();
                    text.push_str(&format!(
                        "Open findings there: {}. See: vigil findings --env {} --service {}\n",
                        parts.join(", "),
                        outcome.environment,
                        outcome.service
                    ));
                }
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn app_add(store_args: &StoreArgs, args: &AppAddArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(store_args)?;
    let app = engine.add_application(&args.name, &args.service)?;
    match args.format {
        Format::Json => print_json(&app)?,
        Format::Table => print(&format!("{}: {}\n", app.name, app.services.join(", ")))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn app_list(store_args: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let mut store = store::open(store_args)?;
    let apps = store.read()?.applications()?;
    match args.format {
        Format::Json => print_json(&apps)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = apps
                .iter()
                .map(|a| vec![a.name.clone(), a.services.join(", ")])
                .collect();
            print(&table(&["APPLICATION", "SERVICES"], &rows))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a file, refusing one larger than `limit` bytes before reading it.
pub(crate) fn read_bounded(path: &std::path::Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > limit {
        return Err(EngineError::Invalid(format!(
            "{} is larger than the limit of {limit} bytes",
            path.display()
        ))
        .into());
    }
    Ok(bytes)
}
