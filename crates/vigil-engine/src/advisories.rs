//! Reading OSV advisories from a directory, a zip archive or a file, within limits.
//!
//! A record that does not parse or validate is listed in the [`LoadReport`] with where it
//! came from and why, and skipped: one bad record never fails a batch. Problems with the
//! source itself (a missing path, a corrupt archive, a limit reached) are errors. Zip entry
//! names are only ever used as labels, never as file paths.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use vigil_match::{Index, Inserted};
use vigil_osv::Format;

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

/// A record that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The file path, or `archive.zip!entry/name.json`.
    pub source: String,
    pub reason: String,
}

/// What a load did.
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
}

/// Called as work advances: `(done, total)`, in records or files.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Loads every advisory at `path` (a directory tree of `.json`/`.yaml` records, a zip
/// archive, or one file holding a record or a JSON array of records) into `index`.
pub fn load(
    path: &Path,
    index: &mut Index,
    limits: &SourceLimits,
    progress: Progress<'_>,
) -> Result<LoadReport, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    let mut report = LoadReport::default();
    if meta.is_dir() {
        load_dir(path, index, limits, progress, &mut report)?;
    } else if is_zip(path)? {
        load_zip(path, index, limits, progress, &mut report)?;
    } else {
        let bytes = read_bounded(path, limits)?;
        load_file_bytes(
            &path.display().to_string(),
            format_of(path),
            &bytes,
            index,
            &mut report,
        );
        progress(1, 1);
    }
    Ok(report)
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
fn load_file_bytes(
    label: &str,
    format: Option<Format>,
    bytes: &[u8],
    index: &mut Index,
    report: &mut LoadReport,
) {
    let looks_like_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if format != Some(Format::Yaml) && looks_like_array {
        match serde_json::from_slice::<Vec<serde_json::Value>>(bytes) {
            Ok(records) => {
                for (i, record) in records.iter().enumerate() {
                    let bytes = record.to_string().into_bytes();
                    add(
                        &format!("{label}[{i}]"),
                        Format::Json,
                        &bytes,
                        index,
                        report,
                    );
                }
            }
            Err(e) => report.rejected.push(Rejected {
                source: label.to_owned(),
                reason: format!("not a JSON array of OSV records: {e}"),
            }),
        }
        return;
    }
    add(label, format.unwrap_or(Format::Json), bytes, index, report);
}

/// Parses, validates and inserts one record, or lists why not.
fn add(label: &str, format: Format, bytes: &[u8], index: &mut Index, report: &mut LoadReport) {
    match vigil_osv::Loader::default().load(bytes, format) {
        Ok(osv) => {
            report.records += 1;
            match index.insert(osv) {
                Inserted::New => report.new += 1,
                Inserted::Replaced => report.replaced += 1,
                Inserted::Kept => report.unchanged += 1,
            }
        }
        Err(e) => report.rejected.push(Rejected {
            source: label.to_owned(),
            reason: e.to_string(),
        }),
    }
}

fn load_dir(
    root: &Path,
    index: &mut Index,
    limits: &SourceLimits,
    progress: Progress<'_>,
    report: &mut LoadReport,
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
        let size = std::fs::metadata(path).map_err(|e| io(path, e))?.len();
        if size > limits.max_record_bytes {
            report.rejected.push(Rejected {
                source: label,
                reason: format!(
                    "record is {size} bytes; the limit is {} (max_record_bytes)",
                    limits.max_record_bytes
                ),
            });
        } else {
            let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
            add(&label, *format, &bytes, index, report);
        }
        progress(done as u64 + 1, total);
    }
    Ok(())
}

fn load_zip(
    path: &Path,
    index: &mut Index,
    limits: &SourceLimits,
    progress: Progress<'_>,
    report: &mut LoadReport,
) -> Result<(), SourceError> {
    let label = path.display().to_string();
    let zip_error = |e: zip::result::ZipError| SourceError::Zip {
        path: label.clone(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(|e| io(path, e))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
    let total = archive.len();
    if total > limits.max_zip_entries {
        return Err(SourceError::Limit {
            path: label,
            what: format!("the archive's {total} entries"),
            limit: limits.max_zip_entries as u64,
            setting: "max_zip_entries",
        });
    }
    let mut decompressed = 0u64;
    for i in 0..total {
        let mut entry = archive.by_index(i).map_err(zip_error)?;
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
            report.rejected.push(Rejected {
                source,
                reason: format!(
                    "entry is {declared} bytes decompressed; the limit is {} (max_record_bytes)",
                    limits.max_record_bytes
                ),
            });
            progress(i as u64 + 1, total as u64);
            continue;
        }
        if declared / compressed > limits.max_compression_ratio {
            return Err(SourceError::Limit {
                path: source,
                what: format!("the compression ratio {}:1", declared / compressed),
                limit: limits.max_compression_ratio,
                setting: "max_compression_ratio",
            });
        }
        // The header's size is the archive's claim; the read is bounded whatever it says.
        let mut bytes = Vec::with_capacity(declared as usize);
        (&mut entry)
            .take(limits.max_record_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io(path, e))?;
        decompressed += bytes.len() as u64;
        if decompressed > limits.max_total_bytes {
            return Err(SourceError::Limit {
                path: label,
                what: "the decompressed size".to_owned(),
                limit: limits.max_total_bytes,
                setting: "max_total_bytes",
            });
        }
        if bytes.len() as u64 > limits.max_record_bytes {
            report.rejected.push(Rejected {
                source,
                reason: format!(
                    "entry decompresses past its declared size and the limit of {} bytes (max_record_bytes)",
                    limits.max_record_bytes
                ),
            });
        } else {
            add(&source, format, &bytes, index, report);
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
