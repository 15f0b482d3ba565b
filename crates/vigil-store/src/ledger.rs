//! The ledger in the store: every accepted event becomes a leaf of an RFC 9162 Merkle
//! tree in the same transaction as the change it records, the hash of every complete
//! subtree is kept so that a root or proof reads O(log n) rows, and checkpoints are
//! signed over the tree.
//!
//! Write functions of the store queue their events on the transaction; [`Tx::commit`]
//! appends them last, under the ledger lock, so that indexes stay dense and gap-free
//! however many writers share a PostgreSQL, and the lock is held only for the append.
//! A leaf's data is the event as RFC 8785 canonical JSON:
//! `{"data":{...},"kind":"...","subject":"...","time":"...","v":1}` (`docs/ledger.md`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value as Json, json};
use vigil_ledger::checkpoint::Checkpoint;
use vigil_ledger::note::NoteSigner;
use vigil_ledger::{Frontier, Hash, NodeId};

use crate::Tx;
use crate::error::{Result, StoreError};
use crate::findings::FindingKey;
use crate::sql::{Lock, Param, Row, params};

/// The version of the leaf format, in every leaf as `"v"`.
pub const LEAF_FORMAT: i64 = 1;

/// A node id in `ledger_nodes`: the level in the top bits, the index below.
const LEVEL_SHIFT: u32 = 48;

fn node_key(id: NodeId) -> i64 {
    ((i64::from(id.level)) << LEVEL_SHIFT) | id.index as i64
}

fn node_id(key: i64) -> NodeId {
    NodeId {
        level: (key >> LEVEL_SHIFT) as u8,
        index: (key & ((1 << LEVEL_SHIFT) - 1)) as u64,
    }
}

