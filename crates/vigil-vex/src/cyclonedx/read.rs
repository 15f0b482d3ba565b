//! Reading CycloneDX VEX: the `vulnerabilities` of a CycloneDX BOM, standalone (a BOM
//! that lists only vulnerabilities and perhaps the product) or embedded in an SBOM.
//!
//! The rules, each documented in `docs/vex.md`:
//!
//! - A vulnerability's `analysis.state` gives the status; without a state the
//!   vulnerability is `affected`, since CycloneDX defines `affects` as the components
//!   that are affected.
//! - Each `affects[].versions[]` entry becomes a product of its own. Its version is
//!   folded into the product when the ref is a purl (or a component with a purl)
//!   without a version; otherwise it stays on the product as
//!   [`Product::versions`](crate::Product::versions). Its `status`, when written,
//!   decides the statement status (`unaffected` is `fixed` under a `resolved` analysis
//!   and `not_affected` otherwise); without one the analysis state decides.
//! - The products of one vulnerability are grouped into one statement per status, in
//!   the order the statuses first appear.
//! - `analysis.detail` is the impact statement of a `not_affected` statement, the
//!   action statement of an `affected` one, and the status notes of the others; an
//!   `affected` statement without detail takes the `response` list in words, else the
//!   vulnerability's `recommendation`. Where a version's status made the statement
//!   other than the analysis state says, the detail (written for the state) is only
//!   the statement's status notes.

use vigil_sbom::Bom;

use super::extras::{Extras, VulnExtras};
use crate::mapping::{
    JUSTIFICATION_NAMES, RESPONSES, STATE_NAMES, VersionStatus, cdx_justification, response_text,
    state_status,
};
use crate::product::{Digest, Identifiers, LocalComponent, Product, ProductId, VersionSpec};
use crate::time::parse_timestamp;
use crate::{
    BomIdentity, CdxAnalysis, Document, Error, Format, Limits, Statement, Status, Vulnerability,
    Warning,
};

/// The property that carries an OpenVEX subcomponent through CycloneDX: its value is a
/// JSON array of the `affects` ref and the subcomponent's id. Only this crate's writer
/// makes it.
pub(crate) const SUBCOMPONENT_PROPERTY: &str = "vigil:openvex:subcomponent";

pub(crate) fn parse(bytes: &[u8], xml: bool, limits: &Limits) -> Result<Document, Error> {
    let sbom_limits = vigil_sbom::Limits {
        max_document_bytes: limits.max_document_bytes,
        ..vigil_sbom::Limits::default()
    };
    let format = if xml {
        vigil_sbom::Format::CycloneDxXml
    } else {
        vigil_sbom::Format::CycloneDxJson
    };
    let bom = vigil_sbom::parse_as(format, bytes, &sbom_limits)?;
    let extras = if xml {
        super::extras::xml(bytes)?
    } else {
        super::extras::json(bytes)?
    };
    convert(bom, extras, limits)
}

fn convert(bom: Bom, extras: Extras, limits: &Limits) -> Result<Document, Error> {
    let mut warnings: Vec<Warning> = bom
        .warnings
        .iter()
        .map(|w| Warning::new(w.at.clone(), w.message.clone()))
        .collect();
    let version = match extras.version.as_deref() {
        None => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                warnings.push(Warning::new(
                    "version",
                    format!("{v:?} is not a BOM version (1 or more); read as 1"),
                ));
                None
            }
        },
    };
    let subject = bom
        .subject
        .as_ref()
        .and_then(|s| s.components.first())
        .and_then(|&i| bom.components.get(i));
    let identity = BomIdentity {
        serial: bom.serial_number.clone(),
        version: version.unwrap_or(1),
        subject_bom_ref: subject.and_then(|c| c.bom_ref.clone()),
        subject_purl: subject
            .filter(|c| !c.purl_derived)
            .and_then(|c| c.purl.clone()),
        subject_name: subject.map(|c| c.name.clone()).filter(|n| !n.is_empty()),
        subject_version: subject.and_then(|c| c.version.clone()),
        components: bom
            .components
            .len()
            .saturating_sub(usize::from(subject.is_some())),
    };

    // vigil_sbom skips vulnerabilities without an id (with a warning); the extras list
    // every one, so this maps each kept vulnerability back to its place in the document.
    let raw_index: Vec<usize> = extras
        .vulnerabilities
        .iter()
        .enumerate()
        .filter(|(_, v)| v.has_id)
        .map(|(i, _)| i)
        .collect();
    let aligned = raw_index.len() == bom.vulnerabilities.len();
    if !aligned {
        warnings.push(Warning::new(
            "vulnerabilities",
            "the second reading pass found a different number of vulnerabilities; their references, recommendations, timestamps and properties are not read",
        ));
    }
    let no_extras = VulnExtras::default();
    let mut statements = Vec::new();
    for (k, v) in bom.vulnerabilities.iter().enumerate() {
        let i = if aligned { raw_index[k] } else { k };
        let extra = if aligned {
            &extras.vulnerabilities[i]
        } else {
            &no_extras
        };
        vulnerability(
            &bom,
            v,
            extra,
            &format!("vulnerabilities[{i}]"),
            &mut statements,
            &mut warnings,
        )?;
        limits.check_statements(statements.len())?;
    }
    Ok(Document {
        format: Format::CycloneDx {
            spec_version: bom.spec_version.clone(),
        },
        id: bom.serial_number.clone(),
        author: extras.author,
        role: None,
        timestamp: bom.timestamp,
        last_updated: None,
        version,
        tooling: None,
        statements,
        bom: Some(identity),
        warnings,
    })
}

