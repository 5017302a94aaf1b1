//! Responders write the reply text for a prompt: `canned` rules, `echo`, or
//! seeded `generated` prose. Same prompt, profile and seed ⇒ same text.

mod canned;
mod generated;

use bytestring::ByteString;

pub use canned::{Canned, CannedError};

use crate::config::{Profile, ResponderKind};

/// Every responder, with the canned replies loaded once.
#[derive(Debug)]
pub struct Responders {
    canned: Canned,
}

impl Responders {
    /// Wraps the loaded canned replies.
    pub fn new(canned: Canned) -> Self {
        Responders { canned }
    }

    /// The fault a canned rule attaches to `prompt`, if any.
    pub fn rule_fault(&self, profile: &Profile, prompt: &str) -> Option<crate::sim::Fault> {
        match profile.responder {
            ResponderKind::Canned => self.canned.fault(prompt),
            ResponderKind::Echo | ResponderKind::Generated => None,
        }
    }

    /// A prompt per canned rule that the rule answers: starters for the page.
    pub fn starters(&self) -> Vec<String> {
        self.canned.examples()
    }

    /// The reply for `prompt` under `profile` and `seed`.
    pub fn reply(&self, profile: &Profile, prompt: &str, seed: u64) -> ByteString {
        match profile.responder {
            ResponderKind::Canned => self.canned.reply(prompt, seed),
            ResponderKind::Echo => normalize_newlines(prompt).into(),
            ResponderKind::Generated => generated::prose(profile.words, seed).into(),
        }
    }
}

/// CRLF and lone CR become LF: an event stream cannot carry a lone CR, and a
/// client could not tell the difference back.
pub fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}
