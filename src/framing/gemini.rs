//! Google's Gemini framing: `streamGenerateContent` sends one
//! `GenerateContentResponse` per token, on either of two wires
//! (`wire`): `data:` lines with `?alt=sse`, one streamed JSON array
//! without it. Thoughts asked for with `includeThoughts` come first as parts
//! with `thought: true`; the last token's object carries `finishReason` and
//! the whole usage, as Gemini's last chunk does; no closing event follows.
//! A function call is one part with its whole `args`. Also Google's error
//! shape, `{"error":{"code","message","status"}}`, before a stream and
//! inside one.

mod error;
mod object;
mod wire;

use std::marker::PhantomData;

use actix_web::web::Bytes;
use bytestring::ByteString;
use serde_json::Value;

use super::chunk::TokenChunk;
use super::{Api, Failure, Frames, Framing, WholeReply};
use crate::sim::PartKind;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary};

pub use super::lines::JsonArray;
pub use error::error_body;
pub use object::{Reply, finish_reason};
pub use wire::{Envelope, Sse};

/// Where each token's text goes in a template: the only string in the
/// object with this value (no model name or id is a lone NUL).
const HOLE: &str = "\u{0}";

/// A streamed reply on wire `W` ([`Sse`] or [`JsonArray`]).
#[derive(Debug)]
pub struct GeminiStream<W> {
    reply: Reply,
    /// Per part, the object around each of its tokens; `None` for a
    /// function call, whose part goes out whole when its arguments end
    /// (Gemini never streams a call piece by piece, and a call is only
    /// useful whole), and for thoughts not asked for, which are only time.
    tokens: Vec<Option<TokenChunk>>,
    /// The object around the reply's last token, with `finishReason` and
    /// the whole usage, when that token is shown as it comes.
    last: Option<TokenChunk>,
    /// The arguments received so far of the function call being paced.
    arguments: String,
    /// The reply's last token has been paced.
    at_end: bool,
    /// The object with `finishReason` has been sent.
    finished: bool,
    /// An object has been sent (the array's first has no comma).
    started: bool,
    // `fn() -> W`: the framing holds no `W`, so it is `Unpin` whatever `W` is.
    wire: PhantomData<fn() -> W>,
}

impl<W: Envelope> GeminiStream<W> {
    /// Frames `reply` as a stream.
    pub fn new(reply: Reply) -> Self {
        // `None` where tokens are not shown one by one: a function call
        // goes out whole at its part's end, a thought not asked for never.
        let template = |part: usize, finish: Option<&str>| {
            if let Some(PartKind::ToolCall { .. }) = reply.parts.get(part) {
                return None;
            }
            let shown = reply.part(part, HOLE)?;
            Some(TokenChunk::around(&reply.chunk(vec![shown], finish), HOLE))
        };
        let tokens = (0..reply.parts.len())
            .map(|part| template(part, None))
            .collect();
        let last =
            (reply.last_token).and_then(|(_, part)| template(part, Some(reply.planned_finish())));
        GeminiStream {
            reply,
            tokens,
            last,
            arguments: String::new(),
            at_end: false,
            finished: false,
            started: false,
            wire: PhantomData,
        }
    }

    fn value(&mut self, value: &Value) -> Bytes {
        let text = value.to_string();
        wrap::<W>(&mut self.started, text.len(), |out| {
            out.extend_from_slice(text.as_bytes());
        })
    }
}

/// One object on wire `W`, written by `write`; `started` says whether one
/// went before.
fn wrap<W: Envelope>(started: &mut bool, size: usize, write: impl FnOnce(&mut Vec<u8>)) -> Bytes {
    let before = W::before(!*started);
    *started = true;
    let mut out = Vec::with_capacity(before.len() + size + W::AFTER.len());
    out.extend_from_slice(before);
    write(&mut out);
    out.extend_from_slice(W::AFTER);
    Bytes::from(out)
}

impl<W: Envelope> Framing for GeminiStream<W> {
    const ROUTE: RouteLabel = "gemini";
    const API: Api = Api::Gemini;
    type Wire = W;

    /// Nothing: the first object is the first token's.
    fn head(&mut self, _out: &mut Frames<Bytes>) {}

    fn part_start(&mut self, _part: usize, _out: &mut Frames<Bytes>) {
        self.arguments.clear();
    }

    /// A call's arguments wait for the call's end (Gemini sends a call
    /// whole), and a thought not asked for is only time: neither is sent
    /// as it comes.
    fn hold(&mut self, index: u32, part: usize, text: &ByteString) -> bool {
        let last = self.reply.last_token.is_some_and(|(at, _)| at == index);
        if let Some(PartKind::ToolCall { .. }) = self.reply.parts.get(part) {
            self.at_end |= last;
            self.arguments.push_str(text);
            return true;
        }
        let shown = if last {
            self.last.is_some()
        } else {
            self.tokens.get(part).is_some_and(Option::is_some)
        };
        self.at_end |= last && !shown;
        !shown
    }

    fn token(&mut self, index: u32, part: usize, text: ByteString) -> Bytes {
        let last = self.reply.last_token.is_some_and(|(at, _)| at == index);
        self.at_end |= last;
        self.finished |= last && self.last.is_some();
        let template = if last {
            self.last.as_ref()
        } else {
            self.tokens.get(part).and_then(Option::as_ref)
        };
        match template {
            Some(template) => wrap::<W>(&mut self.started, template.capacity_for(&text), |out| {
                template.write(&text, out);
            }),
            // `hold` takes every token without a template.
            None => Bytes::new(),
        }
    }

