//! What several processes on one store need beyond transactions: a leader lock, so that
//! one process at a time runs the scheduled jobs and another takes over when it dies, and
//! notifications, so that in-memory caches hear of changes other processes commit.
//!
//! On PostgreSQL the lock is a session-level advisory lock on a connection of its own
//! (released by the server when the holder's connection ends, however it ends) and
//! notifications are LISTEN/NOTIFY. On SQLite the lock is an exclusive lock on a file in
//! the data directory (released by the kernel when the holder exits), and there is
//! nobody to notify: one process owns the store.

use std::fs::File;
use std::str::FromStr;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls};

use crate::Location;
use crate::error::{Result, StoreError};
use crate::postgres::{PgClient, channel_prefix};

fn connect(url: &str) -> Result<Client> {
    let mut config = Config::from_str(url).map_err(|e| StoreError::DatabaseUrl {
        reason: e.to_string(),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("vigil");
    config
        .connect(NoTls)
        .map_err(|source| StoreError::Connect { source })
}

/// A stable 63-bit key for a lock name (FNV-1a).
fn lock_key(name: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 1) as i64
}

/// Held leadership of `name` on a store; released when dropped or when the process ends.
pub struct Leader {
    held: Held,
}

enum Held {
    /// Held for as long as the file stays open.
    File(#[allow(dead_code, reason = "the open file is the lock")] File),
    Postgres(Box<PgClient>),
}

impl std::fmt::Debug for Leader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.held {
            Held::File(_) => "Leader(file)",
            Held::Postgres(_) => "Leader(postgres)",
        })
    }
}

impl Leader {
    /// Takes leadership of `name` if no other process holds it.
    pub fn try_acquire(location: &Location, name: &str) -> Result<Option<Leader>> {
        match location {
            Location::Sqlite(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
                let path = dir.join(format!("{name}.lock"));
                let file = File::options()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|source| StoreError::DataDir {
                        path: path.display().to_string(),
                        source,
                    })?;
                match file.try_lock() {
                    Ok(()) => Ok(Some(Leader {
                        held: Held::File(file),
                    })),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(source)) => Err(StoreError::DataDir {
                        path: path.display().to_string(),
                        source,
                    }),
                }
            }
            Location::Postgres { url, schema } => {
                let mut client = connect(url)?;
                let key = lock_key(&format!("{}{name}", channel_prefix(schema.as_deref())));
                let row = client.query_one("SELECT pg_try_advisory_lock($1)", &[&key])?;
                Ok(row.get::<_, bool>(0).then_some(Leader {
                    held: Held::Postgres(Box::new(PgClient::new(client))),
                }))
            }
        }
    }

    /// False once leadership is lost: the lock's connection broke, so the server has
    /// released the lock and another process may hold it now.
    pub fn still_held(&mut self) -> bool {
        match &mut self.held {
            Held::File(_) => true,
            Held::Postgres(client) => client.simple_query("SELECT 1").is_ok(),
        }
    }
}

/// Notifications that other processes committed on a store (PostgreSQL only).
pub struct Listener {
    client: PgClient,
    prefix: String,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// Listens on `channels`; `None` on SQLite, where no other process writes.
    pub fn connect(location: &Location, channels: &[&str]) -> Result<Option<Listener>> {
        let Location::Postgres { url, schema } = location else {
            return Ok(None);
        };
        let mut client = connect(url)?;
        let prefix = channel_prefix(schema.as_deref());
        for c in channels {
            client.batch_execute(&format!("LISTEN \"{prefix}{c}\""))?;
        }
        Ok(Some(Listener {
            client: PgClient::new(client),
            prefix,
        }))
    }

    /// Waits up to `timeout` for notifications; returns (channel, payload) of each that
    /// arrived, possibly none. An error means the connection broke: reconnect.
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let first = self.client.notifications().timeout_iter(timeout).next()?;
        if let Some(n) = first {
            out.push(n);
            // Whatever else has arrived, without waiting again.
            let mut notifications = self.client.notifications();
            let mut rest = notifications.iter();
            while let Some(n) = rest.next()? {
                out.push(n);
            }
        }
        if self.client.is_closed() {
            return Err(StoreError::Internal(
                "the notification connection closed".into(),
            ));
        }
        Ok(out
            .into_iter()
            .map(|n| {
                let channel = n
                    .channel()
                    .strip_prefix(&self.prefix)
                    .unwrap_or(n.channel())
                    .to_owned();
                (channel, n.payload().to_owned())
            })
            .collect())
    }
}
