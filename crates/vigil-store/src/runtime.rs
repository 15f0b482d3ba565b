//! Signals from the running system: issues found by DAST, scanner reports, drift and file
//! integrity checks (each tied to an environment, a service where known, and a release);
//! runtime alerts; the mappings that tie runtime names to environments and services; and
//! file integrity baselines. Every change of state is a ledger leaf.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::{Result, StoreError};
use crate::sql::{Param, Row, params};
use crate::time::format;

/// An issue as a report or a check states it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewSignal {
    /// Its identity among the issues of one kind, environment and service.
    pub fingerprint: String,
    /// The check, rule or advisory id.
    pub rule: String,
    pub title: String,
    pub severity_rank: i64,
    /// CWE numbers, comma separated.
    pub cwe: Option<String>,
    /// A URL, `file:line`, a path or a package URL.
    pub location: Option<String>,
    pub evidence: Option<String>,
    pub fix: Option<String>,
}

/// Which issues a report replaces: those of its kind in the environment, for one
/// service or (`None`) for every service.
#[derive(Clone, Copy, Debug)]
pub struct SignalScope<'a> {
    pub kind: &'a str,
    pub environment_id: i64,
    pub service_id: Option<i64>,
    /// What the report covers: the tool, the site scanned, the host and root checked;
    /// empty for an inventory.
    pub source: &'a str,
}

/// A stored issue, with the names of what it concerns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Signal {
    pub id: i64,
    pub kind: String,
    pub environment: String,
    /// `None` when no service is known (an image no release produced).
    pub service: Option<String>,
    pub owner: Option<String>,
    pub release_id: Option<i64>,
    pub release: Option<String>,
    pub fingerprint: String,
    pub rule: String,
    pub title: String,
    pub severity_rank: i64,
    pub cwe: Option<String>,
    pub location: Option<String>,
    pub evidence: Option<String>,
    pub fix: Option<String>,
    pub tool: String,
    pub first_seen: String,
    pub last_seen: String,
    pub resolved_at: Option<String>,
    /// `gone` (a newer report no longer has it), or the triage status that closed it.
    pub resolution: Option<String>,
    pub triage: Option<String>,
    pub justification: Option<String>,
    pub impact: Option<String>,
    pub action: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// What recording a report did, by signal id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SignalSync {
    /// New issues.
    pub opened: Vec<i64>,
    /// Issues gone earlier and back now; their triage is kept.
    pub reopened: Vec<i64>,
    /// Issues still there; their triage is kept.
    pub kept: Vec<i64>,
    /// Issues the report no longer has.
    pub closed: Vec<i64>,
}

/// A triage decision on one signal.
#[derive(Clone, Debug)]
pub struct SignalDecision<'a> {
    pub status: &'a str,
    pub justification: Option<&'a str>,
    pub impact: Option<&'a str>,
    pub action: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub expires_at: Option<OffsetDateTime>,
    pub actor: &'a str,
}

/// Which signals to list.
#[derive(Clone, Debug, Default)]
pub struct SignalFilter {
    pub environment: Option<String>,
    pub service: Option<String>,
    pub kind: Option<String>,
    pub include_resolved: bool,
}

const SIGNAL_COLUMNS: &str = "s.id, s.kind, e.name, sv.name, sv.owner, s.release_id, r.version,
    s.fingerprint, s.rule, s.title, s.severity_rank, s.cwe, s.location, s.evidence, s.fix,
    s.tool, s.first_seen, s.last_seen, s.resolved_at, s.resolution, s.triage, s.justification,
    s.impact, s.reason, s.expires_at, s.decided_by, s.decided_at, s.action";

const SIGNAL_FROM: &str = "signals s
    JOIN environments e ON e.id = s.environment_id
    LEFT JOIN services sv ON sv.id = s.service_id
    LEFT JOIN releases r ON r.id = s.release_id";

