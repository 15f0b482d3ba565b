//! The OSV schema's rules that span several fields, the offline checks of the OSV
//! linter, and Vigil's size limits; each failure names the JSON path of the field.
//!
//! What is checked, with where it comes from:
//!
//! - every range has an `introduced` event (schema: `events` `contains` `introduced`;
//!   linter `RNG:001`), and at least one event (`minItems: 1`);
//! - `GIT` ranges have a `repo` and use full-length commit hashes or `"0"` (schema);
//! - `fixed` and `last_affected` do not appear in the same range (schema);
//! - no commit is both `introduced` and `fixed` in one `GIT` range (linter `RNG:002`
//!   "range-is-distinct", compared as strings, as the linter does). The linter applies
//!   the rule to every range type, but real databases break it in ordered ranges with
//!   a meaning: PyPA writes adjacent ranges `[0, 3.1.1) ∪ [3.1.1, 3.1.3)` as
//!   `fixed: 3.1.1` and `introduced: 3.1.1`. In a version order that is well defined
//!   (see [`crate::eval`]); in a commit graph a commit that both introduces and fixes
//!   describes nothing, so only `GIT` ranges are held to it;
//! - a top-level `severity` excludes `affected[].severity` (schema `allOf`);
//! - severity scores match their type's pattern (schema), and CVSS v3 vectors start with
//!   `CVSS:3.0/` or `CVSS:3.1/`;
//! - optionally, that each package exists, against a caller-supplied
//!   [`PackageIndex`] (linter `P0001` "package-exists", which asks the registries
//!   online; this crate does no I/O, so the caller brings what it knows).
//!
//! What is deliberately not checked: the linter's rule that an entry without `package`
//! has only `GIT` ranges (osv.dev's own curl records, `CURL-CVE-*`, pair a `SEMVER` range
//! with the `GIT` one in such entries; they cannot match a package either way), `references[].url`'s `format: uri` (an annotation,
//! not an assertion, in JSON Schema 2020-12), whether event versions parse in their
//! ecosystem (the linter's `P0002` needs the registry; an unparseable version makes its
//! range unevaluable and is reported by evaluation instead), and purl syntax (the
//! `vigil-purl` crate's job; the schema only asks for a string).

use crate::identity::PackageKey;
use crate::model::{Affected, Event, Osv, RangeType, SeverityScore, SeverityType};

/// Size limits for one record. Exceeding one is an error that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest record accepted, in bytes, before parsing.
    pub max_record_bytes: usize,
    /// Most `affected[]` entries in one record.
    pub max_affected: usize,
    /// Most `ranges[]` in one `affected[]` entry.
    pub max_ranges: usize,
    /// Most `events[]` in one range.
    pub max_events: usize,
    /// Most enumerated `versions[]` in one `affected[]` entry.
    pub max_versions: usize,
}

impl Default for Limits {
    /// Generous for every real database (the largest records, Linux kernel CVEs with
    /// long `versions` lists, stay well inside), small enough that one hostile record
    /// cannot cost much.
    fn default() -> Self {
        Limits {
            max_record_bytes: 1 << 20,
            max_affected: 5_000,
            max_ranges: 1_000,
            max_events: 5_000,
            max_versions: 50_000,
        }
    }
}

/// What the caller knows about which packages exist in their registries, for the
/// linter's "package-exists" check.
pub trait PackageIndex {
    /// `Some(true)` when the package is known to exist, `Some(false)` when it is known
    /// not to, `None` when the index does not cover the ecosystem.
    fn exists(&self, package: &PackageKey) -> Option<bool>;
}

/// One broken rule: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Violation {
    /// JSON path of the offending field, such as `affected[2].ranges[0].events`.
    pub path: String,
    pub reason: String,
}

/// A limit from [`Limits`] that a record exceeds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {count} {what}, more than the limit {limit} = {max}")]
pub struct LimitExceeded {
    pub path: String,
    /// The [`Limits`] field's name.
    pub limit: &'static str,
    pub what: &'static str,
    pub count: usize,
    pub max: usize,
}

