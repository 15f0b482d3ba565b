//! Syncing OSV advisories from osv.dev's export bucket over HTTP into a [`FeedSink`].
//!
//! The bucket's layout, as osv.dev's exporter writes it (`go/cmd/exporter`):
//! - `BASE/ecosystems.txt`: the ecosystems, one a line, sorted. Releases are folded into
//!   their parent (`Debian:12` is exported under `Debian`), and two pseudo-ecosystems hold
//!   records by git range (`GIT`) and records with no ecosystem (`[EMPTY]`).
//! - `BASE/ECOSYSTEM/all.zip`: every record of the ecosystem, one `ID.json` entry each.
//! - `BASE/ECOSYSTEM/modified_id.csv`: `modified,ID` lines, `modified` in RFC 3339 with
//!   nanoseconds, sorted newest first *as strings*.
//! - `BASE/ECOSYSTEM/ID.json`: one record.
//! - `BASE/modified_id.csv` lists every ecosystem's records as `modified,ECOSYSTEM/ID`.
//!   Sync does not use it: cursors are per ecosystem, and the per-ecosystem file lets a
//!   sync stop reading at its own cursor.
//!
//! The first sync of an ecosystem (the sink has no cursor for it) downloads `all.zip` to
//! a temporary file in [`FeedConfig::work_dir`] and hands every record to the sink in
//! batches. A later sync reads `modified_id.csv` only down to the cursor and fetches just
//! the records listed as newer. The cursor moves only after every record up to it is
//! stored, so a sync that stops part way (a crash, a network error) fetches the same
//! records again next time: sync is resumable because storing is idempotent. The sink
//! keeps a record only when it is newer than the copy it holds; sync does not decide that.
//!
//! Invalid records go to [`FeedSink::rejected`] with the reason and never fail a batch.
//! Every request has timeouts and every body a byte limit; an HTTP error names the URL
//! and the status.

mod http;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vigil_osv::Format;

use crate::advisories::{self, Record, Rejected, SinkError, SourceError, SourceLimits};
use http::Client;

/// osv.dev's public export bucket.
pub const DEFAULT_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Where to sync from and what it may cost.
#[derive(Clone, Debug)]
pub struct FeedConfig {
    /// The bucket's base URL; a trailing `/` is ignored.
    pub base: String,
    /// Ecosystems to sync, as the feed names them (`crates.io`, `Rocky Linux`); empty
    /// means every line of `ecosystems.txt`.
    pub ecosystems: Vec<String>,
    /// Bounds on reading `all.zip` and each record.
    pub limits: SourceLimits,
    /// Largest `all.zip` download, in bytes.
    pub max_download_bytes: u64,
    /// Most bytes read from `ecosystems.txt` or one `modified_id.csv`.
    pub max_index_bytes: u64,
    /// Longest wait to resolve, connect, get a response, or get the next bytes of one.
    pub timeout: Duration,
    /// Longest time to receive one response body.
    pub download_timeout: Duration,
    /// Records handed to [`FeedSink::records`] at a time.
    pub batch_size: usize,
    /// Directory for downloads; each is a temporary file, removed when it has been read.
    pub work_dir: PathBuf,
}

impl FeedConfig {
    /// The defaults: osv.dev's bucket, every ecosystem, downloads in `work_dir`.
    pub fn new(work_dir: impl Into<PathBuf>) -> FeedConfig {
        FeedConfig {
            base: DEFAULT_BASE.to_owned(),
            ecosystems: Vec::new(),
            limits: SourceLimits::default(),
            max_download_bytes: 4 << 30,
            max_index_bytes: 256 << 20,
            timeout: Duration::from_secs(30),
            download_timeout: Duration::from_secs(3600),
            batch_size: 1000,
            work_dir: work_dir.into(),
        }
    }
}

