//! Adding a release: its SBOM parsed, stored by content address, its packages recorded
//! with how they entered the product, and matched against every advisory naming them,
//! in one transaction. The same SBOM for the same release again changes nothing.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;
use time::OffsetDateTime;
use vigil_match::Index;
use vigil_match::scan::Dependency;
use vigil_store::{NewPackage, NewRelease, Release, SignatureRecord};

use crate::changes::Change;
use crate::engine::{Engine, check_digest, sha256};
use crate::error::{EngineError, Result};
use crate::matching::{self, Target, pkg_key};
use crate::signatures::{SignatureInput, Verdict};

/// A release to add.
#[derive(Clone, Debug, Default)]
pub struct ReleaseInput<'a> {
    pub service: &'a str,
    pub version: &'a str,
    pub sbom: &'a [u8],
    /// Artifact digests (`sha256:...`).
    pub digests: Vec<String>,
    pub commit: Option<&'a str>,
    pub repository: Option<&'a str>,
    pub builder: Option<&'a str>,
    pub built_at: Option<OffsetDateTime>,
    /// The owning team; replaces the service's owner when given.
    pub owner: Option<&'a str>,
    /// Signatures and attestations that came with it.
    pub signatures: SignatureInput<'a>,
}

/// What adding a release did.
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseOutcome {
    pub release: Release,
    /// False when the release was already stored with this SBOM.
    pub created: bool,
    pub sbom_format: String,
    pub components: usize,
    pub packages: usize,
    /// Packages that cannot be matched, with the reason.
    pub unmatchable: Vec<String>,
    /// What the SBOM reader tolerated.
    pub warnings: Vec<String>,
    /// Open findings of the release, by advisory id.
    pub findings: usize,
    pub advisories: Vec<String>,
    /// Signed, unsigned or bad, from every signature and attestation recorded.
    pub signature_verdict: Verdict,
    pub signatures: Vec<SignatureRecord>,
}

