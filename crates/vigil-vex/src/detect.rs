//! Telling the format of a document from its bytes.

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::Error;

/// The encodings read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    OpenVexJson,
    OpenVexYaml,
    CycloneDxJson,
    CycloneDxXml,
}

/// The top-level keys that tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<IgnoredAny>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<IgnoredAny>,
    #[serde(rename = "@context")]
    context: Option<serde_json::Value>,
    statements: Option<IgnoredAny>,
    document: Option<IgnoredAny>,
}

/// The document without a UTF-8 byte order mark and leading whitespace.
pub(crate) fn trim_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The encoding of `bytes`: JSON by its top-level keys (`bomFormat` is CycloneDX,
/// `@context` or `statements` OpenVEX), XML is CycloneDX, and anything else is read as
/// OpenVEX YAML.
pub(crate) fn detect(bytes: &[u8]) -> Result<Kind, Error> {
    let text = trim_start(bytes);
    match text.first() {
        None => Err(Error::UnknownFormat {
            found: "an empty document".into(),
        }),
        Some(b'<') => Ok(Kind::CycloneDxXml),
        Some(b'[') => Err(Error::UnknownFormat {
            found: "a JSON array; a VEX document is one object".into(),
        }),
        Some(b'{') => {
            let probe: Probe = serde_json::from_slice(text).map_err(|e| Error::Syntax {
                format: "JSON",
                at: format!("line {}, column {}", e.line(), e.column()),
                message: strip_position(&e.to_string()),
            })?;
            if probe.bom_format.is_some() {
                return Ok(Kind::CycloneDxJson);
            }
            if probe.spdx_version.is_some() {
                return Err(Error::UnknownFormat {
                    found: "an SPDX 2 document, which has no VEX statements".into(),
                });
            }
            if let Some(context) = &probe.context {
                if context.as_str().is_some_and(|c| c.contains("spdx.org")) {
                    return Err(Error::UnknownFormat {
                        found: "SPDX 3 JSON-LD, whose VEX relationships are not read: export OpenVEX or CycloneDX VEX".into(),
                    });
                }
                return Ok(Kind::OpenVexJson);
            }
            if probe.statements.is_some() {
                return Ok(Kind::OpenVexJson);
            }
            if probe.document.is_some() {
                return Err(Error::UnknownFormat {
                    found: "a CSAF document, which is not read: export OpenVEX or CycloneDX VEX"
                        .into(),
                });
            }
            Err(Error::UnknownFormat {
                found: "a JSON object with none of @context, statements, bomFormat".into(),
            })
        }
        Some(_) => Ok(Kind::OpenVexYaml),
    }
}

/// serde_json's message without its trailing ` at line L column C`, which the caller
/// puts in `at`.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expect: Result<Kind, &str>) {
        match (detect(input.as_bytes()), expect) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{e}"),
            (got, want) => panic!("detect({input:?}) = {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn formats() {
        check(
            r#"{"@context":"https://openvex.dev/ns/v0.2.0"}"#,
            Ok(Kind::OpenVexJson),
        );
        check("\u{feff} {\"statements\":[]}", Ok(Kind::OpenVexJson));
        check(
            r#"{"specVersion":"1.6","bomFormat":"CycloneDX"}"#,
            Ok(Kind::CycloneDxJson),
        );
        check(
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>"#,
            Ok(Kind::CycloneDxXml),
        );
        check("author: me\nstatements: []\n", Ok(Kind::OpenVexYaml));
    }

    #[test]
    fn others_are_named() {
        check("", Err("found an empty document"));
        check(r#"{"spdxVersion":"SPDX-2.3"}"#, Err("SPDX 2"));
        check(
            r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}"#,
            Err("SPDX 3"),
        );
        check(r#"{"document":{"csaf_version":"2.0"}}"#, Err("CSAF"));
        check(r#"{"a":1}"#, Err("none of @context"));
        check(
            r#"{"a":"#,
            Err("JSON: malformed document at line 1, column 5: EOF while parsing a value"),
        );
        check("[1]", Err("found a JSON array"));
    }
}