fn vulnerability(
    bom: &Bom,
    v: &vigil_sbom::Vulnerability,
    extra: &VulnExtras,
    at: &str,
    statements: &mut Vec<Statement>,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let analysis = v.analysis.as_ref();
    let state = match analysis.and_then(|a| a.state.as_deref()) {
        None => None,
        Some(s) => Some(state_status(s).ok_or_else(|| {
            Error::invalid(
                format!("{at}.analysis.state"),
                format!("unknown state {s:?}; expected one of {STATE_NAMES}"),
            )
        })?),
    };
    let justification = match analysis.and_then(|a| a.justification.as_deref()) {
        None => None,
        Some(j) => Some(cdx_justification(j).ok_or_else(|| {
            Error::invalid(
                format!("{at}.analysis.justification"),
                format!("unknown justification {j:?}; expected one of {JUSTIFICATION_NAMES}"),
            )
        })?),
    };
    if let Some(a) = analysis {
        for (r, response) in a.response.iter().enumerate() {
            if !RESPONSES.iter().any(|(k, _)| k == response) {
                warnings.push(Warning::new(
                    format!("{at}.analysis.response[{r}]"),
                    format!("unknown response {response:?}; kept as written"),
                ));
            }
        }
    }
    let timestamp = statement_time(extra, at, warnings).or(bom.timestamp);
    let mut aliases: Vec<String> = Vec::new();
    for a in &extra.references {
        if !aliases.contains(a) {
            aliases.push(a.clone());
        }
    }
    let subcomponents = subcomponents(extra, at, warnings);

    // The affects entries without a ref, which vigil_sbom skips: say so.
    let mut raw_affects: Vec<usize> = Vec::new();
    for (j, has_ref) in extra.affects_with_ref.iter().enumerate() {
        if *has_ref {
            raw_affects.push(j);
        } else {
            warnings.push(Warning::new(
                format!("{at}.affects[{j}].ref"),
                "missing: the entry names no product and is skipped",
            ));
        }
    }
    let affects_at = |k: usize| -> String {
        let j = if raw_affects.len() == v.affects.len() {
            raw_affects[k]
        } else {
            k
        };
        format!("{at}.affects[{j}]")
    };

    let base = state.unwrap_or(Status::Affected);
    // (status, product) in document order.
    let mut entries: Vec<(Status, Product)> = Vec::new();
    for (k, affect) in v.affects.iter().enumerate() {
        let a_at = affects_at(k);
        let mut product = resolve(bom, affect, &format!("{a_at}.ref"), warnings);
        for (sub_ref, sub) in &subcomponents {
            if *sub_ref == affect.reference && !product.subcomponents.contains(sub) {
                product.subcomponents.push(sub.clone());
            }
        }
        if affect.versions.is_empty() {
            entries.push((base, product));
            continue;
        }
        for (l, ver) in affect.versions.iter().enumerate() {
            let v_at = format!("{a_at}.versions[{l}]");
            let status = match ver.status.as_deref() {
                None => base,
                Some(s) => {
                    let vs = VersionStatus::parse(s).ok_or_else(|| {
                        Error::invalid(
                            format!("{v_at}.status"),
                            format!("unknown version status {s:?}; expected one of affected, unaffected, unknown"),
                        )
                    })?;
                    let (status, agrees) = vs.status(state);
                    if !agrees {
                        warnings.push(Warning::new(
                            format!("{v_at}.status"),
                            format!(
                                "{} under an analysis state of {:?}: the version's own status decides, so the product is {status}",
                                vs.as_str(),
                                analysis.and_then(|a| a.state.as_deref()).unwrap_or_default()
                            ),
                        ));
                    }
                    status
                }
            };
            let spec = match (&ver.version, &ver.range) {
                (Some(version), None) => Some(VersionSpec::Version(version.clone())),
                (None, Some(range)) => Some(VersionSpec::Range(range.clone())),
                (Some(version), Some(range)) => {
                    warnings.push(Warning::new(
                        &v_at,
                        format!("both version {version:?} and range {range:?}; CycloneDX allows one, and the range is kept"),
                    ));
                    Some(VersionSpec::Range(range.clone()))
                }
                (None, None) => {
                    warnings.push(Warning::new(
                        &v_at,
                        "neither version nor range: the entry is about the product as its ref names it",
                    ));
                    None
                }
            };
            entries.push((status, with_versions(product.clone(), spec)));
        }
    }

    let cdx = analysis.map(|a| CdxAnalysis {
        state: a.state.clone(),
        justification: a.justification.clone(),
        response: a.response.clone(),
        detail: a.detail.clone(),
    });
    let detail = analysis.and_then(|a| a.detail.clone());
    let mut statuses: Vec<Status> = Vec::new();
    for (status, _) in &entries {
        if !statuses.contains(status) {
            statuses.push(*status);
        }
    }
    if statuses.is_empty() {
        statuses.push(base);
    }
    for status in statuses {
        let mut products: Vec<Product> = Vec::new();
        for (s, p) in &entries {
            if *s == status && !products.contains(p) {
                products.push(p.clone());
            }
        }
        // The detail was written for the analysis state: where a version's own status
        // made the statement something else, it is only a note.
        let (primary, notes) = if state.is_none_or(|st| st == status) {
            (detail.clone(), None)
        } else {
            (None, detail.clone())
        };
        let (impact_statement, action_statement, status_notes) = match status {
            Status::NotAffected => (primary, None, notes),
            Status::Affected => (
                None,
                primary
                    .or_else(|| analysis.and_then(|a| response_text(&a.response)))
                    .or_else(|| extra.recommendation.clone()),
                notes,
            ),
            Status::Fixed | Status::UnderInvestigation => (None, None, primary.or(notes)),
        };
        let s = Statement {
            vulnerability: Vulnerability {
                name: v.id.clone(),
                aliases: aliases.clone(),
            },
            products,
            status,
            justification: justification.filter(|_| status == Status::NotAffected),
            impact_statement,
            action_statement,
            status_notes,
            timestamp,
            cdx: cdx.clone(),
        };
        crate::openvex::check_statement(&s, at, warnings);
        statements.push(s);
    }
    Ok(())
}

