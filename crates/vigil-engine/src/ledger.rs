//! The ledger around the store: the checkpoint signing key (made by `vigil init`, kept in
//! the data directory with mode 0600), proofs of leaves and events, and `verify`, which
//! recomputes the whole tree from the stored leaves, checks every stored hash and signed
//! checkpoint, and names each leaf that was edited, deleted, inserted or moved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use vigil_ledger::note::{NoteSigner, NoteVerifier};
use vigil_ledger::{Hash, MemoryTree, NodeId};
use vigil_store::{Leaf, LedgerSigner, StoredCheckpoint};

use crate::engine::Engine;
use crate::error::{EngineError, Result};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "ledger.key";

/// Makes a new signing key named `name` and writes it to `path` (mode 0600), refusing to
/// replace a file that is there.
pub fn create_key(path: &Path, name: &str) -> Result<NoteSigner> {
    let key = NoteSigner::generate(name)
        .map_err(|e| EngineError::Invalid(format!("ledger key name {name:?}: {e}")))?;
    let mut text = key.to_skey();
    text.push('\n');
    write_secret(path, text.as_bytes()).map_err(|e| {
        EngineError::Invalid(format!(
            "cannot write the ledger key {}: {e}",
            path.display()
        ))
    })?;
    Ok(key)
}

/// Writes a new file with `bytes`, readable by its owner only, whole or not at all: the
/// bytes go to a temporary file beside it, which is then linked into place (failing if
/// the file exists).
fn write_secret(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ledger-key-")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    std::fs::hard_link(tmp.path(), path)
}

/// Reads a signing key file (the text `PRIVATE+KEY+name+id+key`). A file that others
/// than its owner may read is refused: the key signs the log's history.
pub fn load_key(path: &Path) -> Result<NoteSigner> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| {
        EngineError::Invalid(format!(
            "cannot read the ledger key {}: {e}",
            path.display()
        ))
    };
    // The mode is checked on the file opened, not on the path, so it is the file read.
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(unreadable)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(EngineError::Invalid(format!(
                "the ledger key {} has mode {mode:o}: others may read it; run `chmod 600 {}`",
                path.display(),
                path.display()
            )));
        }
    }
    let mut text = String::new();
    file.by_ref()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(unreadable)?;
    parse_key(&text).map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))
}

/// Where the signing key came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `VIGIL_LEDGER_KEY`: the key text itself.
    Environment,
    /// A key file that was there.
    File(PathBuf),
    /// A key made now, in this file.
    Created(PathBuf),
}

/// Finds the checkpoint signing key: the key text `env_key` when given, else `key_file`,
/// else `ledger.key` in `data_dir`, made there when `create` and missing. `None` when
/// there is none and none may be made.
pub fn find_key(
    env_key: Option<&str>,
    key_file: Option<&Path>,
    data_dir: Option<&Path>,
    create: bool,
) -> Result<Option<(NoteSigner, KeySource)>> {
    if let Some(text) = env_key {
        return Ok(Some((parse_key(text)?, KeySource::Environment)));
    }
    if let Some(path) = key_file {
        return Ok(Some((load_key(path)?, KeySource::File(path.to_owned()))));
    }
    let Some(dir) = data_dir else {
        return Ok(None);
    };
    let path = dir.join(KEY_FILE);
    if path.exists() {
        return Ok(Some((load_key(&path)?, KeySource::File(path))));
    }
    if !create {
        return Ok(None);
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        EngineError::Invalid(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })?;
    match create_key(&path, &default_key_name(dir)) {
        Ok(key) => Ok(Some((key, KeySource::Created(path)))),
        // Another process made it first: use theirs.
        Err(_) if path.exists() => Ok(Some((load_key(&path)?, KeySource::File(path)))),
        Err(e) => Err(e),
    }
}