/// The key that signs checkpoints, and how often.
pub struct LedgerSigner {
    key: NoteSigner,
    origin: String,
    every: Duration,
    last: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for LedgerSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerSigner")
            .field("key", &self.key.name())
            .field("origin", &self.origin)
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl LedgerSigner {
    /// Signs checkpoints whose origin line is `origin` with `key`, at a commit that
    /// appends leaves when at least `every` has passed since this signer last signed
    /// (zero: at every such commit). [`Tx::sign_checkpoint`] signs whenever asked.
    pub fn new(key: NoteSigner, origin: String, every: Duration) -> LedgerSigner {
        LedgerSigner {
            key,
            origin,
            every,
            last: Mutex::new(None),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn key(&self) -> &NoteSigner {
        &self.key
    }

    fn due(&self) -> bool {
        let last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        last.is_none_or(|t| t.elapsed() >= self.every)
    }

    fn signed(&self) {
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
    }
}

/// An event waiting for the commit of its transaction.
#[derive(Debug)]
pub(crate) enum Pending {
    Event {
        kind: &'static str,
        subject: String,
        time: String,
        data: Json,
    },
    /// A finding changed; named at the commit, once for all of them.
    Finding {
        key: FindingKey,
        time: String,
        data: serde_json::Map<String, Json>,
    },
}

/// A stored leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Leaf {
    pub index: u64,
    pub kind: String,
    pub subject: String,
    /// The canonical JSON of the event, as hashed.
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// A stored signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCheckpoint {
    pub size: u64,
    #[serde(serialize_with = "hex_hash")]
    pub root: Hash,
    /// The signed note: the checkpoint text, a blank line, the signature lines.
    pub note: String,
    pub signed_at: String,
}

fn hex_hash<S: serde::Serializer>(h: &Hash, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex(h))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn hash_of(bytes: &[u8]) -> Result<Hash> {
    bytes.try_into().map_err(|_| {
        StoreError::Internal(format!(
            "a stored ledger hash is {} bytes long, not 32: the ledger is damaged; run `vigil ledger verify`",
            bytes.len()
        ))
    })
}

fn checkpoint(mut r: Row) -> Result<StoredCheckpoint> {
    Ok(StoredCheckpoint {
        size: r.int(0) as u64,
        root: hash_of(&r.blob(1))?,
        note: r.text(2),
        signed_at: r.text(3),
    })
}

fn leaf(mut r: Row) -> Leaf {
    Leaf {
        index: r.int(0) as u64,
        kind: r.text(1),
        subject: r.text(2),
        data: r.blob(3),
    }
}

fn proof_error(e: vigil_ledger::ProofError) -> StoreError {
    StoreError::Input(e.to_string())
}

impl Tx<'_> {
    /// Queues an event for the ledger; it is appended when the transaction commits. The
    /// store's own writes queue theirs; this is for events that change no other table
    /// (a verdict, a benchmark's synthetic load).
    pub fn ledger_event(&mut self, kind: &'static str, subject: String, time: &str, data: Json) {
        self.ledger.push(Pending::Event {
            kind,
            subject,
            time: time.to_owned(),
            data,
        });
    }

    /// Queues a finding's new state, from a row returned as `FINDING_RETURNING`.
    pub(crate) fn ledger_finding(&mut self, mut r: Row, time: &str) {
        let key = FindingKey {
            release_id: r.int(0),
            package_version_id: r.int(1),
            advisory_id: r.text(2),
        };
        let resolved_at = r.opt_text(9);
        let mut data = serde_json::Map::new();
        data.insert("advisory".into(), json!(key.advisory_id));
        data.insert(
            "state".into(),
            json!(if resolved_at.is_some() {
                "resolved"
            } else {
                "open"
            }),
        );
        data.insert("certainty".into(), json!(r.text(3)));
        data.insert("fix".into(), json!(r.text(4)));
        data.insert("fixed".into(), json!(r.opt_text(5)));
        data.insert("severity_rank".into(), json!(r.int(6)));
        data.insert("first_seen".into(), json!(r.text(7)));
        data.insert("first_exposed".into(), json!(r.opt_text(8)));
        data.insert("resolved_at".into(), json!(resolved_at));
        data.insert("resolution".into(), json!(r.opt_text(10)));
        data.insert("triage".into(), json!(r.opt_text(11)));
        data.insert("decision".into(), json!(r.opt_int(12)));
        self.ledger.push(Pending::Finding {
            key,
            time: time.to_owned(),
            data,
        });
    }

    /// Appends the queued events, and signs a checkpoint if the signer is due. Called by
    /// [`Tx::commit`].
    pub(crate) fn flush_ledger(&mut self) -> Result<()> {
        if self.ledger.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.ledger);
        let leaves = self.render(pending)?;
        self.conn.lock(Lock::Ledger)?;
        let size = self.ledger_size()?;
        let mut frontier = self.frontier(size)?;
        let mut nodes = Vec::with_capacity(leaves.len() * 2 + 8);
        let mut leaf_rows = Vec::with_capacity(leaves.len() * 4);
        for (i, (kind, subject, data)) in leaves.iter().enumerate() {
            frontier.append(vigil_ledger::leaf_hash(data), &mut nodes);
            leaf_rows.extend_from_slice(&[
                Param::Int((size + i as u64) as i64),
                Param::Text(kind),
                Param::Text(subject),
                Param::Blob(data),
            ]);
        }
        self.c().insert_many(
            "ledger_leaves (idx, kind, subject, data)",
            4,
            &leaf_rows,
            "",
        )?;
        let keys: Vec<i64> = nodes.iter().map(|(id, _)| node_key(*id)).collect();
        let node_rows: Vec<Param<'_>> = nodes
            .iter()
            .zip(&keys)
            .flat_map(|((_, h), k)| [Param::Int(*k), Param::Blob(h)])
            .collect();
        self.c()
            .insert_many("ledger_nodes (node, hash)", 2, &node_rows, "")?;
        if let Some(signer) = self.signer.clone()
            && signer.due()
        {
            self.sign_at(&signer, frontier.size(), frontier.root())?;
        }
        Ok(())
    }

