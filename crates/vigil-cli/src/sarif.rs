//! SARIF 2.1.0 output of a scan, in the shape GitHub code scanning accepts: one rule per
//! advisory (with `security-severity`), one result per finding, located at the SBOM.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use vigil_match::scan::{Finding, Fix, ScanReport};
use vigil_osv::Rating;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF document for `report`, whose findings are located in the file `sbom`.
pub(crate) fn report(report: &ScanReport, sbom: &Path) -> Value {
    let mut rules: BTreeMap<&str, (usize, &Finding)> = BTreeMap::new();
    for f in &report.findings {
        let next = rules.len();
        rules.entry(f.advisory.as_str()).or_insert((next, f));
    }
    let mut ordered: Vec<(&str, usize, &Finding)> =
        rules.iter().map(|(id, (i, f))| (*id, *i, *f)).collect();
    ordered.sort_by_key(|(_, i, _)| *i);
    let rules_json: Vec<Value> = ordered.iter().map(|(id, _, f)| rule(id, f)).collect();
    let uri = sbom.to_string_lossy().replace('\\', "/");
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.advisory,
                "ruleIndex": rules[f.advisory.as_str()].0,
                "level": level(f.rating()),
                "message": { "text": message(f) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": 1 }
                    },
                    "logicalLocations": [{ "name": f.purl, "kind": "package" }]
                }],
                "partialFingerprints": { "vigilFinding/v1": format!("{}|{}", f.purl, f.advisory) }
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "Vigil",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://osv.dev",
                "rules": rules_json
            }},
            "results": results
        }]
    })
}

fn rule(id: &str, f: &Finding) -> Value {
    let summary = f
        .summary
        .clone()
        .unwrap_or_else(|| format!("{id} affects {}", f.package));
    let score = f.severity.as_ref().and_then(|s| s.score);
    let mut properties = json!({ "tags": ["security", "vulnerability", f.ecosystem] });
    if let Some(score) = score {
        properties["security-severity"] = json!(format!("{score:.1}"));
    } else if let Some(rating) = f.rating() {
        // GitHub ranks by this number; a rating without a score gets its band's floor.
        properties["security-severity"] = json!(rating_floor(rating));
    }
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": summary },
        "helpUri": format!("https://osv.dev/vulnerability/{id}"),
        "help": { "text": format!("{summary}\nAliases: {}\nhttps://osv.dev/vulnerability/{id}", f.aliases.join(", ")) },
        "defaultConfiguration": { "level": level(f.rating()) },
        "properties": properties
    })
}

fn rating_floor(rating: Rating) -> &'static str {
    match rating {
        Rating::Critical => "9.0",
        Rating::High => "7.0",
        Rating::Medium => "4.0",
        Rating::Low | Rating::Negligible => "0.1",
        Rating::None => "0.0",
    }
}

fn level(rating: Option<Rating>) -> &'static str {
    match rating {
        Some(Rating::Critical | Rating::High) => "error",
        Some(Rating::Medium) | None => "warning",
        Some(_) => "note",
    }
}

fn message(f: &Finding) -> String {
    let fix = match &f.fix {
        Fix::FixedIn { versions } => format!("Fixed in {}.", versions.join(", ")),
        Fix::NoFixKnown { last_affected } => {
            format!("No fix is known; {last_affected} is the last affected version.")
        }
        Fix::NoFixYet => "No fix yet.".to_owned(),
        Fix::NotListed => "Versions the advisory does not list are not affected.".to_owned(),
        Fix::Unknown => "The advisory could not be fully evaluated for this version.".to_owned(),
    };
    let aliases = if f.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.aliases.join(", "))
    };
    format!(
        "{} {} {} is affected by {}{aliases}. {fix}",
        f.ecosystem, f.package, f.version, f.advisory
    )
}
