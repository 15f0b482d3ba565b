//! Advisories: the real OSV databases of the conformance data (`osv-db-go`,
//! `osv-db-pypa`, `osv-db-rustsec`) read with the engine's own loader, and synthetic OSV
//! records built with `serde_json` in each source's id style, with CVE aliases, CVSS v3
//! vectors and ranges in the ecosystem's version syntax.
//!
//! Synthetic records come in three kinds, in fixed proportions:
//! - **hit**: ranges drawn around a package version that some release contains, so the
//!   advisory gives findings (a `fixed`, a `last_affected`, no fix at all, or a
//!   `versions` list);
//! - **near**: a package of the portfolio, but only versions it does not use (fixed
//!   before its oldest, or introduced in a major it has not reached), so matching must
//!   evaluate it and find nothing;
//! - **elsewhere**: a package no release contains, as most of a real database is.

use std::path::Path;

use rand::Rng as _;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use vigil_engine::AdvisoryInput;
use vigil_engine::advisories::{SourceLimits, load};
use vigil_match::Index;

use crate::error::{BenchError, Result};
use crate::pool::{Ecosystem, Package};
use crate::portfolio::{Portfolio, Usage};
use crate::seed::{Rng, rng};

/// The three real databases read when a data directory is given.
pub const REAL_DATABASES: [&str; 3] = ["osv-db-go", "osv-db-pypa", "osv-db-rustsec"];

/// What the real databases gave.
#[derive(Debug, Default)]
pub struct RealAdvisories {
    pub inputs: Vec<AdvisoryInput>,
    pub rejected: usize,
}

/// Reads the real databases under `data` (each one that exists), with the engine's
/// loader, sorted by id; YAML records are stored as the JSON they parse to.
pub fn real(data: &Path) -> Result<RealAdvisories> {
    let mut index = Index::new();
    let mut rejected = 0;
    for db in REAL_DATABASES {
        let dir = data.join(db);
        if !dir.is_dir() {
            continue;
        }
        let report = load(&dir, &mut index, &SourceLimits::default(), &mut |_, _| {})?;
        rejected += report.rejected.len();
    }
    let mut inputs = index
        .advisories()
        .map(|a| {
            let json = serde_json::to_vec(&a.osv)?;
            Ok(AdvisoryInput {
                osv: a.osv.clone(),
                json,
                source: Some(format!("{}", data.display())),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    inputs.sort_by(|a, b| a.osv.id.as_str().cmp(b.osv.id.as_str()));
    Ok(RealAdvisories { inputs, rejected })
}

/// What kind of synthetic record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Hit,
    Near,
    Elsewhere,
}

/// A synthetic record with what it was built to do.
#[derive(Debug)]
pub struct Generated {
    pub input: AdvisoryInput,
    pub kind: Kind,
    /// Release packages it affects, counted from the portfolio's usage (one finding
    /// each).
    pub expected_findings: u64,
}

/// Of the records that are not hits, the share that names a portfolio package at
/// versions it does not use.
const NEAR_SHARE: f64 = 0.4;

/// Synthetic records, made one at a time.
#[derive(Debug)]
pub struct Synthetic<'a> {
    portfolio: &'a Portfolio,
    usage: &'a Usage,
    /// Pool entries some release contains.
    used: Vec<u32>,
    count: usize,
    hit_fraction: f64,
    next: usize,
}

impl<'a> Synthetic<'a> {
    /// `count` records, `hit_fraction` of them hits (exactly, rounded down).
    pub fn new(
        portfolio: &'a Portfolio,
        usage: &'a Usage,
        count: usize,
        hit_fraction: f64,
    ) -> Self {
        let used = (0..usage.releases.len() as u32)
            .filter(|&e| usage.releases[e as usize] > 0)
            .collect();
        Synthetic {
            portfolio,
            usage,
            used,
            count,
            hit_fraction: hit_fraction.clamp(0.0, 1.0),
            next: 0,
        }
    }
}

impl Iterator for Synthetic<'_> {
    type Item = Result<Generated>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let mut r = rng(self.portfolio.config.seed, "advisory", i as u64);
        // Exactly floor(count * fraction) hits, spread evenly through the stream.
        let f = self.hit_fraction;
        let hit = ((i + 1) as f64 * f).floor() > (i as f64 * f).floor();
        let kind = if hit && !self.used.is_empty() {
            Kind::Hit
        } else if r.random_bool(NEAR_SHARE) {
            Kind::Near
        } else {
            Kind::Elsewhere
        };
        Some(self.build(i, kind, &mut r))
    }
}

