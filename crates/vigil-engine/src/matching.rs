//! Matching against the store, incrementally: a changed advisory is evaluated only
//! against the package versions it names, a new release only against the advisories
//! naming its packages. Each distinct package version is evaluated once and the answer
//! fanned out to every release that contains it.

use std::collections::{BTreeSet, HashMap, HashSet};

use time::OffsetDateTime;
use vigil_match::scan::{Certainty, Fix, Outcome};
use vigil_match::{Advisory, Index};
use vigil_osv::eval::QueryVersion;
use vigil_osv::{PackageKey, Rating, Severity};
use vigil_store::{FindingKey, NewFinding, PackageVersion, Resolution, Tx};
use vigil_version::Ecosystem;

use crate::error::Result;

/// Recorded on every finding: which matcher made it. Bump the revision when matching
/// changes what it finds, so `vigil rematch` can be seen to be due.
pub const MATCHER: &str = concat!("vigil ", env!("CARGO_PKG_VERSION"), " (matcher 1)");

/// The match key the store indexes packages by: `family/normalized-name`.
pub fn pkg_key(key: &PackageKey) -> String {
    format!("{}/{}", key.ecosystem().family.name(), key.name())
}

/// A severity rating as the store ranks it: 0 none, 1 low, 2 medium, 3 high, 4 critical.
pub fn rank(rating: Option<Rating>) -> i64 {
    match rating {
        Some(Rating::Critical) => 4,
        Some(Rating::High) => 3,
        Some(Rating::Medium) => 2,
        Some(Rating::Low) => 1,
        _ => 0,
    }
}

/// The name of a rank, for output.
pub fn rank_name(rank: i64) -> &'static str {
    match rank {
        4 => "critical",
        3 => "high",
        2 => "medium",
        1 => "low",
        _ => "unrated",
    }
}

/// A stored package version, ready to be looked up.
pub(crate) struct Target {
    pub(crate) id: i64,
    key: PackageKey,
    query: QueryVersion,
}

impl Target {
    pub(crate) fn new(id: i64, key: PackageKey, version: &str) -> Target {
        let query = QueryVersion::new(key.ecosystem(), version);
        Target { id, key, query }
    }
}

/// `None` for an ecosystem this build does not know (a store written by a newer one).
pub(crate) fn target(pv: &PackageVersion) -> Option<Target> {
    let ecosystem: Ecosystem = pv.ecosystem.parse().ok()?;
    Some(Target::new(
        pv.id,
        PackageKey::new(ecosystem, &pv.name),
        &pv.version,
    ))
}

/// One advisory's answer for one package version.
pub(crate) struct Hit {
    pub(crate) package_version_id: i64,
    pub(crate) advisory: String,
    outcome: Outcome,
    severity: Option<Severity>,
}

/// Every advisory of `index` that affects (or may affect) each target.
pub(crate) fn hits(index: &Index, targets: &[Target]) -> Vec<Hit> {
    let mut out = Vec::new();
    for t in targets {
        for m in index.lookup(&t.key, &t.query) {
            out.push(Hit {
                package_version_id: t.id,
                advisory: m.advisory.id().to_owned(),
                outcome: Outcome::of(&m),
                severity: m.advisory.severity_of(m.affected).cloned(),
            });
        }
    }
    out
}

/// A finding to store, owning its text.
pub(crate) struct Pending {
    pub(crate) key: FindingKey,
    matched: String,
    certainty: &'static str,
    reason: Option<String>,
    fix: &'static str,
    fixed: Option<String>,
    rank: i64,
    score: Option<f64>,
}

impl Pending {
    fn new(release_id: i64, hit: &Hit) -> Pending {
        let (certainty, reason) = match &hit.outcome.certainty {
            Certainty::Affected => ("affected", None),
            Certainty::Unknown { reason } => ("unknown", Some(reason.clone())),
        };
        let (fix, fixed) = match &hit.outcome.fix {
            Fix::FixedIn { versions } => ("fixed_in", Some(versions.join(", "))),
            Fix::NoFixKnown { last_affected } => ("no_fix_known", Some(last_affected.clone())),
            Fix::NoFixYet => ("no_fix_yet", None),
            Fix::NotListed => ("not_listed", None),
            Fix::Unknown => ("unknown", None),
        };
        Pending {
            key: FindingKey {
                release_id,
                package_version_id: hit.package_version_id,
                advisory_id: hit.advisory.clone(),
            },
            matched: hit.outcome.matched.clone(),
            certainty,
            reason,
            fix,
            fixed,
            rank: rank(hit.severity.as_ref().map(|s| s.rating)),
            score: hit
                .severity
                .as_ref()
                .and_then(|s| s.score)
                .map(|s| f64::from((s * 10.0).round()) / 10.0),
        }
    }

