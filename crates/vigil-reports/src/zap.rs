//! ZAP's traditional JSON report (`-J report.json`, the `traditional-json` template, and
//! the older API's `/OTHER/core/other/jsonreport/`): one weakness per instance of each
//! alert of each site.
//!
//! ZAP writes numbers as strings (`"riskcode": "2"`) and descriptions as HTML
//! paragraphs; both are read either way, and HTML becomes plain text.

use serde::Deserialize;

use crate::json::{OneOrMany, Text, nullable};
use crate::model::{Artifact, Format, Item, Location, Report, Severity, Tool, Weakness};
use crate::text::plain;
use crate::{Error, Limits, cwe, fingerprint};

const FORMAT: &str = "ZAP JSON";

#[derive(Deserialize)]
struct ZapReport {
    #[serde(rename = "@programName")]
    program_name: Option<String>,
    #[serde(rename = "@version")]
    version: Option<Text>,
    #[serde(default)]
    site: OneOrMany<Site>,
}

#[derive(Deserialize)]
struct Site {
    #[serde(rename = "@name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    alerts: Vec<Alert>,
}

#[derive(Deserialize)]
struct Alert {
    pluginid: Option<Text>,
    #[serde(rename = "alertRef")]
    alert_ref: Option<Text>,
    alert: Option<String>,
    name: Option<String>,
    riskcode: Option<Text>,
    confidence: Option<Text>,
    desc: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    instances: Vec<Instance>,
    solution: Option<String>,
    reference: Option<String>,
    cweid: Option<Text>,
    wascid: Option<Text>,
}

#[derive(Deserialize)]
struct Instance {
    uri: Option<String>,
    method: Option<String>,
    param: Option<String>,
    evidence: Option<String>,
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let report: ZapReport = crate::json::from_slice(bytes, FORMAT)?;
    let count: usize = report
        .site
        .0
        .iter()
        .flat_map(|s| &s.alerts)
        .map(|a| a.instances.len().max(1))
        .sum();
    limits.check_items(FORMAT, "alert instance count", count)?;
    let tool = Tool {
        name: report
            .program_name
            .clone()
            .unwrap_or_else(|| "ZAP".to_owned()),
        version: report.version.map(|v| v.0).filter(|v| !v.is_empty()),
    };
    let mut items = Vec::with_capacity(count);
    for (s, site) in report.site.0.iter().enumerate() {
        for (a, alert) in site.alerts.iter().enumerate() {
            read_alert(&tool.name, site, alert, &mut items).map_err(|message| {
                Error::invalid(FORMAT, format!("site[{s}].alerts[{a}]"), message)
            })?;
        }
    }
    let artifact = match report.site.0.as_slice() {
        [one] => one.name.clone().map(|name| Artifact {
            name,
            kind: Some("site".to_owned()),
            digest: None,
        }),
        _ => None,
    };
    Ok(Report {
        format: Format::Zap,
        tool,
        artifact,
        items,
        warnings: Vec::new(),
    })
}

fn read_alert(tool: &str, site: &Site, alert: &Alert, items: &mut Vec<Item>) -> Result<(), String> {
    let rule_id = alert
        .alert_ref
        .as_ref()
        .or(alert.pluginid.as_ref())
        .map(|t| t.0.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or("an alert without alertRef or pluginid")?;
    let title = alert
        .name
        .clone()
        .or_else(|| alert.alert.clone())
        .map(|t| plain(&t));
    let (severity, rating) = match alert.riskcode.as_ref().map(|r| r.0.trim()) {
        Some("3") => (Severity::High, Some("riskcode 3 (High)")),
        Some("2") => (Severity::Medium, Some("riskcode 2 (Medium)")),
        Some("1") => (Severity::Low, Some("riskcode 1 (Low)")),
        Some("0") => (Severity::Unrated, Some("riskcode 0 (Informational)")),
        None => (Severity::Unrated, None),
        Some(other) => return Err(format!("riskcode {other:?} is none of 0 to 3")),
    };
    let confidence = alert.confidence.as_ref().map(|c| c.0.trim().to_owned());
    let precision = match confidence.as_deref() {
        Some("0") => Some("false-positive"),
        Some("1") => Some("low"),
        Some("2") => Some("medium"),
        Some("3") => Some("high"),
        Some("4") => Some("confirmed"),
        _ => None,
    };
    let cwe = alert
        .cweid
        .as_ref()
        .and_then(|c| cwe::parse(c.as_str(), true))
        .into_iter()
        .collect();
    let tags = alert
        .wascid
        .as_ref()
        .and_then(|w| w.0.trim().parse::<u32>().ok())
        .filter(|w| *w > 0)
        .map(|w| vec![format!("WASC-{w}")])
        .unwrap_or_default();
    let help_uri = alert.reference.as_deref().and_then(first_url);
    let message = alert
        .desc
        .as_deref()
        .map(plain)
        .filter(|d| !d.is_empty())
        .or_else(|| title.clone())
        .unwrap_or_default();
    let weakness = |location: Location| {
        let (url, method, param) = match &location {
            Location::Web {
                url, method, param, ..
            } => (
                url.as_str(),
                method.as_deref().unwrap_or(""),
                param.as_deref().unwrap_or(""),
            ),
            _ => ("", "", ""),
        };
        Weakness {
            fingerprint: fingerprint::of(&[tool, &rule_id, url, method, param], false),
            rule_id: rule_id.clone(),
            title: title.clone(),
            message: message.clone(),
            severity,
            rating: rating.map(str::to_owned),
            cwe: Vec::clone(&cwe),
            location: Some(location),
            help: alert
                .solution
                .as_deref()
                .map(plain)
                .filter(|s| !s.is_empty()),
            help_uri: help_uri.clone(),
            tags: tags.clone(),
            precision: precision.map(str::to_owned),
            suppressed: precision == Some("false-positive"),
        }
    };
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    if alert.instances.is_empty() {
        let url = site.name.clone().unwrap_or_default();
        items.push(Item::Weakness(weakness(Location::Web {
            url,
            host: site.name.clone(),
            method: None,
            param: None,
            evidence: None,
        })));
    }
    for instance in &alert.instances {
        items.push(Item::Weakness(weakness(Location::Web {
            url: instance.uri.clone().unwrap_or_default(),
            host: site.name.clone(),
            method: nonempty(&instance.method),
            param: nonempty(&instance.param),
            evidence: nonempty(&instance.evidence),
        })));
    }
    Ok(())
}

/// The first `http(s)://` URL in ZAP's reference text, which lists them one per
/// paragraph.
fn first_url(html: &str) -> Option<String> {
    let text = plain(html);
    let start = [text.find("https://"), text.find("http://")]
        .into_iter()
        .flatten()
        .min()?;
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<' && *c != '"')
        .collect();
    Some(url)
}
