//! Prints what vigil-sbom reads from an SBOM: `cargo run -p vigil-sbom --example sbom-summary FILE...`.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match vigil_sbom::parse(&bytes) {
            Err(e) => println!("{path}: error: {e}"),
            Ok(bom) => {
                let graph = bom.graph();
                println!(
                    "{path}: {} {} subject={:?} tools={:?} time={:?}",
                    bom.format,
                    bom.spec_version,
                    bom.subject.as_ref().map(|s| (&s.name, &s.components)),
                    bom.tools
                        .iter()
                        .map(|t| format!("{}@{}", t.name, t.version.as_deref().unwrap_or("?")))
                        .collect::<Vec<_>>(),
                    bom.timestamp
                );
                for (i, c) in bom.components.iter().enumerate() {
                    println!(
                        "  [{i}] {} {} purl={} src={:?} {:?} path={:?}",
                        c.name,
                        c.full_version().unwrap_or_default(),
                        c.purl.as_ref().map(ToString::to_string).unwrap_or_default(),
                        c.source.as_ref().map(|s| (&s.name, &s.version)),
                        graph.relation(i),
                        graph.path(i)
                    );
                }
                for (i, why) in &bom.unmatchable {
                    println!("  unmatchable [{i}]: {why}");
                }
                for w in &bom.warnings {
                    println!("  warning: {w}");
                }
            }
        }
    }
}
