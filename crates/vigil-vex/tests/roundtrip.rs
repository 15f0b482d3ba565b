//! Round trips over generated documents: what either writer writes reads back as the
//! same statements, and writing what was read gives the same bytes.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use proptest::prelude::*;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use vigil_vex::{
    BomLink, Digest, Document, Format, Identifiers, Justification, OpenVexSpec, Product, ProductId,
    Statement, Status, VersionSpec, Vulnerability, cyclonedx, openvex,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn purl() -> impl Strategy<Value = ProductId> {
    let name = "[a-z][a-z0-9-]{0,8}";
    let version = "[0-9]\\.[0-9]{1,2}\\.[0-9]";
    prop_oneof![
        (name, version).prop_map(|(n, v)| format!("pkg:npm/{n}@{v}")),
        (name, version).prop_map(|(n, v)| format!("pkg:pypi/{n}@{v}")),
        (name, name, version).prop_map(|(g, n, v)| format!("pkg:maven/org.{g}/{n}@{v}")),
        (name, version).prop_map(|(n, v)| format!("pkg:apk/wolfi/{n}@{v}?arch=x86_64")),
        (name, any::<[u8; 32]>()).prop_map(|(n, d)| format!("pkg:oci/{n}@sha256%3A{}", hex(&d))),
    ]
    .prop_map(|s| ProductId::parse(&s).0)
}

fn id() -> impl Strategy<Value = ProductId> {
    prop_oneof![
        3 => purl(),
        1 => any::<[u8; 32]>().prop_map(|d| ProductId::Digest {
            digest: Digest::new("sha256", &hex(&d)).unwrap(),
            purl: None,
        }),
        1 => (any::<[u8; 16]>(), 1..4u64, "[a-z][a-z0-9-]{0,10}").prop_map(|(u, version, r)| {
            let h = hex(&u);
            ProductId::BomLink(BomLink {
                serial: format!("urn:uuid:{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]),
                version,
                bom_ref: Some(r),
            })
        }),
        1 => ("[a-z][a-z-]{0,6}", "[0-9]\\.[0-9]").prop_map(|(s, v)| ProductId::Other(format!("svc-{s}@{v}"))),
    ]
}

/// A product. Hashes and CPE are a function of the id, as they are of a real artifact,
/// since CycloneDX keeps one list per component.
fn product(versions: bool) -> impl Strategy<Value = Product> {
    (
        id(),
        any::<bool>(),
        prop::collection::vec(purl(), 0..3),
        if versions {
            proptest::option::weighted(
                0.3,
                prop_oneof![
                    Just(VersionSpec::Version("10.0.0-rc.1".into())),
                    "[<>]=?[0-9]\\.[0-9]"
                        .prop_map(|c| VersionSpec::Range(format!("vers:generic/{c}"))),
                ],
            )
            .boxed()
        } else {
            Just(None).boxed()
        },
    )
        .prop_map(|(id, described, subcomponents, versions)| {
            let mut p = Product::new(id);
            let names_component = matches!(p.id, ProductId::Purl(_) | ProductId::Digest { .. });
            if described && names_component {
                let iri = p.id.as_iri();
                p.hashes = vec![
                    Digest::new("sha512", &hex(&sha2::Sha512::digest(iri.as_bytes()))).unwrap(),
                ];
                p.identifiers = Identifiers {
                    cpe23: Some(format!(
                        "cpe:2.3:a:example:{}:*:*:*:*:*:*:*:*",
                        &hex(&Sha256::digest(iri.as_bytes()))[..8]
                    )),
                    ..Identifiers::default()
                };
            }
            p.subcomponents = subcomponents;
            p.versions = versions;
            p
        })
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Z][a-z]{0,8}( [a-z]{1,8}){0,4}\\.")
}

fn timestamp() -> impl Strategy<Value = OffsetDateTime> {
    (946_684_800i64..1_900_000_000, 0u32..1_000_000_000).prop_map(|(s, n)| {
        OffsetDateTime::from_unix_timestamp(s).unwrap() + time::Duration::nanoseconds(n.into())
    })
}

