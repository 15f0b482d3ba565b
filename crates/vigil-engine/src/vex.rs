//! VEX in and out. An imported document's statements become triage decisions (source
//! `vex:<sha256>`), scoped by what each product names:
//!
//! - an artifact digest (`sha256:…`, `pkg:oci/…@sha256:…`, OpenVEX `hashes`): the
//!   release with that digest;
//! - a CycloneDX BOM-link (`urn:cdx:<serial>/<version>#<bom-ref>`): the release whose SBOM
//!   has that serial number; the bom-ref of one of its components narrows it to that
//!   package, any other bom-ref (the subject) names the whole release;
//! - in a CycloneDX BOM that is itself a release's SBOM (the same bytes or serial number),
//!   a component: that package in that release (VEX embedded in an SBOM);
//! - `service@version`, or `pkg:generic/<service>@<version>` for a recorded release: that
//!   release; a bare service name: every release of the service;
//! - any other package URL: that package (version) everywhere.
//!
//! Subcomponents narrow a release or service to those packages. A product with a
//! subcomponent that names no release or service is not applied: its subcomponent alone
//! would say too much. Neither is a product with a version range (CycloneDX
//! `affects[].versions[].range`). Every product not applied is reported with why.
//!
//! Exported documents state, for every finding of the releases asked about, the decision
//! in effect (risk accepted is `affected` with the acceptance as its action), and
//! `under_investigation` for findings no one has triaged. A release is the product
//! `pkg:generic/<service>@<version>`, with its digests as hashes; its vulnerable packages
//! are subcomponents.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use vigil_purl::Purl;
use vigil_store::{FindingFilter, NewDecision, NewVexDocument, Tx};
use vigil_vex::{
    Document, Format, Product, ProductId, Statement, Status, VersionSpec, Vulnerability,
};

use crate::changes::Change;
use crate::engine::{Engine, sha256};
use crate::error::{EngineError, Result};
use crate::triage::{apply, check_statements, check_vulnerability};

/// Most decisions one import may record (statements × products × releases ×
/// subcomponents).
pub const MAX_DECISIONS: usize = 100_000;

/// A statement's text, trimmed; empty is none, and longer than the triage limit is cut
/// at a character boundary with a warning.
fn text(t: Option<String>, warnings: &mut Vec<String>) -> Option<String> {
    let t = t?.trim().to_owned();
    if t.is_empty() {
        return None;
    }
    if t.len() <= crate::triage::MAX_TEXT {
        return Some(t);
    }
    let mut end = crate::triage::MAX_TEXT;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    warnings.push(format!(
        "a statement text of {} bytes was cut to {end}",
        t.len()
    ));
    Some(t[..end].to_owned())
}

/// One decision an import recorded.
#[derive(Clone, Debug, Serialize)]
pub struct ImportedDecision {
    pub id: i64,
    pub vulnerability: String,
    pub status: String,
    pub scope: String,
    pub service: Option<String>,
    pub release: Option<String>,
    pub purl: Option<String>,
}

/// What importing a VEX document did.
#[derive(Clone, Debug, Serialize)]
pub struct VexImport {
    pub sha256: String,
    pub format: String,
    pub author: Option<String>,
    pub statements: usize,
    /// False when the same bytes were imported before: nothing was recorded again.
    pub new: bool,
    pub decisions: Vec<ImportedDecision>,
    /// Findings whose decision in effect changed.
    pub findings_changed: usize,
    /// Products not applied: (where, why).
    pub skipped: Vec<(String, String)>,
    /// Leniencies the reader applied.
    pub warnings: Vec<String>,
}

/// What to export.
#[derive(Clone, Debug)]
pub enum VexScope {
    Release {
        service: String,
        version: String,
    },
    /// The releases of a service that run somewhere now.
    Service(String),
    /// Every release that runs somewhere now.
    Portfolio,
}

/// The formats written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VexFormat {
    OpenVex,
    CycloneDx,
}

/// A resolved scope for one product.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    release_id: Option<i64>,
    service_id: Option<i64>,
    purl: Option<String>,
}

