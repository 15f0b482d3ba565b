//! CVSS scores of the `cvss` crate checked against reference scores of FIRST's
//! calculators, and the choice of one severity per advisory.
//!
//! Sources of the reference scores:
//! - CVSS v3.1 and v3.0: Red Hat's `cvss` library test vectors
//!   (github.com/RedHatProductSecurity/cvss, `tests/vectors_simple31`,
//!   `tests/vectors_simple3`, `tests/vectors_calculator3`), generated and checked against
//!   FIRST's v3 calculator (first.org/cvss/calculator/3.1); the base score is the first of
//!   each line's three.
//! - CVSS v4.0: the same project's `tests/vectors_simple4` and `tests/test_cvss4.py`,
//!   checked against FIRST's v4.0 calculator (first.org/cvss/calculator/4.0, the
//!   `cvss-v4-calculator` reference implementation).
//! - CVSS v2: FIRST's CVSS v2 guide equations; the scores are those NVD publishes for
//!   these vectors.

use vigil_osv::model::{SeverityScore, SeverityType};
use vigil_osv::severity::{assess, score};
use vigil_osv::{Rating, SeveritySource};

fn check(kind: SeverityType, vector: &str, expect: f32, rating: Rating) {
    let s = score(&SeverityScore {
        kind,
        score: vector.to_owned(),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.score, Some(expect), "{vector}");
    assert_eq!(s.rating, rating, "{vector}");
}

#[test]
fn cvss_v31_base_scores_match_first() {
    use Rating::*;
    for (v, s, r) in [
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            10.0,
            Critical,
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:L/A:L",
            9.9,
            Critical,
        ),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, Medium),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0, None),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            9.8,
            Critical,
        ),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, High),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5, Medium),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, Medium),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H",
            9.6,
            Critical,
        ),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:N/A:N", 4.7, Medium),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N", 4.3, Medium),
        (
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
            9.9,
            Critical,
        ),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, High),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", 3.5, Low),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, High),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:L/I:L/A:L", 6.6, Medium),
    ] {
        check(SeverityType::CvssV3, v, s, r);
    }
}

#[test]
fn cvss_v30_base_scores_match_first() {
    use Rating::*;
    for (v, s, r) in [
        ("CVSS:3.0/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:N", 3.1, Low),
        ("CVSS:3.0/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:H/A:H", 5.7, Medium),
        ("CVSS:3.0/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:L/A:N", 2.0, Low),
        (
            "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            9.6,
            Critical,
        ),
        ("CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N", 7.4, High),
        ("CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8, High),
        ("CVSS:3.0/AV:A/AC:L/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.6, Medium),
        ("CVSS:3.0/AV:A/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.5, Low),
        (
            "CVSS:3.0/AV:A/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
            9.0,
            Critical,
        ),
        ("CVSS:3.0/AV:A/AC:L/PR:L/UI:R/S:C/C:L/I:N/A:N", 3.4, Low),
        ("CVSS:3.0/AV:A/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:L", 4.9, Medium),
        ("CVSS:3.0/AV:A/AC:L/PR:H/UI:N/S:C/C:H/I:N/A:N", 6.2, Medium),
        // With temporal metrics: the base score ignores them.
        (
            "CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X",
            3.8,
            Low,
        ),
    ] {
        check(SeverityType::CvssV3, v, s, r);
    }
}

#[test]
fn cvss_v40_scores_match_first() {
    use Rating::*;
    for (v, s, r) in [
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L",
            9.2,
            Critical,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:H/SI:N/SA:L",
            7.8,
            High,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N",
            6.9,
            Medium,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:N/VA:N/SC:L/SI:N/SA:L",
            5.3,
            Medium,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            8.6,
            High,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:H",
            6.3,
            Medium,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H",
            9.3,
            Critical,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:P/VC:L/VI:L/VA:N/SC:L/SI:N/SA:N",
            4.8,
            Medium,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H",
            9.5,
            Critical,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N",
            2.1,
            Low,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:L/VA:L/SC:L/SI:N/SA:N",
            1.8,
            Low,
        ),
        (
            "CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:H/SA:L",
            9.4,
            Critical,
        ),
        (
            "CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N",
            4.0,
            Medium,
        ),
        (
            "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:N/VI:L/VA:N/SC:L/SI:H/SA:L",
            7.0,
            High,
        ),
        // From test_cvss4.py: no impact; one high impact; with environmental metrics.
        (
            "CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
            0.0,
            None,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
            8.7,
            High,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/AR:L",
            7.9,
            High,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MSI:H",
            7.7,
            High,
        ),
    ] {
        check(SeverityType::CvssV4, v, s, r);
    }
}

#[test]
fn cvss_v2_base_scores() {
    use Rating::*;
    for (v, s, r) in [
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, High),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, High),
        ("AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2, High),
        ("AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0, Medium),
        ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, Medium),
        ("AV:N/AC:H/Au:N/C:P/I:N/A:N", 2.6, Low),
    ] {
        check(SeverityType::CvssV2, v, s, r);
    }
}

fn entry(kind: SeverityType, score: &str) -> SeverityScore {
    SeverityScore {
        kind,
        score: score.to_owned(),
    }
}

#[test]
fn the_newest_cvss_version_is_preferred() {
    let both = [
        entry(
            SeverityType::CvssV3,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        ),
        entry(
            SeverityType::CvssV4,
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N",
        ),
    ];
    let s = assess(&both, None).expect("a severity");
    assert_eq!(s.source, SeveritySource::CvssV4);
    assert_eq!(s.score, Some(6.9));
}

#[test]
fn database_specific_severity_is_used_and_says_so() {
    let db: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(r#"{"severity": "MODERATE", "github_reviewed": true}"#).expect("json");
    let s = assess(&[], Some(&db)).expect("a severity");
    assert_eq!(s.source, SeveritySource::DatabaseSpecific);
    assert_eq!((s.score, s.rating), (None, Rating::Medium));
    // A CVSS vector wins over the database's word.
    let cvss = [entry(
        SeverityType::CvssV3,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )];
    assert_eq!(
        assess(&cvss, Some(&db)).expect("severity").source,
        SeveritySource::CvssV3
    );
    assert_eq!(assess(&[], None), None);
}

#[test]
fn ubuntu_priorities_are_ratings_without_scores() {
    let s = assess(&[entry(SeverityType::Ubuntu, "negligible")], None).expect("severity");
    assert_eq!(
        (s.score, s.rating, s.source),
        (None, Rating::Negligible, SeveritySource::Ubuntu)
    );
}

#[test]
fn records_expose_their_severity_and_per_entry_ones() {
    let osv = vigil_osv::from_json(
        br#"{"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-01T00:00:00Z",
            "database_specific": {"severity": "HIGH"},
            "affected": [{"package": {"ecosystem": "npm", "name": "a"},
                          "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]},
                         {"package": {"ecosystem": "npm", "name": "b"}}]}"#,
    )
    .expect("loads");
    let top = osv.severity_assessment().expect("severity");
    assert_eq!(
        (top.rating, top.source),
        (Rating::High, SeveritySource::DatabaseSpecific)
    );
    let first = osv.affected[0].severity_assessment().expect("own severity");
    assert_eq!(
        (first.score, first.source),
        (Some(7.5), SeveritySource::CvssV3)
    );
    assert_eq!(osv.affected[1].severity_assessment(), None);
}
