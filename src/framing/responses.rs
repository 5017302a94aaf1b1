//! OpenAI's Responses framing: named events whose `data` has the same
//! `type` and a `sequence_number` from 0 without gaps, counted here per
//! stream. `response.created` and `response.in_progress` open it; each reply
//! part is an output item (`reasoning`, `message`, `function_call`) added,
//! streamed as deltas and done; `response.completed` (or
//! `response.incomplete` at `max_output_tokens`) ends it with usage, and a
//! failure after the start is `response.failed`. No `[DONE]`. Errors before
//! the stream take OpenAI's shape.

mod delta;
mod object;

use actix_web_lab::sse;
use bytestring::ByteString;
use serde_json::{Map, Value, json};

use super::{Api, EventStream, Failure, Frames, Framing, WholeReply, sse as plumbing};
use crate::sim::PartKind;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary};
use delta::{DeltaChunk, SEQUENCE_HOLE};
use object::{output_text, summary_text};

pub use object::{Echo, Response};

/// A streamed response: the shared fields, each part's delta event made
/// once, and where the stream is.
#[derive(Debug)]
pub struct ResponseStream {
    response: Response,
    /// Per part; `None` for reasoning without a summary, whose tokens are
    /// thinking time the client sees only as `:` comments.
    deltas: Vec<Option<DeltaChunk>>,
    /// Bytes sent of each part.
    sent: Vec<usize>,
    /// Parts whose items have been added.
    begun: usize,
    /// The next event's `sequence_number`.
    sequence: u64,
}

impl ResponseStream {
    /// Frames `response` as a stream.
    pub fn new(response: Response) -> Self {
        let deltas = (0..response.parts.len())
            .map(|part| {
                let (name, body) = delta(&response, part, "")?;
                Some(DeltaChunk::around(name, &tree(name, SEQUENCE_HOLE, body)))
            })
            .collect();
        ResponseStream {
            sent: vec![0; response.parts.len()],
            response,
            deltas,
            begun: 0,
            sequence: 0,
        }
    }

    /// An event with the next sequence number.
    fn event(&mut self, name: &'static str, body: Value) -> sse::Event {
        let sequence = self.sequence;
        self.sequence += 1;
        sse::Data::new(tree(name, sequence, body).to_string())
            .event(ByteString::from_static(name))
            .into()
    }

    /// The text sent so far of part `part`.
    fn sent(&self, part: usize) -> &str {
        let whole = (self.response.parts.get(part)).map_or("", |(_, text)| &**text);
        let sent = self.sent.get(part).copied().unwrap_or(0);
        whole.get(..sent).unwrap_or(whole)
    }

    /// The items of the parts begun, as far as they were sent.
    fn output(&self) -> Vec<Value> {
        self.response
            .output((0..self.begun).map(|part| self.sent(part)))
    }
}

/// Part `part`'s delta event with `token` in it: its name and its fields
/// after `type` and `sequence_number`; `None` when its tokens are not shown.
fn delta(response: &Response, part: usize, token: &str) -> Option<(&'static str, Value)> {
    let (name, fields) = match &response.parts.get(part)?.0 {
        PartKind::Text => (
            "response.output_text.delta",
            json!({"content_index": 0, "delta": token, "logprobs": []}),
        ),
        PartKind::Reasoning if response.shows_summary() => (
            "response.reasoning_summary_text.delta",
            json!({"summary_index": 0, "delta": token}),
        ),
        PartKind::Reasoning => return None,
        PartKind::ToolCall { .. } => (
            "response.function_call_arguments.delta",
            json!({"delta": token}),
        ),
    };
    Some((name, about(response, part, fields)))
}

/// `fields` after the `item_id` and `output_index` of part `part`'s item.
fn about(response: &Response, part: usize, fields: Value) -> Value {
    let mut body = Map::new();
    body.insert("item_id".to_owned(), response.item_id(part).into());
    body.insert("output_index".to_owned(), part.into());
    if let Value::Object(fields) = fields {
        body.extend(fields);
    }
    Value::Object(body)
}

/// An event's data: `type` and `sequence_number` first, as OpenAI sends
/// them, then `body`'s fields.
fn tree(name: &str, sequence: u64, body: Value) -> Value {
    let mut event = Map::new();
    event.insert("type".to_owned(), name.into());
    event.insert("sequence_number".to_owned(), sequence.into());
    if let Value::Object(fields) = body {
        event.extend(fields);
    }
    Value::Object(event)
}

impl Framing for ResponseStream {
    const ROUTE: RouteLabel = "responses";
    type Wire = EventStream;
    const API: Api = Api::OpenAi;

    fn head(&mut self, out: &mut Frames) {
        let response = self.response.object("in_progress", Vec::new());
        out.push_back(self.event("response.created", json!({"response": response})));
        out.push_back(self.event("response.in_progress", json!({"response": response})));
    }

    fn part_start(&mut self, part: usize, out: &mut Frames) {
        self.begun = self.begun.max(part + 1);
        let item = self.response.item(part, None);
        let added = json!({"output_index": part, "item": item});
        out.push_back(self.event("response.output_item.added", added));
        let opened = match self.response.parts.get(part).map(|(kind, _)| kind) {
            Some(PartKind::Text) => Some((
                "response.content_part.added",
                json!({"content_index": 0, "part": output_text("")}),
            )),
            Some(PartKind::Reasoning) if self.response.shows_summary() => Some((
                "response.reasoning_summary_part.added",
                json!({"summary_index": 0, "part": summary_text("")}),
            )),
            _ => None,
        };
        if let Some((name, fields)) = opened {
            let body = about(&self.response, part, fields);
            out.push_back(self.event(name, body));
        }
    }

