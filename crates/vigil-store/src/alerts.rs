//! The alert outbox. An alert is written in the transaction that causes it (an advisory
//! newly affecting a running release, or a deployment bringing an affected release into
//! an environment), so none is lost and none is sent for a change that rolled back.
//! Routing then adds one delivery per matching sink; deliveries are claimed by moving
//! their next attempt past a lease, so a process that dies mid-attempt leaves the
//! delivery to be retried, and replicas on one PostgreSQL skip each other's claims.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Backend, Param, Row, params};
use crate::time::format;

/// An alert to write.
#[derive(Clone, Debug)]
pub struct NewAlert<'a> {
    /// Unique: writing the same key twice keeps the first.
    pub key: &'a str,
    /// `advisory` or `deployment`.
    pub kind: &'a str,
    pub environment: &'a str,
    pub service: &'a str,
    pub version: &'a str,
    pub team: Option<&'a str>,
    pub severity_rank: i64,
    /// The JSON list of advisories.
    pub body: &'a str,
}

/// A stored alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAlert {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub environment: String,
    pub service: String,
    pub version: String,
    pub team: Option<String>,
    pub severity_rank: i64,
    pub body: String,
    pub created_at: String,
}

const ALERT_COLUMNS: &str =
    "id, alert_key, kind, environment, service, version, team, severity_rank, body, created_at";

fn alert(mut r: Row) -> StoredAlert {
    StoredAlert {
        id: r.int(0),
        key: r.text(1),
        kind: r.text(2),
        environment: r.text(3),
        service: r.text(4),
        version: r.text(5),
        team: r.opt_text(6),
        severity_rank: r.int(7),
        body: r.text(8),
        created_at: r.text(9),
    }
}

/// A delivery of an alert to one sink.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub alert_id: i64,
    pub sink: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts made, counting the one just claimed.
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

const DELIVERY_COLUMNS: &str = "id, alert_id, sink, state, attempts, next_attempt_at, \
     last_status, last_error, created_at, delivered_at";

fn delivery(mut r: Row) -> Delivery {
    Delivery {
        id: r.int(0),
        alert_id: r.int(1),
        sink: r.text(2),
        state: r.text(3),
        attempts: r.int(4),
        next_attempt_at: r.text(5),
        last_status: r.opt_int(6),
        last_error: r.opt_text(7),
        created_at: r.text(8),
        delivered_at: r.opt_text(9),
    }
}

/// An open, exposed finding of a running release, with what an alert says of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExposedFinding {
    pub release_id: i64,
    pub package_version_id: i64,
    pub environment: String,
    pub service: String,
    pub version: String,
    pub team: Option<String>,
    pub advisory_id: String,
    pub summary: Option<String>,
    pub severity_rank: i64,
    pub purl: String,
    pub fixed: Option<String>,
    /// Set when the fix field names fixing versions (`fixed_in`).
    pub fix: String,
}

/// Counts over the outbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    /// Alerts not yet routed to sinks.
    pub unrouted: i64,
    /// Deliveries by sink and state.
    pub deliveries: Vec<(String, String, i64)>,
    pub alerts: i64,
}

