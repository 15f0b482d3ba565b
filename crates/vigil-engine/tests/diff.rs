//! `diff_releases` on every backend: packages added, removed, upgraded and downgraded by
//! each ecosystem's order (npm's `4.17.9` < `4.17.21`, not as text), several versions of
//! one package, and the errors for an unknown release.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use vigil_engine::diff::PackageChange;
use vigil_engine::{Engine, EngineError, ReleaseInput};
use vigil_store::testing::stores;

fn sbom(components: &[(&str, &str)]) -> Vec<u8> {
    let list: Vec<String> = components
        .iter()
        .map(|(name, version)| {
            format!(
                r#"{{"type": "library", "name": "{name}", "version": "{version}", "purl": "pkg:npm/{name}@{version}", "bom-ref": "{name}@{version}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {{"component": {{"type": "application", "name": "checkout", "bom-ref": "app"}}}},
  "components": [{}]}}"#,
        list.join(",")
    )
    .into_bytes()
}

fn change(name: &str, from: Option<&str>, to: Option<&str>) -> PackageChange {
    PackageChange {
        ecosystem: "npm".into(),
        name: name.into(),
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
    }
}

#[test]
fn what_changed_between_two_releases() {
    for t in stores("diff") {
        let backend = t.name();
        let mut engine = Engine::new(t.reopen());
        for (version, components) in [
            (
                "1.0.0",
                &[
                    ("lodash", "4.17.9"),
                    ("express", "4.21.2"),
                    ("debug", "2.6.9"),
                    ("ms", "2.0.0"),
                    ("ms", "2.1.3"),
                    ("qs", "6.13.0"),
                ][..],
            ),
            (
                "1.1.0",
                &[
                    ("lodash", "4.17.21"),
                    ("debug", "2.6.8"),
                    ("ms", "2.1.3"),
                    ("body-parser", "1.20.3"),
                    ("qs", "6.13.0"),
                ][..],
            ),
        ] {
            engine
                .add_release(&ReleaseInput {
                    service: "checkout",
                    version,
                    sbom: &sbom(components),
                    ..ReleaseInput::default()
                })
                .unwrap();
        }
        let d = engine.diff_releases("checkout", "1.0.0", "1.1.0").unwrap();
        assert_eq!(
            d.upgraded,
            [change("lodash", Some("4.17.9"), Some("4.17.21"))],
            "{backend}"
        );
        assert_eq!(
            d.downgraded,
            [change("debug", Some("2.6.9"), Some("2.6.8"))],
            "{backend}"
        );
        assert_eq!(
            d.removed,
            [
                change("express", Some("4.21.2"), None),
                change("ms", Some("2.0.0"), None)
            ],
            "{backend}"
        );
        assert_eq!(
            d.added,
            [change("body-parser", None, Some("1.20.3"))],
            "{backend}"
        );
        assert!(d.changed.is_empty());
        assert_eq!(d.unchanged, 2, "{backend}: ms 2.1.3 and qs 6.13.0");

        // The other way round, upgrades are downgrades.
        let back = engine.diff_releases("checkout", "1.1.0", "1.0.0").unwrap();
        assert_eq!(back.downgraded[0].name, "lodash");

        let err = engine
            .diff_releases("checkout", "1.0.0", "9.9.9")
            .unwrap_err();
        assert!(
            matches!(err, EngineError::NotFound { .. }),
            "{backend}: {err}"
        );
        assert!(
            err.to_string().contains("no release checkout 9.9.9"),
            "{err}"
        );
    }
}
