//! EPSS scores: a fixture in FIRST's format, plain and gzip-compressed, every way a
//! file is rejected, and a round trip of generated rows.

use std::io::Write as _;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use time::macros::datetime;
use vigil_intel::{EpssReader, EpssScore, EpssScores, Limits, parse_epss};

const FIXTURE: &str = include_str!("fixtures/epss.csv");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes).expect("in-memory gzip");
    gz.finish().expect("in-memory gzip")
}

fn parse(text: &str) -> Result<EpssScores, String> {
    parse_epss(text.as_bytes(), &Limits::default()).map_err(|e| e.to_string())
}

fn error_of(text: &str) -> String {
    parse(text).expect_err("rejected")
}

fn check_fixture(scores: &EpssScores) {
    assert_eq!(scores.model_version.as_deref(), Some("v2025.03.14"));
    assert_eq!(scores.score_date, Some(datetime!(2025-03-16 00:00 UTC)));
    assert_eq!(scores.scores.len(), 7);
    assert_eq!(
        scores.scores[2],
        EpssScore {
            cve: "CVE-2021-44228".to_owned(),
            epss: 0.94358,
            percentile: 0.99957
        }
    );
    assert_eq!(scores.scores[5].cve, "CVE-2024-1234567");
    assert_eq!(
        (scores.scores[5].epss, scores.scores[5].percentile),
        (1.0, 1.0)
    );
    assert_eq!(
        (scores.scores[6].epss, scores.scores[6].percentile),
        (0.0, 0.0)
    );
}

#[test]
fn reads_plain_and_gzip() {
    check_fixture(&parse(FIXTURE).expect("valid"));
    let gz = gzip(FIXTURE.as_bytes());
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    check_fixture(&parse_epss(&gz, &Limits::default()).expect("valid"));
}

#[test]
fn reads_files_without_the_comment_line() {
    let old = FIXTURE.split_once('\n').expect("two lines").1;
    let scores = parse(old).expect("valid");
    assert_eq!(scores.model_version, None);
    assert_eq!(scores.score_date, None);
    assert_eq!(scores.scores.len(), 7);
}

#[test]
fn crlf_bom_blank_lines_and_no_final_newline() {
    let text = format!("\u{feff}{}", FIXTURE.replace('\n', "\r\n").trim_end());
    check_fixture(&parse(&text).expect("valid"));
    let text = FIXTURE.replace("CVE-2025-0111", "\nCVE-2025-0111");
    assert_eq!(parse(&text).expect("valid").scores.len(), 7);
}

#[test]
fn header_only_is_an_empty_file_of_scores() {
    let scores = parse(
        "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000\ncve,epss,percentile\n",
    )
    .expect("valid");
    assert!(scores.scores.is_empty());
}

#[test]
fn streams() {
    let mut reader = EpssReader::new(FIXTURE.as_bytes(), &Limits::default()).expect("valid");
    assert_eq!(reader.model_version(), Some("v2025.03.14"));
    assert_eq!(reader.score_date(), Some(datetime!(2025-03-16 00:00 UTC)));
    assert_eq!(
        reader.next().expect("row").expect("valid").cve,
        "CVE-1999-0001"
    );
    assert_eq!(reader.count(), 6);
}

