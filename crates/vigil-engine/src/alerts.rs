//! Alerts into the outbox, in the transaction of the change that causes them: new
//! findings of releases that run somewhere (an advisory newly affects them), and a
//! deployment that brings a release with open findings into an environment. One alert
//! per environment, service and release, listing the advisories.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vigil_store::{ExposedFinding, FindingKey, NewAlert, Tx};

use crate::engine::sha256;
use crate::error::Result;
use crate::matching::rank_name;

/// The notification channel that tells processes on the store that alerts are waiting.
pub const ALERTS_CHANNEL: &str = "alerts";

/// One advisory of an alert, as stored in the alert's body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertAdvisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: String,
    /// The affected package version, as a package URL.
    pub package: String,
    /// Versions that fix it, when known.
    pub fixed: Option<String>,
    /// Listed in CISA's KEV catalog.
    pub kev: bool,
}

/// Writes one alert per (environment, service, release) for the `new` findings of
/// releases that run now. Returns how many alerts were written.
pub(crate) fn for_new_findings(
    tx: &mut Tx<'_>,
    new: &[FindingKey],
    now: OffsetDateTime,
) -> Result<usize> {
    if new.is_empty() {
        return Ok(0);
    }
    let releases: Vec<i64> = new
        .iter()
        .map(|k| k.release_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let wanted: HashSet<(i64, i64, &str)> = new
        .iter()
        .map(|k| (k.release_id, k.package_version_id, k.advisory_id.as_str()))
        .collect();
    let exposed: Vec<ExposedFinding> = tx
        .exposed_findings(&releases, None)?
        .into_iter()
        .filter(|f| wanted.contains(&(f.release_id, f.package_version_id, f.advisory_id.as_str())))
        .collect();
    write(tx, "advisory", None, exposed, now)
}

/// Writes the alert for a deployment that started `release_id` running in an
/// environment, if the release has open findings. Returns how many alerts were written.
pub(crate) fn for_deployment(
    tx: &mut Tx<'_>,
    deployment_id: i64,
    release_id: i64,
    environment_id: i64,
    now: OffsetDateTime,
) -> Result<usize> {
    let exposed = tx.exposed_findings(&[release_id], Some(environment_id))?;
    write(tx, "deployment", Some(deployment_id), exposed, now)
}

fn write(
    tx: &mut Tx<'_>,
    kind: &str,
    deployment: Option<i64>,
    exposed: Vec<ExposedFinding>,
    now: OffsetDateTime,
) -> Result<usize> {
    if exposed.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = exposed
        .iter()
        .map(|f| f.advisory_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, alias) in tx.aliases_for(&ids)? {
        aliases.entry(id).or_default().push(alias);
    }
    let cves: Vec<String> = ids
        .iter()
        .chain(aliases.values().flatten())
        .filter(|a| a.starts_with("CVE-"))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let kev: HashSet<String> = tx.kev_for(&cves)?.into_iter().map(|k| k.cve_id).collect();
    let mut groups: BTreeMap<(String, String, String), Vec<ExposedFinding>> = BTreeMap::new();
    for f in exposed {
        groups
            .entry((f.environment.clone(), f.service.clone(), f.version.clone()))
            .or_default()
            .push(f);
    }
    let mut written = 0;
    for ((environment, service, version), findings) in groups {
        let team = findings[0].team.clone();
        let severity_rank = findings.iter().map(|f| f.severity_rank).max().unwrap_or(0);
        let mut advisories: Vec<AlertAdvisory> = findings
            .iter()
            .map(|f| {
                let mut a = aliases.get(&f.advisory_id).cloned().unwrap_or_default();
                a.sort();
                let kev = std::iter::once(&f.advisory_id)
                    .chain(&a)
                    .any(|id| kev.contains(id));
                AlertAdvisory {
                    id: f.advisory_id.clone(),
                    aliases: a,
                    summary: f.summary.clone(),
                    severity: rank_name(f.severity_rank).to_owned(),
                    package: f.purl.clone(),
                    fixed: if f.fix == "fixed_in" {
                        f.fixed.clone()
                    } else {
                        None
                    },
                    kev,
                }
            })
            .collect();
        advisories.sort_by(|a, b| {
            (b.kev, rank_of(&b.severity), &a.id).cmp(&(a.kev, rank_of(&a.severity), &b.id))
        });
        let identity = match deployment {
            Some(d) => format!("deployment\n{d}\n{environment}"),
            None => {
                let mut keys: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{}@{}", f.advisory_id, f.package_version_id))
                    .collect();
                keys.sort();
                format!(
                    "advisory\n{environment}\n{service}\n{version}\n{}",
                    keys.join("\n")
                )
            }
        };
        let key = format!("vigil-{}", &sha256(identity.as_bytes())[..32]);
        let body = serde_json::to_string(&advisories)
            .map_err(|e| crate::error::EngineError::Invalid(format!("alert body: {e}")))?;
        if tx.insert_alert(
            &NewAlert {
                key: &key,
                kind,
                environment: &environment,
                service: &service,
                version: &version,
                team: team.as_deref(),
                severity_rank,
                body: &body,
            },
            now,
        )? {
            written += 1;
        }
    }
    if written > 0 {
        tx.notify(ALERTS_CHANNEL, "")?;
    }
    Ok(written)
}

fn rank_of(name: &str) -> i64 {
    match name {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}
