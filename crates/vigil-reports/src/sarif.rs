//! SARIF 2.1.0 logs (OASIS), from any producer: every result of every run, with its rule
//! found by reference (`rule.index`/`ruleIndex` into the driver or an extension named by
//! `rule.toolComponent`, else by id), its severity from `security-severity` or the level,
//! and its CWEs from the rule's tags, properties, relationships and the result's taxa.
//!
//! Results of kind `pass` or `notApplicable`, and results whose `baselineState` is
//! `absent` (gone since the baseline), are not weaknesses and are skipped with a
//! warning. Fingerprints come from the result's `fingerprints`, else its
//! `partialFingerprints`, unless the run shows them to be placeholders (see
//! [`usable_fingerprint_keys`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::json::{Text, nullable};
use crate::model::{Fingerprint, Format, Item, Location, Report, Severity, Tool, Weakness};
use crate::{Error, Limits, cwe, fingerprint};

const FORMAT: &str = "SARIF";

/// Fingerprint values producers write when they have none to give: Semgrep writes
/// `"matchBasedId/v1": "requires login"` for every result without a Semgrep login.
const PLACEHOLDERS: &[&str] = &["requires login", "", "0"];

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    runs: Vec<Run>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: ToolInfo,
    #[serde(default, deserialize_with = "nullable")]
    results: Vec<SarifResult>,
    #[serde(default, deserialize_with = "nullable")]
    artifacts: Vec<ArtifactEntry>,
    #[serde(default, deserialize_with = "nullable")]
    taxonomies: Vec<Component>,
}

#[derive(Deserialize)]
struct ToolInfo {
    driver: Component,
    #[serde(default, deserialize_with = "nullable")]
    extensions: Vec<Component>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Component {
    name: Option<String>,
    guid: Option<String>,
    version: Option<String>,
    semantic_version: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    rules: Vec<Rule>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: Option<String>,
    name: Option<String>,
    short_description: Option<Message>,
    full_description: Option<Message>,
    help: Option<Message>,
    help_uri: Option<String>,
    default_configuration: Option<Configuration>,
    #[serde(default, deserialize_with = "nullable")]
    message_strings: BTreeMap<String, Message>,
    #[serde(default, deserialize_with = "nullable")]
    properties: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "nullable")]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    target: Option<Reference>,
}

/// A `reportingDescriptorReference`: a rule or a taxon, by index or id, in a component.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Reference {
    id: Option<String>,
    index: Option<i64>,
    tool_component: Option<ComponentReference>,
}

#[derive(Deserialize)]
struct ComponentReference {
    name: Option<String>,
    index: Option<i64>,
    guid: Option<String>,
}

#[derive(Deserialize, Default)]
struct Message {
    text: Option<String>,
    markdown: Option<String>,
    id: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    arguments: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Option<String>,
    rule_index: Option<i64>,
    rule: Option<Reference>,
    kind: Option<String>,
    level: Option<String>,
    #[serde(default)]
    message: Message,
    #[serde(default, deserialize_with = "nullable")]
    locations: Vec<ResultLocation>,
    #[serde(default, deserialize_with = "nullable")]
    fingerprints: BTreeMap<String, Text>,
    #[serde(default, deserialize_with = "nullable")]
    partial_fingerprints: BTreeMap<String, Text>,
    #[serde(default, deserialize_with = "nullable")]
    suppressions: Vec<Suppression>,
    baseline_state: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    taxa: Vec<Reference>,
    #[serde(default, deserialize_with = "nullable")]
    properties: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: Option<PhysicalLocation>,
    #[serde(default, deserialize_with = "nullable")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Option<ArtifactLocation>,
    region: Option<Region>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    uri: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize)]
struct ArtifactEntry {
    location: Option<ArtifactLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: Option<i64>,
    start_column: Option<i64>,
    end_line: Option<i64>,
    snippet: Option<Message>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: Option<String>,
    fully_qualified_name: Option<String>,
}

