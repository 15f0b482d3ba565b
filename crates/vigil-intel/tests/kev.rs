//! The KEV catalog: a fixture in CISA's format, and every way a catalog is rejected.

use serde_json::{Value, json};
use time::macros::{date, datetime};
use vigil_intel::{Error, KevCatalog, Limits, RansomwareUse, parse_kev};

const FIXTURE: &str = include_str!("fixtures/kev.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("fixture is JSON")
}

fn parse_value(v: &Value) -> Result<KevCatalog, Error> {
    parse_kev(v.to_string().as_bytes(), &Limits::default())
}

fn error_of(v: &Value) -> String {
    parse_value(v).expect_err("rejected").to_string()
}

#[test]
fn reads_the_catalog() {
    let catalog = parse_kev(FIXTURE.as_bytes(), &Limits::default()).expect("valid");
    assert_eq!(
        catalog.title.as_deref(),
        Some("CISA Catalog of Known Exploited Vulnerabilities")
    );
    assert_eq!(catalog.version, "2025.02.25");
    assert_eq!(catalog.released, datetime!(2025-02-25 20:33:53.3676 UTC));
    assert_eq!(catalog.entries.len(), 3);

    let log4j = &catalog.entries[1];
    assert_eq!(log4j.cve, "CVE-2021-44228");
    assert_eq!(log4j.vendor_project, "Apache");
    assert_eq!(log4j.product, "Log4j2");
    assert_eq!(log4j.date_added, date!(2021 - 12 - 10));
    assert_eq!(log4j.due_date, date!(2021 - 12 - 24));
    assert_eq!(
        log4j.known_ransomware_campaign_use,
        Some(RansomwareUse::Known)
    );
    assert_eq!(log4j.cwes, ["CWE-20", "CWE-400", "CWE-502"]);
    assert_eq!(log4j.forensic_triage, None);

    let zimbra = &catalog.entries[0];
    assert!(
        zimbra.short_description.contains("/h/autoSaveDraft"),
        "JSON escapes undone"
    );
    assert_eq!(
        zimbra.known_ransomware_campaign_use,
        Some(RansomwareUse::Unknown)
    );

    let pan = &catalog.entries[2];
    assert_eq!(
        pan.short_description,
        "Readable by the \u{201c}nobody\u{201d} user."
    );
    assert!(pan.cwes.is_empty());
    assert_eq!(pan.notes, "");
    assert_eq!(pan.forensic_triage.as_deref(), Some("No"));
}

#[test]
fn optional_fields_may_be_absent_and_unknown_fields_are_ignored() {
    let mut v = fixture();
    v.as_object_mut().expect("object").remove("title");
    let e = v["vulnerabilities"][0].as_object_mut().expect("object");
    for k in ["knownRansomwareCampaignUse", "notes", "cwes"] {
        e.remove(k);
    }
    e.insert("somethingNew".into(), json!({"nested": [1, 2]}));
    let catalog = parse_value(&v).expect("valid");
    assert_eq!(catalog.title, None);
    let entry = &catalog.entries[0];
    assert_eq!(entry.known_ransomware_campaign_use, None);
    assert_eq!(entry.notes, "");
    assert!(entry.cwes.is_empty());
}

#[test]
fn an_empty_catalog_reads() {
    let v = json!({"catalogVersion": "2021.11.03", "dateReleased": "2021-11-03T00:00:00Z",
                   "count": 0, "vulnerabilities": []});
    assert!(parse_value(&v).expect("valid").entries.is_empty());
}

#[test]
fn count_must_match_the_entries() {
    let mut v = fixture();
    v["count"] = json!(4);
    assert_eq!(
        error_of(&v),
        "KEV catalog: count is 4 but vulnerabilities has 3 entries"
    );
}