impl Target {
    fn scope(&self) -> &'static str {
        match (self.release_id, self.service_id, &self.purl) {
            (Some(_), _, Some(_)) => "finding",
            (Some(_), _, None) => "release",
            (None, Some(_), _) => "service",
            (None, None, Some(_)) => "package",
            (None, None, None) => "advisory",
        }
    }
}

/// The components of a release's SBOM by bom-ref: the purl, if it has one, and whether
/// it is what the SBOM describes (CycloneDX `metadata.component`).
fn components_by_ref(
    tx: &mut Tx<'_>,
    release_id: i64,
    limits: &vigil_sbom::Limits,
) -> Result<BTreeMap<String, (Option<String>, bool)>> {
    let Some(release) = tx.release_by_id(release_id)? else {
        return Ok(BTreeMap::new());
    };
    let Some(bytes) = tx.sbom(&release.sbom_sha256)? else {
        return Ok(BTreeMap::new());
    };
    let bom = vigil_sbom::parse_with_limits(&bytes, limits)?;
    let subject: BTreeSet<usize> = bom
        .subject
        .as_ref()
        .map(|s| s.components.iter().copied().collect())
        .unwrap_or_default();
    Ok(bom
        .components
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            c.bom_ref
                .map(|r| (r, (c.purl.map(|p| p.to_string()), subject.contains(&i))))
        })
        .collect())
}

struct Resolver<'a, 'b> {
    tx: &'a mut Tx<'b>,
    limits: vigil_sbom::Limits,
    /// Releases whose SBOM this document is (embedded VEX).
    this_bom: Vec<i64>,
    subject_ref: Option<String>,
    subject_purl: Option<String>,
    /// Each release's SBOM components by bom-ref, read once.
    components: BTreeMap<i64, BTreeMap<String, (Option<String>, bool)>>,
}

impl Resolver<'_, '_> {
    /// The subcomponents of `p` as purls; `None` if one cannot be said as a purl.
    fn subcomponents(&self, p: &Product) -> std::result::Result<Vec<String>, String> {
        p.subcomponents
            .iter()
            .map(|s| {
                s.purl()
                    .map(|p| p.to_string())
                    .ok_or_else(|| format!("subcomponent {} is not a package URL", s.as_iri()))
            })
            .collect()
    }

    /// `releases` narrowed to the subcomponents of `p`, or whole.
    fn releases(&self, releases: &[i64], subs: &[String]) -> Vec<Target> {
        let mut out = Vec::new();
        for &r in releases {
            if subs.is_empty() {
                out.push(Target {
                    release_id: Some(r),
                    service_id: None,
                    purl: None,
                });
            }
            for s in subs {
                out.push(Target {
                    release_id: Some(r),
                    service_id: None,
                    purl: Some(s.clone()),
                });
            }
        }
        out
    }

    /// What product `p` names, or why it names nothing Vigil can apply. A product with
    /// one version (CycloneDX `affects[].versions[].version`) names the releases of that
    /// version; one with a range is not applied.
    fn resolve(&mut self, p: &Product) -> Result<std::result::Result<Vec<Target>, String>> {
        let version = match &p.versions {
            None => None,
            Some(VersionSpec::Version(v)) => Some(v.clone()),
            Some(VersionSpec::Range(r)) => {
                return Ok(Err(format!("the version range {r} is not applied")));
            }
        };
        let targets = match self.resolve_any(p)? {
            Ok(t) => t,
            Err(why) => return Ok(Err(why)),
        };
        let Some(version) = version else {
            return Ok(Ok(targets));
        };
        let mut kept = Vec::new();
        for t in targets {
            if let Some(id) = t.release_id
                && self
                    .tx
                    .release_by_id(id)?
                    .is_some_and(|r| r.version == version)
            {
                kept.push(t);
            }
        }
        if kept.is_empty() {
            return Ok(Err(format!(
                "no release it names has the version {version}"
            )));
        }
        Ok(Ok(kept))
    }

