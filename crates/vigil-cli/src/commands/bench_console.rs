//! `vigil bench --console --dir DIR`: times every page of the web console on a store
//! already built (by `vigil bench --dir DIR --keep`, or `vigil demo`), over HTTP from
//! a server started in this process, signed in as an admin (who sees the triage forms).
//! The dashboard is timed cold (its figures computed for the first request after a
//! change) and warm (kept); every other page is computed per request.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use vigil_store::{Location, Store};

use crate::output::{Format, print, print_json, table};

/// The target for every page.
const TARGET_MS: f64 = 50.0;

#[derive(Serialize)]
struct PageTiming {
    page: String,
    path: String,
    status: u16,
    bytes: usize,
    runs: usize,
    median_ms: f64,
    p95_ms: f64,
    max_ms: f64,
    met: bool,
}

#[derive(Serialize)]
struct ConsoleReport {
    store: String,
    releases: i64,
    open_findings: i64,
    running: i64,
    pages: Vec<PageTiming>,
    heaviest: Option<String>,
}

struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: String,
}

impl Client {
    fn get(&self, path: &str) -> anyhow::Result<(u16, String)> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .call()
            .with_context(|| format!("GET {path}"))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .with_context(|| format!("reading GET {path}"))?;
        Ok((status, body))
    }
}