#[derive(Deserialize)]
struct Suppression {
    status: Option<String>,
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let log: Log = crate::json::from_slice(bytes, FORMAT)?;
    match log.version.as_deref() {
        Some("2.1.0") => {}
        Some(v) => {
            return Err(Error::invalid(
                FORMAT,
                "version",
                format!("unsupported SARIF version {v:?}; only 2.1.0 is read"),
            ));
        }
        None => {
            return Err(Error::WrongFormat {
                format: FORMAT,
                found: "no \"version\" (a SARIF log has \"version\": \"2.1.0\")".into(),
            });
        }
    }
    let total: usize = log.runs.iter().map(|r| r.results.len()).sum();
    limits.check_items(FORMAT, "result count", total)?;
    let mut items = Vec::with_capacity(total);
    let mut warnings = Vec::new();
    for (r, run) in log.runs.iter().enumerate() {
        read_run(r, run, &mut items, &mut warnings);
    }
    let tool = log
        .runs
        .first()
        .map(|run| Tool {
            name: run.tool.driver.name.clone().unwrap_or_default(),
            version: run
                .tool
                .driver
                .version
                .clone()
                .or_else(|| run.tool.driver.semantic_version.clone()),
        })
        .unwrap_or_default();
    Ok(Report {
        format: Format::Sarif,
        tool,
        artifact: None,
        items,
        warnings,
    })
}

fn read_run(r: usize, run: &Run, items: &mut Vec<Item>, warnings: &mut Vec<String>) {
    let tool_name = run.tool.driver.name.as_deref().unwrap_or("");
    let usable = usable_fingerprint_keys(run, warnings, r);
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for result in &run.results {
        let kind = result.kind.as_deref().unwrap_or("fail");
        if matches!(kind, "pass" | "notApplicable") {
            *skipped
                .entry(if kind == "pass" {
                    "of kind pass"
                } else {
                    "of kind notApplicable"
                })
                .or_default() += 1;
            continue;
        }
        if result.baseline_state.as_deref() == Some("absent") {
            *skipped.entry("with baselineState absent").or_default() += 1;
            continue;
        }
        let rule = find_rule(run, result);
        let rule_id = result
            .rule_id
            .clone()
            .or_else(|| result.rule.as_ref().and_then(|r| r.id.clone()))
            .or_else(|| rule.and_then(|r| r.id.clone()))
            .unwrap_or_else(|| "(no rule id)".to_owned());
        let (severity, rating) = severity(result, rule, kind);
        let location = location(run, result);
        let message = message_text(&result.message, rule)
            .or_else(|| rule.and_then(|r| text(r.short_description.as_ref())))
            .or_else(|| rule.and_then(|r| text(r.full_description.as_ref())))
            .unwrap_or_default();
        let fingerprint =
            result_fingerprint(tool_name, &rule_id, result, &usable, location.as_ref());
        let mut tags = string_list(rule.and_then(|r| r.properties.get("tags")));
        for t in string_list(result.properties.get("tags")) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        items.push(Item::Weakness(Weakness {
            title: rule.and_then(|r| {
                text(r.short_description.as_ref())
                    .or_else(|| r.name.clone())
                    .or_else(|| text(r.full_description.as_ref()))
            }),
            message,
            severity,
            rating: Some(rating),
            cwe: cwes(run, rule, result, &tags),
            location,
            fingerprint,
            help: rule.and_then(|r| {
                r.help
                    .as_ref()
                    .and_then(|h| h.text.clone().or_else(|| h.markdown.clone()))
            }),
            help_uri: rule.and_then(|r| r.help_uri.clone()),
            precision: rule
                .and_then(|r| r.properties.get("precision"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            suppressed: result
                .suppressions
                .iter()
                .any(|s| s.status.as_deref().is_none_or(|st| st == "accepted")),
            tags,
            rule_id,
        }));
    }
    for (why, n) in skipped {
        warnings.push(format!(
            "runs[{r}]: {n} result(s) {why} skipped: they are not findings"
        ));
    }
}

/// The rule a result refers to: `rule.index` (or `ruleIndex`) in the component named by
/// `rule.toolComponent` (the driver when none), else the rule with its id there, in the
/// driver, or in any extension.
fn find_rule<'a>(run: &'a Run, result: &SarifResult) -> Option<&'a Rule> {
    let reference = result.rule.as_ref();
    let component = reference
        .and_then(|r| r.tool_component.as_ref())
        .and_then(|c| component(run, c));
    let in_component = component.unwrap_or(&run.tool.driver);
    let index = reference
        .and_then(|r| r.index)
        .or(result.rule_index)
        .filter(|i| *i >= 0)
        .and_then(|i| usize::try_from(i).ok());
    if let Some(rule) = index.and_then(|i| in_component.rules.get(i)) {
        return Some(rule);
    }
    let id = result
        .rule_id
        .as_deref()
        .or_else(|| reference.and_then(|r| r.id.as_deref()))?;
    std::iter::once(in_component)
        .chain(std::iter::once(&run.tool.driver))
        .chain(run.tool.extensions.iter())
        .find_map(|c| c.rules.iter().find(|rule| rule.id.as_deref() == Some(id)))
}