fn signal(mut r: Row) -> Signal {
    Signal {
        id: r.int(0),
        kind: r.text(1),
        environment: r.text(2),
        service: r.opt_text(3),
        owner: r.opt_text(4),
        release_id: r.opt_int(5),
        release: r.opt_text(6),
        fingerprint: r.text(7),
        rule: r.text(8),
        title: r.text(9),
        severity_rank: r.int(10),
        cwe: r.opt_text(11),
        location: r.opt_text(12),
        evidence: r.opt_text(13),
        fix: r.opt_text(14),
        tool: r.text(15),
        first_seen: r.text(16),
        last_seen: r.text(17),
        resolved_at: r.opt_text(18),
        resolution: r.opt_text(19),
        triage: r.opt_text(20),
        justification: r.opt_text(21),
        impact: r.opt_text(22),
        reason: r.opt_text(23),
        expires_at: r.opt_text(24),
        decided_by: r.opt_text(25),
        decided_at: r.opt_text(26),
        action: r.opt_text(27),
    }
}

/// Triage statuses that close an issue.
const RULING_OUT: [&str; 2] = ["not_affected", "fixed"];

/// A Falco alert to store.
#[derive(Clone, Debug, Default)]
pub struct NewRuntimeAlert<'a> {
    pub uuid: &'a str,
    pub environment_id: Option<i64>,
    pub service_id: Option<i64>,
    pub release_id: Option<i64>,
    /// `digest`, `kubernetes` or `hostname`; `None` when nothing matched.
    pub correlated_by: Option<&'a str>,
    pub rule: &'a str,
    pub priority: &'a str,
    pub severity_rank: i64,
    pub output: &'a str,
    pub event_time: &'a str,
    pub hostname: Option<&'a str>,
    pub source: Option<&'a str>,
    /// JSON list.
    pub tags: Option<&'a str>,
    /// JSON object.
    pub output_fields: &'a str,
    /// JSON list of the KEV-listed advisories open on the same release.
    pub linked: Option<&'a str>,
}

/// A stored runtime alert, with names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuntimeAlert {
    pub uuid: String,
    pub environment: Option<String>,
    pub service: Option<String>,
    pub release: Option<String>,
    pub correlated_by: Option<String>,
    pub rule: String,
    pub priority: String,
    pub severity_rank: i64,
    pub output: String,
    pub event_time: String,
    pub hostname: Option<String>,
    pub source: Option<String>,
    pub tags: Option<String>,
    pub output_fields: String,
    pub linked: Option<String>,
    pub received_at: String,
}

/// A runtime name tied to an environment and optionally a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuntimeMapping {
    /// `hostname`, `namespace` or `label`.
    pub kind: String,
    pub name: String,
    pub environment: String,
    pub service: Option<String>,
    pub updated_at: String,
}

/// A stored file integrity baseline (its manifest read separately).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FimBaseline {
    pub id: i64,
    pub service: String,
    pub version: String,
    pub root: String,
    pub manifest_sha256: String,
    pub files: i64,
    pub bytes: i64,
    pub created_at: String,
}

