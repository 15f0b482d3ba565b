//! Reading OSV advisories from a directory, a zip archive or a file, within limits.
//!
//! [`read`] hands each valid record to a sink as a [`Record`] (its JSON bytes and the parsed
//! advisory) and each record that does not parse or validate to a second callback as a
//! [`Rejected`], with where it came from and why: one bad record never fails a batch.
//! Problems with the source itself (a missing path, a corrupt archive, a limit reached, a
//! sink that fails) are errors and stop the read. [`load`] is `read` into a match index;
//! [`read_zip`] reads an archive from any seekable reader, such as a downloaded file or
//! bytes in memory. Zip entry names are only ever used as labels, never as file paths.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use vigil_match::{Index, Inserted};
use vigil_osv::{Format, Osv};

/// Bounds on what one source may cost.
#[derive(Clone, Copy, Debug)]
pub struct SourceLimits {
    /// Largest record, in bytes (a file, or a zip entry once decompressed).
    pub max_record_bytes: u64,
    /// Most entries in one zip archive.
    pub max_zip_entries: usize,
    /// Highest ratio of an entry's decompressed to compressed size (zip bombs).
    pub max_compression_ratio: u64,
    /// Most bytes decompressed from one archive in all.
    pub max_total_bytes: u64,
    /// Most files read from one directory tree.
    pub max_files: usize,
    /// Largest file given directly, which may hold a JSON array of many records.
    pub max_file_bytes: u64,
}

impl Default for SourceLimits {
    fn default() -> Self {
        SourceLimits {
            max_record_bytes: 1 << 20,
            max_zip_entries: 2_000_000,
            max_compression_ratio: 200,
            max_total_bytes: 16 << 30,
            max_files: 2_000_000,
            max_file_bytes: 256 << 20,
        }
    }
}

/// One valid advisory as read from a source.
#[derive(Clone, PartialEq)]
pub struct Record {
    /// The file path, `archive.zip!entry/name.json`, or a URL.
    pub source: String,
    /// The record as JSON: the bytes read for JSON input (an element of a JSON array as
    /// written), the parsed record serialized for YAML input.
    pub json: Vec<u8>,
    /// The record parsed and validated.
    pub osv: Osv,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes would drown the rest; the parsed record says what they hold.
        f.debug_struct("Record")
            .field("source", &self.source)
            .field("json", &format_args!("<{} bytes>", self.json.len()))
            .field("osv", &self.osv)
            .finish()
    }
}

impl Record {
    /// Parses and validates one record; the error says why it is rejected.
    pub fn parse(source: String, format: Format, bytes: Vec<u8>) -> Result<Record, Rejected> {
        let osv = match vigil_osv::Loader::default().load(&bytes, format) {
            Ok(osv) => osv,
            Err(e) => {
                return Err(Rejected {
                    source,
                    reason: e.to_string(),
                });
            }
        };
        let json = match format {
            Format::Json => bytes,
            // The store keeps JSON whatever the input was.
            Format::Yaml => match serde_json::to_vec(&osv) {
                Ok(json) => json,
                Err(e) => {
                    return Err(Rejected {
                        source,
                        reason: format!("cannot be written as JSON: {e}"),
                    });
                }
            },
        };
        Ok(Record { source, json, osv })
    }
}

/// A record that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejected {
    /// The file path, `archive.zip!entry/name.json`, or a URL.
    pub source: String,
    pub reason: String,
}

/// What a [`read`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Records read, valid and accepted by the sink.
    pub records: usize,
    /// Records handed to the rejected callback.
    pub rejected: usize,
}

/// What a [`load`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Records read and valid.
    pub records: usize,
    /// Of those, ids not seen before.
    pub new: usize,
    /// Of those, newer versions of a known id.
    pub replaced: usize,
    /// Of those, no newer than the copy already held, so dropped.
    pub unchanged: usize,
    pub rejected: Vec<Rejected>,
}

/// Why a sink could not take a record; [`read`] stops and returns it as
/// [`SourceError::Sink`].
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("cannot read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a readable zip archive: {reason}")]
    Zip { path: String, reason: String },
    #[error("{path}: {what} exceeds the limit of {limit}; raise {setting} to read it")]
    Limit {
        path: String,
        what: String,
        limit: u64,
        setting: &'static str,
    },
    /// The sink refused the record read from `path`.
    #[error("{path}: the record could not be stored")]
    Sink {
        path: String,
        #[source]
        source: SinkError,
    },
}

/// Called as work advances: `(done, total)`, in records or files.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Takes each valid record; an error stops the read.
pub type Sink<'a> = &'a mut dyn FnMut(Record) -> Result<(), SinkError>;