fn statement(versions: bool) -> impl Strategy<Value = Statement> {
    (
        (
            "CVE-20[0-9]{2}-[0-9]{4,5}",
            prop::collection::vec("GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", 0..3),
        ),
        prop::collection::vec(product(versions), 0..4),
        prop::sample::select(Status::ALL.to_vec()),
        proptest::option::of(prop::sample::select(Justification::ALL.to_vec())),
        (text(), text(), text()),
        timestamp(),
    )
        .prop_map(
            |((name, aliases), mut products, status, justification, (impact, action, notes), t)| {
                // One product per id in a statement: subcomponents are recorded per id.
                let mut seen = std::collections::HashSet::new();
                products.retain(|p| seen.insert(p.id.as_iri()));
                Statement {
                    vulnerability: Vulnerability { name, aliases },
                    products,
                    status,
                    justification: justification.filter(|_| status == Status::NotAffected),
                    impact_statement: impact,
                    action_statement: action,
                    status_notes: notes,
                    timestamp: Some(t),
                    cdx: None,
                }
            },
        )
}

fn document(versions: bool) -> impl Strategy<Value = Document> {
    (
        prop::collection::vec(statement(versions), 1..6),
        proptest::option::of(timestamp()),
        proptest::option::of("[A-Z][a-z]{1,10}"),
        proptest::option::of(1u64..9),
    )
        .prop_map(|(statements, timestamp, author, version)| Document {
            format: Format::OpenVex {
                spec: OpenVexSpec::V0_2_0,
            },
            id: None,
            author,
            role: None,
            timestamp,
            last_updated: None,
            version,
            tooling: None,
            statements,
            bom: None,
            warnings: Vec::new(),
        })
}

/// Everything OpenVEX carries of a statement, with the texts the writer supplies.
fn openvex_view(doc: &Document) -> Vec<Statement> {
    let mut doc = doc.clone();
    doc.normalize();
    doc.statements
        .into_iter()
        .map(|mut s| {
            if s.status == Status::NotAffected
                && s.justification.is_none()
                && s.impact_statement.is_none()
            {
                s.impact_statement = Some(openvex::NO_IMPACT_STATEMENT.to_owned());
            }
            if s.status == Status::Affected && s.action_statement.is_none() {
                s.action_statement = Some(openvex::NO_ACTION_STATEMENT.to_owned());
            }
            s.cdx = None;
            s
        })
        .collect()
}