impl Tx<'_> {
    fn signal_leaf(&mut self, kind: &'static str, id: i64, now: &str, state: &str) -> Result<()> {
        let sql = format!("SELECT {SIGNAL_COLUMNS} FROM {SIGNAL_FROM} WHERE s.id = ?");
        let s = self
            .c()
            .query_opt(&sql, params![id])?
            .map(signal)
            .ok_or_else(|| StoreError::Internal(format!("signal {id} vanished")))?;
        self.ledger_event(
            kind,
            format!("signal/{id}"),
            now,
            serde_json::json!({
                "id": s.id,
                "state": state,
                "kind": s.kind,
                "environment": s.environment,
                "service": s.service,
                "release": s.release,
                "fingerprint": s.fingerprint,
                "rule": s.rule,
                "title": s.title,
                "severity_rank": s.severity_rank,
                "location": s.location,
                "tool": s.tool,
                "resolution": s.resolution,
                "triage": s.triage,
                "justification": s.justification,
                "impact": s.impact,
                "action": s.action,
                "reason": s.reason,
                "expires_at": s.expires_at,
                "decided_by": s.decided_by,
            }),
        );
        Ok(())
    }

    /// Records a report's issues in `scope`: new ones open, those back reopen (keeping
    /// their triage), those there stay, and open ones the report lacks close as `gone`.
    /// Each issue is tied to `service_id` (0: none known) and `release_id`.
    pub fn sync_signals(
        &mut self,
        scope: SignalScope<'_>,
        items: &[(i64, Option<i64>, NewSignal)],
        tool: &str,
        now: OffsetDateTime,
    ) -> Result<SignalSync> {
        let now = format(now);
        self.c().lock(crate::sql::Lock::Signals)?;
        let mut out = SignalSync::default();
        let mut present = std::collections::HashSet::new();
        for (service_id, release_id, item) in items {
            if !present.insert((*service_id, item.fingerprint.clone())) {
                continue;
            }
            let existing = self.c().query_opt(
                "SELECT id, resolved_at, resolution, triage, severity_rank, title, release_id
                 FROM signals
                 WHERE kind = ? AND environment_id = ? AND service_id = ? AND source = ?
                   AND fingerprint = ?",
                params![
                    scope.kind,
                    scope.environment_id,
                    *service_id,
                    scope.source,
                    item.fingerprint.as_str()
                ],
            )?;
            let fields = params![
                *release_id,
                item.rule.as_str(),
                item.title.as_str(),
                item.severity_rank,
                item.cwe.as_deref(),
                item.location.as_deref(),
                item.evidence.as_deref(),
                item.fix.as_deref(),
                tool,
                now.as_str()
            ];
            match existing {
                None => {
                    let mut values = vec![
                        Param::Text(scope.kind),
                        Param::Int(scope.environment_id),
                        Param::Int(*service_id),
                        Param::Text(scope.source),
                        Param::Text(&item.fingerprint),
                    ];
                    values.extend_from_slice(fields);
                    values.push(Param::Text(&now));
                    let id = self.c().query_int(
                        "INSERT INTO signals (kind, environment_id, service_id, source, fingerprint,
                             release_id, rule, title, severity_rank, cwe, location, evidence, fix,
                             tool, last_seen, first_seen)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &values,
                    )?;
                    self.signal_leaf("signal", id, &now, "open")?;
                    out.opened.push(id);
                }
                Some(mut row) => {
                    let id = row.int(0);
                    let resolved = row.opt_text(1).is_some();
                    let resolution = row.opt_text(2);
                    let triage = row.opt_text(3);
                    let (rank, title, release) = (row.int(4), row.text(5), row.opt_int(6));
                    // Ruled out by triage, whether closed by the ruling or gone before it.
                    let ruled_out = [resolution.as_deref(), triage.as_deref()]
                        .into_iter()
                        .flatten()
                        .any(|r| RULING_OUT.contains(&r));
                    let mut values = fields.to_vec();
                    values.push(Param::Int(id));
                    self.c().execute(
                        "UPDATE signals SET release_id = ?, rule = ?, title = ?, severity_rank = ?,
                             cwe = ?, location = ?, evidence = ?, fix = ?, tool = ?, last_seen = ?
                         WHERE id = ?",
                        &values,
                    )?;
                    // A ruling holds for the issue as it was: one that got worse is open
                    // again, without it.
                    let worse = ruled_out && item.severity_rank > rank;
                    if worse {
                        self.c().execute(
                            "UPDATE signals SET resolved_at = NULL, resolution = NULL, triage = NULL,
                                 justification = NULL, impact = NULL, action = NULL, reason = NULL,
                                 expires_at = NULL WHERE id = ?",
                            params![id],
                        )?;
                        self.signal_leaf(
                            "signal",
                            id,
                            &now,
                            "reopened: more severe than when ruled out",
                        )?;
                        out.reopened.push(id);
                    } else if resolved && !ruled_out {
                        self.c().execute(
                            "UPDATE signals SET resolved_at = NULL, resolution = NULL WHERE id = ?",
                            params![id],
                        )?;
                        self.signal_leaf("signal", id, &now, "reopened")?;
                        out.reopened.push(id);
                    } else {
                        if rank != item.severity_rank
                            || title != item.title
                            || release != *release_id
                        {
                            self.signal_leaf("signal", id, &now, "changed")?;
                        }
                        if !resolved {
                            out.kept.push(id);
                        }
                    }
                }
            }
        }
        let open = match scope.service_id {
            Some(service) => self.c().query(
                "SELECT id, service_id, fingerprint FROM signals
                 WHERE kind = ? AND environment_id = ? AND service_id = ? AND source = ?
                   AND resolved_at IS NULL",
                params![scope.kind, scope.environment_id, service, scope.source],
            )?,
            None => self.c().query(
                "SELECT id, service_id, fingerprint FROM signals
                 WHERE kind = ? AND environment_id = ? AND source = ? AND resolved_at IS NULL",
                params![scope.kind, scope.environment_id, scope.source],
            )?,
        };
        for mut row in open {
            let (id, service, fingerprint) = (row.int(0), row.int(1), row.text(2));
            if present.contains(&(service, fingerprint)) {
                continue;
            }
            self.c().execute(
                "UPDATE signals SET resolved_at = ?, resolution = 'gone' WHERE id = ?",
                params![now.as_str(), id],
            )?;
            self.signal_leaf("signal", id, &now, "gone")?;
            out.closed.push(id);
        }
        out.closed.sort_unstable();
        Ok(out)
    }

    /// Signals, highest severity first, then newest.
    pub fn signals(&mut self, filter: &SignalFilter) -> Result<Vec<Signal>> {
        let mut conditions = vec!["1 = 1"];
        let mut values: Vec<Param<'_>> = Vec::new();
        if let Some(env) = &filter.environment {
            conditions.push("e.name = ?");
            values.push(Param::Text(env));
        }
        if let Some(service) = &filter.service {
            conditions.push("sv.name = ?");
            values.push(Param::Text(service));
        }
        if let Some(kind) = &filter.kind {
            conditions.push("s.kind = ?");
            values.push(Param::Text(kind));
        }
        if !filter.include_resolved {
            conditions.push("s.resolved_at IS NULL");
        }
        let sql = format!(
            "SELECT {SIGNAL_COLUMNS} FROM {SIGNAL_FROM} WHERE {}
             ORDER BY s.severity_rank DESC, s.id DESC",
            conditions.join(" AND ")
        );
        Ok(self
            .c()
            .query(&sql, &values)?
            .into_iter()
            .map(signal)
            .collect())
    }

    pub fn signal(&mut self, id: i64) -> Result<Option<Signal>> {
        let sql = format!("SELECT {SIGNAL_COLUMNS} FROM {SIGNAL_FROM} WHERE s.id = ?");
        Ok(self.c().query_opt(&sql, params![id])?.map(signal))
    }

    /// Records a triage decision on a signal: `not_affected` and `fixed` close it, any
    /// other status reopens one they had closed. The decision is a ledger leaf.
    pub fn decide_signal(
        &mut self,
        id: i64,
        d: &SignalDecision<'_>,
        now: OffsetDateTime,
    ) -> Result<Signal> {
        let now = format(now);
        let before = self
            .signal(id)?
            .ok_or_else(|| StoreError::Input(format!("no signal {id}")))?;
        let expires = d.expires_at.map(format);
        self.c().execute(
            "UPDATE signals SET triage = ?, justification = ?, impact = ?, action = ?, reason = ?,
                 expires_at = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            params![
                d.status,
                d.justification,
                d.impact,
                d.action,
                d.reason,
                expires.as_deref(),
                d.actor,
                now.as_str(),
                id
            ],
        )?;
        let was_ruled_out = before
            .resolution
            .as_deref()
            .is_some_and(|r| RULING_OUT.contains(&r));
        if RULING_OUT.contains(&d.status) {
            if before.resolved_at.is_none() || was_ruled_out {
                self.c().execute(
                    "UPDATE signals SET resolved_at = ?, resolution = ? WHERE id = ?",
                    params![now.as_str(), d.status, id],
                )?;
            }
        } else if was_ruled_out {
            self.c().execute(
                "UPDATE signals SET resolved_at = NULL, resolution = NULL WHERE id = ?",
                params![id],
            )?;
        }
        self.signal_leaf("signal.triage", id, &now, d.status)?;
        self.signal(id)?
            .ok_or_else(|| StoreError::Internal(format!("signal {id} vanished")))
    }

    /// Ends risk acceptances on signals whose expiry has passed; returns their ids.
    pub fn lapse_signal_acceptances(&mut self, now: OffsetDateTime) -> Result<Vec<i64>> {
        let now = format(now);
        let ids: Vec<i64> = self
            .c()
            .query(
                "SELECT id FROM signals WHERE triage = 'risk_accepted' AND expires_at <= ?",
                params![now.as_str()],
            )?
            .into_iter()
            .map(|r| r.int(0))
            .collect();
        for id in &ids {
            self.c().execute(
                "UPDATE signals SET triage = NULL, expires_at = NULL WHERE id = ?",
                params![*id],
            )?;
            self.signal_leaf("signal.triage.lapsed", *id, &now, "lapsed")?;
        }
        Ok(ids)
    }

    /// Stores a runtime alert; false when one with its uuid is stored already.
    pub fn insert_runtime_alert(
        &mut self,
        a: &NewRuntimeAlert<'_>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let now = format(now);
        let n = self.c().execute(
            "INSERT INTO runtime_alerts (uuid, environment_id, service_id, release_id,
                 correlated_by, rule, priority, severity_rank, output, event_time, hostname,
                 source, tags, output_fields, linked, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (uuid) DO NOTHING",
            params![
                a.uuid,
                a.environment_id,
                a.service_id,
                a.release_id,
                a.correlated_by,
                a.rule,
                a.priority,
                a.severity_rank,
                a.output,
                a.event_time,
                a.hostname,
                a.source,
                a.tags,
                a.output_fields,
                a.linked,
                now.as_str()
            ],
        )?;
        if n == 0 {
            return Ok(false);
        }
        let stored = self.runtime_alert(a.uuid)?;
        self.ledger_event(
            "runtime.alert",
            format!("runtime/{}", a.uuid),
            &now,
            serde_json::to_value(&stored).unwrap_or(serde_json::Value::Null),
        );
        Ok(true)
    }

    pub fn runtime_alert(&mut self, uuid: &str) -> Result<Option<RuntimeAlert>> {
        let sql = format!("{RUNTIME_SELECT} WHERE a.uuid = ?");
        Ok(self.c().query_opt(&sql, params![uuid])?.map(runtime_alert))
    }

    /// Runtime alerts, newest first, at most `limit`; with `environments`, only those
    /// tied to one of them.
    pub fn runtime_alerts(
        &mut self,
        limit: i64,
        environments: Option<&[String]>,
    ) -> Result<Vec<RuntimeAlert>> {
        let rows = match environments {
            None => {
                let sql = format!("{RUNTIME_SELECT} ORDER BY a.received_at DESC, a.uuid LIMIT ?");
                self.c().query(&sql, params![limit])?
            }
            Some(envs) => {
                let sql = format!(
                    "{RUNTIME_SELECT} WHERE e.name = ANY(?) ORDER BY a.received_at DESC, a.uuid LIMIT ?"
                );
                self.c()
                    .query(&sql, &[Param::Texts(envs), Param::Int(limit)])?
            }
        };
        let mut rows: Vec<RuntimeAlert> = rows.into_iter().map(runtime_alert).collect();
        // SQLite runs a list filter once per element: order and cut again.
        rows.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(a.uuid.cmp(&b.uuid)));
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(rows)
    }

    /// Ties a runtime name to an environment (and a service).
    pub fn set_runtime_mapping(
        &mut self,
        kind: &str,
        name: &str,
        environment: &str,
        service: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = format(now);
        self.c().execute(
            "INSERT INTO runtime_mappings (kind, name, environment, service, updated_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (kind, name) DO UPDATE SET environment = excluded.environment,
                 service = excluded.service, updated_at = excluded.updated_at",
            params![kind, name, environment, service, now.as_str()],
        )?;
        self.ledger_event(
            "runtime.mapping",
            format!("runtime-mapping/{kind}/{name}"),
            &now,
            serde_json::json!({
                "kind": kind, "name": name, "environment": environment, "service": service,
            }),
        );
        Ok(())
    }

    /// Removes the mapping of a runtime name; false when there was none. Ledgered, so
    /// that what alerts were tied by stays explained.
    pub fn delete_runtime_mapping(
        &mut self,
        kind: &str,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let n = self.c().execute(
            "DELETE FROM runtime_mappings WHERE kind = ? AND name = ?",
            params![kind, name],
        )?;
        if n > 0 {
            let now = format(now);
            self.ledger_event(
                "runtime.mapping.removed",
                format!("runtime-mapping/{kind}/{name}"),
                &now,
                serde_json::json!({ "kind": kind, "name": name }),
            );
        }
        Ok(n > 0)
    }

    pub fn runtime_mappings(&mut self) -> Result<Vec<RuntimeMapping>> {
        Ok(self
            .c()
            .query(
                "SELECT kind, name, environment, service, updated_at FROM runtime_mappings
                 ORDER BY kind, name",
                &[],
            )?
            .into_iter()
            .map(|mut r| RuntimeMapping {
                kind: r.text(0),
                name: r.text(1),
                environment: r.text(2),
                service: r.opt_text(3),
                updated_at: r.text(4),
            })
            .collect())
    }

    /// Stores a file integrity baseline of a release; ledgered with its manifest's digest
    /// (`sha`, the SHA-256 of `manifest`, hex).
    #[allow(clippy::too_many_arguments, reason = "one row's columns")]
    pub fn insert_fim_baseline(
        &mut self,
        release_id: i64,
        root: &str,
        manifest: &[u8],
        sha: &str,
        files: i64,
        bytes: i64,
        now: OffsetDateTime,
    ) -> Result<i64> {
        let now = format(now);
        let id = self.c().query_int(
            "INSERT INTO fim_baselines (release_id, root, manifest_sha256, manifest, files, bytes, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            params![release_id, root, sha, manifest, files, bytes, now.as_str()],
        )?;
        let release = self
            .release_by_id(release_id)?
            .ok_or_else(|| StoreError::Input(format!("no release has id {release_id}")))?;
        self.ledger_event(
            "fim.baseline",
            format!("fim/{}@{}", release.service, release.version),
            &now,
            serde_json::json!({
                "id": id,
                "service": release.service,
                "version": release.version,
                "root": root,
                "manifest_sha256": sha,
                "files": files,
                "bytes": bytes,
            }),
        );
        Ok(id)
    }

    /// The latest baseline of a release, with its manifest.
    pub fn fim_baseline(&mut self, release_id: i64) -> Result<Option<(FimBaseline, Vec<u8>)>> {
        let row = self.c().query_opt(
            "SELECT b.id, s.name, r.version, b.root, b.manifest_sha256, b.files, b.bytes,
                 b.created_at, b.manifest
             FROM fim_baselines b JOIN releases r ON r.id = b.release_id
             JOIN services s ON s.id = r.service_id
             WHERE b.release_id = ? ORDER BY b.id DESC LIMIT 1",
            params![release_id],
        )?;
        Ok(row.map(|mut r| {
            let manifest = r.blob(8);
            (
                FimBaseline {
                    id: r.int(0),
                    service: r.text(1),
                    version: r.text(2),
                    root: r.text(3),
                    manifest_sha256: r.text(4),
                    files: r.int(5),
                    bytes: r.int(6),
                    created_at: r.text(7),
                },
                manifest,
            )
        }))
    }
}

const RUNTIME_SELECT: &str = "SELECT a.uuid, e.name, s.name, r.version, a.correlated_by, a.rule,
    a.priority, a.severity_rank, a.output, a.event_time, a.hostname, a.source, a.tags,
    a.output_fields, a.linked, a.received_at
    FROM runtime_alerts a
    LEFT JOIN environments e ON e.id = a.environment_id
    LEFT JOIN services s ON s.id = a.service_id
    LEFT JOIN releases r ON r.id = a.release_id";

fn runtime_alert(mut r: Row) -> RuntimeAlert {
    RuntimeAlert {
        uuid: r.text(0),
        environment: r.opt_text(1),
        service: r.opt_text(2),
        release: r.opt_text(3),
        correlated_by: r.opt_text(4),
        rule: r.text(5),
        priority: r.text(6),
        severity_rank: r.int(7),
        output: r.text(8),
        event_time: r.text(9),
        hostname: r.opt_text(10),
        source: r.opt_text(11),
        tags: r.opt_text(12),
        output_fields: r.text(13),
        linked: r.opt_text(14),
        received_at: r.text(15),
    }
}