/// `analysis.lastUpdated`, else `analysis.firstIssued`.
fn statement_time(
    extra: &VulnExtras,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Option<time::OffsetDateTime> {
    for (field, value) in [
        ("lastUpdated", &extra.last_updated),
        ("firstIssued", &extra.first_issued),
    ] {
        if let Some(t) = value {
            match parse_timestamp(t) {
                Ok(t) => return Some(t),
                Err(m) => warnings.push(Warning::new(
                    format!("{at}.analysis.{field}"),
                    format!("{m}: not used"),
                )),
            }
        }
    }
    None
}

/// The subcomponents this crate's writer recorded, as (affects ref, id).
fn subcomponents(
    extra: &VulnExtras,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<(String, ProductId)> {
    let mut out = Vec::new();
    for (p, (name, value)) in extra.properties.iter().enumerate() {
        if name != SUBCOMPONENT_PROPERTY {
            continue;
        }
        match serde_json::from_str::<(String, String)>(value) {
            Ok((reference, sub)) => {
                let (id, why) = ProductId::parse(&sub);
                if let Some(why) = why {
                    warnings.push(Warning::new(format!("{at}.properties[{p}]"), why));
                }
                out.push((reference.trim().to_owned(), id));
            }
            Err(e) => warnings.push(Warning::new(
                format!("{at}.properties[{p}]"),
                format!("{SUBCOMPONENT_PROPERTY} value {value:?} is not a JSON array of the affects ref and the subcomponent id ({e}); skipped"),
            )),
        }
    }
    out
}

/// The product an `affects` ref names.
///
/// A BOM-link is a [`ProductId::BomLink`]. A ref to a component of this document is that
/// component: named by its purl when the bom-ref is that purl (the usual convention, and
/// this crate's writer's), by its digest when the bom-ref is one and there is no purl,
/// else a [`ProductId::Component`]. A ref to nothing in the document is read by
/// [`ProductId::parse`], with a warning unless it is a purl or digest.
fn resolve(
    bom: &Bom,
    affect: &vigil_sbom::Affect,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Product {
    let reference = affect.reference.as_str();
    let (parsed, why) = ProductId::parse(reference);
    let Some(c) = affect.component.and_then(|i| bom.components.get(i)) else {
        if let Some(why) = why {
            warnings.push(Warning::new(at, why));
        } else if let ProductId::Other(s) = &parsed {
            warnings.push(Warning::new(
                at,
                format!("{s:?} names no component of this document and is no BOM-link, purl or digest; kept as written"),
            ));
        }
        return Product::new(parsed);
    };
    let purl = c.purl.clone().filter(|_| !c.purl_derived);
    let id = match (&parsed, &purl) {
        (ProductId::Purl(p) | ProductId::Digest { purl: Some(p), .. }, Some(q)) if p == q => parsed,
        (ProductId::Digest { purl: None, .. }, None) => parsed,
        (ProductId::BomLink(_), _) => parsed,
        _ => ProductId::Component(LocalComponent {
            bom_ref: reference.to_owned(),
            purl,
            name: Some(c.name.clone()).filter(|n| !n.is_empty()),
            version: c.version.clone(),
        }),
    };
    let mut identifiers = Identifiers::default();
    if let Some(cpe) = c.cpes.first() {
        if cpe.starts_with("cpe:2.3:") {
            identifiers.cpe23 = Some(cpe.clone());
        } else {
            identifiers.cpe22 = Some(cpe.clone());
        }
    }
    let mut hashes: Vec<Digest> = Vec::new();
    for h in &c.hashes {
        // A component named by its digest lists that digest as a hash too: it is one fact.
        if let Ok(d) = Digest::new(&h.algorithm.to_string(), &h.hex)
            && !hashes.contains(&d)
            && id.digest() != Some(&d)
        {
            hashes.push(d);
        }
    }
    Product {
        id,
        identifiers,
        hashes,
        subcomponents: Vec::new(),
        versions: None,
    }
}

/// The product with `spec` applied: a version folded into a version-less purl (or a
/// component's version-less purl), dropped when the id already says it, else kept.
fn with_versions(mut product: Product, spec: Option<VersionSpec>) -> Product {
    let Some(spec) = spec else {
        return product;
    };
    if let VersionSpec::Version(v) = &spec {
        let purl = match &product.id {
            ProductId::Purl(p) => Some(p),
            ProductId::Component(c) => c.purl.as_ref(),
            _ => None,
        };
        if let Some(p) = purl {
            if p.version().is_none() {
                if let Some(with) = purl_with_version(p, v) {
                    product.id = ProductId::from_purl(with);
                    return product;
                }
            } else if p.version() == Some(v.as_str()) {
                return product;
            }
        }
        if let ProductId::Component(c) = &product.id
            && c.purl.is_none()
            && c.version.as_deref() == Some(v.as_str())
        {
            return product;
        }
    }
    product.versions = Some(spec);
    product
}

fn purl_with_version(p: &vigil_purl::Purl, version: &str) -> Option<vigil_purl::Purl> {
    let mut b = vigil_purl::Purl::builder(p.ty(), p.name()).version(version);
    if let Some(ns) = p.namespace() {
        b = b.namespace(ns);
    }
    for (k, v) in p.qualifiers() {
        b = b.qualifier(k, v);
    }
    if let Some(sp) = p.subpath() {
        b = b.subpath(sp);
    }
    b.build().ok()
}
