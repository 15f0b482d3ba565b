//! DSSE envelopes (Dead Simple Signing Envelope, v1): parsing the JSON envelope and
//! verifying its signatures over the pre-authentication encoding.
//!
//! What is signed is not the payload but `PAE(payloadType, payload)`, so a signature
//! binds the payload's type too: changing `payloadType` breaks every signature. The
//! `keyid` of a signature is an unauthenticated hint that the protocol forbids using for
//! security decisions, and signers compute it in incompatible ways, so it is kept but not
//! used: every signature is tried with every trusted key.
//!
//! Parsing follows the JSON envelope: `payload` and each `sig` are base64, standard or
//! URL-safe, padded or not (verifiers must accept both alphabets). Fields the envelope
//! does not define are ignored; a duplicated field is an error.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::json::{self, Object};
use crate::{AttestError, PublicKey, b64, verify};

/// Largest envelope [`Envelope::parse`] reads, in bytes.
pub const MAX_ENVELOPE_BYTES: usize = 16 << 20;

/// Most signatures [`Envelope::parse`] accepts in one envelope.
pub const MAX_SIGNATURES: usize = 32;

/// A parsed DSSE envelope, with the payload and signatures decoded from base64.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// How to interpret the payload, such as `application/vnd.in-toto+json`.
    pub payload_type: String,
    /// The payload bytes (decoded).
    pub payload: Vec<u8>,
    /// The signatures, in envelope order. [`Envelope::parse`] never returns an empty list.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The signer's key hint; `None` when absent, null or empty. Not authenticated.
    pub keyid: Option<String>,
    /// The signature bytes (decoded): 64 bytes for Ed25519, DER or `r || s` for ECDSA.
    pub sig: Vec<u8>,
}

/// What verified in an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The envelope's `payloadType`, which the signatures cover.
    pub payload_type: String,
    /// Fingerprints ([`PublicKey::fingerprint`]) of the trusted keys that verified at
    /// least one signature, in the order of the keys given; never empty.
    pub key_fingerprints: Vec<String>,
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    #[serde(deserialize_with = "bounded_signatures")]
    signatures: Vec<Object<RawSignature>>,
}

#[derive(Deserialize)]
struct RawSignature {
    #[serde(default)]
    keyid: Option<String>,
    sig: String,
}

#[derive(Serialize)]
struct OutEnvelope<'a> {
    #[serde(rename = "payloadType")]
    payload_type: &'a str,
    payload: String,
    signatures: Vec<OutSignature<'a>>,
}

#[derive(Serialize)]
struct OutSignature<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    keyid: Option<&'a str>,
    sig: String,
}

/// Reads the `signatures` array, failing as soon as it holds more than
/// [`MAX_SIGNATURES`] rather than after allocating them all.
fn bounded_signatures<'de, D: de::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Object<RawSignature>>, D::Error> {
    struct Bounded;
    impl<'de> Visitor<'de> for Bounded {
        type Value = Vec<Object<RawSignature>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an array of at most {MAX_SIGNATURES} signatures")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(sig) = seq.next_element()? {
                if out.len() == MAX_SIGNATURES {
                    return Err(de::Error::custom(format!(
                        "more than {MAX_SIGNATURES} signatures"
                    )));
                }
                out.push(sig);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_seq(Bounded)
}

