//! RFC 3339 timestamps, read into UTC and written in UTC.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Reads an RFC 3339 date-time and moves it to UTC; the message quotes the input.
pub(crate) fn parse_timestamp(s: &str) -> Result<OffsetDateTime, String> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| format!("{s:?} is not an RFC 3339 date-time: {e}"))?;
    // An offset can move a time in year 0 or 9999 out of the years RFC 3339 can write.
    if !(0..=9999).contains(&t.year()) {
        return Err(format!("{s:?} is outside the years 0000 to 9999 in UTC"));
    }
    Ok(t)
}

/// RFC 3339 in UTC (`2023-01-08T18:02:03.647787998Z`), with as many fraction digits as
/// the time has. A time before the year 0000, which no document can hold, is written as
/// the start of that year.
pub(crate) fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = if t.year() < 0 {
        time::macros::datetime!(0000-01-01 00:00 UTC)
    } else {
        t
    };
    t.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_into_utc_and_print_back() {
        let t = parse_timestamp("2023-01-08T18:02:03.647787998-06:00").expect("valid");
        assert_eq!(format_timestamp(t), "2023-01-09T00:02:03.647787998Z");
        let t = parse_timestamp(" 2022-03-03T00:00:00Z ").expect("valid");
        assert_eq!(format_timestamp(t), "2022-03-03T00:00:00Z");
        assert_eq!(
            parse_timestamp("2022-03-03").map_err(|e| e.split(':').next().map(str::to_owned)),
            Err(Some(
                "\"2022-03-03\" is not an RFC 3339 date-time".to_owned()
            ))
        );
        assert!(parse_timestamp("0000-01-01T00:00:00+01:00").is_err());
        let early = time::macros::datetime!(-0001-12-31 23:00 UTC);
        assert_eq!(format_timestamp(early), "0000-01-01T00:00:00Z");
    }
}
