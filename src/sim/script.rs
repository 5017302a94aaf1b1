//! A reply cut into chunks: what one stream sends, token by token. A reply
//! is one or more parts (reasoning, the answer text, tool calls), each cut on
//! its own so that no chunk spans two parts.

use std::ops::Range;

use bytestring::ByteString;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::Xxh3;

use super::cut::{bpe, count_tokens};
use super::ends::Ends;
use super::{Unit, cut};

/// What one part of a reply is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartKind {
    /// The model's reasoning, sent before the answer.
    Reasoning,
    /// The answer.
    Text,
    /// A call of a tool; the part's text is its arguments as JSON.
    ToolCall {
        /// Unique across requests; framings add their API's prefix.
        id: String,
        /// The tool's name.
        name: String,
    },
}

/// One part of a reply and where its chunks lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What the part is.
    pub kind: PartKind,
    /// Its chunks' indices in the script.
    pub chunks: Range<u32>,
    /// Its bytes in the script's text.
    bytes: Range<usize>,
}

/// The reply text, where each chunk ends, its parts, and the digest that
/// ties resume ids to this exact text and cut.
#[derive(Debug, Clone)]
pub struct Script {
    text: ByteString,
    ends: Ends,
    /// For the token unit: BPE tokens up to and including each chunk. Left
    /// empty when every chunk is one token (only a character split across
    /// tokens merges several), as `one_token_per_chunk` then says. A boxed
    /// slice, not a vector grown by pushing, which keeps up to twice the room.
    bpe_counts: Box<[u32]>,
    one_token_per_chunk: bool,
    parts: Vec<Part>,
    chars: u32,
    digest: u64,
}

impl Script {
    /// Cuts `text`, a reply of one text part, by `unit`.
    pub fn new(text: impl Into<ByteString>, unit: Unit) -> Self {
        let text = text.into();
        let (ends, bpe_counts) = match unit {
            Unit::Token => bpe(&text),
            Unit::Char | Unit::Word => (cut(&text, unit), Vec::new()),
        };
        let part = Part {
            kind: PartKind::Text,
            chunks: 0..u32::try_from(ends.len()).unwrap_or(u32::MAX),
            bytes: 0..text.len(),
        };
        Script::assemble(text, unit, ends, bpe_counts, vec![part])
    }

    /// Cuts each part's text by `unit` and joins them in order; empty parts
    /// are left out, except tool calls (whose arguments are never empty).
    pub fn from_parts(parts: Vec<(PartKind, String)>, unit: Unit) -> Self {
        let mut text = String::new();
        let (mut ends, mut bpe_counts, mut cut_parts) = (Vec::new(), Vec::new(), Vec::new());
        for (kind, part_text) in parts {
            if part_text.is_empty() {
                continue;
            }
            let (start, first) = (text.len(), ends.len());
            let (part_ends, part_counts) = match unit {
                Unit::Token => bpe(&part_text),
                Unit::Char | Unit::Word => (cut(&part_text, unit), Vec::new()),
            };
            let base = u32::try_from(start).unwrap_or(u32::MAX);
            ends.extend(part_ends.iter().map(|end| base + end));
            let counted = bpe_counts.last().copied().unwrap_or(0);
            bpe_counts.extend(part_counts.iter().map(|count| counted + count));
            text.push_str(&part_text);
            cut_parts.push(Part {
                kind,
                chunks: index(first)..index(ends.len()),
                bytes: start..text.len(),
            });
        }
        Script::assemble(text.into(), unit, ends, bpe_counts, cut_parts)
    }

    /// Joins parts already cut into chunks (a recorded reply, cut where the
    /// upstream cut it); empty parts are left out. `unit` only names the cut.
    pub fn from_pieces(parts: Vec<(PartKind, Vec<String>)>, unit: Unit) -> Self {
        let mut text = String::new();
        let (mut ends, mut cut_parts) = (Vec::new(), Vec::new());
        for (kind, pieces) in parts {
            if pieces.iter().all(String::is_empty) {
                continue;
            }
            let (start, first) = (text.len(), ends.len());
            for piece in pieces.iter().filter(|p| !p.is_empty()) {
                text.push_str(piece);
                ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
            }
            cut_parts.push(Part {
                kind,
                chunks: index(first)..index(ends.len()),
                bytes: start..text.len(),
            });
        }
        Script::assemble(text.into(), unit, ends, Vec::new(), cut_parts)
    }