    fn resolve_any(&mut self, p: &Product) -> Result<std::result::Result<Vec<Target>, String>> {
        let subs = match self.subcomponents(p) {
            Ok(s) => s,
            Err(why) => return Ok(Err(why)),
        };
        // Digests name releases.
        let mut by_digest = BTreeSet::new();
        for d in p.digests() {
            if let Some(r) = self.tx.release_by_digest(&d.to_string())? {
                by_digest.insert(r.id);
            }
        }
        if !by_digest.is_empty() {
            let ids: Vec<i64> = by_digest.into_iter().collect();
            return Ok(Ok(self.releases(&ids, &subs)));
        }
        match &p.id {
            ProductId::BomLink(link) => {
                let releases = self.tx.releases_by_sbom(Some(&link.serial), None)?;
                if releases.is_empty() {
                    return Ok(Err(format!(
                        "no release's SBOM has the serial number {}",
                        link.serial
                    )));
                }
                let mut out = Vec::new();
                for r in releases {
                    if !self.components.contains_key(&r) {
                        let refs = components_by_ref(self.tx, r, &self.limits)?;
                        self.components.insert(r, refs);
                    }
                    let Some(bom_ref) = &link.bom_ref else {
                        // A link to the whole BOM: the release.
                        out.extend(self.releases(&[r], &subs));
                        continue;
                    };
                    match self.components[&r].get(bom_ref).cloned() {
                        // The subject: the whole release.
                        Some((_, true)) => out.extend(self.releases(&[r], &subs)),
                        Some((Some(purl), false)) => out.push(Target {
                            release_id: Some(r),
                            service_id: None,
                            purl: Some(purl),
                        }),
                        Some((None, false)) => {
                            return Ok(Err(format!(
                                "component {bom_ref} of the SBOM has no package URL"
                            )));
                        }
                        None => {
                            return Ok(Err(format!(
                                "the release's SBOM has no component {bom_ref}"
                            )));
                        }
                    }
                }
                Ok(Ok(out))
            }
            ProductId::Component(c) if !self.this_bom.is_empty() => {
                if Some(&c.bom_ref) == self.subject_ref.as_ref() {
                    let ids = self.this_bom.clone();
                    return Ok(Ok(self.releases(&ids, &subs)));
                }
                match &c.purl {
                    Some(purl) => Ok(Ok(self
                        .this_bom
                        .iter()
                        .map(|&r| Target {
                            release_id: Some(r),
                            service_id: None,
                            purl: Some(purl.to_string()),
                        })
                        .collect())),
                    None => Ok(Err(format!("component {} has no package URL", c.bom_ref))),
                }
            }
            ProductId::Component(c) => Ok(Err(format!(
                "component {} is in a BOM that is no release's SBOM",
                c.bom_ref
            ))),
            ProductId::Purl(purl) if !self.this_bom.is_empty() => {
                let text = purl.to_string();
                let ids = self.this_bom.clone();
                if Some(&text) == self.subject_purl.as_ref() {
                    return Ok(Ok(self.releases(&ids, &subs)));
                }
                Ok(Ok(self.releases(&ids, &[text])))
            }
            ProductId::Purl(purl) => {
                if let Some(r) = self.generic_release(purl)? {
                    return Ok(Ok(self.releases(&[r], &subs)));
                }
                if !subs.is_empty() {
                    return Ok(Err(format!(
                        "product {purl} is no recorded release, so its subcomponents are not applied"
                    )));
                }
                Ok(Ok(vec![Target {
                    release_id: None,
                    service_id: None,
                    purl: Some(purl.to_string()),
                }]))
            }
            ProductId::Digest { digest, .. } => {
                Ok(Err(format!("no release has the digest {digest}")))
            }
            ProductId::Other(text) => {
                if let Some((service, version)) = text.rsplit_once('@')
                    && let Some(r) = self.tx.release(service, version)?
                {
                    return Ok(Ok(self.releases(&[r.id], &subs)));
                }
                if let Some(s) = self.tx.service(text)? {
                    if subs.is_empty() {
                        return Ok(Ok(vec![Target {
                            release_id: None,
                            service_id: Some(s.id),
                            purl: None,
                        }]));
                    }
                    return Ok(Ok(subs
                        .iter()
                        .map(|p| Target {
                            release_id: None,
                            service_id: Some(s.id),
                            purl: Some(p.clone()),
                        })
                        .collect()));
                }
                Ok(Err(format!(
                    "{text:?} names no release (service@version), service, digest or package"
                )))
            }
        }
    }

