//! `vigil ledger checkpoint|key|verify|proof|leaves`: the tamper-evident log of every
//! accepted event, as an auditor or operator reads it.

use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use super::store;
use crate::cli::{
    EvidenceExportArgs, EvidenceVerifyArgs, FormatArgs, LedgerLeavesArgs, LedgerProofArgs,
    LedgerVerifyArgs, StoreArgs,
};
use crate::output::{Format, print, print_json, table};

pub(crate) fn checkpoint(s: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    if engine.store().ledger_signer().is_some() {
        engine.checkpoint()?;
    }
    let Some(cp) = engine.latest_checkpoint()? else {
        anyhow::bail!(vigil_engine::EngineError::NotFound {
            what:
                "no checkpoint is signed yet: the ledger is empty or no signing key is configured"
                    .into(),
            hint: Some(
                "run `vigil init`, or set VIGIL_LEDGER_KEY or VIGIL_LEDGER__KEY_FILE".into()
            ),
        });
    };
    match args.format {
        Format::Json => print_json(&cp)?,
        Format::Table => print(&cp.note)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct KeyInfo {
    name: String,
    key_id: String,
    /// The verifier key text: `name+id+base64(0x01 || public key)`.
    vkey: String,
}

pub(crate) fn key(s: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let Some((key, _)) = store::ledger_key(s, false)? else {
        anyhow::bail!(vigil_engine::EngineError::NotFound {
            what: "no ledger signing key is configured".into(),
            hint: Some(
                "run `vigil init`, or set VIGIL_LEDGER_KEY or VIGIL_LEDGER__KEY_FILE".into()
            ),
        });
    };
    let info = KeyInfo {
        name: key.name().to_owned(),
        key_id: format!("{:08x}", key.key_id()),
        vkey: key.verifier().to_vkey(),
    };
    match args.format {
        Format::Json => print_json(&info)?,
        Format::Table => print(&format!("{}\n", info.vkey))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(s: &StoreArgs, args: &LedgerVerifyArgs) -> anyhow::Result<ExitCode> {
    let verifiers = args
        .keys
        .iter()
        .map(|k| vigil_engine::ledger::parse_vkey(k))
        .collect::<Result<Vec<_>, _>>()?;
    let mut engine = store::engine(s)?;
    let report = engine.verify_ledger(&verifiers)?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let mut text = format!(
                "{} leaves, {} signed checkpoints ({} verified) in {} ms\n",
                report.leaves, report.checkpoints, report.verified_checkpoints, report.millis
            );
            if let Some(root) = &report.root {
                text.push_str(&format!("root of all {} leaves: {root}\n", report.leaves));
            }
            if report.ok {
                text.push_str(
                    "OK: every leaf matches the hash recorded when it was appended, and every checkpoint signs the tree the leaves give.\n",
                );
                if report.checkpoints == 0 && report.leaves > 0 {
                    text.push_str("No checkpoint is signed: nothing here can be checked against a key. Run `vigil ledger checkpoint`.\n");
                }
            } else {
                text.push_str(&format!("FAILED: {} problems\n", report.problems.len()));
                for p in &report.problems {
                    text.push_str(&format!("  {}: {}\n", p.kind, p.message));
                }
            }
            if report.own_key {
                text.push_str(
                    "Checkpoints were checked with the store's own key. An auditor gives the key they were handed: --key VKEY (`vigil ledger key` prints it).\n",
                );
            }
            print(&text)?;
        }
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn proof(s: &StoreArgs, args: &LedgerProofArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    if let Some(sizes) = &args.consistency {
        let (Some(&size1), Some(&size2)) = (sizes.first(), sizes.get(1)) else {
            anyhow::bail!(vigil_engine::EngineError::Invalid(
                "--consistency takes two tree sizes".into()
            ));
        };
        let p = engine.consistency_proof(size1, size2)?;
        match args.format {
            Format::Json => print_json(&p)?,
            Format::Table => {
                let mut text = format!(
                    "consistency of {} leaves (root {}) with {} leaves (root {}):\n",
                    p.size1,
                    hex(&p.root1),
                    p.size2,
                    hex(&p.root2)
                );
                for h in &p.proof {
                    text.push_str(&format!("  {}\n", hex(h)));
                }
                print(&text)?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let proofs = match (&args.index, &args.event) {
        (Some(index), _) => vec![engine.leaf_proof(*index, args.size)?],
        (None, Some(subject)) => engine.event_proofs(subject, args.size)?,
        (None, None) => anyhow::bail!(vigil_engine::EngineError::Invalid(
            "give --index, --event or --consistency".into()
        )),
    };
    match args.format {
        Format::Json => print_json(&proofs)?,
        Format::Table => {
            let mut text = String::new();
            for p in &proofs {
                text.push_str(&format!(
                    "leaf {} of {} ({} {})\n  data: {}\n  leaf hash: {}\n  proof:\n",
                    p.index,
                    p.tree_size,
                    p.kind,
                    p.subject,
                    p.data,
                    hex(&p.leaf_hash)
                ));
                for h in &p.proof {
                    text.push_str(&format!("    {}\n", hex(h)));
                }
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct LeafRow {
    index: u64,
    kind: String,
    subject: String,
    data: serde_json::Value,
}

pub(crate) fn leaves(s: &StoreArgs, args: &LedgerLeavesArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let found = {
        let mut tx = engine.store().read()?;
        match &args.subject {
            Some(prefix) => tx.ledger_leaves_under(prefix, args.from, args.limit)?,
            None => tx.ledger_leaf_range(args.from, args.limit)?,
        }
    };
    let rows: Vec<LeafRow> = found
        .into_iter()
        .map(|l| LeafRow {
            index: l.index,
            kind: l.kind,
            subject: l.subject,
            data: serde_json::from_slice(&l.data).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    match args.format {
        Format::Json => print_json(&rows)?,
        Format::Table => {
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.index.to_string(),
                        r.kind.clone(),
                        r.subject.clone(),
                        r.data
                            .get("time")
                            .and_then(serde_json::Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    ]
                })
                .collect();
            print(&table(&["INDEX", "KIND", "SUBJECT", "TIME"], &body))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(h: &[u8]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn evidence_export(
    s: &StoreArgs,
    args: &EvidenceExportArgs,
) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let bundle = engine.export_evidence(&args.service, &args.version)?;
    let mut text = serde_json::to_string_pretty(&bundle)?;
    text.push('\n');
    if args.output.as_os_str() == "-" {
        print(&text)?;
    } else {
        write_file(&args.output, text.as_bytes())?;
        eprintln!(
            "wrote {}: {} {} with {} ledger leaves proved to the checkpoint of {} leaves",
            args.output.display(),
            bundle.service,
            bundle.version,
            bundle.leaves.len(),
            bundle.checkpoint.lines().nth(1).unwrap_or("?")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn evidence_verify(args: &EvidenceVerifyArgs) -> anyhow::Result<ExitCode> {
    let verifiers = args
        .keys
        .iter()
        .map(|k| vigil_engine::ledger::parse_vkey(k))
        .collect::<Result<Vec<_>, _>>()?;
    let limit = vigil_engine::evidence::MAX_BUNDLE_BYTES as u64;
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    if size > limit {
        anyhow::bail!(vigil_engine::EngineError::Invalid(format!(
            "{} is {size} bytes; bundles larger than {limit} bytes are refused",
            args.file.display()
        )));
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let report = match vigil_engine::evidence::verify_bundle(&bytes, &verifiers) {
        Ok(r) => r,
        Err(e) => {
            match args.format {
                Format::Json => {
                    print_json(&serde_json::json!({"verified": false, "error": e.to_string()}))?
                }
                Format::Table => print(&format!("NOT VERIFIED: {}: {e}\n", args.file.display()))?,
            }
            return Ok(ExitCode::from(1));
        }
    };
    match args.format {
        Format::Json => print_json(&serde_json::json!({"verified": true, "proved": report}))?,
        Format::Table => {
            let mut t = format!(
                "VERIFIED: {} {}\n\nAgainst the checkpoint of log {:?} at {} leaves (root {}), signed by {}, the bundle's {} ledger leaves prove:\n",
                report.service,
                report.version,
                report.origin,
                report.tree_size,
                report.root,
                report.signed_by.join(", "),
                report.leaves
            );
            t.push_str(&format!(
                "- the release was recorded at {}{}, with the SBOM whose SHA-256 is {} (the {} SBOM bytes in the bundle match it)\n",
                report.recorded_at,
                report.commit.as_deref().map(|c| format!(" from commit {c}")).unwrap_or_default(),
                report.sbom_sha256,
                report.sbom_bytes
            ));
            for d in &report.digests {
                t.push_str(&format!("- its artifact digest {d} was recorded\n"));
            }
            for s in &report.signatures {
                t.push_str(&format!(
                    "- a {} of the {} arrived with it (sha256 {}) and was {} when received{}\n",
                    s.kind,
                    s.target,
                    s.content_sha256,
                    s.verdict,
                    s.key_fingerprint
                        .as_deref()
                        .map(|k| format!(", by key {k}"))
                        .unwrap_or_default()
                ));
            }
            if report.ran.is_empty() {
                t.push_str("- it was never deployed, by the deployments in the bundle\n");
            }
            for w in &report.ran {
                match (&w.until, &w.replaced_by) {
                    (Some(until), Some(by)) => t.push_str(&format!(
                        "- it ran in {} from {} until {} (then {})\n",
                        w.environment, w.from, until, by
                    )),
                    _ => t.push_str(&format!(
                        "- it ran in {} from {}, and no later deployment event in the bundle ends it\n",
                        w.environment, w.from
                    )),
                }
            }
            for f in &report.findings {
                let states: Vec<String> = f
                    .states
                    .iter()
                    .map(|(at, state, why)| match why {
                        Some(why) => format!("{state} ({why}) at {at}"),
                        None => format!("{state} at {at}"),
                    })
                    .collect();
                t.push_str(&format!(
                    "- finding {} in {}: {}\n",
                    f.advisory,
                    f.purl,
                    states.join(", then ")
                ));
            }
            t.push_str(
                "\nA ledger proves that these events were recorded, in this order, and not changed since; it does not prove that the bundle lists every event about the release.\n",
            );
            print(&t)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` whole or not at all: beside the target, then renamed, so a
/// failed write leaves no half file.
pub(crate) fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("writing in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
