//! The parser sees the same events however the network splits the bytes.

use trickle_loadgen::sse::{Event, Parser};

type Seen = Vec<(String, String, String)>;

/// A stream with what a real one has: a BOM, a retry, a heartbeat comment,
/// named events, multi-line data, ids and all three line endings.
const STREAM: &[u8] = b"\xEF\xBB\xBFretry: 1500\r\n: ping\n\nevent: meta\r\ndata: {\"model\":\"m\"}\r\n\r\nid: 1\ndata: Hel\ndata: lo\n\nid: 2\rdata: \xC3\xA9\r\revent: done\ndata: [DONE]\n\n";

fn parse(chunks: &[&[u8]]) -> (Seen, Option<u64>, u64) {
    let mut parser = Parser::default();
    let mut seen = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut |e: Event<'_>| {
            seen.push((e.event.to_owned(), e.data.to_owned(), e.id.to_owned()));
        });
    }
    (seen, parser.retry_ms, parser.comments)
}

#[test]
fn a_whole_stream_gives_its_events_in_order() {
    let (seen, retry_ms, comments) = parse(&[STREAM]);
    let want: Seen = [
        ("meta", "{\"model\":\"m\"}", ""),
        ("message", "Hel\nlo", "1"),
        ("message", "é", "2"),
        ("done", "[DONE]", "2"),
    ]
    .iter()
    .map(|(e, d, i)| ((*e).to_owned(), (*d).to_owned(), (*i).to_owned()))
    .collect();
    assert_eq!(seen, want);
    assert_eq!((retry_ms, comments), (Some(1500), 1));
}

#[test]
fn cutting_the_stream_anywhere_into_three_reads_changes_nothing() {
    let whole = parse(&[STREAM]);
    for i in 0..=STREAM.len() {
        for j in i..=STREAM.len() {
            let cut = parse(&[&STREAM[..i], &STREAM[i..j], &STREAM[j..]]);
            assert_eq!(cut, whole, "cut at {i} and {j}");
        }
    }
}
