//! Releases: one built version of a service, its artifact digests, its SBOM (stored by
//! content address) and provenance, and the package versions inside it.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::{Result, StoreError};
use crate::sql::{Param, Row, params};
use crate::time::format;

/// A release to insert.
#[derive(Clone, Debug)]
pub struct NewRelease<'a> {
    pub service_id: i64,
    pub version: &'a str,
    pub sbom_sha256: &'a str,
    pub commit: Option<&'a str>,
    pub repository: Option<&'a str>,
    pub builder: Option<&'a str>,
    pub built_at: Option<OffsetDateTime>,
    /// Components in the SBOM.
    pub components: i64,
    /// Of those, packages (not the product itself, its OS or files).
    pub packages: i64,
    /// Packages that cannot be matched (no purl, an unknown ecosystem).
    pub unmatchable: i64,
    /// The SBOM's serial number or namespace, if it has one.
    pub sbom_serial: Option<&'a str>,
}

/// A stored release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Release {
    pub id: i64,
    pub service: String,
    pub version: String,
    pub sbom_sha256: String,
    pub commit: Option<String>,
    pub repository: Option<String>,
    pub builder: Option<String>,
    pub built_at: Option<String>,
    pub components: i64,
    pub packages: i64,
    pub unmatchable: i64,
    pub created_at: String,
    pub digests: Vec<String>,
}

/// A package inside a release.
#[derive(Clone, Debug)]
pub struct NewPackage<'a> {
    /// The canonical package URL, with version.
    pub purl: &'a str,
    /// The match key: `family/normalized-name`.
    pub pkg: &'a str,
    /// What OSV compares: ecosystem (with release), package name and version.
    pub ecosystem: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    /// For an OS package matched by its source: the installed binary and its version.
    pub installed: Option<&'a str>,
    /// 0 the product itself, 1 direct, 2 transitive, 3 not stated.
    pub dependency: i64,
    /// Component names from the product down to this one, as JSON, where known.
    pub path: Option<&'a str>,
}

/// A package of a release, with how the release depends on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReleaseComponent {
    pub purl: String,
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// 0 the product itself, 1 direct, 2 transitive, 3 not stated.
    pub dependency: i64,
    /// JSON list of the component names from the product down to it, where known.
    pub path: Option<String>,
}

/// A distinct package version known to the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageVersion {
    pub id: i64,
    pub purl: String,
    pub pkg: String,
    pub ecosystem: String,
    pub name: String,
    pub version: String,
}

const RELEASE_COLUMNS: &str = "r.id, s.name, r.version, r.sbom_sha256, r.commit_sha, r.repository,
     r.builder, r.built_at, r.components, r.packages, r.unmatchable, r.created_at";

fn release(mut r: Row) -> Release {
    Release {
        id: r.int(0),
        service: r.text(1),
        version: r.text(2),
        sbom_sha256: r.text(3),
        commit: r.opt_text(4),
        repository: r.opt_text(5),
        builder: r.opt_text(6),
        built_at: r.opt_text(7),
        components: r.int(8),
        packages: r.int(9),
        unmatchable: r.int(10),
        created_at: r.text(11),
        digests: Vec::new(),
    }
}

pub(crate) fn package_version(mut r: Row) -> PackageVersion {
    PackageVersion {
        id: r.int(0),
        purl: r.text(1),
        pkg: r.text(2),
        ecosystem: r.text(3),
        name: r.text(4),
        version: r.text(5),
    }
}

pub(crate) const PACKAGE_VERSION_COLUMNS: &str =
    "pv.id, pv.purl, pv.pkg, pv.ecosystem, pv.name, pv.version";

