//! trickle as a recording gateway. With `record.upstream` set, a request to
//! the configured API family that no fixture answers is forwarded to the
//! upstream with the client's own headers (its key is passed on, never
//! kept); the upstream's events go back to the client as each one is whole;
//! and after a clean end the reply, cut where the upstream cut it and with
//! its timing, is appended to `record.file` as a fixture. An upstream error,
//! a cut stream or a client that leaves records nothing.
//!
//! [`Upstream`] is where to forward, [`events`] splits an event stream as it
//! arrives, [`capture`] reads a reply out of the events, [`forward`] is the
//! proxy and `writer` appends the fixture.

pub mod capture;
pub mod events;
mod forward;
mod upstream;
mod writer;

use std::path::PathBuf;
use std::time::Duration;

pub use forward::{Request, forward};
pub use upstream::Upstream;

use crate::config::{RecordApi, RecordSettings};

/// The gateway as configured: where to forward, which API, where to write.
#[derive(Debug)]
pub struct Gateway {
    /// The upstream's base URL.
    pub upstream: Upstream,
    /// The API family forwarded.
    pub api: RecordApi,
    /// The fixtures file recordings are appended to.
    pub file: PathBuf,
    /// Longest wait for the upstream's headers.
    pub connect_timeout: Duration,
    client: reqwest::Client,
}

impl Gateway {
    /// The gateway `settings` ask for, or `None` when `record.upstream` is empty.
    pub fn new(settings: &RecordSettings) -> Result<Option<Gateway>, String> {
        if settings.upstream.is_empty() {
            return Ok(None);
        }
        let upstream = Upstream::parse(&settings.upstream)?;
        // No overall timeout: a stream takes as long as the upstream takes.
        // Compressed bodies are not asked for, so events pass through as sent.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(settings.connect_timeout_s))
            .build()
            .map_err(|e| format!("record.upstream: cannot make an HTTP client: {e}"))?;
        Ok(Some(Gateway {
            upstream,
            api: settings.api,
            file: PathBuf::from(&settings.file),
            connect_timeout: Duration::from_secs(settings.connect_timeout_s),
            client,
        }))
    }
}