    fn as_new(&self) -> NewFinding<'_> {
        NewFinding {
            key: self.key.clone(),
            matched: &self.matched,
            certainty: self.certainty,
            reason: self.reason.as_deref(),
            fix: self.fix,
            fixed: self.fixed.as_deref(),
            severity_rank: self.rank,
            severity_score: self.score,
        }
    }
}

/// The hits fanned out to each release containing the package version.
pub(crate) fn pending(hits: &[Hit], releases: &[(i64, i64)]) -> Vec<Pending> {
    let mut by_pv: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(release, pv) in releases {
        by_pv.entry(pv).or_default().push(release);
    }
    let mut out = Vec::new();
    for hit in hits {
        for &release in by_pv.get(&hit.package_version_id).into_iter().flatten() {
            out.push(Pending::new(release, hit));
        }
    }
    out
}

/// Stores findings.
pub(crate) fn store(tx: &mut Tx<'_>, pending: &[Pending], now: OffsetDateTime) -> Result<()> {
    let new: Vec<NewFinding<'_>> = pending.iter().map(Pending::as_new).collect();
    for chunk in new.chunks(2_000) {
        tx.upsert_findings(chunk, MATCHER, now)?;
    }
    // Decisions made earlier (on other releases of the service, on the package, on the
    // advisory) take effect on the new findings in the same transaction.
    let advisories: Vec<String> = pending
        .iter()
        .map(|p| p.key.advisory_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    crate::triage::after_match(tx, &advisories, now)?;
    Ok(())
}

/// What re-evaluating some advisories against the portfolio did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rematched {
    /// Findings the advisories now give (new or confirmed).
    pub findings: usize,
    /// Of those, not known before (or closed by a withdrawal or an earlier non-match).
    pub new: Vec<FindingKey>,
    /// Open findings closed: the advisory was withdrawn or no longer matches.
    pub resolved: usize,
}

/// Evaluates the advisories `ids` (all in `index`) against every package version they
/// name, stores the findings, and closes open findings they no longer give.
pub(crate) fn rematch_advisories(
    tx: &mut Tx<'_>,
    index: &Index,
    ids: &[String],
    now: OffsetDateTime,
) -> Result<Rematched> {
    let mut pkgs: BTreeSet<String> = BTreeSet::new();
    let mut withdrawn: HashSet<&str> = HashSet::new();
    for id in ids {
        for a in index.get(id).into_iter().filter(|a| a.id() == id) {
            pkgs.extend(advisory_pkgs(a));
            if a.compiled.withdrawn {
                withdrawn.insert(a.id());
            }
        }
    }
    let pkgs: Vec<String> = pkgs.into_iter().collect();
    let targets: Vec<Target> = tx
        .package_versions_of(&pkgs)?
        .iter()
        .filter_map(target)
        .collect();
    let hits = hits(index, &targets);
    let pv_ids: Vec<i64> = {
        let set: BTreeSet<i64> = hits.iter().map(|h| h.package_version_id).collect();
        set.into_iter().collect()
    };
    let releases = tx.releases_containing(&pv_ids)?;
    let pending = pending(&hits, &releases);
    let given: HashSet<&FindingKey> = pending.iter().map(|p| &p.key).collect();
    let mut outcome = Rematched {
        findings: pending.len(),
        ..Rematched::default()
    };
    let mut was_open: HashSet<FindingKey> = HashSet::new();
    for id in ids {
        let mut closing = Vec::new();
        let mut unmatched = Vec::new();
        for state in tx.findings_of_advisory(id)? {
            let open = state.resolved_at.is_none();
            // A finding closed only because its release stopped running still stands.
            if open || state.resolution.as_deref() == Some(Resolution::Undeployed.as_str()) {
                was_open.insert(state.key.clone());
            }
            // Closed only because the release stopped running or triage ruled it out,
            // a finding the advisory no longer gives is withdrawn or unmatched too, so
            // that neither a redeploy nor a revoked decision brings it back.
            let standing = open
                || matches!(
                    state.resolution.as_deref(),
                    Some("undeployed" | "not_affected" | "fixed")
                );
            if standing && !given.contains(&state.key) {
                if withdrawn.contains(id.as_str()) {
                    closing.push(state.key);
                } else {
                    unmatched.push(state.key);
                }
            }
        }
        outcome.resolved += tx.resolve_findings(&closing, Resolution::Withdrawn, now)? as usize;
        outcome.resolved += tx.resolve_findings(&unmatched, Resolution::Unmatched, now)? as usize;
    }
    outcome.new = pending
        .iter()
        .filter(|p| !was_open.contains(&p.key))
        .map(|p| p.key.clone())
        .collect();
    store(tx, &pending, now)?;
    Ok(outcome)
}

/// The store's match keys of the packages an advisory names.
pub(crate) fn advisory_pkgs(a: &Advisory) -> BTreeSet<String> {
    a.compiled
        .affected
        .iter()
        .filter_map(|e| e.package.as_ref())
        .map(pkg_key)
        .collect()
}
