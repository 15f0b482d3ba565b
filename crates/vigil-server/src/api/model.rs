//! What the API sends and receives. These types are the API's contract, documented in
//! the OpenAPI document; they are kept apart from the store's rows so that either can
//! change without the other.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::openapi::schema::{
    Array, ArrayBuilder, Object, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// No control characters and no white space at either end: how the engine checks names
/// and versions.
const TRIMMED_PRINTABLE: &str =
    r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$";

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// The schema of a service, environment or team name, as the engine checks it. The
/// engine counts the limit in bytes of UTF-8, which a schema cannot say: `maxLength`
/// is the limit for ASCII names.
pub(crate) struct Name;

impl PartialSchema for Name {
    fn schema() -> RefOr<Schema> {
        string("A service, environment or team name: 1 to 200 bytes of UTF-8, without control characters or white space at either end.")
            .min_length(Some(1))
            .max_length(Some(200))
            .pattern(Some(TRIMMED_PRINTABLE))
            .examples(["checkout"])
            .into()
    }
}

impl ToSchema for Name {}

/// The schema of a release version, as the engine checks it.
pub(crate) struct Version;

impl PartialSchema for Version {
    fn schema() -> RefOr<Schema> {
        string("A release version: 1 to 256 bytes of UTF-8, without control characters or white space at either end.")
            .min_length(Some(1))
            .max_length(Some(256))
            .pattern(Some(TRIMMED_PRINTABLE))
            .examples(["2.4.1"])
            .into()
    }
}

impl ToSchema for Version {}

/// The schema of an artifact digest, as the engine checks it.
pub(crate) struct Digest;

impl PartialSchema for Digest {
    fn schema() -> RefOr<Schema> {
        string("An artifact digest as OCI writes it: `sha256:` and 64 lower-case hex digits, or `sha384:` and 96, or `sha512:` and 128.")
            .pattern(Some(
                "^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$",
            ))
            .into()
    }
}

impl ToSchema for Digest {}

/// The schema of a time the API takes.
pub(crate) struct Timestamp;

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        string("An RFC 3339 time of the years 0001 to 9998, e.g. `2026-03-01T12:00:00Z`.")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(
                "^(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9])-",
            ))
            .into()
    }
}

impl ToSchema for Timestamp {}

/// The schema of `page_token`: only what an earlier page gave is accepted.
pub(crate) fn page_token() -> Object {
    string("From `next_page_token` of the page before.")
        .pattern(Some("^[0-9]{1,18}$"))
        .build()
}

/// The schema of `min_severity`.
pub(crate) fn severity() -> Object {
    string("Lowest severity (default: all).")
        .enum_values(Some(["critical", "high", "medium", "low", "unrated"]))
        .build()
}

/// The schema of the environments of a token: absent for every environment, else at
/// least one name.
fn token_environments() -> Array {
    let item = string("An environment name: 1 to 200 characters.")
        .min_length(Some(1))
        .max_length(Some(200));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(item)
        .min_items(Some(1))
        .description(Some(
            "The environments the token may touch; absent for every environment.",
        ))
        .build()
}

/// A release: a built version of a service, with its SBOM.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseView {
    /// Stable id.
    pub id: i64,
    pub service: String,
    pub version: String,
    /// SHA-256 of the SBOM as received.
    pub sbom_sha256: String,
    pub commit: Option<String>,
    pub repository: Option<String>,
    pub builder: Option<String>,
    pub built_at: Option<String>,
    pub components: i64,
    pub packages: i64,
    pub unmatchable: i64,
    pub created_at: String,
    /// Artifact digests (`sha256:…`).
    pub digests: Vec<String>,
}

impl From<vigil_store::Release> for ReleaseView {
    fn from(r: vigil_store::Release) -> Self {
        ReleaseView {
            id: r.id,
            service: r.service,
            version: r.version,
            sbom_sha256: r.sbom_sha256,
            commit: r.commit,
            repository: r.repository,
            builder: r.builder,
            built_at: r.built_at,
            components: r.components,
            packages: r.packages,
            unmatchable: r.unmatchable,
            created_at: r.created_at,
            digests: r.digests,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasePage {
    pub items: Vec<ReleaseView>,
    /// Pass as `page_token` for the next page; absent on the last page.
    pub next_page_token: Option<String>,
}

/// A release to record, with its SBOM inline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "checkout", "version": "2.5.0", "commit": "4f9c2e1",
    "digests": ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    "sbom": {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "requests", "version": "2.31.0",
            "purl": "pkg:pypi/requests@2.31.0"}]}}))]
