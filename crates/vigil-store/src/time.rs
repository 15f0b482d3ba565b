//! Timestamps as the store writes them: UTC, RFC 3339, whole seconds
//! (`2026-03-03T10:00:00Z`). One fixed width, so text order is time order in both
//! backends; events within one second keep their order by id.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// `t` in the store's form: converted to UTC, fractions of a second dropped.
pub fn format(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `t` in UTC with microseconds, for OSV `modified` times and feed cursors, where two
/// versions of one record can fall within a second.
pub fn format_micros(t: OffsetDateTime) -> String {
    let whole = format(t);
    let micros = t.microsecond();
    format!("{}.{micros:06}Z", &whole[..whole.len() - 1])
}

/// Parses an RFC 3339 timestamp with any offset and fraction.
pub fn parse(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339)
}

/// The current time in the store's form; only for bookkeeping that is not evidence
/// (such as when a migration ran). Evidence takes its time from the caller's clock.
pub(crate) fn now_text() -> String {
    format(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc_with_whole_seconds() {
        let t = parse("2026-03-03T11:30:05.987+01:00").unwrap();
        assert_eq!(format(t), "2026-03-03T10:30:05Z");
        assert_eq!(format_micros(t), "2026-03-03T10:30:05.987000Z");
    }
}
