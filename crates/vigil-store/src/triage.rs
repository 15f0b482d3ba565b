//! Triage: decisions about findings (from people and from VEX documents), the VEX
//! documents as received, the decision in effect on each finding, and the teams that own
//! services. Which decision applies to which finding is the engine's to work out; the
//! store keeps the decisions and writes the outcome, closing and reopening findings as a
//! decision rules them out or stops doing so.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::{Result, StoreError};
use crate::findings::FindingKey;
use crate::ledger::FINDING_RETURNING;
use crate::sql::{Param, Row, params};
use crate::time::format;

/// A decision to record.
#[derive(Clone, Debug)]
pub struct NewDecision<'a> {
    /// The advisory id or alias the decision is about, as stated.
    pub vulnerability: &'a str,
    /// `finding`, `release`, `service`, `package` or `advisory`.
    pub scope: &'a str,
    pub release_id: Option<i64>,
    pub service_id: Option<i64>,
    /// A package URL, canonical; without a version it names every version.
    pub purl: Option<&'a str>,
    /// `under_investigation`, `affected`, `not_affected`, `fixed` or `risk_accepted`.
    pub status: &'a str,
    pub justification: Option<&'a str>,
    pub impact: Option<&'a str>,
    pub action: Option<&'a str>,
    pub expires_at: Option<OffsetDateTime>,
    pub reason: Option<&'a str>,
    pub actor: &'a str,
    /// `cli`, `api` or `vex:<sha256>`.
    pub source: &'a str,
}

/// A stored decision, with the names of what it is scoped to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub id: i64,
    pub vulnerability: String,
    pub scope: String,
    pub service: Option<String>,
    pub service_id: Option<i64>,
    pub release_id: Option<i64>,
    /// The release's version, for a release or finding scope.
    pub release: Option<String>,
    pub purl: Option<String>,
    pub status: String,
    pub justification: Option<String>,
    pub impact: Option<String>,
    pub action: Option<String>,
    pub expires_at: Option<String>,
    pub reason: Option<String>,
    pub actor: String,
    pub source: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub lapsed_at: Option<String>,
}

const DECISION_COLUMNS: &str = "d.id, d.vulnerability, d.scope, s.name, \
     COALESCE(d.service_id, r.service_id), d.release_id, r.version, d.purl, d.status, \
     d.justification, d.impact, d.action, d.expires_at, d.reason, d.actor, d.source, \
     d.created_at, d.revoked_at, d.revoked_by, d.lapsed_at";

const DECISION_FROM: &str = "triage_decisions d
     LEFT JOIN releases r ON r.id = d.release_id
     LEFT JOIN services s ON s.id = COALESCE(d.service_id, r.service_id)";

fn decision(mut r: Row) -> Decision {
    Decision {
        id: r.int(0),
        vulnerability: r.text(1),
        scope: r.text(2),
        service: r.opt_text(3),
        service_id: r.opt_int(4),
        release_id: r.opt_int(5),
        release: r.opt_text(6),
        purl: r.opt_text(7),
        status: r.text(8),
        justification: r.opt_text(9),
        impact: r.opt_text(10),
        action: r.opt_text(11),
        expires_at: r.opt_text(12),
        reason: r.opt_text(13),
        actor: r.text(14),
        source: r.text(15),
        created_at: r.text(16),
        revoked_at: r.opt_text(17),
        revoked_by: r.opt_text(18),
        lapsed_at: r.opt_text(19),
    }
}

/// Which decisions to list.
#[derive(Clone, Debug, Default)]
pub struct DecisionFilter {
    /// Only decisions stated about one of these advisory ids or aliases.
    pub vulnerabilities: Option<Vec<String>>,
    /// Only decisions that apply now: not revoked, not lapsed, not expired at this instant.
    pub active_at: Option<OffsetDateTime>,
    /// Only decisions recorded at or before this instant (and not revoked by then).
    pub as_of: Option<OffsetDateTime>,
    /// Only decisions scoped to this service or one of its releases.
    pub service_id: Option<i64>,
}

/// A finding, with what the engine needs to choose the decision in effect on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriageTarget {
    pub key: FindingKey,
    pub service_id: i64,
    pub purl: String,
    pub triage: Option<String>,
    pub decision_id: Option<i64>,
    pub resolution: Option<String>,
}

/// A VEX document as received.
#[derive(Clone, Debug)]
pub struct NewVexDocument<'a> {
    pub sha256: &'a str,
    pub format: &'a str,
    pub content: &'a [u8],
    pub statements: i64,
    pub actor: Option<&'a str>,
}