    fn token(&mut self, _index: u32, part: usize, text: ByteString) -> sse::Event {
        if let Some(sent) = self.sent.get_mut(part) {
            *sent += text.len();
        }
        match self.deltas.get(part) {
            Some(Some(chunk)) => {
                let event = chunk.event(self.sequence, &text);
                self.sequence += 1;
                event
            }
            _ => plumbing::heartbeat(),
        }
    }

    fn part_end(&mut self, part: usize, out: &mut Frames) {
        let text = self.sent(part).to_owned();
        let closing: Vec<(&'static str, Value)> = match self.response.parts.get(part) {
            Some((PartKind::Text, _)) => vec![
                (
                    "response.output_text.done",
                    json!({"content_index": 0, "text": text, "logprobs": []}),
                ),
                (
                    "response.content_part.done",
                    json!({"content_index": 0, "part": output_text(&text)}),
                ),
            ],
            Some((PartKind::Reasoning, _)) if self.response.shows_summary() => vec![
                (
                    "response.reasoning_summary_text.done",
                    json!({"summary_index": 0, "text": text}),
                ),
                (
                    "response.reasoning_summary_part.done",
                    json!({"summary_index": 0, "part": summary_text(&text)}),
                ),
            ],
            Some((PartKind::ToolCall { name, .. }, _)) => vec![(
                "response.function_call_arguments.done",
                json!({"name": name, "arguments": text}),
            )],
            _ => Vec::new(),
        };
        for (name, fields) in closing {
            let body = about(&self.response, part, fields);
            out.push_back(self.event(name, body));
        }
        let item = self.response.item(part, Some(&text));
        let done = json!({"output_index": part, "item": item});
        out.push_back(self.event("response.output_item.done", done));
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames) {
        let reason = summary.finish_reason;
        let response = self.response.finished(reason, self.output());
        let name = match reason {
            FinishReason::Length => "response.incomplete",
            FinishReason::Stop | FinishReason::ToolCalls => "response.completed",
        };
        out.push_back(self.event(name, json!({"response": response})));
    }

    fn failure(&mut self, failure: Failure) -> sse::Event {
        let message = match failure {
            Failure::ShuttingDown { .. } => "the server is shutting down; retry the request",
            Failure::Injected { .. } | Failure::ResumeMismatch => "injected stream_error fault",
        };
        let mut response = self.response.object("failed", self.output());
        response["error"] = json!({"code": "server_error", "message": message});
        self.event("response.failed", json!({"response": response}))
    }
}

impl WholeReply for ResponseStream {
    fn object(&self, parts: &[String], reason: FinishReason) -> Value {
        let sent = parts.iter().map(String::as_str);
        self.response.finished(reason, self.response.output(sent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(parts: Vec<(PartKind, &'static str)>, summary: Option<&str>) -> Response {
        let parts = (parts.into_iter())
            .map(|(kind, text)| (kind, ByteString::from_static(text)))
            .collect();
        Response {
            id: "resp_1".to_owned(),
            created_at: 7,
            model: "m \"quoted\" \u{1f600}".to_owned(),
            echo: Echo {
                instructions: None,
                max_output_tokens: None,
                parallel_tool_calls: true,
                effort: None,
                summary: summary.map(str::to_owned),
                temperature: 1.0,
                text: json!({"format": {"type": "text"}}),
                tool_choice: json!("auto"),
                tools: Vec::new(),
                top_p: 1.0,
                metadata: json!({}),
            },
            input_tokens: 1,
            output_tokens: 2,
            reasoning_tokens: 0,
            parts,
        }
    }

    #[test]
    fn every_delta_is_byte_for_byte_the_event_built_as_a_tree() {
        let call = PartKind::ToolCall {
            id: "x".to_owned(),
            name: "f".to_owned(),
        };
        let parts = vec![
            (PartKind::Reasoning, "think"),
            (PartKind::Text, "Hi"),
            (call, "{}"),
        ];
        let response = response(parts, Some("auto"));
        let mut stream = ResponseStream::new(response.clone());
        stream.sequence = 41;
        for part in 0..3 {
            for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽"] {
                let sequence = stream.sequence;
                let fast = stream.token(0, part, ByteString::from(token));
                let (name, body) = delta(&response, part, token).expect("shown");
                let tree: sse::Event = sse::Data::new(tree(name, sequence, body).to_string())
                    .event(name)
                    .into();
                assert_eq!(format!("{fast:?}"), format!("{tree:?}"), "{part} {token:?}");
            }
        }
        assert_eq!(stream.sequence, 41 + 12, "each delta takes one number");
    }

    #[test]
    fn reasoning_without_a_summary_is_only_time() {
        let parts = vec![(PartKind::Reasoning, "think")];
        let mut stream = ResponseStream::new(response(parts, None));
        let event = stream.token(0, 0, ByteString::from("think"));
        assert!(matches!(event, sse::Event::Comment(_)), "{event:?}");
        assert_eq!(stream.sequence, 0, "a comment takes no number");
    }
}
