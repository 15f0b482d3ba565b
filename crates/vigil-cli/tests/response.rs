//! The README's triage round trip through the binary, on the demo store: Backstage
//! owners, a VEX document shrinking the exposure, the VEX export read back, a risk
//! acceptance, an environment SLA policy, overdue findings, metrics, the gate's exit
//! codes, root cause, exposure at a past instant, and the errors.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");

fn vigil(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--data-dir", "vigil-demo"])
        .args(args)
        .current_dir(cwd)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(cwd: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = vigil(cwd, &all);
    assert_eq!(code, 0, "vigil {args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("vigil {args:?}: {e}: {out}"))
}

#[test]
fn the_readme_triage_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let (code, _, err) = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["demo", "--no-serve"])
        .current_dir(cwd)
        .output()
        .map(|o| {
            (
                o.status.code(),
                o.stdout,
                String::from_utf8(o.stderr).unwrap(),
            )
        })
        .unwrap();
    assert_eq!(code, Some(0), "{err}");

    let catalog = json(cwd, &["catalog", "import", &format!("{DEMO}/catalog")]);
    assert_eq!(catalog["owners"].as_array().unwrap().len(), 4);
    let teams = json(cwd, &["team", "list"]);
    let payments = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "payments")
        .unwrap();
    assert_eq!(
        payments["contacts"]["email"],
        "payments@acme-outfitters.example"
    );
    assert_eq!(
        payments["services"],
        serde_json::json!(["checkout", "payments-api"])
    );

    let before = json(cwd, &["findings", "--env", "production"]);
    let n = before.as_array().unwrap().len();
    let imported = json(
        cwd,
        &[
            "vex",
            "import",
            &format!("{DEMO}/vex/checkout-2.4.0.openvex.json"),
        ],
    );
    assert_eq!(imported["findings_changed"], 1);
    let after = json(cwd, &["findings", "--env", "production"]);
    assert_eq!(
        after.as_array().unwrap().len(),
        n - 1,
        "the exposure shrinks"
    );
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["advisory_id"] != "GHSA-qwcr-r2fm-qrc7")
    );

    // The export reads back as the same statement.
    let (code, _, err) = vigil(
        cwd,
        &[
            "vex",
            "export",
            "--service",
            "checkout",
            "--version",
            "2.4.0",
            "-o",
            "out.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let out: Value = serde_json::from_slice(&std::fs::read(cwd.join("out.json")).unwrap()).unwrap();
    assert_eq!(out["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(out["statements"][0]["status"], "not_affected");
    assert_eq!(
        out["statements"][0]["products"][0]["subcomponents"][0]["@id"],
        "pkg:npm/body-parser@1.20.1"
    );
    let (code, cdx, _) = vigil(cwd, &["vex", "export", "--as", "cyclonedx"]);
    assert_eq!(code, 0);
    let cdx: Value = serde_json::from_str(&cdx).unwrap();
    assert_eq!(cdx["specVersion"], "1.6");

    // The evidence bundle proves the decision and the finding's triaged state.
    let (code, _, err) = vigil(
        cwd,
        &[
            "evidence",
            "export",
            "--service",
            "checkout",
            "--version",
            "2.4.0",
            "-o",
            "bundle.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let bundle = std::fs::read_to_string(cwd.join("bundle.json")).unwrap();
    assert!(
        bundle.contains("triage/1"),
        "the decision's leaf is in the bundle"
    );
    let (_, key, _) = vigil(cwd, &["ledger", "key"]);
    let (code, out, err) = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["evidence", "verify", "bundle.json", "--key", key.trim()])
        .current_dir(cwd)
        .output()
        .map(|o| {
            (
                o.status.code(),
                String::from_utf8(o.stdout).unwrap(),
                String::from_utf8(o.stderr).unwrap(),
            )
        })
        .unwrap();
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("triaged not_affected"), "{out}");

    // A risk acceptance keeps the finding open but takes it off the overdue list.
    let overdue = json(cwd, &["findings", "--overdue"])
        .as_array()
        .unwrap()
        .len();
    assert!(overdue > 0);
    let accepted = json(
        cwd,
        &[
            "triage",
            "set",
            "GHSA-mjmj-j48q-9wg2",
            "--status",
            "risk_accepted",
            "--service",
            "payments-api",
            "--for-days",
            "30",
            "--reason",
            "YAML input is internal only",
            "--actor",
            "carol",
        ],
    );
    assert_eq!(accepted["decision"]["actor"], "carol");
    assert_eq!(accepted["decision"]["scope"], "service");
    let still = json(cwd, &["findings", "--overdue"])
        .as_array()
        .unwrap()
        .len();
    assert!(still < overdue);
    let decisions = json(cwd, &["triage", "list"]);
    assert_eq!(decisions.as_array().unwrap().len(), 2);

    // Environment SLA policies show in `env list`; a bad one is refused.
    let (code, _, err) = vigil(
        cwd,
        &[
            "env",
            "policy",
            "--env",
            "production",
            "--sla",
            "critical=3,high=14",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let envs = json(cwd, &["env", "list"]);
    let prod = envs
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "production")
        .unwrap();
    assert_eq!(
        prod["sla"],
        "critical=3,high=14,medium=90,low=180,unrated=90,kev=3"
    );
    let (code, _, err) = vigil(
        cwd,
        &[
            "env",
            "policy",
            "--env",
            "production",
            "--sla",
            "critical=0",
        ],
    );
    assert_eq!(code, 2, "{err}");

    let metrics = json(cwd, &["metrics", "--by", "team", "--months", "3"]);
    let rows = metrics["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r["mttr"]["count"].as_u64().unwrap() > 0)
    );
    assert_eq!(metrics["trend"].as_array().unwrap().len(), 3);

    // The gate: payments-api 1.4.2 has untriaged KEV-listed Log4Shell: deny, exit 1.
    let (code, out, _) = vigil(
        cwd,
        &[
            "gate",
            "--env",
            "production",
            "--service",
            "payments-api",
            "--version",
            "1.4.2",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("DENY"), "{out}");
    assert!(out.contains("untriaged_kev"), "{out}");
    let (code, out, _) = vigil(
        cwd,
        &[
            "gate",
            "--env",
            "production",
            "--service",
            "checkout",
            "--version",
            "2.4.0",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = vigil(cwd, &["gate", "--env", "production"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = vigil(cwd, &["gate", "test", &format!("{DEMO}/../policies")]);
    assert_eq!(code, 0, "{out}");

    let rc = json(cwd, &["root-cause", "CVE-2021-44228"]);
    let origin = &rc["origins"][0];
    assert_eq!(origin["service"], "payments-api");
    assert_eq!(origin["entered"]["version"], "1.4.2");
    assert_eq!(origin["left"]["version"], "1.5.0");
    let at = json(
        cwd,
        &["affected", "CVE-2021-44228", "--at", "2026-01-15T00:00:00Z"],
    );
    assert_eq!(at["exposed"], 2);
    let at = json(
        cwd,
        &["affected", "CVE-2021-44228", "--at", "2025-01-01T00:00:00Z"],
    );
    assert_eq!(at["exposed"], 0);
    let patterns = json(cwd, &["patterns", "--top", "3"]);
    assert_eq!(patterns["packages"].as_array().unwrap().len(), 3);

    // Mistakes exit 2 with what is wrong.
    for (args, says) in [
        (
            &[
                "triage",
                "set",
                "CVE-2021-44228",
                "--status",
                "not_affected",
            ][..],
            "justification",
        ),
        (&["triage", "revoke", "999"][..], "no triage decision 999"),
        (&["vex", "import", "Cargo.toml"][..], "Cargo.toml"),
        (
            &["affected", "CVE-2021-44228", "--at", "yesterday"][..],
            "RFC 3339",
        ),
    ] {
        let (code, _, err) = vigil(cwd, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