impl Tx<'_> {
    /// Stores an SBOM under the SHA-256 of its bytes; returns false when it was there.
    pub fn put_sbom(
        &mut self,
        sha256: &str,
        format_name: &str,
        content: &[u8],
        now: OffsetDateTime,
    ) -> Result<bool> {
        let n = self.c().execute(
            "INSERT INTO sboms (sha256, format, size, content, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (sha256) DO NOTHING",
            params![
                sha256,
                format_name,
                content.len() as i64,
                content,
                format(now).as_str()
            ],
        )?;
        Ok(n > 0)
    }

    /// The SBOM with this SHA-256, as received.
    pub fn sbom(&mut self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .c()
            .query_opt(
                "SELECT content FROM sboms WHERE sha256 = ?",
                params![sha256],
            )?
            .map(|mut r| r.blob(0)))
    }

    fn releases_where(&mut self, condition: &str, params: &[Param<'_>]) -> Result<Vec<Release>> {
        let sql = format!(
            "SELECT {RELEASE_COLUMNS} FROM releases r JOIN services s ON s.id = r.service_id
             WHERE {condition} ORDER BY s.name, r.id"
        );
        let mut releases: Vec<Release> = self
            .c()
            .query(&sql, params)?
            .into_iter()
            .map(release)
            .collect();
        // The digests of all of them in one query, not one per release.
        let digests = format!(
            "SELECT d.release_id, d.digest FROM release_digests d
             JOIN releases r ON r.id = d.release_id JOIN services s ON s.id = r.service_id
             WHERE {condition} ORDER BY d.digest"
        );
        let mut by_release: HashMap<i64, Vec<String>> = HashMap::new();
        self.c().query_each(&digests, params, &mut |mut d| {
            by_release.entry(d.int(0)).or_default().push(d.text(1));
            Ok(())
        })?;
        for r in &mut releases {
            r.digests = by_release.remove(&r.id).unwrap_or_default();
        }
        Ok(releases)
    }

    /// The release of `service` at `version`.
    pub fn release(&mut self, service: &str, version: &str) -> Result<Option<Release>> {
        Ok(self
            .releases_where("s.name = ? AND r.version = ?", params![service, version])?
            .pop())
    }

    pub fn release_by_id(&mut self, id: i64) -> Result<Option<Release>> {
        Ok(self.releases_where("r.id = ?", params![id])?.pop())
    }

    /// The release an artifact digest (`sha256:...`) belongs to.
    pub fn release_by_digest(&mut self, digest: &str) -> Result<Option<Release>> {
        Ok(self
            .releases_where(
                "r.id = (SELECT release_id FROM release_digests WHERE digest = ?)",
                params![digest],
            )?
            .pop())
    }

    /// Every release, or those of one service, by service then age.
    /// The ids of the releases whose SBOM has this serial number (or namespace), or
    /// these exact bytes (by SHA-256).
    pub fn releases_by_sbom(
        &mut self,
        serial: Option<&str>,
        sha256: Option<&str>,
    ) -> Result<Vec<i64>> {
        Ok(self
            .c()
            .query(
                "SELECT id FROM releases WHERE sbom_serial = ? OR sbom_sha256 = ? ORDER BY id",
                params![serial, sha256],
            )?
            .into_iter()
            .map(|r| r.int(0))
            .collect())
    }

    pub fn releases(&mut self, service: Option<&str>) -> Result<Vec<Release>> {
        match service {
            Some(s) => self.releases_where("s.name = ?", params![s]),
            None => self.releases_where("1 = 1", &[]),
        }
    }

    /// Inserts a release; the service must not have this version yet.
    pub fn insert_release(&mut self, r: &NewRelease<'_>, now: OffsetDateTime) -> Result<i64> {
        let built_at = r.built_at.map(format);
        let now = format(now);
        let service = self
            .c()
            .query_opt(
                "SELECT name FROM services WHERE id = ?",
                params![r.service_id],
            )?
            .map(|mut row| row.text(0))
            .ok_or_else(|| StoreError::Input(format!("no service has id {}", r.service_id)))?;
        let id = self.c().query_int(
            "INSERT INTO releases (service_id, version, sbom_sha256, commit_sha, repository, builder,
                 built_at, components, packages, unmatchable, created_at, sbom_serial)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            params![
                r.service_id,
                r.version,
                r.sbom_sha256,
                r.commit,
                r.repository,
                r.builder,
                built_at.as_deref(),
                r.components,
                r.packages,
                r.unmatchable,
                now.as_str(),
                r.sbom_serial
            ],
        )?;
        let data = serde_json::json!({
            "service": service,
            "version": r.version,
            "sbom_sha256": r.sbom_sha256,
            "commit": r.commit,
            "repository": r.repository,
            "builder": r.builder,
            "built_at": built_at,
            "components": r.components,
            "packages": r.packages,
        });
        self.ledger_event(
            "release",
            crate::ledger::release_subject(&service, r.version),
            &now,
            data,
        );
        Ok(id)
    }

    /// Records that `digest` is an artifact of the release. A digest already claimed by
    /// another release is a conflict.
    pub fn add_digest(&mut self, release_id: i64, digest: &str, now: OffsetDateTime) -> Result<()> {
        let owner = self.c().query_opt(
            "SELECT release_id FROM release_digests WHERE digest = ?",
            params![digest],
        )?;
        match owner.map(|r| r.int(0)) {
            Some(id) if id == release_id => Ok(()),
            Some(id) => {
                let other = self.release_by_id(id)?.map_or_else(
                    || format!("release {id}"),
                    |r| format!("{} {}", r.service, r.version),
                );
                Err(StoreError::Conflict(format!(
                    "digest {digest} already belongs to {other}"
                )))
            }
            None => {
                self.c().execute(
                    "INSERT INTO release_digests (digest, release_id) VALUES (?, ?)",
                    params![digest, release_id],
                )?;
                let release = self
                    .release_by_id(release_id)?
                    .ok_or_else(|| StoreError::Input(format!("no release has id {release_id}")))?;
                self.ledger_event(
                    "release.digest",
                    crate::ledger::release_subject(&release.service, &release.version),
                    &format(now),
                    serde_json::json!({
                        "service": release.service,
                        "version": release.version,
                        "digest": digest,
                    }),
                );
                Ok(())
            }
        }
    }

    /// Stores the release's packages, adding package versions not seen before; returns
    /// the package version id of each, in order.
    pub fn insert_release_packages(
        &mut self,
        release_id: i64,
        packages: &[NewPackage<'_>],
    ) -> Result<Vec<i64>> {
        let mut rows = Vec::with_capacity(packages.len() * 6);
        for p in packages {
            rows.extend_from_slice(params![
                p.purl,
                p.pkg,
                p.ecosystem,
                p.name,
                p.version,
                p.installed
            ]);
        }
        self.c().insert_many(
            "package_versions (purl, pkg, ecosystem, name, version, installed)",
            6,
            &rows,
            "ON CONFLICT (purl) DO NOTHING",
        )?;
        let purls: Vec<String> = packages.iter().map(|p| p.purl.to_owned()).collect();
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(purls.len());
        self.c().query_each(
            "SELECT id, purl FROM package_versions WHERE purl = ANY(?)",
            &[Param::Texts(&purls)],
            &mut |mut r| {
                ids.insert(r.text(1), r.int(0));
                Ok(())
            },
        )?;
        let mut out = Vec::with_capacity(packages.len());
        let mut rows = Vec::with_capacity(packages.len() * 4);
        for p in packages {
            let id = *ids.get(p.purl).ok_or_else(|| {
                StoreError::Internal(format!("package version {} was not stored", p.purl))
            })?;
            out.push(id);
            rows.extend_from_slice(params![release_id, id, p.dependency, p.path]);
        }
        self.c().insert_many(
            "release_packages (release_id, package_version_id, dependency, path)",
            4,
            &rows,
            "ON CONFLICT DO NOTHING",
        )?;
        Ok(out)
    }

    /// A release's packages with how each is depended on, ordered by ecosystem, name and
    /// version.
    pub fn release_components(&mut self, release_id: i64) -> Result<Vec<ReleaseComponent>> {
        let mut rows: Vec<ReleaseComponent> = self
            .c()
            .query(
                "SELECT pv.purl, pv.ecosystem, pv.name, pv.version, rp.dependency, rp.path
                 FROM release_packages rp JOIN package_versions pv ON pv.id = rp.package_version_id
                 WHERE rp.release_id = ?",
                params![release_id],
            )?
            .into_iter()
            .map(|mut r| ReleaseComponent {
                purl: r.text(0),
                ecosystem: r.text(1),
                name: r.text(2),
                version: r.text(3),
                dependency: r.int(4),
                path: r.opt_text(5),
            })
            .collect();
        rows.sort_by(|a, b| {
            (&a.ecosystem, &a.name, &a.version, &a.purl).cmp(&(
                &b.ecosystem,
                &b.name,
                &b.version,
                &b.purl,
            ))
        });
        Ok(rows)
    }

    /// The distinct package versions of a release.
    pub fn release_package_versions(&mut self, release_id: i64) -> Result<Vec<PackageVersion>> {
        let sql = format!(
            "SELECT {PACKAGE_VERSION_COLUMNS} FROM release_packages rp
             JOIN package_versions pv ON pv.id = rp.package_version_id
             WHERE rp.release_id = ? ORDER BY pv.id"
        );
        Ok(self
            .c()
            .query(&sql, params![release_id])?
            .into_iter()
            .map(package_version)
            .collect())
    }

    /// Package versions whose match key is one of `pkgs`.
    pub fn package_versions_of(&mut self, pkgs: &[String]) -> Result<Vec<PackageVersion>> {
        let sql = format!(
            "SELECT {PACKAGE_VERSION_COLUMNS} FROM package_versions pv WHERE pv.pkg = ANY(?)"
        );
        Ok(self
            .c()
            .query(&sql, &[Param::Texts(pkgs)])?
            .into_iter()
            .map(package_version)
            .collect())
    }

    /// (release id, package version id) for every release containing one of `ids`.
    pub fn releases_containing(&mut self, package_version_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        Ok(self
            .c()
            .query(
                "SELECT release_id, package_version_id FROM release_packages
                 WHERE package_version_id = ANY(?)",
                &[Param::Ints(package_version_ids)],
            )?
            .into_iter()
            .map(|r| (r.int(0), r.int(1)))
            .collect())
    }
}