/// A name for a new key: `vigil-` and eight hex digits, unique enough to tell two
/// installations apart.
pub fn default_key_name(dir: &Path) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!("{nanos} {} {}", std::process::id(), dir.display());
    format!("vigil-{}", &crate::sha256(seed.as_bytes())[..8])
}

/// Parses a signing key given as text (as `VIGIL_LEDGER_KEY` carries it).
pub fn parse_key(text: &str) -> Result<NoteSigner> {
    NoteSigner::from_skey(text.trim())
        .map_err(|e| EngineError::Invalid(format!("not a ledger signing key: {e}")))
}

/// Parses a verifier key (`name+id+key`, as `vigil ledger key` prints it).
pub fn parse_vkey(text: &str) -> Result<NoteVerifier> {
    // A private key given by mistake is not echoed back.
    if text.trim_start().starts_with("PRIVATE+KEY") {
        return Err(EngineError::Invalid(
            "that is a private signing key, not a verifier key; give the text `vigil ledger key` prints".into(),
        ));
    }
    NoteVerifier::from_vkey(text.trim())
        .map_err(|e| EngineError::Invalid(format!("not a ledger verifier key {text:?}: {e}")))
}

/// A signer for the store: checkpoints with origin `origin` (the key's name when `None`),
/// at most once per `every` at commits; the server signs the rest on a timer.
pub fn signer(key: NoteSigner, origin: Option<String>, every: Duration) -> Arc<LedgerSigner> {
    let origin = origin.unwrap_or_else(|| key.name().to_owned());
    Arc::new(LedgerSigner::new(key, origin, every))
}

/// A leaf with its inclusion proof in a tree of `size` leaves.
#[derive(Clone, Debug, Serialize)]
pub struct LeafProof {
    pub index: u64,
    pub kind: String,
    pub subject: String,
    /// The leaf's data: the event as RFC 8785 canonical JSON.
    pub data: String,
    #[serde(serialize_with = "hex_hash")]
    pub leaf_hash: Hash,
    pub tree_size: u64,
    #[serde(serialize_with = "hex_hashes")]
    pub proof: Vec<Hash>,
}

fn hex_hash<S: serde::Serializer>(h: &Hash, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(h))
}

fn hex_hashes<S: serde::Serializer>(hs: &[Hash], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(hs.iter().map(hex::encode))
}

/// A consistency proof between two tree sizes.
#[derive(Clone, Debug, Serialize)]
pub struct ConsistencyProof {
    pub size1: u64,
    pub size2: u64,
    #[serde(serialize_with = "hex_hash")]
    pub root1: Hash,
    #[serde(serialize_with = "hex_hash")]
    pub root2: Hash,
    #[serde(serialize_with = "hex_hashes")]
    pub proof: Vec<Hash>,
}

impl Engine {
    /// Signs a checkpoint of the whole ledger if it grew since the latest one. Needs a
    /// signer on the store.
    pub fn checkpoint(&mut self) -> Result<Option<StoredCheckpoint>> {
        let signer = self.store.ledger_signer().cloned().ok_or_else(|| {
            EngineError::Invalid(
                "no ledger signing key is configured: run `vigil init`, or set VIGIL_LEDGER_KEY or VIGIL_LEDGER__KEY_FILE".into(),
            )
        })?;
        // Most calls (the server's timer, every second) find nothing new: a read says
        // so without taking the write lock and the ledger lock.
        let mut read = self.store.read()?;
        let size = read.ledger_size()?;
        if read.latest_checkpoint()?.is_some_and(|c| c.size == size) {
            return Ok(None);
        }
        drop(read);
        let mut tx = self.store.write()?;
        let signed = tx.sign_checkpoint(&signer)?;
        tx.commit()?;
        Ok(signed)
    }

    /// The latest signed checkpoint.
    pub fn latest_checkpoint(&mut self) -> Result<Option<StoredCheckpoint>> {
        Ok(self.store.read()?.latest_checkpoint()?)
    }

