//! A Responses delta event made once per part with two holes: its
//! `sequence_number`, which changes on every event, and its `delta`, the
//! token. A token then costs one number written, one escape and one copy.

use std::io::Write as _;

use actix_web_lab::sse;
use bytestring::ByteString;
use serde_json::Value;

/// The `sequence_number` a template is built with; it marks the first hole.
pub const SEQUENCE_HOLE: u64 = u64::MAX;

/// A serialized delta event split around its sequence number and its delta.
#[derive(Debug)]
pub struct DeltaChunk {
    /// The event's name, the same as its `type`.
    name: &'static str,
    head: String,
    middle: String,
    tail: String,
}

impl DeltaChunk {
    /// Splits `template`, serialized, at its `"sequence_number"`, which must
    /// be [`SEQUENCE_HOLE`], and at the `"delta"` after it, which must be
    /// empty. `name` is the SSE event name.
    pub fn around(name: &'static str, template: &Value) -> Self {
        let text = template.to_string();
        let (head, rest) = split(&text, "\"sequence_number\":", &SEQUENCE_HOLE.to_string());
        let (middle, tail) = split(rest, "\"delta\":", "\"\"");
        DeltaChunk {
            name,
            head: head.to_owned(),
            middle: middle.to_owned(),
            tail: tail.to_owned(),
        }
    }

    /// The event with `sequence` and `token` in the holes.
    pub fn event(&self, sequence: u64, token: &str) -> sse::Event {
        let mut out = Vec::with_capacity(
            self.head.len() + 20 + self.middle.len() + token.len() + 8 + self.tail.len(),
        );
        out.extend_from_slice(self.head.as_bytes());
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{sequence}");
        out.extend_from_slice(self.middle.as_bytes());
        let _ = serde_json::to_writer(&mut out, token);
        out.extend_from_slice(self.tail.as_bytes());
        // Valid JSON text is valid UTF-8, so this never falls back.
        sse::Data::new(String::from_utf8(out).unwrap_or_default())
            .event(ByteString::from_static(self.name))
            .into()
    }
}

/// `text` split at the first `key` followed by `value`: the part up to and
/// including the key, and the part after the value. A template without them
/// is a bug the unit tests catch; it yields the whole text and nothing.
fn split<'a>(text: &'a str, key: &str, value: &str) -> (&'a str, &'a str) {
    let field = format!("{key}{value}");
    match text.find(&field) {
        Some(at) => (&text[..at + key.len()], &text[at + field.len()..]),
        None => (text, ""),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_filled_holes_are_byte_for_byte_the_serialized_tree() {
        let template = |sequence: u64, delta: &str| {
            json!({
                "type": "response.output_text.delta", "sequence_number": sequence,
                "item_id": "msg_\"\"", "delta": delta, "logprobs": [], "after": "\"delta\":\"\"",
            })
        };
        let chunk = DeltaChunk::around("response.output_text.delta", &template(SEQUENCE_HOLE, ""));
        for (sequence, token) in [
            (0, ""),
            (7, "Hi"),
            (12_345, " \"\\\n\t\u{1}"),
            (u64::MAX, "👋🏽"),
        ] {
            let fast = chunk.event(sequence, token);
            let tree: sse::Event = sse::Data::new(template(sequence, token).to_string())
                .event("response.output_text.delta")
                .into();
            assert_eq!(
                format!("{fast:?}"),
                format!("{tree:?}"),
                "{sequence} {token:?}"
            );
        }
    }
}
