//! Security performance metrics over HTTP: MTTD, MTTR, open exposure age, SLA compliance
//! and backlog, grouped and by month, as `vigil metrics --format json` prints them.
//! `docs/metrics.md` defines every number.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use vigil_engine::response::{MetricsQuery, MetricsReport};
use vigil_exposure::{
    Backlog, DurationStats, Group, MetricsRow, OpenAge, SlaCompliance, SlaPolicies, SlaPolicy,
    TrendRow,
};

use super::ApiQuery;
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Auth};

/// Most months of trend one request may ask for.
const MAX_MONTHS: u32 = 120;

/// How rows are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MetricsGroup {
    /// One row for every episode.
    #[default]
    All,
    /// One row per environment.
    Environment,
    /// One row per service, across environments.
    Service,
    /// One row per owning team, and one with no key for services without a team.
    Team,
}

impl From<MetricsGroup> for Group {
    fn from(g: MetricsGroup) -> Group {
        match g {
            MetricsGroup::All => Group::All,
            MetricsGroup::Environment => Group::Environment,
            MetricsGroup::Service => Group::Service,
            MetricsGroup::Team => Group::Team,
        }
    }
}

impl From<Group> for MetricsGroup {
    fn from(g: Group) -> MetricsGroup {
        match g {
            Group::All => MetricsGroup::All,
            Group::Environment => MetricsGroup::Environment,
            Group::Service => MetricsGroup::Service,
            Group::Team => MetricsGroup::Team,
        }
    }
}

/// What `GET /api/v1/metrics` computes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetricsParams {
    /// How to group the rows (default `all`).
    #[param(inline)]
    by: Option<MetricsGroup>,
    /// Also a trend by calendar month (UTC): this month and the months before it, this
    /// many in all.
    #[param(minimum = 1, maximum = 120)]
    months: Option<u32>,
    /// Only episodes in this environment.
    env: Option<String>,
    /// Only episodes of this service.
    service: Option<String>,
    /// Only episodes of services this team owns.
    team: Option<String>,
}

/// Count, mean and median of durations, in seconds.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DurationStatsView {
    count: u64,
    /// Absent when `count` is 0.
    mean_seconds: Option<f64>,
    /// With an even count, the mean of the two middle values. Absent when `count` is 0.
    median_seconds: Option<f64>,
}

impl From<DurationStats> for DurationStatsView {
    fn from(d: DurationStats) -> Self {
        DurationStatsView {
            count: d.count,
            mean_seconds: d.mean_seconds,
            median_seconds: d.median_seconds,
        }
    }
}

/// The age (`now - start`) of open episodes, accepted ones included.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OpenAgeView {
    count: u64,
    mean_seconds: Option<f64>,
    max_seconds: Option<f64>,
}

impl From<OpenAge> for OpenAgeView {
    fn from(o: OpenAge) -> Self {
        OpenAgeView {
            count: o.count,
            mean_seconds: o.mean_seconds,
            max_seconds: o.max_seconds,
        }
    }
}

/// Episodes that met or missed their due date.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SlaComplianceView {
    /// Closed by their due date.
    met: u64,
    /// Closed after their due date, and open past it.
    missed: u64,
    /// Open past their due date (counted in `missed` too).
    overdue: u64,
    /// Open with the risk accepted: neither met nor missed.
    accepted: u64,
    /// `met / (met + missed)`; absent when both are 0.
    ratio: Option<f64>,
}

impl From<SlaCompliance> for SlaComplianceView {
    fn from(s: SlaCompliance) -> Self {
        SlaComplianceView {
            met: s.met,
            missed: s.missed,
            overdue: s.overdue,
            accepted: s.accepted,
            ratio: s.ratio,
        }
    }
}

/// Open episodes by severity.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BacklogView {
    critical: u64,
    high: u64,
    medium: u64,
    low: u64,
    unrated: u64,
}

impl From<Backlog> for BacklogView {
    fn from(b: Backlog) -> Self {
        BacklogView {
            critical: b.critical,
            high: b.high,
            medium: b.medium,
            low: b.low,
            unrated: b.unrated,
        }
    }
}

/// The metrics of one group of exposure episodes.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MetricsRowView {
    group: MetricsGroup,
    /// The environment, service or team; absent for `all`, and for the services without
    /// a team under `team`.
    key: Option<String>,
    /// Episodes in the group, open and closed.
    episodes: u64,
    /// Time to detect: advisory published to exposure known, of each first episode.
    mttd: DurationStatsView,
    /// Time to remediate: start to end of each closed episode.
    mttr: DurationStatsView,
    open: OpenAgeView,
    sla: SlaComplianceView,
    backlog: BacklogView,
}

impl From<MetricsRow> for MetricsRowView {
    fn from(r: MetricsRow) -> Self {
        MetricsRowView {
            group: r.group.into(),
            key: r.key,
            episodes: r.episodes,
            mttd: r.mttd.into(),
            mttr: r.mttr.into(),
            open: r.open.into(),
            sla: r.sla.into(),
            backlog: r.backlog.into(),
        }
    }
}

/// One calendar month (UTC) of the trend.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TrendRowView {
    /// `YYYY-MM`.
    month: String,
    /// The first instant of the month.
    start: String,
    /// Episodes that started in the month.
    detected: u64,
    /// Episodes that ended in the month.
    resolved: u64,
    /// Start to end of the episodes resolved in the month.
    mttr: DurationStatsView,
    /// Publication to start of the first episodes that started in the month.
    mttd: DurationStatsView,
    /// Episodes open at the month's end (for this month: now).
    open_at_end: u64,
}

