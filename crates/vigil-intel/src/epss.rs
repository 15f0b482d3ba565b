//! FIRST's daily EPSS scores, `epss_scores-YYYY-MM-DD.csv.gz`: plain or gzip-compressed
//! CSV (told apart by the gzip magic bytes `1f 8b`).
//!
//! Since model v2 (2022) the file opens with a comment line naming the model and the
//! day scored, then the header and one row per CVE:
//!
//! ```text
//! #model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000
//! cve,epss,percentile
//! CVE-1999-0001,0.0046,0.7385
//! ```
//!
//! Older files have no comment line; both read. Every `#` line before the header is read
//! as comma-separated `key:value` pairs; `model_version` and `score_date` are kept and other
//! keys ignored. `score_date` reads as `YYYY-MM-DDTHH:MM:SS+HHMM` (FIRST's form), RFC 3339,
//! or a bare `YYYY-MM-DD` (midnight UTC). The header must be exactly `cve,epss,percentile`;
//! each row three fields, a CVE id and two numbers in [0, 1].

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, Time};

use crate::{Error, Limits, is_cve_id, kev};

/// A parsed EPSS file.
#[derive(Clone, Debug, PartialEq)]
pub struct EpssScores {
    /// `model_version` from the comment line (`v2025.03.14`), when the file has one.
    pub model_version: Option<String>,
    /// `score_date` from the comment line, when the file has one.
    pub score_date: Option<OffsetDateTime>,
    /// The rows, in file order.
    pub scores: Vec<EpssScore>,
}

/// One row: a CVE's probability of exploitation in the next 30 days, and its percentile
/// among all scored CVEs.
#[derive(Clone, Debug, PartialEq)]
pub struct EpssScore {
    /// The CVE id, validated (`CVE-YYYY-NNNN`).
    pub cve: String,
    /// In [0, 1].
    pub epss: f32,
    /// In [0, 1].
    pub percentile: f32,
}

/// Parses a whole EPSS file, plain or gzip-compressed, within `limits`.
///
/// # Errors
/// As [`EpssReader::new`] and its rows.
pub fn parse_epss(bytes: &[u8], limits: &Limits) -> Result<EpssScores, Error> {
    let mut reader = EpssReader::new(bytes, limits)?;
    let mut scores = Vec::new();
    for score in &mut reader {
        scores.push(score?);
    }
    Ok(EpssScores {
        model_version: reader.model_version,
        score_date: reader.score_date,
        scores,
    })
}

/// Streams the rows of an EPSS file, decompressing as it goes: nothing but the current
/// row is held. Yields each row or the first error, then ends.
pub struct EpssReader<'a> {
    model_version: Option<String>,
    score_date: Option<OffsetDateTime>,
    csv: csv::Reader<BufReader<Bounded<'a>>>,
    /// Lines before the CSV reader's first line (comment lines).
    line_offset: u64,
    /// The line of the last record read, in the file.
    line: u64,
    record: csv::ByteRecord,
    rows: usize,
    max_rows: usize,
    max_bytes: u64,
    done: bool,
}

impl fmt::Debug for EpssReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpssReader")
            .field("model_version", &self.model_version)
            .field("score_date", &self.score_date)
            .field("line", &self.line)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const HEADER: [&[u8]; 3] = [b"cve", b"epss", b"percentile"];

impl<'a> EpssReader<'a> {
    /// Reads the comment lines and the header of an EPSS file, plain or gzip-compressed.
    ///
    /// # Errors
    /// When a limit is exceeded, the gzip stream is corrupt, a comment line is malformed,
    /// or the header is not `cve,epss,percentile`; the error names the line.
    pub fn new(bytes: &'a [u8], limits: &Limits) -> Result<Self, Error> {
        let inner: Box<dyn Read + 'a> = if bytes.starts_with(&GZIP_MAGIC) {
            Box::new(MultiGzDecoder::new(bytes))
        } else {
            limits.check_size(bytes.len())?;
            Box::new(bytes)
        };
        let mut input = BufReader::with_capacity(
            64 * 1024,
            Bounded {
                inner,
                read: 0,
                max: limits.max_decompressed_bytes,
            },
        );
        let max_bytes = limits.max_decompressed_bytes;
        let io_error = |line: u64, e: io::Error| io_to_error(e, line, max_bytes);