#[test]
fn a_bad_row_is_named_by_line() {
    let cases = [
        (
            "CVE-2025-0111,0.00046",
            "EPSS scores: line 7: expected 3 fields (cve,epss,percentile), found 2",
        ),
        (
            "CVE-2025-0111,0.00046,0.1642,x",
            "EPSS scores: line 7: expected 3 fields (cve,epss,percentile), found 4",
        ),
        (
            "cve-2025-0111,0.00046,0.1642",
            "EPSS scores: line 7: cve \"cve-2025-0111\" is not a CVE id (CVE-YYYY-NNNN)",
        ),
        (
            "CVE-2025-0111,high,0.1642",
            "EPSS scores: line 7: epss \"high\" is not a number",
        ),
        (
            "CVE-2025-0111,,0.1642",
            "EPSS scores: line 7: epss \"\" is not a number",
        ),
        (
            "CVE-2025-0111,1.5,0.1642",
            "EPSS scores: line 7: epss \"1.5\" is not in [0, 1]",
        ),
        (
            "CVE-2025-0111,0.1,-0.1642",
            "EPSS scores: line 7: percentile \"-0.1642\" is not in [0, 1]",
        ),
        (
            "CVE-2025-0111,0.1,NaN",
            "EPSS scores: line 7: percentile \"NaN\" is not in [0, 1]",
        ),
        (
            "CVE-2025-0111,0.1, 0.2",
            "EPSS scores: line 7: percentile \" 0.2\" is not a number",
        ),
        (
            "#note:late",
            "EPSS scores: line 7: expected 3 fields (cve,epss,percentile), found 1",
        ),
    ];
    for (row, want) in cases {
        let text = FIXTURE.replace("CVE-2025-0111,0.00046,0.1642", row);
        assert_eq!(error_of(&text), want, "{row}");
    }
    // Without the comment line the same row is line 6.
    let old = FIXTURE.split_once('\n').expect("two lines").1;
    let text = old.replace("CVE-2025-0111,0.00046,0.1642", "CVE-2025-0111,2,0");
    assert_eq!(
        error_of(&text),
        "EPSS scores: line 6: epss \"2\" is not in [0, 1]"
    );
    // And in a compressed file, the same as plain.
    let gz = gzip(text.as_bytes());
    let got = parse_epss(&gz, &Limits::default())
        .expect_err("rejected")
        .to_string();
    assert_eq!(got, "EPSS scores: line 6: epss \"2\" is not in [0, 1]");
}

#[test]
fn a_bad_header_or_comment_is_named_by_line() {
    assert_eq!(
        error_of(""),
        "EPSS scores: line 1: no header: expected cve,epss,percentile"
    );
    assert_eq!(
        error_of("#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000\n"),
        "EPSS scores: line 2: no header: expected cve,epss,percentile"
    );
    assert_eq!(
        error_of("cve,epss\nCVE-1999-0001,0.1\n"),
        "EPSS scores: line 1: header is \"cve,epss\", expected cve,epss,percentile"
    );
    assert_eq!(
        error_of("#model_version:v1\nCVE-1999-0001,0.1,0.2\n"),
        "EPSS scores: line 2: header is \"CVE-1999-0001,0.1,0.2\", expected cve,epss,percentile"
    );
    assert_eq!(
        error_of(
            "#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000,oops\ncve,epss,percentile\n"
        ),
        "EPSS scores: line 1: comment line item \"oops\" is not key:value (expected #model_version:...,score_date:...)"
    );
    assert_eq!(
        error_of("#model_version:v2025.03.14,score_date:16/03/2025\ncve,epss,percentile\n"),
        "EPSS scores: line 1: score_date \"16/03/2025\" is not a date: expected YYYY-MM-DD"
    );
    let got = error_of("#score_date:2025-03-16T00:00+0000\ncve,epss,percentile\n");
    assert!(
        got.starts_with("EPSS scores: line 1: score_date \"2025-03-16T00:00+0000\" is not a date-time (YYYY-MM-DDTHH:MM:SS+0000): "),
        "{got}"
    );
    assert_eq!(
        error_of("#model_version:a\n#model_version:b\ncve,epss,percentile\n"),
        "EPSS scores: line 2: model_version given twice"
    );
    // Two comment lines, and keys this crate does not know, are read.
    let scores = parse("#model_version:v2023.03.01\n#score_date:2023-03-07,rows:1\ncve,epss,percentile\nCVE-1999-0001,0.1,0.2\n")
        .expect("valid");
    assert_eq!(scores.model_version.as_deref(), Some("v2023.03.01"));
    assert_eq!(scores.score_date, Some(datetime!(2023-03-07 00:00 UTC)));
}

#[test]
fn a_corrupt_gzip_stream_is_an_error() {
    let gz = gzip(FIXTURE.as_bytes());
    let truncated = &gz[..gz.len() - 12];
    let got = parse_epss(truncated, &Limits::default())
        .expect_err("rejected")
        .to_string();
    assert!(
        got.starts_with("EPSS scores: gzip stream after line "),
        "{got}"
    );
    let got = parse_epss(&[0x1f, 0x8b, 0, 0], &Limits::default())
        .expect_err("rejected")
        .to_string();
    assert!(
        got.starts_with("EPSS scores: gzip stream after line 0: "),
        "{got}"
    );
}

