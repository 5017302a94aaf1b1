//! Injected faults, for testing how clients cope: an HTTP error status, a
//! `stream_error` after n tokens, an abrupt disconnect after n tokens, or a
//! stall. Written as text in config, rules and the `X-Trickle-Fault` header:
//!
//! - `status=429;retry_after=2` (also 500, 503; `retry_after` in seconds)
//! - `stream_error@5`
//! - `disconnect@5`
//! - `stall@5:3000` (after 5 tokens, nothing but heartbeats for 3000 ms)

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// One fault to inject into a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status before any event.
    Status {
        /// 429, 500 or 503.
        status: u16,
        /// Seconds for `Retry-After`.
        retry_after: Option<u64>,
    },
    /// A `stream_error` after this many tokens.
    StreamError {
        /// Tokens sent first.
        after: u32,
    },
    /// Close the connection without a final event after this many tokens.
    Disconnect {
        /// Tokens sent first.
        after: u32,
    },
    /// Pause after this many tokens.
    Stall {
        /// Tokens sent first.
        after: u32,
        /// How long nothing but heartbeats is sent.
        duration: Duration,
    },
}

/// Why a fault's text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a fault; use status=429;retry_after=2 (429, 500 or 503), stream_error@5, disconnect@5 or stall@5:3000"
)]
pub struct FaultParseError(String);

impl Fault {
    /// The token count before which a stream fault fires, if any.
    pub fn after(&self) -> Option<u32> {
        match *self {
            Fault::Status { .. } => None,
            Fault::StreamError { after }
            | Fault::Disconnect { after }
            | Fault::Stall { after, .. } => Some(after),
        }
    }

    /// The metrics label.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::StreamError { .. } => "stream_error",
            Fault::Disconnect { .. } => "disconnect",
            Fault::Stall { .. } => "stall",
        }
    }
}

/// True when a request with `seed` draws a fault of probability `rate`.
pub fn drawn(seed: u64, rate: f64) -> bool {
    let unit = (xxh3_64_with_seed(b"fault", seed) >> 11) as f64 / (1u64 << 53) as f64;
    unit < rate
}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || FaultParseError(text.chars().take(80).collect());
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("status=") {
            let mut parts = rest.split(';');
            let status: u16 = parts
                .next()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(error)?;
            if ![429, 500, 503].contains(&status) {
                return Err(error());
            }
            let retry_after = match parts.next() {
                None => None,
                Some(p) => Some(
                    p.trim()
                        .strip_prefix("retry_after=")
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(error)?,
                ),
            };
            if parts.next().is_some() {
                return Err(error());
            }
            return Ok(Fault::Status {
                status,
                retry_after,
            });
        }
        let (kind, at) = text.split_once('@').ok_or_else(error)?;
        let number = |s: &str| s.parse::<u32>().map_err(|_| error());
        match kind {
            "stream_error" => Ok(Fault::StreamError { after: number(at)? }),
            "disconnect" => Ok(Fault::Disconnect { after: number(at)? }),
            "stall" => {
                let (after, ms) = at.split_once(':').ok_or_else(error)?;
                let ms: u64 = ms.parse().map_err(|_| error())?;
                if ms > 3_600_000 {
                    return Err(error());
                }
                Ok(Fault::Stall {
                    after: number(after)?,
                    duration: Duration::from_millis(ms),
                })
            }
            _ => Err(error()),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status {
                status,
                retry_after: None,
            } => write!(f, "status={status}"),
            Fault::Status {
                status,
                retry_after: Some(s),
            } => write!(f, "status={status};retry_after={s}"),
            Fault::StreamError { after } => write!(f, "stream_error@{after}"),
            Fault::Disconnect { after } => write!(f, "disconnect@{after}"),
            Fault::Stall { after, duration } => write!(f, "stall@{after}:{}", duration.as_millis()),
        }
    }
}

impl Serialize for Fault {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_round_trips() {
        for text in [
            "status=429;retry_after=2",
            "status=500",
            "stream_error@5",
            "disconnect@0",
            "stall@5:3000",
        ] {
            let fault: Fault = text.parse().expect(text);
            assert_eq!(fault.to_string(), text);
        }
    }

    #[test]
    fn malformed_faults_are_rejected() {
        for text in [
            "",
            "status=404",
            "status=429;wait=2",
            "stream_error",
            "stream_error@-1",
            "stall@5",
            "boom@1",
            "stall@1:99999999",
        ] {
            assert!(text.parse::<Fault>().is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn the_draw_is_seeded_and_follows_the_rate() {
        assert_eq!(drawn(7, 0.5), drawn(7, 0.5));
        let hits = (0..10_000).filter(|&seed| drawn(seed, 0.1)).count();
        assert!((800..1200).contains(&hits), "{hits}");
        assert!(!drawn(7, 0.0));
        assert!(drawn(7, 1.0));
    }
}