/// Everything CycloneDX carries of a statement: one text, the one the status calls for.
fn cyclonedx_view(doc: &Document) -> Vec<Statement> {
    let mut doc = doc.clone();
    doc.normalize();
    doc.statements
        .into_iter()
        .map(|mut s| {
            let (impact, action, notes) = match s.status {
                Status::NotAffected => (s.impact_statement.take(), None, None),
                Status::Affected => (None, s.action_statement.take(), None),
                Status::Fixed | Status::UnderInvestigation => (None, None, s.status_notes.take()),
            };
            s.impact_statement = impact;
            s.action_statement = action;
            s.status_notes = notes;
            s.cdx = None;
            s
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn openvex_round_trips(doc in document(false)) {
        let bytes = openvex::write(&doc);
        let back = vigil_vex::parse(&bytes).unwrap();
        prop_assert_eq!(openvex_view(&back), openvex_view(&doc), "{}", String::from_utf8_lossy(&bytes));
        prop_assert_eq!(back.author.as_deref(), Some(doc.author.as_deref().unwrap_or("Unknown Author")));
        prop_assert_eq!(back.version, Some(doc.version.unwrap_or(1)));
        prop_assert_eq!(openvex::write(&back), bytes);
    }

    #[test]
    fn cyclonedx_round_trips(doc in document(true)) {
        let bytes = cyclonedx::write(&doc);
        let back = vigil_vex::parse(&bytes).unwrap();
        // The only warnings are about what the generated statements lack.
        prop_assert!(
            back.warnings.iter().all(|w| ["names no component", "names no product", "which VEX requires"]
                .iter()
                .any(|m| w.message.contains(m))),
            "{:?}",
            back.warnings
        );
        prop_assert_eq!(cyclonedx_view(&back), cyclonedx_view(&doc), "{}", String::from_utf8_lossy(&bytes));
        prop_assert_eq!(&back.author, &doc.author);
        prop_assert_eq!(cyclonedx::write(&back), bytes);
    }

    #[test]
    fn both_ways_agree(doc in document(false)) {
        // OpenVEX to CycloneDX and back, and the other way: the statements survive.
        let via_cdx = vigil_vex::parse(&cyclonedx::write(&vigil_vex::parse(&openvex::write(&doc)).unwrap())).unwrap();
        let via_openvex = vigil_vex::parse(&openvex::write(&vigil_vex::parse(&cyclonedx::write(&doc)).unwrap())).unwrap();
        prop_assert_eq!(support::core(&via_cdx), support::core(&via_openvex));
    }
}

/// Every status with every justification and every text present or not, one statement
/// each, through both writers.
#[test]
fn every_status_and_justification_round_trips() {
    let product = Product::new(ProductId::parse("pkg:npm/a@1.0.0").0);
    let mut statements = Vec::new();
    for status in Status::ALL {
        let justifications: Vec<Option<Justification>> = if status == Status::NotAffected {
            std::iter::once(None)
                .chain(Justification::ALL.map(Some))
                .collect()
        } else {
            vec![None]
        };
        for justification in justifications {
            for texts in 0..8u8 {
                let t =
                    |bit: u8, s: &str| (texts & bit != 0).then(|| format!("{s} {status} {texts}."));
                statements.push(Statement {
                    vulnerability: Vulnerability {
                        name: format!("CVE-2024-{:04}", statements.len()),
                        aliases: Vec::new(),
                    },
                    products: vec![product.clone()],
                    status,
                    justification,
                    impact_statement: t(1, "Impact"),
                    action_statement: t(2, "Action"),
                    status_notes: t(4, "Notes"),
                    timestamp: Some(time::macros::datetime!(2024-01-01 00:00 UTC)),
                    cdx: None,
                });
            }
        }
    }
    let doc = Document {
        format: Format::OpenVex {
            spec: OpenVexSpec::V0_2_0,
        },
        id: Some("https://example.com/every".into()),
        author: Some("a".into()),
        role: None,
        timestamp: Some(time::macros::datetime!(2024-01-01 00:00 UTC)),
        last_updated: None,
        version: Some(1),
        tooling: None,
        statements,
        bom: None,
        warnings: Vec::new(),
    };
    assert_eq!(doc.statements.len(), 4 * 8 + 5 * 8);
    let back = vigil_vex::parse(&openvex::write(&doc)).unwrap();
    assert_eq!(openvex_view(&back), openvex_view(&doc));
    let back = vigil_vex::parse(&cyclonedx::write(&doc)).unwrap();
    assert_eq!(cyclonedx_view(&back), cyclonedx_view(&doc));
    // The CycloneDX output says each status and justification as the tables do.
    let cdx: serde_json::Value = serde_json::from_slice(&cyclonedx::write(&doc)).unwrap();
    let states: std::collections::BTreeSet<(String, String)> = cdx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let a = &v["analysis"];
            (
                a["state"].as_str().unwrap().to_owned(),
                a["justification"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    let want: std::collections::BTreeSet<(String, String)> = [
        ("not_affected", "-"),
        ("not_affected", "requires_dependency"),
        ("not_affected", "code_not_present"),
        ("not_affected", "code_not_reachable"),
        ("not_affected", "requires_environment"),
        ("not_affected", "protected_by_mitigating_control"),
        ("exploitable", "-"),
        ("resolved", "-"),
        ("in_triage", "-"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(states, want);
}
