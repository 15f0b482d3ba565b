//! Conformance: scanning CycloneDX's own example SBOMs gives findings a security engineer
//! recognises: the known CVEs of the Go modules in proton-bridge (including one with no fix
//! ever released) and of junit in keycloak.

use vigil_engine::advisories::{SourceLimits, load};
use vigil_match::Index;
use vigil_match::scan::{Fix, scan};

fn findings(
    sbom: &std::path::Path,
    advisories: &[std::path::PathBuf],
) -> Vec<(String, String, String, Fix)> {
    let mut index = Index::new();
    for path in advisories {
        load(path, &mut index, &SourceLimits::default(), &mut |_, _| {}).expect("advisories load");
    }
    let bytes = std::fs::read(sbom).expect("example SBOM is readable");
    let bom = vigil_sbom::parse(&bytes).expect("example SBOM parses");
    scan(&index, &bom)
        .findings
        .into_iter()
        .map(|f| (f.package, f.version, f.advisory, f.fix))
        .collect()
}

#[test]
fn cyclonedx_examples_give_known_findings() {
    let Some(data) = vigil_testkit::conformance_dir("scan of CycloneDX examples") else {
        return;
    };
    let examples = data.join("cyclonedx-bom-examples/SBOM");

    let proton = findings(
        &examples.join("proton-bridge/proton-bridge-v1.8.0.bom.json"),
        &[data.join("osv-db-go")],
    );
    let has = |package: &str, advisory: &str, fix: &Fix| {
        proton
            .iter()
            .any(|(p, _, a, f)| p == package && a == advisory && f == fix)
    };
    // CVE-2020-26160: dgrijalva/jwt-go was abandoned; no fixed version exists.
    assert!(
        has(
            "github.com/dgrijalva/jwt-go",
            "GO-2020-0017",
            &Fix::NoFixYet
        ),
        "{proton:?}"
    );
    // CVE-2020-28483 in gin, fixed in 1.7.7.
    assert!(
        has(
            "github.com/gin-gonic/gin",
            "GO-2021-0052",
            &Fix::FixedIn {
                versions: vec!["1.7.7".to_owned()]
            }
        ),
        "{proton:?}"
    );

    let keycloak = findings(
        &examples.join("keycloak-10.0.2/bom.json"),
        &[data.join("osv-scanner/offline-records")],
    );
    // CVE-2020-15250: junit 4.12's TemporaryFolder, fixed in 4.13.1.
    assert!(
        keycloak
            .iter()
            .any(|(p, v, a, _)| p == "junit:junit" && v == "4.12" && a == "GHSA-269g-pwp5-87pp"),
        "{keycloak:?}"
    );
    eprintln!(
        "conformance scan of CycloneDX examples: proton-bridge {} findings, keycloak {} findings",
        proton.len(),
        keycloak.len()
    );
}
