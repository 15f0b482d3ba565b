//! The benchmark run: a store is opened (SQLite in a directory, or a fresh schema of a
//! PostgreSQL database), the portfolio is loaded through the engine's own operations,
//! and what a user waits for is timed with `Instant`: an advisory arriving, `affected`,
//! a release ingested, a full rematch; with the sizes reached and the peak memory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use vigil_engine::{DeployInput, Engine, ReleaseInput, ReleaseRef};
use vigil_store::{Location, Store};

use crate::error::{BenchError, Result};
use crate::measure::{Summary, dir_bytes, median, peak_rss_bytes};
use crate::osv::{self, Kind, Synthetic};
use crate::portfolio::{Portfolio, PortfolioConfig, ReleasePlan, Usage};

/// Where the benchmark's store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreTarget {
    /// SQLite in `dir`, or in a new temporary directory when `None`.
    Sqlite { dir: Option<PathBuf> },
    /// PostgreSQL at `url`, in `schema` or a new uniquely named one.
    Postgres { url: String, schema: Option<String> },
}

impl Serialize for StoreTarget {
    // A database URL can carry a password: only the backend, directory and schema show.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            backend: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            dir: Option<&'a Path>,
            #[serde(skip_serializing_if = "Option::is_none")]
            schema: Option<&'a str>,
        }
        match self {
            StoreTarget::Sqlite { dir } => Shown {
                backend: "sqlite",
                dir: dir.as_deref(),
                schema: None,
            },
            StoreTarget::Postgres { schema, .. } => Shown {
                backend: "postgres",
                dir: None,
                schema: schema.as_deref(),
            },
        }
        .serialize(s)
    }
}

/// What to generate and measure.
#[derive(Clone, Debug, Serialize)]
pub struct BenchConfig {
    pub seed: u64,
    pub services: usize,
    /// Releases in all, spread evenly over the services.
    pub releases: usize,
    /// Components of each release's SBOM, besides the product itself.
    pub components_per_release: usize,
    /// Distinct package versions the releases draw from.
    pub package_pool: usize,
    /// Advisories in all: the real ones read from `real_advisories`, then synthetic ones
    /// up to this number.
    pub advisories: usize,
    /// The share of synthetic advisories built to affect a package version some release
    /// contains.
    pub hit_fraction: f64,
    /// A directory holding `osv-db-go`, `osv-db-pypa`, `osv-db-rustsec` (the conformance
    /// data); none read when `None`.
    pub real_advisories: Option<PathBuf>,
    pub store: StoreTarget,
    /// Repetitions of each timed operation.
    pub repetitions: usize,
    /// Components of the release whose ingest is timed.
    pub fresh_components: usize,
    /// Whether to time a full rematch (the longest measurement).
    pub rematch: bool,
    /// Keep the store afterwards (a temporary directory or a generated schema is
    /// otherwise removed).
    pub keep: bool,
    /// Advisories per `import_advisories` call while loading.
    pub advisory_batch: usize,
}

impl Default for BenchConfig {
    /// The full scale: 10,000 releases of 500 components over 1,000 services, a pool of
    /// 200,000 package versions, 100,000 advisories.
    fn default() -> Self {
        BenchConfig {
            seed: 1,
            services: 1_000,
            releases: 10_000,
            components_per_release: 500,
            package_pool: 200_000,
            advisories: 100_000,
            hit_fraction: 0.05,
            real_advisories: std::env::var_os("VIGIL_CONFORMANCE_DATA").map(PathBuf::from),
            store: StoreTarget::Sqlite { dir: None },
            repetitions: 20,
            fresh_components: 1_000,
            rematch: true,
            keep: false,
            advisory_batch: 500,
        }
    }
}

impl BenchConfig {
    /// The same run at `1/divisor` of the default scale (at least one service, release,
    /// component and advisory each).
    pub fn scaled(divisor: usize) -> BenchConfig {
        let d = divisor.max(1);
        let full = BenchConfig::default();
        BenchConfig {
            services: (full.services / d).max(1),
            releases: (full.releases / d).max(1),
            package_pool: (full.package_pool / d).max(1_000),
            advisories: (full.advisories / d).max(1),
            ..full
        }
    }

