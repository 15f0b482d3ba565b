//! The embedded backend: one SQLite file in the data directory, in WAL mode so that
//! readers never wait for the writer, with `synchronous=FULL` so that a committed write
//! survives a power loss. A 256 MiB page cache and the first GiB of the file mapped into
//! memory keep the release-package and findings indexes of a large portfolio out of
//! the read path.

use std::path::{Path, PathBuf};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, TransactionBehavior};

use crate::error::{Result, StoreError};
use crate::sql::{Backend, Conn, Database, Lock, Param, Row, Value};

/// The database file's name inside the data directory.
pub const FILE_NAME: &str = "vigil.db";

pub(crate) struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Opens (creating if needed) the store in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
        let path: PathBuf = dir.join(FILE_NAME);
        let conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -262144;
             PRAGMA mmap_size = 1073741824;",
        )?;
        Ok(Sqlite { conn })
    }
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.conn.path())
            .finish()
    }
}

impl Database for Sqlite {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn begin(&mut self, write: bool) -> Result<Box<dyn Conn + '_>> {
        let behavior = if write {
            TransactionBehavior::Immediate
        } else {
            TransactionBehavior::Deferred
        };
        let tx = self.conn.transaction_with_behavior(behavior)?;
        Ok(Box::new(SqliteTx { tx }))
    }
}

struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            Param::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(v)),
            Param::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Param::Blob(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Param::Texts(_) | Param::Ints(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "a list parameter outside `= ANY(?)`".into(),
                ));
            }
        })
    }
}

/// SQLite has no arrays: a statement with one `= ANY(?)` list runs once per element.
fn expand<'a>(sql: &str, params: &[Param<'a>]) -> Option<(String, usize, Vec<Param<'a>>)> {
    let at = params
        .iter()
        .position(|p| matches!(p, Param::Texts(_) | Param::Ints(_)))?;
    let elements: Vec<Param<'a>> = match params[at] {
        Param::Texts(v) => v.iter().map(|s| Param::Text(s)).collect(),
        Param::Ints(v) => v.iter().map(|&i| Param::Int(i)).collect(),
        _ => Vec::new(),
    };
    Some((sql.replace("= ANY(?)", "= ?"), at, elements))
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl SqliteTx<'_> {
    fn run_query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        crate::sql::reject_nul(params)?;
        let mut stmt = self.tx.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(value(row.get_ref(i)?));
            }
            f(Row(values))?;
        }
        Ok(())
    }
}

impl Conn for SqliteTx<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        crate::sql::reject_nul(params)?;
        if let Some((sql, at, elements)) = expand(sql, params) {
            let mut bound = params.to_vec();
            let mut n = 0;
            let mut stmt = self.tx.prepare_cached(&sql)?;
            for e in elements {
                bound[at] = e;
                n += stmt.execute(rusqlite::params_from_iter(bound.iter()))? as u64;
            }
            return Ok(n);
        }
        let mut stmt = self.tx.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        if let Some((sql, at, elements)) = expand(sql, params) {
            let mut bound = params.to_vec();
            for e in elements {
                bound[at] = e;
                self.run_query(&sql, &bound, f)?;
            }
            return Ok(());
        }
        self.run_query(sql, params, f)
    }

    fn insert_many(
        &mut self,
        into: &str,
        width: usize,
        rows: &[Param<'_>],
        tail: &str,
    ) -> Result<u64> {
        crate::sql::reject_nul(rows)?;
        if width == 0 || rows.is_empty() {
            return Ok(0);
        }
        let marks = vec!["?"; width].join(", ");
        let sql = format!("INSERT INTO {into} VALUES ({marks}) {tail}");
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let mut n = 0;
        for row in rows.chunks(width) {
            n += stmt.execute(rusqlite::params_from_iter(row.iter()))? as u64;
        }
        Ok(n)
    }

    fn insert_many_returning(
        &mut self,
        into: &str,
        width: usize,
        rows: &[Param<'_>],
        tail: &str,
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        if width == 0 || rows.is_empty() {
            return Ok(());
        }
        let marks = vec!["?"; width].join(", ");
        let sql = format!("INSERT INTO {into} VALUES ({marks}) {tail}");
        for row in rows.chunks(width) {
            self.run_query(&sql, row, f)?;
        }
        Ok(())
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.tx.execute_batch(sql)?)
    }

    fn lock(&mut self, _key: Lock) -> Result<()> {
        Ok(())
    }

    fn notify(&mut self, _channel: &str, _payload: &str) -> Result<()> {
        // One process owns an SQLite store: there is nobody else to tell.
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}
