//! One NDJSON line made once per stream with two holes, the line's time and
//! its token, so a token costs a clock read, one escape and one copy instead
//! of building and serializing a JSON tree. Ollama stamps every line with
//! the time it was made (`created_at`), so the time is a hole too.

use std::io::Write as _;
use std::time::SystemTime;

use actix_web::web::Bytes;
use serde_json::Value;

/// Stands for `created_at` in a template.
pub const TIME_HOLE: &str = "\u{0}created_at";
/// Stands for the token's text in a template.
pub const TEXT_HOLE: &str = "\u{0}text";

/// A serialized line split around its time and its text, the time first.
#[derive(Debug)]
pub struct Line {
    head: String,
    middle: String,
    tail: String,
}

impl Line {
    /// Splits `template`, serialized, at the strings [`TIME_HOLE`] and
    /// [`TEXT_HOLE`] (in that order, each once).
    pub fn around(template: &Value) -> Self {
        let text = template.to_string();
        let (head, rest) = split(&text, TIME_HOLE);
        let (middle, tail) = split(rest, TEXT_HOLE);
        Line {
            head: head.to_owned(),
            middle: middle.to_owned(),
            tail: tail.to_owned(),
        }
    }

    /// The line stamped `at`, with `token` in its text hole.
    pub fn fill(&self, at: SystemTime, token: &str) -> Bytes {
        let mut out = Vec::with_capacity(
            self.head.len() + 30 + self.middle.len() + token.len() + 8 + self.tail.len(),
        );
        out.extend_from_slice(self.head.as_bytes());
        // Writing into a Vec cannot fail.
        let _ = write!(out, "\"{}\"", timestamp(at));
        out.extend_from_slice(self.middle.as_bytes());
        let _ = serde_json::to_writer(&mut out, token);
        out.extend_from_slice(self.tail.as_bytes());
        out.push(b'\n');
        Bytes::from(out)
    }
}

/// `at` as Ollama writes `created_at`: RFC 3339 in UTC, to the microsecond.
pub fn timestamp(at: SystemTime) -> humantime::Rfc3339Timestamp {
    humantime::format_rfc3339_micros(at)
}

/// The text before and after the quoted `hole` in `text`.
fn split<'a>(text: &'a str, hole: &str) -> (&'a str, &'a str) {
    let quoted = Value::from(hole).to_string();
    match text.find(&quoted) {
        Some(at) => (&text[..at], &text[at + quoted.len()..]),
        None => (text, ""),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_filled_line_is_byte_for_byte_the_serialized_tree() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_micros(1_700_000_000_123_456);
        let template = |time: &str, text: &str| {
            json!({"model": "m \"q\" 🚀", "created_at": time,
                "message": {"role": "assistant", "content": text}, "done": false})
        };
        let line = Line::around(&template(TIME_HOLE, TEXT_HOLE));
        for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽", "\"\"", "\u{0}text"] {
            let filled = line.fill(at, token);
            let mut tree = template("2023-11-14T22:13:20.123456Z", token).to_string();
            tree.push('\n');
            assert_eq!(filled, Bytes::from(tree), "{token:?}");
        }
    }
}