    fn portfolio(&self) -> PortfolioConfig {
        PortfolioConfig {
            seed: self.seed,
            services: self.services,
            releases: self.releases,
            components_per_release: self.components_per_release,
            package_pool: self.package_pool,
        }
    }

    fn check(&self) -> Result<()> {
        let bad = |what: String| Err(BenchError::Config(what));
        if self.services == 0 || self.releases < self.services {
            return bad(format!(
                "{} releases over {} services: give at least one release per service",
                self.releases, self.services
            ));
        }
        if self.components_per_release == 0 || self.package_pool < self.components_per_release * 2 {
            return bad(format!(
                "a pool of {} package versions cannot fill releases of {} components; give a pool at least twice as large",
                self.package_pool, self.components_per_release
            ));
        }
        if !(0.0..=1.0).contains(&self.hit_fraction) {
            return bad(format!(
                "hit_fraction {} is not between 0 and 1",
                self.hit_fraction
            ));
        }
        if self.repetitions == 0 || self.advisory_batch == 0 {
            return bad("repetitions and advisory_batch must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// How much the store holds after the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Sizes {
    pub services: i64,
    pub releases: i64,
    pub release_packages: i64,
    /// Distinct package versions stored (the pool entries some release uses).
    pub package_versions: i64,
    pub advisories: i64,
    pub findings: i64,
    pub open_findings: i64,
    pub deployments: i64,
    pub running: i64,
    /// Package versions in the generated pool.
    pub pool_package_versions: usize,
    /// Of those, in at least one release.
    pub pool_used: usize,
    /// Real advisories read (and rejected) from the data directory.
    pub real_advisories: usize,
    pub real_rejected: usize,
    /// Synthetic advisories built to hit, and the findings they were built to give.
    pub hit_advisories: usize,
    pub expected_hit_findings: u64,
    /// Mean SBOM document size, bytes.
    pub sbom_mean_bytes: u64,
    /// The database on disk: SQLite's files, or PostgreSQL's relations in the schema.
    pub database_bytes: Option<u64>,
}

/// How long loading took.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LoadTimes {
    /// Generating the portfolio and counting its usage (no documents).
    pub generate_s: f64,
    pub advisories_s: f64,
    pub releases_s: f64,
    pub deployments_s: f64,
    pub total_s: f64,
    /// Each `add_release` of the load.
    pub release: Summary,
    /// Parsing the same SBOM (`vigil_sbom::parse` and package identities) alone, for
    /// every 20th release: the part of `release` that is not store or matching.
    pub release_parse: Summary,
    /// Each `deploy`.
    pub deploy: Summary,
}

/// A timed question with the size of its answers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct QueryTiming {
    #[serde(flatten)]
    pub time: Summary,
    /// The ids asked about.
    pub advisories: Vec<String>,
    /// Median rows (for `affected`) or new findings (for an arriving advisory).
    pub median_rows: usize,
    pub max_rows: usize,
    /// For an arriving advisory: median deployed releases newly exposed.
    pub median_exposures: usize,
}

/// The ingest of fresh releases.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestTiming {
    #[serde(flatten)]
    pub time: Summary,
    pub components: usize,
    pub sbom_bytes: usize,
    /// Parsing alone, on the same documents.
    pub parse: Summary,
    pub median_findings: usize,
}

/// The full rematch.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RematchTiming {
    pub seconds: f64,
    pub advisories: usize,
    pub findings: usize,
    pub new_findings: usize,
    pub resolved: usize,
}

/// A figure against its target.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub what: &'static str,
    pub figure: f64,
    pub target: f64,
    pub unit: &'static str,
    pub met: bool,
}

/// Everything measured.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub backend: String,
    pub config: BenchConfig,
    pub sizes: Sizes,
    pub load: LoadTimes,
    pub new_advisory: QueryTiming,
    pub affected: QueryTiming,
    pub ingest: IngestTiming,
    pub rematch: Option<RematchTiming>,
    pub peak_rss_bytes: Option<u64>,
    /// Medians against the targets.
    pub targets: Vec<Target>,
}

