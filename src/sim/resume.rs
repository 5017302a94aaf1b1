//! Resume ids: the `id` of every token event. An id carries everything needed
//! to continue a stream (the seed, a digest of the reply and how far the
//! client got), so any instance with the same settings can resume it without
//! server-side state.
//!
//! Wire form: `{seed:x}-{digest:08x}-{position:x}`, e.g. `2a-9f3b22c1-1f`;
//! the part before the last `-` names the reply ([`StreamId`]).
//!
//! [`Start::decide`] turns a client's `Last-Event-ID` into where its stream
//! starts.

use std::fmt;
use std::str::FromStr;

use super::Script;

/// One particular reply: the resume ids' common prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamId {
    /// The seed the reply and its timing were produced with.
    pub seed: u64,
    /// The low 32 bits of [`Script::digest`].
    pub digest: u32,
}

impl StreamId {
    /// The reply `script` produced with `seed`.
    pub fn new(seed: u64, script: &Script) -> Self {
        StreamId {
            seed,
            // Resume ids carry the low 32 bits: short ids, and a forged or
            // stale id still has a 1 in 4 billion chance to pass.
            digest: script.digest() as u32,
        }
    }

    /// The id of the event that leaves the client holding `position` events.
    pub fn at(self, position: u32) -> ResumeId {
        ResumeId {
            seed: self.seed,
            digest: self.digest,
            position,
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:x}-{:08x}", self.seed, self.digest)
    }
}

/// Where a stream starts, decided from the client's `Last-Event-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A new stream from the first token.
    Fresh,
    /// A reconnect: continue with token `position` (the client has
    /// `position` tokens).
    Resume {
        /// Index of the first token to send.
        position: u32,
    },
    /// The id names another reply (settings changed, or it was altered):
    /// the stream is only an error event.
    Mismatch,
    /// The client already has the whole reply and its final event: nothing
    /// to send (`204`, which stops a browser's EventSource).
    Finished,
}

impl Start {
    /// Decides where `script`'s stream starts for a client that last saw
    /// `last` (`None`: a new request).
    pub fn decide(last: Option<ResumeId>, script: &Script) -> Start {
        let Some(id) = last else {
            return Start::Fresh;
        };
        if id.digest != StreamId::new(id.seed, script).digest {
            Start::Mismatch
        } else if id.position > script.len() {
            Start::Finished
        } else {
            Start::Resume {
                position: id.position,
            }
        }
    }

    /// Index of the first token to send (0 for a new stream).
    pub fn position(self) -> u32 {
        match self {
            Start::Resume { position } => position,
            Start::Fresh | Start::Mismatch | Start::Finished => 0,
        }
    }
}

/// A position in one particular reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeId {
    /// The seed the reply and its timing were produced with.
    pub seed: u64,
    /// The low 32 bits of [`Script::digest`](super::Script::digest).
    pub digest: u32,
    /// How many events of the stream the client has: token `i` carries
    /// `i + 1`; the final event carries `tokens + 1`.
    pub position: u32,
}

/// Why a `Last-Event-ID` is not a resume id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Last-Event-ID {shown:?} is not an id this server sent")]
pub struct ResumeIdError {
    /// The offending value, shortened for the message.
    shown: String,
}

/// Longest well-formed id: 16 + 1 + 8 + 1 + 8 characters.
const MAX_LEN: usize = 34;

impl FromStr for ResumeId {
    type Err = ResumeIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ResumeIdError {
            shown: s.chars().take(40).collect(),
        };
        if s.len() > MAX_LEN {
            return Err(error());
        }
        let mut parts = s.split('-');
        let (Some(seed), Some(digest), Some(position), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        let hex = |part: &str, max: usize| {
            if part.is_empty() || part.len() > max || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u64::from_str_radix(part, 16).ok()
        };
        if digest.len() != 8 {
            return Err(error());
        }
        Ok(ResumeId {
            seed: hex(seed, 16).ok_or_else(error)?,
            digest: hex(digest, 8)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(error)?,
            position: hex(position, 8)
                .and_then(|p| u32::try_from(p).ok())
                .ok_or_else(error)?,
        })
    }
}

impl ResumeId {
    /// The reply this id belongs to.
    pub fn stream(self) -> StreamId {
        StreamId {
            seed: self.seed,
            digest: self.digest,
        }
    }
}

impl fmt::Display for ResumeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:x}", self.stream(), self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Unit;

    #[test]
    fn the_start_follows_from_the_last_id_the_client_saw() {
        let script = Script::new("abcd", Unit::Char);
        let stream = StreamId::new(7, &script);
        let cases = [
            ("a new request", None, Start::Fresh),
            (
                "the first token's id",
                Some(stream.at(1)),
                Start::Resume { position: 1 },
            ),
            (
                "the last token's id: only the final event is left",
                Some(stream.at(4)),
                Start::Resume { position: 4 },
            ),
            ("the final event's id", Some(stream.at(5)), Start::Finished),
            ("past the end", Some(stream.at(99)), Start::Finished),
            (
                "another reply's digest",
                Some(ResumeId {
                    digest: stream.digest ^ 1,
                    ..stream.at(2)
                }),
                Start::Mismatch,
            ),
        ];
        for (what, last, expected) in cases {
            assert_eq!(Start::decide(last, &script), expected, "{what}");
        }
    }

    #[test]
    fn a_stream_id_prefixes_its_resume_ids() {
        let stream = StreamId {
            seed: 42,
            digest: 0x9f3b_22c1,
        };
        assert_eq!(stream.to_string(), "2a-9f3b22c1");
        assert_eq!(stream.at(31).to_string(), "2a-9f3b22c1-1f");
        assert_eq!(stream.at(31).stream(), stream);
    }

    #[test]
    fn an_id_round_trips_through_its_text() {
        for id in [
            ResumeId {
                seed: 0,
                digest: 0,
                position: 0,
            },
            ResumeId {
                seed: 42,
                digest: 0x9f3b_22c1,
                position: 31,
            },
            ResumeId {
                seed: u64::MAX,
                digest: u32::MAX,
                position: u32::MAX,
            },
        ] {
            assert_eq!(id.to_string().parse::<ResumeId>(), Ok(id));
        }
    }

    #[test]
    fn malformed_ids_are_rejected() {
        let cases = [
            ("empty", ""),
            ("a plain number, as the clock uses", "17"),
            ("two parts", "2a-9f3b22c1"),
            ("four parts", "2a-9f3b22c1-1f-0"),
            ("short digest", "2a-9f3b22-1f"),
            ("not hex", "2a-9f3b22c1-zz"),
            ("sign", "+2a-9f3b22c1-1f"),
            ("seed over 64 bits", "10000000000000000-9f3b22c1-1f"),
            ("position over 32 bits", "2a-9f3b22c1-100000000"),
            ("empty seed", "-9f3b22c1-1f"),
            ("huge", &"f".repeat(10_000)),
        ];
        for (what, text) in cases {
            assert!(text.parse::<ResumeId>().is_err(), "{what} was accepted");
        }
    }
}
