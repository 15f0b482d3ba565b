//! One entry of a manifest: what is recorded about a file, directory, symlink or other
//! node of the tree.

use std::fmt;
use std::str::FromStr;

use crate::path::{LinkTarget, RelPath};

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256(pub [u8; 32]);

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl FromStr for Sha256 {
    type Err = String;

    fn from_str(text: &str) -> Result<Sha256, String> {
        let mut bytes = [0u8; 32];
        if text.len() != 64 || text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "{text:?}: a SHA-256 digest is 64 lowercase hex digits"
            ));
        }
        hex::decode_to_slice(text, &mut bytes)
            .map_err(|e| format!("{text:?}: a SHA-256 digest is 64 lowercase hex digits: {e}"))?;
        Ok(Sha256(bytes))
    }
}

impl TryFrom<String> for Sha256 {
    type Error = String;

    fn try_from(text: String) -> Result<Sha256, String> {
        text.parse()
    }
}

impl From<Sha256> for String {
    fn from(digest: Sha256) -> String {
        digest.to_string()
    }
}

/// Permission bits and the setuid, setgid and sticky bits (`mode & 0o7777`), written
/// as four octal digits (`0755`). The file type is [`Kind`], not part of the mode.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Mode(u16);

impl Mode {
    /// The bits of `st_mode` that a mode holds; the file type bits are dropped.
    pub fn from_st_mode(st_mode: u32) -> Mode {
        Mode((st_mode & 0o7777) as u16)
    }

    /// The bits, at most `0o7777`.
    pub fn bits(self) -> u32 {
        u32::from(self.0)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mode({self})")
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Mode, String> {
        let digits = text.len() == 4 && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
        match u16::from_str_radix(text, 8) {
            Ok(bits) if digits => Ok(Mode(bits)),
            _ => Err(format!(
                "{text:?}: a mode is four octal digits, 0000 to 7777"
            )),
        }
    }
}

impl TryFrom<String> for Mode {
    type Error = String;

    fn try_from(text: String) -> Result<Mode, String> {
        text.parse()
    }
}

impl From<Mode> for String {
    fn from(mode: Mode) -> String {
        mode.to_string()
    }
}

/// A file time (modification or status change) to the nanosecond, written in RFC 3339
/// (`2026-01-05T09:01:00.5Z`), or as `@SECONDS.NANOSECONDS` since the Unix epoch for
/// the rare time outside the years 0000 to 9999.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct FileTime {
    secs: i64,
    nanos: u32,
}

impl FileTime {
    /// Seconds and nanoseconds since the Unix epoch; `None` if `nanos` is a second or
    /// more.
    pub fn new(secs: i64, nanos: u32) -> Option<FileTime> {
        (nanos < 1_000_000_000).then_some(FileTime { secs, nanos })
    }

    /// A time as `stat` reports it; nanoseconds beyond a second (which no kernel
    /// reports) are cut to the last nanosecond of the second.
    pub(crate) fn from_stat(secs: i64, nanos: u64) -> FileTime {
        FileTime {
            secs,
            nanos: nanos.min(999_999_999) as u32,
        }
    }

    /// Seconds since the Unix epoch.
    pub fn secs(self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn nanos(self) -> u32 {
        self.nanos
    }

    fn to_datetime(self) -> Option<time::OffsetDateTime> {
        let nanos = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos);
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
    }
}

impl fmt::Display for FileTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_datetime().and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
        match text {
            Some(text) => f.write_str(&text),
            None => write!(f, "@{}.{:09}", self.secs, self.nanos),
        }
    }
}

impl fmt::Debug for FileTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileTime({self})")
    }
}

impl FromStr for FileTime {
    type Err = String;

    fn from_str(text: &str) -> Result<FileTime, String> {
        let wrong = || format!("{text:?}: a file time is RFC 3339 or @SECONDS.NANOSECONDS");
        let time = if let Some(rest) = text.strip_prefix('@') {
            let (secs, nanos) = rest.split_once('.').ok_or_else(wrong)?;
            if nanos.len() != 9 || !nanos.bytes().all(|b| b.is_ascii_digit()) {
                return Err(wrong());
            }
            let secs = secs.parse().map_err(|_| wrong())?;
            let nanos = nanos.parse().map_err(|_| wrong())?;
            FileTime::new(secs, nanos).ok_or_else(wrong)?
        } else {
            let t =
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| format!("{}: {e}", wrong()))?;
            let secs = t.unix_timestamp();
            FileTime::new(secs, t.nanosecond()).ok_or_else(wrong)?
        };
        // One spelling per time, so a manifest's bytes are a function of its content.
        if time.to_string() != text {
            return Err(format!(
                "{text:?}: not the canonical spelling of this time, {time}"
            ));
        }
        Ok(time)
    }
}

impl TryFrom<String> for FileTime {
    type Error = String;

    fn try_from(text: String) -> Result<FileTime, String> {
        text.parse()
    }
}

impl From<FileTime> for String {
    fn from(time: FileTime) -> String {
        time.to_string()
    }
}

/// What an entry is, with what is recorded only for that kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A regular file. `sha256` is absent only for a file larger than
    /// [`Limits::max_hashed_file_size`](crate::Limits::max_hashed_file_size).
    File {
        sha256: Option<Sha256>,
    },
    Dir,
    /// A symbolic link, never followed.
    Symlink {
        target: LinkTarget,
    },
    /// A FIFO, socket or device node: recorded with its metadata, never opened.
    Other,
}