/// An opened store and how to clean it up.
struct Opened {
    location: Location,
    _temp: Option<tempfile::TempDir>,
    drop_schema: Option<(String, String)>,
}

impl Drop for Opened {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.drop_schema
            && let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

fn open(config: &BenchConfig) -> Result<Opened> {
    Ok(match &config.store {
        StoreTarget::Sqlite { dir: Some(dir) } => Opened {
            location: Location::Sqlite(dir.clone()),
            _temp: None,
            drop_schema: None,
        },
        StoreTarget::Sqlite { dir: None } => {
            let temp = tempfile::Builder::new()
                .prefix("vigil-bench-")
                .tempdir()
                .map_err(BenchError::io(
                    "creating a temporary directory for the store",
                ))?;
            let location = Location::Sqlite(temp.path().to_path_buf());
            let temp = if config.keep {
                let _ = temp.keep();
                None
            } else {
                Some(temp)
            };
            Opened {
                location,
                _temp: temp,
                drop_schema: None,
            }
        }
        StoreTarget::Postgres { url, schema } => {
            let (schema, generated) = match schema {
                Some(s) => (s.clone(), false),
                None => (vigil_store::testing::unique_name("bench"), true),
            };
            Opened {
                location: Location::Postgres {
                    url: url.clone(),
                    schema: Some(schema.clone()),
                },
                _temp: None,
                drop_schema: (generated && !config.keep).then(|| (url.clone(), schema)),
            }
        }
    })
}

/// Prints a line of progress; a closed output does not stop the benchmark.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
        let _ = $out.flush();
    }};
}

/// Runs the benchmark (see the module documentation), printing progress and the
/// figures to `out`.
pub fn run(config: &BenchConfig, out: &mut dyn Write) -> Result<BenchReport> {
    config.check()?;
    let opened = open(config)?;
    let store = Store::open(&opened.location)?;
    let backend = store.backend().to_string();
    let mut engine = Engine::new(store);
    engine.limits.advisory_batch = config.advisory_batch;
    say!(
        out,
        "vigil bench on {backend}: {} releases x {} components over {} services, pool {} package versions, {} advisories, seed {}",
        config.releases,
        config.components_per_release,
        config.services,
        config.package_pool,
        config.advisories,
        config.seed
    );
    if let Location::Sqlite(dir) = &opened.location {
        say!(out, "store: {}", dir.display());
    }

    let started = Instant::now();
    let portfolio = Portfolio::generate(&config.portfolio());
    let usage = Usage::of(&portfolio);
    let mut load = LoadTimes {
        generate_s: started.elapsed().as_secs_f64(),
        ..LoadTimes::default()
    };
    let mut sizes = Sizes {
        pool_package_versions: portfolio.pool.len(),
        pool_used: usage.distinct(),
        ..Sizes::default()
    };
    say!(
        out,
        "generated the plan in {:.1} s: {} release packages, {} of {} pool versions used",
        load.generate_s,
        usage.release_packages,
        sizes.pool_used,
        sizes.pool_package_versions
    );

    let popular = load_advisories(
        config,
        &portfolio,
        &usage,
        &mut engine,
        &mut load,
        &mut sizes,
        out,
    )?;
    load_releases(&portfolio, &mut engine, &mut load, &mut sizes, out)?;
    load_deployments(&portfolio, &mut engine, &mut load, out)?;
    load.total_s = started.elapsed().as_secs_f64();
    say!(out, "loaded in {:.1} s", load.total_s);

    let new_advisory = time_arriving(config, &portfolio, &usage, &mut engine, out)?;
    let mut asked: Vec<String> = new_advisory.advisories.iter().take(3).cloned().collect();
    asked.extend(popular.into_iter().take(3));
    let affected = time_affected(config, &asked, &mut engine, out)?;
    let ingest = time_ingest(config, &portfolio, &mut engine, out)?;
    let rematch = if config.rematch {
        Some(time_rematch(&mut engine, out)?)
    } else {
        None
    };

    let counts = engine.store().read()?.counts()?;
    sizes.services = counts.services;
    sizes.releases = counts.releases;
    sizes.release_packages = counts.release_packages;
    sizes.package_versions = counts.package_versions;
    sizes.advisories = counts.advisories;
    sizes.findings = counts.findings;
    sizes.open_findings = counts.open_findings;
    sizes.deployments = counts.deployments;
    sizes.running = counts.running;
    sizes.database_bytes = database_bytes(&opened.location);
    drop(engine);

    let peak = peak_rss_bytes();
    let mut targets = vec![
        target(
            "new advisory: import, match, exposures",
            new_advisory.time.median_ms,
            10.0,
            "ms",
        ),
        target("affected(ID)", affected.time.median_ms, 50.0, "ms"),
        target(
            "add_release of a 1,000-component SBOM",
            ingest.time.median_ms,
            100.0,
            "ms",
        ),
    ];
    if let Some(r) = &rematch {
        targets.push(target("full rematch", r.seconds, 60.0, "s"));
    }
    if let Some(p) = peak {
        targets.push(target(
            "peak resident memory",
            p as f64 / (1u64 << 30) as f64,
            2.0,
            "GiB",
        ));
    }
    let report = BenchReport {
        backend,
        config: config.clone(),
        sizes,
        load,
        new_advisory,
        affected,
        ingest,
        rematch,
        peak_rss_bytes: peak,
        targets,
    };
    print_summary(&report, out);
    Ok(report)
}

