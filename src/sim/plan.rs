//! A validated request: everything needed to produce and pace one reply,
//! decided once, before any event is sent.

use std::sync::Arc;

use super::{Conversation, Fault, Latency, Pacing, PartKind, Script, Start, StreamId, Unit};
use crate::config::Profile;

/// One reply to produce, already checked against the limits. Built in one
/// place from the request, the settings and `Last-Event-ID`; nothing after
/// it re-checks the request.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The prompt as sent.
    pub prompt: String,
    /// The model profile.
    pub profile: Arc<Profile>,
    /// How the reply is cut.
    pub unit: Unit,
    /// When each token is due; its seed also chose the reply.
    pub pacing: Pacing,
    /// What the grid of `pacing` cannot say: drawn gaps, stalls, load.
    pub latency: Latency,
    /// The reply, cut into chunks.
    pub script: Script,
    /// Chunks to send: the whole script, or fewer when a token limit cuts it.
    pub end: u32,
    /// A fault to inject (never on a resumed stream, so resuming gets past it).
    pub fault: Option<Fault>,
    /// Where the stream starts.
    pub start: Start,
    /// The fixture that decided the reply, by name.
    pub fixture: Option<String>,
    /// The API's route label.
    pub route: &'static str,
    /// The system prompt and messages the request carried.
    pub conversation: Conversation,
}

impl Plan {
    /// Seeds the reply choice, the generated text and the jitter.
    pub fn seed(&self) -> u64 {
        self.pacing.seed
    }

    /// Names this reply: the prefix of its resume ids.
    pub fn stream_id(&self) -> StreamId {
        StreamId::new(self.seed(), &self.script)
    }

    /// BPE tokens up to the cut, as usage reports them.
    pub fn completion_tokens(&self) -> u32 {
        self.script.bpe_tokens(self.end)
    }

    /// BPE tokens of reasoning up to the cut, as usage reports them.
    pub fn reasoning_tokens(&self) -> u32 {
        (self.script.parts().iter().enumerate())
            .filter(|(_, part)| part.kind == PartKind::Reasoning)
            .map(|(index, _)| self.script.bpe_tokens_in(index, self.end))
            .sum()
    }

    /// What each part of the reply is, in order.
    pub fn part_kinds(&self) -> Vec<PartKind> {
        self.script.parts().iter().map(|p| p.kind.clone()).collect()
    }

    /// Whether a token limit cuts the reply short.
    pub fn is_cut(&self) -> bool {
        self.end < self.script.len()
    }
}