/// Takes each record that was skipped.
pub type RejectedSink<'a> = &'a mut dyn FnMut(Rejected);

/// Loads every advisory at `path` (a directory tree of `.json`/`.yaml` records, a zip
/// archive, or one file holding a record or a JSON array of records) into `index`.
pub fn load(
    path: &Path,
    index: &mut Index,
    limits: &SourceLimits,
    progress: Progress<'_>,
) -> Result<LoadReport, SourceError> {
    let mut report = LoadReport::default();
    let mut rejected = Vec::new();
    read(
        path,
        limits,
        &mut |record| {
            report.records += 1;
            match index.insert(record.osv) {
                Inserted::New => report.new += 1,
                Inserted::Replaced => report.replaced += 1,
                Inserted::Kept => report.unchanged += 1,
            }
            Ok(())
        },
        &mut |r| rejected.push(r),
        progress,
    )?;
    report.rejected = rejected;
    Ok(report)
}

/// Reads every advisory at `path` (a directory tree of `.json`/`.yaml` records, a zip
/// archive, or one file holding a record or a JSON array of records), handing each valid
/// record to `sink` and each invalid one to `rejected`, in a stable order.
pub fn read(
    path: &Path,
    limits: &SourceLimits,
    sink: Sink<'_>,
    rejected: RejectedSink<'_>,
    progress: Progress<'_>,
) -> Result<ReadReport, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    let mut out = Output {
        sink,
        rejected,
        report: ReadReport::default(),
    };
    if meta.is_dir() {
        read_dir(path, limits, progress, &mut out)?;
    } else if is_zip(path)? {
        let file = File::open(path).map_err(|e| io(path, e))?;
        read_zip_into(
            &path.display().to_string(),
            BufReader::new(file),
            limits,
            progress,
            &mut out,
        )?;
    } else {
        let bytes = read_bounded(path, limits)?;
        read_file_bytes(
            &path.display().to_string(),
            format_of(path),
            bytes,
            &mut out,
        )?;
        progress(1, 1);
    }
    Ok(out.report)
}

/// Reads every `.json`/`.yaml` entry of a zip archive, as [`read`] does for a zip file.
/// `label` names the archive in records' sources (`label!entry.json`) and in errors.
pub fn read_zip<R: Read + Seek>(
    label: &str,
    archive: R,
    limits: &SourceLimits,
    sink: Sink<'_>,
    rejected: RejectedSink<'_>,
    progress: Progress<'_>,
) -> Result<ReadReport, SourceError> {
    let mut out = Output {
        sink,
        rejected,
        report: ReadReport::default(),
    };
    read_zip_into(label, archive, limits, progress, &mut out)?;
    Ok(out.report)
}

/// Where records go, and the count of what went there.
struct Output<'a> {
    sink: Sink<'a>,
    rejected: RejectedSink<'a>,
    report: ReadReport,
}

impl Output<'_> {
    fn reject(&mut self, source: String, reason: String) {
        self.report.rejected += 1;
        (self.rejected)(Rejected { source, reason });
    }

    /// Parses and validates one record and hands it on, or lists why not.
    fn add(&mut self, source: String, format: Format, bytes: Vec<u8>) -> Result<(), SourceError> {
        match Record::parse(source, format, bytes) {
            Ok(record) => {
                let path = record.source.clone();
                (self.sink)(record).map_err(|source| SourceError::Sink { path, source })?;
                self.report.records += 1;
            }
            Err(rejected) => {
                self.report.rejected += 1;
                (self.rejected)(rejected);
            }
        }
        Ok(())
    }
}

fn io(path: &Path, source: std::io::Error) -> SourceError {
    SourceError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn is_zip(path: &Path) -> Result<bool, SourceError> {
    let mut magic = [0u8; 4];
    let mut file = File::open(path).map_err(|e| io(path, e))?;
    let n = file.read(&mut magic).map_err(|e| io(path, e))?;
    Ok(n == 4 && magic == *b"PK\x03\x04")
}

fn format_of(path: &Path) -> Option<Format> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Some(Format::Json),
        Some("yaml" | "yml") => Some(Format::Yaml),
        _ => None,
    }
}

