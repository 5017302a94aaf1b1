//! A request's conversation in every API's terms: the system prompt and the
//! messages, as role and text. Fixtures match on it and the request journal
//! keeps it.

use serde::{Deserialize, Serialize};

/// The conversation a request carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Conversation {
    /// The system prompt or instructions, when the API has them.
    pub system: Option<String>,
    /// The messages in order.
    pub messages: Vec<Message>,
}

/// One message: `user`, `assistant`, `tool`, … and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Who said it, in the API's own words.
    pub role: String,
    /// What was said (a tool call's arguments, a tool's result).
    pub text: String,
}

impl Conversation {
    /// A conversation of messages given as `(role, text)` pairs.
    pub fn of(system: Option<String>, messages: &[(String, String)]) -> Self {
        Conversation {
            system: system.filter(|s| !s.is_empty()),
            messages: (messages.iter())
                .map(|(role, text)| Message {
                    role: role.clone(),
                    text: text.clone(),
                })
                .collect(),
        }
    }

    /// The turn: how many user messages it holds (at least 1).
    pub fn turn(&self) -> u32 {
        let users = self.messages.iter().filter(|m| m.role == "user").count();
        u32::try_from(users).unwrap_or(u32::MAX).max(1)
    }
}
