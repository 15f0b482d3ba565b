//! Answers to `GET /api/v1/affected/{id}` kept in memory as the bytes sent, so that the
//! question asked most often during an incident costs no query while nothing it depends
//! on changes.
//!
//! An answer is dropped when a change that may alter it commits: at once for this
//! process's own writes (the engines' observer runs after each commit), and on hearing
//! the change's notification for other processes on a shared PostgreSQL. A new release
//! runs nowhere, so it drops only answers about every release that name one of its
//! advisories. Answers older than `api.affected_cache_max_age_ms` are made again, which
//! bounds how long a write the process cannot hear of (another process on the same
//! SQLite store, a lost notification connection before it is noticed) stays unseen.
//!
//! Concurrent requests for the same missing answer wait for one computation. A
//! computation under way when a change commits is dropped with the entries, so an answer
//! read before a commit is never kept after it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::OnceCell;
use vigil_engine::Change;

use crate::error::ApiResult;

/// What an answer depends on besides the store.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct Key {
    /// The id or alias asked about, as asked.
    pub(crate) id: String,
    pub(crate) all_releases: bool,
    pub(crate) application: Option<String>,
    /// The caller's environments, sorted; `None`: every one.
    pub(crate) environments: Option<Vec<String>>,
}

impl Key {
    fn size(&self) -> usize {
        self.id.len()
            + self.application.as_ref().map_or(0, String::len)
            + self
                .environments
                .iter()
                .flatten()
                .map(|e| e.len() + 24)
                .sum::<usize>()
    }
}

/// An answer made: the body sent and the advisories it is about.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) body: Bytes,
    pub(crate) advisories: Vec<String>,
}

#[derive(Debug, Default)]
struct Slot {
    answer: OnceCell<Arc<Answer>>,
}

#[derive(Debug)]
struct Entry {
    slot: Arc<Slot>,
    /// Bytes counted against the budget: the key's at first, the answer's once made.
    bytes: usize,
    /// Whether the answer's bytes are counted.
    counted: bool,
    /// When the entry was made, before the answer was read from the store: the age of
    /// what the answer says.
    made: Instant,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    bytes: usize,
}

