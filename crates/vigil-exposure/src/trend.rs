//! Metrics by calendar month (UTC): episodes detected and resolved, their times to detect
//! and remediate, and the exposure open at each month's end.

use serde::Serialize;
use time::{Date, Month, OffsetDateTime, UtcOffset};

use crate::metrics::{detection_times, publication_dates};
use crate::{AdvisoryFact, DurationStats, Episode};

/// One calendar month of [`trend`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendRow {
    /// `YYYY-MM`.
    pub month: String,
    /// The first instant of the month, UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// Episodes that started in the month.
    pub detected: u64,
    /// Episodes that ended in the month.
    pub resolved: u64,
    /// `end - start` of the episodes resolved in the month.
    pub mttr: DurationStats,
    /// `start - published` (at least 0) of the `first` episodes that started in the month
    /// and whose advisory has a publication date.
    pub mttd: DurationStats,
    /// Episodes that started before the month's end and had not ended before it. For the
    /// month of `now` that is the episodes open at `now`.
    pub open_at_end: u64,
}

/// One row per calendar month (UTC) from the month of `from` to the month of `to`, or of
/// `now` if that is earlier (later months have not happened). Empty when `from` is after
/// that.
///
/// A month is the half-open interval from its first instant to the next month's, so an
/// instant belongs to exactly one month, and each month's `open_at_end` is the previous
/// month's plus `detected` minus `resolved`. The episodes must be computed for the same
/// `now`; advisories are looked up by id for their publication date, the first listing of
/// an id winning.
pub fn trend(
    episodes: &[Episode],
    advisories: &[AdvisoryFact],
    from: OffsetDateTime,
    to: OffsetDateTime,
    now: OffsetDateTime,
) -> Vec<TrendRow> {
    let published = publication_dates(advisories);
    let last = month_of(to.min(now));
    let mut month = month_of(from);
    let mut rows = Vec::new();
    while month <= last {
        let start = month.midnight().assume_utc();
        let next = next_month(month);
        let end = next.map(|d| d.midnight().assume_utc());
        let within = |t: OffsetDateTime| t >= start && end.is_none_or(|end| t < end);
        let before_end = |t: OffsetDateTime| end.is_none_or(|end| t < end);

        let detected: Vec<&Episode> = episodes.iter().filter(|e| within(e.start)).collect();
        let resolved: Vec<&Episode> = episodes
            .iter()
            .filter(|e| e.end.is_some_and(within))
            .collect();
        let open_at_end = episodes
            .iter()
            .filter(|e| before_end(e.start) && !e.end.is_some_and(before_end))
            .count();
        rows.push(TrendRow {
            month: format!("{:04}-{:02}", month.year(), u8::from(month.month())),
            start,
            detected: detected.len() as u64,
            resolved: resolved.len() as u64,
            mttr: DurationStats::of(
                resolved
                    .iter()
                    .filter_map(|e| e.end.map(|end| end - e.start))
                    .collect(),
            ),
            mttd: DurationStats::of(detection_times(detected.iter().copied(), &published)),
            open_at_end: open_at_end as u64,
        });
        match next {
            Some(next) => month = next,
            None => break,
        }
    }
    rows
}

/// The first day of the UTC month of `t`.
fn month_of(t: OffsetDateTime) -> Date {
    let date = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t).date();
    date.replace_day(1).unwrap_or(date)
}

/// The first day of the month after `month`, if representable.
fn next_month(month: Date) -> Option<Date> {
    let (year, next) = match month.month() {
        Month::December => (month.year().checked_add(1)?, Month::January),
        m => (month.year(), m.next()),
    };
    Date::from_calendar_date(year, next, 1).ok()
}
