//! Advisories into the store, a batch per transaction, each batch matched against the
//! portfolio as it is stored; exploit intelligence (KEV, EPSS) replaced whole; and the
//! full rematch.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use vigil_match::Index;
use vigil_osv::Osv;
use vigil_store::{AdvisoryRecord, FindingKey, KevEntry};

use crate::advisories::{Record, Rejected, SinkError};
use crate::changes::Change;
use crate::engine::{Engine, sha256};
use crate::error::{EngineError, Result};
use crate::matching::{self, advisory_pkgs, rank};

/// One advisory to store: the record and its JSON as received.
#[derive(Clone, Debug)]
pub struct AdvisoryInput {
    pub osv: Osv,
    pub json: Vec<u8>,
    /// Where it came from (a URL, a file, `all.zip!ID.json`).
    pub source: Option<String>,
}

/// A release that an advisory newly affects where it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub advisory: String,
    pub environment: String,
    pub service: String,
    pub version: String,
}

/// What storing a batch of advisories did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    /// Records stored: new ids, or newer versions of stored ones.
    pub stored: usize,
    /// Records not newer than the stored version, left alone.
    pub unchanged: usize,
    /// Findings the stored records give.
    pub findings: usize,
    /// Of those, new.
    pub new_findings: usize,
    /// Open findings closed (withdrawn, or no longer matching).
    pub resolved: usize,
    /// Deployed releases newly affected, per environment.
    pub exposures: Vec<Exposure>,
    /// Alerts written to the outbox.
    pub alerts: usize,
}

impl BatchOutcome {
    pub fn add(&mut self, other: BatchOutcome) {
        self.stored += other.stored;
        self.unchanged += other.unchanged;
        self.findings += other.findings;
        self.new_findings += other.new_findings;
        self.resolved += other.resolved;
        self.exposures.extend(other.exposures);
        self.alerts += other.alerts;
    }
}

/// What a full rematch did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RematchOutcome {
    pub advisories: usize,
    pub findings: usize,
    pub new_findings: usize,
    pub resolved: usize,
    pub matcher: &'static str,
}

impl Engine {
    /// Stores a batch of advisories in one transaction and matches those that are new
    /// or newer than the stored version against every release containing their
    /// packages. A record is never replaced by one with an older or equal `modified`.
    pub fn import_advisories(&mut self, batch: Vec<AdvisoryInput>) -> Result<BatchOutcome> {
        let now = self.clock.now();
        // Within a batch, too, the newest version of an id wins.
        let mut newest: BTreeMap<String, AdvisoryInput> = BTreeMap::new();
        let mut outcome = BatchOutcome::default();
        for input in batch {
            match newest.get(input.osv.id.as_str()) {
                Some(have) if have.osv.modified >= input.osv.modified => outcome.unchanged += 1,
                Some(_) => {
                    outcome.unchanged += 1;
                    newest.insert(input.osv.id.as_str().to_owned(), input);
                }
                None => {
                    newest.insert(input.osv.id.as_str().to_owned(), input);
                }
            }
        }
        let mut tx = self.store.write()?;
        tx.lock_matching()?;
        let mut index = Index::new();
        let mut changed = Vec::new();
        for (id, input) in newest {
            if let Some(stored) = tx.advisory_modified(&id)? {
                let stored = vigil_store::time::parse(&stored).map_err(|e| {
                    EngineError::Invalid(format!(
                        "stored advisory {id} has a bad modified time: {e}"
                    ))
                })?;
                if stored >= input.osv.modified.get() {
                    outcome.unchanged += 1;
                    continue;
                }
            }
            let json = input.json;
            let source = input.source;
            // Compiled once, in the index the matching below uses.
            index.insert(input.osv);
            let Some(advisory) = index.get(&id).into_iter().find(|a| a.id() == id) else {
                continue;
            };
            let osv = &advisory.osv;
            let pkgs: Vec<String> = advisory_pkgs(advisory).into_iter().collect();
            let severity = advisory.severity.as_ref();
            let content = sha256(&json);
            // Upstream ids (a distribution's record names the CVE it tracks there) find
            // the record as aliases do, and carry KEV and EPSS to it.
            let lookup: Vec<String> = osv
                .aliases
                .iter()
                .chain(&osv.upstream)
                .filter(|a| a.as_str() != id)
                .cloned()
                .collect();
            tx.put_advisory(
                &AdvisoryRecord {
                    id: &id,
                    modified: osv.modified.get(),
                    published: osv.published.map(|t| t.get()),
                    withdrawn: osv.withdrawn.map(|t| t.get()),
                    summary: osv.summary.as_deref(),
                    severity_rank: rank(severity.map(|s| s.rating)),
                    severity_score: severity.and_then(|s| s.score).map(f64::from),
                    severity_vector: severity.map(|s| s.from.as_str()),
                    content_sha256: &content,
                    json: &json,
                    source: source.as_deref(),
                    aliases: &lookup,
                    pkgs: &pkgs,
                },
                now,
            )?;
            changed.push(id);
            outcome.stored += 1;
        }
        if !changed.is_empty() {
            let rematched = matching::rematch_advisories(&mut tx, &index, &changed, now)?;
            outcome.findings = rematched.findings;
            outcome.new_findings = rematched.new.len();
            outcome.resolved = rematched.resolved;
            outcome.exposures = exposures(&mut tx, &rematched.new)?;
            outcome.alerts = crate::alerts::for_new_findings(&mut tx, &rematched.new, now)?;
            self.changes.announce(&mut tx, &Change::Everything)?;
        }
        if changed.is_empty() {
            tx.commit()?;
        } else {
            self.changes.commit(tx, &Change::Everything)?;
        }
        // Committed: what was compiled for this batch serves later releases.
        if self.cache.len() + index.len() <= self.limits.advisory_cache {
            for advisory in index.into_advisories() {
                self.cache.insert_advisory(advisory);
            }
        }
        Ok(outcome)
    }

