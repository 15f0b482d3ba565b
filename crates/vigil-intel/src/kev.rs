//! CISA's Known Exploited Vulnerabilities catalog, `known_exploited_vulnerabilities.json`,
//! as its published JSON schema (`known_exploited_vulnerabilities_schema.json`) defines it.
//!
//! Required: `catalogVersion`, `dateReleased` (RFC 3339 date-time, `2025-02-25T20:33:53.3676Z`),
//! `count`, `vulnerabilities`; per entry `cveID` (`^CVE-[0-9]{4}-[0-9]{4,19}$`),
//! `vendorProject`, `product`, `vulnerabilityName`, `dateAdded` and `dueDate`
//! (`YYYY-MM-DD`), `shortDescription`, `requiredAction`. Optional: `title`,
//! `knownRansomwareCampaignUse` (`Known` or `Unknown`), `notes`, `cwes`
//! (`^CWE-[0-9]+$`), `forensicTriage`. Fields the schema does not name are ignored, as a
//! schema without `additionalProperties: false` allows.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

use crate::{Error, Limits, is_cve_id};

/// A parsed KEV catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KevCatalog {
    /// `title`, when present.
    pub title: Option<String>,
    /// `catalogVersion`, as written (`2025.02.25`).
    pub version: String,
    /// `dateReleased`.
    pub released: OffsetDateTime,
    /// `vulnerabilities`, in catalog order.
    pub entries: Vec<KevEntry>,
}

/// One catalog entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KevEntry {
    /// `cveID`, validated.
    pub cve: String,
    pub vendor_project: String,
    pub product: String,
    pub vulnerability_name: String,
    pub date_added: Date,
    pub short_description: String,
    pub required_action: String,
    pub due_date: Date,
    /// `knownRansomwareCampaignUse`, when present.
    pub known_ransomware_campaign_use: Option<RansomwareUse>,
    /// `notes`; absent reads as empty.
    pub notes: String,
    /// `cwes` (`CWE-79`); absent reads as empty.
    pub cwes: Vec<String>,
    /// `forensicTriage` (`Yes` or `No` in the schema), as written, when present.
    pub forensic_triage: Option<String>,
}

/// `knownRansomwareCampaignUse`: whether CISA knows of use in a ransomware campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RansomwareUse {
    /// `Known`.
    Known,
    /// `Unknown`: CISA lacks confirmation.
    Unknown,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    title: Option<String>,
    catalog_version: String,
    date_released: String,
    count: u64,
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    vulnerability_name: String,
    date_added: String,
    short_description: String,
    required_action: String,
    due_date: String,
    known_ransomware_campaign_use: Option<String>,
    notes: Option<String>,
    cwes: Option<Vec<String>>,
    forensic_triage: Option<String>,
}

