//! CWE numbers from the ways scanners write them: `CWE-79`, `CWE-79: Improper
//! Neutralization…` (Semgrep), `external/cwe/cwe-079` (CodeQL), `cwe_79`, or a bare
//! number (ZAP's `cweid`, SARIF CWE taxa).

/// The CWE number a tag or id names, or `None` when it names none. A bare number is
/// read only when `bare` is set (a field known to hold CWE ids); zero and negative
/// numbers (ZAP writes `-1` and `0` for "none") are none.
pub(crate) fn parse(text: &str, bare: bool) -> Option<u32> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_prefix("external/cwe/").unwrap_or(&t);
    let rest = match t.strip_prefix("cwe") {
        Some(rest) => rest.trim_start_matches(['-', '_', ' ', ':']),
        None if bare => t,
        None => return None,
    };
    let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
    // CWE ids have at most four digits today; seven leaves room and keeps u32 safe.
    if digits.is_empty() || digits.len() > 7 {
        return None;
    }
    // After the number only the end, or a separator before a name, may follow.
    let after = &rest[digits.len()..];
    if !(after.is_empty() || after.starts_with([':', ' ', '-', ')'])) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n > 0)
}

/// Sorts and removes repeats.
pub(crate) fn normalize(mut cwe: Vec<u32>) -> Vec<u32> {
    cwe.sort_unstable();
    cwe.dedup();
    cwe
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[track_caller]
    fn check(text: &str, bare: bool, want: Option<u32>) {
        assert_eq!(parse(text, bare), want, "{text:?}");
    }

    #[test]
    fn spellings() {
        check("CWE-79", false, Some(79));
        check("CWE-79: Improper Neutralization of Input", false, Some(79));
        check("external/cwe/cwe-079", false, Some(79));
        check("cwe_22", false, Some(22));
        check("CWE 400", false, Some(400));
        check("79", true, Some(79));
        check("CWE-79", true, Some(79));
    }

    #[test]
    fn others_are_none() {
        check("79", false, None);
        check("security", false, None);
        check("cwe-", false, None);
        check("CWE-79x", false, None);
        check("-1", true, None);
        check("0", true, None);
        check("CWE-99999999", false, None);
        check("owasp-a03", false, None);
    }
}
