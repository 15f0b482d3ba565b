//! The feed's HTTP client: blocking GETs with timeouts, bodies read within a byte limit, and
//! errors that name the URL.

use std::io::{self, Read, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{FeedConfig, FeedError};

/// Everything but RFC 3986's unreserved characters is encoded in a path segment, so an
/// ecosystem such as `Rocky Linux` or `[EMPTY]`, or an id such as `RHSA-2024:1234`, is one
/// segment and a `/` in a name cannot reach another object.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(super) struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    pub(super) fn new(config: &FeedConfig) -> Client {
        let timeout = Some(config.timeout);
        let agent = ureq::Agent::config_builder()
            // Statuses are checked here, so an error can say what a 404 means.
            .http_status_as_error(false)
            .timeout_resolve(timeout)
            .timeout_connect(timeout)
            .timeout_send_request(timeout)
            .timeout_recv_response(timeout)
            // A stalled transfer fails after `timeout`; a slow one after `download_timeout`.
            .timeout_per_read(timeout)
            .timeout_recv_body(Some(config.download_timeout))
            .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            base: config.base.trim_end_matches('/').to_owned(),
        }
    }

    /// `BASE/seg/seg`, each segment percent-encoded.
    pub(super) fn url(&self, segments: &[&str]) -> String {
        let mut url = self.base.clone();
        for segment in segments {
            url.push('/');
            url.extend(utf8_percent_encode(segment, SEGMENT));
        }
        url
    }

    /// GETs `url`; `None` for a 404, an error for any other status but 200. The body may
    /// be read up to `limit` bytes, and a declared length over it is refused at once.
    pub(super) fn get(
        &self,
        url: &str,
        limit: u64,
        setting: &'static str,
    ) -> Result<Option<Body>, FeedError> {
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| FeedError::Transport {
                url: url.to_owned(),
                source: Box::new(e),
            })?;
        let status = response.status().as_u16();
        if status == 404 {
            return Ok(None);
        }
        if status != 200 {
            return Err(FeedError::Http {
                url: url.to_owned(),
                status,
            });
        }
        let length = response.body().content_length();
        if length.is_some_and(|n| n > limit) {
            return Err(FeedError::TooLarge {
                url: url.to_owned(),
                limit,
                setting,
            });
        }
        Ok(Some(Body {
            url: url.to_owned(),
            length,
            reader: response.into_body().into_reader(),
            limit,
            setting,
            read: 0,
            over: false,
        }))
    }
}

/// A response body that fails once more than `limit` bytes arrive.
pub(super) struct Body {
    url: String,
    length: Option<u64>,
    reader: ureq::BodyReader<'static>,
    limit: u64,
    setting: &'static str,
    read: u64,
    over: bool,
}

impl Body {
    /// Bytes read so far.
    pub(super) fn read_bytes(&self) -> u64 {
        self.read
    }

    /// The error for a failed read: the limit when it was the limit, else the cause.
    pub(super) fn error(&self, source: io::Error) -> FeedError {
        if self.over {
            FeedError::TooLarge {
                url: self.url.clone(),
                limit: self.limit,
                setting: self.setting,
            }
        } else {
            FeedError::Read {
                url: self.url.clone(),
                source,
            }
        }
    }

    /// Reads the whole body.
    pub(super) fn bytes(mut self) -> Result<Vec<u8>, FeedError> {
        let mut bytes = Vec::with_capacity(self.length.unwrap_or(0).min(self.limit) as usize);
        match self.read_to_end(&mut bytes) {
            Ok(_) => Ok(bytes),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Copies the whole body to `out`, calling `progress(bytes so far, declared length)`.
    pub(super) fn copy_to(
        mut self,
        out: &mut dyn Write,
        out_path: &str,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<u64, FeedError> {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match self.read(&mut buf) {
                Ok(0) => return Ok(self.read),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(e)),
            };
            out.write_all(&buf[..n])
                .map_err(|source| FeedError::WorkDir {
                    path: out_path.to_owned(),
                    source,
                })?;
            progress(self.read, self.length);
        }
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.read >= self.limit {
            // At the limit the body must end; one more byte means it is over.
            let mut probe = [0u8; 1];
            if self.reader.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.over = true;
            return Err(io::Error::other(format!(
                "the response is longer than {} bytes",
                self.limit
            )));
        }
        let room = (self.limit - self.read).min(buf.len() as u64) as usize;
        let n = self.reader.read(&mut buf[..room])?;
        self.read += n as u64;
        Ok(n)
    }
}
