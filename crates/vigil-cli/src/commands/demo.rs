//! `vigil demo`: builds an evidence store from the bundled demo data (five services of
//! one company with SBOMs made by syft, trivy and cdxgen, two environments, three months
//! of deployments, twelve real advisories, KEV and EPSS), replaying it in time order,
//! then shows the exposure and what to try next. The data and its expected answers are
//! in `demo/` at the repository root.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vigil_engine::{
    AdvisoryInput, AffectedReport, DeployInput, Engine, FindingQuery, FindingRow, FixedClock,
    ReleaseInput, ReleaseRef, Status,
};
use vigil_store::{Location, Store};

use crate::cli::DemoArgs;
use crate::output::{Format, print, print_json};

static SBOMS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../demo/sboms");
static ADVISORIES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../demo/advisories");
const DEPLOYMENTS: &str = include_str!("../../../../demo/deployments.json");
const KEV: &[u8] = include_bytes!("../../../../demo/kev.json");
const EPSS: &[u8] = include_bytes!("../../../../demo/epss.csv");

/// Marks a directory as a demo store, so that a later run may replace it.
const MARKER: &str = ".vigil-demo";

#[derive(Deserialize)]
struct Data {
    services: Vec<ServiceData>,
    applications: Vec<ApplicationData>,
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct ServiceData {
    name: String,
    owner: String,
    releases: Vec<ReleaseData>,
}

#[derive(Deserialize)]
struct ReleaseData {
    version: String,
    #[serde(with = "time::serde::rfc3339")]
    built: OffsetDateTime,
    sbom: String,
}

#[derive(Deserialize)]
struct ApplicationData {
    name: String,
    services: Vec<String>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    action: String,
    environment: String,
    service: String,
    version: Option<String>,
    actor: Option<String>,
}

/// One step of the replay, in time order.
enum Step<'a> {
    Release(&'a ServiceData, &'a ReleaseData),
    Event(&'a Event),
}

#[derive(Serialize)]
struct Demo {
    dir: String,
    status: Status,
    affected: AffectedReport,
    exposed: Vec<FindingRow>,
}

pub(crate) fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    prepare(&args.dir)?;
    let data: Data =
        serde_json::from_str(DEPLOYMENTS).context("reading the bundled demo/deployments.json")?;
    let first = data
        .events
        .iter()
        .map(|e| e.at)
        .min()
        .context("the demo has no events")?;
    let clock = Arc::new(FixedClock::new(first - time::Duration::hours(1)));
    let mut store = Store::open(&Location::Sqlite(args.dir.clone()))?;
    // Every event of the replay is ledgered and each commit signs a checkpoint, with a
    // key made in the demo directory.
    if let Some((key, _)) = vigil_engine::ledger::find_key(None, None, Some(&args.dir), true)? {
        store.set_ledger_signer(Some(vigil_engine::ledger::signer(
            key,
            None,
            std::time::Duration::ZERO,
        )));
    }
    let mut engine = Engine::with_clock(store, clock.clone());

    // Intelligence as it stood when recording began.
    let mut advisories = Vec::new();
    for file in ADVISORIES.files() {
        let json = file.contents().to_vec();
        let osv = vigil_osv::from_json(&json)
            .with_context(|| format!("bundled advisory {}", file.path().display()))?;
        advisories.push(AdvisoryInput {
            osv,
            json,
            source: Some(format!("demo/advisories/{}", file.path().display())),
        });
    }
    engine.import_advisories(advisories)?;
    engine.import_kev(KEV, Some("demo/kev.json"))?;
    engine.import_epss(EPSS, Some("demo/epss.csv"))?;

