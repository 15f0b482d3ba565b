//! History: what changed between two releases of a service; who was exposed to an
//! advisory at a past instant; the release in which a vulnerable package version entered
//! a service and the one in which it left; and the packages, ecosystems and teams that
//! most often bring vulnerabilities in.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::model::{Name, Timestamp, Version};
use super::write::parse_time;
use super::{ApiPath, ApiQuery};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
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

/// A time as the API writes it.
fn rfc3339(t: OffsetDateTime) -> String {
    vigil_store::time::format(t)
}

/// The instant asked about.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExposureParams {
    /// The instant: an RFC 3339 time.
    #[param(value_type = Timestamp)]
    at: String,
}

/// An advisory as Vigil knew it at the instant.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KnownThenView {
    id: String,
    /// Whether Vigil had the advisory then.
    known: bool,
    /// Its `modified` in the revision Vigil had then.
    modified: Option<String>,
    /// Whether that revision was withdrawn.
    withdrawn: bool,
}

/// A release running at the instant, with a package the advisory (as known then)
/// affected.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExposedThenView {
    environment: String,
    service: String,
    /// The release version.
    release: String,
    /// When the deployment that ran it there happened.
    running_since: String,
    advisory_id: String,
    purl: String,
    /// The triage decision in force then, if any.
    triage: Option<String>,
    /// Whether that decision (`not_affected`, `fixed`) ruled the finding out.
    ruled_out: bool,
}

/// Who was exposed to an advisory at a past instant: from the deployment log, the
/// advisory's revision Vigil had then and the triage decisions in force then.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExposureView {
    /// The id or alias asked about.
    query: String,
    #[schema(value_type = Timestamp)]
    at: String,
    advisories: Vec<KnownThenView>,
    /// Rows exposed then and not ruled out by triage then.
    exposed: usize,
    rows: Vec<ExposedThenView>,
}

/// Who was exposed to an advisory (by id or alias) at a past instant `at`: what ran in
/// each environment then, matched against the advisory as Vigil knew it then, with the
/// triage in force then. A token limited to some environments sees only their rows.
#[utoipa::path(get, path = "/api/v1/advisories/{id}/exposure", tag = "advisories",
    params(("id" = String, Path, description = "An OSV id, or an alias such as a CVE id", example = "CVE-2021-44228"), ExposureParams),
    responses(
        (status = 200, body = ExposureView),
        (status = 404, description = "No advisory has this id or alias", body = crate::error::ErrorBody),
        (status = 422, description = "`at` is not an RFC 3339 time of the years 0001 to 9998", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn exposure(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExposureParams>,
) -> ApiResult<Json<ExposureView>> {
    who.require(Permission::Read)?;
    let at = parse_time("at", &q.at).map_err(|e| ApiError::unprocessable(e.message))?;
    let report = state.readers().run(move |e| e.affected_at(&id, at)).await?;
    let rows: Vec<ExposedThenView> = report
        .rows
        .into_iter()
        .filter(|r| who.may_touch(&r.environment))
        .map(|r| ExposedThenView {
            environment: r.environment,
            service: r.service,
            release: r.release,
            running_since: r.running_since,
            advisory_id: r.advisory_id,
            purl: r.purl,
            triage: r.triage,
            ruled_out: r.ruled_out,
        })
        .collect();
    Ok(Json(ExposureView {
        query: report.query,
        at: rfc3339(report.at),
        advisories: report
            .advisories
            .into_iter()
            .map(|a| KnownThenView {
                id: a.id,
                known: a.known,
                modified: a.modified,
                withdrawn: a.withdrawn,
            })
            .collect(),
        exposed: rows.iter().filter(|r| !r.ruled_out).count(),
        rows,
    }))
}

/// Which service to trace.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RootCauseParams {
    /// Only this service (default: every service with a finding of the advisory).
    #[param(value_type = Option<Name>)]
    service: Option<String>,
}

/// A release named in a root cause.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReleaseRefView {
    release_id: i64,
    version: String,
    commit: Option<String>,
    /// When Vigil recorded the release.
    #[schema(value_type = Timestamp)]
    recorded_at: String,
}

impl From<vigil_exposure::ReleaseRef> for ReleaseRefView {
    fn from(r: vigil_exposure::ReleaseRef) -> Self {
        ReleaseRefView {
            release_id: r.release_id,
            version: r.version,
            commit: r.commit,
            recorded_at: rfc3339(r.recorded_at),
        }
    }
}

/// An exposure window of a vulnerable package version in one environment.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExposureWindowView {
    environment: String,
    /// The first deployment that ran it there.
    #[schema(value_type = Timestamp)]
    from: String,
    /// The deployment that replaced it; null while it runs.
    #[schema(value_type = Option<Timestamp>)]
    to: Option<String>,
    /// The releases that ran it there, in order.
    releases: Vec<String>,
}

/// Where one vulnerable package version came from in one service.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OriginView {
    service: String,
    advisory_id: String,
    /// The vulnerable package version.
    purl: String,
    /// Its package: the purl without version, qualifiers or subpath.
    package: String,
    /// The first release of the unbroken run of releases that contain `purl`.
    entered: ReleaseRefView,
    /// The first release after that run; null while the newest release still has it.
    left: Option<ReleaseRefView>,
    /// The versions of the same package in `left`: what replaced `purl`. Empty when
    /// `left` dropped the package, or is null.
    replaced_by: Vec<String>,
    /// From the first deployment that ran it to the deployment that replaced it, per
    /// environment.
    windows: Vec<ExposureWindowView>,
}

/// The root cause of an advisory's findings.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RootCauseView {
    /// The id or alias asked about.
    query: String,
    origins: Vec<OriginView>,
}