    /// Re-evaluates every stored advisory against every package version, in batches,
    /// recording this matcher's version on every finding.
    pub fn rematch(&mut self, progress: &mut dyn FnMut(usize, usize)) -> Result<RematchOutcome> {
        let ids = self.store.read()?.advisory_ids()?;
        let mut outcome = RematchOutcome {
            advisories: ids.len(),
            matcher: matching::MATCHER,
            ..RematchOutcome::default()
        };
        let mut done = 0;
        for chunk in ids.chunks(self.limits.advisory_batch.max(1)) {
            let now = self.clock.now();
            let mut tx = self.store.write()?;
            tx.lock_matching()?;
            let mut index = Index::new();
            for (id, json) in tx.advisories_by_id(chunk)? {
                let osv = vigil_osv::from_json(&json).map_err(|e| {
                    EngineError::Invalid(format!("stored advisory {id} no longer parses: {e}"))
                })?;
                index.insert(osv);
            }
            let rematched = matching::rematch_advisories(&mut tx, &index, chunk, now)?;
            crate::alerts::for_new_findings(&mut tx, &rematched.new, now)?;
            self.changes.announce(&mut tx, &Change::Everything)?;
            self.changes.commit(tx, &Change::Everything)?;
            outcome.findings += rematched.findings;
            outcome.new_findings += rematched.new.len();
            outcome.resolved += rematched.resolved;
            done += chunk.len();
            progress(done, ids.len());
        }
        Ok(outcome)
    }

    /// Replaces the KEV catalog with the one in `bytes` (CISA's JSON).
    pub fn import_kev(&mut self, bytes: &[u8], source: Option<&str>) -> Result<usize> {
        let catalog = vigil_intel::parse_kev(bytes, &self.limits.intel)?;
        let entries: Vec<KevEntry> = catalog
            .entries
            .iter()
            .map(|e| KevEntry {
                cve_id: e.cve.clone(),
                vendor: e.vendor_project.clone(),
                product: e.product.clone(),
                name: e.vulnerability_name.clone(),
                date_added: e.date_added.to_string(),
                due_date: Some(e.due_date.to_string()),
                ransomware: e.known_ransomware_campaign_use.map(|r| {
                    match r {
                        vigil_intel::RansomwareUse::Known => "Known",
                        vigil_intel::RansomwareUse::Unknown => "Unknown",
                    }
                    .to_owned()
                }),
                required_action: Some(e.required_action.clone()),
            })
            .collect();
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        tx.replace_kev(&entries, Some(&catalog.version), source, now)?;
        self.changes.announce(&mut tx, &Change::Everything)?;
        self.changes.commit(tx, &Change::Everything)?;
        Ok(entries.len())
    }

    /// Replaces the EPSS scores with those in `bytes` (FIRST's CSV, plain or gzip).
    pub fn import_epss(&mut self, bytes: &[u8], source: Option<&str>) -> Result<usize> {
        let scores = vigil_intel::parse_epss(bytes, &self.limits.intel)?;
        let rows: Vec<(String, f64, f64)> = scores
            .scores
            .into_iter()
            .map(|s| (s.cve, f64::from(s.epss), f64::from(s.percentile)))
            .collect();
        let version = scores.score_date.map(|d| d.date().to_string());
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        tx.replace_epss(&rows, version.as_deref(), source, now)?;
        self.changes.announce(&mut tx, &Change::Everything)?;
        self.changes.commit(tx, &Change::Everything)?;
        Ok(rows.len())
    }
}