        // A UTF-8 byte order mark, then any comment lines.
        if input
            .fill_buf()
            .map_err(|e| io_error(0, e))?
            .starts_with(b"\xEF\xBB\xBF")
        {
            input.consume(3);
        }
        let mut meta = Meta::default();
        let mut line_offset = 0u64;
        let mut buf = Vec::new();
        while input
            .fill_buf()
            .map_err(|e| io_error(line_offset, e))?
            .first()
            == Some(&b'#')
        {
            buf.clear();
            input
                .read_until(b'\n', &mut buf)
                .map_err(|e| io_error(line_offset, e))?;
            line_offset += 1;
            meta.read_line(&buf).map_err(|message| Error::Epss {
                line: line_offset,
                message,
            })?;
        }

        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut reader = EpssReader {
            model_version: meta.model_version,
            score_date: meta.score_date,
            csv,
            line_offset,
            line: line_offset,
            record: csv::ByteRecord::new(),
            rows: 0,
            max_rows: limits.max_epss_rows,
            max_bytes,
            done: false,
        };
        if !reader.read_record()? {
            return Err(Error::Epss {
                line: line_offset + 1,
                message: "no header: expected cve,epss,percentile".to_owned(),
            });
        }
        if reader.record.iter().ne(HEADER) {
            return Err(Error::Epss {
                line: reader.line,
                message: format!(
                    "header is {:?}, expected cve,epss,percentile",
                    reader
                        .record
                        .iter()
                        .map(String::from_utf8_lossy)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            });
        }
        Ok(reader)
    }

    /// `model_version` from the comment line, when the file has one.
    #[must_use]
    pub fn model_version(&self) -> Option<&str> {
        self.model_version.as_deref()
    }

    /// `score_date` from the comment line, when the file has one.
    #[must_use]
    pub fn score_date(&self) -> Option<OffsetDateTime> {
        self.score_date
    }

    /// Reads the next record into `self.record`; false at the end.
    fn read_record(&mut self) -> Result<bool, Error> {
        match self.csv.read_byte_record(&mut self.record) {
            Ok(more) => {
                if more {
                    self.line = self.line_offset
                        + self
                            .record
                            .position()
                            .map_or(self.line + 1, csv::Position::line);
                }
                Ok(more)
            }
            Err(e) => {
                let line = self.line;
                Err(match e.into_kind() {
                    csv::ErrorKind::Io(io) => io_to_error(io, line, self.max_bytes),
                    other => Error::Epss {
                        line: line + 1,
                        message: format!("{other:?}"),
                    },
                })
            }
        }
    }

    fn next_score(&mut self) -> Result<Option<EpssScore>, Error> {
        if !self.read_record()? {
            return Ok(None);
        }
        let line = self.line;
        let err = |message: String| Error::Epss { line, message };
        if self.rows >= self.max_rows {
            return Err(Error::LimitExceeded {
                limit: "max_epss_rows",
                what: "EPSS row count",
                max: self.max_rows as u64,
                at: format!(" at line {line}"),
            });
        }
        let record = &self.record;
        if record.len() != 3 {
            return Err(err(format!(
                "expected 3 fields (cve,epss,percentile), found {}",
                record.len()
            )));
        }
        let cve = std::str::from_utf8(&record[0])
            .ok()
            .filter(|c| is_cve_id(c))
            .ok_or_else(|| {
                err(format!(
                    "cve {:?} is not a CVE id (CVE-YYYY-NNNN)",
                    String::from_utf8_lossy(&record[0])
                ))
            })?;
        let epss = unit(&record[1]).map_err(|m| err(format!("epss {m}")))?;
        let percentile = unit(&record[2]).map_err(|m| err(format!("percentile {m}")))?;
        self.rows += 1;
        Ok(Some(EpssScore {
            cve: cve.to_owned(),
            epss,
            percentile,
        }))
    }
}

impl Iterator for EpssReader<'_> {
    type Item = Result<EpssScore, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_score();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next.transpose()
    }
}

