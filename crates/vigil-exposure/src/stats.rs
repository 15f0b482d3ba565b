//! Count, mean and median of durations, computed in whole nanoseconds and reported in
//! seconds.

use serde::Serialize;
use time::Duration;

/// Count, mean and median of a set of durations, in seconds.
///
/// Sums are taken exactly in nanoseconds and divided once, so durations of whole seconds
/// give exact means and medians (up to `f64` precision, 2^53).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DurationStats {
    pub count: u64,
    /// `None` when `count` is 0.
    pub mean_seconds: Option<f64>,
    /// The middle value; with an even count, the mean of the two middle values. `None`
    /// when `count` is 0.
    pub median_seconds: Option<f64>,
}

impl DurationStats {
    pub(crate) fn of(mut durations: Vec<Duration>) -> Self {
        durations.sort_unstable();
        let count = durations.len();
        if count == 0 {
            return Self::default();
        }
        let total: i128 = durations.iter().map(|d| d.whole_nanoseconds()).sum();
        let middle = durations[count / 2].whole_nanoseconds();
        let median = if count.is_multiple_of(2) {
            nanos_to_seconds_f64(durations[count / 2 - 1].whole_nanoseconds() + middle, 2)
        } else {
            nanos_to_seconds_f64(middle, 1)
        };
        Self {
            count: count as u64,
            mean_seconds: Some(nanos_to_seconds_f64(total, count as i128)),
            median_seconds: Some(median),
        }
    }
}

/// `nanos / divisor` in seconds. Whole-second results are exact; others are rounded to
/// the nearest `f64` of the quotient in nanoseconds.
pub(crate) fn nanos_to_seconds_f64(nanos: i128, divisor: i128) -> f64 {
    const NANOS: i128 = 1_000_000_000;
    let scaled = divisor * NANOS;
    let whole = nanos / scaled;
    let rest = nanos % scaled;
    whole as f64 + rest as f64 / scaled as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(seconds: &[i64]) -> DurationStats {
        DurationStats::of(seconds.iter().map(|s| Duration::seconds(*s)).collect())
    }

    #[test]
    fn empty() {
        assert_eq!(stats(&[]), DurationStats::default());
    }

    #[test]
    fn odd_and_even_counts() {
        let s = stats(&[30, 10, 20]);
        assert_eq!(s.count, 3);
        assert_eq!(s.mean_seconds, Some(20.0));
        assert_eq!(s.median_seconds, Some(20.0));
        let s = stats(&[40, 10, 20, 7]);
        assert_eq!(s.mean_seconds, Some(19.25));
        assert_eq!(s.median_seconds, Some(15.0));
        let s = stats(&[1, 2]);
        assert_eq!(s.median_seconds, Some(1.5));
    }

    #[test]
    fn fractions_of_seconds() {
        let s = DurationStats::of(vec![Duration::milliseconds(1500), Duration::seconds(2)]);
        assert_eq!(s.mean_seconds, Some(1.75));
        assert_eq!(s.median_seconds, Some(1.75));
    }
}
