//! Recurring patterns: the packages, ecosystems and teams through which vulnerabilities
//! enter services again and again.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::Severity;

/// One finding, reduced to what patterns count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternFact {
    pub service: String,
    #[serde(default)]
    pub team: Option<String>,
    pub advisory_id: String,
    pub ecosystem: String,
    /// The package without version ([`purl_package`](crate::purl_package) of `purl`, or
    /// the store's package name).
    pub package: String,
    /// The package version.
    pub purl: String,
    pub severity_rank: i64,
    pub release_id: i64,
}

/// What was counted for one package, ecosystem or team. Every count is of distinct
/// values among the findings of the row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Findings (facts) of the row; not distinct, for scale.
    pub findings: u64,
    /// Distinct advisory ids.
    pub advisories: u64,
    /// Distinct (service, advisory) pairs: each time an advisory entered a service, however
    /// many releases, package versions or packages carried it there.
    pub introductions: u64,
    /// Distinct services.
    pub services: u64,
    /// Distinct releases.
    pub releases: u64,
    /// Distinct (ecosystem, package) pairs.
    pub packages: u64,
    /// Distinct package versions (purls).
    pub versions: u64,
    /// The highest severity among the findings.
    pub max_severity: Severity,
}

/// The tally of one package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageRow {
    pub ecosystem: String,
    pub package: String,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The tally of one ecosystem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EcosystemRow {
    pub ecosystem: String,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The tally of one team; `team: None` gathers the services without one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamRow {
    pub team: Option<String>,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The top rows of each ranking; see [`patterns`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Patterns {
    /// Every fact counted once.
    pub total: Tally,
    /// Packages by introductions.
    pub packages: Vec<PackageRow>,
    /// Ecosystems by introductions.
    pub ecosystems: Vec<EcosystemRow>,
    /// Teams by introductions.
    pub teams: Vec<TeamRow>,
    /// Packages by the number of services they brought vulnerabilities into.
    pub spread: Vec<PackageRow>,
}

/// Ranks packages, ecosystems and teams by how often vulnerabilities entered services
/// through them, and packages by how many services they reached; keeps the first `top`
/// of each ranking.
///
/// A package is an (ecosystem, package) pair. `packages`, `ecosystems` and `teams` are
/// ordered by [`Tally::introductions`] (distinct service and advisory pairs), most first;
/// `spread` by [`Tally::services`], most first. Ties are broken by name, ascending: the
/// package name then the ecosystem, the ecosystem, the team (`None` first).
pub fn patterns(facts: &[PatternFact], top: usize) -> Patterns {
    let mut total = Acc::default();
    let mut packages: BTreeMap<(&str, &str), Acc<'_>> = BTreeMap::new();
    let mut ecosystems: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    let mut teams: BTreeMap<Option<&str>, Acc<'_>> = BTreeMap::new();
    for fact in facts {
        total.add(fact);
        packages
            .entry((&fact.package, &fact.ecosystem))
            .or_default()
            .add(fact);
        ecosystems.entry(&fact.ecosystem).or_default().add(fact);
        teams.entry(fact.team.as_deref()).or_default().add(fact);
    }

    let packages: Vec<PackageRow> = packages
        .into_iter()
        .map(|((package, ecosystem), acc)| PackageRow {
            ecosystem: ecosystem.to_owned(),
            package: package.to_owned(),
            tally: acc.tally(),
        })
        .collect();
    // The maps iterate in name order, and the sorts are stable, so equal counts keep it.
    let mut spread = packages.clone();
    spread.sort_by(|a, b| most(a.tally.services, b.tally.services));
    spread.truncate(top);
    let mut packages = packages;
    packages.sort_by(|a, b| most(a.tally.introductions, b.tally.introductions));
    packages.truncate(top);

    let mut ecosystems: Vec<EcosystemRow> = ecosystems
        .into_iter()
        .map(|(ecosystem, acc)| EcosystemRow {
            ecosystem: ecosystem.to_owned(),
            tally: acc.tally(),
        })
        .collect();
    ecosystems.sort_by(|a, b| most(a.tally.introductions, b.tally.introductions));
    ecosystems.truncate(top);

    let mut teams: Vec<TeamRow> = teams
        .into_iter()
        .map(|(team, acc)| TeamRow {
            team: team.map(str::to_owned),
            tally: acc.tally(),
        })
        .collect();
    teams.sort_by(|a, b| most(a.tally.introductions, b.tally.introductions));
    teams.truncate(top);

    Patterns {
        total: total.tally(),
        packages,
        ecosystems,
        teams,
        spread,
    }
}

/// Larger counts first.
fn most(a: u64, b: u64) -> Ordering {
    b.cmp(&a)
}

#[derive(Default)]
struct Acc<'a> {
    findings: u64,
    advisories: BTreeSet<&'a str>,
    introductions: BTreeSet<(&'a str, &'a str)>,
    services: BTreeSet<&'a str>,
    releases: BTreeSet<i64>,
    packages: BTreeSet<(&'a str, &'a str)>,
    versions: BTreeSet<&'a str>,
    max_severity: Severity,
}

impl<'a> Acc<'a> {
    fn add(&mut self, fact: &'a PatternFact) {
        self.findings += 1;
        self.advisories.insert(&fact.advisory_id);
        self.introductions
            .insert((&fact.service, &fact.advisory_id));
        self.services.insert(&fact.service);
        self.releases.insert(fact.release_id);
        self.packages.insert((&fact.ecosystem, &fact.package));
        self.versions.insert(&fact.purl);
        self.max_severity = self
            .max_severity
            .max(Severity::from_rank(fact.severity_rank));
    }

    fn tally(&self) -> Tally {
        Tally {
            findings: self.findings,
            advisories: self.advisories.len() as u64,
            introductions: self.introductions.len() as u64,
            services: self.services.len() as u64,
            releases: self.releases.len() as u64,
            packages: self.packages.len() as u64,
            versions: self.versions.len() as u64,
            max_severity: self.max_severity,
        }
    }
}
