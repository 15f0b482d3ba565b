//! Signatures on input: `vigil service key add|list|remove`, `vigil env list|policy`,
//! `vigil release signatures`.

use std::process::ExitCode;

use serde::Serialize;

use super::evidence::read_bounded;
use super::store;
use crate::cli::{
    EnvPolicyArgs, FormatArgs, ReleaseSignaturesArgs, ServiceKeyAddArgs, ServiceKeyListArgs,
    ServiceKeyRemoveArgs, StoreArgs,
};
use crate::output::{Format, print, print_json, table};

pub(crate) fn key_add(s: &StoreArgs, args: &ServiceKeyAddArgs) -> anyhow::Result<ExitCode> {
    let pem = read_bounded(&args.key, 64 * 1024)?;
    let pem = String::from_utf8(pem).map_err(|_| {
        vigil_engine::EngineError::Invalid(format!("{} is not a PEM text file", args.key.display()))
    })?;
    let mut engine = store::engine(s)?;
    let key = engine.add_service_key(&args.service, &pem)?;
    match args.format {
        Format::Json => print_json(&key)?,
        Format::Table => print(&format!(
            "{}: releases signed with {} key {} now verify\n",
            key.service, key.algorithm, key.fingerprint
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn key_list(s: &StoreArgs, args: &ServiceKeyListArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let keys = engine.service_keys(args.service.as_deref())?;
    match args.format {
        Format::Json => print_json(&keys)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = keys
                .iter()
                .map(|k| {
                    vec![
                        k.service.clone(),
                        k.algorithm.clone(),
                        k.fingerprint.clone(),
                        k.added_at.clone(),
                    ]
                })
                .collect();
            print(&table(
                &["SERVICE", "ALGORITHM", "FINGERPRINT", "ADDED"],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn key_remove(s: &StoreArgs, args: &ServiceKeyRemoveArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    engine.remove_service_key(&args.service, &args.fingerprint)?;
    eprintln!(
        "{}: key {} removed; signatures made with it no longer verify new releases",
        args.service, args.fingerprint
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn env_list(s: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let mut store = store::open(s)?;
    let envs = store.read()?.environments()?;
    match args.format {
        Format::Json => print_json(&envs)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = envs
                .iter()
                .map(|e| {
                    vec![
                        e.name.clone(),
                        if e.require_signed { "yes" } else { "no" }.to_owned(),
                        e.sla.clone().unwrap_or_else(|| "default".into()),
                        e.created_at.clone(),
                    ]
                })
                .collect();
            print(&table(
                &["ENVIRONMENT", "SIGNED ONLY", "SLA (DAYS)", "CREATED"],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn env_policy(s: &StoreArgs, args: &EnvPolicyArgs) -> anyhow::Result<ExitCode> {
    if args.require_signed.is_none() && args.sla.is_none() {
        return Err(vigil_engine::EngineError::Invalid(
            "say what to set: --require-signed true|false and/or --sla \"critical=7,high=30\""
                .into(),
        )
        .into());
    }
    let mut engine = store::engine(s)?;
    let sla = args
        .sla
        .as_deref()
        .map(|sla| (sla != "default").then_some(sla));
    let env = engine.set_environment_policy(&args.env, args.require_signed, sla)?;
    eprintln!(
        "{}: {}; days to remediate {}",
        env.name,
        if env.require_signed {
            "takes only releases with a verified signature or attestation"
        } else {
            "takes signed and unsigned releases"
        },
        env.sla
            .unwrap_or_else(|| vigil_exposure::SlaPolicy::default().to_string())
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct Signatures {
    service: String,
    version: String,
    verdict: vigil_engine::signatures::Verdict,
    signatures: Vec<vigil_store::SignatureRecord>,
}

pub(crate) fn release_signatures(
    s: &StoreArgs,
    args: &ReleaseSignaturesArgs,
) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let (verdict, signatures) = engine.release_signatures(&args.service, &args.version)?;
    let out = Signatures {
        service: args.service.clone(),
        version: args.version.clone(),
        verdict,
        signatures,
    };
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = out
                .signatures
                .iter()
                .map(|r| {
                    vec![
                        r.kind.clone(),
                        r.target.clone(),
                        r.verdict.clone(),
                        r.key_fingerprint
                            .as_deref()
                            .map(|k| k.chars().take(16).collect())
                            .unwrap_or_else(|| "-".into()),
                        r.detail.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let mut text = format!(
                "{} {} is {}\n",
                out.service,
                out.version,
                out.verdict.as_str()
            );
            if !rows.is_empty() {
                text.push_str(&table(&["KIND", "OF", "VERDICT", "KEY", "DETAIL"], &rows));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
