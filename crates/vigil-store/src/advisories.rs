//! Advisories: the raw OSV JSON as received, with the fields queries need beside it
//! (modified, withdrawn, severity), their aliases and the packages they name; and how
//! far each OSV feed has been synced.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Param, Row, params};
use crate::time::{format, format_micros};

/// An advisory to store.
#[derive(Clone, Debug)]
pub struct AdvisoryRecord<'a> {
    pub id: &'a str,
    pub modified: OffsetDateTime,
    pub published: Option<OffsetDateTime>,
    pub withdrawn: Option<OffsetDateTime>,
    pub summary: Option<&'a str>,
    /// 0 none, 1 low, 2 medium, 3 high, 4 critical.
    pub severity_rank: i64,
    pub severity_score: Option<f64>,
    pub severity_vector: Option<&'a str>,
    pub content_sha256: &'a str,
    pub json: &'a [u8],
    /// Where it came from: a feed URL, a file or archive.
    pub source: Option<&'a str>,
    pub aliases: &'a [String],
    /// Match keys (`family/normalized-name`) of the packages it names.
    pub pkgs: &'a [String],
}

/// A stored advisory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredAdvisory {
    pub id: String,
    pub modified: String,
    pub published: Option<String>,
    pub withdrawn: Option<String>,
    pub summary: Option<String>,
    pub severity_rank: i64,
    pub severity_score: Option<f64>,
    pub severity_vector: Option<String>,
    pub content_sha256: String,
    pub source: Option<String>,
    pub imported_at: String,
    pub aliases: Vec<String>,
}

fn stored(mut r: Row) -> StoredAdvisory {
    StoredAdvisory {
        id: r.text(0),
        modified: r.text(1),
        published: r.opt_text(2),
        withdrawn: r.opt_text(3),
        summary: r.opt_text(4),
        severity_rank: r.int(5),
        severity_score: r.opt_real(6),
        severity_vector: r.opt_text(7),
        content_sha256: r.text(8),
        source: r.opt_text(9),
        imported_at: r.text(10),
        aliases: Vec::new(),
    }
}