/// Where synced records go: the store.
pub trait FeedSink {
    /// The newest `modified` already stored for this ecosystem from this feed, `None` if
    /// it was never synced.
    fn cursor(&mut self, ecosystem: &str) -> Result<Option<OffsetDateTime>, SinkError>;
    /// Stores a batch of valid records durably (one transaction) before returning. A
    /// record may come again after an interrupted sync, and may be older than the copy
    /// held: the sink keeps the newer.
    fn records(&mut self, ecosystem: &str, batch: Vec<Record>) -> Result<(), SinkError>;
    /// A record, or a line of `modified_id.csv`, that was skipped, and why.
    fn rejected(&mut self, ecosystem: &str, rejected: Rejected);
    /// Called once every record of the ecosystem up to `cursor` is stored.
    fn set_cursor(&mut self, ecosystem: &str, cursor: OffsetDateTime) -> Result<(), SinkError>;
}

/// How an ecosystem was synced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncMode {
    /// No cursor: every record, from `all.zip`.
    Full,
    /// The records `modified_id.csv` lists as newer than the cursor, one `ID.json` each.
    Incremental,
}

/// What a sync is doing, for progress bars.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum FeedProgress<'a> {
    /// An ecosystem's sync begins.
    Started { ecosystem: &'a str, mode: SyncMode },
    /// Bytes downloaded for the ecosystem so far, of `total` when known.
    Downloaded {
        ecosystem: &'a str,
        bytes: u64,
        total: Option<u64>,
    },
    /// Records (or archive entries) handled so far, of `total`.
    Records {
        ecosystem: &'a str,
        done: u64,
        total: u64,
    },
    /// An ecosystem's sync is done.
    Finished {
        ecosystem: &'a str,
        report: &'a EcosystemReport,
    },
}

/// What a sync did to one ecosystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcosystemReport {
    pub ecosystem: String,
    pub mode: SyncMode,
    /// Valid records handed to the sink.
    pub stored: usize,
    /// Records (and `modified_id.csv` lines) handed to [`FeedSink::rejected`].
    pub rejected: usize,
    /// Lines of `modified_id.csv` read but not newer than the cursor, so not fetched.
    pub unchanged: usize,
    /// The cursor before the sync.
    pub previous_cursor: Option<OffsetDateTime>,
    /// The cursor after it: the newest `modified` stored, or the previous one when
    /// nothing was newer.
    pub cursor: Option<OffsetDateTime>,
    /// Bytes downloaded.
    pub bytes: u64,
    pub duration: Duration,
}

/// What a sync did, one entry per ecosystem in the order synced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub ecosystems: Vec<EcosystemReport>,
}

/// Why a sync stopped. Ecosystems synced before it keep their new cursors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    #[error("GET {url}: HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("GET {url} failed")]
    Transport {
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("GET {url}: the response broke off")]
    Read {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "GET {url}: the response is over the limit of {limit} bytes; raise {setting} to fetch it"
    )]
    TooLarge {
        url: String,
        limit: u64,
        setting: &'static str,
    },
    #[error("{}", describe_unknown(.ecosystem, .base, .listed))]
    UnknownEcosystem {
        ecosystem: String,
        base: String,
        /// The lines of the feed's `ecosystems.txt`.
        listed: Vec<String>,
    },
    #[error("{name:?} (from {from}) is not an ecosystem name: {reason}")]
    InvalidEcosystem {
        name: String,
        /// Where the name came from: the configuration, or `ecosystems.txt`'s URL.
        from: String,
        reason: &'static str,
    },
    #[error("cannot write a download in {path}")]
    WorkDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Reading a downloaded `all.zip` failed; the error names its URL.
    #[error(transparent)]
    Source(SourceError),
    #[error("{ecosystem}: the sink failed to {action}")]
    Sink {
        ecosystem: String,
        action: &'static str,
        #[source]
        source: SinkError,
    },
}

fn describe_unknown(ecosystem: &str, base: &str, listed: &[String]) -> String {
    let mut text = format!(
        "no such ecosystem in the feed at {base}: {ecosystem}; ecosystems.txt lists {}",
        listed.join(", ")
    );
    if let Some((parent, _)) = ecosystem.split_once(':')
        && listed.iter().any(|l| l == parent)
    {
        text.push_str(&format!(
            " (releases are exported under their ecosystem: sync {parent})"
        ));
    }
    text
}