    /// The tree size proofs are made to by default: the latest signed checkpoint's.
    fn proof_size(&mut self, size: Option<u64>) -> Result<u64> {
        if let Some(size) = size {
            return self.tree_exists(size).map(|()| size);
        }
        self.latest_checkpoint()?
            .map(|c| c.size)
            .ok_or_else(|| EngineError::NotFound {
                what: "no checkpoint is signed yet".into(),
                hint: Some("run `vigil ledger checkpoint`, or give a tree size".into()),
            })
    }

    /// A tree of `size` leaves exists when the ledger has at least that many.
    fn tree_exists(&mut self, size: u64) -> Result<()> {
        let have = self.store.read()?.ledger_size()?;
        if size > have {
            return Err(EngineError::NotFound {
                what: format!("the ledger has {have} leaves; there is no tree of {size}"),
                hint: None,
            });
        }
        Ok(())
    }

    /// Leaf `index` with its inclusion proof in the tree of `size` leaves (the latest
    /// checkpoint's by default).
    pub fn leaf_proof(&mut self, index: u64, size: Option<u64>) -> Result<LeafProof> {
        let size = self.proof_size(size)?;
        let mut tx = self.store.read()?;
        let leaf = tx
            .ledger_leaf(index)?
            .ok_or_else(|| EngineError::NotFound {
                what: format!("the ledger has no leaf {index}"),
                hint: None,
            })?;
        prove(&mut tx, leaf, size)
    }

    /// Every leaf recorded about `subject` that the tree of `size` leaves holds, with
    /// inclusion proofs.
    pub fn event_proofs(&mut self, subject: &str, size: Option<u64>) -> Result<Vec<LeafProof>> {
        let size = self.proof_size(size)?;
        let mut tx = self.store.read()?;
        let leaves = tx.ledger_leaves_of(subject)?;
        if leaves.is_empty() {
            return Err(EngineError::NotFound {
                what: format!("the ledger holds no event about {subject:?}"),
                hint: Some(
                    "subjects look like release/SERVICE@VERSION, deployment/ID, advisory/ID, token/ID".into(),
                ),
            });
        }
        leaves
            .into_iter()
            .filter(|l| l.index < size)
            .map(|l| prove(&mut tx, l, size))
            .collect()
    }

    /// The consistency proof between the trees of `size1` and `size2` leaves.
    pub fn consistency_proof(&mut self, size1: u64, size2: u64) -> Result<ConsistencyProof> {
        if size1 > size2 {
            return Err(EngineError::Invalid(format!(
                "size1 {size1} is larger than size2 {size2}"
            )));
        }
        self.tree_exists(size2)?;
        let mut tx = self.store.read()?;
        let proof = tx.ledger_consistency_proof(size1, size2)?;
        Ok(ConsistencyProof {
            size1,
            size2,
            root1: tx.ledger_root(size1)?,
            root2: tx.ledger_root(size2)?,
            proof,
        })
    }

