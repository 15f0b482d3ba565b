//! Advisories by package, each compiled once, looked up per (package, version).

use std::collections::HashMap;

use vigil_osv::eval::{CompiledAdvisory, QueryVersion, Verdict};
use vigil_osv::{Osv, PackageKey, Severity};
use vigil_version::ecosystem::Family;

/// One advisory as the index keeps it: the record, its compiled ranges and severity.
#[derive(Debug)]
pub struct Advisory {
    pub osv: Osv,
    pub compiled: CompiledAdvisory,
    /// The record's own severity (per-entry severities are on each `affected` entry).
    pub severity: Option<Severity>,
    /// The severity that applies to each `affected` entry, computed once.
    entry_severity: Vec<Option<Severity>>,
}

impl Advisory {
    /// Compiles `osv`: every event and listed version is parsed here, once.
    pub fn new(osv: Osv) -> Self {
        let severity = osv.severity_assessment();
        let entry_severity = osv
            .affected
            .iter()
            .map(|a| a.severity_assessment().or_else(|| severity.clone()))
            .collect();
        Advisory {
            compiled: CompiledAdvisory::new(&osv),
            severity,
            entry_severity,
            osv,
        }
    }

    /// The advisory id.
    pub fn id(&self) -> &str {
        self.osv.id.as_str()
    }

    /// The severity that applies to `affected[index]`: the entry's own when it has one,
    /// else the record's.
    pub fn severity_of(&self, index: usize) -> Option<&Severity> {
        self.entry_severity
            .get(index)
            .and_then(Option::as_ref)
            .or(self.severity.as_ref())
    }
}

/// What [`Index::insert`] did with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The id was new.
    New,
    /// The id was known with an older `modified`; the record replaced it.
    Replaced,
    /// The id was known with the same or a newer `modified`; the record was dropped.
    Kept,
}

/// One advisory that affects a package version, or may.
#[derive(Clone, Copy, Debug)]
pub struct Match<'a> {
    pub advisory: &'a Advisory,
    /// Which `affected[]` entry answered.
    pub affected: usize,
    pub verdict: Verdict<'a>,
}

/// Where an `affected[]` entry of an advisory is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    advisory: u32,
    affected: u32,
}

/// Advisories by package name, compiled once.
///
/// Keys are the ecosystem family and the normalized package name; the release
/// (`Debian:12`) is checked per entry by [`PackageKey::matches`], so an SBOM that does
/// not say which release meets advisories of every release.
#[derive(Debug, Default)]
pub struct Index {
    advisories: Vec<Advisory>,
    by_id: HashMap<String, u32>,
    by_alias: HashMap<String, Vec<u32>>,
    /// By ecosystem family, then normalized name, so a lookup borrows its key.
    by_package: HashMap<Family, HashMap<String, Vec<Slot>>>,
}

impl Index {
    pub fn new() -> Self {
        Index::default()
    }

    /// Number of advisories held.
    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// Every advisory held, in insertion order.
    pub fn advisories(&self) -> impl Iterator<Item = &Advisory> {
        self.advisories.iter()
    }

    /// Adds a record. A record never replaces one with the same id and a newer or equal
    /// `modified`, so loading sources in any order gives the newest of each.
    pub fn insert(&mut self, osv: Osv) -> Inserted {
        if let Some(&at) = self.by_id.get(osv.id.as_str())
            && self.advisories[at as usize].osv.modified >= osv.modified
        {
            return Inserted::Kept;
        }
        self.insert_advisory(Advisory::new(osv))
    }

    /// Adds an advisory compiled elsewhere (another index's), by the same rule as
    /// [`Index::insert`].
    pub fn insert_advisory(&mut self, advisory: Advisory) -> Inserted {
        if let Some(&at) = self.by_id.get(advisory.id()) {
            if self.advisories[at as usize].osv.modified >= advisory.osv.modified {
                return Inserted::Kept;
            }
            self.unlink(at);
            self.advisories[at as usize] = advisory;
            self.link(at);
            return Inserted::Replaced;
        }
        let at = u32::try_from(self.advisories.len()).expect("fewer than 2^32 advisories");
        self.by_id.insert(advisory.id().to_owned(), at);
        self.advisories.push(advisory);
        self.link(at);
        Inserted::New
    }