impl Synthetic<'_> {
    fn build(&self, i: usize, kind: Kind, r: &mut Rng) -> Result<Generated> {
        let pool = &self.portfolio.pool;
        let mut affected = Vec::new();
        let mut expected = 0;
        let ecosystem = match kind {
            Kind::Hit => {
                let e = self.used[r.random_range(0..self.used.len())];
                let (package, v) = pool.entry(e);
                let (entry, covered) = hit_entry(package, v, r);
                expected += self.findings(package, covered);
                affected.push(entry);
                // Some records name a second package: another module of the project,
                // at versions the portfolio does not use.
                if r.random_bool(0.1)
                    && let Some(other) = pool.draw_for_advisory(package.ecosystem, r)
                {
                    affected.push(near_entry(pool.package(other), r));
                }
                package.ecosystem
            }
            Kind::Near => {
                let eco = ecosystem_by_share(r);
                match pool.draw_for_advisory(eco, r) {
                    Some(pkg) => affected.push(near_entry(pool.package(pkg), r)),
                    None => affected.push(elsewhere_entry(eco, i, r)),
                }
                eco
            }
            Kind::Elsewhere => {
                let eco = ecosystem_by_share(r);
                affected.push(elsewhere_entry(eco, i, r));
                eco
            }
        };
        let record = record(i as u64, ecosystem, affected, r, None);
        Ok(Generated {
            input: input(record)?,
            kind,
            expected_findings: expected,
        })
    }

    /// Release packages with a version of `package` in `covered` (version indexes);
    /// for a Debian binary, of every binary of its source.
    fn findings(&self, package: &Package, covered: (usize, usize)) -> u64 {
        let pool = &self.portfolio.pool;
        let siblings: Vec<&Package> = match package.ecosystem {
            Ecosystem::Debian => pool
                .packages()
                .iter()
                .filter(|p| p.ecosystem == Ecosystem::Debian && p.osv_name() == package.osv_name())
                .collect(),
            _ => vec![package],
        };
        siblings
            .iter()
            .flat_map(|p| {
                (covered.0..=covered.1.min(p.versions.len() - 1))
                    .map(|v| u64::from(self.usage.releases[(p.first_entry as usize) + v]))
            })
            .sum()
    }
}

/// A record that arrives during the benchmark: it affects every version of `package`
/// but the newest (the fix just released), so every release containing an older one.
pub fn arriving(
    portfolio: &Portfolio,
    package: u32,
    n: usize,
    at: OffsetDateTime,
) -> Result<AdvisoryInput> {
    let p = portfolio.pool.package(package);
    let newest = p.versions.len() - 1;
    let mut events = vec![json!({"introduced": "0"})];
    if newest > 0 {
        events.push(json!({"fixed": p.osv_version(newest)}));
    } else {
        // One version only: it is affected and no fix exists yet.
        events.push(json!({"last_affected": p.osv_version(0)}));
    }
    let entry = json!({
        "package": {"ecosystem": p.ecosystem.osv(), "name": p.osv_name()},
        "ranges": [{"type": p.ecosystem.range_type(), "events": events}],
    });
    let mut r = rng(portfolio.config.seed, "arriving", n as u64);
    let record = record(
        50_000_000 + n as u64,
        p.ecosystem,
        vec![entry],
        &mut r,
        Some(at),
    );
    input(record)
}

