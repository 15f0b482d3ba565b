//! Root cause and history: what changed between two releases of a service.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Name, Version};
use super::{ApiPath, ApiQuery};
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::state::{AppState, Auth};

/// Two releases of the service, older first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiffParams {
    /// The older release's version.
    #[param(value_type = Version)]
    from: String,
    /// The newer release's version.
    #[param(value_type = Version)]
    to: String,
}

/// One package that differs between the two releases.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PackageChangeView {
    /// The OSV ecosystem.
    ecosystem: String,
    name: String,
    /// The version in the older release; null when added.
    from: Option<String>,
    /// The version in the newer release; null when removed.
    to: Option<String>,
}

/// What changed between two releases, from their SBOMs.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DiffView {
    service: String,
    from: String,
    to: String,
    added: Vec<PackageChangeView>,
    removed: Vec<PackageChangeView>,
    upgraded: Vec<PackageChangeView>,
    downgraded: Vec<PackageChangeView>,
    /// Versions that differ but cannot be ordered by the ecosystem's rules.
    changed: Vec<PackageChangeView>,
    /// Packages at the same version in both.
    unchanged: usize,
}

fn view(changes: Vec<vigil_engine::diff::PackageChange>) -> Vec<PackageChangeView> {
    changes
        .into_iter()
        .map(|c| PackageChangeView {
            ecosystem: c.ecosystem,
            name: c.name,
            from: c.from,
            to: c.to,
        })
        .collect()
}

/// Packages added, removed, upgraded and downgraded between two releases of a service.
#[utoipa::path(get, path = "/api/v1/services/{name}/diff", tag = "catalog",
    params(("name" = Name, Path, description = "The service"), DiffParams),
    responses((status = 200, body = DiffView), (status = 404, description = "no such release")),
    security(("bearer" = [])))]
pub(crate) async fn diff(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffParams>,
) -> ApiResult<Json<DiffView>> {
    who.require(Permission::Read)?;
    let d = state
        .readers()
        .run(move |e| e.diff_releases(&name, &q.from, &q.to))
        .await?;
    Ok(Json(DiffView {
        service: d.service,
        from: d.from,
        to: d.to,
        added: view(d.added),
        removed: view(d.removed),
        upgraded: view(d.upgraded),
        downgraded: view(d.downgraded),
        changed: view(d.changed),
        unchanged: d.unchanged,
    }))
}
