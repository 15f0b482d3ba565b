//! Engines for request handlers: each owns one connection to the store, and runs on a
//! blocking thread, since the store's clients are synchronous. A pool for reads lets
//! queries run side by side; writes go through a pool of their own, one engine on
//! SQLite (whose writers take turns anyway).

use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use vigil_engine::{Changes, Clock, Engine, EngineError};
use vigil_store::{LedgerSigner, Location, Store};

use crate::error::{ApiError, ApiResult};

/// Engines on one store, at most `size` at a time.
#[derive(Debug)]
pub(crate) struct Pool {
    location: Location,
    clock: Arc<dyn Clock>,
    changes: Changes,
    signer: Option<Arc<LedgerSigner>>,
    idle: Mutex<Vec<Engine>>,
    permits: Semaphore,
}

impl Pool {
    pub(crate) fn new(
        location: Location,
        clock: Arc<dyn Clock>,
        changes: Changes,
        signer: Option<Arc<LedgerSigner>>,
        size: usize,
    ) -> Pool {
        Pool {
            location,
            clock,
            changes,
            signer,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(size.max(1)),
        }
    }

    pub(crate) fn location(&self) -> &Location {
        &self.location
    }

    /// Runs `f` on an engine of the pool, on a blocking thread.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Engine) -> Result<T, EngineError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
        let pool = Arc::clone(self);
        let joined = tokio::task::spawn_blocking(move || {
            let mut engine = match pool.take() {
                Ok(e) => e,
                Err(e) => return Err(e),
            };
            let out = f(&mut engine);
            // An engine whose store failed may hold a broken connection: dropped, and
            // a new one opened next time.
            if !matches!(&out, Err(e) if !e.is_input()) {
                pool.give_back(engine);
            }
            out
        })
        .await
        .map_err(|e| ApiError::internal(format!("a request handler panicked: {e}")))?;
        joined.map_err(ApiError::from)
    }

    fn take(&self) -> Result<Engine, EngineError> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        match idle {
            Some(e) => Ok(e),
            None => {
                let mut store = Store::open(&self.location)?;
                store.set_ledger_signer(self.signer.clone());
                let mut engine = Engine::with_clock(store, Arc::clone(&self.clock));
                engine.changes = self.changes.clone();
                Ok(engine)
            }
        }
    }

    fn give_back(&self, engine: Engine) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(engine);
        }
    }
}