    // Releases as they were built and deployments as they happened, in time order.
    let mut steps: Vec<(OffsetDateTime, Step<'_>)> = Vec::new();
    for s in &data.services {
        for r in &s.releases {
            steps.push((r.built, Step::Release(s, r)));
        }
    }
    steps.extend(data.events.iter().map(|e| (e.at, Step::Event(e))));
    steps.sort_by_key(|(at, _)| *at);
    for (at, step) in &steps {
        clock.set(*at);
        match step {
            Step::Release(s, r) => {
                let name = r.sbom.trim_start_matches("sboms/");
                let sbom = SBOMS
                    .get_file(name)
                    .with_context(|| format!("the bundled SBOM {name}"))?;
                engine.add_release(&ReleaseInput {
                    service: &s.name,
                    version: &r.version,
                    sbom: sbom.contents(),
                    built_at: Some(r.built),
                    owner: Some(&s.owner),
                    builder: Some("demo"),
                    ..ReleaseInput::default()
                })?;
            }
            Step::Event(e) if e.action == "undeploy" => {
                engine.undeploy(
                    &e.environment,
                    &e.service,
                    e.actor.as_deref(),
                    Some("demo"),
                    Some(e.at),
                )?;
            }
            Step::Event(e) => {
                let version = e
                    .version
                    .as_deref()
                    .with_context(|| format!("demo event at {} has no version", e.at))?;
                engine.deploy(&DeployInput {
                    environment: &e.environment,
                    release: ReleaseRef::Version {
                        service: &e.service,
                        version,
                    },
                    actor: e.actor.as_deref(),
                    source: Some("demo"),
                    at: Some(e.at),
                })?;
            }
        }
    }
    for app in &data.applications {
        engine.add_application(&app.name, &app.services)?;
    }

    let demo = Demo {
        dir: args.dir.display().to_string(),
        status: engine.status(None)?,
        affected: engine.affected("CVE-2021-44228", false, None)?,
        exposed: engine.findings(&FindingQuery {
            environment: Some("production".into()),
            ..FindingQuery::default()
        })?,
    };
    match args.format {
        Format::Json => print_json(&demo)?,
        Format::Table => print(&render(&demo, &args.dir))?,
    }
    drop(engine);
    // JSON is for scripts, which want the command to end.
    if args.no_serve || args.format == Format::Json {
        return Ok(ExitCode::SUCCESS);
    }
    serve_console(args)?;
    Ok(ExitCode::SUCCESS)
}

/// Serves the web console on the demo store until Ctrl-C, with a new admin token to
/// sign in with. The scheduler's feeds are off: the demo works offline.
fn serve_console(args: &DemoArgs) -> anyhow::Result<()> {
    let mut store = Store::open(&Location::Sqlite(args.dir.clone()))?;
    let mut tx = store.write()?;
    let token = vigil_server::auth::create(
        &mut tx,
        "demo console",
        vigil_server::auth::Role::Admin,
        None,
        Some("vigil demo"),
        OffsetDateTime::now_utc(),
    )
    .map_err(|e| anyhow::anyhow!(e.message))?;
    tx.commit()?;
    drop(store);
    let mut config = vigil_server::config::Config {
        listen: args.listen.clone(),
        data_dir: args.dir.clone(),
        ..vigil_server::config::Config::default()
    };
    config.scheduler.osv_interval_secs = 0;
    config.scheduler.kev_interval_secs = 0;
    config.scheduler.epss_interval_secs = 0;
    config.log.level = "warn".to_owned();
    config.validate()?;
    vigil_server::logging::init(&config.log).map_err(|e| anyhow::anyhow!(e))?;
    let location = vigil_server::location(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let running = vigil_server::start(
            config,
            location,
            Arc::new(vigil_engine::SystemClock),
        )
        .await
        .with_context(|| {
            format!(
                "serving the console on {} (another program may hold the port: choose one with --listen, or skip it with --no-serve)",
                args.listen
            )
        })?;
        print(&format!(
            "\nThe web console: http://{}/\nSign in with this admin token (made for the demo; `vigil --data-dir {} token revoke {}` revokes it):\n\n    {}\n\nCtrl-C stops the console.\n",
            running.addr,
            args.dir.display(),
            token.id,
            token.token
        ))?;
        vigil_server::signal().await;
        running.shutdown().await.context("stopping the console")?;
        anyhow::Ok(())
    })
}

/// Makes `dir` an empty directory for the demo store, replacing an earlier demo but
/// nothing else.
fn prepare(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).is_file();
        let is_empty = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_none();
        if !is_demo && !is_empty {
            bail!(
                "{} exists and is not a Vigil demo store; choose another place with --dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "Built by `vigil demo`; the next `vigil demo` replaces this directory.\n",
    )
    .with_context(|| format!("writing {}", dir.display()))?;
    Ok(())
}

fn render(demo: &Demo, dir: &Path) -> String {
    let d = dir.display();
    let mut out = String::from(
        "Acme Outfitters: 5 services, 11 releases with SBOMs from syft, trivy and cdxgen, \
         2 environments,\n3 months of deployments and 12 real advisories, replayed into \
         a fresh store.\n\n",
    );
    out.push_str(&super::report::render_status(&demo.status));
    out.push_str("\nWhat runs in production and is affected now:\n\n");
    let rows: Vec<Vec<String>> = demo
        .exposed
        .iter()
        .map(|r| {
            vec![
                r.row.service.clone(),
                r.row.owner.clone().unwrap_or_default(),
                r.row.release.clone(),
                format!("{} {}", r.row.package, r.row.version),
                r.row.advisory_id.clone(),
                r.severity.to_owned(),
                if r.kev { "KEV".into() } else { "-".into() },
                r.row.fixed.clone().unwrap_or_else(|| "no fix yet".into()),
            ]
        })
        .collect();
    out.push_str(&crate::output::table(
        &[
            "SERVICE", "OWNER", "RELEASE", "PACKAGE", "ADVISORY", "SEVERITY", "KEV", "FIXED IN",
        ],
        &rows,
    ));
    out.push_str(&format!(
        "\nLog4Shell (CVE-2021-44228) runs in {} place{}: {}.\n",
        demo.affected.rows.len(),
        if demo.affected.rows.len() == 1 {
            ""
        } else {
            "s"
        },
        demo.affected
            .rows
            .iter()
            .map(|r| format!(
                "{} {} in {}",
                r.row.service,
                r.row.release,
                r.row.environment.as_deref().unwrap_or("-")
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str(&format!(
        "\nTry next (the store is in {d}):\n\
         \x20 vigil --data-dir {d} affected CVE-2021-44228          who runs Log4Shell, since when, the fix\n\
         \x20 vigil --data-dir {d} affected GO-2020-0017 --all-releases   an advisory with no fix yet\n\
         \x20 vigil --data-dir {d} findings --env production --kev  exploited in the wild, in production\n\
         \x20 vigil --data-dir {d} status --app storefront          exposure of one product\n\
         \x20 vigil --data-dir {d} release list                     what was built and where it runs\n\
         Then your own: vigil init; vigil release add --service S --version V --sbom bom.json; vigil feed sync\n"
    ));
    out
}
