//! in-toto Statements (v1 and v0.1): the payload of an attestation, binding a predicate
//! (such as SLSA provenance) to artifacts named by digest.
//!
//! A Statement says nothing by being parsed: only a Statement read from an envelope that
//! verified with a trusted key is evidence, and only about the subjects it names. Subjects
//! are matched by digest, never by name; the name is a label chosen by the producer.
//! Fields the Statement schema does not define are ignored, as the in-toto parsing rules
//! require of consumers.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::AttestError;
use crate::dsse::Envelope;
use crate::json::{self, Object};

/// The DSSE `payloadType` of an in-toto Statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// `_type` of an in-toto Statement v0.1.
pub const STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";

/// An in-toto Statement (v1 or v0.1) read from a DSSE payload whose payloadType is
/// `application/vnd.in-toto+json`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// `_type`: [`STATEMENT_V1`] or [`STATEMENT_V0_1`].
    pub statement_type: String,
    /// `predicateType`, such as `https://slsa.dev/provenance/v1`.
    pub predicate_type: String,
    /// The artifacts the Statement is about; never empty.
    pub subjects: Vec<Subject>,
    /// The predicate as JSON; `Null` when the Statement omits it (v1 allows that when the
    /// predicate type says everything).
    pub predicate: serde_json::Value,
}

/// One artifact a Statement is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The producer's name for the artifact; empty when unset (v1 allows that).
    pub name: String,
    /// Digests by algorithm name (`sha256`, `sha512`, `gitCommit`, ...); never empty.
    pub digests: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawStatement {
    #[serde(rename = "_type")]
    statement_type: String,
    subject: Vec<Object<RawSubject>>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(default)]
    predicate: serde_json::Value,
}

#[derive(Deserialize)]
struct RawSubject {
    #[serde(default)]
    name: Option<String>,
    digest: BTreeMap<String, String>,
}

impl Statement {
    /// Parses a Statement from the payload bytes of an envelope.
    ///
    /// # Errors
    ///
    /// [`AttestError::Statement`] naming the field at fault if the payload is not JSON, a
    /// required field (`_type`, `subject`, `predicateType`, a subject's `digest`) is
    /// missing or of the wrong type, `_type` is not a known Statement version, there are
    /// no subjects, or a subject has no digest.
    pub fn parse(payload: &[u8]) -> Result<Statement, AttestError> {
        let raw: RawStatement = json::read_object(payload).map_err(AttestError::Statement)?;
        if raw.statement_type != STATEMENT_V1 && raw.statement_type != STATEMENT_V0_1 {
            return Err(AttestError::Statement(format!(
                "_type is {:?}, expected {STATEMENT_V1:?} or {STATEMENT_V0_1:?}",
                cut(&raw.statement_type)
            )));
        }
        if raw.subject.is_empty() {
            return Err(AttestError::Statement(
                "subject: the list is empty".to_owned(),
            ));
        }
        if let Some(i) = raw.subject.iter().position(|Object(s)| s.digest.is_empty()) {
            return Err(AttestError::Statement(format!(
                "subject[{i}].digest: no digest, and subjects are matched by digest"
            )));
        }
        Ok(Statement {
            statement_type: raw.statement_type,
            predicate_type: raw.predicate_type,
            subjects: raw
                .subject
                .into_iter()
                .map(|Object(s)| Subject {
                    name: s.name.unwrap_or_default(),
                    digests: s.digest,
                })
                .collect(),
            predicate: raw.predicate,
        })
    }

    /// Parses the Statement in an envelope's payload, after checking that the envelope
    /// says its payload is one. Verify the envelope first ([`crate::dsse::verify`]): this
    /// only reads it.
    ///
    /// # Errors
    ///
    /// [`AttestError::PayloadType`] if the payload type is not [`PAYLOAD_TYPE`], else as
    /// [`Statement::parse`].
    pub fn from_envelope(envelope: &Envelope) -> Result<Statement, AttestError> {
        if envelope.payload_type != PAYLOAD_TYPE {
            return Err(AttestError::PayloadType {
                found: cut(&envelope.payload_type),
                expected: PAYLOAD_TYPE,
            });
        }
        Statement::parse(&envelope.payload)
    }

    /// Whether some subject has digest `algorithm` (e.g. `sha256`) equal to `hex`,
    /// compared without regard to ASCII case. The algorithm name must match exactly, as
    /// in-toto spells it (`sha256`, not `SHA256`). An empty `hex` matches nothing.
    pub fn names_digest(&self, algorithm: &str, hex: &str) -> bool {
        !hex.is_empty()
            && self.subjects.iter().any(|s| {
                s.digests
                    .get(algorithm)
                    .is_some_and(|d| d.eq_ignore_ascii_case(hex))
            })
    }
}

/// `s` cut to 200 bytes on a character boundary, for quoting untrusted text in an error.
fn cut(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((at, _)) => format!("{}...", &s[..at]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_err(json: &str, expect: &str) {
        let err = Statement::parse(json.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), expect, "{json}");
    }

    #[test]
    fn malformed_statements_say_what_is_wrong() {
        check_err(
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#,
            "not an in-toto Statement: subject: the list is empty",
        );
        check_err(
            r#"{"_type":"https://in-toto.io/Statement/v2","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"}"#,
            "not an in-toto Statement: _type is \"https://in-toto.io/Statement/v2\", expected \"https://in-toto.io/Statement/v1\" or \"https://in-toto.io/Statement/v0.1\"",
        );
        check_err(
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"p"}"#,
            "not an in-toto Statement: subject[0].digest: no digest, and subjects are matched by digest",
        );
        check_err(
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":1}}],"predicateType":"p"}"#,
            "not an in-toto Statement: subject[0].digest.sha256: invalid type: integer `1`, expected a string at line 1 column 86",
        );
        check_err(
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ab"}}]}"#,
            "not an in-toto Statement: missing field `predicateType` at line 1 column 93",
        );
        check_err(
            "{",
            "not an in-toto Statement: EOF while parsing an object at line 1 column 1",
        );
    }

    #[test]
    fn digests_match_without_regard_to_case_and_names_are_optional() {
        let statement = Statement::parse(
            br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha256":"ABcd"}},{"name":"b","digest":{"sha512":"ef"}}],"predicateType":"p","unknown":true}"#,
        )
        .unwrap();
        assert_eq!(statement.subjects[0].name, "");
        assert_eq!(statement.predicate, serde_json::Value::Null);
        assert!(statement.names_digest("sha256", "abcd"));
        assert!(statement.names_digest("sha256", "ABCD"));
        assert!(!statement.names_digest("SHA256", "abcd"));
        assert!(!statement.names_digest("sha256", "ef"));
        assert!(statement.names_digest("sha512", "EF"));
    }
}