impl Tx<'_> {
    /// The stored `modified` of advisory `id`, if it is stored.
    pub fn advisory_modified(&mut self, id: &str) -> Result<Option<String>> {
        Ok(self
            .c()
            .query_opt("SELECT modified FROM advisories WHERE id = ?", params![id])?
            .map(|mut r| r.text(0)))
    }

    /// Inserts or replaces an advisory with its aliases and package keys. The caller
    /// decides whether the record is newer than the stored one.
    pub fn put_advisory(&mut self, a: &AdvisoryRecord<'_>, now: OffsetDateTime) -> Result<()> {
        let (modified, published, withdrawn) = (
            format_micros(a.modified),
            a.published.map(format),
            a.withdrawn.map(format),
        );
        // The version it replaces is kept, for exposure at a past instant.
        self.c().execute(
            "INSERT INTO advisory_revisions (advisory_id, modified, withdrawn, content_sha256,
                 json, imported_at, replaced_at)
             SELECT id, modified, withdrawn, content_sha256, json, imported_at, ?
             FROM advisories WHERE id = ? AND content_sha256 <> ?
             ON CONFLICT DO NOTHING",
            params![format(now).as_str(), a.id, a.content_sha256],
        )?;
        self.c().execute(
            "INSERT INTO advisories (id, modified, published, withdrawn, summary, severity_rank,
                 severity_score, severity_vector, content_sha256, json, source, imported_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET modified = excluded.modified,
                 published = excluded.published, withdrawn = excluded.withdrawn,
                 summary = excluded.summary, severity_rank = excluded.severity_rank,
                 severity_score = excluded.severity_score,
                 severity_vector = excluded.severity_vector,
                 content_sha256 = excluded.content_sha256, json = excluded.json,
                 source = excluded.source, imported_at = excluded.imported_at",
            params![
                a.id,
                modified.as_str(),
                published.as_deref(),
                withdrawn.as_deref(),
                a.summary,
                a.severity_rank,
                a.severity_score,
                a.severity_vector,
                a.content_sha256,
                a.json,
                a.source,
                format(now).as_str()
            ],
        )?;
        self.ledger_event(
            "advisory",
            format!("advisory/{}", a.id),
            &format(now),
            serde_json::json!({
                "id": a.id,
                "modified": modified,
                "withdrawn": withdrawn,
                "content_sha256": a.content_sha256,
                "source": a.source,
            }),
        );
        self.c().execute(
            "DELETE FROM advisory_aliases WHERE advisory_id = ?",
            params![a.id],
        )?;
        self.c().execute(
            "DELETE FROM advisory_packages WHERE advisory_id = ?",
            params![a.id],
        )?;
        let rows: Vec<Param<'_>> = a
            .aliases
            .iter()
            .flat_map(|alias| [Param::Text(alias), Param::Text(a.id)])
            .collect();
        self.c().insert_many(
            "advisory_aliases (alias, advisory_id)",
            2,
            &rows,
            "ON CONFLICT DO NOTHING",
        )?;
        let rows: Vec<Param<'_>> = a
            .pkgs
            .iter()
            .flat_map(|pkg| [Param::Text(pkg), Param::Text(a.id)])
            .collect();
        self.c().insert_many(
            "advisory_packages (pkg, advisory_id)",
            2,
            &rows,
            "ON CONFLICT DO NOTHING",
        )?;
        Ok(())
    }

    /// The ids of the advisories `id_or_alias` names: the advisory itself, and every
    /// advisory that lists it as an alias (a CVE often has a GHSA, a PYSEC and a distro
    /// record). Sorted.
    pub fn resolve_advisory(&mut self, id_or_alias: &str) -> Result<Vec<String>> {
        let mut ids: Vec<String> = self
            .c()
            .query(
                "SELECT id FROM advisories WHERE id = ?
                 UNION SELECT advisory_id FROM advisory_aliases WHERE alias = ?
                 UNION SELECT alias FROM advisory_aliases a
                     WHERE a.advisory_id = ? AND EXISTS (SELECT 1 FROM advisories WHERE id = a.alias)",
                params![id_or_alias, id_or_alias, id_or_alias],
            )?
            .into_iter()
            .map(|mut r| r.text(0))
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// The advisory with this id, with its aliases.
    pub fn advisory(&mut self, id: &str) -> Result<Option<StoredAdvisory>> {
        let Some(mut a) = self
            .c()
            .query_opt(
                "SELECT id, modified, published, withdrawn, summary, severity_rank, severity_score,
                     severity_vector, content_sha256, source, imported_at
                 FROM advisories WHERE id = ?",
                params![id],
            )?
            .map(stored)
        else {
            return Ok(None);
        };
        a.aliases = self.aliases_of(id)?;
        Ok(Some(a))
    }

    fn aliases_of(&mut self, id: &str) -> Result<Vec<String>> {
        Ok(self
            .c()
            .query(
                "SELECT alias FROM advisory_aliases WHERE advisory_id = ? ORDER BY alias",
                params![id],
            )?
            .into_iter()
            .map(|mut r| r.text(0))
            .collect())
    }

    /// The raw OSV JSON of every advisory as Vigil knew it at `at`: the stored version if
    /// imported by then, else the revision that was current then. (id, JSON), by id.
    pub fn advisories_as_of(
        &mut self,
        ids: &[String],
        at: OffsetDateTime,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let at = format(at);
        let mut out: Vec<(String, Vec<u8>)> = self
            .c()
            .query(
                "SELECT id, json FROM advisories WHERE id = ANY(?) AND imported_at <= ?",
                &[Param::Texts(ids), Param::Text(&at)],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.blob(1)))
            .collect();
        out.extend(
            self.c()
                .query(
                    "SELECT v.advisory_id, v.json FROM advisory_revisions v
                     JOIN advisories a ON a.id = v.advisory_id
                     WHERE v.advisory_id = ANY(?) AND a.imported_at > ?
                       AND v.imported_at <= ? AND v.replaced_at > ?",
                    &[
                        Param::Texts(ids),
                        Param::Text(&at),
                        Param::Text(&at),
                        Param::Text(&at),
                    ],
                )?
                .into_iter()
                .map(|mut r| (r.text(0), r.blob(1))),
        );
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The raw OSV JSON of advisory `id`.
    pub fn advisory_json(&mut self, id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .c()
            .query_opt("SELECT json FROM advisories WHERE id = ?", params![id])?
            .map(|mut r| r.blob(0)))
    }

    /// (id, stored `modified`) of every advisory naming one of `pkgs`, each once: what
    /// a cache of compiled advisories checks itself against.
    pub fn advisory_versions_for(&mut self, pkgs: &[String]) -> Result<Vec<(String, String)>> {
        let mut rows: Vec<(String, String)> = self
            .c()
            .query(
                "SELECT ap.advisory_id, a.modified FROM advisory_packages ap
                 JOIN advisories a ON a.id = ap.advisory_id WHERE ap.pkg = ANY(?)",
                &[Param::Texts(pkgs)],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.text(1)))
            .collect();
        rows.sort();
        rows.dedup();
        Ok(rows)
    }

    /// (id, raw OSV JSON) of each of `ids` that is stored.
    pub fn advisories_by_id(&mut self, ids: &[String]) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(self
            .c()
            .query(
                "SELECT id, json FROM advisories WHERE id = ANY(?)",
                &[Param::Texts(ids)],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.blob(1)))
            .collect())
    }

    /// Every advisory id, sorted.
    pub fn advisory_ids(&mut self) -> Result<Vec<String>> {
        Ok(self
            .c()
            .query("SELECT id FROM advisories ORDER BY id", &[])?
            .into_iter()
            .map(|mut r| r.text(0))
            .collect())
    }

    /// Aliases of each of `ids`: (advisory id, alias).
    pub fn aliases_for(&mut self, ids: &[String]) -> Result<Vec<(String, String)>> {
        Ok(self
            .c()
            .query(
                "SELECT advisory_id, alias FROM advisory_aliases WHERE advisory_id = ANY(?)",
                &[Param::Texts(ids)],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.text(1)))
            .collect())
    }

    /// The newest `modified` synced from `base` for `ecosystem`.
    pub fn feed_cursor(&mut self, base: &str, ecosystem: &str) -> Result<Option<String>> {
        Ok(self
            .c()
            .query_opt(
                "SELECT cursor FROM feed_cursors WHERE base = ? AND ecosystem = ?",
                params![base, ecosystem],
            )?
            .map(|mut r| r.text(0)))
    }

    pub fn set_feed_cursor(
        &mut self,
        base: &str,
        ecosystem: &str,
        cursor: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.c().execute(
            "INSERT INTO feed_cursors (base, ecosystem, cursor, synced_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (base, ecosystem) DO UPDATE SET cursor = excluded.cursor,
                 synced_at = excluded.synced_at",
            params![
                base,
                ecosystem,
                format_micros(cursor).as_str(),
                format(now).as_str()
            ],
        )?;
        Ok(())
    }

    /// Every feed cursor: (base, ecosystem, cursor, synced at).
    pub fn feed_cursors(&mut self) -> Result<Vec<(String, String, String, String)>> {
        Ok(self
            .c()
            .query(
                "SELECT base, ecosystem, cursor, synced_at FROM feed_cursors ORDER BY base, ecosystem",
                &[],
            )?
            .into_iter()
            .map(|mut r| (r.text(0), r.text(1), r.text(2), r.text(3)))
            .collect())
    }
}
