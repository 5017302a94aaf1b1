//! A reply read out of an upstream's events as they arrive: each piece of
//! reasoning, text or tool-call arguments with the moment it came, whether
//! the stream ended cleanly (`[DONE]`, `message_stop`) or with an error, and
//! at the end the fixture answer that replays it. A reply sent whole (no
//! stream) is read from its JSON the same way, with one chunk per part.

use std::time::Instant;

use serde_json::Value;

use super::events::Event;
use crate::config::RecordApi;
use crate::sim::fixture::{Answer, Recorded, ToolCall};

/// What one part of the reply is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Reasoning,
    Text,
    Call(String),
}

/// One part as it arrived: the upstream's index for it, and its pieces.
#[derive(Debug)]
struct Part {
    index: u64,
    kind: Kind,
    pieces: Vec<(String, Instant)>,
}

/// How the stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Still sending.
    Open,
    /// The API's end marker arrived.
    Done,
    /// The upstream sent an error event.
    Failed,
}

/// See the module docs.
#[derive(Debug)]
pub struct Capture {
    api: RecordApi,
    started: Instant,
    parts: Vec<Part>,
    state: State,
}

impl Capture {
    /// A capture of a reply to a request sent at `started`.
    pub fn new(api: RecordApi, started: Instant) -> Self {
        Capture {
            api,
            started,
            parts: Vec::new(),
            state: State::Open,
        }
    }

    /// How the stream stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// Reads one event that arrived at `at`.
    pub fn event(&mut self, event: &Event, at: Instant) {
        if self.state != State::Open {
            return;
        }
        if event.data == "[DONE]" {
            if self.api == RecordApi::OpenAi {
                self.state = State::Done;
            }
            return;
        }
        let Ok(data) = serde_json::from_str::<Value>(&event.data) else {
            return;
        };
        match self.api {
            RecordApi::OpenAi => self.chat_chunk(&data, at),
            RecordApi::Anthropic => self.message_event(&data, at),
        }
    }

    /// Reads a whole (not streamed) reply that arrived at `at`; `false` when
    /// it is not the API's reply.
    pub fn whole(&mut self, body: &Value, at: Instant) -> bool {
        match self.api {
            RecordApi::OpenAi => {
                let Some(message) = body.pointer("/choices/0/message") else {
                    return false;
                };
                for (key, kind) in [
                    ("reasoning_content", Kind::Reasoning),
                    ("content", Kind::Text),
                ] {
                    if let Some(text) = message.get(key).and_then(Value::as_str) {
                        self.piece(u64::MAX, kind, text, at);
                    }
                }
                let calls = message.get("tool_calls").and_then(Value::as_array);
                for (index, call) in calls.into_iter().flatten().enumerate() {
                    let name = call.pointer("/function/name").and_then(Value::as_str);
                    let arguments = call.pointer("/function/arguments").and_then(Value::as_str);
                    if let (Some(name), Some(arguments)) = (name, arguments) {
                        self.piece(index as u64, Kind::Call(name.to_owned()), arguments, at);
                    }
                }
            }
            RecordApi::Anthropic => {
                let Some(blocks) = body.get("content").and_then(Value::as_array) else {
                    return false;
                };
                for (index, block) in blocks.iter().enumerate() {
                    let text = |key| block.get(key).and_then(Value::as_str);
                    match block.get("type").and_then(Value::as_str) {
                        Some("text") => {
                            self.piece(index as u64, Kind::Text, text("text").unwrap_or(""), at)
                        }
                        Some("thinking") => {
                            self.piece(
                                index as u64,
                                Kind::Reasoning,
                                text("thinking").unwrap_or(""),
                                at,
                            );
                        }
                        Some("tool_use") => {
                            let input = block
                                .get("input")
                                .map_or_else(String::new, Value::to_string);
                            let name = text("name").unwrap_or("").to_owned();
                            self.piece(index as u64, Kind::Call(name), &input, at);
                        }
                        _ => {}
                    }
                }
            }
        }
        self.state = State::Done;
        true
    }

