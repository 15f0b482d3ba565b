//! Triage: decisions on findings, following VEX (under_investigation, affected with an
//! action, not_affected with a justification, fixed) plus risk accepted until an expiry,
//! and the choice of the decision in effect on each finding.
//!
//! A decision names an advisory (by id or any alias) and a scope. From narrowest:
//! - `finding`: one package (purl) in one release;
//! - `release`: every package of one release;
//! - `service`: one package (purl) in every release of a service. With a version in the
//!   purl it carries over to later releases while they still hold that version, and
//!   stops applying to a release that does not;
//! - `service` without a purl: every package of every release of the service;
//! - `package`: a package version (or, with no version in the purl, every version) in
//!   every service;
//! - `advisory`: everywhere.
//!
//! On each finding the narrowest decision that applies is in effect, and among equally
//! narrow ones the latest. A purl in a decision matches a package whose purl has the same
//! type, namespace and name, the same version if the decision gives one, and every
//! qualifier the decision gives. Revoked decisions and expired risk acceptances do not
//! apply: when an acceptance expires, the finding falls back to the next decision, or to
//! none, and is open again.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use time::OffsetDateTime;
use vigil_purl::Purl;
use vigil_store::{Decision, DecisionFilter, NewDecision, TriageTarget, Tx};

use crate::changes::Change;
use crate::engine::Engine;
use crate::error::{EngineError, Result};

/// The statuses a decision can have.
pub const STATUSES: [&str; 5] = [
    "under_investigation",
    "affected",
    "not_affected",
    "fixed",
    "risk_accepted",
];

/// OpenVEX's justifications for not_affected.
pub const JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

/// Longest reason, impact or action statement.
pub const MAX_TEXT: usize = 4096;

/// A decision as a person or a document states it.
#[derive(Clone, Debug, Default)]
pub struct TriageInput {
    /// An advisory id or alias (`GHSA-…`, `CVE-…`).
    pub vulnerability: String,
    pub status: String,
    /// With `release`: one release of the service; without: every release of it.
    pub service: Option<String>,
    pub release: Option<String>,
    /// A package URL: one package (with its version, or every version without one).
    pub purl: Option<String>,
    pub justification: Option<String>,
    pub impact: Option<String>,
    pub action: Option<String>,
    pub reason: Option<String>,
    /// For risk_accepted: when the acceptance ends and the finding reopens.
    pub expires_at: Option<OffsetDateTime>,
    pub actor: String,
    /// Where the decision came from: `cli` (the default, when empty) or `api`.
    pub source: &'static str,
}

/// What recording a decision did.
#[derive(Clone, Debug, Serialize)]
pub struct TriageOutcome {
    pub decision: Decision,
    /// Findings whose decision in effect changed.
    pub findings_changed: usize,
    /// Findings this decision is now in effect on.
    pub in_effect_on: usize,
}

/// Where a decision's scope points, resolved to store ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    pub(crate) scope: &'static str,
    pub(crate) release_id: Option<i64>,
    pub(crate) service_id: Option<i64>,
    pub(crate) purl: Option<String>,
}

