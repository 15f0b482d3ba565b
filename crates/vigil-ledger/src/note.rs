//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, as Go's
//! `golang.org/x/mod/sumdb/note` reads and writes them.
//!
//! A note is text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> base64(4-byte key id || signature)`. The text is separated from the
//! signatures by the *last* blank line, so the text may contain blank lines of its own.
//!
//! Rules kept here, and where they come from:
//!
//! - The whole note is UTF-8 with no ASCII control character but the newline (spec).
//! - A note is at most [`MAX_NOTE_SIZE`] bytes with at most [`MAX_SIGNATURES`] signature
//!   lines; the spec requires accepting at least 16 and asks for a limit.
//! - Key names are non-empty, with no Unicode white space and no `+` (spec).
//! - A signature is at least 5 bytes: a key id and something to check (as Go).
//! - Base64 is RFC 4648 standard base64 with padding, and must be canonical: a note that
//!   re-encodes differently is rejected, so parsing and printing round-trip exactly.
//! - Key ids are hex of exactly 8 lowercase digits in keys (spec: "fixed length lowercase").
//! - An Ed25519 key id is the first 4 bytes, big-endian, of
//!   `SHA-256(name || 0x0A || 0x01 || 32-byte public key)` ([`key_id`]).
//!
//! # Ed25519 strictness
//!
//! Signatures are checked as Go's `crypto/ed25519` checks them, since that is what verifies
//! C2SP notes in practice (the Go sumdb, witnesses, Sigsum, serverless logs): cofactorless
//! verification that rejects a non-canonical `R` or `s` and accepts small-order and
//! non-canonical public keys. That is ed25519-dalek's `verify`, not `verify_strict` (which
//! also rejects small-order `A` and `R`, so would turn away signatures Go accepts). The
//! CCTV vectors test pins this down: for every one of the 914 vectors, [`verify_ed25519`]
//! accepts exactly when the vector is flagged neither `non_canonical_R` nor
//! `low_order_residue`, the Go behaviour the vectors' README describes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

/// The largest note accepted, in bytes.
pub const MAX_NOTE_SIZE: usize = 1 << 20;

/// The most signature lines a note may carry.
pub const MAX_SIGNATURES: usize = 100;

/// The signature type byte of Ed25519 note signatures.
pub const ALG_ED25519: u8 = 0x01;