/// The packages of the portfolio by the number of release packages they account for,
/// most first (a Debian source's binaries counted together under the first binary).
pub fn most_used(portfolio: &Portfolio, usage: &Usage) -> Vec<(u32, u64)> {
    let pool = &portfolio.pool;
    let mut by_name: std::collections::HashMap<(Ecosystem, String), (u32, u64)> =
        std::collections::HashMap::new();
    for (id, p) in pool.packages().iter().enumerate() {
        let n: u64 = (0..p.versions.len())
            .map(|v| u64::from(usage.releases[p.first_entry as usize + v]))
            .sum();
        let slot = by_name
            .entry((p.ecosystem, p.osv_name()))
            .or_insert((id as u32, 0));
        slot.1 += n;
    }
    let mut out: Vec<(u32, u64)> = by_name.into_values().filter(|&(_, n)| n > 0).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

fn input(record: Value) -> Result<AdvisoryInput> {
    let json = serde_json::to_vec(&record)?;
    let osv = vigil_osv::from_json(&json).map_err(|e| BenchError::Generated {
        what: format!(
            "advisory {}",
            record.get("id").and_then(Value::as_str).unwrap_or("?")
        ),
        reason: e.to_string(),
    })?;
    Ok(AdvisoryInput {
        osv,
        json,
        source: Some("vigil-bench synthetic".to_owned()),
    })
}

fn ecosystem_by_share(r: &mut Rng) -> Ecosystem {
    match r.random_range(0..100) {
        0..32 => Ecosystem::Npm,
        32..46 => Ecosystem::PyPI,
        46..68 => Ecosystem::Maven,
        68..82 => Ecosystem::Go,
        82..90 => Ecosystem::CratesIo,
        _ => Ecosystem::Debian,
    }
}

fn package_json(p: &Package) -> Value {
    json!({"ecosystem": p.ecosystem.osv(), "name": p.osv_name()})
}

/// An affected entry covering version `v` of `p`, and the version indexes it covers.
fn hit_entry(p: &Package, v: usize, r: &mut Rng) -> (Value, (usize, usize)) {
    let last = p.versions.len() - 1;
    let low = v.saturating_sub(r.random_range(0..3usize));
    let introduced = |r: &mut Rng| -> (String, usize) {
        if low == 0 || r.random_bool(0.3) {
            ("0".to_owned(), 0)
        } else {
            (p.osv_version(low).to_owned(), low)
        }
    };
    let range = |events: Vec<Value>| json!([{"type": p.ecosystem.range_type(), "events": events}]);
    let style = r.random_range(0..100);
    match style {
        // A fix, where the package has a newer version.
        0..45 if v < last => {
            let (intro, from) = introduced(r);
            let fixed = (v + r.random_range(1..=2usize)).min(last);
            let entry = json!({
                "package": package_json(p),
                "ranges": range(vec![json!({"introduced": intro}), json!({"fixed": p.osv_version(fixed)})]),
            });
            (entry, (from, fixed - 1))
        }
        // The last affected version is known, the fix is not.
        0..60 => {
            let (intro, from) = introduced(r);
            let entry = json!({
                "package": package_json(p),
                "ranges": range(vec![json!({"introduced": intro}), json!({"last_affected": p.osv_version(v)})]),
            });
            (entry, (from, v))
        }
        // No fix at all.
        60..75 => {
            let (intro, from) = introduced(r);
            let entry = json!({
                "package": package_json(p),
                "ranges": range(vec![json!({"introduced": intro})]),
            });
            (entry, (from, last))
        }
        // A range with the versions it covers listed, as PyPI's database writes them.
        75..90 if v < last => {
            let fixed = v + 1;
            let versions: Vec<&str> = (low..=v).map(|k| p.versions[k].as_str()).collect();
            let entry = json!({
                "package": package_json(p),
                "ranges": range(vec![json!({"introduced": p.osv_version(low)}), json!({"fixed": p.osv_version(fixed)})]),
                "versions": versions,
            });
            (entry, (low, v))
        }
        // Only a list of versions.
        _ => {
            let versions: Vec<&str> = (low..=v).map(|k| p.versions[k].as_str()).collect();
            let entry = json!({"package": package_json(p), "versions": versions});
            (entry, (low, v))
        }
    }
}

/// An affected entry naming `p` at versions the pool does not have.
fn near_entry(p: &Package, r: &mut Rng) -> Value {
    let range = |events: Vec<Value>| json!([{"type": p.ecosystem.range_type(), "events": events}]);
    let next_major = next_major(p);
    let events = match next_major {
        Some((a, b)) if r.random_bool(0.4) => {
            vec![json!({"introduced": a}), json!({"fixed": b})]
        }
        _ => vec![
            json!({"introduced": "0"}),
            json!({"fixed": p.osv_version(0)}),
        ],
    };
    json!({"package": package_json(p), "ranges": range(events)})
}

/// Versions in a major release after the package's newest: `(X+1).0.0` and a patch of it.
fn next_major(p: &Package) -> Option<(String, String)> {
    let newest = p.osv_version(p.versions.len() - 1);
    let (epoch, rest) = match newest.split_once(':') {
        Some((e, rest)) => (format!("{e}:"), rest),
        None => (String::new(), newest),
    };
    let major: u64 = rest.split('.').next()?.parse().ok()?;
    Some(match p.ecosystem {
        Ecosystem::Debian => (
            format!("{epoch}{}.0.0-1", major + 1),
            format!("{epoch}{}.0.0-1+deb12u1", major + 1),
        ),
        _ => (format!("{}.0.0", major + 1), format!("{}.0.3", major + 1)),
    })
}

/// An affected entry for a package no release contains.
fn elsewhere_entry(eco: Ecosystem, i: usize, r: &mut Rng) -> Value {
    let base = crate::pool::word(20_000_000 + i as u64);
    let name = match eco {
        Ecosystem::Maven => format!("org.{}:{base}", crate::pool::word(r.random_range(0..2_000))),
        Ecosystem::Go => format!(
            "github.com/{}/{base}",
            crate::pool::word(30_000 + r.random_range(0..3_000))
        ),
        _ => base,
    };
    let (major, minor) = (r.random_range(0..6u32), r.random_range(0..20u32));
    let fixed = match eco {
        Ecosystem::Debian => format!(
            "{major}.{minor}.{}-{}+deb12u1",
            r.random_range(0..9),
            r.random_range(1..4)
        ),
        _ => format!("{major}.{minor}.{}", r.random_range(1..12)),
    };
    let events = if r.random_bool(0.8) {
        vec![json!({"introduced": "0"}), json!({"fixed": fixed})]
    } else {
        vec![json!({"introduced": "0"}), json!({"last_affected": fixed})]
    };
    json!({
        "package": {"ecosystem": eco.osv(), "name": name},
        "ranges": [{"type": eco.range_type(), "events": events}],
    })
}

const WEAKNESSES: [(&str, &str); 10] = [
    ("Prototype pollution", "CWE-1321"),
    ("Regular expression denial of service", "CWE-1333"),
    ("Path traversal", "CWE-22"),
    ("Cross-site scripting", "CWE-79"),
    ("SQL injection", "CWE-89"),
    ("Improper certificate validation", "CWE-295"),
    ("Uncontrolled resource consumption", "CWE-400"),
    ("Deserialization of untrusted data", "CWE-502"),
    ("Server-side request forgery", "CWE-918"),
    ("Out-of-bounds read", "CWE-125"),
];

/// The whole record: id in the style of the ecosystem's database, CVE alias, dates,
/// CVSS v3 vector, references.
fn record(
    n: u64,
    eco: Ecosystem,
    affected: Vec<Value>,
    r: &mut Rng,
    modified: Option<OffsetDateTime>,
) -> Value {
    let base = time::macros::datetime!(2016-01-01 00:00 UTC);
    let published = base
        + Duration::days(r.random_range(0..3_650))
        + Duration::seconds(r.random_range(0..86_400));
    let modified = modified.unwrap_or_else(|| published + Duration::days(r.random_range(0..400)));
    let year = published.year();
    // Numbers far above any real database's, so no synthetic id or alias is a real one
    // (PyPI's run past 40,000 a year).
    let cve = format!("CVE-{year}-{}", 9_000_000 + n);
    let with_cve = r.random_bool(0.9);
    let ghsa = ghsa(n);
    let (id, mut aliases) = match eco {
        Ecosystem::Npm | Ecosystem::Maven => (ghsa.clone(), vec![]),
        Ecosystem::PyPI if r.random_bool(0.5) => (
            format!("PYSEC-{year}-{}", 1_000_000 + n),
            vec![ghsa.clone()],
        ),
        Ecosystem::PyPI => (ghsa.clone(), vec![]),
        Ecosystem::Go => (format!("GO-{year}-{}", 1_000_000 + n), vec![ghsa.clone()]),
        Ecosystem::CratesIo => (format!("RUSTSEC-{year}-{}", 1_000_000 + n), vec![]),
        Ecosystem::Debian => (format!("DEBIAN-{cve}"), vec![]),
    };
    if with_cve || eco == Ecosystem::Debian {
        aliases.push(cve.clone());
    }
    let (weakness, cwe) = WEAKNESSES[r.random_range(0..WEAKNESSES.len())];
    let first = affected
        .first()
        .and_then(|a| a.pointer("/package/name"))
        .and_then(Value::as_str)
        .unwrap_or("the package")
        .to_owned();
    let mut record = json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": rfc3339(modified),
        "published": rfc3339(published),
        "aliases": aliases,
        "summary": format!("{weakness} in {first}"),
        "details": format!("{weakness} in {first} lets a remote attacker affect the application through crafted input. Upgrade to a fixed version where one exists."),
        "affected": affected,
        "references": [
            {"type": "ADVISORY", "url": format!("https://nvd.nist.gov/vuln/detail/{cve}")},
            {"type": "WEB", "url": format!("https://example.com/security/{}", id.to_lowercase())},
        ],
        "database_specific": {"cwe_ids": [cwe], "github_reviewed": true},
    });
    if r.random_bool(0.85) {
        record["severity"] = json!([{"type": "CVSS_V3", "score": cvss(r)}]);
    }
    record
}

