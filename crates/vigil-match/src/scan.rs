//! Scanning one SBOM against the index: every component's OSV identity looked up, each
//! match turned into a finding that says what matched, how sure, what fixes it, and how
//! the component came into the product.

use serde::Serialize;
use vigil_osv::eval::{Hit, QueryVersion, Remedy, Unknown, Verdict};
use vigil_osv::{Rating, Severity};
use vigil_sbom::{Bom, Relation};

use crate::identity::{Source, identity};
use crate::index::{Index, Match};

/// How a component is used by the product the SBOM describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dependency {
    /// The product itself, or one of its own components.
    Subject,
    Direct,
    Transitive,
    /// The SBOM lists the component without saying how it is used.
    Unknown,
}

/// Whether the advisory affects the component for certain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Certainty {
    Affected,
    /// The advisory names the package but part of it cannot be evaluated for this
    /// version; it is reported rather than dropped.
    Unknown {
        reason: String,
    },
}

/// What removes the finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Upgrade to any of these versions (ascending).
    FixedIn { versions: Vec<String> },
    /// The advisory lists affected versions up to this one, but names no fix.
    NoFixKnown { last_affected: String },
    /// Every later version is affected: there is no fix yet.
    NoFixYet,
    /// The advisory lists the exact affected versions; any version not listed is
    /// outside it.
    NotListed,
    /// Unknown: the advisory could not be evaluated.
    Unknown,
}

/// One advisory affecting one component.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Index into the SBOM's components.
    pub component: usize,
    /// The component's package URL as the SBOM gives it (or as derived).
    pub purl: String,
    /// The OSV ecosystem, with release.
    pub ecosystem: String,
    /// The package name as OSV writes it (the source package for OS packages).
    pub package: String,
    /// The version compared (the source version for OS packages).
    pub version: String,
    /// Whether package or version are the source package's rather than the binary's.
    pub via_source: bool,
    /// The installed package's own name and version, where they differ from the ones
    /// compared (a binary built from a source package: `libssl1.1` from `openssl`).
    pub installed: Option<String>,
    pub advisory: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub certainty: Certainty,
    pub fix: Fix,
    /// What in the advisory matched: `affected[0].ranges[1]` or `affected[0].versions[3]`.
    pub matched: String,
    pub dependency: Dependency,
    /// Component names from the product down to this component, where known.
    pub path: Vec<String>,
}

impl Finding {
    /// The rating used for ordering and gates; `None` when the advisory gives none.
    pub fn rating(&self) -> Option<Rating> {
        self.severity.as_ref().map(|s| s.rating)
    }
}

/// The result of one scan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanReport {
    pub components: usize,
    /// Components that are packages: not the product itself, and not an operating
    /// system, container, file or device entry.
    pub packages: usize,
    /// Components looked up in the index.
    pub matched_components: usize,
    /// Components that could not be looked up, and why.
    pub unmatchable: Vec<Unmatched>,
    /// What the SBOM reader tolerated (`components[3].name: no name; ...`).
    pub warnings: Vec<String>,
    /// Ordered by severity (highest first), then package, then advisory.
    pub findings: Vec<Finding>,
}

/// A component that could not be matched.
#[derive(Clone, Debug, Serialize)]
pub struct Unmatched {
    pub component: usize,
    pub name: String,
    pub reason: String,
}

/// A component of an SBOM that can be matched: its OSV identity and how it entered
/// the product.
#[derive(Clone, Debug)]
pub struct BomPackage {
    /// Index into the SBOM's components.
    pub component: usize,
    /// The component's package URL as the SBOM gives it (or as derived).
    pub purl: String,
    pub identity: crate::Identity,
    /// The installed binary's name and version where the source package is compared.
    pub installed: Option<String>,
    pub dependency: Dependency,
    /// Component names from the product down to this component, where known.
    pub path: Vec<String>,
}

/// The matchable packages of a BOM, and what could not be matched.
#[derive(Clone, Debug, Default)]
pub struct BomPackages {
    pub components: usize,
    /// Components that are packages (see [`ScanReport::packages`]).
    pub packages: usize,
    pub matchable: Vec<BomPackage>,
    pub unmatchable: Vec<Unmatched>,
    pub warnings: Vec<String>,
}

