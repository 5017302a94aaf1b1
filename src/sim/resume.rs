//! Resume ids: the `id` of every token event. An id carries everything needed
//! to continue a stream (the seed, a digest of the reply and how far the
//! client got), so any instance with the same settings can resume it without
//! server-side state.
//!
//! Wire form: `{seed:x}-{digest:08x}-{position:x}`, e.g. `2a-9f3b22c1-1f`.

use std::fmt;
use std::str::FromStr;

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

impl fmt::Display for ResumeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:x}-{:08x}-{:x}", self.seed, self.digest, self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
