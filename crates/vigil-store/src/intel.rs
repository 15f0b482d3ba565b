//! Exploit intelligence: CISA's Known Exploited Vulnerabilities and FIRST's EPSS scores,
//! by CVE id. Each import replaces the whole feed, in one transaction.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Param, params};
use crate::time::format;

/// One KEV entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KevEntry {
    pub cve_id: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date_added: String,
    pub due_date: Option<String>,
    /// `Known` or `Unknown`, as CISA writes it.
    pub ransomware: Option<String>,
    pub required_action: Option<String>,
}

/// The last import of a feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntelImport {
    /// `kev` or `epss`.
    pub feed: String,
    /// The feed's own version: KEV's catalog version, EPSS's score date.
    pub version: Option<String>,
    pub records: i64,
    pub source: Option<String>,
    pub imported_at: String,
}

impl Tx<'_> {
    /// Replaces the KEV catalog.
    pub fn replace_kev(
        &mut self,
        entries: &[KevEntry],
        version: Option<&str>,
        source: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.c().execute("DELETE FROM kev", &[])?;
        let mut rows = Vec::with_capacity(entries.len() * 8);
        for e in entries {
            rows.extend_from_slice(params![
                e.cve_id.as_str(),
                e.vendor.as_str(),
                e.product.as_str(),
                e.name.as_str(),
                e.date_added.as_str(),
                e.due_date.as_deref(),
                e.ransomware.as_deref(),
                e.required_action.as_deref()
            ]);
        }
        self.c().insert_many(
            "kev (cve_id, vendor, product, name, date_added, due_date, ransomware, required_action)",
            8,
            &rows,
            // The catalog has listed a CVE twice before; the first entry stands.
            "ON CONFLICT (cve_id) DO NOTHING",
        )?;
        self.record_import("kev", version, entries.len(), source, now)
    }

    /// Replaces the EPSS scores: (CVE id, score, percentile).
    pub fn replace_epss(
        &mut self,
        scores: &[(String, f64, f64)],
        version: Option<&str>,
        source: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.c().execute("DELETE FROM epss", &[])?;
        let mut rows = Vec::with_capacity(scores.len() * 3);
        for (cve, score, percentile) in scores {
            rows.extend_from_slice(params![cve.as_str(), *score, *percentile]);
        }
        self.c().insert_many(
            "epss (cve_id, score, percentile)",
            3,
            &rows,
            "ON CONFLICT (cve_id) DO NOTHING",
        )?;
        self.record_import("epss", version, scores.len(), source, now)
    }

    fn record_import(
        &mut self,
        feed: &str,
        version: Option<&str>,
        records: usize,
        source: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.c().execute(
            "INSERT INTO intel_imports (feed, version, records, source, imported_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (feed) DO UPDATE SET version = excluded.version,
                 records = excluded.records, source = excluded.source,
                 imported_at = excluded.imported_at",
            params![feed, version, records as i64, source, format(now).as_str()],
        )?;
        Ok(())
    }

    /// The last import of each feed.
    pub fn intel_imports(&mut self) -> Result<Vec<IntelImport>> {
        Ok(self
            .c()
            .query(
                "SELECT feed, version, records, source, imported_at FROM intel_imports ORDER BY feed",
                &[],
            )?
            .into_iter()
            .map(|mut r| IntelImport {
                feed: r.text(0),
                version: r.opt_text(1),
                records: r.int(2),
                source: r.opt_text(3),
                imported_at: r.text(4),
            })
            .collect())
    }

    /// KEV entries for any of `cves`.
    /// The ids of the advisories that are, or alias, a CVE in the KEV catalog, sorted.
    pub fn kev_advisory_ids(&mut self) -> Result<Vec<String>> {
        let mut ids: Vec<String> = self
            .c()
            .query(
                "SELECT a.id FROM advisories a JOIN kev k ON k.cve_id = a.id
                 UNION
                 SELECT aa.advisory_id FROM advisory_aliases aa JOIN kev k ON k.cve_id = aa.alias",
                &[],
            )?
            .into_iter()
            .map(|mut r| r.text(0))
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    pub fn kev_for(&mut self, cves: &[String]) -> Result<Vec<KevEntry>> {
        Ok(self
            .c()
            .query(
                "SELECT cve_id, vendor, product, name, date_added, due_date, ransomware,
                     required_action
                 FROM kev WHERE cve_id = ANY(?)",
                &[Param::Texts(cves)],
            )?
            .into_iter()
            .map(|mut r| KevEntry {
                cve_id: r.text(0),
                vendor: r.text(1),
                product: r.text(2),
                name: r.text(3),
                date_added: r.text(4),
                due_date: r.opt_text(5),
                ransomware: r.opt_text(6),
                required_action: r.opt_text(7),
            })
            .collect())
    }

    /// EPSS (CVE id, score, percentile) for any of `cves`.
    pub fn epss_for(&mut self, cves: &[String]) -> Result<Vec<(String, f64, f64)>> {
        Ok(self
            .c()
            .query(
                "SELECT cve_id, score, percentile FROM epss WHERE cve_id = ANY(?)",
                &[Param::Texts(cves)],
            )?
            .into_iter()
            .map(|mut r| {
                (
                    r.text(0),
                    r.opt_real(1).unwrap_or_default(),
                    r.opt_real(2).unwrap_or_default(),
                )
            })
            .collect())
    }
}
