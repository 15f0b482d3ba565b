//! The ledger and evidence commands as an operator and an auditor run them: `vigil init`
//! makes the key (mode 0600) and prints its verifier key; every write is a leaf under a
//! signed checkpoint; `vigil ledger verify` passes, then names a tampered leaf with exit
//! code 1; an evidence bundle verifies offline with the key alone and fails with one
//! byte changed; signed releases and the signed-only policy from the command line.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
const ATTEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vigil-attest/tests/fixtures"
);

fn vigil(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .current_dir(cwd)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_DATA_DIR")
        .env_remove("VIGIL_LEDGER_KEY")
        .env_remove("VIGIL_LEDGER__KEY_FILE")
        .output()
        .expect("vigil runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

fn ok(cwd: &Path, args: &[&str]) -> String {
    let (code, out, err) = vigil(cwd, args);
    assert_eq!(code, 0, "vigil {args:?}: {err}{out}");
    out
}

fn json(cwd: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(cwd, &all)).unwrap()
}

/// An SBOM of the demo data.
fn sbom() -> PathBuf {
    let dir = Path::new(DEMO).join("sboms");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .min()
        .unwrap()
}

#[test]
fn init_ledger_verify_tamper_and_bundles() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let init = json(cwd, &["init"]);
    let key = init["ledger_key"]["vkey"].as_str().unwrap().to_owned();
    assert_eq!(init["ledger_key"]["created"], true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cwd.join("vigil-data/ledger.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(ok(cwd, &["ledger", "key"]).trim(), key);

    let sbom = sbom();
    let sbom = sbom.to_str().unwrap();
    ok(
        cwd,
        &[
            "release",
            "add",
            "--service",
            "shop",
            "--version",
            "1.0.0",
            "--sbom",
            sbom,
        ],
    );
    ok(
        cwd,
        &[
            "deploy",
            "--env",
            "production",
            "--service",
            "shop",
            "--version",
            "1.0.0",
        ],
    );
    let verify = json(cwd, &["ledger", "verify"]);
    assert_eq!(verify["ok"], true, "{verify}");
    assert!(verify["leaves"].as_u64().unwrap() >= 3, "{verify}");
    assert_eq!(verify["checkpoints"], verify["verified_checkpoints"]);

    let proofs = json(cwd, &["ledger", "proof", "--event", "release/shop@1.0.0"]);
    assert_eq!(proofs[0]["kind"], "release");
    let leaves = json(cwd, &["ledger", "leaves", "--subject", "deployment/"]);
    assert_eq!(leaves[0]["data"]["data"]["environment"], "production");
    let one = json(
        cwd,
        &["ledger", "leaves", "--subject", "release/", "--limit", "1"],
    );
    assert_eq!(one.as_array().unwrap().len(), 1, "{one}");
    let later = json(
        cwd,
        &["ledger", "leaves", "--subject", "release/", "--from", "1"],
    );
    assert!(
        later
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["index"].as_u64().unwrap() >= 1),
        "{later}"
    );

    // The bundle verifies offline with the key alone, from another directory.
    let bundle = cwd.join("shop-1.0.0.json");
    ok(
        cwd,
        &[
            "evidence",
            "export",
            "--service",
            "shop",
            "--version",
            "1.0.0",
            "-o",
            bundle.to_str().unwrap(),
        ],
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = ok(
        elsewhere.path(),
        &[
            "evidence",
            "verify",
            bundle.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert!(out.starts_with("VERIFIED: shop 1.0.0"), "{out}");
    assert!(out.contains("it ran in production from"), "{out}");
    // One byte changed: exit 1, and the reason.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let tampered = cwd.join("tampered.json");
    std::fs::write(&tampered, text.replacen("production", "pr0duction", 1)).unwrap();
    let (code, out, _) = vigil(
        cwd,
        &[
            "evidence",
            "verify",
            tampered.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("NOT VERIFIED"), "{out}");

    // A leaf edited in the database: verify fails, exit 1, and names it.
    let db = rusqlite::Connection::open(cwd.join("vigil-data/vigil.db")).unwrap();
    db.execute(
        "UPDATE ledger_leaves SET data = CAST(REPLACE(CAST(data AS TEXT), 'production', 'staging') AS BLOB)
         WHERE subject LIKE 'deployment/%'",
        [],
    )
    .unwrap();
    drop(db);
    let (code, out, err) = vigil(cwd, &["ledger", "verify"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("edited: leaf"), "{out}");
    assert!(out.contains("(deployment/1)"), "{out}");
}

#[test]
fn signed_releases_and_the_policy_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let f = |name: &str| format!("{ATTEST}/{name}");
    ok(
        cwd,
        &[
            "service",
            "key",
            "add",
            "--service",
            "billing-api",
            "--key",
            &f("keys/p256.pub"),
        ],
    );
    let keys = json(cwd, &["service", "key", "list"]);
    assert_eq!(keys[0]["algorithm"], "ecdsa-p256-sha256");
    let out = json(
        cwd,
        &[
            "release",
            "add",
            "--service",
            "billing-api",
            "--version",
            "2.4.1",
            "--sbom",
            &f("sbom.cdx.json"),
            "--sbom-signature",
            &f("sbom.cdx.json.p256.sig.b64"),
            "--attestation",
            &f("provenance.p256.dsse.json"),
        ],
    );
    assert_eq!(out["signature_verdict"], "signed", "{out}");
    ok(
        cwd,
        &[
            "release",
            "add",
            "--service",
            "billing-api",
            "--version",
            "2.4.2",
            "--sbom",
            &f("sbom.cdx.json"),
        ],
    );
    ok(
        cwd,
        &[
            "env",
            "policy",
            "--env",
            "production",
            "--require-signed",
            "true",
        ],
    );
    let envs = json(cwd, &["env", "list"]);
    assert_eq!(envs[0]["require_signed"], true);
    let (code, _, err) = vigil(
        cwd,
        &[
            "deploy",
            "--env",
            "production",
            "--service",
            "billing-api",
            "--version",
            "2.4.2",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("takes only signed releases"), "{err}");
    ok(
        cwd,
        &[
            "deploy",
            "--env",
            "production",
            "--service",
            "billing-api",
            "--version",
            "2.4.1",
        ],
    );
    let sigs = json(
        cwd,
        &[
            "release",
            "signatures",
            "--service",
            "billing-api",
            "--version",
            "2.4.1",
        ],
    );
    assert_eq!(sigs["verdict"], "signed");
    assert_eq!(sigs["signatures"].as_array().unwrap().len(), 2);
}