/// The line that starts every signature: em dash, space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note, key or signature was rejected. Messages say what is wrong and, for notes,
/// on which line (1-based, counting the whole note).
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum NoteError {
    /// A note larger than [`MAX_NOTE_SIZE`].
    #[error("the note is {len} bytes; at most {max} are accepted")]
    TooLarge {
        /// The note's size.
        len: usize,
        /// [`MAX_NOTE_SIZE`].
        max: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("line {line}: the note is not valid UTF-8")]
    NotUtf8 {
        /// The line holding the first invalid byte.
        line: usize,
    },
    /// An ASCII control character other than newline.
    #[error("line {line}: control character U+{code:04X} is not allowed in a note")]
    ControlCharacter {
        /// The line holding it.
        line: usize,
        /// Its code point.
        code: u32,
    },
    /// No blank line between text and signatures.
    #[error(
        "the note has no blank line separating its text from its signatures (the text must end in a newline, then an empty line, then signature lines)"
    )]
    NoSignatureBlock,
    /// Nothing after the blank line, or a last signature line with no final newline.
    #[error("line {line}: {reason}")]
    BadSignatureBlock {
        /// The line after the last blank line.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A signature line that does not parse.
    #[error("line {line}: bad signature line: {reason}")]
    BadSignatureLine {
        /// The line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("line {line}: more than {max} signatures")]
    TooManySignatures {
        /// The first line over the limit.
        line: usize,
        /// [`MAX_SIGNATURES`].
        max: usize,
    },
    /// A key name the spec forbids.
    #[error("invalid key name {name:?}: {reason}")]
    InvalidKeyName {
        /// The name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// Text that cannot be a note's text.
    #[error("invalid note text: {reason}")]
    InvalidText {
        /// What is wrong.
        reason: String,
    },
    /// A verifier key that does not parse.
    #[error("invalid verifier key {key:?}: {reason}")]
    InvalidVerifierKey {
        /// The key text, which is public.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A private key that does not parse. The key text is not quoted: it is secret.
    #[error("invalid private key: {reason}")]
    InvalidSignerKey {
        /// What is wrong.
        reason: String,
    },
    /// A key whose stated id is not the one its name and public key give.
    #[error(
        "key {name:?} states key id {stated:08x} but its name and public key give {computed:08x}"
    )]
    KeyIdMismatch {
        /// The key name.
        name: String,
        /// The id written in the key.
        stated: u32,
        /// The id computed from the name and public key.
        computed: u32,
    },
    /// A signature type other than Ed25519.
    #[error("unsupported signature type 0x{alg:02x}: only Ed25519 (0x01) note keys are supported")]
    UnsupportedAlgorithm {
        /// The type byte.
        alg: u8,
    },
    /// A signature by a known key that does not verify: the whole note is rejected.
    #[error("line {line}: the signature by known key {name} ({key_id:08x}) does not verify")]
    BadSignature {
        /// The signature's line.
        line: usize,
        /// The key name.
        name: String,
        /// The key id.
        key_id: u32,
    },
    /// No signature by any known key.
    #[error("no signature by a known key: the note is signed by [{}], the known keys are [{}]", .signers.join(", "), .known.join(", "))]
    NoKnownSignature {
        /// The names (with key ids) of the note's signers.
        signers: Vec<String>,
        /// The names (with key ids) of the verifiers given.
        known: Vec<String>,
    },
    /// The operating system gave no randomness for a new key.
    #[error("no randomness for a new key: {0}")]
    Randomness(String),
}

/// One signature line: the key name, the key id and the signature bytes after the id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The signer's key name.
    pub name: String,
    /// The key id: the first 4 bytes of the decoded signature, big-endian.
    pub key_id: u32,
    /// The signature itself (64 bytes for Ed25519).
    pub bytes: Vec<u8>,
}

impl Signature {
    /// The signature line, without its newline.
    fn line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.bytes.len());
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&self.bytes);
        format!("{SIG_PREFIX}{} {}", self.name, BASE64.encode(raw))
    }
}

/// A parsed signed note: its text (ending in a newline) and its signatures, in order.
///
/// Parsing does not verify anything: [`verify`] does, and the text must be ignored until
/// it has.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Note {
    text: String,
    signatures: Vec<Signature>,
}

impl Note {
    /// Parses a signed note, rejecting what the spec rejects (see the module docs), within
    /// [`MAX_NOTE_SIZE`] bytes and [`MAX_SIGNATURES`] signatures.
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_SIZE {
            return Err(NoteError::TooLarge {
                len: bytes.len(),
                max: MAX_NOTE_SIZE,
            });
        }
        let s = std::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 {
            line: line_of(&bytes[..e.valid_up_to()]),
        })?;
        check_controls(s, 0)?;
        let split = s.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let text = &s[..=split];
        let block = &s[split + 2..];
        let first_line = line_of(text.as_bytes()) + 1;
        if block.is_empty() {
            return Err(NoteError::BadSignatureBlock {
                line: first_line,
                reason: "no signature lines after the blank line",
            });
        }
        if !block.ends_with('\n') {
            return Err(NoteError::BadSignatureBlock {
                line: first_line + block.matches('\n').count(),
                reason: "the last signature line does not end in a newline",
            });
        }
        let mut signatures = Vec::new();
        for (i, line) in block.split_terminator('\n').enumerate() {
            let line_no = first_line + i;
            if i == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures {
                    line: line_no,
                    max: MAX_SIGNATURES,
                });
            }
            signatures.push(parse_signature_line(line, line_no)?);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// A note from its parts, checked as [`Note::parse`] would check its printed form.
    pub fn new(text: String, signatures: Vec<Signature>) -> Result<Note, NoteError> {
        check_text(&text)?;
        if signatures.is_empty() {
            return Err(NoteError::InvalidText {
                reason: "a note needs at least one signature".into(),
            });
        }
        let note = Note { text, signatures };
        // Printing and parsing checks names, sizes and counts exactly as a reader will.
        Note::parse(&note.to_bytes())?;
        Ok(note)
    }

    /// The text: everything before the blank line, ending in a newline. Not to be trusted
    /// before [`verify`] succeeds.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signatures, in the order of their lines.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// The note as bytes: the text, a blank line, then one line per signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.text.len() + 1 + 100 * self.signatures.len());
        out.push_str(&self.text);
        out.push('\n');
        for sig in &self.signatures {
            out.push_str(&sig.line());
            out.push('\n');
        }
        out.into_bytes()
    }
}

