//! A release's SBOM as CycloneDX 1.6 JSON, shaped as the tool of its service writes it:
//! syft scanning the container image (the image as subject, `package-id` bom-refs, CPEs,
//! the operating system as a component, Debian packages with an `upstream` qualifier),
//! or cdxgen scanning the repository (the application as subject with its purl, purls
//! as bom-refs, the lock file each package came from). Both carry the dependency graph:
//! the subject's direct dependencies and, under them, the transitive ones.

use rand::Rng as _;
use serde::Serialize;

use crate::pool::{Ecosystem, Package};
use crate::portfolio::{Portfolio, ReleasePlan, Tool};
use crate::seed::rng;

#[derive(Serialize)]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: &'a [Component],
    dependencies: Vec<Dependency<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    tools: Tools,
    component: Component,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifecycles: Option<[Lifecycle; 1]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property<'a>>,
}

#[derive(Serialize)]
struct Lifecycle {
    phase: &'static str,
}

#[derive(Serialize)]
struct Tools {
    components: [Tool_; 1],
}

#[derive(Serialize)]
struct Tool_ {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'static str>,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property<'static>>,
}

#[derive(Serialize)]
struct License {
    license: LicenseId,
}

#[derive(Serialize)]
struct LicenseId {
    id: &'static str,
}

#[derive(Serialize)]
struct Property<'a> {
    name: &'static str,
    value: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<&'a str>,
}

const LICENSES: [&str; 6] = [
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "ISC",
    "GPL-2.0-only",
    "MPL-2.0",
];

/// Writes the SBOM of `plan` into `out` (cleared first).
pub fn write(p: &Portfolio, plan: &ReleasePlan, out: &mut Vec<u8>) -> serde_json::Result<()> {
    out.clear();
    let service = &p.services[plan.service];
    let mut r = rng(
        p.config.seed,
        "sbom",
        (plan.service as u64) << 24 | plan.index as u64,
    );
    let serial = {
        let a: u128 = r.random();
        let h = format!("{a:032x}");
        format!(
            "urn:uuid:{}-{}-4{}-8{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    };
    let tool = service.tool;
    let (subject, tools) = subject(p, plan, tool, &mut r);
    let mut components: Vec<Component> = plan
        .entries
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let (package, v) = p.pool.entry(e);
            component(package, v, tool, e, i < plan.app_entries)
        })
        .collect();
    let packages = components.len();
    if tool == Tool::Syft && packages > plan.app_entries {
        components.push(Component {
            bom_ref: "os:debian@12".to_owned(),
            kind: "operating-system",
            publisher: None,
            group: None,
            name: "debian".to_owned(),
            version: Some("12".to_owned()),
            scope: None,
            licenses: Vec::new(),
            cpe: None,
            purl: None,
            properties: Vec::new(),
        });
    }

    // The graph: the subject depends on a few packages of each part (application,
    // image); every other package hangs under an earlier one of its part.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); packages];
    let mut direct = Vec::new();
    for (start, end) in [(0, plan.app_entries), (plan.app_entries, packages)] {
        let n = end - start;
        let top = (n * 8 / 100).clamp(n.min(3), n);
        for i in start..end {
            if i < start + top {
                direct.push(i);
            } else {
                let parent = r.random_range(start..i);
                children[parent].push(i);
            }
        }
    }
    let mut dependencies = Vec::with_capacity(packages + 1);
    dependencies.push(Dependency {
        reference: &subject.bom_ref,
        depends_on: direct
            .iter()
            .map(|&i| components[i].bom_ref.as_str())
            .collect(),
    });
    for (i, kids) in children.iter().enumerate() {
        dependencies.push(Dependency {
            reference: &components[i].bom_ref,
            depends_on: kids
                .iter()
                .map(|&k| components[k].bom_ref.as_str())
                .collect(),
        });
    }
    let lifecycles = (tool == Tool::Cdxgen).then_some([Lifecycle { phase: "build" }]);
    let bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial,
        version: 1,
        metadata: Metadata {
            timestamp: rfc3339(plan.built_at),
            tools,
            component: subject_component(&subject),
            lifecycles,
            properties: Vec::new(),
        },
        components: &components,
        dependencies,
    };
    serde_json::to_writer(&mut *out, &bom)
}