/// A CVSS v3.1 base vector, drawn with the weights real advisories show.
fn cvss(r: &mut Rng) -> String {
    let pick = |r: &mut Rng, options: &[(&'static str, u32)]| -> &'static str {
        let total: u32 = options.iter().map(|o| o.1).sum();
        let mut x = r.random_range(0..total);
        for &(v, w) in options {
            if x < w {
                return v;
            }
            x -= w;
        }
        options[0].0
    };
    format!(
        "CVSS:3.1/AV:{}/AC:{}/PR:{}/UI:{}/S:{}/C:{}/I:{}/A:{}",
        pick(r, &[("N", 80), ("A", 5), ("L", 13), ("P", 2)]),
        pick(r, &[("L", 85), ("H", 15)]),
        pick(r, &[("N", 65), ("L", 25), ("H", 10)]),
        pick(r, &[("N", 70), ("R", 30)]),
        pick(r, &[("U", 85), ("C", 15)]),
        pick(r, &[("H", 50), ("L", 25), ("N", 25)]),
        pick(r, &[("H", 40), ("L", 30), ("N", 30)]),
        pick(r, &[("H", 55), ("L", 10), ("N", 35)]),
    )
}

/// A GitHub advisory id for `n`: three groups of four from GitHub's alphabet, the first
/// two a bijection of `n`, so no two numbers share one.
fn ghsa(n: u64) -> String {
    const ALPHABET: &[u8] = b"23456789cfghjmpqrvwx";
    const SPACE: u64 = 20u64.pow(8);
    // 7,919 is prime and shares no factor with 20^8 = 2^16 * 5^8.
    let mut x = (n % SPACE) * 7_919 % SPACE;
    let mut digits = [0u8; 12];
    for d in digits.iter_mut().take(8) {
        *d = ALPHABET[(x % 20) as usize];
        x /= 20;
    }
    let mut y = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    for d in digits.iter_mut().skip(8) {
        *d = ALPHABET[(y % 20) as usize];
        y /= 20;
    }
    let s = String::from_utf8_lossy(&digits).into_owned();
    format!("GHSA-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "2020-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use vigil_match::Index;
    use vigil_osv::QueryVersion;

    use super::*;
    use crate::portfolio::PortfolioConfig;

    fn portfolio() -> Portfolio {
        Portfolio::generate(&PortfolioConfig {
            seed: 11,
            services: 15,
            releases: 45,
            components_per_release: 100,
            package_pool: 6_000,
        })
    }

    #[test]
    fn ghsa_ids_are_distinct() {
        let ids: HashSet<String> = (0..200_000).map(ghsa).collect();
        assert_eq!(ids.len(), 200_000);
    }

    /// Hits affect the versions they were built around; nothing else affects any
    /// version of the pool; the proportions are as configured.
    #[test]
    fn kinds_do_what_they_are_built_to_do() {
        let p = portfolio();
        let usage = Usage::of(&p);
        let generated: Vec<Generated> = Synthetic::new(&p, &usage, 600, 0.1)
            .collect::<Result<_>>()
            .unwrap();
        let ids: HashSet<&str> = generated.iter().map(|g| g.input.osv.id.as_str()).collect();
        assert_eq!(ids.len(), 600);
        let hits = generated.iter().filter(|g| g.kind == Kind::Hit).count();
        assert_eq!(hits, 60);
        assert!(generated.iter().any(|g| g.kind == Kind::Near));
        assert!(generated.iter().any(|g| g.kind == Kind::Elsewhere));
        // Only packages an advisory names can match it, so those are the ones to look up.
        let mut by_name: std::collections::HashMap<(String, String), Vec<&Package>> =
            std::collections::HashMap::new();
        for pkg in p.pool.packages() {
            by_name
                .entry((pkg.ecosystem.osv().to_owned(), pkg.osv_name()))
                .or_default()
                .push(pkg);
        }
        for g in &generated {
            let mut index = Index::new();
            index.insert(g.input.osv.clone());
            let mut found = 0u64;
            let mut seen = HashSet::new();
            let named = g
                .input
                .osv
                .affected
                .iter()
                .filter_map(|a| a.package.as_ref())
                .filter_map(|pk| by_name.get(&(pk.ecosystem.to_string(), pk.name.clone())))
                .flatten()
                .filter(|pkg| seen.insert(pkg.first_entry));
            for pkg in named {
                let key = vigil_osv::PackageKey::new(
                    pkg.ecosystem.osv().parse().unwrap(),
                    &pkg.osv_name(),
                );
                for (v, version) in pkg.versions.iter().enumerate() {
                    let q = QueryVersion::new(key.ecosystem(), version);
                    if !index.lookup(&key, &q).is_empty() {
                        found += u64::from(usage.releases[pkg.first_entry as usize + v]);
                    }
                }
            }
            assert_eq!(
                found,
                g.expected_findings,
                "{}",
                String::from_utf8_lossy(&g.input.json)
            );
            assert_eq!(g.kind == Kind::Hit, found > 0, "{:?}", g.kind);
        }
    }

    #[test]
    fn arriving_advisories_hit_the_most_used_packages() {
        let p = portfolio();
        let usage = Usage::of(&p);
        let top = most_used(&p, &usage);
        assert!(top[0].1 >= top[top.len() - 1].1);
        let a = arriving(
            &p,
            top[0].0,
            0,
            time::macros::datetime!(2026-06-01 00:00 UTC),
        )
        .unwrap();
        assert!(a.osv.id.as_str().starts_with("GHSA-") || a.osv.id.as_str().contains('-'));
    }
}
