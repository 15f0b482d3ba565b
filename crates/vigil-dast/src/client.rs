//! The scanner's HTTP client: blocking requests through ureq with one timeout per request,
//! no redirects followed (the crawler decides whether a Location is on the origin), bodies
//! read up to a limit, a request budget and a steady pace.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::config::ScanConfig;
use crate::response::{Method, Response};

/// Spaces requests evenly: at most `per_second` start in any second.
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    pub(crate) fn new(per_second: u32) -> Pacer {
        Pacer {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: None,
        }
    }

    /// How long a request about to start at `now` must wait; books its slot.
    pub(crate) fn delay(&mut self, now: Instant) -> Duration {
        let start = match self.next {
            Some(next) if next > now => next,
            _ => now,
        };
        self.next = Some(start + self.interval);
        start - now
    }
}

/// Why a request was not answered.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The request budget (`max_requests`) is spent; nothing was sent.
    Budget,
    /// Sent, and no HTTP response came back.
    Transport(String),
}

pub(crate) struct Client {
    agent: ureq::Agent,
    pacer: Pacer,
    sent: u32,
    max_requests: u32,
    max_body_bytes: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("sent", &self.sent)
            .field("max_requests", &self.max_requests)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn new(config: &ScanConfig) -> Client {
        let agent = ureq::Agent::config_builder()
            // Every status is an answer to check, not a failure.
            .http_status_as_error(false)
            // A redirect comes back as a response; the crawler follows it only on the origin.
            .max_redirects(0)
            .timeout_global(Some(config.timeout))
            .user_agent(config.user_agent.as_str())
            .build()
            .into();
        Client {
            agent,
            pacer: Pacer::new(config.requests_per_second),
            sent: 0,
            max_requests: config.max_requests,
            max_body_bytes: config.limits.max_body_bytes,
        }
    }

    /// Requests sent so far.
    pub(crate) fn sent(&self) -> u32 {
        self.sent
    }

    /// Whether the budget allows another request.
    pub(crate) fn has_budget(&self) -> bool {
        self.sent < self.max_requests
    }

    /// Sends one request with the `extra` headers (names lowercase) added, waiting for its slot.
    pub(crate) fn send(
        &mut self,
        method: Method,
        url: &str,
        extra: &[(&str, &str)],
    ) -> Result<Response, SendError> {
        if !self.has_budget() {
            return Err(SendError::Budget);
        }
        std::thread::sleep(self.pacer.delay(Instant::now()));
        self.sent += 1;
        let mut request = match method {
            Method::Get => self.agent.get(url),
            Method::Head => self.agent.head(url),
            Method::Options => self.agent.options(url),
            Method::Trace => self.agent.trace(url),
        };
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request
            .call()
            .map_err(|e| SendError::Transport(e.to_string()))?;
        let (parts, body) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        // One byte past the limit tells a body that was cut from one that fit. A body that
        // fails midway keeps what came and counts as cut.
        let complete = body
            .into_with_config()
            .reader()
            .take(self.max_body_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .is_ok();
        let truncated = !complete || bytes.len() as u64 > self.max_body_bytes;
        bytes.truncate(usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX));
        Ok(Response {
            method,
            url: url.to_owned(),
            request_headers: extra
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            status: parts.status.as_u16(),
            headers,
            body: bytes,
            truncated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacer_spaces_requests_without_sleeping_in_the_test() {
        let mut pacer = Pacer::new(4);
        let t0 = Instant::now();
        assert_eq!(pacer.delay(t0), Duration::ZERO);
        // Two more at once: each waits a quarter second more than the one before.
        assert_eq!(pacer.delay(t0), Duration::from_millis(250));
        assert_eq!(pacer.delay(t0), Duration::from_millis(500));
        // A request long after the last slot goes at once.
        assert_eq!(pacer.delay(t0 + Duration::from_secs(5)), Duration::ZERO);
        assert_eq!(
            pacer.delay(t0 + Duration::from_secs(5) + Duration::from_millis(100)),
            Duration::from_millis(150)
        );
    }
}