/// The value of cookie `name` set by `response`.
fn set_cookie(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The value of the hidden `csrf` field of a form.
fn csrf_field(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

fn sign_in(base: &str, token: &str) -> anyhow::Result<Client> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into();
    let mut form = agent.get(format!("{base}/login")).call()?;
    let login_cookie = set_cookie(&form, "vigil_login").context("no sign-in cookie")?;
    let html = form.body_mut().read_to_string()?;
    let csrf = csrf_field(&html).context("no CSRF field on the sign-in form")?;
    let signed = agent
        .post(format!("{base}/login"))
        .header("Cookie", &format!("vigil_login={login_cookie}"))
        .send_form([("token", token), ("csrf", csrf.as_str()), ("next", "/")])?;
    let session = set_cookie(&signed, "vigil_session")
        .with_context(|| format!("signing in answered {}", signed.status()))?;
    Ok(Client {
        agent,
        base: base.to_owned(),
        cookie: format!("vigil_session={session}"),
    })
}

fn time_page(client: &Client, page: &str, path: &str, runs: usize) -> anyhow::Result<PageTiming> {
    let mut times = Vec::with_capacity(runs);
    let mut last = (0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        let (status, body) = client.get(path)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        if status != 200 {
            bail!("GET {path} answered {status}, not 200: a page that fails is not timed");
        }
        last = (status, body.len());
    }
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(i).copied().unwrap_or(0.0)
    };
    let median = pick(0.5);
    Ok(PageTiming {
        page: page.to_owned(),
        path: path.to_owned(),
        status: last.0,
        bytes: last.1,
        runs,
        median_ms: median,
        p95_ms: pick(0.95),
        max_ms: times.last().copied().unwrap_or(0.0),
        met: median < TARGET_MS,
    })
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn run(dir: &Path, repetitions: usize, format: Format) -> anyhow::Result<ExitCode> {
    if !dir.join(vigil_store::SQLITE_FILE_NAME).is_file() {
        bail!(
            "{} holds no store: build one first with `vigil bench --dir {} --keep` (or `vigil demo --dir {} --no-serve`)",
            dir.display(),
            dir.display(),
            dir.display()
        );
    }
    let location = Location::Sqlite(dir.to_path_buf());
    let mut store = Store::open(&location)?;
    // What to ask for: the advisory with the most open findings in what runs, the
    // release with the most components, and the service and environment of the first.
    let (counts, advisory, release, scope) = {
        let mut tx = store.read()?;
        let counts = tx.counts()?;
        let mut per_advisory: std::collections::HashMap<String, i64> = Default::default();
        let mut first_scope = None;
        for x in tx.exposure()? {
            *per_advisory.entry(x.advisory_id.clone()).or_default() += x.findings;
            first_scope.get_or_insert((x.environment.clone(), x.service.clone()));
        }
        let advisory = per_advisory
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(id, _)| id);
        let release = tx
            .releases(None)?
            .into_iter()
            .max_by_key(|r| (r.components, std::cmp::Reverse(r.id)))
            .map(|r| r.id);
        (counts, advisory, release, first_scope)
    };
    let token = {
        let mut tx = store.write()?;
        let made = vigil_server::auth::create(
            &mut tx,
            "bench console",
            vigil_server::auth::Role::Admin,
            None,
            Some("vigil bench --console"),
            time::OffsetDateTime::now_utc(),
        )
        .map_err(|e| anyhow::anyhow!(e.message))?;
        tx.commit()?;
        made
    };
    let mut config = vigil_server::config::Config {
        listen: "127.0.0.1:0".to_owned(),
        data_dir: dir.to_path_buf(),
        ..vigil_server::config::Config::default()
    };
    config.scheduler.osv_interval_secs = 0;
    config.scheduler.kev_interval_secs = 0;
    config.scheduler.epss_interval_secs = 0;
    config.response.sweep_interval_secs = 0;
    // No rate limit in the way of the repetitions.
    config.api.rate_limit_per_second = 100_000;
    config.api.rate_limit_burst = 100_000;
    config.validate()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let running = runtime
        .block_on(vigil_server::start(
            config,
            location.clone(),
            Arc::new(vigil_engine::SystemClock),
        ))
        .context("starting the server")?;
    let base = format!("http://{}", running.addr);
    let result = (|| {
        let client = sign_in(&base, &token.token)?;
        let mut pages = Vec::new();
        eprintln!("console bench: timing the dashboard cold, then every page {repetitions} times");
        pages.push(time_page(
            &client,
            "dashboard, cold (figures computed)",
            "/",
            1,
        )?);
        let mut plan: Vec<(String, String)> = vec![("dashboard, warm".into(), "/".into())];
        if let Some(a) = &advisory {
            plan.push((format!("search {a}"), format!("/search?q={}", enc(a))));
        }
        plan.push(("services × environments, page 1".into(), "/services".into()));
        if let Some(id) = release {
            plan.push((
                format!("release {id} (most components)"),
                format!("/releases/{id}"),
            ));
        }
        plan.push(("findings, no filter".into(), "/findings".into()));
        if let Some((env, service)) = &scope {
            plan.push((
                format!("findings of {service} in {env}"),
                format!(
                    "/findings?environment={}&service={}",
                    enc(env),
                    enc(service)
                ),
            ));
        }
        plan.push((
            "findings, critical and KEV".into(),
            "/findings?min_severity=critical&kev=on".into(),
        ));
        plan.push(("ledger".into(), "/ledger".into()));
        plan.push((
            "ledger, inclusion proof of leaf 0".into(),
            "/ledger?event=0".into(),
        ));
        for (name, path) in &plan {
            eprintln!("console bench: {name}");
            pages.push(time_page(&client, name, path, repetitions.max(1))?);
        }
        anyhow::Ok(pages)
    })();
    runtime.block_on(running.shutdown()).ok();
    {
        let mut tx = store.write()?;
        tx.revoke_token(&token.id, time::OffsetDateTime::now_utc())?;
        tx.commit()?;
    }
    let pages = result?;
    let heaviest = pages
        .iter()
        .filter(|p| !p.page.contains("cold"))
        .max_by(|a, b| a.median_ms.total_cmp(&b.median_ms))
        .map(|p| p.page.clone());
    let report = ConsoleReport {
        store: dir.display().to_string(),
        releases: counts.releases,
        open_findings: counts.open_findings,
        running: counts.running,
        pages,
        heaviest,
    };
    match format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = report
                .pages
                .iter()
                .map(|p| {
                    vec![
                        p.page.clone(),
                        p.status.to_string(),
                        format!("{:.1} KB", p.bytes as f64 / 1024.0),
                        format!("{:.1}", p.median_ms),
                        format!("{:.1}", p.p95_ms),
                        format!("{:.1}", p.max_ms),
                        if p.met { "met" } else { "MISSED" }.to_owned(),
                    ]
                })
                .collect();
            print(&format!(
                "Console pages on {} ({} releases, {} open findings, {} running), over HTTP on localhost:\n\n{}\nTarget: every page under {TARGET_MS} ms (median). Heaviest warm page: {}.\n",
                report.store,
                report.releases,
                report.open_findings,
                report.running,
                table(
                    &[
                        "PAGE",
                        "STATUS",
                        "SIZE",
                        "MEDIAN MS",
                        "P95 MS",
                        "MAX MS",
                        "< 50 MS"
                    ],
                    &rows
                ),
                report.heaviest.as_deref().unwrap_or("none")
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
