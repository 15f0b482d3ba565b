//! The little SQL both backends speak: parameters, result rows, and the connection trait
//! each backend implements. Every query of the store is written once, with `?`
//! placeholders, against this trait; the backends differ only in how they bind, batch
//! and stream.
//!
//! Conventions the query text keeps so that one text runs on both:
//! - `?` placeholders, numbered in order of appearance (PostgreSQL gets `$1`, `$2`, ...).
//! - `= ANY(?)` with a list parameter: PostgreSQL binds an array; SQLite runs the
//!   statement once per element and concatenates the results.
//! - Integers are 64-bit (`BIGINT` in PostgreSQL), reals `DOUBLE PRECISION`, text `TEXT`,
//!   bytes `BLOB`/`BYTEA`; booleans are integers 0 and 1.
//! - Upserts use `ON CONFLICT (...) DO ...` and new ids `RETURNING id`, which both accept.

use crate::error::Result;

/// A parameter bound to a statement.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
    /// For `= ANY(?)`.
    Texts(&'a [String]),
    /// For `= ANY(?)`.
    Ints(&'a [i64]),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<f64> for Param<'_> {
    fn from(v: f64) -> Self {
        Param::Real(v)
    }
}

impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Int(i64::from(v))
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(v: &'a [u8]) -> Self {
        Param::Blob(v)
    }
}

impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null, Into::into)
    }
}

/// Builds a parameter list: `params![a, b, c]`.
macro_rules! params {
    ($($p:expr),* $(,)?) => { &[$($crate::sql::Param::from($p)),*][..] };
}
pub(crate) use params;

/// A value read from a result row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// One result row. The getters panic only on a mismatch between a query and its own
/// column list, which is a bug in this crate, never a property of the data.
#[derive(Debug)]
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> &Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }

    pub(crate) fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or_default()
    }

    pub(crate) fn opt_int(&self, i: usize) -> Option<i64> {
        match self.at(i) {
            Value::Int(v) => Some(*v),
            Value::Real(v) => Some(*v as i64),
            _ => None,
        }
    }

    pub(crate) fn opt_real(&self, i: usize) -> Option<f64> {
        match self.at(i) {
            Value::Real(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }

    pub(crate) fn text(&mut self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }

    /// Takes the text out of the row.
    pub(crate) fn opt_text(&mut self, i: usize) -> Option<String> {
        match self.0.get_mut(i).map(|v| std::mem::replace(v, Value::Null)) {
            Some(Value::Text(s)) => Some(s),
            Some(Value::Blob(b)) => String::from_utf8(b).ok(),
            Some(Value::Int(v)) => Some(v.to_string()),
            _ => None,
        }
    }

    /// Takes the bytes out of the row.
    pub(crate) fn blob(&mut self, i: usize) -> Vec<u8> {
        match self.0.get_mut(i).map(|v| std::mem::replace(v, Value::Null)) {
            Some(Value::Blob(b)) => b,
            Some(Value::Text(s)) => s.into_bytes(),
            _ => Vec::new(),
        }
    }
}

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// An open transaction. Dropping it without [`Conn::commit`] rolls it back.
pub(crate) trait Conn {
    fn backend(&self) -> Backend;

    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64>;

    /// Runs a query and hands each row to `f` as it arrives.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()>;

    /// `INSERT INTO {into} VALUES (...), ... {tail}` for `rows.len() / width` rows given
    /// flat, batched as the backend likes. `into` is `table (col, ...)`.
    fn insert_many(
        &mut self,
        into: &str,
        width: usize,
        rows: &[Param<'_>],
        tail: &str,
    ) -> Result<u64>;

    /// Like [`Conn::insert_many`] with a `RETURNING` clause in `tail`: each returned row
    /// goes to `f`.
    fn insert_many_returning(
        &mut self,
        into: &str,
        width: usize,
        rows: &[Param<'_>],
        tail: &str,
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()>;

    /// Runs several `;`-separated statements without parameters (migrations).
    fn execute_batch(&mut self, sql: &str) -> Result<()>;

    /// Takes a lock held until the transaction ends, so that writers holding the same
    /// `key` run one at a time even across processes sharing one PostgreSQL. SQLite's
    /// write transactions are already serialized, so it has nothing to do there.
    fn lock(&mut self, key: Lock) -> Result<()>;

    /// Tells other processes on the same store, once the transaction commits, that
    /// `channel` changed (PostgreSQL's NOTIFY). Nothing to do on SQLite.
    fn notify(&mut self, channel: &str, payload: &str) -> Result<()>;

    fn commit(self: Box<Self>) -> Result<()>;
}

impl dyn Conn + '_ {
    pub(crate) fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        self.query_each(sql, params, &mut |r| {
            rows.push(r);
            Ok(())
        })?;
        Ok(rows)
    }

    pub(crate) fn query_opt(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    pub(crate) fn query_int(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64> {
        Ok(self.query_opt(sql, params)?.map_or(0, |r| r.int(0)))
    }
}

/// What a [`Conn::lock`] serializes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Schema migrations.
    Migrate = 0x5649_4731,
    /// Writers that match releases against advisories: one that adds a release and one
    /// that adds an advisory must not both miss the other's rows.
    Matching = 0x5649_4732,
    /// Deployment appends: two deployments of one service to one environment must not
    /// both read what ran before either committed.
    Deployments = 0x5649_4733,
    /// Ledger appends: leaf indexes are dense, so one writer at a time reads the tree's
    /// size and appends after it.
    Ledger = 0x5649_4734,
    /// Signal reports: two reports of one scope must not both insert an issue or close
    /// against what the other has not committed.
    Signals = 0x5649_4735,
}

/// A database that hands out transactions.
pub(crate) trait Database: Send {
    fn backend(&self) -> Backend;
    /// Starts a transaction. `write` transactions take the write lock up front where the
    /// backend has one (SQLite's `BEGIN IMMEDIATE`), so two writers never deadlock on an
    /// upgrade.
    fn begin(&mut self, write: bool) -> Result<Box<dyn Conn + '_>>;
}

/// Refuses text holding a NUL character: PostgreSQL cannot store it, so neither backend
/// takes it, and the caller hears which value is wrong rather than a database error.
pub(crate) fn reject_nul(params: &[Param<'_>]) -> Result<()> {
    let bad = params.iter().find_map(|p| match p {
        Param::Text(t) if t.contains('\0') => Some(*t),
        Param::Texts(ts) => ts.iter().find(|t| t.contains('\0')).map(String::as_str),
        _ => None,
    });
    match bad {
        Some(t) => Err(crate::error::StoreError::Input(format!(
            "{:?} holds a NUL character, which cannot be stored",
            t.chars().take(80).collect::<String>()
        ))),
        None => Ok(()),
    }
}

/// `sql` with each `?` outside string literals replaced by `$1`, `$2`, ...
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut in_string = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                in_string = !in_string;
                out.push(c);
            }
            '?' if !in_string => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ANY(?)"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = ANY($2)"
        );
    }
}