#[test]
fn a_bad_entry_is_named_by_index_and_field() {
    let cases: &[(&str, Value, &str)] = &[
        (
            "cveID",
            json!("CVE-2021-123"),
            "KEV catalog: vulnerabilities[1].cveID: \"CVE-2021-123\" is not a CVE id (CVE-YYYY-NNNN, 4 to 19 digits)",
        ),
        (
            "dateAdded",
            json!("2021-13-10"),
            "KEV catalog: vulnerabilities[1].dateAdded: \"2021-13-10\" is not a date: no month 13",
        ),
        (
            "dateAdded",
            json!("12/10/2021"),
            "KEV catalog: vulnerabilities[1].dateAdded: \"12/10/2021\" is not a date: expected YYYY-MM-DD",
        ),
        (
            "dueDate",
            json!("2021-02-29"),
            "KEV catalog: vulnerabilities[1].dueDate: \"2021-02-29\" is not a date: day was not in range",
        ),
        (
            "knownRansomwareCampaignUse",
            json!("Yes"),
            "KEV catalog: vulnerabilities[1].knownRansomwareCampaignUse: \"Yes\" is neither \"Known\" nor \"Unknown\"",
        ),
        (
            "cwes",
            json!(["CWE-20", "XSS"]),
            "KEV catalog: vulnerabilities[1].cwes[1]: \"XSS\" is not a CWE id (CWE-N, or NVD-CWE-noinfo / NVD-CWE-Other)",
        ),
        (
            "product",
            json!(7),
            "KEV catalog: vulnerabilities[1].product: invalid type: integer `7`, expected a string at line 1 column",
        ),
        (
            "cwes",
            json!("CWE-20"),
            "KEV catalog: vulnerabilities[1].cwes: invalid type: string \"CWE-20\", expected a sequence at line 1 column",
        ),
    ];
    for (field, value, want) in cases {
        let mut v = fixture();
        v["vulnerabilities"][1][*field] = value.clone();
        let got = error_of(&v);
        assert!(got.starts_with(want), "{field}: {got}");
    }
}

#[test]
fn a_missing_required_field_is_named() {
    for field in [
        "cveID",
        "vendorProject",
        "product",
        "vulnerabilityName",
        "dateAdded",
        "shortDescription",
        "requiredAction",
        "dueDate",
    ] {
        let mut v = fixture();
        v["vulnerabilities"][2]
            .as_object_mut()
            .expect("object")
            .remove(field);
        let got = error_of(&v);
        assert!(
            got.starts_with(&format!(
                "KEV catalog: vulnerabilities[2]: missing field `{field}`"
            )),
            "{got}"
        );
    }
    for field in ["catalogVersion", "dateReleased", "count", "vulnerabilities"] {
        let mut v = fixture();
        v.as_object_mut().expect("object").remove(field);
        let got = error_of(&v);
        assert!(
            got.starts_with(&format!("KEV catalog: .: missing field `{field}`")),
            "{got}"
        );
    }
}

#[test]
fn date_released_must_be_rfc_3339() {
    let mut v = fixture();
    v["dateReleased"] = json!("2025-02-25");
    let got = error_of(&v);
    assert!(
        got.starts_with("KEV catalog: dateReleased: \"2025-02-25\" is not an RFC 3339 date-time"),
        "{got}"
    );
}

#[test]
fn not_json_or_trailing_bytes() {
    let got = parse_kev(b"<html>", &Limits::default())
        .expect_err("rejected")
        .to_string();
    assert!(
        got.starts_with("KEV catalog: .: expected value at line 1 column 1"),
        "{got}"
    );
    let mut doc = FIXTURE.as_bytes().to_vec();
    doc.extend_from_slice(b" {}");
    let got = parse_kev(&doc, &Limits::default())
        .expect_err("rejected")
        .to_string();
    assert!(
        got.starts_with("KEV catalog: .: trailing characters"),
        "{got}"
    );
    let got = parse_kev(b"[]", &Limits::default())
        .expect_err("rejected")
        .to_string();
    assert!(
        got == "KEV catalog: .: expected a JSON object, found an array",
        "{got}"
    );
}

#[test]
fn limits() {
    let limits = Limits {
        max_decompressed_bytes: 100,
        ..Limits::default()
    };
    let got = parse_kev(FIXTURE.as_bytes(), &limits)
        .expect_err("too big")
        .to_string();
    assert_eq!(
        got,
        format!(
            "document size exceeds the limit Limits::max_decompressed_bytes = 100 ({} bytes); if the file is trusted, raise it: Limits {{ max_decompressed_bytes: .., ..Limits::default() }}",
            FIXTURE.len()
        )
    );
    let limits = Limits {
        max_kev_entries: 2,
        ..Limits::default()
    };
    let got = parse_kev(FIXTURE.as_bytes(), &limits)
        .expect_err("too many")
        .to_string();
    assert_eq!(
        got,
        "KEV entry count exceeds the limit Limits::max_kev_entries = 2 (3 entries); if the file is trusted, raise it: Limits { max_kev_entries: .., ..Limits::default() }"
    );
}