/// For every finding of an advisory (by id or alias), in one service or all: the
/// release and commit in which the vulnerable package version entered the service, the
/// one in which it left, and its exposure windows per environment. A token limited to
/// some environments sees only their windows.
#[utoipa::path(get, path = "/api/v1/advisories/{id}/root-cause", tag = "advisories",
    params(("id" = String, Path, description = "An OSV id, or an alias such as a CVE id", example = "CVE-2021-44228"), RootCauseParams),
    responses(
        (status = 200, body = RootCauseView),
        (status = 404, description = "No advisory has this id or alias, or no such service", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn root_cause(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RootCauseParams>,
) -> ApiResult<Json<RootCauseView>> {
    who.require(Permission::Read)?;
    let report = state
        .readers()
        .run(move |e| e.root_cause(&id, q.service.as_deref()))
        .await?;
    Ok(Json(RootCauseView {
        query: report.query,
        origins: report
            .origins
            .into_iter()
            .map(|o| OriginView {
                service: o.service,
                advisory_id: o.advisory_id,
                purl: o.lineage.purl,
                package: o.lineage.package,
                entered: o.lineage.entered.into(),
                left: o.lineage.left.map(ReleaseRefView::from),
                replaced_by: o.lineage.replaced_by,
                windows: o
                    .windows
                    .into_iter()
                    .filter(|w| who.may_touch(&w.environment))
                    .map(|w| ExposureWindowView {
                        environment: w.environment,
                        from: rfc3339(w.from),
                        to: w.to.map(rfc3339),
                        releases: w.releases,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Longest ranking `top` may ask for.
const MAX_TOP: usize = 100;

/// How many rows of each ranking.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatternsParams {
    /// Rows of each ranking: 1 to 100 (default 10).
    #[param(minimum = 1, maximum = 100)]
    top: Option<usize>,
}

/// What was counted for one package, ecosystem or team. Every count is of distinct
/// values among the row's findings, except `findings`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TallyView {
    /// Findings of the row; not distinct, for scale.
    findings: u64,
    /// Distinct advisories.
    advisories: u64,
    /// Distinct (service, advisory) pairs: each time an advisory entered a service.
    introductions: u64,
    services: u64,
    releases: u64,
    /// Distinct (ecosystem, package) pairs.
    packages: u64,
    /// Distinct package versions.
    versions: u64,
    /// The highest severity among the findings.
    #[schema(value_type = String, example = "high")]
    max_severity: String,
}

impl From<vigil_exposure::Tally> for TallyView {
    fn from(t: vigil_exposure::Tally) -> Self {
        TallyView {
            findings: t.findings,
            advisories: t.advisories,
            introductions: t.introductions,
            services: t.services,
            releases: t.releases,
            packages: t.packages,
            versions: t.versions,
            max_severity: severity_name(t.max_severity).to_owned(),
        }
    }
}

fn severity_name(s: vigil_exposure::Severity) -> &'static str {
    match s {
        vigil_exposure::Severity::Critical => "critical",
        vigil_exposure::Severity::High => "high",
        vigil_exposure::Severity::Medium => "medium",
        vigil_exposure::Severity::Low => "low",
        vigil_exposure::Severity::Unrated => "unrated",
    }
}

/// The tally of one package.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PackageRowView {
    ecosystem: String,
    package: String,
    #[serde(flatten)]
    tally: TallyView,
}

/// The tally of one ecosystem.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EcosystemRowView {
    ecosystem: String,
    #[serde(flatten)]
    tally: TallyView,
}

/// The tally of one team; `team: null` gathers the services without one.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeamRowView {
    team: Option<String>,
    #[serde(flatten)]
    tally: TallyView,
}

/// The rankings: over every finding ever made (withdrawn and unmatched ones left out).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PatternsView {
    /// Every finding counted once.
    total: TallyView,
    /// Packages by introductions, most first.
    packages: Vec<PackageRowView>,
    /// Ecosystems by introductions, most first.
    ecosystems: Vec<EcosystemRowView>,
    /// Teams by introductions, most first.
    teams: Vec<TeamRowView>,
    /// Packages by the number of services they brought vulnerabilities into, most first.
    spread: Vec<PackageRowView>,
}

fn package_rows(rows: Vec<vigil_exposure::PackageRow>) -> Vec<PackageRowView> {
    rows.into_iter()
        .map(|r| PackageRowView {
            ecosystem: r.ecosystem,
            package: r.package,
            tally: r.tally.into(),
        })
        .collect()
}

/// The packages, ecosystems and teams through which vulnerabilities most often entered
/// services: the top `top` of each ranking, ties broken by name.
#[utoipa::path(get, path = "/api/v1/patterns", tag = "findings", params(PatternsParams),
    responses((status = 200, body = PatternsView)),
    security(("bearer" = [])))]
pub(crate) async fn patterns(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<PatternsParams>,
) -> ApiResult<Json<PatternsView>> {
    who.require(Permission::Read)?;
    let top = q.top.unwrap_or(10);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(ApiError::bad_request(format!(
            "top {top} is out of range: ask for 1 to {MAX_TOP} rows"
        )));
    }
    let p = state.readers().run(move |e| e.patterns(top)).await?;
    Ok(Json(PatternsView {
        total: p.total.into(),
        packages: package_rows(p.packages),
        ecosystems: p
            .ecosystems
            .into_iter()
            .map(|r| EcosystemRowView {
                ecosystem: r.ecosystem,
                tally: r.tally.into(),
            })
            .collect(),
        teams: p
            .teams
            .into_iter()
            .map(|r| TeamRowView {
                team: r.team,
                tally: r.tally.into(),
            })
            .collect(),
        spread: package_rows(p.spread),
    }))
}
