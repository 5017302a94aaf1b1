//! A JSON event body made once per stream with a hole where each token's
//! text goes, so a token costs one escape and one copy instead of building
//! and serializing a JSON tree.

use actix_web_lab::sse;
use serde_json::Value;

/// A serialized JSON value split around one string in it.
#[derive(Debug)]
pub struct TokenChunk {
    before: String,
    after: String,
}

impl TokenChunk {
    /// Splits `template`, serialized, at the string value `placeholder`,
    /// which must be the last string with that value in it.
    pub fn around(template: &Value, placeholder: &str) -> Self {
        let text = template.to_string();
        let quoted = Value::from(placeholder).to_string();
        let at = text.rfind(&quoted).unwrap_or(text.len());
        TokenChunk {
            before: text[..at].to_owned(),
            after: text[(at + quoted.len()).min(text.len())..].to_owned(),
        }
    }

    /// The JSON with `token` in the hole, as an event's data. The buffer is
    /// made to the exact length, so turning it into the event's bytes needs
    /// no second allocation.
    pub fn data(&self, token: &str) -> sse::Data {
        let mut out = Vec::with_capacity(self.capacity_for(token));
        self.write(token, &mut out);
        // Valid JSON text is valid UTF-8, so this never falls back.
        sse::Data::new(String::from_utf8(out).unwrap_or_default())
    }

    /// Appends the JSON with `token` in the hole to `out`, for wires that
    /// write bytes around it.
    pub fn write(&self, token: &str, out: &mut Vec<u8>) {
        out.extend_from_slice(self.before.as_bytes());
        // Serializing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, token);
        out.extend_from_slice(self.after.as_bytes());
    }

    /// How many bytes the JSON with `token` in the hole takes.
    pub fn capacity_for(&self, token: &str) -> usize {
        self.before.len() + quoted_len(token) + self.after.len()
    }
}

/// The length of `text` as serde_json writes it as a JSON string: quotes,
/// two-byte escapes for the quote, the backslash and five control
/// characters, `\u00XX` for the other control characters.
fn quoted_len(text: &str) -> usize {
    let escaped: usize = (text.bytes())
        .map(|byte| match byte {
            b'"' | b'\\' | 0x08 | 0x09 | 0x0A | 0x0C | 0x0D => 2,
            0x00..=0x1F => 6,
            _ => 1,
        })
        .sum();
    escaped + 2
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_filled_hole_is_byte_for_byte_the_serialized_tree() {
        let template = |text: &str| json!({"model": "a \"\" b", "delta": {"content": text}, "after": [null, 1]});
        let chunk = TokenChunk::around(&template(""), "");
        for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽", "\"\"", "</script>"] {
            let filled = chunk.data(token);
            let tree = sse::Data::new(template(token).to_string());
            assert_eq!(format!("{filled:?}"), format!("{tree:?}"), "{token:?}");
        }
    }

    #[test]
    fn the_capacity_is_the_exact_length() {
        let chunk = TokenChunk::around(&json!({"delta": {"content": ""}}), "");
        let control: String = (0u8..0x20).map(char::from).collect();
        for token in ["", "Hi", " \"\\\n\t\r\u{8}\u{c}\u{1}\u{7f}", "👋🏽", &control] {
            let mut out = Vec::new();
            chunk.write(token, &mut out);
            assert_eq!(chunk.capacity_for(token), out.len(), "{token:?}");
        }
    }
}