    /// Recomputes the ledger from its stored leaves and checks it against every stored
    /// hash and signed checkpoint. Signatures are checked with `verifiers`; when none
    /// are given, with the store's own key, which an auditor should not rely on (it
    /// may sit beside the database), and the report says so.
    pub fn verify_ledger(&mut self, verifiers: &[NoteVerifier]) -> Result<VerifyReport> {
        let started = std::time::Instant::now();
        let mut verifiers = verifiers.to_vec();
        let own_key = verifiers.is_empty();
        if own_key && let Some(s) = self.store.ledger_signer() {
            verifiers.push(s.key().verifier());
        }
        let keys: Vec<String> = verifiers.iter().map(NoteVerifier::to_vkey).collect();
        let mut problems = Vec::new();
        let mut tx = self.store.read()?;
        let mut leaves: Vec<Option<Hash>> = Vec::new();
        tx.ledger_scan_leaves(&mut |l: Leaf| {
            // A row far past the end (or with a negative index) is named, not allocated for.
            if l.index > leaves.len() as u64 + FAR {
                problems.push(Problem::new(
                    "inserted",
                    Some(l.index),
                    format!(
                        "a leaf row has index {} ({}), far beyond the log's end",
                        l.index as i64, l.subject
                    ),
                ));
                return Ok(());
            }
            let i = l.index as usize;
            if i >= leaves.len() {
                leaves.resize(i + 1, None);
            }
            // The kind and subject columns, which lookups use, must be the leaf's own.
            let head: Option<Head> = serde_json::from_slice(&l.data).ok();
            if head.as_ref().is_none_or(|h| h.kind != l.kind || h.subject != l.subject) {
                problems.push(Problem::new(
                    "edited",
                    Some(l.index),
                    format!(
                        "leaf {} is stored as {} {} but its event says otherwise: its columns were edited",
                        l.index, l.kind, l.subject
                    ),
                ));
            }
            leaves[i] = Some(vigil_ledger::leaf_hash(&l.data));
            Ok(())
        })?;
        // The tree as the leaves' data gives it, up to the first missing leaf; stored
        // subtree hashes are checked against it as they are read, so none is kept.
        let whole = leaves.iter().take_while(|l| l.is_some()).count();
        let tree =
            MemoryTree::from_leaf_hashes(leaves.iter().take(whole).filter_map(|l| *l).collect());
        let mut recorded: Vec<Option<Hash>> = vec![None; leaves.len()];
        let mut bad: Vec<NodeId> = Vec::new();
        let (mut bad_nodes, mut stray) = (0u64, 0u64);
        tx.ledger_scan_nodes(&mut |id, hash| {
            if id.level == 0 {
                if id.index > recorded.len() as u64 + FAR {
                    stray += 1;
                    return Ok(());
                }
                let i = id.index as usize;
                if i >= recorded.len() {
                    recorded.resize(i + 1, None);
                }
                recorded[i] = hash.as_slice().try_into().ok();
            } else {
                match tree.node(id) {
                    Some(h) if h.as_slice() == hash.as_slice() => {}
                    Some(_) => {
                        bad_nodes += 1;
                        if bad.len() < 10 {
                            bad.push(id);
                        }
                    }
                    None => stray += 1,
                }
            }
            Ok(())
        })?;
        let checkpoints = tx.ledger_checkpoints()?;

        classify_leaves(&leaves, &recorded, &mut problems);
        if stray > 0 && whole == leaves.len() {
            problems.push(Problem::new(
                "node",
                None,
                format!("{stray} stored subtree hashes cover leaves the log does not hold"),
            ));
        }
        drop(recorded);
        // Name the event of each edited or inserted leaf.
        for p in &mut problems {
            if let (Some(i), "edited" | "inserted") = (p.index, p.kind)
                && let Some(leaf) = tx.ledger_leaf(i)?
            {
                p.message = p.message.replacen(
                    &format!("leaf {i} "),
                    &format!("leaf {i} ({}) ", leaf.subject),
                    1,
                );
            }
        }
        drop(tx);
        bad.sort();
        for id in bad {
            problems.push(Problem::new(
                "node",
                None,
                format!(
                    "the stored hash of the subtree at level {} index {} (leaves {} to {}) does not match the leaves",
                    id.level,
                    id.index,
                    id.index << id.level,
                    ((id.index + 1) << id.level) - 1
                ),
            ));
        }
        if bad_nodes > 10 {
            problems.push(Problem::new(
                "node",
                None,
                format!("{} more stored subtree hashes do not match", bad_nodes - 10),
            ));
        }

        let mut verified_checkpoints = 0;
        // The first failure of each kind is told in full; the ones after it are
        // counted, since one changed leaf fails every later checkpoint.
        let mut failed: Vec<(Problem, usize)> = Vec::new();
        for cp in &checkpoints {
            match check_checkpoint(cp, &tree, whole as u64, &verifiers) {
                Ok(()) => verified_checkpoints += 1,
                Err(p) => match failed.iter_mut().find(|(f, _)| f.kind == p.kind) {
                    Some((_, more)) => *more += 1,
                    None => failed.push((p, 0)),
                },
            }
        }
        for (mut p, more) in failed {
            if more > 0 {
                p.message
                    .push_str(&format!("; and so do the {more} later checkpoints"));
            }
            problems.push(p);
        }
        let size = leaves.len() as u64;
        Ok(VerifyReport {
            ok: problems.is_empty(),
            keys,
            own_key,
            leaves: size,
            checkpoints: checkpoints.len(),
            verified_checkpoints,
            root: (whole as u64 == size)
                .then(|| tree.root(size).ok().map(hex::encode))
                .flatten(),
            latest_checkpoint: checkpoints.last().map(|c| c.size),
            problems,
            millis: started.elapsed().as_millis() as u64,
        })
    }
}