fn read_bounded(path: &Path, limits: &SourceLimits) -> Result<Vec<u8>, SourceError> {
    let too_large = || SourceError::Limit {
        path: path.display().to_string(),
        what: "the file's size".to_owned(),
        limit: limits.max_file_bytes,
        setting: "max_file_bytes",
    };
    let file = File::open(path).map_err(|e| io(path, e))?;
    if file.metadata().map_err(|e| io(path, e))?.len() > limits.max_file_bytes {
        return Err(too_large());
    }
    // The size can change between the check and the read; the read is bounded anyway.
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io(path, e))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A file given directly: one record, or a JSON array of them.
fn read_file_bytes(
    label: &str,
    format: Option<Format>,
    bytes: Vec<u8>,
    out: &mut Output<'_>,
) -> Result<(), SourceError> {
    let looks_like_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if format != Some(Format::Yaml) && looks_like_array {
        // Raw values keep each element's bytes as written, for the record's `json`.
        match serde_json::from_slice::<Vec<&serde_json::value::RawValue>>(&bytes) {
            Ok(records) => {
                for (i, record) in records.iter().enumerate() {
                    out.add(
                        format!("{label}[{i}]"),
                        Format::Json,
                        record.get().as_bytes().to_vec(),
                    )?;
                }
            }
            Err(e) => out.reject(
                label.to_owned(),
                format!("not a JSON array of OSV records: {e}"),
            ),
        }
        return Ok(());
    }
    out.add(label.to_owned(), format.unwrap_or(Format::Json), bytes)
}

fn read_dir(
    root: &Path,
    limits: &SourceLimits,
    progress: Progress<'_>,
    out: &mut Output<'_>,
) -> Result<(), SourceError> {
    let mut files: Vec<(PathBuf, Format)> = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| io(&dir, e))? {
            let entry = entry.map_err(|e| io(&dir, e))?;
            // Symbolic links are not followed, so a link cannot loop the walk or leave it.
            let kind = entry.file_type().map_err(|e| io(&entry.path(), e))?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && let Some(format) = format_of(&path)
            {
                if files.len() == limits.max_files {
                    return Err(SourceError::Limit {
                        path: root.display().to_string(),
                        what: "the number of record files".to_owned(),
                        limit: limits.max_files as u64,
                        setting: "max_files",
                    });
                }
                files.push((path, format));
            }
        }
    }
    // A stable order makes reports and replacement reproducible.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let total = files.len() as u64;
    for (done, (path, format)) in files.iter().enumerate() {
        let label = path.display().to_string();
        let file = File::open(path).map_err(|e| io(path, e))?;
        // Bounded by the limit whatever the size was when the directory was listed.
        let mut bytes = Vec::new();
        file.take(limits.max_record_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io(path, e))?;
        if bytes.len() as u64 > limits.max_record_bytes {
            let size = std::fs::metadata(path).map_err(|e| io(path, e))?.len();
            out.reject(
                label,
                format!(
                    "record is {size} bytes; the limit is {} (max_record_bytes)",
                    limits.max_record_bytes
                ),
            );
        } else {
            out.add(label, *format, bytes)?;
        }
        progress(done as u64 + 1, total);
    }
    Ok(())
}