/// Checks a decision's status and statements, as VEX requires them.
pub(crate) fn check_statements(
    status: &str,
    justification: Option<&str>,
    impact: Option<&str>,
    action: Option<&str>,
    reason: Option<&str>,
    expires_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<()> {
    if !STATUSES.contains(&status) {
        return Err(EngineError::Invalid(format!(
            "unknown triage status {status:?}; use one of {}",
            STATUSES.join(", ")
        )));
    }
    for (what, text) in [
        ("justification", justification),
        ("impact statement", impact),
        ("action statement", action),
        ("reason", reason),
    ] {
        if let Some(t) = text {
            if t.trim().is_empty() {
                return Err(EngineError::Invalid(format!("the {what} is empty")));
            }
            if t.len() > MAX_TEXT {
                return Err(EngineError::Invalid(format!(
                    "the {what} is {} bytes long; the limit is {MAX_TEXT}",
                    t.len()
                )));
            }
        }
    }
    if let Some(j) = justification {
        if status != "not_affected" {
            return Err(EngineError::Invalid(format!(
                "a justification goes with not_affected, not {status}"
            )));
        }
        if !JUSTIFICATIONS.contains(&j) {
            return Err(EngineError::Invalid(format!(
                "unknown justification {j:?}; use one of {}",
                JUSTIFICATIONS.join(", ")
            )));
        }
    }
    match status {
        "not_affected" if justification.is_none() && impact.is_none() => {
            Err(EngineError::Invalid(
                "not_affected needs a justification (--justification) or an impact statement (--impact)"
                    .into(),
            ))
        }
        "affected" if action.is_none() => Err(EngineError::Invalid(
            "affected needs an action statement (--action): what is being done about it".into(),
        )),
        "risk_accepted" => match expires_at {
            None => Err(EngineError::Invalid(
                "risk_accepted needs an expiry (--expires or --for-days): an acceptance ends".into(),
            )),
            // Stored to the second: an expiry within the current second never applies.
            Some(t) if vigil_store::time::format(t) <= vigil_store::time::format(now) => {
                Err(EngineError::Invalid(format!(
                    "the expiry {} is not in the future",
                    vigil_store::time::format(t)
                )))
            }
            Some(_) if reason.is_none() => Err(EngineError::Invalid(
                "risk_accepted needs a reason (--reason): why the risk is acceptable".into(),
            )),
            Some(_) => Ok(()),
        },
        _ if expires_at.is_some() => Err(EngineError::Invalid(format!(
            "an expiry goes with risk_accepted, not {status}"
        ))),
        _ => Ok(()),
    }
}

/// Checks a vulnerability name: an advisory id or alias, printable, of sane length.
pub(crate) fn check_vulnerability(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 256
        || name != name.trim()
        || name.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(EngineError::Invalid(format!(
            "{name:?} is not an advisory id or alias (CVE-2024-1234, GHSA-xxxx-xxxx-xxxx)"
        )));
    }
    Ok(())
}

/// A package URL, parsed and printed canonically.
pub(crate) fn canonical_purl(text: &str) -> Result<String> {
    let purl: Purl = text
        .parse()
        .map_err(|e| EngineError::Invalid(format!("package URL {text:?}: {e}")))?;
    Ok(purl.to_string())
}

/// Whether the decision's purl `pattern` names the package `actual`.
pub(crate) fn purl_matches(pattern: &Purl, actual: &Purl) -> bool {
    pattern.ty() == actual.ty()
        && pattern.namespace() == actual.namespace()
        && pattern.name() == actual.name()
        && pattern
            .version()
            .is_none_or(|v| Some(v) == actual.version())
        && pattern
            .subpath()
            .is_none_or(|s| Some(s) == actual.subpath())
        && pattern
            .qualifiers()
            .iter()
            .all(|(k, v)| actual.qualifier(k) == Some(v.as_str()))
}

/// How narrow a decision is: the narrowest in effect wins.
fn narrowness(d: &Decision) -> u8 {
    match (
        d.release_id.is_some(),
        d.service_id.is_some(),
        d.purl.is_some(),
    ) {
        (true, _, true) => 5,
        (true, _, false) => 4,
        (false, true, true) => 3,
        (false, true, false) => 2,
        (false, false, true) => 1,
        (false, false, false) => 0,
    }
}

/// Decisions prepared for choosing: their purls parsed once.
struct Candidates {
    by_name: HashMap<String, Vec<(Decision, Option<Purl>)>>,
}

impl Candidates {
    fn new(decisions: Vec<Decision>) -> Candidates {
        let mut by_name: HashMap<String, Vec<(Decision, Option<Purl>)>> = HashMap::new();
        for d in decisions {
            // A purl that no longer parses matches nothing rather than everything.
            let purl = match &d.purl {
                Some(p) => match p.parse::<Purl>() {
                    Ok(p) => Some(p),
                    Err(_) => continue,
                },
                None => None,
            };
            by_name
                .entry(d.vulnerability.clone())
                .or_default()
                .push((d, purl));
        }
        Candidates { by_name }
    }

    /// The decision in effect on `t`, whose advisory goes by `names`.
    fn choose<'a>(&'a self, t: &TriageTarget, names: &[&str]) -> Option<&'a Decision> {
        let purl: Option<Purl> = t.purl.parse().ok();
        let mut best: Option<&Decision> = None;
        let mut seen = HashSet::new();
        for name in names {
            for (d, pattern) in self.by_name.get(*name).into_iter().flatten() {
                if !seen.insert(d.id) {
                    continue;
                }
                let applies = d.release_id.is_none_or(|r| r == t.key.release_id)
                    && d.service_id.is_none_or(|s| s == t.service_id)
                    && match (pattern, &purl) {
                        (None, _) => true,
                        (Some(p), Some(actual)) => purl_matches(p, actual),
                        (Some(_), None) => false,
                    };
                if applies && best.is_none_or(|b| (narrowness(d), d.id) > (narrowness(b), b.id)) {
                    best = Some(d);
                }
            }
        }
        best
    }
}

