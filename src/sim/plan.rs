//! A validated request: everything needed to produce and pace one reply.

use std::sync::Arc;

use super::responder::Responders;
use super::{Pacing, ResumeId, Script, Unit};
use crate::config::Profile;

/// One reply to produce, already checked against the limits.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The prompt as sent.
    pub prompt: String,
    /// The model profile.
    pub profile: Arc<Profile>,
    /// Seeds the reply choice, the generated text and the jitter.
    pub seed: u64,
    /// How the reply is cut.
    pub unit: Unit,
    /// When each token is due.
    pub pacing: Pacing,
    /// Where a reconnecting client left off.
    pub resume: Option<ResumeId>,
}

impl Plan {
    /// The reply text, cut into chunks.
    pub fn script(&self, responders: &Responders) -> Script {
        Script::new(
            responders.reply(&self.profile, &self.prompt, self.seed),
            self.unit,
        )
    }
}
