//! Hears what other processes on a shared PostgreSQL commit: token changes (the token
//! cache is dropped, so a revoked token stops working on every replica at once), new
//! alerts (the dispatcher wakes) and changes to the portfolio (kept answers they may alter
//! are dropped). On SQLite one process owns the store: nothing to hear.

use std::time::Duration;

use tokio::sync::watch;
use vigil_store::Listener;

use crate::auth::TOKENS_CHANNEL;
use crate::state::AppState;

pub(crate) async fn run(state: AppState, stop: watch::Receiver<bool>) {
    if matches!(state.location(), vigil_store::Location::Sqlite(_)) {
        return;
    }
    let location = state.location().clone();
    let _ = tokio::task::spawn_blocking(move || {
        let channels = [
            TOKENS_CHANNEL,
            vigil_engine::ALERTS_CHANNEL,
            vigil_engine::CHANGES_CHANNEL,
        ];
        let mut listener: Option<Listener> = None;
        while !*stop.borrow() {
            let Some(l) = listener.as_mut() else {
                match Listener::connect(&location, &channels) {
                    Ok(l) => {
                        listener = l;
                        // Changes made while not listening were missed: start afresh.
                        state.tokens_changed();
                        state.alerts_waiting();
                        state.forget_answers();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "listener: cannot connect; retrying");
                        std::thread::sleep(Duration::from_secs(2));
                    }
                }
                continue;
            };
            match l.wait(Duration::from_millis(500)) {
                Ok(events) => {
                    for (channel, payload) in events {
                        if channel == TOKENS_CHANNEL {
                            state.tokens_changed();
                        } else if channel == vigil_engine::ALERTS_CHANNEL {
                            state.alerts_waiting();
                        } else if channel == vigil_engine::CHANGES_CHANNEL {
                            state.heard(&payload);
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listener: connection lost; reconnecting");
                    listener = None;
                    // Until it is back, other processes' changes go unheard.
                    state.forget_answers();
                }
            }
        }
    })
    .await;
}
