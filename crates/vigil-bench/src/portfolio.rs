//! The portfolio: services with owners, each with a main ecosystem and (most of them) a
//! Debian 12 base image; their releases, in the order they were built, each a list of
//! pool entries that drifts from the previous release as dependencies are upgraded,
//! added and dropped; and where the releases were deployed.
//!
//! Releases are produced one at a time by [`Releases`], which keeps only each service's
//! current dependency list, never the documents.

use std::collections::HashSet;

use rand::Rng as _;
use rand::seq::SliceRandom;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::pool::{Ecosystem, Pool};
use crate::seed::{Rng, rng};

/// What the portfolio is made of.
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioConfig {
    pub seed: u64,
    pub services: usize,
    /// Releases in all, spread evenly over the services.
    pub releases: usize,
    /// Components of each release's SBOM, besides the product itself.
    pub components_per_release: usize,
    /// Distinct package versions the releases draw from.
    pub package_pool: usize,
}

impl Default for PortfolioConfig {
    fn default() -> Self {
        PortfolioConfig {
            seed: 1,
            services: 1_000,
            releases: 10_000,
            components_per_release: 500,
            package_pool: 200_000,
        }
    }
}

/// Which tool "wrote" a service's SBOMs: the shape of the document differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Tool {
    /// syft scanning a container image: the subject is the image, without a purl.
    Syft,
    /// cdxgen scanning the repository: the subject is the application, with a purl.
    Cdxgen,
}

/// A service.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    pub name: String,
    pub owner: String,
    pub ecosystem: Ecosystem,
    /// Whether its image is built on Debian 12.
    pub debian: bool,
    pub tool: Tool,
    pub releases: usize,
}

/// One release to add.
#[derive(Clone, Debug)]
pub struct ReleasePlan {
    pub service: usize,
    /// 0 for the service's first release.
    pub index: usize,
    pub version: String,
    pub built_at: OffsetDateTime,
    /// Pool entries of the release's packages: the application's, then the image's.
    pub entries: Vec<u32>,
    /// How many of `entries` are the application's (the rest are Debian packages).
    pub app_entries: usize,
}

/// One deployment to record.
#[derive(Clone, Debug)]
pub struct DeployPlan {
    pub environment: &'static str,
    pub service: usize,
    pub version: String,
    pub at: OffsetDateTime,
}

/// The environments deployments go to.
pub const ENVIRONMENTS: [&str; 3] = ["production", "staging", "dev"];

/// When the first releases were built.
const EPOCH: OffsetDateTime = time::macros::datetime!(2025-01-06 08:00 UTC);

/// The portfolio: the pool and the services.
#[derive(Debug)]
pub struct Portfolio {
    pub config: PortfolioConfig,
    pub pool: Pool,
    pub services: Vec<Service>,
}

impl Portfolio {
    pub fn generate(config: &PortfolioConfig) -> Portfolio {
        let pool = Pool::generate(config.seed, config.package_pool);
        let services = config.services.max(1);
        let mut r = rng(config.seed, "services", 0);
        let teams = (services / 20).max(1);
        let domains = [
            "checkout",
            "payments",
            "search",
            "catalog",
            "auth",
            "billing",
            "ledger",
            "inventory",
            "shipping",
            "notify",
            "profile",
            "gateway",
            "reports",
            "pricing",
            "orders",
            "media",
            "support",
            "fraud",
            "identity",
            "analytics",
        ];
        let services = (0..services)
            .map(|i| {
                let ecosystem = match r.random_range(0..100) {
                    0..30 => Ecosystem::Npm,
                    30..50 => Ecosystem::PyPI,
                    50..70 => Ecosystem::Maven,
                    70..88 => Ecosystem::Go,
                    _ => Ecosystem::CratesIo,
                };
                let debian = r.random_bool(0.7);
                Service {
                    name: format!(
                        "{}-{}",
                        domains[i % domains.len()],
                        crate::pool::word(5_000_000 + i as u64)
                    ),
                    owner: format!("team-{}", crate::pool::word(6_000_000 + (i % teams) as u64)),
                    ecosystem,
                    debian,
                    tool: if debian && r.random_bool(0.6) {
                        Tool::Syft
                    } else {
                        Tool::Cdxgen
                    },
                    releases: config.releases / services
                        + usize::from(i < config.releases % services),
                }
            })
            .collect();
        Portfolio {
            config: config.clone(),
            pool,
            services,
        }
    }

