//! osv.dev's query API answered from the store, so that OSV clients (osv-scanner,
//! pip-audit, ...) can use Vigil as a private mirror: the request and response types of
//! `POST /v1/query`, `POST /v1/querybatch` and `GET /v1/vulns/{id}`, and the engine
//! methods that answer them. The HTTP layer only moves bytes and maps [`OsvApiError`]
//! to a status and [`ErrorBody`].
//!
//! Semantics follow osv.dev's API server (`gcp/api/server.py`):
//! - **package and version** (or a purl with a version): the records with an
//!   `affected[]` entry for the package whose ranges or `versions` include the version,
//!   evaluated by the ecosystem's version rules as Vigil's matcher does. A range that
//!   cannot be evaluated for the version does not count (Vigil's findings would say
//!   "unknown"; osv.dev returns no match). A name with a version but no ecosystem is
//!   looked up in every ecosystem, as osv.dev allows.
//! - **package without version** (name and ecosystem, or a purl without version and no
//!   `version` field): every record naming the package.
//! - **ecosystems** are spelled as OSV spells them. A query without a release
//!   (`Debian`) meets records of every release; `Ubuntu:22.04` also meets
//!   `Ubuntu:22.04:LTS` and `Ubuntu:Pro:22.04:LTS`, as osv.dev strips those variants;
//!   a record without a release meets every release, as Vigil's matcher has it.
//! - **withdrawn** records are left out of query answers and still served by
//!   [`Engine::osv_vuln`], as osv.dev documents.
//! - **`/v1/vulns/{id}`** answers by id only, never by alias.
//! - **purls** whose type has no OSV ecosystem answer with no records and no error, as
//!   osv.dev does.
//! - **commit queries** and the `GIT` ecosystem are invalid: Vigil keeps no index of
//!   git commits or repository tags.
//! - **paging**: answers are ordered by id and cut into pages; `next_page_token` is
//!   sent back with the same query for the next page. See [`OsvLimits`].
//!
//! The lookup reads only the records naming the queried packages, through the store's
//! package index, and compiles each version of a record once per process.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use vigil_match::{Index, Source, Unmatchable};
use vigil_osv::eval::{QueryVersion, Verdict};
use vigil_osv::{CompiledAffected, PackageKey};
use vigil_purl::Purl;
use vigil_store::{StoreError, Tx};
use vigil_version::Ecosystem;
use vigil_version::ecosystem::Family;

use crate::engine::Engine;
use crate::matching::pkg_key;

/// gRPC's `INVALID_ARGUMENT`, the code osv.dev answers a bad request with (HTTP 400).
pub const INVALID_ARGUMENT: i32 = 3;
/// gRPC's `NOT_FOUND`, osv.dev's code for an unknown id at `/v1/vulns/{id}` (HTTP 404).
pub const NOT_FOUND: i32 = 5;
/// gRPC's `INTERNAL` (HTTP 500).
pub const INTERNAL: i32 = 13;

// ---------------------------------------------------------------------------------------
// Requests

/// The body of `POST /v1/query`, and one query of a batch.
///
/// Empty strings count as absent, as in osv.dev's protobuf messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Query {
    /// A git commit hash. Not supported: Vigil keeps no index of commits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The version; not with a purl that carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// The `next_page_token` of the previous page of this query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

/// A package: `name` and `ecosystem`, or `purl` alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Package {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// As OSV spells it: `PyPI`, `npm`, `crates.io`, `Debian:12`, `Ubuntu:22.04:LTS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// The body of `POST /v1/querybatch`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchQuery {
    pub queries: Vec<Query>,
}

impl Query {
    /// Reads a request body; a body that is not a query is an invalid argument.
    pub fn from_json(body: &[u8]) -> Result<Query, OsvApiError> {
        from_object(body, "an OSV query")
    }
}

impl BatchQuery {
    /// Reads a request body; a body that is not a batch is an invalid argument.
    pub fn from_json(body: &[u8]) -> Result<BatchQuery, OsvApiError> {
        from_object(body, "an OSV batch query ({\"queries\": [...]})")
    }
}

