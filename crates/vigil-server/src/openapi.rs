//! The OpenAPI 3.1 document, generated from the handlers and types, served at
//! `/api/v1/openapi.json`.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::api;
use crate::api::model;
use crate::config::ApiConfig;

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigil", description = "Deployment evidence store and vulnerability response: which running services are affected by an advisory, where, since when, who owns them and what fixes them."),
    paths(
        api::healthz, api::readyz,
        api::list_releases, api::create_release, api::get_release,
        api::list_deployments, api::create_deployment, api::create_undeployment, api::argocd,
        api::list_environments, api::list_services, api::get_service,
        api::get_advisory, api::affected, api::findings, api::status, api::feeds, api::alerts,
        api::list_tokens, api::create_token, api::revoke_token,
        crate::ledger::checkpoint, crate::ledger::inclusion, crate::ledger::event,
        crate::ledger::consistency,
        api::list_service_keys, api::add_service_key, api::remove_service_key, api::set_policy,
        api::diff,
        api::import_vex, api::export_vex, api::gate,
        api::exposure, api::root_cause, api::patterns,
        api::record_triage, api::list_triage, api::revoke_triage,
        api::list_teams, api::put_team, api::set_owner, api::import_backstage,
        api::metrics,
        api::list_signals, api::triage_signal, api::inventory, api::fim_changes,
        api::list_mappings, api::put_mapping, api::delete_mapping, api::runtime_alerts, api::falco, api::import_report,
    ),
    components(schemas(crate::error::ErrorBody, model::ReleaseForm)),
    modifiers(&Security, &Errors, &OneRelease, &SomePolicy),
    tags(
        (name = "releases", description = "Releases and their SBOMs"),
        (name = "deployments", description = "What runs where, from pipelines and Argo CD"),
        (name = "catalog", description = "Environments, services, teams and owners"),
        (name = "advisories", description = "Advisories and who they affect"),
        (name = "findings", description = "Findings, the portfolio summary, security performance metrics and recurring patterns"),
        (name = "triage", description = "Decisions on findings: VEX statuses and risk acceptance"),
        (name = "vex", description = "VEX documents in, as triage decisions, and out"),
        (name = "gate", description = "The deployment gate: may this release go to this environment"),
        (name = "signals", description = "Signals from the running system: drift, DAST and scanner issues, file integrity, runtime alerts"),
        (name = "feeds", description = "Feed and enrichment freshness"),
        (name = "alerts", description = "The alert outbox"),
        (name = "tokens", description = "API tokens (admin)"),
        (name = "ledger", description = "The tamper-evident ledger: checkpoints and proofs"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub(crate) struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `vigil token create`"))
                    .build(),
            ),
        );
    }
}

/// Every operation documents the errors it can answer with, in one shape.
struct Errors;

impl Modify for Errors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                            "ErrorBody",
                        ))))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = path == "/healthz" || path == "/readyz";
            for op in operations(item) {
                let mut codes: Vec<(&str, &str)> = vec![("500", "The server or its store failed")];
                if !public {
                    codes.extend([
                        (
                            "400",
                            "The request is malformed; the message says what to fix",
                        ),
                        ("401", "No bearer token, or an unknown or revoked one"),
                        ("403", "The token's role or environments do not allow this"),
                        ("404", "What the request names does not exist"),
                        ("429", "The token is over its rate limit; see Retry-After"),
                        ("503", "The server is shutting down"),
                    ]);
                }
                // A name or id in the path or query can be one the store refuses (a NUL
                // character, over the length limit).
                let has_parameters = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if !public && has_parameters && op.request_body.is_none() {
                    codes.push((
                        "422",
                        "A value in the path or query cannot be used; the message says why",
                    ));
                }
                if op.request_body.is_some() {
                    codes.extend([
                        ("409", "The request contradicts what is stored"),
                        ("413", "The body is over the server's limit"),
                        ("415", "The body's content type is not accepted"),
                        (
                            "422",
                            "The body is well-formed but invalid; the message says why",
                        ),
                    ]);
                }
                for (code, description) in codes {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| RefOr::T(error(description)));
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// A deployment names its release by service and version, or by digest, which the
/// derived schema of its fields cannot say.
struct OneRelease;

impl Modify for OneRelease {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(schemas) = openapi.components.as_mut().map(|c| &mut c.schemas) else {
            return;
        };
        let Some(RefOr::T(Schema::Object(mut fields))) = schemas.remove("DeploymentRequest") else {
            return;
        };
        let string = || ObjectBuilder::new().schema_type(Type::String);
        let null = || ObjectBuilder::new().schema_type(Type::Null);
        let by_version = ObjectBuilder::new()
            .required("service")
            .required("version")
            .property("service", string())
            .property("version", string())
            .property("digest", null());
        let by_digest = ObjectBuilder::new()
            .required("digest")
            .property("digest", string())
            .property("version", null());
        // Said once, on the whole.
        let description = fields.description.take();
        #[allow(deprecated, reason = "utoipa writes the derived example here")]
        let example = fields.example.take();
        let schema = AllOfBuilder::new()
            .description(description)
            .examples(example)
            .item(fields)
            .item(AnyOfBuilder::new().item(by_version).item(by_digest))
            .build();
        schemas.insert("DeploymentRequest".to_owned(), RefOr::T(schema.into()));
    }
}

/// A policy change sets `require_signed`, `sla` or both; a field given as null sets
/// nothing, so at least one must be given as a value.
struct SomePolicy;

impl Modify for SomePolicy {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(schemas) = openapi.components.as_mut().map(|c| &mut c.schemas) else {
            return;
        };
        let Some(RefOr::T(Schema::Object(mut fields))) = schemas.remove("PolicyRequest") else {
            return;
        };
        let signed = ObjectBuilder::new().required("require_signed").property(
            "require_signed",
            ObjectBuilder::new().schema_type(Type::Boolean),
        );
        let sla = ObjectBuilder::new()
            .required("sla")
            .property("sla", ObjectBuilder::new().schema_type(Type::String));
        let description = fields.description.take();
        #[allow(deprecated, reason = "utoipa writes the derived example here")]
        let example = fields.example.take();
        let schema = AllOfBuilder::new()
            .description(description)
            .examples(example)
            .item(fields)
            .item(AnyOfBuilder::new().item(signed).item(sla))
            .build();
        schemas.insert("PolicyRequest".to_owned(), RefOr::T(schema.into()));
    }
}

/// The document with the default limits.
pub fn document() -> utoipa::openapi::OpenApi {
    document_for(&ApiConfig::default())
}

/// The document of a server with the limits `api`: `page_size` at most its
/// `max_page_size`.
pub fn document_for(api: &ApiConfig) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            for param in op.parameters.iter_mut().flatten() {
                if param.name == "page_size"
                    && let Some(RefOr::T(Schema::Object(schema))) = param.schema.as_mut()
                {
                    schema.maximum = Some(api.max_page_size.into());
                }
            }
        }
    }
    doc
}
