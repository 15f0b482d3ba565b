//! History (SSDF RV.3): exposure at a past instant, answered from the append-only
//! deployment log, the advisory as Vigil knew it then and the triage decisions in force
//! then; the release (and commit) in which a vulnerable package version entered a
//! service and the one in which it left, with its exposure windows per environment; and
//! the packages, ecosystems and teams that most often bring vulnerabilities in.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use time::OffsetDateTime;
use vigil_exposure::{Lineage, PatternFact, Patterns, ReleaseFacts};
use vigil_match::Index;
use vigil_store::{DecisionFilter, FindingKey, TriageTarget};

use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::matching::{hits, target};
use crate::response::{Scope, facts};

/// An advisory as known at the instant asked about.
#[derive(Clone, Debug, Serialize)]
pub struct KnownThen {
    pub id: String,
    /// Whether Vigil had the advisory at that instant.
    pub known: bool,
    /// Its `modified` in the version Vigil had then.
    pub modified: Option<String>,
    pub withdrawn: bool,
}

/// A release running at the instant, with a package the advisory affected then.
#[derive(Clone, Debug, Serialize)]
pub struct ExposedThen {
    pub environment: String,
    pub service: String,
    pub release: String,
    /// When the deployment that ran it there happened.
    pub running_since: String,
    pub advisory_id: String,
    pub purl: String,
    /// The triage decision in force then, if any (not_affected and fixed rows are
    /// listed with `ruled_out`).
    pub triage: Option<String>,
    pub ruled_out: bool,
}

/// The answer to `vigil affected ID --at T`.
#[derive(Clone, Debug, Serialize)]
pub struct AffectedAt {
    pub query: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub advisories: Vec<KnownThen>,
    /// Exposed then and not ruled out by triage then.
    pub exposed: usize,
    pub rows: Vec<ExposedThen>,
}

/// An exposure window of a vulnerable package version in one environment.
#[derive(Clone, Debug, Serialize)]
pub struct ExposureWindow {
    pub environment: String,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// `None` while it runs.
    #[serde(with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// The releases that ran it there, in order.
    pub releases: Vec<String>,
}

/// Where one vulnerable package version came from in one service.
#[derive(Clone, Debug, Serialize)]
pub struct Origin {
    pub service: String,
    pub advisory_id: String,
    #[serde(flatten)]
    pub lineage: Lineage,
    /// From the first deployment that ran it to the deployment that replaced it.
    pub windows: Vec<ExposureWindow>,
}

/// The answer to `vigil root-cause ID`.
#[derive(Clone, Debug, Serialize)]
pub struct RootCause {
    pub query: String,
    pub origins: Vec<Origin>,
}