fn read_zip_into<R: Read + Seek>(
    label: &str,
    reader: R,
    limits: &SourceLimits,
    progress: Progress<'_>,
    out: &mut Output<'_>,
) -> Result<(), SourceError> {
    let zip_error = |path: &str, e: &dyn std::fmt::Display| SourceError::Zip {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| zip_error(label, &e))?;
    let total = archive.len();
    if total > limits.max_zip_entries {
        return Err(SourceError::Limit {
            path: label.to_owned(),
            what: format!("the archive's {total} entries"),
            limit: limits.max_zip_entries as u64,
            setting: "max_zip_entries",
        });
    }
    let mut decompressed = 0u64;
    for i in 0..total {
        let mut entry = archive.by_index(i).map_err(|e| zip_error(label, &e))?;
        // A name that is not UTF-8 is shown lossily; it is only ever a label.
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let source = format!("{label}!{name}");
        let format = match Path::new(&name).extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ => {
                progress(i as u64 + 1, total as u64);
                continue;
            }
        };
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        if declared > limits.max_record_bytes {
            out.reject(
                source,
                format!(
                    "entry is {declared} bytes decompressed; the limit is {} (max_record_bytes)",
                    limits.max_record_bytes
                ),
            );
            progress(i as u64 + 1, total as u64);
            continue;
        }
        let ratio_limit = |ratio: u64, source: String| SourceError::Limit {
            path: source,
            what: format!("the compression ratio {ratio}:1"),
            limit: limits.max_compression_ratio,
            setting: "max_compression_ratio",
        };
        if declared / compressed > limits.max_compression_ratio {
            return Err(ratio_limit(declared / compressed, source));
        }
        // The header's size is the archive's claim; the read is bounded whatever it says.
        let mut bytes = Vec::with_capacity(declared as usize);
        (&mut entry)
            .take(limits.max_record_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| zip_error(&source, &e))?;
        let actual = bytes.len() as u64;
        decompressed += actual;
        if decompressed > limits.max_total_bytes {
            return Err(SourceError::Limit {
                path: label.to_owned(),
                what: "the decompressed size".to_owned(),
                limit: limits.max_total_bytes,
                setting: "max_total_bytes",
            });
        }
        // A header that understates the size does not get past the ratio either.
        if actual / compressed > limits.max_compression_ratio {
            return Err(ratio_limit(actual / compressed, source));
        }
        if actual > limits.max_record_bytes {
            out.reject(
                source,
                format!(
                    "entry decompresses past its declared size and the limit of {} bytes (max_record_bytes)",
                    limits.max_record_bytes
                ),
            );
        } else {
            out.add(source, format, bytes)?;
        }
        progress(i as u64 + 1, total as u64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const RECORD: &str = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z",
        "affected":[{"package":{"ecosystem":"npm","name":"left-pad"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}"#;

    fn record(id: &str, modified: &str) -> String {
        RECORD
            .replace("GHSA-aaaa-bbbb-cccc", id)
            .replace("2024-01-01T00:00:00Z", modified)
    }

    fn run(path: &Path, limits: &SourceLimits) -> Result<(Index, LoadReport), SourceError> {
        let mut index = Index::new();
        let mut calls = 0;
        let report = load(path, &mut index, limits, &mut |_, _| calls += 1)?;
        assert!(calls > 0, "progress is reported");
        Ok((index, report))
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    #[test]
    fn directory_tree_with_a_bad_record() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("npm")).unwrap();
        std::fs::write(
            dir.path().join("npm/a.json"),
            record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z"),
        )
        .unwrap();
        std::fs::write(dir.path().join("b.json"), "{\"id\": 1}").unwrap();
        std::fs::write(dir.path().join("README.md"), "not a record").unwrap();
        let (index, report) = run(dir.path(), &SourceLimits::default()).unwrap();
        assert_eq!(index.len(), 1);
        assert_eq!((report.records, report.new), (1, 1));
        assert_eq!(report.rejected.len(), 1);
        assert!(
            report.rejected[0].source.ends_with("b.json"),
            "{:?}",
            report.rejected
        );
    }

    #[test]
    fn zip_keeps_the_newest_of_each_id() {
        let zip = zip_of(&[
            (
                "a.json",
                record("GHSA-1111-2222-3333", "2024-01-02T00:00:00Z").as_bytes(),
            ),
            (
                "b.json",
                record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z").as_bytes(),
            ),
            ("../../etc/passwd.json", b"{}"),
            ("notes.txt", b"ignored"),
        ]);
        let (index, report) = run(zip.path(), &SourceLimits::default()).unwrap();
        assert_eq!(index.len(), 1);
        assert_eq!((report.records, report.new, report.unchanged), (2, 1, 1));
        // A hostile entry name is only a label.
        assert_eq!(report.rejected.len(), 1);
        assert!(
            report.rejected[0]
                .source
                .ends_with("!../../etc/passwd.json")
        );
    }

    #[test]
    fn zip_bomb_ratio_is_refused() {
        let zeros = vec![b' '; 500_000];
        let zip = zip_of(&[("bomb.json", &zeros)]);
        let err = run(zip.path(), &SourceLimits::default()).unwrap_err();
        assert!(err.to_string().contains("max_compression_ratio"), "{err}");
    }

    #[test]
    fn oversized_entries_are_listed_not_read() {
        let limits = SourceLimits {
            max_record_bytes: 100,
            ..SourceLimits::default()
        };
        let zip = zip_of(&[(
            "big.json",
            record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z").as_bytes(),
        )]);
        let (index, report) = run(zip.path(), &limits).unwrap();
        assert!(index.is_empty());
        assert!(report.rejected[0].reason.contains("max_record_bytes"));
    }

    #[test]
    fn too_many_entries_is_an_error_naming_the_setting() {
        let limits = SourceLimits {
            max_zip_entries: 1,
            ..SourceLimits::default()
        };
        let zip = zip_of(&[("a.json", b"{}"), ("b.json", b"{}")]);
        let err = run(zip.path(), &limits).unwrap_err();
        assert!(err.to_string().contains("max_zip_entries"), "{err}");
    }

    #[test]
    fn single_file_holds_a_record_or_an_array() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.json");
        std::fs::write(&one, record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z")).unwrap();
        assert_eq!(run(&one, &SourceLimits::default()).unwrap().0.len(), 1);
        let many = dir.path().join("many.json");
        let array = format!(
            "[{}, {}]",
            record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z"),
            record("GHSA-4444-5555-6666", "2024-01-01T00:00:00Z")
        );
        std::fs::write(&many, array).unwrap();
        assert_eq!(run(&many, &SourceLimits::default()).unwrap().0.len(), 2);
    }

    #[test]
    fn oversized_file_is_refused_naming_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("all.json");
        let record = record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z");
        std::fs::write(&file, format!("[{record}, {record}]")).unwrap();
        let limits = SourceLimits {
            max_file_bytes: record.len() as u64,
            ..SourceLimits::default()
        };
        let err = run(&file, &limits).unwrap_err();
        assert!(err.to_string().contains("max_file_bytes"), "{err}");
    }

    /// Reads `path` and returns the records and rejections handed on.
    fn read_all(path: &Path) -> (Vec<Record>, Vec<Rejected>) {
        let (mut records, mut rejected) = (Vec::new(), Vec::new());
        let report = read(
            path,
            &SourceLimits::default(),
            &mut |r| {
                records.push(r);
                Ok(())
            },
            &mut |r| rejected.push(r),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(
            (report.records, report.rejected),
            (records.len(), rejected.len())
        );
        (records, rejected)
    }

    #[test]
    fn records_carry_their_json_as_read() {
        let dir = tempfile::tempdir().unwrap();
        let json = record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z");
        std::fs::write(dir.path().join("a.json"), &json).unwrap();
        std::fs::write(
            dir.path().join("b.yaml"),
            "id: PYSEC-2024-1\nmodified: 2024-01-02T00:00:00Z\n",
        )
        .unwrap();
        let (records, rejected) = read_all(dir.path());
        assert!(rejected.is_empty(), "{rejected:?}");
        assert_eq!(records[0].json, json.as_bytes());
        assert_eq!(records[0].osv.id.as_str(), "GHSA-1111-2222-3333");
        // YAML is kept as the JSON of the parsed record.
        let yaml_json: serde_json::Value = serde_json::from_slice(&records[1].json).unwrap();
        assert_eq!(
            yaml_json,
            serde_json::json!({"id": "PYSEC-2024-1", "modified": "2024-01-02T00:00:00Z"})
        );
        assert!(records[1].source.ends_with("b.yaml"));
    }

    #[test]
    fn array_elements_keep_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let one = record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z");
        let file = dir.path().join("many.json");
        std::fs::write(&file, format!("[ {one} ,\n{{\"id\": 7}}]")).unwrap();
        let (records, rejected) = read_all(&file);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].json, one.as_bytes());
        assert!(records[0].source.ends_with("many.json[0]"));
        assert!(rejected[0].source.ends_with("many.json[1]"), "{rejected:?}");
    }

    #[test]
    fn a_failing_sink_stops_the_read() {
        let zip = zip_of(&[
            (
                "a.json",
                record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z").as_bytes(),
            ),
            (
                "b.json",
                record("GHSA-4444-5555-6666", "2024-01-01T00:00:00Z").as_bytes(),
            ),
        ]);
        let mut calls = 0;
        let err = read(
            zip.path(),
            &SourceLimits::default(),
            &mut |_| {
                calls += 1;
                Err("disk full".into())
            },
            &mut |_| {},
            &mut |_, _| {},
        )
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(
            err.to_string()
                .ends_with("!a.json: the record could not be stored"),
            "{err}"
        );
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("disk full"));
    }

    #[test]
    fn zip_reads_from_memory() {
        let zip = zip_of(&[(
            "x/a.json",
            record("GHSA-1111-2222-3333", "2024-01-01T00:00:00Z").as_bytes(),
        )]);
        let bytes = std::fs::read(zip.path()).unwrap();
        let mut records = Vec::new();
        let report = read_zip(
            "mem.zip",
            std::io::Cursor::new(&bytes),
            &SourceLimits::default(),
            &mut |r| {
                records.push(r);
                Ok(())
            },
            &mut |r| panic!("{r:?}"),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(report.records, 1);
        assert_eq!(records[0].source, "mem.zip!x/a.json");
        let truncated = &bytes[..bytes.len() / 2];
        let err = read_zip(
            "mem.zip",
            std::io::Cursor::new(truncated),
            &SourceLimits::default(),
            &mut |_| Ok(()),
            &mut |_| {},
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("mem.zip: not a readable zip archive"),
            "{err}"
        );
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let err = run(
            Path::new("/nonexistent/advisories"),
            &SourceLimits::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "cannot read /nonexistent/advisories");
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        assert!(cause.is_some_and(|c| c.contains("No such file")));
    }
}