pub(crate) fn check_limits(osv: &Osv, limits: &Limits) -> Result<(), LimitExceeded> {
    let over = |path: String, limit, what, count, max| {
        if count > max {
            Err(LimitExceeded {
                path,
                limit,
                what,
                count,
                max,
            })
        } else {
            Ok(())
        }
    };
    over(
        "affected".into(),
        "max_affected",
        "affected entries",
        osv.affected.len(),
        limits.max_affected,
    )?;
    for (i, a) in osv.affected.iter().enumerate() {
        over(
            format!("affected[{i}].ranges"),
            "max_ranges",
            "ranges",
            a.ranges.len(),
            limits.max_ranges,
        )?;
        over(
            format!("affected[{i}].versions"),
            "max_versions",
            "versions",
            a.versions.len(),
            limits.max_versions,
        )?;
        for (j, r) in a.ranges.iter().enumerate() {
            over(
                format!("affected[{i}].ranges[{j}].events"),
                "max_events",
                "events",
                r.events.len(),
                limits.max_events,
            )?;
        }
    }
    Ok(())
}

/// Every schema and offline-linter rule the record breaks, in document order.
pub fn violations(osv: &Osv, index: Option<&dyn PackageIndex>) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut push = |path: String, reason: String| out.push(Violation { path, reason });

    if let Some(sev) = &osv.severity {
        check_severity(sev, "severity", &mut push);
    }
    for (i, a) in osv.affected.iter().enumerate() {
        let at = format!("affected[{i}]");
        if osv.severity.is_some() && a.severity.is_some() {
            push(
                format!("{at}.severity"),
                "a record with a top-level \"severity\" cannot also give one per affected entry"
                    .into(),
            );
        }
        if let Some(sev) = &a.severity {
            check_severity(sev, &format!("{at}.severity"), &mut push);
        }
        check_affected(a, &at, &mut push);
        // Malicious-package records (MAL-) name packages that registries remove once
        // they are reported, so their absence from an index proves nothing.
        if let (Some(index), Some(pkg)) = (index, &a.package)
            && !osv.id.as_str().starts_with("MAL-")
            && let Some(eco) = pkg.ecosystem.ecosystem()
        {
            let key = PackageKey::new(eco.clone(), &pkg.name);
            if index.exists(&key) == Some(false) {
                push(
                    format!("{at}.package.name"),
                    format!(
                        "package {:?} does not exist in {} (checked against the supplied package index)",
                        pkg.name, pkg.ecosystem
                    ),
                );
            }
        }
    }
    out
}

fn check_affected(a: &Affected, at: &str, push: &mut impl FnMut(String, String)) {
    for (j, r) in a.ranges.iter().enumerate() {
        let rat = format!("{at}.ranges[{j}]");
        if r.events.is_empty() {
            push(
                format!("{rat}.events"),
                "a range needs at least one event".into(),
            );
        } else if !r.events.iter().any(|e| matches!(e, Event::Introduced(_))) {
            push(
                format!("{rat}.events"),
                "a range needs an \"introduced\" event".into(),
            );
        }
        let fixed = r.events.iter().position(|e| matches!(e, Event::Fixed(_)));
        let last = r
            .events
            .iter()
            .position(|e| matches!(e, Event::LastAffected(_)));
        if let (Some(f), Some(l)) = (fixed, last) {
            push(
                format!("{rat}.events[{}]", f.max(l)),
                "\"fixed\" and \"last_affected\" events cannot both appear in one range".into(),
            );
        }
        for (k, e) in r.events.iter().enumerate() {
            if r.kind == RangeType::Git
                && let Event::Fixed(v) = e
                && r.events
                    .iter()
                    .any(|o| matches!(o, Event::Introduced(i) if i == v))
            {
                push(
                    format!("{rat}.events[{k}].fixed"),
                    format!(
                        "commit {v:?} is both introduced and fixed in this GIT range (OSV linter: range-is-distinct)"
                    ),
                );
            }
        }
        if r.kind == RangeType::Git {
            if r.repo.is_none() {
                push(format!("{rat}.repo"), "a GIT range needs a \"repo\"".into());
            }
            for (k, e) in r.events.iter().enumerate() {
                let v = e.version();
                if !is_full_commit(v) {
                    push(
                        format!("{rat}.events[{k}].{}", e.kind()),
                        format!(
                            "GIT range events must be full-length commit hashes (40 or 64 lower-case hex digits) or \"0\", not {v:?}"
                        ),
                    );
                }
            }
        }
    }
}