    /// The release `pkg:generic/<service>@<version>` names, if recorded.
    fn generic_release(&mut self, purl: &Purl) -> Result<Option<i64>> {
        if purl.ty() != "generic" || purl.namespace().is_some() {
            return Ok(None);
        }
        let Some(version) = purl.version() else {
            return Ok(None);
        };
        Ok(self.tx.release(purl.name(), version)?.map(|r| r.id))
    }
}

fn format_name(f: &Format) -> String {
    match f {
        Format::OpenVex { spec } => format!("openvex-{spec}"),
        Format::CycloneDx { spec_version } => format!("cyclonedx-{spec_version}"),
        other => other.to_string(),
    }
}

impl Engine {
    /// Imports a VEX document: each product it names becomes a triage decision in the
    /// narrowest scope that fits, and the decisions take effect. All or nothing; the
    /// same bytes twice record nothing the second time.
    pub fn import_vex(&mut self, bytes: &[u8], actor: &str) -> Result<VexImport> {
        self.check_name("actor", actor)?;
        let doc = vigil_vex::parse(bytes).map_err(|e| EngineError::Invalid(format!("VEX: {e}")))?;
        let sha = sha256(bytes);
        let now = self.clock.now();
        let source = format!("vex:{sha}");
        let mut report = VexImport {
            sha256: sha.clone(),
            format: format_name(&doc.format),
            author: doc.author.clone(),
            statements: doc.statements.len(),
            new: true,
            decisions: Vec::new(),
            findings_changed: 0,
            skipped: Vec::new(),
            warnings: doc.warnings.iter().map(ToString::to_string).collect(),
        };
        let mut tx = self.store.write()?;
        let this_bom = match &doc.bom {
            Some(b) => tx.releases_by_sbom(b.serial.as_deref(), Some(&sha))?,
            None => Vec::new(),
        };
        report.new = tx.put_vex_document(
            &NewVexDocument {
                sha256: &sha,
                format: &report.format,
                content: bytes,
                statements: doc.statements.len() as i64,
                actor: Some(actor),
            },
            now,
        )?;
        if !report.new {
            tx.commit()?;
            return Ok(report);
        }
        let mut resolver = Resolver {
            tx: &mut tx,
            limits: self.limits.sbom.clone(),
            this_bom,
            subject_ref: doc.bom.as_ref().and_then(|b| b.subject_bom_ref.clone()),
            subject_purl: doc
                .bom
                .as_ref()
                .and_then(|b| b.subject_purl.as_ref())
                .map(ToString::to_string),
            components: BTreeMap::new(),
        };
        // Later statements win over earlier ones: by timestamp, then document order.
        let mut order: Vec<(usize, &Statement)> = doc.statements.iter().enumerate().collect();
        order.sort_by_key(|(i, s)| (s.timestamp.or(doc.timestamp), *i));
        let mut planned = Vec::new();
        for (i, s) in order {
            let name = &s.vulnerability.name;
            if check_vulnerability(name).is_err() {
                report.skipped.push((
                    format!("statements[{i}]"),
                    format!("{name:?} is not an advisory id"),
                ));
                continue;
            }
            let mut targets = BTreeSet::new();
            for (j, p) in s.products.iter().enumerate() {
                match resolver.resolve(p)? {
                    Ok(t) => targets.extend(t),
                    Err(why) => report.skipped.push((
                        format!("statements[{i}].products[{j}] {}", p.id.as_iri()),
                        why,
                    )),
                }
            }
            if s.products.is_empty() {
                report.skipped.push((
                    format!("statements[{i}]"),
                    "names no product; a statement about everything is not applied".into(),
                ));
            }
            planned.push((s, targets));
        }
        let mut names = BTreeSet::new();
        for (s, targets) in planned {
            let status = s.status.as_str();
            // A justification goes with not_affected only; the reader kept stray ones
            // with a warning, and so does the import.
            let justification = s
                .justification
                .filter(|_| s.status == Status::NotAffected)
                .map(|j| j.as_str());
            let reason = text(
                s.status_notes.clone().or_else(|| {
                    s.cdx
                        .as_ref()
                        .and_then(|c| c.detail.clone())
                        .filter(|_| s.status != Status::NotAffected)
                }),
                &mut report.warnings,
            );
            let impact = text(s.impact_statement.clone(), &mut report.warnings);
            let action = text(s.action_statement.clone(), &mut report.warnings);
            // Producers break the statement rules; the reader kept such statements with a
            // warning, and so does the import. Lengths and names are still checked.
            let lenient_action = action.clone().or_else(|| {
                (s.status == Status::Affected).then(|| "none stated in the VEX document".to_owned())
            });
            let lenient_impact = impact.clone().or_else(|| {
                (s.status == Status::NotAffected && justification.is_none())
                    .then(|| "none stated in the VEX document".to_owned())
            });
            check_statements(
                status,
                justification,
                lenient_impact.as_deref(),
                lenient_action.as_deref(),
                reason.as_deref(),
                None,
                now,
            )?;
            for t in targets {
                if report.decisions.len() >= MAX_DECISIONS {
                    return Err(EngineError::Invalid(format!(
                        "the document makes more than {MAX_DECISIONS} decisions; split it"
                    )));
                }
                let id = resolver.tx.add_decision(
                    &NewDecision {
                        vulnerability: &s.vulnerability.name,
                        scope: t.scope(),
                        release_id: t.release_id,
                        service_id: t.service_id,
                        purl: t.purl.as_deref(),
                        status,
                        justification,
                        impact: impact.as_deref(),
                        action: action.as_deref(),
                        expires_at: None,
                        reason: reason.as_deref(),
                        actor,
                        source: &source,
                    },
                    now,
                )?;
                let d = resolver.tx.decision(id)?.ok_or_else(|| {
                    EngineError::Conflict(format!("decision {id} was not stored"))
                })?;
                report.decisions.push(ImportedDecision {
                    id,
                    vulnerability: d.vulnerability,
                    status: d.status,
                    scope: d.scope,
                    service: d.service,
                    release: d.release,
                    purl: d.purl,
                });
            }
            names.insert(s.vulnerability.name.clone());
        }
        let mut ids = BTreeSet::new();
        for name in &names {
            let resolved = tx.resolve_advisory(name)?;
            if resolved.is_empty() {
                ids.insert(name.clone());
            }
            ids.extend(resolved);
        }
        let ids: Vec<String> = ids.into_iter().collect();
        let applied = apply(&mut tx, &ids, &[], now)?;
        report.findings_changed = applied.changed;
        let change = Change::Advisories(applied.advisories);
        self.changes.announce(&mut tx, &change)?;
        self.changes.commit(tx, &change)?;
        Ok(report)
    }

