//! The scale-out backend: PostgreSQL, shared by any number of Vigil processes.
//!
//! Statements are prepared once per connection and cached; list parameters bind as
//! arrays; bulk inserts go as multi-row `VALUES` lists, so a release's packages cost a
//! few round trips rather than one each.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr;
use std::time::Duration;

use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, NoTls, Statement};

use crate::error::{Result, StoreError};
use crate::sql::{Backend, Conn, Database, Lock, Param, Row, Value, numbered};

/// Most parameters PostgreSQL takes in one statement.
const MAX_PARAMS: usize = 65_535;
/// Rows per multi-row insert: large enough to amortize the round trip, small enough to
/// keep the statement cache small.
const INSERT_BATCH: usize = 500;

/// A client closed on a thread of its own when dropped: closing runs the client's own
/// runtime, which may not start on a thread that already drives an async runtime (a
/// server dropping an idle connection).
pub(crate) struct PgClient(Option<Client>);

impl PgClient {
    pub(crate) fn new(client: Client) -> PgClient {
        PgClient(Some(client))
    }
}

impl std::ops::Deref for PgClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.0
            .as_ref()
            .expect("a PgClient holds its client until dropped")
    }
}

impl std::ops::DerefMut for PgClient {
    fn deref_mut(&mut self) -> &mut Client {
        self.0
            .as_mut()
            .expect("a PgClient holds its client until dropped")
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            // Without a thread, the server closes the connection when its socket does.
            let _ = std::thread::Builder::new()
                .name("vigil-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

pub(crate) struct Postgres {
    client: PgClient,
    statements: HashMap<String, Statement>,
    /// Prefix of this store's notification channels: stores in other schemas of the
    /// same database hear only their own.
    channels: String,
}

impl std::fmt::Debug for Postgres {
    // The connection string can hold a password: it is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("statements", &self.statements.len())
            .finish_non_exhaustive()
    }
}

impl Postgres {
    /// Connects to `url`; with `schema`, every table lives in that schema (created if
    /// missing), which is how tests get a database of their own.
    pub(crate) fn connect(url: &str, schema: Option<&str>) -> Result<Self> {
        let mut config = Config::from_str(url).map_err(|e| StoreError::DatabaseUrl {
            reason: e.to_string(),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("vigil");
        // `CREATE ... IF NOT EXISTS` at every open would otherwise log a notice.
        let options = match config.get_options() {
            Some(given) => format!("{given} -c client_min_messages=warning"),
            None => "-c client_min_messages=warning".to_owned(),
        };
        config.options(&options);
        let mut client = config
            .connect(NoTls)
            .map_err(|source| StoreError::Connect { source })?;
        if let Some(schema) = schema {
            if schema.is_empty()
                || !schema
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(StoreError::DatabaseUrl {
                    reason: format!(
                        "schema {schema:?}: use lower-case letters, digits and underscores"
                    ),
                });
            }
            client.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))?;
        }
        Ok(Postgres {
            client: PgClient::new(client),
            statements: HashMap::new(),
            channels: channel_prefix(schema),
        })
    }
}

impl Database for Postgres {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn begin(&mut self, _write: bool) -> Result<Box<dyn Conn + '_>> {
        // READ COMMITTED whatever the server's default: writers that take a lock read
        // what was committed before they got it (the ledger's size, what runs).
        let tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::ReadCommitted)
            .start()?;
        Ok(Box::new(PgTx {
            tx,
            statements: &mut self.statements,
            channels: &self.channels,
        }))
    }
}

struct PgTx<'c> {
    tx: postgres::Transaction<'c>,
    statements: &'c mut HashMap<String, Statement>,
    channels: &'c str,
}

/// `vigil_` and the schema: the prefix of a store's notification channels.
pub(crate) fn channel_prefix(schema: Option<&str>) -> String {
    format!("vigil_{}_", schema.unwrap_or("public"))
}

impl PgTx<'_> {
    fn prepare(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let statement = self.tx.prepare(&numbered(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

fn refs<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(v) => match *ty {
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::FLOAT8 => (v as f64).to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Param::Real(v) => match *ty {
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Param::Text(v) => v.to_sql(ty, out),
            Param::Blob(v) => v.to_sql(ty, out),
            Param::Texts(v) => v.to_sql(ty, out),
            Param::Ints(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn row(r: &postgres::Row) -> Result<Row> {
    let mut values = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let ty = column.type_();
        let v = match *ty {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Value::Real),
            Type::FLOAT4 => r
                .try_get::<_, Option<f32>>(i)?
                .map(|v| Value::Real(v.into())),
            Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                r.try_get::<_, Option<String>>(i)?.map(Value::Text)
            }
            _ => {
                return Err(StoreError::Internal(format!(
                    "column {} has type {ty}, which the store does not read",
                    column.name()
                )));
            }
        };
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

impl Conn for PgTx<'_> {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        crate::sql::reject_nul(params)?;
        let statement = self.prepare(sql)?;
        Ok(self.tx.execute(&statement, &refs(params))?)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        crate::sql::reject_nul(params)?;
        let statement = self.prepare(sql)?;
        let mut rows = self.tx.query_raw(&statement, refs(params))?;
        while let Some(r) = rows.next()? {
            f(row(&r)?)?;
        }
        Ok(())
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
        let per_batch = INSERT_BATCH.min(MAX_PARAMS / width).max(1);
        let mut n = 0;
        for chunk in rows.chunks(per_batch * width) {
            let sql = values_sql(into, width, chunk.len() / width, tail);
            n += self.execute(&sql, chunk)?;
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
        let per_batch = INSERT_BATCH.min(MAX_PARAMS / width).max(1);
        for chunk in rows.chunks(per_batch * width) {
            let sql = values_sql(into, width, chunk.len() / width, tail);
            self.query_each(&sql, chunk, f)?;
        }
        Ok(())
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.tx.batch_execute(sql)?)
    }

    fn lock(&mut self, key: Lock) -> Result<()> {
        let statement = self.prepare("SELECT pg_advisory_xact_lock(?)")?;
        self.tx.execute(&statement, &[&(key as i64)])?;
        Ok(())
    }

    fn notify(&mut self, channel: &str, payload: &str) -> Result<()> {
        let statement = self.prepare("SELECT pg_notify(?, ?)")?;
        let channel = format!("{}{channel}", self.channels);
        self.tx.execute(&statement, &[&channel, &payload])?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

/// `INSERT INTO {into} VALUES (?,...),... {tail}` for `count` rows of `width`.
fn values_sql(into: &str, width: usize, count: usize, tail: &str) -> String {
    let row = format!("({})", vec!["?"; width].join(","));
    let mut sql = format!("INSERT INTO {into} VALUES ");
    for r in 0..count {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql.push(' ');
    sql.push_str(tail);
    sql
}
