#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]
//! docs/dast.md describes every check as the catalogue has it: a table row with the id,
//! title, CWE and severity, and a section of its own.

#[test]
fn every_check_is_documented_as_catalogued() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/dast.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for check in vigil_dast::checks() {
        let row = format!(
            "| `{}` | {} | CWE-{} | {} |",
            check.id, check.title, check.cwe, check.severity
        );
        assert!(doc.contains(&row), "docs/dast.md has no row {row}");
        let section = format!("\n### `{}`\n", check.id);
        assert!(
            doc.contains(&section),
            "docs/dast.md has no section for {}",
            check.id
        );
    }
    let sections = doc.matches("\n### `").count();
    assert_eq!(
        sections,
        vigil_dast::checks().len(),
        "a section for a check that is gone"
    );
}
