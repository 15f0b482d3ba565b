//! The deployment gate: may release V of service S go to environment E? The engine
//! builds the input document (`docs/gate.md`) from the store and a Rego policy
//! (`vigil-policy`) answers allow or deny with reasons.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use vigil_policy::{Decision, Policy};
use vigil_store::{FindingFilter, Tx};

use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::matching::rank_name;
use crate::response::{Scope, facts, policies};
use crate::signatures::Verdict;

/// Largest policy directory read, in bytes of `.rego` files.
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// The gate's answer, with the input it was given.
#[derive(Clone, Debug, Serialize)]
pub struct GateAnswer {
    pub environment: String,
    pub service: String,
    pub version: String,
    /// The policy files evaluated; `["default.rego"]` for the built-in policy.
    pub policy: Vec<String>,
    #[serde(flatten)]
    pub decision: Decision,
    pub input: Value,
}

/// The `.rego` files of a directory (or one file), as (name, text), sorted.
pub fn read_policy(path: &Path) -> Result<Vec<(String, String)>> {
    let bad = |e: std::io::Error| EngineError::Invalid(format!("{}: {e}", path.display()));
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut files = Vec::new();
        let mut stack = vec![path.to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(bad)? {
                let p = entry.map_err(bad)?.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rego") {
                    files.push(p);
                }
            }
        }
        files.sort();
        files
    } else {
        vec![path.to_owned()]
    };
    if files.is_empty() {
        return Err(EngineError::Invalid(format!(
            "{} holds no .rego file",
            path.display()
        )));
    }
    let mut total = 0;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        total += std::fs::metadata(&f).map_err(bad)?.len();
        if total > MAX_POLICY_BYTES {
            return Err(EngineError::Invalid(format!(
                "the policy files under {} exceed {MAX_POLICY_BYTES} bytes",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(&f)
            .map_err(|e| EngineError::Invalid(format!("{}: {e}", f.display())))?;
        let name = f
            .strip_prefix(path)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(&f)
            .display()
            .to_string();
        out.push((name, text));
    }
    Ok(out)
}

/// Compiles policy sources, with errors as input errors.
pub fn compile(sources: &[(String, String)]) -> Result<Policy> {
    Policy::from_sources(sources).map_err(|e| EngineError::Invalid(format!("policy: {e}")))
}

fn dependency(code: i64) -> &'static str {
    match code {
        0 => "product",
        1 => "direct",
        2 => "transitive",
        _ => "unknown",
    }
}

/// The input document for deploying `service` `version` to `environment`, as of now.
pub(crate) fn input(
    tx: &mut Tx<'_>,
    environment: &str,
    service: &str,
    version: &str,
    now: time::OffsetDateTime,
) -> Result<Value> {
    let release = tx
        .release(service, version)?
        .ok_or_else(|| EngineError::NotFound {
            what: format!("no release {service} {version}"),
            hint: Some(format!(
                "record it first: vigil release add --service {service} --version {version} --sbom FILE"
            )),
        })?;
    let env = tx.environment(environment)?;
    let policy = *policies(tx)?.for_environment(environment);
    let owner = tx.service(service)?.and_then(|s| s.owner);
    let signatures = tx.release_signatures(release.id)?;
    let verdict = Verdict::of(&signatures);

    // Every finding of the release once (rows repeat per environment it runs in).
    let mut rows = tx.findings(&FindingFilter {
        release_id: Some(release.id),
        all_releases: true,
        include_resolved: true,
        ..FindingFilter::default()
    })?;
    rows.retain(|r| !matches!(r.resolution.as_deref(), Some("withdrawn" | "unmatched")));
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert((r.package_version_id, r.advisory_id.clone())));
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.advisory_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let exploitation = crate::query::exploitation(tx, &ids)?;
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, alias) in tx.aliases_for(&ids)? {
        aliases.entry(id).or_default().push(alias);
    }
    // Due dates: an exposure already open in this environment keeps its start; else the
    // deployment would start one now.
    let open: HashMap<String, time::OffsetDateTime> = {
        let f = facts(tx, Scope::Advisories(&ids))?;
        vigil_exposure::episodes(&f.tracks, &f.findings, &f.policies, now)
            .into_iter()
            .filter(|e| e.end.is_none() && e.environment == environment && e.service == service)
            .map(|e| (e.advisory_id.clone(), e.due))
            .collect()
    };
    let mut decisions: HashMap<i64, Option<vigil_store::Decision>> = HashMap::new();
    let mut findings = Vec::with_capacity(rows.len());
    for r in &rows {
        let x = exploitation.get(&r.advisory_id);
        let kev = x.is_some_and(|x| x.kev.is_some());
        let decision = match r.decision_id {
            Some(id) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = decisions.entry(id) {
                    slot.insert(tx.decision(id)?);
                }
                decisions[&id].clone()
            }
            None => None,
        };
        // An acceptance counts only until it expires, whether or not it has been lapsed.
        let accepted = decision.as_ref().is_some_and(|d| {
            d.status == "risk_accepted"
                && d.expires_at
                    .as_deref()
                    .is_some_and(|e| e > vigil_store::time::format(now).as_str())
        });
        // An expired acceptance no longer applies, lapsed yet or not.
        let triage = match &decision {
            Some(d) if d.status == "risk_accepted" && !accepted => None,
            Some(d) => Some({
                json!({
                    "status": d.status,
                    "justification": d.justification,
                    "impact": d.impact,
                    "action": d.action,
                    "reason": d.reason,
                    "actor": d.actor,
                    "at": d.created_at,
                    "expires": d.expires_at,
                    "scope": d.scope,
                })
            }),
            None => None,
        };
        let ruled_out = matches!(r.resolution.as_deref(), Some("not_affected" | "fixed"));
        let due = (!ruled_out).then(|| {
            open.get(&r.advisory_id).copied().unwrap_or_else(|| {
                now + time::Duration::days(i64::from(policy.days(r.severity_rank, kev)))
            })
        });
        findings.push(json!({
            "advisory": r.advisory_id,
            "aliases": aliases.get(&r.advisory_id).cloned().unwrap_or_default(),
            "summary": r.summary,
            "severity": rank_name(r.severity_rank),
            "severity_score": r.severity_score,
            "kev": kev,
            "epss": x.and_then(|x| x.epss.as_ref()).map(|e| e.1),
            "package": {
                "purl": r.purl,
                "ecosystem": r.ecosystem,
                "name": r.package,
                "version": r.version,
            },
            "dependency": dependency(r.dependency),
            "certainty": r.certainty,
            "fix": {
                "state": r.fix,
                "versions": r.fixed.as_deref().filter(|_| r.fix == "fixed_in")
                    .map(|v| v.split(", ").map(str::to_owned).collect::<Vec<_>>())
                    .unwrap_or_default(),
            },
            "triage": triage,
            "due": due.map(vigil_store::time::format),
            "overdue": due.is_some_and(|d| d < now) && !accepted,
        }));
    }
    Ok(json!({
        "now": vigil_store::time::format(now),
        "environment": {
            "name": environment,
            "require_signed": env.as_ref().is_some_and(|e| e.require_signed),
            "sla_days": {
                "critical": policy.critical,
                "high": policy.high,
                "medium": policy.medium,
                "low": policy.low,
                "unrated": policy.unrated,
                "kev": policy.kev,
            },
        },
        "service": { "name": service, "owner": owner },
        "release": {
            "version": release.version,
            "commit": release.commit,
            "sbom_sha256": release.sbom_sha256,
            "digests": release.digests,
            "recorded_at": release.created_at,
            "signed": verdict == Verdict::Signed,
            "signatures": signatures.iter().map(|s| json!({
                "kind": s.kind,
                "target": s.target,
                "verdict": s.verdict,
                "key_fingerprint": s.key_fingerprint,
            })).collect::<Vec<_>>(),
        },
        "findings": findings,
    }))
}

impl Engine {
    /// Asks `policy` (the built-in one when `None`) whether `service` `version` may go
    /// to `environment` now.
    pub fn gate(
        &mut self,
        environment: &str,
        service: &str,
        version: &str,
        policy: Option<&Policy>,
    ) -> Result<GateAnswer> {
        self.check_name("environment", environment)?;
        self.check_name("service", service)?;
        self.check_version(version)?;
        let now = self.clock.now();
        let input = {
            let mut tx = self.store.read()?;
            input(&mut tx, environment, service, version, now)?
        };
        let builtin;
        let policy = match policy {
            Some(p) => p,
            None => {
                builtin = Policy::builtin();
                &builtin
            }
        };
        let decision = policy
            .evaluate(&input)
            .map_err(|e| EngineError::Invalid(format!("policy: {e}")))?;
        Ok(GateAnswer {
            environment: environment.to_owned(),
            service: service.to_owned(),
            version: version.to_owned(),
            policy: policy.files().to_vec(),
            decision,
            input,
        })
    }
}