fn rfc3339(t: time::OffsetDateTime) -> ApiResult<String> {
    t.format(&Rfc3339)
        .map_err(|e| ApiError::internal(format!("the time {t} has no RFC 3339 form: {e}")))
}

impl TrendRowView {
    fn new(t: TrendRow) -> ApiResult<TrendRowView> {
        Ok(TrendRowView {
            month: t.month,
            start: rfc3339(t.start)?,
            detected: t.detected,
            resolved: t.resolved,
            mttr: t.mttr.into(),
            mttd: t.mttd.into(),
            open_at_end: t.open_at_end,
        })
    }
}

/// Days to remediate, by severity and for known-exploited advisories.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SlaPolicyView {
    critical: u32,
    high: u32,
    medium: u32,
    low: u32,
    unrated: u32,
    /// For advisories in CISA's KEV catalog, when shorter than the severity's.
    kev: u32,
}

impl From<SlaPolicy> for SlaPolicyView {
    fn from(p: SlaPolicy) -> Self {
        SlaPolicyView {
            critical: p.critical,
            high: p.high,
            medium: p.medium,
            low: p.low,
            unrated: p.unrated,
            kev: p.kev,
        }
    }
}

/// The SLA policies the due dates were computed with.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SlaPoliciesView {
    /// The policy of every environment without one of its own.
    default: SlaPolicyView,
    /// Environments with a policy of their own.
    per_environment: BTreeMap<String, SlaPolicyView>,
}

impl From<SlaPolicies> for SlaPoliciesView {
    fn from(p: SlaPolicies) -> Self {
        SlaPoliciesView {
            default: p.default.into(),
            per_environment: p
                .per_environment
                .into_iter()
                .map(|(env, policy)| (env, policy.into()))
                .collect(),
        }
    }
}

/// Security performance metrics as of `now`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MetricsReportView {
    /// The instant the metrics are computed for.
    now: String,
    group: MetricsGroup,
    /// One row for `all`; else one per key that has episodes, sorted by key (no key
    /// first).
    rows: Vec<MetricsRowView>,
    /// By month, oldest first, when `months` is given.
    trend: Option<Vec<TrendRowView>>,
    policies: SlaPoliciesView,
}

impl MetricsReportView {
    fn new(r: MetricsReport) -> ApiResult<MetricsReportView> {
        Ok(MetricsReportView {
            now: rfc3339(r.now)?,
            group: r.group.into(),
            rows: r.rows.into_iter().map(MetricsRowView::from).collect(),
            trend: r
                .trend
                .map(|t| t.into_iter().map(TrendRowView::new).collect())
                .transpose()?,
            policies: r.policies.into(),
        })
    }
}

/// The first instant of the calendar month (UTC) `months - 1` months before the one of
/// `now`: a trend of `months` months ends with the month of `now`.
fn trend_start(now: time::OffsetDateTime, months: u32) -> time::OffsetDateTime {
    let now = now.to_offset(time::UtcOffset::UTC);
    let mut date = now.date().replace_day(1).unwrap_or(now.date());
    for _ in 1..months {
        date = date
            .previous_day()
            .and_then(|d| d.replace_day(1).ok())
            .unwrap_or(date);
    }
    date.midnight().assume_utc()
}

/// Time to detect and to remediate, open exposure age, SLA compliance and the open
/// backlog, for the portfolio or by environment, service or team, and by month if
/// asked. A token limited to environments must name one of them in `env`.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "findings", params(MetricsParams),
    responses((status = 200, body = MetricsReportView)), security(("bearer" = [])))]
pub(crate) async fn metrics(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<MetricsParams>,
) -> ApiResult<Json<MetricsReportView>> {
    who.require(Permission::Read)?;
    match (&who.environments, &p.env) {
        (None, _) => {}
        (Some(_), Some(env)) => who.require_environment(env)?,
        (Some(envs), None) => {
            return Err(ApiError::forbidden(format!(
                "token {} may see only the environments {}; name one of them with env=",
                who.token_id,
                envs.join(", ")
            )));
        }
    }
    if let Some(m) = p.months
        && !(1..=MAX_MONTHS).contains(&m)
    {
        return Err(ApiError::bad_request(format!(
            "months {m}: give 1 to {MAX_MONTHS}"
        )));
    }
    let now = state.now();
    let q = MetricsQuery {
        group: p.by.unwrap_or_default().into(),
        trend_from: p.months.map(|m| trend_start(now, m)),
        environment: p.env,
        service: p.service,
        team: p.team,
    };
    let report = state.readers().run(move |e| e.metrics(&q)).await?;
    Ok(Json(MetricsReportView::new(report)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_trend_of_n_months_ends_with_this_month() {
        let now = datetime!(2026-03-21 10:00 UTC);
        assert_eq!(trend_start(now, 1), datetime!(2026-03-01 0:00 UTC));
        assert_eq!(trend_start(now, 3), datetime!(2026-01-01 0:00 UTC));
        assert_eq!(trend_start(now, 4), datetime!(2025-12-01 0:00 UTC));
        assert_eq!(trend_start(now, 13), datetime!(2025-03-01 0:00 UTC));
        // The month is the UTC month.
        let late = datetime!(2026-03-31 23:30 -02:00);
        assert_eq!(trend_start(late, 1), datetime!(2026-04-01 0:00 UTC));
    }
}