/// The subject's bom-ref and, for cdxgen, its purl.
struct Subject {
    bom_ref: String,
    kind: &'static str,
    name: String,
    version: String,
    purl: Option<String>,
}

fn subject_component(s: &Subject) -> Component {
    Component {
        bom_ref: s.bom_ref.clone(),
        kind: s.kind,
        publisher: None,
        group: None,
        name: s.name.clone(),
        version: Some(s.version.clone()),
        scope: None,
        licenses: Vec::new(),
        cpe: None,
        purl: s.purl.clone(),
        properties: Vec::new(),
    }
}

fn subject(
    p: &Portfolio,
    plan: &ReleasePlan,
    tool: Tool,
    r: &mut crate::seed::Rng,
) -> (Subject, Tools) {
    let service = &p.services[plan.service];
    match tool {
        Tool::Syft => {
            let id: u64 = r.random();
            let digest: u128 = r.random();
            (
                Subject {
                    bom_ref: format!("{id:016x}"),
                    kind: "container",
                    name: format!("registry.example.com/{}", service.name),
                    version: format!("sha256:{digest:032x}{digest:032x}"),
                    purl: None,
                },
                Tools {
                    components: [Tool_ {
                        kind: "application",
                        author: Some("anchore"),
                        group: None,
                        name: "syft",
                        version: "1.18.1",
                    }],
                },
            )
        }
        Tool::Cdxgen => {
            let v = &plan.version;
            let purl = match service.ecosystem {
                Ecosystem::Npm => format!("pkg:npm/{}@{v}", service.name),
                Ecosystem::PyPI => format!("pkg:pypi/{}@{v}", service.name),
                Ecosystem::Maven => format!("pkg:maven/com.example/{}@{v}", service.name),
                Ecosystem::Go => format!("pkg:golang/git.example.com/apps/{}@v{v}", service.name),
                Ecosystem::CratesIo | Ecosystem::Debian => {
                    format!("pkg:cargo/{}@{v}", service.name)
                }
            };
            (
                Subject {
                    bom_ref: purl.clone(),
                    kind: "application",
                    name: service.name.clone(),
                    version: v.clone(),
                    purl: Some(purl),
                },
                Tools {
                    components: [Tool_ {
                        kind: "application",
                        author: None,
                        group: Some("@cyclonedx"),
                        name: "cdxgen",
                        version: "11.2.0",
                    }],
                },
            )
        }
    }
}