/// Reads a JSON object as `T`. serde would also take a struct from an array of its field
/// values, which no OSV client sends.
fn from_object<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, OsvApiError> {
    let invalid = |e: &dyn std::fmt::Display| {
        OsvApiError::InvalidArgument(format!("the request body is not {what}: {e}"))
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| invalid(&e))?;
    if !value.is_object() {
        return Err(invalid(&"it is not a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| invalid(&e))
}

// ---------------------------------------------------------------------------------------
// Responses

/// The answer to `POST /v1/query`: full records, as stored. Serializes to `{}` when
/// nothing matches, as osv.dev answers.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct QueryResponse {
    /// Each record's JSON exactly as stored, ordered by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulns: Vec<Box<RawValue>>,
    /// Present when more records match: send the query again with this `page_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The answer to `POST /v1/querybatch`: one result per query, in the order asked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

/// One query's answer in a batch: ids and modification times only (clients fetch the
/// records from `/v1/vulns/{id}`). Serializes to `{}` when nothing matches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulns: Vec<VulnRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// A record named in a batch answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnRef {
    pub id: String,
    /// The record's `modified`, RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits as
    /// osv.dev (protobuf's JSON) writes it.
    pub modified: String,
}

// ---------------------------------------------------------------------------------------
// Errors

/// Why a request was not answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OsvApiError {
    /// The request is at fault; the message says what to change. osv.dev code 3
    /// (`INVALID_ARGUMENT`), HTTP 400.
    #[error("{0}")]
    InvalidArgument(String),
    /// The store failed. Code 13 (`INTERNAL`), HTTP 500.
    #[error(transparent)]
    Store(StoreError),
    /// A stored record no longer reads as OSV. Code 13 (`INTERNAL`), HTTP 500.
    #[error("stored advisory {id} cannot be read: {reason}")]
    StoredRecord { id: String, reason: String },
}

impl From<StoreError> for OsvApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // A value the store refuses (text with a NUL) is the caller's to fix.
            StoreError::Input(message) => OsvApiError::InvalidArgument(message),
            e => OsvApiError::Store(e),
        }
    }
}

impl OsvApiError {
    /// The gRPC status code osv.dev would answer with.
    pub fn code(&self) -> i32 {
        match self {
            OsvApiError::InvalidArgument(_) => INVALID_ARGUMENT,
            OsvApiError::Store(_) | OsvApiError::StoredRecord { .. } => INTERNAL,
        }
    }

    /// The HTTP status for [`OsvApiError::code`].
    pub fn http_status(&self) -> u16 {
        match self {
            OsvApiError::InvalidArgument(_) => 400,
            OsvApiError::Store(_) | OsvApiError::StoredRecord { .. } => 500,
        }
    }

    /// The JSON body to answer with. Internal errors say nothing of their cause to the
    /// client: log the error itself.
    pub fn body(&self) -> ErrorBody {
        let message = match self {
            OsvApiError::InvalidArgument(m) => m.clone(),
            OsvApiError::Store(_) | OsvApiError::StoredRecord { .. } => {
                "internal error; the server log has the details".to_owned()
            }
        };
        ErrorBody {
            code: self.code(),
            message,
        }
    }
}

/// osv.dev's error body: `{"code": 3, "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: i32,
    pub message: String,
}