#[test]
fn limits() {
    let rows = Limits {
        max_epss_rows: 6,
        ..Limits::default()
    };
    assert_eq!(
        parse_epss(FIXTURE.as_bytes(), &rows)
            .expect_err("too many")
            .to_string(),
        "EPSS row count exceeds the limit Limits::max_epss_rows = 6 at line 9; if the file is trusted, raise it: Limits { max_epss_rows: .., ..Limits::default() }"
    );
    let exact = Limits {
        max_epss_rows: 7,
        max_decompressed_bytes: FIXTURE.len() as u64,
        ..Limits::default()
    };
    assert_eq!(
        parse_epss(FIXTURE.as_bytes(), &exact)
            .expect("at the limits")
            .scores
            .len(),
        7
    );
    assert_eq!(
        parse_epss(&gzip(FIXTURE.as_bytes()), &exact)
            .expect("at the limits")
            .scores
            .len(),
        7
    );

    let small = Limits {
        max_decompressed_bytes: 100,
        ..Limits::default()
    };
    assert_eq!(
        parse_epss(FIXTURE.as_bytes(), &small)
            .expect_err("too big")
            .to_string(),
        format!(
            "document size exceeds the limit Limits::max_decompressed_bytes = 100 ({} bytes); if the file is trusted, raise it: Limits {{ max_decompressed_bytes: .., ..Limits::default() }}",
            FIXTURE.len()
        )
    );
    let got = parse_epss(&gzip(FIXTURE.as_bytes()), &small)
        .expect_err("too big")
        .to_string();
    assert!(
        got.starts_with(
            "decompressed size exceeds the limit Limits::max_decompressed_bytes = 100 after line "
        ),
        "{got}"
    );
}

#[test]
fn a_gzip_bomb_stops_at_the_limit() {
    // 32 MiB of zeros after a valid header compress to about 32 KiB; the reader must
    // stop at 1 MiB decompressed instead of inflating it all.
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(b"cve,epss,percentile\nCVE-1999-0001,0.1,0.2,")
        .expect("gzip");
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..32 {
        gz.write_all(&zeros).expect("gzip");
    }
    let bomb = gz.finish().expect("gzip");
    let limits = Limits {
        max_decompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    let got = parse_epss(&bomb, &limits).expect_err("bounded").to_string();
    assert!(
        got.starts_with(
            "decompressed size exceeds the limit Limits::max_decompressed_bytes = 1048576"
        ),
        "{got}"
    );
}

fn cve() -> impl Strategy<Value = String> {
    (1999u32..=2099, 0u64..10_000_000_000).prop_map(|(y, n)| format!("CVE-{y}-{n:04}"))
}

fn unit() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.0f32), Just(1.0f32), 0.0f32..=1.0f32]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Rows written as FIRST writes them (shortest round-trip decimals) read back
    /// exactly, plain and compressed, with and without the comment line.
    #[test]
    fn rows_round_trip(
        rows in proptest::collection::vec((cve(), unit(), unit()), 0..50),
        comment in any::<bool>(),
    ) {
        let mut text = String::new();
        if comment {
            text.push_str("#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000\n");
        }
        text.push_str("cve,epss,percentile\n");
        for (cve, epss, percentile) in &rows {
            text.push_str(&format!("{cve},{epss},{percentile}\n"));
        }
        let want: Vec<EpssScore> = rows
            .into_iter()
            .map(|(cve, epss, percentile)| EpssScore { cve, epss, percentile })
            .collect();
        for bytes in [text.clone().into_bytes(), gzip(text.as_bytes())] {
            let got = parse_epss(&bytes, &Limits::default()).expect("valid");
            prop_assert_eq!(got.model_version.is_some(), comment);
            prop_assert_eq!(got.scores.len(), want.len());
            for (g, w) in got.scores.iter().zip(&want) {
                prop_assert_eq!(&g.cve, &w.cve);
                prop_assert_eq!(g.epss.to_bits(), w.epss.to_bits());
                prop_assert_eq!(g.percentile.to_bits(), w.percentile.to_bits());
            }
        }
    }
}