impl Envelope {
    /// Parses a DSSE JSON envelope and decodes its base64 fields.
    ///
    /// # Errors
    ///
    /// [`AttestError::EnvelopeTooLarge`] over [`MAX_ENVELOPE_BYTES`]; otherwise
    /// [`AttestError::Envelope`] naming the field at fault if the JSON is malformed, a
    /// field is missing or of the wrong type, a base64 field does not decode, or there
    /// are no signatures or more than [`MAX_SIGNATURES`].
    pub fn parse(json: &[u8]) -> Result<Envelope, AttestError> {
        if json.len() > MAX_ENVELOPE_BYTES {
            return Err(AttestError::EnvelopeTooLarge {
                len: json.len(),
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        let raw: RawEnvelope = json::read_object(json).map_err(AttestError::Envelope)?;
        let payload = b64::decode(raw.payload.as_bytes())
            .map_err(|e| AttestError::Envelope(format!("payload: {e}")))?;
        if raw.signatures.is_empty() {
            return Err(AttestError::Envelope(
                "signatures: the list is empty".to_owned(),
            ));
        }
        let signatures = raw
            .signatures
            .into_iter()
            .enumerate()
            .map(|(i, Object(s))| {
                let sig = b64::decode(s.sig.as_bytes())
                    .map_err(|e| AttestError::Envelope(format!("signatures[{i}].sig: {e}")))?;
                Ok(EnvelopeSignature {
                    keyid: s.keyid.filter(|k| !k.is_empty()),
                    sig,
                })
            })
            .collect::<Result<Vec<_>, AttestError>>()?;
        Ok(Envelope {
            payload_type: raw.payload_type,
            payload,
            signatures,
        })
    }

    /// The envelope as DSSE JSON, base64 in the standard alphabet with padding; a
    /// signature without a `keyid` is written without one. [`Envelope::parse`] reads it
    /// back to an equal envelope.
    pub fn to_json(&self) -> String {
        let signatures = self
            .signatures
            .iter()
            .map(|s| OutSignature {
                keyid: s.keyid.as_deref(),
                sig: b64::encode(&s.sig),
            })
            .collect();
        let out = OutEnvelope {
            payload_type: &self.payload_type,
            payload: b64::encode(&self.payload),
            signatures,
        };
        // Strings and a list of string pairs cannot fail to serialize.
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// The bytes every signature of this envelope signs: `pae(payload_type, payload)`.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

/// The DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        10 + type_len.len() + payload_type.len() + body_len.len() + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Verifies the envelope's signatures with the trusted `keys`: succeeds when at least one
/// signature verifies with at least one key, and reports every key that verified one.
///
/// The payload type is covered by the signatures but not checked against an expected
/// type here; a caller that reads the payload checks it (as
/// [`crate::intoto::Statement::from_envelope`] does).
///
/// # Errors
///
/// [`AttestError::NoTrustedKeys`] if `keys` is empty, [`AttestError::Envelope`] if the
/// envelope has no signatures, [`AttestError::EnvelopeUnverified`] if none verifies.
pub fn verify(envelope: &Envelope, keys: &[PublicKey]) -> Result<Verified, AttestError> {
    if keys.is_empty() {
        return Err(AttestError::NoTrustedKeys);
    }
    if envelope.signatures.is_empty() {
        return Err(AttestError::Envelope(
            "signatures: the list is empty".to_owned(),
        ));
    }
    let message = envelope.pae();
    let key_fingerprints: Vec<String> = keys
        .iter()
        .filter(|key| {
            envelope
                .signatures
                .iter()
                .any(|s| verify::verify_raw(key, &message, &s.sig))
        })
        .map(PublicKey::fingerprint)
        .collect();
    if key_fingerprints.is_empty() {
        return Err(AttestError::EnvelopeUnverified {
            signatures: envelope.signatures.len(),
            keys: keys
                .iter()
                .map(|k| (k.fingerprint(), k.algorithm()))
                .collect(),
        });
    }
    Ok(Verified {
        payload_type: envelope.payload_type.clone(),
        key_fingerprints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_err(json: &str, expect: &str) {
        let err = Envelope::parse(json.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), expect, "{json}");
    }

    #[test]
    fn malformed_envelopes_say_what_is_wrong() {
        check_err(
            r#"{"payload":"","signatures":[{"sig":""}]}"#,
            "not a DSSE envelope: missing field `payloadType` at line 1 column 40",
        );
        check_err(
            r#"{"payloadType":"t","payload":"!!","signatures":[{"sig":""}]}"#,
            "not a DSSE envelope: payload: invalid base64 character '!' at offset 0",
        );
        check_err(
            r#"{"payloadType":"t","payload":"","signatures":[{"sig":"AA"},{"sig":"A"}]}"#,
            "not a DSSE envelope: signatures[1].sig: invalid base64 length 1 (one character too many or too few)",
        );
        check_err(
            r#"{"payloadType":"t","payload":"","signatures":[{"keyid":"k"}]}"#,
            "not a DSSE envelope: signatures[0]: missing field `sig` at line 1 column 59",
        );
        check_err(
            r#"{"payloadType":"t","payload":"","signatures":[]}"#,
            "not a DSSE envelope: signatures: the list is empty",
        );
        check_err(
            r#"{"payloadType":7,"payload":"","signatures":[]}"#,
            "not a DSSE envelope: payloadType: invalid type: integer `7`, expected a string at line 1 column 16",
        );
        check_err(
            r#"[1]"#,
            "not a DSSE envelope: invalid type: sequence, expected a JSON object at line 1 column 0",
        );
        check_err(
            r#"{"payloadType":"t","payloadType":"u","payload":"","signatures":[{"sig":""}]}"#,
            "not a DSSE envelope: duplicate field `payloadType` at line 1 column 32",
        );
        check_err(
            r#"{"payloadType":"t","payload":"","signatures":[{"sig":""}]} {}"#,
            "not a DSSE envelope: after the object: trailing characters at line 1 column 60",
        );
        check_err(
            "",
            "not a DSSE envelope: EOF while parsing a value at line 1 column 0",
        );
    }

    #[test]
    fn signature_count_is_bounded() {
        let sigs = vec![r#"{"sig":""}"#; MAX_SIGNATURES + 1].join(",");
        check_err(
            &format!(r#"{{"payloadType":"t","payload":"","signatures":[{sigs}]}}"#),
            "not a DSSE envelope: signatures: more than 32 signatures at line 1 column 409",
        );
        let sigs = vec![r#"{"sig":""}"#; MAX_SIGNATURES].join(",");
        let envelope = Envelope::parse(
            format!(r#"{{"payloadType":"t","payload":"","signatures":[{sigs}]}}"#).as_bytes(),
        )
        .unwrap();
        assert_eq!(envelope.signatures.len(), MAX_SIGNATURES);
    }

    #[test]
    fn to_json_reads_back_equal() {
        let envelope = Envelope {
            payload_type: "application/vnd.in-toto+json".to_owned(),
            payload: b"{\"a\": 1}\xff".to_vec(),
            signatures: vec![
                EnvelopeSignature {
                    keyid: Some("k\"1".to_owned()),
                    sig: vec![0xfb, 0xff],
                },
                EnvelopeSignature {
                    keyid: None,
                    sig: vec![],
                },
            ],
        };
        let json = envelope.to_json();
        assert_eq!(
            json,
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"eyJhIjogMX3/","signatures":[{"keyid":"k\"1","sig":"+/8="},{"sig":""}]}"#
        );
        assert_eq!(Envelope::parse(json.as_bytes()).unwrap(), envelope);
    }

    #[test]
    fn size_is_bounded() {
        let big = vec![b' '; MAX_ENVELOPE_BYTES + 1];
        let err = Envelope::parse(&big).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DSSE envelope is 16777217 bytes, over the limit of 16777216 bytes"
        );
    }

    #[test]
    fn keyid_absent_null_or_empty_is_none_and_unknown_fields_are_ignored() {
        let envelope = Envelope::parse(
            br#"{"payloadType":"t","payload":"aGk","signatures":[{"sig":"AA=="},{"keyid":null,"sig":"AQ"},{"keyid":"","sig":"Ag"},{"keyid":"k1","sig":"_w","extra":1}],"extra":{}}"#,
        )
        .unwrap();
        assert_eq!(envelope.payload, b"hi");
        let got: Vec<_> = envelope
            .signatures
            .iter()
            .map(|s| (s.keyid.as_deref(), s.sig.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                (None, &[0][..]),
                (None, &[1][..]),
                (None, &[2][..]),
                (Some("k1"), &[0xff][..])
            ]
        );
    }
}
