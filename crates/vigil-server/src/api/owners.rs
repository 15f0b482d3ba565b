//! Owners over HTTP: teams with their contacts, which team owns a service, and both
//! imported from a Backstage catalog file. Admins change them; any token reads.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Request, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};

use super::model::{Name, ServiceView};
use super::portfolio::services;
use super::{ApiJson, ApiPath, document_body};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// Longest team title, in characters.
const MAX_TITLE: usize = 200;

/// A team and the services it owns.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeamView {
    name: String,
    title: Option<String>,
    /// How to reach the team: email, slack, pager, url, links, ...
    #[schema(schema_with = contacts)]
    contacts: serde_json::Value,
    /// Where the team came from: `api`, `cli`, `backstage:FILE`, or `owner` for a team
    /// only named as a service's owner.
    source: String,
    /// When it was last saved; absent for a team only named as an owner.
    updated_at: Option<String>,
    /// The services it owns, sorted.
    services: Vec<String>,
}

impl From<vigil_store::Team> for TeamView {
    fn from(t: vigil_store::Team) -> Self {
        TeamView {
            name: t.name,
            title: t.title,
            contacts: match t.contacts {
                serde_json::Value::Object(m) => serde_json::Value::Object(m),
                _ => serde_json::Value::Object(serde_json::Map::new()),
            },
            source: t.source,
            updated_at: Some(t.updated_at).filter(|u| !u.is_empty()),
            services: t.services,
        }
    }
}

/// The schema of a team's contacts in a request: as stored, or null for none.
fn contacts_or_null() -> Schema {
    let Schema::Object(mut schema) = contacts() else {
        return contacts();
    };
    schema.schema_type = SchemaType::from_iter([Type::Object, Type::Null]);
    Schema::Object(schema)
}

/// The schema of a team's contacts, as the engine checks them.
fn contacts() -> Schema {
    let text = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(2048))
    };
    let value = OneOfBuilder::new()
        .item(text())
        .item(ArrayBuilder::new().items(text()).max_items(Some(32)));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(64)),
        ))
        .additional_properties(Some(RefOr::T(Schema::OneOf(value.build()))))
        .description(Some(
            "An object of strings, or lists of at most 32 strings; each string at most 2048 bytes and each key at most 64.",
        ))
        .into()
}

/// A team to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Payments", "contacts": {"email": "payments@example.com", "slack": "#payments"}}))]
pub(crate) struct TeamRequest {
    /// A display name: 1 to 200 characters, none of them a control character.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]+$"
    )]
    title: Option<String>,
    /// Replaces the team's contacts; none when absent or null.
    #[serde(default)]
    #[schema(schema_with = contacts_or_null)]
    contacts: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Every team with its contacts and services, by name.
#[utoipa::path(get, path = "/api/v1/teams", tag = "catalog",
    responses((status = 200, body = [TeamView])), security(("bearer" = [])))]
pub(crate) async fn list_teams(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<TeamView>>> {
    who.require(Permission::Read)?;
    let teams = state.readers().run(|e| e.teams()).await?;
    Ok(Json(teams.into_iter().map(TeamView::from).collect()))
}

/// Creates or replaces a team with its title and contacts (admin).
#[utoipa::path(put, path = "/api/v1/teams/{name}", tag = "catalog",
    params(("name" = Name, Path, description = "The team")),
    request_body = TeamRequest,
    responses((status = 200, body = TeamView)), security(("bearer" = [])))]
pub(crate) async fn put_team(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<TeamRequest>,
) -> ApiResult<Json<TeamView>> {
    who.require(Permission::Admin)?;
    if let Some(title) = &body.title
        && (title.is_empty()
            || title.chars().count() > MAX_TITLE
            || title.chars().any(char::is_control))
    {
        return Err(ApiError::unprocessable(format!(
            "title {title:?}: 1 to {MAX_TITLE} characters, none of them a control character"
        )));
    }
    let contacts = serde_json::Value::Object(body.contacts.unwrap_or_default());
    let team = state
        .writers()
        .run(move |e| {
            e.put_team(&name, body.title.as_deref(), &contacts, "api")?;
            let team = e.teams()?.into_iter().find(|t| t.name == name);
            team.ok_or_else(|| {
                vigil_engine::EngineError::Conflict(format!("team {name:?} was not stored"))
            })
        })
        .await?;
    tracing::info!(team = %team.name, by = %who.token_id, "team saved");
    Ok(Json(TeamView::from(team)))
}

/// The team that owns a service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team": "payments"}))]
pub(crate) struct OwnerRequest {
    #[schema(value_type = Name)]
    team: String,
}

/// Sets the team that owns a service (admin); creates the service if new. Alerts about
/// the service go to the sinks of that team from then on.
#[utoipa::path(put, path = "/api/v1/services/{name}/owner", tag = "catalog",
    params(("name" = Name, Path, description = "The service")),
    request_body = OwnerRequest,
    responses((status = 200, body = ServiceView)), security(("bearer" = [])))]
pub(crate) async fn set_owner(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<OwnerRequest>,
) -> ApiResult<Json<ServiceView>> {
    who.require(Permission::Admin)?;
    let (service, team) = (name.clone(), body.team);
    state
        .writers()
        .run(move |e| e.set_owner(&service, &team))
        .await?;
    tracing::info!(service = %name, by = %who.token_id, "service owner set");
    services(&state, Some(name.clone()))
        .await?
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(|| ApiError::internal(format!("service {name:?} was not stored")))
}

/// What a catalog import did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CatalogReportView {
    /// Services whose owner the catalog names, by service.
    owners: BTreeMap<String, String>,
    /// Teams created or replaced from `Group` entities.
    teams: Vec<String>,
    /// Documents not used, and why.
    skipped: Vec<SkippedView>,
}

/// A document of the catalog file that was not used.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SkippedView {
    /// Its index in the file, from 0.
    document: usize,
    reason: String,
}

/// Imports owners and teams from one Backstage catalog file (admin): each `Component`
/// names a service and its `spec.owner`, each `Group` a team with its profile's email and
/// its links. All or nothing: a body that is not YAML changes nothing.
#[utoipa::path(post, path = "/api/v1/catalog/backstage", tag = "catalog",
    request_body(description = "The catalog file (`catalog-info.yaml`), one or more YAML documents",
        content(
            (String = "application/yaml", example = json!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\nspec:\n  type: service\n  owner: group:default/payments\n")),
            (String = "text/plain"))),
    responses((status = 200, body = CatalogReportView)), security(("bearer" = [])))]
pub(crate) async fn import_backstage(
    State(state): State<AppState>,
    Auth(who): Auth,
    request: Request,
) -> ApiResult<Json<CatalogReportView>> {
    who.require(Permission::Admin)?;
    let body = document_body(
        request,
        &state,
        &[
            "application/yaml",
            "application/x-yaml",
            "text/yaml",
            "text/x-yaml",
            "text/plain",
        ],
        "catalog file",
    )
    .await?;
    let report = state
        .writers()
        .run(move |e| e.import_backstage_files(&[("the request body".to_owned(), body.to_vec())]))
        .await?;
    tracing::info!(
        owners = report.owners.len(),
        teams = report.teams.len(),
        by = %who.token_id,
        "Backstage catalog imported"
    );
    Ok(Json(CatalogReportView {
        owners: report.owners.into_iter().collect(),
        teams: report.teams,
        skipped: report
            .skipped
            .into_iter()
            .map(|(_, document, reason)| SkippedView { document, reason })
            .collect(),
    }))
}
