//! C2SP tlog-checkpoints (c2sp.org/tlog-checkpoint): the signed tree head of a log, as the
//! text of a signed note.
//!
//! The text is at least three non-empty lines, each ending in a newline: the origin (the
//! log's identity), the tree size in decimal with no leading zeros, the base64 root hash,
//! then optional extension lines, which must be non-empty too. The key name of the log's
//! signature usually matches the origin, but the spec only says SHOULD (the serverless-log
//! test log signs `example.com/testdata` as `astra`), so [`open`] does not require it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::Hash;
use crate::note::{self, Note, NoteError, NoteVerifier};

/// Why a checkpoint was rejected. Messages name the line (1-based) and quote it.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The text does not end in a newline.
    #[error("the checkpoint text does not end in a newline")]
    MissingFinalNewline,
    /// Fewer than the three mandatory lines.
    #[error("the checkpoint has {lines} lines; the origin, size and root hash lines are required")]
    TooFewLines {
        /// The number of lines.
        lines: usize,
    },
    /// A line that is wrong.
    #[error("line {line} ({what}): {reason}: {text:?}")]
    BadLine {
        /// The line number.
        line: usize,
        /// Which line: `origin`, `tree size`, `root hash` or `extension`.
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
        /// The line, quoted (at most 100 characters of it).
        text: String,
    },
    /// The signed note around the checkpoint did not parse or verify.
    #[error("checkpoint note: {0}")]
    Note(#[from] NoteError),
}

/// C2SP tlog-checkpoint body: origin line, decimal size, base64 root hash, optional
/// extension lines.
///
/// The fields are public; [`Checkpoint::to_text`] of a checkpoint whose origin or
/// extensions are empty or contain a newline or control character prints text that
/// [`Checkpoint::parse`] rejects ([`Checkpoint::check`] says so beforehand).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.com/log42`.
    pub origin: String,
    /// The number of leaves in the tree.
    pub size: u64,
    /// The RFC 6962 root hash of the tree of `size` leaves.
    pub root: Hash,
    /// Opaque extension lines, without their newlines.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// Parses checkpoint text (a note's text, ending in a newline), strictly per the spec:
    /// no empty line, a size with no leading zeros (except `0` itself) that fits in a
    /// `u64`, a root hash of exactly 32 bytes in canonical padded base64, and no control
    /// characters but the newlines.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            let what = match i {
                0 => "origin",
                1 => "tree size",
                2 => "root hash",
                _ => "extension",
            };
            let bad = |reason| bad_line(i + 1, what, reason, line);
            if line.is_empty() {
                return Err(bad("the line is empty"));
            }
            if line.chars().any(|c| c < ' ') {
                return Err(bad("the line contains a control character"));
            }
        }
        if lines.len() < 3 {
            return Err(CheckpointError::TooFewLines { lines: lines.len() });
        }
        Ok(Checkpoint {
            origin: lines[0].to_owned(),
            size: parse_size(lines[1])?,
            root: parse_root(lines[2])?,
            extensions: lines[3..].iter().map(|l| (*l).to_owned()).collect(),
        })
    }

    /// The checkpoint text: the origin, size, root hash and extension lines, each ending in
    /// a newline.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        );
        for ext in &self.extensions {
            out.push_str(ext);
            out.push('\n');
        }
        out
    }

    /// Whether [`Checkpoint::to_text`] prints text that [`Checkpoint::parse`] accepts,
    /// giving the same checkpoint back.
    pub fn check(&self) -> Result<(), CheckpointError> {
        Checkpoint::parse(&self.to_text()).and_then(|back| {
            if back == *self {
                Ok(())
            } else {
                // A newline inside the origin or an extension splits it into other lines.
                Err(bad_line(
                    1,
                    "origin",
                    "the origin or an extension contains a newline",
                    &self.origin,
                ))
            }
        })
    }
}

fn bad_line(line: usize, what: &'static str, reason: &'static str, text: &str) -> CheckpointError {
    CheckpointError::BadLine {
        line,
        what,
        reason,
        text: text.chars().take(100).collect(),
    }
}

fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    let bad = |reason| bad_line(2, "tree size", reason, line);
    if !line.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("the tree size must be ASCII decimal digits only"));
    }
    if line.len() > 1 && line.starts_with('0') {
        return Err(bad("the tree size has a leading zero"));
    }
    line.parse()
        .map_err(|_| bad("the tree size does not fit in 64 bits"))
}

fn parse_root(line: &str) -> Result<Hash, CheckpointError> {
    let bad = |reason| bad_line(3, "root hash", reason, line);
    let raw = BASE64
        .decode(line)
        .map_err(|_| bad("the root hash is not canonical standard base64"))?;
    raw.try_into()
        .map_err(|_| bad("the root hash must decode to 32 bytes"))
}

/// Parses a signed note, verifies it with `verifiers` (see [`note::verify`]), then parses
/// its text as a checkpoint.
pub fn open(
    note_bytes: &[u8],
    verifiers: &[NoteVerifier],
) -> Result<(Checkpoint, Note), CheckpointError> {
    let note = Note::parse(note_bytes)?;
    note::verify(&note, verifiers)?;
    let checkpoint = Checkpoint::parse(note.text())?;
    Ok((checkpoint, note))
}