/// What putting decisions in effect changed.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// The advisories whose findings changed.
    pub(crate) advisories: BTreeSet<String>,
    /// Findings whose decision in effect changed.
    pub(crate) changed: usize,
    /// Findings each decision is now in effect on.
    pub(crate) in_effect: HashMap<i64, usize>,
}

/// Puts the right decision in effect on the findings of `advisory_ids` and on those
/// whose decision in effect is one of `decision_ids`, at `now`.
pub(crate) fn apply(
    tx: &mut Tx<'_>,
    advisory_ids: &[String],
    decision_ids: &[i64],
    now: OffsetDateTime,
) -> Result<Applied> {
    let targets = tx.triage_targets(advisory_ids, decision_ids)?;
    if targets.is_empty() {
        return Ok(Applied::default());
    }
    let decisions = tx.decisions(&DecisionFilter {
        active_at: Some(now),
        ..DecisionFilter::default()
    })?;
    choose_and_write(tx, targets, decisions, now)
}

/// Every name each target's advisory goes by: its id, its aliases, and the advisories
/// among `decisions`' names that list it as an alias.
fn names_of(
    tx: &mut Tx<'_>,
    targets: &[TriageTarget],
    decisions: &[Decision],
) -> Result<HashMap<String, BTreeSet<String>>> {
    let ids: Vec<String> = targets
        .iter()
        .map(|t| t.key.advisory_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let decision_names: Vec<String> = decisions
        .iter()
        .map(|d| d.vulnerability.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut names: HashMap<String, BTreeSet<String>> = ids
        .iter()
        .map(|id| (id.clone(), BTreeSet::from([id.clone()])))
        .collect();
    for (id, alias) in tx.aliases_for(&ids)? {
        names.entry(id).or_default().insert(alias);
    }
    for (other, alias) in tx.aliases_for(&decision_names)? {
        if let Some(set) = names.get_mut(&alias) {
            set.insert(other);
        }
    }
    Ok(names)
}

/// The decision in effect on each target, among `decisions`.
fn choose_all(
    tx: &mut Tx<'_>,
    targets: &[TriageTarget],
    decisions: Vec<Decision>,
) -> Result<Vec<Option<Decision>>> {
    let names = names_of(tx, targets, &decisions)?;
    let candidates = Candidates::new(decisions);
    Ok(targets
        .iter()
        .map(|t| {
            let names: Vec<&str> = names
                .get(&t.key.advisory_id)
                .map(|s| s.iter().map(String::as_str).collect())
                .unwrap_or_default();
            candidates.choose(t, &names).cloned()
        })
        .collect())
}

/// The status of the decision in effect on each target, among `decisions` (as they
/// stood at some instant).
pub(crate) fn choose_for(
    tx: &mut Tx<'_>,
    targets: &[TriageTarget],
    decisions: Vec<Decision>,
) -> Result<Vec<Option<String>>> {
    Ok(choose_all(tx, targets, decisions)?
        .into_iter()
        .map(|d| d.map(|d| d.status))
        .collect())
}

fn choose_and_write(
    tx: &mut Tx<'_>,
    targets: Vec<TriageTarget>,
    decisions: Vec<Decision>,
    now: OffsetDateTime,
) -> Result<Applied> {
    let chosen = choose_all(tx, &targets, decisions)?;
    let mut applied = Applied::default();
    for (t, chosen) in targets.iter().zip(&chosen) {
        let chosen = chosen.as_ref();
        if let Some(d) = chosen {
            *applied.in_effect.entry(d.id).or_default() += 1;
        }
        let status = chosen.map(|d| d.status.as_str());
        let closing = status.is_some_and(|s| vigil_store::CLOSING_STATUSES.contains(&s));
        let resolution = t.resolution.as_deref();
        let vex_closed = matches!(resolution, Some("not_affected" | "fixed"));
        let settled = matches!(resolution, Some("withdrawn" | "unmatched"));
        let consistent = if closing {
            settled || resolution == status
        } else {
            !vex_closed
        };
        if chosen.map(|d| d.id) == t.decision_id && t.triage.as_deref() == status && consistent {
            continue;
        }
        if tx.set_triage(&t.key, chosen.map(|d| (d.id, d.status.as_str())), now)? {
            applied.changed += 1;
            applied.advisories.insert(t.key.advisory_id.clone());
        }
    }
    Ok(applied)
}

/// After findings of `advisory_ids` were stored: puts decisions in effect on them, if
/// any decision applies at all.
pub(crate) fn after_match(
    tx: &mut Tx<'_>,
    advisory_ids: &[String],
    now: OffsetDateTime,
) -> Result<()> {
    if advisory_ids.is_empty() || !tx.any_active_decision(now)? {
        return Ok(());
    }
    // Only the advisories some decision names, by id or alias, need choosing.
    let decisions = tx.decisions(&DecisionFilter {
        active_at: Some(now),
        ..DecisionFilter::default()
    })?;
    let mut names_owned: Vec<String> = decisions.iter().map(|d| d.vulnerability.clone()).collect();
    names_owned.sort();
    names_owned.dedup();
    let names: HashSet<&str> = names_owned.iter().map(String::as_str).collect();
    let given: HashSet<&str> = advisory_ids.iter().map(String::as_str).collect();
    let mut relevant: BTreeSet<String> = advisory_ids
        .iter()
        .filter(|id| names.contains(id.as_str()))
        .cloned()
        .collect();
    for (id, alias) in tx.aliases_for(advisory_ids)? {
        if names.contains(alias.as_str()) {
            relevant.insert(id);
        }
    }
    for (_, alias) in tx.aliases_for(&names_owned)? {
        if given.contains(alias.as_str()) {
            relevant.insert(alias);
        }
    }
    if relevant.is_empty() {
        return Ok(());
    }
    let relevant: Vec<String> = relevant.into_iter().collect();
    let targets = tx.triage_targets(&relevant, &[])?;
    choose_and_write(tx, targets, decisions, now)?;
    Ok(())
}

/// The advisory ids a decision about `name` may concern: the advisories it names.
fn advisories_named(tx: &mut Tx<'_>, name: &str) -> Result<Vec<String>> {
    let mut ids = tx.resolve_advisory(name)?;
    if ids.is_empty() {
        // Not known yet: findings appear when the advisory does, and pick it up then.
        ids.push(name.to_owned());
    }
    Ok(ids)
}

/// Resolves what a decision is scoped to. Names are checked by the caller.
pub(crate) fn resolve_scope(
    tx: &mut Tx<'_>,
    service: Option<&str>,
    release: Option<&str>,
    purl: Option<&str>,
) -> Result<Scope> {
    let purl = purl.map(canonical_purl).transpose()?;
    let mut scope = Scope {
        purl,
        ..Scope::default()
    };
    match (service, release) {
        (None, Some(_)) => {
            return Err(EngineError::Invalid(
                "a release version needs its service (--service)".into(),
            ));
        }
        (Some(name), release) => {
            let s = tx.service(name)?.ok_or_else(|| EngineError::NotFound {
                what: format!("no service {name:?}"),
                hint: Some(
                    "`vigil status` lists what runs; `vigil release add` records one".into(),
                ),
            })?;
            match release {
                Some(version) => {
                    let r = tx
                        .release(name, version)?
                        .ok_or_else(|| EngineError::NotFound {
                            what: format!("no release {name} {version}"),
                            hint: Some(format!("`vigil release list --service {name}` lists them")),
                        })?;
                    scope.release_id = Some(r.id);
                    scope.scope = if scope.purl.is_some() {
                        "finding"
                    } else {
                        "release"
                    };
                }
                None => {
                    scope.service_id = Some(s.id);
                    scope.scope = "service";
                }
            }
        }
        (None, None) => {
            scope.scope = if scope.purl.is_some() {
                "package"
            } else {
                "advisory"
            };
        }
    }
    Ok(scope)
}

impl Engine {
    /// Records a triage decision and puts it in effect where it is the narrowest.
    pub fn triage(&mut self, input: &TriageInput) -> Result<TriageOutcome> {
        let now = self.clock.now();
        check_vulnerability(&input.vulnerability)?;
        check_statements(
            &input.status,
            input.justification.as_deref(),
            input.impact.as_deref(),
            input.action.as_deref(),
            input.reason.as_deref(),
            input.expires_at,
            now,
        )?;
        self.check_name("actor", &input.actor)?;
        if let Some(service) = &input.service {
            self.check_name("service", service)?;
        }
        if let Some(version) = &input.release {
            self.check_version(version)?;
        }
        let mut tx = self.store.write()?;
        let scope = resolve_scope(
            &mut tx,
            input.service.as_deref(),
            input.release.as_deref(),
            input.purl.as_deref(),
        )?;
        let id = tx.add_decision(
            &NewDecision {
                vulnerability: &input.vulnerability,
                scope: scope.scope,
                release_id: scope.release_id,
                service_id: scope.service_id,
                purl: scope.purl.as_deref(),
                status: &input.status,
                justification: input.justification.as_deref(),
                impact: input.impact.as_deref(),
                action: input.action.as_deref(),
                expires_at: input.expires_at,
                reason: input.reason.as_deref(),
                actor: &input.actor,
                source: if input.source.is_empty() {
                    "cli"
                } else {
                    input.source
                },
            },
            now,
        )?;
        let ids = advisories_named(&mut tx, &input.vulnerability)?;
        let applied = apply(&mut tx, &ids, &[], now)?;
        let in_effect_on = applied.in_effect.get(&id).copied().unwrap_or(0);
        let decision = tx
            .decision(id)?
            .ok_or_else(|| EngineError::Conflict(format!("decision {id} was not stored")))?;
        let change = Change::Advisories(applied.advisories);
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(TriageOutcome {
            decision,
            findings_changed: applied.changed,
            in_effect_on,
        })
    }

    /// Revokes a decision: the findings it was in effect on fall back to the next one.
    pub fn revoke_triage(
        &mut self,
        id: i64,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<TriageOutcome> {
        let now = self.clock.now();
        self.check_name("actor", actor)?;
        if let Some(r) = reason {
            check_statements("fixed", None, None, None, Some(r), None, now)?;
        }
        let mut tx = self.store.write()?;
        let decision =
            tx.revoke_decision(id, actor, reason, now)?
                .ok_or_else(|| EngineError::NotFound {
                    what: format!("no triage decision {id}"),
                    hint: Some("`vigil triage list` lists them".into()),
                })?;
        let applied = apply(&mut tx, &[], &[id], now)?;
        let changed = applied.changed;
        let change = Change::Advisories(applied.advisories);
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(TriageOutcome {
            decision,
            findings_changed: changed,
            in_effect_on: 0,
        })
    }

    /// Triage decisions, oldest first: about `vulnerability` (an id or alias, with the
    /// names it goes by), of `service`, only those in effect now if `active`.
    pub fn triage_decisions(
        &mut self,
        vulnerability: Option<&str>,
        service: Option<&str>,
        active: bool,
    ) -> Result<Vec<Decision>> {
        let now = self.clock.now();
        let mut tx = self.store.read()?;
        let mut filter = DecisionFilter {
            active_at: active.then_some(now),
            ..DecisionFilter::default()
        };
        if let Some(v) = vulnerability {
            check_vulnerability(v)?;
            let mut names: BTreeSet<String> = BTreeSet::from([v.to_owned()]);
            let ids = tx.resolve_advisory(v)?;
            for (id, alias) in tx.aliases_for(&ids)? {
                names.insert(id);
                names.insert(alias);
            }
            names.extend(ids);
            filter.vulnerabilities = Some(names.into_iter().collect());
        }
        if let Some(name) = service {
            let s = tx.service(name)?.ok_or_else(|| EngineError::NotFound {
                what: format!("no service {name:?}"),
                hint: None,
            })?;
            filter.service_id = Some(s.id);
        }
        Ok(tx.decisions(&filter)?)
    }

    /// Lapses expired risk acceptances: the findings they covered reopen (each change a
    /// ledger leaf). Returns the lapsed decisions. Writes nothing when none expired.
    pub fn lapse_acceptances(&mut self) -> Result<Vec<Decision>> {
        let now = self.clock.now();
        if !self.store.read()?.lapse_due(now)? {
            return Ok(Vec::new());
        }
        let mut tx = self.store.write()?;
        let lapsed = tx.lapse_decisions(now)?;
        let ids: Vec<i64> = lapsed.iter().map(|d| d.id).collect();
        let applied = apply(&mut tx, &[], &ids, now)?;
        let change = Change::Advisories(applied.advisories);
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(lapsed)
    }
}