/// The schema's `^(0|[a-f0-9]{40}|[a-f0-9]{64})$`.
fn is_full_commit(v: &str) -> bool {
    v == "0"
        || ((v.len() == 40 || v.len() == 64)
            && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

fn check_severity(entries: &[SeverityScore], at: &str, push: &mut impl FnMut(String, String)) {
    for (i, s) in entries.iter().enumerate() {
        let path = format!("{at}[{i}].score");
        let ok = match s.kind {
            SeverityType::CvssV2 => cvss_v2_shape(&s.score),
            SeverityType::CvssV3 => cvss_v3_shape(&s.score),
            SeverityType::CvssV4 => cvss_v4_shape(&s.score),
            SeverityType::Ubuntu => matches!(
                s.score.as_str(),
                "negligible" | "low" | "medium" | "high" | "critical"
            ),
        };
        if !ok {
            let what = match s.kind {
                SeverityType::CvssV2 => "a CVSS v2 vector such as AV:N/AC:L/Au:N/C:P/I:P/A:P",
                SeverityType::CvssV3 => {
                    "a CVSS v3 vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
                }
                SeverityType::CvssV4 => {
                    "a CVSS v4 vector such as CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
                }
                SeverityType::Ubuntu => "one of negligible, low, medium, high, critical",
            };
            push(path, format!("{:?} is not {what}", s.score));
        }
    }
}

/// Metric `key:value` pairs, each value one of `values`.
fn metrics_ok(parts: &[&str], allowed: &[(&str, &[&str])]) -> bool {
    !parts.is_empty()
        && parts.iter().all(|part| {
            part.split_once(':').is_some_and(|(k, v)| {
                allowed
                    .iter()
                    .any(|(key, values)| *key == k && values.contains(&v))
            })
        })
}

/// The schema's CVSS v2 pattern: any sequence of known metrics, `/`-separated.
fn cvss_v2_shape(s: &str) -> bool {
    const ND: &str = "ND";
    let parts: Vec<&str> = s.split('/').collect();
    metrics_ok(
        &parts,
        &[
            ("AV", &["N", "A", "L"]),
            ("AC", &["L", "M", "H"]),
            ("Au", &["M", "S", "N"]),
            ("C", &["N", "P", "C"]),
            ("I", &["N", "P", "C"]),
            ("A", &["N", "P", "C"]),
            ("E", &["U", "POC", "F", "H", ND]),
            ("RL", &["OF", "TF", "W", "U", ND]),
            ("RC", &["UC", "UR", "C", ND]),
            ("CDP", &["N", "L", "LM", "MH", "H", ND]),
            ("TD", &["N", "L", "M", "H", ND]),
            ("CR", &["L", "M", "H", ND]),
            ("IR", &["L", "M", "H", ND]),
            ("AR", &["L", "M", "H", ND]),
        ],
    )
}

/// The schema's CVSS v3 pattern: `CVSS:3.0/` or `CVSS:3.1/`, then known metrics.
fn cvss_v3_shape(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("CVSS:3.0/")
        .or_else(|| s.strip_prefix("CVSS:3.1/"))
    else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    const CIA: &[&str] = &["N", "L", "H"];
    const XCIA: &[&str] = &["X", "N", "L", "H"];
    const REQ: &[&str] = &["X", "L", "M", "H"];
    metrics_ok(
        &parts,
        &[
            ("AV", &["N", "A", "L", "P"]),
            ("AC", &["L", "H"]),
            ("PR", &["N", "L", "H"]),
            ("UI", &["N", "R"]),
            ("S", &["U", "C"]),
            ("C", CIA),
            ("I", CIA),
            ("A", CIA),
            ("E", &["X", "U", "P", "F", "H"]),
            ("RL", &["X", "O", "T", "W", "U"]),
            ("RC", &["X", "U", "R", "C"]),
            ("CR", REQ),
            ("IR", REQ),
            ("AR", REQ),
            ("MAV", &["X", "N", "A", "L", "P"]),
            ("MAC", &["X", "L", "H"]),
            ("MPR", &["X", "N", "L", "H"]),
            ("MUI", &["X", "N", "R"]),
            ("MS", &["X", "U", "C"]),
            ("MC", XCIA),
            ("MI", XCIA),
            ("MA", XCIA),
        ],
    )
}

/// The schema's CVSS v4 pattern: the eleven base metrics in order, then optional
/// metrics in the specification's order.
fn cvss_v4_shape(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVSS:4.0/") else {
        return false;
    };
    const HLN: &[&str] = &["H", "L", "N"];
    const XHML: &[&str] = &["X", "H", "M", "L"];
    const XNLH: &[&str] = &["X", "N", "L", "H"];
    const BASE: &[(&str, &[&str])] = &[
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("AT", &["N", "P"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "P", "A"]),
        ("VC", HLN),
        ("VI", HLN),
        ("VA", HLN),
        ("SC", HLN),
        ("SI", HLN),
        ("SA", HLN),
    ];
    const OPTIONAL: &[(&str, &[&str])] = &[
        ("E", &["X", "A", "P", "U"]),
        ("CR", XHML),
        ("IR", XHML),
        ("AR", XHML),
        ("MAV", &["X", "N", "A", "L", "P"]),
        ("MAC", &["X", "L", "H"]),
        ("MAT", &["X", "N", "P"]),
        ("MPR", XNLH),
        ("MUI", &["X", "N", "P", "A"]),
        ("MVC", XNLH),
        ("MVI", XNLH),
        ("MVA", XNLH),
        ("MSC", XNLH),
        ("MSI", &["X", "N", "L", "H", "S"]),
        ("MSA", &["X", "N", "L", "H", "S"]),
        ("S", &["X", "N", "P"]),
        ("AU", &["X", "N", "Y"]),
        ("R", &["X", "A", "U", "I"]),
        ("V", &["X", "D", "C"]),
        ("RE", &["X", "L", "M", "H"]),
        ("U", &["X", "Clear", "Green", "Amber", "Red"]),
    ];
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() < BASE.len() {
        return false;
    }
    let metric = |part: &str, (key, values): &(&str, &[&str])| {
        part.split_once(':')
            .is_some_and(|(k, v)| k == *key && values.contains(&v))
    };
    if !parts.iter().zip(BASE).all(|(p, m)| metric(p, m)) {
        return false;
    }
    // Optional metrics: each at most once, in the listed order.
    let mut next = 0;
    for part in &parts[BASE.len()..] {
        match OPTIONAL[next..].iter().position(|m| metric(part, m)) {
            Some(found) => next += found + 1,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_shapes_follow_the_schema_patterns() {
        assert!(cvss_v2_shape("AV:N/AC:L/Au:N/C:P/I:P/A:P"));
        assert!(!cvss_v2_shape("AV:N/AC:L/Au:N/C:P/I:P/A:X"));
        assert!(!cvss_v2_shape(""));
        assert!(cvss_v3_shape(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        ));
        assert!(cvss_v3_shape(
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P"
        ));
        assert!(!cvss_v3_shape(
            "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        ));
        assert!(!cvss_v3_shape(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/"
        ));
        let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        assert!(cvss_v4_shape(v4));
        assert!(cvss_v4_shape(&format!("{v4}/E:A/MSI:S/U:Amber")));
        assert!(!cvss_v4_shape(&format!("{v4}/U:Amber/E:A")), "out of order");
        assert!(!cvss_v4_shape(&format!("{v4}/E:A/E:A")), "repeated");
        assert!(!cvss_v4_shape(
            "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
        ));
    }

    #[test]
    fn commit_hashes() {
        assert!(is_full_commit("0"));
        assert!(is_full_commit(&"a".repeat(40)));
        assert!(is_full_commit(&"0".repeat(64)));
        assert!(!is_full_commit(&"A".repeat(40)));
        assert!(!is_full_commit("abc123"));
    }
}
