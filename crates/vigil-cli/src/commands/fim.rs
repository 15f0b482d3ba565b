//! `vigil fim baseline|check`: file integrity of a release's deployed files.

use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use vigil_engine::runtime::{ReportInput, fim_issue};
use vigil_fim::{Changes, Manifest, Options};

use super::store;
use crate::cli::{FimBaselineArgs, FimCheckArgs, StoreArgs};
use crate::output::{Format, count, print, print_json};

fn options(threads: Option<usize>, exclude: &[String]) -> Options {
    let mut o = Options::default();
    if let Some(t) = threads {
        o.threads = t.max(1);
    }
    o.exclude = exclude.to_vec();
    o
}

#[derive(Serialize)]
struct Recorded {
    id: i64,
    service: String,
    version: String,
    root: String,
    manifest_sha256: String,
    entries: u64,
    files: u64,
    bytes: u64,
    seconds: f64,
}

pub(crate) fn baseline(s: &StoreArgs, args: &FimBaselineArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let manifest = vigil_fim::baseline(&args.path, &options(args.threads, &args.exclude))
        .with_context(|| format!("reading {}", args.path.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let json = manifest.to_json();
    if let Some(out) = &args.out {
        std::fs::write(out, &json).with_context(|| format!("writing {}", out.display()))?;
    }
    let totals = manifest.totals();
    let mut engine = store::engine(s)?;
    let id = engine.record_fim_baseline(
        &args.service,
        &args.version,
        &manifest.root,
        &json,
        i64::try_from(totals.files).unwrap_or(i64::MAX),
        i64::try_from(totals.bytes).unwrap_or(i64::MAX),
    )?;
    let r = Recorded {
        id,
        service: args.service.clone(),
        version: args.version.clone(),
        root: manifest.root.clone(),
        manifest_sha256: vigil_engine::sha256(&json),
        entries: totals.entries,
        files: totals.files,
        bytes: totals.bytes,
        seconds,
    };
    match args.format {
        Format::Json => print_json(&r)?,
        Format::Table => print(&format!(
            "Baseline {} of {} {} recorded: {} ({} in {}), {:.1} MB in {:.2} s ({:.0} MB/s); manifest sha256:{}.\n",
            r.id,
            r.service,
            r.version,
            r.root,
            count(usize::try_from(r.files).unwrap_or(usize::MAX), "file"),
            count(usize::try_from(r.entries).unwrap_or(usize::MAX), "entry"),
            r.bytes as f64 / 1e6,
            r.seconds,
            r.bytes as f64 / 1e6 / r.seconds.max(1e-9),
            r.manifest_sha256
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// This machine's name.
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A change as `POST /api/v1/fim/changes` takes it.
#[derive(Serialize)]
struct ChangeOut {
    path: String,
    change: &'static str,
    what: Vec<String>,
}

fn flatten(changes: &Changes) -> Vec<ChangeOut> {
    let mut out = Vec::with_capacity(changes.len());
    for e in &changes.added {
        out.push(ChangeOut {
            path: e.path.as_str().to_owned(),
            change: "added",
            what: Vec::new(),
        });
    }
    for e in &changes.removed {
        out.push(ChangeOut {
            path: e.path.as_str().to_owned(),
            change: "removed",
            what: Vec::new(),
        });
    }
    for c in &changes.changed {
        out.push(ChangeOut {
            path: c.path.as_str().to_owned(),
            change: "changed",
            what: c.what.iter().map(|a| a.name().to_owned()).collect(),
        });
    }
    out
}

#[derive(Serialize)]
struct Checked {
    clean: bool,
    changes: Vec<ChangeOut>,
    /// Where the changes were recorded, if anywhere.
    recorded: Option<String>,
}

pub(crate) fn check(s: &StoreArgs, args: &FimCheckArgs) -> anyhow::Result<ExitCode> {
    let manifest: Manifest = match (&args.baseline, &args.service, &args.version) {
        (Some(file), _, _) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            Manifest::from_json(&bytes, &vigil_fim::Limits::default())
                .with_context(|| format!("reading the manifest {}", file.display()))?
        }
        (None, Some(service), Some(version)) => {
            let mut engine = store::engine(s)?;
            let (_, bytes) = engine.fim_baseline(service, version)?.with_context(|| {
                format!("{service} {version} has no baseline: record one with `vigil fim baseline`")
            })?;
            Manifest::from_json(&bytes, &vigil_fim::Limits::default())
                .context("reading the stored baseline")?
        }
        _ => anyhow::bail!("name the baseline: --service and --version, or --baseline FILE"),
    };
    let mut opts = options(args.threads, &[]);
    opts.compare.mtime = args.mtime;
    let changes = vigil_fim::check(&args.path, &manifest, &opts)
        .with_context(|| format!("checking {}", args.path.display()))?;
    let list = flatten(&changes);
    // What was checked: changes another host of the service reports are its own.
    let source = format!("{}:{}", hostname(), manifest.root);
    let mut recorded = None;
    if let (Some(env), Some(service)) = (&args.env, &args.service) {
        match &args.server {
            Some(url) => {
                let token = args
                    .token
                    .as_deref()
                    .context("--server needs a token: set VIGIL_TOKEN (a publisher token)")?;
                let body = serde_json::json!({
                    "environment": env,
                    "service": service,
                    "version": args.version,
                    "tool": concat!("vigil fim ", env!("CARGO_PKG_VERSION")),
                    "source": source,
                    "changes": list,
                });
                let endpoint = format!("{}/api/v1/fim/changes", url.trim_end_matches('/'));
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(std::time::Duration::from_secs(60)))
                    .build()
                    .into();
                let mut response = agent
                    .post(&endpoint)
                    .header("Authorization", &format!("Bearer {token}"))
                    .header("Content-Type", "application/json")
                    .send(&serde_json::to_vec(&body)?[..])
                    .with_context(|| format!("sending the changes to {endpoint}"))?;
                let status = response.status().as_u16();
                if status != 200 {
                    let text = response.body_mut().read_to_string().unwrap_or_default();
                    anyhow::bail!("{endpoint} answered {status}: {text}");
                }
                recorded = Some(endpoint);
            }
            None => {
                let issues = list
                    .iter()
                    .map(|c| fim_issue(&c.path, c.change, &c.what))
                    .collect::<Result<Vec<_>, String>>()
                    .map_err(|e| anyhow::anyhow!(e))?;
                let mut engine = store::engine(s)?;
                engine.record_report(ReportInput {
                    kind: "fim",
                    tool: concat!("vigil fim ", env!("CARGO_PKG_VERSION")),
                    environment: env,
                    service,
                    version: args.version.as_deref(),
                    source: &source,
                    issues,
                    vulnerabilities: Vec::new(),
                })?;
                recorded = Some("the local store".to_owned());
            }
        }
    }
    let clean = changes.is_clean();
    let out = Checked {
        clean,
        changes: list,
        recorded,
    };
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table => {
            let mut text = if clean {
                format!("{}: no change since the baseline.\n", args.path.display())
            } else {
                format!(
                    "{}: {} added, {} removed, {} changed since the baseline.\n",
                    args.path.display(),
                    changes.added.len(),
                    changes.removed.len(),
                    changes.changed.len()
                )
            };
            for c in &out.changes {
                let what = if c.what.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", c.what.join(", "))
                };
                text.push_str(&format!("  {:<8} {}{what}\n", c.change, c.path));
            }
            if let Some(r) = &out.recorded {
                text.push_str(&format!("Recorded in {r}.\n"));
            }
            print(&text)?;
        }
    }
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