/// The (environment, service, release) each new finding's release runs in.
fn exposures(tx: &mut vigil_store::Tx<'_>, new: &[FindingKey]) -> Result<Vec<Exposure>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let mut running: HashMap<i64, Vec<(String, String, String)>> = HashMap::new();
    for r in tx.running()? {
        running
            .entry(r.release_id)
            .or_default()
            .push((r.environment, r.service, r.version));
    }
    let mut out: Vec<Exposure> = new
        .iter()
        .flat_map(|k| {
            running.get(&k.release_id).into_iter().flatten().map(
                |(environment, service, version)| Exposure {
                    advisory: k.advisory_id.clone(),
                    environment: environment.clone(),
                    service: service.clone(),
                    version: version.clone(),
                },
            )
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.advisory, &a.environment, &a.service).cmp(&(&b.advisory, &b.environment, &b.service))
    });
    out.dedup();
    Ok(out)
}

/// What importing advisories from a path or a feed did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    #[serde(flatten)]
    pub outcome: BatchOutcome,
    /// Records read and valid.
    pub records: usize,
    /// Records skipped, with where they came from and why.
    pub rejected: Vec<Rejected>,
}

impl From<Record> for AdvisoryInput {
    fn from(r: Record) -> Self {
        AdvisoryInput {
            osv: r.osv,
            json: r.json,
            source: Some(r.source),
        }
    }
}

impl Engine {
    /// Imports every advisory at `path` (a directory tree, a zip such as osv.dev's
    /// `all.zip`, or a file), a batch per transaction. Invalid records are listed and
    /// skipped; a batch already committed stays if a later one fails, and importing
    /// again resumes, since stored records are skipped.
    pub fn import_path(
        &mut self,
        path: &std::path::Path,
        progress: crate::advisories::Progress<'_>,
    ) -> Result<ImportReport> {
        let limits = self.limits.source;
        let batch_size = self.limits.advisory_batch.max(1);
        let mut report = ImportReport::default();
        let mut batch: Vec<AdvisoryInput> = Vec::with_capacity(batch_size);
        let mut rejected = Vec::new();
        let read = crate::advisories::read(
            path,
            &limits,
            &mut |record| {
                batch.push(record.into());
                if batch.len() >= batch_size {
                    let out = self.import_advisories(std::mem::take(&mut batch))?;
                    report.outcome.add(out);
                }
                Ok(())
            },
            &mut |r| rejected.push(r),
            progress,
        )?;
        if !batch.is_empty() {
            let out = self.import_advisories(batch)?;
            report.outcome.add(out);
        }
        report.records = read.records;
        report.rejected = rejected;
        Ok(report)
    }

    /// Syncs OSV advisories from the feed `config` names into the store, resuming from
    /// each ecosystem's cursor.
    pub fn sync_feed(
        &mut self,
        config: &crate::feed::FeedConfig,
        progress: &mut dyn FnMut(crate::feed::FeedProgress<'_>),
    ) -> Result<(crate::feed::SyncReport, ImportReport)> {
        let mut sink = StoreSink {
            engine: self,
            base: config.base.trim_end_matches('/').to_owned(),
            report: ImportReport::default(),
        };
        let sync = crate::feed::sync(config, &mut sink, progress)?;
        Ok((sync, sink.report))
    }
}

/// Feed records into the store, cursors beside them.
struct StoreSink<'e> {
    engine: &'e mut Engine,
    base: String,
    report: ImportReport,
}

impl crate::feed::FeedSink for StoreSink<'_> {
    fn cursor(&mut self, ecosystem: &str) -> Result<Option<time::OffsetDateTime>, SinkError> {
        let text = self
            .engine
            .store
            .read()?
            .feed_cursor(&self.base, ecosystem)?;
        Ok(match text {
            Some(t) => Some(vigil_store::time::parse(&t)?),
            None => None,
        })
    }

    fn records(&mut self, _ecosystem: &str, batch: Vec<Record>) -> Result<(), SinkError> {
        self.report.records += batch.len();
        let out = self
            .engine
            .import_advisories(batch.into_iter().map(AdvisoryInput::from).collect())?;
        self.report.outcome.add(out);
        Ok(())
    }

    fn rejected(&mut self, _ecosystem: &str, rejected: Rejected) {
        self.report.rejected.push(rejected);
    }

    fn set_cursor(
        &mut self,
        ecosystem: &str,
        cursor: time::OffsetDateTime,
    ) -> Result<(), SinkError> {
        let now = self.engine.clock.now();
        let mut tx = self.engine.store.write()?;
        tx.set_feed_cursor(&self.base, ecosystem, cursor, now)?;
        tx.commit()?;
        Ok(())
    }
}
