//! The ledger benchmark: durable appends to an SQLite store in batches (one transaction
//! and one signed checkpoint per batch), `verify` of the whole log once it holds
//! `verify_at` leaves, and inclusion proofs read from the store at the full size.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde::Serialize;
use vigil_engine::Engine;
use vigil_store::{Location, Store};

use crate::error::{BenchError, Result};
use crate::measure::Summary;

/// What to run.
#[derive(Clone, Debug)]
pub struct LedgerBenchConfig {
    /// Leaves to append in all.
    pub leaves: u64,
    /// Leaves per transaction.
    pub batch: u64,
    /// Run `verify` when the log reaches this many leaves (or at the end, if fewer).
    pub verify_at: u64,
    /// Inclusion proofs to time at the full size.
    pub proofs: usize,
    /// The store's directory; a temporary one when `None`.
    pub dir: Option<PathBuf>,
    pub seed: u64,
}

/// The figures.
#[derive(Clone, Debug, Serialize)]
pub struct LedgerReport {
    pub leaves: u64,
    pub batch: u64,
    pub append_secs: f64,
    pub leaves_per_sec: f64,
    pub checkpoints: usize,
    /// Mean bytes of a leaf's data.
    pub leaf_bytes: usize,
    pub store_bytes: u64,
    pub verify_leaves: u64,
    pub verify_secs: f64,
    pub verify_ok: bool,
    /// Reading an inclusion proof from the store at the full size and checking it
    /// against the root.
    pub proof: Summary,
}

/// Runs the benchmark; `progress` hears the number of leaves appended.
pub fn run_ledger(
    config: &LedgerBenchConfig,
    progress: &mut dyn FnMut(u64),
) -> Result<LedgerReport> {
    let temp;
    let dir = match &config.dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::tempdir().map_err(|source| BenchError::Io {
                what: "making a temporary directory".into(),
                source,
            })?;
            temp.path().to_owned()
        }
    };
    let mut store = Store::open(&Location::Sqlite(dir.clone()))?;
    let key = vigil_ledger::note::NoteSigner::generate("vigil-bench")
        .map_err(|e| BenchError::Config(format!("making a signing key: {e}")))?;
    let verifier = key.verifier();
    store.set_ledger_signer(Some(vigil_engine::ledger::signer(
        key,
        None,
        Duration::ZERO,
    )));
    let mut engine = Engine::new(store);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed);
    let batch = config.batch.max(1);
    let verify_at = config.verify_at.min(config.leaves);
    let (mut appended, mut leaf_bytes) = (0u64, 0usize);
    let mut append_time = Duration::ZERO;
    let mut verify = None;
    while appended < config.leaves {
        let n = batch.min(config.leaves - appended);
        let started = Instant::now();
        let mut tx = engine.store().write()?;
        for i in appended..appended + n {
            let environment = ["production", "staging", "dev"][rng.random_range(0..3)];
            let data = serde_json::json!({
                "id": i,
                "environment": environment,
                "service": format!("service-{:04}", rng.random_range(0..1000)),
                "version": format!("1.{}.{}", rng.random_range(0..50), rng.random_range(0..20)),
                "actor": "ci",
                "source": "bench",
                "at": "2026-03-02T10:00:00Z",
            });
            tx.ledger_event(
                "deployment",
                format!("deployment/{i}"),
                "2026-03-02T10:00:00Z",
                data,
            );
        }
        tx.commit()?;
        append_time += started.elapsed();
        appended += n;
        progress(appended);
        if verify.is_none() && appended >= verify_at {
            let started = Instant::now();
            let report = engine
                .verify_ledger(std::slice::from_ref(&verifier))
                .map_err(BenchError::engine("verifying the ledger"))?;
            verify = Some((appended, started.elapsed(), report.ok));
        }
    }
    let (verify_leaves, verify_time, verify_ok) = verify.unwrap_or((0, Duration::ZERO, false));
    let mut tx = engine.store().read()?;
    if let Some(l) = tx.ledger_leaf(0)? {
        leaf_bytes = l.data.len();
    }
    let checkpoints = tx.ledger_checkpoints()?.len();
    let size = tx.ledger_size()?;
    let root = tx.ledger_root(size)?;
    let mut times = Vec::with_capacity(config.proofs);
    for _ in 0..config.proofs {
        let index = rng.random_range(0..size.max(1));
        let started = Instant::now();
        let proof = tx.ledger_inclusion_proof(index, size)?;
        let leaf = tx
            .ledger_leaf(index)?
            .ok_or_else(|| BenchError::Config(format!("leaf {index} is missing")))?;
        vigil_ledger::verify_inclusion(
            &vigil_ledger::leaf_hash(&leaf.data),
            index,
            size,
            &proof,
            &root,
        )
        .map_err(|e| BenchError::Config(format!("the proof of leaf {index} fails: {e}")))?;
        times.push(started.elapsed());
    }
    drop(tx);
    let store_bytes = crate::measure::dir_bytes(&dir).unwrap_or(0);
    Ok(LedgerReport {
        leaves: appended,
        batch,
        append_secs: append_time.as_secs_f64(),
        leaves_per_sec: appended as f64 / append_time.as_secs_f64().max(1e-9),
        checkpoints,
        leaf_bytes,
        store_bytes,
        verify_leaves,
        verify_secs: verify_time.as_secs_f64(),
        verify_ok,
        proof: Summary::of(&times),
    })
}