/// The 1-based line number of the position after `before`.
fn line_of(before: &[u8]) -> usize {
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

/// Rejects ASCII control characters other than newline; `first_line` offsets line numbers.
fn check_controls(s: &str, first_line: usize) -> Result<(), NoteError> {
    match s.char_indices().find(|&(_, c)| c < ' ' && c != '\n') {
        Some((at, c)) => Err(NoteError::ControlCharacter {
            line: first_line + line_of(&s.as_bytes()[..at]),
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// Checks that `text` can be a note's text: ends in a newline, no control characters.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::InvalidText {
            reason: "the text must end in a newline".into(),
        });
    }
    check_controls(text, 0).map_err(|e| NoteError::InvalidText {
        reason: e.to_string(),
    })
}

fn parse_signature_line(line: &str, line_no: usize) -> Result<Signature, NoteError> {
    let bad = |reason: String| NoteError::BadSignatureLine {
        line: line_no,
        reason,
    };
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or_else(|| bad("it does not start with an em dash (U+2014) and a space".into()))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or_else(|| bad("no space between the key name and the signature".into()))?;
    check_name(name).map_err(|e| bad(e.to_string()))?;
    let raw = BASE64.decode(b64).map_err(|e| {
        bad(format!(
            "the signature is not canonical standard base64: {e}"
        ))
    })?;
    if raw.len() < 5 {
        return Err(bad(format!(
            "the signature decodes to {} bytes; a 4-byte key id and a signature are needed",
            raw.len()
        )));
    }
    let key_id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
    Ok(Signature {
        name: name.to_owned(),
        key_id,
        bytes: raw[4..].to_vec(),
    })
}

/// Checks a key name: non-empty, no Unicode white space, no `+`, no control character.
pub fn check_name(name: &str) -> Result<(), NoteError> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.contains('+') {
        "it contains '+'"
    } else if name.chars().any(char::is_whitespace) {
        "it contains white space"
    } else if name.chars().any(char::is_control) {
        "it contains a control character"
    } else {
        return Ok(());
    };
    Err(NoteError::InvalidKeyName {
        name: name.to_owned(),
        reason,
    })
}