impl Kind {
    /// The kind's name in a manifest: `file`, `dir`, `symlink` or `other`.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::File { .. } => "file",
            Kind::Dir => "dir",
            Kind::Symlink { .. } => "symlink",
            Kind::Other => "other",
        }
    }
}

/// What is recorded about one node of the tree.
///
/// `mtime`, `ctime` and `inode` are recorded but not compared by default: `mtime` is
/// compared when [`CompareOptions::mtime`](crate::CompareOptions::mtime) asks for it,
/// and the three of them let [`check`](crate::check) skip hashing files that did not
/// change when [`Options::trust_unchanged_metadata`](crate::Options::trust_unchanged_metadata)
/// asks for that.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "EntryRepr", into = "EntryRepr")]
pub struct Entry {
    pub path: RelPath,
    pub kind: Kind,
    /// Bytes in a file, bytes in a symlink's target, 0 for the others (a directory's
    /// size depends on the file system, not on what the directory holds).
    pub size: u64,
    pub mode: Mode,
    pub uid: u32,
    pub gid: u32,
    pub mtime: FileTime,
    /// The status change time, which no system call can set back: any write or chmod
    /// moves it.
    pub ctime: FileTime,
    pub inode: u64,
}

impl Entry {
    /// The file's digest, if this is a file that was hashed.
    pub fn sha256(&self) -> Option<Sha256> {
        match self.kind {
            Kind::File { sha256 } => sha256,
            _ => None,
        }
    }
}

/// An entry as it is written in JSON: fields in this order, `sha256` only on files
/// that were hashed, `target` only on symlinks.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryRepr {
    path: RelPath,
    kind: String,
    size: u64,
    mode: Mode,
    uid: u32,
    gid: u32,
    mtime: FileTime,
    ctime: FileTime,
    inode: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sha256: Option<Sha256>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<LinkTarget>,
}

impl From<Entry> for EntryRepr {
    fn from(entry: Entry) -> EntryRepr {
        let (sha256, target) = match entry.kind.clone() {
            Kind::File { sha256 } => (sha256, None),
            Kind::Symlink { target } => (None, Some(target)),
            Kind::Dir | Kind::Other => (None, None),
        };
        EntryRepr {
            path: entry.path,
            kind: entry.kind.name().to_owned(),
            size: entry.size,
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            mtime: entry.mtime,
            ctime: entry.ctime,
            inode: entry.inode,
            sha256,
            target,
        }
    }
}

impl TryFrom<EntryRepr> for Entry {
    type Error = String;

    fn try_from(repr: EntryRepr) -> Result<Entry, String> {
        let path = &repr.path;
        let kind = match (repr.kind.as_str(), repr.sha256, repr.target) {
            ("file", sha256, None) => Kind::File { sha256 },
            ("symlink", None, Some(target)) => {
                if target.len() as u64 != repr.size {
                    return Err(format!(
                        "{path}: a symlink's size is the length of its target, {}, not {}",
                        target.len(),
                        repr.size
                    ));
                }
                Kind::Symlink { target }
            }
            ("dir" | "other", None, None) => {
                if repr.size != 0 {
                    return Err(format!(
                        "{path}: the size of a {} is recorded as 0",
                        repr.kind
                    ));
                }
                if repr.kind == "dir" {
                    Kind::Dir
                } else {
                    Kind::Other
                }
            }
            ("file" | "symlink" | "dir" | "other", _, _) => {
                return Err(format!(
                    "{path}: sha256 is only on files and target only (and always) on symlinks"
                ));
            }
            (other, _, _) => {
                return Err(format!(
                    "{path}: kind {other:?} is none of file, dir, symlink, other"
                ));
            }
        };
        Ok(Entry {
            path: repr.path,
            kind,
            size: repr.size,
            mode: repr.mode,
            uid: repr.uid,
            gid: repr.gid,
            mtime: repr.mtime,
            ctime: repr.ctime,
            inode: repr.inode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_four_octal_digits() {
        assert_eq!(Mode::from_st_mode(0o100644).to_string(), "0644");
        assert_eq!(Mode::from_st_mode(0o104755).to_string(), "4755");
        assert_eq!("0644".parse::<Mode>().map(Mode::bits), Ok(0o644));
        for bad in ["644", "10644", "0648", "-644", "+644"] {
            assert!(bad.parse::<Mode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn file_times_have_one_spelling() {
        let t = FileTime::new(1_767_603_660, 500_000_000).unwrap();
        assert_eq!(t.to_string(), "2026-01-05T09:01:00.5Z");
        assert_eq!("2026-01-05T09:01:00.5Z".parse(), Ok(t));
        assert!("2026-01-05T09:01:00.50Z".parse::<FileTime>().is_err());
        assert!("2026-01-05T10:01:00.5+01:00".parse::<FileTime>().is_err());
        let far = FileTime::new(400_000_000_000, 7).unwrap();
        assert_eq!(far.to_string(), "@400000000000.000000007");
        assert_eq!("@400000000000.000000007".parse(), Ok(far));
        let before = FileTime::new(-400_000_000_000, 0).unwrap();
        assert_eq!(before.to_string().parse(), Ok(before));
    }

    #[test]
    fn digests_are_lowercase_hex() {
        let d = Sha256([0xab; 32]);
        assert_eq!(d.to_string().parse(), Ok(d));
        assert!(d.to_string().to_uppercase().parse::<Sha256>().is_err());
        assert!("abc".parse::<Sha256>().is_err());
    }
}