impl Entries {
    fn remove_where(&mut self, mut drop: impl FnMut(&Key, &Entry) -> bool) {
        let mut freed = 0;
        self.map.retain(|k, e| {
            let gone = drop(k, e);
            if gone {
                freed += e.bytes;
            }
            !gone
        });
        self.bytes -= freed;
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct LookupLabels {
    pub(crate) result: &'static str,
}

/// The answers kept, within a budget of bytes.
#[derive(Debug)]
pub(crate) struct AnswerCache {
    entries: Mutex<Entries>,
    budget: usize,
    max_age: Duration,
    lookups: Family<LookupLabels, Counter>,
    held: Gauge,
}

/// Bytes an entry costs besides its body and key: the map's slot, the entry, the
/// advisory ids' headers.
const OVERHEAD: usize = 256;

impl AnswerCache {
    /// A cache of at most `budget` bytes (0: nothing is kept) whose answers are made
    /// again after `max_age`.
    pub(crate) fn new(
        budget: usize,
        max_age: Duration,
        lookups: Family<LookupLabels, Counter>,
        held: Gauge,
    ) -> AnswerCache {
        AnswerCache {
            entries: Mutex::new(Entries::default()),
            budget,
            max_age,
            lookups,
            held,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves the map consistent: every change to it
        // is one call.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer for `key`, made by `make` unless kept.
    pub(crate) async fn get<F, Fut>(&self, key: Key, make: F) -> ApiResult<Bytes>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Answer>>,
    {
        if self.budget == 0 {
            self.count("miss");
            return make().await.map(|a| a.body);
        }
        let slot = {
            let mut entries = self.lock();
            let fresh = entries
                .map
                .get(&key)
                .filter(|e| !e.counted || e.made.elapsed() < self.max_age)
                .map(|e| Arc::clone(&e.slot));
            match fresh {
                Some(slot) => slot,
                None => {
                    let slot = Arc::new(Slot::default());
                    let bytes = key.size() + OVERHEAD;
                    let old = entries.map.insert(
                        key.clone(),
                        Entry {
                            slot: Arc::clone(&slot),
                            bytes,
                            counted: false,
                            made: Instant::now(),
                        },
                    );
                    entries.bytes += bytes;
                    if let Some(old) = old {
                        entries.bytes -= old.bytes;
                    }
                    self.held.set(entries.bytes as i64);
                    slot
                }
            }
        };
        if let Some(answer) = slot.answer.get() {
            self.count("hit");
            return Ok(answer.body.clone());
        }
        let mut made_here = false;
        let answer = slot
            .answer
            .get_or_try_init(|| async {
                made_here = true;
                make().await.map(Arc::new)
            })
            .await;
        let answer = match answer {
            Ok(a) => Arc::clone(a),
            Err(e) => {
                // Not kept: the next request asks again.
                let mut entries = self.lock();
                if entries
                    .map
                    .get(&key)
                    .is_some_and(|e| Arc::ptr_eq(&e.slot, &slot))
                    && let Some(gone) = entries.map.remove(&key)
                {
                    entries.bytes -= gone.bytes;
                }
                return Err(e);
            }
        };
        self.count(if made_here { "miss" } else { "hit" });
        if made_here {
            self.account(&key, &slot, &answer);
        }
        Ok(answer.body.clone())
    }

    /// Counts a made answer against the budget, if its entry is still there; evicts the
    /// oldest answers when over.
    fn account(&self, key: &Key, slot: &Arc<Slot>, answer: &Answer) {
        let bytes = answer.body.len() + answer.advisories.iter().map(String::len).sum::<usize>();
        let mut entries = self.lock();
        let Some(entry) = entries.map.get_mut(key) else {
            return;
        };
        if !Arc::ptr_eq(&entry.slot, slot) || entry.counted {
            return;
        }
        if bytes > self.budget / 4 {
            // Too large to keep: made for each request.
            if let Some(gone) = entries.map.remove(key) {
                entries.bytes -= gone.bytes;
            }
            self.held.set(entries.bytes as i64);
            return;
        }
        entry.bytes += bytes;
        entry.counted = true;
        entries.bytes += bytes;
        if entries.bytes > self.budget {
            // Oldest first; entries whose answer is being made count their key and go
            // too (their answer is then not kept), so that abandoned ones cannot pile up.
            let mut made: Vec<(Instant, Key)> = entries
                .map
                .iter()
                .map(|(k, e)| (e.made, k.clone()))
                .collect();
            made.sort_unstable_by_key(|(at, _)| *at);
            let target = self.budget / 4 * 3;
            for (_, k) in made {
                if entries.bytes <= target {
                    break;
                }
                if let Some(e) = entries.map.remove(&k) {
                    entries.bytes -= e.bytes;
                }
            }
        }
        self.held.set(entries.bytes as i64);
    }

    fn count(&self, result: &'static str) {
        self.lookups.get_or_create(&LookupLabels { result }).inc();
    }

    /// Drops the answers `change` may have altered, and those being made.
    pub(crate) fn changed(&self, change: &Change) {
        let mut entries = self.lock();
        match change {
            Change::Everything => entries.remove_where(|_, _| true),
            Change::Advisories(ids) => entries.remove_where(|_, e| {
                e.slot
                    .answer
                    .get()
                    .is_none_or(|a| a.advisories.iter().any(|id| ids.contains(id)))
            }),
            Change::NotRunning(ids) => entries.remove_where(|k, e| {
                k.all_releases
                    && e.slot
                        .answer
                        .get()
                        .is_none_or(|a| a.advisories.iter().any(|id| ids.contains(id)))
            }),
        }
        self.held.set(entries.bytes as i64);
    }

    /// Entries held, made or being made.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().map.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn cache(budget: usize, max_age: Duration) -> AnswerCache {
        AnswerCache::new(budget, max_age, Family::default(), Gauge::default())
    }

    fn key(id: &str, all: bool) -> Key {
        Key {
            id: id.into(),
            all_releases: all,
            application: None,
            environments: None,
        }
    }

    async fn ask(c: &AnswerCache, k: Key, calls: &AtomicUsize, advisory: &str) -> Bytes {
        c.get(k, || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Ok(Answer {
                body: Bytes::from(format!("{advisory}:{n}")),
                advisories: vec![advisory.to_owned()],
            })
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn keeps_answers_until_a_change_that_may_alter_them() {
        let c = cache(1 << 20, Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let running = key("CVE-1", false);
        let all = key("CVE-1", true);
        let other = key("CVE-2", true);
        assert_eq!(ask(&c, running.clone(), &calls, "A").await, "A:0");
        assert_eq!(ask(&c, running.clone(), &calls, "A").await, "A:0");
        assert_eq!(ask(&c, all.clone(), &calls, "A").await, "A:1");
        assert_eq!(ask(&c, other.clone(), &calls, "B").await, "B:2");
        // A new release with findings of A: only the answer about every release of A.
        c.changed(&Change::NotRunning(["A".to_owned()].into()));
        assert_eq!(ask(&c, running.clone(), &calls, "A").await, "A:0");
        assert_eq!(ask(&c, all.clone(), &calls, "A").await, "A:3");
        assert_eq!(ask(&c, other.clone(), &calls, "B").await, "B:2");
        // A deployment of a release with findings of B: every answer about B.
        c.changed(&Change::Advisories(["B".to_owned()].into()));
        assert_eq!(ask(&c, running.clone(), &calls, "A").await, "A:0");
        assert_eq!(ask(&c, other.clone(), &calls, "B").await, "B:4");
        c.changed(&Change::Everything);
        assert_eq!(ask(&c, running, &calls, "A").await, "A:5");
        assert_eq!(ask(&c, other, &calls, "B").await, "B:6");
    }

    #[tokio::test]
    async fn an_answer_being_made_when_a_change_commits_is_not_kept() {
        let c = Arc::new(cache(1 << 20, Duration::from_secs(60)));
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
        let c2 = Arc::clone(&c);
        let first = tokio::spawn(async move {
            c2.get(key("CVE-1", false), || async move {
                started_tx.send(()).unwrap();
                go_rx.await.unwrap();
                Ok(Answer {
                    body: Bytes::from_static(b"before"),
                    advisories: vec!["A".into()],
                })
            })
            .await
            .unwrap()
        });
        started_rx.await.unwrap();
        c.changed(&Change::Everything);
        go_tx.send(()).unwrap();
        assert_eq!(first.await.unwrap(), "before");
        let calls = AtomicUsize::new(0);
        assert_eq!(ask(&c, key("CVE-1", false), &calls, "A").await, "A:0");
    }

    #[tokio::test]
    async fn old_answers_are_made_again_and_failures_are_not_kept() {
        let c = cache(1 << 20, Duration::from_millis(20));
        let calls = AtomicUsize::new(0);
        assert_eq!(ask(&c, key("X", false), &calls, "A").await, "A:0");
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(ask(&c, key("X", false), &calls, "A").await, "A:1");
        let failed = c
            .get(key("Y", false), || async {
                Err(crate::error::ApiError::not_found("no such advisory"))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(c.len(), 1);
    }

    #[tokio::test]
    async fn stays_within_its_budget() {
        let c = cache(8_000, Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        for i in 0..100 {
            ask(&c, key(&format!("CVE-{i}"), false), &calls, "A").await;
        }
        let held = c.lock().bytes;
        assert!(held <= 8_000, "{held} bytes held");
        assert!(c.len() < 100 && c.len() > 5, "{} entries", c.len());
        // The newest answers are the ones kept.
        let before = calls.load(Ordering::SeqCst);
        ask(&c, key("CVE-99", false), &calls, "A").await;
        assert_eq!(calls.load(Ordering::SeqCst), before);
    }
}
