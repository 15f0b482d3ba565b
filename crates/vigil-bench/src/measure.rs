//! Summaries of timings (median, 95th percentile), the process's peak resident memory,
//! and the size of a directory on disk.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

/// Milliseconds over repeated measurements.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub samples: usize,
    pub median_ms: f64,
    /// The nearest-rank 95th percentile.
    pub p95_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Summary {
    pub fn of(durations: &[Duration]) -> Summary {
        let mut ms: Vec<f64> = durations.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        if ms.is_empty() {
            return Summary::default();
        }
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        let median = if n % 2 == 1 {
            ms[n / 2]
        } else {
            (ms[n / 2 - 1] + ms[n / 2]) / 2.0
        };
        let p95 = ms[((n as f64 * 0.95).ceil() as usize).clamp(1, n) - 1];
        Summary {
            samples: n,
            median_ms: median,
            p95_ms: p95,
            min_ms: ms[0],
            max_ms: ms[n - 1],
            mean_ms: ms.iter().sum::<f64>() / n as f64,
        }
    }
}

/// The median of counts (rows, findings) that go with timings.
pub(crate) fn median(values: &[usize]) -> usize {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`), where the
/// system reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Bytes of the regular files directly in `dir` (the database, its WAL and shared
/// memory file).
pub(crate) fn dir_bytes(dir: &Path) -> Option<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).ok()? {
        let meta = entry.ok()?.metadata().ok()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn median_and_percentile() {
        let s = Summary::of(&ms(&[5, 1, 3, 2, 4]));
        assert_eq!(
            (s.median_ms, s.p95_ms, s.min_ms, s.max_ms),
            (3.0, 5.0, 1.0, 5.0)
        );
        let s = Summary::of(&ms(&(1..=100).collect::<Vec<_>>()));
        assert_eq!((s.median_ms, s.p95_ms), (50.5, 95.0));
        assert_eq!(Summary::of(&[]).samples, 0);
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 0));
        }
    }
}
