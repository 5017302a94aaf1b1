//! One journal entry as `GET /_trickle/requests` serves it and
//! [`TestServer::journal`](crate::testing::TestServer::journal) returns it:
//! the stable, documented shape.

use serde::{Deserialize, Serialize};

use crate::sim::Message;

/// One request, as `GET /_trickle/requests` lists it. The field names are
/// stable; new fields may be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Numbers entries in arrival order, from 1; never reused, also after
    /// a clear.
    pub id: u64,
    /// When the request arrived, RFC 3339 in UTC with milliseconds.
    pub time: String,
    /// The `x-trickle-session` header, if the client sent one.
    pub session: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The route as the server matched it, e.g. `/v1/chat/completions` or
    /// `/v1beta/models/{model}:generateContent` (never the query string).
    pub route: String,
    /// The API, as fixtures' `match.api` names it: `chat`, `openai`,
    /// `responses`, `anthropic`, `gemini`, `ollama`, `ai_sdk`, `embeddings`.
    pub api: String,
    /// The model asked for (the default one when the request named none);
    /// `None` when the request was refused before it was read.
    pub model: Option<String>,
    /// The system prompt or instructions, when there were any.
    pub system: Option<String>,
    /// The messages as role and text, in order (an embedding request's
    /// inputs have the role `input`).
    pub messages: Vec<Message>,
    /// The name of the fixture that decided the reply, if one did.
    pub fixture: Option<String>,
    /// Whether the request was forwarded to `record.upstream` (no fixture
    /// answered it); `tokens` then counts the upstream's events.
    #[serde(default)]
    pub upstream: bool,
    /// The fault the reply was planned with (`stream_error@5`, …), if any.
    pub fault: Option<String>,
    /// The seed of the reply: sent back as `seed`, it reproduces it.
    pub seed: Option<u64>,
    /// How the request ended, or `open` while its stream runs.
    pub outcome: Outcome,
    /// The HTTP status answered; `None` until the answer is sent (and for a
    /// client that left before it was).
    pub status: Option<u16>,
    /// The error's code (`no_fixture`, `unknown_model`, …) for an error
    /// answer.
    pub error_code: Option<String>,
    /// Token events sent (chunks of the reply, reasoning and tool-call
    /// arguments included).
    pub tokens: u32,
    /// From arrival to the end of the reply; `None` while it is open.
    pub duration_ms: Option<u64>,
}

/// How a journaled request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not over yet: the reply is still being sent.
    Open,
    /// The whole reply was sent.
    Completed,
    /// The client went away first.
    ClientGone,
    /// An error answer (4xx or 5xx) or an error event.
    Error,
    /// An injected fault: a status fault, or a stream cut or ended by one.
    Fault,
    /// The server ended the stream while shutting down.
    Shutdown,
}