    /// The advisories held, for another index to take.
    pub fn into_advisories(self) -> Vec<Advisory> {
        self.advisories
    }

    /// The advisory with this id, or those with this alias (a CVE can be an alias of
    /// several records, such as a GHSA and a PYSEC entry).
    pub fn get(&self, id_or_alias: &str) -> Vec<&Advisory> {
        if let Some(&at) = self.by_id.get(id_or_alias) {
            return vec![&self.advisories[at as usize]];
        }
        self.by_alias
            .get(id_or_alias)
            .map(|all| {
                all.iter()
                    .map(|&at| &self.advisories[at as usize])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every advisory that affects `version` of `package`, or cannot rule it out, one
    /// match per advisory, ordered by advisory id. Where several entries of one advisory
    /// answer, an `Affected` verdict wins over `Unknown`, then the first entry.
    pub fn lookup<'a>(
        &'a self,
        package: &'a PackageKey,
        version: &'a QueryVersion,
    ) -> Vec<Match<'a>> {
        let Some(slots) = self
            .by_package
            .get(&package.ecosystem().family)
            .and_then(|names| names.get(package.name()))
        else {
            return Vec::new();
        };
        let mut found: Vec<Match<'a>> = Vec::new();
        for slot in slots {
            let advisory = &self.advisories[slot.advisory as usize];
            if advisory.compiled.withdrawn {
                continue;
            }
            let entry = &advisory.compiled.affected[slot.affected as usize];
            if !entry.package.as_ref().is_some_and(|p| p.matches(package)) {
                continue;
            }
            let Some(verdict) = entry.check(version) else {
                continue;
            };
            let candidate = Match {
                advisory,
                affected: slot.affected as usize,
                verdict,
            };
            match found
                .iter_mut()
                .find(|m| std::ptr::eq(m.advisory, advisory))
            {
                Some(existing) => {
                    if matches!(existing.verdict, Verdict::Unknown(_))
                        && matches!(verdict, Verdict::Affected(_))
                    {
                        *existing = candidate;
                    }
                }
                None => found.push(candidate),
            }
        }
        found.sort_by(|a, b| a.advisory.id().cmp(b.advisory.id()));
        found
    }

    fn link(&mut self, at: u32) {
        let advisory = &self.advisories[at as usize];
        for alias in &advisory.osv.aliases {
            let all = self.by_alias.entry(alias.clone()).or_default();
            if !all.contains(&at) {
                all.push(at);
            }
        }
        for (i, entry) in advisory.compiled.affected.iter().enumerate() {
            if let Some(package) = &entry.package {
                let affected = u32::try_from(i).expect("fewer than 2^32 affected entries");
                self.by_package
                    .entry(package.ecosystem().family)
                    .or_default()
                    .entry(package.name().to_owned())
                    .or_default()
                    .push(Slot {
                        advisory: at,
                        affected,
                    });
            }
        }
    }

    fn unlink(&mut self, at: u32) {
        let advisory = &self.advisories[at as usize];
        for alias in &advisory.osv.aliases {
            if let Some(all) = self.by_alias.get_mut(alias) {
                all.retain(|&x| x != at);
            }
        }
        for package in advisory
            .compiled
            .affected
            .iter()
            .filter_map(|e| e.package.as_ref())
        {
            if let Some(slots) = self
                .by_package
                .get_mut(&package.ecosystem().family)
                .and_then(|names| names.get_mut(package.name()))
            {
                slots.retain(|s| s.advisory != at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_osv::eval::{Hit, Remedy};
    use vigil_version::Ecosystem;

    fn record(json: serde_json::Value) -> Osv {
        vigil_osv::from_json(json.to_string().as_bytes()).expect("test record is valid")
    }

    fn django(id: &str, modified: &str, fixed: &str) -> Osv {
        record(serde_json::json!({
            "id": id,
            "modified": modified,
            "aliases": ["CVE-2024-0001"],
            "affected": [{
                "package": {"ecosystem": "PyPI", "name": "Django"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "4.0"}, {"fixed": fixed}]}]
            }]
        }))
    }

    /// The advisory ids affecting `version` of `name` in `ecosystem`.
    fn ids(index: &Index, ecosystem: &str, name: &str, version: &str) -> Vec<String> {
        let e: Ecosystem = ecosystem.parse().unwrap();
        let key = PackageKey::new(e.clone(), name);
        let q = QueryVersion::new(&e, version);
        index
            .lookup(&key, &q)
            .iter()
            .map(|m| m.advisory.id().to_owned())
            .collect()
    }

    #[test]
    fn finds_by_normalized_name_and_version() {
        let mut index = Index::new();
        index.insert(django("PYSEC-1", "2024-01-01T00:00:00Z", "4.2.1"));
        assert_eq!(ids(&index, "PyPI", "django", "4.2"), ["PYSEC-1"]);
        assert_eq!(ids(&index, "PyPI", "DJANGO", "4.2.0"), ["PYSEC-1"]);
        assert!(ids(&index, "PyPI", "django", "4.2.1").is_empty());
        assert!(ids(&index, "PyPI", "django", "3.9").is_empty());
        assert!(ids(&index, "npm", "django", "4.2").is_empty());
    }

    #[test]
    fn newer_modified_replaces_older_never_the_reverse() {
        let mut index = Index::new();
        assert_eq!(
            index.insert(django("PYSEC-1", "2024-01-02T00:00:00Z", "4.2.1")),
            Inserted::New
        );
        assert_eq!(
            index.insert(django("PYSEC-1", "2024-01-01T00:00:00Z", "5.0")),
            Inserted::Kept
        );
        assert!(ids(&index, "PyPI", "django", "4.2.1").is_empty());
        assert_eq!(
            index.insert(django("PYSEC-1", "2024-01-03T00:00:00Z", "5.0")),
            Inserted::Replaced
        );
        assert_eq!(ids(&index, "PyPI", "django", "4.2.1"), ["PYSEC-1"]);
        assert_eq!(index.len(), 1);
        assert_eq!(index.get("CVE-2024-0001").len(), 1);
    }

    #[test]
    fn alias_lookup_finds_every_record() {
        let mut index = Index::new();
        index.insert(django("PYSEC-1", "2024-01-01T00:00:00Z", "4.2.1"));
        index.insert(django(
            "GHSA-xxxx-yyyy-zzzz",
            "2024-01-01T00:00:00Z",
            "4.2.1",
        ));
        let mut found: Vec<&str> = index.get("CVE-2024-0001").iter().map(|a| a.id()).collect();
        found.sort();
        assert_eq!(found, ["GHSA-xxxx-yyyy-zzzz", "PYSEC-1"]);
        assert_eq!(index.get("PYSEC-1").len(), 1);
        assert!(index.get("CVE-1999-0000").is_empty());
    }

    #[test]
    fn release_scoped_advisories_meet_matching_or_unscoped_components() {
        let mut index = Index::new();
        index.insert(record(serde_json::json!({
            "id": "DSA-1", "modified": "2024-01-01T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": "Debian:12", "name": "openssl"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.15-1~deb12u1"}]}]
            }]
        })));
        assert_eq!(
            ids(&index, "Debian:12", "openssl", "3.0.14-1~deb12u2"),
            ["DSA-1"]
        );
        assert_eq!(
            ids(&index, "Debian", "openssl", "3.0.14-1~deb12u2"),
            ["DSA-1"]
        );
        assert!(ids(&index, "Debian:11", "openssl", "3.0.14-1~deb12u2").is_empty());
    }

    #[test]
    fn no_fix_yet_is_a_match_and_says_so() {
        let mut index = Index::new();
        index.insert(record(serde_json::json!({
            "id": "GHSA-open", "modified": "2024-01-01T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": "npm", "name": "left-pad"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}]}]
            }]
        })));
        let e: Ecosystem = "npm".parse().unwrap();
        let key = PackageKey::new(e.clone(), "left-pad");
        let q = QueryVersion::new(&e, "9.9.9");
        let found = index.lookup(&key, &q);
        assert_eq!(found.len(), 1);
        assert!(matches!(
            found[0].verdict,
            Verdict::Affected(Hit::Range {
                remedy: Remedy::NoFixYet,
                ..
            })
        ));
    }

    #[test]
    fn withdrawn_records_load_but_match_nothing() {
        let mut index = Index::new();
        index.insert(record(serde_json::json!({
            "id": "GHSA-gone", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-01-02T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": "npm", "name": "left-pad"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]
            }]
        })));
        assert_eq!(index.len(), 1);
        assert!(ids(&index, "npm", "left-pad", "1.0.0").is_empty());
    }
}