/// Syncs each configured ecosystem (every one in `ecosystems.txt` when none is named)
/// into `sink`, in order, stopping at the first error.
pub fn sync(
    config: &FeedConfig,
    sink: &mut dyn FeedSink,
    progress: &mut dyn FnMut(FeedProgress<'_>),
) -> Result<SyncReport, FeedError> {
    let client = Client::new(config);
    let mut ecosystems = Vec::new();
    if config.ecosystems.is_empty() {
        let url = client.url(&["ecosystems.txt"]);
        for name in list_ecosystems(&client, config)? {
            check_name(&name, &url)?;
            ecosystems.push(name);
        }
    } else {
        for name in &config.ecosystems {
            check_name(name, "the configuration")?;
            if !ecosystems.contains(name) {
                ecosystems.push(name.clone());
            }
        }
    }
    std::fs::create_dir_all(&config.work_dir).map_err(|source| FeedError::WorkDir {
        path: config.work_dir.display().to_string(),
        source,
    })?;
    let mut report = SyncReport::default();
    for ecosystem in &ecosystems {
        let eco = sync_one(config, &client, ecosystem, sink, progress)?;
        progress(FeedProgress::Finished {
            ecosystem,
            report: &eco,
        });
        report.ecosystems.push(eco);
    }
    Ok(report)
}

/// The lines of `ecosystems.txt`.
fn list_ecosystems(client: &Client, config: &FeedConfig) -> Result<Vec<String>, FeedError> {
    let url = client.url(&["ecosystems.txt"]);
    let body = client
        .get(&url, config.max_index_bytes, "max_index_bytes")?
        .ok_or_else(|| FeedError::Http {
            url: url.clone(),
            status: 404,
        })?;
    let bytes = body.bytes()?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Refuses a name that could not be one path segment of the bucket.
fn check_name(name: &str, from: &str) -> Result<(), FeedError> {
    let reason = if name.trim().is_empty() {
        "it is empty"
    } else if name == "." || name == ".." {
        "it is a relative path"
    } else if name.contains('/') {
        "it contains '/'"
    } else if name.chars().any(char::is_control) {
        "it contains a control character"
    } else {
        return Ok(());
    };
    Err(FeedError::InvalidEcosystem {
        name: name.to_owned(),
        from: from.to_owned(),
        reason,
    })
}

/// What one ecosystem's sync has done so far.
struct Tally {
    stored: usize,
    rejected: usize,
    bytes: u64,
}

fn sync_one(
    config: &FeedConfig,
    client: &Client,
    ecosystem: &str,
    sink: &mut dyn FeedSink,
    progress: &mut dyn FnMut(FeedProgress<'_>),
) -> Result<EcosystemReport, FeedError> {
    let start = Instant::now();
    let sink_error = |action| {
        move |source| FeedError::Sink {
            ecosystem: ecosystem.to_owned(),
            action,
            source,
        }
    };
    let previous = sink
        .cursor(ecosystem)
        .map_err(sink_error("read its cursor"))?;
    let mode = if previous.is_some() {
        SyncMode::Incremental
    } else {
        SyncMode::Full
    };
    progress(FeedProgress::Started { ecosystem, mode });
    let mut tally = Tally {
        stored: 0,
        rejected: 0,
        bytes: 0,
    };
    let (newest, unchanged) = match previous {
        None => (
            full(config, client, ecosystem, sink, progress, &mut tally)?,
            0,
        ),
        Some(cursor) => incremental(
            config, client, ecosystem, cursor, sink, progress, &mut tally,
        )?,
    };
    // Only a cursor that moves is written: `newest` is past `previous` or there was none.
    let cursor = match (previous, newest) {
        (Some(p), Some(n)) if n <= p => Some(p),
        (_, Some(n)) => {
            sink.set_cursor(ecosystem, n)
                .map_err(sink_error("store its cursor"))?;
            Some(n)
        }
        (p, None) => p,
    };
    Ok(EcosystemReport {
        ecosystem: ecosystem.to_owned(),
        mode,
        stored: tally.stored,
        rejected: tally.rejected,
        unchanged,
        previous_cursor: previous,
        cursor,
        bytes: tally.bytes,
        duration: start.elapsed(),
    })
}

/// A 404 for an ecosystem's file: unknown to the feed when `ecosystems.txt` does not list
/// it, else the plain HTTP error.
fn not_found(client: &Client, config: &FeedConfig, ecosystem: &str, url: &str) -> FeedError {
    let plain = FeedError::Http {
        url: url.to_owned(),
        status: 404,
    };
    match list_ecosystems(client, config) {
        Ok(listed) if !listed.iter().any(|l| l == ecosystem) => FeedError::UnknownEcosystem {
            ecosystem: ecosystem.to_owned(),
            base: config.base.trim_end_matches('/').to_owned(),
            listed,
        },
        _ => plain,
    }
}

/// Downloads and reads `all.zip`; returns the newest `modified` of the records stored.
fn full(
    config: &FeedConfig,
    client: &Client,
    ecosystem: &str,
    sink: &mut dyn FeedSink,
    progress: &mut dyn FnMut(FeedProgress<'_>),
    tally: &mut Tally,
) -> Result<Option<OffsetDateTime>, FeedError> {
    let url = client.url(&[ecosystem, "all.zip"]);
    let body = client
        .get(&url, config.max_download_bytes, "max_download_bytes")?
        .ok_or_else(|| not_found(client, config, ecosystem, &url))?;
    let work_dir = config.work_dir.display().to_string();
    let work_error = |source| FeedError::WorkDir {
        path: work_dir.clone(),
        source,
    };
    // An unnamed temporary file: the system removes it however the sync ends.
    let mut file = tempfile::tempfile_in(&config.work_dir).map_err(work_error)?;
    tally.bytes = body.copy_to(&mut file, &work_dir, &mut |bytes, total| {
        progress(FeedProgress::Downloaded {
            ecosystem,
            bytes,
            total,
        });
    })?;
    file.seek(SeekFrom::Start(0)).map_err(work_error)?;

    let batch_size = config.batch_size.max(1);
    let mut batch = Vec::with_capacity(batch_size);
    let mut newest: Option<OffsetDateTime> = None;
    // Both callbacks reach the sink; they are never called one inside the other.
    let sink = RefCell::new(sink);
    let mut rejected = 0;
    let read = advisories::read_zip(
        &url,
        BufReader::new(file),
        &config.limits,
        &mut |record| {
            let modified = record.osv.modified.get();
            newest = Some(newest.map_or(modified, |n| n.max(modified)));
            batch.push(record);
            if batch.len() >= batch_size {
                sink.borrow_mut()
                    .records(ecosystem, std::mem::take(&mut batch))?;
            }
            Ok(())
        },
        &mut |r| {
            rejected += 1;
            sink.borrow_mut().rejected(ecosystem, r);
        },
        &mut |done, total| {
            progress(FeedProgress::Records {
                ecosystem,
                done,
                total,
            });
        },
    );
    let sink = sink.into_inner();
    tally.rejected = rejected;
    match read {
        Ok(report) => tally.stored = report.records,
        Err(SourceError::Sink { source, .. }) => {
            return Err(FeedError::Sink {
                ecosystem: ecosystem.to_owned(),
                action: "store records",
                source,
            });
        }
        Err(e) => return Err(FeedError::Source(e)),
    }
    if !batch.is_empty() {
        sink.records(ecosystem, batch)
            .map_err(|source| FeedError::Sink {
                ecosystem: ecosystem.to_owned(),
                action: "store records",
                source,
            })?;
    }
    Ok(newest)
}

/// Fetches the records `modified_id.csv` lists as newer than `cursor`; returns the newest
/// `modified` listed for them and the count of lines not newer.
fn incremental(
    config: &FeedConfig,
    client: &Client,
    ecosystem: &str,
    cursor: OffsetDateTime,
    sink: &mut dyn FeedSink,
    progress: &mut dyn FnMut(FeedProgress<'_>),
    tally: &mut Tally,
) -> Result<(Option<OffsetDateTime>, usize), FeedError> {
    let url = client.url(&[ecosystem, "modified_id.csv"]);
    let mut body = client
        .get(&url, config.max_index_bytes, "max_index_bytes")?
        .ok_or_else(|| not_found(client, config, ecosystem, &url))?;
    let listing = match changed_since(&mut body, &url, cursor) {
        Ok(listing) => listing,
        Err(e) => return Err(body.error(e)),
    };
    tally.bytes = body.read_bytes();
    progress(FeedProgress::Downloaded {
        ecosystem,
        bytes: tally.bytes,
        total: None,
    });
    // The connection is dropped here without reading the rest of the file.
    drop(body);
    for bad in listing.bad {
        tally.rejected += 1;
        sink.rejected(ecosystem, bad);
    }

    let batch_size = config.batch_size.max(1);
    let mut batch = Vec::with_capacity(batch_size);
    let total = listing.changed.len() as u64;
    for (done, changed) in listing.changed.iter().enumerate() {
        let url = client.url(&[ecosystem, &format!("{}.json", changed.id)]);
        match fetch_record(client, config, &url, &changed.id)? {
            (Ok(record), bytes) => {
                tally.bytes += bytes;
                batch.push(record);
            }
            (Err(rejected), bytes) => {
                tally.bytes += bytes;
                tally.rejected += 1;
                sink.rejected(ecosystem, rejected);
            }
        }
        if batch.len() >= batch_size {
            tally.stored += batch.len();
            sink.records(ecosystem, std::mem::take(&mut batch))
                .map_err(|source| FeedError::Sink {
                    ecosystem: ecosystem.to_owned(),
                    action: "store records",
                    source,
                })?;
        }
        progress(FeedProgress::Downloaded {
            ecosystem,
            bytes: tally.bytes,
            total: None,
        });
        progress(FeedProgress::Records {
            ecosystem,
            done: done as u64 + 1,
            total,
        });
    }
    if !batch.is_empty() {
        tally.stored += batch.len();
        sink.records(ecosystem, batch)
            .map_err(|source| FeedError::Sink {
                ecosystem: ecosystem.to_owned(),
                action: "store records",
                source,
            })?;
    }
    // The listing's time, not the record's: a record rewritten since the listing was
    // made is listed again next time, and nothing between is skipped.
    let newest = listing.changed.iter().map(|c| c.modified).max();
    Ok((newest, listing.unchanged))
}

/// Fetches one listed record: the record, or why it is rejected, and the bytes read.
/// Only failures of the feed itself (transport, HTTP errors but 404) are errors.
fn fetch_record(
    client: &Client,
    config: &FeedConfig,
    url: &str,
    id: &str,
) -> Result<(Result<Record, Rejected>, u64), FeedError> {
    let reject = |reason: String| Rejected {
        source: url.to_owned(),
        reason,
    };
    let body = match client.get(url, config.limits.max_record_bytes, "max_record_bytes") {
        Ok(Some(body)) => body,
        Ok(None) => {
            return Ok((
                Err(reject(
                    "modified_id.csv lists it, but the feed has no such record (HTTP 404)"
                        .to_owned(),
                )),
                0,
            ));
        }
        Err(FeedError::TooLarge { limit, .. }) => {
            return Ok((
                Err(reject(format!(
                    "record is over the limit of {limit} bytes (max_record_bytes)"
                ))),
                0,
            ));
        }
        Err(e) => return Err(e),
    };
    let bytes = match body.bytes() {
        Ok(bytes) => bytes,
        Err(FeedError::TooLarge { limit, .. }) => {
            return Ok((
                Err(reject(format!(
                    "record is over the limit of {limit} bytes (max_record_bytes)"
                ))),
                limit,
            ));
        }
        Err(e) => return Err(e),
    };
    let len = bytes.len() as u64;
    let record = Record::parse(url.to_owned(), Format::Json, bytes).and_then(|record| {
        if record.osv.id.as_str() == id {
            Ok(record)
        } else {
            Err(reject(format!(
                "the record's id is {}, not the {id} that modified_id.csv lists",
                record.osv.id
            )))
        }
    });
    Ok((record, len))
}

/// A record `modified_id.csv` lists as newer than the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub id: String,
    pub modified: OffsetDateTime,
}

/// What `modified_id.csv` says changed since a cursor.
#[derive(Debug, Default)]
pub struct Listing {
    /// Newer than the cursor, each id once, newest listing kept, in the file's order.
    pub changed: Vec<Changed>,
    /// Lines read that were not newer than the cursor.
    pub unchanged: usize,
    /// Lines that do not parse.
    pub bad: Vec<Rejected>,
}

/// Reads `modified,ID` lines newer than `cursor` and stops at the first line a second or
/// more older than it.
///
/// The exporter sorts the file newest first by comparing the timestamps as strings, and
/// writes them with as many fraction digits as they need, so within one second the order
/// is not the order of time (`12:00:00.5Z` sorts before `12:00:00.25Z`, and `12:00:00Z`
/// before both). Across seconds the string order is the time order, so reading on
/// through the cursor's own second and skipping what is not newer misses nothing.
///
/// # Errors
/// Only when reading fails; a line that does not parse is listed in [`Listing::bad`].
pub fn changed_since(
    reader: &mut dyn Read,
    label: &str,
    cursor: OffsetDateTime,
) -> Result<Listing, std::io::Error> {
    let floor = cursor.replace_nanosecond(0).unwrap_or(cursor);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut listing = Listing::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = csv.position().line();
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(e) => return Err(e),
                other => {
                    listing.bad.push(Rejected {
                        source: format!("{label} line {line}"),
                        reason: format!("not a modified,id line: {other:?}"),
                    });
                    continue;
                }
            },
        }
        let line = record.position().map_or(line, csv::Position::line);
        let parsed = match (record.get(0), record.get(1), record.len()) {
            (Some(modified), Some(id), 2) => parse_line(modified, id),
            _ => Err(format!("expected 2 fields, found {}", record.len())),
        };
        let (modified, id) = match parsed {
            Ok(pair) => pair,
            Err(reason) => {
                listing.bad.push(Rejected {
                    source: format!("{label} line {line}"),
                    reason,
                });
                continue;
            }
        };
        if modified < floor {
            break;
        }
        if modified <= cursor {
            listing.unchanged += 1;
            continue;
        }
        match seen.get(&id) {
            Some(&i) => {
                let held = &mut listing.changed[i];
                held.modified = held.modified.max(modified);
            }
            None => {
                seen.insert(id.clone(), listing.changed.len());
                listing.changed.push(Changed { id, modified });
            }
        }
    }
    Ok(listing)
}

fn parse_line(modified: &[u8], id: &[u8]) -> Result<(OffsetDateTime, String), String> {
    fn text(field: &[u8]) -> Result<&str, String> {
        std::str::from_utf8(field)
            .map(str::trim)
            .map_err(|_| "not UTF-8".to_owned())
    }
    let (modified, id) = (text(modified)?, text(id)?);
    let time = OffsetDateTime::parse(modified, &Rfc3339)
        .map_err(|e| format!("modified {modified:?} is not an RFC 3339 time: {e}"))?;
    if id.is_empty() || id.contains('/') || id.chars().any(|c| c.is_control() || c == ' ') {
        return Err(format!("id {id:?} is not a record id"));
    }
    Ok((time, id.to_owned()))
}

/// Downloads one document (a KEV catalog, an EPSS file) within `max_bytes`, with the
/// feed's timeouts.
///
/// # Errors
/// As a feed download: transport errors, a status other than 200 (a 404 included), or
/// a body over the limit, each naming the URL.
pub fn fetch(url: &str, max_bytes: u64, timeout: Duration) -> Result<Vec<u8>, FeedError> {
    let mut config = FeedConfig::new(std::env::temp_dir());
    config.timeout = timeout;
    let client = http::Client::new(&config);
    match client.get(url, max_bytes, "max_download_bytes")? {
        Some(body) => body.bytes(),
        None => Err(FeedError::Http {
            url: url.to_owned(),
            status: 404,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    fn check(csv: &str, cursor: &str, changed: &[&str], unchanged: usize, bad: usize) {
        let listing = changed_since(&mut csv.as_bytes(), "modified_id.csv", at(cursor)).unwrap();
        let ids: Vec<&str> = listing.changed.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, changed, "{csv}");
        assert_eq!(listing.unchanged, unchanged, "{csv}");
        assert_eq!(listing.bad.len(), bad, "{:?}", listing.bad);
    }

    #[test]
    fn listing_stops_at_the_cursor() {
        let csv = "2024-03-01T00:00:00Z,A\n2024-02-01T00:00:00Z,B\n2024-01-01T00:00:00Z,C\n";
        check(csv, "2024-02-01T00:00:00Z", &["A"], 1, 0);
        check(csv, "2024-01-15T00:00:00Z", &["A", "B"], 0, 0);
        check(csv, "2024-03-01T00:00:00Z", &[], 1, 0);
        check(csv, "2023-01-01T00:00:00Z", &["A", "B", "C"], 0, 0);
        // Nothing past the first older line is read, not even a broken line.
        let csv = format!("{csv}garbage\n");
        check(&csv, "2024-02-01T00:00:00Z", &["A"], 1, 0);
        check(&csv, "2023-01-01T00:00:00Z", &["A", "B", "C"], 0, 1);
    }

    #[test]
    fn listing_reads_through_the_cursors_second_in_string_order() {
        // The exporter's string sort puts .5 before .25 and the whole second first.
        let csv = "2024-01-01T12:00:00Z,W\n2024-01-01T12:00:00.5Z,X\n\
                   2024-01-01T12:00:00.25Z,Y\n2024-01-01T11:59:59Z,Z\n";
        check(csv, "2024-01-01T12:00:00.3Z", &["X"], 2, 0);
        check(csv, "2024-01-01T12:00:00Z", &["X", "Y"], 1, 0);
    }

    #[test]
    fn listing_skips_bad_lines_and_repeated_ids() {
        let csv = "2024-03-01T00:00:00Z,A\nyesterday,B\n2024-02-01T00:00:00Z,a/../b\n\
                   2024-02-15T00:00:00Z,A\n2024-02-10T00:00:00Z\n\n2024-01-01T00:00:00Z,C\n";
        let listing =
            changed_since(&mut csv.as_bytes(), "m.csv", at("2024-01-15T00:00:00Z")).unwrap();
        assert_eq!(
            listing.changed,
            [Changed {
                id: "A".to_owned(),
                modified: at("2024-03-01T00:00:00Z")
            }]
        );
        let sources: Vec<&str> = listing.bad.iter().map(|b| b.source.as_str()).collect();
        assert_eq!(sources, ["m.csv line 2", "m.csv line 3", "m.csv line 5"]);
        assert!(
            listing.bad[0].reason.contains("\"yesterday\""),
            "{:?}",
            listing.bad
        );
    }

    #[test]
    fn names_that_are_not_one_segment_are_refused() {
        for name in ["", " ", ".", "..", "a/b", "a\nb"] {
            assert!(check_name(name, "test").is_err(), "{name:?}");
        }
        for name in ["crates.io", "Rocky Linux", "[EMPTY]", "Ubuntu:22.04:LTS"] {
            assert!(check_name(name, "test").is_ok(), "{name:?}");
        }
    }

    #[test]
    fn unknown_ecosystem_names_the_parent_of_a_release() {
        let listed = vec!["Debian".to_owned(), "Go".to_owned()];
        assert_eq!(
            describe_unknown("Debian:12", "http://feed", &listed),
            "no such ecosystem in the feed at http://feed: Debian:12; ecosystems.txt lists \
             Debian, Go (releases are exported under their ecosystem: sync Debian)"
        );
    }
}