/// Works out the OSV identity of every package of `bom`.
pub fn packages(bom: &Bom) -> BomPackages {
    let graph = bom.graph();
    let mut out = BomPackages {
        components: bom.components.len(),
        ..BomPackages::default()
    };
    let is_package = |i: usize| {
        let kind = bom.components[i]
            .kind
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        graph.relation(i) != Relation::Subject
            && !matches!(
                kind.as_str(),
                "operating-system"
                    | "operating_system"
                    | "container"
                    | "file"
                    | "device"
                    | "firmware"
            )
    };
    out.packages = (0..bom.components.len()).filter(|&i| is_package(i)).count();
    out.warnings = bom.warnings.iter().map(ToString::to_string).collect();
    for (i, reason) in &bom.unmatchable {
        // The product and its platform are not packages: that they have no purl is normal.
        if *i >= bom.components.len() || !is_package(*i) {
            continue;
        }
        out.unmatchable.push(Unmatched {
            component: *i,
            name: bom.components[*i].name.clone(),
            reason: reason.clone(),
        });
    }
    let mut listed_unmatchable = vec![false; bom.components.len()];
    for (i, _) in &bom.unmatchable {
        if let Some(flag) = listed_unmatchable.get_mut(*i) {
            *flag = true;
        }
    }
    for (i, component) in bom.components.iter().enumerate() {
        let Some(purl) = &component.purl else {
            continue;
        };
        if listed_unmatchable[i] {
            continue;
        }
        let source = component
            .source
            .as_ref()
            .map_or_else(Source::default, |s| Source {
                name: Some(&s.name),
                version: s.version.as_deref(),
            });
        let id = match identity(purl, source, component.version.as_deref()) {
            Ok(id) => id,
            Err(e) => {
                out.unmatchable.push(Unmatched {
                    component: i,
                    name: component.name.clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let dependency = match graph.relation(i) {
            Relation::Subject => Dependency::Subject,
            Relation::Direct => Dependency::Direct,
            Relation::Transitive => Dependency::Transitive,
            _ => Dependency::Unknown,
        };
        let path: Vec<String> = graph
            .path(i)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| bom.components.get(c).map(|c| c.name.clone()))
            .collect();
        // Name the installed binary where the source package was compared, with its
        // version only where that differs too.
        let installed = id.via_source.then(|| {
            let version = component.full_version();
            match version.as_deref() {
                Some(v) if v != id.version => format!("{} {v}", component.name),
                _ => component.name.clone(),
            }
        });
        out.matchable.push(BomPackage {
            component: i,
            purl: purl.to_string(),
            identity: id,
            installed,
            dependency,
            path,
        });
    }
    out
}

/// Matches every component of `bom` against `index`.
pub fn scan(index: &Index, bom: &Bom) -> ScanReport {
    let BomPackages {
        components,
        packages: package_count,
        matchable,
        unmatchable,
        warnings,
    } = packages(bom);
    let mut report = ScanReport {
        components,
        packages: package_count,
        matched_components: matchable.len(),
        unmatchable,
        warnings,
        findings: Vec::new(),
    };
    for p in matchable {
        let query = QueryVersion::new(p.identity.key.ecosystem(), &p.identity.version);
        for m in index.lookup(&p.identity.key, &query) {
            let mut f = finding(
                p.component,
                p.purl.clone(),
                &p.identity,
                m,
                p.dependency,
                p.path.clone(),
            );
            f.installed.clone_from(&p.installed);
            report.findings.push(f);
        }
    }
    report.findings.sort_by(|a, b| {
        b.rating()
            .cmp(&a.rating())
            .then_with(|| a.ecosystem.cmp(&b.ecosystem))
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.advisory.cmp(&b.advisory))
            .then_with(|| a.component.cmp(&b.component))
    });
    report
}

/// What a match says: how certain, what fixes it, and which part of the advisory
/// matched (`affected[0].ranges[1]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub certainty: Certainty,
    pub fix: Fix,
    pub matched: String,
}

impl Outcome {
    pub fn of(m: &Match<'_>) -> Outcome {
        let (certainty, fix, matched) = match m.verdict {
            Verdict::Affected(Hit::Range {
                affected,
                range,
                remedy,
                ..
            }) => {
                let fix = match remedy {
                    Remedy::FixedIn(fixes) => Fix::FixedIn {
                        versions: fixes
                            .fixed()
                            .chain(fixes.limits())
                            .map(str::to_owned)
                            .collect(),
                    },
                    Remedy::NoFixKnown { last_affected } => Fix::NoFixKnown {
                        last_affected: last_affected.to_owned(),
                    },
                    Remedy::NoFixYet => Fix::NoFixYet,
                };
                (
                    Certainty::Affected,
                    fix,
                    format!("affected[{affected}].ranges[{range}]"),
                )
            }
            Verdict::Affected(Hit::Version {
                affected, index, ..
            }) => (
                Certainty::Affected,
                Fix::NotListed,
                format!("affected[{affected}].versions[{index}]"),
            ),
            Verdict::Unknown(unknown) => {
                let (reason, at) = match unknown {
                    Unknown::Range(u) => (
                        u.to_string(),
                        format!("affected[{}].ranges[{}]", u.affected, u.range),
                    ),
                    Unknown::QueryVersion {
                        affected,
                        range,
                        error,
                    } => (
                        format!("the component's version does not parse: {error}"),
                        format!("affected[{affected}].ranges[{range}]"),
                    ),
                };
                (Certainty::Unknown { reason }, Fix::Unknown, at)
            }
        };
        Outcome {
            certainty,
            fix,
            matched,
        }
    }
}

fn finding(
    component: usize,
    purl: String,
    id: &crate::Identity,
    m: Match<'_>,
    dependency: Dependency,
    path: Vec<String>,
) -> Finding {
    let Outcome {
        certainty,
        fix,
        matched,
    } = Outcome::of(&m);
    Finding {
        component,
        purl,
        ecosystem: id.key.ecosystem().to_string(),
        package: id.key.name().to_owned(),
        version: id.version.clone(),
        via_source: id.via_source,
        installed: None,
        advisory: m.advisory.id().to_owned(),
        aliases: m.advisory.osv.aliases.clone(),
        summary: m.advisory.osv.summary.clone(),
        severity: m.advisory.severity_of(m.affected).cloned(),
        certainty,
        fix,
        matched,
        dependency,
        path,
    }
}