impl ErrorBody {
    /// The answer (with HTTP 404) when [`Engine::osv_vuln`] finds no record `id`.
    pub fn vuln_not_found(id: &str) -> ErrorBody {
        ErrorBody {
            code: NOT_FOUND,
            message: format!(
                "no advisory has the id {id:?}; this endpoint looks up ids, not aliases"
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Limits

/// Bounds on what one request may ask and one answer may hold. The defaults are
/// osv.dev's where it has one.
#[derive(Clone, Debug)]
pub struct OsvLimits {
    /// Most queries in a batch (osv.dev: 1000).
    pub max_queries: usize,
    /// Longest `commit`, `version`, `name`, `ecosystem`, `purl`, `page_token` or id, in
    /// bytes.
    pub max_field_len: usize,
    /// Most records on a page of `/v1/query` (osv.dev: 1000).
    pub page_size: usize,
    /// Most bytes of record JSON on a page of `/v1/query`; a page holds at least one
    /// record whatever its size.
    pub page_bytes: usize,
    /// Most ids on a page of one query of a batch (osv.dev: 1000) ...
    pub batch_page_size: usize,
    /// ... while the queries before it in the batch have answered at most this many ids
    /// in all (osv.dev: 3000) ...
    pub batch_total: usize,
    /// ... and once they have answered more (osv.dev: 5), so a batch answers a bounded
    /// number of ids.
    pub batch_page_size_over_total: usize,
}

impl Default for OsvLimits {
    fn default() -> Self {
        OsvLimits {
            max_queries: 1000,
            max_field_len: 2048,
            page_size: 1000,
            page_bytes: 16 << 20,
            batch_page_size: 1000,
            batch_total: 3000,
            batch_page_size_over_total: 5,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The engine's answers

impl Engine {
    /// Answers `POST /v1/query`.
    pub fn osv_query(
        &mut self,
        query: &Query,
        limits: &OsvLimits,
    ) -> Result<QueryResponse, OsvApiError> {
        let asked = resolve(query, limits).map_err(OsvApiError::InvalidArgument)?;
        let Engine {
            store,
            cache,
            limits: engine_limits,
            ..
        } = self;
        let mut tx = store.read()?;
        let ids = matching_ids(
            cache,
            engine_limits.advisory_cache,
            &mut tx,
            std::slice::from_ref(&asked.plan),
        )?
        .pop()
        .unwrap_or_default();
        let (on_page, more) = page(&ids, asked.after.as_deref(), limits.page_size.max(1));
        let mut json: HashMap<String, Vec<u8>> =
            tx.advisories_by_id(on_page)?.into_iter().collect();
        let mut response = QueryResponse::default();
        let mut bytes = 0;
        for (n, id) in on_page.iter().enumerate() {
            let record = json.remove(id).ok_or_else(|| OsvApiError::StoredRecord {
                id: id.clone(),
                reason: "it vanished during the query".to_owned(),
            })?;
            if n > 0 && bytes + record.len() > limits.page_bytes {
                response.next_page_token = Some(token(&on_page[n - 1]));
                return Ok(response);
            }
            bytes += record.len();
            response.vulns.push(raw(id, record)?);
        }
        if more {
            response.next_page_token = on_page.last().map(|id| token(id));
        }
        Ok(response)
    }

    /// Answers `POST /v1/querybatch`. One invalid query fails the batch, as at osv.dev;
    /// the message names it (`queries[3]: ...`).
    pub fn osv_querybatch(
        &mut self,
        batch: &BatchQuery,
        limits: &OsvLimits,
    ) -> Result<BatchResponse, OsvApiError> {
        if batch.queries.len() > limits.max_queries {
            return Err(OsvApiError::InvalidArgument(format!(
                "the batch has {} queries; the limit is {}: send them in several batches",
                batch.queries.len(),
                limits.max_queries
            )));
        }
        let asked: Vec<Asked> = batch
            .queries
            .iter()
            .enumerate()
            .map(|(i, q)| {
                resolve(q, limits)
                    .map_err(|e| OsvApiError::InvalidArgument(format!("queries[{i}]: {e}")))
            })
            .collect::<Result<_, _>>()?;
        let Engine {
            store,
            cache,
            limits: engine_limits,
            ..
        } = self;
        let mut tx = store.read()?;
        let plans: Vec<Plan> = asked.iter().map(|a| a.plan.clone()).collect();
        let all = matching_ids(cache, engine_limits.advisory_cache, &mut tx, &plans)?;
        let mut total = 0;
        let mut results = Vec::with_capacity(all.len());
        for (a, ids) in asked.iter().zip(&all) {
            let size = if total > limits.batch_total {
                limits.batch_page_size_over_total
            } else {
                limits.batch_page_size
            };
            let (on_page, more) = page(ids, a.after.as_deref(), size.max(1));
            total += on_page.len();
            let vulns = on_page
                .iter()
                .map(|id| {
                    let modified = compiled(cache, id)
                        .map(|adv| rfc3339(adv.osv.modified.get()))
                        .ok_or_else(|| OsvApiError::StoredRecord {
                            id: id.clone(),
                            reason: "it is not in the compiled index".to_owned(),
                        })?;
                    Ok(VulnRef {
                        id: id.clone(),
                        modified,
                    })
                })
                .collect::<Result<_, OsvApiError>>()?;
            results.push(BatchResult {
                vulns,
                next_page_token: if more {
                    on_page.last().map(|id| token(id))
                } else {
                    None
                },
            });
        }
        Ok(BatchResponse { results })
    }

    /// Answers `GET /v1/vulns/{id}`: the record's JSON as stored, withdrawn or not, or
    /// `None` (answer 404 with [`ErrorBody::vuln_not_found`]). Looks up ids only, not
    /// aliases, as osv.dev does. An empty id, or one longer than the default
    /// [`OsvLimits::max_field_len`], is an invalid argument.
    pub fn osv_vuln(&mut self, id: &str) -> Result<Option<Vec<u8>>, OsvApiError> {
        let max = OsvLimits::default().max_field_len;
        if id.is_empty() || id.len() > max {
            return Err(OsvApiError::InvalidArgument(format!(
                "the id is empty or longer than {max} bytes"
            )));
        }
        Ok(self.store.read()?.advisory_json(id)?)
    }
}

// ---------------------------------------------------------------------------------------
// What a query asks

/// What one query asks for, checked.
struct Asked {
    plan: Plan,
    /// From the page token: answer ids after this one.
    after: Option<String>,
}

#[derive(Clone, Debug)]
enum Plan {
    /// Records whose entries for one of these packages include the version: one
    /// package, or the name in every ecosystem when the query names none.
    Version(Vec<(PackageKey, QueryVersion)>),
    /// Every record naming the package.
    Package(PackageKey),
    /// A purl of a type no OSV ecosystem has: nothing, and no error.
    Nothing,
}

/// `Some` for a present, non-empty field.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|s| !s.is_empty())
}

/// Checks a query and says what it asks, or why it is invalid.
fn resolve(q: &Query, limits: &OsvLimits) -> Result<Asked, String> {
    let package = q.package.clone().unwrap_or_default();
    for (field, value) in [
        ("commit", &q.commit),
        ("version", &q.version),
        ("page_token", &q.page_token),
        ("package.name", &package.name),
        ("package.ecosystem", &package.ecosystem),
        ("package.purl", &package.purl),
    ] {
        if let Some(v) = given(value)
            && v.len() > limits.max_field_len
        {
            return Err(format!(
                "{field} is {} bytes long; the limit is {}",
                v.len(),
                limits.max_field_len
            ));
        }
    }
    let after = match given(&q.page_token) {
        Some(t) => Some(untoken(t).ok_or_else(|| {
            format!(
                "page_token {t:?} is not one this server gave: send next_page_token back unchanged, with the same query"
            )
        })?),
        None => None,
    };
    if given(&q.commit).is_some() {
        return Err(
            "commit queries are not supported: Vigil keeps no index of git commits; query by package and version, or by purl"
                .to_owned(),
        );
    }
    let version = given(&q.version);
    let plan = match given(&package.purl) {
        Some(purl) => purl_plan(purl, &package, version)?,
        None => name_plan(&package, version)?,
    };
    Ok(Asked { plan, after })
}

fn purl_plan(text: &str, package: &Package, version: Option<&str>) -> Result<Plan, String> {
    let purl: Purl = text
        .parse()
        .map_err(|e| format!("package.purl {text:?} is not a package URL: {e}"))?;
    if given(&package.name).is_some() {
        return Err(
            "package.name is given with package.purl; the purl names the package: give one or the other"
                .to_owned(),
        );
    }
    if given(&package.ecosystem).is_some() {
        return Err(
            "package.ecosystem is given with package.purl; the purl names the ecosystem: give one or the other"
                .to_owned(),
        );
    }
    if let (Some(in_purl), Some(field)) = (purl.version(), version) {
        return Err(format!(
            "the version is given twice, in package.purl ({in_purl:?}) and in version ({field:?}): give it once"
        ));
    }
    let asked_version = purl.version().or(version).map(str::to_owned);
    // Without a version the identity's version is not used; "0" only satisfies it.
    let identity = vigil_match::identity(
        &purl,
        Source::default(),
        Some(asked_version.as_deref().unwrap_or("0")),
    );
    let identity = match identity {
        Ok(identity) => identity,
        Err(Unmatchable::UnknownType(_)) => return Ok(Plan::Nothing),
        Err(e) => return Err(format!("package.purl {text:?}: {e}")),
    };
    Ok(match asked_version {
        Some(_) => {
            let q = QueryVersion::new(identity.key.ecosystem(), &identity.version);
            Plan::Version(vec![(identity.key, q)])
        }
        None => Plan::Package(identity.key),
    })
}

fn name_plan(package: &Package, version: Option<&str>) -> Result<Plan, String> {
    let ecosystem = match given(&package.ecosystem) {
        Some("GIT") => {
            return Err(
                "the GIT ecosystem is not supported: Vigil keeps no index of repositories and their tags; query by package and version, or by purl"
                    .to_owned(),
            );
        }
        Some(text) => Some(text.parse::<Ecosystem>().map_err(|_| {
            format!(
                "unknown ecosystem {text:?}: spell it as OSV does, such as PyPI, npm, Maven, Go, crates.io, Debian:12 or Alpine:v3.19"
            )
        })?),
        None => None,
    };
    let Some(name) = given(&package.name).filter(|n| !n.trim().is_empty()) else {
        return Err(
            "the query names no package: give package.name and package.ecosystem, or package.purl"
                .to_owned(),
        );
    };
    Ok(match (ecosystem, version) {
        (Some(e), Some(v)) => {
            let q = QueryVersion::new(&e, v);
            Plan::Version(vec![(PackageKey::new(e, name), q)])
        }
        // osv.dev looks a name with a version but no ecosystem up in every ecosystem.
        (None, Some(v)) => Plan::Version(
            Family::all()
                .map(|f| {
                    let e = Ecosystem::new(f);
                    let q = QueryVersion::new(&e, v);
                    (PackageKey::new(e, name), q)
                })
                .collect(),
        ),
        (Some(e), None) => Plan::Package(PackageKey::new(e, name)),
        (None, None) => {
            return Err(format!(
                "package.ecosystem is needed to list every advisory of {name:?} without a version: give it, or give a version"
            ));
        }
    })
}

// ---------------------------------------------------------------------------------------
// Answering

/// The ids each plan matches, sorted. Reads the records naming the plans' packages,
/// compiling into `cache` those it does not hold in their stored version.
fn matching_ids(
    cache: &mut Index,
    cache_limit: usize,
    tx: &mut Tx<'_>,
    plans: &[Plan],
) -> Result<Vec<Vec<String>>, OsvApiError> {
    let pkgs: Vec<String> = plans
        .iter()
        .flat_map(|p| -> Vec<&PackageKey> {
            match p {
                Plan::Version(keys) => keys.iter().map(|(k, _)| k).collect(),
                Plan::Package(k) => vec![k],
                Plan::Nothing => Vec::new(),
            }
        })
        .map(pkg_key)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stored = refresh(cache, cache_limit, tx, &pkgs)?;
    // The stored records by the packages they name now. The cache may hold older
    // versions of other records that named these packages once (another process stored
    // newer ones); only the ids the store gives count.
    let mut by_pkg: HashMap<String, Vec<&str>> = HashMap::new();
    for id in &stored {
        if let Some(adv) = compiled(cache, id) {
            let named: BTreeSet<String> = adv
                .compiled
                .affected
                .iter()
                .filter_map(|e| e.package.as_ref())
                .map(pkg_key)
                .collect();
            for pkg in named {
                by_pkg.entry(pkg).or_default().push(id.as_str());
            }
        }
    }
    let candidates = |key: &PackageKey| -> Vec<&vigil_match::Advisory> {
        by_pkg
            .get(&pkg_key(key))
            .into_iter()
            .flatten()
            .filter_map(|id| compiled(cache, id))
            .filter(|adv| !adv.compiled.withdrawn)
            .collect()
    };
    Ok(plans
        .iter()
        .map(|plan| {
            let mut ids = BTreeSet::new();
            match plan {
                Plan::Version(keys) => {
                    for (key, version) in keys {
                        for adv in candidates(key) {
                            let affected = adv.compiled.affected.iter().any(|e| {
                                names(e, key)
                                    && matches!(e.check(version), Some(Verdict::Affected(_)))
                            });
                            if affected {
                                ids.insert(adv.id().to_owned());
                            }
                        }
                    }
                }
                Plan::Package(key) => {
                    for adv in candidates(key) {
                        if adv.compiled.affected.iter().any(|e| names(e, key)) {
                            ids.insert(adv.id().to_owned());
                        }
                    }
                }
                Plan::Nothing => {}
            }
            ids.into_iter().collect()
        })
        .collect())
}

/// Brings `cache` up to the stored version of every record naming one of `pkgs`, and
/// returns their ids.
fn refresh(
    cache: &mut Index,
    cache_limit: usize,
    tx: &mut Tx<'_>,
    pkgs: &[String],
) -> Result<Vec<String>, OsvApiError> {
    if pkgs.is_empty() {
        return Ok(Vec::new());
    }
    let versions = tx.advisory_versions_for(pkgs)?;
    let held = |cache: &Index, id: &str, modified: &str| {
        compiled(cache, id)
            .is_some_and(|a| vigil_store::time::format_micros(a.osv.modified.get()) == modified)
    };
    let mut stale: Vec<String> = versions
        .iter()
        .filter(|(id, modified)| !held(cache, id, modified))
        .map(|(id, _)| id.clone())
        .collect();
    if cache.len() + stale.len() > cache_limit {
        // Starting again drops records this answer needs too: compile all of them.
        *cache = Index::new();
        stale = versions.iter().map(|(id, _)| id.clone()).collect();
    }
    for chunk in stale.chunks(500) {
        for (id, json) in tx.advisories_by_id(chunk)? {
            let osv = vigil_osv::from_json(&json).map_err(|e| OsvApiError::StoredRecord {
                id: id.clone(),
                reason: e.to_string(),
            })?;
            cache.insert(osv);
        }
    }
    Ok(versions.into_iter().map(|(id, _)| id).collect())
}

/// The compiled record `id` (not one that has `id` as an alias).
fn compiled<'a>(cache: &'a Index, id: &str) -> Option<&'a vigil_match::Advisory> {
    cache.get(id).into_iter().find(|a| a.id() == id)
}

/// Whether `entry` is about the package `key` asks for (see the module documentation
/// for how releases meet).
fn names(entry: &CompiledAffected, key: &PackageKey) -> bool {
    let Some(p) = &entry.package else {
        return false;
    };
    let (asked, record) = (key.ecosystem(), p.ecosystem());
    asked.family == record.family
        && p.name() == key.name()
        && match (&asked.release, &record.release) {
            (Some(a), Some(r)) => {
                a == r || (asked.family == Family::Ubuntu && *a == without_ubuntu_variants(r))
            }
            _ => true,
        }
}

/// An Ubuntu release without its `Pro` and `LTS` parts (`Pro:18.04:LTS` → `18.04`).
fn without_ubuntu_variants(release: &str) -> String {
    release
        .split(':')
        .filter(|part| !matches!(*part, "Pro" | "LTS"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The ids of `ids` (sorted) after `after`, at most `size`, and whether more follow.
fn page<'a>(ids: &'a [String], after: Option<&str>, size: usize) -> (&'a [String], bool) {
    let start = after.map_or(0, |a| ids.partition_point(|id| id.as_str() <= a));
    let rest = &ids[start..];
    if rest.len() > size {
        (&rest[..size], true)
    } else {
        (rest, false)
    }
}

/// The page token after `id`: opaque to clients.
fn token(id: &str) -> String {
    hex::encode(id)
}

fn untoken(token: &str) -> Option<String> {
    String::from_utf8(hex::decode(token).ok()?).ok()
}

fn raw(id: &str, json: Vec<u8>) -> Result<Box<RawValue>, OsvApiError> {
    let text = String::from_utf8(json).map_err(|e| OsvApiError::StoredRecord {
        id: id.to_owned(),
        reason: e.to_string(),
    })?;
    RawValue::from_string(text).map_err(|e| OsvApiError::StoredRecord {
        id: id.to_owned(),
        reason: e.to_string(),
    })
}

/// `t` in UTC as protobuf's JSON writes a timestamp: whole seconds, or 3, 6 or 9
/// fractional digits.
fn rfc3339(t: OffsetDateTime) -> String {
    let whole = vigil_store::time::format(t);
    let seconds = whole.trim_end_matches('Z');
    let nanos = t.nanosecond();
    if nanos == 0 {
        whole
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{seconds}.{:03}Z", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{seconds}.{:06}Z", nanos / 1_000)
    } else {
        format!("{seconds}.{nanos:09}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_written_as_protobuf_does() {
        assert_eq!(
            rfc3339(datetime!(2024-05-06 12:34:56 UTC)),
            "2024-05-06T12:34:56Z"
        );
        assert_eq!(
            rfc3339(datetime!(2024-05-06 12:34:56.5 UTC)),
            "2024-05-06T12:34:56.500Z"
        );
        assert_eq!(
            rfc3339(datetime!(2024-05-06 12:34:56.123456 UTC)),
            "2024-05-06T12:34:56.123456Z"
        );
        assert_eq!(
            rfc3339(datetime!(2024-05-06 14:34:56.000000001 +02:00)),
            "2024-05-06T12:34:56.000000001Z"
        );
    }

    #[test]
    fn pages_follow_the_last_id() {
        let ids: Vec<String> = ["A", "B", "C", "D", "E"].map(str::to_owned).to_vec();
        assert_eq!(page(&ids, None, 2), (&ids[..2], true));
        assert_eq!(page(&ids, Some("B"), 2), (&ids[2..4], true));
        assert_eq!(page(&ids, Some("D"), 2), (&ids[4..], false));
        assert_eq!(page(&ids, Some("E"), 2), (&ids[5..], false));
        // A token for an id that vanished since still continues after it.
        assert_eq!(page(&ids, Some("BB"), 2), (&ids[2..4], true));
        assert_eq!(untoken(&token("GHSA-1")).as_deref(), Some("GHSA-1"));
        assert_eq!(untoken("zz"), None);
    }

    #[test]
    fn ubuntu_variants_meet_their_release() {
        assert_eq!(without_ubuntu_variants("Pro:18.04:LTS"), "18.04");
        assert_eq!(without_ubuntu_variants("22.04:LTS"), "22.04");
        assert_eq!(without_ubuntu_variants("24.10"), "24.10");
    }

    /// A query reads only the records naming its package: a fresh engine compiles just
    /// those.
    #[test]
    fn a_query_compiles_only_the_records_naming_its_package() {
        let record = |id: &str, name: &str| {
            let json = format!(
                r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z",
                "affected": [{{"package": {{"ecosystem": "npm", "name": "{name}"}},
                "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}]}}]}}]}}"#
            );
            crate::AdvisoryInput {
                osv: vigil_osv::from_json(json.as_bytes()).expect("test record is valid"),
                json: json.into_bytes(),
                source: None,
            }
        };
        for t in vigil_store::testing::stores("osv_api_compiles_only") {
            let mut writer = Engine::new(t.reopen());
            writer
                .import_advisories(vec![
                    record("GHSA-1", "left-pad"),
                    record("GHSA-2", "left-pad"),
                    record("GHSA-3", "lodash"),
                ])
                .expect("importing");
            let mut engine = Engine::new(t.reopen());
            let q = Query {
                version: Some("1.0.0".into()),
                package: Some(Package {
                    name: Some("left-pad".into()),
                    ecosystem: Some("npm".into()),
                    purl: None,
                }),
                ..Query::default()
            };
            let answer = engine
                .osv_query(&q, &OsvLimits::default())
                .expect("answering");
            assert_eq!(answer.vulns.len(), 2, "{}", t.name());
            assert_eq!(engine.cache.len(), 2, "{}", t.name());
        }
    }
}