/// The component a `toolComponentReference` names: by index into the extensions, else
/// by guid or name among the driver and the extensions.
fn component<'a>(run: &'a Run, c: &ComponentReference) -> Option<&'a Component> {
    if let Some(i) = c.index.and_then(|i| usize::try_from(i).ok()) {
        return run.tool.extensions.get(i);
    }
    std::iter::once(&run.tool.driver)
        .chain(run.tool.extensions.iter())
        .find(|comp| {
            (c.guid.is_some() && comp.guid == c.guid) || (c.name.is_some() && comp.name == c.name)
        })
}

/// The severity: `security-severity` (the result's, else the rule's) by CVSS bands,
/// else the level (the result's, else the rule's default, else SARIF's default:
/// `warning` for kind `fail`, `none` otherwise): `error` high, `warning` medium, `note`
/// low, `none` unrated.
fn severity(result: &SarifResult, rule: Option<&Rule>, kind: &str) -> (Severity, String) {
    let score = result
        .properties
        .get("security-severity")
        .or_else(|| rule.and_then(|r| r.properties.get("security-severity")));
    if let Some(value) = score {
        let number = match value {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Number(n) => n.as_f64(),
            _ => None,
        };
        if let Some(sev) = number.and_then(Severity::from_score) {
            let shown = match value {
                Value::String(s) => s.trim().to_owned(),
                other => other.to_string(),
            };
            return (sev, format!("security-severity {shown}"));
        }
    }
    let level = result
        .level
        .as_deref()
        .or_else(|| {
            rule.and_then(|r| r.default_configuration.as_ref())
                .and_then(|c| c.level.as_deref())
        })
        .unwrap_or(if kind == "fail" { "warning" } else { "none" });
    let sev = match level {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        _ => Severity::Unrated,
    };
    (sev, format!("level {level}"))
}

/// The result's message: its text, else the rule's message string with its id, with
/// `{0}`-style placeholders filled from the arguments.
fn message_text(m: &Message, rule: Option<&Rule>) -> Option<String> {
    let template = m.text.clone().or_else(|| m.markdown.clone()).or_else(|| {
        let id = m.id.as_deref()?;
        let s = rule?.message_strings.get(id)?;
        s.text.clone().or_else(|| s.markdown.clone())
    })?;
    if m.arguments.is_empty() {
        return Some(template);
    }
    let mut out = template;
    for (i, arg) in m.arguments.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg.as_str());
    }
    Some(out)
}

fn text(m: Option<&Message>) -> Option<String> {
    m.and_then(|m| m.text.clone().or_else(|| m.markdown.clone()))
        .filter(|t| !t.trim().is_empty())
}

fn location(run: &Run, result: &SarifResult) -> Option<Location> {
    let first = result.locations.first()?;
    if let Some(physical) = &first.physical_location {
        let uri = physical.artifact_location.as_ref().and_then(|a| {
            a.uri.clone().or_else(|| {
                let i = usize::try_from(a.index?).ok()?;
                run.artifacts.get(i)?.location.as_ref()?.uri.clone()
            })
        });
        if let Some(uri) = uri {
            let region = physical.region.as_ref();
            let number = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
            return Some(Location::Source {
                uri,
                line: number(region.and_then(|r| r.start_line)),
                column: number(region.and_then(|r| r.start_column)),
                end_line: number(region.and_then(|r| r.end_line)),
                snippet: region.and_then(|r| text(r.snippet.as_ref())),
            });
        }
    }
    first
        .logical_locations
        .iter()
        .find_map(|l| l.fully_qualified_name.clone().or_else(|| l.name.clone()))
        .map(|name| Location::Logical { name })
}