/// The key id of a key: the first 4 bytes, big-endian, of
/// `SHA-256(name || 0x0A || alg || public_key)`.
pub fn key_id(name: &str, alg: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', alg]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Verifies an Ed25519 signature as Go's `crypto/ed25519.Verify` does (see the module docs
/// on strictness): false for a signature that is not 64 bytes, a public key that is not a
/// curve point, a non-canonical `R` or `s`, or a wrong signature.
pub fn verify_ed25519(public_key: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
        return false;
    };
    key.verify(msg, &sig).is_ok()
}

/// Splits `+`-separated key text into exactly `n` fields, the last taking the rest.
fn fields(text: &str, n: usize) -> Option<Vec<&str>> {
    let parts: Vec<&str> = text.splitn(n, '+').collect();
    (parts.len() == n).then_some(parts)
}

/// Parses the 8 lowercase hex digits of a key id.
fn parse_key_id(hex: &str) -> Option<u32> {
    let ok = hex.len() == 8 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then(|| u32::from_str_radix(hex, 16).ok()).flatten()
}

/// A note signer with an Ed25519 private key.
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl NoteSigner {
    fn from_key(name: &str, key: SigningKey) -> NoteSigner {
        let key_id = key_id(name, ALG_ED25519, key.verifying_key().as_bytes());
        NoteSigner {
            name: name.to_owned(),
            key_id,
            key,
        }
    }

    /// A new key named `name`, from the operating system's randomness.
    ///
    /// Precondition: `name` is a valid key name: non-empty, no `+`, no white space or
    /// control characters.
    pub fn generate(name: &str) -> Result<NoteSigner, NoteError> {
        check_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| NoteError::Randomness(e.to_string()))?;
        Ok(NoteSigner::from_key(name, SigningKey::from_bytes(&seed)))
    }

    /// A signer from Go's `x/mod/sumdb/note` private key text:
    /// `PRIVATE+KEY+<name>+<hex key id>+base64(0x01 || 32-byte seed)`. The key id must be
    /// the one the name and the derived public key give.
    pub fn from_skey(text: &str) -> Result<NoteSigner, NoteError> {
        let bad = |reason: &str| NoteError::InvalidSignerKey {
            reason: reason.to_owned(),
        };
        let parts = fields(text.trim_end_matches('\n'), 5)
            .ok_or_else(|| bad("expected PRIVATE+KEY+<name>+<key id>+<key>"))?;
        if parts[0] != "PRIVATE" || parts[1] != "KEY" {
            return Err(bad("it does not start with PRIVATE+KEY+"));
        }
        let name = parts[2];
        check_name(name).map_err(|e| bad(&e.to_string()))?;
        let stated = parse_key_id(parts[3])
            .ok_or_else(|| bad("the key id is not 8 lowercase hex digits"))?;
        let raw = BASE64
            .decode(parts[4])
            .map_err(|_| bad("the key is not canonical standard base64"))?;
        let (&alg, seed) = raw.split_first().ok_or_else(|| bad("the key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnsupportedAlgorithm { alg });
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| bad("an Ed25519 private key is a 32-byte seed"))?;
        let signer = NoteSigner::from_key(name, SigningKey::from_bytes(&seed));
        if signer.key_id != stated {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                stated,
                computed: signer.key_id,
            });
        }
        Ok(signer)
    }

    /// The private key text [`NoteSigner::from_skey`] reads. It is secret.
    pub fn to_skey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            BASE64.encode(raw)
        )
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier of this key's signatures.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key().to_bytes(),
        }
    }

    /// Signs `text` into a note with this one signature.
    ///
    /// Precondition: `text` ends in a newline and has no control character but newlines,
    /// and the signed note fits in [`MAX_NOTE_SIZE`].
    pub fn sign(&self, text: &str) -> Result<Note, NoteError> {
        check_text(text)?;
        let mut note = Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        };
        self.add_signature(&mut note)?;
        Ok(note)
    }

    /// Adds this key's signature to an existing note (cosigning). A note this key already
    /// signed is left as it is: Ed25519 signatures are deterministic, so it would be the same
    /// line again.
    ///
    /// Precondition: the note stays within [`MAX_SIGNATURES`] and [`MAX_NOTE_SIZE`].
    pub fn add_signature(&self, note: &mut Note) -> Result<(), NoteError> {
        if note
            .signatures
            .iter()
            .any(|s| s.name == self.name && s.key_id == self.key_id)
        {
            return Ok(());
        }
        if note.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                line: line_of(note.text.as_bytes()) + 1 + note.signatures.len(),
                max: MAX_SIGNATURES,
            });
        }
        let sig = Signature {
            name: self.name.clone(),
            key_id: self.key_id,
            bytes: self.key.sign(note.text.as_bytes()).to_bytes().to_vec(),
        };
        let len = note.to_bytes().len() + sig.line().len() + 1;
        if len > MAX_NOTE_SIZE {
            return Err(NoteError::TooLarge {
                len,
                max: MAX_NOTE_SIZE,
            });
        }
        note.signatures.push(sig);
        Ok(())
    }
}

