//! The ledger in the server: a timer that signs a checkpoint when events arrived since
//! the last one (commits sign at most once per interval, so the last events of a burst
//! wait for this), and the API's checkpoint and proof endpoints.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::{IntoParams, ToSchema};
use vigil_engine::ledger::{ConsistencyProof, LeafProof};

use crate::api::ApiQuery;
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// Signs a checkpoint every `[ledger] checkpoint_interval_ms` when the ledger grew.
pub(crate) async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    if state.signer().is_none() {
        return;
    }
    let every = Duration::from_millis(state.config().ledger.checkpoint_interval_ms.max(1));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
        let stopping = *stop.borrow();
        match state.writers().run(|engine| engine.checkpoint()).await {
            Ok(Some(cp)) => tracing::debug!(size = cp.size, "ledger: signed a checkpoint"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e.message, "ledger: cannot sign a checkpoint"),
        }
        if stopping {
            return;
        }
    }
}

/// A signed checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckpointView {
    /// Leaves in the tree it signs.
    size: u64,
    /// The tree's root hash, hex.
    root: String,
    /// The C2SP signed note: checkpoint text, a blank line, signature lines.
    note: String,
    signed_at: String,
}

/// The latest signed checkpoint.
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "ledger",
    responses((status = 200, body = CheckpointView), (status = 404, description = "none signed yet")),
    security(("bearer" = [])))]
pub(crate) async fn checkpoint(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<CheckpointView>> {
    who.require(Permission::Read)?;
    let cp = state
        .readers()
        .run(|e| e.latest_checkpoint())
        .await?
        .ok_or_else(|| ApiError::not_found("no checkpoint is signed yet"))?;
    Ok(Json(CheckpointView {
        size: cp.size,
        root: hex::encode(cp.root),
        note: cp.note,
        signed_at: cp.signed_at,
    }))
}

/// Which leaf to prove, and in which tree.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct InclusionQuery {
    /// The leaf index.
    index: u64,
    /// The tree size (default: the latest checkpoint's).
    #[param(minimum = 1)]
    size: Option<u64>,
}

/// Which event to prove, and in which tree.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventQuery {
    /// An event subject (`release/SERVICE@VERSION`, `deployment/ID`, `advisory/ID`,
    /// `token/ID`, ...): every leaf about it.
    subject: String,
    /// The tree size (default: the latest checkpoint's).
    #[param(minimum = 1)]
    size: Option<u64>,
}

/// A leaf with its inclusion proof, as the API gives it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LeafProofView {
    index: u64,
    kind: String,
    subject: String,
    /// The leaf's data: the event as RFC 8785 canonical JSON.
    data: String,
    leaf_hash: String,
    tree_size: u64,
    /// Hex hashes, from the leaf up.
    proof: Vec<String>,
}

impl From<LeafProof> for LeafProofView {
    fn from(p: LeafProof) -> Self {
        LeafProofView {
            index: p.index,
            kind: p.kind,
            subject: p.subject,
            data: p.data,
            leaf_hash: hex::encode(p.leaf_hash),
            tree_size: p.tree_size,
            proof: p.proof.iter().map(hex::encode).collect(),
        }
    }
}

/// The inclusion proof of a leaf.
#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(InclusionQuery),
    responses((status = 200, body = LeafProofView), (status = 404, description = "no such leaf, or no tree of that size")),
    security(("bearer" = [])))]
pub(crate) async fn inclusion(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> ApiResult<Json<LeafProofView>> {
    who.require(Permission::Read)?;
    let proof = state
        .readers()
        .run(move |e| e.leaf_proof(q.index, q.size))
        .await?;
    Ok(Json(proof.into()))
}

/// Inclusion proofs of every leaf about an event.
#[utoipa::path(get, path = "/api/v1/ledger/proof/event", tag = "ledger", params(EventQuery),
    responses((status = 200, body = [LeafProofView]), (status = 404, description = "no such event, or no tree of that size")),
    security(("bearer" = [])))]
pub(crate) async fn event(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> ApiResult<Json<Vec<LeafProofView>>> {
    who.require(Permission::Read)?;
    let proofs = state
        .readers()
        .run(move |e| e.event_proofs(&q.subject, q.size))
        .await?;
    Ok(Json(proofs.into_iter().map(LeafProofView::from).collect()))
}

/// Two tree sizes, the first no larger than the second.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsistencyQuery {
    #[param(minimum = 1)]
    size1: u64,
    #[param(minimum = 1)]
    size2: u64,
}

/// A consistency proof, as the API gives it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConsistencyView {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Vec<String>,
}

impl From<ConsistencyProof> for ConsistencyView {
    fn from(p: ConsistencyProof) -> Self {
        ConsistencyView {
            size1: p.size1,
            size2: p.size2,
            root1: hex::encode(p.root1),
            root2: hex::encode(p.root2),
            proof: p.proof.iter().map(hex::encode).collect(),
        }
    }
}

/// A proof that the tree of `size1` leaves is a prefix of the tree of `size2`.
#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", tag = "ledger", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyView), (status = 404, description = "no tree of that size"),
        (status = 422, description = "size1 is larger than size2")),
    security(("bearer" = [])))]
pub(crate) async fn consistency(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyView>> {
    who.require(Permission::Read)?;
    let p = state
        .readers()
        .run(move |e| e.consistency_proof(q.size1, q.size2))
        .await?;
    Ok(Json(p.into()))
}