impl Engine {
    /// Adds a release (see the module documentation).
    pub fn add_release(&mut self, input: &ReleaseInput<'_>) -> Result<ReleaseOutcome> {
        self.check_name("service", input.service)?;
        self.check_version(input.version)?;
        if let Some(owner) = input.owner {
            self.check_name("owner", owner)?;
        }
        for d in &input.digests {
            check_digest(d)?;
        }
        input.signatures.check()?;
        // An artifact whose signatures came along is an artifact of the release.
        let mut digests = input.digests.clone();
        if let Some(artifact) = input.signatures.artifact {
            let d = format!("sha256:{}", sha256(artifact));
            if !digests.contains(&d) {
                digests.push(d);
            }
        }
        let bom = vigil_sbom::parse_with_limits(input.sbom, &self.limits.sbom)?;
        let sha = sha256(input.sbom);
        let bom_packages = vigil_match::scan::packages(&bom);
        let now = self.clock.now();

        let mut tx = self.store.write()?;
        tx.lock_matching()?;
        if let Some(existing) = tx.release(input.service, input.version)? {
            if existing.sbom_sha256 != sha {
                return Err(EngineError::Conflict(format!(
                    "{} {} is already stored with a different SBOM (sha256:{}); a release does not change: give the new build a new version",
                    input.service, input.version, existing.sbom_sha256
                )));
            }
            for d in &digests {
                tx.add_digest(existing.id, d, now)?;
            }
            let signatures = crate::signatures::record(
                &mut tx,
                &crate::signatures::Signed {
                    release_id: existing.id,
                    service: input.service,
                    sbom: input.sbom,
                    sbom_sha256: &sha,
                    digests: &digests,
                },
                &input.signatures,
                now,
            )?;
            let owner_changed = owner_changes(&mut tx, input)?;
            if let Some(owner) = input.owner {
                tx.upsert_service(input.service, Some(owner), now)?;
            }
            let release = tx.release_by_id(existing.id)?.unwrap_or(existing);
            let open: Vec<_> = tx
                .findings_of_release(release.id)?
                .into_iter()
                .filter(|f| {
                    f.resolved_at.is_none() || f.resolution.as_deref() == Some("undeployed")
                })
                .collect();
            if owner_changed {
                self.changes.announce(&mut tx, &Change::Everything)?;
            }
            if owner_changed {
                self.changes.commit(tx, &Change::Everything)?;
            } else {
                tx.commit()?;
            }
            return Ok(ReleaseOutcome {
                created: false,
                sbom_format: bom.format.to_string(),
                components: bom_packages.components,
                packages: bom_packages.packages,
                unmatchable: describe_unmatchable(&bom_packages),
                warnings: bom_packages.warnings,
                findings: open.len(),
                advisories: distinct(open.iter().map(|f| f.key.advisory_id.clone())),
                release,
                signature_verdict: Verdict::of(&signatures),
                signatures,
            });
        }

        let owner_changed = owner_changes(&mut tx, input)?;
        let service_id = tx.upsert_service(input.service, input.owner, now)?;
        tx.put_sbom(&sha, &bom.format.to_string(), input.sbom, now)?;
        let release_id = tx.insert_release(
            &NewRelease {
                service_id,
                version: input.version,
                sbom_sha256: &sha,
                commit: input.commit,
                repository: input.repository,
                builder: input.builder,
                built_at: input.built_at,
                components: bom_packages.components as i64,
                packages: bom_packages.packages as i64,
                unmatchable: bom_packages.unmatchable.len() as i64,
                sbom_serial: bom.serial_number.as_deref(),
            },
            now,
        )?;
        for d in &digests {
            tx.add_digest(release_id, d, now)?;
        }
        let signatures = crate::signatures::record(
            &mut tx,
            &crate::signatures::Signed {
                release_id,
                service: input.service,
                sbom: input.sbom,
                sbom_sha256: &sha,
                digests: &digests,
            },
            &input.signatures,
            now,
        )?;

        // One row per distinct purl: an SBOM can list a package twice (two paths to
        // it); the first, nearest mention wins.
        let mut seen = HashSet::new();
        let rows: Vec<_> = bom_packages
            .matchable
            .iter()
            .filter(|p| seen.insert(p.purl.as_str()))
            .map(|p| {
                let path = (!p.path.is_empty())
                    .then(|| serde_json::to_string(&p.path).unwrap_or_default());
                (
                    p,
                    pkg_key(&p.identity.key),
                    p.identity.key.ecosystem().to_string(),
                    path,
                )
            })
            .collect();
        let new: Vec<NewPackage<'_>> = rows
            .iter()
            .map(|(p, pkg, ecosystem, path)| NewPackage {
                purl: &p.purl,
                pkg,
                ecosystem,
                name: p.identity.key.name(),
                version: &p.identity.version,
                installed: p.installed.as_deref(),
                dependency: match p.dependency {
                    Dependency::Subject => 0,
                    Dependency::Direct => 1,
                    Dependency::Transitive => 2,
                    Dependency::Unknown => 3,
                },
                path: path.as_deref(),
            })
            .collect();
        let ids = tx.insert_release_packages(release_id, &new)?;

        // Match: the advisories naming any of the release's packages, each compiled once.
        let pkgs: Vec<String> = rows
            .iter()
            .map(|(_, pkg, _, _)| pkg.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // Compiled advisories are reused from earlier operations of this process where
        // the store still holds the same version of them.
        let current = tx.advisory_versions_for(&pkgs)?;
        let named: std::collections::HashSet<String> =
            current.iter().map(|(id, _)| id.clone()).collect();
        let mut stale: Vec<String> = current
            .into_iter()
            .filter(|(id, modified)| {
                self.cache
                    .get(id)
                    .into_iter()
                    .find(|a| a.id() == id)
                    .is_none_or(|a| {
                        vigil_store::time::format_micros(a.osv.modified.get()) != *modified
                    })
            })
            .map(|(id, _)| id)
            .collect();
        if self.cache.len() + stale.len() > self.limits.advisory_cache {
            // Starting again: everything this release needs is compiled anew.
            self.cache = Index::new();
            stale = named.iter().cloned().collect();
        }
        for (id, json) in tx.advisories_by_id(&stale)? {
            let osv = vigil_osv::from_json(&json).map_err(|e| {
                EngineError::Invalid(format!("stored advisory {id} no longer parses: {e}"))
            })?;
            self.cache.insert(osv);
        }
        let index = &self.cache;
        let targets: Vec<Target> = rows
            .iter()
            .zip(&ids)
            .map(|((p, _, _, _), &id)| Target::new(id, p.identity.key.clone(), &p.identity.version))
            .collect();
        // Only advisories the store names for these packages now: a cached record that
        // another process changed may no longer name one of them.
        let mut hits = matching::hits(index, &targets);
        hits.retain(|h| named.contains(&h.advisory));
        let releases: Vec<(i64, i64)> = ids.iter().map(|&pv| (release_id, pv)).collect();
        let pending = matching::pending(&hits, &releases);
        matching::store(&mut tx, &pending, now)?;
        let release = tx
            .release_by_id(release_id)?
            .ok_or_else(|| EngineError::Invalid("the release vanished".into()))?;
        // A new release runs nowhere yet: only answers about every release change,
        // unless the service's owner, which every answer names, changed too.
        let change = if owner_changed {
            Change::Everything
        } else {
            Change::NotRunning(pending.iter().map(|p| p.key.advisory_id.clone()).collect())
        };
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(ReleaseOutcome {
            release,
            created: true,
            sbom_format: bom.format.to_string(),
            components: bom_packages.components,
            packages: bom_packages.packages,
            unmatchable: describe_unmatchable(&bom_packages),
            warnings: bom_packages.warnings,
            findings: pending.len(),
            advisories: distinct(pending.iter().map(|p| p.key.advisory_id.clone())),
            signature_verdict: Verdict::of(&signatures),
            signatures,
        })
    }
}

/// Whether adding `input` gives its existing service another owner.
fn owner_changes(tx: &mut vigil_store::Tx<'_>, input: &ReleaseInput<'_>) -> Result<bool> {
    let Some(owner) = input.owner else {
        return Ok(false);
    };
    Ok(tx
        .service(input.service)?
        .is_some_and(|s| s.owner.as_deref() != Some(owner)))
}

fn describe_unmatchable(p: &vigil_match::scan::BomPackages) -> Vec<String> {
    p.unmatchable
        .iter()
        .map(|u| format!("{}: {}", u.name, u.reason))
        .collect()
}

fn distinct(ids: impl Iterator<Item = String>) -> Vec<String> {
    ids.collect::<BTreeSet<_>>().into_iter().collect()
}