    /// Turns queued events into (kind, subject, canonical JSON), naming the releases and
    /// package versions of findings.
    fn render(&mut self, pending: Vec<Pending>) -> Result<Vec<(String, String, Vec<u8>)>> {
        let mut releases = Vec::new();
        let mut packages = Vec::new();
        for p in &pending {
            if let Pending::Finding { key, .. } = p {
                releases.push(key.release_id);
                packages.push(key.package_version_id);
            }
        }
        let mut release_names = HashMap::new();
        let mut purls = HashMap::new();
        if !releases.is_empty() {
            releases.sort_unstable();
            releases.dedup();
            packages.sort_unstable();
            packages.dedup();
            self.c().query_each(
                "SELECT r.id, s.name, r.version FROM releases r JOIN services s ON s.id = r.service_id
                 WHERE r.id = ANY(?)",
                &[Param::Ints(&releases)],
                &mut |mut r| {
                    release_names.insert(r.int(0), (r.text(1), r.text(2)));
                    Ok(())
                },
            )?;
            self.c().query_each(
                "SELECT id, purl FROM package_versions WHERE id = ANY(?)",
                &[Param::Ints(&packages)],
                &mut |mut r| {
                    purls.insert(r.int(0), r.text(1));
                    Ok(())
                },
            )?;
        }
        let mut out = Vec::with_capacity(pending.len());
        for p in pending {
            let (kind, subject, time, data) = match p {
                Pending::Event {
                    kind,
                    subject,
                    time,
                    data,
                } => (kind, subject, time, data),
                Pending::Finding {
                    key,
                    time,
                    mut data,
                } => {
                    let (service, version) = release_names
                        .get(&key.release_id)
                        .cloned()
                        .unwrap_or_default();
                    let purl = purls
                        .get(&key.package_version_id)
                        .cloned()
                        .unwrap_or_default();
                    let subject = finding_subject(&service, &version, &purl, &key.advisory_id);
                    data.insert("service".into(), json!(service));
                    data.insert("version".into(), json!(version));
                    data.insert("purl".into(), json!(purl));
                    ("finding", subject, time, Json::Object(data))
                }
            };
            let leaf = json!({
                "v": LEAF_FORMAT,
                "kind": kind,
                "subject": subject,
                "time": time,
                "data": data,
            });
            let bytes = vigil_ledger::canonical::to_vec(&leaf)
                .map_err(|e| StoreError::Input(format!("ledger event {subject}: {e}")))?;
            out.push((kind.to_owned(), subject, bytes));
        }
        Ok(out)
    }

    /// The number of leaves in the ledger.
    pub fn ledger_size(&mut self) -> Result<u64> {
        Ok(self
            .c()
            .query_int("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves", &[])?
            as u64)
    }