pub struct ReleaseRequest {
    #[schema(value_type = Name)]
    pub service: String,
    #[schema(value_type = Version)]
    pub version: String,
    /// The SBOM document (CycloneDX or SPDX JSON), as produced by the SBOM tool. For XML
    /// or tag-value SBOMs, post `multipart/form-data` instead.
    #[schema(value_type = Object)]
    pub sbom: Box<RawValue>,
    /// Artifact digests.
    #[serde(default)]
    #[schema(value_type = Vec<Digest>)]
    pub digests: Vec<String>,
    pub commit: Option<String>,
    pub repository: Option<String>,
    pub builder: Option<String>,
    /// When it was built.
    #[schema(value_type = Option<Timestamp>)]
    pub built_at: Option<String>,
    /// The owning team; replaces the service's owner when given.
    #[schema(value_type = Option<Name>)]
    pub owner: Option<String>,
    /// Detached signatures of the SBOM document's bytes as posted here (Ed25519 or
    /// ECDSA P-256), base64 as `cosign sign-blob --key` writes them. Since a JSON body
    /// re-serializes nothing, sign the exact `sbom` text; or post multipart.
    #[serde(default)]
    pub sbom_signatures: Vec<String>,
    /// DSSE envelopes (in-toto attestations such as SLSA provenance), as JSON objects.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub attestations: Vec<Box<RawValue>>,
}

/// The multipart form of a release: text fields as in the JSON form (`digest` may
/// repeat) and the SBOM as a file part named `sbom`.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "documents the multipart form")]
pub struct ReleaseForm {
    #[schema(value_type = Name)]
    pub service: String,
    #[schema(value_type = Version)]
    pub version: String,
    #[schema(value_type = String, format = Binary)]
    pub sbom: Vec<u8>,
    // A form has no null: an optional field is one left out.
    #[schema(value_type = Vec<Digest>, required = false)]
    pub digest: Option<Vec<String>>,
    #[schema(value_type = String, required = false)]
    pub commit: Option<String>,
    #[schema(value_type = String, required = false)]
    pub repository: Option<String>,
    #[schema(value_type = String, required = false)]
    pub builder: Option<String>,
    #[schema(value_type = Timestamp, required = false)]
    pub built_at: Option<String>,
    #[schema(value_type = Name, required = false)]
    pub owner: Option<String>,
    /// Detached signatures of the SBOM file (repeat the part for several).
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    pub sbom_signature: Option<Vec<Vec<u8>>>,
    /// The artifact file, when its signatures come along; its SHA-256 becomes an
    /// artifact digest.
    #[schema(value_type = String, format = Binary, required = false)]
    pub artifact: Option<Vec<u8>>,
    /// Detached signatures of the artifact (repeat for several).
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    pub artifact_signature: Option<Vec<Vec<u8>>>,
    /// DSSE envelopes (repeat for several).
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    pub attestation: Option<Vec<Vec<u8>>>,
}

/// What recording a release did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseOutcomeView {
    pub release: ReleaseView,
    /// False when this release was already stored with this SBOM.
    pub created: bool,
    pub sbom_format: String,
    pub components: usize,
    pub packages: usize,
    /// Packages that cannot be matched, with the reason.
    pub unmatchable: Vec<String>,
    pub warnings: Vec<String>,
    /// Open findings of the release.
    pub findings: usize,
    pub advisories: Vec<String>,
    /// `signed`, `unsigned` or `bad`, from every signature and attestation recorded.
    pub signature_verdict: String,
    #[schema(value_type = Vec<Object>)]
    pub signatures: Vec<vigil_store::SignatureRecord>,
}

impl From<vigil_engine::ReleaseOutcome> for ReleaseOutcomeView {
    fn from(o: vigil_engine::ReleaseOutcome) -> Self {
        ReleaseOutcomeView {
            release: o.release.into(),
            created: o.created,
            sbom_format: o.sbom_format,
            components: o.components,
            packages: o.packages,
            unmatchable: o.unmatchable,
            warnings: o.warnings,
            findings: o.findings,
            advisories: o.advisories,
            signature_verdict: o.signature_verdict.as_str().to_owned(),
            signatures: o.signatures,
        }
    }
}

