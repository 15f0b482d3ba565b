//! The dashboard's figures (exposure by environment and severity, KEV-listed exposure,
//! metrics and trends) come from every open finding, deployment and exposure episode of
//! the store, which takes long on a large portfolio; they are computed once and kept
//! while the store is unchanged. Every change to the portfolio, its findings and its
//! triage appends to the ledger, and every KEV or EPSS import is recorded with its time,
//! so the ledger's size and the latest import tell whether anything changed, in this
//! process or another; and the answer is made again after `[response]
//! metrics_max_age_secs` anyway, since due dates pass with time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use vigil_engine::response::EnvironmentTrends;
use vigil_engine::{FindingRow, Status};

use crate::error::ApiResult;
use crate::state::AppState;

/// Months the dashboard's charts cover, the current one included.
pub(crate) const TREND_MONTHS: u8 = 12;

#[derive(Debug, Default)]
pub(crate) struct Snapshots {
    dashboard: tokio::sync::Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    /// The ledger's size and the time of the latest KEV or EPSS import.
    version: (u64, Option<String>),
    at: Instant,
    dashboard: Arc<Dashboard>,
}

/// What the dashboard shows, for every environment (pages keep what the user may see).
#[derive(Debug)]
pub(crate) struct Dashboard {
    pub(crate) status: Status,
    pub(crate) kev: Vec<FindingRow>,
    pub(crate) trends: EnvironmentTrends,
}

/// The dashboard's figures, kept or made now.
pub(crate) async fn dashboard(state: &AppState) -> ApiResult<Arc<Dashboard>> {
    let max_age = Duration::from_secs(state.config().response.metrics_max_age_secs);
    let version = state
        .readers()
        .run(|e| {
            let mut tx = e.store().read()?;
            let intel = tx.intel_imports()?.into_iter().map(|i| i.imported_at).max();
            Ok((tx.ledger_size()?, intel))
        })
        .await?;
    let mut kept = state.0.console.dashboard.lock().await;
    if let Some(k) = kept.as_ref()
        && k.version == version
        && k.at.elapsed() < max_age
    {
        return Ok(Arc::clone(&k.dashboard));
    }
    let from = months_back(state.now(), TREND_MONTHS);
    let dashboard = Arc::new(
        state
            .readers()
            .run(move |e| {
                Ok(Dashboard {
                    status: e.status(None)?,
                    kev: e.kev_exposure()?,
                    trends: e.environment_trends(from)?,
                })
            })
            .await?,
    );
    *kept = Some(Kept {
        version,
        at: Instant::now(),
        dashboard: Arc::clone(&dashboard),
    });
    Ok(dashboard)
}

/// The first instant of the month `months - 1` months before `now`'s.
fn months_back(now: time::OffsetDateTime, months: u8) -> time::OffsetDateTime {
    let mut year = now.year();
    let mut month = now.month();
    for _ in 1..months {
        month = month.previous();
        if month == time::Month::December {
            year -= 1;
        }
    }
    time::Date::from_calendar_date(year, month, 1)
        .map(|d| d.midnight().assume_utc())
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::months_back;

    #[test]
    fn twelve_months_back_starts_a_year_earlier_the_next_month() {
        assert_eq!(
            months_back(datetime!(2026-12-06 10:00 UTC), 12),
            datetime!(2026-01-01 0:00 UTC)
        );
        assert_eq!(
            months_back(datetime!(2026-03-31 10:00 UTC), 12),
            datetime!(2025-04-01 0:00 UTC)
        );
        assert_eq!(
            months_back(datetime!(2026-03-31 10:00 UTC), 1),
            datetime!(2026-03-01 0:00 UTC)
        );
    }
}
