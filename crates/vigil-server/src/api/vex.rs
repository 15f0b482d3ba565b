//! VEX over HTTP: a document in (OpenVEX, or CycloneDX VEX as JSON or XML), its
//! statements recorded as triage decisions; and the VEX document of a release, a service
//! or the portfolio out, as OpenVEX or CycloneDX.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, SchemaFormat};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use vigil_engine::vex::{VexFormat, VexImport, VexScope};

use super::ApiQuery;
use super::model::{Name, Version};
use super::{created, document_body, require_every_environment};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// The media types a VEX document may be posted as.
const ACCEPTED: [&str; 5] = [
    "application/json",
    "application/openvex+json",
    "application/vnd.cyclonedx+json",
    "application/vnd.cyclonedx+xml",
    "application/xml",
];

/// The media type of an exported CycloneDX document.
const CYCLONEDX_JSON: &str = "application/vnd.cyclonedx+json";

/// A VEX document as JSON: OpenVEX 0.2.0 or 0.0.1, or CycloneDX VEX (standalone, or
/// embedded in a BOM).
pub(crate) struct VexJson;

impl PartialSchema for VexJson {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A VEX document: OpenVEX 0.2.0 or 0.0.1, or CycloneDX VEX (standalone, or embedded in a BOM).",
            ))
            .into()
    }
}

impl ToSchema for VexJson {}

/// A CycloneDX VEX document as XML.
pub(crate) struct VexXml;

impl PartialSchema for VexXml {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .description(Some(
                "A CycloneDX VEX document (or a BOM with vulnerabilities) as XML.",
            ))
            .into()
    }
}

impl ToSchema for VexXml {}

/// One decision an import recorded.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImportedDecisionView {
    /// The decision's id, as `GET /api/v1/triage` lists it.
    id: i64,
    /// The advisory id or alias the statement names.
    vulnerability: String,
    status: String,
    /// `finding`, `release`, `service`, `package` or `advisory`: what the product named.
    scope: String,
    service: Option<String>,
    /// The release version, for a release or finding scope.
    release: Option<String>,
    purl: Option<String>,
}

/// A product of the document that was not applied, and why.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SkippedProductView {
    /// Where in the document: `statements[2].products[0] pkg:npm/x@1`.
    location: String,
    reason: String,
}

/// What importing a VEX document did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VexImportView {
    /// SHA-256 of the document as received.
    sha256: String,
    /// `openvex-0.2.0`, `openvex-0.0.1`, `cyclonedx-1.6`, ...
    format: String,
    author: Option<String>,
    statements: usize,
    /// False when the same bytes were imported before; nothing was recorded again.
    new: bool,
    decisions: Vec<ImportedDecisionView>,
    /// Findings whose decision in effect changed.
    findings_changed: usize,
    skipped: Vec<SkippedProductView>,
    /// Leniencies the reader applied to a document that bends its format's rules.
    warnings: Vec<String>,
}

impl From<VexImport> for VexImportView {
    fn from(r: VexImport) -> Self {
        VexImportView {
            sha256: r.sha256,
            format: r.format,
            author: r.author,
            statements: r.statements,
            new: r.new,
            decisions: r
                .decisions
                .into_iter()
                .map(|d| ImportedDecisionView {
                    id: d.id,
                    vulnerability: d.vulnerability,
                    status: d.status,
                    scope: d.scope,
                    service: d.service,
                    release: d.release,
                    purl: d.purl,
                })
                .collect(),
            findings_changed: r.findings_changed,
            skipped: r
                .skipped
                .into_iter()
                .map(|(location, reason)| SkippedProductView { location, reason })
                .collect(),
            warnings: r.warnings,
        }
    }
}

/// Imports a VEX document (triager or admin): each product it names becomes a triage
/// decision in the narrowest scope that fits (a release by digest, BOM-link or
/// `service@version`, a package of one, a service, or a package everywhere), and the
/// decisions take effect on the findings. The actor is the token's name. The same bytes
/// again record nothing (200).
#[utoipa::path(post, path = "/api/v1/vex", tag = "vex",
    request_body(content(
        (VexJson = "application/json"),
        (VexJson = "application/openvex+json"),
        (VexJson = "application/vnd.cyclonedx+json"),
        (VexXml = "application/vnd.cyclonedx+xml"),
        (VexXml = "application/xml"))),
    responses(
        (status = 201, description = "Imported", body = VexImportView),
        (status = 200, description = "The same document was imported before; nothing was recorded", body = VexImportView),
        (status = 422, description = "Not a VEX document Vigil reads, or a statement whose fields do not fit its status", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn import_vex(
    State(state): State<AppState>,
    Auth(who): Auth,
    request: Request,
) -> ApiResult<Response> {
    who.require(Permission::Triage)?;
    require_every_environment(&who, "a VEX document's decisions")?;
    // Bounded by the server's body limit, as a release upload is.
    let bytes = document_body(request, &state, &ACCEPTED, "VEX document").await?;
    let actor = who.name.clone();
    let report = state
        .writers()
        .run(move |e| e.import_vex(&bytes, &actor))
        .await?;
    tracing::info!(sha256 = %report.sha256, new = report.new, decisions = report.decisions.len(), by = %who.token_id, "VEX imported");
    let new = report.new;
    let view = VexImportView::from(report);
    Ok(if new {
        created(view)
    } else {
        Json(view).into_response()
    })
}

/// The format of an exported document.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum VexFormatParam {
    /// OpenVEX 0.2.0, as `application/json`.
    #[default]
    Openvex,
    /// CycloneDX 1.6 VEX, as `application/vnd.cyclonedx+json`.
    Cyclonedx,
}

/// What to export: a release (`service` and `version`), the releases of a service that
/// run now (`service`), or every release that runs now (neither).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct VexParams {
    #[param(value_type = Option<Name>)]
    service: Option<String>,
    /// A release of `service`; needs `service`.
    #[param(value_type = Option<Version>)]
    version: Option<String>,
    /// `openvex` (default) or `cyclonedx`.
    #[param(inline)]
    format: Option<VexFormatParam>,
}

/// The VEX document of a release, of the releases of a service that run now, or of
/// every release that runs now: for each finding the decision in effect, and
/// `under_investigation` where no one has triaged it. OpenVEX 0.2.0 as
/// `application/json`, or CycloneDX 1.6 as `application/vnd.cyclonedx+json`.
#[utoipa::path(get, path = "/api/v1/vex", tag = "vex", params(VexParams),
    responses(
        (status = 200, description = "The document", content(
            (VexJson = "application/json"),
            (VexJson = "application/vnd.cyclonedx+json"))),
        (status = 404, description = "No such service or release", body = crate::error::ErrorBody),
        (status = 422, description = "A version without a service", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn export_vex(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<VexParams>,
) -> ApiResult<Response> {
    who.require(Permission::Read)?;
    let scope = match (p.service, p.version) {
        (Some(service), Some(version)) => VexScope::Release { service, version },
        (Some(service), None) => VexScope::Service(service),
        (None, None) => VexScope::Portfolio,
        (None, Some(version)) => {
            return Err(ApiError::unprocessable(format!(
                "version {version:?} needs the service it is a release of: add service="
            )));
        }
    };
    let (format, content_type) = match p.format.unwrap_or_default() {
        VexFormatParam::Openvex => (VexFormat::OpenVex, "application/json"),
        VexFormatParam::Cyclonedx => (VexFormat::CycloneDx, CYCLONEDX_JSON),
    };
    let bytes = state
        .readers()
        .run(move |e| e.export_vex(&scope, format))
        .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