/// A release with its findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseDetail {
    pub release: ReleaseView,
    /// Where it runs now.
    pub running: Vec<RunningView>,
    /// Its findings, open and resolved.
    pub findings: Vec<FindingView>,
}

/// A deployment event to record: the release by service and version, or by an
/// artifact digest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"environment": "staging", "service": "checkout", "version": "2.4.1",
    "actor": "ci"}))]
pub struct DeploymentRequest {
    #[schema(value_type = Name)]
    pub environment: String,
    #[schema(value_type = Option<Name>)]
    pub service: Option<String>,
    #[schema(value_type = Option<Version>)]
    pub version: Option<String>,
    /// An artifact digest of the release, instead of service and version.
    #[schema(value_type = Option<Digest>)]
    pub digest: Option<String>,
    /// When it happened; now when absent.
    #[schema(value_type = Option<Timestamp>)]
    pub at: Option<String>,
    /// Who deployed it.
    pub actor: Option<String>,
    /// What reported it (a pipeline name); `api` when absent.
    pub source: Option<String>,
}

/// A service removed from an environment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"environment": "staging", "service": "search-indexer"}))]
pub struct UndeploymentRequest {
    pub environment: String,
    pub service: String,
    /// When it happened; now when absent.
    #[schema(value_type = Option<Timestamp>)]
    pub at: Option<String>,
    pub actor: Option<String>,
    pub source: Option<String>,
}

/// What recording a deployment did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeployOutcomeView {
    /// Stable id of the event.
    pub deployment_id: i64,
    pub environment: String,
    pub service: String,
    /// The release deployed; absent for an undeploy.
    pub version: Option<String>,
    pub at: String,
    /// False when a later event was already recorded: this one is history.
    pub current: bool,
    /// The version that ran before, where it changed.
    pub replaced: Option<String>,
    /// Open findings of the release deployed, by severity.
    pub exposure: Vec<SeverityCount>,
    /// Alerts this deployment raised.
    pub alerts: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeverityCount {
    pub severity: String,
    pub findings: i64,
}

impl From<vigil_engine::DeployOutcome> for DeployOutcomeView {
    fn from(o: vigil_engine::DeployOutcome) -> Self {
        DeployOutcomeView {
            deployment_id: o.deployment_id,
            environment: o.environment,
            service: o.service,
            version: o.version,
            at: o.at,
            current: o.current,
            replaced: o.replaced,
            exposure: o
                .exposure
                .into_iter()
                .map(|(severity, findings)| SeverityCount { severity, findings })
                .collect(),
            alerts: o.alerts,
        }
    }
}

/// A recorded deployment event.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeploymentView {
    pub id: i64,
    pub environment: String,
    pub service: String,
    /// Absent for an undeploy.
    pub version: Option<String>,
    pub actor: Option<String>,
    pub source: Option<String>,
    pub at: String,
    pub recorded_at: String,
}