    /// Every release, round by round (each service's first, then each one's second...),
    /// as a build system would produce them.
    pub fn releases(&self) -> Releases<'_> {
        Releases {
            portfolio: self,
            states: Vec::new(),
            round: 0,
            next_service: 0,
        }
    }

    /// The version string of a service's `index`-th release.
    pub fn version(&self, index: usize) -> String {
        format!("2.{index}.0")
    }

    /// The package (purl) count `add_release` will store for a release.
    pub fn packages_of(&self, plan: &ReleasePlan) -> usize {
        plan.entries.len() + usize::from(self.services[plan.service].tool == Tool::Cdxgen)
    }

    /// The deployments, oldest first: most services run their latest or previous release
    /// in each environment; dev saw the last three releases go by; a few services run
    /// nowhere.
    pub fn deployments(&self) -> Vec<DeployPlan> {
        let mut out = Vec::new();
        for (i, s) in self.services.iter().enumerate() {
            if s.releases == 0 {
                continue;
            }
            let mut r = rng(self.config.seed, "deploy", i as u64);
            if r.random_bool(0.05) {
                continue;
            }
            let last = s.releases - 1;
            let built = |k: usize| release_time(self.config.seed, i, k);
            let hours = |k: usize, h: i64| built(k) + Duration::hours(h);
            for k in last.saturating_sub(2)..=last {
                out.push(DeployPlan {
                    environment: "dev",
                    service: i,
                    version: self.version(k),
                    at: hours(k, 1),
                });
            }
            let staging = if r.random_bool(0.8) {
                last
            } else {
                last.saturating_sub(1)
            };
            out.push(DeployPlan {
                environment: "staging",
                service: i,
                version: self.version(staging),
                at: hours(staging, 6),
            });
            let production = match r.random_range(0..10) {
                0..5 => last.saturating_sub(1),
                5..9 => last,
                _ => last.saturating_sub(3),
            };
            out.push(DeployPlan {
                environment: "production",
                service: i,
                version: self.version(production),
                at: hours(production, 30),
            });
        }
        out.sort_by_key(|d| d.at);
        out
    }

    /// A new release of `service` with `components` packages, as the portfolio would
    /// produce it next, for measuring one ingest; `n` tells repeated ones apart.
    pub fn fresh_release(&self, service: usize, components: usize, n: usize) -> ReleasePlan {
        let s = &self.services[service];
        let mut state = State::new(self, service, components);
        state.rng = rng(self.config.seed, "fresh", n as u64);
        state.drift(&self.pool);
        ReleasePlan {
            service,
            index: s.releases + n,
            version: format!("3.{n}.0-bench"),
            built_at: release_time(self.config.seed, service, s.releases + n),
            app_entries: state.app.len(),
            entries: state.entries(&self.pool),
        }
    }
}

/// When a service's `index`-th release was built: about a week apart, at work hours.
fn release_time(seed: u64, service: usize, index: usize) -> OffsetDateTime {
    let mut r = rng(seed, "built", (service as u64) << 20 | index as u64);
    EPOCH
        + Duration::days(7 * index as i64 + r.random_range(0..5))
        + Duration::minutes(r.random_range(0..600))
}

/// A service's current dependencies: application packages as (package, version index),
/// and Debian source packages with a version index shared by their binaries.
struct State {
    service: usize,
    rng: Rng,
    app: Vec<(u32, usize)>,
    app_set: HashSet<u32>,
    debian: Vec<(usize, usize)>,
    debian_set: HashSet<usize>,
    /// Debian binaries wanted: sources are added until their binaries reach it.
    debian_target: usize,
}