fn target(what: &'static str, figure: f64, target: f64, unit: &'static str) -> Target {
    Target {
        what,
        figure,
        target,
        unit,
        met: figure < target,
    }
}

/// Imports the real advisories, then the synthetic ones, in batches; returns the ids of
/// the hit advisories expected to give the most findings.
fn load_advisories(
    config: &BenchConfig,
    portfolio: &Portfolio,
    usage: &Usage,
    engine: &mut Engine,
    load: &mut LoadTimes,
    sizes: &mut Sizes,
    out: &mut dyn Write,
) -> Result<Vec<String>> {
    let started = Instant::now();
    let mut imported = 0;
    if let Some(dir) = &config.real_advisories {
        let real = osv::real(dir)?;
        sizes.real_advisories = real.inputs.len();
        sizes.real_rejected = real.rejected;
        say!(
            out,
            "real advisories: {} read from {} ({} rejected)",
            real.inputs.len(),
            dir.display(),
            real.rejected
        );
        let mut inputs = real.inputs;
        while !inputs.is_empty() {
            let rest = inputs.split_off(inputs.len().min(config.advisory_batch));
            let batch = std::mem::replace(&mut inputs, rest);
            imported += batch.len();
            engine
                .import_advisories(batch)
                .map_err(BenchError::engine("importing real advisories"))?;
        }
    }
    let synthetic = config.advisories.saturating_sub(imported);
    let every = (synthetic / 10).max(config.advisory_batch);
    let mut popular: Vec<(u64, String)> = Vec::new();
    let mut batch = Vec::with_capacity(config.advisory_batch);
    let mut done = 0;
    for generated in Synthetic::new(portfolio, usage, synthetic, config.hit_fraction) {
        let g = generated?;
        if g.kind == Kind::Hit {
            sizes.hit_advisories += 1;
            sizes.expected_hit_findings += g.expected_findings;
            popular.push((g.expected_findings, g.input.osv.id.as_str().to_owned()));
            if popular.len() > 64 {
                popular.sort_by(|a, b| b.cmp(a));
                popular.truncate(8);
            }
        }
        batch.push(g.input);
        if batch.len() == config.advisory_batch {
            done += batch.len();
            engine
                .import_advisories(std::mem::take(&mut batch))
                .map_err(BenchError::engine("importing synthetic advisories"))?;
            if done % every < config.advisory_batch {
                say!(
                    out,
                    "advisories: {}/{} synthetic, {:.1} s",
                    done,
                    synthetic,
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    if !batch.is_empty() {
        engine
            .import_advisories(batch)
            .map_err(BenchError::engine("importing synthetic advisories"))?;
    }
    load.advisories_s = started.elapsed().as_secs_f64();
    say!(
        out,
        "advisories: {} imported in {:.1} s ({} built to hit, expecting {} findings)",
        imported + synthetic,
        load.advisories_s,
        sizes.hit_advisories,
        sizes.expected_hit_findings
    );
    popular.sort_by(|a, b| b.cmp(a));
    Ok(popular.into_iter().map(|(_, id)| id).collect())
}

/// The inputs `add_release` gets for a planned release.
fn release_input<'a>(
    portfolio: &'a Portfolio,
    plan: &'a ReleasePlan,
    sbom: &'a [u8],
    digest: &'a str,
    commit: &'a str,
    repository: &'a str,
) -> ReleaseInput<'a> {
    let service = &portfolio.services[plan.service];
    ReleaseInput {
        service: &service.name,
        version: &plan.version,
        sbom,
        digests: vec![digest.to_owned()],
        commit: Some(commit),
        repository: Some(repository),
        builder: Some("github-actions"),
        built_at: Some(plan.built_at),
        owner: Some(&service.owner),
        signatures: Default::default(),
    }
}

/// Provenance of a planned release: its artifact digest, commit and repository.
fn provenance(portfolio: &Portfolio, plan: &ReleasePlan) -> (String, String, String) {
    let service = &portfolio.services[plan.service];
    let id = format!(
        "{}@{}#{}",
        service.name, plan.version, portfolio.config.seed
    );
    let digest = format!("sha256:{}", vigil_engine::sha256(id.as_bytes()));
    let commit = vigil_engine::sha256(format!("commit {id}").as_bytes())[..40].to_owned();
    let repository = format!("https://git.example.com/apps/{}", service.name);
    (digest, commit, repository)
}

fn load_releases(
    portfolio: &Portfolio,
    engine: &mut Engine,
    load: &mut LoadTimes,
    sizes: &mut Sizes,
    out: &mut dyn Write,
) -> Result<()> {
    let started = Instant::now();
    let total = portfolio.config.releases;
    let every = (total / 20).max(1);
    let mut sbom = Vec::new();
    let mut times = Vec::with_capacity(total);
    let mut parse_times = Vec::new();
    let mut bytes = 0u64;
    for (n, plan) in portfolio.releases().enumerate() {
        crate::cyclonedx::write(portfolio, &plan, &mut sbom)?;
        bytes += sbom.len() as u64;
        if n % 20 == 0 {
            parse_times.push(time_parse(&sbom)?);
        }
        let (digest, commit, repository) = provenance(portfolio, &plan);
        let input = release_input(portfolio, &plan, &sbom, &digest, &commit, &repository);
        let t = Instant::now();
        engine
            .add_release(&input)
            .map_err(BenchError::engine(format!(
                "adding {} {}",
                input.service, input.version
            )))?;
        times.push(t.elapsed());
        if (n + 1) % every == 0 || n + 1 == total {
            let recent = Summary::of(&times[times.len().saturating_sub(every)..]);
            say!(
                out,
                "releases: {}/{} in {:.1} s, last {}: median {:.1} ms, p95 {:.1} ms",
                n + 1,
                total,
                started.elapsed().as_secs_f64(),
                every.min(n + 1),
                recent.median_ms,
                recent.p95_ms
            );
        }
    }
    load.releases_s = started.elapsed().as_secs_f64();
    load.release = Summary::of(&times);
    load.release_parse = Summary::of(&parse_times);
    sizes.sbom_mean_bytes = bytes / times.len().max(1) as u64;
    Ok(())
}

/// Parsing alone: the SBOM read and every package's identity worked out, as
/// `add_release` does before it touches the store.
fn time_parse(sbom: &[u8]) -> Result<Duration> {
    let t = Instant::now();
    let bom = vigil_sbom::parse(sbom).map_err(|e| BenchError::Generated {
        what: "SBOM".to_owned(),
        reason: e.to_string(),
    })?;
    let packages = vigil_match::scan::packages(&bom);
    std::hint::black_box(&packages);
    Ok(t.elapsed())
}

fn load_deployments(
    portfolio: &Portfolio,
    engine: &mut Engine,
    load: &mut LoadTimes,
    out: &mut dyn Write,
) -> Result<()> {
    let started = Instant::now();
    let plans = portfolio.deployments();
    let mut times = Vec::with_capacity(plans.len());
    for d in &plans {
        let service = &portfolio.services[d.service].name;
        let t = Instant::now();
        engine
            .deploy(&DeployInput {
                environment: d.environment,
                release: ReleaseRef::Version {
                    service,
                    version: &d.version,
                },
                actor: Some("argocd"),
                source: Some("vigil-bench"),
                at: Some(d.at),
            })
            .map_err(BenchError::engine(format!(
                "deploying {service} {} to {}",
                d.version, d.environment
            )))?;
        times.push(t.elapsed());
    }
    load.deployments_s = started.elapsed().as_secs_f64();
    load.deploy = Summary::of(&times);
    say!(
        out,
        "deployments: {} in {:.1} s (median {:.1} ms)",
        plans.len(),
        load.deployments_s,
        load.deploy.median_ms
    );
    Ok(())
}

/// New advisories, one per repetition, each on one of the portfolio's most used
/// packages (every third of the most used, so repetitions spread over the head).
fn time_arriving(
    config: &BenchConfig,
    portfolio: &Portfolio,
    usage: &Usage,
    engine: &mut Engine,
    out: &mut dyn Write,
) -> Result<QueryTiming> {
    let top = osv::most_used(portfolio, usage);
    let mut times = Vec::new();
    let mut findings = Vec::new();
    let mut exposures = Vec::new();
    let mut ids = Vec::new();
    for n in 0..config.repetitions {
        let Some(&(package, _)) = top.get((n * 3) % top.len().max(1)) else {
            break;
        };
        let input = osv::arriving(portfolio, package, n, OffsetDateTime::now_utc())?;
        ids.push(input.osv.id.as_str().to_owned());
        let t = Instant::now();
        let outcome = engine
            .import_advisories(vec![input])
            .map_err(BenchError::engine("importing an arriving advisory"))?;
        times.push(t.elapsed());
        findings.push(outcome.new_findings);
        exposures.push(outcome.exposures.len());
    }
    let timing = QueryTiming {
        time: Summary::of(&times),
        advisories: ids,
        median_rows: median(&findings),
        max_rows: findings.iter().copied().max().unwrap_or(0),
        median_exposures: median(&exposures),
    };
    say!(
        out,
        "new advisory arriving: median {:.2} ms, p95 {:.2} ms over {} (median {} new findings, max {}, median {} exposures)",
        timing.time.median_ms,
        timing.time.p95_ms,
        timing.time.samples,
        timing.median_rows,
        timing.max_rows,
        timing.median_exposures
    );
    Ok(timing)
}

fn time_affected(
    config: &BenchConfig,
    ids: &[String],
    engine: &mut Engine,
    out: &mut dyn Write,
) -> Result<QueryTiming> {
    let mut times = Vec::new();
    let mut rows = Vec::new();
    if !ids.is_empty() {
        for n in 0..config.repetitions.max(ids.len()) {
            let id = &ids[n % ids.len()];
            let t = Instant::now();
            let report = engine
                .affected(id, false, None)
                .map_err(BenchError::engine(format!("asking affected {id}")))?;
            times.push(t.elapsed());
            rows.push(report.rows.len());
        }
    }
    let timing = QueryTiming {
        time: Summary::of(&times),
        advisories: ids.to_vec(),
        median_rows: median(&rows),
        max_rows: rows.iter().copied().max().unwrap_or(0),
        median_exposures: 0,
    };
    say!(
        out,
        "affected(ID): median {:.2} ms, p95 {:.2} ms over {} (median {} rows, max {})",
        timing.time.median_ms,
        timing.time.p95_ms,
        timing.time.samples,
        timing.median_rows,
        timing.max_rows
    );
    Ok(timing)
}

fn time_ingest(
    config: &BenchConfig,
    portfolio: &Portfolio,
    engine: &mut Engine,
    out: &mut dyn Write,
) -> Result<IngestTiming> {
    let mut times = Vec::new();
    let mut parse_times = Vec::new();
    let mut findings = Vec::new();
    let mut sbom = Vec::new();
    let mut bytes = 0;
    for n in 0..config.repetitions {
        let service = (n * 7919) % portfolio.services.len();
        let plan = portfolio.fresh_release(service, config.fresh_components, n);
        crate::cyclonedx::write(portfolio, &plan, &mut sbom)?;
        bytes = sbom.len();
        parse_times.push(time_parse(&sbom)?);
        let (digest, commit, repository) = provenance(portfolio, &plan);
        let input = release_input(portfolio, &plan, &sbom, &digest, &commit, &repository);
        let t = Instant::now();
        let outcome = engine
            .add_release(&input)
            .map_err(BenchError::engine(format!(
                "adding {} {}",
                input.service, input.version
            )))?;
        times.push(t.elapsed());
        findings.push(outcome.findings);
    }
    let timing = IngestTiming {
        time: Summary::of(&times),
        components: config.fresh_components,
        sbom_bytes: bytes,
        parse: Summary::of(&parse_times),
        median_findings: median(&findings),
    };
    say!(
        out,
        "ingest of a {}-component SBOM ({} KB): median {:.1} ms, p95 {:.1} ms over {} (parsing alone: median {:.1} ms; median {} findings)",
        timing.components,
        timing.sbom_bytes / 1024,
        timing.time.median_ms,
        timing.time.p95_ms,
        timing.time.samples,
        timing.parse.median_ms,
        timing.median_findings
    );
    Ok(timing)
}

fn time_rematch(engine: &mut Engine, out: &mut dyn Write) -> Result<RematchTiming> {
    let t = Instant::now();
    let mut next_tenth = 1;
    let outcome = engine
        .rematch(&mut |done, total| {
            if total > 0 && done * 10 >= next_tenth * total {
                next_tenth = done * 10 / total + 1;
                say!(
                    out,
                    "rematch: {done}/{total} advisories, {:.1} s",
                    t.elapsed().as_secs_f64()
                );
            }
        })
        .map_err(BenchError::engine("rematching"))?;
    let timing = RematchTiming {
        seconds: t.elapsed().as_secs_f64(),
        advisories: outcome.advisories,
        findings: outcome.findings,
        new_findings: outcome.new_findings,
        resolved: outcome.resolved,
    };
    say!(
        out,
        "full rematch: {:.1} s ({} advisories, {} findings, {} new, {} resolved)",
        timing.seconds,
        timing.advisories,
        timing.findings,
        timing.new_findings,
        timing.resolved
    );
    Ok(timing)
}

fn database_bytes(location: &Location) -> Option<u64> {
    match location {
        Location::Sqlite(dir) => dir_bytes(dir),
        Location::Postgres { url, schema } => {
            let mut client = postgres::Client::connect(url, postgres::NoTls).ok()?;
            let row = client
                .query_one(
                    "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = $1 AND c.relkind = 'r'",
                    &[&schema.as_deref().unwrap_or("public")],
                )
                .ok()?;
            u64::try_from(row.get::<_, i64>(0)).ok()
        }
    }
}

fn print_summary(r: &BenchReport, out: &mut dyn Write) {
    let s = &r.sizes;
    say!(out, "\nsizes:");
    say!(
        out,
        "  releases {}  release packages {}  package versions {}  advisories {}  findings {} ({} open)  deployments {}  running {}",
        s.releases,
        s.release_packages,
        s.package_versions,
        s.advisories,
        s.findings,
        s.open_findings,
        s.deployments,
        s.running
    );
    say!(
        out,
        "  database {}  mean SBOM {} KB",
        s.database_bytes.map_or_else(
            || "unknown".to_owned(),
            |b| format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64)
        ),
        s.sbom_mean_bytes / 1024
    );
    let l = &r.load;
    say!(
        out,
        "load: {:.1} s (advisories {:.1} s, releases {:.1} s, deployments {:.1} s); add_release median {:.1} ms, p95 {:.1} ms, of which parsing about {:.1} ms",
        l.total_s,
        l.advisories_s,
        l.releases_s,
        l.deployments_s,
        l.release.median_ms,
        l.release.p95_ms,
        l.release_parse.median_ms
    );
    say!(out, "targets:");
    for t in &r.targets {
        say!(
            out,
            "  {:<42} {:>10.2} {:<3} (target < {} {}) {}",
            t.what,
            t.figure,
            t.unit,
            t.target,
            t.unit,
            if t.met { "met" } else { "MISSED" }
        );
    }
}