impl From<vigil_store::Deployment> for DeploymentView {
    fn from(d: vigil_store::Deployment) -> Self {
        DeploymentView {
            id: d.id,
            environment: d.environment,
            service: d.service,
            version: d.version,
            actor: d.actor,
            source: d.source,
            at: d.at,
            recorded_at: d.recorded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeploymentPage {
    pub items: Vec<DeploymentView>,
    pub next_page_token: Option<String>,
}

/// A release running in an environment.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunningView {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub release_id: i64,
    /// When it started running there.
    pub since: String,
}

impl From<vigil_store::Running> for RunningView {
    fn from(r: vigil_store::Running) -> Self {
        RunningView {
            environment: r.environment,
            service: r.service,
            version: r.version,
            release_id: r.release_id,
            since: r.since,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnvironmentView {
    pub name: String,
    pub created_at: String,
    /// What runs there now.
    pub running: Vec<RunningView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    pub name: String,
    /// The owning team.
    pub owner: Option<String>,
    pub created_at: String,
    /// Where it runs now.
    pub running: Vec<RunningView>,
}

/// A finding: a package version of a release matched by an advisory.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    /// Stable id: `release_id:package_version_id:advisory_id`.
    pub id: String,
    pub advisory_id: String,
    pub summary: Option<String>,
    /// Absent for a release that runs nowhere.
    pub environment: Option<String>,
    pub running_since: Option<String>,
    pub service: String,
    pub owner: Option<String>,
    pub release_id: i64,
    pub release: String,
    pub purl: String,
    pub ecosystem: String,
    pub package: String,
    pub version: String,
    pub installed: Option<String>,
    /// `product`, `direct`, `transitive` or `unknown`.
    pub dependency: String,
    /// The dependency path from the product, as JSON text.
    pub path: Option<String>,
    /// `affected`, or `unknown` when a range could not be evaluated.
    pub certainty: String,
    pub reason: Option<String>,
    /// `fixed_in`, `no_fix_known`, `no_fix_yet`, `not_listed` or `unknown`.
    pub fix: String,
    pub fixed: Option<String>,
    /// `critical`, `high`, `medium`, `low` or `unrated`.
    pub severity: String,
    pub severity_score: Option<f64>,
    pub kev: bool,
    pub epss: Option<f64>,
    pub first_seen: String,
    pub first_exposed: Option<String>,
    pub resolved_at: Option<String>,
    /// `undeployed`, `withdrawn`, `unmatched`, or the triage status that closed it
    /// (`not_affected`, `fixed`).
    pub resolution: Option<String>,
    /// The status of the triage decision in effect (`under_investigation`, `affected`,
    /// `not_affected`, `fixed`, `risk_accepted`); absent when none is.
    pub triage: Option<String>,
    /// The id of that decision (`GET /api/v1/triage` lists them).
    pub decision_id: Option<i64>,
    /// When the fix is due in this environment: the start of the exposure plus the
    /// environment's SLA days (`docs/metrics.md`). Absent for a release that runs
    /// nowhere and for a resolved finding.
    pub due: Option<String>,
    /// Past due, open, and its risk not accepted.
    pub overdue: bool,
}

impl From<vigil_engine::FindingRow> for FindingView {
    fn from(f: vigil_engine::FindingRow) -> Self {
        let r = f.row;
        FindingView {
            id: format!(
                "{}:{}:{}",
                r.release_id, r.package_version_id, r.advisory_id
            ),
            advisory_id: r.advisory_id,
            summary: r.summary,
            environment: r.environment,
            running_since: r.running_since,
            service: r.service,
            owner: r.owner,
            release_id: r.release_id,
            release: r.release,
            purl: r.purl,
            ecosystem: r.ecosystem,
            package: r.package,
            version: r.version,
            installed: r.installed,
            dependency: match r.dependency {
                0 => "product",
                1 => "direct",
                2 => "transitive",
                _ => "unknown",
            }
            .to_owned(),
            path: r.path,
            certainty: r.certainty,
            reason: r.reason,
            fix: r.fix,
            fixed: r.fixed,
            severity: f.severity.to_owned(),
            severity_score: r.severity_score,
            kev: f.kev,
            epss: f.epss,
            first_seen: r.first_seen,
            first_exposed: r.first_exposed,
            resolved_at: r.resolved_at,
            resolution: r.resolution,
            triage: r.triage,
            decision_id: r.decision_id,
            due: f.due,
            overdue: f.overdue,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingPage {
    pub items: Vec<FindingView>,
    pub next_page_token: Option<String>,
}

/// Filters of `GET /api/v1/findings`, as `vigil findings` takes them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FindingParams {
    pub environment: Option<String>,
    pub service: Option<String>,
    /// Only services of this application.
    pub app: Option<String>,
    /// Lowest severity (default: all).
    #[param(schema_with = severity)]
    pub min_severity: Option<String>,
    /// Only advisories in CISA's KEV catalog.
    pub kev: Option<bool>,
    /// Also releases that run nowhere.
    pub all_releases: Option<bool>,
    /// Only findings past their SLA due date: open, and their risk not accepted.
    pub overdue: Option<bool>,
    /// 1 to the server's maximum (default 100).
    #[param(minimum = 1)]
    pub page_size: Option<usize>,
    #[param(schema_with = page_token)]
    pub page_token: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// 1 to the server's maximum (default 100).
    #[param(minimum = 1)]
    pub page_size: Option<usize>,
    #[param(schema_with = page_token)]
    pub page_token: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReleaseParams {
    /// Only releases of this service.
    pub service: Option<String>,
    /// 1 to the server's maximum (default 100).
    #[param(minimum = 1)]
    pub page_size: Option<usize>,
    #[param(schema_with = page_token)]
    pub page_token: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeploymentParams {
    pub environment: Option<String>,
    pub service: Option<String>,
    /// 1 to the server's maximum (default 100).
    #[param(minimum = 1)]
    pub page_size: Option<usize>,
    #[param(schema_with = page_token)]
    pub page_token: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AffectedParams {
    /// Also releases that run nowhere.
    pub all_releases: Option<bool>,
    /// Only services of this application.
    pub app: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusParams {
    /// Only services of this application.
    pub app: Option<String>,
}

/// An advisory as stored, with its OSV record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryView {
    pub id: String,
    pub modified: String,
    pub published: Option<String>,
    pub withdrawn: Option<String>,
    pub summary: Option<String>,
    pub severity: String,
    pub severity_score: Option<f64>,
    pub severity_vector: Option<String>,
    pub content_sha256: String,
    pub source: Option<String>,
    pub imported_at: String,
    /// Aliases and upstream ids.
    pub aliases: Vec<String>,
    pub kev: Option<KevView>,
    pub epss: Option<EpssView>,
    /// The OSV record as received.
    #[schema(value_type = Object)]
    pub osv: Box<RawValue>,
    /// Other stored advisories the requested alias also names.
    pub also: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KevView {
    pub cve_id: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    pub date_added: String,
    pub due_date: Option<String>,
    pub ransomware: Option<String>,
    pub required_action: Option<String>,
}

impl From<vigil_store::KevEntry> for KevView {
    fn from(k: vigil_store::KevEntry) -> Self {
        KevView {
            cve_id: k.cve_id,
            vendor: k.vendor,
            product: k.product,
            name: k.name,
            date_added: k.date_added,
            due_date: k.due_date,
            ransomware: k.ransomware,
            required_action: k.required_action,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EpssView {
    pub cve_id: String,
    pub score: f64,
    pub percentile: f64,
}

/// An advisory in an affected answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisorySummary {
    pub id: String,
    pub modified: String,
    pub published: Option<String>,
    pub withdrawn: Option<String>,
    pub summary: Option<String>,
    pub severity: String,
    pub severity_score: Option<f64>,
    pub aliases: Vec<String>,
    pub kev: Option<KevView>,
    pub epss: Option<EpssView>,
}

impl From<vigil_engine::AdvisoryInfo> for AdvisorySummary {
    fn from(a: vigil_engine::AdvisoryInfo) -> Self {
        let (kev, epss) = exploitation(a.exploitation);
        AdvisorySummary {
            id: a.advisory.id,
            modified: a.advisory.modified,
            published: a.advisory.published,
            withdrawn: a.advisory.withdrawn,
            summary: a.advisory.summary,
            severity: a.severity.to_owned(),
            severity_score: a.advisory.severity_score,
            aliases: a.advisory.aliases,
            kev,
            epss,
        }
    }
}

pub fn exploitation(e: vigil_engine::Exploitation) -> (Option<KevView>, Option<EpssView>) {
    (
        e.kev.map(KevView::from),
        e.epss.map(|(cve_id, score, percentile)| EpssView {
            cve_id,
            score,
            percentile,
        }),
    )
}

/// Who is affected by an advisory, now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedView {
    /// The id or alias asked for.
    pub query: String,
    /// The stored advisories it names.
    pub advisories: Vec<AdvisorySummary>,
    /// Affected releases: one row per environment where each runs (or none, with
    /// `all_releases`), package and advisory.
    pub findings: Vec<FindingView>,
    /// Environments with at least one affected release running.
    pub environments: Vec<String>,
    /// Services with an affected release running.
    pub services: Vec<String>,
}

/// The portfolio summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    pub backend: String,
    pub counts: CountsView,
    pub environments: Vec<EnvironmentExposureView>,
    pub application: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountsView {
    pub services: i64,
    pub applications: i64,
    pub environments: i64,
    pub releases: i64,
    pub package_versions: i64,
    pub deployments: i64,
    pub running: i64,
    pub advisories: i64,
    pub withdrawn_advisories: i64,
    pub findings: i64,
    pub open_findings: i64,
}

impl From<vigil_store::Counts> for CountsView {
    fn from(c: vigil_store::Counts) -> Self {
        CountsView {
            services: c.services,
            applications: c.applications,
            environments: c.environments,
            releases: c.releases,
            package_versions: c.package_versions,
            deployments: c.deployments,
            running: c.running,
            advisories: c.advisories,
            withdrawn_advisories: c.withdrawn_advisories,
            findings: c.findings,
            open_findings: c.open_findings,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnvironmentExposureView {
    pub environment: String,
    pub services_running: usize,
    pub services_affected: usize,
    /// Open findings by severity.
    pub findings: Vec<SeverityCount>,
    pub advisories: usize,
    pub kev_advisories: usize,
}

/// How fresh the advisories and exploit intelligence are.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedStatusView {
    /// OSV feed cursors, per base URL and ecosystem.
    pub osv: Vec<FeedCursorView>,
    /// The last KEV and EPSS imports.
    pub intel: Vec<IntelImportView>,
    /// The last run of each scheduled job.
    pub jobs: Vec<JobView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedCursorView {
    pub base: String,
    pub ecosystem: String,
    /// The newest `modified` time synced.
    pub cursor: String,
    pub synced_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntelImportView {
    /// `kev` or `epss`.
    pub feed: String,
    pub version: Option<String>,
    pub records: i64,
    pub source: Option<String>,
    pub imported_at: String,
    /// Seconds since the import.
    pub age_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    /// `osv`, `kev`, `epss` or `sla_sweep`.
    pub job: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Absent while running.
    pub ok: Option<bool>,
    pub duration_ms: Option<i64>,
    /// What it did; absent while running and after a failure.
    #[schema(value_type = Option<Object>)]
    pub summary: Option<serde_json::Value>,
    pub error: Option<String>,
    pub runner: Option<String>,
    pub last_success_at: Option<String>,
    /// Seconds since the last success.
    pub age_seconds: Option<i64>,
}

/// An alert from the outbox, with its deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    /// The idempotency key receivers see.
    pub key: String,
    /// `advisory`, `deployment`, or `sla_breach` (an exposure past its SLA due date).
    pub kind: String,
    pub environment: String,
    pub service: String,
    pub version: String,
    pub team: Option<String>,
    pub severity: String,
    pub created_at: String,
    pub advisories: Vec<AlertAdvisoryView>,
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertAdvisoryView {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: String,
    /// The affected package version as a package URL; for an SLA breach, every one that
    /// carried the advisory, comma-separated.
    pub package: String,
    pub fixed: Option<String>,
    pub kev: bool,
    /// SLA breaches only: when the exposure began.
    pub exposed_since: Option<String>,
    /// SLA breaches only: when the fix was due.
    pub due: Option<String>,
}

impl From<crate::sinks::AlertAdvisory> for AlertAdvisoryView {
    fn from(a: crate::sinks::AlertAdvisory) -> Self {
        AlertAdvisoryView {
            id: a.id,
            aliases: a.aliases,
            summary: a.summary,
            severity: a.severity,
            package: a.package,
            fixed: a.fixed,
            kev: a.kev,
            exposed_since: a.exposed_since,
            due: a.due,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub sink: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertPage {
    pub items: Vec<AlertView>,
    pub next_page_token: Option<String>,
}

/// A token as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub role: String,
    /// Absent: every environment.
    pub environments: Option<Vec<String>>,
    pub created_at: String,
    pub created_by: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<vigil_store::Token> for TokenView {
    fn from(t: vigil_store::Token) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            role: t.role,
            environments: t.environments,
            created_at: t.created_at,
            created_by: t.created_by,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "ci", "role": "publisher", "environments": ["staging"]}))]
pub struct TokenRequest {
    /// What the token is for: 1 to 200 characters, none of them a control character.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]+$"
    )]
    pub name: String,
    pub role: crate::auth::Role,
    #[schema(schema_with = token_environments)]
    pub environments: Option<Vec<String>>,
}

/// Liveness and readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}