    /// A chat completion chunk: `choices[0].delta` and its tool calls.
    fn chat_chunk(&mut self, chunk: &Value, at: Instant) {
        if chunk.get("error").is_some() {
            self.state = State::Failed;
            return;
        }
        let Some(delta) = chunk.pointer("/choices/0/delta") else {
            return;
        };
        // `reasoning_content` is the field trickle and DeepSeek-style
        // servers send; `reasoning` is OpenRouter's and vLLM's.
        for key in ["reasoning_content", "reasoning"] {
            if let Some(text) = delta.get(key).and_then(Value::as_str) {
                self.piece(u64::MAX, Kind::Reasoning, text, at);
            }
        }
        if let Some(text) = delta.get("content").and_then(Value::as_str) {
            self.piece(u64::MAX - 1, Kind::Text, text, at);
        }
        let calls = delta.get("tool_calls").and_then(Value::as_array);
        for call in calls.into_iter().flatten() {
            let index = call.get("index").and_then(Value::as_u64).unwrap_or(0);
            let name = call.pointer("/function/name").and_then(Value::as_str);
            if let Some(name) = name
                && !self
                    .parts
                    .iter()
                    .any(|p| p.index == index && matches!(p.kind, Kind::Call(_)))
            {
                self.parts.push(Part {
                    index,
                    kind: Kind::Call(name.to_owned()),
                    pieces: Vec::new(),
                });
            }
            if let Some(arguments) = call.pointer("/function/arguments").and_then(Value::as_str) {
                let kind = Kind::Call(name.unwrap_or_default().to_owned());
                self.piece(index, kind, arguments, at);
            }
        }
    }

    /// An Anthropic message event: block starts, deltas, the stop.
    fn message_event(&mut self, event: &Value, at: Instant) {
        let index = event.get("index").and_then(Value::as_u64).unwrap_or(0);
        match event.get("type").and_then(Value::as_str) {
            Some("error") => self.state = State::Failed,
            Some("message_stop") => self.state = State::Done,
            Some("content_block_start") => {
                let block = event.get("content_block");
                let kind = match block.and_then(|b| b.get("type")).and_then(Value::as_str) {
                    Some("text") => Kind::Text,
                    Some("thinking") => Kind::Reasoning,
                    Some("tool_use") => {
                        let name = block.and_then(|b| b.get("name")).and_then(Value::as_str);
                        Kind::Call(name.unwrap_or_default().to_owned())
                    }
                    _ => return,
                };
                self.parts.push(Part {
                    index,
                    kind,
                    pieces: Vec::new(),
                });
            }
            Some("content_block_delta") => {
                let delta = event.get("delta");
                let field = |key| delta.and_then(|d| d.get(key)).and_then(Value::as_str);
                let text = field("text")
                    .or(field("thinking"))
                    .or(field("partial_json"));
                if let (Some(text), Some(part)) =
                    (text, self.parts.iter_mut().find(|p| p.index == index))
                    && !text.is_empty()
                {
                    part.pieces.push((text.to_owned(), at));
                }
            }
            _ => {}
        }
    }

    /// Adds `text` to the part with `index` and `kind`, started on first use.
    fn piece(&mut self, index: u64, kind: Kind, text: &str, at: Instant) {
        if text.is_empty() {
            return;
        }
        let found = self.parts.iter_mut().find(|p| {
            p.index == index
                && match (&p.kind, &kind) {
                    (Kind::Call(_), Kind::Call(_)) => true,
                    (a, b) => a == b,
                }
        });
        match found {
            Some(part) => part.pieces.push((text.to_owned(), at)),
            None => self.parts.push(Part {
                index,
                kind,
                pieces: vec![(text.to_owned(), at)],
            }),
        }
    }