impl State {
    fn new(p: &Portfolio, service: usize, components: usize) -> State {
        let s = &p.services[service];
        let mut state = State {
            service,
            rng: rng(p.config.seed, "service", service as u64),
            app: Vec::new(),
            app_set: HashSet::new(),
            debian: Vec::new(),
            debian_set: HashSet::new(),
            debian_target: 0,
        };
        let debian_target = if s.debian && !p.pool.ranked(Ecosystem::Debian).is_empty() {
            (components * 18 / 100).max(1)
        } else {
            0
        };
        state.debian_target = debian_target;
        let mut binaries = 0;
        let mut attempts = 0;
        while binaries < debian_target && attempts < 100 * components {
            attempts += 1;
            if let Some(bins) = state.add_debian_source(&p.pool) {
                binaries += bins;
            }
        }
        let app_target = components.saturating_sub(binaries.min(debian_target));
        // The service's own ecosystem first; when a small pool runs out of its packages,
        // the others (a polyglot repository).
        let others = Ecosystem::ALL
            .into_iter()
            .filter(|&e| e != s.ecosystem && e != Ecosystem::Debian);
        for eco in std::iter::once(s.ecosystem).chain(others) {
            let mut attempts = 0;
            while state.app.len() < app_target && attempts < 50 * components {
                attempts += 1;
                state.add_app_package(&p.pool, eco);
            }
        }
        state
    }

    fn add_app_package(&mut self, pool: &Pool, eco: Ecosystem) -> bool {
        let Some(pkg) = pool.draw(eco, &mut self.rng) else {
            return false;
        };
        if !self.app_set.insert(pkg) {
            return false;
        }
        let n = pool.package(pkg).versions.len();
        // Services lag behind upstream: any version, newer ones a little likelier.
        let v = n - 1 - self.rng.random_range(0..n).min(self.rng.random_range(0..n));
        self.app.push((pkg, v));
        true
    }

    /// Adds a Debian source package; returns its binary count.
    fn add_debian_source(&mut self, pool: &Pool) -> Option<usize> {
        let (source, bins) = pool.draw_debian_source(&mut self.rng)?;
        if !self.debian_set.insert(source) {
            return None;
        }
        let n = pool.package(bins[0]).versions.len();
        let v = n - 1 - self.rng.random_range(0..n).min(self.rng.random_range(0..n));
        self.debian.push((source, v));
        Some(bins.len())
    }

    /// The next release's dependencies: some upgraded, a few replaced; now and then the
    /// base image is refreshed.
    fn drift(&mut self, pool: &Pool) {
        let State {
            rng: r,
            app,
            app_set,
            debian,
            ..
        } = self;
        let mut dropped = Vec::new();
        app.retain(|&(pkg, _)| {
            let keep = !r.random_bool(0.01);
            if !keep {
                dropped.push(pool.package(pkg).ecosystem);
            }
            keep
        });
        *app_set = app.iter().map(|a| a.0).collect();
        for (pkg, v) in app.iter_mut() {
            let n = pool.package(*pkg).versions.len();
            if *v + 1 < n && r.random_bool(0.1) {
                *v += r.random_range(1..=2usize).min(n - 1 - *v);
            }
        }
        // Each dropped dependency is replaced by another of its ecosystem, which comes
        // in at its latest version.
        for eco in dropped {
            for _ in 0..1_000 {
                let Some(pkg) = pool.draw(eco, r) else { break };
                if app_set.insert(pkg) {
                    let n = pool.package(pkg).versions.len();
                    app.push((pkg, n - 1));
                    break;
                }
            }
        }
        if r.random_bool(0.3) {
            for (source, v) in debian.iter_mut() {
                let n = pool.package(pool.debian_source(*source)[0]).versions.len();
                if *v + 1 < n && r.random_bool(0.5) {
                    *v += 1;
                }
            }
        }
    }

    /// Pool entries: the application's packages, then the image's binaries, trimmed to
    /// the component count the service started with.
    fn entries(&self, pool: &Pool) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .app
            .iter()
            .map(|&(pkg, v)| pool.package(pkg).first_entry + v as u32)
            .collect();
        let mut debian = Vec::new();
        for &(source, v) in &self.debian {
            for &bin in pool.debian_source(source) {
                debian.push(pool.package(bin).first_entry + v as u32);
            }
        }
        debian.truncate(self.debian_target);
        out.extend(debian);
        out
    }
}

/// The releases of a portfolio, produced one at a time.
#[derive(Debug)]
pub struct Releases<'a> {
    portfolio: &'a Portfolio,
    states: Vec<Option<State>>,
    round: usize,
    next_service: usize,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("service", &self.service)
            .field("app", &self.app.len())
            .field("debian", &self.debian.len())
            .finish()
    }
}