fn prove(tx: &mut vigil_store::Tx<'_>, leaf: Leaf, size: u64) -> Result<LeafProof> {
    if leaf.index >= size {
        return Err(EngineError::NotFound {
            what: format!("leaf {} is not in the tree of {size} leaves", leaf.index),
            hint: Some("ask for a larger tree size".into()),
        });
    }
    let proof = tx.ledger_inclusion_proof(leaf.index, size)?;
    Ok(LeafProof {
        index: leaf.index,
        leaf_hash: vigil_ledger::leaf_hash(&leaf.data),
        kind: leaf.kind,
        subject: leaf.subject,
        data: String::from_utf8_lossy(&leaf.data).into_owned(),
        tree_size: size,
        proof,
    })
}

/// What `vigil ledger verify` found.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    /// The verifier keys checkpoints were checked with.
    pub keys: Vec<String>,
    /// True when no key was given and the store's own key was used: good for an
    /// operator's check, not for an auditor's, who gives the key they trust.
    pub own_key: bool,
    pub leaves: u64,
    pub checkpoints: usize,
    pub verified_checkpoints: usize,
    /// The root of the whole tree, recomputed from the leaves (when none is missing).
    pub root: Option<String>,
    pub latest_checkpoint: Option<u64>,
    pub problems: Vec<Problem>,
    pub millis: u64,
}

/// One thing wrong with the stored ledger.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// `edited`, `deleted`, `inserted`, `moved`, `node`, `checkpoint`, `truncated`.
    pub kind: &'static str,
    /// The leaf index it concerns, if one.
    pub index: Option<u64>,
    pub message: String,
}

impl Problem {
    fn new(kind: &'static str, index: Option<u64>, message: String) -> Problem {
        Problem {
            kind,
            index,
            message,
        }
    }
}

