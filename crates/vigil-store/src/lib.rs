//! Vigil's evidence store: services, applications, environments, releases with their
//! SBOMs and packages, the append-only deployment log and what runs now, advisories with
//! their raw OSV JSON, exploit intelligence (KEV, EPSS), feed cursors and findings.
//!
//! Two backends behave the same: SQLite, embedded, one file in a data directory (the
//! default), and PostgreSQL, shared by several Vigil processes. Every query is written
//! once against the small connection trait in `sql.rs`; only the migrations are per backend.
//! The store knows SQL and nothing of OSV or SBOM formats: the engine turns documents
//! into the rows defined here.
//!
//! All work happens in a [`Tx`]: [`Store::write`] or [`Store::read`], then
//! [`Tx::commit`]. A transaction dropped without a commit rolls back, so an error part
//! way through leaves nothing behind.

mod advisories;
mod alerts;
mod catalog;
mod deployments;
mod error;
mod exposure;
mod findings;
mod gauges;
mod intel;
mod jobs;
mod ledger;
mod migrate;
mod postgres;
mod releases;
mod report;
mod runtime;
mod sessions;
mod signals;
mod signatures;
mod sql;
mod sqlite;
pub mod testing;
pub mod time;
mod tokens;
mod triage;

use std::path::PathBuf;

pub use advisories::{AdvisoryRecord, StoredAdvisory};
pub use alerts::{Delivery, ExposedFinding, NewAlert, OutboxCounts, StoredAlert};
pub use catalog::{Application, Environment, Service};
pub use deployments::{Appended, Deployment, DeploymentEvent, Running};
pub use error::{Result, StoreError};
pub use exposure::{DeploymentFact, FindingRecord, ReleaseRecord};
pub use findings::{FindingKey, FindingState, NewFinding, Resolution};
pub use gauges::{EnvironmentGauge, FindingCount};
pub use intel::{IntelImport, KevEntry};
pub use jobs::JobRun;
pub use ledger::{
    LEAF_FORMAT, Leaf, LedgerSigner, StoredCheckpoint, finding_subject, release_subject,
};
pub use migrate::SCHEMA_VERSION;
pub use releases::{NewPackage, NewRelease, PackageVersion, Release, ReleaseComponent};
pub use report::{AffectedRow, Counts, ExposureCount, FindingFilter};
pub use runtime::{
    FimBaseline, NewRuntimeAlert, NewSignal, RuntimeAlert, RuntimeMapping, Signal, SignalDecision,
    SignalFilter, SignalScope, SignalSync,
};
pub use sessions::Session;
pub use signals::{Leader, Listener};
pub use signatures::{NewSignature, ServiceKey, SignatureRecord};
pub use sql::Backend;
pub use sqlite::FILE_NAME as SQLITE_FILE_NAME;
pub use tokens::{NewToken, Token};
pub use triage::{
    CLOSING_STATUSES, Decision, DecisionFilter, NewDecision, NewVexDocument, Team, TriageTarget,
};

use sql::{Conn, Database};

/// Where a store lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite database in this directory (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database; with `schema`, in that schema (created if missing).
    Postgres { url: String, schema: Option<String> },
}

impl std::fmt::Debug for Location {
    // A database URL can carry a password: only the backend and schema are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(dir) => f.debug_tuple("Sqlite").field(dir).finish(),
            Location::Postgres { schema, .. } => f
                .debug_struct("Postgres")
                .field("url", &"<redacted>")
                .field("schema", schema)
                .finish(),
        }
    }
}

/// An open store, migrated to this build's schema.
pub struct Store {
    db: Box<dyn Database>,
    signer: Option<std::sync::Arc<LedgerSigner>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.db.backend())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `location` and runs any migrations it lacks.
    pub fn open(location: &Location) -> Result<Store> {
        let mut db: Box<dyn Database> = match location {
            Location::Sqlite(dir) => Box::new(sqlite::Sqlite::open(dir)?),
            Location::Postgres { url, schema } => {
                Box::new(postgres::Postgres::connect(url, schema.as_deref())?)
            }
        };
        migrate::migrate(db.as_mut())?;
        Ok(Store { db, signer: None })
    }

    /// Signs ledger checkpoints with `signer` at the commits that append leaves (as often
    /// as it allows). Without one, leaves are appended and nothing is signed.
    pub fn set_ledger_signer(&mut self, signer: Option<std::sync::Arc<LedgerSigner>>) {
        self.signer = signer;
    }

    pub fn ledger_signer(&self) -> Option<&std::sync::Arc<LedgerSigner>> {
        self.signer.as_ref()
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// A transaction that writes. On SQLite it holds the write lock from the start.
    pub fn write(&mut self) -> Result<Tx<'_>> {
        Ok(Tx {
            conn: self.db.begin(true)?,
            ledger: Vec::new(),
            signer: self.signer.clone(),
        })
    }

    /// A transaction that only reads: a consistent snapshot.
    pub fn read(&mut self) -> Result<Tx<'_>> {
        Ok(Tx {
            conn: self.db.begin(false)?,
            ledger: Vec::new(),
            signer: None,
        })
    }
}

/// One transaction on the store. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'a> {
    conn: Box<dyn Conn + 'a>,
    /// Events for the ledger, appended at the commit.
    ledger: Vec<ledger::Pending>,
    signer: Option<std::sync::Arc<LedgerSigner>>,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("backend", &self.conn.backend())
            .finish()
    }
}

impl Tx<'_> {
    /// Appends the transaction's events to the ledger, then makes every write of the
    /// transaction durable, at once.
    pub fn commit(mut self) -> Result<()> {
        self.flush_ledger()?;
        self.conn.commit()
    }

    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// Takes the matching lock until the transaction ends. Every transaction that adds
    /// releases or advisories and matches them takes it first: otherwise, on PostgreSQL,
    /// a release and an advisory committed at the same moment could each be matched
    /// against a snapshot without the other, and the finding between them be missed.
    pub fn lock_matching(&mut self) -> Result<()> {
        self.conn.lock(sql::Lock::Matching)
    }

    /// Asks the database for nothing: whether it answers.
    pub fn ping(&mut self) -> Result<()> {
        self.conn.query_int("SELECT 1", &[])?;
        Ok(())
    }

    /// Tells other processes on this store, at commit, that `channel` changed; they
    /// hear it through a [`Listener`].
    pub fn notify(&mut self, channel: &str, payload: &str) -> Result<()> {
        self.conn.notify(channel, payload)
    }

    fn c(&mut self) -> &mut (dyn Conn + '_) {
        self.conn.as_mut()
    }
}