/// A number in [0, 1].
fn unit(field: &[u8]) -> Result<f32, String> {
    let quoted = || format!("{:?}", String::from_utf8_lossy(field));
    let value: f32 = std::str::from_utf8(field)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{} is not a number", quoted()))?;
    if !(0.0..=1.0).contains(&value) {
        return Err(format!("{} is not in [0, 1]", quoted()));
    }
    Ok(value)
}

#[derive(Default)]
struct Meta {
    model_version: Option<String>,
    score_date: Option<OffsetDateTime>,
}

impl Meta {
    /// One `#key:value,key:value` line, with its line ending.
    fn read_line(&mut self, line: &[u8]) -> Result<(), String> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = std::str::from_utf8(&line[1..])
            .map_err(|e| format!("comment line is not UTF-8: {e}"))?;
        for pair in line.split(',') {
            let Some((key, value)) = pair.split_once(':') else {
                return Err(format!(
                    "comment line item {pair:?} is not key:value (expected #model_version:...,score_date:...)"
                ));
            };
            match key {
                "model_version" => set(&mut self.model_version, key, value.to_owned())?,
                "score_date" => set(&mut self.score_date, key, score_date(value)?)?,
                _ => {}
            }
        }
        Ok(())
    }
}

fn set<T>(slot: &mut Option<T>, key: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{key} given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// `2025-03-16T00:00:00+0000`, RFC 3339, or `2025-03-16`.
fn score_date(s: &str) -> Result<OffsetDateTime, String> {
    if s.len() == 10 {
        return kev::date(s)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
            .map_err(|e| format!("score_date {e}"));
    }
    // FIRST writes the offset without a colon (`+0000`); RFC 3339 wants `+00:00`.
    let b = s.as_bytes();
    let rfc3339 = if b.len() >= 5
        && matches!(b[b.len() - 5], b'+' | b'-')
        && b[b.len() - 4..].iter().all(u8::is_ascii_digit)
    {
        format!("{}:{}", &s[..s.len() - 2], &s[s.len() - 2..])
    } else {
        s.to_owned()
    };
    OffsetDateTime::parse(&rfc3339, &Rfc3339)
        .map_err(|e| format!("score_date {s:?} is not a date-time (YYYY-MM-DDTHH:MM:SS+0000): {e}"))
}

/// The decompressed stream, cut off with an error past `max` bytes.
struct Bounded<'a> {
    inner: Box<dyn Read + 'a>,
    read: u64,
    max: u64,
}

#[derive(Debug)]
struct SizeExceeded;

impl fmt::Display for SizeExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decompressed size limit exceeded")
    }
}

impl std::error::Error for SizeExceeded {}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte past the limit tells "exactly at the limit" from "over it".
        let room = usize::try_from(self.max - self.read + 1).unwrap_or(usize::MAX);
        let len = buf.len().min(room);
        let n = self.inner.read(&mut buf[..len])?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(io::Error::other(SizeExceeded));
        }
        Ok(n)
    }
}

fn io_to_error(e: io::Error, line: u64, max: u64) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<SizeExceeded>()) {
        Error::LimitExceeded {
            limit: "max_decompressed_bytes",
            what: "decompressed size",
            max,
            at: format!(" after line {line}"),
        }
    } else {
        Error::Gzip {
            line,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{score_date, unit};

    #[test]
    fn score_dates() {
        let want = score_date("2025-03-16T00:00:00Z").expect("rfc 3339");
        assert_eq!(score_date("2025-03-16T00:00:00+0000"), Ok(want));
        assert_eq!(score_date("2025-03-16T00:00:00+00:00"), Ok(want));
        assert_eq!(score_date("2025-03-16"), Ok(want));
        assert!(score_date("2025-03-16T00:00:00").is_err());
        assert!(score_date("yesterday").is_err());
        assert!(score_date("").is_err());
        assert!(score_date("+0000").is_err());
    }

    #[test]
    fn units() {
        assert_eq!(unit(b"0.00046"), Ok(0.00046));
        assert_eq!(unit(b"1"), Ok(1.0));
        assert_eq!(unit(b"4e-05"), Ok(4e-5));
        for bad in [
            &b"1.0001"[..],
            b"-0.1",
            b"NaN",
            b"inf",
            b"",
            b" 0.1",
            b"0,1",
            b"\xff",
        ] {
            assert!(unit(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
