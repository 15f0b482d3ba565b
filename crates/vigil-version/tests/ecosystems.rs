//! Conformance: every ecosystem the OSV schema defines is known, and those whose records
//! carry `ECOSYSTEM` ranges have a version scheme.

use vigil_version::Ecosystem;
use vigil_version::ecosystem::Family;

#[test]
fn every_osv_ecosystem_is_known() {
    let Some(dir) = vigil_testkit::conformance_dir("OSV ecosystem names") else {
        return;
    };
    let text = vigil_testkit::read(&dir, "osv-schema/ecosystems.json");
    let names: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("ecosystems.json is a JSON object");
    let mut unknown = Vec::new();
    for name in names.keys() {
        match name.parse::<Ecosystem>() {
            Ok(e) => assert_eq!(e.family.name(), name),
            Err(_) => unknown.push(name.as_str()),
        }
    }
    eprintln!(
        "conformance OSV ecosystems: {} names checked, {} unknown",
        names.len(),
        unknown.len()
    );
    assert!(unknown.is_empty(), "unknown OSV ecosystems: {unknown:?}");
    // Vigil knows no ecosystem that OSV does not define.
    let extra: Vec<&str> = Family::all()
        .map(Family::name)
        .filter(|n| !names.contains_key(*n))
        .collect();
    assert!(extra.is_empty(), "families OSV does not define: {extra:?}");
}
