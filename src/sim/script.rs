//! A reply cut into chunks: what one stream sends, token by token.

use bytestring::ByteString;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::Xxh3;

use super::cut::{bpe, count_tokens};
use super::{Unit, cut};

/// The reply text, where each chunk ends, and the digest that ties resume ids
/// to this exact text and cut.
#[derive(Debug, Clone)]
pub struct Script {
    text: ByteString,
    ends: Vec<u32>,
    /// For the token unit: BPE tokens up to and including each chunk.
    bpe_counts: Vec<u32>,
    chars: u32,
    digest: u64,
}

impl Script {
    /// Cuts `text` by `unit`.
    pub fn new(text: impl Into<ByteString>, unit: Unit) -> Self {
        let text = text.into();
        let (ends, bpe_counts) = match unit {
            Unit::Token => bpe(&text),
            Unit::Char | Unit::Word => (cut(&text, unit), Vec::new()),
        };
        let chars = u32::try_from(text.graphemes(true).count()).unwrap_or(u32::MAX);
        let mut hasher = Xxh3::new();
        hasher.update(unit.as_str().as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        for end in &ends {
            hasher.update(&end.to_le_bytes());
        }
        Script {
            digest: hasher.digest(),
            text,
            ends,
            bpe_counts,
            chars,
        }
    }

    /// How many chunks fit in `tokens` BPE tokens (a chunk that merges
    /// several tokens counts them all), for a request's token limit.
    pub fn chunks_within(&self, tokens: u32) -> u32 {
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
            n if !self.bpe_counts.is_empty() => {
                let i = (n as usize).min(self.bpe_counts.len()) - 1;
                self.bpe_counts[i]
            }
            n => {
                let end = self
                    .ends
                    .get(n as usize - 1)
                    .map_or(self.text.len(), |&e| e as usize);
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
        let i = index as usize;
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(self.text.slice_ref(&self.text[start..end]))
    }
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
    fn the_digest_changes_with_the_text_and_the_unit() {
        let a = Script::new("hello world", Unit::Char).digest();
        assert_eq!(a, Script::new("hello world", Unit::Char).digest());
        assert_ne!(a, Script::new("hello world!", Unit::Char).digest());
        assert_ne!(a, Script::new("hello world", Unit::Word).digest());
    }

    #[test]
    fn chars_counts_grapheme_clusters() {
        assert_eq!(Script::new("👨‍👩‍👧 e\u{301}", Unit::Word).chars(), 3);
    }
}
