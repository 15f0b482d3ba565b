//! CVE identifiers as CISA's KEV schema defines them: `^CVE-[0-9]{4}-[0-9]{4,19}$`.

/// Whether `s` is a CVE id: `CVE-`, a four-digit year, `-`, and 4 to 19 digits.
///
/// ```
/// assert!(vigil_intel::is_cve_id("CVE-2021-44228"));
/// assert!(!vigil_intel::is_cve_id("cve-2021-44228"));
/// assert!(!vigil_intel::is_cve_id("CVE-2021-123"));
/// ```
#[must_use]
pub fn is_cve_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (4..=19).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_cve_id;

    #[test]
    fn pattern() {
        for ok in [
            "CVE-1999-0001",
            "CVE-2024-123456",
            "CVE-2024-1234567890123456789",
        ] {
            assert!(is_cve_id(ok), "{ok}");
        }
        for bad in [
            "",
            "CVE-",
            "CVE-2024",
            "CVE-2024-",
            "CVE-24-1234",
            "CVE-2024-123",
            "CVE-2024-12345678901234567890",
            "CVE-2024-1234 ",
            " CVE-2024-1234",
            "CVE-2024-12a4",
            "CVE-2024-1234-5",
            "GHSA-xxxx-yyyy-zzzz",
            "CVE-２０２４-1234",
        ] {
            assert!(!is_cve_id(bad), "{bad:?}");
        }
    }
}
