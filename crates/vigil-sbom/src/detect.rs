//! Telling the format of a document from its first bytes.

use std::fmt;

use crate::Error;

/// The SBOM formats this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// CycloneDX 1.2–1.7, JSON.
    CycloneDxJson,
    /// CycloneDX 1.2–1.7, XML in the `http://cyclonedx.org/schema/bom/1.x` namespace.
    CycloneDxXml,
    /// SPDX 2.2 or 2.3, JSON.
    SpdxJson,
    /// SPDX 2.2 or 2.3, tag-value.
    SpdxTagValue,
    /// SPDX 3.0, JSON-LD.
    Spdx3JsonLd,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::CycloneDxJson => "CycloneDX JSON",
            Format::CycloneDxXml => "CycloneDX XML",
            Format::SpdxJson => "SPDX JSON",
            Format::SpdxTagValue => "SPDX tag-value",
            Format::Spdx3JsonLd => "SPDX 3 JSON-LD",
        })
    }
}

/// How far into a document the markers are looked for. Producers write them first or
/// nearly so; a JSON document whose markers come later is still recognized by reading
/// its top-level keys.
const HEAD: usize = 64 * 1024;

/// The format of `bytes`, from the markers each format requires: CycloneDX JSON's
/// `bomFormat`, SPDX JSON's `spdxVersion`, SPDX 3's `@context`, the CycloneDX XML
/// namespace, and tag-value's `SPDXVersion:` line.
///
/// # Errors
/// [`Error::UnknownFormat`], naming what was expected and what was found.
pub fn detect(bytes: &[u8]) -> Result<Format, Error> {
    let text = strip_bom(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    let head = &text[..text.len().min(HEAD)];
    match head.first() {
        None => Err(Error::UnknownFormat {
            found: "an empty document".into(),
        }),
        Some(b'{') => detect_json(text, head),
        Some(b'<') => {
            if find(head, b"http://cyclonedx.org/schema/bom/").is_some() {
                Ok(Format::CycloneDxXml)
            } else if find(head, b"spdx.org/rdf").is_some() {
                Err(Error::UnknownFormat {
                    found: "SPDX RDF/XML, which is not supported: convert it to SPDX JSON".into(),
                })
            } else {
                Err(Error::UnknownFormat {
                    found: "XML without the CycloneDX namespace".into(),
                })
            }
        }
        Some(_) => {
            if head
                .split(|&b| b == b'\n')
                .any(|line| line.trim_ascii_start().starts_with(b"SPDXVersion:"))
            {
                Ok(Format::SpdxTagValue)
            } else if head
                .split(|&b| b == b'\n')
                .any(|line| line.trim_ascii_start().starts_with(b"spdxVersion:"))
            {
                Err(Error::UnknownFormat {
                    found: "SPDX YAML, which is not supported: convert it to SPDX JSON".into(),
                })
            } else {
                Err(Error::UnknownFormat {
                    found: format!("a document starting {}", quote_start(head)),
                })
            }
        }
    }
}

fn detect_json(text: &[u8], head: &[u8]) -> Result<Format, Error> {
    let markers: [(&[u8], Format); 3] = [
        (b"\"bomFormat\"", Format::CycloneDxJson),
        (b"\"spdxVersion\"", Format::SpdxJson),
        (b"\"@context\"", Format::Spdx3JsonLd),
    ];
    let earliest = markers
        .iter()
        .filter_map(|(m, f)| find(head, m).map(|at| (at, *f)))
        .min_by_key(|(at, _)| *at);
    if let Some((_, format)) = earliest {
        return check_context(head, format);
    }
    // The markers may come after a long first member: read the top-level keys.
    #[derive(serde::Deserialize)]
    struct Keys {
        #[serde(rename = "bomFormat")]
        bom_format: Option<serde::de::IgnoredAny>,
        #[serde(rename = "spdxVersion")]
        spdx_version: Option<serde::de::IgnoredAny>,
        #[serde(rename = "@context")]
        context: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_slice::<Keys>(text) {
        Ok(Keys {
            bom_format: Some(_),
            ..
        }) => Ok(Format::CycloneDxJson),
        Ok(Keys {
            spdx_version: Some(_),
            ..
        }) => Ok(Format::SpdxJson),
        Ok(Keys {
            context: Some(_), ..
        }) => Ok(Format::Spdx3JsonLd),
        Ok(_) => Err(Error::UnknownFormat {
            found: "a JSON object with none of bomFormat, spdxVersion, @context".into(),
        }),
        Err(e) => Err(Error::UnknownFormat {
            found: format!("malformed JSON ({e})"),
        }),
    }
}

fn check_context(head: &[u8], format: Format) -> Result<Format, Error> {
    if format == Format::Spdx3JsonLd && find(head, b"spdx.org/rdf/3").is_none() {
        return Err(Error::UnknownFormat {
            found: "JSON-LD whose @context is not SPDX 3's".into(),
        });
    }
    Ok(format)
}

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn quote_start(head: &[u8]) -> String {
    let s = String::from_utf8_lossy(&head[..head.len().min(40)]);
    format!("{:?}", s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expect: Result<Format, &str>) {
        match (detect(input.as_bytes()), expect) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{e}"),
            (got, want) => panic!("detect({input:?}) = {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn formats() {
        check(r#"{"bomFormat":"CycloneDX"}"#, Ok(Format::CycloneDxJson));
        check(
            "\u{feff}  {\"spdxVersion\":\"SPDX-2.3\"}",
            Ok(Format::SpdxJson),
        );
        check(
            r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}"#,
            Ok(Format::Spdx3JsonLd),
        );
        check(
            r#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.7"/>"#,
            Ok(Format::CycloneDxXml),
        );
        check(
            "## comment\nSPDXVersion: SPDX-2.3\n",
            Ok(Format::SpdxTagValue),
        );
        let long = format!(r#"{{"x":"{}","bomFormat":"CycloneDX"}}"#, "a".repeat(HEAD));
        check(&long, Ok(Format::CycloneDxJson));
    }

    #[test]
    fn unknown_names_what_was_expected() {
        check("", Err("found an empty document"));
        check("spdxVersion: SPDX-2.3\n", Err("SPDX YAML"));
        check(r#"{"a":1}"#, Err("none of bomFormat"));
        check("<bom/>", Err("expected CycloneDX JSON"));
        check(r#"{"@context":"https://w3id.org/x"}"#, Err("not SPDX 3's"));
    }
}
