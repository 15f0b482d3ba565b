//! What changed between two releases of a service, from the packages of their SBOMs:
//! packages added, removed, upgraded and downgraded (by each ecosystem's own version
//! order), and those whose versions cannot be ordered.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde::Serialize;
use vigil_version::Ecosystem;

use crate::engine::Engine;
use crate::error::{EngineError, Result};

/// One package that differs between the two releases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    /// The OSV ecosystem (`npm`, `PyPI`, `Debian:12`, ...).
    pub ecosystem: String,
    pub name: String,
    /// The version in the older release; `None` when added.
    pub from: Option<String>,
    /// The version in the newer release; `None` when removed.
    pub to: Option<String>,
}

/// The difference between two releases of one service.
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseDiff {
    pub service: String,
    pub from: String,
    pub to: String,
    pub added: Vec<PackageChange>,
    pub removed: Vec<PackageChange>,
    pub upgraded: Vec<PackageChange>,
    pub downgraded: Vec<PackageChange>,
    /// Versions that differ but that the ecosystem's rules cannot order (or an
    /// ecosystem without rules).
    pub changed: Vec<PackageChange>,
    /// Packages present at the same version in both.
    pub unchanged: usize,
}

impl Engine {
    /// The packages added, removed, upgraded and downgraded from `from` to `to`, two
    /// releases of `service`.
    pub fn diff_releases(&mut self, service: &str, from: &str, to: &str) -> Result<ReleaseDiff> {
        let mut tx = self.store.read()?;
        let mut packages = |version: &str| -> Result<BTreeMap<(String, String), BTreeSet<String>>> {
            let release = tx
                .release(service, version)?
                .ok_or_else(|| EngineError::NotFound {
                    what: format!("no release {service} {version}"),
                    hint: Some(format!(
                        "list them with `vigil release list --service {service}`"
                    )),
                })?;
            let mut by_name: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
            for p in tx.release_package_versions(release.id)? {
                by_name
                    .entry((p.ecosystem, p.name))
                    .or_default()
                    .insert(p.version);
            }
            Ok(by_name)
        };
        let old = packages(from)?;
        let new = packages(to)?;
        let mut diff = ReleaseDiff {
            service: service.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            added: Vec::new(),
            removed: Vec::new(),
            upgraded: Vec::new(),
            downgraded: Vec::new(),
            changed: Vec::new(),
            unchanged: 0,
        };
        let change =
            |(ecosystem, name): &(String, String), from: Option<&String>, to: Option<&String>| {
                PackageChange {
                    ecosystem: ecosystem.clone(),
                    name: name.clone(),
                    from: from.cloned(),
                    to: to.cloned(),
                }
            };
        let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
        for key in keys {
            let empty = BTreeSet::new();
            let (before, after) = (
                old.get(key).unwrap_or(&empty),
                new.get(key).unwrap_or(&empty),
            );
            diff.unchanged += before.intersection(after).count();
            let gone: Vec<&String> = before.difference(after).collect();
            let came: Vec<&String> = after.difference(before).collect();
            match (gone.as_slice(), came.as_slice()) {
                ([], []) => {}
                // One version replaced by another: ordered by the ecosystem's rules.
                ([a], [b]) => {
                    let order = Ecosystem::from_str(&key.0)
                        .ok()
                        .and_then(|e| e.scheme())
                        .and_then(|s| s.compare(a, b).ok());
                    let c = change(key, Some(a), Some(b));
                    match order {
                        Some(std::cmp::Ordering::Less) => diff.upgraded.push(c),
                        Some(std::cmp::Ordering::Greater) => diff.downgraded.push(c),
                        Some(std::cmp::Ordering::Equal) => diff.unchanged += 1,
                        None => diff.changed.push(c),
                    }
                }
                _ => {
                    diff.removed
                        .extend(gone.iter().map(|v| change(key, Some(v), None)));
                    diff.added
                        .extend(came.iter().map(|v| change(key, None, Some(v))));
                }
            }
        }
        Ok(diff)
    }
}
