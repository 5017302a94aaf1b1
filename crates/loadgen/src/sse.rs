//! An incremental event-stream parser, as the SSE spec (HTML §9.2.6) says:
//! LF, CR or CRLF line ends (also split across reads), `:` comments, fields
//! with or without a space after the colon, multi-line data, a leading BOM.

/// One dispatched event, borrowed from the parser's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// The event type; `message` when the stream named none.
    pub event: &'a str,
    /// The data lines joined with LF.
    pub data: &'a str,
    /// The last event id seen so far (the spec keeps it across events).
    pub id: &'a str,
}

/// Feeds bytes in, calls back once per dispatched event.
#[derive(Debug, Default)]
pub struct Parser {
    line: Vec<u8>,
    after_cr: bool,
    started: bool,
    data: String,
    event: String,
    id: String,
    /// The last `retry:` value in milliseconds, if any.
    pub retry_ms: Option<u64>,
    /// Comment lines seen (heartbeats).
    pub comments: u64,
}

impl Parser {
    /// Parses `bytes`; an event is dispatched at the blank line that ends it.
    /// A partial line or event waits for the next call.
    pub fn feed(&mut self, mut bytes: &[u8], on_event: &mut impl FnMut(Event<'_>)) {
        if bytes.is_empty() {
            // Nothing to parse, and a CR that ended the last read must still
            // swallow an LF that starts the next one.
            return;
        }
        if !self.started {
            let bom = b"\xEF\xBB\xBF";
            let have = self.line.len() + bytes.len();
            if have < bom.len() && bom.starts_with(&[&self.line[..], bytes].concat()) {
                self.line.extend_from_slice(bytes);
                return;
            }
            self.started = true;
            let mut head = std::mem::take(&mut self.line);
            head.extend_from_slice(bytes);
            let head = head.strip_prefix(bom).unwrap_or(&head).to_vec();
            return self.feed_lines(&head, on_event);
        }
        if self.after_cr && bytes.first() == Some(&b'\n') {
            bytes = &bytes[1..];
        }
        self.after_cr = false;
        self.feed_lines(bytes, on_event);
    }

    fn feed_lines(&mut self, mut bytes: &[u8], on_event: &mut impl FnMut(Event<'_>)) {
        while let Some(end) = bytes.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.line.extend_from_slice(&bytes[..end]);
            let crlf = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            if crlf {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, on_event);
            self.line = line;
            self.line.clear();
        }
        self.line.extend_from_slice(bytes);
    }

    fn line_done(&mut self, line: &[u8], on_event: &mut impl FnMut(Event<'_>)) {
        if line.is_empty() {
            return self.dispatch(on_event);
        }
        if line[0] == b':' {
            self.comments += 1;
            return;
        }
        let (name, value) = match line.iter().position(|b| *b == b':') {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match name {
            b"event" => (*value).clone_into(&mut self.event),
            b"data" => {
                self.data.push_str(&value);
                self.data.push('\n');
            }
            b"id" if !value.contains('\0') => (*value).clone_into(&mut self.id),
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry_ms = value.parse().ok();
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, on_event: &mut impl FnMut(Event<'_>)) {
        if self.data.is_empty() {
            self.event.clear();
            return;
        }
        self.data.pop();
        let event = if self.event.is_empty() {
            "message"
        } else {
            &self.event
        };
        on_event(Event {
            event,
            data: &self.data,
            id: &self.id,
        });
        self.data.clear();
        self.event.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = Vec<(String, String, String)>;

    fn parse(chunks: &[&[u8]]) -> (Seen, Parser) {
        let mut parser = Parser::default();
        let mut seen = Vec::new();
        for chunk in chunks {
            parser.feed(chunk, &mut |e: Event<'_>| {
                seen.push((e.event.to_owned(), e.data.to_owned(), e.id.to_owned()));
            });
        }
        (seen, parser)
    }

    fn one(event: &str, data: &str, id: &str) -> (String, String, String) {
        (event.to_owned(), data.to_owned(), id.to_owned())
    }

    #[test]
    fn every_line_ending_gives_the_same_events() {
        let cases: [(&str, &[u8]); 3] = [
            ("LF", b"data: a\n\nevent: done\ndata: b\n\n"),
            ("CR", b"data: a\r\revent: done\rdata: b\r\r"),
            ("CRLF", b"data: a\r\n\r\nevent: done\r\ndata: b\r\n\r\n"),
        ];
        for (name, bytes) in cases {
            let (seen, _) = parse(&[bytes]);
            assert_eq!(
                seen,
                [one("message", "a", ""), one("done", "b", "")],
                "{name}"
            );
        }
    }

    #[test]
    fn a_crlf_split_between_reads_is_one_line_end() {
        let (seen, _) = parse(&[b"data: a\r", b"\n\r", b"\ndata: b\n\n"]);
        assert_eq!(seen, [one("message", "a", ""), one("message", "b", "")]);
    }

    #[test]
    fn an_empty_read_between_cr_and_lf_keeps_them_one_line_end() {
        let (seen, _) = parse(&[b"event: meta\r", b"", b"\ndata: a\n\n"]);
        assert_eq!(seen, [one("meta", "a", "")]);
    }

    #[test]
    fn byte_by_byte_feeding_gives_the_same_events() {
        let bytes = b"\xEF\xBB\xBFretry: 2000\n\nid: 7\ndata: x\ndata:y\n\n";
        let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
        let (seen, parser) = parse(&chunks);
        assert_eq!(seen, [one("message", "x\ny", "7")]);
        assert_eq!(parser.retry_ms, Some(2000));
    }

    #[test]
    fn fields_comments_and_odd_lines_follow_the_spec() {
        let cases: [(&str, &[u8], Seen); 6] = [
            (
                "no space after the colon",
                b"data:a\n\n",
                vec![one("message", "a", "")],
            ),
            (
                "only one space is removed",
                b"data:  a\n\n",
                vec![one("message", " a", "")],
            ),
            (
                "a field without a colon is empty data",
                b"data\n\n",
                vec![one("message", "", "")],
            ),
            ("a comment is not an event", b": ping\n\n", vec![]),
            (
                "an unfinished event at the end is dropped",
                b"data: a\n",
                vec![],
            ),
            (
                "the id carries over to later events",
                b"id: 1\ndata: a\n\ndata: b\n\n",
                vec![one("message", "a", "1"), one("message", "b", "1")],
            ),
        ];
        for (why, bytes, want) in cases {
            assert_eq!(parse(&[bytes]).0, want, "{why}");
        }
    }

    #[test]
    fn comments_are_counted_and_bad_retry_ignored() {
        let (_, parser) = parse(&[b": a\n:b\nretry: 1x\n\n"]);
        assert_eq!(parser.comments, 2);
        assert_eq!(parser.retry_ms, None);
    }
}
