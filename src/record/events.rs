//! An event stream split as it arrives, following the SSE specification's
//! line rules (`\r\n`, `\n` or `\r` end a line; a blank line ends an event):
//! the bytes of every whole event, to forward untouched, and each event's
//! type and data, to read. A partial event waits for the rest.

use bytes::{Bytes, BytesMut};

/// One event's type (`event:`) and data (`data:` lines joined by `\n`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// The `event:` field, if any.
    pub kind: Option<String>,
    /// The data lines, joined.
    pub data: String,
}

/// See the module docs.
#[derive(Debug, Default)]
pub struct Splitter {
    buffer: BytesMut,
    /// Bytes of `buffer` already read as whole lines.
    scanned: usize,
    /// Bytes of `buffer` up to the end of the last whole event.
    whole: usize,
    event: Event,
    has_data: bool,
}

impl Splitter {
    /// Takes `chunk`; returns the bytes of the events it completed (empty
    /// while none is whole) and those events, in order.
    pub fn push(&mut self, chunk: &[u8]) -> (Bytes, Vec<Event>) {
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some((line_end, next)) = self.line_end() {
            let line = String::from_utf8_lossy(&self.buffer[self.scanned..line_end]).into_owned();
            self.scanned = next;
            if line.is_empty() {
                self.whole = next;
                let event = std::mem::take(&mut self.event);
                if std::mem::take(&mut self.has_data) {
                    events.push(event);
                }
            } else {
                self.field(&line);
            }
        }
        let bytes = self.buffer.split_to(self.whole).freeze();
        self.scanned -= self.whole;
        self.whole = 0;
        (bytes, events)
    }

    /// Whether bytes of an unfinished event are waiting.
    pub fn has_partial(&self) -> bool {
        !self.buffer.iter().all(u8::is_ascii_whitespace)
    }

    /// Where the next whole line ends and the one after starts; a `\r` at
    /// the very end waits, since a `\n` may follow in the next chunk.
    fn line_end(&self) -> Option<(usize, usize)> {
        let rest = &self.buffer[self.scanned..];
        let at = rest.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let end = self.scanned + at;
        match (rest[at], rest.get(at + 1)) {
            (b'\r', Some(b'\n')) => Some((end, end + 2)),
            (b'\r', None) => None,
            _ => Some((end, end + 1)),
        }
    }

    fn field(&mut self, line: &str) {
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match name {
            "event" => self.event.kind = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.event.data.push('\n');
                }
                self.event.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_events_come_out_however_the_bytes_are_cut() {
        let stream =
            b"event: a\r\ndata: one\r\ndata: two\r\n\r\n: comment\n\ndata:x\rdata: [DONE]\n\n";
        for size in 1..stream.len() {
            let mut splitter = Splitter::default();
            let (mut bytes, mut events) = (Vec::new(), Vec::new());
            for chunk in stream.chunks(size) {
                let (whole, got) = splitter.push(chunk);
                bytes.extend_from_slice(&whole);
                events.extend(got);
            }
            assert_eq!(bytes, stream, "cut every {size}");
            assert!(!splitter.has_partial());
            let expected = [
                Event {
                    kind: Some("a".into()),
                    data: "one\ntwo".into(),
                },
                Event {
                    kind: None,
                    data: "x\n[DONE]".into(),
                },
            ];
            assert_eq!(events, expected, "cut every {size}");
        }
    }

    #[test]
    fn a_partial_event_is_held_back() {
        let mut splitter = Splitter::default();
        let (bytes, events) = splitter.push(b"data: {\"a\":1}\n\ndata: {\"b\"");
        assert_eq!(&bytes[..], b"data: {\"a\":1}\n\n");
        assert_eq!(events.len(), 1);
        assert!(splitter.has_partial());
    }
}