fn component(package: &Package, v: usize, tool: Tool, entry: u32, app: bool) -> Component {
    let purl = package.purl(v);
    let version = package.versions[v].clone();
    let license = LICENSES[(entry as usize / 7) % LICENSES.len()];
    match tool {
        Tool::Cdxgen => {
            let (group, name) = match package.ecosystem {
                Ecosystem::Npm | Ecosystem::Maven | Ecosystem::Go => {
                    (package.namespace.clone(), package.name.clone())
                }
                _ => (None, package.name.clone()),
            };
            let src = match package.ecosystem {
                Ecosystem::Npm => "package-lock.json",
                Ecosystem::PyPI => "poetry.lock",
                Ecosystem::Maven => "pom.xml",
                Ecosystem::Go => "go.sum",
                Ecosystem::CratesIo => "Cargo.lock",
                Ecosystem::Debian => "/var/lib/dpkg/status",
            };
            Component {
                bom_ref: purl.clone(),
                kind: "library",
                publisher: None,
                group,
                name,
                version: Some(version),
                scope: app.then_some("required"),
                licenses: vec![License {
                    license: LicenseId { id: license },
                }],
                cpe: None,
                purl: Some(purl),
                properties: vec![Property {
                    name: "SrcFile",
                    value: src.into(),
                }],
            }
        }
        Tool::Syft => {
            let name = match (package.ecosystem, &package.namespace) {
                (Ecosystem::Go, Some(ns)) => format!("{ns}/{}", package.name),
                (Ecosystem::Maven, _) => package.name.clone(),
                (Ecosystem::Npm, Some(scope)) => format!("{scope}/{}", package.name),
                _ => package.name.clone(),
            };
            let (cataloger, kind, path) = match package.ecosystem {
                Ecosystem::Npm => ("javascript-lock-cataloger", "npm", "/app/package-lock.json"),
                Ecosystem::PyPI => (
                    "python-installed-package-cataloger",
                    "python",
                    "/usr/local/lib/python3.12/site-packages",
                ),
                Ecosystem::Maven => ("java-archive-cataloger", "java-archive", "/app/app.jar"),
                Ecosystem::Go => ("go-module-binary-cataloger", "go-module", "/app/server"),
                Ecosystem::CratesIo => (
                    "cargo-auditable-binary-cataloger",
                    "rust-crate",
                    "/app/server",
                ),
                Ecosystem::Debian => ("dpkg-db-cataloger", "deb", "/var/lib/dpkg/status"),
            };
            let id = format!(
                "{:016x}",
                u64::from(entry).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            );
            let bom_ref = if purl.contains('?') {
                format!("{purl}&package-id={id}")
            } else {
                format!("{purl}?package-id={id}")
            };
            let vendor = package.namespace.as_deref().unwrap_or(&package.name);
            let vendor = vendor
                .rsplit(['/', '.'])
                .next()
                .unwrap_or(vendor)
                .trim_start_matches('@');
            Component {
                bom_ref,
                kind: "library",
                publisher: (package.ecosystem == Ecosystem::Debian)
                    .then(|| "Debian Maintainers <debian-devel@lists.debian.org>".to_owned()),
                group: None,
                name,
                version: Some(version.clone()),
                scope: None,
                licenses: vec![License {
                    license: LicenseId { id: license },
                }],
                cpe: Some(format!(
                    "cpe:2.3:a:{vendor}:{}:{}:*:*:*:*:*:*:*",
                    package.name,
                    version.replace(':', "\\:")
                )),
                purl: Some(purl),
                properties: vec![
                    Property {
                        name: "syft:package:foundBy",
                        value: cataloger.into(),
                    },
                    Property {
                        name: "syft:package:type",
                        value: kind.into(),
                    },
                    Property {
                        name: "syft:location:0:path",
                        value: path.into(),
                    },
                ],
            }
        }
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "2025-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use vigil_match::scan::{Dependency as Dep, packages};

    use super::*;
    use crate::portfolio::{Portfolio, PortfolioConfig};

    /// Every generated SBOM reads back through `vigil-sbom` and `vigil-match` with
    /// every package matchable, under the identity OSV uses for it.
    #[test]
    fn documents_read_back_with_every_package_matchable() {
        let p = Portfolio::generate(&PortfolioConfig {
            seed: 5,
            services: 12,
            releases: 24,
            components_per_release: 150,
            package_pool: 10_000,
        });
        let mut buf = Vec::new();
        let mut tools = HashSet::new();
        let mut ecosystems = HashSet::new();
        for plan in p.releases() {
            write(&p, &plan, &mut buf).unwrap();
            let bom = vigil_sbom::parse(&buf).unwrap();
            assert_eq!(bom.format.to_string(), "CycloneDX JSON");
            let found = packages(&bom);
            assert!(found.unmatchable.is_empty(), "{:?}", found.unmatchable);
            assert_eq!(found.matchable.len(), p.packages_of(&plan));
            let wanted: HashSet<String> = plan
                .entries
                .iter()
                .map(|&e| {
                    let (pkg, v) = p.pool.entry(e);
                    format!(
                        "{}/{}@{}",
                        pkg.ecosystem.osv(),
                        pkg.osv_name(),
                        pkg.versions[v]
                    )
                })
                .collect();
            for m in &found.matchable {
                if m.dependency == Dep::Subject {
                    continue;
                }
                assert_ne!(m.dependency, Dep::Unknown, "{} is in the graph", m.purl);
                let got = format!("{}@{}", m.identity.key, m.identity.version);
                assert!(
                    wanted.contains(&got),
                    "{got} not among the release's packages"
                );
                ecosystems.insert(m.identity.key.ecosystem().to_string());
            }
            tools.insert(p.services[plan.service].tool);
        }
        assert_eq!(tools.len(), 2);
        assert_eq!(ecosystems.len(), 6, "{ecosystems:?}");
    }
}