    fn assemble(
        text: ByteString,
        unit: Unit,
        ends: Vec<u32>,
        bpe_counts: Vec<u32>,
        parts: Vec<Part>,
    ) -> Self {
        let chars = u32::try_from(text.graphemes(true).count()).unwrap_or(u32::MAX);
        let mut hasher = Xxh3::new();
        hasher.update(unit.as_str().as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        for end in &ends {
            hasher.update(&end.to_le_bytes());
        }
        // A reply of one text part hashes as it always has, so resume ids
        // from before parts existed stay valid.
        if parts.iter().any(|p| p.kind != PartKind::Text) {
            for part in &parts {
                hasher.update(format!("{:?}", part.kind).as_bytes());
                hasher.update(&part.chunks.end.to_le_bytes());
            }
        }
        // Only a cut that counted every chunk can say so (a recorded reply's
        // chunks are counted from their text instead).
        let one_token_per_chunk = unit == Unit::Token
            && bpe_counts.len() == ends.len()
            && (1..).zip(&bpe_counts).all(|(i, &count)| count == i);
        Script {
            digest: hasher.digest(),
            text,
            ends: Ends::new(ends),
            bpe_counts: if one_token_per_chunk {
                Box::default()
            } else {
                bpe_counts.into_boxed_slice()
            },
            one_token_per_chunk,
            parts,
            chars,
        }
    }

    /// The reply's parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The part that chunk `chunk` belongs to (the last part past the end).
    pub fn part_of(&self, chunk: u32) -> usize {
        self.parts
            .partition_point(|p| p.chunks.end <= chunk)
            .min(self.parts.len().saturating_sub(1))
    }

    /// Part `part`'s whole text.
    pub fn part_text(&self, part: usize) -> &str {
        self.parts
            .get(part)
            .map_or("", |p| &self.text[p.bytes.clone()])
    }

    /// Part `part`'s whole text, sharing the reply's buffer (no copy).
    pub fn part_shared(&self, part: usize) -> ByteString {
        self.parts.get(part).map_or_else(ByteString::new, |p| {
            self.text.slice_ref(&self.text[p.bytes.clone()])
        })
    }

    /// BPE tokens of part `part` within the first `chunks` chunks.
    pub fn bpe_tokens_in(&self, part: usize, chunks: u32) -> u32 {
        let Some(range) = self.parts.get(part).map(|p| p.chunks.clone()) else {
            return 0;
        };
        let end = chunks.clamp(range.start, range.end);
        self.bpe_tokens(end) - self.bpe_tokens(range.start)
    }

    /// How many chunks fit in `tokens` BPE tokens (a chunk that merges
    /// several tokens counts them all), for a request's token limit.
    pub fn chunks_within(&self, tokens: u32) -> u32 {
        // Without counts a chunk counts as one token: exact for the token
        // unit, an approximation kept for the others.
        let fit = if self.bpe_counts.is_empty() {
            (tokens as usize).min(self.ends.len())
        } else {
            self.bpe_counts.partition_point(|&count| count <= tokens)
        };
        u32::try_from(fit).unwrap_or(u32::MAX)
    }

    /// BPE tokens in the first `chunks` chunks, as usage counts them.
    pub fn bpe_tokens(&self, chunks: u32) -> u32 {
        match chunks {
            0 => 0,
            n if self.one_token_per_chunk => n.min(self.len()),
            n if !self.bpe_counts.is_empty() => {
                let i = (n as usize).min(self.bpe_counts.len()) - 1;
                self.bpe_counts[i]
            }
            n => {
                let end = self
                    .ends
                    .get(n as usize - 1)
                    .map_or(self.text.len(), |e| e as usize);
                count_tokens(&self.text[..end])
            }
        }
    }

    /// The whole reply.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of chunks.
    pub fn len(&self) -> u32 {
        u32::try_from(self.ends.len()).unwrap_or(u32::MAX)
    }

    /// True when the reply is empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// User-perceived characters in the whole reply.
    pub fn chars(&self) -> u32 {
        self.chars
    }

    /// Identifies the text and its cut; resume ids carry its low 32 bits.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// Chunk `index`, sharing the reply's buffer (no copy); `None` past the end.
    pub fn chunk(&self, index: u32) -> Option<ByteString> {
        let (start, end) = self.ends.span(index as usize)?;
        Some(self.text.slice_ref(&self.text[start..end]))
    }
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_concatenate_to_the_reply() {
        let text = "Hi 👋🏽\n  indented\nçà 漢字";
        for unit in [Unit::Char, Unit::Word] {
            let script = Script::new(text, unit);
            let joined: String = (0..script.len())
                .map(|i| script.chunk(i).expect("in range").to_string())
                .collect();
            assert_eq!(joined, text, "{unit}");
        }
    }

    #[test]
    fn a_recorded_reply_keeps_its_chunks_and_counts_tokens_from_its_text() {
        let pieces = vec![
            (
                PartKind::Text,
                vec![
                    "Hello, wor".to_owned(),
                    "ld! How are".to_owned(),
                    " you?".to_owned(),
                ],
            ),
            (PartKind::Text, Vec::new()),
        ];
        let script = Script::from_pieces(pieces, Unit::Token);
        let chunks: Vec<String> = (0..script.len())
            .map(|i| script.chunk(i).expect("in range").to_string())
            .collect();
        assert_eq!(chunks, ["Hello, wor", "ld! How are", " you?"]);
        assert_eq!(script.parts().len(), 1, "the empty part is left out");
        let text = "Hello, world! How are you?";
        assert_eq!(script.bpe_tokens(3), count_tokens(text));
        assert_ne!(script.bpe_tokens(3), 3, "not one token per chunk");
    }

    #[test]
    fn the_digest_changes_with_the_text_and_the_unit() {
        let a = Script::new("hello world", Unit::Char).digest();
        assert_eq!(a, Script::new("hello world", Unit::Char).digest());
        assert_ne!(a, Script::new("hello world!", Unit::Char).digest());
        assert_ne!(a, Script::new("hello world", Unit::Word).digest());
    }

    #[test]
    fn parts_are_cut_on_their_own_and_found_by_chunk() {
        let call = PartKind::ToolCall {
            id: "1".to_owned(),
            name: "get_weather".to_owned(),
        };
        let script = Script::from_parts(
            vec![
                (PartKind::Reasoning, "Think it through.".to_owned()),
                (PartKind::Text, String::new()),
                (call.clone(), "{\"city\":\"Paris\"}".to_owned()),
            ],
            Unit::Token,
        );
        let kinds: Vec<_> = script.parts().iter().map(|p| p.kind.clone()).collect();
        assert_eq!(
            kinds,
            [PartKind::Reasoning, call],
            "the empty text is left out"
        );
        assert_eq!(script.part_text(0), "Think it through.");
        assert_eq!(script.part_text(1), "{\"city\":\"Paris\"}");
        for part in 0..2 {
            let range = script.parts()[part].chunks.clone();
            let joined: String = range
                .clone()
                .map(|i| script.chunk(i).expect("in range").to_string())
                .collect();
            assert_eq!(joined, script.part_text(part), "no chunk spans two parts");
            assert!(range.clone().all(|i| script.part_of(i) == part));
        }
        let reasoning = script.bpe_tokens_in(0, script.len());
        assert_eq!(reasoning, count_tokens("Think it through."));
        assert_eq!(
            reasoning + script.bpe_tokens_in(1, script.len()),
            script.bpe_tokens(script.len())
        );
    }

    #[test]
    fn a_one_part_reply_keeps_its_digest() {
        let text = "hello world";
        let parts = Script::from_parts(vec![(PartKind::Text, text.to_owned())], Unit::Word);
        assert_eq!(parts.digest(), Script::new(text, Unit::Word).digest());
    }

    #[test]
    fn chars_counts_grapheme_clusters() {
        assert_eq!(Script::new("👨‍👩‍👧 e\u{301}", Unit::Word).chars(), 3);
    }
}