/// A note verifier for an Ed25519 public key, named as its signatures are.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: [u8; 32],
}

impl NoteVerifier {
    /// Parses a verifier key: `<name>+<hex key id>+base64(0x01 || 32-byte public key)`. The
    /// key id must be the one the name and public key give.
    pub fn from_vkey(text: &str) -> Result<NoteVerifier, NoteError> {
        let bad = |reason: &str| NoteError::InvalidVerifierKey {
            key: text.to_owned(),
            reason: reason.to_owned(),
        };
        let parts = fields(text, 3).ok_or_else(|| bad("expected <name>+<key id>+<key>"))?;
        let name = parts[0];
        check_name(name).map_err(|e| bad(&e.to_string()))?;
        let stated = parse_key_id(parts[1])
            .ok_or_else(|| bad("the key id is not 8 lowercase hex digits"))?;
        let raw = BASE64
            .decode(parts[2])
            .map_err(|_| bad("the key is not canonical standard base64"))?;
        let (&alg, key) = raw.split_first().ok_or_else(|| bad("the key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnsupportedAlgorithm { alg });
        }
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| bad("an Ed25519 public key is 32 bytes"))?;
        let computed = key_id(name, alg, &key);
        if computed != stated {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                stated,
                computed,
            });
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: stated,
            key,
        })
    }

    /// The verifier key text [`NoteVerifier::from_vkey`] reads.
    pub fn to_vkey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(&self.key);
        format!("{}+{:08x}+{}", self.name, self.key_id, BASE64.encode(raw))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> &[u8; 32] {
        &self.key
    }

    /// Whether `sig` (the signature bytes after the key id) is this key's signature of
    /// `text`, checked as [`verify_ed25519`] does.
    pub fn verify_bytes(&self, text: &str, sig: &[u8]) -> bool {
        verify_ed25519(&self.key, text.as_bytes(), sig)
    }

    fn label(&self) -> String {
        format!("{}+{:08x}", self.name, self.key_id)
    }
}

/// Checks the note's signatures against `verifiers` (matched by name AND key id). Ok with
/// the names of the verifiers whose signature verified (each once, in signature order) if
/// at least one did; an error if none of the known keys signed, or if a signature by a
/// known key does not verify. Unknown signers are ignored.
pub fn verify(note: &Note, verifiers: &[NoteVerifier]) -> Result<Vec<String>, NoteError> {
    let first_line = line_of(note.text.as_bytes()) + 1;
    let mut verified: Vec<String> = Vec::new();
    for (i, sig) in note.signatures.iter().enumerate() {
        let Some(v) = verifiers
            .iter()
            .find(|v| v.name == sig.name && v.key_id == sig.key_id)
        else {
            continue;
        };
        if !v.verify_bytes(&note.text, &sig.bytes) {
            return Err(NoteError::BadSignature {
                line: first_line + i,
                name: sig.name.clone(),
                key_id: sig.key_id,
            });
        }
        if !verified.contains(&v.name) {
            verified.push(v.name.clone());
        }
    }
    if verified.is_empty() {
        return Err(NoteError::NoKnownSignature {
            signers: note
                .signatures
                .iter()
                .map(|s| format!("{}+{:08x}", s.name, s.key_id))
                .collect(),
            known: verifiers.iter().map(NoteVerifier::label).collect(),
        });
    }
    Ok(verified)
}
