//! Nikto's JSON output (`-Format json`): one object per host with its `vulnerabilities`,
//! written as a list of hosts by Nikto 2.5 and as a single object by 2.1.6, whose writer
//! also leaves trailing commas (`[{…},],}`); both are read.
//!
//! Nikto does not rate what it finds, so every finding is unrated. Its messages had
//! their quotes escaped twice by 2.5's writer (`\"`); they are unescaped once more.

use serde::Deserialize;

use crate::json::{OneOrMany, Text, nullable};
use crate::model::{Artifact, Format, Item, Location, Report, Severity, Tool, Weakness};
use crate::{Error, Limits, fingerprint};

const FORMAT: &str = "Nikto JSON";

#[derive(Deserialize)]
struct Host {
    host: Option<String>,
    ip: Option<String>,
    port: Option<Text>,
    #[serde(default, deserialize_with = "nullable")]
    vulnerabilities: Vec<Finding>,
}

#[derive(Deserialize)]
struct Finding {
    id: Option<Text>,
    #[serde(rename = "OSVDB")]
    osvdb: Option<Text>,
    references: Option<String>,
    method: Option<String>,
    url: Option<String>,
    msg: Option<String>,
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let mut warnings = Vec::new();
    let hosts: OneOrMany<Host> = match crate::json::from_slice(bytes, FORMAT) {
        Ok(h) => h,
        Err(strict @ Error::Syntax { .. }) => {
            let fixed = crate::json::without_trailing_commas(bytes);
            match crate::json::from_slice(&fixed, FORMAT) {
                Ok(h) => {
                    warnings.push(
                        "trailing commas removed before reading (Nikto 2.1.6 writes them)"
                            .to_owned(),
                    );
                    h
                }
                Err(_) => return Err(strict),
            }
        }
        Err(e) => return Err(e),
    };
    // Paths in errors follow the document: `[1].vulnerabilities[0]` in a list of
    // hosts, `vulnerabilities[0]` in a single host object.
    let single = crate::json::trim_start(bytes).first() == Some(&b'{');
    let count: usize = hosts.0.iter().map(|h| h.vulnerabilities.len()).sum();
    limits.check_items(FORMAT, "finding count", count)?;
    let tool = Tool {
        name: "Nikto".to_owned(),
        version: None,
    };
    let mut items = Vec::with_capacity(count);
    for (h, host) in hosts.0.iter().enumerate() {
        let address = host.host.as_deref().or(host.ip.as_deref()).unwrap_or("");
        let host_port = match host.port.as_ref().map(Text::as_str) {
            Some(port) if !port.is_empty() && !address.is_empty() => format!("{address}:{port}"),
            _ => address.to_owned(),
        };
        for (v, finding) in host.vulnerabilities.iter().enumerate() {
            let at = || {
                if single {
                    format!("vulnerabilities[{v}]")
                } else {
                    format!("[{h}].vulnerabilities[{v}]")
                }
            };
            let id = finding
                .id
                .as_ref()
                .map(|t| t.0.trim().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| Error::invalid(FORMAT, at(), "a finding without id"))?;
            let url = finding.url.clone().unwrap_or_default();
            let method = finding.method.clone().filter(|m| !m.is_empty());
            let message = finding
                .msg
                .as_deref()
                .map(|m| m.replace("\\\"", "\""))
                .unwrap_or_default();
            let tags = finding
                .osvdb
                .as_ref()
                .and_then(|o| o.0.trim().parse::<u64>().ok())
                .filter(|o| *o > 0)
                .map(|o| vec![format!("OSVDB-{o}")])
                .unwrap_or_default();
            let help_uri = finding
                .references
                .as_deref()
                .and_then(|r| r.split_whitespace().find(|w| w.starts_with("http")))
                .map(|u| u.trim_end_matches(',').to_owned());
            items.push(Item::Weakness(Weakness {
                fingerprint: fingerprint::of(
                    &[
                        &tool.name,
                        &id,
                        &host_port,
                        method.as_deref().unwrap_or(""),
                        &url,
                    ],
                    false,
                ),
                rule_id: id,
                title: None,
                message,
                severity: Severity::Unrated,
                rating: None,
                cwe: Vec::new(),
                location: Some(Location::Web {
                    url,
                    host: Some(host_port.clone()).filter(|h| !h.is_empty()),
                    method,
                    param: None,
                    evidence: None,
                }),
                help: None,
                help_uri,
                tags,
                precision: None,
                suppressed: false,
            }));
        }
    }
    let artifact = match hosts.0.as_slice() {
        [one] => one
            .host
            .clone()
            .or_else(|| one.ip.clone())
            .map(|name| Artifact {
                name,
                kind: Some("host".to_owned()),
                digest: None,
            }),
        _ => None,
    };
    Ok(Report {
        format: Format::Nikto,
        tool,
        artifact,
        items,
        warnings,
    })
}