/// Compares each leaf's data with the hash recorded when it was appended, and names
/// what happened where they differ.
fn classify_leaves(
    leaves: &[Option<Hash>],
    recorded: &[Option<Hash>],
    problems: &mut Vec<Problem>,
) {
    // The usual case, an intact log, needs no index of the recorded hashes.
    if leaves.len() == recorded.len()
        && leaves
            .iter()
            .zip(recorded)
            .all(|(a, b)| a.is_some() && a == b)
    {
        return;
    }
    let by_hash: HashMap<&Hash, usize> = recorded
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.as_ref().map(|h| (h, i)))
        .collect();
    // A run of leaves shifted by the same offset (rows renumbered after a deletion or
    // an insertion) is reported once.
    let mut run: Option<(usize, usize, isize)> = None;
    let flush = |run: &mut Option<(usize, usize, isize)>, problems: &mut Vec<Problem>| {
        if let Some((start, end, offset)) = run.take() {
            let from = start as isize + offset;
            let message = if start == end {
                format!(
                    "leaf {start} holds the event recorded at index {from}: the log was reordered"
                )
            } else {
                format!(
                    "leaves {start} to {end} hold the events recorded at indexes {from} to {}: leaves were {} before them",
                    end as isize + offset,
                    if offset > 0 { "deleted" } else { "inserted" }
                )
            };
            problems.push(Problem::new("moved", Some(start as u64), message));
        }
    };
    let n = leaves.len().max(recorded.len());
    for i in 0..n {
        let data = leaves.get(i).and_then(Option::as_ref);
        let want = recorded.get(i).and_then(Option::as_ref);
        match (data, want) {
            (Some(h), Some(w)) if h == w => flush(&mut run, problems),
            (None, Some(_)) => {
                flush(&mut run, problems);
                problems.push(Problem::new(
                    "deleted",
                    Some(i as u64),
                    format!("leaf {i} was deleted: its hash is recorded but its event is gone"),
                ));
            }
            (None, None) => {
                flush(&mut run, problems);
                problems.push(Problem::new(
                    "deleted",
                    Some(i as u64),
                    format!("leaf {i} is missing, and so is its recorded hash"),
                ));
            }
            (Some(h), _) => match by_hash.get(h) {
                Some(&j) => {
                    let offset = j as isize - i as isize;
                    match &mut run {
                        Some((_, end, o)) if *o == offset && *end + 1 == i => *end = i,
                        _ => {
                            flush(&mut run, problems);
                            run = Some((i, i, offset));
                        }
                    }
                }
                None => {
                    flush(&mut run, problems);
                    let (kind, what) = if want.is_some() {
                        (
                            "edited",
                            "was edited: its event no longer hashes to the hash recorded when it was appended",
                        )
                    } else {
                        (
                            "inserted",
                            "was inserted: no hash was recorded for it when the log grew",
                        )
                    };
                    problems.push(Problem::new(
                        kind,
                        Some(i as u64),
                        format!("leaf {i} {what}"),
                    ));
                }
            },
        }
    }
    flush(&mut run, problems);
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem::new(
            "more",
            None,
            format!("{more} more leaves are wrong in the same ways"),
        ));
    }
}

/// Rows this far past the log's end are reported without being allocated for.
const FAR: u64 = 1 << 20;

/// The part of a leaf's event that its columns repeat.
#[derive(serde::Deserialize)]
struct Head {
    kind: String,
    subject: String,
}

/// Leaf problems listed one by one; past this, the rest are counted.
const MAX_PROBLEMS: usize = 100;

fn check_checkpoint(
    cp: &StoredCheckpoint,
    tree: &MemoryTree,
    whole: u64,
    verifiers: &[NoteVerifier],
) -> std::result::Result<(), Problem> {
    let fail = |message: String| Problem::new("checkpoint", None, message);
    let (body, _) = vigil_ledger::checkpoint::open(cp.note.as_bytes(), verifiers).map_err(|e| {
        fail(format!(
            "the checkpoint of {} leaves does not verify: {e}",
            cp.size
        ))
    })?;
    if body.size != cp.size || body.root != cp.root {
        return Err(fail(format!(
            "the checkpoint stored for {} leaves signs a different tree ({} leaves, root {})",
            cp.size,
            body.size,
            hex::encode(body.root)
        )));
    }
    if cp.size > whole {
        return Err(Problem::new(
            "truncated",
            Some(whole),
            format!(
                "a checkpoint signs {} leaves but the log holds only the first {whole} intact: it was truncated or leaves were deleted",
                cp.size
            ),
        ));
    }
    let root = tree
        .root(cp.size)
        .map_err(|e| fail(format!("checkpoint of {} leaves: {e}", cp.size)))?;
    if root != cp.root {
        return Err(fail(format!(
            "the checkpoint of {} leaves signs root {} but the stored leaves give {}: leaves before index {} were changed",
            cp.size,
            hex::encode(cp.root),
            hex::encode(root),
            cp.size
        )));
    }
    Ok(())
}