impl Iterator for Releases<'_> {
    type Item = ReleasePlan;

    fn next(&mut self) -> Option<ReleasePlan> {
        let p = self.portfolio;
        if self.states.is_empty() {
            self.states = (0..p.services.len()).map(|_| None).collect();
        }
        let most = p.services.iter().map(|s| s.releases).max().unwrap_or(0);
        while self.round < most {
            while self.next_service < p.services.len() {
                let i = self.next_service;
                self.next_service += 1;
                if p.services[i].releases <= self.round {
                    continue;
                }
                let round = self.round;
                let state = self.states[i]
                    .get_or_insert_with(|| State::new(p, i, p.config.components_per_release));
                if round > 0 {
                    state.drift(&p.pool);
                }
                let mut entries = state.entries(&p.pool);
                // Tools list components in their own order, not the manifest's.
                let app_entries = state.app.len().min(entries.len());
                entries[..app_entries].shuffle(&mut state.rng);
                return Some(ReleasePlan {
                    service: i,
                    index: round,
                    version: p.version(round),
                    built_at: release_time(p.config.seed, i, round),
                    entries,
                    app_entries,
                });
            }
            self.round += 1;
            self.next_service = 0;
        }
        None
    }
}

/// How often each pool entry occurs in the portfolio's releases, from one pass over
/// them without writing any document.
#[derive(Clone, Debug)]
pub struct Usage {
    /// Releases containing each pool entry.
    pub releases: Vec<u32>,
    /// Packages `add_release` will store, over all releases.
    pub release_packages: u64,
    pub releases_total: usize,
}

impl Usage {
    pub fn of(p: &Portfolio) -> Usage {
        let mut releases = vec![0u32; p.pool.len()];
        let mut release_packages = 0;
        let mut releases_total = 0;
        for plan in p.releases() {
            for &e in &plan.entries {
                releases[e as usize] += 1;
            }
            release_packages += p.packages_of(&plan) as u64;
            releases_total += 1;
        }
        Usage {
            releases,
            release_packages,
            releases_total,
        }
    }

    /// Pool entries in at least one release.
    pub fn distinct(&self) -> usize {
        self.releases.iter().filter(|&&n| n > 0).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Portfolio {
        Portfolio::generate(&PortfolioConfig {
            seed: 3,
            services: 20,
            releases: 75,
            components_per_release: 120,
            package_pool: 8_000,
        })
    }

    #[test]
    fn releases_have_the_configured_size_and_distinct_packages() {
        let p = small();
        let plans: Vec<ReleasePlan> = p.releases().collect();
        assert_eq!(plans.len(), 75);
        for plan in &plans {
            assert_eq!(plan.entries.len(), 120, "{plan:?}");
            let distinct: HashSet<u32> = plan.entries.iter().copied().collect();
            assert_eq!(distinct.len(), 120);
        }
        // Round by round: every service's first release comes before any second one.
        assert!(plans[..20].iter().all(|r| r.index == 0));
        assert_eq!(plans[20].index, 1);
    }

    #[test]
    fn versions_drift_between_releases_of_a_service() {
        let p = small();
        let of_service: Vec<ReleasePlan> = p.releases().filter(|r| r.service == 0).collect();
        let (first, last) = (&of_service[0], &of_service[of_service.len() - 1]);
        let a: HashSet<u32> = first.entries.iter().copied().collect();
        let b: HashSet<u32> = last.entries.iter().copied().collect();
        assert!(a != b);
        assert!(a.intersection(&b).count() > 60, "most packages stay");
    }

    #[test]
    fn usage_counts_every_release() {
        let p = small();
        let usage = Usage::of(&p);
        let total: u64 = usage.releases.iter().map(|&n| u64::from(n)).sum();
        assert_eq!(total, 75 * 120);
        assert!(usage.release_packages >= total);
        // Popularity is skewed: some entry is in many releases.
        assert!(usage.releases.iter().any(|&n| n > 20));
    }

    #[test]
    fn deployments_are_in_time_order_and_name_real_releases() {
        let p = small();
        let deployments = p.deployments();
        assert!(deployments.len() >= 20 * 3);
        assert!(deployments.windows(2).all(|w| w[0].at <= w[1].at));
        for d in &deployments {
            let index: usize = d.version[2..d.version.len() - 2].parse().unwrap();
            assert!(index < p.services[d.service].releases);
        }
    }
}
