//! Conformance: transparency-dev/merkle's proof vectors (inclusion, consistency, and the
//! Merkle Tree Certificates subtree vectors) and the RFC 6962 reference tree.
//!
//! A vector whose root, leaf hash or proof hash is not 32 bytes cannot be passed to the API
//! (hashes are `[u8; 32]`). If it wants an error, it is counted as rejected by the type. If it
//! wants success (only equal-roots cases such as "sizes are equal (one) and proof is empty",
//! where the bytes are only compared), each such value is replaced by its SHA-256, which
//! keeps equal values equal and unequal ones unequal, and the API must accept it.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use sha2::Digest as _;
use vigil_ledger::{
    Frontier, Hash, MemoryTree, ProofError, leaf_hash, verify_consistency, verify_inclusion,
    verify_subtree_consistency, verify_subtree_inclusion,
};

const TESTDATA: &str = "merkle-rfc6962/transparency-dev-merkle/testdata";

/// Every JSON file under `dir`, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A 32-byte hash from base64; otherwise `None`, or under `stand_in` the SHA-256 of the bytes.
fn to_hash(b64: &str, stand_in: bool) -> Option<Hash> {
    let raw = BASE64.decode(b64).unwrap();
    match Hash::try_from(raw.as_slice()) {
        Ok(h) => Some(h),
        Err(_) if stand_in => Some(sha2::Sha256::digest(&raw).into()),
        Err(_) => None,
    }
}

/// A base64 field that must be a 32-byte hash (see [`to_hash`]).
fn hash(v: &Value, field: &str) -> Option<Hash> {
    let s = v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string"));
    to_hash(s, stands_in(v))
}

/// The proof hashes (`null` is empty; see [`to_hash`]).
fn proof(v: &Value) -> Option<Vec<Hash>> {
    match &v["proof"] {
        Value::Null => Some(vec![]),
        Value::Array(items) => items
            .iter()
            .map(|p| to_hash(p.as_str().unwrap(), stands_in(v)))
            .collect(),
        other => panic!("proof is {other}"),
    }
}

/// Whether values that are not 32 bytes get a stand-in: only in vectors that want success.
fn stands_in(v: &Value) -> bool {
    v["wantErr"] == Value::Bool(false)
}

fn num(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} is not a u64"))
}

#[derive(Default)]
struct Tally {
    verified: usize,
    rejected: usize,
    rejected_by_type: usize,
}

/// Runs every vector of one suite through `check`, which returns `None` when the vector
/// cannot be expressed with 32-byte hashes, else the API's answer.
fn suite(name: &str, check: impl Fn(&Value) -> Option<Result<(), ProofError>>) {
    let Some(dir) = vigil_testkit::conformance_dir(&format!("merkle-rfc6962 {name}")) else {
        return;
    };
    let files = json_files(&dir.join(TESTDATA).join(name));
    assert!(!files.is_empty(), "no vectors for {name}");
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for file in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let want_err = v["wantErr"].as_bool().unwrap();
        let shown = file.strip_prefix(&dir).unwrap().display().to_string();
        match check(&v) {
            None if want_err => tally.rejected_by_type += 1,
            None => unreachable!("stand-ins are used when no error is wanted"),
            Some(Ok(())) if !want_err => tally.verified += 1,
            Some(Err(_)) if want_err => tally.rejected += 1,
            Some(got) => failures.push(format!(
                "{shown} ({}): want error {want_err}, got {got:?}",
                v["desc"]
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "conformance merkle-rfc6962 {name}: {} vectors verified, {} errors rejected ({} of them by the 32-byte hash type), {} files",
        tally.verified,
        tally.rejected + tally.rejected_by_type,
        tally.rejected_by_type,
        files.len()
    );
}

#[test]
fn inclusion() {
    suite("inclusion", |v| {
        let p = proof(v)?;
        Some(verify_inclusion(
            &hash(v, "leafHash")?,
            num(v, "leafIdx"),
            num(v, "treeSize"),
            &p,
            &hash(v, "root")?,
        ))
    });
}

#[test]
fn consistency() {
    suite("consistency", |v| {
        let p = proof(v)?;
        Some(verify_consistency(
            num(v, "size1"),
            num(v, "size2"),
            &p,
            &hash(v, "root1")?,
            &hash(v, "root2")?,
        ))
    });
}

/// Subtree inclusion: leaf `leafIdx` in the subtree `[start, end)` whose hash is `root`
/// (draft-ietf-plants-merkle-tree-certs). The API grew `verify_subtree_inclusion` for it.
#[test]
fn subtree_inclusion() {
    suite("subtreeinclusion", |v| {
        let p = proof(v)?;
        Some(verify_subtree_inclusion(
            &hash(v, "leafHash")?,
            num(v, "leafIdx"),
            num(v, "start"),
            num(v, "end"),
            &p,
            &hash(v, "root")?,
        ))
    });
}

/// Subtree consistency: the subtree `[start, end)` with hash `root1` is part of the tree of
/// `size` leaves with root `root2`. The API grew `verify_subtree_consistency` for it.
#[test]
fn subtree_consistency() {
    suite("subtreeconsistency", |v| {
        let p = proof(v)?;
        Some(verify_subtree_consistency(
            num(v, "start"),
            num(v, "end"),
            num(v, "size"),
            &p,
            &hash(v, "root1")?,
            &hash(v, "root2")?,
        ))
    });
}

#[test]
fn reference_tree() {
    let Some(dir) = vigil_testkit::conformance_dir("merkle-rfc6962 reference tree") else {
        return;
    };
    let v: Value = serde_json::from_str(&vigil_testkit::read(
        &dir,
        "merkle-rfc6962/rfc6962-reference-tree.json",
    ))
    .unwrap();
    let hexes = |field: &str| -> Vec<Vec<u8>> {
        v[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| decode_hex(h.as_str().unwrap()))
            .collect()
    };
    let inputs = hexes("leaf_inputs_hex");
    let leaf_hashes = hexes("leaf_hashes_hex");
    let roots = hexes("root_hashes_hex");
    assert_eq!((inputs.len(), roots.len()), (8, 9));
    let leaves: Vec<Hash> = inputs.iter().map(|d| leaf_hash(d)).collect();
    for (mine, theirs) in leaves.iter().zip(&leaf_hashes) {
        assert_eq!(mine.as_slice(), theirs.as_slice());
    }
    let tree = MemoryTree::from_leaf_hashes(leaves.clone());
    let mut frontier = Frontier::empty();
    let mut done = Vec::new();
    for (size, root) in roots.iter().enumerate() {
        assert_eq!(
            tree.root(size as u64).unwrap().as_slice(),
            root.as_slice(),
            "MemoryTree {size}"
        );
        assert_eq!(
            frontier.root().as_slice(),
            root.as_slice(),
            "Frontier {size}"
        );
        if size < leaves.len() {
            frontier.append(leaves[size], &mut done);
        }
    }
    println!(
        "conformance merkle-rfc6962 reference tree: {} leaf hashes and {} roots (sizes 0..=8) match from MemoryTree and Frontier",
        leaf_hashes.len(),
        roots.len()
    );
}

fn decode_hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