/// Parses a KEV catalog (`known_exploited_vulnerabilities.json`) within `limits`.
///
/// # Errors
/// When the bytes exceed a limit, are not JSON of the catalog's shape, when a value is
/// wrong (the error names it by path, `vulnerabilities[12].dateAdded`), or when `count`
/// is not the number of entries.
pub fn parse_kev(bytes: &[u8], limits: &Limits) -> Result<KevCatalog, Error> {
    limits.check_size(bytes.len())?;
    // serde reads a struct from a JSON array too; the catalog is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Error::Kev {
            path: ".".to_owned(),
            message: "expected a JSON object, found an array".to_owned(),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw: RawCatalog = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        Error::Kev {
            path,
            message: e.into_inner().to_string(),
        }
    })?;
    de.end().map_err(|e| Error::Kev {
        path: ".".to_owned(),
        message: e.to_string(),
    })?;
    if raw.vulnerabilities.len() > limits.max_kev_entries {
        return Err(Error::LimitExceeded {
            limit: "max_kev_entries",
            what: "KEV entry count",
            max: limits.max_kev_entries as u64,
            at: format!(" ({} entries)", raw.vulnerabilities.len()),
        });
    }
    let released = OffsetDateTime::parse(&raw.date_released, &Rfc3339).map_err(|e| Error::Kev {
        path: "dateReleased".to_owned(),
        message: format!(
            "{:?} is not an RFC 3339 date-time (YYYY-MM-DDTHH:mm:ss.sssZ): {e}",
            raw.date_released
        ),
    })?;
    if raw.count != raw.vulnerabilities.len() as u64 {
        return Err(Error::KevCount {
            count: raw.count,
            entries: raw.vulnerabilities.len(),
        });
    }
    let entries = raw
        .vulnerabilities
        .into_iter()
        .enumerate()
        .map(|(i, e)| entry(i, e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(KevCatalog {
        title: raw.title,
        version: raw.catalog_version,
        released,
        entries,
    })
}

fn entry(index: usize, raw: RawEntry) -> Result<KevEntry, Error> {
    let err = |field: &str, message: String| Error::Kev {
        path: format!("vulnerabilities[{index}].{field}"),
        message,
    };
    if !is_cve_id(&raw.cve_id) {
        return Err(err(
            "cveID",
            format!(
                "{:?} is not a CVE id (CVE-YYYY-NNNN, 4 to 19 digits)",
                raw.cve_id
            ),
        ));
    }
    let date_added = date(&raw.date_added).map_err(|m| err("dateAdded", m))?;
    let due_date = date(&raw.due_date).map_err(|m| err("dueDate", m))?;
    let known_ransomware_campaign_use = match raw.known_ransomware_campaign_use.as_deref() {
        None => None,
        Some("Known") => Some(RansomwareUse::Known),
        Some("Unknown") => Some(RansomwareUse::Unknown),
        Some(other) => {
            return Err(err(
                "knownRansomwareCampaignUse",
                format!("{other:?} is neither \"Known\" nor \"Unknown\""),
            ));
        }
    };
    let cwes = raw.cwes.unwrap_or_default();
    for (j, cwe) in cwes.iter().enumerate() {
        if !is_cwe(cwe) {
            return Err(err(
                &format!("cwes[{j}]"),
                format!("{cwe:?} is not a CWE id (CWE-N, or NVD-CWE-noinfo / NVD-CWE-Other)"),
            ));
        }
    }
    Ok(KevEntry {
        cve: raw.cve_id,
        vendor_project: raw.vendor_project,
        product: raw.product,
        vulnerability_name: raw.vulnerability_name,
        date_added,
        short_description: raw.short_description,
        required_action: raw.required_action,
        due_date,
        known_ransomware_campaign_use,
        notes: raw.notes.unwrap_or_default(),
        cwes,
        forensic_triage: raw.forensic_triage,
    })
}

/// A `YYYY-MM-DD` date: exactly ten characters, a real calendar day.
pub(crate) fn date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, &c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(format!("{s:?} is not a date: expected YYYY-MM-DD"));
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u16, |n, &c| n * 10 + u16::from(c - b'0'));
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| format!("{s:?} is not a date: no month {month}"))?;
    let day = u8::try_from(day).unwrap_or(u8::MAX);
    Date::from_calendar_date(i32::from(year), month, day)
        .map_err(|e| format!("{s:?} is not a date: {e}"))
}

/// `CWE-` and digits, as the schema's pattern; and NVD's two placeholders, which CWE
/// lists copied from NVD carry.
fn is_cwe(s: &str) -> bool {
    if s == "NVD-CWE-noinfo" || s == "NVD-CWE-Other" {
        return true;
    }
    s.strip_prefix("CWE-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::{date, is_cwe};

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert!(date("2021-11-03").is_ok());
        assert!(date("2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2021-13-01",
            "2021-1-03",
            "+2021-11-03",
            "2021-11-03 ",
            "20211103",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cwe_ids() {
        assert!(is_cwe("CWE-79") && is_cwe("CWE-1321") && is_cwe("NVD-CWE-noinfo"));
        assert!(!is_cwe("CWE-") && !is_cwe("cwe-79") && !is_cwe("CWE-79a") && !is_cwe(""));
    }
}
