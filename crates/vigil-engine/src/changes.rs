//! What a committed write changed, told to whoever keeps answers in memory: the
//! process's own observer right after the commit, and other processes on a shared
//! PostgreSQL through a notification sent with the commit.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use vigil_store::Tx;

use crate::error::Result;

/// The notification channel changes are announced on.
pub const CHANGES_CHANNEL: &str = "changes";

/// A payload longer than this names no advisories but says that everything changed
/// (PostgreSQL refuses payloads from 8,000 bytes).
const MAX_PAYLOAD: usize = 7_000;

/// Which answers about the portfolio a commit may have changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Anything: advisories, aliases, what runs where, owners, applications, KEV, EPSS.
    Everything,
    /// The findings of these advisories, or where their releases run.
    Advisories(BTreeSet<String>),
    /// The findings of these advisories on releases that run nowhere; answers about
    /// running releases are unchanged.
    NotRunning(BTreeSet<String>),
}

/// A change as announced to other processes.
#[derive(Debug, Serialize, Deserialize)]
struct Announcement {
    /// Who made it, so that a process ignores what it told itself already.
    origin: String,
    change: Change,
}

impl Change {
    /// The notification payload for a change made by `origin`.
    pub fn payload(&self, origin: &str) -> String {
        let text = |change: &Change| {
            serde_json::to_string(&Announcement {
                origin: origin.to_owned(),
                change: change.clone(),
            })
            .unwrap_or_default()
        };
        let payload = text(self);
        if payload.len() > MAX_PAYLOAD {
            text(&Change::Everything)
        } else {
            payload
        }
    }

    /// Reads a payload; `None` if it is not one. The origin comes first.
    pub fn from_payload(payload: &str) -> Option<(String, Change)> {
        let a: Announcement = serde_json::from_str(payload).ok()?;
        Some((a.origin, a.change))
    }
}

/// Called with every change an engine commits, after the commit.
pub type Observer = Arc<dyn Fn(&Change) + Send + Sync>;

/// Where an engine tells of its changes.
#[derive(Clone, Default)]
pub struct Changes {
    /// Names this process in announcements.
    pub origin: String,
    pub observer: Option<Observer>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes")
            .field("origin", &self.origin)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl Changes {
    /// Announces `change` to other processes, at the commit of `tx`.
    pub(crate) fn announce(&self, tx: &mut Tx<'_>, change: &Change) -> Result<()> {
        tx.notify(CHANGES_CHANNEL, &change.payload(&self.origin))?;
        Ok(())
    }

    /// Commits `tx` and tells this process's observer. It is told when the commit
    /// fails too: a commit whose answer was lost may have been made.
    pub(crate) fn commit(&self, tx: Tx<'_>, change: &Change) -> Result<()> {
        let done = tx.commit();
        if let Some(observer) = &self.observer {
            observer(change);
        }
        Ok(done?)
    }
}