/// The fingerprint keys of a run that identify results: a key is dropped, with a
/// warning, when one of its values is a known placeholder or when two results of the
/// same rule at different places share a value (then it tells nothing apart).
fn usable_fingerprint_keys(run: &Run, warnings: &mut Vec<String>, r: usize) -> BTreeSet<String> {
    let mut seen: BTreeMap<(&str, &str, &str), Option<Location>> = BTreeMap::new();
    let mut all: BTreeSet<&str> = BTreeSet::new();
    let mut bad: BTreeMap<&str, &'static str> = BTreeMap::new();
    for result in &run.results {
        let rule = result
            .rule_id
            .as_deref()
            .or_else(|| result.rule.as_ref().and_then(|r| r.id.as_deref()))
            .unwrap_or("");
        let here = location(run, result);
        for (key, value) in result
            .fingerprints
            .iter()
            .chain(&result.partial_fingerprints)
        {
            all.insert(key);
            if bad.contains_key(key.as_str()) {
                continue;
            }
            if PLACEHOLDERS.contains(&value.as_str().trim()) {
                bad.insert(key, "placeholder values");
                continue;
            }
            match seen.get(&(key.as_str(), rule, value.as_str())) {
                Some(there) if *there != here => {
                    bad.insert(key, "one value for different locations");
                }
                Some(_) => {}
                None => {
                    seen.insert((key, rule, value.as_str()), here.clone());
                }
            }
        }
    }
    for (key, why) in &bad {
        warnings.push(format!(
            "runs[{r}]: fingerprint {key:?} not used ({why}); fingerprints derived from rule and location instead"
        ));
    }
    all.into_iter()
        .filter(|k| !bad.contains_key(k))
        .map(str::to_owned)
        .collect()
}

fn result_fingerprint(
    tool: &str,
    rule_id: &str,
    result: &SarifResult,
    usable: &BTreeSet<String>,
    location: Option<&Location>,
) -> Fingerprint {
    let pick = |map: &BTreeMap<String, Text>| -> Vec<String> {
        map.iter()
            .filter(|(k, _)| usable.contains(*k))
            .map(|(k, v)| format!("{k}={}", v.as_str()))
            .collect()
    };
    let mut given = pick(&result.fingerprints);
    if given.is_empty() {
        given = pick(&result.partial_fingerprints);
    }
    if !given.is_empty() {
        let mut parts = vec![tool, rule_id];
        parts.extend(given.iter().map(String::as_str));
        return fingerprint::of(&parts, true);
    }
    let (uri, line, snippet) = match location {
        Some(Location::Source {
            uri, line, snippet, ..
        }) => (
            uri.as_str(),
            line.map(|l| l.to_string()).unwrap_or_default(),
            snippet.as_deref().map(str::trim).unwrap_or(""),
        ),
        Some(Location::Logical { name }) => (name.as_str(), String::new(), ""),
        Some(Location::Web { url, .. }) => (url.as_str(), String::new(), ""),
        None => ("", String::new(), ""),
    };
    fingerprint::of(&[tool, rule_id, uri, &line, snippet], false)
}

/// CWEs from the rule's tags (`CWE-79…`, `external/cwe/cwe-079`), its `cwe` property (a
/// string or a list), its relationships to a CWE taxonomy, and the result's taxa.
fn cwes(run: &Run, rule: Option<&Rule>, result: &SarifResult, tags: &[String]) -> Vec<u32> {
    let mut out: Vec<u32> = tags.iter().filter_map(|t| cwe::parse(t, false)).collect();
    for key in ["cwe", "cwes", "CWE"] {
        for v in string_list(rule.and_then(|r| r.properties.get(key)))
            .into_iter()
            .chain(string_list(result.properties.get(key)))
        {
            out.extend(cwe::parse(&v, true));
        }
    }
    let is_cwe_taxonomy = |r: &Reference| {
        let Some(c) = &r.tool_component else {
            return false;
        };
        let name = c.name.clone().or_else(|| {
            let i = usize::try_from(c.index?).ok()?;
            run.taxonomies.get(i)?.name.clone()
        });
        name.is_some_and(|n| n.eq_ignore_ascii_case("CWE"))
    };
    let relations = rule
        .map(|r| r.relationships.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|rel| rel.target.as_ref());
    for reference in relations.chain(result.taxa.iter()) {
        if is_cwe_taxonomy(reference)
            && let Some(id) = &reference.id
        {
            out.extend(cwe::parse(id, true));
        }
    }
    cwe::normalize(out)
}

/// A JSON string or array of strings as a list; anything else is empty.
fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}