    fn part_end(&mut self, part: usize, out: &mut Frames<Bytes>) {
        if !matches!(self.reply.parts.get(part), Some(PartKind::ToolCall { .. })) {
            return;
        }
        let Some(call) = self.reply.part(part, &self.arguments) else {
            return;
        };
        let finish = self.at_end.then(|| self.reply.planned_finish());
        self.finished |= finish.is_some();
        let chunk = self.reply.chunk(vec![call], finish);
        out.push_back(self.value(&chunk));
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames<Bytes>) {
        if !self.finished {
            // The last token was not shown on its own (a thought not asked
            // for, a call cut short) or there was none: an object with no
            // parts says how the reply ended.
            let finish = finish_reason(summary.finish_reason);
            let chunk = self.reply.chunk(Vec::new(), Some(finish));
            out.push_back(self.value(&chunk));
        }
        let end = W::end(self.started);
        if !end.is_empty() {
            out.push_back(Bytes::from_static(end));
        }
    }

    /// Google's error object where the next chunk would be: the official
    /// Python client raises an `APIError` (`ServerError` here) for an
    /// `{"error":…}` object in the stream, SSE or not. The array is closed
    /// after it, so the body stays one JSON document.
    fn failure(&mut self, failure: Failure) -> Bytes {
        let (status, message) = match failure {
            Failure::ShuttingDown { .. } => (503, "the server is shutting down; retry the request"),
            Failure::Injected { .. } | Failure::ResumeMismatch => {
                (500, "injected stream_error fault")
            }
        };
        let mut event = self.value(&error::error_json(status, message)).to_vec();
        event.extend_from_slice(W::end(true));
        Bytes::from(event)
    }
}

impl<W: Envelope> WholeReply for GeminiStream<W> {
    fn object(&self, parts: &[String], reason: FinishReason) -> Value {
        let shown = (parts.iter().enumerate())
            .filter_map(|(part, text)| self.reply.part(part, text))
            .collect();
        self.reply.chunk(shown, Some(finish_reason(reason)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn reply(parts: Vec<PartKind>, last_token: Option<(u32, usize)>) -> Reply {
        Reply {
            response_id: "r1".to_owned(),
            model_version: "m \"quoted\" \u{1f600}".to_owned(),
            prompt_tokens: 3,
            candidates_tokens: 4,
            thoughts_tokens: 2,
            parts,
            include_thoughts: true,
            last_token,
            cut: false,
        }
    }

    fn text(bytes: &Bytes) -> &str {
        std::str::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn a_token_object_is_byte_for_byte_the_object_built_as_a_tree() {
        let parts = vec![PartKind::Reasoning, PartKind::Text];
        let whole = reply(parts.clone(), Some((9, 1)));
        let mut stream = GeminiStream::<Sse>::new(whole.clone());
        for (index, part) in [(0, 0), (1, 1), (9, 1)] {
            for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽", "\u{0}"] {
                let fast = stream.token(index, part, ByteString::from(token));
                let finish = (index == 9).then_some("STOP");
                let part_json = whole.part(part, token).expect("shown");
                let tree = whole.chunk(vec![part_json], finish);
                assert_eq!(
                    text(&fast),
                    format!("data: {tree}\r\n\r\n"),
                    "{index} {token:?}"
                );
            }
        }
    }

    #[test]
    fn the_array_opens_with_the_first_object_and_closes_after_the_last() {
        let mut stream = GeminiStream::<JsonArray>::new(reply(vec![PartKind::Text], Some((1, 0))));
        let mut out = Frames::new();
        stream.head(&mut out);
        let mut body = Vec::new();
        body.extend(out.drain(..));
        body.push(stream.token(0, 0, ByteString::from("a")));
        body.push(stream.token(1, 0, ByteString::from("b")));
        stream.part_end(0, &mut out);
        let summary = Summary {
            finish_reason: FinishReason::Stop,
            tokens: 2,
            chars: 2,
            ttft_ms: None,
            elapsed_ms: 0,
        };
        stream.done(&summary, &mut out);
        body.extend(out.drain(..));
        let body: String = body.iter().map(text).collect();
        assert!(body.starts_with("[{") && body.contains("},\r\n{") && body.ends_with("}]"));
        let objects: Vec<Value> = serde_json::from_str(&body).expect("one JSON document");
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[1]["candidates"][0]["finishReason"], "STOP");
    }

    #[test]
    fn a_function_call_is_one_part_sent_when_its_arguments_end() {
        let call = PartKind::ToolCall {
            id: "c1".to_owned(),
            name: "get_weather".to_owned(),
        };
        let mut stream = GeminiStream::<Sse>::new(reply(vec![call], Some((2, 0))));
        let mut out = Frames::new();
        stream.part_start(0, &mut out);
        for (index, token) in ["{\"city\"", ":\"Paris", "\"}"].iter().enumerate() {
            let held = stream.hold(index as u32, 0, &ByteString::from(*token));
            assert!(held, "arguments are held back");
        }
        stream.part_end(0, &mut out);
        let event = out.pop_front().expect("the call");
        let data = text(&event)
            .strip_prefix("data: ")
            .expect("an SSE data line");
        let object: Value = serde_json::from_str(data.trim_end()).expect("JSON");
        let candidate = &object["candidates"][0];
        assert_eq!(
            candidate["content"]["parts"],
            json!([{"functionCall": {"id": "c1", "name": "get_weather", "args": {"city": "Paris"}}}])
        );
        assert_eq!(candidate["finishReason"], "STOP", "the call ends the reply");
    }
}