impl Tx<'_> {
    /// Writes an alert; false when one with its key exists.
    pub fn insert_alert(&mut self, a: &NewAlert<'_>, now: OffsetDateTime) -> Result<bool> {
        let n = self.c().execute(
            "INSERT INTO alerts (alert_key, kind, environment, service, version, team,
                                 severity_rank, body, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (alert_key) DO NOTHING",
            params![
                a.key,
                a.kind,
                a.environment,
                a.service,
                a.version,
                a.team,
                a.severity_rank,
                a.body,
                format(now).as_str()
            ],
        )?;
        Ok(n > 0)
    }

    /// Open, exposed findings of the given releases where they run; with `environment`,
    /// only there.
    pub fn exposed_findings(
        &mut self,
        release_ids: &[i64],
        environment_id: Option<i64>,
    ) -> Result<Vec<ExposedFinding>> {
        let mut out = Vec::new();
        if release_ids.is_empty() {
            return Ok(out);
        }
        let env_clause = if environment_id.is_some() {
            " AND r.environment_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT f.release_id, f.package_version_id, e.name, s.name, rel.version, s.owner,
                    f.advisory_id, a.summary, f.severity_rank, pv.purl, f.fixed, f.fix
             FROM findings f
             JOIN running r ON r.release_id = f.release_id
             JOIN environments e ON e.id = r.environment_id
             JOIN services s ON s.id = r.service_id
             JOIN releases rel ON rel.id = f.release_id
             JOIN advisories a ON a.id = f.advisory_id
             JOIN package_versions pv ON pv.id = f.package_version_id
             WHERE f.release_id = ANY(?) AND f.resolved_at IS NULL
               AND f.first_exposed IS NOT NULL{env_clause}
             ORDER BY e.name, s.name, f.severity_rank DESC, f.advisory_id"
        );
        let mut p = vec![Param::Ints(release_ids)];
        if let Some(env) = environment_id {
            p.push(env.into());
        }
        self.c().query_each(&sql, &p, &mut |mut r| {
            out.push(ExposedFinding {
                release_id: r.int(0),
                package_version_id: r.int(1),
                environment: r.text(2),
                service: r.text(3),
                version: r.text(4),
                team: r.opt_text(5),
                advisory_id: r.text(6),
                summary: r.opt_text(7),
                severity_rank: r.int(8),
                purl: r.text(9),
                fixed: r.opt_text(10),
                fix: r.text(11),
            });
            Ok(())
        })?;
        // SQLite answers a list parameter element by element: order here.
        out.sort_by(|a, b| {
            (&a.environment, &a.service, b.severity_rank, &a.advisory_id).cmp(&(
                &b.environment,
                &b.service,
                a.severity_rank,
                &b.advisory_id,
            ))
        });
        Ok(out)
    }

    /// Up to `limit` alerts not yet routed, oldest first. On PostgreSQL the rows are
    /// locked, and rows another transaction holds are skipped.
    pub fn unrouted_alerts(&mut self, limit: i64) -> Result<Vec<StoredAlert>> {
        let lock = self.skip_locked();
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE routed = 0 ORDER BY id LIMIT ?{lock}"
        );
        Ok(self
            .c()
            .query(&sql, params![limit])?
            .into_iter()
            .map(alert)
            .collect())
    }

    /// Adds a pending delivery of `alert_id` to each of `sinks`, due now, and marks the
    /// alert routed.
    pub fn route_alert(
        &mut self,
        alert_id: i64,
        sinks: &[&str],
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = format(now);
        for sink in sinks {
            self.c().execute(
                "INSERT INTO alert_deliveries (alert_id, sink, state, next_attempt_at, created_at)
                 VALUES (?, ?, 'pending', ?, ?)
                 ON CONFLICT (alert_id, sink) DO NOTHING",
                params![alert_id, *sink, now.as_str(), now.as_str()],
            )?;
        }
        self.c().execute(
            "UPDATE alerts SET routed = 1 WHERE id = ?",
            params![alert_id],
        )?;
        Ok(())
    }

    /// Claims up to `limit` pending deliveries due by `now`: each gets one more attempt
    /// counted and its next attempt moved to `lease_until`, so no other claimer takes it
    /// meanwhile and a claimer that dies leaves it to be retried then.
    pub fn claim_deliveries(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<(Delivery, StoredAlert)>> {
        let lock = self.skip_locked();
        let sql = format!(
            "UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_at = ?
             WHERE id IN (SELECT id FROM alert_deliveries
                          WHERE state = 'pending' AND next_attempt_at <= ?
                          ORDER BY next_attempt_at, id LIMIT ?{lock})
             RETURNING {DELIVERY_COLUMNS}"
        );
        let claimed: Vec<Delivery> = self
            .c()
            .query(
                &sql,
                params![format(lease_until).as_str(), format(now).as_str(), limit],
            )?
            .into_iter()
            .map(delivery)
            .collect();
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = claimed.iter().map(|d| d.alert_id).collect();
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ANY(?)");
        let alerts: std::collections::HashMap<i64, StoredAlert> = self
            .c()
            .query(&sql, &[Param::Ints(&ids)])?
            .into_iter()
            .map(|r| {
                let a = alert(r);
                (a.id, a)
            })
            .collect();
        let mut out: Vec<(Delivery, StoredAlert)> = claimed
            .into_iter()
            .filter_map(|d| alerts.get(&d.alert_id).cloned().map(|a| (d, a)))
            .collect();
        out.sort_by_key(|(d, _)| d.id);
        Ok(out)
    }

    /// Records a delivery that succeeded.
    pub fn delivery_succeeded(&mut self, id: i64, status: u16, now: OffsetDateTime) -> Result<()> {
        self.c().execute(
            "UPDATE alert_deliveries SET state = 'delivered', last_status = ?, last_error = NULL,
                 delivered_at = ? WHERE id = ? AND state = 'pending'",
            params![i64::from(status), format(now).as_str(), id],
        )?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or, with `None`, given up.
    pub fn delivery_failed(
        &mut self,
        id: i64,
        status: Option<u16>,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<()> {
        let status = status.map(i64::from);
        match retry_at {
            Some(at) => self.c().execute(
                "UPDATE alert_deliveries SET last_status = ?, last_error = ?, next_attempt_at = ?
                 WHERE id = ? AND state = 'pending'",
                params![status, error, format(at).as_str(), id],
            )?,
            None => self.c().execute(
                "UPDATE alert_deliveries SET state = 'failed', last_status = ?, last_error = ?
                 WHERE id = ? AND state = 'pending'",
                params![status, error, id],
            )?,
        };
        Ok(())
    }

    /// Alerts, newest first, with ids below `before` when given.
    pub fn alerts(&mut self, before: Option<i64>, limit: i64) -> Result<Vec<StoredAlert>> {
        let sql =
            format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id < ? ORDER BY id DESC LIMIT ?");
        Ok(self
            .c()
            .query(&sql, params![before.unwrap_or(i64::MAX), limit])?
            .into_iter()
            .map(alert)
            .collect())
    }

    /// The deliveries of the given alerts.
    pub fn deliveries_of(&mut self, alert_ids: &[i64]) -> Result<Vec<Delivery>> {
        if alert_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE alert_id = ANY(?) ORDER BY id"
        );
        Ok(self
            .c()
            .query(&sql, &[Param::Ints(alert_ids)])?
            .into_iter()
            .map(delivery)
            .collect())
    }

    pub fn outbox_counts(&mut self) -> Result<OutboxCounts> {
        let unrouted = self
            .c()
            .query_int("SELECT COUNT(*) FROM alerts WHERE routed = 0", &[])?;
        let alerts = self.c().query_int("SELECT COUNT(*) FROM alerts", &[])?;
        let deliveries = self
            .c()
            .query(
                "SELECT sink, state, COUNT(*) FROM alert_deliveries GROUP BY sink, state
                 ORDER BY sink, state",
                &[],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.text(1), r.int(2)))
            .collect();
        Ok(OutboxCounts {
            unrouted,
            deliveries,
            alerts,
        })
    }

    fn skip_locked(&self) -> &'static str {
        match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }
}