impl Engine {
    /// Who was exposed to an advisory at a past instant `at`.
    pub fn affected_at(&mut self, id_or_alias: &str, at: OffsetDateTime) -> Result<AffectedAt> {
        let mut tx = self.store.read()?;
        let ids = tx.resolve_advisory(id_or_alias)?;
        if ids.is_empty() {
            return Err(EngineError::NotFound {
                what: format!("no advisory has the id or alias {id_or_alias}"),
                hint: Some("`vigil feed sync` fetches advisories".into()),
            });
        }
        // The advisories as known then, compiled.
        let mut index = Index::new();
        let mut advisories = Vec::new();
        let then: HashMap<String, Vec<u8>> = tx.advisories_as_of(&ids, at)?.into_iter().collect();
        let mut pkgs = BTreeSet::new();
        for id in &ids {
            match then.get(id) {
                Some(json) => {
                    let osv = vigil_osv::from_json(json).map_err(|e| {
                        EngineError::Conflict(format!(
                            "the stored advisory {id} does not parse: {e}"
                        ))
                    })?;
                    advisories.push(KnownThen {
                        id: id.clone(),
                        known: true,
                        modified: Some(osv.modified.to_string()),
                        withdrawn: osv.withdrawn.is_some(),
                    });
                    if osv.withdrawn.is_none() {
                        index.insert(osv);
                    }
                }
                None => advisories.push(KnownThen {
                    id: id.clone(),
                    known: false,
                    modified: None,
                    withdrawn: false,
                }),
            }
        }
        for a in index.advisories() {
            pkgs.extend(crate::matching::advisory_pkgs(a));
        }
        // What ran then: the last deployment at or before `at` of each environment and
        // service.
        let at_text = vigil_store::time::format(at);
        let mut running: BTreeMap<(String, String), (Option<i64>, String, i64)> = BTreeMap::new();
        for d in tx.deployment_facts(None)? {
            if d.at <= at_text {
                running.insert(
                    (d.environment, d.service),
                    (d.release_id, d.at, d.service_id),
                );
            }
        }
        let running_releases: HashMap<i64, Vec<(String, String, String, i64)>> = {
            let mut m: HashMap<i64, Vec<(String, String, String, i64)>> = HashMap::new();
            for ((env, service), (release, since, service_id)) in &running {
                if let Some(r) = release {
                    m.entry(*r).or_default().push((
                        env.clone(),
                        service.clone(),
                        since.clone(),
                        *service_id,
                    ));
                }
            }
            m
        };
        let pkgs: Vec<String> = pkgs.into_iter().collect();
        let pvs = tx.package_versions_of(&pkgs)?;
        let purls: HashMap<i64, String> = pvs.iter().map(|p| (p.id, p.purl.clone())).collect();
        let targets: Vec<_> = pvs.iter().filter_map(target).collect();
        let found = hits(&index, &targets);
        let pv_ids: Vec<i64> = found
            .iter()
            .map(|h| h.package_version_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let containing = tx.releases_containing(&pv_ids)?;
        let mut by_pv: HashMap<i64, Vec<i64>> = HashMap::new();
        for (release, pv) in containing {
            if running_releases.contains_key(&release) {
                by_pv.entry(pv).or_default().push(release);
            }
        }
        // Triage as it stood then.
        let decisions = tx.decisions(&DecisionFilter {
            as_of: Some(at),
            ..DecisionFilter::default()
        })?;
        let mut targets = Vec::new();
        let mut seen = HashSet::new();
        for h in &found {
            for &release in by_pv.get(&h.package_version_id).into_iter().flatten() {
                let key = FindingKey {
                    release_id: release,
                    package_version_id: h.package_version_id,
                    advisory_id: h.advisory.clone(),
                };
                if !seen.insert(key.clone()) {
                    continue;
                }
                let service_id = running_releases[&release][0].3;
                targets.push(TriageTarget {
                    key,
                    service_id,
                    purl: purls
                        .get(&h.package_version_id)
                        .cloned()
                        .unwrap_or_default(),
                    triage: None,
                    decision_id: None,
                    resolution: None,
                });
            }
        }
        let chosen = crate::triage::choose_for(&mut tx, &targets, decisions)?;
        // The versions of the releases with a row, not of everything that ran then.
        let mut versions: HashMap<i64, String> = HashMap::new();
        for t in &targets {
            let id = t.key.release_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = versions.entry(id)
                && let Some(r) = tx.release_by_id(id)?
            {
                slot.insert(r.version);
            }
        }
        let mut rows = Vec::new();
        for (t, status) in targets.iter().zip(chosen) {
            let ruled_out = status
                .as_deref()
                .is_some_and(|s| vigil_store::CLOSING_STATUSES.contains(&s));
            for (env, service, since, _) in &running_releases[&t.key.release_id] {
                rows.push(ExposedThen {
                    environment: env.clone(),
                    service: service.clone(),
                    release: versions.get(&t.key.release_id).cloned().unwrap_or_default(),
                    running_since: since.clone(),
                    advisory_id: t.key.advisory_id.clone(),
                    purl: t.purl.clone(),
                    triage: status.clone(),
                    ruled_out,
                });
            }
        }
        rows.sort_by(|a, b| {
            (&a.environment, &a.service, &a.advisory_id, &a.purl).cmp(&(
                &b.environment,
                &b.service,
                &b.advisory_id,
                &b.purl,
            ))
        });
        Ok(AffectedAt {
            query: id_or_alias.to_owned(),
            at,
            advisories,
            exposed: rows.iter().filter(|r| !r.ruled_out).count(),
            rows,
        })
    }

    /// For every finding of an advisory (in one service, or all): the release and
    /// commit in which the vulnerable package version entered the service, the one in
    /// which it left, and its exposure windows per environment.
    pub fn root_cause(&mut self, id_or_alias: &str, service: Option<&str>) -> Result<RootCause> {
        let mut tx = self.store.read()?;
        let ids = tx.resolve_advisory(id_or_alias)?;
        if ids.is_empty() {
            return Err(EngineError::NotFound {
                what: format!("no advisory has the id or alias {id_or_alias}"),
                hint: None,
            });
        }
        if let Some(name) = service
            && tx.service(name)?.is_none()
        {
            return Err(EngineError::NotFound {
                what: format!("no service {name:?}"),
                hint: None,
            });
        }
        let f = facts(&mut tx, Scope::Advisories(&ids))?;
        let records: Vec<_> = tx
            .finding_records(None, Some(&ids), false)?
            .into_iter()
            .filter(|r| service.is_none_or(|s| s == r.service))
            .filter(|r| !matches!(r.resolution.as_deref(), Some("withdrawn" | "unmatched")))
            .collect();
        let mut releases_of: HashMap<String, Vec<ReleaseFacts>> = HashMap::new();
        let mut origins: BTreeMap<(String, String, String, i64), Origin> = BTreeMap::new();
        for r in &records {
            if !releases_of.contains_key(&r.service) {
                let Some(s) = tx.service(&r.service)? else {
                    continue;
                };
                let mut list = Vec::new();
                for rec in tx.release_records(s.id)? {
                    list.push(ReleaseFacts {
                        release_id: rec.id,
                        version: rec.version,
                        commit: rec.commit,
                        recorded_at: vigil_store::time::parse(&rec.created_at).map_err(|e| {
                            EngineError::Conflict(format!("stored time {}: {e}", rec.created_at))
                        })?,
                        purls: rec.purls.into_iter().collect(),
                    });
                }
                releases_of.insert(r.service.clone(), list);
            }
            let releases = &releases_of[&r.service];
            let Some(lineage) = vigil_exposure::root_cause(releases, &r.purl, r.release_id) else {
                continue;
            };
            let key = (
                r.service.clone(),
                r.advisory_id.clone(),
                r.purl.clone(),
                lineage.entered.release_id,
            );
            if origins.contains_key(&key) {
                continue;
            }
            // The run: releases from `entered` up to (not including) `left`.
            let mut ordered: Vec<&ReleaseFacts> = releases.iter().collect();
            ordered.sort_by_key(|x| x.recorded_at);
            let start = ordered
                .iter()
                .position(|x| x.release_id == lineage.entered.release_id)
                .unwrap_or(0);
            let run: Vec<&ReleaseFacts> = ordered[start..]
                .iter()
                .take_while(|x| Some(x.release_id) != lineage.left.as_ref().map(|l| l.release_id))
                .copied()
                .collect();
            let in_run: HashMap<i64, &str> = run
                .iter()
                .map(|x| (x.release_id, x.version.as_str()))
                .collect();
            let mut windows = Vec::new();
            for track in f.tracks.iter().filter(|t| t.service == r.service) {
                let mut current: Option<ExposureWindow> = None;
                for w in &track.windows {
                    match in_run.get(&w.release_id) {
                        Some(version) => match &mut current {
                            Some(c) if c.to == Some(w.from) => {
                                c.to = w.to;
                                c.releases.push((*version).to_owned());
                            }
                            _ => {
                                if let Some(c) = current.take() {
                                    windows.push(c);
                                }
                                current = Some(ExposureWindow {
                                    environment: track.environment.clone(),
                                    from: w.from,
                                    to: w.to,
                                    releases: vec![(*version).to_owned()],
                                });
                            }
                        },
                        None => {
                            if let Some(c) = current.take() {
                                windows.push(c);
                            }
                        }
                    }
                }
                if let Some(c) = current {
                    windows.push(c);
                }
            }
            origins.insert(
                key,
                Origin {
                    service: r.service.clone(),
                    advisory_id: r.advisory_id.clone(),
                    lineage,
                    windows,
                },
            );
        }
        Ok(RootCause {
            query: id_or_alias.to_owned(),
            origins: origins.into_values().collect(),
        })
    }

    /// The packages, ecosystems and teams that most often bring vulnerabilities in: the
    /// top `top` of each, over every finding ever made (withdrawn and unmatched ones
    /// left out).
    pub fn patterns(&mut self, top: usize) -> Result<Patterns> {
        let mut tx = self.store.read()?;
        let facts: Vec<PatternFact> = tx
            .finding_records(None, None, false)?
            .into_iter()
            .filter(|r| !matches!(r.resolution.as_deref(), Some("withdrawn" | "unmatched")))
            .map(|r| PatternFact {
                service: r.service,
                team: r.owner,
                advisory_id: r.advisory_id,
                ecosystem: r.ecosystem,
                package: r.package,
                purl: r.purl,
                severity_rank: r.severity_rank,
                release_id: r.release_id,
            })
            .collect();
        Ok(vigil_exposure::patterns(&facts, top))
    }
}
