//! Cutting a reply into the chunks that are sent one per event.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// How a reply is cut into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One user-perceived character (an extended grapheme cluster).
    Char,
    /// A run of non-whitespace with the whitespace that follows it.
    Word,
    /// A BPE token of OpenAI's `o200k_base` encoding; a character split
    /// across tokens stays whole in the token that completes it.
    Token,
}

impl Unit {
    /// The name used on the wire and in config.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Char => "char",
            Unit::Word => "word",
            Unit::Token => "token",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cuts `text` into chunks and returns the end byte offset of each one.
///
/// The chunks cover the text exactly: concatenated they are `text`, and each
/// boundary lies on a grapheme cluster boundary.
pub fn cut(text: &str, unit: Unit) -> Vec<u32> {
    match unit {
        Unit::Char => text
            .grapheme_indices(true)
            .map(|(at, g)| offset(at + g.len()))
            .collect(),
        Unit::Word => words(text),
        Unit::Token => bpe(text).0,
    }
}

/// The BPE tokenizer, loaded once (its vocabulary is compiled in).
pub(super) fn tokenizer() -> &'static tiktoken_rs::CoreBPE {
    tiktoken_rs::o200k_base_singleton()
}

/// Loads the BPE vocabulary now. It takes tens of milliseconds and about
/// 45 MB, once per process; loaded at start-up, requests do not wait for it
/// and the memory is there before the first stream rather than charged to it.
pub fn load_tokenizer() {
    tokenizer();
}

/// How many BPE tokens `text` holds.
pub fn count_tokens(text: &str) -> u32 {
    u32::try_from(tokenizer().encode_ordinary(text).len()).unwrap_or(u32::MAX)
}

/// BPE chunks: the end offset of each, and how many tokens the text up to
/// and including each holds. Byte-level tokens that end inside a character
/// are merged with the following ones, so every chunk is valid UTF-8.
pub fn bpe(text: &str) -> (Vec<u32>, Vec<u32>) {
    let bpe = tokenizer();
    let tokens = bpe.encode_ordinary(text);
    let (mut ends, mut counts) = (
        Vec::with_capacity(tokens.len()),
        Vec::with_capacity(tokens.len()),
    );
    let (mut at, mut count) = (0usize, 0u32);
    for token in tokens {
        at += bpe.decode_bytes(&[token]).map_or(0, |b| b.len());
        count += 1;
        if at <= text.len() && text.is_char_boundary(at) {
            ends.push(offset(at));
            counts.push(count);
        }
    }
    if ends.last().is_none_or(|&end| (end as usize) < text.len()) && !text.is_empty() {
        ends.push(offset(text.len()));
        counts.push(count);
    }
    (ends, counts)
}

fn offset(at: usize) -> u32 {
    // Replies are bounded far below 4 GiB by the prompt and file limits.
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Word chunks: leading whitespace joins the first word, and each word keeps
/// the whitespace after it, so no chunk is whitespace alone except an
/// all-whitespace reply.
fn words(text: &str) -> Vec<u32> {
    let mut ends = Vec::new();
    let mut in_space = false;
    let mut seen_word = false;
    for (at, g) in text.grapheme_indices(true) {
        let space = g.chars().all(char::is_whitespace);
        if !space && in_space && seen_word {
            ends.push(offset(at));
        }
        seen_word |= !space;
        in_space = space;
    }
    if !text.is_empty() {
        ends.push(offset(text.len()));
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, unit: Unit) -> Vec<&str> {
        let mut start = 0;
        cut(text, unit)
            .into_iter()
            .map(|end| {
                let piece = &text[start..end as usize];
                start = end as usize;
                piece
            })
            .collect()
    }

    #[test]
    fn char_unit_never_splits_a_grapheme_cluster() {
        let cases = [
            ("family emoji with zero-width joiners", "👨‍👩‍👧‍👦", 1),
            ("thumbs up with skin tone modifier", "👍🏽", 1),
            ("flag from two regional indicators", "🇯🇵", 1),
            ("e with a combining acute accent", "e\u{301}", 1),
            ("hangul syllables", "한국어", 3),
            ("CJK ideographs", "漢字", 2),
            ("CRLF is one cluster", "a\r\nb", 3),
        ];
        for (what, text, count) in cases {
            let got = pieces(text, Unit::Char);
            assert_eq!(got.len(), count, "{what}: {got:?}");
            assert_eq!(got.concat(), text, "{what}");
        }
    }

    #[test]
    fn token_chunks_are_whole_characters_that_rebuild_the_text() {
        for text in [
            "Hello, world! How are you?",
            "👨‍👩‍👧‍👦 🇯🇵 e\u{301}",
            "日本語のテキスト",
            "  indented\n\ncode();",
        ] {
            let got = pieces(text, Unit::Token);
            assert_eq!(got.concat(), text);
            let (_, counts) = bpe(text);
            assert_eq!(counts.last().copied(), Some(count_tokens(text)), "{text}");
        }
        assert_eq!(
            pieces("Hello, world", Unit::Token),
            ["Hello", ",", " world"]
        );
    }

    #[test]
    fn word_unit_keeps_whitespace_attached() {
        assert_eq!(
            pieces("  Hello,  world!\n\nBye ", Unit::Word),
            ["  Hello,  ", "world!\n\n", "Bye "]
        );
        assert_eq!(pieces("   ", Unit::Word), ["   "]);
        assert!(pieces("", Unit::Word).is_empty());
        assert!(pieces("", Unit::Char).is_empty());
    }
}