    /// The stored hashes of `ids`, in order. A missing one means the ledger is damaged.
    pub fn ledger_nodes(&mut self, ids: &[NodeId]) -> Result<Vec<Hash>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<i64> = ids.iter().map(|id| node_key(*id)).collect();
        let mut found = HashMap::with_capacity(keys.len());
        let mut bad = None;
        self.c().query_each(
            "SELECT node, hash FROM ledger_nodes WHERE node = ANY(?)",
            &[Param::Ints(&keys)],
            &mut |mut r| {
                let key = r.int(0);
                match hash_of(&r.blob(1)) {
                    Ok(h) => {
                        found.insert(key, h);
                    }
                    Err(e) => bad = Some(e),
                }
                Ok(())
            },
        )?;
        if let Some(e) = bad {
            return Err(e);
        }
        keys.iter()
            .map(|k| {
                found.get(k).copied().ok_or_else(|| {
                    let id = node_id(*k);
                    StoreError::Internal(format!(
                        "ledger node at level {} index {} is missing: the ledger is damaged; run `vigil ledger verify`",
                        id.level, id.index
                    ))
                })
            })
            .collect()
    }

    fn frontier(&mut self, size: u64) -> Result<Frontier> {
        let hashes = self.ledger_nodes(&Frontier::needs(size))?;
        Frontier::from_hashes(size, hashes).map_err(proof_error)
    }

    fn run_plan(&mut self, plan: &vigil_ledger::Plan) -> Result<Vec<Hash>> {
        let fetched = self.ledger_nodes(plan.needs())?;
        plan.assemble(&fetched).map_err(proof_error)
    }

    /// The root of the first `size` leaves.
    pub fn ledger_root(&mut self, size: u64) -> Result<Hash> {
        self.check_size(size)?;
        let hashes = self.run_plan(&vigil_ledger::root_plan(size))?;
        hashes
            .first()
            .copied()
            .ok_or_else(|| StoreError::Internal("a root plan gave no root".into()))
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn ledger_inclusion_proof(&mut self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.check_size(size)?;
        let plan = vigil_ledger::inclusion_plan(index, size).map_err(proof_error)?;
        self.run_plan(&plan)
    }

    /// The consistency proof between the trees of `size1` and `size2` leaves.
    pub fn ledger_consistency_proof(&mut self, size1: u64, size2: u64) -> Result<Vec<Hash>> {
        self.check_size(size2)?;
        let plan = vigil_ledger::consistency_plan(size1, size2).map_err(proof_error)?;
        self.run_plan(&plan)
    }

    fn check_size(&mut self, size: u64) -> Result<()> {
        let have = self.ledger_size()?;
        if size > have {
            return Err(StoreError::Input(format!(
                "the ledger has {have} leaves; there is no tree of {size}"
            )));
        }
        Ok(())
    }

    /// Leaf `index`, if the ledger has it.
    pub fn ledger_leaf(&mut self, index: u64) -> Result<Option<Leaf>> {
        Ok(self
            .c()
            .query_opt(
                "SELECT idx, kind, subject, data FROM ledger_leaves WHERE idx = ?",
                params![index as i64],
            )?
            .map(leaf))
    }

    /// The leaves recorded about `subject` (`release/payments@1.4.2`, `deployment/12`,
    /// ...), oldest first.
    pub fn ledger_leaves_of(&mut self, subject: &str) -> Result<Vec<Leaf>> {
        Ok(self
            .c()
            .query(
                "SELECT idx, kind, subject, data FROM ledger_leaves WHERE subject = ? ORDER BY idx",
                params![subject],
            )?
            .into_iter()
            .map(leaf)
            .collect())
    }

    /// Up to `limit` leaves from index `from` on.
    pub fn ledger_leaf_range(&mut self, from: u64, limit: u64) -> Result<Vec<Leaf>> {
        Ok(self
            .c()
            .query(
                "SELECT idx, kind, subject, data FROM ledger_leaves WHERE idx >= ? ORDER BY idx LIMIT ?",
                params![from as i64, limit.min(i64::MAX as u64) as i64],
            )?
            .into_iter()
            .map(leaf)
            .collect())
    }

    /// Up to `limit` leaves from index `from` on whose subject starts with `prefix`,
    /// oldest first.
    pub fn ledger_leaves_under(
        &mut self,
        prefix: &str,
        from: u64,
        limit: u64,
    ) -> Result<Vec<Leaf>> {
        // A range rather than LIKE: subjects may hold `%` and `_`.
        let end = format!("{prefix}\u{10FFFF}");
        let (from, limit) = (
            from.min(i64::MAX as u64) as i64,
            limit.min(i64::MAX as u64) as i64,
        );
        Ok(self
            .c()
            .query(
                "SELECT idx, kind, subject, data FROM ledger_leaves
                 WHERE subject >= ? AND subject < ? AND idx >= ? ORDER BY idx LIMIT ?",
                params![prefix, end.as_str(), from, limit],
            )?
            .into_iter()
            .map(leaf)
            .collect())
    }

    /// Every stored leaf in index order, as stored (gaps and all), to `f`.
    pub fn ledger_scan_leaves(&mut self, f: &mut dyn FnMut(Leaf) -> Result<()>) -> Result<()> {
        self.c().query_each(
            "SELECT idx, kind, subject, data FROM ledger_leaves ORDER BY idx",
            &[],
            &mut |r| f(leaf(r)),
        )
    }

    /// Every stored node hash, as stored, to `f`.
    pub fn ledger_scan_nodes(
        &mut self,
        f: &mut dyn FnMut(NodeId, Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        self.c()
            .query_each("SELECT node, hash FROM ledger_nodes", &[], &mut |mut r| {
                f(node_id(r.int(0)), r.blob(1))
            })
    }

    /// Every signed checkpoint, smallest first.
    pub fn ledger_checkpoints(&mut self) -> Result<Vec<StoredCheckpoint>> {
        self.c()
            .query(
                "SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size",
                &[],
            )?
            .into_iter()
            .map(checkpoint)
            .collect()
    }

    /// The latest signed checkpoint.
    pub fn latest_checkpoint(&mut self) -> Result<Option<StoredCheckpoint>> {
        self.c()
            .query_opt(
                "SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
                &[],
            )?
            .map(checkpoint)
            .transpose()
    }

    /// The signed checkpoint of tree size `size`, if one was signed.
    pub fn checkpoint_of_size(&mut self, size: u64) -> Result<Option<StoredCheckpoint>> {
        self.c()
            .query_opt(
                "SELECT size, root, note, signed_at FROM ledger_checkpoints WHERE size = ?",
                params![size as i64],
            )?
            .map(checkpoint)
            .transpose()
    }

    /// Signs a checkpoint of the whole ledger now, unless the latest one already covers
    /// it. Appends any queued events first.
    pub fn sign_checkpoint(&mut self, signer: &LedgerSigner) -> Result<Option<StoredCheckpoint>> {
        self.flush_ledger()?;
        self.conn.lock(Lock::Ledger)?;
        let size = self.ledger_size()?;
        let root = self.ledger_root(size)?;
        self.sign_at(signer, size, root)
    }

    /// Signs the checkpoint of `size` leaves with `root`, after checking it extends the
    /// latest signed one: the log never signs two views of its history.
    fn sign_at(
        &mut self,
        signer: &LedgerSigner,
        size: u64,
        root: Hash,
    ) -> Result<Option<StoredCheckpoint>> {
        if size == 0 {
            return Ok(None);
        }
        if let Some(last) = self.latest_checkpoint()? {
            if last.size == size && last.root == root {
                return Ok(None);
            }
            if last.size >= size {
                return Err(StoreError::Internal(format!(
                    "refusing to sign a checkpoint of {size} leaves: one of {} leaves is already signed; run `vigil ledger verify`",
                    last.size
                )));
            }
            let proof = self.ledger_consistency_proof(last.size, size)?;
            vigil_ledger::verify_consistency(last.size, size, &proof, &last.root, &root).map_err(
                |e| {
                    StoreError::Internal(format!(
                        "refusing to sign a checkpoint of {size} leaves: it is not consistent with the signed one of {} leaves ({e}); run `vigil ledger verify`",
                        last.size
                    ))
                },
            )?;
        }
        let text = Checkpoint {
            origin: signer.origin.clone(),
            size,
            root,
            extensions: Vec::new(),
        }
        .to_text();
        let note = signer
            .key
            .sign(&text)
            .map_err(|e| StoreError::Internal(format!("signing a checkpoint: {e}")))?;
        let note = String::from_utf8(note.to_bytes())
            .map_err(|_| StoreError::Internal("a signed note is not UTF-8".into()))?;
        let signed_at = crate::time::now_text();
        self.c().execute(
            "INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
            params![size as i64, &root[..], note.as_str(), signed_at.as_str()],
        )?;
        signer.signed();
        Ok(Some(StoredCheckpoint {
            size,
            root,
            note,
            signed_at,
        }))
    }
}

/// The subject of a finding's leaves.
pub fn finding_subject(service: &str, version: &str, purl: &str, advisory: &str) -> String {
    format!("finding/{service}@{version}/{purl}/{advisory}")
}

/// The subject of a release's leaves.
pub fn release_subject(service: &str, version: &str) -> String {
    format!("release/{service}@{version}")
}

/// The columns a finding write returns for its ledger leaf.
pub(crate) const FINDING_RETURNING: &str = "RETURNING release_id, package_version_id, advisory_id, \
     certainty, fix, fixed, severity_rank, first_seen, first_exposed, resolved_at, resolution, \
     triage, decision_id";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_keys_round_trip() {
        for id in [
            NodeId { level: 0, index: 0 },
            NodeId {
                level: 0,
                index: (1 << 40) + 5,
            },
            NodeId {
                level: 23,
                index: 7,
            },
            NodeId {
                level: 47,
                index: 1,
            },
        ] {
            assert_eq!(node_id(node_key(id)), id);
        }
    }
}
