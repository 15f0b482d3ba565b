//! What a record may not be, each case one line of record and one of the expected error
//! (JSON path, then reason), and what it may be.

use vigil_osv::{Format, Limits, Loader};

const HEAD: &str = r#""id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-01T00:00:00Z""#;

/// `fields` is the record without braces; the head (`id`, `modified`) is added unless
/// `fields` starts with `!`.
fn load(fields: &str) -> Result<vigil_osv::Osv, vigil_osv::Error> {
    let json = match fields.strip_prefix('!') {
        Some(raw) => format!("{{{raw}}}"),
        None if fields.is_empty() => format!("{{{HEAD}}}"),
        None => format!("{{{HEAD}, {fields}}}"),
    };
    vigil_osv::from_json(json.as_bytes())
}

/// Compares the error with `expect`, less the parser's ` at line L column C` suffix
/// (checked once, in `syntax_errors_say_where`).
fn check_invalid(fields: &str, expect: &str) {
    match load(fields) {
        Ok(_) => panic!("accepted: {fields}"),
        Err(e) => {
            let text = e.to_string();
            let text = match text.rfind(" at line ") {
                Some(at) => &text[..at],
                None => &text,
            };
            assert_eq!(text, expect, "{fields}");
        }
    }
}

#[test]
fn syntax_errors_say_where() {
    let e = load(r#""summary": "#).expect_err("truncated");
    assert_eq!(e.to_string(), "summary: expected value at line 1 column 78");
}

fn check_valid(fields: &str) {
    if let Err(e) = load(fields) {
        panic!("rejected: {e}\n{fields}");
    }
}

fn affected(ranges: &str) -> String {
    format!(
        r#""affected": [{{"package": {{"ecosystem": "PyPI", "name": "x"}}, "ranges": [{ranges}]}}]"#
    )
}

const HASH: &str = "e818b74be2170fbe957a07b0da4401c2b694b3b8";

#[test]
fn required_fields_and_types() {
    check_invalid(
        "!\"modified\": \"2024-01-01T00:00:00Z\"",
        "(record): missing field `id`",
    );
    check_invalid(
        r#"!"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z", "summary": 5"#,
        "summary: invalid type: integer `5`, expected a string",
    );
    check_invalid(
        r#""unknown_field": 1"#,
        "unknown_field: unknown field `unknown_field`, expected one of `schema_version`, `id`, `modified`, `published`, `withdrawn`, `aliases`, `related`, `upstream`, `summary`, `details`, `severity`, `affected`, `references`, `credits`, `database_specific`",
    );
    check_invalid(
        r#""related": null"#,
        "related: invalid type: null, expected a sequence",
    );
    check_invalid(
        r#""database_specific": []"#,
        "database_specific: invalid type: sequence, expected a map",
    );
    check_invalid(
        r#""affected": [{"package": {"ecosystem": "PyPI"}}]"#,
        "affected[0].package: missing field `name`",
    );
}

#[test]
fn nulls_where_the_schema_allows_them() {
    check_valid(r#""aliases": null, "affected": null, "references": null, "severity": null"#);
    check_valid(
        r#""affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, "severity": null}]"#,
    );
}

#[test]
fn ids_timestamps_and_ecosystems() {
    check_invalid(
        r#"!"id": "FOO-1", "modified": "2024-01-01T00:00:00Z""#,
        "id: id \"FOO-1\" does not start with a home database prefix the OSV schema lists (such as GHSA-, PYSEC-, GO-, RUSTSEC-, CVE-) or x_",
    );
    check_valid(r#"!"id": "x_internal-7", "modified": "2024-01-01T00:00:00Z""#);
    check_valid(r#"!"id": "SUSE-FU-2022:0444-1", "modified": "2024-01-01T00:00:00.123456Z""#);
    check_invalid(
        r#"!"id": "GO-1", "modified": "2024-01-01T00:00:00+00:00""#,
        "modified: timestamp \"2024-01-01T00:00:00+00:00\" is not RFC 3339 UTC as the OSV schema writes it (YYYY-MM-DDTHH:MM:SS[.fraction]Z)",
    );
    check_invalid(
        r#"!"id": "GO-1", "modified": "2024-13-01T00:00:00Z""#,
        "modified: timestamp \"2024-13-01T00:00:00Z\" is not a valid RFC 3339 date and time: month was not in range",
    );
    check_invalid(
        r#""affected": [{"package": {"ecosystem": "pypi", "name": "x"}}]"#,
        "affected[0].package.ecosystem: unknown ecosystem \"pypi\": the OSV schema lists the ecosystems by exact name, such as PyPI, npm, Go, crates.io, Maven, Debian:12",
    );
    check_valid(
        r#""affected": [{"package": {"ecosystem": "GIT", "name": "https://example.invalid/r"}, "versions": ["v1"]}]"#,
    );
    check_valid(r#""affected": [{"package": {"ecosystem": "Ubuntu:Pro:18.04:LTS", "name": "x"}}]"#);
}

#[test]
fn events() {
    check_invalid(
        &affected(r#"{"type": "ECOSYSTEM", "events": [{"fixed": "1.0"}]}"#),
        "affected[0].ranges[0].events: a range needs an \"introduced\" event",
    );
    check_invalid(
        &affected(r#"{"type": "ECOSYSTEM", "events": []}"#),
        "affected[0].ranges[0].events: a range needs at least one event",
    );
    check_invalid(
        &affected(r#"{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1.0"}]}"#),
        "affected[0].ranges[0].events[0]: an event holds exactly one of \"introduced\", \"fixed\", \"last_affected\" or \"limit\", this one has introduced and fixed",
    );
    check_invalid(
        &affected(r#"{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"other": "1.0"}]}"#),
        "affected[0].ranges[0].events[1]: an event needs one of \"introduced\", \"fixed\", \"last_affected\" or \"limit\"",
    );
    check_invalid(
        &affected(
            r#"{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}, {"last_affected": "2"}]}"#,
        ),
        "affected[0].ranges[0].events[2]: \"fixed\" and \"last_affected\" events cannot both appear in one range",
    );
    check_invalid(
        &affected(r#"{"type": "RANGE", "events": [{"introduced": "0"}]}"#),
        "affected[0].ranges[0].type: unknown variant `RANGE`, expected one of `SEMVER`, `ECOSYSTEM`, `GIT`",
    );
    // Extra keys in an event object are allowed by the schema.
    check_valid(&affected(
        r#"{"type": "ECOSYSTEM", "events": [{"introduced": "0", "note": 1}]}"#,
    ));
}

#[test]
fn git_ranges() {
    check_invalid(
        &affected(&format!(
            r#"{{"type": "GIT", "events": [{{"introduced": "{HASH}"}}]}}"#
        )),
        "affected[0].ranges[0].repo: a GIT range needs a \"repo\"",
    );
    check_invalid(
        &affected(
            r#"{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}, {"fixed": "cb35df940a"}]}"#,
        ),
        "affected[0].ranges[0].events[1].fixed: GIT range events must be full-length commit hashes (40 or 64 lower-case hex digits) or \"0\", not \"cb35df940a\"",
    );
    check_invalid(
        &affected(&format!(
            r#"{{"type": "GIT", "repo": "r", "events": [{{"introduced": "{HASH}"}}, {{"fixed": "{HASH}"}}]}}"#
        )),
        &format!(
            "affected[0].ranges[0].events[1].fixed: commit \"{HASH}\" is both introduced and fixed in this GIT range (OSV linter: range-is-distinct)"
        ),
    );
    check_valid(&affected(&format!(
        r#"{{"type": "GIT", "repo": "r", "events": [{{"introduced": "0"}}, {{"limit": "{HASH}"}}]}}"#
    )));
}

#[test]
fn severities() {
    check_invalid(
        r#""severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}], "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, "severity": []}]"#,
        "affected[0].severity: a record with a top-level \"severity\" cannot also give one per affected entry",
    );
    check_invalid(
        r#""severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}, {"type": "CVSS_V3", "score": "9.8"}]"#,
        "severity[1].score: \"9.8\" is not a CVSS v3 vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    );
    check_invalid(
        r#""severity": [{"type": "Ubuntu", "score": "Medium"}]"#,
        "severity[0].score: \"Medium\" is not one of negligible, low, medium, high, critical",
    );
    check_invalid(
        r#""severity": [{"type": "CVSS_V5", "score": "x"}]"#,
        "severity[0].type: unknown variant `CVSS_V5`, expected one of `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`",
    );
}

#[test]
fn several_violations_are_all_reported() {
    let e = load(&affected(
        r#"{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]}, {"type": "GIT", "events": [{"introduced": "0"}]}"#,
    ))
    .expect_err("invalid");
    assert_eq!(
        e.to_string(),
        "affected[0].ranges[0].events: a range needs an \"introduced\" event (and 1 more violation)"
    );
    let vigil_osv::Error::Invalid(all) = e else {
        panic!("not a schema error")
    };
    assert_eq!(all[1].path, "affected[0].ranges[1].repo");
}

#[test]
fn limits_name_themselves() {
    let loader = Loader {
        limits: Limits {
            max_events: 2,
            ..Limits::default()
        },
        ..Loader::default()
    };
    let json = format!(
        "{{{HEAD}, {}}}",
        affected(
            r#"{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}, {"introduced": "2"}]}"#
        )
    );
    let e = loader
        .load(json.as_bytes(), Format::Json)
        .expect_err("over the limit");
    assert_eq!(
        e.to_string(),
        "affected[0].ranges[0].events: 3 events, more than the limit max_events = 2"
    );
    let small = Loader {
        limits: Limits {
            max_record_bytes: 10,
            ..Limits::default()
        },
        ..Loader::default()
    };
    let e = small
        .load(json.as_bytes(), Format::Json)
        .expect_err("too large");
    assert_eq!(
        e.to_string(),
        format!(
            "record is {} bytes, more than the limit max_record_bytes = 10",
            json.len()
        )
    );
}

#[test]
fn yaml_errors_have_paths_too() {
    let yaml = "id: PYSEC-2024-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package:\n    ecosystem: PyPI\n    name: [x]\n";
    let e = vigil_osv::from_yaml(yaml.as_bytes()).expect_err("name is a list");
    assert_eq!(e.path(), Some("affected[0].package.name"), "{e}");
    // Plain scalars stay strings where the model wants strings: `1.10` is not 1.1.
    let yaml = "id: PYSEC-2024-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package:\n    ecosystem: PyPI\n    name: x\n  versions:\n  - 1.10\n  - 0\n";
    let osv = vigil_osv::from_yaml(yaml.as_bytes()).expect("loads");
    assert_eq!(osv.affected[0].versions, ["1.10", "0"]);
}

#[test]
fn json_round_trips() {
    let json = format!(
        r#"{{{HEAD}, "aliases": ["CVE-2024-1"], "withdrawn": "2024-02-01T00:00:00.5Z",
            "affected": [{{"package": {{"ecosystem": "Debian:12", "name": "x", "purl": "pkg:deb/debian/x"}},
                "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "1.0-1"}}], "database_specific": {{"k": [1, null]}}}}],
                "ecosystem_specific": {{"urgency": "low"}}}}],
            "credits": [{{"name": "n", "type": "FINDER"}}], "database_specific": {{"a": 1}}}}"#
    );
    let osv = vigil_osv::from_json(json.as_bytes()).expect("loads");
    let again =
        vigil_osv::from_json(&serde_json::to_vec(&osv).expect("serializes")).expect("loads again");
    assert_eq!(osv, again);
    assert_eq!(
        serde_json::to_value(&osv.affected[0].ranges[0].events).expect("json"),
        serde_json::json!([{"introduced": "0"}, {"fixed": "1.0-1"}])
    );
}