/// A team that owns services, and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Team {
    pub name: String,
    pub title: Option<String>,
    /// A JSON object: email, slack, pager, url, ...
    pub contacts: serde_json::Value,
    pub source: String,
    pub updated_at: String,
    /// The services it owns, sorted.
    pub services: Vec<String>,
}

/// The statuses that rule a finding out, closing it.
pub const CLOSING_STATUSES: [&str; 2] = ["not_affected", "fixed"];

impl Tx<'_> {
    /// Records a decision; returns its id. The decision is a ledger leaf.
    pub fn add_decision(&mut self, d: &NewDecision<'_>, now: OffsetDateTime) -> Result<i64> {
        let now_text = format(now);
        let expires = d.expires_at.map(format);
        let id = self.c().query_int(
            "INSERT INTO triage_decisions (vulnerability, scope, release_id, service_id, purl,
                 status, justification, impact, action, expires_at, reason, actor, source,
                 created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            params![
                d.vulnerability,
                d.scope,
                d.release_id,
                d.service_id,
                d.purl,
                d.status,
                d.justification,
                d.impact,
                d.action,
                expires.as_deref(),
                d.reason,
                d.actor,
                d.source,
                now_text.as_str()
            ],
        )?;
        let stored = self
            .decision(id)?
            .ok_or_else(|| StoreError::Input(format!("decision {id} vanished")))?;
        self.ledger_event(
            "triage",
            format!("triage/{id}"),
            &now_text,
            serde_json::json!({
                "id": id,
                "vulnerability": stored.vulnerability,
                "scope": stored.scope,
                "service": stored.service,
                "release": stored.release,
                "purl": stored.purl,
                "status": stored.status,
                "justification": stored.justification,
                "impact": stored.impact,
                "action": stored.action,
                "expires_at": stored.expires_at,
                "reason": stored.reason,
                "actor": stored.actor,
                "source": stored.source,
            }),
        );
        Ok(id)
    }

    /// One decision by id.
    pub fn decision(&mut self, id: i64) -> Result<Option<Decision>> {
        let sql = format!("SELECT {DECISION_COLUMNS} FROM {DECISION_FROM} WHERE d.id = ?");
        Ok(self.c().query_opt(&sql, params![id])?.map(decision))
    }

    /// Decisions, oldest first.
    pub fn decisions(&mut self, filter: &DecisionFilter) -> Result<Vec<Decision>> {
        let mut conditions = vec!["1 = 1".to_owned()];
        let mut p: Vec<Param<'_>> = Vec::new();
        let active = filter.active_at.map(format);
        let as_of = filter.as_of.map(format);
        if let Some(names) = &filter.vulnerabilities {
            conditions.push("d.vulnerability = ANY(?)".into());
            p.push(Param::Texts(names));
        }
        if let Some(at) = &active {
            conditions.push(
                "d.revoked_at IS NULL AND d.lapsed_at IS NULL
                 AND (d.expires_at IS NULL OR d.expires_at > ?)"
                    .into(),
            );
            p.push(Param::Text(at));
        }
        if let Some(at) = &as_of {
            conditions.push(
                "d.created_at <= ? AND (d.revoked_at IS NULL OR d.revoked_at > ?)
                 AND (d.expires_at IS NULL OR d.expires_at > ?)"
                    .into(),
            );
            p.extend([Param::Text(at), Param::Text(at), Param::Text(at)]);
        }
        if let Some(service) = filter.service_id {
            conditions.push("COALESCE(d.service_id, r.service_id) = ?".into());
            p.push(Param::Int(service));
        }
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM {DECISION_FROM} WHERE {}",
            conditions.join(" AND ")
        );
        // Sorted here: SQLite runs a list filter once per element.
        let mut out: Vec<Decision> = self
            .c()
            .query(&sql, &p)?
            .into_iter()
            .map(decision)
            .collect();
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// Whether any decision applies at `now`: when none does, nothing needs choosing.
    pub fn any_active_decision(&mut self, now: OffsetDateTime) -> Result<bool> {
        Ok(self
            .c()
            .query_opt(
                "SELECT 1 FROM triage_decisions WHERE revoked_at IS NULL AND lapsed_at IS NULL
                 AND (expires_at IS NULL OR expires_at > ?) LIMIT 1",
                params![format(now).as_str()],
            )?
            .is_some())
    }

    /// Revokes a decision: it stops applying. Returns it, or `None` if no decision has
    /// this id. Revoking twice is refused.
    pub fn revoke_decision(
        &mut self,
        id: i64,
        actor: &str,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Option<Decision>> {
        let Some(d) = self.decision(id)? else {
            return Ok(None);
        };
        if d.revoked_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "decision {id} was already revoked at {}",
                d.revoked_at.unwrap_or_default()
            )));
        }
        let now_text = format(now);
        self.c().execute(
            "UPDATE triage_decisions SET revoked_at = ?, revoked_by = ? WHERE id = ?",
            params![now_text.as_str(), actor, id],
        )?;
        self.ledger_event(
            "triage.revoked",
            format!("triage/{id}"),
            &now_text,
            serde_json::json!({ "id": id, "actor": actor, "reason": reason }),
        );
        self.decision(id)
    }

    /// Whether a risk acceptance expired at or before `now` and is not yet marked lapsed.
    pub fn lapse_due(&mut self, now: OffsetDateTime) -> Result<bool> {
        Ok(self
            .c()
            .query_opt(
                "SELECT 1 FROM triage_decisions WHERE lapsed_at IS NULL AND revoked_at IS NULL
                 AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 1",
                params![format(now).as_str()],
            )?
            .is_some())
    }

    /// Marks every risk acceptance that expired at or before `now` as lapsed, each with a
    /// ledger leaf; returns them.
    pub fn lapse_decisions(&mut self, now: OffsetDateTime) -> Result<Vec<Decision>> {
        let now_text = format(now);
        let ids: Vec<i64> = self
            .c()
            .query(
                "UPDATE triage_decisions SET lapsed_at = ?
                 WHERE lapsed_at IS NULL AND revoked_at IS NULL AND expires_at IS NOT NULL
                   AND expires_at <= ?
                 RETURNING id",
                params![now_text.as_str(), now_text.as_str()],
            )?
            .into_iter()
            .map(|r| r.int(0))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(d) = self.decision(id)? {
                self.ledger_event(
                    "triage.lapsed",
                    format!("triage/{id}"),
                    &now_text,
                    serde_json::json!({ "id": id, "expired_at": d.expires_at }),
                );
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Findings of these advisories, or those whose decision in effect is one of
    /// `decision_ids`, with what choosing a decision needs.
    pub fn triage_targets(
        &mut self,
        advisory_ids: &[String],
        decision_ids: &[i64],
    ) -> Result<Vec<TriageTarget>> {
        let mut out = Vec::new();
        if advisory_ids.is_empty() && decision_ids.is_empty() {
            return Ok(out);
        }
        // One list per statement: SQLite runs a statement once per element.
        let mut seen = std::collections::HashSet::new();
        for (column, list) in [
            ("f.advisory_id", Param::Texts(advisory_ids)),
            ("f.decision_id", Param::Ints(decision_ids)),
        ] {
            let sql = format!(
                "SELECT f.release_id, f.package_version_id, f.advisory_id, r.service_id, pv.purl,
                     f.triage, f.decision_id, f.resolution
                 FROM findings f
                 JOIN releases r ON r.id = f.release_id
                 JOIN package_versions pv ON pv.id = f.package_version_id
                 WHERE {column} = ANY(?)"
            );
            self.c().query_each(&sql, &[list], &mut |mut r| {
                let key = FindingKey {
                    release_id: r.int(0),
                    package_version_id: r.int(1),
                    advisory_id: r.text(2),
                };
                if seen.insert(key.clone()) {
                    out.push(TriageTarget {
                        key,
                        service_id: r.int(3),
                        purl: r.text(4),
                        triage: r.opt_text(5),
                        decision_id: r.opt_int(6),
                        resolution: r.opt_text(7),
                    });
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// Puts decision `decision` (with its `status`), or none, in effect on a finding. A
    /// status that rules the finding out closes it with that resolution (unless the
    /// advisory was withdrawn or stopped matching); one that no longer does reopens it,
    /// exposed from `now` if its release runs somewhere, else closed as undeployed if it
    /// had been exposed. The change is a ledger leaf.
    pub fn set_triage(
        &mut self,
        key: &FindingKey,
        decision: Option<(i64, &str)>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let now = format(now);
        let (id, status) = match decision {
            Some((id, status)) => (Some(id), Some(status)),
            None => (None, None),
        };
        let closing = status.is_some_and(|s| CLOSING_STATUSES.contains(&s));
        let sql = format!(
            "UPDATE findings SET triage = ?, decision_id = ?, updated_at = ?,
                 resolved_at = CASE
                     WHEN ? THEN CASE WHEN resolution IN ('withdrawn', 'unmatched')
                         THEN resolved_at ELSE COALESCE(resolved_at, ?) END
                     WHEN resolution IN ('not_affected', 'fixed') THEN
                         CASE WHEN first_exposed IS NOT NULL AND NOT EXISTS
                             (SELECT 1 FROM running ru WHERE ru.release_id = findings.release_id)
                         THEN ? ELSE NULL END
                     ELSE resolved_at END,
                 resolution = CASE
                     WHEN ? THEN CASE WHEN resolution IN ('withdrawn', 'unmatched')
                         THEN resolution ELSE ? END
                     WHEN resolution IN ('not_affected', 'fixed') THEN
                         CASE WHEN first_exposed IS NOT NULL AND NOT EXISTS
                             (SELECT 1 FROM running ru WHERE ru.release_id = findings.release_id)
                         THEN 'undeployed' ELSE NULL END
                     ELSE resolution END,
                 first_exposed = CASE
                     WHEN NOT ? AND resolution IN ('not_affected', 'fixed')
                         AND first_exposed IS NULL AND EXISTS
                             (SELECT 1 FROM running ru WHERE ru.release_id = findings.release_id)
                     THEN ? ELSE first_exposed END
             WHERE release_id = ? AND package_version_id = ? AND advisory_id = ?
             {FINDING_RETURNING}"
        );
        let rows = self.c().query(
            &sql,
            params![
                status,
                id,
                now.as_str(),
                closing,
                now.as_str(),
                now.as_str(),
                closing,
                status,
                closing,
                now.as_str(),
                key.release_id,
                key.package_version_id,
                key.advisory_id.as_str()
            ],
        )?;
        let changed = !rows.is_empty();
        for r in rows {
            self.ledger_finding(r, &now);
        }
        Ok(changed)
    }

    /// Stores a VEX document as received (once per content); the import is a ledger leaf.
    /// Returns whether it was new.
    pub fn put_vex_document(
        &mut self,
        d: &NewVexDocument<'_>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let now = format(now);
        let new = self
            .c()
            .query_opt(
                "INSERT INTO vex_documents (sha256, format, size, content, statements, actor,
                     imported_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
                params![
                    d.sha256,
                    d.format,
                    d.content.len() as i64,
                    d.content,
                    d.statements,
                    d.actor,
                    now.as_str()
                ],
            )?
            .is_some();
        if !new {
            return Ok(false);
        }
        self.ledger_event(
            "vex",
            format!("vex/{}", d.sha256),
            &now,
            serde_json::json!({
                "sha256": d.sha256,
                "format": d.format,
                "size": d.content.len(),
                "statements": d.statements,
                "actor": d.actor,
            }),
        );
        Ok(true)
    }

    /// Creates or replaces a team. The change is a ledger leaf.
    pub fn upsert_team(
        &mut self,
        name: &str,
        title: Option<&str>,
        contacts: &serde_json::Value,
        source: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = format(now);
        let contacts_text = contacts.to_string();
        self.c().execute(
            "INSERT INTO teams (name, title, contacts, source, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET title = excluded.title,
                 contacts = excluded.contacts, source = excluded.source,
                 updated_at = excluded.updated_at",
            params![name, title, contacts_text.as_str(), source, now.as_str()],
        )?;
        self.ledger_event(
            "team",
            format!("team/{name}"),
            &now,
            serde_json::json!({ "name": name, "title": title, "contacts": contacts, "source": source }),
        );
        Ok(())
    }

    /// Every team, by name, with the services it owns (teams named only as an owner
    /// included, with no contacts).
    pub fn teams(&mut self) -> Result<Vec<Team>> {
        let mut teams: std::collections::BTreeMap<String, Team> = self
            .c()
            .query(
                "SELECT name, title, contacts, source, updated_at FROM teams",
                &[],
            )?
            .into_iter()
            .map(|mut r| {
                let name = r.text(0);
                let team = Team {
                    name: name.clone(),
                    title: r.opt_text(1),
                    contacts: serde_json::from_str(&r.text(2)).unwrap_or(serde_json::Value::Null),
                    source: r.text(3),
                    updated_at: r.text(4),
                    services: Vec::new(),
                };
                (name, team)
            })
            .collect();
        for mut r in self.c().query(
            "SELECT owner, name FROM services WHERE owner IS NOT NULL ORDER BY name",
            &[],
        )? {
            let owner = r.text(0);
            let service = r.text(1);
            teams
                .entry(owner.clone())
                .or_insert_with(|| Team {
                    name: owner,
                    title: None,
                    contacts: serde_json::json!({}),
                    source: "owner".into(),
                    updated_at: String::new(),
                    services: Vec::new(),
                })
                .services
                .push(service);
        }
        Ok(teams.into_values().collect())
    }
}
