//! Conformance: the queries osv-scanner sent to osv.dev's `/v1/querybatch` (recorded in its
//! test cassettes), answered from the local advisory databases, against the ids osv.dev
//! returned.
//!
//! The snapshots and the recordings were taken at different times, so the comparison is
//! on what both sides could know:
//! - osv.dev returns GitHub's GHSA records beside the Go team's; the Go database carries
//!   those as aliases of its GO records, so an expected id is met by a record with that id
//!   or that alias.
//! - An expected id that no local record has, as id or alias, is counted as "not in the
//!   snapshot" (PyPA's snapshot is older than the recordings).
//! - A record Vigil finds that osv.dev returned for no query at all is counted as "newer
//!   than the recordings" (the Go snapshot is newer, and its timestamps are zeroed, so
//!   dates cannot tell). A record osv.dev did return elsewhere must agree.
//!
//! Go must agree exactly under these rules; PyPI and crates.io print their agreement.

use std::collections::BTreeSet;
use std::path::Path;

use vigil_engine::advisories::{SourceLimits, load};
use vigil_match::Index;
use vigil_osv::PackageKey;
use vigil_osv::eval::{QueryVersion, Verdict};
use vigil_version::Ecosystem;

/// Loads a database directory as `vigil scan --advisories DIR` does.
fn load_dir(index: &mut Index, dir: &Path) -> usize {
    let report = load(dir, index, &SourceLimits::default(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    report.records
}

struct Query {
    ecosystem: String,
    name: String,
    version: String,
    expected: BTreeSet<String>,
}

fn queries(data: &Path) -> Vec<Query> {
    let text = vigil_testkit::read(data, "osv-scanner/querybatch-expected.json");
    let doc: serde_json::Value =
        serde_json::from_str(&text).expect("querybatch-expected.json parses");
    let entries = doc["entries"].as_array().expect("entries is a list");
    entries
        .iter()
        .filter_map(|e| {
            let q = &e["query"];
            Some(Query {
                ecosystem: q["package"]["ecosystem"].as_str()?.to_owned(),
                name: q["package"]["name"].as_str()?.to_owned(),
                version: q["version"].as_str()?.to_owned(),
                expected: e["vuln_ids"]
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            })
        })
        .collect()
}

/// The ids the index says affect the query (`Unknown` verdicts do not count).
fn answer(index: &Index, q: &Query) -> BTreeSet<String> {
    let ecosystem: Ecosystem = q.ecosystem.parse().expect("query ecosystem is known");
    let key = PackageKey::new(ecosystem.clone(), &q.name);
    let version = QueryVersion::new(&ecosystem, &q.version);
    index
        .lookup(&key, &version)
        .into_iter()
        .filter(|m| matches!(m.verdict, Verdict::Affected(_)))
        .map(|m| m.advisory.id().to_owned())
        .collect()
}

#[test]
fn querybatch_agrees_with_osv_dev() {
    let Some(data) = vigil_testkit::conformance_dir("osv.dev querybatch") else {
        return;
    };
    let all = queries(&data);
    let returned_anywhere: BTreeSet<&str> = all
        .iter()
        .flat_map(|q| q.expected.iter().map(String::as_str))
        .collect();
    for (ecosystem, db) in [
        ("Go", "osv-db-go"),
        ("PyPI", "osv-db-pypa"),
        ("crates.io", "osv-db-rustsec"),
    ] {
        let mut index = Index::new();
        let loaded = load_dir(&mut index, &data.join(db));
        // Every name a local record goes by: its id and its aliases.
        let names = |id: &str| -> BTreeSet<String> {
            index
                .get(id)
                .iter()
                .flat_map(|a| {
                    std::iter::once(a.id().to_owned()).chain(a.osv.aliases.iter().cloned())
                })
                .collect()
        };
        let (mut checked, mut agree, mut not_in_snapshot, mut newer) = (0, 0, 0, 0);
        let mut differences = Vec::new();
        for q in all.iter().filter(|q| q.ecosystem == ecosystem) {
            checked += 1;
            let got = answer(&index, q);
            let got_names: BTreeSet<String> = got.iter().flat_map(|g| names(g)).collect();
            let mut missing = Vec::new();
            for e in &q.expected {
                if index.get(e).is_empty() {
                    not_in_snapshot += 1;
                } else if !got_names.contains(e) {
                    missing.push(e.as_str());
                }
            }
            let mut extra = Vec::new();
            for g in &got {
                if names(g).iter().any(|n| q.expected.contains(n)) {
                    continue;
                }
                if returned_anywhere.contains(g.as_str()) {
                    extra.push(g.as_str());
                } else {
                    newer += 1;
                }
            }
            if missing.is_empty() && extra.is_empty() {
                agree += 1;
            } else {
                differences.push(format!(
                    "{} {}@{}: only osv.dev {missing:?}, only Vigil {extra:?}",
                    q.ecosystem, q.name, q.version
                ));
            }
        }
        eprintln!(
            "conformance querybatch {ecosystem}: {checked} queries against {db} ({loaded} records), \
             {agree} agree; {not_in_snapshot} expected ids not in the snapshot, \
             {newer} matches of records newer than the recordings"
        );
        for d in &differences {
            eprintln!("  differs: {d}");
        }
        if ecosystem == "Go" {
            assert!(checked > 0, "no Go queries in querybatch-expected.json");
            assert!(differences.is_empty(), "Go answers differ from osv.dev's");
        }
    }
}