    /// The VEX document of what is known about the releases in `scope`.
    pub fn export_vex(&mut self, scope: &VexScope, format: VexFormat) -> Result<Vec<u8>> {
        let now = self.clock.now();
        let mut tx = self.store.read()?;
        let mut filter = FindingFilter {
            all_releases: true,
            include_resolved: true,
            ..FindingFilter::default()
        };
        let only_running = match scope {
            VexScope::Release { service, version } => {
                let r = tx
                    .release(service, version)?
                    .ok_or_else(|| EngineError::NotFound {
                        what: format!("no release {service} {version}"),
                        hint: None,
                    })?;
                filter.release_id = Some(r.id);
                false
            }
            VexScope::Service(name) => {
                if tx.service(name)?.is_none() {
                    return Err(EngineError::NotFound {
                        what: format!("no service {name:?}"),
                        hint: None,
                    });
                }
                filter.service = Some(name.clone());
                true
            }
            VexScope::Portfolio => true,
        };
        let mut rows = tx.findings(&filter)?;
        rows.retain(|r| !matches!(r.resolution.as_deref(), Some("withdrawn" | "unmatched")));
        if only_running {
            let live: BTreeSet<i64> = tx.running()?.into_iter().map(|r| r.release_id).collect();
            rows.retain(|r| live.contains(&r.release_id));
        }
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.advisory_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, alias) in tx.aliases_for(&ids)? {
            aliases.entry(id).or_default().push(alias);
        }
        // (advisory, status, justification, impact, action, notes) → release → purls.
        type Key = (
            String,
            Status,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let mut grouped: BTreeMap<Key, BTreeMap<i64, BTreeSet<String>>> = BTreeMap::new();
        let mut decisions = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for r in &rows {
            if !seen.insert((r.release_id, r.package_version_id, r.advisory_id.clone())) {
                continue;
            }
            let d = match r.decision_id {
                Some(id) => {
                    if let std::collections::btree_map::Entry::Vacant(slot) = decisions.entry(id) {
                        slot.insert(tx.decision(id)?);
                    }
                    decisions.get(&id).cloned().flatten()
                }
                None => None,
            };
            let key: Key = match &d {
                None => (
                    r.advisory_id.clone(),
                    Status::UnderInvestigation,
                    None,
                    None,
                    None,
                    Some("Not yet triaged.".to_owned()),
                ),
                Some(d) if d.status == "risk_accepted" => (
                    r.advisory_id.clone(),
                    Status::Affected,
                    None,
                    None,
                    Some(format!(
                        "Risk accepted until {}: {}",
                        d.expires_at.clone().unwrap_or_default(),
                        d.reason.clone().unwrap_or_default()
                    )),
                    d.reason.clone(),
                ),
                Some(d) => (
                    r.advisory_id.clone(),
                    d.status.parse().unwrap_or(Status::UnderInvestigation),
                    d.justification.clone(),
                    d.impact.clone(),
                    d.action.clone(),
                    d.reason.clone(),
                ),
            };
            grouped
                .entry(key)
                .or_default()
                .entry(r.release_id)
                .or_default()
                .insert(r.purl.clone());
        }
        let mut products_of: BTreeMap<i64, (Purl, Vec<vigil_vex::Digest>)> = BTreeMap::new();
        for releases in grouped.values() {
            for id in releases.keys() {
                if products_of.contains_key(id) {
                    continue;
                }
                if let Some(r) = tx.release_by_id(*id)? {
                    let purl = Purl::builder("generic", &r.service)
                        .version(&r.version)
                        .build()
                        .map_err(|e| {
                            EngineError::Conflict(format!(
                                "release {} {} has no package URL: {e}",
                                r.service, r.version
                            ))
                        })?;
                    let digests = r
                        .digests
                        .iter()
                        .filter_map(|d| d.parse::<vigil_vex::Digest>().ok())
                        .collect();
                    products_of.insert(*id, (purl, digests));
                }
            }
        }
        let mut statements = Vec::new();
        for ((advisory, status, justification, impact, action, notes), releases) in grouped {
            let products = releases
                .into_iter()
                .filter_map(|(id, purls)| {
                    let (purl, digests) = products_of.get(&id)?.clone();
                    let mut p = Product::new(ProductId::Purl(purl));
                    p.hashes = digests;
                    p.subcomponents = purls
                        .iter()
                        .filter_map(|s| s.parse::<Purl>().ok())
                        .map(ProductId::from_purl)
                        .collect();
                    Some(p)
                })
                .collect();
            let mut a = aliases.get(&advisory).cloned().unwrap_or_default();
            a.sort();
            statements.push(Statement {
                vulnerability: Vulnerability {
                    name: advisory,
                    aliases: a,
                },
                products,
                status,
                justification: justification.and_then(|j| j.parse().ok()),
                impact_statement: impact,
                action_statement: action,
                status_notes: notes,
                timestamp: None,
                cdx: None,
            });
        }
        let doc = Document {
            format: match format {
                VexFormat::OpenVex => Format::OpenVex {
                    spec: vigil_vex::OpenVexSpec::V0_2_0,
                },
                VexFormat::CycloneDx => Format::CycloneDx {
                    spec_version: "1.6".into(),
                },
            },
            // The writers name the document by a digest of its content.
            id: None,
            author: Some("Vigil".into()),
            role: None,
            timestamp: Some(now),
            last_updated: None,
            version: Some(1),
            tooling: Some(concat!("vigil ", env!("CARGO_PKG_VERSION")).into()),
            statements,
            bom: None,
            warnings: Vec::new(),
        };
        Ok(match format {
            VexFormat::OpenVex => vigil_vex::openvex::write(&doc),
            VexFormat::CycloneDx => vigil_vex::cyclonedx::write(&doc),
        })
    }
}