    /// The answer that replays the reply: reasoning, then text, then tool
    /// calls (the order fixtures send them in), each piece a chunk with the
    /// gap since the one before; `None` when the upstream said nothing.
    pub fn answer(self) -> Option<Answer> {
        let of = |wanted: &Kind| -> Vec<&(String, Instant)> {
            (self.parts.iter())
                .filter(|p| &p.kind == wanted)
                .flat_map(|p| p.pieces.iter())
                .collect()
        };
        let reasoning = of(&Kind::Reasoning);
        let text = of(&Kind::Text);
        let calls: Vec<&Part> = (self.parts.iter())
            .filter(|p| matches!(p.kind, Kind::Call(_)))
            .collect();
        let ordered: Vec<&(String, Instant)> = (reasoning.iter().copied())
            .chain(text.iter().copied())
            .chain(calls.iter().flat_map(|p| p.pieces.iter()))
            .collect();
        let first = ordered.iter().map(|(_, at)| *at).min()?;
        let mut last = first;
        let chunks = (ordered.iter())
            .map(|(piece, at)| {
                let gap = at.saturating_duration_since(last);
                last = (*at).max(last);
                (piece.len(), gap)
            })
            .collect();
        let joined = |pieces: &[&(String, Instant)]| {
            (!pieces.is_empty()).then(|| pieces.iter().map(|(p, _)| p.as_str()).collect::<String>())
        };
        let tool_calls = (calls.iter())
            .map(|part| ToolCall {
                name: match &part.kind {
                    Kind::Call(name) => name.clone(),
                    _ => String::new(),
                },
                arguments: part.pieces.iter().map(|(p, _)| p.as_str()).collect(),
            })
            .collect();
        Some(Answer {
            text: joined(&text),
            reasoning: joined(&reasoning),
            tool_calls,
            recorded: Some(Recorded {
                ttft: first.saturating_duration_since(self.started),
                chunks,
            }),
            ..Answer::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn event(data: &str) -> Event {
        Event {
            kind: None,
            data: data.to_owned(),
        }
    }

    #[test]
    fn a_chat_completion_stream_is_read_into_parts_and_gaps() {
        let start = Instant::now();
        let ms = |n| start + Duration::from_millis(n);
        let mut capture = Capture::new(RecordApi::OpenAi, start);
        let chunks = [
            (
                r#"{"choices":[{"delta":{"role":"assistant","content":""}}]}"#,
                100,
            ),
            (r#"{"choices":[{"delta":{"content":"Hel"}}]}"#, 120),
            (r#"{"choices":[{"delta":{"content":"lo"}}]}"#, 150),
            (
                r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#,
                160,
            ),
            (
                r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
                170,
            ),
            (
                r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":" \"Paris\"}"}}]}}]}"#,
                200,
            ),
            (
                r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
                210,
            ),
            ("[DONE]", 211),
        ];
        for (data, at) in chunks {
            capture.event(&event(data), ms(at));
        }
        assert_eq!(capture.state(), State::Done);
        let answer = capture.answer().unwrap();
        assert_eq!(answer.text.as_deref(), Some("Hello"));
        assert_eq!(answer.tool_calls.len(), 1);
        assert_eq!(answer.tool_calls[0].name, "get_weather");
        assert_eq!(answer.tool_calls[0].arguments, "{\"city\": \"Paris\"}");
        let recorded = answer.recorded.unwrap();
        assert_eq!(recorded.ttft, Duration::from_millis(120));
        let gaps: Vec<(usize, u64)> = (recorded.chunks.iter())
            .map(|(length, gap)| (*length, gap.as_millis() as u64))
            .collect();
        assert_eq!(gaps, [(3, 0), (2, 30), (8, 20), (9, 30)]);
    }

    #[test]
    fn an_anthropic_stream_is_read_block_by_block() {
        let start = Instant::now();
        let mut capture = Capture::new(RecordApi::Anthropic, start);
        let events = [
            r#"{"type":"message_start","message":{}}"#,
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm."}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"x"}}"#,
            r#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}"#,
            r#"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}"#,
            r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}"#,
            r#"{"type":"message_stop"}"#,
        ];
        for data in events {
            capture.event(&event(data), start);
        }
        assert_eq!(capture.state(), State::Done);
        let answer = capture.answer().unwrap();
        assert_eq!(answer.reasoning.as_deref(), Some("Hmm."));
        assert_eq!(answer.text.as_deref(), Some("Hi"));
        assert_eq!(answer.tool_calls[0].arguments, "{\"a\":1}");
        assert_eq!(answer.recorded.unwrap().chunks.len(), 3);
    }

    #[test]
    fn an_error_event_fails_the_capture() {
        let start = Instant::now();
        let mut openai = Capture::new(RecordApi::OpenAi, start);
        openai.event(&event(r#"{"error":{"message":"boom"}}"#), start);
        assert_eq!(openai.state(), State::Failed);
        let mut anthropic = Capture::new(RecordApi::Anthropic, start);
        anthropic.event(
            &event(r#"{"type":"error","error":{"type":"overloaded_error"}}"#),
            start,
        );
        assert_eq!(anthropic.state(), State::Failed);
    }
}
